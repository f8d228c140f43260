/* Evolution's event subscription names (the `events` lists of webhook and
 * websocket configs), shared by wagate-fcgi (validation) and connd (the
 * "empty list means every event" rule and filtering). */
#ifndef WG_EVENTS_H
#define WG_EVENTS_H
#include <stddef.h>

/* The subscription names in Evolution 2.3.6's order, plus GROUPS_UPDATE
 * (Evolution lists only the misspelt GROUP_UPDATE, so groups.update was never
 * delivered; we accept both and deliver it). */
extern const char *const wg_event_names[];
extern const size_t wg_event_names_count;

/* 1 when upper (e.g. "MESSAGES_UPSERT") is a subscription name. */
int wg_event_name_known(const char *upper);
/* The whole list joined by commas (as jsonschema prints an enum); static. */
const char *wg_event_names_joined(void);

#endif
