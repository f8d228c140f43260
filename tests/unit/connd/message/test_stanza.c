/* connd/message/stanza: the outgoing <message> for 1:1 sends (participants,
 * skipped devices, device-identity only with a pkmsg), per-Message
 * attributes (type reaction, edit 7/1, decrypt-fail hide on every enc),
 * the group form (skmsg next to the SKDM participants, addressing_mode,
 * phash) and the retry resend form (one bare enc with count); phash
 * (whatsmeow's participantListHashV2) against independently computed values. */
#include "message/stanza.h"

#include <stdio.h>
#include <string.h>

#include "wg_err.h"
#include "wg_test.h"

static const uint8_t CT[3] = {1, 2, 3};
static const uint8_t ACCOUNT[4] = {9, 9, 9, 9};

static size_t count_tag(const wg_node_t *n, const char *tag)
{
    size_t k = 0;
    for (size_t i = 0; i < n->child_count; i++)
        k += strcmp(n->children[i]->tag, tag) == 0;
    return k;
}

static void direct(void)
{
    wg_wa_msg_out_t msg = {.kind = WG_WA_OUT_TEXT, .text = "hi"};
    wg_send_stanza_t st = {.id = "3EB0X",
                           .to = "1555@s.whatsapp.net",
                           .msg = &msg,
                           .account = ACCOUNT,
                           .account_len = sizeof ACCOUNT};
    wg_send_enc_t encs[] = {{"1555@s.whatsapp.net", "msg", CT, 3},
                            {"1555:2@s.whatsapp.net", "", NULL, 0}, /* no session: skipped */
                            {"1777:3@s.whatsapp.net", "msg", CT, 2}};
    wg_node_t *m = wg_send_build_stanza(&st, encs, 3);
    WG_CHECK_STR(m->tag, "message");
    WG_CHECK_STR(wg_node_attr(m, "id"), "3EB0X");
    WG_CHECK_STR(wg_node_attr(m, "to"), "1555@s.whatsapp.net");
    WG_CHECK_STR(wg_node_attr(m, "type"), "text");
    WG_CHECK(!wg_node_attr(m, "edit") && !wg_node_attr(m, "phash"));
    const wg_node_t *parts = wg_node_child(m, "participants");
    WG_CHECK(parts && parts->child_count == 2);
    WG_CHECK_STR(wg_node_attr(parts->children[1], "jid"), "1777:3@s.whatsapp.net");
    const wg_node_t *enc = wg_node_child(parts->children[0], "enc");
    WG_CHECK(enc && enc->data_len == 3 && memcmp(enc->data, CT, 3) == 0);
    WG_CHECK_STR(wg_node_attr(enc, "v"), "2");
    WG_CHECK_STR(wg_node_attr(enc, "type"), "msg");
    WG_CHECK(!wg_node_attr(enc, "decrypt-fail"));
    WG_CHECK(!wg_node_child(m, "device-identity")); /* no pkmsg */
    wg_node_free(m);

    encs[2].type = "pkmsg";
    m = wg_send_build_stanza(&st, encs, 3);
    const wg_node_t *di = wg_node_child(m, "device-identity");
    WG_CHECK(di && di->data_len == 4);
    wg_node_free(m);
}

static void per_message_attrs(void)
{
    wg_wa_msg_out_t r = {.kind = WG_WA_OUT_REACTION,
                         .text = "x",
                         .key = {"1555@s.whatsapp.net", true, "3EB0A", NULL}};
    wg_send_stanza_t st = {.id = "3EB0Y", .to = "1555@s.whatsapp.net", .msg = &r};
    wg_send_enc_t encs[] = {{"1555@s.whatsapp.net", "pkmsg", CT, 3},
                            {"1555:1@s.whatsapp.net", "msg", CT, 3}};
    wg_node_t *m = wg_send_build_stanza(&st, encs, 2);
    WG_CHECK_STR(wg_node_attr(m, "type"), "reaction");
    const wg_node_t *parts = wg_node_child(m, "participants");
    for (size_t i = 0; i < parts->child_count; i++)
        WG_CHECK_STR(wg_node_attr(wg_node_child(parts->children[i], "enc"), "decrypt-fail"),
                     "hide");
    WG_CHECK(!wg_node_child(m, "device-identity")); /* pkmsg, but no account given */
    wg_node_free(m);

    r.kind = WG_WA_OUT_REVOKE;
    m = wg_send_build_stanza(&st, encs, 2);
    WG_CHECK_STR(wg_node_attr(m, "type"), "text");
    WG_CHECK_STR(wg_node_attr(m, "edit"), "7");
    wg_node_free(m);
    r.kind = WG_WA_OUT_EDIT;
    m = wg_send_build_stanza(&st, encs, 2);
    WG_CHECK_STR(wg_node_attr(m, "edit"), "1");
    WG_CHECK_STR(wg_node_attr(wg_node_child(wg_node_child(m, "participants")->children[0], "enc"),
                              "decrypt-fail"),
                 "hide");
    wg_node_free(m);
}

