/* findContacts and findChats (see find.h). */
#include "chat/find.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/jobs.h"
#include "store/chat.h"
#include "store/contact.h"
#include "store/message.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_time.h"

#define DEFAULT_PAGE_SIZE 100
#define MAX_ROWS 1000
#define WINDOW_MS (24LL * 3600 * 1000) /* the 24 h customer-service window */

typedef struct {
    wg_job_t job;         /* must be first */
    int chats;            /* 1 findChats, 0 findContacts */
    char *instance_id;    /* whose rows */
    char *remote_jid;     /* filter or NULL */
    int64_t ts_gte;       /* findChats, -1 none */
    int64_t ts_lte;       /* findChats, -1 none */
    int64_t offset;       /* rows skipped */
    int64_t limit;        /* rows at most */
    int64_t now_ms;       /* for windowActive */
    json_t *rows;         /* built on the worker */
    char *json;           /* the document */
    wg_chat_done_cb done; /* REST completion */
    void *ctx;            /* its argument */
} find_job_t;

static json_t *str_or_null(const char *s)
{
    json_t *j = s ? json_string(s) : NULL;
    return j ? j : json_null();
}

static json_t *iso(int64_t ms)
{
    char out[32];
    return json_string(wg_time_iso8601(ms, out));
}

static json_t *parsed(const char *text)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    return j ? j : json_null();
}

static int add_contact(void *ud, const wg_store_contact_row_t *r)
{
    find_job_t *j = ud;
    int group = strstr(r->remote_jid, "@g.us") != NULL;
    json_t *row = json_object();
    json_object_set_new(row, "id", str_or_null(r->id));
    json_object_set_new(row, "remoteJid", str_or_null(r->remote_jid));
    json_object_set_new(row, "pushName", str_or_null(r->push_name));
    json_object_set_new(row, "profilePicUrl", str_or_null(r->profile_pic_url));
    json_object_set_new(row, "createdAt", iso(r->created_at));
    json_object_set_new(row, "updatedAt", iso(r->updated_at));
    json_object_set_new(row, "instanceId", str_or_null(j->instance_id));
    json_object_set_new(row, "isGroup", json_boolean(group));
    json_object_set_new(row, "isSaved", json_true());
    json_object_set_new(row, "type", json_string(group ? "group" : "contact"));
    json_array_append_new(j->rows, row);
    return 0;
}

/* A chat row waiting for its contact and last message. */
typedef struct {
    char *remote_jid;        /* owned */
    char *name;              /* owned or NULL */
    int64_t unread;          /* unread count */
    int64_t last_message_at; /* seconds */
    int64_t updated_at;      /* ms */
} chat_row_t;

typedef struct {
    chat_row_t *rows; /* grown */
    size_t n;         /* used */
} chat_rows_t;

static int collect_chat(void *ud, const wg_store_chat_row_t *r)
{
    chat_rows_t *c = ud;
    c->rows = wg_realloc(c->rows, (c->n + 1) * sizeof *c->rows);
    chat_row_t *row = &c->rows[c->n++];
    row->remote_jid = wg_strdup(r->remote_jid);
    row->name = r->name ? wg_strdup(r->name) : NULL;
    row->unread = r->unread_count;
    row->last_message_at = r->last_message_at;
    row->updated_at = r->updated_at;
    return 0;
}

static int keep_contact(void *ud, const wg_store_contact_row_t *r)
{
    json_t **out = ud;
    *out = json_pack("{s:o,s:o,s:o}", "id", str_or_null(r->id), "pushName",
                     str_or_null(r->push_name), "profilePicUrl", str_or_null(r->profile_pic_url));
    return 1; /* the first is enough */
}

static int keep_message(void *ud, const wg_store_message_row_t *r)
{
    find_job_t *j = ((void **)ud)[0];
    json_t **out = ((void **)ud)[1];
    json_t *key = parsed(r->key_json);
    json_t *participant = json_object_get(key, "participant");
    *out = json_object();
    json_object_set_new(*out, "id", str_or_null(r->id));
    json_object_set_new(*out, "key", key);
    json_object_set_new(*out, "pushName", str_or_null(r->push_name));
    json_object_set_new(*out, "participant", participant ? json_incref(participant) : json_null());
    json_object_set_new(*out, "messageType", str_or_null(r->message_type));
    json_object_set_new(*out, "message", parsed(r->message_json));
    json_object_set_new(*out, "contextInfo", json_null());
    json_object_set_new(*out, "source", str_or_null(r->source));
    json_object_set_new(*out, "messageTimestamp", json_integer(r->message_timestamp));
    json_object_set_new(*out, "instanceId", str_or_null(j->instance_id));
    json_object_set_new(*out, "sessionId", json_null());
    json_object_set_new(*out, "status", str_or_null(r->status));
    return 1;
}

