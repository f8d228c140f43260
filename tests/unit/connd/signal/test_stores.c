/* connd/signal through the real store (a temp file): the signal_key table
 * round trip, two instances (alice, bob) in one database talking C to C
 * (bundle -> pkmsg -> msg, reopen and continue, out of order, duplicates),
 * pre-key consumption, TOFU identity change detection, sealing at rest
 * (wrong vault key, a record moved to another row), sender keys, and the
 * address mapping. Interop with Baileys is tests/integration/signal. */
#include "signal/address.h"
#include "signal/bundle.h"
#include "signal/group.h"
#include "signal/signal.h"
#include "store/signal_key.h"
#include "store/store.h"
#include "wa/creds.h"
#include "wg_err.h"
#include "wg_test.h"
#include "connd/store_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_dir[64], g_path[96];
static const uint8_t g_key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

static wg_store_t *open_store(void)
{
    wg_store_t *s = NULL;
    wg_buf_t err = WG_BUF_INIT;
    if (wg_store_open(g_path, &s, &err) < 0)
        fprintf(stderr, "open: %s\n", wg_buf_cstr(&err));
    wg_buf_free(&err);
    return s;
}

typedef struct {
    char id[64];         /* instance id */
    wg_wa_creds_t creds; /* its credentials */
    wg_signal_t *sig;    /* its Signal layer */
    wg_signal_addr_t me; /* its address as the other side sees it */
} peer_t;

static wg_store_t *g_store;
static peer_t alice, bob;

static void peer_init(peer_t *p, const char *name, const char *jid)
{
    store_fixture_add_instance(g_store, name, p->id);
    WG_CHECK_INT(wg_wa_creds_generate(&p->creds), 0);
    p->creds.next_prekey_id = 31; /* pre-keys 1..30 "uploaded" */
    WG_CHECK_INT(wg_signal_addr_from_jid(jid, &p->me), 0);
    WG_CHECK_INT(wg_signal_open(g_store, p->id, g_key, &p->creds, &p->sig), 0);
}

static void reopen_all(void)
{
    wg_signal_free(alice.sig);
    wg_signal_free(bob.sig);
    WG_CHECK_INT(wg_store_close(g_store), 0);
    g_store = open_store();
    WG_CHECK_INT(wg_signal_open(g_store, alice.id, g_key, &alice.creds, &alice.sig), 0);
    WG_CHECK_INT(wg_signal_open(g_store, bob.id, g_key, &bob.creds, &bob.sig), 0);
}

/* from -> to; returns the type and checks the round trip */
static void send(peer_t *from, peer_t *to, const char *text, wg_signal_type_t want)
{
    wg_buf_t ct = WG_BUF_INIT, pt = WG_BUF_INIT;
    wg_signal_type_t type;
    WG_CHECK_INT(wg_signal_encrypt(from->sig, &to->me, (const uint8_t *)text, strlen(text), &type,
                                   &ct),
                 0);
    WG_CHECK_INT(type, want);
    WG_CHECK_INT(wg_signal_decrypt(to->sig, &from->me, type, ct.p, ct.len, &pt, NULL), 0);
    WG_CHECK(pt.len == strlen(text) && memcmp(pt.p, text, pt.len) == 0);
    wg_buf_free(&ct);
    wg_buf_free(&pt);
}

static void table_round_trip(void)
{
    char id[64];
    store_fixture_add_instance(g_store, "table", id);
    wg_signal_key_id_t k = {id, WG_SIGNAL_KEY_SESSION, NULL, "123", 2};
    wg_buf_t out = WG_BUF_INIT;
    WG_CHECK_INT(wg_store_signal_key_get(g_store, &k, &out), WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_signal_key_put(g_store, &k, (const uint8_t *)"abc", 3), 0);
    k.device = 5;
    WG_CHECK_INT(wg_store_signal_key_put(g_store, &k, (const uint8_t *)"de", 2), 0);
    WG_CHECK_INT(wg_store_signal_key_get(g_store, &k, &out), 0);
    WG_CHECK(out.len == 2 && memcmp(out.p, "de", 2) == 0);
    int64_t *dev = NULL;
    size_t n = 0;
    WG_CHECK_INT(wg_store_signal_key_devices(g_store, &k, &dev, &n), 0);
    WG_CHECK(n == 2 && dev[0] == 2 && dev[1] == 5);
    free(dev);
    WG_CHECK_INT(wg_store_signal_key_delete(g_store, &k), 1);
    WG_CHECK_INT(wg_store_signal_key_delete(g_store, &k), 0);
    WG_CHECK_INT(wg_store_signal_key_delete_name(g_store, &k), 1);
    wg_signal_key_id_t ghost = {"no-such-instance", WG_SIGNAL_KEY_SESSION, NULL, "1", 0};
    WG_CHECK_INT(wg_store_signal_key_put(g_store, &ghost, (const uint8_t *)"x", 1), WG_ENOTFOUND);
    wg_signal_key_id_t bad = {id, (wg_signal_key_kind_t)99, NULL, "1", 0};
    WG_CHECK_INT(wg_store_signal_key_get(g_store, &bad, &out), WG_EINVAL);
    wg_buf_free(&out);
}

