/* Sending messages (see send.h). Never logs message contents. */
#include "message/send.h"

#include <ctype.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jobs.h"
#include "link/link.h"
#include "message/compose.h"
#include "message/json_text.h"
#include "message/device_cache.h"
#include "message/group_meta.h"
#include "message/retry.h"
#include "message/stanza.h"
#include "message/receive.h"
#include "signal/bundle.h"
#include "signal/group.h"
#include "signal/lid_map.h"
#include "signal/pool.h"
#include "signal/signal.h"
#include "store/message.h"
#include "store/sender_key_memory.h"
#include "wa/binnode.h"
#include "wa/jid.h"
#include "wa/message.h"
#include "wa/ws_client.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include "wg_time.h"

#define MAX_DEVICES 32         /* devices a 1:1 message is encrypted for */
#define MAX_GROUP_DEVICES 4096 /* devices of a group send */
#define STEP_TIMEOUT_MS 8000   /* usync + keys + encryption, within WAGATE_IPC_TIMEOUT_MS (10 s) */
#define MAX_DELAY_MS 5000      /* composing time before sending (delay), same reason */
#define ACK_TIMEOUT_MS 60000   /* how long a sent message waits for the server ack */

typedef enum { OP_DELAY, OP_GROUP, OP_USYNC, OP_SESSIONS, OP_KEYS, OP_ENCRYPT, OP_SENT } op_state_t;

typedef struct {
    char jid[160];             /* device JID */
    int own;                   /* one of our other devices: gets the deviceSentMessage */
    int need_bundle;           /* no Signal session yet */
    int has_bundle;            /* bundle below is valid */
    wg_signal_bundle_t bundle; /* from the encrypt/key reply */
    int has_key;               /* group: already has our sender key (no SKDM) */
    char type[8];              /* "pkmsg" / "msg" once encrypted ("" = skipped) */
    wg_buf_t ct;               /* ciphertext */
} device_t;

typedef struct send_op {
    uint64_t token;          /* iq token and identity */
    wg_connd_t *d;           /* daemon */
    char *instance_id;       /* owner (owned) */
    char *instance_name;     /* for events and logs (owned) */
    uint64_t generation;     /* the connection it runs on */
    wg_wa_creds_t creds;     /* copy for the worker; wiped */
    op_state_t state;        /* where it is */
    int busy;                /* a worker job holds it */
    int failed;              /* timed out while busy */
    char id[23];             /* message id */
    char chat[160];          /* recipient chat JID */
    char own_user[160];      /* our bare PN JID */
    char number[160];        /* as requested */
    wg_compose_t c;          /* what is sent (owned) */
    wg_buf_t plain;          /* the Message for the recipients' devices (wiped) */
    wg_buf_t dsm;            /* its deviceSentMessage form for our own devices (wiped) */
    int64_t t;               /* messageTimestamp (s) */
    device_t *dev;           /* target devices (owned) */
    size_t n_dev;            /* how many */
    size_t cap_dev;          /* allocated */
    int is_group;            /* chat is a group: SKDM per device + one skmsg */
    uint32_t expiration;     /* group: disappearing-messages timer (s), 0 = off */
    char addressing_mode[8]; /* group: "lid" / "pn" */
    char sender[96];         /* group: our Signal identity for the sender key */
    char **users;            /* group: the participants to query (owned) */
    size_t n_users;          /* how many */
    wg_buf_t skmsg;          /* group: the sender-key ciphertext */
    char phash[12];          /* participant hash of the devices ("" until usync; 1:1: until an
                                ack brings the server's, op_phash) */
    char self_dev[2][WG_JID_USER_MAX + WG_JID_SERVER_MAX + 16]; /* our sending device, PN/LID */
    size_t n_self;           /* how many of self_dev (they count in the hash, not as targets) */
    int store_rc;            /* job result */
    int64_t rowid;           /* the stored row's rowid (the job's), a hint for its status */
    json_t *raw;             /* the messageRaw (PENDING) */
    wg_wa_timer_t *timer;    /* the composing delay (only ops with one) */
    wg_send_done_cb done;    /* REST completion, NULL once answered */
    void *ctx;               /* its argument */
    struct send_op *next;    /* list link */
    struct send_op *prev;    /* list link back (O(1) unlink) */
    struct send_op *by_token_next; /* chain of g_by_token */
    struct send_op *by_id_next;    /* chain of g_by_id */
    struct deadline_queue *queue;  /* g_steps or g_acks while linked there, else NULL */
    struct send_op *q_next, *q_prev; /* links in that queue */
    int64_t deadline;              /* when it stops waiting there (now_of clock) */
} send_op_t;

/* Every op in one list, and two hash indexes: a burst of sends keeps
 * hundreds of ops waiting for their server ack, and iq replies, job
 * completions and acks each look one up. */
#define OP_BUCKETS 1024
static send_op_t *g_ops;
static send_op_t *g_by_token[OP_BUCKETS];
static send_op_t *g_by_id[OP_BUCKETS];

static size_t id_bucket(const char *id)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *id; id++)
        h = (h ^ (uint8_t)*id) * 16777619u;
    return h % OP_BUCKETS;
}

/* Puts a new op (token and id set) in the list and the indexes. */
static void op_link(send_op_t *o)
{
    o->prev = NULL;
    o->next = g_ops;
    if (g_ops)
        g_ops->prev = o;
    g_ops = o;
    send_op_t **t = &g_by_token[o->token % OP_BUCKETS];
    o->by_token_next = *t;
    *t = o;
    send_op_t **i = &g_by_id[id_bucket(o->id)];
    o->by_id_next = *i;
    *i = o;
}

/* The bounds of an op's life: the ops between their start (or the end of
 * their composing delay) and the <message> on the wire wait at most
 * STEP_TIMEOUT_MS (g_steps), the sent ops at most ACK_TIMEOUT_MS for their
 * server ack (g_acks). Every op of a queue waits the same time, so a queue
 * in order of arrival is in order of deadline and one timer at the head's
 * deadline serves all of them: no timer per op (an allocation, and an
 * insertion into lws's sorted timer list, per send). An op is in at most
 * one queue. */
typedef struct deadline_queue {
    send_op_t *head, *tail;   /* oldest first */
    wg_wa_timer_t *timer;     /* armed at the head's deadline (created on first use) */
    int64_t span_ms;          /* how long each op waits */
    void (*expire)(send_op_t *o); /* an op whose time is up (already unlinked) */
} deadline_queue_t;

static void step_expired(send_op_t *o);
static void ack_expired(send_op_t *o);
static deadline_queue_t g_steps = {NULL, NULL, NULL, STEP_TIMEOUT_MS, step_expired};
static deadline_queue_t g_acks = {NULL, NULL, NULL, ACK_TIMEOUT_MS, ack_expired};

static void queue_remove(send_op_t *o)
{
    deadline_queue_t *q = o->queue;
    if (!q)
        return;
    if (o->q_prev)
        o->q_prev->q_next = o->q_next;
    else
        q->head = o->q_next;
    if (o->q_next)
        o->q_next->q_prev = o->q_prev;
    else
        q->tail = o->q_prev;
    o->q_next = o->q_prev = NULL;
    o->queue = NULL;
    /* the timer stays armed for the old head: on_deadline re-arms it */
}

static void op_unlink(send_op_t *o)
{
    queue_remove(o);
    if (o->prev)
        o->prev->next = o->next;
    else if (g_ops == o)
        g_ops = o->next;
    if (o->next)
        o->next->prev = o->prev;
    for (send_op_t **pp = &g_by_token[o->token % OP_BUCKETS]; *pp; pp = &(*pp)->by_token_next)
        if (*pp == o) {
            *pp = o->by_token_next;
            break;
        }
    for (send_op_t **pp = &g_by_id[id_bucket(o->id)]; *pp; pp = &(*pp)->by_id_next)
        if (*pp == o) {
            *pp = o->by_id_next;
            break;
        }
}

