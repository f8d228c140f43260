/* connd/message/receive: the receive job on a real store with a C Signal
 * peer (bob) writing to us (alice): a pkmsg then a msg are stored with the
 * messageRaw event; a redelivered stanza (same ciphertext) is a duplicate
 * with a receipt and no event; a new ciphertext under a stored key id is a
 * duplicate too (ratchet advanced, no second row); garbage ciphertext is
 * undecryptable (ack with error, nothing stored); a <plaintext> stanza is
 * stored; an own-device stanza gets a "sender" receipt. Every event is
 * committed with its message as a pending_event row (none for duplicates or
 * failures, or when the caller says nothing downstream is durable), and a job whose group commit failed (rc WG_EDB) is no longer
 * STORED: no receipt, no event. Jobs created with the same credentials
 * share one copy, and a job created after they changed reads the new ones
 * while older jobs keep theirs (also when some were freed unrun). The row's
 * key and message JSON are whole for short and long texts. Inside a group
 * commit the session's ratchet state is written once, at the group's end;
 * a failed job undoes its own step, a failed group commit everything. */
#include "message/receive.h"
#include "signal/bundle.h"
#include "signal/signal.h"
#include "store/message.h"
#include "store/pending_event.h"
#include "store/signal_key.h"
#include "store/store.h"
#include "wa/message.h"
#include "wg_err.h"
#include "wg_test.h"
#include "connd/store_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALICE_JID "15550001111:7@s.whatsapp.net"
#define BOB_JID "15551234567:2@s.whatsapp.net"

static const uint8_t g_key[32] = {9, 8, 7};
static wg_store_t *g;
static char alice_id[64], bob_id[64];
static wg_wa_creds_t alice, bob;
static wg_signal_t *bob_sig;

/* bob encrypts a text Message to alice's device */
static wg_node_t *from_bob(const char *id, const char *text)
{
    wg_buf_t pt = WG_BUF_INIT, ct = WG_BUF_INIT;
    wg_wa_msg_encode_text(text, NULL, NULL, NULL, NULL, &pt);
    wg_signal_addr_t to;
    WG_CHECK_INT(wg_signal_addr_from_jid(ALICE_JID, &to), 0);
    wg_signal_type_t type;
    WG_CHECK_INT(wg_signal_encrypt(bob_sig, &to, pt.p, pt.len, &type, &ct), 0);
    wg_node_t *n = wg_node_new("message");
    wg_node_set_attr(n, "from", BOB_JID);
    wg_node_set_attr(n, "id", id);
    wg_node_set_attr(n, "t", "1717689097");
    wg_node_set_attr(n, "notify", "Bob");
    wg_node_set_attr(n, "type", "text");
    wg_node_t *e = wg_node_add_child(n, wg_node_new("enc"));
    wg_node_set_attr(e, "v", "2");
    wg_node_set_attr(e, "type", wg_signal_type_name(type));
    wg_node_set_bytes(e, ct.p, ct.len);
    wg_buf_free(&pt);
    wg_buf_free(&ct);
    return n;
}


/* runs the job for n; returns the outcome, *event_out a copy of the event */
static wg_receive_outcome_t run(const wg_node_t *n, json_t **event_out, wg_receive_result_t *copy,
                                char receipt_type[16])
{
    wg_receive_job_t *j = wg_receive_job_new(alice_id, "alice", &alice, g_key, wg_node_copy(n), 7);
    wg_receive_job_run(g, j);
    wg_receive_result_t r;
    wg_receive_job_result(j, &r);
    if (event_out)
        *event_out = r.event ? json_deep_copy(r.event) : NULL;
    if (copy) {
        *copy = r;
        WG_CHECK_INT((int)r.generation, 7);
    }
    if (receipt_type)
        snprintf(receipt_type, 16, "%s", r.receipt_type ? r.receipt_type : "");
    wg_receive_outcome_t o = r.outcome;
    wg_receive_job_free(j);
    return o;
}

static int64_t count_rows(void)
{
    wg_store_message_query_t q = {.from_me = -1, .ts_gte = -1, .ts_lte = -1, .limit = 0};
    int64_t total = -1;
    WG_CHECK_INT(wg_store_message_find(g, alice_id, &q, NULL, NULL, &total), WG_EINVAL);
    return total;
}

static int noop(void *ud, const wg_store_message_row_t *r)
{
    (void)ud;
    (void)r;
    return 0;
}

static int64_t rows(void)
{
    wg_store_message_query_t q = {.from_me = -1, .ts_gte = -1, .ts_lte = -1, .limit = 0};
    int64_t total = -1;
    WG_CHECK_INT(wg_store_message_find(g, alice_id, &q, noop, NULL, &total), 0);
    return total;
}