static void addresses(void)
{
    wg_signal_addr_t a;
    WG_CHECK_INT(wg_signal_addr_from_jid("5511999:12@s.whatsapp.net", &a), 0);
    WG_CHECK_STR(a.name, "5511999");
    WG_CHECK_INT(a.device, 12);
    WG_CHECK_INT(wg_signal_addr_from_jid("1234@lid", &a), 0);
    WG_CHECK_STR(a.name, "1234_1");
    WG_CHECK_INT(a.device, 0);
    WG_CHECK_INT(wg_signal_addr_from_jid("77:3@hosted.lid", &a), 0);
    WG_CHECK_STR(a.name, "77_129");
    WG_CHECK_INT(wg_signal_addr_from_jid("123-456@g.us", &a), WG_EINVAL);
    WG_CHECK_INT(wg_signal_addr_from_jid("@s.whatsapp.net", &a), WG_EINVAL);
    WG_CHECK_INT(wg_signal_addr_from_jid("nonsense", &a), WG_EINVAL);
    WG_CHECK_INT(wg_signal_addr_from_jid(NULL, &a), WG_EINVAL);
}

static void session_c_to_c(void)
{
    wg_signal_bundle_t b;
    unsigned flags = 99;
    wg_buf_t ct = WG_BUF_INIT, pt = WG_BUF_INIT;
    wg_signal_type_t type;
    /* no session yet */
    WG_CHECK_INT(wg_signal_encrypt(alice.sig, &bob.me, (const uint8_t *)"x", 1, &type, &ct),
                 WG_ESTATE);
    WG_CHECK_INT(wg_signal_has_session(alice.sig, &bob.me), 0);
    wg_signal_own_bundle(bob.sig, 7, &b);
    WG_CHECK_INT(wg_signal_process_bundle(alice.sig, &bob.me, &b, &flags), 0);
    WG_CHECK_INT(flags, WG_SIGNAL_IDENTITY_NEW);
    WG_CHECK_INT(wg_signal_has_session(alice.sig, &bob.me), 1);
    /* pkmsg until bob answers, then msg both ways */
    WG_CHECK_INT(wg_signal_encrypt(alice.sig, &bob.me, (const uint8_t *)"one", 3, &type, &ct), 0);
    WG_CHECK_INT(type, WG_SIGNAL_PKMSG);
    WG_CHECK_INT(wg_signal_decrypt(bob.sig, &alice.me, type, ct.p, ct.len, &pt, &flags), 0);
    WG_CHECK_INT(flags, WG_SIGNAL_IDENTITY_NEW);
    WG_CHECK(pt.len == 3 && memcmp(pt.p, "one", 3) == 0);
    /* replay: duplicate (counter used, pre-key consumed) */
    wg_buf_reset(&pt);
    int rc = wg_signal_decrypt(bob.sig, &alice.me, type, ct.p, ct.len, &pt, NULL);
    WG_CHECK(rc == WG_EEXIST || rc == WG_ENOTFOUND);
    WG_CHECK_INT(pt.len, 0);
    send(&bob, &alice, "two", WG_SIGNAL_MSG);
    send(&alice, &bob, "three", WG_SIGNAL_MSG);
    reopen_all(); /* everything came from the database */
    send(&bob, &alice, "four", WG_SIGNAL_MSG);
    /* out of order: 6 before 5 */
    wg_buf_t c5 = WG_BUF_INIT, c6 = WG_BUF_INIT;
    WG_CHECK_INT(wg_signal_encrypt(alice.sig, &bob.me, (const uint8_t *)"five", 4, &type, &c5), 0);
    WG_CHECK_INT(wg_signal_encrypt(alice.sig, &bob.me, (const uint8_t *)"six", 3, &type, &c6), 0);
    wg_buf_reset(&pt);
    WG_CHECK_INT(wg_signal_decrypt(bob.sig, &alice.me, WG_SIGNAL_MSG, c6.p, c6.len, &pt, NULL), 0);
    WG_CHECK(pt.len == 3 && memcmp(pt.p, "six", 3) == 0);
    wg_buf_reset(&pt);
    WG_CHECK_INT(wg_signal_decrypt(bob.sig, &alice.me, WG_SIGNAL_MSG, c5.p, c5.len, &pt, NULL), 0);
    WG_CHECK(pt.len == 4 && memcmp(pt.p, "five", 4) == 0);
    WG_CHECK_INT(wg_signal_decrypt(bob.sig, &alice.me, WG_SIGNAL_MSG, c5.p, c5.len, &pt, NULL),
                 WG_EEXIST);
    /* a flipped byte fails and rolls back: the intact copy still decrypts */
    wg_buf_reset(&c6);
    WG_CHECK_INT(wg_signal_encrypt(alice.sig, &bob.me, (const uint8_t *)"seven", 5, &type, &c6), 0);
    c6.p[c6.len - 3] ^= 1;
    WG_CHECK_INT(wg_signal_decrypt(bob.sig, &alice.me, WG_SIGNAL_MSG, c6.p, c6.len, &pt, NULL),
                 WG_EPROTO);
    WG_CHECK_INT(wg_signal_decrypt(bob.sig, &alice.me, WG_SIGNAL_PKMSG, c6.p, c6.len, &pt, NULL),
                 WG_EPROTO);
    c6.p[c6.len - 3] ^= 1;
    wg_buf_reset(&pt);
    WG_CHECK_INT(wg_signal_decrypt(bob.sig, &alice.me, WG_SIGNAL_MSG, c6.p, c6.len, &pt, NULL), 0);
    WG_CHECK(pt.len == 5 && memcmp(pt.p, "seven", 5) == 0);
    send(&alice, &bob, "eight", WG_SIGNAL_MSG);
    wg_buf_free(&c5);
    wg_buf_free(&c6);
    wg_buf_free(&ct);
    wg_buf_free(&pt);
}

