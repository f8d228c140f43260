/* Unit tests for fcgi-app/render.c: golden JSON for every reply type, in
 * both dialects (seed shapes and WAGATE_COMPAT=evolution-2.3), errors, the
 * empty-body websocket answer and replies that do not fit the route. */
#include "render.h"
#include "wg_err.h"
#include "wg_test.h"

#define T1 1700000000000LL /* 2023-11-14T22:13:20.000Z */
#define T2 1700000000123LL /* 2023-11-14T22:13:20.123Z */

static wg_arena_t arena;
static wg_response_t resp;

static const char *render(wg_route_id_t route, Wg__Ipc__Reply *reply, wg_dialect_t dialect)
{
    wg_response_init(&resp);
    int rc = wg_render_reply(route, reply, "inst", dialect, &arena, &resp);
    WG_CHECK_INT(rc, WG_OK);
    return resp.body ? resp.body : "";
}

static Wg__Ipc__Settings settings_row(void)
{
    Wg__Ipc__Settings s = WG__IPC__SETTINGS__INIT;
    s.has_reject_call = s.reject_call = 1;
    s.msg_call = "busy";
    s.has_groups_ignore = 1;
    s.id = "set1";
    s.has_created_at_ms = 1;
    s.created_at_ms = T1;
    s.has_updated_at_ms = 1;
    s.updated_at_ms = T2;
    s.instance_id = "uuid-1";
    return s;
}

static char *events2[] = {"QRCODE_UPDATED", "CALL"};

static Wg__Ipc__Webhook webhook_row(void)
{
    Wg__Ipc__Webhook w = WG__IPC__WEBHOOK__INIT;
    w.has_enabled = w.enabled = 1;
    w.url = "https://h/x";
    w.headers_json = "{\"a\":\"b\"}";
    w.has_by_events = 1;
    w.n_events = 2;
    w.events = events2;
    w.id = "wh1";
    w.has_created_at_ms = 1;
    w.created_at_ms = T1;
    w.has_updated_at_ms = 1;
    w.updated_at_ms = T1;
    w.instance_id = "uuid-1";
    return w;
}

static Wg__Ipc__Websocket websocket_row(void)
{
    Wg__Ipc__Websocket w = WG__IPC__WEBSOCKET__INIT;
    w.has_enabled = w.enabled = 1;
    w.n_events = 1;
    w.events = events2;
    w.id = "ws1";
    w.has_created_at_ms = 1;
    w.created_at_ms = T1;
    w.instance_id = "uuid-1";
    return w;
}

static Wg__Ipc__Proxy proxy_row(void)
{
    Wg__Ipc__Proxy p = WG__IPC__PROXY__INIT;
    p.has_enabled = p.enabled = 1;
    p.host = "10.0.0.1";
    p.port = "3128";
    p.protocol = "http";
    p.id = "px1";
    p.has_created_at_ms = 1;
    p.created_at_ms = T1;
    p.has_updated_at_ms = 1;
    p.updated_at_ms = T1;
    p.instance_id = "uuid-1";
    return p;
}

static Wg__Ipc__Instance instance(void)
{
    Wg__Ipc__Instance in = WG__IPC__INSTANCE__INIT;
    in.id = "uuid-1";
    in.name = "inst";
    in.connection_status = "close";
    in.integration = "WHATSAPP-BAILEYS";
    in.token = "TOKEN-1";
    in.client_name = "wagate";
    in.created_at_ms = T1;
    in.updated_at_ms = T2;
    return in;
}

