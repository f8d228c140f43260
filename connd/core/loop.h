/* connd's event loop: one libwebsockets context serviced by one thread. It
 * carries the IPC socket now and later the Socket.IO endpoint, the WhatsApp
 * sockets and webhook clients; nothing on it may block. It wakes for worker
 * completions (wg_loop_wake), a 1 s tick, and SIGTERM/SIGINT. */
#ifndef WG_LOOP_H
#define WG_LOOP_H
#include "core/daemon.h"
#include "wg_buf.h"

/* Creates the context and the IPC listener. Returns 0 or WG_E* (+ err). */
int wg_loop_create(wg_connd_t *d, wg_buf_t *err);
/* Services until a stop is requested, then stops accepting work, lets
 * in-flight requests finish (bounded), flushes replies and returns. */
void wg_loop_run(wg_connd_t *d);
void wg_loop_destroy(wg_connd_t *d);
/* Registers fn(arg) to run on the loop thread when a stop begins (before
 * in-flight work is drained): edge modules close their sockets cleanly here
 * (Socket.IO clients, WhatsApp connections, webhook transfers). Called in
 * registration order. Each module creates its own vhost on d->loop (an
 * lws_context) the way ipc/server.c does, so no protocol table is shared. */
void wg_loop_on_stop(wg_connd_t *d, void (*fn)(void *arg), void *arg);
/* Thread-safe wake-up (the job worker's notify callback). */
void wg_loop_wake(void *loop);
/* Async-signal-safe: asks the loop to stop. */
void wg_loop_request_stop(void);

#endif
