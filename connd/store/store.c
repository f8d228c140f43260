/* The store handle: opening (pragmas, migrations, statement preparation),
 * closing, and the statement/error/transaction helpers every table file
 * uses. It must never run SQL that is not prepared once per handle, except
 * the pragmas and migrations of open. Single-threaded: see store.h. */
#include "store/store_internal.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include "wg_time.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STORE_BUSY_TIMEOUT_MS 5000
#define STORE_WAL_CHECKPOINT_PAGES 4000 /* frames in the log that start a checkpoint */
#define STORE_MIN_SQLITE 3037000 /* STRICT tables */

static const store_sql_t transaction_sql[] = {
    {STMT_BEGIN, "BEGIN IMMEDIATE"}, {STMT_COMMIT, "COMMIT"},
    {STMT_ROLLBACK, "ROLLBACK"},     {STMT_SAVEPOINT, "SAVEPOINT job"},
    {STMT_RELEASE, "RELEASE job"},   {STMT_ROLLBACK_TO, "ROLLBACK TO job"},
};

/* ------------------------------------------------------------ helpers */

int store_fail(wg_store_t *s, int rc, const char *what)
{
    char msg[256], op[64];
    wg_log_quote(sqlite3_errmsg(s->db), msg, sizeof msg);
    wg_log_quote(what, op, sizeof op);
    int err = WG_EDB;
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        err = WG_EEXIST;
        break;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        err = WG_ENOTFOUND;
        break;
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
    case SQLITE_CONSTRAINT_DATATYPE:
        err = WG_EINVAL;
        break;
    default:
        break;
    }
    /* A constraint is the caller's data, not a store fault: keep it quiet. */
    if (err == WG_EDB)
        wg_log(WG_LOG_ERROR, "msg=\"store failed\" op=%s sqlite_code=%d sqlite=%s", op, rc, msg);
    else
        wg_log(WG_LOG_DEBUG, "msg=\"store rejected\" op=%s err=%s sqlite=%s", op, wg_strerror(err),
               msg);
    return err;
}

void store_reset(sqlite3_stmt *st)
{
    /* reset repeats the last step's error, which the caller already has */
    (void)sqlite3_reset(st);
    (void)sqlite3_clear_bindings(st);
}

int store_step(wg_store_t *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    int err = store_fail(s, rc, what);
    store_reset(st);
    return err;
}

int store_exec(wg_store_t *s, sqlite3_stmt *st, const char *what)
{
    int rc = store_step(s, st, what);
    store_reset(st);
    if (rc == 1) {
        char op[64];
        wg_log(WG_LOG_ERROR, "msg=\"store write returned a row\" op=%s",
               wg_log_quote(what, op, sizeof op));
        return WG_EDB;
    }
    return rc;
}

/* Whether the group transaction is still open; SQLite ends it by itself
 * after some errors (busy, full, I/O), and then nothing of it is durable. */
static int group_alive(wg_store_t *s)
{
    if (s->group && !s->group_lost && sqlite3_get_autocommit(s->db)) {
        s->group_lost = 1;
        s->savepoint = 0;
        store_chat_cache_clear(s);
        store_notify_rolled_back(s);
    }
    return !s->group_lost;
}

int store_group_open(wg_store_t *s)
{
    return s->group && group_alive(s);
}

void store_notify_rolled_back(wg_store_t *s)
{
    store_lid_cache_clear(s);
    store_contact_cache_clear(s);
    for (size_t i = 0; i < s->n_observers; i++)
        if (s->observers[i].rolled_back)
            s->observers[i].rolled_back(s->observers[i].ud);
}

void store_notify_committed(wg_store_t *s)
{
    for (size_t i = 0; i < s->n_observers; i++)
        if (s->observers[i].committed)
            s->observers[i].committed(s->observers[i].ud);
}

void store_notify_instance_gone(wg_store_t *s, const char *instance_id)
{
    store_lid_cache_clear(s);
    store_contact_cache_clear(s);
    store_chat_forget_instance(s, instance_id);
    for (size_t i = 0; i < s->n_observers; i++)
        if (s->observers[i].instance_gone)
            s->observers[i].instance_gone(s->observers[i].ud, instance_id);
}

