/* core/jobs.c: order, completion on the submitting thread, stop drains;
 * group commit: queued jobs share one begin/commit, completions only after
 * the commit, a failed commit fails every job of the group, solo jobs run
 * alone. */
#include "core/jobs.h"
#include "wg_err.h"
#include "wg_test.h"
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct {
    wg_job_t job;
    int seq;
    pthread_t ran_on;
} test_job_t;

static int g_ran[100], g_nran;
static int g_done[100], g_ndone;
static int g_notified;

static void run(void *ctx, wg_job_t *job)
{
    (void)ctx;
    test_job_t *t = (test_job_t *)job;
    t->ran_on = pthread_self();
    g_ran[g_nran++] = t->seq;
    job->rc = t->seq * 2;
}

static void done(wg_job_t *job)
{
    test_job_t *t = (test_job_t *)job;
    WG_CHECK_INT(job->rc, t->seq * 2);
    WG_CHECK(!pthread_equal(t->ran_on, pthread_self()));
    g_done[g_ndone++] = t->seq;
    free(t);
}

static void notify(void *arg)
{
    (void)arg;
    __atomic_add_fetch(&g_notified, 1, __ATOMIC_SEQ_CST);
}

static test_job_t *make(int seq)
{
    test_job_t *t = calloc(1, sizeof *t);
    t->job.run = run;
    t->job.done = done;
    t->seq = seq;
    return t;
}

static void in_order_and_drained_on_loop_thread(void)
{
    g_nran = g_ndone = g_notified = 0;
    wg_jobs_t *jobs = wg_jobs_start(NULL, notify, NULL);
    WG_CHECK(jobs != NULL);
    for (int i = 0; i < 50; i++)
        wg_jobs_submit(jobs, &make(i)->job);
    WG_CHECK_INT(wg_jobs_pending(jobs), 50);
    for (int spin = 0; spin < 10000 && wg_jobs_pending(jobs) > 0; spin++) {
        wg_jobs_drain(jobs);
        usleep(100);
    }
    WG_CHECK_INT(wg_jobs_pending(jobs), 0);
    WG_CHECK_INT(g_ndone, 50);
    for (int i = 0; i < 50; i++) {
        WG_CHECK_INT(g_ran[i], i);
        WG_CHECK_INT(g_done[i], i);
    }
    int woken = __atomic_load_n(&g_notified, __ATOMIC_SEQ_CST);
    WG_CHECK(woken >= 1 && woken <= 50);
    wg_jobs_stop(jobs);
}

/* The worker wakes the loop once per drain, however many jobs complete in
 * between: the wake is what costs, the drain takes them all. */
static void one_wake_per_drain(void)
{
    g_nran = g_ndone = g_notified = 0;
    wg_jobs_t *jobs = wg_jobs_start(NULL, notify, NULL);
    for (int i = 0; i < 50; i++)
        wg_jobs_submit(jobs, &make(i)->job);
    for (int spin = 0; spin < 10000 && __atomic_load_n(&g_nran, __ATOMIC_SEQ_CST) < 50; spin++)
        usleep(100);
    usleep(20000); /* the last run() returned; let the worker queue it */
    WG_CHECK_INT(__atomic_load_n(&g_nran, __ATOMIC_SEQ_CST), 50);
    WG_CHECK_INT(__atomic_load_n(&g_notified, __ATOMIC_SEQ_CST), 1);
    WG_CHECK_INT(wg_jobs_drain(jobs), 50);
    wg_jobs_submit(jobs, &make(50)->job);
    for (int spin = 0; spin < 10000 && __atomic_load_n(&g_notified, __ATOMIC_SEQ_CST) < 2; spin++)
        usleep(100);
    WG_CHECK_INT(__atomic_load_n(&g_notified, __ATOMIC_SEQ_CST), 2);
    WG_CHECK_INT(wg_jobs_drain(jobs), 1);
    wg_jobs_stop(jobs);
}

static void stop_runs_everything_queued(void)
{
    g_nran = g_ndone = 0;
    wg_jobs_t *jobs = wg_jobs_start(NULL, NULL, NULL);
    for (int i = 0; i < 30; i++)
        wg_jobs_submit(jobs, &make(i)->job);
    wg_jobs_stop(jobs);
    WG_CHECK_INT(g_nran, 30);
    WG_CHECK_INT(g_ndone, 30);
    wg_jobs_stop(NULL);
}

/* A done() that queues another job during wg_jobs_stop: that job still
 * runs (on the stopping thread) and completes. */
static int g_chain_ran, g_chain_done;

static void chain_run(void *ctx, wg_job_t *job)
{
    (void)ctx;
    job->rc = 0;
    g_chain_ran++;
}

static wg_jobs_t *g_chain_jobs;

