/* connd/chat/call: <call> stanzas -> Baileys' call object (offer with
 * video and group, terminate / timeout, reject, offline), and the reject
 * stanza. */
#include "chat/call.h"
#include "wg_test.h"

static wg_node_t *call(const char *child, const char *k, const char *v)
{
    wg_node_t *n = wg_node_new("call");
    wg_node_set_attr(n, "from", "1@s.whatsapp.net");
    wg_node_set_attr(n, "id", "S1");
    wg_node_set_attr(n, "t", "1700000000");
    wg_node_t *c = wg_node_add_child(n, wg_node_new(child));
    wg_node_set_attr(c, "call-id", "CALL1");
    wg_node_set_attr(c, "call-creator", "1:2@s.whatsapp.net");
    if (k)
        wg_node_set_attr(c, k, v);
    return n;
}

static char *object_of(wg_node_t *n)
{
    json_t *o = wg_chat_call_object(n);
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    wg_node_free(n);
    return s;
}

static void objects(void)
{
    wg_node_t *n = call("offer", NULL, NULL);
    wg_node_add_child(n->children[0], wg_node_new("video"));
    char *s = object_of(n);
    WG_CHECK_STR(s, "{\"chatId\":\"1@s.whatsapp.net\",\"date\":\"2023-11-14T22:13:20.000Z\","
                    "\"from\":\"1:2@s.whatsapp.net\",\"id\":\"CALL1\",\"isGroup\":false,"
                    "\"isVideo\":true,\"offline\":false,\"status\":\"offer\"}");
    free(s);
    n = call("offer", "group-jid", "9@g.us");
    wg_node_set_attr(n, "offline", "0");
    s = object_of(n);
    WG_CHECK(s && strstr(s, "\"isGroup\":true") && strstr(s, "\"groupJid\":\"9@g.us\"") &&
             strstr(s, "\"isVideo\":false") && strstr(s, "\"offline\":true"));
    free(s);
    s = object_of(call("terminate", "reason", "timeout"));
    WG_CHECK(s && strstr(s, "\"status\":\"timeout\"") && !strstr(s, "isVideo"));
    free(s);
    s = object_of(call("terminate", NULL, NULL));
    WG_CHECK(s && strstr(s, "\"status\":\"terminate\""));
    free(s);
    s = object_of(call("reject", NULL, NULL));
    WG_CHECK(s && strstr(s, "\"status\":\"reject\""));
    free(s);
    s = object_of(call("accept", "from", "5@s.whatsapp.net"));
    WG_CHECK(s && strstr(s, "\"status\":\"accept\"") && strstr(s, "\"from\":\"5@s.whatsapp.net\""));
    free(s);
    /* not calls: no child, no call-id, no from */
    WG_CHECK(object_of(wg_node_new("call")) == NULL);
    n = call("offer", NULL, NULL);
    wg_node_set_attr(n->children[0], "call-id", NULL);
    WG_CHECK(object_of(n) == NULL);
    n = call("offer", NULL, NULL);
    wg_node_set_attr(n, "from", NULL);
    WG_CHECK(object_of(n) == NULL);
}

static void reject(void)
{
    wg_node_t *n =
        wg_chat_call_reject("me:1@s.whatsapp.net", "1@s.whatsapp.net", "CALL1", "1@s.whatsapp.net");
    WG_CHECK_STR(n->tag, "call");
    WG_CHECK_STR(wg_node_attr(n, "from"), "me:1@s.whatsapp.net");
    WG_CHECK_STR(wg_node_attr(n, "to"), "1@s.whatsapp.net");
    const wg_node_t *r = wg_node_child(n, "reject");
    WG_CHECK(r != NULL);
    if (r) {
        WG_CHECK_STR(wg_node_attr(r, "call-id"), "CALL1");
        WG_CHECK_STR(wg_node_attr(r, "call-creator"), "1@s.whatsapp.net");
        WG_CHECK_STR(wg_node_attr(r, "count"), "0");
    }
    wg_node_free(n);
}

int main(void)
{
    WG_RUN(objects);
    WG_RUN(reject);
    return wg_test_done();
}
