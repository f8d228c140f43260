/* connd/message/receive beyond 1:1 text, on a temp-file store, with C
 * Signal peers writing to us (alice):
 * - groups: bob's pkmsg carrying an SKDM, then his skmsg, in one stanza
 *   (row with participant, messages.upsert); a second skmsg alone decrypts
 *   from the stored sender key; an skmsg of a sender key never distributed
 *   gets a retry receipt (count 1 bare, count 2 with <keys>); a valid pkmsg
 *   + SKDM followed by a bad skmsg commits nothing (no session is left);
 * - retry receipts: a garbage pkmsg gets count 1, then 2 with <keys>, up to
 *   WG_RECEIVE_MAX_RETRIES, then a nack without a retry receipt;
 * - LID: a PN session, then a stanza naming the sender's LID: mapping
 *   stored, session moved to the LID address, remoteJidAlt/addressingMode;
 *   a LID-addressed stanza decrypts under the LID session; our own
 *   <success lid> mapping is recorded; a PN session made after the mapping
 *   was learned is kept and used as the fallback;
 * - protocol messages: REVOKE (row DELETED, messages.delete, no upsert),
 *   MESSAGE_EDIT (content replaced, messages.edited; only by the author),
 *   reaction (upsert, and
 *   the /api/events dialect's messages.reaction), history-sync
 *   notification (receipted, no event); ephemeral-wrapped text unwrapped;
 * - msmsg (nack 495), enc v="3" (nack 488). */
#include "events/bus.h"
#include "message/receive.h"
#include "realtime/baileys_map.h"
#include "signal/bundle.h"
#include "signal/group.h"
#include "signal/lid_map.h"
#include "signal/signal.h"
#include "store/message.h"
#include "store/store.h"
#include "wa/message.h"
#include "waproto.pb-c.h"
#include "wg_err.h"
#include "wg_test.h"
#include "connd/store_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ALICE_JID "15550001111:7@s.whatsapp.net"
#define ALICE_LID "88800011122:7@lid"
#define BOB_JID "15551234567:2@s.whatsapp.net"
#define CAROL_JID "15557770000:1@s.whatsapp.net"
#define DAVE_JID "15553330000@s.whatsapp.net"
#define ERIN_JID "15554440000:3@s.whatsapp.net"
#define FRANK_PN "15559990000:1@s.whatsapp.net"
#define FRANK_LID "777000111:1@lid"
#define GROUP "120363000000000001@g.us"

static const uint8_t g_key[32] = {1, 2, 3};
static wg_store_t *g;
static char alice_id[64];
static wg_wa_creds_t alice;

typedef struct {
    char id[64];         /* instance row */
    wg_wa_creds_t creds; /* keys */
    wg_signal_t *sig;    /* its Signal layer */
    const char *jid;     /* its device JID */
} peer_t;

static peer_t bob, carol, erin, frank;

/* a peer with a session to alice's device (as after usync + bundle) */
static void peer_open(peer_t *p, const char *name, const char *jid, uint32_t prekey)
{
    store_fixture_add_instance(g, name, p->id);
    WG_CHECK_INT(wg_wa_creds_generate(&p->creds), 0);
    p->creds.next_prekey_id = 31;
    snprintf(p->creds.me_jid, sizeof p->creds.me_jid, "%s", jid);
    p->jid = jid;
    WG_CHECK_INT(wg_signal_open(g, p->id, g_key, &p->creds, &p->sig), 0);
    wg_signal_t *alice_sig = NULL;
    WG_CHECK_INT(wg_signal_open(g, alice_id, g_key, &alice, &alice_sig), 0);
    wg_signal_bundle_t b;
    wg_signal_own_bundle(alice_sig, prekey, &b);
    wg_signal_addr_t to;
    WG_CHECK_INT(wg_signal_addr_from_jid(ALICE_JID, &to), 0);
    WG_CHECK_INT(wg_signal_process_bundle(p->sig, &to, &b, NULL), 0);
    wg_signal_free(alice_sig);
}

static void pack(const ProtobufCMessage *m, wg_buf_t *out)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    wg_buf_reserve(out, n + 1);
    protobuf_c_message_pack(m, out->p);
    out->len = n;
}

static void text_message(const char *text, wg_buf_t *out)
{
    wg_wa_msg_encode_text(text, NULL, NULL, NULL, NULL, out);
}

static wg_node_t *stanza(const char *from, const char *participant, const char *id)
{
    wg_node_t *n = wg_node_new("message");
    wg_node_set_attr(n, "from", from);
    if (participant)
        wg_node_set_attr(n, "participant", participant);
    wg_node_set_attr(n, "id", id);
    wg_node_set_attr(n, "t", "1717689097");
    wg_node_set_attr(n, "notify", "Peer");
    return n;
}

static wg_node_t *add_enc(wg_node_t *n, const char *type, const uint8_t *p, size_t len)
{
    wg_node_t *e = wg_node_add_child(n, wg_node_new("enc"));
    wg_node_set_attr(e, "v", "2");
    wg_node_set_attr(e, "type", type);
    wg_node_set_bytes(e, p, len);
    return e;
}

