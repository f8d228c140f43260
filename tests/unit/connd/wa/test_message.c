/* connd/wa/message: <message> stanza addressing (1:1, LID with its phone
 * alternate, our own other device, group), malformed stanzas, the Message
 * protobuf to Evolution's message object (conversation, extendedText with a
 * quote, deviceSentMessage unwrapped, SKDM, garbage), the text Message
 * encoder round trip and message ids. */
#include "wa/message.h"
#include "wg_err.h"
#include "wg_test.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define ME "15550001111:7@s.whatsapp.net"
#define ME_LID "99887766:7@lid"

static wg_node_t *stanza(const char *from, const char *enc_type)
{
    wg_node_t *n = wg_node_new("message");
    wg_node_set_attr(n, "from", from);
    wg_node_set_attr(n, "id", "3EB0AABBCCDDEEFF001122");
    wg_node_set_attr(n, "t", "1717689097");
    wg_node_set_attr(n, "notify", "Ana");
    if (enc_type) {
        wg_node_t *e = wg_node_add_child(n, wg_node_new("enc"));
        wg_node_set_attr(e, "v", "2");
        wg_node_set_attr(e, "type", enc_type);
        wg_node_set_bytes(e, "\x33\x01\x02", 3);
    }
    return n;
}

static void direct(void)
{
    wg_node_t *n = stanza("15551234567:2@s.whatsapp.net", "pkmsg");
    wg_node_set_attr(n, "sender_lid", "123456789:2@lid");
    wg_wa_msg_in_t m;
    WG_CHECK_INT(wg_wa_msg_in_parse(n, ME, ME_LID, &m), 0);
    WG_CHECK_STR(m.chat, "15551234567@s.whatsapp.net");
    WG_CHECK_STR(m.chat_alt, "123456789@lid");
    WG_CHECK_STR(m.sender, "15551234567:2@s.whatsapp.net");
    WG_CHECK(!m.from_me && !m.is_group);
    WG_CHECK_INT((int)m.t, 1717689097);
    WG_CHECK_STR(m.push_name, "Ana");
    WG_CHECK_INT((int)m.n_enc, 1);
    WG_CHECK_STR(m.enc[0].type, "pkmsg");
    WG_CHECK_INT((int)m.enc[0].len, 3);
    wg_node_free(n);
}

static void lid_and_own_device(void)
{
    wg_node_t *n = stanza("123456789@lid", "msg");
    wg_node_set_attr(n, "sender_pn", "15551234567@s.whatsapp.net");
    wg_node_set_attr(n, "addressing_mode", "lid");
    wg_wa_msg_in_t m;
    WG_CHECK_INT(wg_wa_msg_in_parse(n, ME, ME_LID, &m), 0);
    WG_CHECK_STR(m.chat, "123456789@lid");
    WG_CHECK_STR(m.chat_alt, "15551234567@s.whatsapp.net");
    WG_CHECK_STR(m.addressing_mode, "lid");
    wg_node_free(n);
    /* our phone sent it to someone: chat = recipient */
    n = stanza("15550001111@s.whatsapp.net", "msg");
    wg_node_set_attr(n, "recipient", "15557654321@s.whatsapp.net");
    WG_CHECK_INT(wg_wa_msg_in_parse(n, ME, ME_LID, &m), 0);
    WG_CHECK(m.from_me);
    WG_CHECK_STR(m.chat, "15557654321@s.whatsapp.net");
    wg_node_free(n);
}

static void group(void)
{
    wg_node_t *n = stanza("120363000000000000@g.us", "skmsg");
    WG_CHECK_INT(wg_wa_msg_in_parse(n, ME, ME_LID, &(wg_wa_msg_in_t){0}),
                 WG_EPROTO); /* no participant */
    wg_node_set_attr(n, "participant", "15551234567:4@s.whatsapp.net");
    wg_wa_msg_in_t m;
    WG_CHECK_INT(wg_wa_msg_in_parse(n, ME, ME_LID, &m), 0);
    WG_CHECK(m.is_group);
    WG_CHECK_STR(m.chat, "120363000000000000@g.us");
    WG_CHECK_STR(m.sender, "15551234567:4@s.whatsapp.net");
    wg_node_free(n);
}

