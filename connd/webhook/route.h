/* Who gets an event by webhook (spec evolution-api.md §4.3): the
 * instance's own webhook (enabled, event in its list, http(s) URL, with
 * byEvents the /kebab-name suffix) and the global webhook from env
 * (WEBHOOK_GLOBAL_*, WEBHOOK_EVENTS_<NAME>). Also computes Evolution's
 * `destination` field. Pure: no I/O, no clock. */
#ifndef WG_WEBHOOK_ROUTE_H
#define WG_WEBHOOK_ROUTE_H
#include "ipc.pb-c.h"
#include "webhook/settings.h"

/* One delivery to make. */
typedef struct {
    char *url;                /* where to POST, owned */
    const char *source;       /* "instance" or "global" (static) */
    const char *headers_json; /* the instance webhook's headers, borrowed; NULL for global */
    const char *secret;       /* the instance webhook's secret, borrowed; NULL for global */
} wg_webhook_target_t;

/* Fills out[0..2) for the event with dotted wire name `event` of an
 * instance whose webhook row is w (may be NULL). Returns how many targets
 * (0, 1 or 2; instance first). Free targets with wg_webhook_targets_free.
 * Loop thread (borrows from w). */
int wg_webhook_route(const wg_webhook_settings_t *s, const char *event, const Wg__Ipc__Webhook *w,
                     wg_webhook_target_t out[2]);
void wg_webhook_targets_free(wg_webhook_target_t *t, int n);
/* The envelope's destination value (Evolution: the instance URL, else the
 * global URL + "/" + the event in kebab case): malloc'd (free()), NULL when
 * there is neither an instance URL nor a global URL. */
char *wg_webhook_destination(const wg_webhook_settings_t *s, const char *event,
                             const Wg__Ipc__Webhook *w);

/* "messages.upsert" -> "messages-upsert" (Evolution's byEvents suffix). */
void wg_webhook_kebab(const char *event, char *out, unsigned n);

#endif
