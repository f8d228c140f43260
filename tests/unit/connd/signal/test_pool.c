/* connd/signal/pool and its record cache on a temp-file store: one kept
 * layer per instance (credentials replaced, a new vault key starts over),
 * records written through (the cache always equals the row), dropped when
 * a batch, a job's savepoint or another job of the group rolls back, kept
 * across a committed group, forgotten when a layer without a cache writes
 * the row, and layers dropped when the instance's credentials change, the
 * instance is deleted or the store closes. The record cache's own bounds. */
#include "signal/bundle.h"
#include "signal/context.h"
#include "signal/pool.h"
#include "signal/record_cache.h"
#include "signal/signal.h"
#include "store/session.h"
#include "store/store.h"
#include "wa/creds.h"
#include "wg_err.h"
#include "wg_test.h"
#include "connd/store_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t g_key[32] = {7, 7, 7};
static store_fixture_t g_fx;
static wg_store_t *g;
static char alice_id[64], bob_id[64];
static wg_wa_creds_t alice, bob;
static wg_signal_t *bob_sig; /* an ordinary layer: no cache */
static wg_signal_addr_t bob_addr;

/* The session record alice keeps for bob, as her kept layer sees it
 * (through the cache when cached) and as the row holds it. */
static void check_cache_equals_row(wg_signal_t *kept)
{
    wg_signal_t *plain = NULL;
    signal_buffer *a = NULL, *b = NULL;
    wg_signal_key_id_t k = {alice_id, WG_SIGNAL_KEY_SESSION, NULL, bob_addr.name, bob_addr.device};
    WG_CHECK_INT(wg_signal_open(g, alice_id, g_key, &alice, &plain), 0);
    WG_CHECK_INT(signal_record_load(kept, &k, &a, NULL), 1);
    WG_CHECK_INT(signal_record_load(plain, &k, &b, NULL), 1);
    WG_CHECK(a && b && signal_buffer_len(a) == signal_buffer_len(b) &&
             memcmp(signal_buffer_data(a), signal_buffer_data(b), signal_buffer_len(a)) == 0);
    signal_buffer_bzero_free(a);
    signal_buffer_bzero_free(b);
    wg_signal_free(plain);
}

static int cached(wg_signal_t *kept)
{
    const uint8_t *p;
    size_t n;
    wg_signal_key_id_t k = {alice_id, WG_SIGNAL_KEY_SESSION, NULL, bob_addr.name, bob_addr.device};
    return record_cache_get(kept->cache, &k, &p, &n);
}

static void encrypt(wg_signal_t *s, const char *text)
{
    wg_buf_t ct = WG_BUF_INIT;
    wg_signal_type_t type;
    WG_CHECK_INT(wg_signal_encrypt(s, &bob_addr, (const uint8_t *)text, strlen(text), &type, &ct),
                 0);
    wg_buf_free(&ct);
}

static void one_layer_per_instance(void)
{
    wg_signal_t *a = NULL, *again = NULL, *b = NULL;
    WG_CHECK_INT(wg_signal_pool_get(g, alice_id, g_key, &alice, &a), 0);
    WG_CHECK_INT(wg_signal_pool_get(g, alice_id, g_key, &alice, &again), 0);
    WG_CHECK(a == again && a->cache != NULL);
    wg_signal_free(a); /* the pool's: ignored */
    wg_wa_creds_t newer = alice;
    newer.next_prekey_id = 99;
    WG_CHECK_INT(wg_signal_pool_get(g, alice_id, g_key, &newer, &again), 0);
    WG_CHECK(a == again && again->creds.next_prekey_id == 99);
    WG_CHECK_INT(wg_signal_pool_get(g, bob_id, g_key, &bob, &b), 0);
    WG_CHECK(b != a);
    WG_CHECK_INT(wg_signal_pool_count(g), 2);
    /* another vault key: a new layer, nothing cached */
    static const uint8_t other_key[32] = {9};
    WG_CHECK_INT(wg_signal_pool_get(g, alice_id, other_key, &alice, &again), 0);
    WG_CHECK(memcmp(again->vault_key, other_key, 32) == 0 && record_cache_count(again->cache) == 0);
    WG_CHECK_INT(wg_signal_pool_count(g), 2);
    WG_CHECK_INT(wg_signal_pool_get(g, alice_id, g_key, &alice, &a), 0);
    WG_CHECK_INT(wg_signal_pool_get(g, alice_id, NULL, &alice, &a), WG_EINVAL);
}

