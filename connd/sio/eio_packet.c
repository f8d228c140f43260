/* Engine.IO v4 packet codec (see eio_packet.h). Knows the wire format only;
 * what a packet means for a session is eio_session.c's business. */
#include "sio/eio_packet.h"
#include "sio/eio_base64.h"
#include "wg_err.h"
#include <string.h>

int wg_eio_utf8_valid(const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (len - i <= n)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += n + 1;
    }
    return 1;
}

/* Decodes one text-encoded packet (type char + data). */
static int decode_text(const uint8_t *p, size_t len, wg_eio_packet_t *out)
{
    if (len == 0 || p[0] < '0' || p[0] > '6')
        return WG_EINVAL;
    if (!wg_eio_utf8_valid(p + 1, len - 1))
        return WG_EINVAL;
    out->type = (wg_eio_type_t)(p[0] - '0');
    out->is_binary = 0;
    out->data = wg_slice(p + 1, len - 1);
    return WG_OK;
}

void wg_eio_payload_reader_init(wg_eio_payload_reader_t *r, const uint8_t *body, size_t len)
{
    memset(r, 0, sizeof *r);
    r->p = body;
    r->len = len;
}

int wg_eio_payload_next(wg_eio_payload_reader_t *r, wg_eio_packet_t *out)
{
    if (r->done)
        return 0;
    const uint8_t *start = r->p ? r->p + r->pos : (const uint8_t *)"";
    size_t avail = r->len - r->pos;
    const uint8_t *sep = avail ? memchr(start, WG_EIO_SEPARATOR, avail) : NULL;
    size_t n = sep ? (size_t)(sep - start) : avail;
    if (n == 0)
        return WG_EINVAL; /* empty record: "", "a\x1e", "\x1e..." */
    if (start[0] == 'b') {
        wg_buf_reset(&r->scratch);
        if (wg_eio_base64_decode(&r->scratch, start + 1, n - 1) != WG_OK)
            return WG_EINVAL;
        out->type = WG_EIO_MESSAGE;
        out->is_binary = 1;
        out->data = wg_slice(r->scratch.p ? r->scratch.p : (const uint8_t *)"", r->scratch.len);
    } else if (decode_text(start, n, out) != WG_OK) {
        return WG_EINVAL;
    }
    if (sep)
        r->pos += n + 1;
    else
        r->done = 1;
    return 1;
}

void wg_eio_payload_reader_free(wg_eio_payload_reader_t *r)
{
    if (r)
        wg_buf_free(&r->scratch);
}

int wg_eio_payload_validate(const uint8_t *body, size_t len)
{
    wg_eio_payload_reader_t r;
    wg_eio_payload_reader_init(&r, body, len);
    wg_eio_packet_t packet;
    int count = 0, rc;
    while ((rc = wg_eio_payload_next(&r, &packet)) == 1)
        count++;
    wg_eio_payload_reader_free(&r);
    return rc < 0 ? rc : count;
}

int wg_eio_frame_decode(const uint8_t *frame, size_t len, int is_binary, wg_eio_packet_t *out)
{
    if (is_binary) {
        out->type = WG_EIO_MESSAGE;
        out->is_binary = 1;
        out->data = wg_slice(frame ? frame : (const uint8_t *)"", len);
        return WG_OK;
    }
    return decode_text(frame, len, out);
}

void wg_eio_payload_append(wg_buf_t *body, const wg_eio_packet_t *packet)
{
    if (body->len)
        wg_buf_append_byte(body, WG_EIO_SEPARATOR);
    if (packet->is_binary) {
        wg_buf_append_byte(body, 'b');
        wg_eio_base64_encode(body, packet->data.p, packet->data.len, 0);
    } else {
        wg_eio_packet_encode_text(body, packet->type, packet->data.p, packet->data.len);
    }
}

void wg_eio_packet_encode_text(wg_buf_t *out, wg_eio_type_t type, const void *data, size_t len)
{
    wg_buf_append_byte(out, (uint8_t)('0' + type));
    if (len)
        wg_buf_append(out, data, len);
}
