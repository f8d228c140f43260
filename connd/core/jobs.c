/* Worker thread + two FIFO queues (see jobs.h). The only place connd
 * crosses threads; it shares nothing but the queues, under one mutex. */
#include "core/jobs.h"
#include "wg_alloc.h"
#include <pthread.h>
#include <stdlib.h>

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
};

static void push(wg_job_t **head, wg_job_t **tail, wg_job_t *job)
{
    job->next = NULL;
    if (*tail)
        (*tail)->next = job;
    else
        *head = job;
    *tail = job;
}

static void *worker_main(void *arg)
{
    wg_jobs_t *jobs = arg;
    pthread_mutex_lock(&jobs->lock);
    for (;;) {
        while (!jobs->todo_head && !jobs->stopping)
            pthread_cond_wait(&jobs->wake, &jobs->lock);
        wg_job_t *job = jobs->todo_head;
        if (!job)
            break; /* stopping and drained */
        jobs->todo_head = job->next;
        if (!jobs->todo_head)
            jobs->todo_tail = NULL;
        pthread_mutex_unlock(&jobs->lock);
        job->run(jobs->worker_ctx, job);
        pthread_mutex_lock(&jobs->lock);
        push(&jobs->done_head, &jobs->done_tail, job);
        /* one wake per drain, not per job: a wake costs the loop a poll
         * return and an EVENT_WAIT_CANCELLED call to every lws protocol, and
         * the drain it causes takes every job completed by then */
        if (jobs->notify && !jobs->notified) {
            jobs->notified = 1;
            jobs->notify(jobs->notify_arg);
        }
    }
    pthread_mutex_unlock(&jobs->lock);
    return NULL;
}

wg_jobs_t *wg_jobs_start(void *worker_ctx, void (*notify)(void *arg), void *notify_arg)
{
    wg_jobs_t *jobs = wg_calloc(1, sizeof *jobs);
    pthread_mutex_init(&jobs->lock, NULL);
    pthread_cond_init(&jobs->wake, NULL);
    jobs->worker_ctx = worker_ctx;
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

void wg_jobs_submit(wg_jobs_t *jobs, wg_job_t *job)
{
    jobs->pending++;
    pthread_mutex_lock(&jobs->lock);
    push(&jobs->todo_head, &jobs->todo_tail, job);
    pthread_cond_signal(&jobs->wake);
    pthread_mutex_unlock(&jobs->lock);
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
    wg_jobs_drain(jobs);
    pthread_mutex_destroy(&jobs->lock);
    pthread_cond_destroy(&jobs->wake);
    free(jobs);
}
