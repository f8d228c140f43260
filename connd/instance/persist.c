/* Instance persistence as worker jobs (see persist.h). The only file of
 * connd/instance that calls the store. */
#include "instance/persist.h"
#include "store/store.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include <stdlib.h>

typedef enum { OP_INSERT, OP_DELETE, OP_CONNECTION, OP_CONFIG } op_t;

typedef struct {
    wg_job_t job;               /* must be first */
    op_t op;                    /* what run() does */
    wg_persist_kind_t kind;     /* for OP_CONFIG */
    char *instance_id;          /* for OP_DELETE / OP_CONFIG */
    ProtobufCMessage *input;    /* clone handed to the worker */
    ProtobufCMessage *stored;   /* the store's answer, handed to cb */
    wg_persist_cb cb;           /* loop-thread completion */
    void *ctx;                  /* its argument */
} persist_job_t;

static void run(void *worker_ctx, wg_job_t *job)
{
    wg_store_t *store = worker_ctx;
    persist_job_t *pj = (persist_job_t *)job;
    switch (pj->op) {
    case OP_INSERT: {
        Wg__Ipc__Instance *out = NULL;
        job->rc = wg_store_instance_insert(store, (Wg__Ipc__Instance *)pj->input, &out);
        pj->stored = out ? &out->base : NULL;
        break;
    }
    case OP_DELETE:
        job->rc = wg_store_instance_delete(store, pj->instance_id);
        break;
    case OP_CONNECTION:
        job->rc = wg_store_instance_update_connection(store, (Wg__Ipc__Instance *)pj->input);
        break;
    case OP_CONFIG: {
        void *out = NULL;
        switch (pj->kind) {
        case WG_PERSIST_SETTINGS:
            job->rc = wg_store_settings_upsert(store, pj->instance_id,
                                               (Wg__Ipc__Settings *)pj->input,
                                               (Wg__Ipc__Settings **)&out);
            break;
        case WG_PERSIST_WEBHOOK:
            job->rc = wg_store_webhook_upsert(store, pj->instance_id, (Wg__Ipc__Webhook *)pj->input,
                                              (Wg__Ipc__Webhook **)&out);
            break;
        case WG_PERSIST_WEBSOCKET:
            job->rc = wg_store_websocket_upsert(store, pj->instance_id,
                                                (Wg__Ipc__Websocket *)pj->input,
                                                (Wg__Ipc__Websocket **)&out);
            break;
        case WG_PERSIST_PROXY:
            job->rc = wg_store_proxy_upsert(store, pj->instance_id, (Wg__Ipc__Proxy *)pj->input,
                                            (Wg__Ipc__Proxy **)&out);
            break;
        }
        pj->stored = out;
        break;
    }
    }
}

static void done(wg_job_t *job)
{
    persist_job_t *pj = (persist_job_t *)job;
    if (pj->cb)
        pj->cb(pj->ctx, job->rc, pj->stored);
    else
        wg_pb_free(pj->stored);
    wg_pb_free(pj->input);
    free(pj->instance_id);
    free(pj);
}

static void submit(wg_connd_t *d, op_t op, const char *instance_id, const ProtobufCMessage *input,
                   wg_persist_cb cb, void *ctx, wg_persist_kind_t kind)
{
    persist_job_t *pj = wg_calloc(1, sizeof *pj);
    pj->job.run = run;
    pj->job.done = done;
    pj->op = op;
    pj->kind = kind;
    pj->instance_id = wg_strdup(instance_id);
    pj->input = input ? wg_pb_clone(input) : NULL;
    pj->cb = cb;
    pj->ctx = ctx;
    wg_jobs_submit(d->jobs, &pj->job);
}

void wg_persist_insert(wg_connd_t *d, const Wg__Ipc__Instance *row, wg_persist_cb cb, void *ctx)
{
    submit(d, OP_INSERT, NULL, &row->base, cb, ctx, 0);
}

void wg_persist_delete(wg_connd_t *d, const char *instance_id, wg_persist_cb cb, void *ctx)
{
    submit(d, OP_DELETE, instance_id, NULL, cb, ctx, 0);
}

void wg_persist_connection(wg_connd_t *d, const Wg__Ipc__Instance *row, wg_persist_cb cb,
                           void *ctx)
{
    submit(d, OP_CONNECTION, NULL, &row->base, cb, ctx, 0);
}

void wg_persist_config(wg_connd_t *d, wg_persist_kind_t kind, const char *instance_id,
                       const ProtobufCMessage *msg, wg_persist_cb cb, void *ctx)
{
    submit(d, OP_CONFIG, instance_id, msg, cb, ctx, kind);
}
