/* Evolution's webhook envelope (see envelope.h). Never decides who gets an
 * event: that is route.c. */
#include "webhook/envelope.h"
#include "wg_time.h"
#include <stdlib.h>

char *wg_webhook_envelope(const wg_event_t *ev, const char *destination, const char *sender,
                          const char *server_url, const char *apikey)
{
    char at[32];
    wg_time_iso8601(ev->at_ms, at);
    json_t *o = json_object();
    json_object_set_new(o, "event", json_string(ev->name));
    json_object_set_new(o, "instance", json_string(ev->instance_name));
    json_object_set(o, "data", ev->data ? ev->data : json_null());
    json_object_set_new(o, "destination", destination ? json_string(destination) : json_null());
    json_object_set_new(o, "date_time", json_string(at));
    if (sender && *sender)
        json_object_set_new(o, "sender", json_string(sender));
    if (server_url && *server_url)
        json_object_set_new(o, "server_url", json_string(server_url));
    json_object_set_new(o, "apikey", apikey ? json_string(apikey) : json_null());
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    json_decref(o);
    if (!text)
        abort(); /* every value came from jansson: only memory can fail */
    return text;
}
