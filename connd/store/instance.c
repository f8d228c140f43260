/* The instance table (spec §5 "Instance"): identity, token, integration and
 * the last known connection state of each WhatsApp instance, read back
 * together with its 1:1 rows. Owns its SQL. It must never decide state
 * transitions or validate tokens; it stores what the instance layer says,
 * and lets the schema's constraints reject what cannot be stored. */
#include "store/store_internal.h"
#include "store/uuid.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include <stdlib.h>

#define INSTANCE_COLUMNS                                                                           \
    "id, name, connection_status, owner_jid, profile_name, profile_pic_url, integration, number,"  \
    " business_id, token, client_name, disconnection_reason_code, disconnection_object,"           \
    " disconnection_at, status_reason, created_at, updated_at"

/* Column order of INSTANCE_COLUMNS. */
enum {
    COL_ID,
    COL_NAME,
    COL_CONNECTION_STATUS,
    COL_OWNER_JID,
    COL_PROFILE_NAME,
    COL_PROFILE_PIC_URL,
    COL_INTEGRATION,
    COL_NUMBER,
    COL_BUSINESS_ID,
    COL_TOKEN,
    COL_CLIENT_NAME,
    COL_DISCONNECTION_REASON_CODE,
    COL_DISCONNECTION_OBJECT,
    COL_DISCONNECTION_AT,
    COL_STATUS_REASON,
    COL_CREATED_AT,
    COL_UPDATED_AT,
};

static const store_sql_t instance_sql[] = {
    {STMT_INSTANCE_INSERT,
     "INSERT INTO instance (" INSTANCE_COLUMNS ") VALUES (:id, :name,"
     " COALESCE(:connection_status, 'open'), :owner_jid, :profile_name, :profile_pic_url,"
     " :integration, :number, :business_id, :token, :client_name, :disconnection_reason_code,"
     " :disconnection_object, :disconnection_at, :status_reason, :now, :now)"},
    {STMT_INSTANCE_BY_NAME, "SELECT " INSTANCE_COLUMNS " FROM instance WHERE name = :name"},
    {STMT_INSTANCE_BY_ID, "SELECT " INSTANCE_COLUMNS " FROM instance WHERE id = :id"},
    {STMT_INSTANCE_ALL,
     "SELECT " INSTANCE_COLUMNS " FROM instance"
     " WHERE :client_name IS NULL OR client_name = :client_name ORDER BY created_at, rowid"},
    {STMT_INSTANCE_UPDATE_CONNECTION,
     "UPDATE instance SET connection_status = :connection_status,"
     " status_reason = :status_reason, owner_jid = :owner_jid, profile_name = :profile_name,"
     " profile_pic_url = :profile_pic_url,"
     " disconnection_reason_code = :disconnection_reason_code,"
     " disconnection_object = :disconnection_object, disconnection_at = :disconnection_at,"
     " updated_at = :now WHERE id = :id"},
    {STMT_INSTANCE_DELETE, "DELETE FROM instance WHERE id = :id"},
};

int store_instance_prepare(wg_store_t *s)
{
    return store_prepare(s, instance_sql, sizeof instance_sql / sizeof instance_sql[0]);
}

/* ------------------------------------------------------------ reading */

static void read_int32(sqlite3_stmt *st, int col, protobuf_c_boolean *has, int32_t *v)
{
    *has = sqlite3_column_type(st, col) != SQLITE_NULL;
    *v = *has ? sqlite3_column_int(st, col) : 0;
}

static void read_int64(sqlite3_stmt *st, int col, protobuf_c_boolean *has, int64_t *v)
{
    *has = sqlite3_column_type(st, col) != SQLITE_NULL;
    *v = *has ? sqlite3_column_int64(st, col) : 0;
}

/* A 1:1 row that does not exist is not an error for its instance. */
static int absent_ok(int rc)
{
    return rc == WG_ENOTFOUND ? 0 : rc;
}

/* Builds a row from the current result of st, then attaches its 1:1 rows
 * (absent ones stay NULL). 0 or a store error, with *out = NULL. */
