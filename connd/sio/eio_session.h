/* Engine.IO v4 server: sessions by sid and their state machine, independent
 * of any transport library (spec §1). An adapter (lws later, unit tests now)
 * feeds it HTTP requests and WebSocket frames and gets back actions: an HTTP
 * response to send now, a GET to park, frames to write, a WebSocket to close.
 * The upper layer (Socket.IO, or the raw echo of the conformance harness)
 * sees on_open / on_message / on_close.
 *
 * Threading: everything runs on one thread (the lws service thread); nothing
 * here locks. Time comes from the injected clock, randomness from the
 * injected random function, so tests are deterministic.
 *
 * Write path: the server never writes. When a parked GET or a WebSocket has
 * something to send it calls config.wake(wake_ud, user) with the adapter's
 * per-request pointer; the adapter asks for a writable callback and there
 * pulls with wg_eio_poll_resume() / wg_eio_ws_pull() (one frame per pull). */
#ifndef WG_EIO_SESSION_H
#define WG_EIO_SESSION_H
#include "sio/eio_packet.h"
#include "wg_buf.h"
#include <stddef.h>
#include <stdint.h>

typedef struct wg_eio_server wg_eio_server_t;
typedef struct wg_eio_session wg_eio_session_t;
typedef struct wg_eio_ws wg_eio_ws_t;

/* Engine.IO HTTP error codes (spec §1.5) */
typedef enum {
    WG_EIO_ERR_TRANSPORT_UNKNOWN = 0,
    WG_EIO_ERR_SESSION_UNKNOWN = 1,
    WG_EIO_ERR_BAD_HANDSHAKE_METHOD = 2,
    WG_EIO_ERR_BAD_REQUEST = 3,
    WG_EIO_ERR_FORBIDDEN = 4,
    WG_EIO_ERR_UNSUPPORTED_PROTOCOL_VERSION = 5,
} wg_eio_error_code_t;

typedef enum {
    WG_EIO_METHOD_GET,
    WG_EIO_METHOD_POST,
    WG_EIO_METHOD_OPTIONS,
    WG_EIO_METHOD_OTHER, /* PUT, DELETE, ...: only ever an error */
} wg_eio_method_t;

typedef struct {
    const char *name;  /* header name as received (matched case-insensitively) */
    const char *value; /* header value */
} wg_eio_header_t;

/* One HTTP request (polling, preflight, or the upgrade request of a
 * WebSocket) as the adapter saw it. All pointers are borrowed for the call. */
typedef struct {
    wg_eio_method_t method;         /* request method */
    const char *query;              /* raw query string without '?', percent-encoded, or NULL */
    const char *origin;             /* Origin header or NULL */
    const char *content_type;       /* Content-Type header or NULL */
    const char *request_headers;    /* Access-Control-Request-Headers (preflight) or NULL */
    const wg_eio_header_t *headers; /* all request headers (kept from the handshake) */
    size_t header_count;            /* entries in headers */
    const uint8_t *body;            /* POST body (complete) */
    size_t body_len;                /* bytes in body */
    void *user;                     /* adapter's handle for this request; passed to wake() */
} wg_eio_request_t;

typedef struct {
    const char *name; /* static string */
    char *value;      /* owned by the response */
} wg_eio_response_header_t;

#define WG_EIO_MAX_RESPONSE_HEADERS 8

/* What to answer an HTTP request. Zero it before use (WG_EIO_RESPONSE_INIT);
 * release with wg_eio_response_free(). */
typedef struct {
    int parked;               /* 1: do not answer yet; wait for wake(), then wg_eio_poll_resume() */
    wg_eio_session_t *poll;   /* parked: the handle for _resume / _cancel */
    int status;               /* HTTP status: 200, 204, 400, 403, 413 */
    const char *content_type; /* static string, NULL for none */
    wg_eio_response_header_t headers[WG_EIO_MAX_RESPONSE_HEADERS]; /* extra headers */
    size_t header_count;                                           /* entries in headers */
    wg_buf_t body; /* response body (bytes; Content-Length = body.len) */
} wg_eio_response_t;

#define WG_EIO_RESPONSE_INIT                                                                       \
    {                                                                                              \
        0                                                                                          \
    }

/* One pull from a WebSocket. */
typedef enum {
    WG_EIO_FRAME_NONE = 0, /* nothing to write now */
    WG_EIO_FRAME_TEXT,     /* write data as a text frame */
    WG_EIO_FRAME_BINARY,   /* write data as a binary frame */
    WG_EIO_FRAME_CLOSE,    /* send a close frame with close_code, then close the wsi */
} wg_eio_frame_kind_t;