static void create_both_dialects(void)
{
    Wg__Ipc__Instance in = instance();
    Wg__Ipc__Reply r = WG__IPC__REPLY__INIT;
    r.result_case = WG__IPC__REPLY__RESULT_INSTANCE;
    r.instance = &in;
    WG_CHECK_STR(render(WG_ROUTE_INSTANCE_CREATE, &r, WG_DIALECT_SEED),
                 "{\"instance\":{\"instanceName\":\"inst\",\"instanceId\":\"uuid-1\","
                 "\"integration\":\"WHATSAPP-BAILEYS\",\"webhookWaBusiness\":null,"
                 "\"accessTokenWaBusiness\":\"\",\"status\":\"created\"},"
                 "\"hash\":{\"apikey\":\"TOKEN-1\"},\"webhook\":{},\"websocket\":{},"
                 "\"settings\":{\"rejectCall\":false,\"msgCall\":\"\",\"groupsIgnore\":false,"
                 "\"alwaysOnline\":false,\"readMessages\":false,\"readStatus\":false,"
                 "\"syncFullHistory\":false,\"wavoipToken\":\"\"}}");
    WG_CHECK_INT(resp.status, 201);
    Wg__Ipc__Settings s = settings_row();
    Wg__Ipc__Webhook w = webhook_row();
    Wg__Ipc__Websocket ws = websocket_row();
    in.settings = &s;
    in.webhook = &w;
    in.websocket = &ws;
    WG_CHECK_STR(render(WG_ROUTE_INSTANCE_CREATE, &r, WG_DIALECT_EVOLUTION),
                 "{\"instance\":{\"instanceName\":\"inst\",\"instanceId\":\"uuid-1\","
                 "\"integration\":\"WHATSAPP-BAILEYS\",\"webhookWaBusiness\":null,"
                 "\"accessTokenWaBusiness\":\"\",\"status\":\"close\"},"
                 "\"hash\":\"TOKEN-1\",\"webhook\":{\"webhookUrl\":\"https://h/x\","
                 "\"webhookHeaders\":{\"a\":\"b\"},\"webhookByEvents\":false,"
                 "\"webhookBase64\":false},\"websocket\":{\"enabled\":true},"
                 "\"rabbitmq\":{},\"nats\":{},\"sqs\":{},"
                 "\"settings\":{\"rejectCall\":true,\"msgCall\":\"busy\",\"groupsIgnore\":false,"
                 "\"alwaysOnline\":false,\"readMessages\":false,\"readStatus\":false,"
                 "\"syncFullHistory\":false,\"wavoipToken\":\"\"}}");
    WG_CHECK_INT(resp.status, 201);
}

static void fetch_instances_rows(void)
{
    Wg__Ipc__Instance a = instance(), b = instance();
    Wg__Ipc__Settings s = settings_row();
    Wg__Ipc__Proxy p = proxy_row();
    Wg__Ipc__Webhook w = webhook_row();
    b.id = "uuid-2";
    b.name = "two";
    b.connection_status = "open";
    b.owner_jid = "5511@s.whatsapp.net";
    b.has_disconnection_reason_code = 1;
    b.disconnection_reason_code = 401;
    b.disconnection_object_json = "{\"error\":1}";
    b.has_disconnection_at_ms = 1;
    b.disconnection_at_ms = T2;
    b.settings = &s;
    b.proxy = &p;
    b.webhook = &w;
    b.has_message_count = 1;
    b.message_count = 7;
    Wg__Ipc__Instance *list[] = {&a, &b};
    Wg__Ipc__InstanceList il = WG__IPC__INSTANCE_LIST__INIT;
    il.n_instances = 2;
    il.instances = list;
    Wg__Ipc__Reply r = WG__IPC__REPLY__INIT;
    r.result_case = WG__IPC__REPLY__RESULT_INSTANCE_LIST;
    r.instance_list = &il;
    const char *row_a_tail =
        "\"connectionStatus\":\"close\",\"ownerJid\":null,\"profileName\":null,"
        "\"profilePicUrl\":null,\"integration\":\"WHATSAPP-BAILEYS\",\"number\":null,"
        "\"businessId\":null,\"token\":\"TOKEN-1\",\"clientName\":\"wagate\","
        "\"disconnectionReasonCode\":null,\"disconnectionObject\":null,\"disconnectionAt\":null,"
        "\"createdAt\":\"2023-11-14T22:13:20.000Z\",\"updatedAt\":\"2023-11-14T22:13:20.123Z\","
        "\"Chatwoot\":null,\"Proxy\":null,\"Rabbitmq\":null,\"Nats\":null,\"Sqs\":null,"
        "\"Websocket\":null,\"Setting\":null,\"_count\":{\"Message\":0,\"Contact\":0,\"Chat\":0}}";
    const char *row_b_tail =
        "\"connectionStatus\":\"open\",\"ownerJid\":\"5511@s.whatsapp.net\",\"profileName\":null,"
        "\"profilePicUrl\":null,\"integration\":\"WHATSAPP-BAILEYS\",\"number\":null,"
        "\"businessId\":null,\"token\":\"TOKEN-1\",\"clientName\":\"wagate\","
        "\"disconnectionReasonCode\":401,\"disconnectionObject\":\"{\\\"error\\\":1}\","
        "\"disconnectionAt\":\"2023-11-14T22:13:20.123Z\","
        "\"createdAt\":\"2023-11-14T22:13:20.000Z\",\"updatedAt\":\"2023-11-14T22:13:20.123Z\","
        "\"Chatwoot\":null,\"Proxy\":{\"id\":\"px1\",\"enabled\":true,\"host\":\"10.0.0.1\","
        "\"port\":\"3128\",\"protocol\":\"http\",\"username\":\"\",\"password\":\"\","
        "\"createdAt\":\"2023-11-14T22:13:20.000Z\",\"updatedAt\":\"2023-11-14T22:13:20.000Z\","
        "\"instanceId\":\"uuid-1\"},\"Rabbitmq\":null,\"Nats\":null,\"Sqs\":null,"
        "\"Websocket\":null,\"Setting\":{\"id\":\"set1\",\"rejectCall\":true,\"msgCall\":\"busy\","
        "\"groupsIgnore\":false,\"alwaysOnline\":false,\"readMessages\":false,"
        "\"readStatus\":false,\"syncFullHistory\":false,\"wavoipToken\":\"\","
        "\"createdAt\":\"2023-11-14T22:13:20.000Z\",\"updatedAt\":\"2023-11-14T22:13:20.123Z\","
        "\"instanceId\":\"uuid-1\"},\"Webhook\":{\"id\":\"wh1\",\"url\":\"https://h/x\","
        "\"headers\":{\"a\":\"b\"},\"enabled\":true,\"events\":[\"QRCODE_UPDATED\",\"CALL\"],"
        "\"webhookByEvents\":false,\"webhookBase64\":false,"
        "\"createdAt\":\"2023-11-14T22:13:20.000Z\",\"updatedAt\":\"2023-11-14T22:13:20.000Z\","
        "\"instanceId\":\"uuid-1\"},\"_count\":{\"Message\":7,\"Contact\":0,\"Chat\":0}}";
    char want[8192];
    snprintf(want, sizeof want,
             "[{\"id\":\"uuid-1\",\"name\":\"inst\",\"instanceName\":\"inst\",%s,"
             "{\"id\":\"uuid-2\",\"name\":\"two\",\"instanceName\":\"two\",%s]",
             row_a_tail, row_b_tail);
    WG_CHECK_STR(render(WG_ROUTE_FETCH_INSTANCES, &r, WG_DIALECT_SEED), want);
    WG_CHECK_INT(resp.status, 200);
    snprintf(want, sizeof want,
             "[{\"id\":\"uuid-1\",\"name\":\"inst\",%s,{\"id\":\"uuid-2\",\"name\":\"two\",%s]",
             row_a_tail, row_b_tail);
    WG_CHECK_STR(render(WG_ROUTE_FETCH_INSTANCES, &r, WG_DIALECT_EVOLUTION), want);
    il.n_instances = 0;
    WG_CHECK_STR(render(WG_ROUTE_FETCH_INSTANCES, &r, WG_DIALECT_SEED), "[]");
}

