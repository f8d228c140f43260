/* Snapshot view of a request thread (see state_view.h). The mapping is
 * (re)opened when the IPC connection changed (connd restarted: another
 * file), when the writer retired it (grown, or connd stopping), and at most
 * every RETRY_MS after a failed open, so a missing file costs one open()
 * per thread per RETRY_MS, not one per request. */
#include "state_view.h"
#include "wg_err.h"
#include <stdio.h>
#include <string.h>

#define RETRY_MS 200

void wg_state_view_init(wg_state_view_t *v, const char *ipc_path)
{
    memset(v, 0, sizeof *v);
    snprintf(v->path, sizeof v->path, "%s.snap", ipc_path ? ipc_path : "");
}

void wg_state_view_free(wg_state_view_t *v)
{
    wg_snapshot_reader_close(&v->reader);
}

/* 1 when the mapping belongs to the connd ipc is connected to right now. */
static int ensure_open(wg_state_view_t *v, wg_ipc_client_t *ipc)
{
    if (v->generation == ipc->generation && wg_snapshot_reader_usable(&v->reader))
        return 1;
    int64_t now = ipc->clock();
    if (v->generation == ipc->generation && now < v->retry_at_ms)
        return 0;
    v->generation = ipc->generation;
    if (wg_snapshot_reader_open(&v->reader, v->path) == WG_OK && ipc->peer_pid > 0 &&
        v->reader.writer_pid == ipc->peer_pid)
        return 1;
    /* no file, a foreign one, or one a killed connd left: ask connd for now */
    wg_snapshot_reader_close(&v->reader);
    v->retry_at_ms = now + RETRY_MS;
    return 0;
}

int wg_state_view_connection_state(wg_state_view_t *v, wg_ipc_client_t *ipc, const char *name,
                                   const char *apikey, wg_arena_t *a, Wg__Ipc__ConnectionState *out)
{
    if (!name || !apikey || !*apikey)
        return 0;
    /* connd must be up: when it is gone the IPC call answers 503 at once */
    if (!wg_ipc_client_alive(ipc) || !ensure_open(v, ipc))
        return 0;
    wg_snapshot_state_t st;
    switch (wg_snapshot_lookup(&v->reader, name, apikey, &st)) {
    case WG_SNAPSHOT_HIT:
        break;
    case WG_SNAPSHOT_RETIRED:
        wg_snapshot_reader_close(&v->reader); /* reopened on the next request */
        return 0;
    default:
        return 0;
    }
    wg__ipc__connection_state__init(out);
    out->instance_name = wg_arena_strdup(a, name);
    out->state = wg_arena_strdup(a, st.state);
    out->has_status_reason = st.has_status_reason;
    out->status_reason = st.status_reason;
    return 1;
}
