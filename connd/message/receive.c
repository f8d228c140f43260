/* The receive job (see receive.h). Never logs message contents or keys. */
#include "message/receive.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "signal/signal.h"
#include "store/message.h"
#include "wa/message.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"

struct wg_receive_job {
    wg_job_t job;                            /* must be first */
    char *instance_id;                       /* owner of the row (owned) */
    char *instance_name;                     /* for the event (owned) */
    wg_wa_creds_t creds;                     /* copy; wiped on free */
    uint8_t vault_key[32];                   /* copy; wiped on free */
    wg_buf_t node_bytes;                     /* the stanza, encoded (decoded again on the worker) */
    uint64_t generation;                     /* handed back */
    wg_receive_finish_cb finish;             /* loop-thread completion */
    void *ctx;                               /* its argument */
    wg_receive_outcome_t outcome;            /* result */
    char *id, *to, *participant, *recipient; /* receipt addressing (owned) */
    const char *receipt_type;                /* static string or NULL */
    const char *ack_error;                   /* static string or NULL */
    json_t *event;                           /* messages.upsert data when STORED */
};

const char *wg_receive_source_of(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 20 && strncmp(id, "3A", 2) == 0)
        return "ios";
    if (n == 22 && strncmp(id, "3E", 2) == 0)
        return "web";
    if (n == 21 || n == 32)
        return "android";
    if ((n >= 2 && strncmp(id, "3F", 2) == 0) || n == 18)
        return "desktop";
    return "unknown";
}

/* ------------------------------------------------------------ messageRaw */

/* Evolution's messageRaw (evolution-api.md §3.1, §4.1) for an incoming
 * message; extendedTextMessage is normalised to conversation, its
 * contextInfo lifted beside the message as Evolution does. */
static json_t *message_raw(const wg_wa_msg_in_t *in, wg_wa_msg_content_t *c,
                           const char *instance_id, json_t **key_out, json_t **message_out)
{
    json_t *key = json_object();
    json_object_set_new(key, "remoteJid", json_string(in->chat));
    json_object_set_new(key, "fromMe", json_boolean(in->from_me));
    json_object_set_new(key, "id", json_string(in->id));
    if (in->participant && in->is_group)
        json_object_set_new(key, "participant", json_string(in->participant));
    if (in->chat_alt[0])
        json_object_set_new(key, "remoteJidAlt", json_string(in->chat_alt));
    if (in->addressing_mode)
        json_object_set_new(key, "addressingMode", json_string(in->addressing_mode));
    json_t *message = json_incref(c->message);
    json_t *context = NULL;
    const char *type = c->message_type;
    json_t *ext = json_object_get(message, "extendedTextMessage");
    if (ext && json_is_string(json_object_get(ext, "text"))) {
        context = json_incref(json_object_get(ext, "contextInfo"));
        json_t *norm = json_deep_copy(message);
        json_object_del(norm, "extendedTextMessage");
        json_object_set(norm, "conversation", json_object_get(ext, "text"));
        json_decref(message);
        message = norm;
        type = "conversation";
    }
    json_t *raw = json_object();
    json_object_set(raw, "key", key);
    json_t *push_name = in->push_name ? json_string(in->push_name) : NULL; /* NULL: not UTF-8 */
    json_object_set_new(raw, "pushName", push_name ? push_name : json_string(""));
    json_object_set_new(raw, "status", json_string("DELIVERY_ACK"));
    json_object_set(raw, "message", message);
    if (context)
        json_object_set_new(raw, "contextInfo", context);
    json_object_set_new(raw, "messageType", json_string(type));
    json_object_set_new(raw, "messageTimestamp", json_integer(in->t));
    json_object_set_new(raw, "instanceId", json_string(instance_id));
    json_object_set_new(raw, "source", json_string(wg_receive_source_of(in->id)));
    *key_out = key;
    *message_out = message;
    return raw;
}

/* ------------------------------------------------------------ the commit step */

typedef struct {
    wg_receive_job_t *j;      /* the job */
    wg_store_t *store;        /* the worker's store */
    const wg_wa_msg_in_t *in; /* the stanza */
} commit_t;

