/* key=value log lines (see wg_log.h). Never allocates, never exits. */
#include "wg_log.h"
#include "wg_err.h"
#include "wg_time.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int wg_log_threshold = WG_LOG_INFO;
const char *wg_log_program = "wagate";

static const char *level_name(wg_log_level_t level)
{
    switch (level) {
    case WG_LOG_ERROR: return "error";
    case WG_LOG_WARN: return "warn";
    case WG_LOG_INFO: return "info";
    default: return "debug";
    }
}

/* This thread's held lines (wg_log_hold), written at once on release: a
 * burst of lines costs one write() instead of one each. */
static __thread int g_holding;      /* wg_log_hold depth of this thread */
static __thread char g_held[16384]; /* its held lines, each whole */
static __thread size_t g_held_len;  /* bytes in it */

static void write_held(void)
{
    if (g_held_len)
        fwrite(g_held, 1, g_held_len, stderr); /* stderr is unbuffered: one write */
    g_held_len = 0;
}

void wg_log_hold(void)
{
    g_holding++;
}

void wg_log_release(void)
{
    if (g_holding > 0 && --g_holding == 0)
        write_held();
}

/* The "YYYY-MM-DDTHH:MM:SS" of this thread's last line and its second:
 * gmtime and the date formatting run once a second, not once a line. */
static __thread int64_t g_ts_sec = INT64_MIN;
static __thread char g_ts_date[20];

static size_t put(char *dst, size_t at, size_t cap, const char *s, size_t n)
{
    if (at + n > cap)
        n = at < cap ? cap - at : 0;
    memcpy(dst + at, s, n);
    return at + n;
}

/* Writes "ts=<ISO 8601 UTC with ms> level=<level> prog=<program> " into
 * line (cap bytes, NUL not included); returns its length. */
static size_t line_head(char *line, size_t cap, wg_log_level_t level)
{
    int64_t now = wg_now_ms();
    int64_t sec = now >= 0 ? now / 1000 : -((999 - now) / 1000);
    if (sec != g_ts_sec) {
        char ts[32];
        wg_time_iso8601(sec * 1000, ts); /* "YYYY-MM-DDTHH:MM:SS.000Z" */
        memcpy(g_ts_date, ts, 19);
        g_ts_date[19] = '\0';
        g_ts_sec = sec;
    }
    int ms = (int)(now - sec * 1000);
    char frac[6] = {'.', (char)('0' + ms / 100), (char)('0' + ms / 10 % 10),
                    (char)('0' + ms % 10), 'Z', ' '};
    const char *lv = level_name(level);
    size_t n = put(line, 0, cap, "ts=", 3);
    n = put(line, n, cap, g_ts_date, 19);
    n = put(line, n, cap, frac, sizeof frac);
    n = put(line, n, cap, "level=", 6);
    n = put(line, n, cap, lv, strlen(lv));
    n = put(line, n, cap, " prog=", 6);
    n = put(line, n, cap, wg_log_program, strlen(wg_log_program));
    return put(line, n, cap, " ", 1);
}

void wg_log_write(wg_log_level_t level, const char *fmt, ...)
{
    char line[2048];
    size_t n = line_head(line, sizeof line - 2, level);
    va_list ap;
    va_start(ap, fmt);
    int body = vsnprintf(line + n, sizeof line - 1 - n, fmt, ap);
    va_end(ap);
    size_t len = n + (body < 0 ? 0 : (size_t)body);
    if (len > sizeof line - 2)
        len = sizeof line - 2; /* cut: the line still ends with its newline */
    line[len++] = '\n';
    line[len] = '\0';
    if (g_holding) {
        if (g_held_len + len > sizeof g_held)
            write_held(); /* full: what is held goes first, order kept */
        memcpy(g_held + g_held_len, line, len);
        g_held_len += len;
        return;
    }
    /* one fputs per line: stdio locks the stream, so lines never interleave */
    fputs(line, stderr);
}

int wg_log_parse_level(const char *text, int *level_out)
{
    static const struct {
        const char *name;
        int level;
    } names[] = {
        {"error", WG_LOG_ERROR}, {"warn", WG_LOG_WARN},       {"info", WG_LOG_INFO},
        {"log", WG_LOG_INFO},    {"webhooks", WG_LOG_INFO},   {"websocket", WG_LOG_INFO},
        {"debug", WG_LOG_DEBUG}, {"verbose", WG_LOG_DEBUG},   {"dark", WG_LOG_DEBUG},
    };
    int best = -1;
    const char *p = text;
    while (p && *p) {
        while (*p == ',' || isspace((unsigned char)*p))
            p++;
        size_t n = strcspn(p, ", \t");
        for (size_t i = 0; n && i < sizeof names / sizeof names[0]; i++)
            if (strlen(names[i].name) == n && strncasecmp(p, names[i].name, n) == 0 &&
                names[i].level > best)
                best = names[i].level;
        p += n;
    }
    if (best < 0)
        return WG_EINVAL;
    *level_out = best;
    return WG_OK;
}

const char *wg_log_quote(const char *s, char *out, unsigned n)
{
    if (!n)
        return out;
    int plain = s && *s;
    for (const char *c = s; plain && *c; c++)
        if (*c == ' ' || *c == '"' || *c == '=' || (unsigned char)*c < 0x20)
            plain = 0;
    if (plain) {
        snprintf(out, n, "%s", s);
        return out;
    }
    unsigned o = 0;
    out[o++] = '"';
    for (const char *c = s ? s : ""; *c && o + 3 < n; c++) {
        unsigned char ch = (unsigned char)*c;
        if (ch == '"' || ch == '\\') {
            out[o++] = '\\';
            out[o++] = (char)ch;
        } else if (ch < 0x20) {
            out[o++] = '?';
        } else {
            out[o++] = (char)ch;
        }
    }
    if (o + 1 < n)
        out[o++] = '"';
    out[o < n ? o : n - 1] = '\0';
    return out;
}