static void connection_state(void)
{
    Wg__Ipc__ConnectionState cs = WG__IPC__CONNECTION_STATE__INIT;
    cs.instance_name = "inst";
    cs.state = "open";
    cs.has_status_reason = 1;
    cs.status_reason = 200;
    Wg__Ipc__Reply r = WG__IPC__REPLY__INIT;
    r.result_case = WG__IPC__REPLY__RESULT_CONNECTION_STATE;
    r.connection_state = &cs;
    WG_CHECK_STR(render(WG_ROUTE_CONNECTION_STATE, &r, WG_DIALECT_SEED),
                 "{\"instance\":{\"instanceName\":\"inst\",\"state\":\"open\",\"statusReason\":200}}");
    WG_CHECK_STR(render(WG_ROUTE_CONNECTION_STATE, &r, WG_DIALECT_EVOLUTION),
                 "{\"instance\":{\"instanceName\":\"inst\",\"state\":\"open\"}}");
    cs.has_status_reason = 0;
    WG_CHECK_STR(render(WG_ROUTE_CONNECTION_STATE, &r, WG_DIALECT_SEED),
                 "{\"instance\":{\"instanceName\":\"inst\",\"state\":\"open\"}}");
}

static void logout_delete(void)
{
    Wg__Ipc__Done d = WG__IPC__DONE__INIT;
    Wg__Ipc__Reply r = WG__IPC__REPLY__INIT;
    r.result_case = WG__IPC__REPLY__RESULT_DONE;
    r.done = &d;
    WG_CHECK_STR(render(WG_ROUTE_LOGOUT, &r, WG_DIALECT_SEED),
                 "{\"status\":\"SUCCESS\",\"error\":false,\"response\":{\"message\":"
                 "\"Instance logged out\"}}");
    WG_CHECK_INT(resp.status, 200);
    WG_CHECK_STR(render(WG_ROUTE_DELETE, &r, WG_DIALECT_EVOLUTION),
                 "{\"status\":\"SUCCESS\",\"error\":false,\"response\":{\"message\":"
                 "\"Instance deleted\"}}");
    d.message = "Instance deleted";
    WG_CHECK_STR(render(WG_ROUTE_DELETE, &r, WG_DIALECT_SEED),
                 "{\"status\":\"SUCCESS\",\"error\":false,\"response\":{\"message\":"
                 "\"Instance deleted\"}}");
}

