/* connd/message/send: the group pipeline end to end without a server. The
 * module is included whole; the link, the WhatsApp session (iqs and sent
 * stanzas are captured and answered here), the timers, the bus and the
 * worker queue are stubs, and the Signal layer and store are real. Three
 * peer devices with their own Signal layers (two of a member, one other
 * device of ours) receive the group message:
 *   1st send: w:g2 metadata iq, usync of every participant, pre-key bundles,
 *     a stanza with addressing_mode, phash (participantListHashV2 of the
 *     devices), one pkmsg per device carrying our SKDM and one skmsg; every
 *     peer decrypts the SKDM, then the skmsg, and reads exactly the text
 *     with mentionsEveryOne's mentionedJid;
 *   2nd send: metadata and device lists from the per-connection caches, no
 *     usync, no bundles, no participants (the sender-key memory), the
 *     sessions check and the encryption in one job, only the skmsg, still
 *     readable;
 *   the server ack with another phash drops the cache (the 3rd send asks
 *     again) and publishes send.message;
 *   a retry receipt of one device gets the message again as a DM-style
 *     <enc count> with the SKDM merged in, and the peer reads it; count 6
 *     is given up;
 *   a 1:1 send: no phash / addressing_mode on the wire, the Message to the
 *     chat's device and the deviceSentMessage to our other device, both
 *     read by their peers, its sessions, ratchet steps and row committed
 *     once by the lone encrypt job; its revoke (no usync: cached, one job,
 *     one commit): edit="7", decrypt-fail="hide",
 *     messages.delete, the stored row DELETED, and no send.message on ack. */
#include "message/send.c"
#include "signal/lid_map.h"

#include <unistd.h>

#include "wg_test.h"
#include "connd/store_fixture.h"

#define GID "120363000000000077@g.us"

/* ------------------------------------------------------------ stubs */

static wg_wa_creds_t g_creds;
static uint8_t g_vault[32] = {3, 1, 4};
static int g_session_open = 1;

wg_wa_session_t *wg_link_session(wg_connd_t *d, const char *instance_id, uint64_t *generation,
                                 const wg_wa_creds_t **creds)
{
    (void)d;
    (void)instance_id;
    if (!g_session_open || (*generation && *generation != 1))
        return NULL;
    *generation = 1;
    if (creds)
        *creds = &g_creds;
    return (wg_wa_session_t *)&g_session_open;
}

const uint8_t *wg_link_vault_key(void)
{
    return g_vault;
}

typedef struct {
    wg_node_t *iq;                          /* the query */
    void (*answer)(uint64_t, const void *); /* its callback */
    uint64_t token;                         /* its token */
} iq_t;

static iq_t g_iq[8];
static size_t g_n_iq;
static wg_node_t *g_sent[8];
static size_t g_n_sent;

int wg_wa_session_iq(wg_wa_session_t *s, void *iq_node,
                     void (*reply_fn)(uint64_t token, const void *reply), uint64_t token)
{
    (void)s;
    if (g_n_iq == 8) {
        wg_node_free(iq_node);
        return WG_ETOOBIG;
    }
    g_iq[g_n_iq++] = (iq_t){iq_node, reply_fn, token};
    return 0;
}

int wg_wa_session_send(wg_wa_session_t *s, void *node)
{
    (void)s;
    if (g_n_sent == 8) {
        wg_node_free(node);
        return WG_ESTATE;
    }
    g_sent[g_n_sent++] = node;
    return 0;
}

int wg_wa_session_send_view(wg_wa_session_t *s, const void *node)
{
    (void)s;
    if (g_n_sent == 8)
        return WG_ESTATE;
    g_sent[g_n_sent++] = wg_node_copy(node);
    return 0;
}

struct wg_wa_timer {
    int armed; /* set */
};

wg_wa_timer_t *wg_wa_timer_new(void *loop, void (*fn)(void *arg), void *arg)
{
    (void)loop;
    (void)fn;
    (void)arg;
    return wg_calloc(1, sizeof(wg_wa_timer_t));
}

void wg_wa_timer_set(wg_wa_timer_t *t, int64_t delay_ms)
{
    t->armed = delay_ms >= 0;
}

void wg_wa_timer_free(wg_wa_timer_t *t)
{
    free(t);
}

static char g_events[16][32];
static size_t g_n_events;

void wg_bus_publish(wg_bus_t *bus, const char *name, const char *instance_name,
                    const char *instance_id, json_t *data, int64_t at_ms)
{
    (void)bus;
    (void)instance_name;
    (void)instance_id;
    (void)at_ms;
    if (g_n_events < 16)
        snprintf(g_events[g_n_events++], sizeof g_events[0], "%s", name);
    json_decref(data);
}

wg_instance_t *wg_registry_find_id(const wg_registry_t *reg, const char *id)
{
    (void)reg;
    (void)id;
    return NULL;
}

static wg_job_t *g_jobs;
static wg_store_t *g_store;

void wg_jobs_submit(wg_jobs_t *jobs, wg_job_t *job)
{
    (void)jobs;
    job->next = NULL;
    wg_job_t **pp = &g_jobs;
    while (*pp)
        pp = &(*pp)->next;
    *pp = job;
}

/* Status jobs are lazy (core/jobs.h): the real worker lets them wait for
 * the next job; this queue keeps plain FIFO order and counts them. */
static int g_n_lazy;

void wg_jobs_submit_lazy(wg_jobs_t *jobs, wg_job_t *job)
{
    g_n_lazy++;
    wg_jobs_submit(jobs, job);
}

/* Runs queued jobs (run on "the worker", then done) until none is left. */
static int pump(void)
{
    int n = 0;
    sends_flush(); /* the loop turn's end submits the sends it held */
    while (g_jobs) {
        wg_job_t *j = g_jobs;
        g_jobs = j->next;
        j->run(g_store, j);
        j->done(j);
        n++;
    }
    return n;
}

/* ------------------------------------------------------------ peers */

