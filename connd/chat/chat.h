/* The chat routes that send no Message protobuf (evolution-api.md §3.2):
 * whatsappNumbers, markMessageAsRead, sendPresence, fetchProfilePictureUrl,
 * findContacts, findChats. This file routes their IPC requests to one module
 * each (numbers, read, presence, picture, find) and fixes the answer shape
 * they share. Loop thread only. */
#ifndef WG_CHAT_H
#define WG_CHAT_H
#include "core/daemon.h"
#include "instance/registry.h"
#include "ipc.pb-c.h"

/* The answer of a chat request (json borrowed for the call): status 200 with
 * the response document, or 400/500 with Evolution's message list (a JSON
 * array). */
typedef void (*wg_chat_done_cb)(void *ctx, int status, const char *json);

/* Is op (a Wg__Ipc__Request__OpCase) one of the chat operations? */
int wg_chat_handles(int op);

/* Runs the chat operation of req for inst; done(ctx, ...) is called exactly
 * once, possibly before this returns (closed instance, bad number). req is
 * borrowed for the call. */
void wg_chat_request(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__Request *req,
                     wg_chat_done_cb done, void *ctx);

/* The link of instance_id is being freed (instance deleted, logout, daemon
 * stopping): every chat request still waiting on it is answered now. */
void wg_chat_forget(const char *instance_id);

/* Helpers of the chat modules. done with the one-message list [text]. */
void wg_chat_fail(wg_chat_done_cb done, void *ctx, int status, const char *text);
/* done(200, doc) and releases doc (may be NULL: 500). */
void wg_chat_answer(wg_chat_done_cb done, void *ctx, json_t *doc);
/* The failure of a query that could not be sent (wg_chat_iq's code):
 * 400 "Error: Connection Closed" (as sendText) or 503 when too many
 * queries are in flight. */
void wg_chat_fail_send(wg_chat_done_cb done, void *ctx, int rc);

#endif