static void chain_done(wg_job_t *job)
{
    g_chain_done++;
    if (g_chain_done < 3) { /* queue the next link from the completion */
        wg_job_t *next = calloc(1, sizeof *next);
        next->run = chain_run;
        next->done = chain_done;
        wg_jobs_submit(g_chain_jobs, next);
    }
    free(job);
}

static void stop_runs_jobs_queued_by_completions(void)
{
    g_chain_ran = g_chain_done = 0;
    g_chain_jobs = wg_jobs_start(NULL, NULL, NULL);
    wg_job_t *first = calloc(1, sizeof *first);
    first->run = chain_run;
    first->done = chain_done;
    wg_jobs_submit(g_chain_jobs, first);
    wg_jobs_stop(g_chain_jobs); /* nothing drained before: every completion runs in stop */
    WG_CHECK_INT(g_chain_ran, 3);
    WG_CHECK_INT(g_chain_done, 3);
}

static int g_barrier_saw;

static void barrier(void *arg)
{
    g_barrier_saw = g_ndone;
    *(int *)arg = 1;
}

static void barrier_runs_after_earlier_jobs(void)
{
    g_nran = g_ndone = 0;
    int fired = 0;
    wg_jobs_t *jobs = wg_jobs_start(NULL, NULL, NULL);
    for (int i = 0; i < 20; i++)
        wg_jobs_submit(jobs, &make(i)->job);
    wg_jobs_after(jobs, barrier, &fired);
    for (int spin = 0; spin < 10000 && !fired; spin++) {
        wg_jobs_drain(jobs);
        usleep(100);
    }
    WG_CHECK(fired);
    WG_CHECK_INT(g_barrier_saw, 20);
    wg_jobs_stop(jobs);
}

/* ------------------------------------------------------------ group commit */

typedef struct {
    int open;           /* a group transaction is open */
    int begins, commits; /* calls */
    int fail_commit;    /* the next commit fails */
    int log[400];       /* +seq run inside a group, -seq run alone, 1000+seq committed hook */
    int nlog;
} fake_store_t;

static fake_store_t g_fs;
static pthread_mutex_t g_gate_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_gate; /* the first job blocks until set, so the rest queue up */
static int g_started; /* the first job is running */

static int fake_begin(void *ctx)
{
    fake_store_t *f = ctx;
    f->open = 1;
    f->begins++;
    return 0;
}

static int fake_commit(void *ctx)
{
    fake_store_t *f = ctx;
    f->open = 0;
    f->commits++;
    if (f->fail_commit) {
        f->fail_commit = 0;
        return WG_EDB;
    }
    return 0;
}

static const wg_jobs_group_t fake_group = {fake_begin, fake_commit};

static void grun(void *ctx, wg_job_t *job)
{
    fake_store_t *f = ctx;
    test_job_t *t = (test_job_t *)job;
    if (t->seq == 0)
        for (__atomic_store_n(&g_started, 1, __ATOMIC_SEQ_CST);;) {
            pthread_mutex_lock(&g_gate_lock);
            int open = g_gate;
            pthread_mutex_unlock(&g_gate_lock);
            if (open)
                break;
            usleep(1000);
        }
    f->log[f->nlog++] = f->open ? t->seq : -t->seq - 1;
    job->rc = 0;
}

static void gcommitted(void *ctx, wg_job_t *job)
{
    fake_store_t *f = ctx;
    WG_CHECK(!f->open); /* strictly after the commit */
    f->log[f->nlog++] = 1000 + ((test_job_t *)job)->seq;
}

static int g_gdone_rc[100], g_ngdone;

static void gdone(wg_job_t *job)
{
    g_gdone_rc[g_ngdone++] = job->rc;
    free(job);
}

static test_job_t *gmake(int seq, int solo)
{
    test_job_t *t = calloc(1, sizeof *t);
    t->job.run = grun;
    t->job.done = gdone;
    t->job.committed = gcommitted;
    t->job.solo = solo;
    t->seq = seq;
    return t;
}

static void open_gate(int v)
{
    pthread_mutex_lock(&g_gate_lock);
    g_gate = v;
    pthread_mutex_unlock(&g_gate_lock);
}

/* Submits job 0 and waits until the worker runs it (alone): the next
 * submissions queue up behind it. */
static void submit_first(wg_jobs_t *jobs)
{
    __atomic_store_n(&g_started, 0, __ATOMIC_SEQ_CST);
    wg_jobs_submit(jobs, &gmake(0, 0)->job);
    for (int spin = 0; spin < 20000 && !__atomic_load_n(&g_started, __ATOMIC_SEQ_CST); spin++)
        usleep(100);
}

static void drain_all(wg_jobs_t *jobs)
{
    for (int spin = 0; spin < 20000 && wg_jobs_pending(jobs) > 0; spin++) {
        wg_jobs_drain(jobs);
        usleep(100);
    }
}