typedef struct {
    char id[64];         /* instance id of its store rows */
    wg_wa_creds_t creds; /* its keys */
    wg_signal_t *sig;    /* its Signal layer */
    const char *jid;     /* its device JID */
} peer_t;

static peer_t g_peer[3]; /* 2222:0@lid, 2222:3@lid (a member), 9999:2@lid (our other device) */
static const char *const PEER_JIDS[3] = {"2222@lid", "2222:3@lid", "9999:2@lid"};
static wg_signal_addr_t g_us_addr; /* our sender identity as peers see it */
static char g_inst_id[64];

static wg_node_t *bytes_child(wg_node_t *p, const char *tag, const void *b, size_t len)
{
    wg_node_t *n = wg_node_add_child(p, wg_node_new(tag));
    wg_node_set_bytes(n, b, len);
    return n;
}

static void be_child(wg_node_t *p, const char *tag, uint32_t v, size_t len)
{
    uint8_t b[4];
    for (size_t i = 0; i < len; i++)
        b[i] = (uint8_t)(v >> (8 * (len - 1 - i)));
    bytes_child(p, tag, b, len);
}

/* ------------------------------------------------------------ replies */

static iq_t take_iq(const char *xmlns)
{
    iq_t none = {0};
    for (size_t i = 0; i < g_n_iq; i++) {
        if (strcmp(wg_node_attr(g_iq[i].iq, "xmlns"), xmlns) == 0) {
            iq_t q = g_iq[i];
            memmove(&g_iq[i], &g_iq[i + 1], (g_n_iq - i - 1) * sizeof g_iq[0]);
            g_n_iq--;
            return q;
        }
    }
    return none;
}

/* answers q with r, then frees both */
static void reply(iq_t q, wg_node_t *r)
{
    q.answer(q.token, r);
    wg_node_free(r);
    wg_node_free(q.iq);
}

/* answers the usync q: users[u] has the devices devs[u] (up to 2, NULL ends the list) */
static void answer_usync_with(iq_t q, const char *const users[2], const char *const devs[2][2])
{
    wg_node_t *r = wg_node_new("iq");
    wg_node_set_attr(r, "type", "result");
    wg_node_t *l =
        wg_node_add_child(wg_node_add_child(r, wg_node_new("usync")), wg_node_new("list"));
    for (size_t u = 0; u < 2; u++) {
        wg_node_t *un = wg_node_add_child(l, wg_node_new("user"));
        wg_node_set_attr(un, "jid", users[u]);
        wg_node_t *dl = wg_node_add_child(wg_node_add_child(un, wg_node_new("devices")),
                                          wg_node_new("device-list"));
        for (size_t k = 0; k < 2 && devs[u][k]; k++)
            wg_node_set_attr(wg_node_add_child(dl, wg_node_new("device")), "id", devs[u][k]);
    }
    reply(q, r);
}

/* one <user> of a pre-key answer under list: jid with sig's bundle, its pre-key prekey_id */
static void bundle_user(wg_node_t *list, const char *jid, wg_signal_t *sig, uint32_t prekey_id)
{
    wg_signal_bundle_t b;
    wg_signal_own_bundle(sig, prekey_id, &b);
    wg_node_t *u = wg_node_add_child(list, wg_node_new("user"));
    wg_node_set_attr(u, "jid", jid);
    be_child(u, "registration", b.registration_id, 4);
    bytes_child(u, "identity", b.identity, 32);
    wg_node_t *k = wg_node_add_child(u, wg_node_new("key"));
    be_child(k, "id", b.prekey_id, 3);
    bytes_child(k, "value", b.prekey, 32);
    wg_node_t *sk = wg_node_add_child(u, wg_node_new("skey"));
    be_child(sk, "id", b.spk_id, 3);
    bytes_child(sk, "value", b.spk, 32);
    bytes_child(sk, "signature", b.spk_sig, 64);
}

static void answer_group(void)
{
    iq_t q = take_iq("w:g2");
    WG_CHECK(q.iq != NULL);
    if (!q.iq)
        return;
    WG_CHECK_STR(wg_node_attr(q.iq, "to"), GID);
    WG_CHECK_STR(wg_node_attr(wg_node_child(q.iq, "query"), "request"), "interactive");
    wg_node_t *r = wg_node_new("iq");
    wg_node_set_attr(r, "type", "result");
    wg_node_t *g = wg_node_add_child(r, wg_node_new("group"));
    wg_node_set_attr(g, "id", "120363000000000077");
    wg_node_set_attr(g, "addressing_mode", "lid");
    wg_node_set_attr(wg_node_add_child(g, wg_node_new("participant")), "jid", "2222@lid");
    wg_node_set_attr(wg_node_add_child(g, wg_node_new("participant")), "jid", "9999@lid");
    reply(q, r);
}

static void answer_usync(void)
{
    iq_t q = take_iq("usync");
    WG_CHECK(q.iq != NULL);
    if (!q.iq)
        return;
    const wg_node_t *list = wg_node_child(wg_node_child(q.iq, "usync"), "list");
    WG_CHECK(list && list->child_count == 2);
    const char *const users[2] = {"2222@lid", "9999@lid"};
    const char *const devs[2][2] = {{"0", "3"}, {"1", "2"}}; /* 9999:1 is the sending device */
    answer_usync_with(q, users, devs);
}

static void answer_keys(void)
{
    iq_t q = take_iq("encrypt");
    WG_CHECK(q.iq != NULL);
    if (!q.iq)
        return;
    wg_node_t *r = wg_node_new("iq");
    wg_node_set_attr(r, "type", "result");
    wg_node_t *l = wg_node_add_child(r, wg_node_new("list"));
    const wg_node_t *key = wg_node_child(q.iq, "key");
    WG_CHECK_INT((int)key->child_count, 3);
    for (size_t i = 0; i < 3; i++)
        bundle_user(l, PEER_JIDS[i], g_peer[i].sig, (uint32_t)(5 + i));
    reply(q, r);
}

/* ------------------------------------------------------------ the caller */

static int g_status;
static char g_json[4096];

