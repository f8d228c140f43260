/* sendPresence and presence.update (see presence.h). */
#include "chat/presence.h"

#include <stdlib.h>
#include <string.h>

#include "link/link.h"
#include "message/send.h"
#include "wa/ws_client.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"

wg_node_t *wg_chat_chatstate(const char *from, const char *to, const char *state)
{
    int recording = strcmp(state, "recording") == 0;
    if (!recording && strcmp(state, "composing") != 0 && strcmp(state, "paused") != 0)
        return NULL;
    wg_node_t *n = wg_node_new("chatstate");
    if (from && *from)
        wg_node_set_attr(n, "from", from);
    wg_node_set_attr(n, "to", to);
    wg_node_t *c = wg_node_add_child(n, wg_node_new(recording ? "composing" : state));
    if (recording)
        wg_node_set_attr(c, "media", "audio");
    return n;
}

wg_node_t *wg_chat_presence_subscribe(const char *to)
{
    wg_node_t *n = wg_node_new("presence");
    wg_node_set_attr(n, "type", "subscribe");
    wg_node_set_attr(n, "to", to);
    return n;
}

json_t *wg_chat_presence_event(const wg_node_t *node)
{
    const char *from = wg_node_attr(node, "from");
    if (!from || !*from || strstr(from, "@broadcast") || strstr(from, "@newsletter"))
        return NULL;
    const char *participant = wg_node_attr(node, "participant");
    json_t *p = NULL;
    if (strcmp(node->tag, "presence") == 0) {
        const char *type = wg_node_attr(node, "type");
        if (type && strcmp(type, "unavailable") != 0 && strcmp(type, "available") != 0)
            return NULL; /* subscribe, probe, ...: not a state */
        p = json_pack("{s:s}", "lastKnownPresence",
                      type && strcmp(type, "unavailable") == 0 ? "unavailable" : "available");
        const char *last = wg_node_attr(node, "last");
        if (last && *last && strcmp(last, "deny") != 0) {
            char *end;
            long long v = strtoll(last, &end, 10);
            if (!*end && v >= 0)
                json_object_set_new(p, "lastSeen", json_integer(v));
        }
    } else if (strcmp(node->tag, "chatstate") == 0) {
        if (node->kind != WG_NODE_CHILDREN || node->child_count == 0)
            return NULL;
        const wg_node_t *c = node->children[0];
        const char *media = wg_node_attr(c, "media");
        const char *state = strcmp(c->tag, "paused") == 0 ? "available" : c->tag;
        if (media && strcmp(media, "audio") == 0)
            state = "recording";
        if (strcmp(state, "available") != 0 && strcmp(state, "composing") != 0 &&
            strcmp(state, "recording") != 0)
            return NULL;
        p = json_pack("{s:s}", "lastKnownPresence", state);
    } else {
        return NULL;
    }
    json_t *presences = json_object();
    json_object_set_new(presences, participant && *participant ? participant : from, p);
    return json_pack("{s:s,s:o}", "id", from, "presences", presences);
}

/* ------------------------------------------------------------ sendPresence */

typedef struct presence_op {
    wg_connd_t *d;            /* daemon */
    char *instance_id;        /* owner (owned) */
    uint64_t generation;      /* the connection it runs on */
    char jid[160];            /* the chat */
    char presence[16];        /* as requested */
    wg_wa_timer_t *timer;     /* the delay */
    wg_chat_done_cb done;     /* REST completion */
    void *ctx;                /* its argument */
    struct presence_op *next; /* list of ops waiting out their delay */
} presence_op_t;

static presence_op_t *g_ops;

static void op_free(presence_op_t *o)
{
    for (presence_op_t **pp = &g_ops; *pp; pp = &(*pp)->next)
        if (*pp == o) {
            *pp = o->next;
            break;
        }
    wg_wa_timer_free(o->timer);
    free(o->instance_id);
    free(o);
}

static void answer(presence_op_t *o)
{
    wg_chat_answer(o->done, o->ctx, json_pack("{s:s}", "presence", o->presence));
}

/* Sends state to the chat on the op's connection; 0 or WG_ESTATE. */
static int send_state(presence_op_t *o, const char *state)
{
    const wg_wa_creds_t *creds = NULL;
    uint64_t g = o->generation;
    wg_wa_session_t *s = wg_link_session(o->d, o->instance_id, &g, &creds);
    if (!s)
        return WG_ESTATE;
    if (strcmp(state, "available") == 0 || strcmp(state, "unavailable") == 0)
        return wg_wa_session_set_presence(s, state);
    wg_node_t *n = wg_chat_chatstate(creds ? creds->me_jid : NULL, o->jid, state);
    return n ? wg_wa_session_send(s, n) : WG_EINVAL;
}

static void on_delay(void *arg)
{
    presence_op_t *o = arg;
    send_state(o, "paused"); /* a closed connection has nothing left to pause */
    answer(o);
    op_free(o);
}

void wg_chat_send_presence(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__SendPresenceReq *req,
                           wg_chat_done_cb done, void *ctx)
{
    presence_op_t *o = wg_calloc(1, sizeof *o);
    o->d = d;
    o->instance_id = wg_strdup(inst->row->id);
    o->done = done;
    o->ctx = ctx;
    snprintf(o->presence, sizeof o->presence, "%s", req->presence ? req->presence : "");
    wg_wa_session_t *s = wg_link_session(d, o->instance_id, &o->generation, NULL);
    if (!s) {
        wg_chat_fail(done, ctx, 400, "Error: Connection Closed");
        op_free(o);
        return;
    }
    if (wg_send_chat_jid(req->number, o->jid, sizeof o->jid) != 0) {
        wg_chat_fail(done, ctx, 400, "Invalid format");
        op_free(o);
        return;
    }
    wg_wa_session_send(s, wg_chat_presence_subscribe(o->jid));
    if (send_state(o, o->presence) != 0) {
        wg_chat_fail(done, ctx, 400, "Error: Connection Closed");
        op_free(o);
        return;
    }
    wg_log(WG_LOG_INFO, "msg=\"presence sent\" instance=%s presence=%s", inst->row->name,
           o->presence);
    uint32_t delay = req->has_delay_ms ? req->delay_ms : 0;
    if (delay > WG_CHAT_PRESENCE_MAX_DELAY_MS)
        delay = WG_CHAT_PRESENCE_MAX_DELAY_MS;
    o->timer = wg_wa_timer_new(d->loop, on_delay, o);
    wg_wa_timer_set(o->timer, delay);
    o->next = g_ops;
    g_ops = o;
}

void wg_chat_presence_forget(const char *instance_id)
{
    presence_op_t *o = g_ops;
    while (o) {
        presence_op_t *next = o->next;
        if (strcmp(o->instance_id, instance_id) == 0) {
            answer(o); /* the state was sent; the connection that held it is gone */
            op_free(o);
        }
        o = next;
    }
}
