/* Socket.IO sendText / sendNode on the WhatsApp layer (see socket_send.h). */
#include "message/socket_send.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "link/link.h"
#include "message/send.h"
#include "realtime/outbound.h"
#include "wa/binnode.h"
#include "wg_alloc.h"
#include "wg_err.h"

typedef struct {
    wg_outbound_done_fn done; /* realtime's completion */
    void *done_ud;            /* its argument */
} waiter_t;

static void text_done(void *ctx, const wg_send_result_t *r)
{
    waiter_t *w = ctx;
    json_t *doc = NULL;
    if (r->status == 201 && r->doc) {
        w->done(w->done_ud, 0, r->doc, NULL); /* the messageRaw as send.c holds it: no parse */
    } else if (r->status == 201) {
        doc = r->json ? json_loads(r->json, 0, NULL) : NULL;
        w->done(w->done_ud, 0, doc, NULL);
    } else {
        doc = r->json ? json_loads(r->json, 0, NULL) : NULL;
        /* Evolution's message list: a string, or {jid, exists:false, number} */
        json_t *first = json_array_get(doc, 0);
        const char *why = json_string_value(first);
        if (!why && json_is_object(first) && json_is_false(json_object_get(first, "exists")))
            why = "the number is not on WhatsApp";
        w->done(w->done_ud, r->status >= 500 ? WG_EDB : WG_EINVAL, NULL, why ? why : "send failed");
    }
    json_decref(doc);
    free(w);
}

static int send_text(void *impl, wg_connd_t *d, wg_instance_t *inst, const char *number,
                     const char *text, wg_outbound_done_fn done, void *done_ud)
{
    (void)impl;
    uint64_t generation = 0;
    if (!wg_link_session(d, inst->row->id, &generation, NULL))
        return WG_ESTATE;
    Wg__Ipc__SendTextReq req = WG__IPC__SEND_TEXT_REQ__INIT;
    req.number = (char *)number;
    req.text = (char *)text;
    waiter_t *w = wg_calloc(1, sizeof *w);
    w->done = done;
    w->done_ud = done_ud;
    wg_send_text(d, inst, &req, text_done, w);
    return 0;
}

/* {tag, attrs, content} -> node (validated by realtime/outbound.c). */
static wg_node_t *node_of(const json_t *st)
{
    wg_node_t *n = wg_node_new(json_string_value(json_object_get(st, "tag")));
    const char *k;
    json_t *v;
    json_t *attrs = json_object_get(st, "attrs");
    if (json_is_object(attrs))
        json_object_foreach(attrs, k, v) wg_node_set_attr(n, k, json_string_value(v));
    json_t *content = json_object_get(st, "content");
    if (json_is_string(content)) {
        wg_node_set_bytes(n, json_string_value(content), json_string_length(content));
    } else if (json_is_array(content)) {
        size_t i;
        json_t *child;
        wg_node_set_list(n);
        json_array_foreach(content, i, child) wg_node_add_child(n, node_of(child));
    }
    return n;
}

static int send_node(void *impl, wg_connd_t *d, wg_instance_t *inst, const json_t *stanza,
                     wg_outbound_done_fn done, void *done_ud)
{
    (void)impl;
    uint64_t generation = 0;
    wg_wa_session_t *s = wg_link_session(d, inst->row->id, &generation, NULL);
    if (!s)
        return WG_ESTATE;
    int rc = wg_wa_session_send(s, node_of(stanza));
    if (rc)
        return rc;
    json_t *result =
        json_pack("{s:b,s:s}", "sent", 1, "tag", json_string_value(json_object_get(stanza, "tag")));
    done(done_ud, 0, result, NULL);
    json_decref(result);
    return 0;
}

void wg_message_socket_send_install(void)
{
    wg_outbound_ops_t ops = {send_text, send_node, NULL};
    wg_outbound_register(&ops);
}

void wg_message_socket_send_remove(void)
{
    wg_outbound_register(NULL);
}
