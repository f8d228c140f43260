/* core/jobs.c: order, completion on the submitting thread, stop drains. */
#include "core/jobs.h"
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

int main(void)
{
    WG_RUN(barrier_runs_after_earlier_jobs);
    WG_RUN(in_order_and_drained_on_loop_thread);
    WG_RUN(stop_runs_everything_queued);
    WG_RUN(one_wake_per_drain);
    return wg_test_done();
}
