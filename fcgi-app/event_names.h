/* The event names a webhook/websocket subscription may list: Evolution
 * 2.3.6's EventController.events (evolution-api.md §4.1), 31 UPPER names,
 * including its GROUP_UPDATE spelling. Read-only data. */
#ifndef WG_FCGI_EVENT_NAMES_H
#define WG_FCGI_EVENT_NAMES_H
#include <stddef.h>

extern const char *const wg_event_names[];
extern const size_t wg_event_names_count;

/* Returns 1 when name is on the list (exact, case-sensitive). */
int wg_event_name_known(const char *name);
/* The whole list joined by commas, as jsonschema prints an enum. */
const char *wg_event_names_joined(void);

#endif