/* Decodes the message and inserts its row; runs inside the Signal
 * transaction for <enc>, alone for <plaintext>. 0 or WG_E* (rolls back). */
static int store_message(void *ud, const uint8_t *p, size_t len)
{
    commit_t *c = ud;
    wg_wa_msg_content_t content;
    int rc = wg_wa_msg_decode(p, len, &content);
    if (rc)
        return rc;
    json_t *key = NULL, *message = NULL;
    json_t *raw = message_raw(c->in, &content, c->j->instance_id, &key, &message);
    char *key_json = json_dumps(key, JSON_COMPACT);
    char *message_json = json_dumps(message, JSON_COMPACT);
    wg_store_message_t row = {
        .key_id = c->in->id,
        .remote_jid = c->in->chat,
        .from_me = c->in->from_me,
        .participant = c->in->is_group ? c->in->participant : NULL,
        .push_name = c->in->push_name,
        .message_type = json_string_value(json_object_get(raw, "messageType")),
        .key_json = key_json,
        .message_json = message_json,
        .message_timestamp = c->in->t,
        .status = "DELIVERY_ACK",
        .source = wg_receive_source_of(c->in->id),
    };
    int inserted = 0;
    rc = key_json && message_json
             ? wg_store_message_insert(c->store, c->j->instance_id, &row, &inserted, NULL)
             : WG_EPROTO;
    if (rc == 0) {
        c->j->outcome = inserted ? WG_RECEIVE_STORED : WG_RECEIVE_DUPLICATE;
        /* a bare sender-key distribution carries nothing to announce */
        if (inserted && strcmp(content.message_type, "senderKeyDistributionMessage") != 0)
            c->j->event = json_incref(raw);
    }
    free(key_json);
    free(message_json);
    json_decref(key);
    json_decref(message);
    json_decref(raw);
    wg_wa_msg_content_free(&content);
    return rc;
}

static void undecryptable(wg_receive_job_t *j, int rc, const char *code)
{
    j->outcome = WG_RECEIVE_UNDECRYPTABLE;
    j->ack_error = code;
    wg_log(WG_LOG_WARN, "msg=\"message not decrypted\" instance=%s id=%s err=\"%s\"",
           j->instance_name, j->id ? j->id : "-", wg_strerror(rc));
}

void wg_receive_job_run(void *worker_ctx, wg_receive_job_t *j)
{
    wg_store_t *store = worker_ctx;
    wg_node_t *node = NULL;
    wg_wa_msg_in_t in;
    wg_signal_t *sig = NULL;
    wg_buf_t plain = WG_BUF_INIT;
    int rc = wg_node_decode(j->node_bytes.p, j->node_bytes.len, 0, &node);
    if (rc == 0)
        rc = wg_wa_msg_in_parse(node, j->creds.me_jid, j->creds.me_lid, &in);
    if (rc) {
        /* unparseable: nack it (487) when it can be addressed at all */
        const char *id = node ? wg_node_attr(node, "id") : NULL;
        const char *from = node ? wg_node_attr(node, "from") : NULL;
        if (id && from) {
            j->id = wg_strdup(id);
            j->to = wg_strdup(from);
        }
        undecryptable(j, rc, "487");
        goto done;
    }
    j->id = wg_strdup(in.id);
    j->to = wg_strdup(in.from);
    j->participant = in.participant ? wg_strdup(in.participant) : NULL;
    j->recipient = in.recipient ? wg_strdup(in.recipient) : NULL;
    j->receipt_type = in.from_me
                          ? "sender"
                          : (in.category && strcmp(in.category, "peer") == 0 ? "peer_msg" : NULL);
    commit_t c = {j, store, &in};
    if (!in.n_enc) {
        rc = store_message(&c, in.plaintext, in.plaintext_len);
        if (rc == WG_EPROTO)
            undecryptable(j, rc, "491");
        else if (rc)
            j->outcome = WG_RECEIVE_RETRY_LATER;
        goto done;
    }
    const wg_wa_enc_t *e = NULL;
    wg_signal_type_t type = WG_SIGNAL_MSG;
    for (size_t i = 0; i < in.n_enc && !e; i++)
        if (wg_signal_type_parse(in.enc[i].type, &type) == 0 && type != WG_SIGNAL_SKMSG)
            e = &in.enc[i];
    wg_signal_addr_t addr;
    if (!e || wg_signal_addr_from_jid(in.sender, &addr) != 0) {
        /* skmsg-only (group sender keys) and msmsg are not handled yet */
        undecryptable(j, WG_EPROTO, "500");
        goto done;
    }
    rc = wg_signal_open(store, j->instance_id, j->vault_key, &j->creds, &sig);
    if (rc == 0)
        rc = wg_signal_decrypt_commit(sig, &addr, type, e->ct, e->len, &plain, NULL, store_message,
                                      &c);
    if (rc == 0)
        goto done;
    if (rc == WG_EDB) {
        j->outcome = WG_RECEIVE_RETRY_LATER;
    } else if (rc == WG_EEXIST && wg_store_message_exists(store, j->instance_id, in.id) == 1) {
        /* the ratchet and the row were committed before: a redelivery */
        j->outcome = WG_RECEIVE_DUPLICATE;
    } else {
        undecryptable(j, rc, rc == WG_EPROTO ? "491" : "500");
    }
done:
    j->job.rc = rc;
    if (plain.p)
        sodium_memzero(plain.p, plain.cap);
    wg_buf_free(&plain);
    wg_signal_free(sig);
    wg_node_free(node);
}

