/* shared/wg_buf.c, wg_arena.c, wg_time.c, wg_names.c, wg_events.c. */
#include "wg_arena.h"
#include "wg_buf.h"
#include "wg_events.h"
#include "wg_names.h"
#include "wg_time.h"
#include "wg_test.h"
#include <stdlib.h>

static void buf_grows_and_stays_terminated(void)
{
    wg_buf_t b = WG_BUF_INIT;
    WG_CHECK_STR(wg_buf_cstr(&b), "");
    for (int i = 0; i < 1000; i++)
        wg_buf_printf(&b, "%d,", i);
    WG_CHECK(b.p[b.len] == '\0');
    WG_CHECK(strncmp((char *)b.p, "0,1,2,", 6) == 0);
    size_t before = b.len;
    wg_buf_consume(&b, 2);
    WG_CHECK_INT(b.len, before - 2);
    WG_CHECK(b.p[0] == '1');
    char big[600];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    wg_buf_reset(&b);
    wg_buf_printf(&b, "%s", big);
    WG_CHECK_INT(b.len, 599);
    char *s = wg_buf_steal(&b);
    WG_CHECK_INT(strlen(s), 599);
    free(s);
    WG_CHECK(b.p == NULL);
    wg_buf_free(&b);
    wg_buf_free(NULL);
    WG_CHECK(wg_slice_eq_str(wg_slice_str("abc"), "abc"));
    WG_CHECK(!wg_slice_eq_str(wg_slice_str("abc"), "abcd"));
}

static void arena(void)
{
    wg_arena_t a;
    wg_arena_init(&a, 128);
    char *s = wg_arena_strdup(&a, "hello");
    void *big = wg_arena_alloc(&a, 1000);
    WG_CHECK(((uintptr_t)big & 15) == 0);
    memset(big, 1, 1000);
    WG_CHECK_STR(s, "hello");
    wg_arena_reset(&a);
    WG_CHECK_STR(wg_arena_strndup(&a, "abcdef", 3), "abc");
    wg_arena_free(&a);
}

static void time_format(void)
{
    char out[32];
    WG_CHECK_STR(wg_time_iso8601(0, out), "1970-01-01T00:00:00.000Z");
    WG_CHECK_STR(wg_time_iso8601(1700000000123, out), "2023-11-14T22:13:20.123Z");
    WG_CHECK(wg_now_ms() > 1700000000000);
}

static void names_and_events(void)
{
    WG_CHECK(wg_instance_name_valid("shop-1"));
    WG_CHECK(wg_instance_name_valid("A.b_c"));
    WG_CHECK(!wg_instance_name_valid(""));
    WG_CHECK(!wg_instance_name_valid("-lead"));
    WG_CHECK(!wg_instance_name_valid("has space"));
    WG_CHECK(!wg_instance_name_valid("slash/x"));
    WG_CHECK(!wg_instance_name_valid(NULL));
    char n65[66];
    memset(n65, 'a', 65);
    n65[65] = '\0';
    WG_CHECK(!wg_instance_name_valid(n65));
    n65[64] = '\0';
    WG_CHECK(wg_instance_name_valid(n65));
    WG_CHECK(wg_event_name_known("MESSAGES_UPSERT"));
    WG_CHECK(wg_event_name_known("GROUPS_UPDATE"));
    WG_CHECK(!wg_event_name_known("messages.upsert"));
    WG_CHECK_INT(wg_event_names_count, 32);
}

int main(void)
{
    WG_RUN(buf_grows_and_stays_terminated);
    WG_RUN(arena);
    WG_RUN(time_format);
    WG_RUN(names_and_events);
    return wg_test_done();
}
