/* The webhook outbox tables: adding rows (destinations shared by URL, all
 * or nothing), heads in id order, outcomes, the failed list, replay,
 * pruning by age and size, and ids that never go back. Temporary files. */
#include "store/outbox.h"
#include "store/store_internal.h"
#include "wg_err.h"
#include "wg_test.h"
#include <stdlib.h>
#include <unistd.h>

static char g_dir[64], g_path[128];

static wg_store_t *open_tmp(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/wg_outbox_test_XXXXXX");
    if (!mkdtemp(g_dir))
        exit(1);
    snprintf(g_path, sizeof g_path, "%s/o.db", g_dir);
    wg_store_t *s = NULL;
    WG_CHECK_INT(wg_store_open(g_path, &s, NULL), 0);
    return s;
}

static void close_tmp(wg_store_t *s)
{
    WG_CHECK_INT(wg_store_close(s), 0);
    char p[160];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", g_path, suffix[i]);
        unlink(p);
    }
    rmdir(g_dir);
}

static wg_outbox_new_t row(const char *url, const char *inst, const char *event, const char *body)
{
    wg_outbox_new_t r = {url, inst, "name-of-", event, "instance", "{\"h\":\"1\"}", "sec", body};
    r.instance_name = inst;
    return r;
}

static void add_and_heads_in_order(void)
{
    wg_store_t *s = open_tmp();
    wg_outbox_new_t rows[3] = {row("http://a/1", "i1", "e.one", "{\"n\":1}"),
                               row("http://b/1", "i1", "e.two", "{\"n\":2}"),
                               row("http://a/1", "i2", "e.three", "{\"n\":3}")};
    int64_t dest[3];
    WG_CHECK_INT(wg_store_outbox_add(s, rows, 3, 1000, dest), 0);
    WG_CHECK(dest[0] == dest[2] && dest[0] != dest[1]);
    int64_t *active = NULL;
    size_t n = 0;
    WG_CHECK_INT(wg_store_outbox_active(s, &active, &n), 0);
    WG_CHECK_INT(n, 2);
    free(active);
    wg_outbox_row_t h;
    WG_CHECK_INT(wg_store_outbox_head(s, dest[0], &h), 1);
    WG_CHECK_STR(h.body, "{\"n\":1}");
    WG_CHECK_STR(h.url, "http://a/1");
    WG_CHECK_STR(h.event, "e.one");
    WG_CHECK_STR(h.headers_json, "{\"h\":\"1\"}");
    WG_CHECK_STR(h.secret, "sec");
    WG_CHECK_INT(strlen(h.delivery_id), 36);
    WG_CHECK_INT(h.attempts, 0);
    int64_t first = h.id;
    /* a retry keeps it the head */
    WG_CHECK_INT(wg_store_outbox_reschedule(s, first, 1, 5000, 503, "HTTP 503"), 0);
    wg_outbox_row_clear(&h);
    WG_CHECK_INT(wg_store_outbox_head(s, dest[0], &h), 1);
    WG_CHECK_INT(h.id, first);
    WG_CHECK_INT(h.attempts, 1);
    WG_CHECK_INT(h.next_attempt_at, 5000);
    wg_outbox_row_clear(&h);
    /* delivered: the next one is the head */
    WG_CHECK_INT(wg_store_outbox_delivered(s, first), 0);
    WG_CHECK_INT(wg_store_outbox_delivered(s, first), WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_outbox_head(s, dest[0], &h), 1);
    WG_CHECK_STR(h.body, "{\"n\":3}");
    WG_CHECK(h.id > first);
    int64_t last = h.id;
    WG_CHECK_INT(wg_store_outbox_delivered(s, h.id), 0);
    wg_outbox_row_clear(&h);
    WG_CHECK_INT(wg_store_outbox_head(s, dest[0], &h), 0);
    /* ids never go back, even after the newest row was deleted */
    WG_CHECK_INT(wg_store_outbox_add(s, rows, 1, 1000, NULL), 0);
    WG_CHECK_INT(wg_store_outbox_head(s, dest[0], &h), 1);
    WG_CHECK(h.id > last);
    wg_outbox_row_clear(&h);
    close_tmp(s);
}

static void add_is_all_or_nothing(void)
{
    wg_store_t *s = open_tmp();
    wg_outbox_new_t rows[2] = {row("http://a/1", "i1", "e", "{}"),
                               row("http://a/1", "i1", "e", NULL)};
    WG_CHECK_INT(wg_store_outbox_add(s, rows, 2, 1, NULL), WG_EINVAL);
    rows[1] = row("http://a/1", "i1", "e", "{}");
    rows[1].source = "elsewhere"; /* rejected by the CHECK */
    WG_CHECK_INT(wg_store_outbox_add(s, rows, 2, 1, NULL), WG_EINVAL);
    int64_t pending = -1, failed = -1;
    WG_CHECK_INT(wg_store_outbox_counts(s, &pending, &failed), 0);
    WG_CHECK_INT(pending, 0);
    WG_CHECK_INT(failed, 0);
    close_tmp(s);
}

