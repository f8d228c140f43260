/* The pending_event table (see pending_event.h). Stores the JSON text as
 * given; never parses it. */
#include "store/pending_event.h"
#include "store/store_internal.h"
#include "wg_err.h"

static const store_sql_t pending_sql[] = {
    {STMT_PENDING_EVENT_ADD,
     "INSERT INTO pending_event (instance_id, instance_name, name, data_json, at_ms)"
     " VALUES (:instance_id, :instance_name, :name, :data_json, :at_ms)"},
    {STMT_PENDING_EVENT_DELETE, "DELETE FROM pending_event WHERE id = :id"},
    {STMT_PENDING_EVENT_ALL,
     "SELECT id, instance_id, instance_name, name, data_json, at_ms FROM pending_event"
     " ORDER BY id"},
};

int store_pending_event_prepare(wg_store_t *s)
{
    if (sqlite3_table_column_metadata(s->db, "main", "pending_event", "data_json", NULL, NULL,
                                      NULL, NULL, NULL) != SQLITE_OK)
        return 0; /* an older schema in a migration test */
    return store_prepare(s, pending_sql, sizeof pending_sql / sizeof pending_sql[0]);
}

int wg_store_pending_event_add(wg_store_t *s, const wg_store_pending_event_t *ev, int64_t *id)
{
    sqlite3_stmt *st = s ? s->stmt[STMT_PENDING_EVENT_ADD] : NULL;
    if (!st)
        return WG_EDB;
    if (!ev || !ev->instance_id || !ev->instance_name || !ev->name || !ev->data_json)
        return WG_EINVAL;
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":instance_id", ev->instance_id);
    store_bind_text(&b, ":instance_name", ev->instance_name);
    store_bind_text(&b, ":name", ev->name);
    store_bind_text(&b, ":data_json", ev->data_json);
    store_bind_int64(&b, ":at_ms", ev->at_ms);
    int rc = store_bind_exec(&b, "pending event add");
    if (rc == 0 && id)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

/* One transaction for the batch (a savepoint inside a group): a delete job
 * that runs alone made every DELETE a commit of its own (WAL frames and
 * lock system calls each), up to 256 per job. */
int wg_store_pending_event_delete(wg_store_t *s, const int64_t *ids, size_t n)
{
    sqlite3_stmt *st = s ? s->stmt[STMT_PENDING_EVENT_DELETE] : NULL;
    if (!st)
        return WG_EDB;
    if (!n)
        return 0;
    int rc = store_begin(s);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        store_bind_t b = store_bind_start(s, st);
        store_bind_int64(&b, ":id", ids[i]);
        rc = store_bind_exec(&b, "pending event delete");
    }
    if (rc == 0)
        return store_commit(s);
    store_rollback(s);
    return rc;
}

int wg_store_pending_event_each(wg_store_t *s,
                                int (*fn)(void *ud, const wg_store_pending_event_t *ev),
                                void *ud)
{
    sqlite3_stmt *st = s ? s->stmt[STMT_PENDING_EVENT_ALL] : NULL;
    if (!st)
        return WG_EDB;
    if (!fn)
        return WG_EINVAL;
    int rc;
    while ((rc = store_step(s, st, "pending events")) == 1) {
        wg_store_pending_event_t ev = {
            .id = sqlite3_column_int64(st, 0),
            .instance_id = (const char *)sqlite3_column_text(st, 1),
            .instance_name = (const char *)sqlite3_column_text(st, 2),
            .name = (const char *)sqlite3_column_text(st, 3),
            .data_json = (const char *)sqlite3_column_text(st, 4),
            .at_ms = sqlite3_column_int64(st, 5),
        };
        if (!ev.instance_id || !ev.instance_name || !ev.name || !ev.data_json)
            continue; /* NOT NULL columns: cannot happen */
        if ((rc = fn(ud, &ev)) != 0)
            break;
    }
    store_reset(st);
    return rc < 0 || rc > 0 ? rc : 0;
}
