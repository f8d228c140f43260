/* Per-destination ordering of the delivery queue over a real store (temp
 * file) with a fake transport: one attempt in flight per destination, only
 * heads are attempted (retries block the rows behind them), destinations
 * are independent, outcomes follow the retry policy, a restart finds what
 * was pending. Clock and jitter are injected. */
#include "store/outbox.h"
#include "webhook/queue.h"
#include "wg_test.h"
#include <stdlib.h>
#include <unistd.h>

static char g_dir[64], g_path[128];
static wg_outbox_row_t *g_started[64];
static int g_n;

static void start(void *ctx, wg_outbox_row_t *row)
{
    (void)ctx;
    if (g_n < 64)
        g_started[g_n++] = row;
}

static double half(void)
{
    return 0.5;
}

/* Finishes started row i with status and frees it. */
static void finish(wg_webhook_queue_t *q, int i, int status)
{
    wg_webhook_queue_finish(q, g_started[i], status, status ? NULL : "Connection refused");
    wg_outbox_row_clear(g_started[i]);
    free(g_started[i]);
    g_started[i] = NULL;
}

static int64_t add(wg_store_t *s, const char *url, const char *body)
{
    wg_outbox_new_t r = {url, "inst", "inst", "e.x", "instance", NULL, NULL, body};
    int64_t dest = 0;
    WG_CHECK_INT(wg_store_outbox_add(s, &r, 1, 1, &dest), 0);
    return dest;
}

