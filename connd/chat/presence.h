/* Presence (wa-protocol.md §6 "Presence", §10 presence.update):
 * POST /chat/sendPresence (evolution-api.md §3.2) and incoming <presence> /
 * <chatstate> stanzas -> presence.update.
 *
 * sendPresence, as Evolution does it: subscribe to the contact's presence
 * (<presence type="subscribe" to>), send the state -- composing, recording
 * (<composing media="audio"/>) and paused as <chatstate from to>, available
 * and unavailable as our <presence> -- hold it for delay ms (at most 5 s, so
 * the answer stays inside the IPC timeout), then send paused, then answer
 * 201 {presence}. Loop thread; builders and the parser are pure. */
#ifndef WG_CHAT_PRESENCE_H
#define WG_CHAT_PRESENCE_H
#include <jansson.h>

#include "chat/chat.h"
#include "wa/binnode.h"

#define WG_CHAT_PRESENCE_MAX_DELAY_MS 5000

void wg_chat_send_presence(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__SendPresenceReq *req,
                           wg_chat_done_cb done, void *ctx);

/* The connection of instance_id is going away: sendPresence calls still
 * holding their delay are answered now. */
void wg_chat_presence_forget(const char *instance_id);

/* <chatstate [from] to><composing/>|<composing media="audio"/>|<paused/>
 * </chatstate> for state composing / recording / paused; NULL for any other
 * state. from may be NULL. Caller frees. */
wg_node_t *wg_chat_chatstate(const char *from, const char *to, const char *state);

/* <presence type="subscribe" to/>. Caller frees. */
wg_node_t *wg_chat_presence_subscribe(const char *to);

/* presence.update data for an incoming <presence> or <chatstate> (Baileys'
 * handlePresenceUpdate): {id: from, presences: {participant or from:
 * {lastKnownPresence, lastSeen?}}}; a chatstate's paused is "available" and
 * <composing media="audio"/> "recording". NULL for anything else (no from,
 * a broadcast, an empty chatstate). New reference. */
json_t *wg_chat_presence_event(const wg_node_t *node);

#endif
