/* connd/store/lid_map on a temp-file store: a mapping is stored once (1,
 * then 0), re-mapping either side replaces the old row, lookups are per
 * instance, bad users and unknown instances are refused, an instance delete
 * cascades; the lookup cache follows puts, rollbacks (a savepoint, a job
 * transaction) and instance deletes. */
#include "store/lid_map.h"
#include "store/store.h"
#include "wg_err.h"
#include "wg_test.h"
#include "connd/store_fixture.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static wg_store_t *g;
static char inst[64], other[64];

static void store_rows(void)
{
    char out[64];
    WG_CHECK_INT(wg_store_lid_map_put(g, inst, "111", "5511"), 1);
    WG_CHECK_INT(wg_store_lid_map_put(g, inst, "111", "5511"), 0);
    WG_CHECK_INT(wg_store_lid_map_pn(g, inst, "111", out, sizeof out), 0);
    WG_CHECK_STR(out, "5511");
    WG_CHECK_INT(wg_store_lid_map_lid(g, inst, "5511", out, sizeof out), 0);
    WG_CHECK_STR(out, "111");
    /* the number moves to a new LID: the old LID row goes */
    WG_CHECK_INT(wg_store_lid_map_put(g, inst, "222", "5511"), 1);
    WG_CHECK_INT(wg_store_lid_map_pn(g, inst, "111", out, sizeof out), WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_lid_map_lid(g, inst, "5511", out, sizeof out), 0);
    WG_CHECK_STR(out, "222");
    /* per instance */
    WG_CHECK_INT(wg_store_lid_map_lid(g, other, "5511", out, sizeof out), WG_ENOTFOUND);
    /* refused */
    WG_CHECK_INT(wg_store_lid_map_put(g, inst, "", "5511"), WG_EINVAL);
    WG_CHECK_INT(wg_store_lid_map_put(g, "no-such-instance", "9", "9"), WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_lid_map_pn(g, inst, "222", out, 2), WG_EDB); /* too small */
}

static void cache_follows_writes_and_rollbacks(void)
{
    char out[64];
    /* "no mapping" is cached, and a put replaces it */
    WG_CHECK_INT(wg_store_lid_map_lid(g, inst, "7777", out, sizeof out), WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_begin(g), 0);
    WG_CHECK_INT(wg_store_lid_map_put(g, inst, "333", "7777"), 1);
    WG_CHECK_INT(wg_store_lid_map_lid(g, inst, "7777", out, sizeof out), 0);
    WG_CHECK_STR(out, "333");
    /* a rolled-back put is forgotten */
    wg_store_rollback(g);
    WG_CHECK_INT(wg_store_lid_map_lid(g, inst, "7777", out, sizeof out), WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_lid_map_pn(g, inst, "333", out, sizeof out), WG_ENOTFOUND);
    /* in a group: a released savepoint's put stays through another job's rollback */
    WG_CHECK_INT(wg_store_group_begin(g), 0);
    WG_CHECK_INT(wg_store_begin(g), 0);
    WG_CHECK_INT(wg_store_lid_map_put(g, inst, "444", "7777"), 1);
    WG_CHECK_INT(wg_store_commit(g), 0);
    WG_CHECK_INT(wg_store_lid_map_lid(g, inst, "7777", out, sizeof out), 0);
    WG_CHECK_STR(out, "444");
    WG_CHECK_INT(wg_store_begin(g), 0);
    WG_CHECK_INT(wg_store_lid_map_put(g, inst, "555", "7777"), 1);
    WG_CHECK_INT(wg_store_lid_map_lid(g, inst, "7777", out, sizeof out), 0);
    WG_CHECK_STR(out, "555");
    wg_store_rollback(g);
    WG_CHECK_INT(wg_store_lid_map_lid(g, inst, "7777", out, sizeof out), 0);
    WG_CHECK_STR(out, "444");
    WG_CHECK_INT(wg_store_lid_map_pn(g, inst, "555", out, sizeof out), WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_group_commit(g), 0);
    WG_CHECK_INT(wg_store_lid_map_pn(g, inst, "444", out, sizeof out), 0);
    WG_CHECK_STR(out, "7777");
}

static void cascade(void)
{
    char out[64];
    WG_CHECK_INT(wg_store_lid_map_put(g, other, "777", "5577"), 1);
    WG_CHECK_INT(wg_store_lid_map_pn(g, other, "777", out, sizeof out), 0); /* cached */
    WG_CHECK_INT(wg_store_instance_delete(g, other), 0);
    WG_CHECK_INT(wg_store_lid_map_pn(g, other, "777", out, sizeof out), WG_ENOTFOUND);
}

int main(void)
{
    store_fixture_t fx;
    if (store_fixture_open(&fx, "lid_map") < 0)
        return 1;
    g = fx.store;
    store_fixture_add_instance(g, "alice", inst);
    store_fixture_add_instance(g, "other", other);
    WG_RUN(store_rows);
    WG_RUN(cache_follows_writes_and_rollbacks);
    WG_RUN(cascade);
    if (store_fixture_close(&fx) != 0)
        return 1;
    return wg_test_done();
}
