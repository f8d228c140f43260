/* POST /chat/findMessages (evolution-api.md §3.2): the message table read
 * through a worker job into Evolution's document {messages: {total, pages,
 * currentPage, records: [...]}}, newest first. Loop thread submits; done()
 * runs on the loop thread. */
#ifndef WG_MESSAGE_FIND_H
#define WG_MESSAGE_FIND_H
#include "core/daemon.h"
#include "ipc.pb-c.h"

/* done(ctx, rc, json): rc 0 and the document (borrowed for the call), or
 * WG_E* and NULL. q is copied. */
void wg_message_find(wg_connd_t *d, const char *instance_id, const Wg__Ipc__FindMessagesReq *q,
                     void (*done)(void *ctx, int rc, const char *json), void *ctx);

#endif
