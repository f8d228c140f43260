/* connd/chat/read: read receipts grouped per chat and participant, the
 * first id in the attribute and the others in <list>, fromMe skipped. */
#include "chat/read.h"
#include "wg_test.h"

static Wg__Ipc__ReadMessageKey key(const char *id, int from_me, const char *chat,
                                   const char *participant)
{
    Wg__Ipc__ReadMessageKey k = WG__IPC__READ_MESSAGE_KEY__INIT;
    k.id = (char *)id;
    k.from_me = from_me;
    k.remote_jid = (char *)chat;
    k.participant = (char *)participant;
    return k;
}

static void grouping(void)
{
    Wg__Ipc__ReadMessageKey k[6] = {
        key("A", 0, "1@s.whatsapp.net", NULL),     key("B", 1, "1@s.whatsapp.net", NULL),
        key("C", 0, "2@g.us", "3@s.whatsapp.net"), key("D", 0, "1@s.whatsapp.net", NULL),
        key("E", 0, "2@g.us", "4@s.whatsapp.net"), key("F", 0, "1@s.whatsapp.net", NULL)};
    Wg__Ipc__ReadMessageKey *keys[6];
    for (int i = 0; i < 6; i++)
        keys[i] = &k[i];
    wg_node_t *out[8];
    size_t n = wg_chat_read_receipts(keys, 6, 1700000000, out, 8);
    WG_CHECK_INT(n, 3);
    if (n != 3)
        return;
    WG_CHECK_STR(out[0]->tag, "receipt");
    WG_CHECK_STR(wg_node_attr(out[0], "id"), "A");
    WG_CHECK_STR(wg_node_attr(out[0], "to"), "1@s.whatsapp.net");
    WG_CHECK_STR(wg_node_attr(out[0], "type"), "read");
    WG_CHECK_STR(wg_node_attr(out[0], "t"), "1700000000");
    WG_CHECK(wg_node_attr(out[0], "participant") == NULL);
    const wg_node_t *list = wg_node_child(out[0], "list");
    WG_CHECK(list && list->child_count == 2);
    if (list && list->child_count == 2) {
        WG_CHECK_STR(wg_node_attr(list->children[0], "id"), "D");
        WG_CHECK_STR(wg_node_attr(list->children[1], "id"), "F");
    }
    WG_CHECK_STR(wg_node_attr(out[1], "id"), "C");
    WG_CHECK_STR(wg_node_attr(out[1], "participant"), "3@s.whatsapp.net");
    WG_CHECK(wg_node_child(out[1], "list") == NULL);
    WG_CHECK_STR(wg_node_attr(out[2], "id"), "E");
    WG_CHECK_STR(wg_node_attr(out[2], "participant"), "4@s.whatsapp.net");
    for (size_t i = 0; i < n; i++)
        wg_node_free(out[i]);
    /* the bound, and nothing for our own messages */
    WG_CHECK_INT(wg_chat_read_receipts(keys, 6, 1, out, 1), 1);
    wg_node_free(out[0]);
    WG_CHECK_INT(wg_chat_read_receipts(&keys[1], 1, 1, out, 8), 0);
}

int main(void)
{
    WG_RUN(grouping);
    return wg_test_done();
}
