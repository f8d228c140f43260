/* The webhook outbox of the store: one row per delivery of one event to one
 * URL (spec evolution-api.md §4.3; durability is wagate's own). Rows are
 * written before the first attempt, deleted when delivered, and kept with
 * state "failed" after the last attempt until replayed or pruned.
 * Destinations (distinct URLs) get small integer ids; the queue order of a
 * destination is the row id order.
 *
 * Same contract as store.h: synchronous, one thread per wg_store_t, 0 or
 * negative WG_E*. In connd two handles use these functions on one database
 * file: the job worker (adds rows, lists and re-queues failed ones) and the
 * webhook delivery thread (reads heads, records outcomes, prunes); SQLite's
 * WAL mode and the busy timeout serialise their writes.
 * The statements are prepared on first use (once per handle), so a handle
 * opened with an older schema history (tests) works until it calls here. */
#ifndef WG_STORE_OUTBOX_H
#define WG_STORE_OUTBOX_H
#include "store/store.h"
#include <stdint.h>

/* One delivery to add. Every string is borrowed; headers_json and secret
 * may be NULL. */
typedef struct {
    const char *url;           /* full URL, byEvents suffix included */
    const char *instance_id;   /* instance the event concerns */
    const char *instance_name; /* its name at event time */
    const char *event;         /* dotted wire name */
    const char *source;        /* "instance" or "global" */
    const char *headers_json;  /* JSON object of custom headers, or NULL */
    const char *secret;        /* HMAC key, or NULL */
    const char *body;          /* envelope JSON, POSTed byte for byte */
} wg_outbox_new_t;

/* A queued delivery as the delivery thread needs it. Strings are malloc'd
 * and owned by the row; release with wg_outbox_row_clear(). */
typedef struct {
    int64_t id;              /* row id: the order within its destination */
    int64_t destination_id;  /* webhook_destination id */
    char *delivery_id;       /* UUIDv4 (X-Wagate-Delivery) */
    char *url;               /* destination URL */
    char *instance_name;     /* for logs */
    char *event;             /* dotted wire name */
    char *headers_json;      /* NULL when none */
    char *secret;            /* NULL when none */
    char *body;              /* envelope JSON */
    int attempts;            /* attempts made so far */
    int64_t next_attempt_at; /* not before (UTC ms); 0 = at once */
} wg_outbox_row_t;

void wg_outbox_row_clear(wg_outbox_row_t *row); /* NULL is a no-op; zeroes the row */

/* Adds rows[0..n) in one transaction (all or nothing), creating
 * destinations as needed; created_at = now_ms. When dest_ids is not NULL it
 * receives each row's destination id (array of n). Returns 0, WG_EINVAL
 * (a NULL required field, bad source) or WG_EDB. */
int wg_store_outbox_add(wg_store_t *s, const wg_outbox_new_t *rows, size_t n, int64_t now_ms,
                        int64_t *dest_ids);

/* Destinations that have pending rows. *ids is malloc'd (free()), *n its
 * length (0 with *ids NULL when none). 0 or WG_EDB. */
int wg_store_outbox_active(wg_store_t *s, int64_t **ids, size_t *n);

/* The oldest pending row of a destination (its head, due or not).
 * Returns 1 and fills *out (wg_outbox_row_clear it), 0 when the destination
 * has no pending row, or WG_EDB. */
int wg_store_outbox_head(wg_store_t *s, int64_t destination_id, wg_outbox_row_t *out);

/* Outcomes of an attempt. delivered: deletes the row. reschedule: keeps it
 * pending with attempts and next_attempt_at set. fail: state failed,
 * failed_at = now_ms. status 0 means "no HTTP response" (stored as NULL);
 * error may be NULL. Each returns 0, WG_ENOTFOUND (no such row; e.g.
 * pruned meanwhile) or WG_EDB. */
int wg_store_outbox_delivered(wg_store_t *s, int64_t id);
int wg_store_outbox_reschedule(wg_store_t *s, int64_t id, int attempts, int64_t next_attempt_at,
                               int status, const char *error);
int wg_store_outbox_fail(wg_store_t *s, int64_t id, int attempts, int64_t now_ms, int status,
                         const char *error);

/* Failed deliveries of one instance, newest first, at most limit of them,
 * as IPC rows (payload_json included); list->total counts them all.
 * Returns 0 and *out (free with wg_store_outbox_list_free), WG_EINVAL or
 * WG_EDB. */
int wg_store_outbox_failed_list(wg_store_t *s, const char *instance_id, unsigned limit,
                                Wg__Ipc__WebhookDeliveryList **out);
void wg_store_outbox_list_free(Wg__Ipc__WebhookDeliveryList *list);

/* Puts failed deliveries of an instance back in the queue (state pending,
 * attempts 0, due now; same id, so same place in its destination's order
 * and same X-Wagate-Delivery). ids NULL/n 0: every failed one; otherwise
 * only those delivery ids (unknown ids are skipped). *count receives how
 * many rows changed. 0, WG_EINVAL or WG_EDB. */
int wg_store_outbox_retry(wg_store_t *s, const char *instance_id, char *const *ids, size_t n,
                          unsigned *count);

/* Deletes failed rows that failed before older_than_ms, then the oldest
 * failed rows beyond max_failed. Pending rows are never pruned.
 * *removed (may be NULL) receives the count. 0 or WG_EDB. */
int wg_store_outbox_prune(wg_store_t *s, int64_t older_than_ms, int64_t max_failed,
                          int64_t *removed);

/* Row counts by state (diagnostics and tests). 0 or WG_EDB. */
int wg_store_outbox_counts(wg_store_t *s, int64_t *pending, int64_t *failed);

/* A transaction around several calls above (the delivery thread batches
 * one scheduling pass). begin: BEGIN IMMEDIATE. commit rolls back itself
 * when COMMIT fails. 0 or WG_EDB. */
int wg_store_outbox_begin(wg_store_t *s);
int wg_store_outbox_commit(wg_store_t *s);
void wg_store_outbox_rollback(wg_store_t *s);

#endif
