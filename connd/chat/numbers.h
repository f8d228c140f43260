/* POST /chat/whatsappNumbers (evolution-api.md §3.2): which phone numbers
 * are on WhatsApp, through a usync contact query that also asks their LID
 * (Baileys onWhatsApp: <iq xmlns="usync"><usync context="interactive"
 * mode="query"><query><contact/><lid/></query><list><user><contact>+digits
 * </contact></user>...). Answer: [{jid, exists, number, lid?}] in request
 * order. Loop thread; the builder and parser are pure. */
#ifndef WG_CHAT_NUMBERS_H
#define WG_CHAT_NUMBERS_H
#include <jansson.h>
#include <stddef.h>

#include "chat/chat.h"
#include "wa/binnode.h"

void wg_chat_numbers(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__WhatsappNumbersReq *req,
                     wg_chat_done_cb done, void *ctx);

/* The usync <iq> (no id / to) for numbers[0..n): each number becomes its
 * digits (a JID gives its user part); sid names the query. Entries that
 * have no digits are left out. Caller frees. */
wg_node_t *wg_chat_numbers_query(char *const *numbers, size_t n, const char *sid);

/* The answer document for numbers[0..n) from a usync result (reply may be
 * NULL or an error: everything is then exists:false). A <user> (matched by
 * its jid's user or the phone its <contact> echoes) is on WhatsApp when its
 * <contact> says type="in" and it carries no <error>. New reference. */
json_t *wg_chat_numbers_result(char *const *numbers, size_t n, const wg_node_t *reply);

#endif
