/* The background worker of connd: one thread that runs blocking work
 * (SQLite today) off the event loop. The loop submits jobs; the worker runs
 * job->run(worker_ctx, job); the loop later runs job->done(job) from
 * wg_jobs_drain(). The worker wakes the loop through the notify callback
 * (lws_cancel_service in connd), so the loop never blocks on the store.
 * Jobs run and complete in submission order; with group commit (below),
 * a run of queued jobs shares one transaction. */
#ifndef WG_JOBS_H
#define WG_JOBS_H

typedef struct wg_job wg_job_t;
typedef struct wg_jobs wg_jobs_t;

struct wg_job {
    void (*run)(void *worker_ctx, wg_job_t *job); /* worker thread */
    void (*done)(wg_job_t *job);                  /* loop thread; frees the job */
    /* optional, worker thread: runs once the job's writes are committed
     * (after the group's COMMIT), before done(); for waking other threads
     * that read what the job wrote (the webhook deliverer) */
    void (*committed)(void *worker_ctx, wg_job_t *job);
    int rc;                                       /* set by run, read by done */
    int solo;                                     /* never grouped (see below) */
    int lazy;                                     /* set by wg_jobs_submit_lazy */
    wg_job_t *next;                               /* queue link, owned by wg_jobs */
};

/* Group commit (optional). With a group, the worker takes the jobs queued
 * at once (up to WG_JOBS_GROUP_MAX), calls begin(worker_ctx), runs them,
 * calls commit(worker_ctx), and only then lets their committed() and done()
 * run: a job's completion (a receipt, a REST answer) never precedes the
 * commit that made it durable. Inside the group, a job's own transaction is
 * a savepoint (store.h wg_store_group_begin), so a failing job undoes only
 * its own writes. When commit fails, every job of the group gets rc WG_EDB
 * before done(): done() must read rc != 0 as "nothing of it is durable".
 * A job with solo set runs alone, outside any group (for work that must
 * not share a transaction). When begin fails, the jobs run ungrouped. */
typedef struct {
    int (*begin)(void *worker_ctx);  /* opens the group's transaction: 0 or WG_E* */
    int (*commit)(void *worker_ctx); /* commits it: 0 or WG_E* (nothing committed) */
} wg_jobs_group_t;

#define WG_JOBS_GROUP_MAX 256

/* Starts the worker thread. worker_ctx is passed to every run(); notify(arg)
 * is called from the worker after each completion (must be thread-safe).
 * group may be NULL (every job runs alone); it is borrowed for the life of
 * the queue. Returns NULL if the thread cannot start. */
wg_jobs_t *wg_jobs_start(void *worker_ctx, void (*notify)(void *arg), void *notify_arg);
wg_jobs_t *wg_jobs_start_grouped(void *worker_ctx, const wg_jobs_group_t *group,
                                 void (*notify)(void *arg), void *notify_arg);
/* Worker thread, statistics for tests and benchmarks: groups committed and
 * jobs run in them since start (read on any thread, approximate). */
void wg_jobs_group_stats(wg_jobs_t *jobs, unsigned long *groups, unsigned long *grouped);
/* Loop thread. The job is owned by the queue until done() runs. */
void wg_jobs_submit(wg_jobs_t *jobs, wg_job_t *job);
/* Lazy jobs. A lazy job is work whose completion may wait a little (a
 * message status change after a server ack or a receipt). It is queued like
 * any job (FIFO: it never runs before a job submitted before it, and done()
 * follows its commit), but when only lazy jobs are queued the worker waits,
 * at most window_ms after the oldest of them was queued, for other work to
 * share their transaction, their worker wake and their loop wake; a lazy
 * job also wakes the worker only when it waits with nothing queued. The
 * wait is on the worker (a timed condition wait): the loop arms no timer.
 * Window 0 (the default) makes lazy jobs ordinary; wg_jobs_stop does not
 * wait. wg_jobs_set_window: any thread. wg_jobs_lazy_waits: how many times
 * the worker waited so (statistics, any thread). */
#define WG_JOBS_LAZY_WINDOW_MS 5
void wg_jobs_set_window(wg_jobs_t *jobs, int window_ms);
void wg_jobs_submit_lazy(wg_jobs_t *jobs, wg_job_t *job);
unsigned long wg_jobs_lazy_waits(wg_jobs_t *jobs);
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
 * done() callbacks and, on the calling thread, the jobs those queue (and
 * their done()), then frees the queue. NULL is a no-op. */
void wg_jobs_stop(wg_jobs_t *jobs);

#endif