static void group(void)
{
    wg_wa_msg_out_t msg = {.kind = WG_WA_OUT_TEXT, .text = "to all"};
    uint8_t sk[5] = {5, 4, 3, 2, 1};
    wg_send_stanza_t st = {.id = "3EB0G",
                           .to = "120363000000000000@g.us",
                           .msg = &msg,
                           .account = ACCOUNT,
                           .account_len = 4,
                           .phash = "2:abcdef",
                           .addressing_mode = "lid",
                           .skmsg = sk,
                           .skmsg_len = sizeof sk,
                           .expiration = 86400};
    wg_send_enc_t skdm[] = {{"11@lid", "pkmsg", CT, 3}};
    wg_node_t *m = wg_send_build_stanza(&st, skdm, 1);
    WG_CHECK_STR(wg_node_attr(m, "addressing_mode"), "lid");
    WG_CHECK_STR(wg_node_attr(m, "phash"), "2:abcdef");
    WG_CHECK_STR(wg_node_attr(m, "expiration"), "86400");
    WG_CHECK_INT((int)count_tag(m, "participants"), 1);
    WG_CHECK_INT((int)count_tag(m, "enc"), 1);
    const wg_node_t *e = wg_node_child(m, "enc");
    WG_CHECK_STR(wg_node_attr(e, "type"), "skmsg");
    WG_CHECK(e->data_len == 5 && e->data[0] == 5);
    /* participants come before the skmsg, device-identity last */
    WG_CHECK_STR(m->children[0]->tag, "participants");
    WG_CHECK_STR(m->children[1]->tag, "enc");
    WG_CHECK_STR(m->children[2]->tag, "device-identity");
    wg_node_free(m);
    /* every device already has our sender key: skmsg only, no participants */
    m = wg_send_build_stanza(&st, NULL, 0);
    WG_CHECK_INT((int)count_tag(m, "participants"), 0);
    WG_CHECK_INT((int)count_tag(m, "enc"), 1);
    WG_CHECK(!wg_node_child(m, "device-identity"));
    wg_node_free(m);
}

static void retry(void)
{
    wg_wa_msg_out_t msg = {.kind = WG_WA_OUT_TEXT, .text = "again"};
    wg_send_stanza_t st = {.id = "3EB0R",
                           .to = "120363000000000000@g.us",
                           .msg = &msg,
                           .participant = "15551234567:3@s.whatsapp.net",
                           .retry_count = 2,
                           .account = ACCOUNT,
                           .account_len = 4};
    wg_send_enc_t one[] = {{"15551234567:3@s.whatsapp.net", "pkmsg", CT, 3}};
    wg_node_t *m = wg_send_build_stanza(&st, one, 1);
    WG_CHECK_STR(wg_node_attr(m, "id"), "3EB0R");
    WG_CHECK_STR(wg_node_attr(m, "participant"), "15551234567:3@s.whatsapp.net");
    WG_CHECK(!wg_node_child(m, "participants"));
    const wg_node_t *e = wg_node_child(m, "enc");
    WG_CHECK(e != NULL);
    WG_CHECK_STR(wg_node_attr(e, "count"), "2");
    WG_CHECK_STR(wg_node_attr(e, "type"), "pkmsg");
    WG_CHECK(wg_node_child(m, "device-identity") != NULL);
    wg_node_free(m);
}

static void phash(void)
{
    char out[12];
    /* whatsmeow's participantListHashV2 over the ADString forms, computed
     * independently: python3 hashlib/base64 over "15550001111.0:5@s.whatsapp.net"
     * "15551234567.0:0@s.whatsapp.net" "15551234567.0:2@s.whatsapp.net" */
    const char *a[] = {"15551234567:2@s.whatsapp.net", "15550001111:5@s.whatsapp.net",
                       "15551234567@s.whatsapp.net"};
    WG_CHECK_INT(wg_send_phash(a, 3, out), 0);
    WG_CHECK_STR(out, "2:GY83fDn7");
    WG_CHECK_STR(a[0], "15551234567:2@s.whatsapp.net"); /* input order kept */
    const char *b[] = {"123@lid"};
    WG_CHECK_INT(wg_send_phash(b, 1, out), 0);
    WG_CHECK_STR(out, "2:G/inIlGy");
    WG_CHECK_INT(wg_send_phash(b, 0, out), WG_EINVAL);
}

static int same_encoding(const wg_node_t *a, const wg_node_t *b)
{
    wg_buf_t x = WG_BUF_INIT, y = WG_BUF_INIT;
    int ok = wg_node_encode(a, &x) == 0 && wg_node_encode(b, &y) == 0 && x.len == y.len &&
             memcmp(x.p, y.p, x.len) == 0;
    wg_buf_free(&x);
    wg_buf_free(&y);
    return ok;
}

