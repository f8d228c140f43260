/* The contact table (see contact.h). Rows in, rows out. */
#include "store/contact.h"
#include "store/store_internal.h"
#include "store/uuid.h"
#include "wg_err.h"

#include <string.h>

static const store_sql_t contact_sql[] = {
    {STMT_CONTACT_GET,
     "SELECT push_name FROM contact WHERE instance_id = :instance_id AND remote_jid = :jid"},
    {STMT_CONTACT_INSERT,
     "INSERT INTO contact (id, instance_id, remote_jid, push_name, created_at, updated_at)"
     " VALUES (:id, :instance_id, :jid, :push_name, :now, :now)"},
    {STMT_CONTACT_RENAME, "UPDATE contact SET push_name = :push_name, updated_at = :now"
                          " WHERE instance_id = :instance_id AND remote_jid = :jid"},
    {STMT_CONTACT_FIND,
     "SELECT id, remote_jid, push_name, profile_pic_url, created_at, updated_at FROM contact"
     " WHERE instance_id = :instance_id AND (:jid IS NULL OR remote_jid = :jid)"
     " ORDER BY rowid LIMIT :limit OFFSET :offset"},
};

int store_contact_prepare(wg_store_t *s)
{
    if (sqlite3_table_column_metadata(s->db, "main", "contact", "push_name", NULL, NULL, NULL, NULL,
                                      NULL) != SQLITE_OK)
        return 0;
    return store_prepare(s, contact_sql, sizeof contact_sql / sizeof contact_sql[0]);
}

int wg_store_contact_upsert(wg_store_t *s, const char *instance_id, const char *remote_jid,
                            const char *push_name, wg_contact_change_t *change)
{
    *change = WG_CONTACT_UNCHANGED;
    if (!s || !instance_id || !remote_jid || !*remote_jid)
        return WG_EINVAL;
    sqlite3_stmt *get = s->stmt[STMT_CONTACT_GET];
    if (!get || !s->stmt[STMT_CONTACT_INSERT] || !s->stmt[STMT_CONTACT_RENAME])
        return WG_EDB;
    store_bind_t b = store_bind_start(s, get);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, ":jid", remote_jid);
    int rc = b.rc ? b.rc : store_step(s, get, "contact get");
    int same = 0;
    if (rc == 1) {
        const char *old = (const char *)sqlite3_column_text(get, 0);
        same = !push_name || (old && strcmp(old, push_name) == 0);
    }
    store_reset(get);
    if (rc < 0)
        return rc;
    if (rc == 1 && same)
        return 0;
    int exists = rc == 1;
    sqlite3_stmt *st = s->stmt[exists ? STMT_CONTACT_RENAME : STMT_CONTACT_INSERT];
    b = store_bind_start(s, st);
    if (!exists) {
        char id[WG_UUID_STRLEN + 1];
        wg_uuid_v4(id);
        store_bind_text(&b, ":id", id);
    }
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, ":jid", remote_jid);
    store_bind_text(&b, ":push_name", push_name);
    store_bind_int64(&b, ":now", store_now(s));
    rc = store_bind_exec(&b, exists ? "contact rename" : "contact insert");
    if (rc == 0)
        *change = exists ? WG_CONTACT_RENAMED : WG_CONTACT_CREATED;
    return rc;
}

int wg_store_contact_find(wg_store_t *s, const char *instance_id, const char *remote_jid,
                          int64_t offset, int64_t limit,
                          int (*row)(void *ud, const wg_store_contact_row_t *r), void *ud)
{
    if (!s || !instance_id || !row)
        return WG_EINVAL;
    sqlite3_stmt *st = s->stmt[STMT_CONTACT_FIND];
    if (!st)
        return WG_EDB;
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, ":jid", remote_jid);
    store_bind_int64(&b, ":limit", limit >= 0 ? limit : -1);
    store_bind_int64(&b, ":offset", offset > 0 ? offset : 0);
    int rc = b.rc;
    while (rc == 0 && (rc = store_step(s, st, "contact find")) == 1) {
        wg_store_contact_row_t r = {
            .id = (const char *)sqlite3_column_text(st, 0),
            .remote_jid = (const char *)sqlite3_column_text(st, 1),
            .push_name = (const char *)sqlite3_column_text(st, 2),
            .profile_pic_url = (const char *)sqlite3_column_text(st, 3),
            .created_at = sqlite3_column_int64(st, 4),
            .updated_at = sqlite3_column_int64(st, 5),
        };
        rc = row(ud, &r);
    }
    store_reset(st);
    return rc;
}
