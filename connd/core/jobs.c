/* Worker thread + two FIFO queues (see jobs.h), and group commit: a run of
 * queued jobs shares one store transaction, and none of them completes
 * before its COMMIT. When only lazy jobs are queued, the worker waits (a
 * short bounded window) for more work to share that transaction. The only place connd crosses threads; it shares
 * nothing but the queues, under one mutex. */
#include "core/jobs.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct wg_jobs {
    pthread_t thread;            /* the worker */
    pthread_mutex_t lock;        /* guards everything below */
    pthread_cond_t wake;         /* signalled on submit and stop */
    wg_job_t *todo_head, *todo_tail; /* submitted, not yet run */
    wg_job_t *done_head, *done_tail; /* run, done() not yet called */
    int stopping;                /* worker exits once todo is empty */
    int notified;                /* the loop was woken and has not drained since */
    int pending;                 /* submitted minus drained (loop thread only) */
    void *worker_ctx;            /* passed to run() */
    void (*notify)(void *);      /* wakes the loop */
    void *notify_arg;
    const wg_jobs_group_t *group; /* group commit hooks, or NULL */
    unsigned long groups;        /* groups run in one transaction (atomic) */
    unsigned long grouped;       /* jobs run in them (atomic) */
    int window_ms;               /* how long queued lazy jobs may wait; 0: never */
    int eager;                   /* queued jobs that are not lazy */
    int idle;                    /* the worker waits for any job (no deadline) */
    struct timespec lazy_since;  /* when the oldest queued job was queued (lazy only) */
    unsigned long lazy_waits;    /* times the worker waited for company (atomic) */
};

static void mono_now(struct timespec *ts)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
}

static void push(wg_job_t **head, wg_job_t **tail, wg_job_t *job)
{
    job->next = NULL;
    if (*tail)
        (*tail)->next = job;
    else
        *head = job;
    *tail = job;
}

/* Takes the next run of jobs off todo (lock held): the queued jobs up to
 * the first solo one and at most WG_JOBS_GROUP_MAX, or one job when there
 * is no group. Returns the run as a NULL-terminated list and its length. */
static wg_job_t *take_run(wg_jobs_t *jobs, size_t *n)
{
    wg_job_t *first = jobs->todo_head, *last = first;
    *n = 1;
    if (jobs->group && !first->solo)
        while (last->next && !last->next->solo && *n < WG_JOBS_GROUP_MAX) {
            last = last->next;
            (*n)++;
        }
    jobs->todo_head = last->next;
    if (!jobs->todo_head)
        jobs->todo_tail = NULL;
    last->next = NULL;
    for (wg_job_t *j = first; j; j = j->next)
        if (!j->lazy)
            jobs->eager--;
    return first;
}

/* Runs a run of jobs (lock not held): in one transaction when there are
 * several and the group opens, else each alone. Completion hooks run only
 * after the commit. */
static void run_jobs(wg_jobs_t *jobs, wg_job_t *run, size_t n)
{
    int grouped = n > 1 && jobs->group->begin(jobs->worker_ctx) == 0;
    for (wg_job_t *j = run; j; j = j->next)
        j->run(jobs->worker_ctx, j);
    if (grouped) {
        if (jobs->group->commit(jobs->worker_ctx) != 0)
            for (wg_job_t *j = run; j; j = j->next)
                j->rc = WG_EDB; /* nothing of the group is durable */
        __atomic_add_fetch(&jobs->groups, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&jobs->grouped, n, __ATOMIC_RELAXED);
    }
    for (wg_job_t *j = run; j; j = j->next)
        if (j->committed && j->rc == 0)
            j->committed(jobs->worker_ctx, j);
}

/* Only lazy jobs are queued, younger than the window (lock held): the
 * worker waits for more work (a submit signals) or the window's end. */
