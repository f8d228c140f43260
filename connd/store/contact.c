/* The contact table (see contact.h). Rows in, rows out. */
#include "store/contact.h"
#include "store/store_internal.h"
#include "store/uuid.h"
#include "wg_err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wg_alloc.h"

/* Every received message upserts its sender, and nearly always nothing
 * changes: the SELECT that found that out is answered here instead, from
 * what this handle last read or wrote for (instance, JID). Every write of
 * the contact table goes through this file, so the cache is exact while no
 * rollback undoes one of them: store.c clears it on a rollback (of a job's
 * savepoint too) and when an instance goes (its rows cascade away). A JID,
 * instance id or name too long for a slot is not cached. */
#define CONTACT_CACHE_SLOTS 256
#define CONTACT_CACHE_ID_MAX 40
#define CONTACT_CACHE_JID_MAX 96
#define CONTACT_CACHE_NAME_MAX 120

typedef struct {
    int used;                               /* holds an answer */
    int has_name;                           /* the row's push_name is not NULL */
    char instance_id[CONTACT_CACHE_ID_MAX]; /* owner */
    char jid[CONTACT_CACHE_JID_MAX];        /* the contact */
    char name[CONTACT_CACHE_NAME_MAX];      /* its push_name when has_name */
} contact_cache_slot_t;

struct store_contact_cache {
    contact_cache_slot_t slots[CONTACT_CACHE_SLOTS]; /* direct-mapped by hash */
};

void store_contact_cache_clear(wg_store_t *s)
{
    free(s->contact_cache);
    s->contact_cache = NULL;
}

/* The slot of (instance_id, jid) (store_pair_hash), or NULL when they do not fit. */
static contact_cache_slot_t *cache_slot(wg_store_t *s, const char *instance_id, const char *jid)
{
    if (strlen(instance_id) >= CONTACT_CACHE_ID_MAX || strlen(jid) >= CONTACT_CACHE_JID_MAX)
        return NULL;
    if (!s->contact_cache)
        s->contact_cache = wg_calloc(1, sizeof *s->contact_cache);
    return &s->contact_cache->slots[store_pair_hash(instance_id, jid) % CONTACT_CACHE_SLOTS];
}

static int cache_holds(const contact_cache_slot_t *c, const char *instance_id, const char *jid)
{
    return c && c->used && strcmp(c->instance_id, instance_id) == 0 && strcmp(c->jid, jid) == 0;
}

/* Remembers that the row (instance_id, jid) exists with push_name (NULL
 * for SQL NULL); a name too long for the slot empties it. */
static void cache_put(contact_cache_slot_t *c, const char *instance_id, const char *jid,
                      const char *push_name)
{
    if (!c)
        return;
    c->used = 0;
    if (push_name && strlen(push_name) >= CONTACT_CACHE_NAME_MAX)
        return;
    strcpy(c->instance_id, instance_id);
    strcpy(c->jid, jid);
    c->has_name = push_name != NULL;
    if (push_name)
        strcpy(c->name, push_name);
    c->used = 1;
}

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
    contact_cache_slot_t *cached = cache_slot(s, instance_id, remote_jid);
    int exists, same;
    if (cache_holds(cached, instance_id, remote_jid)) {
        exists = 1;
        same = !push_name || (cached->has_name && strcmp(cached->name, push_name) == 0);
    } else {
        store_bind_t b = store_bind_start(s, get);
        store_bind_text(&b, ":instance_id", instance_id);
        store_bind_text(&b, ":jid", remote_jid);
        int rc = b.rc ? b.rc : store_step(s, get, "contact get");
        same = 0;
        if (rc == 1) {
            const char *old = (const char *)sqlite3_column_text(get, 0);
            same = !push_name || (old && strcmp(old, push_name) == 0);
            cache_put(cached, instance_id, remote_jid, old);
        }
        store_reset(get);
        if (rc < 0)
            return rc;
        exists = rc == 1;
    }
    if (exists && same)
        return 0;
    sqlite3_stmt *st = s->stmt[exists ? STMT_CONTACT_RENAME : STMT_CONTACT_INSERT];
    store_bind_t b = store_bind_start(s, st);
    char id[WG_UUID_STRLEN + 1]; /* bound without a copy: lives until the exec */
    if (!exists) {
        wg_uuid_v4(id);
        store_bind_text(&b, ":id", id);
    }
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, ":jid", remote_jid);
    store_bind_text(&b, ":push_name", push_name);
    store_bind_int64(&b, ":now", store_now(s));
    int rc = store_bind_exec(&b, exists ? "contact rename" : "contact insert");
    if (rc == 0) {
        *change = exists ? WG_CONTACT_RENAMED : WG_CONTACT_CREATED;
        cache_put(cached, instance_id, remote_jid, push_name);
    } else if (cached) {
        cached->used = 0;
    }
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
