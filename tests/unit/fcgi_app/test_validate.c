/* Unit tests for fcgi-app/validate.c: for every route with a body, a good
 * body (checking the built IPC request), missing and mistyped properties,
 * malformed JSON; plus the name rule, query filters and number pattern. */
#include "wg_events.h"
#include "validate.h"
#include "wg_err.h"
#include "wg_test.h"
#include "fcgi_app/validate_fixture.h"

static int run(wg_route_id_t route, const char *name, const char *query, const char *body)
{
    return validate_run(route, name, query, body);
}

static void create_good(void)
{
    WG_CHECK_INT(run(WG_ROUTE_INSTANCE_CREATE, NULL, "",
                     "{\"instanceName\":\"shop-1\",\"integration\":\"WHATSAPP-BAILEYS\","
                     "\"qrcode\":true,\"number\":\"5511999999999\",\"rejectCall\":true,"
                     "\"msgCall\":\"busy\",\"unknownExtra\":[1,2],"
                     "\"webhook\":{\"url\":\"https://h.example/w\",\"byEvents\":true,"
                     "\"headers\":{\"x\":\"1\"},\"events\":[\"MESSAGES_UPSERT\"]},"
                     "\"websocket\":{\"enabled\":false},"
                     "\"proxyHost\":\"p.example\",\"proxyPort\":\"8080\",\"proxyProtocol\":\"http\"}"),
                 WG_OK);
    WG_CHECK_INT(req.op_case, WG__IPC__REQUEST__OP_CREATE_INSTANCE);
    Wg__Ipc__CreateInstanceReq *c = req.create_instance;
    WG_CHECK_STR(c->name, "shop-1");
    WG_CHECK_STR(req.instance_name, "shop-1");
    WG_CHECK_STR(c->integration, "WHATSAPP-BAILEYS");
    WG_CHECK(c->has_qrcode && c->qrcode);
    WG_CHECK_STR(c->number, "5511999999999");
    WG_CHECK(c->token == NULL);
    WG_CHECK(c->settings && c->settings->has_reject_call && c->settings->reject_call);
    WG_CHECK(!c->settings->has_groups_ignore);
    WG_CHECK_STR(c->settings->msg_call, "busy");
    WG_CHECK(c->webhook && c->webhook->enabled);
    WG_CHECK_STR(c->webhook->url, "https://h.example/w");
    WG_CHECK_STR(c->webhook->headers_json, "{\"x\":\"1\"}");
    WG_CHECK(c->webhook->by_events);
    WG_CHECK_INT(c->webhook->n_events, 1);
    WG_CHECK(c->websocket && !c->websocket->enabled);
    WG_CHECK_INT(c->websocket->n_events, 0);
    WG_CHECK(c->proxy && c->proxy->enabled);
    WG_CHECK_STR(c->proxy->host, "p.example");

    /* BUSINESS with token and number */
    WG_CHECK_INT(run(WG_ROUTE_INSTANCE_CREATE, NULL, "",
                     "{\"instanceName\":\"b\",\"integration\":\"WHATSAPP-BUSINESS\","
                     "\"token\":\"meta\",\"number\":\"123456\",\"businessId\":\"99\"}"),
                 WG_OK);
    WG_CHECK_STR(req.create_instance->token, "meta");
    WG_CHECK_STR(req.create_instance->business_id, "99");
    /* an empty token means "generate one" */
    WG_CHECK_INT(run(WG_ROUTE_INSTANCE_CREATE, NULL, "",
                     "{\"instanceName\":\"e\",\"integration\":\"EVOLUTION\",\"token\":\"\"}"),
                 WG_OK);
    WG_CHECK(req.create_instance->token == NULL);
    WG_CHECK(req.create_instance->proxy == NULL && req.create_instance->webhook == NULL);
}