static void done(void *ctx, const wg_send_result_t *r)
{
    (void)ctx;
    g_status = r->status;
    char buf[4096], *spill;
    const char *text = wg_send_result_text_in(r, buf, sizeof buf, &spill);
    snprintf(g_json, sizeof g_json, "%s", text ? text : "");
    free(spill);
}

static wg_node_t *take_sent(void)
{
    if (!g_n_sent)
        return NULL;
    wg_node_t *n = g_sent[0];
    memmove(&g_sent[0], &g_sent[1], (g_n_sent - 1) * sizeof g_sent[0]);
    g_n_sent--;
    return n;
}

/* peer i reads the stanza: its pkmsg/msg (if any) and the skmsg */
static void peer_reads(size_t i, const wg_node_t *m, const char *want_text, int want_skdm)
{
    const wg_node_t *parts = wg_node_child(m, "participants");
    wg_buf_t pt = WG_BUF_INIT;
    int got_skdm = 0;
    for (size_t k = 0; parts && k < parts->child_count; k++) {
        const wg_node_t *to = parts->children[k];
        if (strcmp(wg_node_attr(to, "jid"), PEER_JIDS[i]) != 0)
            continue;
        const wg_node_t *enc = wg_node_child(to, "enc");
        wg_signal_type_t type;
        WG_CHECK_INT(wg_signal_type_parse(wg_node_attr(enc, "type"), &type), 0);
        wg_signal_addr_t from;
        WG_CHECK_INT(wg_signal_addr_from_jid("9999:1@lid", &from), 0);
        WG_CHECK_INT(
            wg_signal_decrypt(g_peer[i].sig, &from, type, enc->data, enc->data_len, &pt, NULL), 0);
        wg_wa_msg_content_t c;
        WG_CHECK_INT(wg_wa_msg_decode(pt.p, pt.len, &c), 0);
        WG_CHECK(c.skdm != NULL && c.dsm_destination == NULL);
        if (c.skdm) {
            WG_CHECK_STR(c.skdm_group, GID);
            WG_CHECK_INT(
                wg_signal_group_process_skdm(g_peer[i].sig, GID, &g_us_addr, c.skdm, c.skdm_len),
                0);
            got_skdm = 1;
        }
        wg_wa_msg_content_free(&c);
    }
    WG_CHECK_INT(got_skdm, want_skdm);
    const wg_node_t *sk = NULL;
    for (size_t k = 0; k < m->child_count; k++)
        if (strcmp(m->children[k]->tag, "enc") == 0)
            sk = m->children[k];
    WG_CHECK(sk && strcmp(wg_node_attr(sk, "type"), "skmsg") == 0);
    if (!sk)
        return;
    wg_buf_reset(&pt);
    WG_CHECK_INT(
        wg_signal_group_decrypt(g_peer[i].sig, GID, &g_us_addr, sk->data, sk->data_len, &pt), 0);
    wg_wa_msg_content_t c;
    WG_CHECK_INT(wg_wa_msg_decode(pt.p, pt.len, &c), 0);
    WG_CHECK_STR(c.text, want_text);
    if (c.message && json_object_get(c.message, "extendedTextMessage")) {
        json_t *m2 = json_object_get(
            json_object_get(json_object_get(c.message, "extendedTextMessage"), "contextInfo"),
            "mentionedJid");
        WG_CHECK_INT((int)json_array_size(m2), 2);
    }
    wg_wa_msg_content_free(&c);
    wg_buf_free(&pt);
}

static char g_first_id[23];

/* the instance under test ("grp") as the send path sees it; row is filled in */
static wg_instance_t grp_instance(Wg__Ipc__Instance *row)
{
    wg_instance_t inst;
    *row = (Wg__Ipc__Instance)WG__IPC__INSTANCE__INIT;
    row->id = g_inst_id;
    row->name = "grp";
    inst.row = row;
    return inst;
}

/* wg_send_text of text to number from "grp" (mentionsEveryOne when everyone), g_status reset;
 * the send op keeps d, so it is the caller's */
static void send_text(wg_connd_t *d, const char *number, const char *text, int everyone)
{
    Wg__Ipc__Instance row;
    wg_instance_t inst = grp_instance(&row);
    Wg__Ipc__SendTextReq req = WG__IPC__SEND_TEXT_REQ__INIT;
    req.number = (char *)number;
    req.text = (char *)text;
    req.has_mentions_every_one = everyone;
    req.mentions_every_one = everyone;
    g_status = 0;
    wg_send_text(d, &inst, &req, done, NULL);
}

static void group_first_send(void)
{
    wg_connd_t d = {0};
    send_text(&d, GID, "hello group", 1);
    answer_group();
    answer_usync();
    WG_CHECK_INT(pump(), 1); /* the sessions check */
    answer_keys();
    WG_CHECK_INT(pump(), 1); /* encryption + store */
    WG_CHECK_INT(g_status, 201);
    WG_CHECK(strstr(g_json, "\"mentionedJid\":[\"2222@lid\",\"9999@lid\"]") != NULL);
    WG_CHECK(strstr(g_json, "\"remoteJid\":\"" GID "\"") != NULL);
    wg_node_t *m = take_sent();
    WG_CHECK(m != NULL);
    if (!m)
        return;
    WG_CHECK_STR(wg_node_attr(m, "to"), GID);
    WG_CHECK_STR(wg_node_attr(m, "type"), "text");
    WG_CHECK_STR(wg_node_attr(m, "addressing_mode"), "lid");
    /* every device of the list, our sending device included ([W]) */
    const char *devs[4] = {"2222@lid", "2222:3@lid", "9999:1@lid", "9999:2@lid"};
    char ph[12];
    WG_CHECK_INT(wg_send_phash(devs, 4, ph), 0);
    WG_CHECK_STR(wg_node_attr(m, "phash"), ph);
    const wg_node_t *parts = wg_node_child(m, "participants");
    WG_CHECK(parts && parts->child_count == 3);
    for (size_t i = 0; parts && i < parts->child_count; i++)
        WG_CHECK_STR(wg_node_attr(wg_node_child(parts->children[i], "enc"), "type"), "pkmsg");
    WG_CHECK(wg_node_child(m, "device-identity") != NULL);
    snprintf(g_first_id, sizeof g_first_id, "%s", wg_node_attr(m, "id"));
    for (size_t i = 0; i < 3; i++)
        peer_reads(i, m, "hello group", 1);
    wg_node_free(m);
}