/* Job 0 runs alone (the queue held only it), 1..10 share one group, the
 * solo job 11 runs alone, 12..13 group again; committed hooks run after
 * each group's commit, in order. */
static void group_commit_runs_queued_jobs_together(void)
{
    memset(&g_fs, 0, sizeof g_fs);
    g_ngdone = 0;
    open_gate(0);
    wg_jobs_t *jobs = wg_jobs_start_grouped(&g_fs, &fake_group, NULL, NULL);
    submit_first(jobs);
    for (int i = 1; i <= 13; i++)
        wg_jobs_submit(jobs, &gmake(i, i == 11)->job);
    open_gate(1);
    drain_all(jobs);
    WG_CHECK_INT(g_ngdone, 14);
    int want[] = {-1, 1000, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1001, 1002, 1003, 1004, 1005, 1006,
                  1007, 1008, 1009, 1010, -12, 1011, 12, 13, 1012, 1013};
    WG_CHECK_INT(g_fs.nlog, (int)(sizeof want / sizeof want[0]));
    for (size_t i = 0; i < sizeof want / sizeof want[0] && (int)i < g_fs.nlog; i++)
        WG_CHECK_INT(g_fs.log[i], want[i]);
    WG_CHECK_INT(g_fs.begins, 2);
    WG_CHECK_INT(g_fs.commits, 2);
    unsigned long groups = 0, grouped = 0;
    wg_jobs_group_stats(jobs, &groups, &grouped);
    WG_CHECK(groups == 2 && grouped == 12);
    for (int i = 0; i < 14; i++)
        WG_CHECK_INT(g_gdone_rc[i], 0);
    wg_jobs_stop(jobs);
}

/* A commit that fails: every job of the group completes with WG_EDB and
 * no committed hook runs. */
static void failed_group_fails_every_job(void)
{
    memset(&g_fs, 0, sizeof g_fs);
    g_ngdone = 0;
    open_gate(0);
    wg_jobs_t *jobs = wg_jobs_start_grouped(&g_fs, &fake_group, NULL, NULL);
    submit_first(jobs);
    for (int i = 1; i <= 5; i++)
        wg_jobs_submit(jobs, &gmake(i, 0)->job);
    g_fs.fail_commit = 1;
    open_gate(1);
    drain_all(jobs);
    WG_CHECK_INT(g_ngdone, 6);
    WG_CHECK_INT(g_gdone_rc[0], 0); /* alone, before the group */
    for (int i = 1; i <= 5; i++)
        WG_CHECK_INT(g_gdone_rc[i], WG_EDB);
    WG_CHECK_INT(g_fs.log[1], 1000); /* only job 0's hook */
    WG_CHECK_INT(g_fs.nlog, 7);
    wg_jobs_stop(jobs);
}

/* ------------------------------------------------------------ lazy jobs */

/* Polls until n jobs completed (drained) or about 2 s passed. */
static void drain_until(wg_jobs_t *jobs, int n)
{
    for (int spin = 0; spin < 20000 && g_ngdone < n; spin++) {
        wg_jobs_drain(jobs);
        usleep(100);
    }
}

/* Lazy jobs alone wait for the next job and share its group, in submission
 * order, before it. The window is long (a minute): only the eager job can
 * have ended the wait, so the test does not depend on timing. */
static void lazy_jobs_ride_with_the_next_job(void)
{
    memset(&g_fs, 0, sizeof g_fs);
    g_ngdone = 0;
    open_gate(1);
    wg_jobs_t *jobs = wg_jobs_start_grouped(&g_fs, &fake_group, NULL, NULL);
    wg_jobs_set_window(jobs, 60000);
    wg_jobs_submit_lazy(jobs, &gmake(1, 0)->job);
    wg_jobs_submit_lazy(jobs, &gmake(2, 0)->job);
    WG_CHECK_INT(wg_jobs_pending(jobs), 2);
    for (int spin = 0; spin < 20000 && wg_jobs_lazy_waits(jobs) < 1; spin++)
        usleep(100); /* the worker saw them (it may be slow to run under load) */
    WG_CHECK(wg_jobs_lazy_waits(jobs) >= 1);
    usleep(20000);
    wg_jobs_drain(jobs);
    WG_CHECK_INT(g_ngdone, 0); /* waiting for company */
    wg_jobs_submit(jobs, &gmake(3, 0)->job);
    drain_until(jobs, 3);
    WG_CHECK_INT(g_ngdone, 3);
    int want[] = {1, 2, 3, 1001, 1002, 1003}; /* one group, in submission order */
    WG_CHECK_INT(g_fs.nlog, 6);
    for (int i = 0; i < 6 && i < g_fs.nlog; i++)
        WG_CHECK_INT(g_fs.log[i], want[i]);
    WG_CHECK_INT(g_fs.commits, 1);

    /* a barrier is eager: the lazy job before it runs, then the barrier */
    int fired = 0;
    wg_jobs_submit_lazy(jobs, &gmake(4, 0)->job);
    wg_jobs_after(jobs, barrier, &fired);
    for (int spin = 0; spin < 20000 && !fired; spin++) {
        wg_jobs_drain(jobs);
        usleep(100);
    }
    WG_CHECK(fired);
    WG_CHECK_INT(g_ngdone, 4);

    /* held at stop: stop does not wait out the window, the job completes */
    wg_jobs_submit_lazy(jobs, &gmake(5, 0)->job);
    wg_jobs_stop(jobs);
    WG_CHECK_INT(g_ngdone, 5);
    WG_CHECK_INT(g_fs.log[g_fs.nlog - 1], 1005);
}