static void malformed(void)
{
    wg_wa_msg_in_t m;
    wg_node_t *n = stanza("15551234567@s.whatsapp.net", NULL); /* no payload */
    WG_CHECK_INT(wg_wa_msg_in_parse(n, ME, NULL, &m), WG_EPROTO);
    wg_node_t *p = wg_node_add_child(n, wg_node_new("plaintext"));
    wg_node_set_bytes(p, "\x0a\x02hi", 4);
    WG_CHECK_INT(wg_wa_msg_in_parse(n, ME, NULL, &m), 0);
    WG_CHECK_INT((int)m.plaintext_len, 4);
    wg_node_set_attr(n, "id", "bad id");
    WG_CHECK_INT(wg_wa_msg_in_parse(n, ME, NULL, &m), WG_EPROTO);
    wg_node_set_attr(n, "id", "X1");
    wg_node_set_attr(n, "from", "not a jid");
    WG_CHECK_INT(wg_wa_msg_in_parse(n, ME, NULL, &m), WG_EPROTO);
    wg_node_free(n);
}

static char *dump(json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

static void decode(void)
{
    wg_wa_msg_content_t c;
    /* protobufjs bytes of {conversation:"hi there"} (test-peers.md §7) */
    WG_CHECK_INT(wg_wa_msg_decode((const uint8_t *)"\x0a\x08hi there", 10, &c), 0);
    WG_CHECK_STR(c.message_type, "conversation");
    WG_CHECK_STR(c.text, "hi there");
    char *s = dump(c.message);
    WG_CHECK_STR(s, "{\"conversation\":\"hi there\"}");
    free(s);
    wg_wa_msg_content_free(&c);

    wg_buf_t b = WG_BUF_INIT;
    wg_wa_msg_encode_text("reply", "3EB0QUOTED", "15551234567@s.whatsapp.net", "orig", NULL, &b);
    WG_CHECK_INT(wg_wa_msg_decode(b.p, b.len, &c), 0);
    WG_CHECK_STR(c.message_type, "extendedTextMessage");
    WG_CHECK_STR(c.text, "reply");
    s = dump(c.message);
    WG_CHECK_STR(s, "{\"extendedTextMessage\":{\"contextInfo\":{\"participant\":\"15551234567@s."
                    "whatsapp.net\",\"quotedMessage\":{\"conversation\":\"orig\"},\"stanzaId\":"
                    "\"3EB0QUOTED\"},\"text\":\"reply\"}}");
    free(s);
    wg_wa_msg_content_free(&c);
    wg_buf_reset(&b);

    wg_wa_msg_encode_text("to my phone", NULL, NULL, NULL, "15557654321@s.whatsapp.net", &b);
    WG_CHECK_INT(wg_wa_msg_decode(b.p, b.len, &c), 0);
    WG_CHECK_STR(c.dsm_destination, "15557654321@s.whatsapp.net");
    WG_CHECK_STR(c.text, "to my phone");
    WG_CHECK_STR(c.message_type, "conversation");
    wg_wa_msg_content_free(&c);
    wg_buf_free(&b);

    /* SKDM {groupId=g, axolotl=\x01\x02} */
    WG_CHECK_INT(wg_wa_msg_decode((const uint8_t *)"\x12\x07\x0a\x01g\x12\x02\x01\x02", 9, &c), 0);
    WG_CHECK_STR(c.message_type, "senderKeyDistributionMessage");
    WG_CHECK_INT((int)c.skdm_len, 2);
    WG_CHECK_STR(c.skdm_group, "g");
    wg_wa_msg_content_free(&c);

    /* not a protobuf; a string that is not UTF-8 */
    WG_CHECK_INT(wg_wa_msg_decode((const uint8_t *)"\x0a\x09hi", 4, &c), WG_EPROTO);
    WG_CHECK_INT(wg_wa_msg_decode((const uint8_t *)"\x0a\x02\xff\xfe", 4, &c), WG_EPROTO);
    /* a DSM whose inner message is garbage */
    WG_CHECK_INT(wg_wa_msg_decode((const uint8_t *)"\xfa\x01\x04\x12\x02\x0a\x09", 7, &c),
                 WG_EPROTO);
}

static void ids(void)
{
    char a[23], b[23];
    wg_wa_msg_new_id(a);
    wg_wa_msg_new_id(b);
    WG_CHECK_INT((int)strlen(a), 22);
    WG_CHECK(strncmp(a, "3EB0", 4) == 0 && strcmp(a, b) != 0);
    for (int i = 0; i < 22; i++)
        WG_CHECK(isxdigit((unsigned char)a[i]) && !islower((unsigned char)a[i]));
}

int main(void)
{
    WG_RUN(direct);
    WG_RUN(lid_and_own_device);
    WG_RUN(group);
    WG_RUN(malformed);
    WG_RUN(decode);
    WG_RUN(ids);
    return wg_test_done();
}
