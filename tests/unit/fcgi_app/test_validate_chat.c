/* Unit tests for fcgi-app/validate_chat.c through wg_validate_request: for
 * each chat route a good body (the built IPC request), then missing,
 * mistyped and out-of-range properties with Evolution's messages, and
 * malformed JSON. */
#include "validate.h"
#include "wg_err.h"
#include "wg_test.h"
#include "fcgi_app/validate_fixture.h"

static int run(wg_route_id_t route, const char *body)
{
    return validate_run(route, "inst", "", body);
}

static void whatsapp_numbers(void)
{
    WG_CHECK_INT(run(WG_ROUTE_WHATSAPP_NUMBERS, "{\"numbers\":[\"5511999\",\"1@s.whatsapp.net\"]}"),
                 WG_OK);
    WG_CHECK_INT(req.op_case, WG__IPC__REQUEST__OP_WHATSAPP_NUMBERS);
    WG_CHECK_STR(req.instance_name, "inst");
    WG_CHECK_INT(req.whatsapp_numbers->n_numbers, 2);
    WG_CHECK_STR(req.whatsapp_numbers->numbers[1], "1@s.whatsapp.net");
    WG_CHECK_INT(run(WG_ROUTE_WHATSAPP_NUMBERS, "{}"), WG_EINVAL);
    WG_CHECK(has_msg("instance requires property \"numbers\""));
    WG_CHECK_INT(run(WG_ROUTE_WHATSAPP_NUMBERS, "{\"numbers\":\"1\"}"), WG_EINVAL);
    WG_CHECK(has_msg("numbers is not of a type(s) array"));
    WG_CHECK_INT(run(WG_ROUTE_WHATSAPP_NUMBERS, "{\"numbers\":[]}"), WG_EINVAL);
    WG_CHECK(has_msg("numbers does not meet minimum length of 1"));
    WG_CHECK_INT(run(WG_ROUTE_WHATSAPP_NUMBERS, "{\"numbers\":[\"1\",2]}"), WG_EINVAL);
    WG_CHECK(has_msg("numbers[1] is not of a type(s) string"));
}

static void mark_read(void)
{
    WG_CHECK_INT(run(WG_ROUTE_MARK_READ,
                     "{\"readMessages\":[{\"id\":\"A\",\"fromMe\":false,\"remoteJid\":"
                     "\"1@s.whatsapp.net\"},{\"id\":\"B\",\"fromMe\":true,\"remoteJid\":"
                     "\"2@g.us\",\"participant\":\"3@s.whatsapp.net\"}]}"),
                 WG_OK);
    WG_CHECK_INT(req.op_case, WG__IPC__REQUEST__OP_MARK_READ);
    WG_CHECK_INT(req.mark_read->n_messages, 2);
    WG_CHECK_STR(req.mark_read->messages[0]->id, "A");
    WG_CHECK(!req.mark_read->messages[0]->from_me);
    WG_CHECK(req.mark_read->messages[1]->from_me);
    WG_CHECK_STR(req.mark_read->messages[1]->participant, "3@s.whatsapp.net");
    WG_CHECK_INT(run(WG_ROUTE_MARK_READ, "{}"), WG_EINVAL);
    WG_CHECK(has_msg("instance requires property \"readMessages\""));
    WG_CHECK_INT(run(WG_ROUTE_MARK_READ, "{\"readMessages\":{}}"), WG_EINVAL);
    WG_CHECK(has_msg("readMessages is not of a type(s) array"));
    WG_CHECK_INT(run(WG_ROUTE_MARK_READ, "{\"readMessages\":[{\"fromMe\":1},7]}"), WG_EINVAL);
    WG_CHECK(has_msg("readMessages[0] requires property \"id\""));
    WG_CHECK(has_msg("readMessages[0] requires property \"remoteJid\""));
    WG_CHECK(has_msg("readMessages[0].fromMe is not of a type(s) boolean"));
    WG_CHECK(has_msg("readMessages[1] is not of a type(s) object"));
    WG_CHECK_INT(run(WG_ROUTE_MARK_READ,
                     "{\"readMessages\":[{\"id\":\"\",\"fromMe\":false,\"remoteJid\":\"x\"}]}"),
                 WG_EINVAL);
    WG_CHECK(has_msg("readMessages[0].id cannot be empty"));
    WG_CHECK(has_msg("readMessages[0].remoteJid must be a JID (user@server)"));
}

