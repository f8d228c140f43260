/* Socket.IO v5 packet codec (socket.io-protocol "Packet format", spec §2.1):
 * "<type>[<n>-][<nsp>,][<ackId>][<JSON>]" carried in Engine.IO messages,
 * binary attachments as placeholders {"_placeholder":true,"num":N} followed
 * by N binary Engine.IO messages. Strict: payload shapes are checked per
 * type with jansson; anything malformed is an error, never an abort.
 * Never touches sessions or namespaces. */
#ifndef WG_SIO_PACKET_H
#define WG_SIO_PACKET_H
#include "wg_buf.h"
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    WG_SIO_CONNECT = 0,
    WG_SIO_DISCONNECT = 1,
    WG_SIO_EVENT = 2,
    WG_SIO_ACK = 3,
    WG_SIO_CONNECT_ERROR = 4,
    WG_SIO_BINARY_EVENT = 5,
    WG_SIO_BINARY_ACK = 6,
} wg_sio_type_t;

#define WG_SIO_NO_ACK (-1)        /* ack_id when the packet carries none */
#define WG_SIO_MAX_ATTACHMENTS 10 /* decoder limit, as the reference parser */
#define WG_SIO_MAX_ACK_DIGITS 15  /* ack ids stay exact as JS numbers */

typedef struct {
    wg_sio_type_t type;          /* packet type */
    char *nsp;                   /* namespace, owned, "/" when absent */
    int64_t ack_id;              /* WG_SIO_NO_ACK or >= 0 */
    char *json;                  /* payload JSON text exactly as received, owned, NULL if none */
    size_t json_len;             /* bytes in json */
    json_t *data;                /* parsed payload (owned reference) or NULL */
    size_t attachment_count;     /* declared "<n>-" (binary types) */
    size_t attachments_received; /* attachments filled so far */
    wg_buf_t *attachments;       /* attachment_count buffers, owned */
} wg_sio_packet_t;

/* Frees what p owns and zeroes it. NULL is a no-op. */
void wg_sio_packet_free(wg_sio_packet_t *p);

/* Decodes one text packet (the Engine.IO message data, without its "4").
 * Returns 0 with *out filled (caller frees with wg_sio_packet_free; binary
 * types still lack their attachments), or WG_EINVAL: unknown type, bad
 * attachment count (missing, > WG_SIO_MAX_ATTACHMENTS), ack id too long,
 * JSON that does not parse, or a payload shape the type forbids (§2.1). */
int wg_sio_packet_decode(const uint8_t *text, size_t len, wg_sio_packet_t *out);

/* Reassembles binary packets from consecutive Engine.IO messages. */
typedef struct {
    wg_sio_packet_t pending; /* binary packet waiting for attachments */
    int has_pending;         /* 1 while pending is in use */
} wg_sio_decoder_t;

void wg_sio_decoder_init(wg_sio_decoder_t *d);
/* Feeds one Engine.IO message. Returns 1 and moves a complete packet into
 * *out (caller frees), 0 when attachments are still expected, or WG_EINVAL /
 * WG_EPROTO (text while attachments pending, binary with none pending,
 * placeholders that do not match the attachments); the decoder is then
 * reset. */
int wg_sio_decoder_feed(wg_sio_decoder_t *d, const uint8_t *data, size_t len, int is_binary,
                        wg_sio_packet_t *out);
/* Drops any pending packet. */
void wg_sio_decoder_free(wg_sio_decoder_t *d);

/* Appends "<type>[<n>-][<nsp>,][<ackId>][json]" to out. nsp NULL or "/"
 * writes none. attachments > 0 turns EVENT into BINARY_EVENT and ACK into
 * BINARY_ACK (the caller put that many placeholders in json). Returns 0 or
 * WG_EINVAL (bad type, attachments on a type that cannot carry them).
 * May reallocate out. */
int wg_sio_packet_encode(wg_buf_t *out, wg_sio_type_t type, const char *nsp, int64_t ack_id,
                         const char *json, size_t json_len, size_t attachments);

/* Appends the event array ["<name>",<args...>] to out, splicing args_json
 * (a JSON array text, e.g. "[1,\"2\"]" or "[]") without re-serialising it.
 * Returns 0 or WG_EINVAL when args_json is not an array text.
 * May reallocate out. */
int wg_sio_event_json(wg_buf_t *out, const char *name, const char *args_json, size_t args_len);

/* Appends s[0..len) as a JSON string literal (quotes included), escaped like
 * JSON.stringify. May reallocate out. */
void wg_sio_json_string(wg_buf_t *out, const char *s, size_t len);

/* Splits a decoded EVENT/BINARY_EVENT payload: *name gets the event name (a
 * string's value, or a numeric name's JSON text), args_out the remaining
 * elements as an array text "[...]" (spliced from the received JSON).
 * Returns 0 or WG_EINVAL for a packet that is not an event. */
int wg_sio_event_split(const wg_sio_packet_t *p, wg_buf_t *name, wg_buf_t *args_out);

/* 1 if name is reserved and may not be an event (connect, connect_error,
 * disconnect, disconnecting, newListener, removeListener). */
int wg_sio_event_name_reserved(const char *name);

#endif
