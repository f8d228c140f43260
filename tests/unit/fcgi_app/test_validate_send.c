/* fcgi-app/validate.c for the sending routes: sendText's mentioned /
 * mentionsEveryOne / linkPreview, sendReaction, deleteMessageForEveryone
 * (a DELETE with a body) and updateMessage: good bodies build the IPC
 * request, missing and mistyped properties get Evolution's messages, and
 * the router knows the routes and their methods. */
#include "router.h"
#include "validate.h"
#include "wg_err.h"
#include "wg_test.h"
#include "fcgi_app/validate_fixture.h"

#include <stdio.h>
#include <string.h>

static int run(wg_route_id_t route, const char *body)
{
    return validate_run(route, "inst", "", body);
}

static void send_text_options(void)
{
    WG_CHECK_INT(run(WG_ROUTE_SEND_TEXT, "{\"number\":\"5511999999999\",\"text\":\"hi\","
                                         "\"mentioned\":[\"5511988887777\",\"1@s.whatsapp.net\"],"
                                         "\"mentionsEveryOne\":true,\"linkPreview\":false}"),
                 WG_OK);
    Wg__Ipc__SendTextReq *t = req.send_text;
    WG_CHECK(req.op_case == WG__IPC__REQUEST__OP_SEND_TEXT && t);
    WG_CHECK_INT((int)t->n_mentioned, 2);
    WG_CHECK_STR(t->mentioned[1], "1@s.whatsapp.net");
    WG_CHECK(t->has_mentions_every_one && t->mentions_every_one);
    WG_CHECK(t->has_link_preview && !t->link_preview);
    WG_CHECK_INT(run(WG_ROUTE_SEND_TEXT, "{\"number\":\"1\",\"text\":\"x\"}"), WG_OK);
    WG_CHECK(!req.send_text->has_link_preview && req.send_text->n_mentioned == 0);
    WG_CHECK_INT(run(WG_ROUTE_SEND_TEXT, "{\"number\":\"1\",\"text\":\"x\",\"mentioned\":\"1\"}"),
                 WG_EINVAL);
    WG_CHECK(has_msg("mentioned is not of a type(s) array"));
    WG_CHECK_INT(run(WG_ROUTE_SEND_TEXT, "{\"number\":\"1\",\"text\":\"x\",\"mentioned\":[1]}"),
                 WG_EINVAL);
    WG_CHECK(has_msg("mentioned[0] is not of a type(s) string"));
    WG_CHECK_INT(run(WG_ROUTE_SEND_TEXT, "{\"number\":\"1\",\"text\":\"x\",\"linkPreview\":1,"
                                         "\"mentionsEveryOne\":\"y\"}"),
                 WG_EINVAL);
    WG_CHECK_INT((int)errs.n, 2);
}

static void reaction(void)
{
    WG_CHECK_INT(run(WG_ROUTE_SEND_REACTION, "{\"key\":{\"id\":\"3EB0\",\"remoteJid\":"
                                             "\"1@s.whatsapp.net\",\"fromMe\":true},"
                                             "\"reaction\":\"\xf0\x9f\x91\x8d\"}"),
                 WG_OK);
    WG_CHECK(req.op_case == WG__IPC__REQUEST__OP_SEND_REACTION);
    WG_CHECK_STR(req.send_reaction->key->id, "3EB0");
    WG_CHECK(req.send_reaction->key->from_me);
    WG_CHECK_STR(req.send_reaction->reaction, "\xf0\x9f\x91\x8d");
    WG_CHECK_INT(run(WG_ROUTE_SEND_REACTION, "{\"reaction\":\"x\"}"), WG_EINVAL);
    WG_CHECK(has_msg("instance requires property \"key\""));
    WG_CHECK_INT(run(WG_ROUTE_SEND_REACTION, "{\"key\":{\"id\":\"\",\"remoteJid\":1}}"), WG_EINVAL);
    WG_CHECK(has_msg("key.id is required"));
    WG_CHECK(has_msg("key.remoteJid is not of a type(s) string"));
    WG_CHECK(has_msg("key requires property \"fromMe\""));
    WG_CHECK(has_msg("instance requires property \"reaction\""));
}

static void delete_for_everyone(void)
{
    WG_CHECK_INT(run(WG_ROUTE_DELETE_FOR_EVERYONE,
                     "{\"id\":\"3EB0\",\"fromMe\":false,\"remoteJid\":\"120363000000000000@g.us\","
                     "\"participant\":\"1@s.whatsapp.net\"}"),
                 WG_OK);
    WG_CHECK(req.op_case == WG__IPC__REQUEST__OP_DELETE_FOR_EVERYONE);
    WG_CHECK(!req.delete_for_everyone->key->from_me);
    WG_CHECK_STR(req.delete_for_everyone->key->participant, "1@s.whatsapp.net");
    WG_CHECK_INT(run(WG_ROUTE_DELETE_FOR_EVERYONE, "{\"id\":\"3EB0\"}"), WG_EINVAL);
    WG_CHECK(has_msg("instance requires property \"remoteJid\""));
    WG_CHECK(has_msg("instance requires property \"fromMe\""));
    WG_CHECK_INT(run(WG_ROUTE_DELETE_FOR_EVERYONE, NULL), WG_EINVAL);
}

static void update_message(void)
{
    WG_CHECK_INT(run(WG_ROUTE_UPDATE_MESSAGE,
                     "{\"number\":\"5511\",\"key\":{\"id\":\"3EB0\",\"fromMe\":true,"
                     "\"remoteJid\":\"5511@s.whatsapp.net\"},\"text\":\"new\"}"),
                 WG_OK);
    WG_CHECK(req.op_case == WG__IPC__REQUEST__OP_UPDATE_MESSAGE);
    WG_CHECK_STR(req.update_message->text, "new");
    WG_CHECK_STR(req.update_message->key->remote_jid, "5511@s.whatsapp.net");
    WG_CHECK_INT(run(WG_ROUTE_UPDATE_MESSAGE,
                     "{\"number\":\"\",\"key\":{\"id\":\"x\","
                     "\"fromMe\":true,\"remoteJid\":\"y\"},\"text\":\"\"}"),
                 WG_EINVAL);
    WG_CHECK(has_msg("number is required"));
    WG_CHECK(has_msg("Text is required"));
}

static void routes(void)
{
    wg_route_match_t m;
    WG_CHECK_INT(wg_router_match("DELETE", "/chat/deleteMessageForEveryone/a1", &arena, &m),
                 WG_MATCH_OK);
    WG_CHECK(m.route == WG_ROUTE_DELETE_FOR_EVERYONE);
    WG_CHECK_STR(m.name, "a1");
    WG_CHECK_INT(wg_router_match("POST", "/chat/deleteMessageForEveryone/a1", &arena, &m),
                 WG_MATCH_BAD_METHOD);
    WG_CHECK_INT(wg_router_match("POST", "/chat/updateMessage/a1", &arena, &m), WG_MATCH_OK);
    WG_CHECK(m.route == WG_ROUTE_UPDATE_MESSAGE);
    WG_CHECK_INT(wg_router_match("POST", "/message/sendReaction/a1", &arena, &m), WG_MATCH_OK);
    WG_CHECK(m.route == WG_ROUTE_SEND_REACTION);
}

int main(void)
{
    wg_arena_init(&arena, 0);
    WG_RUN(send_text_options);
    WG_RUN(reaction);
    WG_RUN(delete_for_everyone);
    WG_RUN(update_message);
    WG_RUN(routes);
    wg_arena_free(&arena);
    return wg_test_done();
}
