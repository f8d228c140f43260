/* connd/events/pending: the deletion of published pending_event rows. The
 * module is included whole; the worker queue, the timer and the store's delete are stubs. Checked: the ids published in one
 * loop turn go into one delete job, submitted when the turn ends (the
 * zero-delay timer), not before; a full batch is submitted at once; the
 * links' stop submits the waiting ids (wg_pending_events_flush) and, once stopping, every publication
 * is submitted at once; id 0 is a no-op; the deleted ids are exactly the
 * published ones, in order. */
#include "events/pending.c"

#include "wg_test.h"

/* ------------------------------------------------------------ stubs */

static wg_job_t *g_queue[64]; /* submitted, not yet run */
static size_t g_n_queue;

void wg_jobs_submit(wg_jobs_t *jobs, wg_job_t *job)
{
    (void)jobs;
    if (g_n_queue < 64)
        g_queue[g_n_queue++] = job;
}

struct wg_wa_timer {
    void (*fn)(void *); /* callback */
    void *arg;          /* its argument */
    int armed;          /* set with a delay >= 0 */
};
static wg_wa_timer_t *g_timer;

wg_wa_timer_t *wg_wa_timer_new(void *loop, void (*fn)(void *arg), void *arg)
{
    (void)loop;
    g_timer = wg_calloc(1, sizeof *g_timer);
    g_timer->fn = fn;
    g_timer->arg = arg;
    return g_timer;
}

void wg_wa_timer_set(wg_wa_timer_t *t, int64_t delay_ms)
{
    t->armed = delay_ms >= 0;
}

void wg_wa_timer_free(wg_wa_timer_t *t)
{
    free(t);
}

/* The end of a loop turn: an armed timer fires. */
static void turn_ends(void)
{
    if (g_timer && g_timer->armed) {
        g_timer->armed = 0;
        g_timer->fn(g_timer->arg);
    }
}

static int64_t g_deleted[1024];
static size_t g_n_deleted;

int wg_store_pending_event_delete(wg_store_t *s, const int64_t *ids, size_t n)
{
    (void)s;
    for (size_t i = 0; i < n && g_n_deleted < 1024; i++)
        g_deleted[g_n_deleted++] = ids[i];
    return 0;
}

int wg_store_pending_event_each(wg_store_t *s,
                                int (*fn)(void *ud, const wg_store_pending_event_t *ev), void *ud)
{
    (void)s, (void)fn, (void)ud;
    return 0;
}

void wg_bus_publish(wg_bus_t *bus, const char *name, const char *instance_name,
                    const char *instance_id, json_t *data, int64_t at_ms)
{
    (void)bus, (void)name, (void)instance_name, (void)instance_id, (void)at_ms;
    json_decref(data);
}

/* Runs the queued jobs on "the worker", then their completions; returns how
 * many ids each deleted through sizes[]. */
static size_t run_queue(size_t *sizes, size_t max)
{
    size_t jobs = 0;
    for (size_t i = 0; i < g_n_queue; i++) {
        size_t before = g_n_deleted;
        g_queue[i]->run(NULL, g_queue[i]);
        if (jobs < max)
            sizes[jobs] = g_n_deleted - before;
        jobs++;
        g_queue[i]->done(g_queue[i]);
    }
    g_n_queue = 0;
    return jobs;
}

/* ------------------------------------------------------------ tests */

static void test_one_job_per_turn(void)
{
    wg_connd_t d = {0};
    int loop, jobs;
    d.loop = &loop;
    d.jobs = (wg_jobs_t *)&jobs;
    g_n_deleted = 0;
    for (int64_t id = 1; id <= 5; id++)
        wg_pending_event_published(&d, id);
    wg_pending_event_published(&d, 0); /* no row: nothing */
    WG_CHECK_INT(g_n_queue, 0);        /* not before the turn ends */
    turn_ends();
    size_t sizes[4];
    WG_CHECK_INT(run_queue(sizes, 4), 1);
    WG_CHECK_INT(sizes[0], 5);
    for (size_t i = 0; i < 5; i++)
        WG_CHECK_INT(g_deleted[i], (int64_t)i + 1);
    turn_ends(); /* nothing waits: no empty job */
    WG_CHECK_INT(g_n_queue, 0);

    /* the next turn: a job of its own */
    wg_pending_event_published(&d, 6);
    wg_pending_event_published(&d, 7);
    turn_ends();
    WG_CHECK_INT(run_queue(sizes, 4), 1);
    WG_CHECK_INT(sizes[0], 2);
    WG_CHECK_INT(g_n_deleted, 7);
    WG_CHECK_INT(g_deleted[6], 7);
}

static void test_full_batch(void)
{
    wg_connd_t d = {0};
    int loop, jobs;
    d.loop = &loop;
    d.jobs = (wg_jobs_t *)&jobs;
    g_n_deleted = 0;
    for (int64_t id = 1; id <= BATCH_MAX + 3; id++)
        wg_pending_event_published(&d, id);
    WG_CHECK_INT(g_n_queue, 1); /* the full batch went at once */
    turn_ends();
    size_t sizes[4];
    WG_CHECK_INT(run_queue(sizes, 4), 2);
    WG_CHECK_INT(sizes[0], BATCH_MAX);
    WG_CHECK_INT(sizes[1], 3);
    WG_CHECK_INT(g_n_deleted, BATCH_MAX + 3);
    WG_CHECK_INT(g_deleted[BATCH_MAX + 2], BATCH_MAX + 3);
}

static void test_stop(void)
{
    wg_connd_t d = {0};
    int loop, jobs;
    d.loop = &loop;
    d.jobs = (wg_jobs_t *)&jobs;
    g_n_deleted = 0;
    wg_pending_event_published(&d, 41);
    wg_pending_event_published(&d, 42);
    d.stopping = 1;
    wg_pending_events_flush(); /* the links stop before the turn ends */
    WG_CHECK_INT(g_n_queue, 1);
    wg_pending_event_published(&d, 43); /* stopping: the loop may not turn again */
    WG_CHECK_INT(g_n_queue, 2);
    size_t sizes[4];
    WG_CHECK_INT(run_queue(sizes, 4), 2);
    WG_CHECK_INT(sizes[0], 2);
    WG_CHECK_INT(sizes[1], 1);
    WG_CHECK_INT(g_n_deleted, 3);
    WG_CHECK_INT(g_deleted[2], 43);
    turn_ends();
    WG_CHECK_INT(g_n_queue, 0);

    d.jobs = NULL; /* no worker: nothing to do */
    wg_pending_event_published(&d, 44);
    WG_CHECK_INT(g_n_queue, 0);
}

int main(void)
{
    WG_RUN(test_one_job_per_turn);
    WG_RUN(test_full_batch);
    WG_RUN(test_stop);
    return wg_test_done();
}
