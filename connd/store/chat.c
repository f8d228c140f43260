/* The chat table (see chat.h). Rows in, rows out. */
#include "store/chat.h"
#include "store/store_internal.h"
#include "store/uuid.h"
#include "wg_alloc.h"
#include "wg_err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* Every received message touches its chat: unread count + 1, newest
 * message time, updated_at (and the chat_recent index entry). Inside a
 * group transaction (store.c) a touch of a chat known to exist is not
 * written at once: it is added to the chat's pending change here, and each
 * chat changed by the group is written once, by store_chat_flush, before
 * the group's COMMIT and before any statement that reads or writes chat
 * rows (find, read, a touch of a chat not known, an instance delete).
 * Written in one UPDATE, a run of touches gives the row exactly what they
 * gave one by one: the counts added up, the newest time the max, updated_at
 * the last touch's clock.
 *
 * A job's savepoint can roll back alone, taking its touches with it: the
 * pending change of a chat keeps the part made inside the open savepoint
 * (job) apart from the rest (group), and when a flush wrote the group part
 * inside the savepoint, the part it wrote (flushed), which the rollback
 * undoes too. The slots double as the set of chats known to exist (which is
 * what decides *created): filled by a touch that ran its UPDATE or INSERT,
 * kept across commits, emptied of what a rollback could have undone and
 * when an instance is deleted. A JID or instance id too long for a slot is
 * not cached (its touches are written at once, as outside a group). */
#define CHAT_CACHE_SLOTS 64
#define CHAT_CACHE_ID_MAX 40
#define CHAT_CACHE_JID_MAX 96

/* Touches not written yet (or written inside the open savepoint). */
typedef struct {
    int touched;    /* any touch in it */
    int64_t unread; /* added to unread_count */
    int64_t ts;     /* max of their message times */
    int64_t now;    /* the last one's clock (updated_at) */
} chat_delta_t;

typedef struct {
    int used;                            /* the chat exists (in the transaction) */
    char instance_id[CHAT_CACHE_ID_MAX]; /* owner */
    char jid[CHAT_CACHE_JID_MAX];        /* the chat */
    chat_delta_t group;                  /* pending, outside or before the savepoint */
    chat_delta_t job;                    /* pending, made inside the open savepoint */
    chat_delta_t flushed;                /* group part written inside the savepoint */
    int in_job;                          /* listed in store_chat_cache.job */
} chat_slot_t;

struct store_chat_cache {
    chat_slot_t slots[CHAT_CACHE_SLOTS]; /* direct-mapped by hash */
    int pending;                         /* some slot may hold a group or job change */
    chat_slot_t *job[CHAT_CACHE_SLOTS];  /* the slots with a job or flushed change */
    size_t n_job;                        /* how many */
};

/* c gets a change of the open savepoint (a touch, or a flush's record) */
static void job_mark(struct store_chat_cache *cc, chat_slot_t *c)
{
    if (!c->in_job) {
        c->in_job = 1;
        cc->job[cc->n_job++] = c;
    }
}

/* older then newer, as one run of touches */
static void delta_add(chat_delta_t *into, const chat_delta_t *newer)
{
    if (!newer->touched)
        return;
    if (!into->touched || newer->ts > into->ts)
        into->ts = newer->ts;
    into->unread += newer->unread;
    into->now = newer->now;
    into->touched = 1;
}

static const chat_delta_t no_delta;

/* The slot of (instance_id, jid) (store_pair_hash), or NULL when they do not fit. */
static chat_slot_t *cache_slot(wg_store_t *s, const char *instance_id, const char *jid)
{
    if (strlen(instance_id) >= CHAT_CACHE_ID_MAX || strlen(jid) >= CHAT_CACHE_JID_MAX)
        return NULL;
    if (!s->chat_cache)
        s->chat_cache = wg_calloc(1, sizeof *s->chat_cache);
    return &s->chat_cache->slots[store_pair_hash(instance_id, jid) % CHAT_CACHE_SLOTS];
}

static int touch_exec(wg_store_t *s, const char *instance_id, const char *jid,
                      const chat_delta_t *d)
{
    store_bind_t b = store_bind_start(s, s->stmt[STMT_CHAT_TOUCH]);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, ":jid", jid);
    store_bind_int64(&b, ":unread", d->unread);
    store_bind_int64(&b, ":ts", d->ts);
    store_bind_int64(&b, ":now", d->now);
    return store_bind_exec(&b, "chat touch");
}

/* Writes the pending change of one slot. 0 or WG_EDB. */
static int slot_flush(wg_store_t *s, chat_slot_t *c)
{
    chat_delta_t all = c->group;
    delta_add(&all, &c->job);
    if (!all.touched)
        return 0;
    int rc = touch_exec(s, c->instance_id, c->jid, &all);
    if (rc)
        return rc;
    if (s->savepoint && c->group.touched) {
        delta_add(&c->flushed, &c->group);
        job_mark(s->chat_cache, c);
    }
    c->group = c->job = no_delta;
    return 0;
}

static int slot_busy(const chat_slot_t *c)
{
    return c->group.touched || c->job.touched || c->flushed.touched;
}

static int slot_holds(const chat_slot_t *c, const char *instance_id, const char *jid)
{
    return strcmp(c->instance_id, instance_id) == 0 && strcmp(c->jid, jid) == 0;
}

int store_chat_flush(wg_store_t *s)
{
    struct store_chat_cache *cc = s->chat_cache;
    if (!cc || !cc->pending)
        return 0;
    for (size_t i = 0; i < CHAT_CACHE_SLOTS; i++) {
        int rc = slot_flush(s, &cc->slots[i]);
        if (rc)
            return rc;
    }
    cc->pending = 0;
    return 0;
}

