/* The delivery queue of the webhook thread: per-destination ordering over
 * the store's outbox. A destination (one URL) has at most one attempt in
 * flight, and only its oldest pending row (its head) is ever attempted, so
 * deliveries to one URL leave in event order, retries included; different
 * destinations proceed independently. Outcomes (delivered / retry later /
 * failed for good, spec §4.3's retry rules via backoff.h) are recorded and
 * written in the next pass, in the same transaction that picks the next
 * heads, and a row starts only after that transaction committed.
 *
 * Never does network I/O: the caller (deliverer.c) sends what start()
 * hands it and reports back with wg_webhook_queue_finish(). Single thread
 * (the delivery thread); the clock and the random source are injected. */
#ifndef WG_WEBHOOK_QUEUE_H
#define WG_WEBHOOK_QUEUE_H
#include "store/outbox.h"
#include "webhook/settings.h"
#include <stdint.h>

typedef struct wg_webhook_queue wg_webhook_queue_t;

/* Receives a row to send (ownership passes: the callee keeps it until it
 * calls wg_webhook_queue_finish, then clears and frees it). */
typedef void (*wg_webhook_start_fn)(void *ctx, wg_outbox_row_t *row);

/* store and retry are borrowed for the queue's lifetime. rng returns a
 * uniform value in [0,1) for the jitter (NULL: libsodium's CSPRNG). The
 * queue starts in "rescan" state: the first pass looks at every destination
 * with pending rows (what a previous run left). */
wg_webhook_queue_t *wg_webhook_queue_new(wg_store_t *store, const wg_webhook_retry_t *retry,
                                         double (*rng)(void));
void wg_webhook_queue_free(wg_webhook_queue_t *q); /* NULL is a no-op */

/* New rows were committed for this destination. */
void wg_webhook_queue_touch(wg_webhook_queue_t *q, int64_t destination_id);
/* Rows of unknown destinations changed (startup, replay): the next pass
 * asks the store which destinations have pending rows. */
void wg_webhook_queue_rescan(wg_webhook_queue_t *q);

/* Reports the attempt of row (as handed to start): status = HTTP status or
 * 0 for no response, error = why (NULL when a status says it). 2xx means
 * delivered. The row stays the caller's. */
void wg_webhook_queue_finish(wg_webhook_queue_t *q, const wg_outbox_row_t *row, int status,
                             const char *error);

/* One pass at time now (UTC ms): writes recorded outcomes, finds due heads
 * of idle destinations, commits, then calls start() for each. *next_due_ms
 * receives the earliest time a waiting destination becomes due (INT64_MAX
 * when none). Returns how many rows were started, or WG_EDB (nothing
 * started; outcomes are kept for the next pass). */
int wg_webhook_queue_pass(wg_webhook_queue_t *q, int64_t now, wg_webhook_start_fn start, void *ctx,
                          int64_t *next_due_ms);

/* Attempts in flight. */
size_t wg_webhook_queue_in_flight(const wg_webhook_queue_t *q);

#endif