/* The view encodes to the same bytes as the tree built node by node with
 * the node API; its ciphertexts are borrowed, not copied; more devices
 * than the view holds inline (a group) and the retry form too. */
static void view_is_the_same_stanza(void)
{
    wg_wa_msg_out_t msg = {.kind = WG_WA_OUT_REACTION, .text = "x"};
    wg_send_stanza_t st = {.id = "3EB0V",
                           .to = "1555@s.whatsapp.net",
                           .msg = &msg,
                           .account = ACCOUNT,
                           .account_len = sizeof ACCOUNT};
    wg_send_enc_t encs[] = {{"1555@s.whatsapp.net", "pkmsg", CT, 3},
                            {"1555:2@s.whatsapp.net", NULL, NULL, 0},
                            {"1777:3@s.whatsapp.net", "msg", CT, 2}};
    wg_node_t *want = wg_node_new("message");
    wg_node_set_attr(want, "id", "3EB0V");
    wg_node_set_attr(want, "to", "1555@s.whatsapp.net");
    wg_node_set_attr(want, "type", "reaction");
    wg_node_t *parts = wg_node_add_child(want, wg_node_new("participants"));
    for (size_t i = 0; i < 3; i += 2) {
        wg_node_t *to = wg_node_add_child(parts, wg_node_new("to"));
        wg_node_set_attr(to, "jid", encs[i].jid);
        wg_node_t *enc = wg_node_add_child(to, wg_node_new("enc"));
        wg_node_set_attr(enc, "v", "2");
        wg_node_set_attr(enc, "type", encs[i].type);
        wg_node_set_attr(enc, "decrypt-fail", "hide");
        wg_node_set_bytes(enc, encs[i].ct, encs[i].len);
    }
    wg_node_set_bytes(wg_node_add_child(want, wg_node_new("device-identity")), ACCOUNT,
                      sizeof ACCOUNT);
    wg_send_view_t v;
    const wg_node_t *m = wg_send_view_build(&v, &st, encs, 3);
    WG_CHECK(same_encoding(m, want));
    WG_CHECK(v.devs == v.few_devs);
    const wg_node_t *enc = wg_node_child(wg_node_child(m, "participants")->children[0], "enc");
    WG_CHECK(enc && enc->data == CT); /* borrowed */
    wg_node_t *built = wg_send_build_stanza(&st, encs, 3);
    WG_CHECK(same_encoding(built, want));
    wg_node_free(built);
    wg_send_view_release(&v);
    wg_node_free(want);

    /* a group of 20 devices: the view allocates its device arrays */
    enum { N = 20 };
    char jids[N][32];
    wg_send_enc_t many[N];
    for (size_t i = 0; i < N; i++) {
        snprintf(jids[i], sizeof jids[i], "%zu@lid", 100 + i);
        many[i] = (wg_send_enc_t){jids[i], i == 7 ? "" : "msg", CT, 1 + i % 3};
    }
    uint8_t sk[2] = {7, 7};
    wg_send_stanza_t gs = {.id = "3EB0W",
                           .to = "120363000000000000@g.us",
                           .msg = &msg,
                           .phash = "2:abcdefgh",
                           .addressing_mode = "lid",
                           .skmsg = sk,
                           .skmsg_len = 2,
                           .expiration = 604800};
    m = wg_send_view_build(&v, &gs, many, N);
    WG_CHECK(v.devs != v.few_devs);
    WG_CHECK_INT(wg_node_child(m, "participants")->child_count, N - 1);
    WG_CHECK_STR(wg_node_attr(m, "expiration"), "604800");
    built = wg_send_build_stanza(&gs, many, N);
    WG_CHECK(same_encoding(m, built));
    WG_CHECK_STR(wg_node_attr(wg_node_child(built, "enc"), "decrypt-fail"), "hide");
    wg_node_free(built);
    wg_send_view_release(&v);

    /* the retry form: one bare enc with count */
    wg_send_stanza_t rs = st;
    rs.retry_count = 3;
    rs.recipient = "1555@s.whatsapp.net";
    m = wg_send_view_build(&v, &rs, encs + 2, 1);
    WG_CHECK_STR(wg_node_attr(wg_node_child(m, "enc"), "count"), "3");
    WG_CHECK(!wg_node_child(m, "participants") && !wg_node_child(m, "device-identity"));
    built = wg_send_build_stanza(&rs, encs + 2, 1);
    WG_CHECK(same_encoding(m, built));
    wg_node_free(built);
    wg_send_view_release(&v);
}

int main(void)
{
    WG_RUN(direct);
    WG_RUN(per_message_attrs);
    WG_RUN(group);
    WG_RUN(retry);
    WG_RUN(phash);
    WG_RUN(view_is_the_same_stanza);
    return wg_test_done();
}
