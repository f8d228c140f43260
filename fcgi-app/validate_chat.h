/* Bodies of the chat routes that send no Message protobuf (evolution-api.md
 * §3.2): whatsappNumbers, markMessageAsRead, sendPresence,
 * fetchProfilePictureUrl, findContacts, findChats -> their typed IPC
 * requests, or Evolution's jsonschema-style 400 messages. Pure, like
 * validate.c, which calls it for these routes. */
#ifndef WG_FCGI_VALIDATE_CHAT_H
#define WG_FCGI_VALIDATE_CHAT_H
#include <jansson.h>

#include "errors.h"
#include "ipc.pb-c.h"
#include "router.h"
#include "wg_arena.h"

/* Is route one of the chat routes handled here? */
int wg_validate_chat_route(wg_route_id_t route);

/* Fills out->op for route from the parsed body doc (an object; borrowed);
 * everything kept is copied into the arena. Messages for every problem go
 * to errs; the caller decides from errs whether the request is valid.
 * Thread-safe. */
void wg_validate_chat(wg_route_id_t route, json_t *doc, wg_arena_t *a, Wg__Ipc__Request *out,
                      wg_msgs_t *errs);

#endif