/* p encrypts msg 1:1 to alice and adds the <enc> */
static void add_pairwise(wg_node_t *n, peer_t *p, const wg_buf_t *msg)
{
    wg_buf_t ct = WG_BUF_INIT;
    wg_signal_addr_t to;
    wg_signal_type_t type;
    WG_CHECK_INT(wg_signal_addr_from_jid(ALICE_JID, &to), 0);
    WG_CHECK_INT(wg_signal_encrypt(p->sig, &to, msg->p, msg->len, &type, &ct), 0);
    add_enc(n, wg_signal_type_name(type), ct.p, ct.len);
    wg_buf_free(&ct);
}

/* a 1:1 stanza from p carrying msg */
static wg_node_t *direct(peer_t *p, const char *from, const char *id, const wg_buf_t *msg)
{
    wg_node_t *n = stanza(from, NULL, id);
    add_pairwise(n, p, msg);
    return n;
}

/* a 1:1 stanza from p carrying the text message text */
static wg_node_t *direct_text(peer_t *p, const char *from, const char *id, const char *text)
{
    wg_buf_t pt = WG_BUF_INIT;
    text_message(text, &pt);
    wg_node_t *n = direct(p, from, id, &pt);
    wg_buf_free(&pt);
    return n;
}

typedef struct {
    wg_receive_outcome_t outcome;
    char event_name[32];
    json_t *event; /* copy or NULL */
    const char *ack_error;
    wg_node_t *retry; /* copy or NULL */
    uint32_t retry_prekey_id;
} result_t;


static void run(const wg_node_t *n, result_t *out)
{
    memset(out, 0, sizeof *out);
    wg_receive_job_t *j = wg_receive_job_new(alice_id, "alice", &alice, g_key, wg_node_copy(n), 3);
    wg_receive_job_run(g, j);
    wg_receive_result_t r;
    wg_receive_job_result(j, &r);
    out->outcome = r.outcome;
    snprintf(out->event_name, sizeof out->event_name, "%s", r.event_name ? r.event_name : "");
    out->event = r.event ? json_deep_copy(r.event) : NULL;
    out->ack_error = r.ack_error;
    out->retry = wg_receive_retry_node(&r);
    out->retry_prekey_id = r.retry_prekey_id;
    WG_CHECK((r.event == NULL) == (r.event_name == NULL));
    wg_receive_job_free(j);
}

static void result_clear(result_t *r)
{
    json_decref(r->event);
    wg_node_free(r->retry);
    memset(r, 0, sizeof *r);
}

/* the text of the messages.upsert event r carries (message.conversation) */
static const char *event_text(const result_t *r)
{
    return json_string_value(json_object_get(json_object_get(r->event, "message"), "conversation"));
}

/* n, received again: a duplicate, with no second event */
static void check_redelivered(const wg_node_t *n)
{
    result_t r;
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_DUPLICATE);
    WG_CHECK(r.event == NULL);
    result_clear(&r);
}

/* ---- the stored row of a key id */

typedef struct {
    char status[32];
    char *message_json;
    char *key_json;
    char type[64];
    int n;
} row_t;

static int grab(void *ud, const wg_store_message_row_t *r)
{
    row_t *o = ud;
    o->n++;
    snprintf(o->status, sizeof o->status, "%s", r->status);
    snprintf(o->type, sizeof o->type, "%s", r->message_type);
    free(o->message_json);
    free(o->key_json);
    o->message_json = strdup(r->message_json);
    o->key_json = strdup(r->key_json);
    return 0;
}

static row_t row_of(const char *key_id)
{
    row_t r = {0};
    wg_store_message_query_t q = {
        .key_id = key_id, .from_me = -1, .ts_gte = -1, .ts_lte = -1, .limit = 1};
    int64_t total = 0;
    WG_CHECK_INT(wg_store_message_find(g, alice_id, &q, grab, &r, &total), 0);
    return r;
}

static void row_free(row_t *r)
{
    free(r->message_json);
    free(r->key_json);
}

static int64_t rows(void)
{
    row_t r = {0};
    wg_store_message_query_t q = {.from_me = -1, .ts_gte = -1, .ts_lte = -1, .limit = -1};
    int64_t total = -1;
    WG_CHECK_INT(wg_store_message_find(g, alice_id, &q, grab, &r, &total), 0);
    row_free(&r);
    return total;
}

static int alice_has_session(const char *jid)
{
    wg_signal_t *s = NULL;
    wg_signal_addr_t a;
    WG_CHECK_INT(wg_signal_open(g, alice_id, g_key, &alice, &s), 0);
    WG_CHECK_INT(wg_signal_addr_from_jid(jid, &a), 0);
    int rc = wg_signal_has_session(s, &a);
    wg_signal_free(s);
    return rc;
}

static const char *key_str(json_t *ev, const char *field)
{
    return json_string_value(json_object_get(json_object_get(ev, "key"), field));
}

static const wg_node_t *child(const wg_node_t *n, const char *tag)
{
    return n ? wg_node_child(n, tag) : NULL;
}

/* ---- groups */