static void prekeys_consumed_and_bounded(void)
{
    wg_signal_bundle_t b;
    wg_signal_own_bundle(bob.sig, 7, &b); /* consumed by session_c_to_c */
    peer_t carol;
    memset(&carol, 0, sizeof carol);
    peer_init(&carol, "carol", "3333@lid");
    wg_buf_t ct = WG_BUF_INIT, pt = WG_BUF_INIT;
    wg_signal_type_t type;
    WG_CHECK_INT(wg_signal_process_bundle(carol.sig, &bob.me, &b, NULL), 0);
    WG_CHECK_INT(wg_signal_encrypt(carol.sig, &bob.me, (const uint8_t *)"hi", 2, &type, &ct), 0);
    WG_CHECK_INT(wg_signal_decrypt(bob.sig, &carol.me, type, ct.p, ct.len, &pt, NULL),
                 WG_ENOTFOUND);
    /* an id never issued (>= next_prekey_id) is unknown too */
    wg_buf_reset(&ct);
    WG_CHECK_INT(wg_signal_delete_session(carol.sig, &bob.me), 0);
    wg_signal_own_bundle(bob.sig, 40, &b);
    WG_CHECK_INT(wg_signal_process_bundle(carol.sig, &bob.me, &b, NULL), 0);
    WG_CHECK_INT(wg_signal_encrypt(carol.sig, &bob.me, (const uint8_t *)"hi", 2, &type, &ct), 0);
    WG_CHECK_INT(wg_signal_decrypt(bob.sig, &carol.me, type, ct.p, ct.len, &pt, NULL),
                 WG_ENOTFOUND);
    /* without a one-time pre-key the session still works */
    wg_buf_reset(&ct);
    wg_signal_own_bundle(bob.sig, 0, &b);
    WG_CHECK_INT(wg_signal_process_bundle(carol.sig, &bob.me, &b, NULL), 0);
    WG_CHECK_INT(wg_signal_encrypt(carol.sig, &bob.me, (const uint8_t *)"hi", 2, &type, &ct), 0);
    WG_CHECK_INT(wg_signal_decrypt(bob.sig, &carol.me, type, ct.p, ct.len, &pt, NULL), 0);
    /* a bundle with a bad signature is refused */
    wg_signal_own_bundle(bob.sig, 8, &b);
    b.spk_sig[5] ^= 1;
    WG_CHECK_INT(wg_signal_process_bundle(carol.sig, &bob.me, &b, NULL), WG_ECRYPTO);
    wg_signal_free(carol.sig);
    wg_buf_free(&ct);
    wg_buf_free(&pt);
}

