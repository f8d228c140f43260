/* libFuzzer target: the Signal decrypt path of connd/signal. The first input
 * byte picks the path (pkmsg, msg, skmsg, or an SKDM to process), the rest
 * is the message. The layer runs over a real store (":memory:") where an
 * established session and a processed sender key exist, so well-formed
 * bytes reach the MAC and signature checks. Every call must fail cleanly
 * (or succeed) without a crash, a leak or a sanitizer report, and a failed
 * call must append nothing to the output. */
#include "signal/address.h"
#include "signal/bundle.h"
#include "signal/group.h"
#include "signal/signal.h"
#include "store/store.h"
#include "wa/creds.h"
#include "wg_log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define GROUP "120363000000000001@g.us"

static wg_store_t *g_store;
static wg_signal_t *g_bob;
static wg_signal_addr_t g_alice_addr;

static void instance(const char *name, char id[64])
{
    Wg__Ipc__Instance in = WG__IPC__INSTANCE__INIT, *row = NULL;
    in.name = (char *)name;
    in.integration = "WHATSAPP-BAILEYS";
    in.token = "T";
    if (wg_store_instance_insert(g_store, &in, &row) < 0)
        abort();
    memcpy(id, row->id, strlen(row->id) + 1);
    wg_store_instance_free(row);
}

/* alice (a second layer in the same store) opens a session with bob and
 * hands him her sender key; alice stays alive only during setup. */
static void setup(void)
{
    static const uint8_t key[32] = {1};
    char a_id[64], b_id[64];
    wg_wa_creds_t ac, bc;
    wg_signal_t *alice = NULL;
    wg_signal_addr_t bob_addr;
    wg_signal_bundle_t bundle;
    wg_signal_type_t type;
    wg_buf_t ct = WG_BUF_INIT, pt = WG_BUF_INIT;
    wg_log_threshold = WG_LOG_ERROR;
    if (wg_store_open(":memory:", &g_store, NULL) < 0)
        abort();
    instance("alice", a_id);
    instance("bob", b_id);
    wg_wa_creds_generate(&ac);
    wg_wa_creds_generate(&bc);
    bc.next_prekey_id = 100;
    wg_signal_addr_from_jid("1111@lid", &g_alice_addr);
    wg_signal_addr_from_jid("2222@lid", &bob_addr);
    if (wg_signal_open(g_store, a_id, key, &ac, &alice) < 0 ||
        wg_signal_open(g_store, b_id, key, &bc, &g_bob) < 0)
        abort();
    wg_signal_own_bundle(g_bob, 1, &bundle);
    if (wg_signal_process_bundle(alice, &bob_addr, &bundle, NULL) < 0 ||
        wg_signal_encrypt(alice, &bob_addr, (const uint8_t *)"x", 1, &type, &ct) < 0 ||
        wg_signal_decrypt(g_bob, &g_alice_addr, type, ct.p, ct.len, &pt, NULL) < 0)
        abort();
    wg_buf_reset(&ct);
    if (wg_signal_group_skdm(alice, GROUP, &g_alice_addr, &ct) < 0 ||
        wg_signal_group_process_skdm(g_bob, GROUP, &g_alice_addr, ct.p, ct.len) < 0)
        abort();
    wg_signal_free(alice);
    wg_buf_free(&ct);
    wg_buf_free(&pt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_store)
        setup();
    if (size < 1)
        return 0;
    wg_buf_t out = WG_BUF_INIT;
    int rc;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    switch (data[0] & 3) {
    case 0:
        rc = wg_signal_decrypt(g_bob, &g_alice_addr, WG_SIGNAL_PKMSG, p, n, &out, NULL);
        break;
    case 1:
        rc = wg_signal_decrypt(g_bob, &g_alice_addr, WG_SIGNAL_MSG, p, n, &out, NULL);
        break;
    case 2:
        rc = wg_signal_group_decrypt(g_bob, GROUP, &g_alice_addr, p, n, &out);
        break;
    default:
        rc = wg_signal_group_process_skdm(g_bob, GROUP, &g_alice_addr, p, n);
        break;
    }
    if (rc < 0 && out.len != 0)
        abort();
    wg_buf_free(&out);
    return 0;
}
