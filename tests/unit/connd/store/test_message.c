/* connd/store/message: insert, duplicate key ids (per instance), status,
 * findMessages filters and paging, cascade on instance delete, that an
 * insert joins a caller's transaction (rolled back with it), and a status
 * set through the insert's rowid hint (a stale hint falls back to the key). */
#include "store/message.h"
#include "store/signal_key.h"
#include "store/store.h"
#include "wg_err.h"
#include "wg_test.h"
#include "connd/store_fixture.h"

#include <stdio.h>
#include <string.h>

static wg_store_t *g;
static char a_id[64], b_id[64];

static int put(const char *inst, const char *key, const char *chat, int from_me, int64_t t)
{
    wg_store_message_t m = {.key_id = key,
                            .remote_jid = chat,
                            .from_me = from_me,
                            .push_name = "Ana",
                            .message_type = "conversation",
                            .key_json = "{\"id\":\"k\"}",
                            .message_json = "{\"conversation\":\"x\"}",
                            .message_timestamp = t,
                            .status = "DELIVERY_ACK",
                            .source = "web"};
    int inserted = -1;
    char row[37] = "";
    int rc = wg_store_message_insert(g, inst, &m, &inserted, row, NULL);
    return rc ? rc : inserted;
}

static void insert_and_duplicates(void)
{
    WG_CHECK_INT(put(a_id, "K1", "1@s.whatsapp.net", 0, 100), 1);
    WG_CHECK_INT(put(a_id, "K1", "1@s.whatsapp.net", 0, 100), 0); /* same key id: kept once */
    WG_CHECK_INT(put(b_id, "K1", "1@s.whatsapp.net", 0, 100), 1); /* other instance */
    WG_CHECK_INT(wg_store_message_exists(g, a_id, "K1"), 1);
    WG_CHECK_INT(wg_store_message_exists(g, a_id, "K2"), 0);
    WG_CHECK_INT(put("no-such-instance", "K9", "1@s.whatsapp.net", 0, 1), WG_ENOTFOUND);
    wg_store_message_t bad = {0};
    WG_CHECK_INT(wg_store_message_insert(g, a_id, &bad, NULL, NULL, NULL), WG_EINVAL);
    WG_CHECK_INT(wg_store_message_set_status(g, a_id, "K1", "READ"), 0);
    WG_CHECK_INT(wg_store_message_set_status(g, a_id, "nope", "READ"), WG_ENOTFOUND);
}

static void in_callers_transaction(void)
{
    WG_CHECK_INT(wg_store_signal_key_begin(g), 0);
    WG_CHECK_INT(put(a_id, "TX", "1@s.whatsapp.net", 0, 1), 1);
    wg_store_signal_key_rollback(g);
    WG_CHECK_INT(wg_store_message_exists(g, a_id, "TX"), 0);
}

typedef struct {
    char keys[16][8]; /* row key ids seen (from key_json is constant, so use push/status) */
    int n;
    char status[16][16];
    int64_t ts[16];
} seen_t;

static int collect(void *ud, const wg_store_message_row_t *r)
{
    seen_t *s = ud;
    if (s->n < 16) {
        snprintf(s->status[s->n], 16, "%s", r->status);
        s->ts[s->n] = r->message_timestamp;
        s->n++;
    }
    return 0;
}

static void find(void)
{
    for (int i = 0; i < 5; i++) {
        char k[8];
        snprintf(k, sizeof k, "F%d", i);
        WG_CHECK_INT(put(a_id, k, i % 2 ? "2@s.whatsapp.net" : "3@s.whatsapp.net", i == 4, 200 + i),
                     1);
    }
    wg_store_message_query_t q = {.from_me = -1, .ts_gte = -1, .ts_lte = -1, .limit = 50};
    seen_t s = {0};
    int64_t total = 0;
    WG_CHECK_INT(wg_store_message_find(g, a_id, &q, collect, &s, &total), 0);
    WG_CHECK_INT((int)total, 6); /* K1 + F0..F4 */
    WG_CHECK_INT(s.n, 6);
    WG_CHECK_INT((int)s.ts[0], 204); /* newest first */
    WG_CHECK_STR(s.status[5], "READ");
    q.remote_jid = "2@s.whatsapp.net";
    memset(&s, 0, sizeof s);
    WG_CHECK_INT(wg_store_message_find(g, a_id, &q, collect, &s, &total), 0);
    WG_CHECK_INT((int)total, 2);
    q.remote_jid = NULL;
    q.from_me = 1;
    memset(&s, 0, sizeof s);
    WG_CHECK_INT(wg_store_message_find(g, a_id, &q, collect, &s, &total), 0);
    WG_CHECK_INT((int)total, 1);
    WG_CHECK_INT((int)s.ts[0], 204);
    q.from_me = -1;
    q.ts_gte = 201;
    q.ts_lte = 203;
    q.limit = 2;
    q.offset = 1;
    memset(&s, 0, sizeof s);
    WG_CHECK_INT(wg_store_message_find(g, a_id, &q, collect, &s, &total), 0);
    WG_CHECK_INT((int)total, 3);
    WG_CHECK_INT(s.n, 2);
    WG_CHECK_INT((int)s.ts[0], 202);
    WG_CHECK_INT((int)s.ts[1], 201);
    q = (wg_store_message_query_t){
        .key_id = "F3", .from_me = -1, .ts_gte = -1, .ts_lte = -1, .limit = 50};
    memset(&s, 0, sizeof s);
    WG_CHECK_INT(wg_store_message_find(g, a_id, &q, collect, &s, &total), 0);
    WG_CHECK_INT(s.n, 1);
}

