/* connd's real-time service: the Socket.IO endpoint on 127.0.0.1:
 * WAGATE_SIO_PORT with both event dialects (evolution_dialect.h,
 * events_dialect.h), fed by the event bus. Started by main.c only when
 * WEBSOCKET_ENABLED=true; closes its clients cleanly when connd stops.
 * Loop thread only. */
#ifndef WG_REALTIME_H
#define WG_REALTIME_H
#include "core/daemon.h"
#include "wg_buf.h"

typedef struct wg_realtime wg_realtime_t;

/* Creates the endpoint on d->loop (after wg_loop_create), registers the
 * namespaces of every loaded instance, subscribes to the bus and installs
 * a stop hook that drains the clients. test_hooks (connd --test-hooks, for
 * tests and benchmarks only) adds the namespace /wagate-test (global key)
 * whose 'publish' event puts arbitrary events on the bus and whose 'stats'
 * event reports render counters. Sets d->realtime. Returns 0 or WG_E* with
 * err filled (e.g. the port is taken). */
int wg_realtime_start(wg_connd_t *d, int test_hooks, wg_buf_t *err);
/* Frees everything; call after wg_loop_destroy (lws calls back while it
 * closes connections). NULL is a no-op. */
void wg_realtime_free(wg_realtime_t *rt);

#endif
