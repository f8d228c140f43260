/* The session table (see session.h). */
#include "store/session.h"
#include "store/store_internal.h"
#include "wg_err.h"

static const store_sql_t session_sql[] = {
    {STMT_SESSION_GET, "SELECT creds FROM session WHERE instance_id = :id"},
    {STMT_SESSION_PUT,
     "INSERT INTO session (instance_id, creds, created_at, updated_at)"
     " VALUES (:id, :creds, :now, :now)"
     " ON CONFLICT (instance_id) DO UPDATE SET creds = excluded.creds,"
     " updated_at = excluded.updated_at"},
    {STMT_SESSION_DELETE, "DELETE FROM session WHERE instance_id = :id"},
};

int store_session_prepare(wg_store_t *s)
{
    return store_prepare(s, session_sql, sizeof session_sql / sizeof session_sql[0]);
}

static sqlite3_stmt *stmt(wg_store_t *s, enum store_stmt slot)
{
    return s->stmt[slot];
}

int wg_store_session_get(wg_store_t *s, const char *instance_id, wg_buf_t *out)
{
    sqlite3_stmt *st = stmt(s, STMT_SESSION_GET);
    if (!st)
        return WG_EDB;
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":id", instance_id);
    if (b.rc) {
        store_reset(st);
        return b.rc;
    }
    int rc = store_step(s, st, "session get");
    if (rc == 1) {
        const void *blob = sqlite3_column_blob(st, 0);
        int n = sqlite3_column_bytes(st, 0);
        if (blob && n > 0) {
            wg_buf_append(out, blob, (size_t)n);
            rc = 0;
        } else {
            rc = WG_ENOTFOUND;
        }
    } else if (rc == 0) {
        rc = WG_ENOTFOUND;
    }
    store_reset(st);
    return rc;
}

int wg_store_session_put(wg_store_t *s, const char *instance_id, const uint8_t *blob, size_t len)
{
    sqlite3_stmt *st = stmt(s, STMT_SESSION_PUT);
    if (!st)
        return WG_EDB;
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":id", instance_id);
    store_bind_int64(&b, ":now", store_now(s));
    if (!b.rc && sqlite3_bind_blob(st, sqlite3_bind_parameter_index(st, ":creds"), blob, (int)len,
                                   SQLITE_TRANSIENT) != SQLITE_OK)
        b.rc = WG_EDB;
    store_notify_instance_gone(s, instance_id); /* new credentials: caches start over */
    return store_bind_exec(&b, "session put");
}

int wg_store_session_delete(wg_store_t *s, const char *instance_id)
{
    sqlite3_stmt *st = stmt(s, STMT_SESSION_DELETE);
    if (!st)
        return WG_EDB;
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":id", instance_id);
    store_notify_instance_gone(s, instance_id);
    return store_bind_exec(&b, "session delete");
}
