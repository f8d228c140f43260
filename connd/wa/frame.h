/* WhatsApp Web transport framing (wa-protocol.md §1 "Frame format" and
 * "Connection header"): every websocket payload is a sequence of
 * len[3 bytes BE] || payload frames, and the first message of a connection
 * starts with the intro header. Bytes in, frames out: no sockets, no crypto. */
#ifndef WG_WA_FRAME_H
#define WG_WA_FRAME_H
#include <stddef.h>
#include <stdint.h>

#include "wg_buf.h"

#define WG_WA_FRAME_MAX ((size_t)1 << 24) /* exclusive: a 3-byte length */
#define WG_WA_HEADER_LEN 4                /* "WA" 6 dict-version */

/* The 4-byte connection header "WA\x06\x03"; also the Noise prologue. */
extern const uint8_t wg_wa_header[WG_WA_HEADER_LEN];

/* Appends the connection intro to out: with routing info (len > 0) the
 * "ED" 0 1 len[3] routing prefix, then the 4-byte header. May reallocate out.
 * Returns WG_ETOOBIG if the routing info does not fit 3 length bytes. */
int wg_wa_frame_intro(wg_buf_t *out, const uint8_t *routing, size_t routing_len);

/* Appends len[3] || payload to out. May reallocate out.
 * Returns WG_ETOOBIG when len >= WG_WA_FRAME_MAX. */
int wg_wa_frame_append(wg_buf_t *out, const uint8_t *payload, size_t len);

/* Reassembles frames from websocket messages of any size.
 * Owned by one connection; not thread-safe. */
typedef struct {
    wg_buf_t in;     /* bytes received and not yet returned */
    size_t consumed; /* bytes of `in` already returned as frames */
    size_t max;      /* largest payload accepted (<= WG_WA_FRAME_MAX - 1) */
} wg_wa_frame_reader_t;

/* max == 0 means WG_WA_FRAME_MAX - 1. Free with wg_wa_frame_reader_free. */
void wg_wa_frame_reader_init(wg_wa_frame_reader_t *r, size_t max);
/* Frees the buffer; the reader is empty and reusable. NULL is a no-op. */
void wg_wa_frame_reader_free(wg_wa_frame_reader_t *r);
/* Queues received bytes. May reallocate the reader's buffer, which
 * invalidates the slice returned by the previous wg_wa_frame_reader_next. */
void wg_wa_frame_reader_feed(wg_wa_frame_reader_t *r, const uint8_t *p, size_t len);
/* Returns 0 and the next complete frame's payload in *payload (borrowed; valid
 * until the next feed or next call), WG_EAGAIN if more bytes are needed, or
 * WG_ETOOBIG if the announced length exceeds max (the stream is then unusable). */
int wg_wa_frame_reader_next(wg_wa_frame_reader_t *r, wg_slice_t *payload);

#endif
