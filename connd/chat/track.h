/* Contacts and chats fed from received messages, and the settings that act
 * on them (evolution-api.md §3.3, §4.1):
 *   - a stored message's pushName creates or renames its sender's contact
 *     -> contacts.upsert (new) / contacts.update (changed name), data
 *     {remoteJid, pushName, profilePicUrl, instanceId};
 *   - the first message of a chat -> chats.upsert [{remoteJid, instanceId,
 *     name, unreadMessages}], later ones -> chats.update [{remoteJid,
 *     instanceId}]; incoming messages count as unread until read;
 *   - readMessages: the message's read receipt is sent at once (read.h);
 *   - groupsIgnore: incoming group (@g.us) messages are receipted and
 *     dropped before anything is decrypted or stored, so no event.
 * Loop thread; the contact and chat rows are written by the receive job, in
 * the message's transaction (connd/message/receive.c). */
#ifndef WG_CHAT_TRACK_H
#define WG_CHAT_TRACK_H
#include <jansson.h>

#include "core/daemon.h"
#include "instance/registry.h"
#include "message/receive.h"

/* A message was stored and announced: event is its messages.upsert data
 * (borrowed), r the receive job's result (which wrote contact and chat).
 * Publishes the contact and chat events and applies readMessages. */
void wg_chat_track_message(wg_connd_t *d, wg_instance_t *inst, const json_t *event,
                           const wg_receive_result_t *r);

/* groupsIgnore: 1 when node (an incoming <message>) belongs to a group and
 * inst ignores groups -- the caller then only receipts it -- else 0. */
int wg_chat_ignores(const wg_instance_t *inst, const void *node);

/* The settings of inst were stored: applies alwaysOnline to the open
 * connection (presence available, or unavailable when turned off). */
void wg_chat_settings_applied(wg_connd_t *d, wg_instance_t *inst);

#endif
