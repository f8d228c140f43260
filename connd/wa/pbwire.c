/* Protobuf wire-format reader and writer for the handshake messages
 * (https://protobuf.dev/programming-guides/encoding/). It knows no schema and
 * never reads outside the slice it was given. */
#include "wa/pbwire.h"

#include "wg_err.h"

void wg_pb_reader_init(wg_pb_reader_t *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->len = len;
    r->pos = 0;
}

static int get_varint(wg_pb_reader_t *r, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->pos >= r->len)
            return WG_EPROTO;
        uint8_t b = r->p[r->pos++];
        if (shift == 63 && b > 1)
            return WG_EPROTO; /* more than 64 bits */
        x |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return WG_EPROTO;
}

static int get_fixed(wg_pb_reader_t *r, int n, uint64_t *v)
{
    uint64_t x = 0;
    if (r->len - r->pos < (size_t)n)
        return WG_EPROTO;
    for (int i = 0; i < n; i++)
        x |= (uint64_t)r->p[r->pos++] << (8 * i);
    *v = x;
    return 0;
}

int wg_pb_next(wg_pb_reader_t *r, wg_pb_field_t *f)
{
    uint64_t key, len;
    if (r->pos >= r->len)
        return 0;
    if (get_varint(r, &key) || (key >> 3) == 0 || (key >> 3) > 0x1FFFFFFF)
        return WG_EPROTO;
    f->number = (uint32_t)(key >> 3);
    f->wire = (int)(key & 7);
    f->value = 0;
    f->bytes = wg_slice(NULL, 0);
    switch (f->wire) {
    case WG_PB_VARINT:
        return get_varint(r, &f->value) ? WG_EPROTO : 1;
    case WG_PB_FIXED64:
        return get_fixed(r, 8, &f->value) ? WG_EPROTO : 1;
    case WG_PB_FIXED32:
        return get_fixed(r, 4, &f->value) ? WG_EPROTO : 1;
    case WG_PB_BYTES:
        if (get_varint(r, &len) || len > r->len - r->pos)
            return WG_EPROTO;
        f->bytes = wg_slice(r->p + r->pos, (size_t)len);
        r->pos += (size_t)len;
        return 1;
    }
    return WG_EPROTO; /* groups (3, 4) and reserved types */
}

void wg_pb_put_varint(wg_buf_t *out, uint64_t v)
{
    while (v >= 0x80) {
        wg_buf_append_byte(out, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    wg_buf_append_byte(out, (uint8_t)v);
}

void wg_pb_put_uint_field(wg_buf_t *out, uint32_t number, uint64_t v)
{
    wg_pb_put_varint(out, (uint64_t)number << 3 | WG_PB_VARINT);
    wg_pb_put_varint(out, v);
}

void wg_pb_put_bytes_field(wg_buf_t *out, uint32_t number, const uint8_t *p, size_t len)
{
    wg_pb_put_varint(out, (uint64_t)number << 3 | WG_PB_BYTES);
    wg_pb_put_varint(out, len);
    if (len)
        wg_buf_append(out, p, len);
}
