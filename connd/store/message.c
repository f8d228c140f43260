/* The message table (see message.h). Rows in, rows out; the JSON text is
 * stored as given and never parsed here. */
#include "store/message.h"
#include "store/store_internal.h"
#include "store/uuid.h"
#include "wg_err.h"

#include <string.h>

/* One WHERE for find and count: a NULL parameter disables its filter, so
 * both statements are prepared once. */
#define FIND_WHERE                                                                                 \
    " WHERE instance_id = :instance_id"                                                            \
    " AND (:id IS NULL OR id = :id)"                                                               \
    " AND (:key_id IS NULL OR key_id = :key_id)"                                                   \
    " AND (:remote_jid IS NULL OR remote_jid = :remote_jid)"                                       \
    " AND (:from_me IS NULL OR from_me = :from_me)"                                                \
    " AND (:participant IS NULL OR participant = :participant)"                                    \
    " AND (:message_type IS NULL OR message_type = :message_type)"                                 \
    " AND (:ts_gte IS NULL OR message_timestamp >= :ts_gte)"                                       \
    " AND (:ts_lte IS NULL OR message_timestamp <= :ts_lte)"

static const store_sql_t message_sql[] = {
    {STMT_MESSAGE_INSERT,
     "INSERT INTO message (id, instance_id, key_id, remote_jid, from_me, participant, push_name,"
     " message_type, key_json, message_json, message_timestamp, status, source, created_at)"
     " VALUES (:id, :instance_id, :key_id, :remote_jid, :from_me, :participant, :push_name,"
     " :message_type, :key_json, :message_json, :ts, :status, :source, :now)"
     " ON CONFLICT (instance_id, key_id) DO NOTHING"},
    {STMT_MESSAGE_EXISTS,
     "SELECT 1 FROM message WHERE instance_id = :instance_id AND key_id = :key_id"},
    {STMT_MESSAGE_STATUS,
     "UPDATE message SET status = :status WHERE instance_id = :instance_id AND key_id = :key_id"},
    {STMT_MESSAGE_STATUS_AT,
     "UPDATE message SET status = :status WHERE rowid = :rowid AND instance_id = :instance_id"
     " AND key_id = :key_id"},
    {STMT_MESSAGE_FIND,
     "SELECT id, key_json, push_name, message_type, message_json, message_timestamp, status,"
     " source FROM message" FIND_WHERE
     " ORDER BY message_timestamp DESC, rowid DESC LIMIT :limit OFFSET :offset"},
    {STMT_MESSAGE_COUNT, "SELECT count(*) FROM message" FIND_WHERE},
    {STMT_MESSAGE_CONTENT,
     "UPDATE message SET message_json = :message_json WHERE instance_id = :instance_id"
     " AND key_id = :key_id"},
    {STMT_MESSAGE_EDIT,
     "UPDATE message SET message_json = :message_json, status = 'EDITED'"
     " WHERE instance_id = :instance_id AND key_id = :key_id"},
};

int store_message_prepare(wg_store_t *s)
{
    if (sqlite3_table_column_metadata(s->db, "main", "message", "key_json", NULL, NULL, NULL, NULL,
                                      NULL) != SQLITE_OK)
        return 0;
    return store_prepare(s, message_sql, sizeof message_sql / sizeof message_sql[0]);
}

int wg_store_message_insert(wg_store_t *s, const char *instance_id, const wg_store_message_t *m,
                            int *inserted, char row_id[37], int64_t *rowid)
{
    if (inserted)
        *inserted = 0;
    if (rowid)
        *rowid = 0;
    if (!s || !instance_id || !m || !m->key_id || !*m->key_id || !m->remote_jid ||
        !m->message_type || !m->key_json || !m->message_json || !m->status || !m->source)
        return WG_EINVAL;
    sqlite3_stmt *st = s->stmt[STMT_MESSAGE_INSERT];
    if (!st)
        return WG_EDB;
    char id[WG_UUID_STRLEN + 1];
    wg_uuid_v7(id);
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":id", id);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, ":key_id", m->key_id);
    store_bind_text(&b, ":remote_jid", m->remote_jid);
    store_bind_int64(&b, ":from_me", m->from_me ? 1 : 0);
    store_bind_text(&b, ":participant", m->participant);
    store_bind_text(&b, ":push_name", m->push_name);
    store_bind_text(&b, ":message_type", m->message_type);
    store_bind_text(&b, ":key_json", m->key_json);
    store_bind_text(&b, ":message_json", m->message_json);
    store_bind_int64(&b, ":ts", m->message_timestamp);
    store_bind_text(&b, ":status", m->status);
    store_bind_text(&b, ":source", m->source);
    store_bind_int64(&b, ":now", store_now(s));
    if (b.rc) {
        store_reset(st);
        return b.rc;
    }
    int rc = store_exec(s, st, "message insert");
    if (rc == 0 && sqlite3_changes(s->db) > 0) {
        if (inserted)
            *inserted = 1;
        if (row_id)
            memcpy(row_id, id, sizeof id);
        if (rowid)
            *rowid = sqlite3_last_insert_rowid(s->db);
    }
    return rc;
}

int wg_store_message_exists(wg_store_t *s, const char *instance_id, const char *key_id)
{
    sqlite3_stmt *st = s->stmt[STMT_MESSAGE_EXISTS];
    if (!st || !instance_id || !key_id)
        return WG_EDB;
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, ":key_id", key_id);
    int rc = b.rc ? b.rc : store_step(s, st, "message exists");
    store_reset(st);
    return rc;
}

