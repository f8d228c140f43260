/* connd/wa/message beyond text: protocolMessage (REVOKE, MESSAGE_EDIT with
 * its editedMessage, unknown types as numbers), reactionMessage, the
 * FutureProofMessage wrappers (unwrapped; too deep is malformed); and the
 * stanza side: participant_alt for LID groups, addressing_mode from the
 * attribute or the sender's form, <enc v count>. */
#include "wa/message.h"
#include "waproto.pb-c.h"
#include "wg_err.h"
#include "wg_test.h"

#include <stdlib.h>
#include <string.h>

static void pack(const ProtobufCMessage *m, wg_buf_t *out)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    wg_buf_reserve(out, n + 1);
    protobuf_c_message_pack(m, out->p);
    out->len = n;
}

static char *dump(json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

static void protocol(void)
{
    Wa__MessageKey key = WA__MESSAGE_KEY__INIT;
    key.remotejid = "5511@s.whatsapp.net";
    key.has_fromme = 1;
    key.fromme = 1;
    key.id = "ABC";
    Wa__ProtocolMessage pm = WA__PROTOCOL_MESSAGE__INIT;
    pm.key = &key;
    pm.has_type = 1;
    pm.type = 0;
    Wa__Message m = WA__MESSAGE__INIT;
    m.protocolmessage = &pm;
    wg_buf_t b = WG_BUF_INIT;
    pack(&m.base, &b);
    wg_wa_msg_content_t c;
    WG_CHECK_INT(wg_wa_msg_decode(b.p, b.len, &c), 0);
    WG_CHECK_STR(c.message_type, "protocolMessage");
    WG_CHECK_INT(c.protocol_type, WG_WA_PROTOCOL_REVOKE);
    WG_CHECK_STR(c.target_id, "ABC");
    char *s = dump(c.message);
    WG_CHECK_STR(s, "{\"protocolMessage\":{\"key\":{\"fromMe\":true,\"id\":\"ABC\",\"remoteJid\":"
                    "\"5511@s.whatsapp.net\"},\"type\":\"REVOKE\"}}");
    free(s);
    wg_wa_msg_content_free(&c);
    WG_CHECK_INT(c.protocol_type, -1);

    Wa__Message e = WA__MESSAGE__INIT;
    Wa__ExtendedTextMessage ext = WA__EXTENDED_TEXT_MESSAGE__INIT;
    ext.text = "new";
    e.extendedtextmessage = &ext;
    wg_buf_t eb = WG_BUF_INIT;
    pack(&e.base, &eb);
    pm.type = 14;
    pm.has_editedmessage = 1;
    pm.editedmessage.data = eb.p;
    pm.editedmessage.len = eb.len;
    pm.has_timestampms = 1;
    pm.timestampms = 1700000000123LL;
    wg_buf_reset(&b);
    pack(&m.base, &b);
    WG_CHECK_INT(wg_wa_msg_decode(b.p, b.len, &c), 0);
    WG_CHECK_INT(c.protocol_type, WG_WA_PROTOCOL_MESSAGE_EDIT);
    s = dump(c.edited);
    WG_CHECK_STR(s, "{\"extendedTextMessage\":{\"text\":\"new\"}}");
    free(s);
    json_t *p = json_object_get(c.message, "protocolMessage");
    WG_CHECK_STR(json_string_value(json_object_get(p, "type")), "MESSAGE_EDIT");
    WG_CHECK_STR(json_string_value(json_object_get(p, "timestampMs")), "1700000000123");
    wg_wa_msg_content_free(&c);

    /* an unknown type stays a number; a broken editedMessage is malformed */
    pm.type = 99;
    pm.has_editedmessage = 0;
    wg_buf_reset(&b);
    pack(&m.base, &b);
    WG_CHECK_INT(wg_wa_msg_decode(b.p, b.len, &c), 0);
    WG_CHECK_INT(json_integer_value(json_object_get(json_object_get(c.message, "protocolMessage"),
                                                    "type")),
                 99);
    WG_CHECK_INT(c.protocol_type, 99);
    wg_wa_msg_content_free(&c);
    pm.type = 14;
    pm.has_editedmessage = 1;
    pm.editedmessage.data = (uint8_t *)"\xff\xff";
    pm.editedmessage.len = 2;
    wg_buf_reset(&b);
    pack(&m.base, &b);
    WG_CHECK_INT(wg_wa_msg_decode(b.p, b.len, &c), WG_EPROTO);
    wg_buf_free(&b);
    wg_buf_free(&eb);
}

static void reaction(void)
{
    Wa__MessageKey key = WA__MESSAGE_KEY__INIT;
    key.id = "M0";
    Wa__ReactionMessage r = WA__REACTION_MESSAGE__INIT;
    r.key = &key;
    r.text = "x";
    r.has_sendertimestampms = 1;
    r.sendertimestampms = 5;
    Wa__Message m = WA__MESSAGE__INIT;
    m.reactionmessage = &r;
    wg_buf_t b = WG_BUF_INIT;
    pack(&m.base, &b);
    wg_wa_msg_content_t c;
    WG_CHECK_INT(wg_wa_msg_decode(b.p, b.len, &c), 0);
    WG_CHECK_STR(c.message_type, "reactionMessage");
    WG_CHECK_STR(c.target_id, "M0");
    WG_CHECK_INT(c.protocol_type, -1);
    char *s = dump(c.message);
    WG_CHECK_STR(s, "{\"reactionMessage\":{\"key\":{\"id\":\"M0\"},\"senderTimestampMs\":\"5\","
                    "\"text\":\"x\"}}");
    free(s);
    wg_wa_msg_content_free(&c);
    wg_buf_free(&b);
}

/* wraps inner `levels` times alternately in ephemeral / viewOnceV2 /
 * documentWithCaption */
static void wrap(const wg_buf_t *inner, int levels, wg_buf_t *out)
{
    wg_buf_t cur = WG_BUF_INIT;
    wg_buf_append(&cur, inner->p, inner->len);
    for (int i = 0; i < levels; i++) {
        Wa__FutureProofMessage f = WA__FUTURE_PROOF_MESSAGE__INIT;
        f.has_message = 1;
        f.message.data = cur.p;
        f.message.len = cur.len;
        Wa__Message w = WA__MESSAGE__INIT;
        if (i % 3 == 0)
            w.ephemeralmessage = &f;
        else if (i % 3 == 1)
            w.viewoncemessagev2 = &f;
        else
            w.documentwithcaptionmessage = &f;
        wg_buf_t next = WG_BUF_INIT;
        pack(&w.base, &next);
        wg_buf_free(&cur);
        cur = next;
    }
    *out = cur;
}

static void wrappers(void)
{
    wg_buf_t text = WG_BUF_INIT, w = WG_BUF_INIT;
    wg_wa_msg_encode_text("hi", NULL, NULL, NULL, NULL, &text);
    wrap(&text, 2, &w);
    wg_wa_msg_content_t c;
    WG_CHECK_INT(wg_wa_msg_decode(w.p, w.len, &c), 0);
    WG_CHECK_STR(c.message_type, "conversation");
    WG_CHECK_STR(c.text, "hi");
    char *s = dump(c.message);
    WG_CHECK_STR(s, "{\"conversation\":\"hi\"}");
    free(s);
    wg_wa_msg_content_free(&c);
    wg_buf_free(&w);
    wrap(&text, 4, &w);
    WG_CHECK_INT(wg_wa_msg_decode(w.p, w.len, &c), 0);
    wg_wa_msg_content_free(&c);
    wg_buf_free(&w);
    wrap(&text, 5, &w); /* deeper than any client nests */
    WG_CHECK_INT(wg_wa_msg_decode(w.p, w.len, &c), WG_EPROTO);
    wg_buf_free(&w);
    /* a wrapper without its message */
    Wa__FutureProofMessage f = WA__FUTURE_PROOF_MESSAGE__INIT;
    Wa__Message m = WA__MESSAGE__INIT;
    m.ephemeralmessage = &f;
    pack(&m.base, &w);
    WG_CHECK_INT(wg_wa_msg_decode(w.p, w.len, &c), WG_EPROTO);
    wg_buf_free(&w);
    wg_buf_free(&text);
}

static void stanza_side(void)
{
    wg_node_t *n = wg_node_new("message");
    wg_node_set_attr(n, "from", "120363000000000001@g.us");
    wg_node_set_attr(n, "participant", "777:3@lid");
    wg_node_set_attr(n, "participant_pn", "5599:3@s.whatsapp.net");
    wg_node_set_attr(n, "id", "X1");
    wg_node_t *e = wg_node_add_child(n, wg_node_new("enc"));
    wg_node_set_attr(e, "type", "skmsg");
    wg_node_set_attr(e, "v", "2");
    wg_node_set_attr(e, "count", "3");
    wg_node_set_bytes(e, "\x33", 1);
    wg_wa_msg_in_t in;
    WG_CHECK_INT(wg_wa_msg_in_parse(n, "5500:1@s.whatsapp.net", NULL, &in), 0);
    WG_CHECK_STR(in.participant_alt, "5599@s.whatsapp.net");
    WG_CHECK_STR(in.addressing_mode, "lid");
    WG_CHECK_STR(in.enc[0].v, "2");
    WG_CHECK_INT(in.enc[0].count, 3);
    WG_CHECK_STR(in.chat_alt, "");
    wg_node_set_attr(n, "addressing_mode", "pn");
    wg_node_set_attr(e, "count", "-4");
    WG_CHECK_INT(wg_wa_msg_in_parse(n, NULL, NULL, &in), 0);
    WG_CHECK_STR(in.addressing_mode, "pn");
    WG_CHECK_INT(in.enc[0].count, 0);
    wg_node_set_attr(n, "addressing_mode", "bogus");
    wg_node_set_attr(n, "participant_pn", "not a jid");
    WG_CHECK_INT(wg_wa_msg_in_parse(n, NULL, NULL, &in), 0);
    WG_CHECK_STR(in.addressing_mode, "lid");
    WG_CHECK_STR(in.participant_alt, "");
    wg_node_free(n);
}

int main(void)
{
    WG_RUN(protocol);
    WG_RUN(reaction);
    WG_RUN(wrappers);
    WG_RUN(stanza_side);
    return wg_test_done();
}
