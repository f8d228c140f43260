/* Unit tests for shared/wg_frame.c: IPC framing, split and oversize input. */
#include "wg_err.h"
#include "wg_frame.h"
#include "wg_test.h"

static void roundtrip_byte_by_byte(void)
{
    wg_buf_t wire = WG_BUF_INIT;
    WG_CHECK_INT(wg_frame_encode(&wire, "hello", 5), WG_OK);
    WG_CHECK_INT(wg_frame_encode(&wire, "", 0), WG_OK);
    WG_CHECK_INT(wg_frame_encode(&wire, "xyz", 3), WG_OK);
    wg_frame_decoder_t d;
    wg_frame_decoder_init(&d, 100);
    int frames = 0;
    const char *want[] = {"hello", "", "xyz"};
    for (size_t i = 0; i < wire.len; i++) {
        wg_frame_feed(&d, wire.p + i, 1);
        wg_slice_t f;
        int rc;
        while ((rc = wg_frame_next(&d, &f)) == 1) {
            WG_CHECK(frames < 3);
            if (frames < 3)
                WG_CHECK(wg_slice_eq_str(f, want[frames]));
            frames++;
        }
        WG_CHECK_INT(rc, 0);
    }
    WG_CHECK_INT(frames, 3);
    wg_frame_decoder_free(&d);
    wg_buf_free(&wire);
}

static void oversize_is_rejected_and_sticky(void)
{
    wg_frame_decoder_t d;
    wg_frame_decoder_init(&d, 10);
    const uint8_t hdr[4] = {0, 0, 0, 11};
    wg_frame_feed(&d, hdr, 4);
    wg_slice_t f;
    WG_CHECK_INT(wg_frame_next(&d, &f), WG_ETOOBIG);
    wg_frame_feed(&d, "abc", 3);
    WG_CHECK_INT(wg_frame_next(&d, &f), WG_ETOOBIG);
    wg_frame_decoder_free(&d);
}

static void many_frames_compact(void)
{
    wg_frame_decoder_t d;
    wg_frame_decoder_init(&d, 0);
    wg_buf_t wire = WG_BUF_INIT;
    char payload[100];
    memset(payload, 'a', sizeof payload);
    int got = 0;
    for (int i = 0; i < 1000; i++) {
        wg_buf_reset(&wire);
        wg_frame_encode(&wire, payload, sizeof payload);
        wg_frame_feed(&d, wire.p, wire.len);
        wg_slice_t f;
        while (wg_frame_next(&d, &f) == 1)
            got += f.len == sizeof payload;
    }
    WG_CHECK_INT(got, 1000);
    WG_CHECK(d.in.cap < 64 * 1024);
    wg_frame_decoder_free(&d);
    wg_buf_free(&wire);
}

int main(void)
{
    WG_RUN(roundtrip_byte_by_byte);
    WG_RUN(oversize_is_rejected_and_sticky);
    WG_RUN(many_frames_compact);
    return wg_test_done();
}
