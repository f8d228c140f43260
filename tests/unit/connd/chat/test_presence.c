/* connd/chat/presence: chatstate and subscribe builders, and incoming
 * <presence>/<chatstate> -> presence.update data as Baileys emits it. */
#include "chat/presence.h"
#include "wg_test.h"

static char *event_of(wg_node_t *n)
{
    json_t *e = wg_chat_presence_event(n);
    char *s = e ? json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(e);
    wg_node_free(n);
    return s;
}

static wg_node_t *node(const char *tag, const char *from, const char *k, const char *v)
{
    wg_node_t *n = wg_node_new(tag);
    if (from)
        wg_node_set_attr(n, "from", from);
    if (k)
        wg_node_set_attr(n, k, v);
    return n;
}

static void builders(void)
{
    wg_node_t *n = wg_chat_chatstate("me@s.whatsapp.net", "1@s.whatsapp.net", "recording");
    WG_CHECK_STR(n->tag, "chatstate");
    WG_CHECK_STR(wg_node_attr(n, "from"), "me@s.whatsapp.net");
    WG_CHECK_STR(wg_node_attr(n, "to"), "1@s.whatsapp.net");
    WG_CHECK(n->child_count == 1 && strcmp(n->children[0]->tag, "composing") == 0);
    WG_CHECK_STR(wg_node_attr(n->children[0], "media"), "audio");
    wg_node_free(n);
    n = wg_chat_chatstate(NULL, "1@s.whatsapp.net", "paused");
    WG_CHECK(n && !wg_node_attr(n, "from") && strcmp(n->children[0]->tag, "paused") == 0);
    wg_node_free(n);
    n = wg_chat_chatstate(NULL, "1@s.whatsapp.net", "composing");
    WG_CHECK(n && !wg_node_attr(n->children[0], "media"));
    wg_node_free(n);
    WG_CHECK(wg_chat_chatstate(NULL, "1@s.whatsapp.net", "available") == NULL);
    n = wg_chat_presence_subscribe("1@s.whatsapp.net");
    WG_CHECK_STR(n->tag, "presence");
    WG_CHECK_STR(wg_node_attr(n, "type"), "subscribe");
    WG_CHECK_STR(wg_node_attr(n, "to"), "1@s.whatsapp.net");
    wg_node_free(n);
}

static void incoming(void)
{
    char *s = event_of(node("presence", "1@s.whatsapp.net", "type", "unavailable"));
    WG_CHECK_STR(s, "{\"id\":\"1@s.whatsapp.net\",\"presences\":{\"1@s.whatsapp.net\":"
                    "{\"lastKnownPresence\":\"unavailable\"}}}");
    free(s);
    wg_node_t *p = node("presence", "1@s.whatsapp.net", "type", "unavailable");
    wg_node_set_attr(p, "last", "1700000000");
    s = event_of(p);
    WG_CHECK_STR(s, "{\"id\":\"1@s.whatsapp.net\",\"presences\":{\"1@s.whatsapp.net\":"
                    "{\"lastKnownPresence\":\"unavailable\",\"lastSeen\":1700000000}}}");
    free(s);
    p = node("presence", "1@s.whatsapp.net", "last", "deny");
    s = event_of(p);
    WG_CHECK_STR(s, "{\"id\":\"1@s.whatsapp.net\",\"presences\":{\"1@s.whatsapp.net\":"
                    "{\"lastKnownPresence\":\"available\"}}}");
    free(s);
    wg_node_t *c = node("chatstate", "2@g.us", "participant", "3@s.whatsapp.net");
    wg_node_set_attr(wg_node_add_child(c, wg_node_new("composing")), "media", "audio");
    s = event_of(c);
    WG_CHECK_STR(s, "{\"id\":\"2@g.us\",\"presences\":{\"3@s.whatsapp.net\":"
                    "{\"lastKnownPresence\":\"recording\"}}}");
    free(s);
    c = node("chatstate", "1@s.whatsapp.net", NULL, NULL);
    wg_node_add_child(c, wg_node_new("composing"));
    s = event_of(c);
    WG_CHECK_STR(s, "{\"id\":\"1@s.whatsapp.net\",\"presences\":{\"1@s.whatsapp.net\":"
                    "{\"lastKnownPresence\":\"composing\"}}}");
    free(s);
    c = node("chatstate", "1@s.whatsapp.net", NULL, NULL);
    wg_node_add_child(c, wg_node_new("paused"));
    s = event_of(c);
    WG_CHECK(s && strstr(s, "\"lastKnownPresence\":\"available\""));
    free(s);
    /* nothing for: no from, a broadcast, an empty chatstate, an unknown state, subscribe */
    WG_CHECK(event_of(node("presence", NULL, "type", "available")) == NULL);
    WG_CHECK(event_of(node("presence", "status@broadcast", NULL, NULL)) == NULL);
    WG_CHECK(event_of(node("chatstate", "1@s.whatsapp.net", NULL, NULL)) == NULL);
    c = node("chatstate", "1@s.whatsapp.net", NULL, NULL);
    wg_node_add_child(c, wg_node_new("dancing"));
    WG_CHECK(event_of(c) == NULL);
    WG_CHECK(event_of(node("presence", "1@s.whatsapp.net", "type", "subscribe")) == NULL);
    WG_CHECK(event_of(node("receipt", "1@s.whatsapp.net", NULL, NULL)) == NULL);
}

int main(void)
{
    WG_RUN(builders);
    WG_RUN(incoming);
    return wg_test_done();
}
