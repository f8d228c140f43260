/* key=value log lines (see wg_log.h). Never allocates, never exits. */
#include "wg_log.h"
#include "wg_err.h"
#include "wg_time.h"
#include <ctype.h>
#include <stdarg.h>
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

void wg_log_write(wg_log_level_t level, const char *fmt, ...)
{
    char line[2048];
    char ts[32];
    wg_time_iso8601(wg_now_ms(), ts);
    int n = snprintf(line, sizeof line, "ts=%s level=%s prog=%s ", ts, level_name(level),
                     wg_log_program);
    if (n < 0 || (size_t)n >= sizeof line)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    /* one fputs per line: stdio locks the stream, so lines never interleave */
    size_t len = strlen(line);
    if (len + 1 < sizeof line) {
        line[len] = '\n';
        line[len + 1] = '\0';
    } else {
        line[sizeof line - 2] = '\n';
    }
    if (g_holding) {
        size_t n_line = strlen(line);
        if (g_held_len + n_line > sizeof g_held)
            write_held(); /* full: what is held goes first, order kept */
        memcpy(g_held + g_held_len, line, n_line);
        g_held_len += n_line;
        return;
    }
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