static void settings_set_find(void)
{
    Wg__Ipc__Settings s = settings_row();
    Wg__Ipc__Reply r = WG__IPC__REPLY__INIT;
    r.result_case = WG__IPC__REPLY__RESULT_SETTINGS;
    r.settings = &s;
    WG_CHECK_STR(render(WG_ROUTE_SETTINGS_SET, &r, WG_DIALECT_SEED),
                 "{\"settings\":{\"instanceName\":\"inst\",\"settings\":{\"rejectCall\":true,"
                 "\"msgCall\":\"busy\",\"groupsIgnore\":false}}}");
    WG_CHECK_INT(resp.status, 201);
    Wg__Ipc__SettingsFound f = WG__IPC__SETTINGS_FOUND__INIT;
    f.settings = &s;
    r.result_case = WG__IPC__REPLY__RESULT_SETTINGS_FOUND;
    r.settings_found = &f;
    WG_CHECK_STR(render(WG_ROUTE_SETTINGS_FIND, &r, WG_DIALECT_EVOLUTION),
                 "{\"rejectCall\":true,\"msgCall\":\"busy\",\"groupsIgnore\":false,"
                 "\"alwaysOnline\":false,\"readMessages\":false,\"readStatus\":false,"
                 "\"syncFullHistory\":false,\"wavoipToken\":\"\"}");
    WG_CHECK_INT(resp.status, 200);
    f.settings = NULL;
    WG_CHECK_STR(render(WG_ROUTE_SETTINGS_FIND, &r, WG_DIALECT_SEED), "null");
}

static void webhook_set_find(void)
{
    Wg__Ipc__Webhook w = webhook_row();
    Wg__Ipc__Reply r = WG__IPC__REPLY__INIT;
    r.result_case = WG__IPC__REPLY__RESULT_WEBHOOK;
    r.webhook = &w;
    const char *row = "{\"id\":\"wh1\",\"url\":\"https://h/x\",\"headers\":{\"a\":\"b\"},"
                      "\"enabled\":true,\"events\":[\"QRCODE_UPDATED\",\"CALL\"],"
                      "\"webhookByEvents\":false,\"webhookBase64\":false,"
                      "\"createdAt\":\"2023-11-14T22:13:20.000Z\","
                      "\"updatedAt\":\"2023-11-14T22:13:20.000Z\",\"instanceId\":\"uuid-1\"}";
    WG_CHECK_STR(render(WG_ROUTE_WEBHOOK_SET, &r, WG_DIALECT_SEED), row);
    WG_CHECK_INT(resp.status, 201);
    Wg__Ipc__WebhookFound f = WG__IPC__WEBHOOK_FOUND__INIT;
    f.webhook = &w;
    r.result_case = WG__IPC__REPLY__RESULT_WEBHOOK_FOUND;
    r.webhook_found = &f;
    WG_CHECK_STR(render(WG_ROUTE_WEBHOOK_FIND, &r, WG_DIALECT_EVOLUTION), row);
    WG_CHECK_INT(resp.status, 200);
    f.webhook = NULL;
    WG_CHECK_STR(render(WG_ROUTE_WEBHOOK_FIND, &r, WG_DIALECT_SEED), "null");
    /* headers that are not JSON (should not happen) render as null */
    w.headers_json = "{nope";
    w.has_created_at_ms = 0;
    r.result_case = WG__IPC__REPLY__RESULT_WEBHOOK;
    r.webhook = &w; /* same union slot as webhook_found */
    WG_CHECK(strstr(render(WG_ROUTE_WEBHOOK_SET, &r, WG_DIALECT_SEED),
                    "\"headers\":null,") != NULL);
    WG_CHECK(strstr(resp.body, "\"createdAt\":null,") != NULL);
}

