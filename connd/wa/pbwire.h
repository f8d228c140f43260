/* Minimal protobuf wire format (varint, fixed32/64, length-delimited) for the
 * few small messages the WhatsApp handshake needs before the full WAProto
 * bindings exist: HandshakeMessage, CertChain and its Details. Reads borrow
 * from the input; writes append to a wg_buf_t. No schema, no allocation. */
#ifndef WG_WA_PBWIRE_H
#define WG_WA_PBWIRE_H
#include <stddef.h>
#include <stdint.h>

#include "wg_buf.h"

enum { WG_PB_VARINT = 0, WG_PB_FIXED64 = 1, WG_PB_BYTES = 2, WG_PB_FIXED32 = 5 };

typedef struct {
    const uint8_t *p; /* message bytes, borrowed */
    size_t len;       /* message length */
    size_t pos;       /* next unread byte */
} wg_pb_reader_t;

typedef struct {
    uint32_t number;  /* field number (>= 1) */
    int wire;         /* WG_PB_* wire type */
    uint64_t value;   /* VARINT / FIXED32 / FIXED64 value */
    wg_slice_t bytes; /* BYTES payload, borrowed from the reader's input */
} wg_pb_field_t;

void wg_pb_reader_init(wg_pb_reader_t *r, const uint8_t *p, size_t len);
/* Reads the next field. Returns 1 with *f filled, 0 at the end of the
 * message, WG_EPROTO for malformed input (bad varint, truncated field, groups,
 * field number 0). */
int wg_pb_next(wg_pb_reader_t *r, wg_pb_field_t *f);

/* Appends a varint / a length-delimited field. May reallocate out. */
void wg_pb_put_varint(wg_buf_t *out, uint64_t v);
void wg_pb_put_uint_field(wg_buf_t *out, uint32_t number, uint64_t v);
void wg_pb_put_bytes_field(wg_buf_t *out, uint32_t number, const uint8_t *p, size_t len);

#endif
