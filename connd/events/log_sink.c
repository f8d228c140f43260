/* Event log lines (see log_sink.h). Serializes only when info is enabled. */
#include "events/log_sink.h"
#include "wg_log.h"
#include <stdlib.h>

void wg_log_sink_on_event(void *arg, const wg_event_t *ev)
{
    (void)arg;
    if (wg_log_threshold < WG_LOG_INFO)
        return;
    char *data = json_dumps(ev->data, JSON_COMPACT | JSON_ENCODE_ANY);
    char quoted[1024];
    wg_log(WG_LOG_INFO, "msg=event event=%s instance=%s data=%s", ev->name,
           *ev->instance_name ? ev->instance_name : "-",
           wg_log_quote(data ? data : "null", quoted, sizeof quoted));
    free(data);
}
