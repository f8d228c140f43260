/* Durable events: the bus events committed with the change they announce
 * (store/pending_event.h; today the receive job's messages.upsert,
 * messages.delete and messages.edited). The loop publishes such an event
 * as any other, then calls wg_pending_event_published: a store job, queued
 * after the webhook publisher's outbox job (FIFO), deletes the row once
 * the outbox rows are committed. At startup, before any link connects,
 * wg_pending_events_replay publishes again, in commit order and with their
 * original time, the events a crash left between the two commits: delivery
 * is at least once (a receiver may see such an event twice, never zero
 * times). Loop thread only. */
#ifndef WG_EVENTS_PENDING_H
#define WG_EVENTS_PENDING_H
#include "core/daemon.h"
#include <stdint.h>

/* The event of pending_event row id has been published: deletes the row
 * after what the publication queued. The rows published in one loop turn
 * share one delete job, submitted when the turn ends (at once when
 * d->stopping is set or d has no loop). id 0 is a no-op. */
void wg_pending_event_published(wg_connd_t *d, int64_t id);

/* Submits the delete job of the rows published and still waiting for the
 * end of the loop turn (the links' stop: the loop may not turn again). */
void wg_pending_events_flush(void);

/* Queues the replay: a store job reads every pending event, its completion
 * publishes them in id order and queues their deletion. Call once, after
 * the store worker starts and before the links start (their receive jobs
 * then complete after it). */
void wg_pending_events_replay(wg_connd_t *d);

#endif
