/* Socket.IO v5 server over Engine.IO sessions (spec §2): namespaces with
 * connect middleware, multiplexed sockets per connection, events with acks,
 * server emits/acks, connect timeout, disconnects, and a broadcast that
 * encodes once and queues the same bytes on every socket of a namespace.
 * Like eio_session.h it never does I/O: the adapter drives the Engine.IO
 * server returned by wg_sio_server_eio(). Single-threaded. */
#ifndef WG_SIO_SERVER_H
#define WG_SIO_SERVER_H
#include "sio/eio_session.h"
#include "sio/sio_packet.h"
#include "wg_buf.h"
#include <jansson.h>

typedef struct wg_sio_server wg_sio_server_t;
typedef struct wg_sio_socket wg_sio_socket_t;

/* One event from a client, borrowed for the duration of on_event. */
typedef struct {
    const char *name;            /* event name (a numeric name as its JSON text) */
    const char *args_json;       /* JSON array text of the arguments after the name,
                                    spliced from the packet (placeholders kept) */
    size_t args_len;             /* bytes in args_json */
    const json_t *data;          /* the whole parsed event array, name first */
    const wg_buf_t *attachments; /* binary attachments in order */
    size_t attachment_count;     /* entries in attachments */
    int64_t ack_id;              /* WG_SIO_NO_ACK, or answer with wg_sio_ack() */
} wg_sio_event_t;

/* How authorize() rejects a CONNECT: CONNECT_ERROR {"message":..,"data":..}. */
typedef struct {
    const char *message;   /* required (NULL sends "Not authorized") */
    const char *data_json; /* JSON text for "data", or NULL to omit it */
} wg_sio_reject_t;

typedef struct {
    /* Optional middleware. auth_json is the CONNECT payload ("{}" when
     * absent). Return 0 to accept; non-zero rejects with *reject (its
     * strings must stay valid until authorize returns). */
    int (*authorize)(void *ud, wg_sio_socket_t *sock, const char *auth_json,
                     wg_sio_reject_t *reject);
    /* The CONNECT reply {"sid":...} is queued; the socket is live. */
    void (*on_connection)(void *ud, wg_sio_socket_t *sock);
    void (*on_event)(void *ud, wg_sio_socket_t *sock, const wg_sio_event_t *ev);
    /* The socket is about to be freed. reason: "client namespace disconnect",
     * "server namespace disconnect", or the Engine.IO close reason. */
    void (*on_disconnect)(void *ud, wg_sio_socket_t *sock, const char *reason);
    void *ud; /* passed to all four */
} wg_sio_handlers_t;

typedef struct {
    wg_eio_config_t eio;        /* Engine.IO settings (clock, random, wake, CORS, limits) */
    int64_t connect_timeout_ms; /* close connections with no namespace after (default 45000) */
} wg_sio_config_t;

/* Reference defaults (Engine.IO defaults + connect timeout 45 s). */
void wg_sio_config_defaults(wg_sio_config_t *cfg);

/* Creates the server and its Engine.IO server. Namespace "/" exists with no
 * handlers until wg_sio_namespace_add("/") sets them. Caller frees with
 * wg_sio_server_free() (which closes everything, calling on_disconnect). */
wg_sio_server_t *wg_sio_server_new(const wg_sio_config_t *cfg);
void wg_sio_server_free(wg_sio_server_t *srv);
/* The Engine.IO server the adapter drives (owned by srv). */
wg_eio_server_t *wg_sio_server_eio(wg_sio_server_t *srv);
/* Registers (or updates the handlers of) a namespace; name starts with '/'.
 * h is copied. Returns 0 or WG_EINVAL. */
int wg_sio_namespace_add(wg_sio_server_t *srv, const char *name, const wg_sio_handlers_t *h);
/* Engine.IO timers plus connect timeouts; see wg_eio_tick(). */
void wg_sio_tick(wg_sio_server_t *srv);
int64_t wg_sio_next_deadline(const wg_sio_server_t *srv);

