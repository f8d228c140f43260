/* POST /chat/markMessageAsRead (evolution-api.md §3.2, wa-protocol.md §7.1
 * "Read receipts"): read receipts for messages we received, one per chat
 * (and sender, in groups) -- <receipt id=first to=chat [participant]
 * type="read" t><list><item id=.../>...</list></receipt> with the other ids
 * in the list, as Baileys sends them; our own messages (fromMe) are
 * skipped. The stored rows become READ and the chats' unread counts 0;
 * answer 201 {message:"Read messages", read:"success"}. The settings
 * behaviour readMessages uses the same receipt for each new message. Loop
 * thread; the builder is pure. */
#ifndef WG_CHAT_READ_H
#define WG_CHAT_READ_H
#include <stddef.h>
#include <stdint.h>

#include "chat/chat.h"
#include "wa/binnode.h"

void wg_chat_mark_read(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__MarkReadReq *req,
                       wg_chat_done_cb done, void *ctx);

/* The receipts for keys[0..n) (fromMe keys skipped), grouped by chat and
 * participant in first-seen order, at most max of them into out (the caller
 * frees each). t is the unix time. Returns how many were built. */
size_t wg_chat_read_receipts(Wg__Ipc__ReadMessageKey *const *keys, size_t n, int64_t t,
                             wg_node_t **out, size_t max);

/* The read receipt of one received message (settings readMessages):
 * sends it on the open session of instance_id and marks the row READ and
 * the chat read through a store job. chat is the remote JID, participant
 * the group sender or NULL. */
void wg_chat_read_one(wg_connd_t *d, const char *instance_id, const char *id, const char *chat,
                      const char *participant);

#endif
