/* Incoming calls (see call.h). */
#include "chat/call.h"

#include <stdlib.h>
#include <string.h>

#include "link/link.h"
#include "message/send.h"
#include "wg_alloc.h"
#include "wg_log.h"
#include "wg_time.h"

static const char *status_of(const wg_node_t *info)
{
    const char *tag = info->tag;
    if (strcmp(tag, "offer") == 0 || strcmp(tag, "offer_notice") == 0)
        return "offer";
    if (strcmp(tag, "terminate") == 0) {
        const char *reason = wg_node_attr(info, "reason");
        return reason && strcmp(reason, "timeout") == 0 ? "timeout" : "terminate";
    }
    static const char *const same[] = {"reject",    "accept",       "preaccept",
                                       "transport", "relaylatency", "timeout"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        if (strcmp(tag, same[i]) == 0)
            return same[i];
    return "ringing";
}

json_t *wg_chat_call_object(const wg_node_t *node)
{
    if (strcmp(node->tag, "call") != 0 || node->kind != WG_NODE_CHILDREN || !node->child_count)
        return NULL;
    const wg_node_t *info = node->children[0];
    const char *call_id = wg_node_attr(info, "call-id");
    const char *chat = wg_node_attr(node, "from");
    if (!call_id || !chat)
        return NULL;
    const char *from = wg_node_attr(info, "from");
    if (!from)
        from = wg_node_attr(info, "call-creator");
    const char *t = wg_node_attr(node, "t");
    long long secs = t ? strtoll(t, NULL, 10) : 0;
    char date[32];
    wg_time_iso8601(secs * 1000, date);
    const char *status = status_of(info);
    json_t *call =
        json_pack("{s:s,s:s?,s:s,s:s,s:b,s:s}", "chatId", chat, "from", from, "id", call_id, "date",
                  date, "offline", wg_node_attr(node, "offline") != NULL, "status", status);
    if (!call)
        return NULL;
    if (strcmp(status, "offer") == 0) {
        const char *type = wg_node_attr(info, "type");
        const char *group = wg_node_attr(info, "group-jid");
        json_object_set_new(call, "isVideo", json_boolean(wg_node_child(info, "video") != NULL));
        json_object_set_new(call, "isGroup",
                            json_boolean((type && strcmp(type, "group") == 0) || group));
        if (group)
            json_object_set_new(call, "groupJid", json_string(group));
    }
    return call;
}

wg_node_t *wg_chat_call_reject(const char *from, const char *to, const char *call_id,
                               const char *creator)
{
    wg_node_t *n = wg_node_new("call");
    if (from && *from)
        wg_node_set_attr(n, "from", from);
    wg_node_set_attr(n, "to", to);
    wg_node_t *r = wg_node_add_child(n, wg_node_new("reject"));
    wg_node_set_attr(r, "call-id", call_id);
    wg_node_set_attr(r, "call-creator", creator);
    wg_node_set_attr(r, "count", "0");
    return n;
}

static void msg_call_sent(void *ctx, const wg_send_result_t *r)
{
    char *name = ctx;
    wg_log(r->status == 201 ? WG_LOG_INFO : WG_LOG_WARN,
           "msg=\"call reply message\" instance=%s status=%d", name, r->status);
    free(name);
}

void wg_chat_on_call(wg_connd_t *d, wg_instance_t *inst, const wg_node_t *node)
{
    json_t *call = wg_chat_call_object(node);
    if (!call)
        return;
    const char *status = json_string_value(json_object_get(call, "status"));
    const char *caller = json_string_value(json_object_get(call, "from"));
    const char *call_id = json_string_value(json_object_get(call, "id"));
    const Wg__Ipc__Settings *set = inst->row->settings;
    int offer = strcmp(status, "offer") == 0; /* offline offers too, as Evolution */
    const wg_wa_creds_t *creds = NULL;
    uint64_t generation = 0;
    wg_wa_session_t *s =
        offer && caller && set ? wg_link_session(d, inst->row->id, &generation, &creds) : NULL;
    if (s && set->reject_call) {
        wg_wa_session_send(
            s, wg_chat_call_reject(creds ? creds->me_jid : NULL, caller, call_id, caller));
        wg_log(WG_LOG_INFO, "msg=\"call rejected\" instance=%s", inst->row->name);
    }
    if (s && set->msg_call && *set->msg_call) {
        /* Evolution answers every offer with msgCall, rejected or not */
        Wg__Ipc__SendTextReq req = WG__IPC__SEND_TEXT_REQ__INIT;
        req.number = (char *)caller;
        req.text = set->msg_call;
        wg_send_text(d, inst, &req, msg_call_sent, wg_strdup(inst->row->name));
    }
    wg_bus_publish(d->bus, "call", inst->row->name, inst->row->id, call,
                   d->now_ms ? d->now_ms() : wg_now_ms());
}