/* Emits event with args_json (a JSON array text, "[]" for none) and
 * optional binary attachments (args_json then holds n placeholders
 * {"_placeholder":true,"num":i}). Returns 0, WG_EINVAL (args not an array),
 * or the Engine.IO send error (WG_ESTATE, WG_ETOOBIG). */
int wg_sio_emit(wg_sio_socket_t *sock, const char *event, const char *args_json, size_t args_len,
                const wg_slice_t *attachments, size_t n);

/* Called once with the client's ack arguments, or with args_json NULL when
 * the socket went away first (so ud can be freed). */
typedef void (*wg_sio_ack_fn)(void *ud, wg_sio_socket_t *sock, const char *args_json,
                              size_t args_len, const wg_buf_t *attachments, size_t n);
/* Like wg_sio_emit, asking the client to acknowledge (server-side ack ids
 * count from 0 per socket). */
int wg_sio_emit_with_ack(wg_sio_socket_t *sock, const char *event, const char *args_json,
                         size_t args_len, const wg_slice_t *attachments, size_t n, wg_sio_ack_fn cb,
                         void *cb_ud);
/* Answers a client's ack request (ev->ack_id) with args_json (an array
 * text) and optional attachments (BINARY_ACK). */
int wg_sio_ack(wg_sio_socket_t *sock, int64_t ack_id, const char *args_json, size_t args_len,
               const wg_slice_t *attachments, size_t n);
/* Server-side namespace disconnect: sends DISCONNECT, runs on_disconnect,
 * frees sock. The Engine.IO connection stays open. */
void wg_sio_disconnect(wg_sio_socket_t *sock);
/* Closes the whole connection sock belongs to (every namespace). */
void wg_sio_close_connection(wg_sio_socket_t *sock);

/* Emits event/args_json to every socket of namespace nsp: the packet is
 * encoded once and the same refcounted bytes are queued on each. Returns the
 * number of sockets it was queued on, or WG_ENOTFOUND / WG_EINVAL. */
int wg_sio_broadcast(wg_sio_server_t *srv, const char *nsp, const char *event,
                     const char *args_json, size_t args_len);

/* Like wg_sio_broadcast, but only to the sockets for which want(ud, sock)
 * returns non-zero (e.g. per-socket subscriptions). The packet is still
 * encoded once, and only if some socket wants it. Returns the number of
 * sockets it was queued on, or WG_ENOTFOUND / WG_EINVAL. */
int wg_sio_broadcast_filter(wg_sio_server_t *srv, const char *nsp, const char *event,
                            const char *args_json, size_t args_len,
                            int (*want)(void *ud, wg_sio_socket_t *sock), void *ud);
/* Removes namespace nsp: every socket in it is disconnected as by
 * wg_sio_disconnect() (the client gets DISCONNECT), then later CONNECTs get
 * "Invalid namespace". "/" cannot be removed. Returns 0, WG_ENOTFOUND or
 * WG_EINVAL. Must not be called from a handler of that namespace. */
int wg_sio_namespace_remove(wg_sio_server_t *srv, const char *nsp);

const char *wg_sio_socket_id(const wg_sio_socket_t *sock);
const char *wg_sio_socket_namespace(const wg_sio_socket_t *sock);
/* CONNECT payload of this namespace ("{}" when absent). */
const char *wg_sio_socket_auth(const wg_sio_socket_t *sock);
/* The Engine.IO session (handshake query/headers live there). */
wg_eio_session_t *wg_sio_socket_session(const wg_sio_socket_t *sock);
void wg_sio_socket_set_user(wg_sio_socket_t *sock, void *user);
void *wg_sio_socket_user(const wg_sio_socket_t *sock);
/* Sockets currently in namespace nsp (0 if unknown). */
size_t wg_sio_namespace_size(const wg_sio_server_t *srv, const char *nsp);

#endif
