/* The webhook_outbox and webhook_destination tables (see outbox.h). Owns
 * their SQL; it must never decide delivery policy (when to retry, what
 * counts as success) — the webhook queue does. */
#include "store/outbox.h"
#include "store/store_internal.h"
#include "store/uuid.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include <stdlib.h>
#include <string.h>

static const store_sql_t outbox_sql[] = {
    {STMT_OUTBOX_DESTINATION, "INSERT INTO webhook_destination (url) VALUES (:url)"
                              " ON CONFLICT (url) DO UPDATE SET url = excluded.url RETURNING id"},
    {STMT_OUTBOX_INSERT,
     "INSERT INTO webhook_outbox (delivery_id, destination_id, instance_id, instance_name, event,"
     " source, headers, secret, body, created_at)"
     " VALUES (:delivery_id, :destination_id, :instance_id, :instance_name, :event, :source,"
     " :headers, :secret, :body, :now)"},
    {STMT_OUTBOX_ACTIVE,
     "SELECT DISTINCT destination_id FROM webhook_outbox WHERE state = 'pending'"},
    {STMT_OUTBOX_HEAD,
     "SELECT o.id, o.destination_id, o.delivery_id, d.url, o.instance_name, o.event, o.headers,"
     " o.secret, o.body, o.attempts, o.next_attempt_at"
     " FROM webhook_outbox o JOIN webhook_destination d ON d.id = o.destination_id"
     " WHERE o.destination_id = :destination_id AND o.state = 'pending'"
     " ORDER BY o.id LIMIT 1"},
    {STMT_OUTBOX_DELETE, "DELETE FROM webhook_outbox WHERE id = :id"},
    {STMT_OUTBOX_RESCHEDULE,
     "UPDATE webhook_outbox SET attempts = :attempts, next_attempt_at = :next,"
     " last_status = :status, last_error = :error WHERE id = :id AND state = 'pending'"},
    {STMT_OUTBOX_FAIL,
     "UPDATE webhook_outbox SET state = 'failed', attempts = :attempts, failed_at = :now,"
     " last_status = :status, last_error = :error WHERE id = :id AND state = 'pending'"},
    {STMT_OUTBOX_FAILED_LIST,
     "SELECT o.delivery_id, o.event, d.url, o.source, o.state, o.attempts, o.last_status,"
     " o.last_error, o.created_at, o.failed_at, o.body"
     " FROM webhook_outbox o JOIN webhook_destination d ON d.id = o.destination_id"
     " WHERE o.instance_id = :instance_id AND o.state = 'failed'"
     " ORDER BY o.id DESC LIMIT :limit"},
    {STMT_OUTBOX_FAILED_COUNT,
     "SELECT count(*) FROM webhook_outbox WHERE instance_id = :instance_id AND state = 'failed'"},
    {STMT_OUTBOX_RETRY_ALL,
     "UPDATE webhook_outbox SET state = 'pending', attempts = 0, next_attempt_at = 0,"
     " failed_at = NULL WHERE instance_id = :instance_id AND state = 'failed'"},
    {STMT_OUTBOX_RETRY_ONE,
     "UPDATE webhook_outbox SET state = 'pending', attempts = 0, next_attempt_at = 0,"
     " failed_at = NULL"
     " WHERE instance_id = :instance_id AND state = 'failed' AND delivery_id = :delivery_id"},
    {STMT_OUTBOX_PRUNE_AGE,
     "DELETE FROM webhook_outbox WHERE state = 'failed' AND failed_at < :before"},
    {STMT_OUTBOX_PRUNE_SIZE,
     "DELETE FROM webhook_outbox WHERE id IN (SELECT id FROM webhook_outbox"
     " WHERE state = 'failed' ORDER BY failed_at DESC, id DESC LIMIT -1 OFFSET :keep)"},
    {STMT_OUTBOX_COUNTS, "SELECT (SELECT count(*) FROM webhook_outbox WHERE state = 'pending'),"
                         " (SELECT count(*) FROM webhook_outbox WHERE state = 'failed')"},
};

int store_outbox_prepare(wg_store_t *s)
{
    if (sqlite3_table_column_metadata(s->db, "main", "webhook_outbox", "id", NULL, NULL, NULL, NULL,
                                      NULL) != SQLITE_OK)
        return 0;
    return store_prepare(s, outbox_sql, sizeof outbox_sql / sizeof outbox_sql[0]);
}

/* The statement of a slot (prepared at open, or here on first use when the
 * handle was opened before the outbox existed). NULL (logged) on failure. */
static sqlite3_stmt *stmt(wg_store_t *s, enum store_stmt slot)
{
    if (s->stmt[slot])
        return s->stmt[slot];
    for (size_t i = 0; i < sizeof outbox_sql / sizeof outbox_sql[0]; i++)
        if (outbox_sql[i].slot == slot && store_prepare(s, &outbox_sql[i], 1) == 0)
            return s->stmt[slot];
    return NULL;
}