static int64_t now_of(wg_connd_t *d)
{
    return d->now_ms ? d->now_ms() : wg_now_ms();
}
static uint64_t g_next_token = 1;

/* ------------------------------------------------------------ helpers */

int wg_send_chat_jid(const char *number, char *out, size_t n)
{
    if (!number || !*number)
        return WG_EINVAL;
    if (strchr(number, '@'))
        return wg_jid_bare_text(number, out, n, NULL);
    /* Evolution's createJid: spaces, + and parentheses dropped; a dashed
     * form of 24+ characters is a group id (creator-timestamp), as is a
     * number of 18+ digits; anything else keeps only its digits */
    char digits[64];
    size_t k = 0, dashes = 0;
    for (const char *c = number; *c; c++) {
        if (isdigit((unsigned char)*c) || *c == '-') {
            if (k + 1 >= sizeof digits)
                return WG_EINVAL;
            dashes += *c == '-';
            digits[k++] = *c;
        } else if (!strchr("+() ", *c)) {
            return WG_EINVAL;
        }
    }
    digits[k] = '\0';
    const char *server = "s.whatsapp.net";
    if (dashes && k >= 24) {
        server = "g.us";
    } else {
        size_t w = 0;
        for (size_t r = 0; r < k; r++)
            if (digits[r] != '-')
                digits[w++] = digits[r];
        digits[w] = '\0';
        k = w;
        if (k >= 18)
            server = "g.us";
    }
    if (k < 5 || digits[0] == '-' || digits[k - 1] == '-')
        return WG_EINVAL;
    if ((size_t)snprintf(out, n, "%s@%s", digits, server) >= n)
        return WG_EINVAL;
    return 0;
}

static send_op_t *op_find(uint64_t token)
{
    for (send_op_t *o = g_by_token[token % OP_BUCKETS]; o; o = o->by_token_next)
        if (o->token == token)
            return o;
    return NULL;
}

static void op_free(send_op_t *o)
{
    op_unlink(o);
    wg_wa_timer_free(o->timer); /* NULL without a delay */
    for (size_t i = 0; i < o->n_dev; i++)
        wg_buf_free(&o->dev[i].ct);
    free(o->dev);
    for (size_t i = 0; i < o->n_users; i++)
        free(o->users[i]);
    free(o->users);
    wg_buf_free(&o->skmsg);
    free(o->instance_id);
    free(o->instance_name);
    wg_compose_free(&o->c);
    if (o->plain.p)
        sodium_memzero(o->plain.p, o->plain.len);
    if (o->dsm.p)
        sodium_memzero(o->dsm.p, o->dsm.len);
    wg_buf_free(&o->plain);
    wg_buf_free(&o->dsm);
    json_decref(o->raw);
    sodium_memzero(&o->creds, sizeof o->creds);
    free(o);
}

/* A queue's timer: ends the ops whose time is up, re-arms for the next
 * one. An op removed early (answered, acked, freed) leaves the timer armed
 * for its old deadline; this then only re-arms. */
static void on_deadline(void *arg)
{
    deadline_queue_t *q = arg;
    if (!q->head)
        return;
    wg_connd_t *d = q->head->d;
    while (q->head && q->head->deadline <= now_of(d)) {
        send_op_t *o = q->head;
        queue_remove(o);
        q->expire(o);
    }
    if (q->head)
        wg_wa_timer_set(q->timer, q->head->deadline - now_of(d));
}

/* Moves o to the tail of q (out of any other queue): it waits q->span_ms
 * from now. */
static void queue_append(deadline_queue_t *q, send_op_t *o)
{
    queue_remove(o);
    if (!q->timer)
        q->timer = wg_wa_timer_new(o->d->loop, on_deadline, q);
    o->deadline = now_of(o->d) + q->span_ms;
    o->q_prev = q->tail;
    o->q_next = NULL;
    if (q->tail)
        q->tail->q_next = o;
    else
        q->head = o;
    q->tail = o;
    o->queue = q;
    if (q->head == o)
        wg_wa_timer_set(q->timer, q->span_ms);
}

/* The op was sent: it waits for its server ack, at most ACK_TIMEOUT_MS. */
static void acks_append(send_op_t *o)
{
    queue_append(&g_acks, o);
}

const char *wg_send_result_text_in(const wg_send_result_t *r, char *buf, size_t size, char **spill)
{
    *spill = NULL;
    if (!r)
        return NULL;
    if (r->json || !r->doc)
        return r->json;
    return wg_json_text(r->doc, buf, size, spill);
}

static void answer(send_op_t *o, int status, const char *json, const json_t *doc)
{
    if (!o->done)
        return;
    wg_send_result_t r = {status, json, doc};
    wg_send_done_cb done = o->done;
    o->done = NULL;
    done(o->ctx, &r);
}

/* Ends the op with an error for the caller (Evolution's 400 list). */
static void fail(send_op_t *o, int status, const char *why)
{
    json_t *list = json_pack("[s]", why);
    char *s = json_dumps(list, JSON_COMPACT);
    wg_log(WG_LOG_WARN, "msg=\"send failed\" instance=%s id=%s why=\"%s\"", o->instance_name, o->id,
           why);
    answer(o, status, s, NULL);
    free(s);
    json_decref(list);
    op_free(o);
}

static wg_wa_session_t *session_of(send_op_t *o)
{
    uint64_t g = o->generation;
    return wg_link_session(o->d, o->instance_id, &g, NULL);
}

/* The op's connection, or NULL after failing the op ("Connection Closed"). */
static wg_wa_session_t *session_or_fail(send_op_t *o, const wg_wa_creds_t **creds)
{
    uint64_t g = o->generation;
    wg_wa_session_t *s = wg_link_session(o->d, o->instance_id, &g, creds);
    if (!s)
        fail(o, 400, "Error: Connection Closed");
    return s;
}

/* <iq type="get" xmlns=...> for the op's queries. */
static wg_node_t *get_iq(const char *xmlns)
{
    wg_node_t *iq = wg_node_new("iq");
    wg_node_set_attr(iq, "type", "get");
    wg_node_set_attr(iq, "xmlns", xmlns);
    return iq;
}

/* Sends iq with the reply going to cb; fails the op when the link is gone. */
static void ask(send_op_t *o, wg_wa_session_t *s, wg_node_t *iq, op_state_t state,
                void (*cb)(uint64_t, const void *))
{
    o->state = state;
    if (wg_wa_session_iq(s, iq, cb, o->token) != 0)
        fail(o, 400, "Error: Connection Closed");
}

static void start_usync(send_op_t *o);
static void start_next(send_op_t *o);
static void chat_state(send_op_t *o, const char *state);
static void publish_after_send(send_op_t *o);
static void not_on_whatsapp(send_op_t *o);

/* The end of the composing delay (evolution-api.md §3.1 delay: composing
 * for that long, then paused); the steps' bound starts now. */
static void on_delay(void *arg)
{
    send_op_t *o = arg;
    chat_state(o, "paused");
    queue_append(&g_steps, o);
    start_next(o);
}

/* STEP_TIMEOUT_MS passed before the <message> went out. */
static void step_expired(send_op_t *o)
{
    if (o->busy) {
        o->failed = 1; /* job_done fails it */
        return;
    }
    fail(o, 400, "Error: Timed Out");
}

static void ack_expired(send_op_t *o)
{
    wg_log(WG_LOG_WARN, "msg=\"no server ack\" instance=%s id=%s", o->instance_name, o->id);
    op_free(o);
}

