/* The SQLite store of connd: instances and their 1:1 configuration rows
 * (settings, webhook, websocket, proxy), plus the session table reserved for
 * encrypted credentials. It owns the only sqlite3 handle; no SQL exists
 * outside connd/store/.
 *
 * Threading: synchronous and NOT thread-safe. One wg_store_t is used by one
 * thread at a time — in connd the background worker of core/jobs.h. It may be
 * opened on one thread and then handed to the worker before first use.
 *
 * Rows are the protobuf-c structs of proto/ipc.proto, so a row read here goes
 * straight into an IPC reply. Ownership of every row the store returns:
 * the struct, each string, each repeated-string array and each sub-message
 * is its own malloc() block. Free a row with its wg_store_*_free() (which is
 * protobuf_c_message_free_unpacked(…, NULL), the malloc/free allocator), or
 * with the generated wg__ipc__*__free_unpacked(p, NULL) — both are the same.
 * A caller may replace a field of a returned row only with a malloc'd value
 * (or NULL) and must free what it replaced. Rows passed IN are borrowed and
 * never modified unless a contract says so.
 *
 * Return codes: 0 on success, negative WG_E* on failure; SQLite failures are
 * WG_EDB and logged with SQLite's message. Unique violations are WG_EEXIST,
 * a missing row (or missing parent instance) is WG_ENOTFOUND, a row the
 * schema rejects (bad connection_status, missing required field) is
 * WG_EINVAL. Nothing here aborts on bad data; allocation failure aborts
 * (wg_alloc.h). Times are integer milliseconds since the Unix epoch. */
#ifndef WG_STORE_H
#define WG_STORE_H
#include "ipc.pb-c.h"
#include "wg_buf.h"
#include <stdint.h>

typedef struct wg_store wg_store_t;

/* ------------------------------------------------------------ lifecycle */

/* Opens (creating if needed) the database at path, or a private in-memory
 * one for ":memory:". Sets WAL, foreign_keys=ON, synchronous=NORMAL and a
 * busy timeout, applies pending schema migrations (each in one transaction)
 * and prepares every statement. A new file is created mode 0600 (it will hold
 * tokens and credentials).
 * Returns 0 and *out (free with wg_store_close), or WG_EINVAL (NULL
 * arguments), WG_EDB (cannot open, not a database, corrupt, schema newer than
 * this program, migration failed) with a one-line reason appended to err when
 * err is not NULL; *out is NULL then. */
int wg_store_open(const char *path, wg_store_t **out, wg_buf_t *err);

/* Finalizes the statements and closes the handle (the last connection's close
 * checkpoints the WAL and removes it). NULL is a no-op returning 0.
 * Returns WG_EDB (logged) if SQLite refused to close; the store is freed
 * either way and must not be used again. */
int wg_store_close(wg_store_t *s);

/* Replaces the clock used for created_at/updated_at (default wg_now_ms), so
 * tests are deterministic. now_ms NULL restores the default. */
void wg_store_set_clock(wg_store_t *s, int64_t (*now_ms)(void));

/* The schema version of the open database (PRAGMA user_version), which after
 * a successful open equals wg_store_schema_latest(); WG_EDB on failure.
 * Diagnostic: it prepares its pragma per call. */
int wg_store_schema_version(wg_store_t *s);
int wg_store_schema_latest(void);

/* ------------------------------------------------------------ transactions */

/* One job's transaction: BEGIN IMMEDIATE / COMMIT / ROLLBACK, not nestable.
 * Inside a group transaction they are a savepoint instead (see below).
 * 0 or WG_EDB; commit rolls back itself when it fails. */
int wg_store_begin(wg_store_t *s);
int wg_store_commit(wg_store_t *s);
void wg_store_rollback(wg_store_t *s);

/* Group commit (connd/core/jobs.c): the worker runs a run of queued jobs in
 * one transaction. Between group_begin and group_commit, every job-level
 * transaction (wg_store_begin and the table files' own) is a SAVEPOINT, so
 * a job that fails undoes only its writes, and nothing is durable before
 * group_commit returns 0. group_commit returns WG_EDB when SQLite ended the
 * transaction by itself (I/O, full disk) or COMMIT failed: then nothing of
 * the group was committed (writes made outside a job transaction after such
 * a failure are committed one by one, as without a group). */