static int lazy_wait(wg_jobs_t *jobs)
{
    if (jobs->eager || jobs->stopping || jobs->window_ms <= 0)
        return 0;
    struct timespec deadline = jobs->lazy_since, now;
    deadline.tv_sec += jobs->window_ms / 1000;
    deadline.tv_nsec += (long)(jobs->window_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    mono_now(&now);
    if (now.tv_sec > deadline.tv_sec ||
        (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec))
        return 0;
    __atomic_add_fetch(&jobs->lazy_waits, 1, __ATOMIC_RELAXED);
    pthread_cond_timedwait(&jobs->wake, &jobs->lock, &deadline);
    return 1;
}

static void *worker_main(void *arg)
{
    wg_jobs_t *jobs = arg;
    pthread_mutex_lock(&jobs->lock);
    for (;;) {
        while (!jobs->todo_head && !jobs->stopping) {
            jobs->idle = 1;
            pthread_cond_wait(&jobs->wake, &jobs->lock);
            jobs->idle = 0;
        }
        if (!jobs->todo_head)
            break; /* stopping and drained */
        if (lazy_wait(jobs))
            continue; /* look again: more work, the window's end, or stop */
        size_t n;
        wg_job_t *run = take_run(jobs, &n);
        pthread_mutex_unlock(&jobs->lock);
        run_jobs(jobs, run, n);
        pthread_mutex_lock(&jobs->lock);
        while (run) {
            wg_job_t *next = run->next;
            push(&jobs->done_head, &jobs->done_tail, run);
            run = next;
        }
        /* one wake per drain, not per job: a wake costs the loop a poll
         * return and an EVENT_WAIT_CANCELLED call to every lws protocol, and
         * the drain it causes takes every job completed by then. The wake
         * (a write to the loop's eventfd) is made outside the lock: the loop
         * submitting meanwhile would otherwise block on the mutex (a futex
         * sleep and wake on both threads); a drain between the unlock and
         * the wake only makes that wake find nothing new. */
        if (jobs->notify && !jobs->notified) {
            jobs->notified = 1;
            pthread_mutex_unlock(&jobs->lock);
            jobs->notify(jobs->notify_arg);
            pthread_mutex_lock(&jobs->lock);
        }
    }
    pthread_mutex_unlock(&jobs->lock);
    return NULL;
}

wg_jobs_t *wg_jobs_start(void *worker_ctx, void (*notify)(void *arg), void *notify_arg)
{
    return wg_jobs_start_grouped(worker_ctx, NULL, notify, notify_arg);
}

wg_jobs_t *wg_jobs_start_grouped(void *worker_ctx, const wg_jobs_group_t *group,
                                 void (*notify)(void *arg), void *notify_arg)
{
    wg_jobs_t *jobs = wg_calloc(1, sizeof *jobs);
    pthread_mutex_init(&jobs->lock, NULL);
    pthread_condattr_t attr; /* lazy_wait's deadline is on the monotonic clock */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&jobs->wake, &attr);
    pthread_condattr_destroy(&attr);
    jobs->worker_ctx = worker_ctx;
    jobs->group = group;
    jobs->notify = notify;
    jobs->notify_arg = notify_arg;
    if (pthread_create(&jobs->thread, NULL, worker_main, jobs) != 0) {
        pthread_mutex_destroy(&jobs->lock);
        pthread_cond_destroy(&jobs->wake);
        free(jobs);
        return NULL;
    }
    return jobs;
}

void wg_jobs_group_stats(wg_jobs_t *jobs, unsigned long *groups, unsigned long *grouped)
{
    *groups = __atomic_load_n(&jobs->groups, __ATOMIC_RELAXED);
    *grouped = __atomic_load_n(&jobs->grouped, __ATOMIC_RELAXED);
}

/* Queues job (loop thread). A lazy job wakes the worker only when it
 * waits with nothing queued (to start the window); while it runs jobs or
 * waits out a window, it finds the job itself. The signal is given after
 * the unlock: given under the lock, the worker (on the other core) woke
 * only to block on the mutex still held here, a futex sleep and wake more
 * on both threads. The worker cannot miss it: the job is queued under the
 * lock, and the worker checks the queue under the lock before it waits. */