static void websocket_set_find(void)
{
    Wg__Ipc__Websocket ws = websocket_row();
    Wg__Ipc__Reply r = WG__IPC__REPLY__INIT;
    r.result_case = WG__IPC__REPLY__RESULT_WEBSOCKET;
    r.websocket = &ws;
    const char *row = "{\"id\":\"ws1\",\"enabled\":true,\"events\":[\"QRCODE_UPDATED\"],"
                      "\"createdAt\":\"2023-11-14T22:13:20.000Z\",\"updatedAt\":null,"
                      "\"instanceId\":\"uuid-1\"}";
    WG_CHECK_STR(render(WG_ROUTE_WEBSOCKET_SET, &r, WG_DIALECT_SEED), row);
    WG_CHECK_INT(resp.status, 201);
    Wg__Ipc__WebsocketFound f = WG__IPC__WEBSOCKET_FOUND__INIT;
    f.websocket = &ws;
    r.result_case = WG__IPC__REPLY__RESULT_WEBSOCKET_FOUND;
    r.websocket_found = &f;
    WG_CHECK_STR(render(WG_ROUTE_WEBSOCKET_FIND, &r, WG_DIALECT_EVOLUTION), row);
    WG_CHECK_INT(resp.status, 200);
    f.websocket = NULL;
    WG_CHECK_STR(render(WG_ROUTE_WEBSOCKET_FIND, &r, WG_DIALECT_SEED), "null");
    f.has_disabled = f.disabled = 1;
    WG_CHECK_STR(render(WG_ROUTE_WEBSOCKET_SET, &r, WG_DIALECT_SEED), "");
    WG_CHECK_INT(resp.status, 201);
    WG_CHECK(resp.content_type == NULL && resp.body_len == 0);
    WG_CHECK_STR(render(WG_ROUTE_WEBSOCKET_FIND, &r, WG_DIALECT_SEED), "");
    WG_CHECK_INT(resp.status, 200);
}

static void proxy_set_find(void)
{
    Wg__Ipc__Proxy p = proxy_row();
    Wg__Ipc__Reply r = WG__IPC__REPLY__INIT;
    r.result_case = WG__IPC__REPLY__RESULT_PROXY;
    r.proxy = &p;
    WG_CHECK_STR(render(WG_ROUTE_PROXY_SET, &r, WG_DIALECT_SEED),
                 "{\"proxy\":{\"instanceName\":\"inst\",\"proxy\":{\"enabled\":true,"
                 "\"host\":\"10.0.0.1\",\"port\":\"3128\",\"protocol\":\"http\","
                 "\"username\":\"\",\"password\":\"\"}}}");
    WG_CHECK_INT(resp.status, 201);
    Wg__Ipc__ProxyFound f = WG__IPC__PROXY_FOUND__INIT;
    f.proxy = &p;
    r.result_case = WG__IPC__REPLY__RESULT_PROXY_FOUND;
    r.proxy_found = &f;
    WG_CHECK_STR(render(WG_ROUTE_PROXY_FIND, &r, WG_DIALECT_EVOLUTION),
                 "{\"id\":\"px1\",\"enabled\":true,\"host\":\"10.0.0.1\",\"port\":\"3128\","
                 "\"protocol\":\"http\",\"username\":\"\",\"password\":\"\","
                 "\"createdAt\":\"2023-11-14T22:13:20.000Z\","
                 "\"updatedAt\":\"2023-11-14T22:13:20.000Z\",\"instanceId\":\"uuid-1\"}");
    f.proxy = NULL;
    WG_CHECK_STR(render(WG_ROUTE_PROXY_FIND, &r, WG_DIALECT_SEED), "null");
}

static void errors_from_connd(void)
{
    char *msgs[] = {"The \"foo\" instance does not exist"};
    Wg__Ipc__Error e = WG__IPC__ERROR__INIT;
    e.status = 404;
    e.n_messages = 1;
    e.messages = msgs;
    Wg__Ipc__Reply r = WG__IPC__REPLY__INIT;
    r.result_case = WG__IPC__REPLY__RESULT_ERROR;
    r.error = &e;
    WG_CHECK_STR(render(WG_ROUTE_CONNECTION_STATE, &r, WG_DIALECT_SEED),
                 "{\"status\":404,\"error\":\"Not Found\",\"response\":{\"message\":"
                 "[\"The \\\"foo\\\" instance does not exist\"]}}");
    WG_CHECK_INT(resp.status, 404);
    e.status = 401;
    e.n_messages = 0;
    e.has_message_is_string = e.message_is_string = 1;
    WG_CHECK_STR(render(WG_ROUTE_SETTINGS_SET, &r, WG_DIALECT_EVOLUTION),
                 "{\"status\":401,\"error\":\"Unauthorized\",\"response\":{\"message\":"
                 "\"Unauthorized\"}}");
    e.status = 200; /* nonsense status from connd: never a success */
    e.has_message_is_string = 0;
    render(WG_ROUTE_SETTINGS_SET, &r, WG_DIALECT_SEED);
    WG_CHECK_INT(resp.status, 500);
}