static void identity_tofu_and_change(void)
{
    wg_signal_addr_t dave;
    wg_signal_addr_from_jid("4444:1@s.whatsapp.net", &dave);
    wg_wa_creds_t d1, d2;
    wg_wa_creds_generate(&d1);
    wg_wa_creds_generate(&d2);
    int state = -1;
    WG_CHECK_INT(wg_signal_identity_state(alice.sig, &dave, d1.identity_pub, 32, &state), 0);
    WG_CHECK_INT(state, 0);
    wg_signal_bundle_t b = {0};
    b.registration_id = d1.registration_id;
    memcpy(b.identity, d1.identity_pub, 32);
    b.spk_id = d1.spk_id;
    memcpy(b.spk, d1.spk_pub, 32);
    memcpy(b.spk_sig, d1.spk_sig, 64);
    unsigned flags = 0;
    WG_CHECK_INT(wg_signal_process_bundle(alice.sig, &dave, &b, &flags), 0);
    WG_CHECK_INT(flags, WG_SIGNAL_IDENTITY_NEW);
    WG_CHECK_INT(wg_signal_identity_state(alice.sig, &dave, d1.identity_pub, 32, &state), 0);
    WG_CHECK_INT(state, 1);
    WG_CHECK_INT(wg_signal_identity_state(alice.sig, &dave, d2.identity_pub, 32, &state), 0);
    WG_CHECK_INT(state, 2);
    /* same identity again: no flag */
    WG_CHECK_INT(wg_signal_process_bundle(alice.sig, &dave, &b, &flags), 0);
    WG_CHECK_INT(flags, 0);
    /* dave reinstalled: accepted, reported, stored */
    memcpy(b.identity, d2.identity_pub, 32);
    memcpy(b.spk, d2.spk_pub, 32);
    memcpy(b.spk_sig, d2.spk_sig, 64);
    WG_CHECK_INT(wg_signal_process_bundle(alice.sig, &dave, &b, &flags), 0);
    WG_CHECK_INT(flags, WG_SIGNAL_IDENTITY_CHANGED);
    WG_CHECK_INT(wg_signal_identity_state(alice.sig, &dave, d2.identity_pub, 32, &state), 0);
    WG_CHECK_INT(state, 1);
    /* malformed keys */
    WG_CHECK_INT(wg_signal_identity_state(alice.sig, &dave, d2.identity_pub, 31, &state),
                 WG_EINVAL);
}

static void sealed_at_rest(void)
{
    /* a wrong vault key cannot read alice's session with bob */
    uint8_t other[32] = {9};
    wg_signal_t *thief = NULL;
    wg_buf_t ct = WG_BUF_INIT;
    wg_signal_type_t type;
    WG_CHECK_INT(wg_signal_open(g_store, alice.id, other, &alice.creds, &thief), 0);
    WG_CHECK_INT(wg_signal_encrypt(thief, &bob.me, (const uint8_t *)"x", 1, &type, &ct),
                 WG_ECRYPTO);
    wg_signal_free(thief);
    /* a session record copied onto another peer's row does not open */
    wg_buf_t blob = WG_BUF_INIT;
    wg_signal_key_id_t from = {alice.id, WG_SIGNAL_KEY_SESSION, NULL, bob.me.name, bob.me.device};
    wg_signal_key_id_t to = {alice.id, WG_SIGNAL_KEY_SESSION, NULL, "9999", 0};
    WG_CHECK_INT(wg_store_signal_key_get(g_store, &from, &blob), 0);
    WG_CHECK(blob.len > 40 && memmem(blob.p, blob.len, bob.me.name, strlen(bob.me.name)) == NULL);
    WG_CHECK_INT(wg_store_signal_key_put(g_store, &to, blob.p, blob.len), 0);
    wg_signal_addr_t fake;
    wg_signal_addr_set(&fake, "9999", 0);
    WG_CHECK_INT(wg_signal_encrypt(alice.sig, &fake, (const uint8_t *)"x", 1, &type, &ct),
                 WG_ECRYPTO);
    /* a flipped byte in the stored blob is refused too */
    blob.p[blob.len / 2] ^= 1;
    WG_CHECK_INT(wg_store_signal_key_put(g_store, &from, blob.p, blob.len), 0);
    WG_CHECK_INT(wg_signal_encrypt(alice.sig, &bob.me, (const uint8_t *)"x", 1, &type, &ct),
                 WG_ECRYPTO);
    WG_CHECK_INT(ct.len, 0);
    wg_buf_free(&blob);
    wg_buf_free(&ct);
}