/* ------------------------------------------------------------ worker jobs */

typedef struct send_job {
    wg_job_t job;    /* must be first */
    uint64_t token;  /* the op */
    int kind;        /* 0 sessions check, 1 encrypt + store, 2 status */
    send_op_t *op;   /* valid while busy (ops are freed only when not busy) */
    uint8_t key[32]; /* vault key copy */
    struct send_job *turn_next; /* the next job held for the turn's end (sends_flush) */
} send_job_t;

static void step_after_sessions(send_op_t *o);
static void step_after_encrypt(send_op_t *o);
static send_job_t *g_turn_head, *g_turn_tail; /* send jobs held for the turn's end, in order */
static struct status_job *g_ack_batches;      /* open ack batches (below), newest first */

/* Submits the held send jobs, oldest first (before any status job opened
 * after them: acks_flush calls this first). */
static void sends_flush(void)
{
    while (g_turn_head) {
        send_job_t *j = g_turn_head;
        g_turn_head = j->turn_next;
        if (!g_turn_head)
            g_turn_tail = NULL;
        j->turn_next = NULL;
        wg_jobs_submit(j->op->d->jobs, &j->job);
    }
}
static void acks_flush(const char *instance_id);
static void turn_end_arm(wg_connd_t *d);

/* The Signal address a device's session lives under: its LID form when the
 * LID <-> PN mapping is known (signal/lid_map.h: receive moves a contact's
 * sessions there, so both directions share one ratchet), else the JID as
 * usync named it. The wire keeps usync's JID. 0 or WG_EINVAL. */
static int device_addr(wg_store_t *store, const send_op_t *o, const char *jid,
                       wg_signal_addr_t *a)
{
    char lid[160];
    if (wg_lid_map_lookup_lid(store, o->instance_id, jid, lid, sizeof lid) == 0 &&
        wg_signal_addr_from_jid(lid, a) == 0)
        return 0;
    return wg_signal_addr_from_jid(jid, a) == 0 ? 0 : WG_EINVAL;
}

static void sessions_run(wg_store_t *store, send_op_t *o, const uint8_t *key)
{
    wg_signal_t *sig = NULL;
    int rc = wg_signal_pool_get(store, o->instance_id, key, &o->creds, &sig);
    for (size_t i = 0; rc == 0 && i < o->n_dev; i++) {
        wg_signal_addr_t a;
        if (device_addr(store, o, o->dev[i].jid, &a) != 0)
            continue;
        if (o->is_group) {
            int known = wg_store_skmem_has(store, o->instance_id, o->chat, o->dev[i].jid);
            if (known < 0) {
                rc = known;
                break;
            }
            o->dev[i].has_key = known;
            if (known)
                continue; /* no SKDM, so no session needed */
        }
        int has = wg_signal_has_session(sig, &a);
        if (has < 0)
            rc = has;
        else
            o->dev[i].need_bundle = !has;
    }
    o->store_rc = rc;
}

static int store_outcome(wg_store_t *store, send_op_t *o);

/* Encrypts m for every device in o->dev that is not skipped (skip_keyed:
 * devices that already have our sender key). Returns 0 or WG_EDB; counts
 * the recipients' (non-own) devices reached. */
static int encrypt_devices(wg_store_t *store, wg_signal_t *sig, send_op_t *o, int skip_keyed,
                           size_t *reached)
{
    for (size_t i = 0; i < o->n_dev; i++) {
        device_t *dv = &o->dev[i];
        wg_signal_addr_t a;
        dv->type[0] = '\0';
        if ((skip_keyed && dv->has_key) || device_addr(store, o, dv->jid, &a) != 0)
            continue;
        if (dv->need_bundle) {
            if (!dv->has_bundle || wg_signal_process_bundle(sig, &a, &dv->bundle, NULL) != 0) {
                wg_log(WG_LOG_WARN, "msg=\"no session for device\" instance=%s device=%s",
                       o->instance_name, dv->jid);
                continue;
            }
        }
        wg_signal_type_t type;
        const wg_buf_t *m = o->is_group ? &o->dsm : dv->own ? &o->dsm : &o->plain;
        wg_buf_reset(&dv->ct);
        int erc = wg_signal_encrypt(sig, &a, m->p, m->len, &type, &dv->ct);
        if (erc == WG_EDB)
            return erc;
        if (erc == 0) {
            snprintf(dv->type, sizeof dv->type, "%s", wg_signal_type_name(type));
            if (!dv->own)
                (*reached)++;
        }
    }
    return 0;
}

/* Group (§7.2 step 6): our sender key's SKDM, as Message{senderKey-
 * DistributionMessage}, to every device not in the sender-key memory (in
 * o->dsm, which groups do not otherwise use), the padded Message as one
 * skmsg, and the memory updated for the devices that got the SKDM. */
static int encrypt_group(wg_store_t *store, wg_signal_t *sig, send_op_t *o)
{
    wg_signal_addr_t self;
    wg_buf_t skdm = WG_BUF_INIT;
    if (wg_signal_addr_from_jid(o->sender, &self) != 0)
        return WG_ESTATE;
    int rc = wg_signal_group_skdm(sig, o->chat, &self, &skdm);
    if (rc == 0) {
        wg_buf_reset(&o->dsm);
        wg_wa_msg_encode_skdm(o->chat, skdm.p, skdm.len, &o->dsm);
        size_t reached = 0;
        rc = encrypt_devices(store, sig, o, 1, &reached);
    }
    if (rc == 0) {
        wg_buf_reset(&o->skmsg);
        rc = wg_signal_group_encrypt(sig, o->chat, &self, o->plain.p, o->plain.len, &o->skmsg);
    }
    for (size_t i = 0; rc == 0 && i < o->n_dev; i++)
        if (o->dev[i].type[0])
            rc = wg_store_skmem_add(store, o->instance_id, o->chat, o->dev[i].jid);
    wg_buf_free(&skdm);
    return rc;
}

/* A job the worker runs alone (not in a group commit, connd/core/jobs.c)
 * is made a group of its own: the steps and the message row commit once,
 * before done() puts the message on the wire, instead of once per device
 * and once for the row. Inside a worker's group, group_begin refuses and
 * the group commits. Either way the job runs at the group's own level, so
 * the ratchet steps of a 1:1 send use write-back (signal.h
 * wg_signal_set_write_back): the sends of one group to the same device
 * write its session record once, at the group's end, not once each. */
static void encrypt_run(wg_store_t *store, send_op_t *o, const uint8_t *key)
{
    wg_signal_t *sig = NULL;
    int own_group = wg_store_group_begin(store) == 0;
    int rc = wg_signal_pool_get(store, o->instance_id, key, &o->creds, &sig);
    size_t reached = 0;
    if (rc == 0 && o->is_group) {
        rc = encrypt_group(store, sig, o);
    } else if (rc == 0) {
        wg_signal_set_write_back(sig, 1);
        rc = encrypt_devices(store, sig, o, 0, &reached);
        wg_signal_set_write_back(sig, 0);
        if (rc == 0 && reached == 0)
            rc = WG_ESTATE;
    }
    if (rc == 0)
        rc = store_outcome(store, o);
    if (own_group) {
        /* what the steps wrote is kept even when the job fails, as when
         * each step committed by itself */
        int commit_rc = wg_store_group_commit(store);
        if (rc == 0)
            rc = commit_rc;
    }
    o->store_rc = rc;
}

/* What the store keeps of a sent message (compose.h wg_compose_store_t);
 * a revoke or edit of a message we never stored changes nothing. */
