/* The JSON body of a webhook POST, Evolution's envelope (spec
 * evolution-api.md §4.2, §4.3), keys in Evolution's order:
 *   {"event", "instance", "data", "destination", "date_time", "sender",
 *    "server_url", "apikey"}
 * date_time is true UTC with milliseconds (Evolution prints local time with
 * a Z); sender is omitted before the instance has a WhatsApp id, server_url
 * when SERVER_URL is unset; apikey is the instance token or null.
 * Pure: bytes in, text out. */
#ifndef WG_WEBHOOK_ENVELOPE_H
#define WG_WEBHOOK_ENVELOPE_H
#include "events/bus.h"

/* Returns the compact JSON text (malloc'd; the caller frees). ev and every
 * string are borrowed; sender, server_url ("" too) and apikey may be NULL. */
char *wg_webhook_envelope(const wg_event_t *ev, const char *destination, const char *sender,
                          const char *server_url, const char *apikey);

#endif
