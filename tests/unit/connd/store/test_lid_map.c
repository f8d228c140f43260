/* connd/store/lid_map on a temp-file store: a mapping is stored once (1,
 * then 0), re-mapping either side replaces the old row, lookups are per
 * instance, bad users and unknown instances are refused, an instance delete
 * cascades. */
#include "store/lid_map.h"
#include "store/store.h"
#include "wg_err.h"
#include "wg_test.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static wg_store_t *g;
static char inst[64], other[64];

static void add_instance(const char *name, char id[64])
{
    Wg__Ipc__Instance in = WG__IPC__INSTANCE__INIT, *row = NULL;
    in.name = (char *)name;
    in.integration = "WHATSAPP-BAILEYS";
    in.token = "T";
    WG_CHECK_INT(wg_store_instance_insert(g, &in, &row), 0);
    snprintf(id, 64, "%s", row ? row->id : "");
    wg_store_instance_free(row);
}

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

static void cascade(void)
{
    char out[64];
    WG_CHECK_INT(wg_store_lid_map_put(g, other, "777", "5577"), 1);
    WG_CHECK_INT(wg_store_instance_delete(g, other), 0);
    WG_CHECK_INT(wg_store_lid_map_pn(g, other, "777", out, sizeof out), WG_ENOTFOUND);
}

int main(void)
{
    char path[64];
    wg_buf_t err = WG_BUF_INIT;
    snprintf(path, sizeof path, "/tmp/wg-lid-map-%ld.db", (long)getpid());
    if (wg_store_open(path, &g, &err) < 0) {
        fprintf(stderr, "%s\n", wg_buf_cstr(&err));
        return 1;
    }
    add_instance("alice", inst);
    add_instance("other", other);
    WG_RUN(store_rows);
    WG_RUN(cascade);
    wg_store_close(g);
    char side[96];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    wg_buf_free(&err);
    return wg_test_done();
}
