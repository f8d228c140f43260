/* Unit tests for connd/sio/ws_frame.c: the three length encodings and the
 * opcodes, checked byte by byte against RFC 6455 §5.2. */
#include "sio/ws_frame.h"
#include "wg_test.h"

#include <string.h>

static void short_text(void)
{
    uint8_t h[WG_WS_FRAME_HEADER_MAX];
    WG_CHECK_INT((int)wg_ws_frame_header(h, 5, 0), 2);
    WG_CHECK(h[0] == 0x81 && h[1] == 5);
    WG_CHECK_INT((int)wg_ws_frame_header(h, 125, 1), 2);
    WG_CHECK(h[0] == 0x82 && h[1] == 125);
    WG_CHECK_INT((int)wg_ws_frame_header(h, 0, 0), 2);
    WG_CHECK(h[0] == 0x81 && h[1] == 0);
}

static void medium(void)
{
    uint8_t h[WG_WS_FRAME_HEADER_MAX];
    WG_CHECK_INT((int)wg_ws_frame_header(h, 126, 0), 4);
    WG_CHECK(h[0] == 0x81 && h[1] == 126 && h[2] == 0 && h[3] == 126);
    WG_CHECK_INT((int)wg_ws_frame_header(h, 65535, 1), 4);
    WG_CHECK(h[0] == 0x82 && h[1] == 126 && h[2] == 0xff && h[3] == 0xff);
}

static void large(void)
{
    uint8_t h[WG_WS_FRAME_HEADER_MAX];
    const uint8_t want[] = {0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0};
    WG_CHECK_INT((int)wg_ws_frame_header(h, 65536, 0), 10);
    WG_CHECK(memcmp(h, want, sizeof want) == 0);
    const uint8_t want2[] = {0x82, 127, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78};
    WG_CHECK_INT((int)wg_ws_frame_header(h, 0x12345678u, 1), 10);
    WG_CHECK(memcmp(h, want2, sizeof want2) == 0);
}

int main(void)
{
    WG_RUN(short_text);
    WG_RUN(medium);
    WG_RUN(large);
    return wg_test_done();
}
