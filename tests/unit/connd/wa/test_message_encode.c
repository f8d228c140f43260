/* connd/wa/message.c, encode side: every Message connd sends is
 * byte-identical to Baileys 7's proto.Message.encode of the same object
 * (vectors/message_encode.json, tests/tools/wa-vectors/gen-message.mjs),
 * decodes back through our own decoder, and bad input is refused; the
 * stanza type / edit attribute rules. */
#include "wa/message.h"

#include <string.h>

#include "wa_vectors.h"
#include "wg_err.h"
#include "wg_test.h"

#define PEER "15551234567@s.whatsapp.net"
#define KEY_ID "3EB0AABBCCDDEEFF001122"

static json_t *g_vectors;

static const char *want(const char *name)
{
    for (size_t i = 0; i < json_array_size(g_vectors); i++) {
        json_t *v = json_array_get(g_vectors, i);
        if (strcmp(wa_json_str(v, "name"), name) == 0)
            return wa_json_str(v, "hex");
    }
    return "(no such vector)";
}

static void check_vector(const char *name, const wg_wa_msg_out_t *m, const char *dsm)
{
    wg_buf_t out = WG_BUF_INIT, hex = WG_BUF_INIT;
    WG_CHECK_INT(wg_wa_msg_encode(m, dsm, &out), 0);
    wa_hex_of(&hex, out.p, out.len);
    if (strcmp(wg_buf_cstr(&hex), want(name)) != 0)
        fprintf(stderr, "vector %s:\n ours   %s\n baileys %s\n", name, wg_buf_cstr(&hex),
                want(name));
    WG_CHECK_STR(wg_buf_cstr(&hex), want(name));
    /* our decoder reads it back */
    wg_wa_msg_content_t c;
    WG_CHECK_INT(wg_wa_msg_decode(out.p, out.len, &c), 0);
    wg_wa_msg_content_free(&c);
    wg_buf_free(&out);
    wg_buf_free(&hex);
}

static const wg_wa_msg_key_t g_key = {PEER, true, KEY_ID, NULL};

static void text_forms(void)
{
    wg_wa_msg_out_t m = {.kind = WG_WA_OUT_TEXT, .text = "hello \xc3\xa9\xf0\x9f\x98\x80"};
    check_vector("conversation", &m, NULL);
    WG_CHECK_STR(wg_wa_msg_stanza_type(&m), "text");
    WG_CHECK(wg_wa_msg_edit_attr(&m) == NULL);

    wg_wa_msg_out_t q = {.kind = WG_WA_OUT_TEXT,
                         .text = "reply",
                         .quoted_id = "3EB0000000000000000001",
                         .quoted_participant = PEER,
                         .quoted_text = "original"};
    check_vector("quoted", &q, NULL);

    const char *jids[] = {PEER, "15557654321@s.whatsapp.net"};
    wg_wa_msg_out_t mm = {.kind = WG_WA_OUT_TEXT,
                          .text = "hi @15551234567 @15557654321",
                          .mentions = jids,
                          .n_mentions = 2};
    check_vector("mentions", &mm, NULL);

    wg_wa_msg_out_t l = {.kind = WG_WA_OUT_TEXT,
                         .text = "see https://example.org/a?b=1 now",
                         .matched_url = "https://example.org/a?b=1"};
    check_vector("link_preview", &l, NULL);

    /* the old entry point still gives the same bytes */
    wg_buf_t a = WG_BUF_INIT, hex = WG_BUF_INIT;
    wg_wa_msg_encode_text("reply", "3EB0000000000000000001", PEER, "original", NULL, &a);
    wa_hex_of(&hex, a.p, a.len);
    WG_CHECK_STR(wg_buf_cstr(&hex), want("quoted"));
    wg_buf_free(&a);
    wg_buf_free(&hex);
}

static void key_forms(void)
{
    wg_wa_msg_out_t r = {.kind = WG_WA_OUT_REACTION,
                         .text = "\xf0\x9f\x91\x8d",
                         .key = g_key,
                         .timestamp_ms = 1717689097123LL};
    check_vector("reaction", &r, NULL);
    check_vector("dsm_reaction", &r, PEER);
    WG_CHECK_STR(wg_wa_msg_stanza_type(&r), "reaction");
    WG_CHECK(wg_wa_msg_edit_attr(&r) == NULL);
    r.text = "";
    check_vector("reaction_remove", &r, NULL);

    wg_wa_msg_out_t v = {.kind = WG_WA_OUT_REVOKE, .key = g_key};
    check_vector("revoke", &v, NULL);
    WG_CHECK_STR(wg_wa_msg_stanza_type(&v), "text");
    WG_CHECK_STR(wg_wa_msg_edit_attr(&v), "7");
    v.key.remote_jid = "120363000000000000@g.us";
    v.key.from_me = false;
    WG_CHECK_STR(wg_wa_msg_edit_attr(&v), "8"); /* admin revoke */

    wg_wa_msg_out_t e = {
        .kind = WG_WA_OUT_EDIT, .text = "edited", .key = g_key, .timestamp_ms = 1717689097456LL};
    check_vector("edit", &e, NULL);
    WG_CHECK_STR(wg_wa_msg_edit_attr(&e), "1");
    WG_CHECK_STR(wg_wa_msg_stanza_type(&e), "text");
}

static void refused(void)
{
    wg_buf_t out = WG_BUF_INIT;
    wg_wa_msg_out_t t = {.kind = WG_WA_OUT_TEXT, .text = NULL};
    WG_CHECK_INT(wg_wa_msg_encode(&t, NULL, &out), WG_EINVAL);
    wg_wa_msg_out_t r = {.kind = WG_WA_OUT_REACTION, .text = "x"};
    WG_CHECK_INT(wg_wa_msg_encode(&r, NULL, &out), WG_EINVAL); /* no key */
    wg_wa_msg_out_t k = {.kind = (wg_wa_out_kind_t)99, .key = g_key};
    WG_CHECK_INT(wg_wa_msg_encode(&k, PEER, &out), WG_EINVAL);
    WG_CHECK_INT((int)out.len, 0);
    wg_buf_free(&out);
}

int main(void)
{
    g_vectors = wa_load_repo_vector("message_encode.json");
    if (!g_vectors)
        return 1;
    WG_RUN(text_forms);
    WG_RUN(key_forms);
    WG_RUN(refused);
    json_decref(g_vectors);
    return wg_test_done();
}