/* Tells the observers a savepoint opens (kind 0) or the group commits
 * (kind 1); the first failure wins, every observer is still told. */
static int store_notify_group(wg_store_t *s, int kind)
{
    int rc = 0;
    for (size_t i = 0; i < s->n_observers; i++) {
        int (*fn)(void *) = kind ? s->observers[i].committing : s->observers[i].savepoint;
        int r = fn ? fn(s->observers[i].ud) : 0;
        if (r < 0 && rc == 0)
            rc = WG_EDB;
    }
    return rc;
}

int wg_store_observe(wg_store_t *s, const wg_store_observer_t *o)
{
    if (!s || !o || s->n_observers == WG_STORE_OBSERVERS_MAX)
        return WG_EINVAL;
    s->observers[s->n_observers++] = *o;
    return 0;
}

void wg_store_unobserve(wg_store_t *s, void *ud)
{
    for (size_t i = 0; s && i < s->n_observers; i++)
        if (s->observers[i].ud == ud) {
            s->observers[i] = s->observers[--s->n_observers];
            return;
        }
}

int store_begin(wg_store_t *s)
{
    if (!s->group)
        return store_exec(s, s->stmt[STMT_BEGIN], "begin");
    if (!group_alive(s))
        return WG_EDB; /* a SAVEPOINT now would begin (and RELEASE commit) alone */
    /* what observers hold back for the group's end goes in first, at the
     * group's level, where no savepoint's rollback can undo it */
    if (store_notify_group(s, 0) != 0 || !group_alive(s))
        return WG_EDB;
    int rc = store_exec(s, s->stmt[STMT_SAVEPOINT], "savepoint");
    if (rc == 0)
        s->savepoint = 1;
    return rc;
}

void store_rollback(wg_store_t *s)
{
    store_notify_rolled_back(s);
    /* SQLite rolls back by itself after some errors (busy, full, I/O) */
    if (sqlite3_get_autocommit(s->db)) {
        if (s->group)
            (void)group_alive(s);
        else
            store_chat_cache_clear(s);
        return;
    }
    if (!s->group) {
        store_chat_cache_clear(s);
        (void)store_exec(s, s->stmt[STMT_ROLLBACK], "rollback");
        return;
    }
    /* ROLLBACK TO keeps the savepoint open; RELEASE ends it */
    if (s->savepoint)
        store_chat_rolled_back(s, 1);
    s->savepoint = 0;
    if (store_exec(s, s->stmt[STMT_ROLLBACK_TO], "rollback to savepoint") == 0)
        (void)store_exec(s, s->stmt[STMT_RELEASE], "release savepoint");
}

int store_commit(wg_store_t *s)
{
    int rc = store_exec(s, s->stmt[s->group ? STMT_RELEASE : STMT_COMMIT],
                        s->group ? "release savepoint" : "commit");
    if (rc < 0) {
        store_rollback(s);
    } else if (s->group) {
        store_chat_released(s);
        s->savepoint = 0;
    } else {
        store_notify_committed(s);
    }
    return rc;
}

int wg_store_begin(wg_store_t *s)
{
    return s ? store_begin(s) : WG_EINVAL;
}

int wg_store_commit(wg_store_t *s)
{
    return s ? store_commit(s) : WG_EINVAL;
}

void wg_store_rollback(wg_store_t *s)
{
    if (s)
        store_rollback(s);
}

int wg_store_group_begin(wg_store_t *s)
{
    if (!s || s->group)
        return WG_EINVAL;
    int rc = store_exec(s, s->stmt[STMT_BEGIN], "begin group");
    if (rc == 0) {
        s->group = 1;
        s->group_lost = 0;
    }
    return rc;
}

int wg_store_group_commit(wg_store_t *s)
{
    if (!s || !s->group)
        return WG_EINVAL;
    /* the touches a chat got in the group, written once each, then what
     * the observers held back (session records) */
    int alive = group_alive(s) && store_chat_flush(s) == 0;
    int held_rc = alive ? store_notify_group(s, 1) : 0;
    if (alive && !group_alive(s))
        alive = 0;
    s->group = 0;
    s->group_lost = 0;
    s->savepoint = 0;
    if (!alive || held_rc) {
        /* a no-op when SQLite ended it by itself; else what was held back
         * is not all written: nothing commits */
        store_rollback(s);
        return WG_EDB;
    }
    return store_commit(s);
}

