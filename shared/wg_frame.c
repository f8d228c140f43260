/* Length-prefixed IPC frames (see wg_frame.h). Must never trust the length
 * field beyond the configured maximum. */
#include "wg_frame.h"
#include "wg_err.h"
#include <string.h>

void wg_frame_decoder_init(wg_frame_decoder_t *d, size_t max_payload)
{
    memset(d, 0, sizeof *d);
    d->max = max_payload ? max_payload : WG_FRAME_DEFAULT_MAX;
}

void wg_frame_decoder_free(wg_frame_decoder_t *d)
{
    if (!d)
        return;
    wg_buf_free(&d->in);
    d->pos = 0;
}

void wg_frame_feed(wg_frame_decoder_t *d, const void *p, size_t n)
{
    if (d->pos && d->pos == d->in.len) {
        wg_buf_reset(&d->in);
        d->pos = 0;
    } else if (d->pos > 4096 && d->pos * 2 > d->in.len) {
        wg_buf_consume(&d->in, d->pos);
        d->pos = 0;
    }
    wg_buf_append(&d->in, p, n);
}

int wg_frame_next(wg_frame_decoder_t *d, wg_slice_t *frame)
{
    if (d->broken)
        return WG_ETOOBIG;
    size_t avail = d->in.len - d->pos;
    if (avail < WG_FRAME_HEADER)
        return 0;
    const uint8_t *h = d->in.p + d->pos;
    size_t len = ((size_t)h[0] << 24) | ((size_t)h[1] << 16) | ((size_t)h[2] << 8) | h[3];
    if (len > d->max) {
        d->broken = 1;
        return WG_ETOOBIG;
    }
    if (avail - WG_FRAME_HEADER < len)
        return 0;
    *frame = wg_slice(h + WG_FRAME_HEADER, len);
    d->pos += WG_FRAME_HEADER + len;
    return 1;
}

int wg_frame_encode(wg_buf_t *out, const void *payload, size_t len)
{
    if (len > 0xffffffffu)
        return WG_ETOOBIG;
    uint8_t h[WG_FRAME_HEADER] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                                  (uint8_t)len};
    wg_buf_reserve(out, WG_FRAME_HEADER + len);
    wg_buf_append(out, h, sizeof h);
    wg_buf_append(out, payload, len);
    return WG_OK;
}
