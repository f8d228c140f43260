/* 3-byte length framing and the intro header (wa-protocol.md §1). */
#include "wa/frame.h"

#include "wg_err.h"
#include "wg_test.h"

static void test_append_and_intro(void)
{
    wg_buf_t out = WG_BUF_INIT;
    WG_CHECK_INT(wg_wa_frame_intro(&out, NULL, 0), 0);
    WG_CHECK(out.len == 4 && memcmp(out.p, "WA\x06\x03", 4) == 0);
    WG_CHECK_INT(wg_wa_frame_append(&out, (const uint8_t *)"abc", 3), 0);
    WG_CHECK(out.len == 10 && memcmp(out.p + 4,
                                     "\0\0\x03"
                                     "abc",
                                     6) == 0);
    WG_CHECK_INT(wg_wa_frame_append(&out, NULL, WG_WA_FRAME_MAX), WG_ETOOBIG);
    WG_CHECK_INT(out.len, 10);
    wg_buf_free(&out);
}

static void test_reader(void)
{
    wg_wa_frame_reader_t r;
    wg_slice_t s;
    wg_wa_frame_reader_init(&r, 0);
    WG_CHECK_INT(wg_wa_frame_reader_next(&r, &s), WG_EAGAIN);
    /* two frames and half a header in one message, then the rest byte by byte */
    static const uint8_t msg[] = {0, 0, 2, 'h', 'i', 0, 0, 0, 0, 0};
    wg_wa_frame_reader_feed(&r, msg, sizeof msg);
    WG_CHECK_INT(wg_wa_frame_reader_next(&r, &s), 0);
    WG_CHECK(s.len == 2 && memcmp(s.p, "hi", 2) == 0);
    WG_CHECK_INT(wg_wa_frame_reader_next(&r, &s), 0);
    WG_CHECK_INT(s.len, 0);
    WG_CHECK_INT(wg_wa_frame_reader_next(&r, &s), WG_EAGAIN);
    static const uint8_t rest[] = {3, 'a', 'b', 'c'};
    for (size_t i = 0; i < sizeof rest; i++) {
        WG_CHECK_INT(wg_wa_frame_reader_next(&r, &s), WG_EAGAIN);
        wg_wa_frame_reader_feed(&r, rest + i, 1);
    }
    WG_CHECK_INT(wg_wa_frame_reader_next(&r, &s), 0);
    WG_CHECK(s.len == 3 && memcmp(s.p, "abc", 3) == 0);
    WG_CHECK_INT(wg_wa_frame_reader_next(&r, &s), WG_EAGAIN);
    wg_wa_frame_reader_free(&r);
    wg_wa_frame_reader_free(NULL);

    /* a length over the limit poisons the stream */
    wg_wa_frame_reader_init(&r, 100);
    static const uint8_t big[] = {0, 0, 101};
    wg_wa_frame_reader_feed(&r, big, sizeof big);
    WG_CHECK_INT(wg_wa_frame_reader_next(&r, &s), WG_ETOOBIG);
    wg_wa_frame_reader_free(&r);
    wg_wa_frame_reader_init(&r, 0);
    static const uint8_t max[] = {0xff, 0xff, 0xff};
    wg_wa_frame_reader_feed(&r, max, sizeof max);
    WG_CHECK_INT(wg_wa_frame_reader_next(&r, &s), WG_EAGAIN); /* 16 MiB - 1 is allowed */
    wg_wa_frame_reader_free(&r);
}

int main(void)
{
    WG_RUN(test_append_and_intro);
    WG_RUN(test_reader);
    return wg_test_done();
}
