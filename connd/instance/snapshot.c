/* Registry -> state snapshot file (see snapshot.h). The whole table is
 * rewritten on each change: instances are few and changes rare, and a full
 * rewrite cannot drift from the registry. Never blocks on anything but
 * memory (the file is a shared mapping; growing it is a rename). */
#include "instance/snapshot.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include "wg_snapshot.h"
#include <stdio.h>
#include <stdlib.h>

void wg_instance_snapshot_publish(wg_connd_t *d)
{
    if (!d->snapshot || d->stopping)
        return; /* retired at shutdown: wagate-fcgi asks connd, which answers 503 */
    size_t n = wg_registry_count(d->reg), k = 0;
    wg_snapshot_entry_t *entries = wg_calloc(n ? n : 1, sizeof *entries);
    for (wg_instance_t *i = wg_registry_first(d->reg); i && k < n; i = i->next_all) {
        if (!i->committed)
            continue; /* still being created: not visible yet (ipc/auth.c) */
        wg_snapshot_entry_t *e = &entries[k++];
        e->name = i->row->name;
        e->state = i->row->connection_status;
        e->token = i->row->token;
        e->has_status_reason = i->row->has_status_reason;
        e->status_reason = i->row->status_reason;
    }
    int rc = wg_snapshot_writer_publish(d->snapshot, entries, k);
    free(entries);
    if (rc != WG_OK) {
        /* the writer retired the file: wagate-fcgi asks connd from now on */
        wg_log(WG_LOG_WARN, "msg=\"state snapshot disabled\" err=\"%s\"", wg_strerror(rc));
        wg_instance_snapshot_stop(d);
    }
}

void wg_instance_snapshot_retire(void *daemon)
{
    wg_connd_t *d = daemon;
    if (d->snapshot)
        wg_snapshot_writer_retire(d->snapshot);
}

void wg_instance_snapshot_start(wg_connd_t *d)
{
    char sock[108], path[128];
    wg_cfg_ipc_socket(&d->cfg, sock, sizeof sock);
    snprintf(path, sizeof path, "%s.snap", sock);
    if (wg_snapshot_writer_open(path, &d->snapshot) != WG_OK) {
        wg_log(WG_LOG_WARN,
               "msg=\"cannot create the state snapshot; every request asks connd\" "
               "path=%s",
               path);
        d->snapshot = NULL;
        return;
    }
    wg_instance_snapshot_publish(d);
}

void wg_instance_snapshot_stop(wg_connd_t *d)
{
    wg_snapshot_writer_free(d->snapshot);
    d->snapshot = NULL;
}
