/* connd/message/retry: the sent-message cache (count and byte bounds,
 * oldest first, forget per instance), retry receipt parsing (keys and
 * registration into a bundle, malformed receipts refused), and the resend
 * itself with two real Signal layers on one store: a peer that lost its
 * session sends its fresh keys, we rebuild the session, re-encrypt, and the
 * peer decrypts exactly our Message (1:1); our own other device gets the
 * deviceSentMessage; a group member that lacked our sender key gets the
 * SKDM merged into the Message (so it reads the message and our next
 * skmsg). */
#include "message/retry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "message/stanza.h"
#include "signal/group.h"
#include "store/store.h"
#include "wa/creds.h"
#include "wg_err.h"
#include "wg_test.h"
#include "connd/store_fixture.h"

#define GID "120363000000000009@g.us"

static const uint8_t g_key[32] = {7, 7, 7};
static wg_store_t *g_store;

typedef struct {
    char id[64];         /* instance id */
    wg_wa_creds_t creds; /* credentials */
    wg_signal_t *sig;    /* Signal layer */
    wg_signal_addr_t me; /* address as the other side sees it */
    const char *jid;     /* that address as a device JID */
} peer_t;

static peer_t us, peer;

static void peer_init(peer_t *p, const char *name, const char *jid)
{
    store_fixture_add_instance(g_store, name, p->id);
    WG_CHECK_INT(wg_wa_creds_generate(&p->creds), 0);
    p->creds.next_prekey_id = 31;
    p->jid = jid;
    WG_CHECK_INT(wg_signal_addr_from_jid(jid, &p->me), 0);
    WG_CHECK_INT(wg_signal_open(g_store, p->id, g_key, &p->creds, &p->sig), 0);
}

static void be(wg_node_t *n, uint32_t v, size_t len)
{
    uint8_t b[4];
    for (size_t i = 0; i < len; i++)
        b[i] = (uint8_t)(v >> (8 * (len - 1 - i)));
    wg_node_set_bytes(n, b, len);
}

static wg_node_t *child_bytes(wg_node_t *parent, const char *tag, const uint8_t *p, size_t len)
{
    wg_node_t *n = wg_node_add_child(parent, wg_node_new(tag));
    wg_node_set_bytes(n, p, len);
    return n;
}

/* <receipt type="retry"> as a peer sends it (§7.1), with its bundle b. */
static wg_node_t *retry_receipt(const char *id, const char *from, const char *participant,
                                const char *count, const wg_signal_bundle_t *b)
{
    wg_node_t *r = wg_node_new("receipt");
    wg_node_set_attr(r, "id", id);
    wg_node_set_attr(r, "from", from);
    if (participant)
        wg_node_set_attr(r, "participant", participant);
    wg_node_set_attr(r, "type", "retry");
    wg_node_t *rt = wg_node_add_child(r, wg_node_new("retry"));
    wg_node_set_attr(rt, "count", count);
    wg_node_set_attr(rt, "id", id);
    wg_node_set_attr(rt, "v", "1");
    if (b) {
        be(wg_node_add_child(r, wg_node_new("registration")), b->registration_id, 4);
        wg_node_t *keys = wg_node_add_child(r, wg_node_new("keys"));
        static const uint8_t five = 5;
        child_bytes(keys, "type", &five, 1);
        child_bytes(keys, "identity", b->identity, 32);
        wg_node_t *k = wg_node_add_child(keys, wg_node_new("key"));
        be(wg_node_add_child(k, wg_node_new("id")), b->prekey_id, 3);
        child_bytes(k, "value", b->prekey, 32);
        wg_node_t *sk = wg_node_add_child(keys, wg_node_new("skey"));
        be(wg_node_add_child(sk, wg_node_new("id")), b->spk_id, 3);
        child_bytes(sk, "value", b->spk, 32);
        child_bytes(sk, "signature", b->spk_sig, 64);
    }
    return r;
}