/* The status of the row with key_id in instance inst ("" when none). */
static void status_of(const char *inst, const char *key_id, char out[16])
{
    wg_store_message_query_t q = {
        .key_id = key_id, .from_me = -1, .ts_gte = -1, .ts_lte = -1, .limit = 5};
    seen_t s = {0};
    int64_t total = 0;
    out[0] = 0;
    if (wg_store_message_find(g, inst, &q, collect, &s, &total) == 0 && s.n == 1)
        snprintf(out, 16, "%s", s.status[0]);
}

static void status_by_rowid_hint(void)
{
    wg_store_message_t m = {.key_id = "R1",
                            .remote_jid = "9@s.whatsapp.net",
                            .from_me = 1,
                            .message_type = "conversation",
                            .key_json = "{}",
                            .message_json = "{}",
                            .message_timestamp = 300,
                            .status = "PENDING",
                            .source = "web"};
    int64_t r1 = -1, r2 = -1, dup = -1;
    WG_CHECK_INT(wg_store_message_insert(g, a_id, &m, NULL, NULL, &r1), 0);
    m.key_id = "R2";
    WG_CHECK_INT(wg_store_message_insert(g, a_id, &m, NULL, NULL, &r2), 0);
    WG_CHECK_INT(wg_store_message_insert(g, a_id, &m, NULL, NULL, &dup), 0);
    WG_CHECK(r1 > 0 && r2 > r1);
    WG_CHECK_INT((int)dup, 0); /* a duplicate has no row of its own */
    char st[16];
    /* the right hint */
    WG_CHECK_INT(wg_store_message_set_status_at(g, r1, a_id, "R1", "SERVER_ACK"), 0);
    status_of(a_id, "R1", st);
    WG_CHECK_STR(st, "SERVER_ACK");
    status_of(a_id, "R2", st);
    WG_CHECK_STR(st, "PENDING");
    /* a hint that holds another message: that one stays, the key decides */
    WG_CHECK_INT(wg_store_message_set_status_at(g, r1, a_id, "R2", "DELIVERY_ACK"), 0);
    status_of(a_id, "R1", st);
    WG_CHECK_STR(st, "SERVER_ACK");
    status_of(a_id, "R2", st);
    WG_CHECK_STR(st, "DELIVERY_ACK");
    /* another instance's key through a right rowid: not touched */
    WG_CHECK_INT(wg_store_message_set_status_at(g, r1, b_id, "R1", "READ"), WG_ENOTFOUND);
    status_of(a_id, "R1", st);
    WG_CHECK_STR(st, "SERVER_ACK");
    /* no hint, a rowid past the end, an unknown key */
    WG_CHECK_INT(wg_store_message_set_status_at(g, 0, a_id, "R1", "READ"), 0);
    status_of(a_id, "R1", st);
    WG_CHECK_STR(st, "READ");
    WG_CHECK_INT(wg_store_message_set_status_at(g, r2 + 1000, a_id, "R2", "READ"), 0);
    status_of(a_id, "R2", st);
    WG_CHECK_STR(st, "READ");
    WG_CHECK_INT(wg_store_message_set_status_at(g, r1, a_id, "nope", "READ"), WG_ENOTFOUND);
}

static void cascade(void)
{
    WG_CHECK_INT(wg_store_instance_delete(g, b_id), 0);
    WG_CHECK_INT(wg_store_message_exists(g, b_id, "K1"), 0);
}

int main(void)
{
    store_fixture_t fx;
    if (store_fixture_open(&fx, NULL) < 0)
        return 1;
    g = fx.store;
    store_fixture_add_instance(g, "a", a_id);
    store_fixture_add_instance(g, "b", b_id);
    WG_RUN(insert_and_duplicates);
    WG_RUN(in_callers_transaction);
    WG_RUN(find);
    WG_RUN(status_by_rowid_hint);
    WG_RUN(cascade);
    if (store_fixture_close(&fx) != 0)
        return 1;
    return wg_test_done();
}