static int read_row(wg_store_t *s, sqlite3_stmt *st, Wg__Ipc__Instance **out)
{
    Wg__Ipc__Instance *row = wg_malloc(sizeof *row);
    wg__ipc__instance__init(row);
    row->id = store_column_text_required(st, COL_ID);
    row->name = store_column_text_required(st, COL_NAME);
    row->connection_status = store_column_text_required(st, COL_CONNECTION_STATUS);
    row->owner_jid = store_column_text(st, COL_OWNER_JID);
    row->profile_name = store_column_text(st, COL_PROFILE_NAME);
    row->profile_pic_url = store_column_text(st, COL_PROFILE_PIC_URL);
    row->integration = store_column_text_required(st, COL_INTEGRATION);
    row->number = store_column_text(st, COL_NUMBER);
    row->business_id = store_column_text(st, COL_BUSINESS_ID);
    row->token = store_column_text_required(st, COL_TOKEN);
    row->client_name = store_column_text(st, COL_CLIENT_NAME);
    read_int32(st, COL_DISCONNECTION_REASON_CODE, &row->has_disconnection_reason_code,
               &row->disconnection_reason_code);
    row->disconnection_object_json = store_column_text(st, COL_DISCONNECTION_OBJECT);
    read_int64(st, COL_DISCONNECTION_AT, &row->has_disconnection_at_ms, &row->disconnection_at_ms);
    read_int32(st, COL_STATUS_REASON, &row->has_status_reason, &row->status_reason);
    row->created_at_ms = sqlite3_column_int64(st, COL_CREATED_AT);
    row->updated_at_ms = sqlite3_column_int64(st, COL_UPDATED_AT);

    int rc = absent_ok(wg_store_settings_find(s, row->id, &row->settings));
    if (rc == 0)
        rc = absent_ok(wg_store_webhook_find(s, row->id, &row->webhook));
    if (rc == 0)
        rc = absent_ok(wg_store_websocket_find(s, row->id, &row->websocket));
    if (rc == 0)
        rc = absent_ok(wg_store_proxy_find(s, row->id, &row->proxy));
    if (rc < 0) {
        wg_store_instance_free(row);
        *out = NULL;
        return rc;
    }
    *out = row;
    return 0;
}

/* Runs a one-row lookup statement already bound. */
static int get_one(wg_store_t *s, sqlite3_stmt *st, store_bind_t *b, const char *what,
                   Wg__Ipc__Instance **out)
{
    int rc = b->rc ? b->rc : store_step(s, st, what);
    if (rc == 0)
        rc = WG_ENOTFOUND;
    if (rc > 0)
        rc = read_row(s, st, out);
    store_reset(st);
    return rc;
}

int wg_store_instance_get_by_name(wg_store_t *s, const char *name, Wg__Ipc__Instance **out)
{
    if (!out)
        return WG_EINVAL;
    *out = NULL;
    if (!name)
        return WG_EINVAL;
    sqlite3_stmt *st = s->stmt[STMT_INSTANCE_BY_NAME];
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":name", name);
    return get_one(s, st, &b, "instance get by name", out);
}

int wg_store_instance_get_by_id(wg_store_t *s, const char *id, Wg__Ipc__Instance **out)
{
    if (!out)
        return WG_EINVAL;
    *out = NULL;
    if (!id)
        return WG_EINVAL;
    sqlite3_stmt *st = s->stmt[STMT_INSTANCE_BY_ID];
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":id", id);
    return get_one(s, st, &b, "instance get by id", out);
}

