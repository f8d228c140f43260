/* The lid_map table (see lid_map.h). Users in, users out; it knows nothing
 * of JIDs or Signal addresses. Lookups go through a small cache (a send
 * asks for every device it encrypts to, twice): answers, "no mapping"
 * included, are kept until a put changes the table, an instance's rows go,
 * or anything rolls back (store_notify_rolled_back), so it never answers
 * with a row a rollback undid nor misses one a put wrote. */
#include "store/lid_map.h"
#include "store/store_internal.h"
#include "wg_alloc.h"
#include "wg_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LID_CACHE_SLOTS 256 /* direct-mapped: a collision replaces the slot */
#define LID_CACHE_ID_MAX 40 /* instance ids longer than this are not cached */

typedef struct {
    int used;                             /* holds an answer */
    int slot;                             /* STMT_LID_MAP_BY_LID or _BY_PN: the question */
    int found;                            /* 0: the table has no mapping for key */
    char instance_id[LID_CACHE_ID_MAX];   /* whose */
    char key[WG_STORE_LID_USER_MAX];      /* the user asked about */
    char value[WG_STORE_LID_USER_MAX];    /* the answer when found */
} lid_cache_slot_t;

struct store_lid_cache {
    lid_cache_slot_t slots[LID_CACHE_SLOTS]; /* the answers */
};

void store_lid_cache_clear(wg_store_t *s)
{
    store_lid_cache_free(s);
}

void store_lid_cache_free(wg_store_t *s)
{
    free(s->lid_cache);
    s->lid_cache = NULL;
}

/* The slot a question maps to (FNV-1a of who asks what). */
static lid_cache_slot_t *cache_slot(wg_store_t *s, int slot, const char *instance_id,
                                    const char *key)
{
    if (strlen(instance_id) >= LID_CACHE_ID_MAX)
        return NULL;
    if (!s->lid_cache)
        s->lid_cache = wg_calloc(1, sizeof *s->lid_cache);
    uint32_t h = 2166136261u ^ (uint32_t)slot;
    for (const char *parts[] = {instance_id, key}, **p = parts; p < parts + 2; p++)
        for (const unsigned char *c = (const unsigned char *)*p;; c++) {
            h = (h ^ *c) * 16777619u;
            if (!*c)
                break;
        }
    return &s->lid_cache->slots[h % LID_CACHE_SLOTS];
}

static const store_sql_t lid_map_sql[] = {
    /* REPLACE drops the rows that conflict on either side (a LID re-mapped
     * to another number, or a number moved to a new LID) */
    {STMT_LID_MAP_PUT, "INSERT OR REPLACE INTO lid_map (instance_id, lid, pn, updated_at)"
                       " VALUES (:instance_id, :lid, :pn, :now)"},
    {STMT_LID_MAP_BY_LID, "SELECT pn FROM lid_map WHERE instance_id = :instance_id AND lid = :lid"},
    {STMT_LID_MAP_BY_PN, "SELECT lid FROM lid_map WHERE instance_id = :instance_id AND pn = :pn"},
};

int store_lid_map_prepare(wg_store_t *s)
{
    if (sqlite3_table_column_metadata(s->db, "main", "lid_map", "pn", NULL, NULL, NULL, NULL,
                                      NULL) != SQLITE_OK)
        return 0;
    return store_prepare(s, lid_map_sql, sizeof lid_map_sql / sizeof lid_map_sql[0]);
}

static int valid_user(const char *u)
{
    size_t n = u ? strlen(u) : 0;
    return n > 0 && n < WG_STORE_LID_USER_MAX;
}

/* One-column lookup: binds :instance_id and param = key, copies the column. */
static int lookup(wg_store_t *s, int slot, const char *instance_id, const char *param,
                  const char *key, char *out, size_t n)
{
    if (!s || !instance_id || !valid_user(key) || !out || !n)
        return WG_EINVAL;
    sqlite3_stmt *st = s->stmt[slot];
    if (!st)
        return WG_EDB;
    lid_cache_slot_t *c = cache_slot(s, slot, instance_id, key);
    if (c && c->used && c->slot == slot && strcmp(c->instance_id, instance_id) == 0 &&
        strcmp(c->key, key) == 0) {
        if (!c->found)
            return WG_ENOTFOUND;
        if (strlen(c->value) >= n)
            return WG_EDB;
        snprintf(out, n, "%s", c->value);
        return 0;
    }
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, param, key);
    int rc = b.rc ? b.rc : store_step(s, st, "lid_map get");
    if (rc == 1) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        rc = v && strlen(v) < n ? 0 : WG_EDB;
        if (rc == 0)
            snprintf(out, n, "%s", v);
    } else if (rc == 0) {
        rc = WG_ENOTFOUND;
    }
    if (c && (rc == 0 || rc == WG_ENOTFOUND)) {
        c->used = 1;
        c->slot = slot;
        c->found = rc == 0;
        snprintf(c->instance_id, sizeof c->instance_id, "%s", instance_id);
        snprintf(c->key, sizeof c->key, "%s", key);
        c->value[0] = '\0';
        if (c->found) {
            const char *v = (const char *)sqlite3_column_text(st, 0);
            if (strlen(v) < sizeof c->value)
                snprintf(c->value, sizeof c->value, "%s", v);
            else
                c->used = 0;
        }
    }
    store_reset(st);
    return rc;
}

int wg_store_lid_map_pn(wg_store_t *s, const char *instance_id, const char *lid, char *pn,
                        size_t n)
{
    return lookup(s, STMT_LID_MAP_BY_LID, instance_id, ":lid", lid, pn, n);
}

int wg_store_lid_map_lid(wg_store_t *s, const char *instance_id, const char *pn, char *lid,
                         size_t n)
{
    return lookup(s, STMT_LID_MAP_BY_PN, instance_id, ":pn", pn, lid, n);
}

int wg_store_lid_map_put(wg_store_t *s, const char *instance_id, const char *lid, const char *pn)
{
    if (!s || !instance_id || !valid_user(lid) || !valid_user(pn))
        return WG_EINVAL;
    char known[WG_STORE_LID_USER_MAX];
    int rc = wg_store_lid_map_pn(s, instance_id, lid, known, sizeof known);
    if (rc == 0 && strcmp(known, pn) == 0)
        return 0;
    if (rc < 0 && rc != WG_ENOTFOUND)
        return rc;
    sqlite3_stmt *st = s->stmt[STMT_LID_MAP_PUT];
    if (!st)
        return WG_EDB;
    /* REPLACE may also drop the rows this LID or number had: forget them all */
    store_lid_cache_clear(s);
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, ":lid", lid);
    store_bind_text(&b, ":pn", pn);
    store_bind_int64(&b, ":now", store_now(s));
    rc = store_bind_exec(&b, "lid_map put");
    return rc < 0 ? rc : 1;
}
