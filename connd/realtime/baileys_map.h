/* The /api/events dialect's vocabulary (issue 3, seed 003): Baileys-style
 * event names, one bit each for subscriptions, and the mapping from one
 * internal bus event to the Baileys events it becomes, with their payloads.
 * Pure: JSON in, JSON out; the dialect renders each result once.
 *
 * Mapping (internal wire name -> Baileys name: payload):
 *   connection.update -> connection.update: {connection, lastDisconnect?}
 *       lastDisconnect = {error:{message, output:{statusCode}}, date} on close
 *   qrcode.updated    -> connection.update: {qr}, auth.qr: {qr, base64},
 *                        auth.pairing-code: {code} (when a pairing code is set)
 *   messages.upsert   -> messages.upsert: {messages:[msg], type:"notify"}, msg =
 *                        the messageRaw with status as Baileys' number (like
 *                        messages.update)
 *                        (+ messages.reaction: [{key, reaction}] for reactions)
 *   send.message      -> messages.upsert: {messages:[msg], type:"append"}
 *   messages.update   -> messages.update: [{key:{remoteJid,id,fromMe,participant},
 *                        update:{status:<Baileys number>}}]
 *   messages.delete   -> messages.delete: {keys:[key]}
 *   messages.set / chats.set / contacts.set
 *                     -> messaging-history.set: {messages|chats|contacts:[...]}
 *   contacts.upsert|update -> same name: [{id, notify?, imgUrl?}] (Baileys'
 *                        Contact, from Evolution's {remoteJid, pushName,
 *                        profilePicUrl})
 *   chats.upsert|update -> same name: [{id, name?, unreadCount?}] (Baileys'
 *                        Chat, from {remoteJid, name, unreadMessages})
 *   chats.delete, groups.upsert|update,
 *   call              -> same name, payload as an array
 *   group-participants.update, presence.update, creds.update, labels.edit,
 *   labels.association -> same name, payload unchanged
 *   instance.create / instance.delete -> same name: {instanceName, instanceId}
 *   status.instance, logout.instance, remove.instance, messages.edited,
 *   send.message.update, typebot.*, application.startup -> not delivered
 *   (their content is already in connection.update / instance.delete).
 * Every payload carries "instance" (the instance name): added to an object,
 * or to each object of an array. */
#ifndef WG_BAILEYS_MAP_H
#define WG_BAILEYS_MAP_H
#include "events/bus.h"
#include <stdint.h>

/* The subscribable names, in bit order. */
extern const char *const wg_baileys_event_names[];
extern const int wg_baileys_event_count;

/* Bit index of name, or -1 when it is not a Baileys event name. */
int wg_baileys_event_index(const char *name);

#define WG_BAILEYS_MAX_OUT 3

typedef struct {
    int index;       /* wg_baileys_event_names[index] */
    json_t *payload; /* new reference; the caller decrefs */
} wg_baileys_event_t;

/* Maps ev to up to WG_BAILEYS_MAX_OUT Baileys events (see the table above).
 * Returns how many were written to out (0: not delivered in this dialect). */
int wg_baileys_map(const wg_event_t *ev, wg_baileys_event_t out[WG_BAILEYS_MAX_OUT]);

#endif
