/* Bus subscriber -> outbox rows (see publisher.h). */
#include "webhook/publisher.h"
#include "store/outbox.h"
#include "webhook/deliverer.h"
#include "webhook/envelope.h"
#include "webhook/route.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include <stdlib.h>
#include <string.h>

typedef struct {
    wg_job_t job;            /* must be first */
    wg_webhook_t *webhook;   /* woken after the commit */
    wg_outbox_new_t rows[2]; /* the event's deliveries; strings owned */
    size_t n;                /* used rows */
    int64_t at_ms;           /* created_at */
    int64_t dest_ids[2];     /* the rows' destinations, set by run */
} outbox_job_t;

static char *dup_or_null(const char *s)
{
    return s ? wg_strdup(s) : NULL;
}

static void run(void *worker_ctx, wg_job_t *job)
{
    outbox_job_t *j = (outbox_job_t *)job;
    job->rc = wg_store_outbox_add(worker_ctx, j->rows, j->n, j->at_ms, j->dest_ids);
}

/* after the commit: the deliverer reads the rows on its own handle */
static void committed(void *worker_ctx, wg_job_t *job)
{
    outbox_job_t *j = (outbox_job_t *)job;
    (void)worker_ctx;
    wg_webhook_notify(j->webhook, j->dest_ids, j->n);
}

static void done(wg_job_t *job)
{
    outbox_job_t *j = (outbox_job_t *)job;
    if (job->rc)
        wg_log(WG_LOG_ERROR,
               "msg=\"webhook event NOT stored, it will not be delivered\" "
               "instance=%s event=%s err=\"%s\"",
               j->rows[0].instance_name, j->rows[0].event, wg_strerror(job->rc));
    for (size_t i = 0; i < j->n; i++) {
        free((char *)j->rows[i].url);
        free((char *)j->rows[i].instance_id);
        free((char *)j->rows[i].instance_name);
        free((char *)j->rows[i].event);
        free((char *)j->rows[i].headers_json);
        free((char *)j->rows[i].secret);
        if (i == 0)
            free((char *)j->rows[i].body); /* shared by every row */
    }
    free(j);
}

void wg_webhook_publisher_on_event(void *arg, const wg_event_t *ev)
{
    wg_connd_t *d = arg;
    if (!d->webhook)
        return;
    const wg_webhook_settings_t *s = wg_webhook_settings(d->webhook);
    wg_instance_t *inst = *ev->instance_id ? wg_registry_find_id(d->reg, ev->instance_id) : NULL;
    const Wg__Ipc__Instance *row = inst ? inst->row : NULL;
    wg_webhook_target_t targets[2];
    int n = wg_webhook_route(s, ev->name, row ? row->webhook : NULL, targets);
    if (n == 0)
        return;
    char *destination = wg_webhook_destination(s, ev->name, row ? row->webhook : NULL);
    char *body = wg_webhook_envelope(ev, destination, row ? row->owner_jid : NULL, s->server_url,
                                     s->expose_apikey && row ? row->token : NULL);
    free(destination);
    outbox_job_t *j = wg_calloc(1, sizeof *j);
    j->job.run = run;
    j->job.done = done;
    j->job.committed = committed;
    j->webhook = d->webhook;
    j->at_ms = ev->at_ms;
    for (int i = 0; i < n; i++) {
        wg_outbox_new_t *r = &j->rows[j->n++];
        r->url = targets[i].url;
        targets[i].url = NULL; /* moved */
        r->instance_id = wg_strdup(ev->instance_id);
        r->instance_name = wg_strdup(ev->instance_name);
        r->event = wg_strdup(ev->name);
        r->source = targets[i].source;
        r->headers_json = dup_or_null(targets[i].headers_json);
        r->secret = dup_or_null(targets[i].secret);
        r->body = body;
    }
    wg_webhook_targets_free(targets, n);
    wg_jobs_submit(d->jobs, &j->job);
}

int wg_webhook_publisher_routes(wg_connd_t *d, const char *instance_id,
                                const char *const *events, size_t n)
{
    if (!d->webhook)
        return 0;
    const wg_webhook_settings_t *s = wg_webhook_settings(d->webhook);
    wg_instance_t *inst = instance_id ? wg_registry_find_id(d->reg, instance_id) : NULL;
    const Wg__Ipc__Webhook *w = inst && inst->row ? inst->row->webhook : NULL;
    for (size_t i = 0; i < n; i++) {
        wg_webhook_target_t targets[2];
        int k = wg_webhook_route(s, events[i], w, targets);
        wg_webhook_targets_free(targets, k);
        if (k > 0)
            return 1;
    }
    return 0;
}
