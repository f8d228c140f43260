/* Sending a Message (wa-protocol.md §7.2, evolution-api.md §3.1,
 * issue 6 "Sending"): device lists through usync (the recipient's and our
 * own), pre-key bundles for devices without a session, one <enc> per
 * device (the Message for the recipient's devices, a deviceSentMessage for
 * our other devices), <device-identity> when any is a pkmsg; the row is
 * stored PENDING and the REST caller gets the messageRaw (201); the
 * server's ack makes it SERVER_ACK and publishes send.message; receipts
 * make it DELIVERY_ACK / READ / PLAYED with messages.update. A group
 * (§7.2 step 6) adds its participants (group_meta.h), the SKDM for devices
 * without our sender key and one skmsg; retry receipts go to retry.h. What
 * a request means as a Message is compose.h's, the node stanza.h's.
 *
 * State lives on the loop thread; Signal and store work runs as worker
 * jobs (one op at a time per job). The session is found through the link
 * by instance id and connection generation, so an op never outlives the
 * connection it started on: a reconnect fails it. Loop thread only. */
#ifndef WG_MESSAGE_SEND_H
#define WG_MESSAGE_SEND_H
#include <jansson.h>
#include <stdint.h>

#include "core/daemon.h"
#include "instance/registry.h"
#include "ipc.pb-c.h"

/* The outcome for the REST caller (borrowed for the call). A 201 carries
 * the messageRaw as a document only (doc; json NULL): the Socket.IO caller
 * answers with the document, the REST caller serializes it once
 * (wg_send_result_text_in), so a send is not serialized for nobody. */
typedef struct {
    int status;        /* 201, 400 or 500 */
    const char *json;  /* not 201: Evolution's message list (JSON array); 201: NULL when doc */
    const json_t *doc; /* 201: the messageRaw; NULL otherwise */
} wg_send_result_t;

/* The result as JSON text (json, or doc serialized compact) without
 * allocating when it fits: in buf (size bytes, NUL-terminated), else in a
 * malloc'd *spill the caller frees (*spill is NULL otherwise). Returns the
 * text (r->json itself when the result is text), or NULL when there is
 * neither. Loop thread. */
const char *wg_send_result_text_in(const wg_send_result_t *r, char *buf, size_t size, char **spill);

typedef void (*wg_send_done_cb)(void *ctx, const wg_send_result_t *r);

/* Sends req->text (with its quote, mentions and link preview) to
 * req->number (a user, LID or group) from inst; done(ctx, r) is called exactly
 * once (possibly before this returns, for a closed instance or a bad
 * number). */
void wg_send_text(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__SendTextReq *req,
                  wg_send_done_cb done, void *ctx);

/* The same pipeline for the other Messages (wg_send_text's contract):
 * sendReaction (201 messageRaw, reactionMessage), deleteMessageForEveryone
 * (protocolMessage REVOKE; 201 Baileys' WAMessage; the stored row becomes
 * DELETED and messages.delete carries the key) and updateMessage
 * (protocolMessage MESSAGE_EDIT; WAMessage; the stored row's text changes,
 * send.message.update). The REST status (201 / 200) is the route's. */
void wg_send_reaction(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__SendReactionReq *req,
                      wg_send_done_cb done, void *ctx);
void wg_send_revoke(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__DeleteForEveryoneReq *req,
                    wg_send_done_cb done, void *ctx);
void wg_send_edit(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__UpdateMessageReq *req,
                  wg_send_done_cb done, void *ctx);

/* From the link: the server acked a message of instance_id (node is the
 * <ack>), or a <receipt> arrived. Borrowed nodes. */
void wg_send_on_ack(wg_connd_t *d, const char *instance_id, const void *ack_node);
void wg_send_on_receipt(wg_connd_t *d, const char *instance_id, const void *receipt_node);

/* Drops every op of instance_id (instance deleted / daemon stopping):
 * waiting callers get a 400 "Connection Closed". */
void wg_send_forget(wg_connd_t *d, const char *instance_id);

/* Pure helpers, for tests and the fuzz target: the chat JID of a number
 * (Evolution's createJid: digits with + ( ) - spaces stripped ->
 * @s.whatsapp.net, 18+ digits or a dashed id of 24+ characters -> @g.us;
 * a JID, @lid or @g.us included -> its user@server). 0 or WG_EINVAL. */
int wg_send_chat_jid(const char *number, char *out, size_t n);

#endif
