/* connd/message/send: the chat JID of a requested number (digits with
 * Evolution's separators, JIDs with device or agent, LIDs, bad input). The
 * protocol steps are covered against crabline (integration/wa_crabline). */
#include "message/send.h"
#include "wg_err.h"
#include "wg_test.h"

static void chat_jids(void)
{
    char out[160];
    WG_CHECK_INT(wg_send_chat_jid("5511999999999", out, sizeof out), 0);
    WG_CHECK_STR(out, "5511999999999@s.whatsapp.net");
    WG_CHECK_INT(wg_send_chat_jid("+55 (11) 99999-9999", out, sizeof out), 0);
    WG_CHECK_STR(out, "5511999999999@s.whatsapp.net");
    WG_CHECK_INT(wg_send_chat_jid("15551234567:3@s.whatsapp.net", out, sizeof out), 0);
    WG_CHECK_STR(out, "15551234567@s.whatsapp.net");
    WG_CHECK_INT(wg_send_chat_jid("123456789@lid", out, sizeof out), 0);
    WG_CHECK_STR(out, "123456789@lid");
    WG_CHECK_INT(wg_send_chat_jid("120363000000000000@g.us", out, sizeof out), 0);
    WG_CHECK_STR(out, "120363000000000000@g.us");
    WG_CHECK_INT(wg_send_chat_jid("abc", out, sizeof out), WG_EINVAL);
    WG_CHECK_INT(wg_send_chat_jid("12", out, sizeof out), WG_EINVAL);
    WG_CHECK_INT(wg_send_chat_jid("", out, sizeof out), WG_EINVAL);
    WG_CHECK_INT(wg_send_chat_jid("@s.whatsapp.net", out, sizeof out), WG_EINVAL);
    WG_CHECK_INT(wg_send_chat_jid("5511999999999", out, 8), WG_EINVAL);
    /* Evolution's createJid: 18+ digits or a dashed id of 24+ characters is a group */
    WG_CHECK_INT(wg_send_chat_jid("120363012345678901", out, sizeof out), 0);
    WG_CHECK_STR(out, "120363012345678901@g.us");
    WG_CHECK_INT(wg_send_chat_jid("5511999999999-1600000000", out, sizeof out), 0);
    WG_CHECK_STR(out, "5511999999999-1600000000@g.us");
    WG_CHECK_INT(wg_send_chat_jid("5511999999999-1600000000@g.us", out, sizeof out), 0);
    WG_CHECK_STR(out, "5511999999999-1600000000@g.us");
    WG_CHECK_INT(wg_send_chat_jid("-551199999999-16000000000", out, sizeof out), WG_EINVAL);
    WG_CHECK_INT(wg_send_chat_jid("55119999999991600000000-", out, sizeof out), WG_EINVAL);
}

int main(void)
{
    WG_RUN(chat_jids);
    return wg_test_done();
}
