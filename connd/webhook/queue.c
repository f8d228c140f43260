/* Per-destination delivery queue (see queue.h). Holds only small
 * bookkeeping per destination; the rows themselves stay in the store until
 * a head is picked. */
#include "webhook/queue.h"
#include "webhook/backoff.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEVER INT64_MAX

typedef struct {
    int64_t id;       /* webhook_destination id */
    int busy;         /* an attempt is in flight or its outcome is not written yet */
    int64_t check_at; /* look at the head when now >= this; NEVER = nothing pending known */
} dest_t;

typedef enum { OUT_DELIVERED, OUT_RETRY, OUT_FAILED } outcome_kind_t;

typedef struct {
    int64_t row_id;         /* outbox row */
    int64_t destination_id; /* its destination */
    outcome_kind_t kind;    /* what to write */
    int attempts;           /* attempts made, this one included */
    int status;             /* HTTP status, 0 = none */
    char *error;            /* owned, may be NULL */
} outcome_t;

struct wg_webhook_queue {
    wg_store_t *store;               /* the delivery thread's handle, borrowed */
    const wg_webhook_retry_t *retry; /* policy, borrowed */
    double (*rng)(void);             /* jitter source */
    dest_t *dests;                   /* known destinations */
    size_t n_dests, cap_dests;       /* used / allocated */
    outcome_t *outcomes;             /* recorded, not yet written */
    size_t n_outcomes, cap_outcomes; /* used / allocated */
    int rescan;                      /* ask the store for active destinations */
    size_t in_flight;                /* rows handed to start() and not finished */
};

static double sodium_unit(void)
{
    return (double)randombytes_uniform(1u << 30) / (double)(1u << 30);
}

wg_webhook_queue_t *wg_webhook_queue_new(wg_store_t *store, const wg_webhook_retry_t *retry,
                                         double (*rng)(void))
{
    wg_webhook_queue_t *q = wg_calloc(1, sizeof *q);
    q->store = store;
    q->retry = retry;
    q->rng = rng ? rng : sodium_unit;
    q->rescan = 1;
    return q;
}

void wg_webhook_queue_free(wg_webhook_queue_t *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->n_outcomes; i++)
        free(q->outcomes[i].error);
    free(q->outcomes);
    free(q->dests);
    free(q);
}

static dest_t *find_dest(wg_webhook_queue_t *q, int64_t id, int create)
{
    for (size_t i = 0; i < q->n_dests; i++)
        if (q->dests[i].id == id)
            return &q->dests[i];
    if (!create)
        return NULL;
    if (q->n_dests == q->cap_dests) {
        q->cap_dests = q->cap_dests ? q->cap_dests * 2 : 8;
        q->dests = wg_realloc(q->dests, q->cap_dests * sizeof *q->dests);
    }
    dest_t *d = &q->dests[q->n_dests++];
    d->id = id;
    d->busy = 0;
    d->check_at = NEVER;
    return d;
}

void wg_webhook_queue_touch(wg_webhook_queue_t *q, int64_t destination_id)
{
    dest_t *d = find_dest(q, destination_id, 1);
    /* a busy or waiting destination keeps its head: new rows go behind it */
    if (!d->busy && d->check_at == NEVER)
        d->check_at = 0;
}

void wg_webhook_queue_rescan(wg_webhook_queue_t *q)
{
    q->rescan = 1;
}

size_t wg_webhook_queue_in_flight(const wg_webhook_queue_t *q)
{
    return q->in_flight;
}

void wg_webhook_queue_finish(wg_webhook_queue_t *q, const wg_outbox_row_t *row, int status,
                             const char *error)
{
    if (q->n_outcomes == q->cap_outcomes) {
        q->cap_outcomes = q->cap_outcomes ? q->cap_outcomes * 2 : 16;
        q->outcomes = wg_realloc(q->outcomes, q->cap_outcomes * sizeof *q->outcomes);
    }
    outcome_t *o = &q->outcomes[q->n_outcomes++];
    o->row_id = row->id;
    o->destination_id = row->destination_id;
    o->attempts = row->attempts + 1;
    o->status = status;
    o->error = NULL;
    if (q->in_flight)
        q->in_flight--;
    if (status >= 200 && status < 300) {
        o->kind = OUT_DELIVERED;
        return;
    }
    char why[64];
    if (!error) {
        snprintf(why, sizeof why, "HTTP %d", status);
        error = why;
    }
    o->error = wg_strdup(error);
    int retry = wg_webhook_retryable(q->retry, status) && o->attempts < q->retry->max_attempts;
    o->kind = retry ? OUT_RETRY : OUT_FAILED;
    char q_err[256], q_url[256];
    wg_log(retry ? WG_LOG_WARN : WG_LOG_ERROR,
           "msg=\"%s\" instance=%s event=%s delivery=%s url=%s attempt=%d status=%d error=%s",
           retry ? "webhook attempt failed, will retry" : "webhook delivery failed",
           row->instance_name, row->event, row->delivery_id,
           wg_log_quote(row->url, q_url, sizeof q_url), o->attempts, status,
           wg_log_quote(error, q_err, sizeof q_err));
}

