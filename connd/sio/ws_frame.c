/* WebSocket data frames (see ws_frame.h). */
#include "sio/ws_frame.h"

#include <string.h>

/* FIN + opcode, the MASK bit and the length in its shortest form (§5.2). */
static size_t header(uint8_t *out, size_t len, int binary, uint8_t mask_bit)
{
    out[0] = (uint8_t)(0x80 | (binary ? 0x2 : 0x1)); /* FIN + opcode */
    if (len < 126) {
        out[1] = (uint8_t)(mask_bit | len);
        return 2;
    }
    if (len <= 0xffff) {
        out[1] = (uint8_t)(mask_bit | 126);
        out[2] = (uint8_t)(len >> 8);
        out[3] = (uint8_t)len;
        return 4;
    }
    out[1] = (uint8_t)(mask_bit | 127);
    uint64_t n = (uint64_t)len;
    for (int i = 0; i < 8; i++)
        out[2 + i] = (uint8_t)(n >> (56 - 8 * i));
    return 10;
}

size_t wg_ws_frame_header(uint8_t *out, size_t len, int binary)
{
    return header(out, len, binary, 0);
}

size_t wg_ws_frame_client(uint8_t *out, const uint8_t *payload, size_t len, int binary,
                          const uint8_t mask[4])
{
    size_t h = header(out, len, binary, 0x80);
    memcpy(out + h, mask, 4);
    h += 4;
    uint8_t *p = out + h;
    for (size_t i = 0; i < len; i++)
        p[i] = payload[i] ^ mask[i & 3];
    return h + len;
}
