/* The chat table (see chat.h). Rows in, rows out. */
#include "store/chat.h"
#include "store/store_internal.h"
#include "store/uuid.h"
#include "wg_err.h"

static const store_sql_t chat_sql[] = {
    {STMT_CHAT_INSERT,
     "INSERT INTO chat (id, instance_id, remote_jid, name, unread_count, last_message_at,"
     " created_at, updated_at)"
     " VALUES (:id, :instance_id, :jid, :name, :unread, :ts, :now, :now)"},
    {STMT_CHAT_TOUCH, "UPDATE chat SET unread_count = unread_count + :unread,"
                      " last_message_at = max(last_message_at, :ts), updated_at = :now"
                      " WHERE instance_id = :instance_id AND remote_jid = :jid"},
    {STMT_CHAT_READ, "UPDATE chat SET unread_count = 0, updated_at = :now"
                     " WHERE instance_id = :instance_id AND remote_jid = :jid"},
    {STMT_CHAT_FIND,
     "SELECT id, remote_jid, name, unread_count, last_message_at, updated_at FROM chat"
     " WHERE instance_id = :instance_id AND (:jid IS NULL OR remote_jid = :jid)"
     " AND (:ts_gte IS NULL OR last_message_at >= :ts_gte)"
     " AND (:ts_lte IS NULL OR last_message_at <= :ts_lte)"
     " ORDER BY last_message_at DESC, rowid DESC LIMIT :limit OFFSET :offset"},
};

int store_chat_prepare(wg_store_t *s)
{
    if (sqlite3_table_column_metadata(s->db, "main", "chat", "unread_count", NULL, NULL, NULL, NULL,
                                      NULL) != SQLITE_OK)
        return 0;
    return store_prepare(s, chat_sql, sizeof chat_sql / sizeof chat_sql[0]);
}

/* The UPDATE comes first and tells by its change count whether the chat
 * exists: a message to a known chat (nearly every one) costs one statement,
 * not a SELECT and then the UPDATE; a new chat costs the UPDATE that found
 * nothing and the INSERT. */
int wg_store_chat_touch(wg_store_t *s, const char *instance_id, const char *remote_jid,
                        const char *name, int64_t ts, int unread, int *created)
{
    *created = 0;
    if (!s || !instance_id || !remote_jid || !*remote_jid || unread < 0)
        return WG_EINVAL;
    sqlite3_stmt *touch = s->stmt[STMT_CHAT_TOUCH], *insert = s->stmt[STMT_CHAT_INSERT];
    if (!touch || !insert)
        return WG_EDB;
    int64_t now = store_now(s);
    store_bind_t b = store_bind_start(s, touch);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, ":jid", remote_jid);
    store_bind_int64(&b, ":unread", unread);
    store_bind_int64(&b, ":ts", ts);
    store_bind_int64(&b, ":now", now);
    int rc = store_bind_exec(&b, "chat touch");
    if (rc || sqlite3_changes(s->db) > 0)
        return rc;
    char id[WG_UUID_STRLEN + 1];
    wg_uuid_v4(id);
    b = store_bind_start(s, insert);
    store_bind_text(&b, ":id", id);
    store_bind_text(&b, ":name", name);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, ":jid", remote_jid);
    store_bind_int64(&b, ":unread", unread);
    store_bind_int64(&b, ":ts", ts);
    store_bind_int64(&b, ":now", now);
    rc = store_bind_exec(&b, "chat insert");
    if (rc == 0)
        *created = 1;
    return rc;
}

int wg_store_chat_read(wg_store_t *s, const char *instance_id, const char *remote_jid)
{
    sqlite3_stmt *st = s ? s->stmt[STMT_CHAT_READ] : NULL;
    if (!st)
        return WG_EDB;
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, ":jid", remote_jid);
    store_bind_int64(&b, ":now", store_now(s));
    int rc = store_bind_exec(&b, "chat read");
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        rc = WG_ENOTFOUND;
    return rc;
}

int wg_store_chat_find(wg_store_t *s, const char *instance_id, const char *remote_jid,
                       int64_t ts_gte, int64_t ts_lte, int64_t offset, int64_t limit,
                       int (*row)(void *ud, const wg_store_chat_row_t *r), void *ud)
{
    if (!s || !instance_id || !row)
        return WG_EINVAL;
    sqlite3_stmt *st = s->stmt[STMT_CHAT_FIND];
    if (!st)
        return WG_EDB;
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, ":jid", remote_jid);
    store_bind_opt_int64(&b, ":ts_gte", ts_gte >= 0, ts_gte);
    store_bind_opt_int64(&b, ":ts_lte", ts_lte >= 0, ts_lte);
    store_bind_int64(&b, ":limit", limit >= 0 ? limit : -1);
    store_bind_int64(&b, ":offset", offset > 0 ? offset : 0);
    int rc = b.rc;
    while (rc == 0 && (rc = store_step(s, st, "chat find")) == 1) {
        wg_store_chat_row_t r = {
            .id = (const char *)sqlite3_column_text(st, 0),
            .remote_jid = (const char *)sqlite3_column_text(st, 1),
            .name = (const char *)sqlite3_column_text(st, 2),
            .unread_count = sqlite3_column_int64(st, 3),
            .last_message_at = sqlite3_column_int64(st, 4),
            .updated_at = sqlite3_column_int64(st, 5),
        };
        rc = row(ud, &r);
    }
    store_reset(st);
    return rc;
}
