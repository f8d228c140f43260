/* The background worker of connd: one thread that runs blocking work
 * (SQLite today) off the event loop. The loop submits jobs; the worker runs
 * job->run(worker_ctx, job); the loop later runs job->done(job) from
 * wg_jobs_drain(). The worker wakes the loop through the notify callback
 * (lws_cancel_service in connd), so the loop never blocks on the store.
 * Jobs run and complete in submission order. */
#ifndef WG_JOBS_H
#define WG_JOBS_H

typedef struct wg_job wg_job_t;
typedef struct wg_jobs wg_jobs_t;

struct wg_job {
    void (*run)(void *worker_ctx, wg_job_t *job); /* worker thread */
    void (*done)(wg_job_t *job);                  /* loop thread; frees the job */
    int rc;                                       /* set by run, read by done */
    wg_job_t *next;                               /* queue link, owned by wg_jobs */
};

/* Starts the worker thread. worker_ctx is passed to every run(); notify(arg)
 * is called from the worker after each completion (must be thread-safe).
 * Returns NULL if the thread cannot start. */
wg_jobs_t *wg_jobs_start(void *worker_ctx, void (*notify)(void *arg), void *notify_arg);
/* Loop thread. The job is owned by the queue until done() runs. */
void wg_jobs_submit(wg_jobs_t *jobs, wg_job_t *job);
/* Loop thread: calls fn(arg) on the loop thread once every job submitted
 * before this call has completed (jobs are FIFO, so this is a barrier). Used
 * to answer a client only after what its request caused (e.g. an event's
 * outbox row) is committed. */
void wg_jobs_after(wg_jobs_t *jobs, void (*fn)(void *arg), void *arg);
/* Loop thread: runs done() for every completed job; returns how many ran. */
int wg_jobs_drain(wg_jobs_t *jobs);
/* Loop thread: jobs submitted and not yet done. */
int wg_jobs_pending(const wg_jobs_t *jobs);
/* Runs every queued job to the end, joins the thread, runs the remaining
 * done() callbacks, frees the queue. NULL is a no-op. */
void wg_jobs_stop(wg_jobs_t *jobs);

#endif
