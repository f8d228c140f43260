/* The internal event bus of connd. Every state change and lifecycle step is
 * published here once; deliverers (Socket.IO, webhooks, logs) subscribe.
 * Loop thread only. A subscriber must not block and must copy what it keeps:
 * the event and its data are borrowed for the duration of the call. */
#ifndef WG_BUS_H
#define WG_BUS_H
#include <jansson.h>
#include <stdint.h>

typedef struct {
    const char *name;          /* dotted wire name, e.g. "connection.update" */
    const char *instance_name; /* instance it concerns ("" for none) */
    const char *instance_id;   /* its UUID ("" for none) */
    json_t *data;              /* payload (json null allowed), borrowed */
    int64_t at_ms;             /* when it happened (UTC ms) */
} wg_event_t;

typedef void (*wg_bus_handler_t)(void *arg, const wg_event_t *ev);
typedef struct wg_bus wg_bus_t;

wg_bus_t *wg_bus_new(void);
void wg_bus_free(wg_bus_t *bus); /* NULL is a no-op */
/* Adds a subscriber; handlers run in subscription order. */
void wg_bus_subscribe(wg_bus_t *bus, wg_bus_handler_t fn, void *arg);
void wg_bus_unsubscribe(wg_bus_t *bus, wg_bus_handler_t fn, void *arg);
/* Publishes to every subscriber, then releases `data` (steals one reference). */
void wg_bus_publish(wg_bus_t *bus, const char *name, const char *instance_name,
                    const char *instance_id, json_t *data, int64_t at_ms);
/* Events published so far (for logs and tests). */
uint64_t wg_bus_published(const wg_bus_t *bus);

/* Maps a dotted wire name to Evolution's UPPER_SNAKE name into out
 * ("connection.update" -> "CONNECTION_UPDATE"); returns out. */
const char *wg_event_upper_name(const char *wire_name, char *out, unsigned n);

#endif
