/* Instance lifecycle: create, delete, logout, the connection state machine
 * (close / connecting / open, statusReason, disconnection fields) and the
 * DEL_INSTANCE timer. Every step is persisted through store jobs and
 * published on the bus (instance.create, instance.delete, remove.instance,
 * logout.instance, connection.update, status.instance). Loop thread only. */
#ifndef WG_LIFECYCLE_H
#define WG_LIFECYCLE_H
#include "core/daemon.h"

/* Completion of an asynchronous operation: rc 0 or WG_E*, inst the entry
 * (valid only during the call; NULL after a delete or on failure). */
typedef void (*wg_op_cb)(void *ctx, int rc, wg_instance_t *inst);

/* Startup: loads every instance of this client name from the store into the
 * registry (synchronously: the worker is not running yet). Instances left
 * "connecting" by a crash are reset to close. Returns 0 or the store's error. */
int wg_lifecycle_load(wg_connd_t *d);

/* Reserves the name at once (so of two concurrent creates exactly one wins:
 * the loser gets WG_EEXIST synchronously through cb), then inserts the row.
 * On success publishes instance.create. */
void wg_instance_create(wg_connd_t *d, const Wg__Ipc__CreateInstanceReq *req, wg_op_cb cb,
                        void *ctx);
/* Logs out first when connected, publishes instance.delete and
 * remove.instance, deletes every row, then frees the entry. */
void wg_instance_delete(wg_connd_t *d, wg_instance_t *inst, wg_op_cb cb, void *ctx);
/* WG_ESTATE when the instance is closed ("not connected"); else drops the
 * link and credentials, state close, publishes connection.update,
 * status.instance and logout.instance. */
int wg_instance_logout(wg_connd_t *d, wg_instance_t *inst);

/* The state machine's single entry: sets state (open|connecting|close) and
 * statusReason, persists, publishes connection.update (and status.instance
 * on close, with the disconnection fields). */
void wg_instance_set_state(wg_connd_t *d, wg_instance_t *inst, const char *state,
                           int status_reason);

/* Periodic work (DEL_INSTANCE). Call about once a second. */
void wg_lifecycle_tick(wg_connd_t *d);

#endif
