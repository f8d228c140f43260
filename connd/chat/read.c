/* markMessageAsRead and the readMessages setting (see read.h). */
#include "chat/read.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jobs.h"
#include "link/link.h"
#include "store/chat.h"
#include "store/message.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include "wg_time.h"

#define MAX_RECEIPTS 256 /* chats one request may touch */

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

size_t wg_chat_read_receipts(Wg__Ipc__ReadMessageKey *const *keys, size_t n, int64_t t,
                             wg_node_t **out, size_t max)
{
    size_t built = 0;
    char ts[24];
    snprintf(ts, sizeof ts, "%lld", (long long)t);
    for (size_t i = 0; i < n && built < max; i++) {
        const Wg__Ipc__ReadMessageKey *k = keys[i];
        if (!k || k->from_me || !k->id || !k->remote_jid)
            continue;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = keys[j] && !keys[j]->from_me && keys[j]->id && keys[j]->remote_jid &&
                   strcmp(keys[j]->remote_jid, k->remote_jid) == 0 &&
                   same(keys[j]->participant, k->participant);
        if (seen)
            continue;
        wg_node_t *r = wg_node_new("receipt");
        wg_node_set_attr(r, "id", k->id);
        wg_node_set_attr(r, "to", k->remote_jid);
        if (k->participant && *k->participant)
            wg_node_set_attr(r, "participant", k->participant);
        wg_node_set_attr(r, "type", "read");
        wg_node_set_attr(r, "t", ts);
        wg_node_t *list = NULL;
        for (size_t j = i + 1; j < n; j++) {
            const Wg__Ipc__ReadMessageKey *o = keys[j];
            if (!o || o->from_me || !o->id || !o->remote_jid ||
                strcmp(o->remote_jid, k->remote_jid) != 0 || !same(o->participant, k->participant))
                continue;
            if (!list)
                list = wg_node_add_child(r, wg_node_new("list"));
            wg_node_set_attr(wg_node_add_child(list, wg_node_new("item")), "id", o->id);
        }
        out[built++] = r;
    }
    return built;
}

/* ------------------------------------------------------------ the store side */

typedef struct {
    wg_job_t job;         /* must be first */
    char *instance_id;    /* whose rows */
    char **ids;           /* message key ids (owned) */
    size_t n_ids;         /* how many */
    char **chats;         /* chats to mark read (owned) */
    size_t n_chats;       /* how many */
    wg_chat_done_cb done; /* REST completion, or NULL */
    void *ctx;            /* its argument */
} read_job_t;

static void read_run(void *worker_ctx, wg_job_t *job)
{
    read_job_t *j = (read_job_t *)job;
    for (size_t i = 0; i < j->n_ids; i++) {
        int rc = wg_store_message_set_status(worker_ctx, j->instance_id, j->ids[i], "READ");
        if (rc == WG_EDB)
            job->rc = rc;
    }
    for (size_t i = 0; i < j->n_chats; i++) {
        int rc = wg_store_chat_read(worker_ctx, j->instance_id, j->chats[i]);
        if (rc == WG_EDB)
            job->rc = rc;
    }
}

static void read_done(wg_job_t *job)
{
    read_job_t *j = (read_job_t *)job;
    if (j->done) {
        if (job->rc)
            wg_chat_fail(j->done, j->ctx, 500, "Error: storage failed");
        else
            wg_chat_answer(j->done, j->ctx,
                           json_pack("{s:s,s:s}", "message", "Read messages", "read", "success"));
    }
    for (size_t i = 0; i < j->n_ids; i++)
        free(j->ids[i]);
    for (size_t i = 0; i < j->n_chats; i++)
        free(j->chats[i]);
    free(j->ids);
    free(j->chats);
    free(j->instance_id);
    free(j);
}

static read_job_t *read_job(const char *instance_id, size_t max)
{
    read_job_t *j = wg_calloc(1, sizeof *j);
    j->job.run = read_run;
    j->job.done = read_done;
    j->instance_id = wg_strdup(instance_id);
    j->ids = wg_calloc(max ? max : 1, sizeof *j->ids);
    j->chats = wg_calloc(max ? max : 1, sizeof *j->chats);
    return j;
}

static void add_chat(read_job_t *j, const char *chat)
{
    for (size_t i = 0; i < j->n_chats; i++)
        if (strcmp(j->chats[i], chat) == 0)
            return;
    j->chats[j->n_chats++] = wg_strdup(chat);
}

static int64_t now_s(wg_connd_t *d)
{
    return (d->now_ms ? d->now_ms() : wg_now_ms()) / 1000;
}

void wg_chat_mark_read(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__MarkReadReq *req,
                       wg_chat_done_cb done, void *ctx)
{
    uint64_t generation = 0;
    wg_wa_session_t *s = wg_link_session(d, inst->row->id, &generation, NULL);
    if (!s) {
        wg_chat_fail(done, ctx, 400, "Error: Connection Closed");
        return;
    }
    wg_node_t *receipts[MAX_RECEIPTS];
    size_t n =
        wg_chat_read_receipts(req->messages, req->n_messages, now_s(d), receipts, MAX_RECEIPTS);
    for (size_t i = 0; i < n; i++)
        wg_wa_session_send(s, receipts[i]);
    read_job_t *j = read_job(inst->row->id, req->n_messages);
    for (size_t i = 0; i < req->n_messages; i++) {
        const Wg__Ipc__ReadMessageKey *k = req->messages[i];
        if (k->from_me)
            continue;
        j->ids[j->n_ids++] = wg_strdup(k->id);
        add_chat(j, k->remote_jid);
    }
    wg_log(WG_LOG_INFO, "msg=\"read receipts sent\" instance=%s receipts=%zu messages=%zu",
           inst->row->name, n, j->n_ids);
    j->done = done;
    j->ctx = ctx;
    wg_jobs_submit(d->jobs, &j->job);
}

void wg_chat_read_one(wg_connd_t *d, const char *instance_id, const char *id, const char *chat,
                      const char *participant)
{
    uint64_t generation = 0;
    wg_wa_session_t *s = wg_link_session(d, instance_id, &generation, NULL);
    if (!s || !id || !chat)
        return;
    Wg__Ipc__ReadMessageKey k = WG__IPC__READ_MESSAGE_KEY__INIT;
    k.id = (char *)id;
    k.remote_jid = (char *)chat;
    k.participant = (char *)participant;
    Wg__Ipc__ReadMessageKey *keys[1] = {&k};
    wg_node_t *r = NULL;
    if (wg_chat_read_receipts(keys, 1, now_s(d), &r, 1) == 1)
        wg_wa_session_send(s, r);
    read_job_t *j = read_job(instance_id, 1);
    j->ids[j->n_ids++] = wg_strdup(id);
    add_chat(j, chat);
    wg_jobs_submit(d->jobs, &j->job);
}
