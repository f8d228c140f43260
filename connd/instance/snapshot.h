/* connd's side of the state snapshot (shared/wg_snapshot.h): it mirrors the
 * committed instances of the registry (name, connection state, statusReason,
 * token hash) into <IPC socket path>.snap, so wagate-fcgi answers
 * connectionState without an IPC round trip. Every change to what the file
 * holds calls wg_instance_snapshot_publish() synchronously, before the reply
 * of the request that caused it leaves, so the very next request sees it.
 * Loop thread only. Without the file (it could not be created) nothing
 * changes but speed: wagate-fcgi asks connd as before. */
#ifndef WG_INSTANCE_SNAPSHOT_H
#define WG_INSTANCE_SNAPSHOT_H
#include "core/daemon.h"

/* Opens the file and publishes the registry. Call once connd owns the IPC
 * socket (so a second connd that fails to start never touches the file).
 * Failure is logged, never fatal. */
void wg_instance_snapshot_start(wg_connd_t *d);
/* Stop hook (wg_loop_on_stop, argument the daemon): retires the file when
 * shutdown begins, so wagate-fcgi asks connd, which answers 503. */
void wg_instance_snapshot_retire(void *daemon);
/* Rewrites the file from the registry. No-op before start or after stop. */
void wg_instance_snapshot_publish(wg_connd_t *d);
/* Retires and removes the file and frees the writer. Safe to call twice. */
void wg_instance_snapshot_stop(wg_connd_t *d);

#endif