static int store_outcome(wg_store_t *store, send_op_t *o)
{
    int rc = 0;
    if (o->c.store == WG_COMPOSE_STORE_REVOKE) {
        rc = wg_store_message_set_status(store, o->instance_id, o->c.out.key.id, "DELETED");
        return rc == WG_ENOTFOUND ? 0 : rc;
    }
    if (o->c.store == WG_COMPOSE_STORE_EDIT) {
        json_t *m = json_pack("{s:s}", "conversation", o->c.text);
        char *mj = json_dumps(m, JSON_COMPACT);
        rc = wg_store_message_edit(store, o->instance_id, o->c.out.key.id, mj);
        free(mj);
        json_decref(m);
        return rc == WG_ENOTFOUND ? 0 : rc;
    }
    {
        /* serialized on the stack (a spill only for a large message) */
        char key_buf[512], message_buf[2048], *key_spill, *message_spill;
        const char *key_json =
            wg_json_text(json_object_get(o->raw, "key"), key_buf, sizeof key_buf, &key_spill);
        const char *message_json = wg_json_text(json_object_get(o->raw, "message"), message_buf,
                                             sizeof message_buf, &message_spill);
        wg_store_message_t row = {
            .key_id = o->id,
            .remote_jid = o->chat,
            .from_me = 1,
            .push_name = o->creds.push_name[0] ? o->creds.push_name : NULL,
            .message_type = json_string_value(json_object_get(o->raw, "messageType")),
            .key_json = key_json,
            .message_json = message_json,
            .message_timestamp = o->t,
            .status = "PENDING",
            .source = "web",
        };
        rc = wg_store_message_insert(store, o->instance_id, &row, NULL, NULL, &o->rowid);
        free(key_spill);
        free(message_spill);
    }
    return rc;
}

static void job_run(void *worker_ctx, wg_job_t *job)
{
    send_job_t *j = (send_job_t *)job;
    send_op_t *o = j->op;
    if (j->kind == 0) {
        sessions_run(worker_ctx, o, j->key);
        if (o->store_rc)
            return;
        for (size_t i = 0; i < o->n_dev; i++)
            if (o->dev[i].need_bundle)
                return; /* the loop asks the server for pre-key bundles first */
        j->kind = 1; /* every device has a session: encrypt now, one store round trip */
    }
    encrypt_run(worker_ctx, o, j->key);
}

static void job_done(wg_job_t *job)
{
    send_job_t *j = (send_job_t *)job;
    send_op_t *o = op_find(j->token);
    int kind = j->kind;
    int group_rc = j->job.rc; /* WG_EDB: the group commit failed, nothing of the job is durable */
    sodium_memzero(j->key, sizeof j->key);
    free(j);
    if (!o)
        return;
    o->busy = 0;
    if (group_rc && !o->store_rc)
        o->store_rc = group_rc; /* never on the wire with a ratchet step that was not committed */
    if (o->failed) {
        fail(o, 400, "Error: Timed Out");
        return;
    }
    if (o->store_rc) {
        fail(o, o->store_rc == WG_ESTATE ? 400 : 500,
             o->store_rc == WG_ESTATE ? "Error: no device could be encrypted for"
                                      : "Error: storage failed");
        return;
    }
    if (kind == 0)
        step_after_sessions(o);
    else
        step_after_encrypt(o);
}

static void submit(send_op_t *o, int kind)
{
    send_job_t *j = wg_calloc(1, sizeof *j);
    j->job.run = job_run;
    j->job.done = job_done;
    j->token = o->token;
    j->kind = kind;
    j->op = o;
    memcpy(j->key, wg_link_vault_key(), sizeof j->key);
    if (g_ack_batches)
        acks_flush(NULL); /* e.g. a revoke's DELETED after the ack of what it revokes */
    o->busy = 1;
    o->state = kind == 0 ? OP_SESSIONS : OP_ENCRYPT;
    /* held until the loop turn ends (or a status job must follow it): the
     * sends of one turn reach the worker together, one wake and one group
     * commit for them, not one for the first and one for the rest */
    j->turn_next = NULL;
    if (g_turn_tail)
        g_turn_tail->turn_next = j;
    else
        g_turn_head = j;
    g_turn_tail = j;
    turn_end_arm(o->d);
}

/* ------------------------------------------------------------ protocol steps */

static void on_keys(uint64_t token, const void *reply)
{
    send_op_t *o = op_find(token);
    const wg_node_t *n = reply;
    if (!o || o->state != OP_KEYS)
        return;
    const char *type = wg_node_attr(n, "type");
    if (!type || strcmp(type, "result") != 0) {
        fail(o, 400, "Error: pre-key bundles refused");
        return;
    }
    const wg_node_t *list = wg_node_child(n, "list");
    if (!list && wg_node_child(n, "keys"))
        list = wg_node_child(wg_node_child(n, "keys"), "list");
    for (size_t i = 0; list && i < list->child_count; i++) {
        const wg_node_t *u = list->children[i];
        const char *jid = wg_node_attr(u, "jid");
        for (size_t k = 0; jid && k < o->n_dev; k++)
            if (o->dev[k].need_bundle && strcmp(o->dev[k].jid, jid) == 0)
                o->dev[k].has_bundle = wg_send_read_bundle(u, wg_node_child(u, "registration"),
                                                           &o->dev[k].bundle) == 0;
    }
    submit(o, 1);
}

static void step_after_sessions(send_op_t *o)
{
    wg_wa_session_t *s = session_or_fail(o, NULL);
    if (!s)
        return;
    wg_node_t *iq = get_iq("encrypt");
    wg_node_t *key = wg_node_add_child(iq, wg_node_new("key"));
    size_t need = 0;
    for (size_t i = 0; i < o->n_dev; i++)
        if (o->dev[i].need_bundle) {
            wg_node_t *u = wg_node_add_child(key, wg_node_new("user"));
            wg_node_set_attr(u, "jid", o->dev[i].jid);
            need++;
        }
    if (!need) {
        wg_node_free(iq);
        submit(o, 1);
        return;
    }
    ask(o, s, iq, OP_KEYS, on_keys);
}

static void step_after_encrypt(send_op_t *o)
{
    const wg_wa_creds_t *creds = NULL;
    wg_wa_session_t *s = session_or_fail(o, &creds);
    if (!s)
        return;
    wg_send_stanza_t st = {
        .id = o->id,
        .to = o->chat,
        .msg = &o->c.out,
        .account = creds->account,
        .account_len = creds->account_len,
    };
    if (o->is_group) {
        /* §7.2 steps 6-7: the skmsg, addressing_mode, phash ([W]) */
        st.skmsg = o->skmsg.p;
        st.skmsg_len = o->skmsg.len;
        st.addressing_mode = o->addressing_mode;
        st.expiration = o->expiration; /* [B]: expiration= on ephemeral groups */
        st.phash = o->phash[0] ? o->phash : NULL;
    }
    wg_send_enc_t few[WG_SEND_VIEW_DEVICES];
    wg_send_enc_t *encs =
        o->n_dev <= WG_SEND_VIEW_DEVICES ? few : wg_malloc(o->n_dev * sizeof *encs);
    for (size_t i = 0; i < o->n_dev; i++)
        encs[i] = (wg_send_enc_t){o->dev[i].jid, o->dev[i].type, o->dev[i].ct.p, o->dev[i].ct.len};
    /* the stanza as a view of the op's strings and ciphertexts, encoded
     * straight from them: no node tree to allocate, copy and free per send */
    wg_send_view_t view;
    int rc = wg_wa_session_send_view(s, wg_send_view_build(&view, &st, encs, o->n_dev));
    wg_send_view_release(&view);
    if (encs != few)
        free(encs);
    if (rc != 0) {
        fail(o, 400, "Error: Connection Closed");
        return;
    }
    o->state = OP_SENT;
    acks_append(o);
    /* kept for retry receipts (§7.1): the Message, unpadded */
    wg_retry_sent_t sent = {o->instance_id,       o->id,      o->chat,
                            o->is_group,          o->sender,  o->c.out.kind,
                            o->c.out.key.from_me, o->plain.p, o->plain.len};
    wg_retry_remember(&sent);
    /* debug: at info the send.message event line (at the server ack) already marks the send */
    wg_log(WG_LOG_DEBUG, "msg=\"message sent\" instance=%s id=%s devices=%zu", o->instance_name,
           o->id, o->n_dev);
    answer(o, 201, NULL, o->raw); /* serialized only by a caller that wants text */
    publish_after_send(o);
}

