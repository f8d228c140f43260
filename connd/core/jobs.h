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
/* Lazy jobs (loop thread). A lazy job is work whose completion may wait a
 * little (a message status change after a server ack or a receipt): it is
 * held on the loop thread and queued, in submission order, just before the
 * next job submitted with wg_jobs_submit, or when the window set here has
 * passed since the first held job (wg_jobs_flush, called from the loop's
 * timer), whichever comes first. So lazy jobs share the transaction, the
 * worker wake and the loop wake of the work around them instead of each
 * burst forcing its own; they never run before a job submitted before them,
 * and done() still follows their commit. Held jobs count in
 * wg_jobs_pending. wg_jobs_set_window: window_ms > 0 and arm enable
 * holding; arm(arm_arg, delay_ms) must make the loop call
 * wg_jobs_flush(jobs) after delay_ms, and arm(arm_arg, -1) cancel that (the
 * held jobs left early with a submitted job); window_ms 0 or arm NULL
 * disables holding and queues what is held. Without a window (the default),
 * wg_jobs_submit_lazy is wg_jobs_submit. wg_jobs_stop queues held jobs. */
void wg_jobs_set_window(wg_jobs_t *jobs, int window_ms, void (*arm)(void *arg, int delay_ms),
                        void *arm_arg);
void wg_jobs_submit_lazy(wg_jobs_t *jobs, wg_job_t *job);
/* Loop thread: queues the held lazy jobs now (the window's timer). */
void wg_jobs_flush(wg_jobs_t *jobs);
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