/* ------------------------------------------------------------ job plumbing */

wg_receive_job_t *wg_receive_job_new(const char *instance_id, const char *instance_name,
                                     const wg_wa_creds_t *creds, const uint8_t vault_key[32],
                                     const wg_node_t *node, uint64_t generation)
{
    wg_receive_job_t *j = wg_calloc(1, sizeof *j);
    j->instance_id = wg_strdup(instance_id);
    j->instance_name = wg_strdup(instance_name ? instance_name : "");
    j->creds = *creds;
    memcpy(j->vault_key, vault_key, sizeof j->vault_key);
    wg_node_encode(node, &j->node_bytes);
    j->generation = generation;
    j->outcome = WG_RECEIVE_RETRY_LATER;
    return j;
}

void wg_receive_job_result(const wg_receive_job_t *j, wg_receive_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->outcome = j->outcome;
    r->rc = j->job.rc;
    r->instance_id = j->instance_id;
    r->instance_name = j->instance_name;
    r->generation = j->generation;
    r->id = j->id;
    r->to = j->to;
    r->participant = j->participant;
    r->recipient = j->recipient;
    r->receipt_type = j->receipt_type;
    r->ack_error = j->ack_error;
    r->event = j->event;
}

void wg_receive_job_free(wg_receive_job_t *j)
{
    if (!j)
        return;
    free(j->instance_id);
    free(j->instance_name);
    free(j->id);
    free(j->to);
    free(j->participant);
    free(j->recipient);
    json_decref(j->event);
    wg_buf_free(&j->node_bytes);
    sodium_memzero(j, sizeof *j);
    free(j);
}

static void job_run(void *worker_ctx, wg_job_t *job)
{
    wg_receive_job_run(worker_ctx, (wg_receive_job_t *)job);
}

static void job_done(wg_job_t *job)
{
    wg_receive_job_t *j = (wg_receive_job_t *)job;
    wg_receive_result_t r;
    wg_receive_job_result(j, &r);
    j->finish(j->ctx, &r);
    wg_receive_job_free(j);
}

void wg_receive_submit(wg_jobs_t *jobs, const char *instance_id, const char *instance_name,
                       const wg_wa_creds_t *creds, const uint8_t vault_key[32],
                       const wg_node_t *node, uint64_t generation, wg_receive_finish_cb finish,
                       void *ctx)
{
    wg_receive_job_t *j =
        wg_receive_job_new(instance_id, instance_name, creds, vault_key, node, generation);
    j->job.run = job_run;
    j->job.done = job_done;
    j->finish = finish;
    j->ctx = ctx;
    wg_jobs_submit(jobs, &j->job);
}