void wg_outbox_row_clear(wg_outbox_row_t *row)
{
    if (!row)
        return;
    free(row->delivery_id);
    free(row->url);
    free(row->instance_name);
    free(row->event);
    free(row->headers_json);
    free(row->secret);
    free(row->body);
    memset(row, 0, sizeof *row);
}

int wg_store_outbox_begin(wg_store_t *s)
{
    return store_begin(s);
}

int wg_store_outbox_commit(wg_store_t *s)
{
    return store_commit(s);
}

void wg_store_outbox_rollback(wg_store_t *s)
{
    store_rollback(s);
}

/* ------------------------------------------------------------ adding */

static int destination_id(wg_store_t *s, const char *url, int64_t *id)
{
    sqlite3_stmt *st = stmt(s, STMT_OUTBOX_DESTINATION);
    if (!st)
        return WG_EDB;
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":url", url);
    int rc = b.rc ? b.rc : store_step(s, st, "outbox destination");
    if (rc == 1) {
        *id = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = WG_EDB; /* RETURNING always yields the row */
    }
    store_reset(st);
    return rc;
}

static int insert_one(wg_store_t *s, const wg_outbox_new_t *r, int64_t dest, int64_t now)
{
    if (!r->url || !r->instance_id || !r->instance_name || !r->event || !r->source || !r->body)
        return WG_EINVAL;
    sqlite3_stmt *st = stmt(s, STMT_OUTBOX_INSERT);
    if (!st)
        return WG_EDB;
    char delivery_id[WG_UUID_STRLEN + 1];
    wg_uuid_v7(delivery_id);
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":delivery_id", delivery_id);
    store_bind_int64(&b, ":destination_id", dest);
    store_bind_text(&b, ":instance_id", r->instance_id);
    store_bind_text(&b, ":instance_name", r->instance_name);
    store_bind_text(&b, ":event", r->event);
    store_bind_text(&b, ":source", r->source);
    store_bind_text(&b, ":headers", r->headers_json);
    store_bind_text(&b, ":secret", r->secret);
    store_bind_text(&b, ":body", r->body);
    store_bind_int64(&b, ":now", now);
    return store_bind_exec(&b, "outbox insert");
}

int wg_store_outbox_add(wg_store_t *s, const wg_outbox_new_t *rows, size_t n, int64_t now_ms,
                        int64_t *dest_ids)
{
    if (!s || (!rows && n))
        return WG_EINVAL;
    if (n == 0)
        return 0;
    int rc = store_begin(s);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        int64_t dest = 0;
        if (!rows[i].url) {
            rc = WG_EINVAL;
            break;
        }
        if ((rc = destination_id(s, rows[i].url, &dest)) < 0)
            break;
        if ((rc = insert_one(s, &rows[i], dest, now_ms)) < 0)
            break;
        if (dest_ids)
            dest_ids[i] = dest;
    }
    if (rc < 0) {
        store_rollback(s);
        return rc;
    }
    return store_commit(s);
}

/* ------------------------------------------------------------ the queue */

int wg_store_outbox_active(wg_store_t *s, int64_t **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *st = stmt(s, STMT_OUTBOX_ACTIVE);
    if (!st)
        return WG_EDB;
    size_t cap = 0;
    int rc;
    while ((rc = store_step(s, st, "outbox active")) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *ids = wg_realloc(*ids, cap * sizeof **ids);
        }
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    store_reset(st);
    if (rc < 0) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return rc < 0 ? rc : 0;
}

/* Column order of STMT_OUTBOX_HEAD. */
enum {
    HEAD_ID,
    HEAD_DESTINATION_ID,
    HEAD_DELIVERY_ID,
    HEAD_URL,
    HEAD_INSTANCE_NAME,
    HEAD_EVENT,
    HEAD_HEADERS,
    HEAD_SECRET,
    HEAD_BODY,
    HEAD_ATTEMPTS,
    HEAD_NEXT_ATTEMPT_AT,
};

int wg_store_outbox_head(wg_store_t *s, int64_t destination_id, wg_outbox_row_t *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = stmt(s, STMT_OUTBOX_HEAD);
    if (!st)
        return WG_EDB;
    store_bind_t b = store_bind_start(s, st);
    store_bind_int64(&b, ":destination_id", destination_id);
    int rc = b.rc ? b.rc : store_step(s, st, "outbox head");
    if (rc == 1) {
        out->id = sqlite3_column_int64(st, HEAD_ID);
        out->destination_id = sqlite3_column_int64(st, HEAD_DESTINATION_ID);
        out->delivery_id = store_column_text_required(st, HEAD_DELIVERY_ID);
        out->url = store_column_text_required(st, HEAD_URL);
        out->instance_name = store_column_text_required(st, HEAD_INSTANCE_NAME);
        out->event = store_column_text_required(st, HEAD_EVENT);
        out->headers_json = store_column_text(st, HEAD_HEADERS);
        out->secret = store_column_text(st, HEAD_SECRET);
        out->body = store_column_text_required(st, HEAD_BODY);
        out->attempts = sqlite3_column_int(st, HEAD_ATTEMPTS);
        out->next_attempt_at = sqlite3_column_int64(st, HEAD_NEXT_ATTEMPT_AT);
    }
    store_reset(st);
    return rc;
}

