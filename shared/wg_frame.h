/* IPC framing: every message on the connd Unix socket is a 4-byte big-endian
 * length followed by that many bytes of protobuf. Bytes in, frames out: this
 * module never touches a socket, so it is unit tested and fuzzed directly. */
#ifndef WG_FRAME_H
#define WG_FRAME_H
#include "wg_buf.h"

#define WG_FRAME_HEADER 4u
#define WG_FRAME_DEFAULT_MAX (16u * 1024u * 1024u)

typedef struct {
    wg_buf_t in;     /* bytes received and not yet returned as frames */
    size_t pos;      /* start of the first unreturned byte in `in` */
    size_t max;      /* largest payload accepted; bigger is WG_ETOOBIG */
    int broken;      /* set after an oversize header: the stream is unusable */
} wg_frame_decoder_t;

void wg_frame_decoder_init(wg_frame_decoder_t *d, size_t max_payload);
void wg_frame_decoder_free(wg_frame_decoder_t *d);
/* Appends received bytes. May reallocate (invalidates earlier frame slices). */
void wg_frame_feed(wg_frame_decoder_t *d, const void *p, size_t n);
/* Returns 1 and sets *frame (valid until the next feed/next call) when a
 * whole frame is buffered, 0 when more bytes are needed, WG_ETOOBIG when the
 * peer announced a payload over the limit (the decoder then stays broken). */
int wg_frame_next(wg_frame_decoder_t *d, wg_slice_t *frame);
/* Appends header + payload to out. May reallocate. WG_ETOOBIG over 4 GiB-1. */
int wg_frame_encode(wg_buf_t *out, const void *payload, size_t len);

#endif