typedef struct {
    wg_eio_frame_kind_t kind; /* what to do */
    const uint8_t *data;      /* frame bytes; valid until the next pull or _ws_closed */
    size_t len;               /* bytes in data */
    int close_code;           /* CLOSE: 1000 normal, 1002 protocol error, 1009 too big */
} wg_eio_frame_t;

/* Upper-layer callbacks. The session pointer is valid from on_open until
 * on_close returns; after on_close the upper layer must drop it. Callbacks
 * may call wg_eio_send*() and wg_eio_session_close() on any session. */
typedef struct {
    void (*on_open)(void *ud, wg_eio_session_t *s);
    /* One message packet; data is borrowed for the call. */
    void (*on_message)(void *ud, wg_eio_session_t *s, const uint8_t *data, size_t len,
                       int is_binary);
    /* The session is over; reason is a static string ("transport close",
     * "ping timeout", "parse error", "transport error", "server close",
     * "send queue overflow", "server shutdown"). */
    void (*on_close)(void *ud, wg_eio_session_t *s, const char *reason);
    void *ud; /* passed to all three */
} wg_eio_handlers_t;

typedef int64_t (*wg_eio_clock_fn)(void *ud);
typedef void (*wg_eio_random_fn)(void *ud, uint8_t *out, size_t n);

typedef struct {
    int64_t ping_interval_ms;   /* server ping period (default 25000) */
    int64_t ping_timeout_ms;    /* pong deadline after a ping (default 20000) */
    int64_t upgrade_timeout_ms; /* probe WebSocket must send "5" within (default 10000) */
    size_t max_payload;         /* max POST body / WS message bytes (default 1000000) */
    size_t max_queue_bytes;     /* per-session output queue cap (default 8 MiB) */
    int allow_websocket;        /* 1 (default): accept WebSocket and advertise the upgrade */
    const char *const
        *cors_origins;       /* NULL-terminated allowed origins ("*" = any); NULL: no CORS */
    int cors_credentials;    /* 1: reflect the origin and allow credentials */
    wg_eio_clock_fn clock;   /* now in ms (monotonic); default wg_mono_ms */
    void *clock_ud;          /* passed to clock */
    wg_eio_random_fn random; /* random bytes for sids; default /dev/urandom-backed */
    void *random_ud;         /* passed to random */
    void (*wake)(void *wake_ud, void *user); /* a parked GET / WebSocket has output */
    void *wake_ud;                           /* passed to wake */
    /* Optional: return 0 to accept a new session, non-zero for 403 code 4. */
    int (*allow_request)(void *ud, const wg_eio_request_t *req);
    void *allow_ud; /* passed to allow_request */
} wg_eio_config_t;

/* Fills *cfg with the reference defaults (all callbacks NULL). */
void wg_eio_config_defaults(wg_eio_config_t *cfg);

/* Creates a server. cfg is copied (cors_origins is borrowed: it must outlive
 * the server); handlers may be NULL. Caller frees with wg_eio_server_free(),
 * which closes every session (on_close "server shutdown"). */
wg_eio_server_t *wg_eio_server_new(const wg_eio_config_t *cfg, const wg_eio_handlers_t *handlers);
void wg_eio_server_free(wg_eio_server_t *srv);
/* Replaces the upper-layer handlers (used by layers built on top). */
void wg_eio_server_set_handlers(wg_eio_server_t *srv, const wg_eio_handlers_t *handlers);
const wg_eio_config_t *wg_eio_server_config(const wg_eio_server_t *srv);
/* Number of sessions reachable by sid. */
size_t wg_eio_server_session_count(const wg_eio_server_t *srv);
/* The session with that sid, or NULL. */
wg_eio_session_t *wg_eio_server_find(wg_eio_server_t *srv, const char *sid);

/* Handles one plain HTTP request for the Engine.IO path: handshake GET,
 * polling GET/POST with sid, CORS preflight, or an error. Fills *resp
 * (which must be zeroed); when resp->parked the adapter keeps the request
 * open until wake(req->user), then calls wg_eio_poll_resume(). Always
 * returns 0 (errors are HTTP responses). */
int wg_eio_http(wg_eio_server_t *srv, const wg_eio_request_t *req, wg_eio_response_t *resp);
/* For a parked GET: returns 1 and fills *resp (zeroed by the caller) when
 * the answer is ready (the handle is then released), 0 to keep waiting. */
int wg_eio_poll_resume(wg_eio_server_t *srv, wg_eio_session_t *poll, wg_eio_response_t *resp);
/* The client of a parked GET went away: releases the handle. */
void wg_eio_poll_cancel(wg_eio_server_t *srv, wg_eio_session_t *poll);
/* Frees the response's owned parts. NULL is a no-op. */
void wg_eio_response_free(wg_eio_response_t *resp);