int wg_store_instance_load_all(wg_store_t *s, const char *client_name, Wg__Ipc__InstanceList **out)
{
    if (!out)
        return WG_EINVAL;
    *out = NULL;
    Wg__Ipc__InstanceList *list = wg_malloc(sizeof *list);
    wg__ipc__instance_list__init(list);
    size_t cap = 0;
    sqlite3_stmt *st = s->stmt[STMT_INSTANCE_ALL];
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":client_name", client_name);
    int rc = b.rc;
    while (rc == 0 && (rc = store_step(s, st, "instance load all")) == 1) {
        if (list->n_instances == cap) {
            cap = cap ? cap * 2 : 16;
            list->instances = wg_realloc(list->instances, cap * sizeof *list->instances);
        }
        Wg__Ipc__Instance *row;
        if ((rc = read_row(s, st, &row)) == 0)
            list->instances[list->n_instances++] = row;
    }
    store_reset(st);
    if (rc < 0) {
        wg_store_instance_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

/* ------------------------------------------------------------ writing */

int wg_store_instance_insert(wg_store_t *s, const Wg__Ipc__Instance *in, Wg__Ipc__Instance **out)
{
    if (out)
        *out = NULL;
    if (!in)
        return WG_EINVAL;
    char fresh_id[WG_UUID_STRLEN + 1];
    const char *id = in->id;
    if (!id) {
        wg_uuid_v4(fresh_id);
        id = fresh_id;
    }
    int rc = store_begin(s);
    if (rc < 0)
        return rc;
    int64_t now = store_now(s); /* one time for every row of the insert */
    sqlite3_stmt *st = s->stmt[STMT_INSTANCE_INSERT];
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":id", id);
    store_bind_text(&b, ":name", in->name);
    store_bind_text(&b, ":connection_status", in->connection_status);
    store_bind_text(&b, ":owner_jid", in->owner_jid);
    store_bind_text(&b, ":profile_name", in->profile_name);
    store_bind_text(&b, ":profile_pic_url", in->profile_pic_url);
    store_bind_text(&b, ":integration", in->integration);
    store_bind_text(&b, ":number", in->number);
    store_bind_text(&b, ":business_id", in->business_id);
    store_bind_text(&b, ":token", in->token);
    store_bind_text(&b, ":client_name", in->client_name);
    store_bind_opt_int64(&b, ":disconnection_reason_code", in->has_disconnection_reason_code,
                         in->disconnection_reason_code);
    store_bind_text(&b, ":disconnection_object", in->disconnection_object_json);
    store_bind_opt_int64(&b, ":disconnection_at", in->has_disconnection_at_ms,
                         in->disconnection_at_ms);
    store_bind_opt_int64(&b, ":status_reason", in->has_status_reason, in->status_reason);
    store_bind_int64(&b, ":now", now);
    if (b.rc) {
        store_reset(st);
        rc = b.rc;
        goto done;
    }
    if ((rc = store_exec(s, st, "instance insert")) < 0)
        goto done;
    if (in->settings && (rc = store_settings_write(s, id, in->settings, now)) < 0)
        goto done;
    if (in->webhook && (rc = store_webhook_write(s, id, in->webhook, now)) < 0)
        goto done;
    if (in->websocket && (rc = store_websocket_write(s, id, in->websocket, now)) < 0)
        goto done;
    if (in->proxy && (rc = store_proxy_write(s, id, in->proxy, now)) < 0)
        goto done;
    if ((rc = store_commit(s)) < 0)
        return rc;
    return out ? wg_store_instance_get_by_id(s, id, out) : 0;
done:
    store_rollback(s);
    return rc;
}

int wg_store_instance_update_connection(wg_store_t *s, Wg__Ipc__Instance *row)
{
    if (!row || !row->id)
        return WG_EINVAL;
    sqlite3_stmt *st = s->stmt[STMT_INSTANCE_UPDATE_CONNECTION];
    int64_t now = store_now(s);
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":id", row->id);
    store_bind_text(&b, ":connection_status", row->connection_status);
    store_bind_opt_int64(&b, ":status_reason", row->has_status_reason, row->status_reason);
    store_bind_text(&b, ":owner_jid", row->owner_jid);
    store_bind_text(&b, ":profile_name", row->profile_name);
    store_bind_text(&b, ":profile_pic_url", row->profile_pic_url);
    store_bind_opt_int64(&b, ":disconnection_reason_code", row->has_disconnection_reason_code,
                         row->disconnection_reason_code);
    store_bind_text(&b, ":disconnection_object", row->disconnection_object_json);
    store_bind_opt_int64(&b, ":disconnection_at", row->has_disconnection_at_ms,
                         row->disconnection_at_ms);
    store_bind_int64(&b, ":now", now);
    if (b.rc) {
        store_reset(st);
        return b.rc;
    }
    int rc = store_exec(s, st, "instance update connection");
    if (rc < 0)
        return rc;
    if (sqlite3_changes(s->db) == 0)
        return WG_ENOTFOUND;
    row->updated_at_ms = now;
    return 0;
}

int wg_store_instance_delete(wg_store_t *s, const char *instance_id)
{
    if (!instance_id)
        return WG_EINVAL;
    int flushed = store_chat_flush(s); /* pending chat touches are written first */
    if (flushed)
        return flushed;
    sqlite3_stmt *st = s->stmt[STMT_INSTANCE_DELETE];
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":id", instance_id);
    if (b.rc) {
        store_reset(st);
        return b.rc;
    }
    store_notify_instance_gone(s, instance_id); /* its rows go by cascade */
    int rc = store_exec(s, st, "instance delete");
    if (rc < 0)
        return rc;
    return sqlite3_changes(s->db) ? 0 : WG_ENOTFOUND;
}

/* ------------------------------------------------------------ freeing */

void wg_store_instance_free(Wg__Ipc__Instance *row)
{
    if (row)
        protobuf_c_message_free_unpacked(&row->base, NULL);
}

void wg_store_instance_list_free(Wg__Ipc__InstanceList *list)
{
    if (list)
        protobuf_c_message_free_unpacked(&list->base, NULL);
}