static void group_sender_keys(void)
{
    const char *group = "120363000000000001@g.us";
    wg_buf_t skdm = WG_BUF_INIT, ct = WG_BUF_INIT, pt = WG_BUF_INIT;
    WG_CHECK_INT(wg_signal_group_encrypt(alice.sig, group, &alice.me, (const uint8_t *)"x", 1, &ct),
                 WG_ESTATE);
    WG_CHECK_INT(wg_signal_group_skdm(alice.sig, group, &alice.me, &skdm), 0);
    WG_CHECK(skdm.len > 0 && skdm.p[0] == 0x33);
    WG_CHECK_INT(wg_signal_group_decrypt(bob.sig, group, &alice.me, skdm.p, skdm.len, &pt),
                 WG_EPROTO);
    WG_CHECK_INT(wg_signal_group_process_skdm(bob.sig, group, &alice.me, skdm.p, skdm.len), 0);
    wg_buf_t c[3] = {WG_BUF_INIT, WG_BUF_INIT, WG_BUF_INIT};
    const char *texts[3] = {"g1", "g2", "g3"};
    for (int i = 0; i < 3; i++)
        WG_CHECK_INT(wg_signal_group_encrypt(alice.sig, group, &alice.me,
                                             (const uint8_t *)texts[i], 2, &c[i]),
                     0);
    reopen_all();
    int order[3] = {0, 2, 1}; /* out of order */
    for (int i = 0; i < 3; i++) {
        wg_buf_reset(&pt);
        WG_CHECK_INT(wg_signal_group_decrypt(bob.sig, group, &alice.me, c[order[i]].p,
                                             c[order[i]].len, &pt),
                     0);
        WG_CHECK(pt.len == 2 && memcmp(pt.p, texts[order[i]], 2) == 0);
    }
    WG_CHECK_INT(wg_signal_group_decrypt(bob.sig, group, &alice.me, c[1].p, c[1].len, &pt),
                 WG_EEXIST);
    /* an unknown sender, and a garbage SKDM */
    WG_CHECK_INT(wg_signal_group_decrypt(bob.sig, group, &bob.me, c[0].p, c[0].len, &pt),
                 WG_ESTATE);
    WG_CHECK_INT(wg_signal_group_process_skdm(bob.sig, group, &alice.me, (const uint8_t *)"zz", 2),
                 WG_EPROTO);
    for (int i = 0; i < 3; i++)
        wg_buf_free(&c[i]);
    wg_buf_free(&skdm);
    wg_buf_free(&ct);
    wg_buf_free(&pt);
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/wg_signal_test_XXXXXX");
    if (!mkdtemp(g_dir))
        return 1;
    snprintf(g_path, sizeof g_path, "%s/store.db", g_dir);
    g_store = open_store();
    if (!g_store)
        return 1;
    peer_init(&alice, "alice", "1111@lid");
    peer_init(&bob, "bob", "2222:3@s.whatsapp.net");
    WG_RUN(table_round_trip);
    WG_RUN(addresses);
    WG_RUN(session_c_to_c);
    WG_RUN(prekeys_consumed_and_bounded);
    WG_RUN(identity_tofu_and_change);
    WG_RUN(group_sender_keys);
    WG_RUN(sealed_at_rest);
    wg_signal_free(alice.sig);
    wg_signal_free(bob.sig);
    wg_store_close(g_store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    if (system(cmd) != 0)
        return 1;
    return wg_test_done();
}