static void group_second_send_and_ack(void)
{
    wg_connd_t d = {0};
    send_text(&d, GID, "again", 0);
    WG_CHECK(take_iq("w:g2").iq == NULL); /* cached for this connection */
    WG_CHECK(take_iq("usync").iq == NULL); /* so are the device lists */
    /* sessions check and encryption in one job: everybody has our sender
     * key, so no bundles are asked for */
    WG_CHECK_INT(pump(), 1);
    WG_CHECK(take_iq("encrypt").iq == NULL);
    WG_CHECK_INT(g_status, 201);
    wg_node_t *m = take_sent();
    WG_CHECK(m && !wg_node_child(m, "participants") && !wg_node_child(m, "device-identity"));
    if (!m)
        return;
    for (size_t i = 0; i < 3; i++)
        peer_reads(i, m, "again", 0);
    /* the ack with another participant hash: cache dropped, send.message */
    wg_node_t *ack = wg_node_new("ack");
    wg_node_set_attr(ack, "id", wg_node_attr(m, "id"));
    wg_node_set_attr(ack, "phash", "2:AAAAAAAA");
    g_n_events = 0;
    wg_send_on_ack(&d, g_inst_id, ack);
    WG_CHECK_INT(pump(), 0); /* batched until the loop turn ends */
    WG_CHECK(g_ack_flush && g_ack_flush->armed);
    on_ack_flush(NULL);
    WG_CHECK_INT(pump(), 1);
    WG_CHECK(g_n_events == 1 && strcmp(g_events[0], "send.message") == 0);
    WG_CHECK(wg_group_cache_get(g_inst_id, 1, GID) == NULL);
    wg_node_free(ack);
    wg_node_free(m);
}

static void group_retry(void)
{
    wg_connd_t d = {0};
    /* 2222:3 could not decrypt the first message */
    wg_node_t *r = wg_node_new("receipt");
    wg_node_set_attr(r, "id", g_first_id);
    wg_node_set_attr(r, "from", GID);
    wg_node_set_attr(r, "participant", "2222:3@lid");
    wg_node_set_attr(r, "type", "retry");
    wg_node_set_attr(wg_node_add_child(r, wg_node_new("retry")), "count", "1");
    wg_send_on_receipt(&d, g_inst_id, r);
    WG_CHECK_INT(pump(), 1);
    wg_node_t *m = take_sent();
    WG_CHECK(m != NULL);
    if (m) {
        WG_CHECK_STR(wg_node_attr(m, "id"), g_first_id);
        WG_CHECK_STR(wg_node_attr(m, "to"), GID);
        WG_CHECK_STR(wg_node_attr(m, "participant"), "2222:3@lid");
        const wg_node_t *enc = wg_node_child(m, "enc");
        WG_CHECK(enc && strcmp(wg_node_attr(enc, "count"), "1") == 0);
        wg_signal_type_t type;
        wg_signal_addr_t from;
        wg_buf_t pt = WG_BUF_INIT;
        WG_CHECK_INT(wg_signal_type_parse(wg_node_attr(enc, "type"), &type), 0);
        WG_CHECK_INT(wg_signal_addr_from_jid("9999:1@lid", &from), 0);
        WG_CHECK_INT(
            wg_signal_decrypt(g_peer[1].sig, &from, type, enc->data, enc->data_len, &pt, NULL), 0);
        wg_wa_msg_content_t c;
        WG_CHECK_INT(wg_wa_msg_decode(pt.p, pt.len, &c), 0);
        WG_CHECK_STR(c.text, "hello group");
        WG_CHECK(c.skdm != NULL);
        wg_wa_msg_content_free(&c);
        wg_buf_free(&pt);
        wg_node_free(m);
    }
    /* count 6: given up, nothing sent */
    wg_node_set_attr(wg_node_child(r, "retry"), "count", "6");
    wg_send_on_receipt(&d, g_inst_id, r);
    WG_CHECK_INT(pump(), 0);
    WG_CHECK_INT((int)g_n_sent, 0);
    wg_node_free(r);
}

static void group_third_send_asks_again(void)
{
    wg_connd_t d = {0};
    send_text(&d, GID, "third", 0);
    answer_group();
    answer_usync();
    pump();
    pump();
    wg_node_t *m = take_sent();
    WG_CHECK(m != NULL);
    if (m)
        peer_reads(0, m, "third", 0);
    wg_node_free(m);
    wg_send_forget(&d, g_inst_id); /* the op waiting for its ack ends; caches go */
    WG_CHECK_INT((int)wg_retry_cached(NULL), 0);
}

/* ------------------------------------------------------------ 1:1 */

#define PEER_CHAT "5555000@s.whatsapp.net"

static void answer_usync_direct(void)
{
    iq_t q = take_iq("usync");
    WG_CHECK(q.iq != NULL);
    if (!q.iq)
        return;
    const wg_node_t *list = wg_node_child(wg_node_child(q.iq, "usync"), "list");
    WG_CHECK(list && list->child_count == 2); /* the chat and our own user */
    const char *const users[2] = {PEER_CHAT, "1111@s.whatsapp.net"};
    const char *const devs[2][2] = {{"0", NULL}, {"1", "2"}}; /* 1111:1 sends */
    answer_usync_with(q, users, devs);
}

/* bundles of peer 0 for the chat's device, peer 2 for our other device */
static void answer_keys_direct(void)
{
    iq_t q = take_iq("encrypt");
    WG_CHECK(q.iq != NULL);
    if (!q.iq)
        return;
    wg_node_t *r = wg_node_new("iq");
    wg_node_set_attr(r, "type", "result");
    wg_node_t *l = wg_node_add_child(r, wg_node_new("list"));
    const char *jids[2] = {PEER_CHAT, "1111:2@s.whatsapp.net"};
    size_t who[2] = {0, 2};
    for (size_t i = 0; i < 2; i++)
        bundle_user(l, jids[i], g_peer[who[i]].sig, (uint32_t)(20 + i));
    reply(q, r);
}

