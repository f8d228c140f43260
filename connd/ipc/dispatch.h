/* IPC request dispatch: authorizes each request (ipc/auth.h), runs the
 * operation against the registry / lifecycle / config, and answers through
 * wg_ipc_reply(), at once or later (deferred replies carry the request id).
 * Loop thread only. Never blocks: store work goes through jobs. */
#ifndef WG_DISPATCH_H
#define WG_DISPATCH_H
#include "core/daemon.h"
#include <stdint.h>

/* Handles one decoded request from connection conn_serial; takes ownership
 * of req (frees it). */
void wg_dispatch(wg_connd_t *d, uint64_t conn_serial, Wg__Ipc__Request *req);

/* Provided by the transport (ipc/server.c; tests provide their own): sends
 * reply to the connection if it still exists, else drops it. */
void wg_ipc_reply(wg_connd_t *d, uint64_t conn_serial, const Wg__Ipc__Reply *reply);

#endif
