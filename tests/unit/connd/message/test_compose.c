/* connd/message/compose: send requests as Messages — sendText options
 * (mentioned, linkPreview default and false, quoted), the reaction emoji
 * rule, revoke and edit ownership rules, the messageRaw / WAMessage JSON
 * and the store action; the first-URL and emoji helpers on their own. */
#include "message/compose.h"

#include <stdlib.h>
#include <string.h>

#include "wg_err.h"
#include "wg_test.h"

static char *dumps(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

/* checks that j, compact with sorted keys, is want (a macro: a failure names the caller's line) */
#define CHECK_JSON(j, want)                                                                        \
    do {                                                                                           \
        char *json_ = dumps(j);                                                                    \
        WG_CHECK_STR(json_, want);                                                                 \
        free(json_);                                                                               \
    } while (0)

/* the key of our own message 3EB0AA in the 1:1 chat 15551234567 */
static Wg__Ipc__MessageKeyReq own_key(void)
{
    Wg__Ipc__MessageKeyReq k = WG__IPC__MESSAGE_KEY_REQ__INIT;
    k.id = "3EB0AA";
    k.remote_jid = "15551234567@s.whatsapp.net";
    k.has_from_me = 1;
    k.from_me = 1;
    return k;
}

static void text_plain_and_options(void)
{
    wg_compose_t c;
    const char *why;
    Wg__Ipc__SendTextReq r = WG__IPC__SEND_TEXT_REQ__INIT;
    r.number = "5511999999999";
    r.text = "hi";
    WG_CHECK_INT(wg_compose_text(&r, &c, &why), 0);
    WG_CHECK(c.out.kind == WG_WA_OUT_TEXT && c.out.matched_url == NULL && c.out.n_mentions == 0);
    WG_CHECK_STR(c.message_type, "conversation");
    WG_CHECK(c.context_info == NULL && c.store == WG_COMPOSE_STORE_INSERT);
    wg_compose_free(&c);

    /* mentions: numbers become JIDs in contextInfo.mentionedJid */
    char *mentioned[] = {"+1 555 123 4567", "15557654321@s.whatsapp.net"};
    r.n_mentioned = 2;
    r.mentioned = mentioned;
    r.text = "hey @15551234567, see https://example.org/x. ok";
    WG_CHECK_INT(wg_compose_text(&r, &c, &why), 0);
    WG_CHECK_INT((int)c.out.n_mentions, 2);
    WG_CHECK_STR(c.out.mentions[0], "15551234567@s.whatsapp.net");
    CHECK_JSON(c.context_info, "{\"mentionedJid\":[\"15551234567@s.whatsapp.net\","
                               "\"15557654321@s.whatsapp.net\"]}");
    WG_CHECK_STR(c.out.matched_url, "https://example.org/x"); /* linkPreview defaults to on */
    CHECK_JSON(c.message, "{\"conversation\":\"hey @15551234567, see https://example.org/x. ok\"}");
    wg_compose_free(&c);

    /* linkPreview:false: no preview */
    r.has_link_preview = 1;
    r.link_preview = 0;
    WG_CHECK_INT(wg_compose_text(&r, &c, &why), 0);
    WG_CHECK(c.out.matched_url == NULL);
    wg_compose_free(&c);

    /* a mention that is not a number */
    char *bad[] = {"abc"};
    r.mentioned = bad;
    r.n_mentioned = 1;
    WG_CHECK_INT(wg_compose_text(&r, &c, &why), WG_EINVAL);
    WG_CHECK_STR(why, "mentioned must be a list of numbers");
    wg_compose_free(&c);

    /* mentionsEveryOne: the sender sets the participants later */
    r.n_mentioned = 0;
    r.has_mentions_every_one = 1;
    r.mentions_every_one = 1;
    WG_CHECK_INT(wg_compose_text(&r, &c, &why), 0);
    WG_CHECK(c.mentions_every_one);
    const char *all[] = {"1@s.whatsapp.net", "2@s.whatsapp.net", "3@lid"};
    wg_compose_set_mentions(&c, all, 3);
    WG_CHECK_INT((int)c.out.n_mentions, 3);
    WG_CHECK_INT((int)json_array_size(json_object_get(c.context_info, "mentionedJid")), 3);
    wg_compose_free(&c);
}

static void quoted_text(void)
{
    wg_compose_t c;
    const char *why;
    Wg__Ipc__SendTextReq r = WG__IPC__SEND_TEXT_REQ__INIT;
    r.number = "5511999999999";
    r.text = "reply";
    r.quoted_id = "3EB0Q";
    r.quoted_remote_jid = "5511999999999@s.whatsapp.net";
    r.quoted_text = "orig";
    WG_CHECK_INT(wg_compose_text(&r, &c, &why), 0);
    CHECK_JSON(c.context_info,
               "{\"participant\":\"5511999999999@s.whatsapp.net\",\"quotedMessage\":"
               "{\"conversation\":\"orig\"},\"stanzaId\":\"3EB0Q\"}");
    WG_CHECK_STR(c.out.quoted_id, "3EB0Q");
    wg_compose_free(&c);
}

static void reaction(void)
{
    wg_compose_t c;
    const char *why;
    Wg__Ipc__MessageKeyReq k = own_key();
    Wg__Ipc__SendReactionReq r = WG__IPC__SEND_REACTION_REQ__INIT;
    r.key = &k;
    r.reaction = "\xf0\x9f\x91\x8d"; /* thumbs up */
    WG_CHECK_INT(wg_compose_reaction(&r, 1717689097123LL, &c, &why), 0);
    WG_CHECK_STR(c.message_type, "reactionMessage");
    WG_CHECK_STR(c.number, "15551234567@s.whatsapp.net"); /* target = key.remoteJid */
    CHECK_JSON(c.message,
               "{\"reactionMessage\":{\"key\":{\"fromMe\":true,\"id\":\"3EB0AA\",\"remoteJid\":"
               "\"15551234567@s.whatsapp.net\"},\"senderTimestampMs\":1717689097123,"
               "\"text\":\"\xf0\x9f\x91\x8d\"}}");
    wg_compose_free(&c);
    r.reaction = "ok";
    WG_CHECK_INT(wg_compose_reaction(&r, 1, &c, &why), WG_EINVAL);
    WG_CHECK_STR(why, "Reaction must be a single emoji or empty string");
    wg_compose_free(&c);
    r.reaction = "";
    WG_CHECK_INT(wg_compose_reaction(&r, 1, &c, &why), 0);
    WG_CHECK_STR(c.out.text, "");
    wg_compose_free(&c);
    k.remote_jid = "not a jid";
    r.reaction = "\xe2\x9d\xa4\xef\xb8\x8f";
    WG_CHECK_INT(wg_compose_reaction(&r, 1, &c, &why), WG_EINVAL);
    WG_CHECK_STR(why, "key is invalid");
    wg_compose_free(&c);
}

static void revoke_and_edit(void)
{
    wg_compose_t c;
    const char *why;
    Wg__Ipc__MessageKeyReq k = own_key();
    Wg__Ipc__DeleteForEveryoneReq d = WG__IPC__DELETE_FOR_EVERYONE_REQ__INIT;
    d.key = &k;
    WG_CHECK_INT(wg_compose_revoke(&d, &c, &why), 0);
    WG_CHECK(c.store == WG_COMPOSE_STORE_REVOKE && c.raw_wa_message);
    CHECK_JSON(c.message,
               "{\"protocolMessage\":{\"key\":{\"fromMe\":true,\"id\":\"3EB0AA\",\"remoteJid\":"
               "\"15551234567@s.whatsapp.net\"},\"type\":\"REVOKE\"}}");
    WG_CHECK_STR(wg_wa_msg_edit_attr(&c.out), "7");
    wg_compose_free(&c);
    /* someone else's 1:1 message cannot be revoked */
    k.from_me = 0;
    WG_CHECK_INT(wg_compose_revoke(&d, &c, &why), WG_EINVAL);
    WG_CHECK_STR(why, "You cannot delete others messages");
    wg_compose_free(&c);
    /* a group admin may, with the author */
    k.remote_jid = "120363000000000000@g.us";
    k.participant = "15557654321@s.whatsapp.net";
    WG_CHECK_INT(wg_compose_revoke(&d, &c, &why), 0);
    WG_CHECK_STR(wg_wa_msg_edit_attr(&c.out), "8");
    wg_compose_free(&c);

    k.remote_jid = "15551234567@s.whatsapp.net";
    k.participant = NULL;
    k.from_me = 1;
    Wg__Ipc__UpdateMessageReq u = WG__IPC__UPDATE_MESSAGE_REQ__INIT;
    u.number = "15551234567";
    u.key = &k;
    u.text = "fixed";
    WG_CHECK_INT(wg_compose_edit(&u, 1717689097456LL, &c, &why), 0);
    WG_CHECK(c.store == WG_COMPOSE_STORE_EDIT);
    CHECK_JSON(c.message,
               "{\"protocolMessage\":{\"editedMessage\":{\"extendedTextMessage\":{\"text\":"
               "\"fixed\"}},\"key\":{\"fromMe\":true,\"id\":\"3EB0AA\",\"remoteJid\":"
               "\"15551234567@s.whatsapp.net\"},\"timestampMs\":\"1717689097456\",\"type\":"
               "\"MESSAGE_EDIT\"}}");
    wg_compose_free(&c);
    k.from_me = 0;
    WG_CHECK_INT(wg_compose_edit(&u, 1, &c, &why), WG_EINVAL);
    WG_CHECK_STR(why, "You cannot edit others messages");
    wg_compose_free(&c);
}

static void urls(void)
{
    char *u = wg_compose_first_url("a http://x.io/p?q=1), then https://y.io");
    WG_CHECK_STR(u, "http://x.io/p?q=1");
    free(u);
    u = wg_compose_first_url("(https://example.org/a.)");
    WG_CHECK_STR(u, "https://example.org/a");
    free(u);
    WG_CHECK(wg_compose_first_url("no url here http:// nor xhttps://a.b") == NULL);
    WG_CHECK(wg_compose_first_url(NULL) == NULL);
}

static void emojis(void)
{
    WG_CHECK(wg_compose_is_reaction(""));
    WG_CHECK(wg_compose_is_reaction("\xf0\x9f\x91\x8d"));                 /* 👍 */
    WG_CHECK(wg_compose_is_reaction("\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd")); /* 👍🏽 */
    WG_CHECK(wg_compose_is_reaction("\xe2\x9d\xa4\xef\xb8\x8f"));         /* ❤️ */
    WG_CHECK(wg_compose_is_reaction("\xf0\x9f\x87\xa7\xf0\x9f\x87\xb7")); /* 🇧🇷 */
    WG_CHECK(wg_compose_is_reaction("1\xef\xb8\x8f\xe2\x83\xa3"));        /* 1️⃣ */
    /* 👨‍👩‍👧 (ZWJ family) */
    WG_CHECK(wg_compose_is_reaction("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d"
                                    "\xf0\x9f\x91\xa7"));
    WG_CHECK(!wg_compose_is_reaction("\xf0\x9f\x91\x8d\xf0\x9f\x91\x8d")); /* two */
    WG_CHECK(!wg_compose_is_reaction("a"));
    WG_CHECK(!wg_compose_is_reaction("1"));
    WG_CHECK(!wg_compose_is_reaction("\xf0\x9f\x87\xa7"));             /* half a flag */
    WG_CHECK(!wg_compose_is_reaction("\xf0\x9f\x91"));                 /* truncated UTF-8 */
    WG_CHECK(!wg_compose_is_reaction("\xe2\x80\x8d"));                 /* lone ZWJ */
    WG_CHECK(!wg_compose_is_reaction("\xf0\x9f\x91\x8d\xe2\x80\x8d")); /* dangling ZWJ */
    WG_CHECK(!wg_compose_is_reaction(NULL));
}

int main(void)
{
    WG_RUN(text_plain_and_options);
    WG_RUN(quoted_text);
    WG_RUN(reaction);
    WG_RUN(revoke_and_edit);
    WG_RUN(urls);
    WG_RUN(emojis);
    return wg_test_done();
}
