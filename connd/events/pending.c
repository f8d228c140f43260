/* Durable events: publication of pending_event rows and their deletion
 * (see pending.h). Never publishes an event twice in one run; never
 * deletes a row before its publication was queued. */
#include "events/pending.h"

#include <jansson.h>
#include <stdlib.h>

#include "store/pending_event.h"
#include "wa/ws_client.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"

/* ------------------------------------------------------------ deletion */

typedef struct {
    wg_job_t job; /* must be first */
    int64_t *ids; /* rows to delete (owned) */
    size_t n;     /* how many */
} delete_job_t;

static void delete_run(void *worker_ctx, wg_job_t *job)
{
    delete_job_t *j = (delete_job_t *)job;
    job->rc = wg_store_pending_event_delete(worker_ctx, j->ids, j->n);
}

static void delete_done(wg_job_t *job)
{
    delete_job_t *j = (delete_job_t *)job;
    if (job->rc) /* the rows stay: published again at the next start */
        wg_log(WG_LOG_WARN, "msg=\"pending events not deleted\" count=%zu err=\"%s\"", j->n,
               wg_strerror(job->rc));
    free(j->ids);
    free(j);
}

/* Takes ownership of ids. */
static void submit_delete(wg_connd_t *d, int64_t *ids, size_t n)
{
    delete_job_t *j = wg_calloc(1, sizeof *j);
    j->job.run = delete_run;
    j->job.done = delete_done;
    j->ids = ids;
    j->n = n;
    wg_jobs_submit(d->jobs, &j->job);
}

/* Every received message has its row, and a delete job per row cost a job
 * of its own on both threads (allocation, SAVEPOINT and RELEASE in the group
 * commit, a completion). The rows published in one loop turn (a drain of
 * completions holds many) now go into one delete job, submitted when the
 * turn ends (a zero-delay timer), when BATCH_MAX ids wait, when the links
 * stop (wg_pending_events_flush) or at once while the daemon stops (the loop
 * may not turn again). Submitting later than the
 * publication keeps the order pending.h promises: the job still follows the
 * outbox jobs those publications queued. */
#define BATCH_MAX 256
static struct {
    wg_connd_t *d;         /* daemon of the waiting ids */
    int64_t *ids;          /* waiting ids (owned), or NULL */
    size_t n, cap;         /* used, allocated */
    wg_wa_timer_t *flush;  /* zero-delay: the end of this loop turn */
} g_batch;

/* Submits the waiting ids as one delete job. */
static void pending_flush(void *arg)
{
    (void)arg;
    if (!g_batch.n)
        return;
    submit_delete(g_batch.d, g_batch.ids, g_batch.n);
    g_batch.ids = NULL;
    g_batch.n = g_batch.cap = 0;
}

void wg_pending_events_flush(void)
{
    pending_flush(NULL);
}

void wg_pending_event_published(wg_connd_t *d, int64_t id)
{
    if (!id || !d->jobs)
        return;
    if (g_batch.n && g_batch.d != d)
        pending_flush(NULL);
    if (g_batch.n == g_batch.cap) {
        g_batch.cap = g_batch.cap ? 2 * g_batch.cap : 16;
        g_batch.ids = wg_realloc(g_batch.ids, g_batch.cap * sizeof *g_batch.ids);
    }
    g_batch.d = d;
    g_batch.ids[g_batch.n++] = id;
    if (d->stopping || !d->loop || g_batch.n >= BATCH_MAX) {
        pending_flush(NULL);
        return;
    }
    if (!g_batch.flush)
        g_batch.flush = wg_wa_timer_new(d->loop, pending_flush, NULL);
    wg_wa_timer_set(g_batch.flush, 0);
}

/* ------------------------------------------------------------ replay */

/* One row read back, owned. */
typedef struct {
    int64_t id;          /* rowid */
    char *instance_id;   /* instance UUID */
    char *instance_name; /* its name then */
    char *name;          /* event name */
    char *data_json;     /* event data */
    int64_t at_ms;       /* original time */
} row_t;

typedef struct {
    wg_job_t job;   /* must be first */
    wg_connd_t *d;  /* for the completion */
    row_t *rows;    /* read by run */
    size_t n, cap;  /* used, allocated */
} replay_job_t;

static int collect(void *ud, const wg_store_pending_event_t *ev)
{
    replay_job_t *j = ud;
    if (j->n == j->cap) {
        j->cap = j->cap ? j->cap * 2 : 16;
        j->rows = wg_realloc(j->rows, j->cap * sizeof *j->rows);
    }
    row_t *r = &j->rows[j->n++];
    r->id = ev->id;
    r->instance_id = wg_strdup(ev->instance_id);
    r->instance_name = wg_strdup(ev->instance_name);
    r->name = wg_strdup(ev->name);
    r->data_json = wg_strdup(ev->data_json);
    r->at_ms = ev->at_ms;
    return 0;
}

static void replay_run(void *worker_ctx, wg_job_t *job)
{
    job->rc = wg_store_pending_event_each(worker_ctx, collect, job);
}

static void replay_done(wg_job_t *job)
{
    replay_job_t *j = (replay_job_t *)job;
    if (job->rc)
        wg_log(WG_LOG_ERROR, "msg=\"pending events not read; kept for the next start\" "
                             "err=\"%s\"", wg_strerror(job->rc));
    int64_t *ids = j->n ? wg_malloc(j->n * sizeof *ids) : NULL;
    size_t n_ids = 0;
    for (size_t i = 0; i < j->n; i++) {
        row_t *r = &j->rows[i];
        json_t *data = json_loads(r->data_json, 0, NULL);
        if (data) /* a row that does not parse cannot be published: dropped */
            wg_bus_publish(j->d->bus, r->name, r->instance_name, r->instance_id, data,
                           r->at_ms);
        else
            wg_log(WG_LOG_ERROR, "msg=\"pending event unreadable, dropped\" id=%lld event=%s",
                   (long long)r->id, r->name);
        ids[n_ids++] = r->id;
        free(r->instance_id);
        free(r->instance_name);
        free(r->name);
        free(r->data_json);
    }
    if (j->n)
        wg_log(WG_LOG_INFO, "msg=\"pending events published again after a restart\" count=%zu",
               j->n);
    if (n_ids)
        submit_delete(j->d, ids, n_ids); /* after the outbox jobs just queued */
    else
        free(ids);
    free(j->rows);
    free(j);
}

void wg_pending_events_replay(wg_connd_t *d)
{
    replay_job_t *j = wg_calloc(1, sizeof *j);
    j->job.run = replay_run;
    j->job.done = replay_done;
    j->job.solo = 1; /* a read: no reason to hold a write transaction */
    j->d = d;
    wg_jobs_submit(d->jobs, &j->job);
}