static void create_bad(void)
{
    WG_CHECK_INT(run(WG_ROUTE_INSTANCE_CREATE, NULL, "", "{}"), WG_EINVAL);
    WG_CHECK(has_msg("instance requires property \"instanceName\""));
    WG_CHECK(has_msg("Invalid integration"));
    WG_CHECK_INT(run(WG_ROUTE_INSTANCE_CREATE, NULL, "", ""), WG_EINVAL); /* empty = {} */
    WG_CHECK(has_msg("instance requires property \"instanceName\""));
    WG_CHECK_INT(run(WG_ROUTE_INSTANCE_CREATE, NULL, "",
                     "{\"instanceName\":7,\"integration\":\"WHATSAPP-BAILEYS\","
                     "\"rejectCall\":\"yes\",\"qrcode\":1,\"number\":\"abc\"}"),
                 WG_EINVAL);
    WG_CHECK(has_msg("instanceName is not of a type(s) string"));
    WG_CHECK(has_msg("rejectCall is not of a type(s) boolean"));
    WG_CHECK(has_msg("qrcode is not of a type(s) boolean"));
    WG_CHECK(has_msg("number does not match pattern \"^\\\\d+[\\\\.@\\\\w-]+\""));
    WG_CHECK_INT(run(WG_ROUTE_INSTANCE_CREATE, NULL, "",
                     "{\"instanceName\":\"bad name\",\"integration\":\"WHATSAPP-BAILEYS\"}"),
                 WG_EINVAL);
    WG_CHECK(errs.n == 1 && strstr(errs.items[0], "Invalid instance name \"bad name\"") &&
             strstr(errs.items[0], "1-64 characters"));
    WG_CHECK_INT(run(WG_ROUTE_INSTANCE_CREATE, NULL, "",
                     "{\"instanceName\":\"b\",\"integration\":\"WHATSAPP-BUSINESS\"}"),
                 WG_EINVAL);
    WG_CHECK(has_msg("token is required"));
    WG_CHECK(has_msg("number is required"));
    WG_CHECK_INT(run(WG_ROUTE_INSTANCE_CREATE, NULL, "",
                     "{\"instanceName\":\"b\",\"integration\":\"whatsapp-baileys\"}"),
                 WG_EINVAL);
    WG_CHECK(has_msg("Invalid integration"));
    /* nested objects are validated like their own routes */
    WG_CHECK_INT(run(WG_ROUTE_INSTANCE_CREATE, NULL, "",
                     "{\"instanceName\":\"b\",\"integration\":\"EVOLUTION\","
                     "\"webhook\":{\"events\":[\"NOPE\"]},\"websocket\":{\"enabled\":\"x\"},"
                     "\"proxyHost\":\"h\",\"proxyPort\":\"1\",\"proxyProtocol\":\"ftp\"}"),
                 WG_EINVAL);
    WG_CHECK(has_msg("webhook requires property \"url\""));
    int enum_msg = 0;
    for (size_t i = 0; i < errs.n; i++)
        enum_msg |= strncmp(errs.items[i],
                            "webhook.events[0] is not one of enum values: APPLICATION_STARTUP,",
                            65) == 0;
    WG_CHECK(enum_msg);
    WG_CHECK(has_msg("websocket.enabled is not of a type(s) boolean"));
    WG_CHECK(has_msg("proxyProtocol is not one of enum values: http,socks"));
    WG_CHECK_INT(run(WG_ROUTE_INSTANCE_CREATE, NULL, "", "{\"webhook\":[]}"), WG_EINVAL);
    WG_CHECK(has_msg("webhook is not of a type(s) object"));
}

static void malformed_bodies(void)
{
    const char *bodies[] = {"{", "{\"a\":}", "nul", "{\"a\":1}}", "\xff\xfe", "{\"a\":\"\\ud800\"}"};
    wg_route_id_t routes[] = {WG_ROUTE_INSTANCE_CREATE, WG_ROUTE_SETTINGS_SET,
                              WG_ROUTE_WEBHOOK_SET, WG_ROUTE_WEBSOCKET_SET, WG_ROUTE_PROXY_SET};
    for (size_t r = 0; r < sizeof routes / sizeof routes[0]; r++) {
        for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
            WG_CHECK_INT(run(routes[r], "inst", "", bodies[i]), WG_EINVAL);
            WG_CHECK(errs.n == 1 && strncmp(errs.items[0], "Malformed JSON body: ", 21) == 0);
        }
        WG_CHECK_INT(run(routes[r], "inst", "", "[1,2]"), WG_EINVAL);
        WG_CHECK(has_msg("instance is not of a type(s) object"));
        WG_CHECK_INT(run(routes[r], "inst", "", "\"str\""), WG_EINVAL);
        WG_CHECK(has_msg("instance is not of a type(s) object"));
    }
}