/* Nothing else comes: a lazy job runs once its window has passed (alone);
 * without a window it runs at once; closing the window releases a wait. */
static void lazy_jobs_run_when_the_window_ends(void)
{
    memset(&g_fs, 0, sizeof g_fs);
    g_ngdone = 0;
    open_gate(1);
    wg_jobs_t *jobs = wg_jobs_start_grouped(&g_fs, &fake_group, NULL, NULL);
    wg_jobs_set_window(jobs, 20);
    wg_jobs_submit_lazy(jobs, &gmake(1, 0)->job);
    drain_until(jobs, 1);
    WG_CHECK_INT(g_ngdone, 1);
    WG_CHECK_INT(g_fs.log[0], -2); /* alone */

    wg_jobs_set_window(jobs, 0);
    unsigned long waits = wg_jobs_lazy_waits(jobs);
    wg_jobs_submit_lazy(jobs, &gmake(2, 0)->job);
    drain_until(jobs, 2);
    WG_CHECK_INT(g_ngdone, 2);
    WG_CHECK(wg_jobs_lazy_waits(jobs) == waits); /* ran without waiting */

    wg_jobs_set_window(jobs, 60000);
    wg_jobs_submit_lazy(jobs, &gmake(3, 0)->job);
    usleep(20000);
    wg_jobs_set_window(jobs, 0); /* e.g. connd stopping */
    drain_until(jobs, 3);
    WG_CHECK_INT(g_ngdone, 3);
    WG_CHECK_INT(wg_jobs_pending(jobs), 0);
    wg_jobs_stop(jobs);
}

static int g_pp_done;

static void pp_run(void *ctx, wg_job_t *job)
{
    (void)ctx;
    job->rc = 0;
}

static void pp_done(wg_job_t *job)
{
    g_pp_done++;
    free(job);
}

/* The worker's wake is signalled after submit releases the lock: a worker
 * going idle at that moment must still find the job. Ping-pong, each job
 * submitted only once the previous one is done, so the worker is idle (or
 * about to be) at every submit, eager and lazy alike; a lost wake would
 * stall a round (bounded here by a deadline instead of a hang). */
static void submit_wakes_an_idle_worker_every_time(void)
{
    g_pp_done = 0;
    wg_jobs_t *jobs = wg_jobs_start(NULL, notify, NULL);
    wg_jobs_set_window(jobs, 1);
    int stalled = 0;
    for (int i = 0; i < 3000 && !stalled; i++) {
        wg_job_t *job = calloc(1, sizeof *job);
        job->run = pp_run;
        job->done = pp_done;
        if (i % 3 == 2)
            wg_jobs_submit_lazy(jobs, job);
        else
            wg_jobs_submit(jobs, job);
        int spin = 0;
        while (g_pp_done <= i && spin++ < 200000) {
            wg_jobs_drain(jobs);
            if (g_pp_done <= i && spin > 1000)
                usleep(10);
        }
        stalled = g_pp_done <= i;
    }
    WG_CHECK(!stalled);
    WG_CHECK_INT(g_pp_done, 3000);
    WG_CHECK_INT(wg_jobs_pending(jobs), 0);
    wg_jobs_stop(jobs);
}

int main(void)
{
    WG_RUN(barrier_runs_after_earlier_jobs);
    WG_RUN(in_order_and_drained_on_loop_thread);
    WG_RUN(stop_runs_everything_queued);
    WG_RUN(stop_runs_jobs_queued_by_completions);
    WG_RUN(one_wake_per_drain);
    WG_RUN(group_commit_runs_queued_jobs_together);
    WG_RUN(failed_group_fails_every_job);
    WG_RUN(lazy_jobs_ride_with_the_next_job);
    WG_RUN(lazy_jobs_run_when_the_window_ends);
    WG_RUN(submit_wakes_an_idle_worker_every_time);
    return wg_test_done();
}