/* p's SKDM Message for GROUP */
static void skdm_message(peer_t *p, wg_buf_t *out)
{
    wg_buf_t skdm = WG_BUF_INIT;
    wg_signal_addr_t self;
    WG_CHECK_INT(wg_signal_addr_from_jid(p->jid, &self), 0);
    WG_CHECK_INT(wg_signal_group_skdm(p->sig, GROUP, &self, &skdm), 0);
    Wa__Message m = WA__MESSAGE__INIT;
    Wa__SenderKeyDistributionMessage k = WA__SENDER_KEY_DISTRIBUTION_MESSAGE__INIT;
    k.groupid = GROUP;
    k.has_axolotlsenderkeydistributionmessage = 1;
    k.axolotlsenderkeydistributionmessage.data = skdm.p;
    k.axolotlsenderkeydistributionmessage.len = skdm.len;
    m.senderkeydistributionmessage = &k;
    pack(&m.base, out);
    wg_buf_free(&skdm);
}

static void add_skmsg(wg_node_t *n, peer_t *p, const char *text)
{
    wg_buf_t pt = WG_BUF_INIT, ct = WG_BUF_INIT;
    wg_signal_addr_t self;
    text_message(text, &pt);
    WG_CHECK_INT(wg_signal_addr_from_jid(p->jid, &self), 0);
    WG_CHECK_INT(wg_signal_group_encrypt(p->sig, GROUP, &self, pt.p, pt.len, &ct), 0);
    add_enc(n, "skmsg", ct.p, ct.len);
    wg_buf_free(&pt);
    wg_buf_free(&ct);
}

static void group_skdm_then_skmsg(void)
{
    wg_buf_t skdm = WG_BUF_INIT;
    skdm_message(&bob, &skdm);
    wg_node_t *n = stanza(GROUP, BOB_JID, "3EB0GROUP000000000001");
    add_pairwise(n, &bob, &skdm);
    add_skmsg(n, &bob, "hello group");
    result_t r;
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    WG_CHECK_STR(r.event_name, "messages.upsert");
    WG_CHECK_STR(key_str(r.event, "remoteJid"), GROUP);
    WG_CHECK_STR(key_str(r.event, "participant"), BOB_JID);
    WG_CHECK_STR(event_text(&r), "hello group");
    WG_CHECK(r.retry == NULL);
    row_t row = row_of("3EB0GROUP000000000001");
    WG_CHECK_INT(row.n, 1);
    WG_CHECK_STR(row.type, "conversation");
    WG_CHECK(row.key_json && strstr(row.key_json, "\"participant\":\"" BOB_JID "\""));
    row_free(&row);
    result_clear(&r);
    wg_node_free(n);
    wg_buf_free(&skdm);

    /* a second skmsg alone: the sender key was stored with the first */
    n = stanza(GROUP, BOB_JID, "3EB0GROUP000000000002");
    add_skmsg(n, &bob, "again");
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    WG_CHECK_STR(event_text(&r), "again");
    result_clear(&r);
    /* redelivered: the sender chain already moved past it */
    check_redelivered(n);
    wg_node_free(n);

    /* status@broadcast works the same way (participant = author) */
    wg_buf_t pt = WG_BUF_INIT, ct = WG_BUF_INIT;
    wg_signal_addr_t self;
    WG_CHECK_INT(wg_signal_addr_from_jid(BOB_JID, &self), 0);
    WG_CHECK_INT(wg_signal_group_skdm(bob.sig, "status@broadcast", &self, &ct), 0);
    Wa__Message m = WA__MESSAGE__INIT;
    Wa__SenderKeyDistributionMessage k = WA__SENDER_KEY_DISTRIBUTION_MESSAGE__INIT;
    k.groupid = "status@broadcast";
    k.has_axolotlsenderkeydistributionmessage = 1;
    k.axolotlsenderkeydistributionmessage.data = ct.p;
    k.axolotlsenderkeydistributionmessage.len = ct.len;
    m.senderkeydistributionmessage = &k;
    pack(&m.base, &pt);
    n = stanza("status@broadcast", BOB_JID, "3EB0STATUS0000000001");
    add_pairwise(n, &bob, &pt);
    wg_buf_t inner = WG_BUF_INIT, sk = WG_BUF_INIT;
    text_message("my status", &inner);
    WG_CHECK_INT(
        wg_signal_group_encrypt(bob.sig, "status@broadcast", &self, inner.p, inner.len, &sk), 0);
    add_enc(n, "skmsg", sk.p, sk.len);
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    WG_CHECK_STR(key_str(r.event, "remoteJid"), "status@broadcast");
    WG_CHECK_STR(key_str(r.event, "participant"), BOB_JID);
    result_clear(&r);
    wg_node_free(n);
    wg_buf_free(&pt);
    wg_buf_free(&ct);
    wg_buf_free(&inner);
    wg_buf_free(&sk);
}

