/* connd/store/sender_key_memory: remember / has / forget one device or a
 * whole group, idempotent adds, instances kept apart, unknown instances
 * refused, cascade on instance delete; and the edit of a message row
 * (wg_store_message_edit) the updateMessage route relies on. */
#include "store/message.h"
#include "store/sender_key_memory.h"
#include "store/store.h"
#include "wg_err.h"
#include "wg_test.h"
#include "connd/store_fixture.h"

#include <stdio.h>
#include <string.h>

#define GID "120363000000000000@g.us"

static wg_store_t *g;
static char a_id[64], b_id[64];

static void remember_and_forget(void)
{
    WG_CHECK_INT(wg_store_skmem_has(g, a_id, GID, "1:2@s.whatsapp.net"), 0);
    WG_CHECK_INT(wg_store_skmem_add(g, a_id, GID, "1:2@s.whatsapp.net"), 0);
    WG_CHECK_INT(wg_store_skmem_add(g, a_id, GID, "1:2@s.whatsapp.net"), 0); /* idempotent */
    WG_CHECK_INT(wg_store_skmem_add(g, a_id, GID, "7@lid"), 0);
    WG_CHECK_INT(wg_store_skmem_has(g, a_id, GID, "1:2@s.whatsapp.net"), 1);
    WG_CHECK_INT(wg_store_skmem_has(g, b_id, GID, "1:2@s.whatsapp.net"), 0); /* per instance */
    WG_CHECK_INT(wg_store_skmem_has(g, a_id, "other@g.us", "1:2@s.whatsapp.net"), 0);
    WG_CHECK_INT(wg_store_skmem_forget(g, a_id, GID, "7@lid"), 0);
    WG_CHECK_INT(wg_store_skmem_has(g, a_id, GID, "7@lid"), 0);
    WG_CHECK_INT(wg_store_skmem_has(g, a_id, GID, "1:2@s.whatsapp.net"), 1);
    WG_CHECK_INT(wg_store_skmem_forget(g, a_id, GID, NULL), 0); /* the whole group */
    WG_CHECK_INT(wg_store_skmem_has(g, a_id, GID, "1:2@s.whatsapp.net"), 0);
    WG_CHECK_INT(wg_store_skmem_add(g, "no-such-instance", GID, "1@s.whatsapp.net"), WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_skmem_add(g, a_id, GID, NULL), WG_EINVAL);
    WG_CHECK_INT(wg_store_skmem_has(g, a_id, NULL, "x"), WG_EINVAL);
}

static void cascade(void)
{
    WG_CHECK_INT(wg_store_skmem_add(g, b_id, GID, "5@s.whatsapp.net"), 0);
    WG_CHECK_INT(wg_store_instance_delete(g, b_id), 0);
    WG_CHECK_INT(wg_store_skmem_has(g, b_id, GID, "5@s.whatsapp.net"), 0);
}

static void message_edit(void)
{
    wg_store_message_t m = {.key_id = "K1",
                            .remote_jid = "1@s.whatsapp.net",
                            .from_me = 1,
                            .message_type = "conversation",
                            .key_json = "{\"id\":\"K1\"}",
                            .message_json = "{\"conversation\":\"old\"}",
                            .message_timestamp = 5,
                            .status = "SERVER_ACK",
                            .source = "web"};
    WG_CHECK_INT(wg_store_message_insert(g, a_id, &m, NULL, NULL, NULL), 0);
    WG_CHECK_INT(wg_store_message_edit(g, a_id, "K1", "{\"conversation\":\"new\"}"), 0);
    WG_CHECK_INT(wg_store_message_edit(g, a_id, "K2", "{}"), WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_message_edit(g, a_id, "K1", NULL), WG_EINVAL);
}

static int keep_row(void *ud, const wg_store_message_row_t *r)
{
    char *out = ud;
    snprintf(out, 128, "%s|%s", r->message_json, r->status);
    return 0;
}

static void message_edit_row(void)
{
    char got[128] = "";
    wg_store_message_query_t q = {
        .key_id = "K1", .from_me = -1, .ts_gte = -1, .ts_lte = -1, .limit = 10};
    int64_t total = 0;
    WG_CHECK_INT(wg_store_message_find(g, a_id, &q, keep_row, got, &total), 0);
    WG_CHECK_STR(got, "{\"conversation\":\"new\"}|EDITED");
}

int main(void)
{
    store_fixture_t fx;
    if (store_fixture_open(&fx, NULL) < 0)
        return 1;
    g = fx.store;
    store_fixture_add_instance(g, "a", a_id);
    store_fixture_add_instance(g, "b", b_id);
    WG_RUN(remember_and_forget);
    WG_RUN(cascade);
    WG_RUN(message_edit);
    WG_RUN(message_edit_row);
    if (store_fixture_close(&fx) != 0)
        return 1;
    return wg_test_done();
}