/* Runs an UPDATE/DELETE of one row; WG_ENOTFOUND when it changed nothing. */
static int change_one(wg_store_t *s, sqlite3_stmt *st, store_bind_t *b, const char *what)
{
    if (b->rc) {
        store_reset(st);
        return b->rc;
    }
    int rc = store_exec(s, st, what);
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        rc = WG_ENOTFOUND;
    return rc;
}

int wg_store_outbox_delivered(wg_store_t *s, int64_t id)
{
    sqlite3_stmt *st = stmt(s, STMT_OUTBOX_DELETE);
    if (!st)
        return WG_EDB;
    store_bind_t b = store_bind_start(s, st);
    store_bind_int64(&b, ":id", id);
    return change_one(s, st, &b, "outbox delivered");
}

static void bind_outcome(store_bind_t *b, int64_t id, int attempts, int status, const char *error)
{
    store_bind_int64(b, ":id", id);
    store_bind_int64(b, ":attempts", attempts);
    store_bind_opt_int64(b, ":status", status > 0, status);
    store_bind_text(b, ":error", error);
}

int wg_store_outbox_reschedule(wg_store_t *s, int64_t id, int attempts, int64_t next_attempt_at,
                               int status, const char *error)
{
    sqlite3_stmt *st = stmt(s, STMT_OUTBOX_RESCHEDULE);
    if (!st)
        return WG_EDB;
    store_bind_t b = store_bind_start(s, st);
    bind_outcome(&b, id, attempts, status, error);
    store_bind_int64(&b, ":next", next_attempt_at);
    return change_one(s, st, &b, "outbox reschedule");
}

int wg_store_outbox_fail(wg_store_t *s, int64_t id, int attempts, int64_t now_ms, int status,
                         const char *error)
{
    sqlite3_stmt *st = stmt(s, STMT_OUTBOX_FAIL);
    if (!st)
        return WG_EDB;
    store_bind_t b = store_bind_start(s, st);
    bind_outcome(&b, id, attempts, status, error);
    store_bind_int64(&b, ":now", now_ms);
    return change_one(s, st, &b, "outbox fail");
}

/* ------------------------------------------------------------ failed */

/* Column order of STMT_OUTBOX_FAILED_LIST. */
enum {
    LIST_DELIVERY_ID,
    LIST_EVENT,
    LIST_URL,
    LIST_SOURCE,
    LIST_STATE,
    LIST_ATTEMPTS,
    LIST_LAST_STATUS,
    LIST_LAST_ERROR,
    LIST_CREATED_AT,
    LIST_FAILED_AT,
    LIST_BODY,
};

static Wg__Ipc__WebhookDelivery *list_row(sqlite3_stmt *st)
{
    Wg__Ipc__WebhookDelivery *d = wg_malloc(sizeof *d);
    wg__ipc__webhook_delivery__init(d);
    d->id = store_column_text_required(st, LIST_DELIVERY_ID);
    d->event = store_column_text_required(st, LIST_EVENT);
    d->url = store_column_text_required(st, LIST_URL);
    d->source = store_column_text_required(st, LIST_SOURCE);
    d->state = store_column_text_required(st, LIST_STATE);
    d->attempts = (uint32_t)sqlite3_column_int(st, LIST_ATTEMPTS);
    if (sqlite3_column_type(st, LIST_LAST_STATUS) != SQLITE_NULL) {
        d->has_last_status = 1;
        d->last_status = sqlite3_column_int(st, LIST_LAST_STATUS);
    }
    d->last_error = store_column_text(st, LIST_LAST_ERROR);
    d->created_at_ms = sqlite3_column_int64(st, LIST_CREATED_AT);
    if (sqlite3_column_type(st, LIST_FAILED_AT) != SQLITE_NULL) {
        d->has_failed_at_ms = 1;
        d->failed_at_ms = sqlite3_column_int64(st, LIST_FAILED_AT);
    }
    d->payload_json = store_column_text(st, LIST_BODY);
    return d;
}