int wg_store_group_begin(wg_store_t *s);
int wg_store_group_commit(wg_store_t *s);
/* 1 between group_begin and group_commit while SQLite has not ended the
 * group's transaction by itself, else 0. */
int wg_store_group_open(const wg_store_t *s);

/* ------------------------------------------------------------ observers */

/* What caches above the store (connd/signal keeps decrypted Signal records
 * of the instances the worker serves) learn of its transactions, so that
 * they never answer with what a rollback undid or a deleted instance had.
 * Every callback is optional and runs on the store's thread, inside the
 * store call that caused it:
 * - rolled_back(ud): writes made since the last durable commit may have
 *   been undone (a job's savepoint or transaction rolled back, a group's
 *   COMMIT failed, or SQLite ended a transaction by itself);
 * - committed(ud): every write made so far is durable (a top-level COMMIT,
 *   a group COMMIT);
 * - instance_gone(ud, instance_id): the instance's credentials were
 *   replaced or removed (wg_store_session_put/delete), or the instance was
 *   deleted;
 * - closing(ud): wg_store_close started; the observer must not use the
 *   store afterwards;
 * - savepoint(ud): inside a live group, a job-level transaction (a
 *   SAVEPOINT) is about to open: an observer that holds writes back for the
 *   group's end (connd/signal's session records) writes them now, at the
 *   group's own level, so that no savepoint's rollback can undo them. <0
 *   fails that begin (WG_EDB);
 * - committing(ud): a live group is about to COMMIT: the observer writes
 *   what it holds back. <0 makes the group fail (rolled back, group_commit
 *   returns WG_EDB).
 * Writes an observer holds back exist only inside a live group and while
 * no savepoint is open (wg_store_group_open). */
typedef struct {
    void (*rolled_back)(void *ud);
    void (*committed)(void *ud);
    void (*instance_gone)(void *ud, const char *instance_id);
    void (*closing)(void *ud);
    int (*savepoint)(void *ud);
    int (*committing)(void *ud);
    void *ud; /* identifies the observer */
} wg_store_observer_t;

#define WG_STORE_OBSERVERS_MAX 8

/* Adds an observer (copied). Returns 0, or WG_EINVAL (NULL arguments, or
 * WG_STORE_OBSERVERS_MAX already). */
int wg_store_observe(wg_store_t *s, const wg_store_observer_t *o);
/* Removes the observer whose ud is ud (a no-op when there is none). */
void wg_store_unobserve(wg_store_t *s, void *ud);

/* ------------------------------------------------------------ instances */

/* Inserts an instance and, in the same transaction, whichever of
 * in->settings/webhook/websocket/proxy are non-NULL (as by their upserts).
 * Required: in->name (non-empty), in->integration, in->token. in->id NULL
 * gets a fresh UUIDv4; connection_status NULL means "open" (Evolution's
 * default), else it must be open|close|connecting. created_at/updated_at are
 * set from the store clock (in's are ignored), as are the sub-rows' ids,
 * instance_ids and timestamps. The message/contact/chat counts are ignored.
 * Returns 0; WG_EEXIST when the name (or id) is taken; WG_EINVAL for a
 * missing required field or rejected value; WG_EDB. Nothing is written on
 * failure. When out is not NULL, *out receives the stored row with its
 * sub-rows (caller frees with wg_store_instance_free); on failure *out = NULL. */
int wg_store_instance_insert(wg_store_t *s, const Wg__Ipc__Instance *in, Wg__Ipc__Instance **out);

/* All instances whose client_name equals client_name (NULL: every instance),
 * oldest first, each with its 1:1 rows (NULL when absent). For startup.
 * Returns 0 and *out (possibly n_instances == 0; free with
 * wg_store_instance_list_free), or WG_EDB. */
int wg_store_instance_load_all(wg_store_t *s, const char *client_name, Wg__Ipc__InstanceList **out);