static void written_through_and_rolled_back(void)
{
    wg_signal_t *a = NULL;
    wg_signal_bundle_t bundle;
    WG_CHECK_INT(wg_signal_pool_get(g, alice_id, g_key, &alice, &a), 0);
    wg_signal_own_bundle(bob_sig, 3, &bundle);
    WG_CHECK_INT(wg_signal_process_bundle(a, &bob_addr, &bundle, NULL), 0);
    encrypt(a, "one");
    WG_CHECK(cached(a));
    check_cache_equals_row(a);
    /* a batch that fails: the ratchet step it cached is forgotten */
    WG_CHECK_INT(wg_signal_batch_begin(a), 0);
    encrypt(a, "two");
    WG_CHECK(cached(a));
    WG_CHECK_INT(wg_signal_batch_end(a, WG_EINVAL), WG_EINVAL);
    WG_CHECK(!cached(a));
    check_cache_equals_row(a);
    /* a group: one job's step is released, another job rolls back (which
     * forgets everything not yet durable), then the group commits */
    WG_CHECK_INT(wg_store_group_begin(g), 0);
    encrypt(a, "three");
    WG_CHECK(cached(a));
    WG_CHECK_INT(wg_store_begin(g), 0);
    encrypt(a, "four");
    wg_store_rollback(g);
    WG_CHECK(!cached(a));
    check_cache_equals_row(a); /* the row of "three", inside the group */
    WG_CHECK_INT(wg_store_group_commit(g), 0);
    check_cache_equals_row(a);
    /* durable entries survive a later rollback */
    WG_CHECK(cached(a));
    WG_CHECK_INT(wg_store_begin(g), 0);
    wg_store_rollback(g);
    WG_CHECK(cached(a));
    /* bob still reads what alice sends after all that */
    wg_buf_t ct = WG_BUF_INIT, pt = WG_BUF_INIT;
    wg_signal_type_t type;
    wg_signal_addr_t alice_addr;
    WG_CHECK_INT(wg_signal_addr_from_jid("1111:0@s.whatsapp.net", &alice_addr), 0);
    WG_CHECK_INT(wg_signal_encrypt(a, &bob_addr, (const uint8_t *)"five", 4, &type, &ct), 0);
    WG_CHECK_INT(type, WG_SIGNAL_PKMSG);
    WG_CHECK_INT(wg_signal_decrypt(bob_sig, &alice_addr, type, ct.p, ct.len, &pt, NULL), 0);
    WG_CHECK(pt.len == 4 && memcmp(pt.p, "five", 4) == 0);
    wg_buf_free(&ct);
    wg_buf_free(&pt);
}

static void other_writers_and_lifecycle(void)
{
    wg_signal_t *a = NULL, *plain = NULL;
    WG_CHECK_INT(wg_signal_pool_get(g, alice_id, g_key, &alice, &a), 0);
    encrypt(a, "six");
    WG_CHECK(cached(a));
    /* an ordinary layer of the same instance writes the row */
    WG_CHECK_INT(wg_signal_open(g, alice_id, g_key, &alice, &plain), 0);
    encrypt(plain, "seven");
    WG_CHECK(!cached(a));
    check_cache_equals_row(a);
    WG_CHECK_INT(wg_signal_delete_session(plain, &bob_addr), 0);
    WG_CHECK_INT(wg_signal_has_session(a, &bob_addr), 0);
    wg_signal_free(plain);
    /* new credentials: the layer goes */
    int before = wg_signal_pool_count(g);
    WG_CHECK_INT(wg_store_session_put(g, alice_id, (const uint8_t *)"x", 1), 0);
    WG_CHECK_INT(wg_signal_pool_count(g), before - 1);
    WG_CHECK_INT(wg_signal_pool_get(g, alice_id, g_key, &alice, &a), 0);
    WG_CHECK_INT(wg_signal_pool_count(g), before);
    /* a deleted instance's layer goes */
    WG_CHECK_INT(wg_store_instance_delete(g, alice_id), 0);
    WG_CHECK_INT(wg_signal_pool_count(g), before - 1);
}

