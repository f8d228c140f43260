/* One request thread's view of connd's state snapshot (shared/wg_snapshot.h):
 * answers GET /instance/connectionState/:name for a request carrying that
 * instance's own token without an IPC round trip. It answers only when the
 * thread's kept IPC connection is alive and the mapped file was written by
 * the very connd process at the other end of it (SO_PEERCRED pid), and the
 * file is not retired; everything else (no connection yet, connd gone or
 * stopping, another key, an unknown name) returns 0 and the caller asks
 * connd as before, which is also where every error answer comes from.
 * Not thread-safe: one view per request thread, like the IPC client. */
#ifndef WG_FCGI_STATE_VIEW_H
#define WG_FCGI_STATE_VIEW_H
#include "ipc_client.h"
#include "wg_snapshot.h"

typedef struct {
    wg_snapshot_reader_t reader; /* the mapping, when open */
    char path[128];              /* <IPC socket path>.snap */
    uint64_t generation;         /* IPC connection generation the mapping was checked for */
    int64_t retry_at_ms;         /* after a failed open: no new attempt before this */
} wg_state_view_t;

/* Prepares a view for connd's socket path; opens lazily. */
void wg_state_view_init(wg_state_view_t *v, const char *ipc_path);
/* Unmaps. */
void wg_state_view_free(wg_state_view_t *v);

/* Fills *out (instance_name, state, status_reason; strings point into the
 * arena) and returns 1 when the snapshot answers; 0: ask connd. */
int wg_state_view_connection_state(wg_state_view_t *v, wg_ipc_client_t *ipc, const char *name,
                                   const char *apikey, wg_arena_t *a,
                                   Wg__Ipc__ConnectionState *out);

#endif