static const char settings_ok[] = "{\"rejectCall\":false,\"groupsIgnore\":true,"
                                   "\"alwaysOnline\":false,\"readMessages\":false,"
                                   "\"readStatus\":false,\"syncFullHistory\":true,"
                                   "\"msgCall\":\"\"}";

static void settings(void)
{
    WG_CHECK_INT(run(WG_ROUTE_SETTINGS_SET, "inst", "", settings_ok), WG_OK);
    WG_CHECK_INT(req.op_case, WG__IPC__REQUEST__OP_SETTINGS_SET);
    WG_CHECK_STR(req.instance_name, "inst");
    Wg__Ipc__Settings *s = req.settings_set->settings;
    WG_CHECK(s->has_groups_ignore && s->groups_ignore && s->has_reject_call && !s->reject_call);
    WG_CHECK(s->has_sync_full_history && s->sync_full_history);
    WG_CHECK_STR(s->msg_call, "");
    WG_CHECK(s->wavoip_token == NULL);

    WG_CHECK_INT(run(WG_ROUTE_SETTINGS_SET, "inst", "", "{\"rejectCall\":true}"), WG_EINVAL);
    WG_CHECK_INT(errs.n, 5);
    WG_CHECK(has_msg("instance requires property \"groupsIgnore\""));
    WG_CHECK(has_msg("instance requires property \"syncFullHistory\""));
    WG_CHECK_INT(run(WG_ROUTE_SETTINGS_SET, "inst", "",
                     "{\"rejectCall\":\"true\",\"groupsIgnore\":null,\"alwaysOnline\":0,"
                     "\"readMessages\":false,\"readStatus\":false,\"syncFullHistory\":false,"
                     "\"msgCall\":5}"),
                 WG_EINVAL);
    WG_CHECK(has_msg("rejectCall is not of a type(s) boolean"));
    WG_CHECK(has_msg("groupsIgnore is not of a type(s) boolean"));
    WG_CHECK(has_msg("alwaysOnline is not of a type(s) boolean"));
    WG_CHECK(has_msg("msgCall is not of a type(s) string"));
}

static void webhook(void)
{
    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_SET, "inst", "",
                     "{\"webhook\":{\"enabled\":true,\"url\":\"http://h/x\",\"base64\":true,"
                     "\"events\":[\"QRCODE_UPDATED\",\"CONNECTION_UPDATE\"]}}"),
                 WG_OK);
    Wg__Ipc__Webhook *w = req.webhook_set->webhook;
    WG_CHECK(w->enabled && w->has_base64 && w->base64 && !w->has_by_events);
    WG_CHECK_INT(w->n_events, 2);
    WG_CHECK_STR(w->events[1], "CONNECTION_UPDATE");
    WG_CHECK(w->headers_json == NULL);
    /* enabled with events absent or empty: every event (not Evolution's 500) */
    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_SET, "inst", "",
                     "{\"webhook\":{\"enabled\":true,\"url\":\"https://h/x\"}}"),
                 WG_OK);
    WG_CHECK_INT(req.webhook_set->webhook->n_events, wg_event_names_count);
    WG_CHECK_INT(wg_event_names_count, 32); /* 31 of Evolution + GROUPS_UPDATE */
    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_SET, "inst", "",
                     "{\"webhook\":{\"enabled\":true,\"url\":\"https://h/x\",\"events\":[]}}"),
                 WG_OK);
    WG_CHECK_INT(req.webhook_set->webhook->n_events, wg_event_names_count);
    /* disabled: no events stored */
    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_SET, "inst", "",
                     "{\"webhook\":{\"enabled\":false,\"url\":\"https://h/x\","
                     "\"events\":[\"CALL\"]}}"),
                 WG_OK);
    WG_CHECK_INT(req.webhook_set->webhook->n_events, 0);
    WG_CHECK(!req.webhook_set->webhook->enabled);

    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_SET, "inst", "", "{}"), WG_EINVAL);
    WG_CHECK(has_msg("instance requires property \"webhook\""));
    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_SET, "inst", "", "{\"webhook\":{}}"), WG_EINVAL);
    WG_CHECK(has_msg("webhook requires property \"enabled\""));
    WG_CHECK(has_msg("webhook requires property \"url\""));
    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_SET, "inst", "",
                     "{\"webhook\":{\"enabled\":1,\"url\":\"\",\"headers\":\"h\","
                     "\"byEvents\":\"no\",\"events\":\"ALL\"}}"),
                 WG_EINVAL);
    WG_CHECK(has_msg("webhook.enabled is not of a type(s) boolean"));
    WG_CHECK(has_msg("The \"url\" cannot be empty"));
    WG_CHECK(has_msg("webhook.headers is not of a type(s) object"));
    WG_CHECK(has_msg("webhook.byEvents is not of a type(s) boolean"));
    WG_CHECK(has_msg("webhook.events is not of a type(s) array"));
    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_SET, "inst", "",
                     "{\"webhook\":{\"enabled\":true,\"url\":\"ftp://h\",\"events\":[1]}}"),
                 WG_EINVAL);
    WG_CHECK(has_msg("The \"url\" must start with http:// or https://"));
    WG_CHECK(has_msg("webhook.events[0] is not of a type(s) string"));
    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_SET, "inst", "", "{\"webhook\":true}"), WG_EINVAL);
    WG_CHECK(has_msg("webhook is not of a type(s) object"));
}

