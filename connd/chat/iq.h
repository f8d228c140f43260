/* Chat queries to the WhatsApp server: an <iq> sent on an instance's open
 * session whose answer (or the lack of one within a bound) comes back to a
 * callback. The session only calls back while it lives, so this file owns
 * the timer that ends a query whose connection went away. Loop thread. */
#ifndef WG_CHAT_IQ_H
#define WG_CHAT_IQ_H
#include <stdint.h>

#include "core/daemon.h"
#include "wa/binnode.h"

/* How long a chat query waits: inside WAGATE_IPC_TIMEOUT_MS (10 s). */
#define WG_CHAT_IQ_TIMEOUT_MS 8000

/* answer(ctx, reply): the result or error <iq> (borrowed), or NULL when
 * the bound passed or the connection closed first. */
typedef void (*wg_chat_iq_cb)(void *ctx, const wg_node_t *reply);

/* Sends iq (taken, freed in every case) on the open session of
 * instance_id. Returns 0 (answer will be called exactly once, later),
 * WG_ESTATE (not open) or WG_ETOOBIG (too many queries in flight on the
 * connection); answer is not called on an error. */
int wg_chat_iq(wg_connd_t *d, const char *instance_id, wg_node_t *iq, wg_chat_iq_cb answer,
               void *ctx);

/* The connection of instance_id is going away (link freed): every query
 * of it is answered NULL now. */
void wg_chat_iq_forget(const char *instance_id);

#endif
