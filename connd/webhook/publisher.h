/* The webhook side of the event bus: for each published event, decides the
 * deliveries (route.h), renders the envelope once (envelope.h) and queues
 * ONE store job that commits all its outbox rows in one transaction and then
 * wakes the delivery thread. Because the job is queued during publish, the
 * commit barrier of core/jobs.h holds: a client's success reply for an
 * operation that published events leaves only after those rows are durable.
 * Loop thread only; never blocks (no SQL, no network here). */
#ifndef WG_WEBHOOK_PUBLISHER_H
#define WG_WEBHOOK_PUBLISHER_H
#include "core/daemon.h"

/* wg_bus_handler_t; arg is the wg_connd_t. Does nothing while
 * d->webhook is NULL. */
void wg_webhook_publisher_on_event(void *arg, const wg_event_t *ev);

/* Whether an event named one of events[0..n) of that instance would become
 * webhook outbox rows if published now (instance or global webhook). The
 * receive job makes its event durable (events/pending.h) only then: the
 * pending row protects outbox rows; the other subscribers (Socket.IO, log)
 * are live only. Loop thread. */
int wg_webhook_publisher_routes(wg_connd_t *d, const char *instance_id,
                                const char *const *events, size_t n);

#endif