static void pkmsg_then_msg(void)
{
    (void)count_rows;
    wg_node_t *n = from_bob("3EB0000000000000000001", "hello alice");
    WG_CHECK_STR(wg_node_attr(wg_node_child(n, "enc"), "type"), "pkmsg");
    json_t *ev = NULL;
    char rt[16];
    WG_CHECK_INT(run(n, &ev, NULL, rt), WG_RECEIVE_STORED);
    WG_CHECK_STR(rt, "");
    WG_CHECK(ev != NULL);
    char *s = ev ? json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char want[512];
    snprintf(want, sizeof want,
             "{\"instanceId\":\"%s\",\"key\":{\"addressingMode\":\"pn\",\"fromMe\":false,\"id\":\"3EB0000000000000000001\","
             "\"remoteJid\":\"15551234567@s.whatsapp.net\"},\"message\":{\"conversation\":"
             "\"hello alice\"},\"messageTimestamp\":1717689097,\"messageType\":\"conversation\","
             "\"pushName\":\"Bob\",\"source\":\"web\",\"status\":\"DELIVERY_ACK\"}",
             alice_id);
    WG_CHECK_STR(s, want);
    free(s);
    json_decref(ev);
    WG_CHECK_INT((int)rows(), 1);

    /* the same stanza again (crash after commit, server redelivers) */
    WG_CHECK_INT(run(n, &ev, NULL, NULL), WG_RECEIVE_DUPLICATE);
    WG_CHECK(ev == NULL);
    WG_CHECK_INT((int)rows(), 1);
    wg_node_free(n);

    /* bob's session is now answered? no: a second pkmsg-type message */
    n = from_bob("3EB0000000000000000002", "second");
    WG_CHECK_INT(run(n, &ev, NULL, NULL), WG_RECEIVE_STORED);
    WG_CHECK(ev && strcmp(json_string_value(
                              json_object_get(json_object_get(ev, "message"), "conversation")),
                          "second") == 0);
    json_decref(ev);
    wg_node_free(n);

    /* a new ciphertext under a key id already stored: no second row or event */
    n = from_bob("3EB0000000000000000002", "second again");
    WG_CHECK_INT(run(n, &ev, NULL, NULL), WG_RECEIVE_DUPLICATE);
    WG_CHECK(ev == NULL);
    WG_CHECK_INT((int)rows(), 2);
    wg_node_free(n);
}

static void garbage(void)
{
    wg_node_t *n = from_bob("3EB0000000000000000003", "x");
    wg_node_t *e = wg_node_child(n, "enc");
    for (size_t i = e->data_len / 2; i < e->data_len / 2 + 8; i++)
        e->data[i] ^= 0x55; /* keys or MAC no longer match */
    wg_receive_result_t r;
    WG_CHECK_INT(run(n, NULL, &r, NULL), WG_RECEIVE_UNDECRYPTABLE);
    WG_CHECK_INT((int)rows(), 2);
    wg_node_free(n);
    /* an skmsg from a sender key never distributed: undecryptable (retry) */
    n = wg_node_new("message");
    wg_node_set_attr(n, "from", "120363000000000000@g.us");
    wg_node_set_attr(n, "participant", BOB_JID);
    wg_node_set_attr(n, "id", "G1");
    e = wg_node_add_child(n, wg_node_new("enc"));
    wg_node_set_attr(e, "type", "skmsg");
    wg_node_set_bytes(e, "\x33", 1);
    WG_CHECK_INT(run(n, NULL, NULL, NULL), WG_RECEIVE_UNDECRYPTABLE);
    wg_node_free(n);
}

static void plaintext_and_own_device(void)
{
    wg_node_t *n = wg_node_new("message");
    wg_node_set_attr(n, "from", "15550001111:3@s.whatsapp.net"); /* our phone */
    wg_node_set_attr(n, "recipient", "15557654321@s.whatsapp.net");
    wg_node_set_attr(n, "id", "3A0000000000000000P1");
    wg_node_set_attr(n, "t", "5");
    wg_node_t *p = wg_node_add_child(n, wg_node_new("plaintext"));
    wg_node_set_bytes(p, "\x0a\x03yo!", 5);
    json_t *ev = NULL;
    char rt[16];
    WG_CHECK_INT(run(n, &ev, NULL, rt), WG_RECEIVE_STORED);
    WG_CHECK_STR(rt, "sender");
    json_t *key = json_object_get(ev, "key");
    WG_CHECK(json_is_true(json_object_get(key, "fromMe")));
    WG_CHECK_STR(json_string_value(json_object_get(key, "remoteJid")),
                 "15557654321@s.whatsapp.net");
    WG_CHECK_STR(json_string_value(json_object_get(ev, "source")), "ios");
    json_decref(ev);
    WG_CHECK_INT(run(n, &ev, NULL, NULL), WG_RECEIVE_DUPLICATE);
    wg_node_free(n);
}