static void websocket(void)
{
    WG_CHECK_INT(run(WG_ROUTE_WEBSOCKET_SET, "inst", "",
                     "{\"websocket\":{\"enabled\":true,\"events\":[\"MESSAGES_UPSERT\"]}}"),
                 WG_OK);
    WG_CHECK_INT(req.op_case, WG__IPC__REQUEST__OP_WEBSOCKET_SET);
    WG_CHECK_INT(req.websocket_set->websocket->n_events, 1);
    WG_CHECK_INT(run(WG_ROUTE_WEBSOCKET_SET, "inst", "", "{\"websocket\":{\"enabled\":true}}"),
                 WG_OK);
    WG_CHECK_INT(req.websocket_set->websocket->n_events, wg_event_names_count);
    WG_CHECK_INT(run(WG_ROUTE_WEBSOCKET_SET, "inst", "", "{\"websocket\":{}}"), WG_EINVAL);
    WG_CHECK(has_msg("websocket requires property \"enabled\""));
    WG_CHECK_INT(run(WG_ROUTE_WEBSOCKET_SET, "inst", "", "{\"enabled\":true}"), WG_EINVAL);
    WG_CHECK(has_msg("instance requires property \"websocket\""));
    WG_CHECK_INT(run(WG_ROUTE_WEBSOCKET_SET, "inst", "",
                     "{\"websocket\":{\"enabled\":true,\"events\":[\"messages.upsert\"]}}"),
                 WG_EINVAL);
    WG_CHECK(errs.n == 1 && strstr(errs.items[0], "websocket.events[0] is not one of enum"));
}

static void proxy(void)
{
    WG_CHECK_INT(run(WG_ROUTE_PROXY_SET, "inst", "",
                     "{\"enabled\":true,\"host\":\"10.0.0.1\",\"port\":\"3128\","
                     "\"protocol\":\"socks\",\"username\":\"u\",\"password\":\"p\"}"),
                 WG_OK);
    Wg__Ipc__Proxy *p = req.proxy_set->proxy;
    WG_CHECK(p->has_enabled && p->enabled);
    WG_CHECK_STR(p->port, "3128");
    WG_CHECK_STR(p->protocol, "socks");
    WG_CHECK_STR(p->password, "p");
    WG_CHECK_INT(run(WG_ROUTE_PROXY_SET, "inst", "", "{}"), WG_EINVAL);
    WG_CHECK_INT(errs.n, 4);
    WG_CHECK(has_msg("instance requires property \"enabled\""));
    WG_CHECK(has_msg("instance requires property \"protocol\""));
    WG_CHECK_INT(run(WG_ROUTE_PROXY_SET, "inst", "",
                     "{\"enabled\":true,\"host\":\"h\",\"port\":3128,\"protocol\":\"https\"}"),
                 WG_EINVAL);
    WG_CHECK(has_msg("port is not of a type(s) string"));
    WG_CHECK(has_msg("protocol is not one of enum values: http,socks"));
}

