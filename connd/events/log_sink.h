/* A bus subscriber that logs every event at info level (one line each), so
 * operators and tests can follow the lifecycle before any deliverer exists. */
#ifndef WG_LOG_SINK_H
#define WG_LOG_SINK_H
#include "events/bus.h"

void wg_log_sink_on_event(void *arg, const wg_event_t *ev);

#endif
