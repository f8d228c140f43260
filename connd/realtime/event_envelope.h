/* The Evolution dialect's message object (spec evolution-api.md §4.4; issue
 * 3 "Envelope exactly"): {event, instance, data, server_url, date_time,
 * sender, apikey}, always these seven keys in this order (null where a
 * value is unknown), date_time true UTC ISO-8601 with milliseconds. Pure:
 * an event in, JSON text out; rendered once per event, not per client. */
#ifndef WG_EVENT_ENVELOPE_H
#define WG_EVENT_ENVELOPE_H
#include "events/bus.h"

/* Returns the Socket.IO argument array text "[{...}]" (malloc'd; the caller
 * frees). sender (owner jid), server_url and apikey (the instance token) may
 * be NULL or "" (rendered as null). */
char *wg_event_envelope_args(const wg_event_t *ev, const char *sender, const char *server_url,
                             const char *apikey);

#endif