int wg_store_outbox_failed_list(wg_store_t *s, const char *instance_id, unsigned limit,
                                Wg__Ipc__WebhookDeliveryList **out)
{
    if (!out)
        return WG_EINVAL;
    *out = NULL;
    if (!instance_id)
        return WG_EINVAL;
    sqlite3_stmt *count = stmt(s, STMT_OUTBOX_FAILED_COUNT);
    sqlite3_stmt *st = stmt(s, STMT_OUTBOX_FAILED_LIST);
    if (!count || !st)
        return WG_EDB;
    Wg__Ipc__WebhookDeliveryList *list = wg_malloc(sizeof *list);
    wg__ipc__webhook_delivery_list__init(list);
    store_bind_t b = store_bind_start(s, count);
    store_bind_text(&b, ":instance_id", instance_id);
    int rc = b.rc ? b.rc : store_step(s, count, "outbox failed count");
    if (rc == 1) {
        list->has_total = 1;
        list->total = (uint32_t)sqlite3_column_int64(count, 0);
    }
    store_reset(count);
    if (rc < 0)
        goto done;
    b = store_bind_start(s, st);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_int64(&b, ":limit", limit);
    if ((rc = b.rc) < 0) {
        store_reset(st);
        goto done;
    }
    size_t cap = 0;
    while ((rc = store_step(s, st, "outbox failed list")) == 1) {
        if (list->n_deliveries == cap) {
            cap = cap ? cap * 2 : 16;
            list->deliveries = wg_realloc(list->deliveries, cap * sizeof *list->deliveries);
        }
        list->deliveries[list->n_deliveries++] = list_row(st);
    }
    store_reset(st);
done:
    if (rc < 0) {
        wg_store_outbox_list_free(list);
        return rc;
    }
    *out = list;
    return 0;
}

void wg_store_outbox_list_free(Wg__Ipc__WebhookDeliveryList *list)
{
    if (list)
        protobuf_c_message_free_unpacked(&list->base, NULL);
}

int wg_store_outbox_retry(wg_store_t *s, const char *instance_id, char *const *ids, size_t n,
                          unsigned *count)
{
    if (count)
        *count = 0;
    if (!instance_id || (n && !ids))
        return WG_EINVAL;
    int rc = store_begin(s);
    if (rc)
        return rc;
    unsigned changed = 0;
    for (size_t i = 0; i < (n ? n : 1); i++) {
        sqlite3_stmt *st = stmt(s, n ? STMT_OUTBOX_RETRY_ONE : STMT_OUTBOX_RETRY_ALL);
        if (!st) {
            rc = WG_EDB;
            break;
        }
        store_bind_t b = store_bind_start(s, st);
        store_bind_text(&b, ":instance_id", instance_id);
        if (n)
            store_bind_text(&b, ":delivery_id", ids[i] ? ids[i] : "");
        if ((rc = b.rc) < 0) {
            store_reset(st);
            break;
        }
        if ((rc = store_exec(s, st, "outbox retry")) < 0)
            break;
        changed += (unsigned)sqlite3_changes(s->db);
    }
    if (rc < 0) {
        store_rollback(s);
        return rc;
    }
    if ((rc = store_commit(s)) < 0)
        return rc;
    if (count)
        *count = changed;
    return 0;
}

int wg_store_outbox_prune(wg_store_t *s, int64_t older_than_ms, int64_t max_failed,
                          int64_t *removed)
{
    if (removed)
        *removed = 0;
    sqlite3_stmt *age = stmt(s, STMT_OUTBOX_PRUNE_AGE);
    sqlite3_stmt *size = stmt(s, STMT_OUTBOX_PRUNE_SIZE);
    if (!age || !size)
        return WG_EDB;
    store_bind_t b = store_bind_start(s, age);
    store_bind_int64(&b, ":before", older_than_ms);
    int rc = b.rc ? (store_reset(age), b.rc) : store_exec(s, age, "outbox prune age");
    if (rc < 0)
        return rc;
    int64_t total = sqlite3_changes(s->db);
    b = store_bind_start(s, size);
    store_bind_int64(&b, ":keep", max_failed < 0 ? 0 : max_failed);
    rc = b.rc ? (store_reset(size), b.rc) : store_exec(s, size, "outbox prune size");
    if (rc < 0)
        return rc;
    total += sqlite3_changes(s->db);
    if (removed)
        *removed = total;
    return 0;
}

int wg_store_outbox_counts(wg_store_t *s, int64_t *pending, int64_t *failed)
{
    sqlite3_stmt *st = stmt(s, STMT_OUTBOX_COUNTS);
    if (!st)
        return WG_EDB;
    int rc = store_step(s, st, "outbox counts");
    if (rc == 1) {
        if (pending)
            *pending = sqlite3_column_int64(st, 0);
        if (failed)
            *failed = sqlite3_column_int64(st, 1);
        rc = 0;
    } else if (rc == 0) {
        rc = WG_EDB;
    }
    store_reset(st);
    return rc;
}
