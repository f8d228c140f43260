/* One-line key=value logging to stderr, shared by connd and wagate-fcgi.
 * wg_log() skips all formatting work below the threshold. Thread-safe. */
#ifndef WG_LOG_H
#define WG_LOG_H

typedef enum {
    WG_LOG_ERROR = 0,
    WG_LOG_WARN = 1,
    WG_LOG_INFO = 2,
    WG_LOG_DEBUG = 3,
} wg_log_level_t;

extern int wg_log_threshold; /* messages with level > threshold are skipped */
extern const char *wg_log_program; /* "prog=" value on every line */

/* fmt continues the line after "ts=… level=… prog=…", e.g.
 * wg_log(WG_LOG_INFO, "msg=created instance=%s", name). Values with spaces
 * must be quoted by the caller (wg_log_quote helps). */
#define wg_log(level, ...)                                                                         \
    do {                                                                                           \
        if ((int)(level) <= wg_log_threshold)                                                      \
            wg_log_write((level), __VA_ARGS__);                                                    \
    } while (0)

void wg_log_write(wg_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Between wg_log_hold and wg_log_release (nested: the outermost release
 * writes), this thread's lines are kept, each whole, and written together
 * on release: one write() for a burst (connd's loop, around the completions
 * of a group commit). Lines from other threads are not held. A thread must
 * not block while it holds: the lines would wait with it. */
void wg_log_hold(void);
void wg_log_release(void);

/* Parses LOG_LEVEL: one of error|warn|info|debug, or Evolution's comma list
 * (ERROR,WARN,DEBUG,INFO,LOG,VERBOSE,DARK,...): the most verbose entry wins.
 * Returns WG_EINVAL when nothing recognisable is there. */
int wg_log_parse_level(const char *text, int *level_out);

/* Writes s into out (size n) as a logfmt value: quoted and escaped when it
 * has spaces, quotes or control bytes; truncated to fit. Returns out. */
const char *wg_log_quote(const char *s, char *out, unsigned n);

#endif