static void cache_bounds(void)
{
    uint8_t small[100] = {1}, *big = calloc(1, 300 * 1024);
    char id[32];
    for (int i = 0; i < WG_RETRY_CACHE_MAX + 20; i++) {
        snprintf(id, sizeof id, "3EB0%04d", i);
        wg_retry_sent_t m = {"inst-a", id,    "1@s.whatsapp.net", false, NULL, WG_WA_OUT_TEXT,
                             false,    small, sizeof small};
        wg_retry_remember(&m);
    }
    size_t bytes = 0;
    WG_CHECK_INT((int)wg_retry_cached(&bytes), WG_RETRY_CACHE_MAX);
    WG_CHECK_INT((int)bytes, WG_RETRY_CACHE_MAX * 100);
    /* big entries push the total over the byte bound: the oldest go */
    for (int i = 0; i < 5; i++) {
        snprintf(id, sizeof id, "3EB1%04d", i);
        wg_retry_sent_t m = {"inst-b", id,  "1@s.whatsapp.net", false, NULL, WG_WA_OUT_TEXT,
                             false,    big, 300 * 1024};
        wg_retry_remember(&m);
    }
    WG_CHECK(wg_retry_cached(&bytes) <= WG_RETRY_CACHE_MAX);
    WG_CHECK(bytes <= WG_RETRY_CACHE_BYTES);
    WG_CHECK(bytes >= 3 * 300 * 1024); /* the newest three big ones fit */
    wg_retry_forget("inst-b");
    WG_CHECK_INT((int)wg_retry_cached(&bytes), 0); /* inst-a's were all evicted */
    WG_CHECK_INT((int)bytes, 0);
    wg_retry_sent_t m = {"inst-a", "X",   "1@s.whatsapp.net", false, NULL, WG_WA_OUT_TEXT,
                         false,    small, sizeof small};
    wg_retry_remember(&m);
    wg_retry_forget(NULL);
    WG_CHECK_INT((int)wg_retry_cached(NULL), 0);
    free(big);
}

static void parse(void)
{
    wg_signal_bundle_t b;
    wg_signal_own_bundle(peer.sig, 9, &b);
    wg_node_t *r = retry_receipt("3EB0AA", "2222:3@s.whatsapp.net", NULL, "2", &b);
    wg_retry_receipt_t out;
    WG_CHECK_INT(wg_retry_parse(r, &out), 0);
    WG_CHECK_STR(out.id, "3EB0AA");
    WG_CHECK_STR(out.device, "2222:3@s.whatsapp.net");
    WG_CHECK_INT((int)out.count, 2);
    WG_CHECK(out.has_bundle);
    WG_CHECK(memcmp(&out.bundle, &b, sizeof b) == 0);
    wg_node_free(r);
    /* group: the device is the participant */
    r = retry_receipt("3EB0AB", GID, "2222:3@s.whatsapp.net", "1", NULL);
    WG_CHECK_INT(wg_retry_parse(r, &out), 0);
    WG_CHECK_STR(out.device, "2222:3@s.whatsapp.net");
    WG_CHECK_STR(out.chat, GID);
    WG_CHECK(!out.has_bundle);
    wg_node_set_attr(wg_node_child(r, "retry"), "count", "x");
    WG_CHECK_INT(wg_retry_parse(r, &out), WG_EPROTO);
    wg_node_set_attr(wg_node_child(r, "retry"), "count", "0");
    WG_CHECK_INT(wg_retry_parse(r, &out), WG_EPROTO);
    wg_node_set_attr(r, "type", "read");
    WG_CHECK_INT(wg_retry_parse(r, &out), WG_EPROTO);
    wg_node_free(r);
    r = retry_receipt("3EB0AC", "@@", NULL, "1", NULL);
    WG_CHECK_INT(wg_retry_parse(r, &out), WG_EPROTO);
    wg_node_free(r);
    WG_CHECK_INT(wg_retry_parse(NULL, &out), WG_EPROTO);
}

