/* connd/signal/pool and its record cache on a temp-file store: one kept
 * layer per instance (credentials replaced, a new vault key starts over),
 * records written through (the cache always equals the row), dropped when
 * a batch, a job's savepoint or another job of the group rolls back, kept
 * across a committed group, forgotten when a layer without a cache writes
 * the row, and layers dropped when the instance's credentials change, the
 * instance is deleted or the store closes. Write-back of session records
 * inside a group: sends', and received messages' in batches (a failed
 * batch undoes only its own steps). The record cache's own bounds. */
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

/* The sealed row of alice's session with bob (empty when none). */
static void row_of(wg_buf_t *out)
{
    wg_signal_key_id_t k = {alice_id, WG_SIGNAL_KEY_SESSION, NULL, bob_addr.name, bob_addr.device};
    wg_buf_reset(out);
    (void)wg_store_signal_key_get(g, &k, out);
}

static int same_buf(const wg_buf_t *a, const wg_buf_t *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

/* Another job's savepoint opens while a's record is held: the record is
 * written first, at the group's level (the row differs from before), so
 * that savepoint's rollback does not undo it (cache and row still agree). */
static void savepoint_writes_held(wg_signal_t *a, const wg_buf_t *before)
{
    wg_buf_t row = WG_BUF_INIT;
    WG_CHECK_INT(wg_store_begin(g), 0);
    WG_CHECK_INT((int)record_cache_held(a->cache), 0);
    row_of(&row);
    WG_CHECK(!same_buf(&row, before));
    wg_store_rollback(g);
    check_cache_equals_row(a);
    wg_buf_free(&row);
}

/* Write-back: inside a group, the sends' ratchet steps are held in the
 * cache and written once, before the next savepoint opens or the group
 * commits; bob reads every message, and a layer reading the row after the
 * commit continues the chain (nothing of it was lost). */
static void written_back_once_per_group(void)
{
    wg_signal_t *a = NULL, *plain = NULL;
    wg_signal_bundle_t bundle;
    wg_signal_addr_t alice_addr;
    wg_buf_t ct[6], pt = WG_BUF_INIT, before = WG_BUF_INIT, row = WG_BUF_INIT;
    wg_signal_type_t type[6];
    const char *text[6] = {"w1", "w2", "w3", "w4", "w5", "w6"};
    for (int i = 0; i < 6; i++)
        ct[i] = (wg_buf_t)WG_BUF_INIT;
    WG_CHECK_INT(wg_signal_addr_from_jid("1111:0@s.whatsapp.net", &alice_addr), 0);
    WG_CHECK_INT(wg_signal_pool_get(g, alice_id, g_key, &alice, &a), 0);
    wg_signal_own_bundle(bob_sig, 4, &bundle);
    WG_CHECK_INT(wg_signal_process_bundle(a, &bob_addr, &bundle, NULL), 0);
    WG_CHECK(cached(a));
    row_of(&before);
    WG_CHECK_INT(wg_store_group_begin(g), 0);
    wg_signal_set_write_back(a, 1);
    for (int i = 0; i < 3; i++)
        WG_CHECK_INT(wg_signal_encrypt(a, &bob_addr, (const uint8_t *)text[i], 2, &type[i], &ct[i]),
                     0);
    /* three ratchet steps, no row written: one record held */
    row_of(&row);
    WG_CHECK(same_buf(&row, &before));
    WG_CHECK_INT((int)record_cache_held(a->cache), 1);
    savepoint_writes_held(a, &before);
    WG_CHECK_INT(wg_signal_encrypt(a, &bob_addr, (const uint8_t *)text[3], 2, &type[3], &ct[3]), 0);
    WG_CHECK_INT((int)record_cache_held(a->cache), 1);
    row_of(&before);
    WG_CHECK_INT(wg_store_group_commit(g), 0); /* written before the COMMIT */
    WG_CHECK_INT((int)record_cache_held(a->cache), 0);
    row_of(&row);
    WG_CHECK(!same_buf(&row, &before));
    check_cache_equals_row(a);
    /* outside a group write-back does not hold: written through */
    WG_CHECK_INT(wg_signal_encrypt(a, &bob_addr, (const uint8_t *)text[4], 2, &type[4], &ct[4]), 0);
    WG_CHECK_INT((int)record_cache_held(a->cache), 0);
    wg_signal_set_write_back(a, 0);
    check_cache_equals_row(a);
    /* the row carries the chain on: a layer without cache sends the next */
    WG_CHECK_INT(wg_signal_open(g, alice_id, g_key, &alice, &plain), 0);
    WG_CHECK_INT(
        wg_signal_encrypt(plain, &bob_addr, (const uint8_t *)text[5], 2, &type[5], &ct[5]), 0);
    wg_signal_free(plain);
    for (int i = 0; i < 6; i++) {
        wg_buf_reset(&pt);
        WG_CHECK_INT(wg_signal_decrypt(bob_sig, &alice_addr, type[i], ct[i].p, ct[i].len, &pt, NULL),
                     0);
        WG_CHECK(pt.len == 2 && memcmp(pt.p, text[i], 2) == 0);
        wg_buf_free(&ct[i]);
    }
    wg_buf_free(&pt);
    wg_buf_free(&before);
    wg_buf_free(&row);
}

/* alice's kept layer decrypts bob's message i inside the open batch. */
static int decrypt_from_bob(wg_signal_t *a, const wg_buf_t *ct, wg_signal_type_t type)
{
    wg_buf_t pt = WG_BUF_INIT;
    int rc = wg_signal_decrypt(a, &bob_addr, type, ct->p, ct->len, &pt, NULL);
    wg_buf_free(&pt);
    return rc;
}

/* Write-back of received messages' ratchet steps: batches in a group hold
 * the session record inside their own savepoints (the batch's opening does
 * not write it); a failed batch gives back exactly what it found, also
 * when it deleted the session; another job's savepoint and the group's
 * commit write it; the row then carries the chain on. */
static void decrypts_written_back_in_batches(void)
{
    wg_signal_t *a = NULL, *plain = NULL;
    wg_signal_addr_t alice_addr;
    wg_buf_t ct[6], before = WG_BUF_INIT, row = WG_BUF_INIT;
    wg_signal_type_t type[6];
    WG_CHECK_INT(wg_signal_addr_from_jid("1111:0@s.whatsapp.net", &alice_addr), 0);
    WG_CHECK_INT(wg_signal_pool_get(g, alice_id, g_key, &alice, &a), 0);
    for (int i = 0; i < 6; i++) {
        ct[i] = (wg_buf_t)WG_BUF_INIT;
        WG_CHECK_INT(wg_signal_encrypt(bob_sig, &alice_addr, (const uint8_t *)"r", 1, &type[i],
                                       &ct[i]),
                     0);
    }
    WG_CHECK_INT(decrypt_from_bob(a, &ct[0], type[0]), 0); /* alone: written through */
    WG_CHECK(cached(a));
    row_of(&before);
    WG_CHECK_INT(wg_store_group_begin(g), 0);
    wg_signal_set_write_back(a, 1);
    WG_CHECK_INT(wg_signal_batch_begin(a), 0);
    WG_CHECK_INT(decrypt_from_bob(a, &ct[1], type[1]), 0);
    WG_CHECK_INT(wg_signal_batch_end(a, 0), 0);
    WG_CHECK_INT((int)record_cache_held(a->cache), 1);
    row_of(&row);
    WG_CHECK(same_buf(&row, &before)); /* held, not written */
    /* a failed batch: its step is undone, the held one (message 1) kept */
    WG_CHECK_INT(wg_signal_batch_begin(a), 0);
    WG_CHECK_INT((int)record_cache_held(a->cache), 1); /* the savepoint did not write it */
    WG_CHECK_INT(decrypt_from_bob(a, &ct[2], type[2]), 0);
    WG_CHECK_INT(wg_signal_batch_end(a, WG_EPROTO), WG_EPROTO);
    WG_CHECK_INT((int)record_cache_held(a->cache), 1);
    /* a failed batch that deleted the session: it comes back, held */
    WG_CHECK_INT(wg_signal_batch_begin(a), 0);
    WG_CHECK_INT(wg_signal_delete_session(a, &bob_addr), 0);
    WG_CHECK_INT(wg_signal_has_session(a, &bob_addr), 0);
    WG_CHECK_INT(wg_signal_batch_end(a, WG_EPROTO), WG_EPROTO);
    WG_CHECK_INT(wg_signal_has_session(a, &bob_addr), 1);
    WG_CHECK_INT((int)record_cache_held(a->cache), 1);
    WG_CHECK_INT(wg_signal_batch_begin(a), 0);
    WG_CHECK_INT(decrypt_from_bob(a, &ct[3], type[3]), 0);
    WG_CHECK_INT(wg_signal_batch_end(a, 0), 0);
    savepoint_writes_held(a, &before);
    /* message 2, whose failed batch was undone, still decrypts (a skipped
     * key of the step of message 3): it was not spent */
    WG_CHECK_INT(wg_signal_batch_begin(a), 0);
    WG_CHECK_INT(decrypt_from_bob(a, &ct[2], type[2]), 0);
    WG_CHECK_INT(wg_signal_batch_end(a, 0), 0);
    WG_CHECK_INT((int)record_cache_held(a->cache), 1);
    row_of(&before);
    WG_CHECK_INT(wg_store_group_commit(g), 0); /* written before the COMMIT */
    wg_signal_set_write_back(a, 0);
    WG_CHECK_INT((int)record_cache_held(a->cache), 0);
    row_of(&row);
    WG_CHECK(!same_buf(&row, &before));
    check_cache_equals_row(a);
    /* the row carries the chain on: a layer without cache reads the next,
     * and the kept layer (told of that write) the last */
    WG_CHECK_INT(wg_signal_open(g, alice_id, g_key, &alice, &plain), 0);
    WG_CHECK_INT(decrypt_from_bob(plain, &ct[4], type[4]), 0);
    WG_CHECK_INT(decrypt_from_bob(plain, &ct[2], type[2]), WG_EEXIST);
    wg_signal_free(plain);
    WG_CHECK_INT(decrypt_from_bob(a, &ct[5], type[5]), 0);
    for (int i = 0; i < 6; i++)
        wg_buf_free(&ct[i]);
    wg_buf_free(&before);
    wg_buf_free(&row);
}

/* The cache's side of write-back: a held record survives a savepoint's
 * rollback, not the group's; a failed operation restores what it replaced;
 * a held record is never evicted; flush writes and marks it dirty. */
static int g_flushed;
static int count_flush(void *ud, const wg_signal_key_id_t *k, const uint8_t *p, size_t len)
{
    (void)ud;
    (void)k;
    (void)p;
    (void)len;
    return ++g_flushed > 1 ? WG_EDB : 0;
}

static void cache_holds(void)
{
    record_cache_t *c = record_cache_new();
    const uint8_t *p;
    size_t n;
    wg_signal_key_id_t k = {"i", WG_SIGNAL_KEY_SESSION, NULL, "held", 1};
    wg_signal_key_id_t other = {"i", WG_SIGNAL_KEY_SESSION, NULL, "other", 1};
    WG_CHECK_INT(record_cache_hold(c, &k, (const uint8_t *)"v1", 2), -1); /* not cached */
    record_cache_put(c, &k, (const uint8_t *)"v0", 2);
    record_cache_committed(c);
    WG_CHECK_INT(record_cache_hold(c, &k, (const uint8_t *)"v1", 2), 0);
    record_cache_op_end(c, 1);
    WG_CHECK_INT(record_cache_hold(c, &k, (const uint8_t *)"v2", 2), 0);
    record_cache_op_end(c, 0); /* the failed op: back to v1, still held */
    WG_CHECK_INT(record_cache_get(c, &k, &p, &n), 1);
    WG_CHECK(n == 2 && memcmp(p, "v1", 2) == 0);
    WG_CHECK_INT((int)record_cache_held(c), 1);
    record_cache_put(c, &other, (const uint8_t *)"o", 1);
    record_cache_rolled_back(c, 1); /* a savepoint's: the held one stays */
    WG_CHECK_INT(record_cache_get(c, &other, &p, &n), 0);
    WG_CHECK_INT(record_cache_get(c, &k, &p, &n), 1);
    char name[16];
    for (int i = 0; i < RECORD_CACHE_ENTRIES + 10; i++) { /* never evicted */
        snprintf(name, sizeof name, "n%d", i);
        wg_signal_key_id_t f = {"i", WG_SIGNAL_KEY_SESSION, NULL, name, 1};
        record_cache_put(c, &f, (const uint8_t *)"r", 1);
    }
    WG_CHECK_INT(record_cache_get(c, &k, &p, &n), 1);
    g_flushed = 0;
    WG_CHECK_INT(record_cache_flush(c, count_flush, NULL), 0);
    WG_CHECK_INT((int)record_cache_held(c), 0);
    WG_CHECK_INT(record_cache_hold(c, &k, (const uint8_t *)"v3", 2), 0);
    record_cache_op_end(c, 1);
    WG_CHECK_INT(record_cache_flush(c, count_flush, NULL), WG_EDB); /* stays held */
    WG_CHECK_INT((int)record_cache_held(c), 1);
    record_cache_rolled_back(c, 0); /* the group's: gone */
    WG_CHECK_INT((int)record_cache_held(c), 0);
    WG_CHECK_INT(record_cache_get(c, &k, &p, &n), 0);
    /* an operation that removes a record held before it: a failed one
     * brings it back held, over what the operation put in its place */
    record_cache_put(c, &k, (const uint8_t *)"w0", 2);
    record_cache_committed(c);
    WG_CHECK_INT(record_cache_hold(c, &k, (const uint8_t *)"w1", 2), 0);
    record_cache_op_end(c, 1);
    record_cache_op_begin(c);
    WG_CHECK_INT(record_cache_hold(c, &k, (const uint8_t *)"w2", 2), 0);
    record_cache_drop_name(c, &k);
    record_cache_put(c, &k, (const uint8_t *)"x", 1);
    WG_CHECK_INT((int)record_cache_held(c), 0);
    record_cache_op_end(c, 0);
    WG_CHECK_INT((int)record_cache_held(c), 1);
    WG_CHECK_INT(record_cache_get(c, &k, &p, &n), 1);
    WG_CHECK(n == 2 && memcmp(p, "w1", 2) == 0);
    /* untouched before the removal, and a rollback's pruning inside it */
    record_cache_op_begin(c);
    record_cache_drop(c, &k);
    record_cache_rolled_back(c, 1);
    record_cache_op_end(c, 0);
    WG_CHECK_INT(record_cache_get(c, &k, &p, &n), 1);
    WG_CHECK(n == 2 && memcmp(p, "w1", 2) == 0);
    /* a successful one: the removal stands */
    record_cache_op_begin(c);
    record_cache_drop(c, &k);
    record_cache_op_end(c, 1);
    WG_CHECK_INT((int)record_cache_held(c), 0);
    WG_CHECK_INT(record_cache_get(c, &k, &p, &n), 0);
    /* freed with a removal pending: nothing leaks (ASan) */
    record_cache_put(c, &k, (const uint8_t *)"w0", 2);
    WG_CHECK_INT(record_cache_hold(c, &k, (const uint8_t *)"w1", 2), 0);
    record_cache_op_end(c, 1);
    record_cache_op_begin(c);
    record_cache_drop(c, &k);
    record_cache_free(c);
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
    record_cache_rolled_back(c, 0);
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
    WG_RUN(written_back_once_per_group);
    WG_RUN(decrypts_written_back_in_batches);
    WG_RUN(cache_holds);
    WG_RUN(other_writers_and_lifecycle);
    WG_RUN(cache_bounds);
    wg_signal_free(bob_sig);
    WG_CHECK_INT(wg_signal_pool_count(g), 1);
    if (store_fixture_close(&g_fx) != 0)
        return 1;
    WG_CHECK_INT(wg_signal_pool_count(g), 0); /* closing dropped the pool */
    return wg_test_done();
}
