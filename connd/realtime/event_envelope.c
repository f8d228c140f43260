/* Evolution envelope rendering (see event_envelope.h). */
#include "realtime/event_envelope.h"
#include "wg_alloc.h"
#include "wg_time.h"
#include <stdlib.h>
#include <string.h>

static json_t *string_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

char *wg_event_envelope_args(const wg_event_t *ev, const char *sender, const char *server_url,
                             const char *apikey)
{
    char at[32];
    wg_time_iso8601(ev->at_ms, at);
    json_t *env = json_object();
    json_object_set_new(env, "event", json_string(ev->name));
    json_object_set_new(env, "instance", string_or_null(ev->instance_name));
    json_object_set(env, "data", ev->data ? ev->data : json_null());
    json_object_set_new(env, "server_url", string_or_null(server_url));
    json_object_set_new(env, "date_time", json_string(at));
    json_object_set_new(env, "sender", string_or_null(sender));
    json_object_set_new(env, "apikey", string_or_null(apikey));
    json_t *args = json_pack("[o]", env);
    char *text = json_dumps(args, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(args);
    if (!text)
        text = wg_strdup("[null]"); /* invalid UTF-8 in a name: never happens for our events */
    return text;
}
