/* Server-to-client WebSocket frame headers (RFC 6455 §5.2), so the edge can
 * write several queued Engine.IO frames with one send: the adapter lays
 * header + payload pairs end to end and hands the whole run to the socket.
 * Only unmasked, unfragmented data frames (a server never masks); no
 * extensions are negotiated on our endpoint, so RSV bits stay 0. Pure. */
#ifndef WG_WS_FRAME_H
#define WG_WS_FRAME_H
#include <stddef.h>
#include <stdint.h>

#define WG_WS_FRAME_HEADER_MAX 10 /* 2 + 8 bytes for a 64-bit length */

/* Writes the header of a final text (binary = 0) or binary frame carrying
 * len payload bytes into out (at least WG_WS_FRAME_HEADER_MAX bytes).
 * Returns the header length (2, 4 or 10). */
size_t wg_ws_frame_header(uint8_t *out, size_t len, int binary);

#endif
