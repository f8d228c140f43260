/* Unit tests for fcgi-app/router.c: every route, trailing slash, :name
 * decoding, 404 vs 405 with Allow, malformed escapes. */
#include "router.h"
#include "wg_test.h"

static wg_arena_t arena;

static void every_route_matches(void)
{
    static const struct {
        const char *method, *path;
        wg_route_id_t id;
        const char *name;
    } cases[] = {
        {"GET", "/", WG_ROUTE_ROOT, NULL},
        {"POST", "/instance/create", WG_ROUTE_INSTANCE_CREATE, NULL},
        {"GET", "/instance/fetchInstances", WG_ROUTE_FETCH_INSTANCES, NULL},
        {"GET", "/instance/connectionState/a1", WG_ROUTE_CONNECTION_STATE, "a1"},
        {"DELETE", "/instance/logout/a1", WG_ROUTE_LOGOUT, "a1"},
        {"DELETE", "/instance/delete/a1", WG_ROUTE_DELETE, "a1"},
        {"POST", "/settings/set/a1", WG_ROUTE_SETTINGS_SET, "a1"},
        {"GET", "/settings/find/a1", WG_ROUTE_SETTINGS_FIND, "a1"},
        {"POST", "/webhook/set/a1", WG_ROUTE_WEBHOOK_SET, "a1"},
        {"GET", "/webhook/find/a1", WG_ROUTE_WEBHOOK_FIND, "a1"},
        {"POST", "/websocket/set/a1", WG_ROUTE_WEBSOCKET_SET, "a1"},
        {"GET", "/websocket/find/a1", WG_ROUTE_WEBSOCKET_FIND, "a1"},
        {"POST", "/proxy/set/a1", WG_ROUTE_PROXY_SET, "a1"},
        {"GET", "/proxy/find/a1", WG_ROUTE_PROXY_FIND, "a1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wg_route_match_t m;
        WG_CHECK_INT(wg_router_match(cases[i].method, cases[i].path, &arena, &m), WG_MATCH_OK);
        WG_CHECK_INT(m.route, cases[i].id);
        if (cases[i].name)
            WG_CHECK_STR(m.name, cases[i].name);
        else
            WG_CHECK(m.name == NULL);
        WG_CHECK_INT(wg_route_has_name(cases[i].id), cases[i].name != NULL);
        WG_CHECK_STR(wg_route_method(cases[i].id), cases[i].method);
    }
}

static void trailing_slash_and_decoding(void)
{
    wg_route_match_t m;
    WG_CHECK_INT(wg_router_match("POST", "/instance/create/", &arena, &m), WG_MATCH_OK);
    WG_CHECK_INT(m.route, WG_ROUTE_INSTANCE_CREATE);
    WG_CHECK_INT(wg_router_match("GET", "/settings/find/my%20inst/", &arena, &m), WG_MATCH_OK);
    WG_CHECK_STR(m.name, "my inst");
    WG_CHECK_INT(wg_router_match("GET", "/settings/find/a%2Fb", &arena, &m), WG_MATCH_OK);
    WG_CHECK_STR(m.name, "a/b"); /* rejected later by the name rule */
    WG_CHECK_INT(wg_router_match("GET", "/settings/find/a+b", &arena, &m), WG_MATCH_OK);
    WG_CHECK_STR(m.name, "a+b"); /* '+' is literal in paths */
    WG_CHECK_INT(wg_router_match("GET", "/settings/find/a%zz", &arena, &m), WG_MATCH_BAD_ESCAPE);
    WG_CHECK_INT(wg_router_match("GET", "/settings/find/a%00", &arena, &m), WG_MATCH_BAD_ESCAPE);
    WG_CHECK_INT(wg_router_match("GET", "/settings/find/a%4", &arena, &m), WG_MATCH_BAD_ESCAPE);
}

static void not_found(void)
{
    wg_route_match_t m;
    const char *paths[] = {"", "/instance", "/instance/", "/instance/connectionState",
                           "/instance/connectionState/", "/instance/connectionState/a/b",
                           "/settings/find//", "//", "/instance/createX", "/Instance/create",
                           "/message/sendImage/a", "/chat/archiveChat/a"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        WG_CHECK_INT(wg_router_match("GET", paths[i], &arena, &m), WG_MATCH_NOT_FOUND);
    /* issue 6 routes exist, POST only */
    WG_CHECK_INT(wg_router_match("GET", "/message/sendText/a", &arena, &m), WG_MATCH_BAD_METHOD);
    WG_CHECK_INT(wg_router_match("POST", "/message/sendText/a", &arena, &m), WG_MATCH_OK);
    WG_CHECK_INT(m.route, WG_ROUTE_SEND_TEXT);
    WG_CHECK_INT(wg_router_match("POST", "/chat/findMessages/a", &arena, &m), WG_MATCH_OK);
    WG_CHECK_INT(m.route, WG_ROUTE_FIND_MESSAGES);
    /* the chat routes of connd/chat, POST only */
    WG_CHECK_INT(wg_router_match("GET", "/chat/findChats/a", &arena, &m), WG_MATCH_BAD_METHOD);
    WG_CHECK_INT(wg_router_match("POST", "/chat/findChats/a", &arena, &m), WG_MATCH_OK);
    WG_CHECK_INT(m.route, WG_ROUTE_FIND_CHATS);
    WG_CHECK_INT(wg_router_match("POST", "/chat/whatsappNumbers/a", &arena, &m), WG_MATCH_OK);
    WG_CHECK_INT(m.route, WG_ROUTE_WHATSAPP_NUMBERS);
    WG_CHECK_INT(wg_router_match("POST", "/chat/markMessageAsRead/a", &arena, &m), WG_MATCH_OK);
    WG_CHECK_INT(m.route, WG_ROUTE_MARK_READ);
    WG_CHECK_INT(wg_router_match("POST", "/chat/sendPresence/a", &arena, &m), WG_MATCH_OK);
    WG_CHECK_INT(m.route, WG_ROUTE_SEND_PRESENCE);
    WG_CHECK_INT(wg_router_match("POST", "/chat/fetchProfilePictureUrl/a", &arena, &m), WG_MATCH_OK);
    WG_CHECK_INT(m.route, WG_ROUTE_PROFILE_PICTURE);
    WG_CHECK_INT(wg_router_match("POST", "/chat/findContacts/a", &arena, &m), WG_MATCH_OK);
    WG_CHECK_INT(m.route, WG_ROUTE_FIND_CONTACTS);
    WG_CHECK_INT(wg_router_match(NULL, "/", &arena, &m), WG_MATCH_NOT_FOUND);
}

static void wrong_method_gives_allow(void)
{
    wg_route_match_t m;
    WG_CHECK_INT(wg_router_match("GET", "/instance/create", &arena, &m), WG_MATCH_BAD_METHOD);
    WG_CHECK_STR(m.allow, "POST, OPTIONS");
    WG_CHECK_INT(wg_router_match("POST", "/instance/delete/x", &arena, &m), WG_MATCH_BAD_METHOD);
    WG_CHECK_STR(m.allow, "DELETE, OPTIONS");
    WG_CHECK_INT(wg_router_match("PUT", "/", &arena, &m), WG_MATCH_BAD_METHOD);
    WG_CHECK_STR(m.allow, "GET, OPTIONS");
    WG_CHECK_INT(wg_router_match("get", "/", &arena, &m), WG_MATCH_BAD_METHOD);
}

int main(void)
{
    wg_arena_init(&arena, 0);
    WG_RUN(every_route_matches);
    WG_RUN(trailing_slash_and_decoding);
    WG_RUN(not_found);
    WG_RUN(wrong_method_gives_allow);
    wg_arena_free(&arena);
    return wg_test_done();
}