static void check_retry(const wg_node_t *rr, const char *id, const char *to,
                        const char *participant, const char *count, int with_keys)
{
    WG_CHECK(rr != NULL);
    if (!rr)
        return;
    WG_CHECK_STR(rr->tag, "receipt");
    WG_CHECK_STR(wg_node_attr(rr, "type"), "retry");
    WG_CHECK_STR(wg_node_attr(rr, "id"), id);
    WG_CHECK_STR(wg_node_attr(rr, "to"), to);
    if (participant)
        WG_CHECK_STR(wg_node_attr(rr, "participant"), participant);
    else
        WG_CHECK(wg_node_attr(rr, "participant") == NULL);
    const wg_node_t *retry = child(rr, "retry");
    WG_CHECK_STR(wg_node_attr(retry, "count"), count);
    WG_CHECK_STR(wg_node_attr(retry, "id"), id);
    WG_CHECK_STR(wg_node_attr(retry, "t"), "1717689097");
    WG_CHECK_STR(wg_node_attr(retry, "v"), "1");
    const wg_node_t *reg = child(rr, "registration");
    uint8_t want[4] = {(uint8_t)(alice.registration_id >> 24),
                       (uint8_t)(alice.registration_id >> 16),
                       (uint8_t)(alice.registration_id >> 8), (uint8_t)alice.registration_id};
    WG_CHECK(reg && reg->data_len == 4 && memcmp(reg->data, want, 4) == 0);
    const wg_node_t *keys = child(rr, "keys");
    WG_CHECK((keys != NULL) == (with_keys != 0));
    if (!keys)
        return;
    const wg_node_t *type = child(keys, "type");
    WG_CHECK(type && type->data_len == 1 && type->data[0] == 5);
    const wg_node_t *identity = child(keys, "identity");
    WG_CHECK(identity && identity->data_len == 32 &&
             memcmp(identity->data, alice.identity_pub, 32) == 0);
    const wg_node_t *key = child(keys, "key");
    const wg_node_t *kid = child(key, "id"), *kval = child(key, "value");
    uint32_t next = alice.next_prekey_id;
    uint8_t id3[3] = {(uint8_t)(next >> 16), (uint8_t)(next >> 8), (uint8_t)next};
    WG_CHECK(kid && kid->data_len == 3 && memcmp(kid->data, id3, 3) == 0);
    uint8_t priv[32], pub[32];
    wg_wa_creds_prekey(&alice, next, priv, pub);
    WG_CHECK(kval && kval->data_len == 32 && memcmp(kval->data, pub, 32) == 0);
    const wg_node_t *skey = child(keys, "skey");
    const wg_node_t *sval = child(skey, "value"), *ssig = child(skey, "signature"),
                    *sid = child(skey, "id");
    WG_CHECK(sid && sid->data_len == 3 && sid->data[2] == (uint8_t)alice.spk_id);
    WG_CHECK(sval && sval->data_len == 32 && memcmp(sval->data, alice.spk_pub, 32) == 0);
    WG_CHECK(ssig && ssig->data_len == 64 && memcmp(ssig->data, alice.spk_sig, 64) == 0);
    const wg_node_t *di = child(keys, "device-identity");
    WG_CHECK(di && di->data_len == alice.account_len &&
             memcmp(di->data, alice.account, alice.account_len) == 0);
}

static void group_unknown_sender_key(void)
{
    int64_t before = rows();
    wg_node_t *n = stanza(GROUP, CAROL_JID, "3EB0GROUP00000000000C");
    wg_buf_t unsent = WG_BUF_INIT;
    skdm_message(&carol, &unsent); /* carol's sender key exists, its SKDM never reached alice */
    wg_buf_free(&unsent);
    add_skmsg(n, &carol, "never distributed");
    result_t r;
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_UNDECRYPTABLE);
    WG_CHECK_STR(r.ack_error, "500");
    WG_CHECK(r.event == NULL);
    check_retry(r.retry, "3EB0GROUP00000000000C", GROUP, CAROL_JID, "1", 0);
    WG_CHECK_INT(r.retry_prekey_id, 0);
    result_clear(&r);
    /* the sender resends with <enc count="1">: count 2 carries <keys> */
    wg_node_set_attr(wg_node_child(n, "enc"), "count", "1");
    run(n, &r);
    check_retry(r.retry, "3EB0GROUP00000000000C", GROUP, CAROL_JID, "2", 1);
    WG_CHECK_INT(r.retry_prekey_id, alice.next_prekey_id);
    result_clear(&r);
    WG_CHECK_INT((int)rows(), (int)before);
    wg_node_free(n);

    /* erin: a valid pkmsg with her SKDM, then a corrupt skmsg: nothing of
     * the stanza may be committed, not even the session the pkmsg opened */
    wg_buf_t skdm = WG_BUF_INIT;
    skdm_message(&erin, &skdm);
    n = stanza(GROUP, ERIN_JID, "3EB0GROUP00000000000E");
    add_pairwise(n, &erin, &skdm);
    WG_CHECK_STR(wg_node_attr(wg_node_child(n, "enc"), "type"), "pkmsg");
    add_skmsg(n, &erin, "torn");
    wg_node_t *sk = n->children[1];
    sk->data[sk->data_len - 3] ^= 0x40; /* signature no longer verifies */
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_UNDECRYPTABLE);
    WG_CHECK(r.retry != NULL);
    WG_CHECK_INT(alice_has_session(ERIN_JID), 0);
    WG_CHECK_INT((int)rows(), (int)before);
    result_clear(&r);
    wg_node_free(n);
    wg_buf_free(&skdm);
}

