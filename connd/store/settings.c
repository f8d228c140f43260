/* The setting table: one row of instance behaviour flags per instance
 * (spec §3.3: rejectCall, msgCall, groupsIgnore, alwaysOnline, readMessages,
 * readStatus, syncFullHistory, wavoipToken). Owns its SQL; it must never
 * interpret the flags — that is the instance's job. */
#include "store/store_internal.h"
#include "store/uuid.h"
#include "wg_alloc.h"
#include "wg_err.h"

static const store_sql_t settings_sql[] = {
    {STMT_SETTINGS_UPSERT,
     "INSERT INTO setting (id, instance_id, reject_call, msg_call, groups_ignore, always_online,"
     " read_messages, read_status, sync_full_history, wavoip_token, created_at, updated_at)"
     " VALUES (:id, :instance_id, :reject_call, :msg_call, :groups_ignore, :always_online,"
     " :read_messages, :read_status, :sync_full_history, :wavoip_token, :now, :now)"
     " ON CONFLICT (instance_id) DO UPDATE SET reject_call = excluded.reject_call,"
     " msg_call = excluded.msg_call, groups_ignore = excluded.groups_ignore,"
     " always_online = excluded.always_online, read_messages = excluded.read_messages,"
     " read_status = excluded.read_status, sync_full_history = excluded.sync_full_history,"
     " wavoip_token = excluded.wavoip_token, updated_at = excluded.updated_at"},
    {STMT_SETTINGS_FIND,
     "SELECT id, instance_id, reject_call, msg_call, groups_ignore, always_online, read_messages,"
     " read_status, sync_full_history, wavoip_token, created_at, updated_at"
     " FROM setting WHERE instance_id = :instance_id"},
};

/* Column order of STMT_SETTINGS_FIND. */
enum {
    COL_ID,
    COL_INSTANCE_ID,
    COL_REJECT_CALL,
    COL_MSG_CALL,
    COL_GROUPS_IGNORE,
    COL_ALWAYS_ONLINE,
    COL_READ_MESSAGES,
    COL_READ_STATUS,
    COL_SYNC_FULL_HISTORY,
    COL_WAVOIP_TOKEN,
    COL_CREATED_AT,
    COL_UPDATED_AT,
};

int store_settings_prepare(wg_store_t *s)
{
    return store_prepare(s, settings_sql, sizeof settings_sql / sizeof settings_sql[0]);
}

int store_settings_write(wg_store_t *s, const char *instance_id, const Wg__Ipc__Settings *in,
                         int64_t now)
{
    sqlite3_stmt *st = s->stmt[STMT_SETTINGS_UPSERT];
    char id[WG_UUID_STRLEN + 1];
    wg_uuid_v4(id);
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":id", id);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_bool(&b, ":reject_call", in->has_reject_call, in->reject_call, 0);
    store_bind_text(&b, ":msg_call", in->msg_call);
    store_bind_bool(&b, ":groups_ignore", in->has_groups_ignore, in->groups_ignore, 0);
    store_bind_bool(&b, ":always_online", in->has_always_online, in->always_online, 0);
    store_bind_bool(&b, ":read_messages", in->has_read_messages, in->read_messages, 0);
    store_bind_bool(&b, ":read_status", in->has_read_status, in->read_status, 0);
    store_bind_bool(&b, ":sync_full_history", in->has_sync_full_history, in->sync_full_history, 0);
    store_bind_text(&b, ":wavoip_token", in->wavoip_token);
    store_bind_int64(&b, ":now", now);
    return store_bind_exec(&b, "settings upsert");
}

int wg_store_settings_upsert(wg_store_t *s, const char *instance_id, const Wg__Ipc__Settings *in,
                             Wg__Ipc__Settings **out)
{
    if (out)
        *out = NULL;
    if (!instance_id || !in)
        return WG_EINVAL;
    int rc = store_settings_write(s, instance_id, in, store_now(s));
    if (rc == 0 && out)
        rc = wg_store_settings_find(s, instance_id, out);
    return rc;
}

/* Builds a row from the current result of STMT_SETTINGS_FIND. */
static int settings_read(sqlite3_stmt *st, void **out)
{
    Wg__Ipc__Settings *row = wg_malloc(sizeof *row);
    wg__ipc__settings__init(row);
    row->id = store_column_text_required(st, COL_ID);
    row->instance_id = store_column_text_required(st, COL_INSTANCE_ID);
    row->has_reject_call = 1;
    row->reject_call = sqlite3_column_int(st, COL_REJECT_CALL) != 0;
    row->msg_call = store_column_text(st, COL_MSG_CALL);
    row->has_groups_ignore = 1;
    row->groups_ignore = sqlite3_column_int(st, COL_GROUPS_IGNORE) != 0;
    row->has_always_online = 1;
    row->always_online = sqlite3_column_int(st, COL_ALWAYS_ONLINE) != 0;
    row->has_read_messages = 1;
    row->read_messages = sqlite3_column_int(st, COL_READ_MESSAGES) != 0;
    row->has_read_status = 1;
    row->read_status = sqlite3_column_int(st, COL_READ_STATUS) != 0;
    row->has_sync_full_history = 1;
    row->sync_full_history = sqlite3_column_int(st, COL_SYNC_FULL_HISTORY) != 0;
    row->wavoip_token = store_column_text(st, COL_WAVOIP_TOKEN);
    row->has_created_at_ms = 1;
    row->created_at_ms = sqlite3_column_int64(st, COL_CREATED_AT);
    row->has_updated_at_ms = 1;
    row->updated_at_ms = sqlite3_column_int64(st, COL_UPDATED_AT);
    *out = row;
    return 0;
}

int wg_store_settings_find(wg_store_t *s, const char *instance_id, Wg__Ipc__Settings **out)
{
    void *row = NULL;
    int rc = store_find_one(s, STMT_SETTINGS_FIND, "settings find", instance_id, settings_read,
                            out ? &row : NULL);
    if (out)
        *out = row;
    return rc;
}

void wg_store_settings_free(Wg__Ipc__Settings *row)
{
    if (row)
        protobuf_c_message_free_unpacked(&row->base, NULL);
}