/* device k of the stanza, decrypted by peer p */
static int read_direct(const wg_node_t *m, const char *jid, size_t p, wg_wa_msg_content_t *c)
{
    const wg_node_t *parts = wg_node_child(m, "participants");
    for (size_t k = 0; parts && k < parts->child_count; k++) {
        if (strcmp(wg_node_attr(parts->children[k], "jid"), jid) != 0)
            continue;
        const wg_node_t *enc = wg_node_child(parts->children[k], "enc");
        wg_signal_type_t type;
        wg_signal_addr_t from;
        wg_buf_t pt = WG_BUF_INIT;
        int rc = wg_signal_type_parse(wg_node_attr(enc, "type"), &type);
        if (rc == 0)
            rc = wg_signal_addr_from_jid("1111:1@s.whatsapp.net", &from);
        if (rc == 0)
            rc = wg_signal_decrypt(g_peer[p].sig, &from, type, enc->data, enc->data_len, &pt, NULL);
        if (rc == 0)
            rc = wg_wa_msg_decode(pt.p, pt.len, c);
        wg_buf_free(&pt);
        return rc;
    }
    return WG_ENOTFOUND;
}

static int keep_status(void *ud, const wg_store_message_row_t *r)
{
    snprintf(ud, 32, "%s", r->status);
    return 0;
}

/* Transactions the store commits (a group or a job alone), by observer. */
static int g_commits;

static void count_commit(void *ud)
{
    (void)ud;
    g_commits++;
}

static void direct_send_and_revoke(void)
{
    wg_connd_t d = {0};
    wg_store_observer_t counter = {.committed = count_commit, .ud = &g_commits};
    WG_CHECK_INT(wg_store_observe(g_store, &counter), 0);
    send_text(&d, "+55 5500 0", "just us", 0);
    answer_usync_direct();
    WG_CHECK_INT(pump(), 1);
    answer_keys_direct();
    g_commits = 0;
    WG_CHECK_INT(pump(), 1);
    /* the encrypt job, run alone: two sessions built, two ratchet steps and
     * the message row, in one commit (not one per device and the row) */
    WG_CHECK_INT(g_commits, 1);
    WG_CHECK_INT(g_status, 201);
    wg_node_t *m = take_sent();
    WG_CHECK(m != NULL);
    if (!m)
        return;
    WG_CHECK_STR(wg_node_attr(m, "to"), PEER_CHAT);
    WG_CHECK(!wg_node_attr(m, "phash") && !wg_node_attr(m, "addressing_mode")); /* DMs: none */
    WG_CHECK(!wg_node_child(m, "enc"));                                         /* no skmsg */
    wg_wa_msg_content_t c;
    WG_CHECK_INT(read_direct(m, PEER_CHAT, 0, &c), 0);
    WG_CHECK_STR(c.text, "just us");
    WG_CHECK(c.dsm_destination == NULL);
    wg_wa_msg_content_free(&c);
    WG_CHECK_INT(read_direct(m, "1111:2@s.whatsapp.net", 2, &c), 0);
    WG_CHECK_STR(c.dsm_destination, PEER_CHAT); /* our other device: deviceSentMessage */
    WG_CHECK_STR(c.text, "just us");
    wg_wa_msg_content_free(&c);
    char id[23];
    snprintf(id, sizeof id, "%s", wg_node_attr(m, "id"));
    wg_node_free(m);

    /* revoke it: edit="7", decrypt-fail="hide", messages.delete, row DELETED */
    Wg__Ipc__MessageKeyReq k = WG__IPC__MESSAGE_KEY_REQ__INIT;
    k.id = id;
    k.remote_jid = PEER_CHAT;
    k.has_from_me = 1;
    k.from_me = 1;
    Wg__Ipc__DeleteForEveryoneReq del = WG__IPC__DELETE_FOR_EVERYONE_REQ__INIT;
    del.key = &k;
    g_n_events = 0;
    Wg__Ipc__Instance row;
    wg_instance_t inst = grp_instance(&row);
    wg_send_revoke(&d, &inst, &del, done, NULL);
    WG_CHECK(take_iq("usync").iq == NULL); /* the chat's device list is cached */
    g_commits = 0;
    WG_CHECK_INT(pump(), 1); /* sessions exist now: checked and encrypted in one job */
    WG_CHECK_INT(g_commits, 1); /* and committed once, with the DELETED status */
    wg_store_unobserve(g_store, &g_commits);
    WG_CHECK_INT(g_status, 201);
    WG_CHECK(strstr(g_json, "\"type\":\"REVOKE\"") != NULL);
    m = take_sent();
    WG_CHECK(m != NULL);
    if (!m)
        return;
    WG_CHECK_STR(wg_node_attr(m, "edit"), "7");
    const wg_node_t *parts = wg_node_child(m, "participants");
    WG_CHECK_STR(wg_node_attr(wg_node_child(parts->children[0], "enc"), "decrypt-fail"), "hide");
    WG_CHECK(g_n_events == 1 && strcmp(g_events[0], "messages.delete") == 0);
    char status[32] = "";
    wg_store_message_query_t q = {
        .key_id = id, .from_me = -1, .ts_gte = -1, .ts_lte = -1, .limit = 1};
    int64_t total = 0;
    WG_CHECK_INT(wg_store_message_find(g_store, g_inst_id, &q, keep_status, status, &total), 0);
    WG_CHECK_STR(status, "DELETED");
    /* the server's ack of a revoke: no send.message (it is no message of its own) */
    wg_node_t *ack = wg_node_new("ack");
    wg_node_set_attr(ack, "id", wg_node_attr(m, "id"));
    wg_send_on_ack(&d, g_inst_id, ack);
    on_ack_flush(NULL);
    WG_CHECK_INT(pump(), 0);
    WG_CHECK_INT((int)g_n_events, 1);
    wg_node_free(ack);
    wg_node_free(m);
}

