/* The libwebsockets edge of the Socket.IO endpoint: one listening vhost on
 * the loop's lws context that serves Engine.IO paths (e.g. "/socket.io/")
 * with HTTP long-polling (GET/POST/OPTIONS) and WebSocket on the same path
 * (spec socketio-and-proxy.md §7.1), and drives the sans-I/O servers of
 * connd/sio through their bytes-in/actions-out API. It owns the per-connection
 * state, the write path (only in *_WRITEABLE) and the heartbeat timer (an
 * lws_sul re-armed from wg_*_next_deadline). It never decides anything about
 * Socket.IO, auth or events: that is the mounted servers' business.
 *
 * Loop thread only. This header does not include libwebsockets.h; `loop` is
 * the struct lws_context of connd/core/loop.c (wg_connd_t.loop). */
#ifndef WG_SIO_ENDPOINT_H
#define WG_SIO_ENDPOINT_H
#include "sio/eio_session.h"
#include "sio/sio_server.h"
#include "wg_buf.h"

typedef struct wg_sio_endpoint wg_sio_endpoint_t;

/* Creates a listening vhost on iface:port (iface an IP such as "127.0.0.1")
 * of the lws context `loop`. Returns 0 and *out, or WG_EIO with a message in
 * err (port taken, ...). Free with wg_sio_endpoint_free() only after the
 * context is destroyed (lws calls back into the endpoint while it closes
 * connections). */
int wg_sio_endpoint_new(void *loop, const char *iface, int port, wg_sio_endpoint_t **out,
                        wg_buf_t *err);
/* Points cfg's wake callback at the endpoint. Call on the config of every
 * server before creating it, then mount the server. */
void wg_sio_endpoint_attach(wg_sio_endpoint_t *ep, wg_eio_config_t *cfg);
/* Serves a Socket.IO server (its Engine.IO server, its connect timeouts) or
 * a bare Engine.IO server under path, which must start and end with '/'
 * ("/socket.io/"); "/socket.io" without the slash is served too. The server
 * is borrowed and must outlive the endpoint. Returns 0 or WG_EINVAL/WG_EFULL. */
int wg_sio_endpoint_mount_sio(wg_sio_endpoint_t *ep, const char *path, wg_sio_server_t *sio);
int wg_sio_endpoint_mount_eio(wg_sio_endpoint_t *ep, const char *path, wg_eio_server_t *eio);
/* Re-arms the heartbeat timer (after the owner created or closed sessions
 * outside a request, e.g. from a bus event). Costs one pass over sessions. */
void wg_sio_endpoint_kick(wg_sio_endpoint_t *ep);
/* Shutdown step 1 (loop thread, outside lws callbacks): closes every session
 * gracefully (polling clients get "1", WebSockets a close frame after their
 * queued packets) and services the context until no connection is busy or
 * timeout_ms passed. Clients reconnect by themselves later. */
void wg_sio_endpoint_drain(wg_sio_endpoint_t *ep, int64_t timeout_ms);
/* Connections currently open (HTTP and WebSocket). */
size_t wg_sio_endpoint_connections(const wg_sio_endpoint_t *ep);
/* Frees the endpoint (after lws_context_destroy). NULL is a no-op. */
void wg_sio_endpoint_free(wg_sio_endpoint_t *ep);

/* A self-contained server for test modes (connd --sio-conformance): creates
 * its own lws context listening on 127.0.0.1:port, calls setup(ep, ud) to
 * create and mount servers, services until SIGTERM/SIGINT, drains, destroys
 * the context, calls teardown(ud) (may be NULL) and frees the endpoint.
 * Returns 0, or WG_E* with err filled when the port cannot be used. */
int wg_sio_endpoint_run_standalone(int port, int (*setup)(wg_sio_endpoint_t *ep, void *ud),
                                   void (*teardown)(void *ud), void *ud, wg_buf_t *err);

#endif