static void garbage_pkmsg_retries(void)
{
    uint8_t junk[80];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 7 + 1);
    junk[0] = 0x33;
    wg_node_t *n = stanza(DAVE_JID, NULL, "3EB0DAVE000000000001");
    add_enc(n, "pkmsg", junk, sizeof junk);
    result_t r;
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_UNDECRYPTABLE);
    check_retry(r.retry, "3EB0DAVE000000000001", DAVE_JID, NULL, "1", 0);
    result_clear(&r);
    /* redelivered without a count: our own table says 2, with keys */
    run(n, &r);
    check_retry(r.retry, "3EB0DAVE000000000001", DAVE_JID, NULL, "2", 1);
    result_clear(&r);
    for (int c = 3; c <= WG_RECEIVE_MAX_RETRIES; c++) {
        char want[8];
        snprintf(want, sizeof want, "%d", c);
        run(n, &r);
        check_retry(r.retry, "3EB0DAVE000000000001", DAVE_JID, NULL, want, 1);
        result_clear(&r);
    }
    /* exhausted: nack only */
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_UNDECRYPTABLE);
    WG_CHECK_STR(r.ack_error, "500");
    WG_CHECK(r.retry == NULL);
    result_clear(&r);
    wg_node_free(n);
}

/* ---- LID */

static void lid_addressing(void)
{
    /* frank writes from his phone-number address: PN session */
    wg_node_t *n = direct_text(&frank, FRANK_PN, "3EB0FRANK00000000001", "pn first");
    result_t r;
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    WG_CHECK_STR(key_str(r.event, "addressingMode"), "pn");
    WG_CHECK(json_object_get(json_object_get(r.event, "key"), "remoteJidAlt") == NULL);
    WG_CHECK_INT(alice_has_session(FRANK_PN), 1);
    result_clear(&r);
    wg_node_free(n);
    /* our own <success lid> mapping is known from the credentials */
    char out[160];
    WG_CHECK_INT(wg_lid_map_lookup_pn(g, alice_id, "88800011122@lid", out, sizeof out), 0);
    WG_CHECK_STR(out, "15550001111@s.whatsapp.net");

    /* the next stanza names his LID: mapping stored, session moved */
    n = direct_text(&frank, FRANK_PN, "3EB0FRANK00000000002", "with lid");
    wg_node_set_attr(n, "sender_lid", "777000111@lid");
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    WG_CHECK_STR(key_str(r.event, "remoteJid"), "15559990000@s.whatsapp.net");
    WG_CHECK_STR(key_str(r.event, "remoteJidAlt"), "777000111@lid");
    WG_CHECK_STR(key_str(r.event, "addressingMode"), "pn");
    WG_CHECK_INT(wg_lid_map_lookup_lid(g, alice_id, FRANK_PN, out, sizeof out), 0);
    WG_CHECK_STR(out, FRANK_LID);
    WG_CHECK_INT(wg_lid_map_lookup_pn(g, alice_id, FRANK_LID, out, sizeof out), 0);
    WG_CHECK_STR(out, FRANK_PN);
    WG_CHECK_INT(alice_has_session(FRANK_PN), 0);
    WG_CHECK_INT(alice_has_session(FRANK_LID), 1);
    result_clear(&r);
    wg_node_free(n);

    /* LID-addressed: decrypts under the moved session */
    n = direct_text(&frank, FRANK_LID, "3EB0FRANK00000000003", "from lid");
    wg_node_set_attr(n, "sender_pn", "15559990000@s.whatsapp.net");
    wg_node_set_attr(n, "addressing_mode", "lid");
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    WG_CHECK_STR(key_str(r.event, "remoteJid"), "777000111@lid");
    WG_CHECK_STR(key_str(r.event, "remoteJidAlt"), "15559990000@s.whatsapp.net");
    WG_CHECK_STR(key_str(r.event, "addressingMode"), "lid");
    WG_CHECK_STR(event_text(&r), "from lid");
    result_clear(&r);
    wg_node_free(n);

    /* and a PN-addressed one after the move decrypts under LID too */
    n = direct_text(&frank, FRANK_PN, "3EB0FRANK00000000004", "pn again");
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    WG_CHECK_INT(alice_has_session(FRANK_PN), 0);
    result_clear(&r);
    wg_node_free(n);
}

/* a PN session made after the mapping was learned (as a sender that is
 * not LID-aware makes one) is neither moved nor deleted, and a reply in it
 * decrypts through the PN fallback */