static int add_device(send_op_t *o, const char *user, const char *server, unsigned device, int own)
{
    if (o->n_dev >= (o->is_group ? MAX_GROUP_DEVICES : MAX_DEVICES))
        return -1;
    if (o->n_dev == o->cap_dev) {
        o->cap_dev = o->cap_dev ? 2 * o->cap_dev : 8;
        o->dev = wg_realloc(o->dev, o->cap_dev * sizeof *o->dev);
    }
    device_t *dv = &o->dev[o->n_dev];
    memset(dv, 0, sizeof *dv);
    int n = device ? snprintf(dv->jid, sizeof dv->jid, "%s:%u@%s", user, device, server)
                   : snprintf(dv->jid, sizeof dv->jid, "%s@%s", user, server);
    if (n <= 0 || (size_t)n >= sizeof dv->jid)
        return -1;
    dv->own = own;
    o->n_dev++;
    return 0;
}

static void not_on_whatsapp(send_op_t *o)
{
    json_t *list = json_pack("[{s:s,s:b,s:s}]", "jid", o->chat, "exists", 0, "number", o->number);
    char *s = json_dumps(list, JSON_COMPACT);
    answer(o, 400, s, NULL);
    free(s);
    json_decref(list);
    op_free(o);
}

/* §7.2 step 7: o->phash, the hash over every device of the list, ours
 * included ("" when it cannot be computed). */
static void op_phash(send_op_t *o)
{
    char **jids = wg_calloc(o->n_dev + o->n_self + 1, sizeof *jids);
    for (size_t i = 0; i < o->n_dev; i++)
        jids[i] = o->dev[i].jid;
    for (size_t i = 0; i < o->n_self; i++)
        jids[o->n_dev + i] = o->self_dev[i];
    if (wg_send_phash((const char *const *)jids, o->n_dev + o->n_self, o->phash) != 0)
        o->phash[0] = '\0';
    free(jids);
}

/* The target devices from a usync <list> (answered now, or cached for
 * this connection: fresh says which), then the sessions step. */
static void use_devices(send_op_t *o, const wg_node_t *list, int fresh)
{
    wg_jid_t me, me_lid;
    unsigned my_device = 0, my_lid_device = 0;
    char own_lid[160] = "";
    if (wg_jid_parse(o->creds.me_jid, strlen(o->creds.me_jid), &me) == 0 && me.has_device)
        my_device = me.device;
    if (o->creds.me_lid[0] &&
        wg_jid_parse(o->creds.me_lid, strlen(o->creds.me_lid), &me_lid) == 0) {
        my_lid_device = me_lid.has_device ? me_lid.device : 0;
        snprintf(own_lid, sizeof own_lid, "%s@%s", me_lid.user, me_lid.server);
    }
    int recipient_seen = 0;
    o->n_self = 0;
    for (size_t i = 0; i < list->child_count; i++) {
        const wg_node_t *u = list->children[i];
        const char *jid = wg_node_attr(u, "jid");
        wg_jid_t uj;
        if (!jid || wg_jid_parse(jid, strlen(jid), &uj) != 0)
            continue;
        int own = strcmp(jid, o->own_user) == 0;
        int own_as_lid = own_lid[0] && strcmp(jid, own_lid) == 0;
        const wg_node_t *devices = wg_node_child(u, "devices");
        const wg_node_t *dl = devices ? wg_node_child(devices, "device-list") : NULL;
        const wg_node_t *contact = wg_node_child(u, "contact");
        const char *ctype = contact ? wg_node_attr(contact, "type") : NULL;
        if (wg_node_child(u, "error") || !dl || (ctype && strcmp(ctype, "out") == 0))
            continue;
        size_t before = o->n_dev;
        for (size_t k = 0; k < dl->child_count; k++) {
            const wg_node_t *dv = dl->children[k];
            const char *id = wg_node_attr(dv, "id");
            if (strcmp(dv->tag, "device") != 0 || !id)
                continue;
            unsigned devno = (unsigned)strtoul(id, NULL, 10);
            /* [B] skips non-zero devices without a key-index; kept here (a
             * device that cannot be reached simply gets no <enc>) */
            if ((own && devno == my_device) || (own_as_lid && devno == my_lid_device)) {
                /* not a target, but [W] hashes it with the others */
                if (o->n_self < 2)
                    snprintf(o->self_dev[o->n_self++], sizeof o->self_dev[0], "%s:%u@%s", uj.user,
                             devno, uj.server);
                continue;
            }
            /* in a group our other devices get the SKDM like everyone's,
             * never a deviceSentMessage */
            add_device(o, uj.user, uj.server, devno, own && !o->is_group);
        }
        if (!own && o->n_dev > before)
            recipient_seen = 1;
    }
    if (!recipient_seen && !o->is_group) {
        not_on_whatsapp(o);
        return;
    }
    if (fresh) /* the next sends to this chat skip the usync (device_cache.h) */
        wg_device_cache_put(o->instance_id, o->generation, o->chat, list, now_of(o->d));
    if (o->is_group) /* on the wire; a 1:1 chat's only when an ack has one to compare */
        op_phash(o);
    submit(o, 0);
}

static void on_usync(uint64_t token, const void *reply)
{
    send_op_t *o = op_find(token);
    const wg_node_t *n = reply;
    if (!o || o->state != OP_USYNC)
        return;
    const char *type = wg_node_attr(n, "type");
    const wg_node_t *usync = wg_node_child(n, "usync");
    const wg_node_t *list = usync ? wg_node_child(usync, "list") : NULL;
    if (!type || strcmp(type, "result") != 0 || !list) {
        fail(o, 400, "Error: device list query failed");
        return;
    }
    use_devices(o, list, 1);
}

/* ------------------------------------------------------------ entry points */

/* Sets key (a literal) to v (taken); v NULL fails the whole object. */
static int raw_set(json_t *o, const char *key, json_t *v)
{
    return v ? json_object_set_new_nocheck(o, key, v) : -1;
}

/* The REST answer: Evolution's messageRaw for sends, Baileys' raw
 * WAMessage (protobufjs JSON: int64 and enums as strings) for a revoke or
 * an edit (evolution-api.md §3.2), in Evolution's key order. Built by
 * direct calls, not json_pack (its format parser ran per send); the strings
 * we generate (message id, instance id, literals: ASCII) skip the UTF-8
 * check, the chat, push name and message type keep it. NULL when a value
 * cannot be a JSON string. */