static int chat_json(wg_store_t *s, find_job_t *j, const chat_row_t *c)
{
    json_t *contact = NULL, *last = NULL;
    int rc = wg_store_contact_find(s, j->instance_id, c->remote_jid, 0, 1, keep_contact, &contact);
    if (rc < 0)
        return rc;
    wg_store_message_query_t q = {.from_me = -1, .ts_gte = -1, .ts_lte = -1, .limit = 1};
    q.remote_jid = c->remote_jid;
    void *ud[2] = {j, &last};
    int64_t total = 0;
    rc = wg_store_message_find(s, j->instance_id, &q, keep_message, ud, &total);
    if (rc < 0) {
        json_decref(contact);
        return rc;
    }
    int64_t start_ms = c->last_message_at * 1000;
    json_t *row = json_object();
    json_object_set_new(row, "id",
                        contact ? json_incref(json_object_get(contact, "id")) : json_null());
    json_object_set_new(row, "remoteJid", str_or_null(c->remote_jid));
    json_t *push = contact ? json_object_get(contact, "pushName") : NULL;
    json_object_set_new(row, "pushName",
                        push && !json_is_null(push) ? json_incref(push) : str_or_null(c->name));
    json_object_set_new(row, "profilePicUrl",
                        contact ? json_incref(json_object_get(contact, "profilePicUrl"))
                                : json_null());
    json_object_set_new(row, "updatedAt", iso(c->updated_at));
    json_object_set_new(row, "windowStart", c->last_message_at ? iso(start_ms) : json_null());
    json_object_set_new(row, "windowExpires",
                        c->last_message_at ? iso(start_ms + WINDOW_MS) : json_null());
    json_object_set_new(row, "windowActive",
                        json_boolean(c->last_message_at && j->now_ms < start_ms + WINDOW_MS));
    json_object_set_new(row, "lastMessage", last ? last : json_null());
    json_object_set_new(row, "unreadCount", json_integer(c->unread));
    json_object_set_new(row, "isSaved", json_boolean(contact != NULL));
    json_array_append_new(j->rows, row);
    json_decref(contact);
    return 0;
}

static void find_run(void *worker_ctx, wg_job_t *job)
{
    find_job_t *j = (find_job_t *)job;
    j->rows = json_array();
    if (!j->chats) {
        job->rc = wg_store_contact_find(worker_ctx, j->instance_id, j->remote_jid, j->offset,
                                        j->limit, add_contact, j);
    } else {
        chat_rows_t c = {NULL, 0};
        job->rc = wg_store_chat_find(worker_ctx, j->instance_id, j->remote_jid, j->ts_gte,
                                     j->ts_lte, j->offset, j->limit, collect_chat, &c);
        for (size_t i = 0; i < c.n; i++) {
            if (job->rc == 0)
                job->rc = chat_json(worker_ctx, j, &c.rows[i]);
            free(c.rows[i].remote_jid);
            free(c.rows[i].name);
        }
        free(c.rows);
    }
    if (job->rc == 0)
        j->json = json_dumps(j->rows, JSON_COMPACT);
}

static void find_done(wg_job_t *job)
{
    find_job_t *j = (find_job_t *)job;
    if (job->rc || !j->json)
        wg_chat_fail(j->done, j->ctx, 500, "Error: storage failed");
    else
        j->done(j->ctx, 200, j->json);
    json_decref(j->rows);
    free(j->json);
    free(j->instance_id);
    free(j->remote_jid);
    free(j);
}

static find_job_t *find_job(wg_connd_t *d, wg_instance_t *inst, const char *remote_jid,
                            wg_chat_done_cb done, void *ctx)
{
    find_job_t *j = wg_calloc(1, sizeof *j);
    j->job.run = find_run;
    j->job.done = find_done;
    j->instance_id = wg_strdup(inst->row->id);
    j->remote_jid = remote_jid && *remote_jid ? wg_strdup(remote_jid) : NULL;
    j->ts_gte = j->ts_lte = -1;
    j->now_ms = d->now_ms ? d->now_ms() : wg_now_ms();
    j->done = done;
    j->ctx = ctx;
    return j;
}

static int64_t bounded(int has, uint32_t v, int64_t dflt)
{
    int64_t n = has && v ? v : dflt;
    return n > MAX_ROWS ? MAX_ROWS : n;
}

void wg_chat_find_contacts(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__FindContactsReq *req,
                           wg_chat_done_cb done, void *ctx)
{
    find_job_t *j = find_job(d, inst, req->remote_jid, done, ctx);
    j->limit = bounded(req->has_page_size, req->page_size, DEFAULT_PAGE_SIZE);
    int64_t page = req->has_page && req->page ? req->page : 1;
    j->offset = (page - 1) * j->limit;
    wg_jobs_submit(d->jobs, &j->job);
}

void wg_chat_find_chats(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__FindChatsReq *req,
                        wg_chat_done_cb done, void *ctx)
{
    find_job_t *j = find_job(d, inst, req->remote_jid, done, ctx);
    j->chats = 1;
    j->ts_gte = req->has_ts_gte ? req->ts_gte : -1;
    j->ts_lte = req->has_ts_lte ? req->ts_lte : -1;
    j->limit = bounded(req->has_take, req->take, MAX_ROWS);
    j->offset = req->has_skip ? req->skip : 0;
    wg_jobs_submit(d->jobs, &j->job);
}
