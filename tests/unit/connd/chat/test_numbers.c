/* connd/chat/numbers: the usync contact + LID query for whatsappNumbers
 * and the reading of its answer (exists from <contact type>, lid, request
 * order, error answers, users missing from the answer). */
#include "chat/numbers.h"
#include "wg_test.h"

static wg_node_t *user(wg_node_t *list, const char *jid, const char *ctype, const char *lid)
{
    wg_node_t *u = wg_node_add_child(list, wg_node_new("user"));
    wg_node_set_attr(u, "jid", jid);
    if (ctype)
        wg_node_set_attr(wg_node_add_child(u, wg_node_new("contact")), "type", ctype);
    if (lid)
        wg_node_set_attr(wg_node_add_child(u, wg_node_new("lid")), "val", lid);
    return u;
}

static void query(void)
{
    char *numbers[] = {"+55 (11) 9999-0000", "15551234567@s.whatsapp.net", "abc"};
    wg_node_t *iq = wg_chat_numbers_query(numbers, 3, "sid1");
    WG_CHECK_STR(wg_node_attr(iq, "xmlns"), "usync");
    WG_CHECK_STR(wg_node_attr(iq, "type"), "get");
    const wg_node_t *u = wg_node_child(iq, "usync");
    WG_CHECK(u != NULL);
    if (!u) {
        wg_node_free(iq);
        return;
    }
    WG_CHECK_STR(wg_node_attr(u, "sid"), "sid1");
    WG_CHECK_STR(wg_node_attr(u, "mode"), "query");
    WG_CHECK_STR(wg_node_attr(u, "context"), "interactive");
    const wg_node_t *q = wg_node_child(u, "query");
    WG_CHECK(q && wg_node_child(q, "contact") && wg_node_child(q, "lid"));
    const wg_node_t *list = wg_node_child(u, "list");
    WG_CHECK(list && list->child_count == 2); /* "abc" has no digits */
    if (list && list->child_count == 2) {
        const wg_node_t *c = wg_node_child(list->children[0], "contact");
        WG_CHECK(c && c->data && strcmp((const char *)c->data, "+551199990000") == 0);
        WG_CHECK(wg_node_attr(list->children[0], "jid") == NULL);
        c = wg_node_child(list->children[1], "contact");
        WG_CHECK(c && c->data && strcmp((const char *)c->data, "+15551234567") == 0);
    }
    wg_node_free(iq);
}

static void result(void)
{
    char *numbers[] = {"5511", "15551234567", "999", "7777"};
    wg_node_t *r = wg_node_new("iq");
    wg_node_set_attr(r, "type", "result");
    wg_node_t *list =
        wg_node_add_child(wg_node_add_child(r, wg_node_new("usync")), wg_node_new("list"));
    user(list, "15551234567@s.whatsapp.net", "in", "123@lid");
    user(list, "5511@s.whatsapp.net", "out", "9@lid");
    wg_node_t *e = user(list, "999@s.whatsapp.net", NULL, NULL);
    wg_node_add_child(e, wg_node_new("error"));
    user(list, "7777@s.whatsapp.net", NULL, "77@lid"); /* no <contact>: not counted */
    json_t *doc = wg_chat_numbers_result(numbers, 4, r);
    char *s = json_dumps(doc, JSON_COMPACT);
    WG_CHECK_STR(s, "[{\"jid\":\"5511@s.whatsapp.net\",\"exists\":false,\"number\":\"5511\"},"
                    "{\"jid\":\"15551234567@s.whatsapp.net\",\"exists\":true,\"number\":"
                    "\"15551234567\",\"lid\":\"123@lid\"},"
                    "{\"jid\":\"999@s.whatsapp.net\",\"exists\":false,\"number\":\"999\"},"
                    "{\"jid\":\"7777@s.whatsapp.net\",\"exists\":false,\"number\":\"7777\"}]");
    free(s);
    json_decref(doc);
    wg_node_set_attr(r, "type", "error");
    doc = wg_chat_numbers_result(numbers, 1, r);
    WG_CHECK(json_is_false(json_object_get(json_array_get(doc, 0), "exists")));
    json_decref(doc);
    doc = wg_chat_numbers_result(numbers, 2, NULL);
    WG_CHECK_INT(json_array_size(doc), 2);
    json_decref(doc);
    wg_node_free(r);
}

int main(void)
{
    WG_RUN(query);
    WG_RUN(result);
    return wg_test_done();
}
