/* The signal_key table (see signal_key.h). Only bytes and ids move here;
 * sealing and the Signal record formats belong to connd/signal. */
#include "store/signal_key.h"
#include "store/store_internal.h"
#include "wg_alloc.h"
#include "wg_err.h"

#include <stdlib.h>

#define KEY_WHERE                                                                                  \
    " WHERE instance_id = :id AND kind = :kind AND group_id = :group AND name = :name"

static const store_sql_t signal_key_sql[] = {
    {STMT_SIGNAL_KEY_GET, "SELECT record FROM signal_key" KEY_WHERE " AND device = :device"},
    {STMT_SIGNAL_KEY_PUT,
     "INSERT INTO signal_key (instance_id, kind, group_id, name, device, record, updated_at)"
     " VALUES (:id, :kind, :group, :name, :device, :record, :now)"
     " ON CONFLICT (instance_id, kind, group_id, name, device) DO UPDATE SET"
     " record = excluded.record, updated_at = excluded.updated_at"},
    /* the common put (a ratchet step rewrites its session row): a plain
     * update is one seek, where the upsert also probes the instance (foreign
     * key) and stages the row in an ephemeral table (WITHOUT ROWID) */
    {STMT_SIGNAL_KEY_UPDATE,
     "UPDATE signal_key SET record = :record, updated_at = :now" KEY_WHERE " AND device = :device"},
    {STMT_SIGNAL_KEY_DELETE, "DELETE FROM signal_key" KEY_WHERE " AND device = :device"},
    {STMT_SIGNAL_KEY_DELETE_NAME, "DELETE FROM signal_key" KEY_WHERE},
    {STMT_SIGNAL_KEY_DEVICES, "SELECT device FROM signal_key" KEY_WHERE " ORDER BY device"},
};

int store_signal_key_prepare(wg_store_t *s)
{
    if (sqlite3_table_column_metadata(s->db, "main", "signal_key", "record", NULL, NULL, NULL,
                                      NULL, NULL) != SQLITE_OK)
        return 0;
    return store_prepare(s, signal_key_sql, sizeof signal_key_sql / sizeof signal_key_sql[0]);
}

const char *wg_store_signal_key_kind_name(wg_signal_key_kind_t kind)
{
    switch (kind) {
    case WG_SIGNAL_KEY_IDENTITY:
        return "identity";
    case WG_SIGNAL_KEY_PREKEY:
        return "prekey";
    case WG_SIGNAL_KEY_SIGNED_PREKEY:
        return "signed_prekey";
    case WG_SIGNAL_KEY_SESSION:
        return "session";
    case WG_SIGNAL_KEY_SENDER_KEY:
        return "sender_key";
    }
    return NULL;
}

/* Binds the row key; with_device also binds :device. */
static int bind_key(wg_store_t *s, sqlite3_stmt *st, const wg_signal_key_id_t *k, int with_device)
{
    const char *kind = k ? wg_store_signal_key_kind_name(k->kind) : NULL;
    if (!st)
        return WG_EDB;
    if (!kind || !k->instance_id)
        return WG_EINVAL;
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":id", k->instance_id);
    store_bind_text(&b, ":kind", kind);
    store_bind_text(&b, ":group", k->group_id ? k->group_id : "");
    store_bind_text(&b, ":name", k->name ? k->name : "");
    if (with_device)
        store_bind_int64(&b, ":device", k->device);
    if (b.rc)
        store_reset(st);
    return b.rc;
}

int wg_store_signal_key_get(wg_store_t *s, const wg_signal_key_id_t *k, wg_buf_t *out)
{
    sqlite3_stmt *st = s->stmt[STMT_SIGNAL_KEY_GET];
    int rc = bind_key(s, st, k, 1);
    if (rc)
        return rc;
    rc = store_step(s, st, "signal key get");
    if (rc == 1) {
        const void *blob = sqlite3_column_blob(st, 0);
        int n = sqlite3_column_bytes(st, 0);
        if (blob && n > 0)
            wg_buf_append(out, blob, (size_t)n);
        rc = 0;
    } else if (rc == 0) {
        rc = WG_ENOTFOUND;
    }
    store_reset(st);
    return rc;
}

/* Binds the row key, :record and :now of a put statement. */
static int bind_put(wg_store_t *s, sqlite3_stmt *st, const wg_signal_key_id_t *k,
                    const uint8_t *record, size_t len)
{
    static const uint8_t empty[1];
    int rc = bind_key(s, st, k, 1);
    if (rc)
        return rc;
    if (len > INT32_MAX ||
        sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), store_now(s)) !=
            SQLITE_OK ||
        sqlite3_bind_blob(st, sqlite3_bind_parameter_index(st, ":record"), record ? record : empty,
                          (int)len, SQLITE_STATIC) != SQLITE_OK) {
        store_reset(st);
        return len > INT32_MAX ? WG_ETOOBIG : WG_EDB;
    }
    return 0;
}

/* An update of the existing row, else the insert (the upsert, so a row that
 * appeared in between is still overwritten). The record is bound static:
 * store_exec resets the statement before returning, and a reset statement
 * does not read its bindings again before they are rebound. */
int wg_store_signal_key_put(wg_store_t *s, const wg_signal_key_id_t *k, const uint8_t *record,
                            size_t len)
{
    sqlite3_stmt *st = s->stmt[STMT_SIGNAL_KEY_UPDATE];
    int rc = bind_put(s, st, k, record, len);
    if (rc == 0)
        rc = store_exec(s, st, "signal key update");
    if (rc == 0 && sqlite3_changes(s->db) > 0)
        return 0;
    if (rc)
        return rc;
    st = s->stmt[STMT_SIGNAL_KEY_PUT];
    rc = bind_put(s, st, k, record, len);
    return rc ? rc : store_exec(s, st, "signal key put");
}

/* Runs a prepared delete; returns the number of rows it removed. */
static int run_delete(wg_store_t *s, sqlite3_stmt *st, const char *what)
{
    int rc = store_exec(s, st, what);
    return rc ? rc : sqlite3_changes(s->db);
}

int wg_store_signal_key_delete(wg_store_t *s, const wg_signal_key_id_t *k)
{
    sqlite3_stmt *st = s->stmt[STMT_SIGNAL_KEY_DELETE];
    int rc = bind_key(s, st, k, 1);
    return rc ? rc : run_delete(s, st, "signal key delete");
}

int wg_store_signal_key_delete_name(wg_store_t *s, const wg_signal_key_id_t *k)
{
    sqlite3_stmt *st = s->stmt[STMT_SIGNAL_KEY_DELETE_NAME];
    int rc = bind_key(s, st, k, 0);
    return rc ? rc : run_delete(s, st, "signal key delete name");
}

int wg_store_signal_key_devices(wg_store_t *s, const wg_signal_key_id_t *k, int64_t **devices,
                                size_t *n)
{
    *devices = NULL;
    *n = 0;
    sqlite3_stmt *st = s->stmt[STMT_SIGNAL_KEY_DEVICES];
    int rc = bind_key(s, st, k, 0);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = store_step(s, st, "signal key devices")) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *devices = wg_realloc(*devices, cap * sizeof **devices);
        }
        (*devices)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    store_reset(st);
    if (rc < 0) {
        free(*devices);
        *devices = NULL;
        *n = 0;
    }
    return rc;
}

int wg_store_signal_key_begin(wg_store_t *s)
{
    return store_begin(s);
}

int wg_store_signal_key_commit(wg_store_t *s)
{
    return store_commit(s);
}

void wg_store_signal_key_rollback(wg_store_t *s)
{
    store_rollback(s);
}
