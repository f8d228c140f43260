/* Engine.IO v4 packet codec (protocol README "Packet encoding", spec §1.3/1.4).
 * Owns: the seven packet types, text vs binary, polling payloads joined by
 * 0x1e with binary as "b"+base64, WebSocket frames carrying one packet each.
 * Never touches sessions, sockets or time: bytes in, packets out. Decoding is
 * strict (errors, never aborts) and bounded by the caller's maxPayload. */
#ifndef WG_EIO_PACKET_H
#define WG_EIO_PACKET_H
#include "wg_buf.h"
#include <stddef.h>
#include <stdint.h>

typedef enum {
    WG_EIO_OPEN = 0,
    WG_EIO_CLOSE = 1,
    WG_EIO_PING = 2,
    WG_EIO_PONG = 3,
    WG_EIO_MESSAGE = 4,
    WG_EIO_UPGRADE = 5,
    WG_EIO_NOOP = 6,
} wg_eio_type_t;

#define WG_EIO_SEPARATOR 0x1e /* record separator between polling packets */

typedef struct {
    wg_eio_type_t type; /* packet type */
    int is_binary;      /* 1: binary message (type is WG_EIO_MESSAGE) */
    wg_slice_t data;    /* payload after the type char, or the raw bytes of a binary message */
} wg_eio_packet_t;

/* Iterates over the packets of one polling request body (text). */
typedef struct {
    const uint8_t *p; /* body, borrowed */
    size_t len;       /* body length */
    size_t pos;       /* offset of the next packet */
    int done;         /* 1 after the last packet */
    wg_buf_t scratch; /* decoded bytes of the current binary packet */
} wg_eio_payload_reader_t;

/* Starts reading body[0..len) (not copied; must outlive the reader). */
void wg_eio_payload_reader_init(wg_eio_payload_reader_t *r, const uint8_t *body, size_t len);
/* Decodes the next packet into *out. Returns 1 with a packet (its data stays
 * valid until the next call or _free), 0 at the end, or WG_EINVAL for a
 * malformed packet (empty record, unknown type, bad base64, invalid UTF-8 in
 * a text packet); after an error the reader stays at the error. An empty
 * body holds no packets and is an error (the reference decodes it as one
 * error packet). */
int wg_eio_payload_next(wg_eio_payload_reader_t *r, wg_eio_packet_t *out);
/* Releases the scratch buffer. */
void wg_eio_payload_reader_free(wg_eio_payload_reader_t *r);
/* Checks a whole body: returns the packet count (>= 1) or WG_EINVAL. */
int wg_eio_payload_validate(const uint8_t *body, size_t len);

/* Decodes one WebSocket frame. Binary frames are binary messages; text
 * frames start with the type char. Returns 0 or WG_EINVAL (empty text frame,
 * unknown type, invalid UTF-8). out->data borrows frame. */
int wg_eio_frame_decode(const uint8_t *frame, size_t len, int is_binary, wg_eio_packet_t *out);

/* Appends one packet to a polling body: a separator first when the body is
 * not empty, then type char + data, or "b" + base64 for a binary message.
 * May reallocate body. */
void wg_eio_payload_append(wg_buf_t *body, const wg_eio_packet_t *packet);
/* Appends the text encoding of one packet (type char + data) to out, as sent
 * in a WebSocket text frame. Binary messages are sent as their raw bytes, not
 * through this function. May reallocate out. */
void wg_eio_packet_encode_text(wg_buf_t *out, wg_eio_type_t type, const void *data, size_t len);

/* 1 if p[0..len) is well-formed UTF-8 (no overlongs, surrogates, > U+10FFFF). */
int wg_eio_utf8_valid(const uint8_t *p, size_t len);

#endif
