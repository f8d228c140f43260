/* Incoming calls (wa-protocol.md §10 "call", evolution-api.md §3.3, §4.1):
 * a <call from id t [offline]> with one child -- offer / offer_notice,
 * terminate (reason="timeout" is a timeout), reject, accept, preaccept,
 * transport, relaylatency -- becomes Baileys' call object {chatId, from,
 * id, date, offline, status, isVideo?, isGroup?, groupJid?} published as
 * `call` (the object itself, as Evolution sends Baileys' events.call[0]).
 * The session has already acked the stanza. On an offer, settings
 * rejectCall refuses it (<call to=caller><reject call-id call-creator
 * count="0"/></call>) and a non-empty msgCall is sent to the caller as a
 * text through message/send.h (Evolution does both independently). Loop
 * thread; the parser and builder are pure. */
#ifndef WG_CHAT_CALL_H
#define WG_CHAT_CALL_H
#include <jansson.h>

#include "core/daemon.h"
#include "instance/registry.h"
#include "wa/binnode.h"

/* Handles one <call> of inst (node borrowed). */
void wg_chat_on_call(wg_connd_t *d, wg_instance_t *inst, const wg_node_t *node);

/* The call object of node, or NULL when it is not a call with a call-id.
 * New reference. */
json_t *wg_chat_call_object(const wg_node_t *node);

/* <call [from] to><reject call-id call-creator count="0"/></call>. from may
 * be NULL. Caller frees. */
wg_node_t *wg_chat_call_reject(const char *from, const char *to, const char *call_id,
                               const char *creator);

#endif
