/* Private to connd/store/: the handle layout, the prepared-statement slots,
 * and the helpers the per-table files share. Nothing outside connd/store/
 * (and its unit tests) may include this header. */
#ifndef WG_STORE_INTERNAL_H
#define WG_STORE_INTERNAL_H
#include "store/store.h"
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* One slot per prepared statement; each table file prepares its own. */
enum store_stmt {
    STMT_BEGIN,
    STMT_COMMIT,
    STMT_ROLLBACK,
    STMT_SAVEPOINT,
    STMT_RELEASE,
    STMT_ROLLBACK_TO,
    STMT_INSTANCE_INSERT,
    STMT_INSTANCE_BY_NAME,
    STMT_INSTANCE_BY_ID,
    STMT_INSTANCE_ALL,
    STMT_INSTANCE_UPDATE_CONNECTION,
    STMT_INSTANCE_DELETE,
    STMT_SETTINGS_UPSERT,
    STMT_SETTINGS_FIND,
    STMT_WEBHOOK_UPSERT,
    STMT_WEBHOOK_FIND,
    STMT_WEBSOCKET_UPSERT,
    STMT_WEBSOCKET_FIND,
    STMT_PROXY_UPSERT,
    STMT_PROXY_FIND,
    STMT_OUTBOX_DESTINATION,
    STMT_OUTBOX_INSERT,
    STMT_OUTBOX_ACTIVE,
    STMT_OUTBOX_HEAD,
    STMT_OUTBOX_DELETE,
    STMT_OUTBOX_RESCHEDULE,
    STMT_OUTBOX_FAIL,
    STMT_OUTBOX_FAILED_LIST,
    STMT_OUTBOX_FAILED_COUNT,
    STMT_OUTBOX_RETRY_ALL,
    STMT_OUTBOX_RETRY_ONE,
    STMT_OUTBOX_PRUNE_AGE,
    STMT_OUTBOX_PRUNE_SIZE,
    STMT_OUTBOX_COUNTS,
    STMT_SESSION_GET,
    STMT_SESSION_PUT,
    STMT_SESSION_DELETE,
    STMT_SIGNAL_KEY_GET,
    STMT_SIGNAL_KEY_PUT,
    STMT_SIGNAL_KEY_UPDATE,
    STMT_SIGNAL_KEY_DELETE,
    STMT_SIGNAL_KEY_DELETE_NAME,
    STMT_SIGNAL_KEY_DEVICES,
    STMT_MESSAGE_INSERT,
    STMT_MESSAGE_STATUS,
    STMT_MESSAGE_STATUS_AT,
    STMT_MESSAGE_EXISTS,
    STMT_MESSAGE_FIND,
    STMT_MESSAGE_COUNT,
    STMT_LID_MAP_PUT,
    STMT_LID_MAP_BY_LID,
    STMT_LID_MAP_BY_PN,
    STMT_MESSAGE_CONTENT,
    STMT_CONTACT_GET,
    STMT_CONTACT_INSERT,
    STMT_CONTACT_RENAME,
    STMT_CONTACT_FIND,
    STMT_CHAT_INSERT,
    STMT_CHAT_TOUCH,
    STMT_CHAT_READ,
    STMT_CHAT_FIND,
    STMT_MESSAGE_EDIT,
    STMT_SKMEM_HAS,
    STMT_SKMEM_ADD,
    STMT_SKMEM_FORGET,
    STMT_PENDING_EVENT_ADD,
    STMT_PENDING_EVENT_DELETE,
    STMT_PENDING_EVENT_ALL,
    STMT_COUNT
};

/* The parameter indexes of one prepared statement, by the address of the
 * name a caller binds (column.c): a bind finds its index with a few pointer
 * compares instead of SQLite's scan of the names (a strlen and a strncmp
 * per parameter, for each of them). */
#define STORE_PARAMS_MAX 24
typedef struct {
    int n;                              /* parameters cached: min(count, MAX) */
    const char *name[STORE_PARAMS_MAX]; /* name[i]: a name text bound at index i + 1 */
} store_params_t;

struct wg_store {
    sqlite3 *db;                       /* the only handle; owned */
    sqlite3_stmt *stmt[STMT_COUNT];    /* prepared at open, finalized at close */
    store_params_t params[STMT_COUNT]; /* per slot, see store_params_t */
    int64_t (*now_ms)(void);           /* clock for created_at/updated_at */
    int group;                         /* inside a group transaction (wg_store_group_begin):
                                          store_begin/commit/rollback are a savepoint */
    int group_lost;                    /* SQLite rolled the group transaction back */
    int savepoint;                     /* a job's savepoint of the group is open */
    wg_store_observer_t observers[WG_STORE_OBSERVERS_MAX]; /* wg_store_observe */
    size_t n_observers;                                    /* how many */
    struct store_lid_cache *lid_cache;                     /* lid_map.c: recent lookups, or NULL */
    struct store_contact_cache *contact_cache;             /* contact.c: known rows, or NULL */
    struct store_chat_cache *chat_cache; /* chat.c: known chats, pending touches, or NULL */
};