typedef struct {
    int n;            /* rows */
    int64_t last_id;  /* the newest */
    char name[32];    /* its event name */
    char *data;       /* its data (owned) */
} pending_t;

static int pending_row(void *ud, const wg_store_pending_event_t *ev)
{
    pending_t *p = ud;
    p->n++;
    p->last_id = ev->id;
    snprintf(p->name, sizeof p->name, "%s", ev->name);
    free(p->data);
    p->data = strdup(ev->data_json);
    return 0;
}

static pending_t pending(void)
{
    pending_t p;
    memset(&p, 0, sizeof p);
    WG_CHECK_INT(wg_store_pending_event_each(g, pending_row, &p), 0);
    return p;
}

static void event_committed_with_message(void)
{
    pending_t before = pending();
    free(before.data);
    /* every event so far (2 from bob, 1 plaintext) is pending: nobody published them */
    WG_CHECK_INT(before.n, 3);
    wg_node_t *n = from_bob("3EB0000000000000000009", "durable");
    wg_receive_job_t *j = wg_receive_job_new(alice_id, "alice", &alice, g_key, wg_node_copy(n), 7);
    wg_receive_job_run(g, j);
    wg_receive_result_t r;
    wg_receive_job_result(j, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    pending_t after = pending();
    WG_CHECK_INT(after.n, before.n + 1);
    WG_CHECK(r.event_id == after.last_id && r.event_id > 0);
    WG_CHECK(r.event_at_ms > 0);
    WG_CHECK_STR(after.name, "messages.upsert");
    char *want = r.event ? json_dumps(r.event, JSON_COMPACT) : NULL;
    WG_CHECK_STR(after.data, want);
    free(want);
    free(after.data);
    /* the group commit failed: nothing durable, so no receipt and no event */
    ((wg_job_t *)j)->rc = WG_EDB;
    wg_receive_job_result(j, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_RETRY_LATER);
    WG_CHECK(r.event == NULL && r.event_id == 0);
    wg_receive_job_free(j);
    /* a duplicate adds no row */
    WG_CHECK_INT(run(n, NULL, NULL, NULL), WG_RECEIVE_DUPLICATE);
    after = pending();
    free(after.data);
    WG_CHECK_INT(after.n, before.n + 1);
    wg_node_free(n);
    /* nothing durable downstream (no webhook route): the event, no row */
    n = from_bob("3EB000000000000000000A", "live only");
    j = wg_receive_job_new(alice_id, "alice", &alice, g_key, wg_node_copy(n), 7);
    wg_receive_job_set_durable(j, 0);
    wg_receive_job_run(g, j);
    wg_receive_job_result(j, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    WG_CHECK(r.event != NULL && r.event_id == 0 && r.event_at_ms > 0);
    wg_receive_job_free(j);
    after = pending();
    free(after.data);
    WG_CHECK_INT(after.n, before.n + 1);
    wg_node_free(n);
}

/* A plaintext stanza from 15559990000:4 (a stranger, or our own phone when
 * me_jid says so). */
static wg_node_t *plain_from_other(const char *id)
{
    wg_node_t *n = wg_node_new("message");
    wg_node_set_attr(n, "from", "15559990000:4@s.whatsapp.net");
    wg_node_set_attr(n, "recipient", "15557654321@s.whatsapp.net");
    wg_node_set_attr(n, "id", id);
    wg_node_set_attr(n, "t", "6");
    wg_node_t *p = wg_node_add_child(n, wg_node_new("plaintext"));
    wg_node_set_bytes(p, "\x0a\x02hi", 4);
    return n;
}

static void jobs_share_credentials(void)
{
    wg_wa_creds_t moved = alice; /* re-paired as the stranger's companion */
    snprintf(moved.me_jid, sizeof moved.me_jid, "%s", "15559990000:9@s.whatsapp.net");
    wg_receive_job_t *j[4];
    j[0] = wg_receive_job_new(alice_id, "alice", &alice, g_key, plain_from_other("3A00000000000000SH00"), 7);
    j[1] = wg_receive_job_new(alice_id, "alice", &alice, g_key, plain_from_other("3A00000000000000SH01"), 7);
    j[2] = wg_receive_job_new(alice_id, "alice", &moved, g_key, plain_from_other("3A00000000000000SH02"), 7);
    j[3] = wg_receive_job_new(alice_id, "alice", &alice, g_key, plain_from_other("3A00000000000000SH03"), 7);
    wg_receive_job_free(j[0]); /* never ran */
    const char *want[4] = {NULL, "", "sender", ""};
    for (int i = 3; i >= 1; i--) {
        wg_receive_job_run(g, j[i]);
        wg_receive_result_t r;
        wg_receive_job_result(j[i], &r);
        WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
        WG_CHECK_STR(r.receipt_type ? r.receipt_type : "", want[i]);
        json_t *key = json_object_get(r.event, "key");
        WG_CHECK_INT(json_is_true(json_object_get(key, "fromMe")), i == 2);
        wg_receive_job_free(j[i]);
    }
}

/* The sealed row of alice's session with bob. */
static void session_row(wg_buf_t *out)
{
    wg_signal_addr_t a;
    WG_CHECK_INT(wg_signal_addr_from_jid(BOB_JID, &a), 0);
    wg_signal_key_id_t k = {alice_id, WG_SIGNAL_KEY_SESSION, NULL, a.name, a.device};
    wg_buf_reset(out);
    WG_CHECK_INT(wg_store_signal_key_get(g, &k, out), 0);
}

static int same_bytes(const wg_buf_t *a, const wg_buf_t *b)
{
    return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

static int fail_commit(void *ud)
{
    (void)ud;
    return WG_EDB;
}

/* Jobs of a group commit write the session's ratchet state once, before
 * the group's COMMIT, not once per message; a job that fails after its
 * first <enc> advanced the ratchet undoes that step (its message is not
 * spent: it decrypts later); a failed group commit leaves nothing durable
 * (the message is received again after it). */
static void written_back_in_group(void)
{
    wg_buf_t before = WG_BUF_INIT, row = WG_BUF_INIT;
    wg_node_t *n1 = from_bob("3EB00000000000000000G1", "g1");
    wg_node_t *n2 = from_bob("3EB00000000000000000G2", "g2");
    wg_node_t *n3 = from_bob("3EB00000000000000000G3", "g3");
    /* n2 with a second, undecryptable part: the job fails after the first */
    wg_node_t *n2_bad = wg_node_copy(n2);
    wg_node_t *e = wg_node_add_child(n2_bad, wg_node_new("enc"));
    wg_node_set_attr(e, "v", "2");
    wg_node_set_attr(e, "type", "msg");
    wg_node_set_bytes(e, "\x33\x0a\x01\x00", 4);
    int64_t rows0 = rows();
    session_row(&before);
    WG_CHECK_INT(wg_store_group_begin(g), 0);
    WG_CHECK_INT(run(n1, NULL, NULL, NULL), WG_RECEIVE_STORED);
    session_row(&row);
    WG_CHECK(same_bytes(&row, &before)); /* held for the group's end */
    WG_CHECK_INT(run(n2_bad, NULL, NULL, NULL), WG_RECEIVE_UNDECRYPTABLE);
    WG_CHECK_INT(run(n3, NULL, NULL, NULL), WG_RECEIVE_STORED);
    session_row(&row);
    WG_CHECK(same_bytes(&row, &before));
    WG_CHECK_INT(wg_store_group_commit(g), 0);
    session_row(&row);
    WG_CHECK(!same_bytes(&row, &before));
    WG_CHECK_INT((int)rows(), (int)rows0 + 2);
    /* the failed job's step was undone: g2 decrypts (a skipped key now) */
    WG_CHECK_INT(run(n2, NULL, NULL, NULL), WG_RECEIVE_STORED);
    WG_CHECK_INT((int)rows(), (int)rows0 + 3);
    /* a group whose commit fails: neither the row nor the step is kept */
    wg_node_t *n4 = from_bob("3EB00000000000000000G4", "g4");
    int tag = 0;
    wg_store_observer_t o = {.committing = fail_commit, .ud = &tag};
    session_row(&before);
    WG_CHECK_INT(wg_store_group_begin(g), 0);
    WG_CHECK_INT(wg_store_observe(g, &o), 0);
    WG_CHECK_INT(run(n4, NULL, NULL, NULL), WG_RECEIVE_STORED);
    WG_CHECK_INT(wg_store_group_commit(g), WG_EDB);
    wg_store_unobserve(g, &tag);
    session_row(&row);
    WG_CHECK(same_bytes(&row, &before));
    WG_CHECK_INT((int)rows(), (int)rows0 + 3);
    WG_CHECK_INT(run(n4, NULL, NULL, NULL), WG_RECEIVE_STORED);
    WG_CHECK_INT((int)rows(), (int)rows0 + 4);
    wg_node_free(n1);
    wg_node_free(n2);
    wg_node_free(n2_bad);
    wg_node_free(n3);
    wg_node_free(n4);
    wg_buf_free(&before);
    wg_buf_free(&row);
}

typedef struct {
    char key_id[32];    /* the row wanted */
    char *message_json; /* its text (owned) */
    char *key_json;     /* its key (owned) */
} row_text_t;

static int row_text(void *ud, const wg_store_message_row_t *r)
{
    row_text_t *t = ud;
    t->message_json = strdup(r->message_json);
    t->key_json = strdup(r->key_json);
    return 0;
}

/* The row's JSON texts are written without an allocation when they are
 * short, and in full when they are not. */
static void row_json_text(void)
{
    static const size_t lens[] = {2, 2040, 5000};
    for (size_t i = 0; i < 3; i++) {
        size_t len = lens[i];
        char id[32];
        snprintf(id, sizeof id, "3A00000000000000LT%02zu", i);
        wg_node_t *n = plain_from_other(id);
        uint8_t *pb = malloc(len + 3);
        pb[0] = 0x0a;
        pb[1] = (uint8_t)(len | 0x80);
        pb[2] = (uint8_t)(len >> 7);
        memset(pb + 3, 'a' + (int)i, len);
        wg_node_t *p = wg_node_child(n, "plaintext");
        if (len < 128) {
            pb[1] = (uint8_t)len;
            memmove(pb + 2, pb + 3, len);
            wg_node_set_bytes(p, pb, len + 2);
        } else {
            wg_node_set_bytes(p, pb, len + 3);
        }
        free(pb);
        WG_CHECK_INT(run(n, NULL, NULL, NULL), WG_RECEIVE_STORED);
        wg_node_free(n);
        row_text_t t = {{0}, NULL, NULL};
        wg_store_message_query_t q = {.key_id = id, .from_me = -1, .ts_gte = -1, .ts_lte = -1,
                                      .limit = 1};
        WG_CHECK_INT(wg_store_message_find(g, alice_id, &q, row_text, &t, NULL), 0);
        json_t *m = t.message_json ? json_loads(t.message_json, 0, NULL) : NULL;
        const char *text = json_string_value(json_object_get(m, "conversation"));
        WG_CHECK(text && strlen(text) == len && text[0] == 'a' + (int)i &&
                 text[len - 1] == 'a' + (int)i);
        json_t *k = t.key_json ? json_loads(t.key_json, 0, NULL) : NULL;
        WG_CHECK_STR(json_string_value(json_object_get(k, "id")), id);
        json_decref(m);
        json_decref(k);
        free(t.message_json);
        free(t.key_json);
    }
}

int main(void)
{
    store_fixture_t fx;
    if (store_fixture_open(&fx, NULL) < 0)
        return 1;
    g = fx.store;
    store_fixture_add_instance(g, "alice", alice_id);
    store_fixture_add_instance(g, "bob", bob_id);
    WG_CHECK_INT(wg_wa_creds_generate(&alice), 0);
    WG_CHECK_INT(wg_wa_creds_generate(&bob), 0);
    alice.next_prekey_id = 31;
    bob.next_prekey_id = 31;
    snprintf(alice.me_jid, sizeof alice.me_jid, "%s", ALICE_JID);
    snprintf(bob.me_jid, sizeof bob.me_jid, "%s", BOB_JID);
    /* bob builds a session from alice's bundle, as a sender does after usync */
    wg_signal_t *alice_sig = NULL;
    WG_CHECK_INT(wg_signal_open(g, alice_id, g_key, &alice, &alice_sig), 0);
    WG_CHECK_INT(wg_signal_open(g, bob_id, g_key, &bob, &bob_sig), 0);
    wg_signal_bundle_t b;
    wg_signal_own_bundle(alice_sig, 5, &b);
    wg_signal_addr_t to;
    WG_CHECK_INT(wg_signal_addr_from_jid(ALICE_JID, &to), 0);
    WG_CHECK_INT(wg_signal_process_bundle(bob_sig, &to, &b, NULL), 0);
    wg_signal_free(alice_sig);
    WG_RUN(pkmsg_then_msg);
    WG_RUN(garbage);
    WG_RUN(plaintext_and_own_device);
    WG_RUN(event_committed_with_message);
    WG_RUN(jobs_share_credentials);
    WG_RUN(row_json_text);
    WG_RUN(written_back_in_group);
    wg_signal_free(bob_sig);
    if (store_fixture_close(&fx) != 0)
        return 1;
    return wg_test_done();
}