void store_chat_released(wg_store_t *s)
{
    struct store_chat_cache *cc = s->chat_cache;
    if (!cc)
        return;
    for (size_t i = 0; i < cc->n_job; i++) {
        chat_slot_t *c = cc->job[i];
        delta_add(&c->group, &c->job);
        c->job = c->flushed = no_delta;
        c->in_job = 0;
    }
    cc->n_job = 0;
}

void store_chat_rolled_back(wg_store_t *s, int savepoint)
{
    struct store_chat_cache *cc = s->chat_cache;
    if (!cc)
        return;
    if (!savepoint) {
        store_chat_cache_clear(s);
        return;
    }
    /* the savepoint's writes are undone, the group's before it stay: a
     * chat with a change from before it surely exists, any other one may
     * have been created by the undone job */
    cc->pending = 0;
    cc->n_job = 0;
    for (size_t i = 0; i < CHAT_CACHE_SLOTS; i++) {
        chat_slot_t *c = &cc->slots[i];
        c->in_job = 0;
        chat_delta_t group = c->flushed;
        delta_add(&group, &c->group);
        c->group = group;
        c->job = c->flushed = no_delta;
        if (c->group.touched)
            cc->pending = 1;
        else
            c->used = 0;
    }
}

void store_chat_forget_instance(wg_store_t *s, const char *instance_id)
{
    struct store_chat_cache *cc = s->chat_cache;
    for (size_t i = 0; cc && i < CHAT_CACHE_SLOTS; i++)
        if (strcmp(cc->slots[i].instance_id, instance_id) == 0)
            cc->slots[i].used = 0; /* its changes stay: a rollback may bring the row back */
}

void store_chat_cache_clear(wg_store_t *s)
{
    free(s->chat_cache);
    s->chat_cache = NULL;
}

/* The UPDATE comes first and tells by its change count whether the chat
 * exists: a message to a known chat (nearly every one) costs one statement,
 * not a SELECT and then the UPDATE; a new chat costs the UPDATE that found
 * nothing and the INSERT. Inside a group, a chat known to exist costs
 * nothing until the flush (see above). */
int wg_store_chat_touch(wg_store_t *s, const char *instance_id, const char *remote_jid,
                        const char *name, int64_t ts, int unread, int *created)
{
    *created = 0;
    if (!s || !instance_id || !remote_jid || !*remote_jid || unread < 0)
        return WG_EINVAL;
    sqlite3_stmt *touch = s->stmt[STMT_CHAT_TOUCH], *insert = s->stmt[STMT_CHAT_INSERT];
    if (!touch || !insert)
        return WG_EDB;
    chat_delta_t d = {.touched = 1, .unread = unread, .ts = ts, .now = store_now(s)};
    chat_slot_t *c = store_group_open(s) ? cache_slot(s, instance_id, remote_jid) : NULL;
    int rc = 0;
    if (c && slot_holds(c, instance_id, remote_jid)) {
        if (c->used) {
            delta_add(s->savepoint ? &c->job : &c->group, &d);
            s->chat_cache->pending = 1;
            if (s->savepoint)
                job_mark(s->chat_cache, c);
            return 0;
        }
        rc = slot_flush(s, c); /* this chat's earlier touches come first */
    } else if (c && slot_busy(c)) {
        c = NULL; /* another chat's changes stay in their slot */
    } else if (c) {
        int listed = c->in_job; /* still in the job list until the savepoint ends */
        memset(c, 0, sizeof *c);
        c->in_job = listed;
    }
    if (rc)
        return rc;
    rc = touch_exec(s, instance_id, remote_jid, &d);
    if (rc)
        return rc;
    if (sqlite3_changes(s->db) == 0) {
        char id[WG_UUID_STRLEN + 1];
        wg_uuid_v4(id);
        store_bind_t b = store_bind_start(s, insert);
        store_bind_text(&b, ":id", id);
        store_bind_text(&b, ":name", name);
        store_bind_text(&b, ":instance_id", instance_id);
        store_bind_text(&b, ":jid", remote_jid);
        store_bind_int64(&b, ":unread", unread);
        store_bind_int64(&b, ":ts", ts);
        store_bind_int64(&b, ":now", d.now);
        rc = store_bind_exec(&b, "chat insert");
        if (rc)
            return rc;
        *created = 1;
    }
    if (c) {
        strcpy(c->instance_id, instance_id);
        strcpy(c->jid, remote_jid);
        c->used = 1;
    }
    return 0;
}

int wg_store_chat_read(wg_store_t *s, const char *instance_id, const char *remote_jid)
{
    sqlite3_stmt *st = s ? s->stmt[STMT_CHAT_READ] : NULL;
    if (!st)
        return WG_EDB;
    int rc = store_chat_flush(s);
    if (rc)
        return rc;
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, ":jid", remote_jid);
    store_bind_int64(&b, ":now", store_now(s));
    rc = store_bind_exec(&b, "chat read");
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
    int rc = store_chat_flush(s);
    if (rc)
        return rc;
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, ":jid", remote_jid);
    store_bind_opt_int64(&b, ":ts_gte", ts_gte >= 0, ts_gte);
    store_bind_opt_int64(&b, ":ts_lte", ts_lte >= 0, ts_lte);
    store_bind_int64(&b, ":limit", limit >= 0 ? limit : -1);
    store_bind_int64(&b, ":offset", offset > 0 ? offset : 0);
    rc = b.rc;
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
