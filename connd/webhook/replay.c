/* Failed-delivery list and replay as store jobs (see replay.h). */
#include "webhook/replay.h"
#include "store/outbox.h"
#include "webhook/deliverer.h"
#include "wg_alloc.h"
#include <stdlib.h>

typedef struct {
    wg_job_t job;                                                 /* must be first */
    wg_webhook_t *webhook;                                        /* woken after a replay */
    char *instance_id;                                            /* owned */
    unsigned limit;                                               /* list: how many */
    char **ids;                                                   /* retry: delivery ids, owned */
    size_t n_ids;                                                 /* their count */
    Wg__Ipc__WebhookDeliveryList *list;                           /* list: the answer */
    unsigned count;                                               /* retry: the answer */
    void (*list_cb)(void *, int, Wg__Ipc__WebhookDeliveryList *); /* list completion */
    void (*retry_cb)(void *, int, unsigned);                      /* retry completion */
    void *ctx;                                                    /* their argument */
} replay_job_t;

static void job_free(replay_job_t *j)
{
    for (size_t i = 0; i < j->n_ids; i++)
        free(j->ids[i]);
    free(j->ids);
    free(j->instance_id);
    free(j);
}

static void list_run(void *worker_ctx, wg_job_t *job)
{
    replay_job_t *j = (replay_job_t *)job;
    job->rc = wg_store_outbox_failed_list(worker_ctx, j->instance_id, j->limit, &j->list);
}

static void list_done(wg_job_t *job)
{
    replay_job_t *j = (replay_job_t *)job;
    j->list_cb(j->ctx, job->rc, j->list);
    job_free(j);
}

void wg_webhook_failed_list(wg_connd_t *d, const char *instance_id, unsigned limit,
                            void (*cb)(void *ctx, int rc, Wg__Ipc__WebhookDeliveryList *list),
                            void *ctx)
{
    replay_job_t *j = wg_calloc(1, sizeof *j);
    j->job.run = list_run;
    j->job.done = list_done;
    j->instance_id = wg_strdup(instance_id);
    j->limit = limit == 0                            ? WG_WEBHOOK_FAILED_DEFAULT_LIMIT
               : limit > WG_WEBHOOK_FAILED_MAX_LIMIT ? WG_WEBHOOK_FAILED_MAX_LIMIT
                                                     : limit;
    j->list_cb = cb;
    j->ctx = ctx;
    wg_jobs_submit(d->jobs, &j->job);
}

static void retry_run(void *worker_ctx, wg_job_t *job)
{
    replay_job_t *j = (replay_job_t *)job;
    job->rc = wg_store_outbox_retry(worker_ctx, j->instance_id, j->ids, j->n_ids, &j->count);
}

/* after the commit: the deliverer rescans on its own handle */
static void retry_committed(void *worker_ctx, wg_job_t *job)
{
    replay_job_t *j = (replay_job_t *)job;
    (void)worker_ctx;
    if (j->count)
        wg_webhook_notify(j->webhook, NULL, 0);
}

static void retry_done(wg_job_t *job)
{
    replay_job_t *j = (replay_job_t *)job;
    j->retry_cb(j->ctx, job->rc, j->count);
    job_free(j);
}

void wg_webhook_retry(wg_connd_t *d, const char *instance_id, char *const *ids, size_t n,
                      void (*cb)(void *ctx, int rc, unsigned count), void *ctx)
{
    replay_job_t *j = wg_calloc(1, sizeof *j);
    j->job.run = retry_run;
    j->job.done = retry_done;
    j->job.committed = retry_committed;
    j->webhook = d->webhook;
    j->instance_id = wg_strdup(instance_id);
    if (n) {
        j->ids = wg_calloc(n, sizeof *j->ids);
        for (size_t i = 0; i < n; i++)
            j->ids[i] = wg_strdup(ids[i] ? ids[i] : "");
        j->n_ids = n;
    }
    j->retry_cb = cb;
    j->ctx = ctx;
    wg_jobs_submit(d->jobs, &j->job);
}
