/* Client -> server requests on Socket.IO (issue 3; Evolution #1306):
 * "sendText" {number, text} and "sendNode" {instanceId, stanza:{tag, attrs,
 * content}}, answered through the Socket.IO ack with
 *   {"ok":true,"result":{...}}  or  {"ok":false,"error":{"code","message"}}.
 * This file owns the validation and permission rules and THE INTERFACE THE
 * WHATSAPP LAYER IMPLEMENTS: connd/wa registers a wg_outbound_ops_t at
 * startup (wg_outbound_register); until it does, or while the instance is
 * not open, requests are answered with code "not_open".
 * Loop thread only. Never touches sockets: replies go through a callback. */
#ifndef WG_OUTBOUND_H
#define WG_OUTBOUND_H
#include "core/daemon.h"
#include <jansson.h>

/* Completion of a send: exactly once, on the loop thread, possibly before
 * the send function returns. rc 0 with result (borrowed; e.g. the sent
 * message's key) or a WG_E* with error (a human sentence, borrowed). */
typedef void (*wg_outbound_done_fn)(void *done_ud, int rc, const json_t *result,
                                    const char *error);

/* Implemented by the WhatsApp layer. Each returns 0 when the request was
 * accepted (done will be called), or a WG_E* when it was refused at once
 * (done is then NOT called; the caller answers with wg_strerror(rc)).
 * inst is open (connection_status "open") when these are called. */
typedef struct {
    /* number: digits or a JID, as the REST /message/sendText route takes it. */
    int (*send_text)(void *impl, wg_connd_t *d, wg_instance_t *inst, const char *number,
                     const char *text, wg_outbound_done_fn done, void *done_ud);
    /* stanza: {tag: string, attrs: {string: string}, content: string |
     * [stanza...] | null}, already validated; borrowed for the call. */
    int (*send_node)(void *impl, wg_connd_t *d, wg_instance_t *inst, const json_t *stanza,
                     wg_outbound_done_fn done, void *done_ud);
    void *impl; /* the layer's own context */
} wg_outbound_ops_t;

/* Installs (or with NULL removes) the implementation; ops is copied. */
void wg_outbound_register(const wg_outbound_ops_t *ops);

/* 1 when event is a request this module handles ("sendText", "sendNode"). */
int wg_outbound_is_request(const char *event);

/* Receives the ack argument array text ("[{...}]", borrowed) once. */
typedef void (*wg_outbound_reply_fn)(void *reply_ud, const char *ack_args);

/* Runs one request. event is "sendText" or "sendNode"; data is the whole
 * event array (name first, then the request object). bound is the instance
 * the socket may act for, or NULL when it holds the global key on a
 * namespace that is not an instance's (then the request must name the
 * instance in instanceId or instance). reply is called exactly once. */
void wg_outbound_handle(wg_connd_t *d, const char *event, const json_t *data, wg_instance_t *bound,
                        wg_outbound_reply_fn reply, void *reply_ud);

#endif