static json_t *message_raw(send_op_t *o)
{
    json_t *key = json_object(), *raw = json_object();
    int rc = !key || !raw ? -1 : 0;
    if (!rc)
        rc = raw_set(key, "remoteJid", json_string(o->chat)) |
             raw_set(key, "fromMe", json_true()) | raw_set(key, "id", json_string_nocheck(o->id)) |
             raw_set(raw, "key", json_incref(key));
    if (!rc && o->c.raw_wa_message) {
        char ts[24];
        snprintf(ts, sizeof ts, "%lld", (long long)o->t);
        rc = raw_set(raw, "message", json_incref(o->c.message)) |
             raw_set(raw, "messageTimestamp", json_string_nocheck(ts)) |
             raw_set(raw, "status", json_string_nocheck("PENDING"));
    } else if (!rc) {
        rc = raw_set(raw, "pushName", json_string(o->creds.push_name)) |
             raw_set(raw, "status", json_string_nocheck("PENDING")) |
             raw_set(raw, "message", json_incref(o->c.message)) |
             raw_set(raw, "messageType",
                     o->c.message_type ? json_string(o->c.message_type) : NULL) |
             raw_set(raw, "messageTimestamp", json_integer((json_int_t)o->t)) |
             raw_set(raw, "instanceId", json_string_nocheck(o->instance_id)) |
             raw_set(raw, "source", json_string_nocheck("web"));
        if (!rc && o->c.context_info)
            rc = raw_set(raw, "contextInfo", json_incref(o->c.context_info));
    }
    json_decref(key);
    if (rc) {
        json_decref(raw);
        return NULL;
    }
    return raw;
}

/* Events that follow the send itself (evolution-api.md §4.1): a revoke
 * announces messages.delete with the revoked key, an edit
 * send.message.update with the edited message. */
static void publish_after_send(send_op_t *o)
{
    int64_t now = o->d->now_ms ? o->d->now_ms() : wg_now_ms();
    const wg_wa_msg_key_t *k = &o->c.out.key;
    if (o->c.store == WG_COMPOSE_STORE_REVOKE) {
        json_t *key = json_pack("{s:s,s:b,s:s}", "remoteJid", k->remote_jid, "fromMe", k->from_me,
                                "id", k->id);
        if (k->participant)
            json_object_set_new(key, "participant", json_string(k->participant));
        wg_bus_publish(o->d->bus, "messages.delete", o->instance_name, o->instance_id, key, now);
    } else if (o->c.store == WG_COMPOSE_STORE_EDIT) {
        json_t *u = json_pack("{s:s,s:s,s:b,s:n,s:s,s:s,s:{s:s}}", "keyId", k->id, "remoteJid",
                              k->remote_jid, "fromMe", 1, "participant", "status", "EDITED",
                              "instanceId", o->instance_id, "message", "conversation", o->c.text);
        if (u)
            wg_bus_publish(o->d->bus, "send.message.update", o->instance_name, o->instance_id, u,
                           now);
    }
}

/* Starts sending c (taken: freed by the op in every case). */
static void send_start(wg_connd_t *d, wg_instance_t *inst, wg_compose_t *c, const char *why,
                       wg_send_done_cb done, void *ctx)
{
    send_op_t *o = wg_calloc(1, sizeof *o);
    o->token = g_next_token++;
    o->d = d;
    o->instance_id = wg_strdup(inst->row->id);
    o->instance_name = wg_strdup(inst->row->name);
    o->done = done;
    o->ctx = ctx;
    o->c = *c;
    memset(c, 0, sizeof *c);
    wg_wa_msg_new_id(o->id);
    op_link(o);
    snprintf(o->number, sizeof o->number, "%s", o->c.number);
    if (why) {
        fail(o, 400, why);
        return;
    }
    const wg_wa_creds_t *creds = NULL;
    wg_wa_session_t *s = wg_link_session(d, o->instance_id, &o->generation, &creds);
    if (!s) {
        fail(o, 400, "Error: Connection Closed");
        return;
    }
    o->creds = *creds;
    o->t = (d->now_ms ? d->now_ms() : wg_now_ms()) / 1000;
    wg_jid_t me;
    if (wg_send_chat_jid(o->number, o->chat, sizeof o->chat) != 0) {
        /* Evolution's createJid appends the server to whatever it was given */
        if (!strchr(o->number, '@') && strlen(o->number) < 64)
            snprintf(o->chat, sizeof o->chat, "%s@s.whatsapp.net", o->number);
        not_on_whatsapp(o);
        return;
    }
    wg_jid_t chat;
    if (wg_jid_parse(o->chat, strlen(o->chat), &chat) != 0 ||
        !(wg_jid_is_user(&chat) || wg_jid_is_group(&chat))) {
        fail(o, 400, "Error: only one-to-one and group chats can be sent to");
        return;
    }
    o->is_group = wg_jid_is_group(&chat);
    if (wg_jid_parse(o->creds.me_jid, strlen(o->creds.me_jid), &me) != 0) {
        fail(o, 400, "Error: Connection Closed");
        return;
    }
    snprintf(o->own_user, sizeof o->own_user, "%s@%s", me.user, me.server);
    o->raw = message_raw(o);
    if (!o->raw || wg_wa_msg_encode(&o->c.out, NULL, &o->plain) != 0 ||
        wg_wa_msg_encode(&o->c.out, o->chat, &o->dsm) != 0) {
        fail(o, 400, "Text is required");
        return;
    }
    if (o->c.delay_ms) {
        o->state = OP_DELAY;
        chat_state(o, "composing");
        o->timer = wg_wa_timer_new(d->loop, on_delay, o);
        wg_wa_timer_set(o->timer, o->c.delay_ms < MAX_DELAY_MS ? o->c.delay_ms : MAX_DELAY_MS);
        return;
    }
    queue_append(&g_steps, o);
    start_next(o);
}

void wg_send_text(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__SendTextReq *req,
                  wg_send_done_cb done, void *ctx)
{
    wg_compose_t c;
    const char *why;
    wg_compose_text(req, &c, &why);
    send_start(d, inst, &c, why, done, ctx);
}

void wg_send_reaction(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__SendReactionReq *req,
                      wg_send_done_cb done, void *ctx)
{
    wg_compose_t c;
    const char *why;
    wg_compose_reaction(req, now_of(d), &c, &why);
    send_start(d, inst, &c, why, done, ctx);
}

void wg_send_revoke(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__DeleteForEveryoneReq *req,
                    wg_send_done_cb done, void *ctx)
{
    wg_compose_t c;
    const char *why;
    wg_compose_revoke(req, &c, &why);
    send_start(d, inst, &c, why, done, ctx);
}

void wg_send_edit(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__UpdateMessageReq *req,
                  wg_send_done_cb done, void *ctx)
{
    wg_compose_t c;
    const char *why;
    wg_compose_edit(req, now_of(d), &c, &why);
    send_start(d, inst, &c, why, done, ctx);
}

/* <chatstate to=chat><composing/>|<paused/></chatstate> (§6 "Typing"). */
static void chat_state(send_op_t *o, const char *state)
{
    wg_wa_session_t *s = session_of(o);
    if (!s)
        return;
    wg_node_t *n = wg_node_new("chatstate");
    wg_node_set_attr(n, "to", o->chat);
    wg_node_add_child(n, wg_node_new(state));
    wg_wa_session_send(s, n);
}

/* §7.2 step 2: the recipient's devices and our own. */
static void start_usync(send_op_t *o)
{
    wg_wa_session_t *s = session_or_fail(o, NULL);
    if (!s)
        return;
    const wg_node_t *cached =
        wg_device_cache_get(o->instance_id, o->generation, o->chat, now_of(o->d));
    if (cached) {
        use_devices(o, cached, 0);
        return;
    }
    wg_node_t *iq = get_iq("usync");
    wg_node_t *u = wg_node_add_child(iq, wg_node_new("usync"));
    char sid[32];
    snprintf(sid, sizeof sid, "wg.%llu", (unsigned long long)o->token);
    wg_node_set_attr(u, "sid", sid);
    wg_node_set_attr(u, "mode", "query");
    wg_node_set_attr(u, "last", "true");
    wg_node_set_attr(u, "index", "0");
    wg_node_set_attr(u, "context", "message");
    wg_node_t *q = wg_node_add_child(u, wg_node_new("query"));
    wg_node_set_attr(wg_node_add_child(q, wg_node_new("devices")), "version", "2");
    wg_node_t *l = wg_node_add_child(u, wg_node_new("list"));
    if (o->is_group) {
        /* §7.2 step 6: every participant (ourselves included: our other
         * devices need the SKDM too) */
        for (size_t i = 0; i < o->n_users; i++)
            wg_node_set_attr(wg_node_add_child(l, wg_node_new("user")), "jid", o->users[i]);
    } else {
        wg_node_set_attr(wg_node_add_child(l, wg_node_new("user")), "jid", o->chat);
        if (strcmp(o->chat, o->own_user) != 0)
            wg_node_set_attr(wg_node_add_child(l, wg_node_new("user")), "jid", o->own_user);
    }
    ask(o, s, iq, OP_USYNC, on_usync);
}

