/* Unit tests for shared/wg_log.c: held lines (wg_log_hold / wg_log_release)
 * reach stderr only at the outermost release, whole and in order, and a
 * held burst larger than the hold buffer still loses nothing. */
#include "wg_log.h"
#include "wg_time.h"
#include "wg_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static FILE *g_out; /* stderr's file while capturing */
static int g_saved; /* the real fd 2 */

static void capture(void)
{
    g_out = tmpfile();
    if (!g_out)
        abort();
    fflush(stderr);
    g_saved = dup(2);
    dup2(fileno(g_out), 2);
}

/* What reached fd 2 so far (malloc'd). */
static char *so_far(void)
{
    fflush(stderr);
    long n = lseek(fileno(g_out), 0, SEEK_END);
    char *s = calloc(1, (size_t)n + 1);
    if (pread(fileno(g_out), s, (size_t)n, 0) != n)
        abort();
    return s;
}

static void uncapture(void)
{
    dup2(g_saved, 2);
    close(g_saved);
    fclose(g_out);
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void held_until_outermost_release(void)
{
    wg_log_threshold = WG_LOG_INFO;
    capture();
    wg_log_hold();
    wg_log(WG_LOG_INFO, "msg=one");
    wg_log_hold(); /* nested */
    wg_log(WG_LOG_WARN, "msg=two");
    wg_log_release();
    char *s = so_far();
    WG_CHECK_STR(s, ""); /* still held: the outer hold is open */
    free(s);
    wg_log(WG_LOG_DEBUG, "msg=skipped"); /* below the threshold: nothing */
    wg_log_release();
    s = so_far();
    char *one = strstr(s, "msg=one\n"), *two = strstr(s, "msg=two\n");
    WG_CHECK(one && two && one < two);
    WG_CHECK_INT((int)count(s, "\n"), 2);
    WG_CHECK(strstr(s, "skipped") == NULL);
    free(s);
    wg_log(WG_LOG_INFO, "msg=three"); /* not holding: written at once */
    s = so_far();
    WG_CHECK(strstr(s, "msg=three\n") != NULL);
    free(s);
    wg_log_release(); /* an extra release is harmless */
    uncapture();
}

static void overflow_keeps_every_line(void)
{
    wg_log_threshold = WG_LOG_INFO;
    capture();
    wg_log_hold();
    for (int i = 0; i < 400; i++) /* ~100 bytes each: more than the hold buffer */
        wg_log(WG_LOG_INFO, "msg=burst n=%03d pad=%040d", i, 0);
    wg_log_release();
    char *s = so_far();
    WG_CHECK_INT((int)count(s, "msg=burst"), 400);
    WG_CHECK_INT((int)count(s, "\n"), 400);
    char *first = strstr(s, "n=000 "), *last = strstr(s, "n=399 ");
    WG_CHECK(first && last && first < last);
    free(s);
    uncapture();
}

/* the line head: ts=<ISO 8601 UTC, ms> level= prog=, as wg_time_iso8601
 * writes the time; a line too long for the buffer is cut and still ends
 * with its newline */
static void line_format(void)
{
    wg_log_threshold = WG_LOG_INFO;
    wg_log_program = "tester";
    capture();
    char before[32], after[32];
    wg_time_iso8601(wg_now_ms(), before);
    wg_log(WG_LOG_WARN, "msg=hello n=%d", 42);
    wg_time_iso8601(wg_now_ms(), after);
    char *s = so_far();
    WG_CHECK(strlen(s) == 3 + 24 + 39);
    WG_CHECK(strncmp(s, "ts=", 3) == 0);
    WG_CHECK(strcmp(s + 27, " level=warn prog=tester msg=hello n=42\n") == 0);
    char ts[25];
    memcpy(ts, s + 3, 24);
    ts[24] = '\0';
    WG_CHECK(strcmp(ts, before) >= 0 && strcmp(ts, after) <= 0);
    WG_CHECK(ts[4] == '-' && ts[10] == 'T' && ts[19] == '.' && ts[23] == 'Z');
    free(s);
    uncapture();
    capture();
    static char big[5000];
    memset(big, 'x', sizeof big - 1);
    wg_log(WG_LOG_INFO, "msg=%s", big);
    s = so_far();
    size_t n = strlen(s);
    WG_CHECK(n == 2047 && s[n - 1] == '\n' && s[n - 2] == 'x');
    free(s);
    uncapture();
}

int main(void)
{
    WG_RUN(held_until_outermost_release);
    WG_RUN(overflow_keeps_every_line);
    WG_RUN(line_format);
    return wg_test_done();
}