static void submit(wg_jobs_t *jobs, wg_job_t *job, int lazy)
{
    jobs->pending++;
    job->lazy = lazy;
    pthread_mutex_lock(&jobs->lock);
    if (!jobs->todo_head && lazy)
        mono_now(&jobs->lazy_since);
    push(&jobs->todo_head, &jobs->todo_tail, job);
    if (!lazy)
        jobs->eager++;
    int wake = !lazy || jobs->idle;
    pthread_mutex_unlock(&jobs->lock);
    if (wake)
        pthread_cond_signal(&jobs->wake);
}

void wg_jobs_submit(wg_jobs_t *jobs, wg_job_t *job)
{
    submit(jobs, job, 0);
}

void wg_jobs_submit_lazy(wg_jobs_t *jobs, wg_job_t *job)
{
    submit(jobs, job, 1);
}

void wg_jobs_set_window(wg_jobs_t *jobs, int window_ms)
{
    pthread_mutex_lock(&jobs->lock);
    jobs->window_ms = window_ms > 0 ? window_ms : 0;
    pthread_cond_signal(&jobs->wake); /* a shorter window may have ended */
    pthread_mutex_unlock(&jobs->lock);
}

unsigned long wg_jobs_lazy_waits(wg_jobs_t *jobs)
{
    return __atomic_load_n(&jobs->lazy_waits, __ATOMIC_RELAXED);
}

typedef struct {
    wg_job_t job;           /* must be first */
    void (*fn)(void *arg);  /* loop-thread callback */
    void *arg;              /* its argument */
} barrier_job_t;

static void barrier_run(void *worker_ctx, wg_job_t *job)
{
    (void)worker_ctx;
    job->rc = 0;
}

static void barrier_done(wg_job_t *job)
{
    barrier_job_t *b = (barrier_job_t *)job;
    b->fn(b->arg);
    free(b);
}

void wg_jobs_after(wg_jobs_t *jobs, void (*fn)(void *arg), void *arg)
{
    barrier_job_t *b = wg_calloc(1, sizeof *b);
    b->job.run = barrier_run;
    b->job.done = barrier_done;
    b->fn = fn;
    b->arg = arg;
    wg_jobs_submit(jobs, &b->job);
}

int wg_jobs_drain(wg_jobs_t *jobs)
{
    pthread_mutex_lock(&jobs->lock);
    wg_job_t *list = jobs->done_head;
    jobs->done_head = jobs->done_tail = NULL;
    jobs->notified = 0; /* the next completion wakes the loop again */
    pthread_mutex_unlock(&jobs->lock);
    int n = 0;
    while (list) {
        wg_job_t *next = list->next;
        jobs->pending--;
        list->done(list);
        list = next;
        n++;
    }
    return n;
}

int wg_jobs_pending(const wg_jobs_t *jobs)
{
    return jobs->pending;
}

void wg_jobs_stop(wg_jobs_t *jobs)
{
    if (!jobs)
        return;
    pthread_mutex_lock(&jobs->lock);
    jobs->stopping = 1;
    pthread_cond_signal(&jobs->wake);
    pthread_mutex_unlock(&jobs->lock);
    pthread_join(jobs->thread, NULL);
    /* done() callbacks may queue more jobs (the outbox rows of an event
     * they publish, a pending event's deletion): the worker is gone, so run
     * them here, each alone, until nothing is left (bounded: a done() that
     * always queues another must not hang the shutdown) */
    for (int round = 0; round < 100; round++) {
        wg_jobs_drain(jobs);
        wg_job_t *todo = jobs->todo_head;
        if (!todo)
            break;
        jobs->todo_head = jobs->todo_tail = NULL;
        while (todo) {
            wg_job_t *next = todo->next;
            todo->next = NULL;
            run_jobs(jobs, todo, 1);
            push(&jobs->done_head, &jobs->done_tail, todo);
            todo = next;
        }
    }
    pthread_mutex_destroy(&jobs->lock);
    pthread_cond_destroy(&jobs->wake);
    free(jobs);
}