static void lid_pn_fallback(void)
{
    static peer_t gina;
    store_fixture_add_instance(g, "gina", gina.id);
    WG_CHECK_INT(wg_wa_creds_generate(&gina.creds), 0);
    gina.creds.next_prekey_id = 31;
    gina.jid = "15556660000:4@s.whatsapp.net";
    WG_CHECK_INT(wg_signal_open(g, gina.id, g_key, &gina.creds, &gina.sig), 0);
    WG_CHECK_INT(wg_lid_map_record(g, alice_id, "555000666@lid", "15556660000@s.whatsapp.net"), 1);
    WG_CHECK_INT(wg_lid_map_record(g, alice_id, "555000666@lid", "15556660000@s.whatsapp.net"), 0);
    /* alice (her send side) opens a session to gina's PN device */
    wg_signal_t *alice_sig = NULL;
    WG_CHECK_INT(wg_signal_open(g, alice_id, g_key, &alice, &alice_sig), 0);
    wg_signal_bundle_t b;
    wg_signal_own_bundle(gina.sig, 9, &b);
    wg_signal_addr_t gina_pn, alice_addr;
    WG_CHECK_INT(wg_signal_addr_from_jid(gina.jid, &gina_pn), 0);
    WG_CHECK_INT(wg_signal_addr_from_jid(ALICE_JID, &alice_addr), 0);
    WG_CHECK_INT(wg_signal_process_bundle(alice_sig, &gina_pn, &b, NULL), 0);
    wg_buf_t ct = WG_BUF_INIT, pt = WG_BUF_INIT;
    wg_signal_type_t type;
    WG_CHECK_INT(
        wg_signal_encrypt(alice_sig, &gina_pn, (const uint8_t *)"\x0a\x02hi", 4, &type, &ct), 0);
    WG_CHECK_INT(wg_signal_decrypt(gina.sig, &alice_addr, type, ct.p, ct.len, &pt, NULL), 0);
    wg_signal_free(alice_sig);
    wg_buf_free(&ct);
    wg_buf_free(&pt);
    /* gina answers in that session; the stanza names her PN device */
    text_message("reply", &pt);
    wg_node_t *n = direct(&gina, gina.jid, "3EB0GINA000000000001", &pt);
    WG_CHECK_STR(wg_node_attr(wg_node_child(n, "enc"), "type"), "msg");
    result_t r;
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    WG_CHECK_STR(event_text(&r), "reply");
    WG_CHECK_INT(alice_has_session("15556660000:4@s.whatsapp.net"), 1);
    result_clear(&r);
    wg_node_free(n);
    wg_buf_free(&pt);
    wg_signal_free(gina.sig);
}

/* ---- protocol messages and kinds */

static wg_node_t *bob_says(const char *id, const Wa__Message *m)
{
    wg_buf_t pt = WG_BUF_INIT;
    pack(&m->base, &pt);
    wg_node_t *n = direct(&bob, BOB_JID, id, &pt);
    wg_buf_free(&pt);
    return n;
}

static void send_text(const char *id, const char *text)
{
    Wa__Message m = WA__MESSAGE__INIT;
    m.conversation = (char *)text;
    wg_node_t *n = bob_says(id, &m);
    result_t r;
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    result_clear(&r);
    wg_node_free(n);
}

