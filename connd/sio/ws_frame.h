/* WebSocket data frames (RFC 6455 §5.2), so an edge can write several queued
 * frames with one send: the adapter lays header + payload pairs end to end
 * and hands the whole run to the socket. Two directions: server-to-client
 * frames (unmasked: a server never masks; realtime/sio_endpoint) and
 * client-to-server frames (masked with a key per frame, §5.3;
 * wa/ws_client). Only unfragmented data frames: control frames stay with
 * libwebsockets. No extension is negotiated on either connection, so the
 * RSV bits stay 0. Pure: the caller supplies the masking key. */
#ifndef WG_WS_FRAME_H
#define WG_WS_FRAME_H
#include <stddef.h>
#include <stdint.h>

#define WG_WS_FRAME_HEADER_MAX 10        /* 2 + 8 bytes for a 64-bit length */
#define WG_WS_FRAME_CLIENT_HEADER_MAX 14 /* the same + the 4-byte masking key */

/* Writes the header of a final text (binary = 0) or binary frame carrying
 * len payload bytes into out (at least WG_WS_FRAME_HEADER_MAX bytes).
 * Returns the header length (2, 4 or 10). */
size_t wg_ws_frame_header(uint8_t *out, size_t len, int binary);

/* Writes a whole final client frame into out: the header with the MASK bit,
 * the masking key, then payload[0..len) masked with it (§5.3). out must hold
 * WG_WS_FRAME_CLIENT_HEADER_MAX + len bytes and must not overlap payload.
 * mask must come from a strong source of entropy, fresh for each frame
 * (§10.3). Returns the bytes written (header + len). */
size_t wg_ws_frame_client(uint8_t *out, const uint8_t *payload, size_t len, int binary,
                          const uint8_t mask[4]);

#endif