/* peer decrypts ct from us and decodes the Message */
static int peer_reads(wg_signal_type_t type, const wg_buf_t *ct, wg_wa_msg_content_t *c)
{
    wg_buf_t pt = WG_BUF_INIT;
    int rc = wg_signal_decrypt(peer.sig, &us.me, type, ct->p, ct->len, &pt, NULL);
    if (rc == 0)
        rc = wg_wa_msg_decode(pt.p, pt.len, c);
    wg_buf_free(&pt);
    return rc;
}

static void resend_direct(void)
{
    wg_buf_t plain = WG_BUF_INIT, ct = WG_BUF_INIT;
    wg_wa_msg_out_t out = {.kind = WG_WA_OUT_TEXT, .text = "lost once"};
    WG_CHECK_INT(wg_wa_msg_encode(&out, NULL, &plain), 0);
    wg_retry_sent_t m = {us.id, "3EB0R1", "2222@s.whatsapp.net",
                         false, NULL,     WG_WA_OUT_TEXT,
                         false, plain.p,  plain.len};
    wg_signal_type_t type;
    /* no session and no keys: nothing to encrypt with */
    WG_CHECK_INT(
        wg_retry_encrypt(us.sig, &m, peer.jid, NULL, "1111@s.whatsapp.net", NULL, &type, &ct),
        WG_ESTATE);
    /* the peer's retry carries fresh keys */
    wg_signal_bundle_t b;
    wg_signal_own_bundle(peer.sig, 11, &b);
    wg_node_t *r = retry_receipt("3EB0R1", peer.jid, NULL, "1", &b);
    wg_retry_receipt_t rr;
    WG_CHECK_INT(wg_retry_parse(r, &rr), 0);
    WG_CHECK_INT(wg_retry_encrypt(us.sig, &m, rr.device, &rr.bundle, "1111@s.whatsapp.net", NULL,
                                  &type, &ct),
                 0);
    WG_CHECK_INT(type, WG_SIGNAL_PKMSG);
    wg_wa_msg_content_t c;
    WG_CHECK_INT(peer_reads(type, &ct, &c), 0);
    WG_CHECK_STR(c.text, "lost once");
    WG_CHECK(c.dsm_destination == NULL);
    wg_wa_msg_content_free(&c);
    /* the resend stanza: same id, to the device, one enc with count */
    wg_send_stanza_t st = {.id = "3EB0R1", .to = rr.device, .msg = &out, .retry_count = rr.count};
    wg_send_enc_t enc = {rr.device, wg_signal_type_name(type), ct.p, ct.len};
    wg_node_t *node = wg_send_build_stanza(&st, &enc, 1);
    WG_CHECK_STR(wg_node_attr(node, "id"), "3EB0R1");
    WG_CHECK_STR(wg_node_attr(wg_node_child(node, "enc"), "count"), "1");
    WG_CHECK_STR(wg_node_attr(wg_node_child(node, "enc"), "type"), "pkmsg");
    wg_node_free(node);
    wg_node_free(r);

    /* a later retry without keys reuses the rebuilt session */
    wg_buf_reset(&ct);
    WG_CHECK_INT(
        wg_retry_encrypt(us.sig, &m, peer.jid, NULL, "1111@s.whatsapp.net", NULL, &type, &ct), 0);
    WG_CHECK_INT(peer_reads(type, &ct, &c), 0);
    WG_CHECK_STR(c.text, "lost once");
    wg_wa_msg_content_free(&c);

    /* one of our own devices (same user as us) gets the deviceSentMessage */
    wg_buf_reset(&ct);
    WG_CHECK_INT(wg_retry_encrypt(us.sig, &m, peer.jid, NULL, "1111@s.whatsapp.net",
                                  "2222@s.whatsapp.net", &type, &ct),
                 0);
    WG_CHECK_INT(peer_reads(type, &ct, &c), 0);
    WG_CHECK_STR(c.dsm_destination, "2222@s.whatsapp.net");
    WG_CHECK_STR(c.text, "lost once");
    wg_wa_msg_content_free(&c);
    wg_buf_free(&plain);
    wg_buf_free(&ct);
}