static void reply_not_fitting_route(void)
{
    Wg__Ipc__Done d = WG__IPC__DONE__INIT;
    Wg__Ipc__Reply r = WG__IPC__REPLY__INIT;
    r.result_case = WG__IPC__REPLY__RESULT_DONE;
    r.done = &d;
    wg_response_init(&resp);
    WG_CHECK_INT(wg_render_reply(WG_ROUTE_WEBHOOK_SET, &r, "i", WG_DIALECT_SEED, &arena, &resp),
                 WG_EPROTO);
    WG_CHECK_INT(resp.status, 500);
    r.result_case = WG__IPC__REPLY__RESULT__NOT_SET;
    WG_CHECK_INT(wg_render_reply(WG_ROUTE_LOGOUT, &r, "i", WG_DIALECT_SEED, &arena, &resp),
                 WG_EPROTO);
}

/* The send routes' documents (connd's compact messageRaw / WAMessage) are the
 * body byte for byte, with the route's status; a reply that is not a
 * document does not fit the route. */
static void send_documents_pass_through(void)
{
    static char raw[] = "{\"key\":{\"remoteJid\":\"1@s.whatsapp.net\",\"fromMe\":true,"
                        "\"id\":\"3EB0AA\"},\"message\":{\"conversation\":\"ol\u00e1 \\\"x\\\"\"},"
                        "\"messageTimestamp\":1700000000,\"status\":\"PENDING\"}";
    Wg__Ipc__JsonDoc doc = WG__IPC__JSON_DOC__INIT;
    doc.json = raw;
    Wg__Ipc__Reply r = WG__IPC__REPLY__INIT;
    r.result_case = WG__IPC__REPLY__RESULT_JSON;
    r.json = &doc;
    const wg_route_id_t routes[4] = {WG_ROUTE_SEND_TEXT, WG_ROUTE_SEND_REACTION,
                                     WG_ROUTE_DELETE_FOR_EVERYONE, WG_ROUTE_UPDATE_MESSAGE};
    for (size_t i = 0; i < 4; i++) {
        WG_CHECK_STR(render(routes[i], &r, WG_DIALECT_SEED), raw);
        WG_CHECK_INT((int)resp.body_len, (int)strlen(raw));
        WG_CHECK_INT(resp.status, routes[i] == WG_ROUTE_UPDATE_MESSAGE ? 200 : 201);
        WG_CHECK_STR(resp.content_type, "application/json; charset=utf-8");
    }
    doc.json = "[\"not a message\"]";
    wg_response_init(&resp);
    WG_CHECK_INT(wg_render_reply(WG_ROUTE_SEND_TEXT, &r, "i", WG_DIALECT_SEED, &arena, &resp),
                 WG_EPROTO);
    WG_CHECK_INT(resp.status, 500);
}

static void root_document(void)
{
    wg_response_init(&resp);
    wg_render_root("https", "api.example:8443", &arena, &resp);
    WG_CHECK_INT(resp.status, 200);
    WG_CHECK_STR(resp.body,
                 "{\"status\":200,\"message\":\"Welcome to wagate, an Evolution API compatible "
                 "gateway. It is working!\",\"version\":\"" WAGATE_VERSION "\","
                 "\"clientName\":\"wagate\",\"manager\":\"https://api.example:8443/manager\","
                 "\"documentation\":\"https://doc.evolution-api.com\"}");
}

int main(void)
{
    wg_arena_init(&arena, 0);
    WG_RUN(create_both_dialects);
    WG_RUN(fetch_instances_rows);
    WG_RUN(connection_state);
    WG_RUN(logout_delete);
    WG_RUN(settings_set_find);
    WG_RUN(webhook_set_find);
    WG_RUN(websocket_set_find);
    WG_RUN(proxy_set_find);
    WG_RUN(errors_from_connd);
    WG_RUN(reply_not_fitting_route);
    WG_RUN(send_documents_pass_through);
    WG_RUN(root_document);
    wg_arena_free(&arena);
    return wg_test_done();
}
