/* The Evolution dialect (spec evolution-api.md §4.4; issue 3): one
 * namespace "/<instanceName>" per instance, existing from its creation, that
 * accepts that instance's token or the global key once /websocket/set has
 * enabled it; the root namespace "/" with every instance's events when
 * WEBSOCKET_GLOBAL_EVENTS=true (global key only). Events are filtered by the
 * instance's websocket config BEFORE anything is serialized, the envelope is
 * rendered once per event and broadcast encode-once per namespace. Clients
 * may send sendText / sendNode (outbound.h). Loop thread only. */
#ifndef WG_EVOLUTION_DIALECT_H
#define WG_EVOLUTION_DIALECT_H
#include "realtime/rt_client.h"

/* Registers "/" and a namespace for every instance in the registry. */
void wg_evolution_dialect_install(wg_realtime_t *rt);
/* instance.create: its namespace appears. */
void wg_evolution_dialect_instance_added(wg_realtime_t *rt, const char *name);
/* remove.instance: its namespace's clients are disconnected and it goes. */
void wg_evolution_dialect_instance_removed(wg_realtime_t *rt, const char *name);
/* Delivers one bus event (inst: its instance, NULL if none/gone). */
void wg_evolution_dialect_publish(wg_realtime_t *rt, const wg_event_t *ev, wg_instance_t *inst);

/* 1 when an instance with websocket config ws gets event (dotted wire name)
 * on its namespace: enabled, and events empty or containing the UPPER name
 * (groups.update also matches Evolution's GROUP_UPDATE spelling). Pure. */
int wg_evolution_filter_pass(const Wg__Ipc__Websocket *ws, const char *event);

#endif