/* One status UPDATE: by key (rowid 0, STMT_MESSAGE_STATUS) or by rowid,
 * checked against instance and key (STMT_MESSAGE_STATUS_AT). 0,
 * WG_ENOTFOUND (no row changed) or WG_EDB. */
static int status_update(wg_store_t *s, int64_t rowid, const char *instance_id,
                         const char *key_id, const char *status)
{
    sqlite3_stmt *st = s->stmt[rowid > 0 ? STMT_MESSAGE_STATUS_AT : STMT_MESSAGE_STATUS];
    if (!st)
        return WG_EDB;
    store_bind_t b = store_bind_start(s, st);
    if (rowid > 0)
        store_bind_int64(&b, ":rowid", rowid);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, ":key_id", key_id);
    store_bind_text(&b, ":status", status);
    if (b.rc) {
        store_reset(st);
        return b.rc;
    }
    int rc = store_exec(s, st, rowid > 0 ? "message status at" : "message status");
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        rc = WG_ENOTFOUND;
    return rc;
}

int wg_store_message_set_status(wg_store_t *s, const char *instance_id, const char *key_id,
                                const char *status)
{
    return status_update(s, 0, instance_id, key_id, status);
}

int wg_store_message_set_status_at(wg_store_t *s, int64_t rowid, const char *instance_id,
                                   const char *key_id, const char *status)
{
    int rc = rowid > 0 ? status_update(s, rowid, instance_id, key_id, status) : WG_ENOTFOUND;
    if (rc == WG_ENOTFOUND) /* no hint, or the row moved on: by its key */
        rc = status_update(s, 0, instance_id, key_id, status);
    return rc;
}

static void bind_query(store_bind_t *b, const char *instance_id, const wg_store_message_query_t *q)
{
    store_bind_text(b, ":instance_id", instance_id);
    store_bind_text(b, ":id", q->id);
    store_bind_text(b, ":key_id", q->key_id);
    store_bind_text(b, ":remote_jid", q->remote_jid);
    store_bind_opt_int64(b, ":from_me", q->from_me >= 0, q->from_me ? 1 : 0);
    store_bind_text(b, ":participant", q->participant);
    store_bind_text(b, ":message_type", q->message_type);
    store_bind_opt_int64(b, ":ts_gte", q->ts_gte >= 0, q->ts_gte);
    store_bind_opt_int64(b, ":ts_lte", q->ts_lte >= 0, q->ts_lte);
}

int wg_store_message_find(wg_store_t *s, const char *instance_id, const wg_store_message_query_t *q,
                          int (*row)(void *ud, const wg_store_message_row_t *r), void *ud,
                          int64_t *total)
{
    if (!s || !instance_id || !q || !row)
        return WG_EINVAL;
    sqlite3_stmt *count = s->stmt[STMT_MESSAGE_COUNT], *find = s->stmt[STMT_MESSAGE_FIND];
    if (!count || !find)
        return WG_EDB;
    store_bind_t b = store_bind_start(s, count);
    bind_query(&b, instance_id, q);
    int rc = b.rc ? b.rc : store_step(s, count, "message count");
    if (rc == 1 && total)
        *total = sqlite3_column_int64(count, 0);
    store_reset(count);
    if (rc < 0)
        return rc;
    b = store_bind_start(s, find);
    bind_query(&b, instance_id, q);
    store_bind_int64(&b, ":limit", q->limit >= 0 ? q->limit : -1);
    store_bind_int64(&b, ":offset", q->offset > 0 ? q->offset : 0);
    rc = b.rc;
    while (rc == 0 && (rc = store_step(s, find, "message find")) == 1) {
        wg_store_message_row_t r = {
            .id = (const char *)sqlite3_column_text(find, 0),
            .key_json = (const char *)sqlite3_column_text(find, 1),
            .push_name = (const char *)sqlite3_column_text(find, 2),
            .message_type = (const char *)sqlite3_column_text(find, 3),
            .message_json = (const char *)sqlite3_column_text(find, 4),
            .message_timestamp = sqlite3_column_int64(find, 5),
            .status = (const char *)sqlite3_column_text(find, 6),
            .source = (const char *)sqlite3_column_text(find, 7),
        };
        rc = row(ud, &r);
    }
    store_reset(find);
    return rc;
}

/* Replaces a row's message_json with statement id (content only, or content
 * and status EDITED). */
static int set_content(wg_store_t *s, int id, const char *instance_id, const char *key_id,
                       const char *message_json, const char *what)
{
    if (!s || !instance_id || !key_id || !message_json)
        return WG_EINVAL;
    sqlite3_stmt *st = s->stmt[id];
    if (!st)
        return WG_EDB;
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, ":key_id", key_id);
    store_bind_text(&b, ":message_json", message_json);
    int rc = store_bind_exec(&b, what);
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        rc = WG_ENOTFOUND;
    return rc;
}

int wg_store_message_set_content(wg_store_t *s, const char *instance_id, const char *key_id,
                                 const char *message_json)
{
    return set_content(s, STMT_MESSAGE_CONTENT, instance_id, key_id, message_json,
                       "message content");
}

int wg_store_message_edit(wg_store_t *s, const char *instance_id, const char *key_id,
                          const char *message_json)
{
    return set_content(s, STMT_MESSAGE_EDIT, instance_id, key_id, message_json, "message edit");
}