/* A send whose group commit failed (core/jobs.h: rc WG_EDB, nothing of the
 * job is durable, its ratchet step included) never goes on the wire. */
static void direct_send_commit_failed(void)
{
    wg_connd_t d = {0};
    send_text(&d, "+55 5500 0", "not durable", 0);
    sends_flush();
    WG_CHECK(g_jobs != NULL); /* device list cached, sessions known: one job */
    while (g_jobs) {
        wg_job_t *j = g_jobs;
        g_jobs = j->next;
        j->run(g_store, j);
        j->rc = WG_EDB; /* as jobs.c sets it when the group's COMMIT fails */
        j->done(j);
    }
    WG_CHECK_INT(g_status, 500);
    WG_CHECK(take_sent() == NULL);
}

/* The sends of one loop turn are held and reach the worker together, in
 * order, when the turn ends; a receipt's status job (acks_flush) submits
 * the held sends before itself. */
static void sends_of_a_turn_together(void)
{
    wg_connd_t d = {0};
    send_text(&d, "+55 5500 0", "turn a", 0);
    send_text(&d, "+55 5500 0", "turn b", 0);
    WG_CHECK(g_jobs == NULL); /* held until the turn ends */
    on_ack_flush(NULL);       /* the turn's end */
    int queued = 0;
    for (wg_job_t *j = g_jobs; j; j = j->next)
        queued++;
    WG_CHECK_INT(queued, 2);
    WG_CHECK_INT(pump(), 2);
    for (int i = 0; i < 2; i++) {
        wg_node_t *m = take_sent();
        WG_CHECK(m != NULL);
        wg_wa_msg_content_t c;
        if (m && read_direct(m, PEER_CHAT, 0, &c) == 0) {
            WG_CHECK_STR(c.text, i == 0 ? "turn a" : "turn b");
            wg_wa_msg_content_free(&c);
        }
        wg_node_free(m);
    }
    /* a send, then a receipt in the same turn: the send's job goes first */
    send_text(&d, "+55 5500 0", "turn c", 0);
    wg_node_t *r = wg_node_new("receipt");
    wg_node_set_attr(r, "id", "SOMEID");
    wg_node_set_attr(r, "from", PEER_CHAT);
    wg_send_on_receipt(&d, g_inst_id, r);
    wg_node_free(r);
    WG_CHECK(g_jobs != NULL && g_jobs->run == job_run);
    WG_CHECK(g_jobs && g_jobs->next && g_jobs->next->run == status_run);
    WG_CHECK_INT(pump(), 2);
    wg_node_free(take_sent());
}

/* Sends "text" to the 1:1 chat (device list cached), acks it with phash
 * (NULL: none) and returns whether the send asked usync first. */
static int direct_send_acked(const char *text, const char *phash)
{
    wg_connd_t d = {0};
    send_text(&d, "+55 5500 0", text, 0);
    int asked = 0;
    for (size_t i = 0; i < g_n_iq; i++)
        asked |= strcmp(wg_node_attr(g_iq[i].iq, "xmlns"), "usync") == 0;
    if (asked)
        answer_usync_direct();
    pump();
    wg_node_t *m = take_sent();
    WG_CHECK(m != NULL);
    if (!m)
        return asked;
    wg_node_t *ack = wg_node_new("ack");
    wg_node_set_attr(ack, "id", wg_node_attr(m, "id"));
    if (phash)
        wg_node_set_attr(ack, "phash", phash);
    wg_send_on_ack(&d, g_inst_id, ack);
    on_ack_flush(NULL);
    pump();
    wg_node_free(ack);
    wg_node_free(m);
    return asked;
}

/* A 1:1 send computes its participant hash only when the server's ack
 * brings one: the same hash keeps the chat's device list, another drops
 * it (the next send asks usync again). */
static void direct_ack_phash(void)
{
    const char *devs[3] = {PEER_CHAT, "1111:2@s.whatsapp.net", "1111:1@s.whatsapp.net"};
    char ours[12];
    WG_CHECK_INT(wg_send_phash(devs, 3, ours), 0);
    WG_CHECK_INT(direct_send_acked("hash same", ours), 0);
    WG_CHECK_INT(direct_send_acked("hash other", "2:AAAAAAAA"), 0);
    WG_CHECK_INT(direct_send_acked("hash asks", NULL), 1); /* the list was dropped */
}

/* Once the chat's LID is known, receive has moved its sessions to the LID
 * address (signal/lid_map.h): the next send must find them there and use
 * them (no bundle fetch), while the wire still names usync's JID. */
static void direct_send_under_lid(void)
{
    wg_signal_t *us = NULL;
    WG_CHECK_INT(wg_signal_open(g_store, g_inst_id, g_vault, &g_creds, &us), 0);
    WG_CHECK_INT(wg_lid_map_record(g_store, g_inst_id, "7777@lid", PEER_CHAT), 1);
    WG_CHECK(wg_lid_map_migrate_sessions(us, PEER_CHAT, "7777@lid") >= 1);
    wg_signal_addr_t pn, lid;
    WG_CHECK_INT(wg_signal_addr_from_jid(PEER_CHAT, &pn), 0);
    WG_CHECK_INT(wg_signal_addr_from_jid("7777@lid", &lid), 0);
    WG_CHECK_INT(wg_signal_has_session(us, &pn), 0);
    WG_CHECK_INT(wg_signal_has_session(us, &lid), 1);
    wg_signal_free(us);
    wg_connd_t d = {0};
    send_text(&d, PEER_CHAT, "via lid", 0);
    WG_CHECK(take_iq("usync").iq == NULL); /* the chat's device list is cached */
    WG_CHECK_INT(pump(), 1); /* the LID session is found: no encrypt/key query */
    WG_CHECK_INT((int)g_n_iq, 0);
    WG_CHECK_INT(g_status, 201);
    wg_node_t *m = take_sent();
    WG_CHECK(m != NULL);
    if (!m)
        return;
    WG_CHECK_STR(wg_node_attr(m, "to"), PEER_CHAT);
    wg_wa_msg_content_t c;
    WG_CHECK_INT(read_direct(m, PEER_CHAT, 0, &c), 0); /* the peer's one ratchet reads it */
    WG_CHECK_STR(c.text, "via lid");
    wg_wa_msg_content_free(&c);
    wg_node_free(m);
}

