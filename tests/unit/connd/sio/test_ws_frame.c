/* Unit tests for connd/sio/ws_frame.c: the three length encodings and the
 * opcodes, checked byte by byte against RFC 6455 §5.2, and client frames
 * against the masked example of §5.7. */
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

/* §5.7: "A single-frame masked text message": "Hello" with the key
 * 37 fa 21 3d. */
static void client_rfc_example(void)
{
    const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    const uint8_t want[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    uint8_t out[WG_WS_FRAME_CLIENT_HEADER_MAX + 5];
    WG_CHECK_INT((int)wg_ws_frame_client(out, (const uint8_t *)"Hello", 5, 0, key), 11);
    WG_CHECK(memcmp(out, want, sizeof want) == 0);
}

/* The MASK bit on every length form, the key after the extended length,
 * binary opcode, and unmasking with the key gives the payload back. */
static void client_lengths(void)
{
    const uint8_t key[4] = {0x01, 0x80, 0xff, 0x5a};
    static uint8_t payload[70000], out[WG_WS_FRAME_CLIENT_HEADER_MAX + sizeof payload];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 7);
    const size_t lens[] = {0, 1, 125, 126, 65535, 65536, 70000};
    const size_t heads[] = {6, 6, 6, 8, 8, 14, 14};
    for (size_t t = 0; t < sizeof lens / sizeof lens[0]; t++) {
        size_t n = wg_ws_frame_client(out, payload, lens[t], 1, key);
        WG_CHECK_INT((int)n, (int)(heads[t] + lens[t]));
        uint8_t h[WG_WS_FRAME_HEADER_MAX];
        size_t hn = wg_ws_frame_header(h, lens[t], 1);
        h[1] |= 0x80;
        WG_CHECK_INT((int)hn + 4, (int)heads[t]);
        WG_CHECK(memcmp(out, h, hn) == 0);
        WG_CHECK(memcmp(out + hn, key, 4) == 0);
        int same = 1;
        for (size_t i = 0; i < lens[t]; i++)
            same &= (out[heads[t] + i] ^ key[i & 3]) == payload[i];
        WG_CHECK(same);
    }
}

int main(void)
{
    WG_RUN(short_text);
    WG_RUN(medium);
    WG_RUN(large);
    WG_RUN(client_rfc_example);
    WG_RUN(client_lengths);
    return wg_test_done();
}