static void bodyless_routes_and_names(void)
{
    struct {
        wg_route_id_t route;
        int op;
    } cases[] = {
        {WG_ROUTE_CONNECTION_STATE, WG__IPC__REQUEST__OP_CONNECTION_STATE},
        {WG_ROUTE_LOGOUT, WG__IPC__REQUEST__OP_LOGOUT},
        {WG_ROUTE_DELETE, WG__IPC__REQUEST__OP_DELETE_INSTANCE},
        {WG_ROUTE_SETTINGS_FIND, WG__IPC__REQUEST__OP_SETTINGS_FIND},
        {WG_ROUTE_WEBHOOK_FIND, WG__IPC__REQUEST__OP_WEBHOOK_FIND},
        {WG_ROUTE_WEBSOCKET_FIND, WG__IPC__REQUEST__OP_WEBSOCKET_FIND},
        {WG_ROUTE_PROXY_FIND, WG__IPC__REQUEST__OP_PROXY_FIND},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* a body on a GET/DELETE is ignored, even a malformed one */
        WG_CHECK_INT(run(cases[i].route, "inst", "", "{oops"), WG_OK);
        WG_CHECK_INT(req.op_case, cases[i].op);
        WG_CHECK_STR(req.instance_name, "inst");
        WG_CHECK_INT(run(cases[i].route, "a/b", "", NULL), WG_EINVAL);
        WG_CHECK(errs.n == 1 && strstr(errs.items[0], "Invalid instance name \"a/b\""));
    }
    WG_CHECK_INT(run(WG_ROUTE_SETTINGS_SET, "-x", "", settings_ok), WG_EINVAL);
    WG_CHECK_INT(errs.n, 1);
    WG_CHECK_INT(run(WG_ROUTE_ROOT, NULL, "", NULL), WG_EINVAL);
}

static void fetch_query(void)
{
    WG_CHECK_INT(run(WG_ROUTE_FETCH_INSTANCES, NULL, "instanceName=my%20inst&number=55+1", NULL),
                 WG_OK);
    WG_CHECK_INT(req.op_case, WG__IPC__REQUEST__OP_FETCH_INSTANCES);
    WG_CHECK_STR(req.fetch_instances->instance_name, "my inst");
    WG_CHECK_STR(req.fetch_instances->number, "55 1");
    WG_CHECK(req.fetch_instances->instance_id == NULL);
    WG_CHECK_INT(run(WG_ROUTE_FETCH_INSTANCES, NULL, "instanceName=&instanceId=abc", NULL),
                 WG_OK);
    WG_CHECK(req.fetch_instances->instance_name == NULL);
    WG_CHECK_STR(req.fetch_instances->instance_id, "abc");
    WG_CHECK(req.instance_name == NULL);
}

static void number_pattern(void)
{
    WG_CHECK(wg_validate_number("12"));
    WG_CHECK(wg_validate_number("5511999999999"));
    WG_CHECK(wg_validate_number("1@s.whatsapp.net"));
    WG_CHECK(wg_validate_number("1-2"));
    WG_CHECK(!wg_validate_number("1"));
    WG_CHECK(!wg_validate_number("+5511"));
    WG_CHECK(!wg_validate_number("1 2"));
    WG_CHECK(!wg_validate_number(""));
}

int main(void)
{
    wg_arena_init(&arena, 0);
    WG_RUN(create_good);
    WG_RUN(create_bad);
    WG_RUN(malformed_bodies);
    WG_RUN(settings);
    WG_RUN(webhook);
    WG_RUN(websocket);
    WG_RUN(proxy);
    WG_RUN(bodyless_routes_and_names);
    WG_RUN(fetch_query);
    WG_RUN(number_pattern);
    wg_arena_free(&arena);
    return wg_test_done();
}