static void failed_list_retry_prune(void)
{
    wg_store_t *s = open_tmp();
    int64_t dest[1];
    int64_t ids[5];
    wg_outbox_row_t h;
    for (int i = 0; i < 5; i++) {
        char body[16];
        snprintf(body, sizeof body, "{\"n\":%d}", i);
        wg_outbox_new_t r = row("http://f/1", i < 4 ? "inst" : "other", "e.x", body);
        WG_CHECK_INT(wg_store_outbox_add(s, &r, 1, 100 + i, dest), 0);
        WG_CHECK_INT(wg_store_outbox_head(s, dest[0], &h), 1);
        ids[i] = h.id;
        /* fail each at once, at times 1000 + i */
        WG_CHECK_INT(wg_store_outbox_fail(s, h.id, 3, 1000 + i, i == 0 ? 0 : 500,
                                          i == 0 ? "Connection refused" : NULL),
                     0);
        wg_outbox_row_clear(&h);
    }
    (void)ids;
    Wg__Ipc__WebhookDeliveryList *l = NULL;
    WG_CHECK_INT(wg_store_outbox_failed_list(s, "inst", 2, &l), 0);
    WG_CHECK_INT(l->total, 4);
    WG_CHECK_INT(l->n_deliveries, 2);
    WG_CHECK_STR(l->deliveries[0]->payload_json, "{\"n\":3}"); /* newest first */
    WG_CHECK_STR(l->deliveries[0]->state, "failed");
    WG_CHECK_INT(l->deliveries[0]->attempts, 3);
    WG_CHECK(l->deliveries[0]->has_last_status && l->deliveries[0]->last_status == 500);
    WG_CHECK(l->deliveries[0]->has_failed_at_ms && l->deliveries[0]->failed_at_ms == 1003);
    WG_CHECK_INT(l->deliveries[0]->created_at_ms, 103);
    WG_CHECK_STR(l->deliveries[0]->url, "http://f/1");
    char *one = strdup(l->deliveries[1]->id);
    wg_store_outbox_list_free(l);
    WG_CHECK_INT(wg_store_outbox_failed_list(s, "inst", 10, &l), 0);
    WG_CHECK_INT(l->n_deliveries, 4);
    WG_CHECK(!l->deliveries[3]->has_last_status);
    WG_CHECK_STR(l->deliveries[3]->last_error, "Connection refused");
    wg_store_outbox_list_free(l);

    /* replay one by id (another instance's id is not touched) */
    unsigned count = 99;
    char *bogus[] = {one, "no-such-id"};
    WG_CHECK_INT(wg_store_outbox_retry(s, "other", bogus, 1, &count), 0);
    WG_CHECK_INT(count, 0);
    WG_CHECK_INT(wg_store_outbox_retry(s, "inst", bogus, 2, &count), 0);
    WG_CHECK_INT(count, 1);
    WG_CHECK_INT(wg_store_outbox_head(s, dest[0], &h), 1);
    WG_CHECK_STR(h.delivery_id, one);
    WG_CHECK_INT(h.attempts, 0);
    WG_CHECK_INT(h.next_attempt_at, 0);
    wg_outbox_row_clear(&h);
    free(one);
    int64_t pending = 0, failed = 0;
    WG_CHECK_INT(wg_store_outbox_counts(s, &pending, &failed), 0);
    WG_CHECK_INT(pending, 1);
    WG_CHECK_INT(failed, 4);

    /* prune: older than 1002 goes (ids 0, 1 of inst); then keep at most 1 failed */
    int64_t removed = 0;
    WG_CHECK_INT(wg_store_outbox_prune(s, 1001, 100, &removed), 0);
    WG_CHECK_INT(removed, 1); /* row 0 (1000); row 2 was re-queued: pending never pruned */
    WG_CHECK_INT(wg_store_outbox_prune(s, 0, 1, &removed), 0);
    WG_CHECK_INT(removed, 2);
    WG_CHECK_INT(wg_store_outbox_counts(s, &pending, &failed), 0);
    WG_CHECK_INT(pending, 1);
    WG_CHECK_INT(failed, 1);
    WG_CHECK_INT(wg_store_outbox_failed_list(s, "other", 10, &l), 0);
    WG_CHECK_INT(l->n_deliveries, 1); /* the newest failure survived */
    wg_store_outbox_list_free(l);
    /* replay all */
    WG_CHECK_INT(wg_store_outbox_retry(s, "other", NULL, 0, &count), 0);
    WG_CHECK_INT(count, 1);
    WG_CHECK_INT(wg_store_outbox_failed_list(s, NULL, 10, &l), WG_EINVAL);
    close_tmp(s);
}

static void survives_reopen(void)
{
    wg_store_t *s = open_tmp();
    wg_outbox_new_t r = row("http://r/1", "i", "e", "{\"x\":1}");
    int64_t dest;
    WG_CHECK_INT(wg_store_outbox_add(s, &r, 1, 1, &dest), 0);
    WG_CHECK_INT(wg_store_close(s), 0);
    WG_CHECK_INT(wg_store_open(g_path, &s, NULL), 0);
    wg_outbox_row_t h;
    WG_CHECK_INT(wg_store_outbox_head(s, dest, &h), 1);
    WG_CHECK_STR(h.body, "{\"x\":1}");
    wg_outbox_row_clear(&h);
    close_tmp(s);
}

static void older_schema_handle_prepares_lazily(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/wg_outbox_test_XXXXXX");
    if (!mkdtemp(g_dir))
        exit(1);
    snprintf(g_path, sizeof g_path, "%s/o.db", g_dir);
    wg_store_t *s = NULL;
    WG_CHECK_INT(store_open_migrations(g_path, store_migrations, 1, &s, NULL), 0);
    int64_t p;
    WG_CHECK_INT(wg_store_outbox_counts(s, &p, NULL), WG_EDB); /* no table: an error, no crash */
    close_tmp(s);
}

int main(void)
{
    WG_RUN(add_and_heads_in_order);
    WG_RUN(add_is_all_or_nothing);
    WG_RUN(failed_list_retry_prune);
    WG_RUN(survives_reopen);
    WG_RUN(older_schema_handle_prepares_lazily);
    return wg_test_done();
}