/* A statement a table file wants prepared at open. */
typedef struct {
    enum store_stmt slot; /* where it goes in wg_store.stmt */
    const char *sql;      /* one statement, named parameters (:name) */
} store_sql_t;

/* The schema history (migrations.c): entry i moves user_version i -> i+1. */
extern const char *const store_migrations[];
extern const size_t store_migration_count;

/* ---- store.c: statements, errors, transactions */

/* wg_store_open with a given schema history; tests use it to build old
 * databases and to add a migration. */
int store_open_migrations(const char *path, const char *const *migrations, size_t n,
                          wg_store_t **out, wg_buf_t *err);

/* Prepares list[0..n) into their slots. 0 or WG_EDB (message logged). */
int store_prepare(wg_store_t *s, const store_sql_t *list, size_t n);
/* Logs SQLite's message for rc (what = operation) and maps rc to WG_E*:
 * unique/primary key -> WG_EEXIST, foreign key -> WG_ENOTFOUND,
 * check/not-null/datatype -> WG_EINVAL, anything else -> WG_EDB. */
int store_fail(wg_store_t *s, int rc, const char *what);
/* Steps a write statement to completion, then resets it and clears its
 * bindings. 0 or a store_fail() code. */
int store_exec(wg_store_t *s, sqlite3_stmt *st, const char *what);
/* Steps a query: 1 = a row is ready, 0 = no (more) rows, <0 = store_fail().
 * The caller resets the statement (store_reset) when done with it. */
int store_step(wg_store_t *s, sqlite3_stmt *st, const char *what);
/* The lookup every 1:1 table (setting, webhook, websocket, proxy) shares:
 * binds :instance_id to the prepared statement stmt, steps it and, when a
 * row exists, lets read(st, out) build it (a malloc-owned row; read returns
 * 0 or WG_EDB for a stored value it cannot decode, leaving *out NULL).
 * Returns 0, WG_ENOTFOUND, WG_EINVAL (NULL instance_id or out) or WG_EDB;
 * resets the statement. */
int store_find_one(wg_store_t *s, int stmt, const char *what, const char *instance_id,
                   int (*read)(sqlite3_stmt *st, void **out), void **out);
void store_reset(sqlite3_stmt *st);
/* A job's transaction. Inside a group transaction (wg_store_group_begin)
 * these are SAVEPOINT / RELEASE / ROLLBACK TO: the job's writes become
 * durable with the group's COMMIT, and a failed job undoes only its own. */
int store_begin(wg_store_t *s);
int store_commit(wg_store_t *s); /* rolls back itself if COMMIT fails */
void store_rollback(wg_store_t *s);
int64_t store_now(wg_store_t *s);
/* FNV-1a over instance_id and jid, each with its NUL: the slot hash of the
 * per-store row caches (contact.c, chat.c). */
uint32_t store_pair_hash(const char *instance_id, const char *jid);
/* Tell the observers (and the store's own caches) that writes since the
 * last durable commit may be undone / that everything is durable / that an
 * instance's credentials or rows went (store.h wg_store_observer_t). */
void store_notify_rolled_back(wg_store_t *s);
void store_notify_committed(wg_store_t *s);
void store_notify_instance_gone(wg_store_t *s, const char *instance_id);

/* ---- wal_writes.c: the VFS every store handle opens with (the default
 * one, each WAL frame written with one call instead of two); registered on
 * first use, thread-safe. NULL when it cannot be (then the default VFS). */
#define STORE_VFS_NAME "wagate"
const char *store_vfs_name(void);

/* ---- lid_map.c: its lookup cache, dropped on rollback and instance loss */
void store_lid_cache_clear(wg_store_t *s);
void store_lid_cache_free(wg_store_t *s);

/* ---- contact.c: its row cache, dropped (freed) on rollback, instance
 * loss and close */
void store_contact_cache_clear(wg_store_t *s);

/* ---- memory.c: SQLite's allocator, with a per-thread list of freed
 * sub-journal chunks; installed (once per process) before SQLite's first
 * use by wg_store_open. Thread-safe. */
void store_memory_install(void);

/* ---- chat.c: touches of a group written once per chat (see there) */
/* Whether a group transaction is open and alive (store.c). */
int store_group_open(wg_store_t *s);
/* Writes the pending touches: before the group's COMMIT and before any
 * other statement on chat rows. 0 or WG_EDB. */
