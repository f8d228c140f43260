/* Chat request routing (see chat.h). */
#include "chat/chat.h"

#include <jansson.h>
#include <stdlib.h>

#include "chat/find.h"
#include "chat/iq.h"
#include "chat/numbers.h"
#include "chat/presence.h"
#include "chat/profile_picture.h"
#include "chat/read.h"
#include "wg_err.h"

void wg_chat_fail(wg_chat_done_cb done, void *ctx, int status, const char *text)
{
    json_t *list = json_pack("[s]", text);
    char *s = json_dumps(list, JSON_COMPACT);
    done(ctx, status, s ? s : "[]");
    free(s);
    json_decref(list);
}

void wg_chat_answer(wg_chat_done_cb done, void *ctx, json_t *doc)
{
    char *s = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (s)
        done(ctx, 200, s);
    else
        wg_chat_fail(done, ctx, 500, "Error: the answer could not be built");
    free(s);
    json_decref(doc);
}

void wg_chat_fail_send(wg_chat_done_cb done, void *ctx, int rc)
{
    if (rc == WG_ETOOBIG)
        wg_chat_fail(done, ctx, 503, "Error: too many WhatsApp queries in flight, try again");
    else
        wg_chat_fail(done, ctx, 400, "Error: Connection Closed");
}

void wg_chat_forget(const char *instance_id)
{
    wg_chat_iq_forget(instance_id);
    wg_chat_presence_forget(instance_id);
}

int wg_chat_handles(int op)
{
    switch (op) {
    case WG__IPC__REQUEST__OP_WHATSAPP_NUMBERS:
    case WG__IPC__REQUEST__OP_MARK_READ:
    case WG__IPC__REQUEST__OP_SEND_PRESENCE:
    case WG__IPC__REQUEST__OP_PROFILE_PICTURE:
    case WG__IPC__REQUEST__OP_FIND_CONTACTS:
    case WG__IPC__REQUEST__OP_FIND_CHATS:
        return 1;
    default:
        return 0;
    }
}

void wg_chat_request(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__Request *req,
                     wg_chat_done_cb done, void *ctx)
{
    switch (req->op_case) {
    case WG__IPC__REQUEST__OP_WHATSAPP_NUMBERS:
        wg_chat_numbers(d, inst, req->whatsapp_numbers, done, ctx);
        break;
    case WG__IPC__REQUEST__OP_MARK_READ:
        wg_chat_mark_read(d, inst, req->mark_read, done, ctx);
        break;
    case WG__IPC__REQUEST__OP_SEND_PRESENCE:
        wg_chat_send_presence(d, inst, req->send_presence, done, ctx);
        break;
    case WG__IPC__REQUEST__OP_PROFILE_PICTURE:
        wg_chat_profile_picture(d, inst, req->profile_picture, done, ctx);
        break;
    case WG__IPC__REQUEST__OP_FIND_CONTACTS:
        wg_chat_find_contacts(d, inst, req->find_contacts, done, ctx);
        break;
    case WG__IPC__REQUEST__OP_FIND_CHATS:
        wg_chat_find_chats(d, inst, req->find_chats, done, ctx);
        break;
    default:
        wg_chat_fail(done, ctx, 400, "unknown IPC operation");
        break;
    }
}
