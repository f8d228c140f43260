/* Subscriber list and synchronous fan-out (see bus.h). Owns no event after
 * publish returns; never serializes anything itself. */
#include "events/bus.h"
#include "wg_alloc.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    wg_bus_handler_t fn; /* callback */
    void *arg;           /* its argument */
} subscriber_t;

struct wg_bus {
    subscriber_t *subs; /* array of subscribers */
    size_t count;       /* used entries */
    size_t cap;         /* allocated entries */
    uint64_t published; /* events published */
};

wg_bus_t *wg_bus_new(void)
{
    return wg_calloc(1, sizeof(wg_bus_t));
}

void wg_bus_free(wg_bus_t *bus)
{
    if (!bus)
        return;
    free(bus->subs);
    free(bus);
}

void wg_bus_subscribe(wg_bus_t *bus, wg_bus_handler_t fn, void *arg)
{
    if (bus->count == bus->cap) {
        bus->cap = bus->cap ? bus->cap * 2 : 4;
        bus->subs = wg_realloc(bus->subs, bus->cap * sizeof *bus->subs);
    }
    bus->subs[bus->count].fn = fn;
    bus->subs[bus->count].arg = arg;
    bus->count++;
}

void wg_bus_unsubscribe(wg_bus_t *bus, wg_bus_handler_t fn, void *arg)
{
    for (size_t i = 0; i < bus->count; i++) {
        if (bus->subs[i].fn == fn && bus->subs[i].arg == arg) {
            memmove(&bus->subs[i], &bus->subs[i + 1], (bus->count - i - 1) * sizeof *bus->subs);
            bus->count--;
            return;
        }
    }
}

void wg_bus_publish(wg_bus_t *bus, const char *name, const char *instance_name,
                    const char *instance_id, json_t *data, int64_t at_ms)
{
    wg_event_t ev = {name, instance_name ? instance_name : "", instance_id ? instance_id : "",
                     data ? data : json_null(), at_ms};
    bus->published++;
    for (size_t i = 0; i < bus->count; i++)
        bus->subs[i].fn(bus->subs[i].arg, &ev);
    json_decref(data);
}

uint64_t wg_bus_published(const wg_bus_t *bus)
{
    return bus->published;
}

const char *wg_event_upper_name(const char *wire_name, char *out, unsigned n)
{
    unsigned i = 0;
    for (; wire_name[i] && i + 1 < n; i++) {
        char c = wire_name[i];
        out[i] = (c == '.' || c == '-') ? '_' : (char)toupper((unsigned char)c);
    }
    out[n ? (i < n ? i : n - 1) : 0] = '\0';
    return out;
}
