/* Event log lines (see log_sink.h). The payload is serialized only at debug:
 * at info a line costs no JSON encoding and carries no message content. */
#include "events/log_sink.h"
#include "wg_log.h"
#include <stdio.h>
#include <stdlib.h>

const char *wg_log_sink_key_id(const json_t *data)
{
    if (!json_is_object(data))
        return NULL;
    const char *id = json_string_value(json_object_get(json_object_get(data, "key"), "id"));
    if (!id)
        id = json_string_value(json_object_get(data, "keyId"));
    if (!id && json_object_get(data, "remoteJid"))
        id = json_string_value(json_object_get(data, "id"));
    return id;
}

void wg_log_sink_on_event(void *arg, const wg_event_t *ev)
{
    (void)arg;
    if (wg_log_threshold < WG_LOG_INFO)
        return;
    const char *instance = *ev->instance_name ? ev->instance_name : "-";
    const char *id = wg_log_sink_key_id(ev->data);
    char quoted_id[160];
    char key[200] = "";
    if (id) /* ids come from the network: quoted, so a line stays one line */
        snprintf(key, sizeof key, " key_id=%s", wg_log_quote(id, quoted_id, sizeof quoted_id));
    if (wg_log_threshold < WG_LOG_DEBUG) {
        wg_log(WG_LOG_INFO, "msg=event event=%s instance=%s%s", ev->name, instance, key);
        return;
    }
    char *data = json_dumps(ev->data, JSON_COMPACT | JSON_ENCODE_ANY);
    char quoted[1024];
    wg_log(WG_LOG_DEBUG, "msg=event event=%s instance=%s%s data=%s", ev->name, instance, key,
           wg_log_quote(data ? data : "null", quoted, sizeof quoted));
    free(data);
}
