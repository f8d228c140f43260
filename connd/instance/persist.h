/* Store jobs for instance rows: each call clones what the worker needs, runs
 * the store call on the worker thread and calls back on the loop thread with
 * the store's return code and the row as stored (ids and times set by the
 * store), which the callback owns (wg_pb_free) and may be NULL on failure.
 * The registry is never touched off the loop. */
#ifndef WG_PERSIST_H
#define WG_PERSIST_H
#include "core/daemon.h"

typedef void (*wg_persist_cb)(void *ctx, int rc, ProtobufCMessage *stored);

typedef enum {
    WG_PERSIST_SETTINGS,
    WG_PERSIST_WEBHOOK,
    WG_PERSIST_WEBSOCKET,
    WG_PERSIST_PROXY,
} wg_persist_kind_t;

/* Inserts the row with its 1:1 rows in one transaction (WG_EEXIST on a taken name). */
void wg_persist_insert(wg_connd_t *d, const Wg__Ipc__Instance *row, wg_persist_cb cb, void *ctx);
/* Deletes the instance and everything that hangs off it. */
void wg_persist_delete(wg_connd_t *d, const char *instance_id, wg_persist_cb cb, void *ctx);
/* Writes the connection fields (status, reason, owner, profile, disconnection). cb may be NULL. */
void wg_persist_connection(wg_connd_t *d, const Wg__Ipc__Instance *row, wg_persist_cb cb,
                           void *ctx);
/* Upserts one 1:1 row (msg is a Settings/Webhook/Websocket/Proxy with id and times set). */
void wg_persist_config(wg_connd_t *d, wg_persist_kind_t kind, const char *instance_id,
                       const ProtobufCMessage *msg, wg_persist_cb cb, void *ctx);

#endif
