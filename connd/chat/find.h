/* POST /chat/findContacts and POST /chat/findChats (evolution-api.md
 * §3.2) read through one worker job each from the contact and chat tables
 * (and, for a chat's lastMessage, the message table).
 *   findContacts -> [{id, remoteJid, pushName, profilePicUrl, createdAt,
 *                    updatedAt, instanceId, isGroup, isSaved, type}]
 *   findChats    -> [{id, remoteJid, pushName, profilePicUrl, updatedAt,
 *                    windowStart, windowExpires, windowActive, lastMessage,
 *                    unreadCount, isSaved}], newest message first.
 * Loop thread submits; done runs on the loop thread. */
#ifndef WG_CHAT_FIND_H
#define WG_CHAT_FIND_H
#include "chat/chat.h"

void wg_chat_find_contacts(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__FindContactsReq *req,
                           wg_chat_done_cb done, void *ctx);
void wg_chat_find_chats(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__FindChatsReq *req,
                        wg_chat_done_cb done, void *ctx);

#endif