/* One instance with its 1:1 rows, by unique name or by id.
 * Returns 0 and *out (caller frees with wg_store_instance_free),
 * WG_ENOTFOUND, WG_EINVAL (NULL key) or WG_EDB; *out = NULL on failure. */
int wg_store_instance_get_by_name(wg_store_t *s, const char *name, Wg__Ipc__Instance **out);
int wg_store_instance_get_by_id(wg_store_t *s, const char *id, Wg__Ipc__Instance **out);

/* Writes the connection fields of row to the instance whose id is row->id:
 * connection_status (required, open|close|connecting), status_reason,
 * owner_jid, profile_name, profile_pic_url, disconnection_reason_code,
 * disconnection_object_json, disconnection_at_ms. Every one of them is
 * written as given: a NULL string or has_* == 0 stores NULL (so pass the
 * whole in-memory row, not a delta). All other fields of row are ignored.
 * On success sets row->updated_at_ms to the stored time (the only change
 * made to row). Returns 0, WG_ENOTFOUND (no such id), WG_EINVAL, WG_EDB. */
int wg_store_instance_update_connection(wg_store_t *s, Wg__Ipc__Instance *row);

/* Deletes the instance and, by ON DELETE CASCADE, its settings, webhook,
 * websocket, proxy and session rows (and any later per-instance table).
 * Returns 0, WG_ENOTFOUND, WG_EINVAL (NULL id) or WG_EDB. */
int wg_store_instance_delete(wg_store_t *s, const char *instance_id);

/* ------------------------------------------------------------ 1:1 rows */

/* Upserts replace every field of the row with in's (has_* == 0 or NULL
 * means the column default: false / NULL; webhook.enabled defaults to true as
 * in Evolution's schema) and set updated_at; on update the row keeps its id
 * and created_at, on insert it gets a fresh UUIDv4 id and created_at =
 * updated_at. in->id, in->instance_id and in's timestamps are ignored.
 * Webhook: in->url is required (WG_EINVAL); events are stored as a JSON array.
 * Returns 0; WG_ENOTFOUND when no instance has instance_id; WG_EINVAL;
 * WG_EDB. When out is not NULL, *out receives the stored row (caller frees);
 * on failure *out = NULL. */
int wg_store_settings_upsert(wg_store_t *s, const char *instance_id, const Wg__Ipc__Settings *in,
                             Wg__Ipc__Settings **out);
int wg_store_webhook_upsert(wg_store_t *s, const char *instance_id, const Wg__Ipc__Webhook *in,
                            Wg__Ipc__Webhook **out);
int wg_store_websocket_upsert(wg_store_t *s, const char *instance_id, const Wg__Ipc__Websocket *in,
                              Wg__Ipc__Websocket **out);
int wg_store_proxy_upsert(wg_store_t *s, const char *instance_id, const Wg__Ipc__Proxy *in,
                          Wg__Ipc__Proxy **out);

/* The row of one instance. Returns 0 and *out (caller frees), WG_ENOTFOUND
 * (no row, or no such instance), WG_EINVAL (NULL id) or WG_EDB (also for a
 * stored events value that is not a JSON array of strings); *out = NULL on
 * failure. Every has_* of a returned row is set. */
int wg_store_settings_find(wg_store_t *s, const char *instance_id, Wg__Ipc__Settings **out);
int wg_store_webhook_find(wg_store_t *s, const char *instance_id, Wg__Ipc__Webhook **out);
int wg_store_websocket_find(wg_store_t *s, const char *instance_id, Wg__Ipc__Websocket **out);
int wg_store_proxy_find(wg_store_t *s, const char *instance_id, Wg__Ipc__Proxy **out);

/* ------------------------------------------------------------ freeing rows */

/* Free a row returned by the store (see ownership above). NULL is a no-op. */
void wg_store_instance_free(Wg__Ipc__Instance *row);
void wg_store_instance_list_free(Wg__Ipc__InstanceList *list);
void wg_store_settings_free(Wg__Ipc__Settings *row);
void wg_store_webhook_free(Wg__Ipc__Webhook *row);
void wg_store_websocket_free(Wg__Ipc__Websocket *row);
void wg_store_proxy_free(Wg__Ipc__Proxy *row);

#endif