int wg_store_group_open(const wg_store_t *s)
{
    return s && s->group && !s->group_lost && !sqlite3_get_autocommit(s->db);
}

int64_t store_now(wg_store_t *s)
{
    return s->now_ms();
}

uint32_t store_pair_hash(const char *instance_id, const char *jid)
{
    uint32_t h = 2166136261u;
    for (const char *parts[] = {instance_id, jid}, **p = parts; p < parts + 2; p++)
        for (const unsigned char *c = (const unsigned char *)*p;; c++) {
            h = (h ^ *c) * 16777619u;
            if (!*c)
                break;
        }
    return h;
}

int store_prepare(wg_store_t *s, const store_sql_t *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        store_params_t *p = &s->params[list[i].slot];
        memset(p, 0, sizeof *p);
        int rc = sqlite3_prepare_v3(s->db, list[i].sql, -1, SQLITE_PREPARE_PERSISTENT,
                                    &s->stmt[list[i].slot], NULL);
        if (rc == SQLITE_OK) {
            int count = sqlite3_bind_parameter_count(s->stmt[list[i].slot]);
            p->n = count < STORE_PARAMS_MAX ? count : STORE_PARAMS_MAX;
        }
        if (rc != SQLITE_OK) {
            char msg[256];
            wg_log(WG_LOG_ERROR, "msg=\"store prepare failed\" slot=%d sqlite=%s",
                   (int)list[i].slot, wg_log_quote(sqlite3_errmsg(s->db), msg, sizeof msg));
            return WG_EDB;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ open */

/* Appends "what: SQLite's message" to err and logs it. Returns WG_EDB. */
static int open_fail(sqlite3 *db, const char *path, const char *what, wg_buf_t *err)
{
    const char *why = db ? sqlite3_errmsg(db) : "out of memory";
    if (err)
        wg_buf_printf(err, "store %s: %s: %s", path, what, why);
    char q_path[256], q_step[64], q_why[256];
    wg_log(WG_LOG_ERROR, "msg=\"store open failed\" path=%s step=%s sqlite=%s",
           wg_log_quote(path, q_path, sizeof q_path), wg_log_quote(what, q_step, sizeof q_step),
           wg_log_quote(why, q_why, sizeof q_why));
    return WG_EDB;
}

/* Runs SQL that returns at most one integer (pragmas). */
static int exec_int(sqlite3 *db, const char *sql, int *value)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            if (value)
                *value = sqlite3_column_int(st, 0);
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = value ? SQLITE_EMPTY : SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* Creates a missing database file as 0600 before SQLite opens it: it will
 * hold instance tokens and credentials. SQLite gives its -wal and -shm files
 * the same mode. An existing file keeps its mode. */
static void create_private(const char *path)
{
    if (!strcmp(path, ":memory:") || !strncmp(path, "file:", 5))
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    /* EEXIST is the normal case; anything else SQLite reports itself */
}

/* Applies migrations[version..n) one transaction each. The version is
 * re-read inside the transaction so two processes opening one new file
 * cannot apply a step twice. */
static int migrate(sqlite3 *db, const char *path, const char *const *migrations, size_t n,
                   wg_buf_t *err)
{
    for (;;) {
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            return open_fail(db, path, "begin migration", err);
        int version = 0;
        if (exec_int(db, "PRAGMA user_version", &version) != SQLITE_OK) {
            open_fail(db, path, "read schema version", err);
            goto rollback;
        }
        if (version < 0 || (size_t)version > n) {
            if (err)
                wg_buf_printf(err,
                              "store %s: schema version %d is newer than this program knows (%zu)",
                              path, version, n);
            char q_path[256];
            wg_log(WG_LOG_ERROR, "msg=\"store schema too new\" path=%s version=%d known=%zu",
                   wg_log_quote(path, q_path, sizeof q_path), version, n);
            goto rollback;
        }
        if ((size_t)version == n) {
            if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
                return open_fail(db, path, "end migration", err);
            return 0;
        }
        if (sqlite3_exec(db, migrations[version], NULL, NULL, NULL) != SQLITE_OK) {
            char what[64];
            snprintf(what, sizeof what, "migration %d", version + 1);
            open_fail(db, path, what, err);
            goto rollback;
        }
        char bump[48];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d", version + 1);
        if (sqlite3_exec(db, bump, NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            open_fail(db, path, "commit migration", err);
            goto rollback;
        }
        char q_path[256];
        wg_log(WG_LOG_INFO, "msg=\"store migrated\" path=%s version=%d",
               wg_log_quote(path, q_path, sizeof q_path), version + 1);
    }
rollback:
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return WG_EDB;
}

/* Pragmas that must hold for every connection. */
static int configure(sqlite3 *db, const char *path, wg_buf_t *err)
{
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);
    /* the first statement that reads the file: "not a database" shows here */
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return open_fail(db, path, "set journal_mode", err);
    }
    const char *mode = (const char *)sqlite3_column_text(st, 0);
    if (strcmp(path, ":memory:") && (!mode || strcmp(mode, "wal"))) {
        char q_path[256];
        wg_log(WG_LOG_WARN, "msg=\"store not in WAL mode\" path=%s mode=%s",
               wg_log_quote(path, q_path, sizeof q_path), mode ? mode : "?");
    }
    sqlite3_finalize(st);

    int on = 0;
    if (exec_int(db, "PRAGMA foreign_keys = ON", NULL) != SQLITE_OK ||
        exec_int(db, "PRAGMA foreign_keys", &on) != SQLITE_OK)
        return open_fail(db, path, "enable foreign keys", err);
    if (on != 1) {
        if (err)
            wg_buf_printf(err, "store %s: this SQLite cannot enforce foreign keys", path);
        return WG_EDB;
    }
    if (exec_int(db, "PRAGMA synchronous = NORMAL", NULL) != SQLITE_OK)
        return open_fail(db, path, "set synchronous", err);
    /* Temporary files in memory. Every job of a group transaction is a
     * savepoint, and a savepoint keeps the first image of each page it
     * changes in a sub-journal: on disk, that was a temporary file written
     * with a system call per page (six per received message), spilled
     * once the group's images passed 64 KiB. Nothing temporary is durable,
     * so this changes no guarantee. */
    if (exec_int(db, "PRAGMA temp_store = MEMORY", NULL) != SQLITE_OK)
        return open_fail(db, path, "set temp_store", err);
    /* Checkpoint every STORE_WAL_CHECKPOINT_PAGES frames instead of SQLite's
     * 1000. A checkpoint copies each page once however often the log holds
     * it, and the hot pages (the newest message leaves, the key-id index,
     * the session records) are in most commits: with four times fewer
     * checkpoints, 4,000 sent messages copied 621 pages instead of 1,679
     * and synced 6 times instead of 30. The log file keeps at most that
     * size plus one group (journal_size_limit truncates it back after a
     * checkpoint). */
    char pragma[96];
    snprintf(pragma, sizeof pragma, "PRAGMA wal_autocheckpoint = %d", STORE_WAL_CHECKPOINT_PAGES);
    if (exec_int(db, pragma, NULL) != SQLITE_OK)
        return open_fail(db, path, "set wal_autocheckpoint", err);
    int page = 0;
    if (exec_int(db, "PRAGMA page_size", &page) != SQLITE_OK || page <= 0)
        return open_fail(db, path, "read page_size", err);
    snprintf(pragma, sizeof pragma, "PRAGMA journal_size_limit = %lld",
             (long long)STORE_WAL_CHECKPOINT_PAGES * page);
    if (exec_int(db, pragma, NULL) != SQLITE_OK)
        return open_fail(db, path, "set journal_size_limit", err);
    return 0;
}

int store_open_migrations(const char *path, const char *const *migrations, size_t n,
                          wg_store_t **out, wg_buf_t *err)
{
    if (!out)
        return WG_EINVAL;
    *out = NULL;
    if (!path) {
        if (err)
            wg_buf_append_str(err, "store: no database path");
        return WG_EINVAL;
    }
    if (sqlite3_libversion_number() < STORE_MIN_SQLITE) {
        if (err)
            wg_buf_printf(err, "store: SQLite %s is too old (need 3.37 or newer)",
                          sqlite3_libversion());
        return WG_EDB;
    }
    store_memory_install();
    create_private(path);
    wg_store_t *s = wg_calloc(1, sizeof *s);
    s->now_ms = wg_now_ms;
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                             store_vfs_name());
    if (rc != SQLITE_OK) {
        rc = open_fail(s->db, path, "open", err);
        goto done;
    }
    if ((rc = configure(s->db, path, err)) < 0)
        goto done;
    if ((rc = migrate(s->db, path, migrations, n, err)) < 0)
        goto done;
    if ((rc = store_prepare(s, transaction_sql,
                            sizeof transaction_sql / sizeof transaction_sql[0])) < 0 ||
        (rc = store_instance_prepare(s)) < 0 || (rc = store_settings_prepare(s)) < 0 ||
        (rc = store_webhook_prepare(s)) < 0 || (rc = store_websocket_prepare(s)) < 0 ||
        (rc = store_proxy_prepare(s)) < 0 || (rc = store_outbox_prepare(s)) < 0 ||
        (rc = store_session_prepare(s)) < 0 || (rc = store_signal_key_prepare(s)) < 0 ||
        (rc = store_message_prepare(s)) < 0 || (rc = store_lid_map_prepare(s)) < 0 ||
        (rc = store_contact_prepare(s)) < 0 || (rc = store_chat_prepare(s)) < 0 ||
        (rc = store_sender_key_memory_prepare(s)) < 0 ||
        (rc = store_pending_event_prepare(s)) < 0) {
        rc = open_fail(s->db, path, "prepare statements", err);
        goto done;
    }
    *out = s;
    s = NULL;
    rc = 0;
done:
    wg_store_close(s);
    return rc;
}

