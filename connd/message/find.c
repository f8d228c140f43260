/* findMessages (see find.h). */
#include "message/find.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/jobs.h"
#include "store/message.h"
#include "wg_alloc.h"
#include "wg_err.h"

#define DEFAULT_PAGE_SIZE 50
#define MAX_PAGE_SIZE 1000

typedef struct {
    wg_job_t job;                                      /* must be first */
    char *instance_id;                                 /* whose messages */
    wg_store_message_query_t q;                        /* filters (strings owned) */
    int64_t page;                                      /* 1-based */
    json_t *records;                                   /* built on the worker */
    char *json;                                        /* the document */
    void (*done)(void *ctx, int rc, const char *json); /* completion */
    void *ctx;                                         /* its argument */
} find_job_t;

static json_t *parsed(const char *text)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    return j ? j : json_null();
}

static int add_row(void *ud, const wg_store_message_row_t *r)
{
    find_job_t *j = ud;
    json_t *rec = json_object();
    json_object_set_new(rec, "id", json_string(r->id));
    json_object_set_new(rec, "key", parsed(r->key_json));
    json_object_set_new(rec, "pushName", r->push_name ? json_string(r->push_name) : json_null());
    json_object_set_new(rec, "messageType", json_string(r->message_type));
    json_object_set_new(rec, "message", parsed(r->message_json));
    json_object_set_new(rec, "messageTimestamp", json_integer(r->message_timestamp));
    json_object_set_new(rec, "instanceId", json_string(j->instance_id));
    json_object_set_new(rec, "source", json_string(r->source));
    json_object_set_new(rec, "contextInfo", json_null());
    json_object_set_new(rec, "MessageUpdate", json_pack("[{s:s}]", "status", r->status));
    json_array_append_new(j->records, rec);
    return 0;
}

static void find_run(void *worker_ctx, wg_job_t *job)
{
    find_job_t *j = (find_job_t *)job;
    int64_t total = 0;
    j->records = json_array();
    job->rc = wg_store_message_find(worker_ctx, j->instance_id, &j->q, add_row, j, &total);
    if (job->rc)
        return;
    int64_t size = j->q.limit;
    json_t *doc = json_pack("{s:{s:I,s:I,s:I,s:O}}", "messages", "total", (json_int_t)total,
                            "pages", (json_int_t)((total + size - 1) / size), "currentPage",
                            (json_int_t)j->page, "records", j->records);
    j->json = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
}

static char *dup_or_null(const char *s)
{
    return s ? wg_strdup(s) : NULL;
}

static void find_done(wg_job_t *job)
{
    find_job_t *j = (find_job_t *)job;
    j->done(j->ctx, job->rc, job->rc ? NULL : j->json);
    json_decref(j->records);
    free(j->json);
    free(j->instance_id);
    free((char *)j->q.id);
    free((char *)j->q.key_id);
    free((char *)j->q.remote_jid);
    free((char *)j->q.participant);
    free((char *)j->q.message_type);
    free(j);
}

void wg_message_find(wg_connd_t *d, const char *instance_id, const Wg__Ipc__FindMessagesReq *q,
                     void (*done)(void *ctx, int rc, const char *json), void *ctx)
{
    find_job_t *j = wg_calloc(1, sizeof *j);
    j->job.run = find_run;
    j->job.done = find_done;
    j->instance_id = wg_strdup(instance_id);
    j->done = done;
    j->ctx = ctx;
    j->q.id = dup_or_null(q->id);
    j->q.key_id = dup_or_null(q->key_id);
    j->q.remote_jid = dup_or_null(q->remote_jid);
    j->q.participant = dup_or_null(q->participant);
    j->q.message_type = dup_or_null(q->message_type);
    j->q.from_me = q->has_from_me ? (q->from_me ? 1 : 0) : -1;
    j->q.ts_gte = q->has_ts_gte ? q->ts_gte : -1;
    j->q.ts_lte = q->has_ts_lte ? q->ts_lte : -1;
    int64_t size = q->has_page_size && q->page_size ? q->page_size : DEFAULT_PAGE_SIZE;
    if (size > MAX_PAGE_SIZE)
        size = MAX_PAGE_SIZE;
    j->page = q->has_page && q->page ? q->page : 1;
    j->q.limit = size;
    j->q.offset = (j->page - 1) * size;
    wg_jobs_submit(d->jobs, &j->job);
}
