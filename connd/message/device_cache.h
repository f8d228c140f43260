/* The device lists of a send's usync (wa-protocol.md §7.2 step 2), cached
 * per connection so a burst of messages to one chat asks the server once:
 * the <list> of the usync answer, keyed by chat (a 1:1 chat JID, whose
 * list also holds our own devices, or a group JID, whose list holds every
 * participant's). An entry lives WG_DEVICE_CACHE_TTL_MS (Baileys'
 * userDevicesCache TTL) and is dropped earlier when the devices may have
 * changed: a participant-hash mismatch in the server's ack, a retry
 * receipt, a <notification type="devices">, the connection going away.
 * Loop thread only; no I/O. */
#ifndef WG_MESSAGE_DEVICE_CACHE_H
#define WG_MESSAGE_DEVICE_CACHE_H
#include <stdint.h>

#include "wa/binnode.h"

#define WG_DEVICE_CACHE_MAX 256                 /* entries per process */
#define WG_DEVICE_CACHE_TTL_MS (5 * 60 * 1000)  /* [B] DEFAULT_CACHE_TTLS.USER_DEVICES */

/* The cached usync <list> for chat on that connection, when younger than
 * the TTL at now_ms; else NULL. Borrowed until the next put or drop. */
const wg_node_t *wg_device_cache_get(const char *instance_id, uint64_t generation,
                                     const char *chat, int64_t now_ms);
/* Keeps a copy of list (the usync answer's <list>) for chat; replaces an
 * older entry of the chat; the oldest entry goes when the cache is full. */
void wg_device_cache_put(const char *instance_id, uint64_t generation, const char *chat,
                         const wg_node_t *list, int64_t now_ms);
/* Drops the instance's entries for which jid is the chat or one of the
 * listed users (compared by user and server, device ignored); jid NULL
 * drops every entry of the instance; instance_id NULL drops everything. */
void wg_device_cache_drop(const char *instance_id, const char *jid);

#endif
