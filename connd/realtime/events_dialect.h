/* The /api/events dialect (issue 3, seed 003): namespace "/api/events",
 * auth payload {token} (an instance token: that instance's events; the
 * global key: every instance's), nothing delivered before the client
 * emits 'subscribe' with a list of Baileys event names ('unsubscribe'
 * removes them); payloads come from baileys_map.h, each rendered once per
 * event and queued (encode-once) only on the sockets that subscribed to it
 * and may see that instance. Loop thread only. */
#ifndef WG_EVENTS_DIALECT_H
#define WG_EVENTS_DIALECT_H
#include "realtime/rt_client.h"

#define WG_EVENTS_NAMESPACE "/api/events"

/* Registers the namespace. */
void wg_events_dialect_install(wg_realtime_t *rt);
/* Delivers one bus event. */
void wg_events_dialect_publish(wg_realtime_t *rt, const wg_event_t *ev);
/* remove.instance: disconnects the clients bound to that instance. */
void wg_events_dialect_instance_removed(wg_realtime_t *rt, const char *instance_id);

/* Applies a subscribe/unsubscribe argument (a name or an array of names)
 * to *mask. Returns 0, or WG_EINVAL when arg has the wrong shape; unknown
 * names are appended to unknown (a JSON array) and ignored. Pure. */
int wg_events_subscription_apply(uint32_t *mask, const json_t *arg, int subscribe,
                                 json_t *unknown);

#endif