static int64_t g_clock_ms = 1000000;

static int64_t test_clock(void)
{
    return g_clock_ms;
}

static send_op_t *fake_sent_op(wg_connd_t *d, const char *id)
{
    send_op_t *o = wg_calloc(1, sizeof *o);
    o->token = g_next_token++;
    o->d = d;
    o->instance_id = wg_strdup("inst-acks");
    o->instance_name = wg_strdup("acks");
    snprintf(o->id, sizeof o->id, "%s", id);
    op_link(o);
    o->state = OP_SENT;
    acks_append(o);
    return o;
}

static void clear_queues(void);

/* The stored status of one of our messages ("" when there is none). */
static void stored_status(const char *id, char status[32])
{
    status[0] = '\0';
    wg_store_message_query_t q = {
        .key_id = id, .from_me = -1, .ts_gte = -1, .ts_lte = -1, .limit = 1};
    int64_t total = 0;
    WG_CHECK_INT(wg_store_message_find(g_store, g_inst_id, &q, keep_status, status, &total), 0);
}

/* The server acks of one loop turn are one status job per instance and
 * status, submitted when the turn ends; a receipt, or any other job of the
 * send pipeline, submits the acks before it first, so the store sees the
 * statuses in the order they came: DELIVERY_ACK after SERVER_ACK. Every
 * acked message still gets its own send.message, after the commit. All
 * three status jobs are submitted lazily (they may wait for the next job's
 * transaction; test_jobs covers the waiting). */
static void ack_batches(void)
{
    wg_connd_t d = {0};
    clear_queues();
    char ids[3][32];
    for (int i = 0; i < 3; i++) {
        send_text(&d, PEER_CHAT, "batched", 0);
        WG_CHECK_INT(pump(), 1);
        WG_CHECK_INT(g_status, 201);
        wg_node_t *m = take_sent();
        snprintf(ids[i], sizeof ids[i], "%s", m ? wg_node_attr(m, "id") : "");
        wg_node_free(m);
    }
    g_n_events = 0;
    g_n_lazy = 0;
    for (int i = 0; i < 3; i++) {
        wg_node_t *ack = wg_node_new("ack");
        wg_node_set_attr(ack, "id", ids[i]);
        if (i == 2)
            wg_node_set_attr(ack, "error", "479"); /* another status: another batch */
        wg_send_on_ack(&d, g_inst_id, ack);
        wg_node_free(ack);
    }
    WG_CHECK(g_jobs == NULL); /* nothing submitted during the turn */
    WG_CHECK(g_ack_batches && g_ack_batches->batch_next && !g_ack_batches->batch_next->batch_next);
    WG_CHECK_INT((int)g_ack_batches->batch_next->n_ids, 2);
    /* the first message's delivery receipt in the same turn */
    wg_node_t *r = wg_node_new("receipt");
    wg_node_set_attr(r, "id", ids[0]);
    wg_node_set_attr(r, "from", PEER_CHAT);
    wg_send_on_receipt(&d, g_inst_id, r);
    wg_node_free(r);
    WG_CHECK(g_ack_batches == NULL);
    WG_CHECK_INT(g_n_lazy, 3); /* statuses wait to ride with the next job */
    WG_CHECK_INT(pump(), 3); /* the SERVER_ACK batch, the ERROR batch, then the receipt */
    WG_CHECK_INT((int)g_n_events, 4);
    WG_CHECK(strcmp(g_events[0], "send.message") == 0 && strcmp(g_events[1], "send.message") == 0 &&
             strcmp(g_events[2], "send.message") == 0 && strcmp(g_events[3], "messages.update") == 0);
    char status[32];
    stored_status(ids[0], status);
    WG_CHECK_STR(status, "DELIVERY_ACK");
    stored_status(ids[1], status);
    WG_CHECK_STR(status, "SERVER_ACK");
    stored_status(ids[2], status);
    WG_CHECK_STR(status, "ERROR");
    on_ack_flush(NULL); /* the turn's end finds nothing left */
    WG_CHECK_INT(pump(), 0);
}

/* Drops what earlier tests left in the deadline queues (their d is gone). */
static void clear_queues(void)
{
    while (g_steps.head)
        op_free(g_steps.head);
    while (g_acks.head)
        op_free(g_acks.head);
}

/* Ops awaiting their ack share one timer: they leave in order as their
 * deadlines pass; an acked op leaves the queue at once. */
static void ack_deadlines(void)
{
    wg_connd_t d = {0};
    d.now_ms = test_clock;
    clear_queues(); /* left by the tests above (on the real clock) */
    send_op_t *a = fake_sent_op(&d, "ACKA");
    uint64_t ta = a->token;
    g_clock_ms += 10;
    send_op_t *b = fake_sent_op(&d, "ACKB");
    uint64_t tb = b->token;
    g_clock_ms += 10;
    send_op_t *c = fake_sent_op(&d, "ACKC");
    uint64_t tc = c->token;
    WG_CHECK(g_acks.timer && g_acks.timer->armed);
    op_free(b); /* acked */
    WG_CHECK(g_acks.head == a && g_acks.tail == c && a->q_next == c && c->q_prev == a);
    g_clock_ms += ACK_TIMEOUT_MS - 20; /* a's deadline */
    on_deadline(&g_acks);
    WG_CHECK(op_find(ta) == NULL && op_find(tb) == NULL && op_find(tc) == c);
    WG_CHECK(g_acks.head == c);
    g_clock_ms += 20;
    on_deadline(&g_acks);
    WG_CHECK(op_find(tc) == NULL && g_acks.head == NULL && g_acks.tail == NULL);
    on_deadline(&g_acks); /* nothing left: no-op */
}