static void ordering_retries_and_independence(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/wg_queue_test_XXXXXX");
    if (!mkdtemp(g_dir))
        exit(1);
    snprintf(g_path, sizeof g_path, "%s/q.db", g_dir);
    wg_store_t *s = NULL;
    WG_CHECK_INT(wg_store_open(g_path, &s, NULL), 0);
    wg_webhook_retry_t retry = {3, 100, 1000, 1, 0.2, {404}, 1};
    int64_t a = add(s, "http://a", "a1");
    add(s, "http://a", "a2");
    add(s, "http://a", "a3");
    int64_t b = add(s, "http://b", "b1");
    add(s, "http://b", "b2");
    int64_t c = add(s, "http://c", "c1");
    add(s, "http://c", "c2");
    (void)a, (void)b, (void)c;

    wg_webhook_queue_t *q = wg_webhook_queue_new(s, &retry, half);
    int64_t next = 0;
    /* first pass (rescan): one head per destination */
    WG_CHECK_INT(wg_webhook_queue_pass(q, 1000, start, NULL, &next), 3);
    WG_CHECK_INT(g_n, 3);
    WG_CHECK_STR(g_started[0]->body, "a1");
    WG_CHECK_STR(g_started[1]->body, "b1");
    WG_CHECK_STR(g_started[2]->body, "c1");
    WG_CHECK_INT(wg_webhook_queue_in_flight(q), 3);
    /* nothing more while they are in flight */
    WG_CHECK_INT(wg_webhook_queue_pass(q, 1000, start, NULL, &next), 0);
    WG_CHECK(next == INT64_MAX);

    /* a1 delivered, b1 503 (retry in 100 ms), c1 404 (failed at once) */
    finish(q, 0, 200);
    finish(q, 1, 503);
    finish(q, 2, 404);
    WG_CHECK_INT(wg_webhook_queue_pass(q, 1000, start, NULL, &next), 2);
    WG_CHECK_STR(g_started[3]->body, "a2");
    WG_CHECK_STR(g_started[4]->body, "c2"); /* c1 failed: the queue moves on */
    WG_CHECK_INT(next, 1100);               /* b1 waits: b2 must not overtake it */
    WG_CHECK_INT(wg_webhook_queue_pass(q, 1099, start, NULL, &next), 0);
    WG_CHECK_INT(wg_webhook_queue_pass(q, 1100, start, NULL, &next), 1);
    WG_CHECK_STR(g_started[5]->body, "b1");
    WG_CHECK_INT(g_started[5]->attempts, 1);
    /* b1 fails again without a response (exponential: 200 ms) */
    finish(q, 5, 0);
    WG_CHECK_INT(wg_webhook_queue_pass(q, 1100, start, NULL, &next), 0);
    WG_CHECK_INT(next, 1300);
    /* a2 delivered meanwhile: a3 starts, b still waits */
    finish(q, 3, 204);
    finish(q, 4, 200);
    WG_CHECK_INT(wg_webhook_queue_pass(q, 1200, start, NULL, &next), 1);
    WG_CHECK_STR(g_started[6]->body, "a3");
    /* third and last attempt of b1 fails: failed for good, b2 goes */
    WG_CHECK_INT(wg_webhook_queue_pass(q, 1300, start, NULL, &next), 1);
    WG_CHECK_STR(g_started[7]->body, "b1");
    finish(q, 7, 500);
    WG_CHECK_INT(wg_webhook_queue_pass(q, 1300, start, NULL, &next), 1);
    WG_CHECK_STR(g_started[8]->body, "b2");
    int64_t pending = 0, failed = 0;
    WG_CHECK_INT(wg_store_outbox_counts(s, &pending, &failed), 0);
    WG_CHECK_INT(failed, 2);  /* c1, b1 */
    WG_CHECK_INT(pending, 2); /* a3, b2 in flight */

    /* a "crash": the queue goes away with a3 and b2 in flight; a new queue
     * on a new handle finds them (same delivery ids) */
    char *a3_id = strdup(g_started[6]->delivery_id);
    for (int i = 6; i < 9; i++)
        if (g_started[i]) {
            wg_outbox_row_clear(g_started[i]);
            free(g_started[i]);
        }
    wg_webhook_queue_free(q);
    WG_CHECK_INT(wg_store_close(s), 0);
    WG_CHECK_INT(wg_store_open(g_path, &s, NULL), 0);
    q = wg_webhook_queue_new(s, &retry, half);
    g_n = 0;
    WG_CHECK_INT(wg_webhook_queue_pass(q, 5000, start, NULL, &next), 2);
    WG_CHECK(strcmp(g_started[0]->delivery_id, a3_id) == 0 ||
             strcmp(g_started[1]->delivery_id, a3_id) == 0);
    free(a3_id);
    finish(q, 0, 200);
    finish(q, 1, 200);
    WG_CHECK_INT(wg_webhook_queue_pass(q, 5000, start, NULL, &next), 0);
    WG_CHECK(next == INT64_MAX);

    /* new rows for an idle destination: touch wakes it */
    int64_t d = add(s, "http://a", "a4");
    WG_CHECK_INT(wg_webhook_queue_pass(q, 5000, start, NULL, &next), 0);
    wg_webhook_queue_touch(q, d);
    WG_CHECK_INT(wg_webhook_queue_pass(q, 5000, start, NULL, &next), 1);
    WG_CHECK_STR(g_started[2]->body, "a4");
    finish(q, 2, 200);
    /* a replayed failure is found by a rescan */
    unsigned count = 0;
    WG_CHECK_INT(wg_store_outbox_retry(s, "inst", NULL, 0, &count), 0);
    WG_CHECK_INT(count, 2);
    wg_webhook_queue_rescan(q);
    WG_CHECK_INT(wg_webhook_queue_pass(q, 5000, start, NULL, &next), 2);
    finish(q, 3, 200);
    finish(q, 4, 200);
    WG_CHECK_INT(wg_webhook_queue_pass(q, 5000, start, NULL, &next), 0);
    WG_CHECK_INT(wg_store_outbox_counts(s, &pending, &failed), 0);
    WG_CHECK_INT(pending + failed, 0);
    wg_webhook_queue_free(q);
    WG_CHECK_INT(wg_store_close(s), 0);
    char p[160];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", g_path, suffix[i]);
        unlink(p);
    }
    rmdir(g_dir);
}

int main(void)
{
    WG_RUN(ordering_retries_and_independence);
    return wg_test_done();
}