/* The group's participants are known: who to query, which identity our
 * sender key has ([B]: the LID when addressing_mode is lid), and the
 * mentions of mentionsEveryOne. */
static void group_ready(send_op_t *o, const wg_group_meta_t *m)
{
    snprintf(o->addressing_mode, sizeof o->addressing_mode, "%s", m->addressing_mode);
    o->expiration = m->expiration;
    const char *self = strcmp(m->addressing_mode, "lid") == 0 && o->creds.me_lid[0]
                           ? o->creds.me_lid
                           : o->creds.me_jid;
    snprintf(o->sender, sizeof o->sender, "%s", self);
    o->users = wg_calloc(m->n ? m->n : 1, sizeof *o->users);
    for (size_t i = 0; i < m->n; i++)
        o->users[o->n_users++] = wg_strdup(m->participants[i]);
    if (o->c.mentions_every_one && o->c.out.kind == WG_WA_OUT_TEXT) {
        wg_compose_set_mentions(&o->c, (const char *const *)m->participants, m->n);
        if (o->c.context_info)
            json_object_set(o->raw, "contextInfo", o->c.context_info);
        wg_buf_reset(&o->plain);
        wg_wa_msg_encode(&o->c.out, NULL, &o->plain);
    }
    if (!o->n_users) {
        fail(o, 400, "Error: the group has no participants");
        return;
    }
    start_usync(o);
}

static void on_group_meta(uint64_t token, const void *reply)
{
    send_op_t *o = op_find(token);
    if (!o || o->state != OP_GROUP)
        return;
    wg_group_meta_t m;
    if (wg_group_meta_parse(reply, o->chat, &m) != 0) {
        fail(o, 400, "Error: group metadata query failed");
        return;
    }
    wg_group_cache_put(o->instance_id, o->generation, &m);
    const wg_group_meta_t *cached = wg_group_cache_get(o->instance_id, o->generation, o->chat);
    if (cached)
        group_ready(o, cached);
    else
        fail(o, 400, "Error: group metadata query failed");
}

/* §7.2 step 6: the participants, from the cache of this connection or
 * <iq xmlns="w:g2" type="get" to=gid><query request="interactive"/>. */
static void start_group(send_op_t *o)
{
    const wg_group_meta_t *cached = wg_group_cache_get(o->instance_id, o->generation, o->chat);
    if (cached) {
        group_ready(o, cached);
        return;
    }
    wg_wa_session_t *s = session_or_fail(o, NULL);
    if (!s)
        return;
    wg_node_t *iq = get_iq("w:g2");
    wg_node_set_attr(iq, "to", o->chat);
    wg_node_set_attr(wg_node_add_child(iq, wg_node_new("query")), "request", "interactive");
    ask(o, s, iq, OP_GROUP, on_group_meta);
}

/* After the optional composing delay: a group needs its participants first. */
static void start_next(send_op_t *o)
{
    if (o->is_group)
        start_group(o);
    else
        start_usync(o);
}

/* ------------------------------------------------------------ acks and receipts */

typedef struct status_job {
    wg_job_t job;        /* must be first */
    wg_connd_t *d;       /* daemon */
    char *instance_id;   /* owner */
    char *instance_name; /* for events */
    char *remote_jid;    /* chat */
    char *participant;   /* group receipts */
    char *status;        /* new status */
    char **ids;          /* message ids */
    int64_t *rowids;     /* per id: its row's rowid when known (acks), else 0 */
    size_t n_ids;        /* how many */
    size_t cap_ids;      /* allocated entries of ids and found */
    int *found;          /* per id: a row of ours changed */
    json_t *sent;        /* acks: the send.message data of each id (array), or NULL (receipt) */
    struct status_job *batch_next; /* an ack batch not yet submitted: the next one */
} status_job_t;

static void status_run(void *worker_ctx, wg_job_t *job)
{
    status_job_t *j = (status_job_t *)job;
    for (size_t i = 0; i < j->n_ids; i++)
        j->found[i] = wg_store_message_set_status_at(worker_ctx, j->rowids[i], j->instance_id,
                                                     j->ids[i], j->status) == 0;
}

static void status_done(wg_job_t *job)
{
    status_job_t *j = (status_job_t *)job;
    int64_t now = j->d->now_ms ? j->d->now_ms() : wg_now_ms();
    if (j->sent) {
        for (size_t i = 0; i < json_array_size(j->sent); i++)
            wg_bus_publish(j->d->bus, "send.message", j->instance_name, j->instance_id,
                           json_incref(json_array_get(j->sent, i)), now);
    } else {
        for (size_t i = 0; i < j->n_ids; i++) {
            if (!j->found[i])
                continue;
            json_t *u = json_pack("{s:s,s:s,s:b,s:o,s:s,s:s}", "keyId", j->ids[i], "remoteJid",
                                  j->remote_jid, "fromMe", 1, "participant",
                                  j->participant ? json_string(j->participant) : json_null(),
                                  "status", j->status, "instanceId", j->instance_id);
            if (u)
                wg_bus_publish(j->d->bus, "messages.update", j->instance_name, j->instance_id, u,
                               now);
        }
    }
    for (size_t i = 0; i < j->n_ids; i++)
        free(j->ids[i]);
    free(j->ids);
    free(j->rowids);
    free(j->found);
    free(j->instance_id);
    free(j->instance_name);
    free(j->remote_jid);
    free(j->participant);
    free(j->status);
    json_decref(j->sent);
    free(j);
}

static status_job_t *status_job(wg_connd_t *d, const char *instance_id, const char *name,
                                const char *status)
{
    status_job_t *j = wg_calloc(1, sizeof *j);
    j->job.run = status_run;
    j->job.done = status_done;
    j->d = d;
    j->instance_id = wg_strdup(instance_id);
    j->instance_name = wg_strdup(name ? name : "");
    j->status = wg_strdup(status);
    return j;
}

static void status_add_id(status_job_t *j, const char *id, int64_t rowid)
{
    if (j->n_ids == j->cap_ids) {
        j->cap_ids = j->cap_ids ? 2 * j->cap_ids : 4;
        j->ids = wg_realloc(j->ids, j->cap_ids * sizeof *j->ids);
        j->rowids = wg_realloc(j->rowids, j->cap_ids * sizeof *j->rowids);
        j->found = wg_realloc(j->found, j->cap_ids * sizeof *j->found);
    }
    j->ids[j->n_ids] = wg_strdup(id);
    j->rowids[j->n_ids] = rowid;
    j->found[j->n_ids] = 0;
    j->n_ids++;
}