int wg_store_open(const char *path, wg_store_t **out, wg_buf_t *err)
{
    return store_open_migrations(path, store_migrations, store_migration_count, out, err);
}

int wg_store_close(wg_store_t *s)
{
    if (!s)
        return 0;
    int rc = 0;
    while (s->n_observers) { /* an observer may unobserve itself */
        wg_store_observer_t o = s->observers[--s->n_observers];
        if (o.closing)
            o.closing(o.ud);
    }
    store_lid_cache_free(s);
    store_contact_cache_clear(s);
    store_chat_cache_clear(s);
    for (size_t i = 0; i < STMT_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    if (sqlite3_close(s->db) != SQLITE_OK) {
        char msg[256];
        wg_log(WG_LOG_ERROR, "msg=\"store close failed\" sqlite=%s",
               wg_log_quote(sqlite3_errmsg(s->db), msg, sizeof msg));
        sqlite3_close_v2(s->db); /* let SQLite finish it when it can */
        rc = WG_EDB;
    }
    free(s);
    return rc;
}

void wg_store_set_clock(wg_store_t *s, int64_t (*now_ms)(void))
{
    s->now_ms = now_ms ? now_ms : wg_now_ms;
}

int wg_store_schema_version(wg_store_t *s)
{
    int version = -1;
    if (exec_int(s->db, "PRAGMA user_version", &version) != SQLITE_OK)
        return WG_EDB;
    return version;
}

int wg_store_schema_latest(void)
{
    return (int)store_migration_count;
}

int store_find_one(wg_store_t *s, int stmt, const char *what, const char *instance_id,
                   int (*read)(sqlite3_stmt *st, void **out), void **out)
{
    if (!out)
        return WG_EINVAL;
    *out = NULL;
    if (!instance_id)
        return WG_EINVAL;
    sqlite3_stmt *st = s->stmt[stmt];
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":instance_id", instance_id);
    int rc = b.rc ? b.rc : store_step(s, st, what);
    if (rc == 0)
        rc = WG_ENOTFOUND;
    if (rc > 0)
        rc = read(st, out);
    store_reset(st);
    return rc;
}
