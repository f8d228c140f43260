/* WebSocket frame headers (see ws_frame.h). */
#include "sio/ws_frame.h"

size_t wg_ws_frame_header(uint8_t *out, size_t len, int binary)
{
    out[0] = (uint8_t)(0x80 | (binary ? 0x2 : 0x1)); /* FIN + opcode */
    if (len < 126) {
        out[1] = (uint8_t)len;
        return 2;
    }
    if (len <= 0xffff) {
        out[1] = 126;
        out[2] = (uint8_t)(len >> 8);
        out[3] = (uint8_t)len;
        return 4;
    }
    out[1] = 127;
    uint64_t n = (uint64_t)len;
    for (int i = 0; i < 8; i++)
        out[2 + i] = (uint8_t)(n >> (56 - 8 * i));
    return 10;
}