/* Server acks come in bursts (a WebSocket read holds many), and each was
 * one status job: its allocations, its SAVEPOINT in the group commit, its
 * completion. The acks of one loop turn now go into one job per instance
 * and status (at most ACK_BATCH_MAX ids), submitted when the turn ends (a
 * zero-delay timer) or earlier, before this module submits any other job:
 * the store sees the status changes in the order they happened (a receipt
 * after its ack, a revoke after the ack of what it revokes), and every
 * send.message still follows its committed status. Status jobs are lazy
 * (core/jobs.h): when nothing else is queued, the worker waits for the next
 * job of any module, at most WG_JOBS_LAZY_WINDOW_MS, to share its
 * transaction and wakes;
 * jobs stay FIFO, so a status still lands after the send job that stored
 * its message (an ack only comes for a stanza sent after that commit).
 * Send jobs are held the same way (submit, sends_flush) and go first: the
 * module's jobs reach the worker in the order they were made. */
#define ACK_BATCH_MAX 256
static wg_wa_timer_t *g_ack_flush;   /* zero-delay: the end of this loop turn */
static int g_turn_armed;             /* g_ack_flush is set for this turn's end */

/* Submits the open ack batches (of instance_id, or all for NULL), oldest
 * first, after the send jobs held for the turn's end (every open batch
 * was opened after them: submit flushes the batches open before it). */
static void acks_flush(const char *instance_id)
{
    sends_flush();
    status_job_t *keep = NULL, *submit_list = NULL;
    while (g_ack_batches) {
        status_job_t *j = g_ack_batches;
        g_ack_batches = j->batch_next;
        int mine = !instance_id || strcmp(j->instance_id, instance_id) == 0;
        j->batch_next = mine ? submit_list : keep; /* reverses: oldest first */
        if (mine)
            submit_list = j;
        else
            keep = j;
    }
    while (keep) { /* back in newest-first order */
        status_job_t *j = keep;
        keep = j->batch_next;
        j->batch_next = g_ack_batches;
        g_ack_batches = j;
    }
    while (submit_list) {
        status_job_t *j = submit_list;
        submit_list = j->batch_next;
        j->batch_next = NULL;
        wg_jobs_submit_lazy(j->d->jobs, &j->job);
    }
}

static void on_ack_flush(void *arg)
{
    (void)arg;
    g_turn_armed = 0;
    acks_flush(NULL);
}

/* Arms the end-of-turn flush (held sends and ack batches). */
static void turn_end_arm(wg_connd_t *d)
{
    if (g_turn_armed)
        return;
    if (!g_ack_flush)
        g_ack_flush = wg_wa_timer_new(d->loop, on_ack_flush, NULL);
    wg_wa_timer_set(g_ack_flush, 0);
    g_turn_armed = 1;
}

/* The open batch for (instance_id, status), opened (and the flush armed) if needed. */
static status_job_t *ack_batch(wg_connd_t *d, const char *instance_id, const char *name,
                               const char *status)
{
    for (status_job_t *j = g_ack_batches; j; j = j->batch_next)
        if (strcmp(j->instance_id, instance_id) == 0 && strcmp(j->status, status) == 0)
            return j;
    status_job_t *j = status_job(d, instance_id, name, status);
    j->sent = json_array();
    j->batch_next = g_ack_batches;
    g_ack_batches = j;
    turn_end_arm(d);
    return j;
}

void wg_send_on_ack(wg_connd_t *d, const char *instance_id, const void *ack_node)
{
    const wg_node_t *n = ack_node;
    const char *id = wg_node_attr(n, "id");
    send_op_t *o = id ? g_by_id[id_bucket(id)] : NULL;
    while (o && !(o->state == OP_SENT && strcmp(o->id, id) == 0 &&
                  strcmp(o->instance_id, instance_id) == 0))
        o = o->by_id_next;
    if (!o)
        return;
    const char *error = wg_node_attr(n, "error");
    const char *status = error ? "ERROR" : "SERVER_ACK";
    /* §7.2 step 7: the server's participant hash differs from ours when our
     * view of the devices is stale; like [W], forget what is cached (the
     * group's participants and the chat's device list) */
    const char *phash = wg_node_attr(n, "phash");
    if (phash && !o->is_group && !o->phash[0])
        op_phash(o); /* a 1:1 send computes its own only now, when there is one to compare */
    if (phash && o->phash[0] && strcmp(phash, o->phash) != 0) {
        wg_log(WG_LOG_DEBUG,
               "msg=\"participant hash mismatch\" instance=%s id=%s ours=%s server=%s",
               o->instance_name, o->id, o->phash, phash);
        if (o->is_group)
            wg_group_cache_drop(instance_id, o->chat);
        wg_device_cache_drop(instance_id, o->chat);
    }
    if (error)
        wg_log(WG_LOG_WARN, "msg=\"server refused message\" instance=%s id=%s error=%s",
               o->instance_name, o->id, error);
    if (o->c.raw_wa_message) {
        /* a revoke or an edit is no message of its own: no row, no send.message */
        op_free(o);
        return;
    }
    status_job_t *j = ack_batch(d, instance_id, o->instance_name, status);
    status_add_id(j, o->id, o->rowid);
    json_object_set_new(o->raw, "status", json_string(status));
    json_array_append(j->sent, o->raw);
    if (j->n_ids >= ACK_BATCH_MAX)
        acks_flush(instance_id);
    op_free(o);
}

void wg_send_on_receipt(wg_connd_t *d, const char *instance_id, const void *receipt_node)
{
    const wg_node_t *n = receipt_node;
    const char *type = wg_node_attr(n, "type");
    const char *status = !type || !*type               ? "DELIVERY_ACK"
                         : strcmp(type, "read") == 0   ? "READ"
                         : strcmp(type, "played") == 0 ? "PLAYED"
                                                       : NULL;
    const char *id = wg_node_attr(n, "id");
    const char *from = wg_node_attr(n, "from");
    if (type && strcmp(type, "retry") == 0) {
        /* the sender's devices may have changed (a new device, a reinstall) */
        const char *who = wg_node_attr(n, "participant");
        wg_device_cache_drop(instance_id, who ? who : wg_node_attr(n, "from"));
        wg_retry_on_receipt(d, instance_id, n);
        return;
    }
    if (!status || !id || !from)
        return;
    acks_flush(instance_id); /* a receipt's status follows the acks before it */
    wg_instance_t *inst = wg_registry_find_id(d->reg, instance_id);
    status_job_t *j = status_job(d, instance_id, inst ? inst->row->name : "", status);
    char chat[160];
    const char *recipient = wg_node_attr(n, "recipient");
    if (wg_send_chat_jid(recipient ? recipient : from, chat, sizeof chat) != 0)
        snprintf(chat, sizeof chat, "%s", from);
    j->remote_jid = wg_strdup(chat);
    if (wg_node_attr(n, "participant"))
        j->participant = wg_strdup(wg_node_attr(n, "participant"));
    status_add_id(j, id, 0);
    const wg_node_t *list = wg_node_child(n, "list");
    for (size_t i = 0; list && i < list->child_count && j->n_ids < 256; i++) {
        const char *item = wg_node_attr(list->children[i], "id");
        if (item && strcmp(list->children[i]->tag, "item") == 0)
            status_add_id(j, item, 0);
    }
    wg_jobs_submit_lazy(d->jobs, &j->job); /* like the acks: rides with the next job */
}

void wg_send_forget(wg_connd_t *d, const char *instance_id)
{
    (void)d;
    acks_flush(instance_id); /* acks already received still reach the store */
    wg_group_cache_drop(instance_id, NULL);
    wg_device_cache_drop(instance_id, NULL);
    wg_retry_forget(instance_id);
    send_op_t *o = g_ops;
    while (o) {
        send_op_t *next = o->next;
        if (strcmp(o->instance_id, instance_id) == 0) {
            if (o->busy) {
                /* the job's done() will find it failed */
                o->failed = 1;
            } else {
                fail(o, 400, "Error: Connection Closed");
            }
        }
        o = next;
    }
}
