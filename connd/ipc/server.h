/* The IPC listener: a libwebsockets raw vhost on a Unix socket (mode 0660)
 * whose connections carry wg_ipc_conn_t state. This file and core/loop.c are
 * the only places of connd/core+ipc that see libwebsockets. */
#ifndef WG_IPC_SERVER_H
#define WG_IPC_SERVER_H
#include "core/daemon.h"
#include "wg_buf.h"

struct lws_context;

/* Creates the listening vhost at path. Refuses (WG_EEXIST) when another
 * connd answers on that socket; removes a stale socket file otherwise.
 * Returns 0 or WG_E* with a reason in err. */
int wg_ipc_server_start(wg_connd_t *d, struct lws_context *ctx, const char *path, wg_buf_t *err);
/* Bytes queued to clients and not yet written (shutdown waits for 0). */
size_t wg_ipc_server_unflushed(void);
/* Removes the socket file. */
void wg_ipc_server_stop(void);

#endif
