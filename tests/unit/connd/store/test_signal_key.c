/* Unit tests for connd/store/signal_key.c puts: a new row is inserted, a
 * put of an existing row replaces it in place (the update path: one row,
 * new bytes, no duplicate device), a tombstone (empty record) and a record
 * after a tombstone, rows of other kinds/names/devices untouched, a put
 * for an unknown instance is WG_ENOTFOUND, and a put rolled back with its
 * transaction leaves the old record. Uses :memory: through the public API. */
#include "store/signal_key.h"
#include "store/store.h"
#include "wg_err.h"
#include "wg_test.h"
#include "connd/store_fixture.h"

#include <stdlib.h>
#include <string.h>

static wg_store_t *g;
static char id[64];

/* 1 when the row of k holds exactly want (len bytes). */
static int holds(const wg_signal_key_id_t *k, const char *want, size_t len)
{
    wg_buf_t b = WG_BUF_INIT;
    int rc = wg_store_signal_key_get(g, k, &b);
    int ok = rc == 0 && b.len == len && (len == 0 || memcmp(b.p, want, len) == 0);
    wg_buf_free(&b);
    return ok;
}

static int put(const wg_signal_key_id_t *k, const char *record)
{
    return wg_store_signal_key_put(g, k, (const uint8_t *)record, strlen(record));
}

static void insert_then_replace(void)
{
    wg_signal_key_id_t a = {id, WG_SIGNAL_KEY_SESSION, NULL, "2222", 0};
    wg_signal_key_id_t a1 = {id, WG_SIGNAL_KEY_SESSION, NULL, "2222", 1};
    wg_signal_key_id_t other = {id, WG_SIGNAL_KEY_IDENTITY, NULL, "2222", 0};
    WG_CHECK_INT(put(&a, "first"), 0);
    WG_CHECK_INT(put(&a1, "device one"), 0);
    WG_CHECK_INT(put(&other, "identity"), 0);
    WG_CHECK(holds(&a, "first", 5));
    WG_CHECK_INT(put(&a, "second, longer record"), 0);
    WG_CHECK(holds(&a, "second, longer record", 21));
    WG_CHECK_INT(put(&a, "3rd"), 0);
    WG_CHECK(holds(&a, "3rd", 3));
    WG_CHECK(holds(&a1, "device one", 10));
    WG_CHECK(holds(&other, "identity", 8));
    int64_t *devices = NULL;
    size_t n = 0;
    WG_CHECK_INT(wg_store_signal_key_devices(g, &a, &devices, &n), 0);
    WG_CHECK(n == 2 && devices[0] == 0 && devices[1] == 1);
    free(devices);
}

static void tombstones(void)
{
    wg_signal_key_id_t pk = {id, WG_SIGNAL_KEY_PREKEY, NULL, NULL, 7};
    WG_CHECK_INT(wg_store_signal_key_put(g, &pk, NULL, 0), 0); /* insert a tombstone */
    WG_CHECK(holds(&pk, "", 0));
    WG_CHECK_INT(put(&pk, "record"), 0); /* update a tombstone */
    WG_CHECK(holds(&pk, "record", 6));
    WG_CHECK_INT(wg_store_signal_key_put(g, &pk, NULL, 0), 0); /* update to a tombstone */
    WG_CHECK(holds(&pk, "", 0));
}

static void unknown_instance_and_rollback(void)
{
    wg_signal_key_id_t none = {"no-such-instance", WG_SIGNAL_KEY_SESSION, NULL, "1", 0};
    WG_CHECK_INT(put(&none, "x"), WG_ENOTFOUND);
    wg_signal_key_id_t a = {id, WG_SIGNAL_KEY_SESSION, "g@g.us", "2222", 0};
    WG_CHECK_INT(put(&a, "kept"), 0);
    WG_CHECK_INT(wg_store_signal_key_begin(g), 0);
    WG_CHECK_INT(put(&a, "undone"), 0);
    WG_CHECK(holds(&a, "undone", 6));
    wg_store_signal_key_rollback(g);
    WG_CHECK(holds(&a, "kept", 4));
}

int main(void)
{
    store_fixture_t fx;
    if (store_fixture_open(&fx, NULL) < 0)
        return 1;
    g = fx.store;
    store_fixture_add_instance(g, "alice", id);
    WG_RUN(insert_then_replace);
    WG_RUN(tombstones);
    WG_RUN(unknown_instance_and_rollback);
    if (store_fixture_close(&fx) != 0)
        return 1;
    return wg_test_done();
}