static void revoke_edit_reaction(void)
{
    send_text("3EB0BOBTEXT000000001", "to be deleted");
    send_text("3EB0BOBTEXT000000002", "to be edited");
    int64_t before = rows();

    Wa__MessageKey key = WA__MESSAGE_KEY__INIT;
    key.remotejid = "15550001111@s.whatsapp.net";
    key.has_fromme = 1;
    key.fromme = 1;
    key.id = "3EB0BOBTEXT000000001";
    Wa__ProtocolMessage pm = WA__PROTOCOL_MESSAGE__INIT;
    pm.key = &key;
    pm.has_type = 1;
    pm.type = 0; /* REVOKE */
    Wa__Message m = WA__MESSAGE__INIT;
    m.protocolmessage = &pm;
    wg_node_t *n = bob_says("3EB0BOBREVOKE0000001", &m);
    result_t r;
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    WG_CHECK_STR(r.event_name, "messages.delete");
    WG_CHECK_STR(json_string_value(json_object_get(r.event, "id")), "3EB0BOBTEXT000000001");
    WG_CHECK_STR(json_string_value(json_object_get(r.event, "remoteJid")),
                 "15551234567@s.whatsapp.net");
    row_t row = row_of("3EB0BOBTEXT000000001");
    WG_CHECK_STR(row.status, "DELETED");
    row_free(&row);
    WG_CHECK_INT((int)rows(), (int)before); /* no row for the revoke itself */
    result_clear(&r);
    /* redelivered: duplicate, no second event */
    check_redelivered(n);
    wg_node_free(n);

    /* MESSAGE_EDIT */
    Wa__Message edited = WA__MESSAGE__INIT;
    edited.conversation = "edited text";
    wg_buf_t eb = WG_BUF_INIT;
    pack(&edited.base, &eb);
    key.id = "3EB0BOBTEXT000000002";
    pm.type = 14;
    pm.has_editedmessage = 1;
    pm.editedmessage.data = eb.p;
    pm.editedmessage.len = eb.len;
    pm.has_timestampms = 1;
    pm.timestampms = 1717689099000LL;
    Wa__FutureProofMessage fp = WA__FUTURE_PROOF_MESSAGE__INIT;
    Wa__Message inner = WA__MESSAGE__INIT;
    inner.protocolmessage = &pm;
    wg_buf_t ib = WG_BUF_INIT;
    pack(&inner.base, &ib);
    fp.has_message = 1;
    fp.message.data = ib.p;
    fp.message.len = ib.len;
    Wa__Message outer = WA__MESSAGE__INIT;
    outer.editedmessage = &fp; /* how phones send edits: editedMessage{protocolMessage} */
    n = bob_says("3EB0BOBEDIT000000001", &outer);
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    WG_CHECK_STR(r.event_name, "messages.edited");
    WG_CHECK_STR(json_string_value(json_object_get(r.event, "type")), "MESSAGE_EDIT");
    WG_CHECK_STR(json_string_value(json_object_get(json_object_get(r.event, "key"), "id")),
                 "3EB0BOBTEXT000000002");
    WG_CHECK_STR(json_string_value(
                     json_object_get(json_object_get(r.event, "editedMessage"), "conversation")),
                 "edited text");
    WG_CHECK_STR(json_string_value(json_object_get(r.event, "timestampMs")), "1717689099000");
    row = row_of("3EB0BOBTEXT000000002");
    WG_CHECK_STR(row.message_json, "{\"conversation\":\"edited text\"}");
    WG_CHECK_STR(row.status, "DELIVERY_ACK");
    row_free(&row);
    WG_CHECK_INT((int)rows(), (int)before);
    result_clear(&r);
    wg_node_free(n);
    wg_buf_free(&eb);
    wg_buf_free(&ib);

    /* reaction: an upsert of its own type, and messages.reaction in /api/events */
    Wa__ReactionMessage react = WA__REACTION_MESSAGE__INIT;
    react.key = &key;
    react.text = "\xf0\x9f\x91\x8d";
    react.has_sendertimestampms = 1;
    react.sendertimestampms = 1717689100000LL;
    Wa__Message rm = WA__MESSAGE__INIT;
    rm.reactionmessage = &react;
    n = bob_says("3EB0BOBREACT00000001", &rm);
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    WG_CHECK_STR(r.event_name, "messages.upsert");
    WG_CHECK_STR(json_string_value(json_object_get(r.event, "messageType")), "reactionMessage");
    wg_event_t ev = {"messages.upsert", "alice", alice_id, r.event, 1};
    wg_baileys_event_t out[WG_BAILEYS_MAX_OUT];
    int nout = wg_baileys_map(&ev, out);
    WG_CHECK_INT(nout, 2);
    if (nout == 2) {
        WG_CHECK_STR(wg_baileys_event_names[out[1].index], "messages.reaction");
        json_t *first = json_array_get(out[1].payload, 0);
        WG_CHECK_STR(json_string_value(json_object_get(json_object_get(first, "reaction"), "text")),
                     "\xf0\x9f\x91\x8d");
    }
    for (int i = 0; i < nout; i++)
        json_decref(out[i].payload);
    row = row_of("3EB0BOBREACT00000001");
    WG_CHECK_STR(row.type, "reactionMessage");
    row_free(&row);
    result_clear(&r);
    wg_node_free(n);

    /* history sync notification: receipted, no event, no row */
    before = rows();
    Wa__ProtocolMessage hs = WA__PROTOCOL_MESSAGE__INIT;
    hs.has_type = 1;
    hs.type = 5;
    Wa__Message hm = WA__MESSAGE__INIT;
    hm.protocolmessage = &hs;
    n = bob_says("3EB0BOBHIST000000001", &hm);
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    WG_CHECK(r.event == NULL);
    WG_CHECK_STR(r.event_name, "");
    WG_CHECK_INT((int)rows(), (int)before);
    result_clear(&r);
    wg_node_free(n);

    /* a revoke naming a message of another chat changes nothing */
    send_text("3EB0BOBTEXT000000003", "safe");
    Wa__Message other = WA__MESSAGE__INIT;
    Wa__ProtocolMessage opm = WA__PROTOCOL_MESSAGE__INIT;
    Wa__MessageKey okey = WA__MESSAGE_KEY__INIT;
    okey.id = "3EB0BOBTEXT000000003";
    opm.key = &okey;
    opm.has_type = 1;
    opm.type = 0;
    other.protocolmessage = &opm;
    wg_buf_t ob = WG_BUF_INIT;
    pack(&other.base, &ob);
    n = direct(&frank, FRANK_PN, "3EB0FRANKREVOKE00001", &ob);
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    row = row_of("3EB0BOBTEXT000000003");
    WG_CHECK_STR(row.status, "DELIVERY_ACK");
    row_free(&row);
    result_clear(&r);
    wg_node_free(n);
    wg_buf_free(&ob);
}

/* only the author edits: in a group, an edit by another participant
 * leaves the row as it was (plaintext stanzas keep the test about that) */
