/* connd/signal/lid_map on a temp-file store: lookups keep the device,
 * malformed or wrong-server JIDs are refused without a write; the PN -> LID
 * session move carries a session that still decrypts, moves nothing twice
 * or for an unknown user, and never overwrites a session the LID address
 * already has. */
#include "signal/bundle.h"
#include "signal/lid_map.h"
#include "signal/signal.h"
#include "store/store.h"
#include "wg_err.h"
#include "wg_test.h"
#include "connd/store_fixture.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static wg_store_t *g;
static char inst[64], other[64];
static const uint8_t g_key[32] = {7};

static void jid_level(void)
{
    char out[96];
    WG_CHECK_INT(wg_lid_map_record(g, inst, "333:4@lid", "5533:9@s.whatsapp.net"), 1);
    WG_CHECK_INT(wg_lid_map_record(g, inst, "333@lid", "5533@s.whatsapp.net"), 0);
    WG_CHECK_INT(wg_lid_map_lookup_lid(g, inst, "5533:2@s.whatsapp.net", out, sizeof out), 0);
    WG_CHECK_STR(out, "333:2@lid");
    WG_CHECK_INT(wg_lid_map_lookup_lid(g, inst, "5533@s.whatsapp.net", out, sizeof out), 0);
    WG_CHECK_STR(out, "333@lid");
    WG_CHECK_INT(wg_lid_map_lookup_pn(g, inst, "333:7@lid", out, sizeof out), 0);
    WG_CHECK_STR(out, "5533:7@s.whatsapp.net");
    WG_CHECK_INT(wg_lid_map_lookup_pn(g, inst, "5533@s.whatsapp.net", out, sizeof out),
                 WG_EINVAL);
    WG_CHECK_INT(wg_lid_map_lookup_lid(g, inst, "444@s.whatsapp.net", out, sizeof out),
                 WG_ENOTFOUND);
    WG_CHECK_INT(wg_lid_map_record(g, inst, "5533@s.whatsapp.net", "333@lid"), WG_EINVAL);
    WG_CHECK_INT(wg_lid_map_record(g, inst, "1@g.us", "5533@s.whatsapp.net"), WG_EINVAL);
    WG_CHECK_INT(wg_lid_map_record(g, inst, "not a jid", NULL), WG_EINVAL);
    WG_CHECK_INT(wg_lid_map_lookup_lid(g, inst, "5533:2@s.whatsapp.net", out, 4), WG_EINVAL);
}

static void session_move(void)
{
    wg_wa_creds_t ac, bc;
    char bob[64];
    store_fixture_add_instance(g, "bobm", bob);
    WG_CHECK_INT(wg_wa_creds_generate(&ac), 0);
    WG_CHECK_INT(wg_wa_creds_generate(&bc), 0);
    ac.next_prekey_id = bc.next_prekey_id = 20;
    wg_signal_t *a = NULL, *b = NULL;
    WG_CHECK_INT(wg_signal_open(g, inst, g_key, &ac, &a), 0);
    WG_CHECK_INT(wg_signal_open(g, bob, g_key, &bc, &b), 0);
    wg_signal_addr_t a_addr, b_pn, b_lid;
    WG_CHECK_INT(wg_signal_addr_from_jid("5500:1@s.whatsapp.net", &a_addr), 0);
    WG_CHECK_INT(wg_signal_addr_from_jid("5566:2@s.whatsapp.net", &b_pn), 0);
    WG_CHECK_INT(wg_signal_addr_from_jid("666:2@lid", &b_lid), 0);
    /* alice has a session with bob's PN device */
    wg_signal_bundle_t bundle;
    wg_signal_own_bundle(b, 3, &bundle);
    WG_CHECK_INT(wg_signal_process_bundle(a, &b_pn, &bundle, NULL), 0);
    wg_buf_t ct = WG_BUF_INIT, pt = WG_BUF_INIT;
    wg_signal_type_t type;
    WG_CHECK_INT(wg_signal_encrypt(a, &b_pn, (const uint8_t *)"one", 3, &type, &ct), 0);
    WG_CHECK_INT(wg_signal_decrypt(b, &a_addr, type, ct.p, ct.len, &pt, NULL), 0);
    WG_CHECK_INT(wg_lid_map_migrate_sessions(a, "5566@s.whatsapp.net", "666@lid"), 1);
    WG_CHECK_INT(wg_signal_has_session(a, &b_pn), 0);
    WG_CHECK_INT(wg_signal_has_session(a, &b_lid), 1);
    /* the moved session still talks to bob: his reply decrypts under LID */
    wg_buf_reset(&ct);
    wg_buf_reset(&pt);
    WG_CHECK_INT(wg_signal_encrypt(b, &a_addr, (const uint8_t *)"two", 3, &type, &ct), 0);
    WG_CHECK_INT(wg_signal_decrypt(a, &b_lid, type, ct.p, ct.len, &pt, NULL), 0);
    WG_CHECK(pt.len == 3 && memcmp(pt.p, "two", 3) == 0);
    /* nothing left to move; an unknown user moves nothing */
    WG_CHECK_INT(wg_lid_map_migrate_sessions(a, "5566@s.whatsapp.net", "666@lid"), 0);
    WG_CHECK_INT(wg_lid_map_migrate_sessions(a, "5599@s.whatsapp.net", "699@lid"), 0);
    WG_CHECK_INT(wg_lid_map_migrate_sessions(a, "666@lid", "5566@s.whatsapp.net"), WG_EINVAL);
    /* a PN session made again later does not overwrite the LID one */
    wg_signal_own_bundle(b, 4, &bundle);
    WG_CHECK_INT(wg_signal_process_bundle(a, &b_pn, &bundle, NULL), 0);
    WG_CHECK_INT(wg_lid_map_migrate_sessions(a, "5566@s.whatsapp.net", "666@lid"), 0);
    WG_CHECK_INT(wg_signal_has_session(a, &b_pn), 0);
    wg_buf_reset(&ct);
    wg_buf_reset(&pt);
    WG_CHECK_INT(wg_signal_encrypt(b, &a_addr, (const uint8_t *)"three", 5, &type, &ct), 0);
    WG_CHECK_INT(wg_signal_decrypt(a, &b_lid, type, ct.p, ct.len, &pt, NULL), 0);
    wg_buf_free(&ct);
    wg_buf_free(&pt);
    wg_signal_free(a);
    wg_signal_free(b);
}

int main(void)
{
    store_fixture_t fx;
    if (store_fixture_open(&fx, "lid_sig") < 0)
        return 1;
    g = fx.store;
    store_fixture_add_instance(g, "alice", inst);
    store_fixture_add_instance(g, "other", other);
    WG_RUN(jid_level);
    WG_RUN(session_move);
    if (store_fixture_close(&fx) != 0)
        return 1;
    return wg_test_done();
}