static void cache_bounds(void)
{
    record_cache_t *c = record_cache_new();
    static uint8_t big[RECORD_CACHE_BYTES / 4];
    char name[16];
    for (int i = 0; i < RECORD_CACHE_ENTRIES + 10; i++) {
        snprintf(name, sizeof name, "n%d", i);
        wg_signal_key_id_t k = {"i", WG_SIGNAL_KEY_SESSION, NULL, name, 1};
        record_cache_put(c, &k, (const uint8_t *)"r", 1);
    }
    WG_CHECK_INT((int)record_cache_count(c), RECORD_CACHE_ENTRIES);
    const uint8_t *p;
    size_t n;
    wg_signal_key_id_t first = {"i", WG_SIGNAL_KEY_SESSION, NULL, "n0", 1};
    wg_signal_key_id_t last = {"i", WG_SIGNAL_KEY_SESSION, NULL, name, 1};
    WG_CHECK_INT(record_cache_get(c, &first, &p, &n), 0); /* least recently used: out */
    WG_CHECK_INT(record_cache_get(c, &last, &p, &n), 1);
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "big%d", i);
        wg_signal_key_id_t k = {"i", WG_SIGNAL_KEY_SESSION, NULL, name, 1};
        record_cache_put(c, &k, big, sizeof big);
    }
    WG_CHECK(record_cache_count(c) <= 4 + 1);
    /* drop by name, commit, rollback */
    wg_signal_key_id_t k2 = {"i", WG_SIGNAL_KEY_SESSION, NULL, "big5", 2};
    record_cache_put(c, &k2, (const uint8_t *)"x", 1);
    record_cache_drop_name(c, &k2);
    WG_CHECK_INT(record_cache_get(c, &k2, &p, &n), 0);
    record_cache_committed(c);
    wg_signal_key_id_t k3 = {"i", WG_SIGNAL_KEY_SESSION, NULL, "fresh", 0};
    record_cache_put(c, &k3, (const uint8_t *)"y", 1);
    size_t kept = record_cache_count(c);
    record_cache_rolled_back(c);
    WG_CHECK_INT((int)record_cache_count(c), (int)kept - 1);
    WG_CHECK_INT(record_cache_get(c, &k3, &p, &n), 0);
    record_cache_free(c);
}

int main(void)
{
    if (store_fixture_open(&g_fx, "signal_pool") < 0)
        return 1;
    g = g_fx.store;
    store_fixture_add_instance(g, "alice", alice_id);
    store_fixture_add_instance(g, "bob", bob_id);
    WG_CHECK_INT(wg_wa_creds_generate(&alice), 0);
    WG_CHECK_INT(wg_wa_creds_generate(&bob), 0);
    alice.next_prekey_id = bob.next_prekey_id = 11;
    WG_CHECK_INT(wg_signal_addr_from_jid("2222:3@s.whatsapp.net", &bob_addr), 0);
    WG_CHECK_INT(wg_signal_open(g, bob_id, g_key, &bob, &bob_sig), 0);
    WG_RUN(one_layer_per_instance);
    WG_RUN(written_through_and_rolled_back);
    WG_RUN(other_writers_and_lifecycle);
    WG_RUN(cache_bounds);
    wg_signal_free(bob_sig);
    WG_CHECK_INT(wg_signal_pool_count(g), 1);
    if (store_fixture_close(&g_fx) != 0)
        return 1;
    WG_CHECK_INT(wg_signal_pool_count(g), 0); /* closing dropped the pool */
    return wg_test_done();
}