static void send_presence(void)
{
    WG_CHECK_INT(run(WG_ROUTE_SEND_PRESENCE,
                     "{\"number\":\"+55 11 9999\",\"presence\":\"recording\",\"delay\":1200}"),
                 WG_OK);
    WG_CHECK_INT(req.op_case, WG__IPC__REQUEST__OP_SEND_PRESENCE);
    WG_CHECK_STR(req.send_presence->presence, "recording");
    WG_CHECK(req.send_presence->has_delay_ms && req.send_presence->delay_ms == 1200);
    WG_CHECK_INT(run(WG_ROUTE_SEND_PRESENCE, "{}"), WG_EINVAL);
    WG_CHECK(has_msg("instance requires property \"number\""));
    WG_CHECK(has_msg("instance requires property \"presence\""));
    WG_CHECK(has_msg("instance requires property \"delay\""));
    WG_CHECK_INT(
        run(WG_ROUTE_SEND_PRESENCE, "{\"number\":\"abc\",\"presence\":\"typing\",\"delay\":-1}"),
        WG_EINVAL);
    WG_CHECK(has_msg("Invalid format"));
    WG_CHECK(has_msg("presence is not one of enum values: unavailable,available,composing,"
                     "recording,paused"));
    WG_CHECK(has_msg("delay is not of a type(s) integer"));
}

static void profile_picture(void)
{
    WG_CHECK_INT(run(WG_ROUTE_PROFILE_PICTURE, "{\"number\":\"5511999\"}"), WG_OK);
    WG_CHECK_INT(req.op_case, WG__IPC__REQUEST__OP_PROFILE_PICTURE);
    WG_CHECK_STR(req.profile_picture->number, "5511999");
    WG_CHECK_INT(run(WG_ROUTE_PROFILE_PICTURE, "{\"number\":5}"), WG_EINVAL);
    WG_CHECK(has_msg("number is not of a type(s) string"));
    WG_CHECK_INT(run(WG_ROUTE_PROFILE_PICTURE, ""), WG_EINVAL);
    WG_CHECK(has_msg("instance requires property \"number\""));
}

static void finds(void)
{
    WG_CHECK_INT(run(WG_ROUTE_FIND_CONTACTS, ""), WG_OK); /* empty body = {} */
    WG_CHECK_INT(req.op_case, WG__IPC__REQUEST__OP_FIND_CONTACTS);
    WG_CHECK(!req.find_contacts->remote_jid);
    WG_CHECK_INT(run(WG_ROUTE_FIND_CONTACTS,
                     "{\"where\":{\"remoteJid\":\"1@s.whatsapp.net\"},\"offset\":5,\"page\":2}"),
                 WG_OK);
    WG_CHECK_STR(req.find_contacts->remote_jid, "1@s.whatsapp.net");
    WG_CHECK(req.find_contacts->page_size == 5 && req.find_contacts->page == 2);
    WG_CHECK_INT(run(WG_ROUTE_FIND_CONTACTS, "{\"where\":[],\"page\":\"1\"}"), WG_EINVAL);
    WG_CHECK(has_msg("where is not of a type(s) object"));
    WG_CHECK(has_msg("page is not of a type(s) integer"));
    WG_CHECK_INT(run(WG_ROUTE_FIND_CHATS,
                     "{\"where\":{\"remoteJid\":\"1@s.whatsapp.net\",\"messageTimestamp\":"
                     "{\"gte\":\"2024-06-06\",\"lte\":1717689600000}},\"take\":3,\"skip\":1}"),
                 WG_OK);
    WG_CHECK_INT(req.op_case, WG__IPC__REQUEST__OP_FIND_CHATS);
    WG_CHECK(req.find_chats->has_ts_gte && req.find_chats->ts_gte == 1717632000);
    WG_CHECK(req.find_chats->has_ts_lte && req.find_chats->ts_lte == 1717689600);
    WG_CHECK(req.find_chats->take == 3 && req.find_chats->skip == 1);
    WG_CHECK_INT(run(WG_ROUTE_FIND_CHATS,
                     "{\"where\":{\"remoteJid\":1,\"messageTimestamp\":{\"gte\":\"soon\"}}}"),
                 WG_EINVAL);
    WG_CHECK(has_msg("where.remoteJid is not of a type(s) string"));
    WG_CHECK(has_msg("where.messageTimestamp.gte is not of a type(s) date"));
}

static void malformed(void)
{
    wg_route_id_t routes[] = {WG_ROUTE_WHATSAPP_NUMBERS, WG_ROUTE_MARK_READ,
                              WG_ROUTE_SEND_PRESENCE,    WG_ROUTE_PROFILE_PICTURE,
                              WG_ROUTE_FIND_CONTACTS,    WG_ROUTE_FIND_CHATS};
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        WG_CHECK_INT(run(routes[i], "{\"a\":"), WG_EINVAL);
        WG_CHECK(errs.n == 1 && strncmp(errs.items[0], "Malformed JSON body: ", 21) == 0);
        WG_CHECK_INT(run(routes[i], "[1]"), WG_EINVAL);
        WG_CHECK(has_msg("instance is not of a type(s) object"));
    }
}

int main(void)
{
    wg_arena_init(&arena, 0);
    WG_RUN(whatsapp_numbers);
    WG_RUN(mark_read);
    WG_RUN(send_presence);
    WG_RUN(profile_picture);
    WG_RUN(finds);
    WG_RUN(malformed);
    wg_arena_free(&arena);
    return wg_test_done();
}