/* The steps before the <message> goes out share one timer too (no timer
 * per op): an op still waiting for a reply at STEP_TIMEOUT_MS is answered
 * "Timed Out" and freed; one whose worker job is running is marked failed
 * (its job's completion answers); a sent op moves to the ack queue; a
 * real send leaves no op in the step queue and only a composing delay
 * gets a timer of its own. */
static void step_deadlines(void)
{
    wg_connd_t d = {0};
    d.now_ms = test_clock;
    clear_queues();
    send_op_t *a = fake_sent_op(&d, "STEPA");
    a->state = OP_USYNC;
    a->done = done;
    queue_append(&g_steps, a); /* out of the ack queue */
    WG_CHECK(g_acks.head == NULL && g_steps.head == a && a->queue == &g_steps);
    WG_CHECK(g_steps.timer && g_steps.timer->armed && a->timer == NULL);
    uint64_t ta = a->token;
    g_clock_ms += 10;
    send_op_t *b = fake_sent_op(&d, "STEPB");
    b->state = OP_ENCRYPT;
    b->busy = 1;
    queue_append(&g_steps, b);
    g_clock_ms += 10;
    send_op_t *c = fake_sent_op(&d, "STEPC");
    c->state = OP_ENCRYPT;
    queue_append(&g_steps, c);
    acks_append(c); /* c went out: it now waits for its ack */
    WG_CHECK(g_steps.tail == b && g_acks.head == c && c->queue == &g_acks);
    g_status = 0;
    g_clock_ms += STEP_TIMEOUT_MS - 20; /* a's deadline */
    on_deadline(&g_steps);
    WG_CHECK(op_find(ta) == NULL);
    WG_CHECK_INT(g_status, 400);
    WG_CHECK(strstr(g_json, "Timed Out") != NULL);
    WG_CHECK(g_steps.head == b && !b->failed);
    g_clock_ms += 10;
    on_deadline(&g_steps);
    WG_CHECK(op_find(b->token) == b && b->failed && b->queue == NULL && g_steps.head == NULL);
    WG_CHECK(g_acks.head == c);
    op_free(b);
    op_free(c);

    wg_connd_t real = {0}; /* the device cache's clock: the list above is still fresh */
    send_text(&real, PEER_CHAT, "bounded", 0); /* devices cached, sessions known: one job */
    WG_CHECK(g_steps.head != NULL && g_steps.head->timer == NULL);
    WG_CHECK_INT(pump(), 1);
    WG_CHECK_INT(g_status, 201);
    WG_CHECK(g_steps.head == NULL && g_acks.head != NULL && g_acks.head->queue == &g_acks);
    wg_node_free(take_sent());
    clear_queues();
}

/* The result's text: on the caller's buffer when it fits, a malloc'd spill
 * when not (the same text), the error list as it is. */
static void result_text_in_buffer(void)
{
    json_t *doc = json_pack("{s:s,s:i}", "id", "3EB0ABC", "n", 7);
    wg_send_result_t r = {201, NULL, doc};
    char buf[64], tiny[8], *spill = (char *)1;
    const char *t = wg_send_result_text_in(&r, buf, sizeof buf, &spill);
    WG_CHECK(t == buf && spill == NULL);
    WG_CHECK_STR(t, "{\"id\":\"3EB0ABC\",\"n\":7}");
    t = wg_send_result_text_in(&r, tiny, sizeof tiny, &spill);
    WG_CHECK(t && t == spill);
    WG_CHECK_STR(t, "{\"id\":\"3EB0ABC\",\"n\":7}");
    free(spill);
    json_decref(doc);
    wg_send_result_t e = {400, "[\"bad\"]", NULL};
    WG_CHECK(wg_send_result_text_in(&e, buf, sizeof buf, &spill) == e.json && !spill);
    wg_send_result_t none = {201, NULL, NULL};
    WG_CHECK(wg_send_result_text_in(&none, buf, sizeof buf, &spill) == NULL && !spill);
}

int main(void)
{
    store_fixture_t fx;
    if (store_fixture_open(&fx, "send_group") < 0)
        return 1;
    g_store = fx.store;
    store_fixture_add_instance(g_store, "grp", g_inst_id);
    WG_CHECK_INT(wg_wa_creds_generate(&g_creds), 0);
    g_creds.next_prekey_id = 31;
    snprintf(g_creds.me_jid, sizeof g_creds.me_jid, "1111:1@s.whatsapp.net");
    snprintf(g_creds.me_lid, sizeof g_creds.me_lid, "9999:1@lid");
    g_creds.account_len = 3;
    memcpy(g_creds.account, "ADV", 3);
    WG_CHECK_INT(wg_signal_addr_from_jid("9999:1@lid", &g_us_addr), 0);
    for (size_t i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "peer%zu", i);
        store_fixture_add_instance(g_store, name, g_peer[i].id);
        WG_CHECK_INT(wg_wa_creds_generate(&g_peer[i].creds), 0);
        g_peer[i].creds.next_prekey_id = 31;
        g_peer[i].jid = PEER_JIDS[i];
        WG_CHECK_INT(
            wg_signal_open(g_store, g_peer[i].id, g_vault, &g_peer[i].creds, &g_peer[i].sig), 0);
    }
    WG_RUN(result_text_in_buffer);
    WG_RUN(group_first_send);
    WG_RUN(group_second_send_and_ack);
    WG_RUN(group_retry);
    WG_RUN(group_third_send_asks_again);
    WG_RUN(direct_send_and_revoke);
    WG_RUN(direct_send_commit_failed);
    WG_RUN(sends_of_a_turn_together);
    WG_RUN(direct_ack_phash);
    WG_RUN(direct_send_under_lid);
    WG_RUN(ack_deadlines);
    WG_RUN(step_deadlines);
    WG_RUN(ack_batches);
    for (size_t i = 0; i < 3; i++)
        wg_signal_free(g_peer[i].sig);
    if (store_fixture_close(&fx) != 0)
        return 1;
    return wg_test_done();
}