/* Writes one outcome; sets *check_at to when its destination is due next.
 * WG_ENOTFOUND (row gone meanwhile) counts as written. */
static int write_outcome(wg_webhook_queue_t *q, const outcome_t *o, int64_t now, int64_t *check_at)
{
    int rc;
    *check_at = 0;
    switch (o->kind) {
    case OUT_DELIVERED:
        rc = wg_store_outbox_delivered(q->store, o->row_id);
        break;
    case OUT_RETRY:
        *check_at = now + wg_webhook_backoff_ms(q->retry, o->attempts, q->rng());
        rc = wg_store_outbox_reschedule(q->store, o->row_id, o->attempts, *check_at, o->status,
                                        o->error);
        break;
    default:
        rc = wg_store_outbox_fail(q->store, o->row_id, o->attempts, now, o->status, o->error);
        break;
    }
    return rc == WG_ENOTFOUND ? 0 : rc;
}

int wg_webhook_queue_pass(wg_webhook_queue_t *q, int64_t now, wg_webhook_start_fn start, void *ctx,
                          int64_t *next_due_ms)
{
    *next_due_ms = NEVER;
    /* destination states before the pass, restored if it does not commit */
    dest_t *saved = wg_malloc((q->n_dests ? q->n_dests : 1) * sizeof *saved);
    size_t n_saved = q->n_dests;
    if (n_saved)
        memcpy(saved, q->dests, n_saved * sizeof *saved);
    wg_outbox_row_t **picked = NULL;
    size_t n_picked = 0, cap_picked = 0;
    int rescan = q->rescan;

    int rc = wg_store_outbox_begin(q->store);
    if (rc)
        goto failed;
    for (size_t i = 0; i < q->n_outcomes; i++) {
        int64_t check_at;
        if ((rc = write_outcome(q, &q->outcomes[i], now, &check_at)) < 0)
            goto failed;
        dest_t *d = find_dest(q, q->outcomes[i].destination_id, 1);
        d->busy = 0;
        d->check_at = check_at;
    }
    if (rescan) {
        int64_t *ids = NULL;
        size_t n = 0;
        if ((rc = wg_store_outbox_active(q->store, &ids, &n)) < 0)
            goto failed;
        for (size_t i = 0; i < n; i++) {
            dest_t *d = find_dest(q, ids[i], 1);
            if (!d->busy)
                d->check_at = 0;
        }
        free(ids);
    }
    for (size_t i = 0; i < q->n_dests; i++) {
        dest_t *d = &q->dests[i];
        if (d->busy || d->check_at > now)
            continue;
        wg_outbox_row_t *row = wg_calloc(1, sizeof *row);
        rc = wg_store_outbox_head(q->store, d->id, row);
        if (rc < 0) {
            free(row);
            goto failed;
        }
        if (rc == 0 || row->next_attempt_at > now) {
            d->check_at = rc == 0 ? NEVER : row->next_attempt_at;
            wg_outbox_row_clear(row);
            free(row);
            continue;
        }
        d->busy = 1;
        if (n_picked == cap_picked) {
            cap_picked = cap_picked ? cap_picked * 2 : 8;
            picked = wg_realloc(picked, cap_picked * sizeof *picked);
        }
        picked[n_picked++] = row;
    }
    if ((rc = wg_store_outbox_commit(q->store)) < 0)
        goto failed_committed;

    for (size_t i = 0; i < q->n_outcomes; i++)
        free(q->outcomes[i].error);
    q->n_outcomes = 0;
    q->rescan = 0;
    for (size_t i = 0; i < n_picked; i++) {
        q->in_flight++;
        start(ctx, picked[i]);
    }
    for (size_t i = 0; i < q->n_dests; i++)
        if (!q->dests[i].busy && q->dests[i].check_at < *next_due_ms)
            *next_due_ms = q->dests[i].check_at;
    free(picked);
    free(saved);
    return (int)n_picked;

failed:
    wg_store_outbox_rollback(q->store);
failed_committed:
    /* nothing was written: put the destinations back as they were (new ones
     * found by a rescan are dropped; the rescan flag stays set) */
    for (size_t i = 0; i < n_picked; i++) {
        wg_outbox_row_clear(picked[i]);
        free(picked[i]);
    }
    free(picked);
    if (n_saved)
        memcpy(q->dests, saved, n_saved * sizeof *saved);
    q->n_dests = n_saved;
    free(saved);
    *next_due_ms = now + 1000; /* try again soon */
    wg_log(WG_LOG_ERROR, "msg=\"webhook queue pass failed, retrying\" err=\"%s\"", wg_strerror(rc));
    return rc < 0 ? rc : WG_EDB;
}
