/* A bus subscriber that logs every event (one line each), so operators and
 * tests can follow the lifecycle before any deliverer exists. At info the
 * line names the event, the instance and, when the payload has one, the
 * message key id: never the payload, which holds message text, push names
 * and numbers. At debug the same line also carries the whole payload as
 * data=<JSON> (what tests/integration/wa/wasim.py events() reads). */
#ifndef WG_LOG_SINK_H
#define WG_LOG_SINK_H
#include "events/bus.h"

/* Bus handler (loop thread); arg is unused. Logs nothing below info. */
void wg_log_sink_on_event(void *arg, const wg_event_t *ev);

/* The message key id an event payload names, or NULL: data.key.id
 * (messages.upsert, send.message, messages.edited), data.keyId
 * (messages.update) or, for a bare key (messages.delete), data.id next to
 * data.remoteJid. Borrowed from data. */
const char *wg_log_sink_key_id(const json_t *data);

#endif