static void resend_group(void)
{
    wg_buf_t plain = WG_BUF_INIT, skdm = WG_BUF_INIT, skmsg = WG_BUF_INIT, ct = WG_BUF_INIT;
    wg_wa_msg_out_t out = {.kind = WG_WA_OUT_TEXT, .text = "to the group"};
    WG_CHECK_INT(wg_wa_msg_encode(&out, NULL, &plain), 0);
    /* the original group send: our sender key, the skmsg */
    WG_CHECK_INT(wg_signal_group_skdm(us.sig, GID, &us.me, &skdm), 0);
    WG_CHECK_INT(wg_signal_group_encrypt(us.sig, GID, &us.me, plain.p, plain.len, &skmsg), 0);
    /* the peer cannot read it: it never got our SKDM */
    wg_buf_t pt = WG_BUF_INIT;
    WG_CHECK_INT(wg_signal_group_decrypt(peer.sig, GID, &us.me, skmsg.p, skmsg.len, &pt),
                 WG_ESTATE);
    /* its retry: the resend carries the Message with the SKDM merged in */
    wg_retry_sent_t m = {us.id,          "3EB0G1", GID,     true,     us.jid,
                         WG_WA_OUT_TEXT, false,    plain.p, plain.len};
    wg_signal_type_t type;
    WG_CHECK_INT(
        wg_retry_encrypt(us.sig, &m, peer.jid, NULL, "1111@s.whatsapp.net", NULL, &type, &ct), 0);
    wg_wa_msg_content_t c;
    WG_CHECK_INT(peer_reads(type, &ct, &c), 0);
    WG_CHECK_STR(c.text, "to the group");
    WG_CHECK(c.skdm != NULL);
    WG_CHECK_STR(c.skdm_group, GID);
    WG_CHECK(c.dsm_destination == NULL); /* never a DSM in a group */
    /* the message itself came in the resend; with the SKDM the peer reads
     * our next skmsg (the SKDM starts at our chain's current iteration, so
     * the original skmsg stays unreadable, as in Signal) */
    WG_CHECK_INT(wg_signal_group_process_skdm(peer.sig, GID, &us.me, c.skdm, c.skdm_len), 0);
    wg_buf_reset(&skmsg);
    WG_CHECK_INT(wg_signal_group_encrypt(us.sig, GID, &us.me, plain.p, plain.len, &skmsg), 0);
    WG_CHECK_INT(wg_signal_group_decrypt(peer.sig, GID, &us.me, skmsg.p, skmsg.len, &pt), 0);
    WG_CHECK(pt.len == plain.len && memcmp(pt.p, plain.p, pt.len) == 0);
    wg_wa_msg_content_free(&c);
    /* without our sender identity the group resend cannot be built */
    m.sender = NULL;
    wg_buf_reset(&ct);
    WG_CHECK_INT(wg_retry_encrypt(us.sig, &m, peer.jid, NULL, NULL, NULL, &type, &ct), WG_ESTATE);
    wg_buf_free(&plain);
    wg_buf_free(&skdm);
    wg_buf_free(&skmsg);
    wg_buf_free(&ct);
    wg_buf_free(&pt);
}

int main(void)
{
    store_fixture_t fx;
    if (store_fixture_open(&fx, "retry_test") < 0)
        return 1;
    g_store = fx.store;
    peer_init(&us, "us", "1111:0@s.whatsapp.net");
    peer_init(&peer, "peer", "2222:3@s.whatsapp.net");
    WG_RUN(cache_bounds);
    WG_RUN(parse);
    WG_RUN(resend_direct);
    WG_RUN(resend_group);
    wg_signal_free(us.sig);
    wg_signal_free(peer.sig);
    if (store_fixture_close(&fx) != 0)
        return 1;
    return wg_test_done();
}
