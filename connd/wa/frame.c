/* WhatsApp Web transport framing: 3-byte big-endian lengths and the intro
 * header (wa-protocol.md §1). It never decrypts, never touches a socket and
 * never trusts a length beyond the configured maximum. */
#include "wa/frame.h"

#include "wa/tokens.h"
#include "wg_err.h"

const uint8_t wg_wa_header[WG_WA_HEADER_LEN] = {'W', 'A', 6, WG_TOKENS_DICT_VERSION};

static void append_len24(wg_buf_t *out, size_t len)
{
    uint8_t b[3] = {(uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len};
    wg_buf_append(out, b, 3);
}

int wg_wa_frame_intro(wg_buf_t *out, const uint8_t *routing, size_t routing_len)
{
    if (routing_len >= WG_WA_FRAME_MAX)
        return WG_ETOOBIG;
    if (routing_len > 0) {
        /* Edge routing prefix, not part of the Noise prologue. */
        static const uint8_t ed[4] = {'E', 'D', 0, 1};
        wg_buf_append(out, ed, sizeof ed);
        append_len24(out, routing_len);
        wg_buf_append(out, routing, routing_len);
    }
    wg_buf_append(out, wg_wa_header, sizeof wg_wa_header);
    return 0;
}

int wg_wa_frame_append(wg_buf_t *out, const uint8_t *payload, size_t len)
{
    if (len >= WG_WA_FRAME_MAX)
        return WG_ETOOBIG;
    append_len24(out, len);
    if (len)
        wg_buf_append(out, payload, len);
    return 0;
}

void wg_wa_frame_reader_init(wg_wa_frame_reader_t *r, size_t max)
{
    wg_buf_t empty = WG_BUF_INIT;
    r->in = empty;
    r->consumed = 0;
    r->max = (max == 0 || max >= WG_WA_FRAME_MAX) ? WG_WA_FRAME_MAX - 1 : max;
}

void wg_wa_frame_reader_free(wg_wa_frame_reader_t *r)
{
    if (!r)
        return;
    wg_buf_free(&r->in);
    r->consumed = 0;
}

/* Drops the frames already handed out, so `in` holds only unread bytes. */
static void compact(wg_wa_frame_reader_t *r)
{
    if (r->consumed) {
        wg_buf_consume(&r->in, r->consumed);
        r->consumed = 0;
    }
}

void wg_wa_frame_reader_feed(wg_wa_frame_reader_t *r, const uint8_t *p, size_t len)
{
    compact(r);
    if (len)
        wg_buf_append(&r->in, p, len);
}

int wg_wa_frame_reader_next(wg_wa_frame_reader_t *r, wg_slice_t *payload)
{
    size_t avail = r->in.len - r->consumed;
    if (avail < 3)
        return WG_EAGAIN;
    const uint8_t *p = r->in.p + r->consumed;
    size_t len = (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
    if (len > r->max)
        return WG_ETOOBIG;
    if (avail - 3 < len)
        return WG_EAGAIN;
    *payload = wg_slice(p + 3, len);
    r->consumed += 3 + len;
    return 0;
}