/* A WebSocket upgrade request (before the 101). Returns 0 and *ws_out (the
 * adapter stores it in its per-wsi data; req->user is what wake() gets), or
 * non-zero with *reject filled: answer that instead of upgrading. An accepted
 * ws may have CLOSE as its first pull (second WebSocket for one sid, §1.6). */
int wg_eio_ws_open(wg_eio_server_t *srv, const wg_eio_request_t *req, wg_eio_ws_t **ws_out,
                   wg_eio_response_t *reject);
/* One complete WebSocket message (the adapter reassembles fragments).
 * Returns 0, or a negative WG_E* when the message was refused (the ws then
 * pulls CLOSE). */
int wg_eio_ws_message(wg_eio_server_t *srv, wg_eio_ws_t *ws, const uint8_t *data, size_t len,
                      int is_binary);
/* Next frame to write (call once per writable callback). */
void wg_eio_ws_pull(wg_eio_server_t *srv, wg_eio_ws_t *ws, wg_eio_frame_t *frame);
/* The wsi is gone: frees ws (closing its session if it carried one). */
void wg_eio_ws_closed(wg_eio_server_t *srv, wg_eio_ws_t *ws);

/* Runs heartbeats and timeouts at the clock's now. Call when
 * wg_eio_next_deadline() is due (or periodically). */
void wg_eio_tick(wg_eio_server_t *srv);
/* Earliest clock time at which wg_eio_tick() has work, or -1 for none. */
int64_t wg_eio_next_deadline(const wg_eio_server_t *srv);

/* A refcounted, already-encoded packet: text packets hold type char + data
 * (e.g. "4hello"), binary messages hold their raw bytes. One buffer can be
 * queued on many sessions (broadcast) without copying. */
typedef struct wg_eio_shared wg_eio_shared_t;
/* New buffer with refcount 1: a message packet ("4" + data, or raw bytes when
 * is_binary). Caller drops its reference with wg_eio_shared_unref(). */
wg_eio_shared_t *wg_eio_shared_message(const void *data, size_t len, int is_binary);
/* Same, but takes prefix + data (saves a copy when encoding in two parts). */
wg_eio_shared_t *wg_eio_shared_message2(const void *a, size_t alen, const void *b, size_t blen);
void wg_eio_shared_unref(wg_eio_shared_t *shared);
size_t wg_eio_shared_len(const wg_eio_shared_t *shared);
const uint8_t *wg_eio_shared_data(const wg_eio_shared_t *shared);

/* Queues a message for the client. Returns 0; WG_ESTATE when the session is
 * closing; WG_ETOOBIG when the queue cap was exceeded (the session is then
 * closed at the next tick with "send queue overflow"). Never calls upper-layer
 * callbacks; may call wake(). */
int wg_eio_send(wg_eio_session_t *s, const void *data, size_t len, int is_binary);
/* Queues a shared buffer (takes a new reference; the caller keeps its own). */
int wg_eio_send_shared(wg_eio_session_t *s, wg_eio_shared_t *shared);

/* Graceful server close: on_close("server close") runs now, queued packets
 * are still delivered, then the client gets "1" (polling) or a close frame.
 * No-op on a session already closing. */
void wg_eio_session_close(wg_eio_session_t *s);

/* wg_eio_session_close() on every open session (shutdown: clients get "1"
 * or a close frame after their queued packets, and reconnect later). */
void wg_eio_server_close_all(wg_eio_server_t *srv);

const char *wg_eio_session_sid(const wg_eio_session_t *s);
/* 1 while the session is on WebSocket (after upgrade or ws-only). */
int wg_eio_session_is_websocket(const wg_eio_session_t *s);
/* Query string and headers of the handshake request (first request). */
const char *wg_eio_session_query(const wg_eio_session_t *s);
/* Value of header name (case-insensitive) from the handshake, or NULL. */
const char *wg_eio_session_header(const wg_eio_session_t *s, const char *name);
/* Bytes waiting in the output queue. */
size_t wg_eio_session_queued_bytes(const wg_eio_session_t *s);
void wg_eio_session_set_user(wg_eio_session_t *s, void *user);
void *wg_eio_session_user(const wg_eio_session_t *s);

/* Returns the percent-decoded value of key in a raw query string into out
 * (size n, NUL-terminated). Returns 1 found, 0 absent, WG_ETOOBIG when it
 * does not fit. Keys match exactly ("t" does not match "transport"). */
int wg_eio_query_get(const char *query, const char *key, char *out, size_t n);

#endif
