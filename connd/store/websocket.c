/* The websocket table: whether an instance's events go to socket.io clients
 * and which ones (spec §3.5), events as a JSON array of UPPER_SNAKE names.
 * Owns its SQL; it must never apply WEBSOCKET_ENABLED or the "empty list
 * means all events" rule — those belong to the caller. */
#include "store/store_internal.h"
#include "store/uuid.h"
#include "wg_alloc.h"
#include "wg_err.h"

static const store_sql_t websocket_sql[] = {
    {STMT_WEBSOCKET_UPSERT,
     "INSERT INTO websocket (id, instance_id, enabled, events, created_at, updated_at)"
     " VALUES (:id, :instance_id, :enabled, :events, :now, :now)"
     " ON CONFLICT (instance_id) DO UPDATE SET enabled = excluded.enabled,"
     " events = excluded.events, updated_at = excluded.updated_at"},
    {STMT_WEBSOCKET_FIND, "SELECT id, instance_id, enabled, events, created_at, updated_at"
                          " FROM websocket WHERE instance_id = :instance_id"},
};

/* Column order of STMT_WEBSOCKET_FIND. */
enum {
    COL_ID,
    COL_INSTANCE_ID,
    COL_ENABLED,
    COL_EVENTS,
    COL_CREATED_AT,
    COL_UPDATED_AT,
};

int store_websocket_prepare(wg_store_t *s)
{
    return store_prepare(s, websocket_sql, sizeof websocket_sql / sizeof websocket_sql[0]);
}

int store_websocket_write(wg_store_t *s, const char *instance_id, const Wg__Ipc__Websocket *in,
                          int64_t now)
{
    sqlite3_stmt *st = s->stmt[STMT_WEBSOCKET_UPSERT];
    char id[WG_UUID_STRLEN + 1];
    wg_uuid_v4(id);
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":id", id);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_bool(&b, ":enabled", in->has_enabled, in->enabled, 0);
    store_bind_events(&b, ":events", in->events, in->n_events);
    store_bind_int64(&b, ":now", now);
    return store_bind_exec(&b, "websocket upsert");
}

int wg_store_websocket_upsert(wg_store_t *s, const char *instance_id, const Wg__Ipc__Websocket *in,
                              Wg__Ipc__Websocket **out)
{
    if (out)
        *out = NULL;
    if (!instance_id || !in)
        return WG_EINVAL;
    int rc = store_websocket_write(s, instance_id, in, store_now(s));
    if (rc == 0 && out)
        rc = wg_store_websocket_find(s, instance_id, out);
    return rc;
}

/* Builds a row from the current result of STMT_WEBSOCKET_FIND. */
static int websocket_read(sqlite3_stmt *st, void **out)
{
    Wg__Ipc__Websocket *row = wg_malloc(sizeof *row);
    wg__ipc__websocket__init(row);
    int rc = store_column_events(st, COL_EVENTS, &row->events, &row->n_events);
    if (rc < 0) {
        wg_store_websocket_free(row);
        return rc;
    }
    row->id = store_column_text_required(st, COL_ID);
    row->instance_id = store_column_text_required(st, COL_INSTANCE_ID);
    row->has_enabled = 1;
    row->enabled = sqlite3_column_int(st, COL_ENABLED) != 0;
    row->has_created_at_ms = 1;
    row->created_at_ms = sqlite3_column_int64(st, COL_CREATED_AT);
    row->has_updated_at_ms = 1;
    row->updated_at_ms = sqlite3_column_int64(st, COL_UPDATED_AT);
    *out = row;
    return 0;
}

int wg_store_websocket_find(wg_store_t *s, const char *instance_id, Wg__Ipc__Websocket **out)
{
    void *row = NULL;
    int rc = store_find_one(s, STMT_WEBSOCKET_FIND, "websocket find", instance_id, websocket_read,
                            out ? &row : NULL);
    if (out)
        *out = row;
    return rc;
}

void wg_store_websocket_free(Wg__Ipc__Websocket *row)
{
    if (row)
        protobuf_c_message_free_unpacked(&row->base, NULL);
}