int store_chat_flush(wg_store_t *s);
/* The job's savepoint was released: its touches join the group's. */
void store_chat_released(wg_store_t *s);
/* A rollback: of the job's savepoint (savepoint 1: its touches go, the
 * group's before it stay), or of everything (0: the cache is emptied). */
void store_chat_rolled_back(wg_store_t *s, int savepoint);
/* The instance's rows may be gone: its chats are not known any more. */
void store_chat_forget_instance(wg_store_t *s, const char *instance_id);
/* Frees the cache, pending touches included (rollback of all, close). */
void store_chat_cache_clear(wg_store_t *s);

/* ---- column.c: moving values between rows and statements */

/* Binds by parameter name and keeps the first failure, so a run of binds is
 * checked once: if (b.rc) ... A name is a string constant (":id"): its
 * address is remembered with the index it found (store_params_t). Text is
 * bound without a copy (SQLITE_STATIC): it must stay unchanged until the
 * statement is executed or reset (store_exec, store_reset, store_bind_exec
 * clear the bindings). */
typedef struct {
    wg_store_t *s;          /* for error logging */
    sqlite3_stmt *st;       /* statement being bound */
    store_params_t *params; /* its slot's index cache, or NULL */
    int rc;                 /* 0, or the first failure (WG_EDB / WG_EINVAL) */
} store_bind_t;

store_bind_t store_bind_start(wg_store_t *s, sqlite3_stmt *st);
/* Ends a run of binds on a write: when a bind failed, resets the statement and
 * returns that failure; else executes it (store_exec). */
int store_bind_exec(store_bind_t *b, const char *what);
void store_bind_text(store_bind_t *b, const char *param, const char *v); /* NULL -> NULL */
void store_bind_int64(store_bind_t *b, const char *param, int64_t v);
void store_bind_opt_int64(store_bind_t *b, const char *param, int has,
                          int64_t v); /* !has -> NULL */
void store_bind_bool(store_bind_t *b, const char *param, int has, int v, int default_v);
/* Stores events as a compact JSON array; a string that is not UTF-8 is WG_EINVAL. */
void store_bind_events(store_bind_t *b, const char *param, char *const *events, size_t n);

/* A malloc'd copy of a text column, NULL for SQL NULL. */
char *store_column_text(sqlite3_stmt *st, int col);
/* Same but "" for SQL NULL, for fields proto2 declares required. */
char *store_column_text_required(sqlite3_stmt *st, int col);
/* Parses a stored events JSON array into a malloc'd array of malloc'd
 * strings (NULL when empty). WG_EDB (logged) for anything but an array of
 * strings, with *events = NULL, *n = 0. */
int store_column_events(sqlite3_stmt *st, int col, char ***events, size_t *n);

/* ---- one file per table: prepare its statements; write a row inside the
 * caller's transaction (no read-back) with the given time as created_at /
 * updated_at. Same codes as the public upserts. */
int store_instance_prepare(wg_store_t *s);
int store_settings_prepare(wg_store_t *s);
int store_webhook_prepare(wg_store_t *s);
int store_websocket_prepare(wg_store_t *s);
int store_proxy_prepare(wg_store_t *s);
/* Prepares the outbox statements when the schema has the outbox (an older
 * history, as tests build, leaves them to outbox.c's first use). */
int store_outbox_prepare(wg_store_t *s);
/* The session table's statements (session.c). */
int store_session_prepare(wg_store_t *s);
/* Prepares the signal_key statements when the schema has the table (an
 * older history, as tests build, leaves the slots NULL: calls fail WG_EDB). */
int store_signal_key_prepare(wg_store_t *s);
/* The message table's statements (message.c), same rule as signal_key. */
int store_message_prepare(wg_store_t *s);
/* The lid_map table's statements (lid_map.c), same rule as signal_key. */
int store_lid_map_prepare(wg_store_t *s);
/* The contact and chat tables' statements (contact.c, chat.c), same rule. */
int store_contact_prepare(wg_store_t *s);
int store_chat_prepare(wg_store_t *s);
int store_sender_key_memory_prepare(wg_store_t *s);
int store_pending_event_prepare(wg_store_t *s);
int store_settings_write(wg_store_t *s, const char *instance_id, const Wg__Ipc__Settings *in,
                         int64_t now);
int store_webhook_write(wg_store_t *s, const char *instance_id, const Wg__Ipc__Webhook *in,
                        int64_t now);
int store_websocket_write(wg_store_t *s, const char *instance_id, const Wg__Ipc__Websocket *in,
                          int64_t now);
int store_proxy_write(wg_store_t *s, const char *instance_id, const Wg__Ipc__Proxy *in,
                      int64_t now);

#endif