static void edit_author_only(void)
{
    Wa__Message edited = WA__MESSAGE__INIT;
    edited.conversation = "forged";
    wg_buf_t eb = WG_BUF_INIT, b = WG_BUF_INIT;
    pack(&edited.base, &eb);
    Wa__MessageKey key = WA__MESSAGE_KEY__INIT;
    key.id = "3EB0GROUP000000000001"; /* bob's group message */
    Wa__ProtocolMessage pm = WA__PROTOCOL_MESSAGE__INIT;
    pm.key = &key;
    pm.has_type = 1;
    pm.type = 14;
    pm.has_editedmessage = 1;
    pm.editedmessage.data = eb.p;
    pm.editedmessage.len = eb.len;
    Wa__Message m = WA__MESSAGE__INIT;
    m.protocolmessage = &pm;
    pack(&m.base, &b);
    wg_node_t *n = stanza(GROUP, CAROL_JID, "3EB0CAROLEDIT0000001");
    wg_node_set_bytes(wg_node_add_child(n, wg_node_new("plaintext")), b.p, b.len);
    result_t r;
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    row_t row = row_of("3EB0GROUP000000000001");
    WG_CHECK_STR(row.message_json, "{\"conversation\":\"hello group\"}");
    row_free(&row);
    result_clear(&r);
    wg_node_free(n);
    n = stanza(GROUP, "15551234567:5@s.whatsapp.net",
               "3EB0BOBEDIT000000002"); /* bob, other device */
    wg_node_set_bytes(wg_node_add_child(n, wg_node_new("plaintext")), b.p, b.len);
    run(n, &r);
    WG_CHECK_STR(r.event_name, "messages.edited");
    row = row_of("3EB0GROUP000000000001");
    WG_CHECK_STR(row.message_json, "{\"conversation\":\"forged\"}");
    row_free(&row);
    result_clear(&r);
    wg_node_free(n);
    wg_buf_free(&eb);
    wg_buf_free(&b);
}

static void ephemeral_unwrapped(void)
{
    Wa__ExtendedTextMessage ext = WA__EXTENDED_TEXT_MESSAGE__INIT;
    ext.text = "disappearing";
    Wa__Message in = WA__MESSAGE__INIT;
    in.extendedtextmessage = &ext;
    wg_buf_t ib = WG_BUF_INIT;
    pack(&in.base, &ib);
    Wa__FutureProofMessage fp = WA__FUTURE_PROOF_MESSAGE__INIT;
    fp.has_message = 1;
    fp.message.data = ib.p;
    fp.message.len = ib.len;
    Wa__Message m = WA__MESSAGE__INIT;
    m.ephemeralmessage = &fp;
    wg_node_t *n = bob_says("3EB0BOBEPHEMERAL0001", &m);
    result_t r;
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_STORED);
    WG_CHECK_STR(json_string_value(json_object_get(r.event, "messageType")), "conversation");
    json_t *msg = json_object_get(r.event, "message");
    WG_CHECK_STR(json_string_value(json_object_get(msg, "conversation")), "disappearing");
    WG_CHECK(json_object_get(msg, "ephemeralMessage") == NULL);
    result_clear(&r);
    wg_node_free(n);
    wg_buf_free(&ib);
}

static void refused_kinds(void)
{
    int64_t before = rows();
    wg_node_t *n = stanza(BOB_JID, NULL, "3EB0BOBMSMSG00000001");
    add_enc(n, "msmsg", (const uint8_t *)"\x01\x02", 2);
    result_t r;
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_UNDECRYPTABLE);
    WG_CHECK_STR(r.ack_error, "495");
    WG_CHECK(r.retry == NULL);
    result_clear(&r);
    wg_node_free(n);
    n = stanza(BOB_JID, NULL, "3EB0BOBV3000000000001");
    wg_node_set_attr(add_enc(n, "msg", (const uint8_t *)"\x01\x02", 2), "v", "3");
    run(n, &r);
    WG_CHECK_INT(r.outcome, WG_RECEIVE_UNDECRYPTABLE);
    WG_CHECK_STR(r.ack_error, "488");
    WG_CHECK(r.retry == NULL);
    result_clear(&r);
    wg_node_free(n);
    WG_CHECK_INT((int)rows(), (int)before);
}

int main(void)
{
    store_fixture_t fx;
    if (store_fixture_open(&fx, "recv_kinds") < 0)
        return 1;
    g = fx.store;
    store_fixture_add_instance(g, "alice", alice_id);
    WG_CHECK_INT(wg_wa_creds_generate(&alice), 0);
    alice.next_prekey_id = 41;
    snprintf(alice.me_jid, sizeof alice.me_jid, "%s", ALICE_JID);
    snprintf(alice.me_lid, sizeof alice.me_lid, "%s", ALICE_LID);
    alice.account_len = 40;
    for (size_t i = 0; i < alice.account_len; i++)
        alice.account[i] = (uint8_t)(0xA0 + i);
    peer_open(&bob, "bob", BOB_JID, 5);
    peer_open(&carol, "carol", CAROL_JID, 6);
    peer_open(&erin, "erin", ERIN_JID, 7);
    peer_open(&frank, "frank", FRANK_PN, 8);
    WG_RUN(group_skdm_then_skmsg);
    WG_RUN(group_unknown_sender_key);
    WG_RUN(garbage_pkmsg_retries);
    WG_RUN(lid_addressing);
    WG_RUN(lid_pn_fallback);
    WG_RUN(revoke_edit_reaction);
    WG_RUN(edit_author_only);
    WG_RUN(ephemeral_unwrapped);
    WG_RUN(refused_kinds);
    wg_signal_free(bob.sig);
    wg_signal_free(carol.sig);
    wg_signal_free(erin.sig);
    wg_signal_free(frank.sig);
    if (store_fixture_close(&fx) != 0)
        return 1;
    return wg_test_done();
}
