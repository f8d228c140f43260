/* Unit tests for connd/sio/sio_server.c beyond the suite: middleware
 * rejection, multiplexing, server acks, server disconnect, broadcast with a
 * shared buffer, protocol violations, reentrant handlers. */
#include "sio/sio_server.h"
#include "sio_test_env.h"
#include "wg_err.h"

static test_env_t env;
static wg_sio_server_t *sio;
static wg_eio_server_t *srv;
static char ws_user;
static wg_sio_socket_t *last_sock;
static char last_reason[64];
static int disconnects, acks_seen, acks_gone;
static char ack_args[128];
static int close_in_event, disconnect_in_connection;

static int authorize(void *ud, wg_sio_socket_t *sock, const char *auth, wg_sio_reject_t *reject)
{
    (void)ud;
    (void)sock;
    if (strstr(auth, "\"token\":\"good\""))
        return 0;
    reject->message = "bad \"token\"";
    reject->data_json = "{\"retry\":false}";
    return 1;
}

static void on_connection(void *ud, wg_sio_socket_t *sock)
{
    (void)ud;
    last_sock = sock;
    if (disconnect_in_connection)
        wg_sio_disconnect(sock);
}

static void on_event(void *ud, wg_sio_socket_t *sock, const wg_sio_event_t *ev)
{
    (void)ud;
    if (close_in_event) {
        wg_sio_close_connection(sock);
        wg_sio_emit(sock, "after-close", "[]", 2, NULL, 0); /* must be harmless */
        return;
    }
    if (ev->ack_id >= 0)
        wg_sio_ack(sock, ev->ack_id, "[\"ok\"]", 6, NULL, 0);
}

static void on_disconnect(void *ud, wg_sio_socket_t *sock, const char *reason)
{
    (void)ud;
    (void)sock;
    disconnects++;
    snprintf(last_reason, sizeof last_reason, "%s", reason);
}

static void on_ack(void *ud, wg_sio_socket_t *sock, const char *args, size_t len,
                   const wg_buf_t *att, size_t n)
{
    (void)ud;
    (void)sock;
    (void)att;
    (void)n;
    if (!args) {
        acks_gone++;
        return;
    }
    acks_seen++;
    snprintf(ack_args, sizeof ack_args, "%.*s", (int)len, args);
}

static void setup(void)
{
    wg_sio_config_t cfg;
    wg_sio_config_defaults(&cfg);
    cfg.eio.ping_interval_ms = 300;
    cfg.eio.ping_timeout_ms = 200;
    cfg.connect_timeout_ms = 1000;
    test_env_attach(&env, &cfg.eio);
    sio = wg_sio_server_new(&cfg);
    srv = wg_sio_server_eio(sio);
    wg_sio_handlers_t open_ns = {NULL, on_connection, on_event, on_disconnect, NULL};
    wg_sio_handlers_t private_ns = {authorize, on_connection, on_event, on_disconnect, NULL};
    wg_sio_namespace_add(sio, "/", &open_ns);
    wg_sio_namespace_add(sio, "/admin", &open_ns);
    wg_sio_namespace_add(sio, "/private", &private_ns);
    last_sock = NULL;
    disconnects = acks_seen = acks_gone = 0;
    close_in_event = disconnect_in_connection = 0;
    last_reason[0] = 0;
}

static void teardown(void)
{
    wg_sio_server_free(sio);
}

static char frame[1024];

static const char *pull(wg_eio_ws_t *ws)
{
    wg_eio_frame_kind_t k = test_ws_pull(srv, ws, frame, sizeof frame);
    return k == WG_EIO_FRAME_CLOSE ? "<close>" : k == WG_EIO_FRAME_NONE ? "<none>" : frame;
}

static wg_eio_ws_t *connect_ns(const char *connect_packet)
{
    wg_eio_ws_t *ws = test_ws_open(srv, "EIO=4&transport=websocket", &ws_user, NULL);
    pull(ws);
    test_ws_send(srv, ws, connect_packet);
    return ws;
}

static void middleware_rejects_with_message_and_data(void)
{
    setup();
    wg_eio_ws_t *ws = connect_ns("40/private,{\"token\":\"bad\"}");
    WG_CHECK_STR(pull(ws),
                 "44/private,{\"message\":\"bad \\\"token\\\"\",\"data\":{\"retry\":false}}");
    WG_CHECK(last_sock == NULL);
    test_ws_send(srv, ws, "40/private,{\"token\":\"good\"}");
    WG_CHECK(strncmp(pull(ws), "40/private,{\"sid\":\"", 19) == 0);
    WG_CHECK_STR(wg_sio_socket_auth(last_sock), "{\"token\":\"good\"}");
    wg_eio_ws_closed(srv, ws);
    WG_CHECK_INT(disconnects, 1);
    WG_CHECK_STR(last_reason, "transport close");
    teardown();
}

static void namespaces_multiplex_with_own_ids(void)
{
    setup();
    wg_eio_ws_t *ws = connect_ns("40");
    pull(ws);
    wg_sio_socket_t *main_sock = last_sock;
    test_ws_send(srv, ws, "40/admin?x=1,"); /* python-style query is stripped */
    WG_CHECK(strncmp(pull(ws), "40/admin,{\"sid\":\"", 17) == 0);
    wg_sio_socket_t *admin = last_sock;
    WG_CHECK(admin != main_sock);
    WG_CHECK(strcmp(wg_sio_socket_id(admin), wg_sio_socket_id(main_sock)) != 0);
    WG_CHECK(strcmp(wg_sio_socket_id(admin), wg_eio_session_sid(wg_sio_socket_session(admin))) !=
             0);
    WG_CHECK_STR(wg_sio_socket_namespace(admin), "/admin");
    test_ws_send(srv, ws, "42/admin,13[\"bar\"]");
    WG_CHECK_STR(pull(ws), "43/admin,13[\"ok\"]");
    test_ws_send(srv, ws, "41/admin,");
    WG_CHECK_STR(last_reason, "client namespace disconnect");
    WG_CHECK_INT(wg_sio_namespace_size(sio, "/admin"), 0);
    WG_CHECK_INT(wg_sio_namespace_size(sio, "/"), 1);
    test_ws_send(srv, ws, "42/admin,[\"gone\"]"); /* namespace left: violation */
    WG_CHECK_STR(pull(ws), "<close>");
    wg_eio_ws_closed(srv, ws);
    teardown();
}

static void protocol_violations_close(void)
{
    const char *bad[] = {"40", "44{\"message\":\"x\"}", "4\x01", "43[",
                         "4"
                         "5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setup();
        wg_eio_ws_t *ws = connect_ns("40");
        pull(ws);
        test_ws_send(srv, ws, bad[i]); /* double CONNECT, client CONNECT_ERROR, ... */
        WG_CHECK_STR(pull(ws), "<close>");
        wg_eio_ws_closed(srv, ws);
        teardown();
    }
    /* binary with no pending packet */
    setup();
    wg_eio_ws_t *ws = connect_ns("40");
    pull(ws);
    wg_eio_ws_message(srv, ws, (const uint8_t *)"\x01", 1, 1);
    WG_CHECK_STR(pull(ws), "<close>");
    wg_eio_ws_closed(srv, ws);
    teardown();
}

static void server_ack_round_trip(void)
{
    setup();
    wg_eio_ws_t *ws = connect_ns("40");
    pull(ws);
    WG_CHECK_INT(wg_sio_emit_with_ack(last_sock, "q", "[1]", 3, NULL, 0, on_ack, NULL), WG_OK);
    WG_CHECK_STR(pull(ws), "420[\"q\",1]");
    WG_CHECK_INT(wg_sio_emit_with_ack(last_sock, "q", "[]", 2, NULL, 0, on_ack, NULL), WG_OK);
    WG_CHECK_STR(pull(ws), "421[\"q\"]");
    test_ws_send(srv, ws, "430[\"answer\",2]");
    WG_CHECK_INT(acks_seen, 1);
    WG_CHECK_STR(ack_args, "[\"answer\",2]");
    test_ws_send(srv, ws, "430[]"); /* repeated id: ignored */
    WG_CHECK_INT(acks_seen, 1);
    wg_eio_ws_closed(srv, ws); /* ack 1 never came */
    WG_CHECK_INT(acks_gone, 1);
    teardown();
}

static void server_emit_binary_and_disconnect(void)
{
    setup();
    wg_eio_ws_t *ws = connect_ns("40/admin,");
    pull(ws);
    wg_slice_t att = wg_slice("\xde\xad", 2);
    WG_CHECK_INT(wg_sio_emit(last_sock, "file", "[{\"_placeholder\":true,\"num\":0}]", 31, &att, 1),
                 WG_OK);
    WG_CHECK_STR(pull(ws), "451-/admin,[\"file\",{\"_placeholder\":true,\"num\":0}]");
    wg_eio_frame_t f;
    wg_eio_ws_pull(srv, ws, &f);
    WG_CHECK(f.kind == WG_EIO_FRAME_BINARY && f.len == 2);
    WG_CHECK_INT(wg_sio_emit(last_sock, "x", "{}", 2, NULL, 0), WG_EINVAL);
    wg_sio_disconnect(last_sock);
    WG_CHECK_STR(pull(ws), "41/admin,");
    WG_CHECK_STR(last_reason, "server namespace disconnect");
    WG_CHECK_INT(wg_eio_server_session_count(srv), 1);
    wg_eio_ws_closed(srv, ws);
    teardown();
}

static void broadcast_encodes_once(void)
{
    setup();
    wg_eio_ws_t *ws1 = connect_ns("40");
    pull(ws1);
    wg_eio_ws_t *ws2 = connect_ns("40");
    pull(ws2);
    char sid[32];
    test_handshake(srv, sid);
    const char *q = test_query("EIO=4&transport=polling&sid=%s", sid);
    wg_eio_response_t r = test_http(srv, WG_EIO_METHOD_POST, q, "40/admin,", NULL);
    wg_eio_response_free(&r);
    r = test_http(srv, WG_EIO_METHOD_GET, q, NULL, NULL);
    wg_eio_response_free(&r);
    WG_CHECK_INT(wg_sio_broadcast(sio, "/", "news", "[{\"n\":1}]", 9), 2);
    WG_CHECK_INT(wg_sio_broadcast(sio, "/admin", "news", "[]", 2), 1);
    WG_CHECK_INT(wg_sio_broadcast(sio, "/nope", "news", "[]", 2), WG_ENOTFOUND);
    wg_eio_frame_t f1, f2;
    wg_eio_ws_pull(srv, ws1, &f1);
    wg_eio_ws_pull(srv, ws2, &f2);
    WG_CHECK(f1.data == f2.data); /* the same bytes, not a copy */
    WG_CHECK(f1.len == 18 && memcmp(f1.data, "42[\"news\",{\"n\":1}]", 18) == 0);
    r = test_http(srv, WG_EIO_METHOD_GET, q, NULL, NULL);
    WG_CHECK_STR(test_body(&r), "42/admin,[\"news\"]");
    wg_eio_response_free(&r);
    wg_eio_ws_closed(srv, ws1);
    wg_eio_ws_closed(srv, ws2);
    teardown();
}

static void reentrant_handlers(void)
{
    setup();
    close_in_event = 1;
    wg_eio_ws_t *ws = connect_ns("40");
    pull(ws);
    test_ws_send(srv, ws, "42[\"anything\"]");
    WG_CHECK_STR(pull(ws), "<close>");
    WG_CHECK_INT(disconnects, 1);
    wg_eio_ws_closed(srv, ws);
    teardown();

    setup();
    disconnect_in_connection = 1;
    ws = connect_ns("40");
    WG_CHECK(strncmp(pull(ws), "40{\"sid\":", 9) == 0);
    WG_CHECK_STR(pull(ws), "41");
    WG_CHECK_INT(wg_sio_namespace_size(sio, "/"), 0);
    wg_eio_ws_closed(srv, ws);
    teardown();
}

static void connect_timeout_counts_from_open(void)
{
    setup();
    wg_eio_ws_t *ws = connect_ns("40");
    pull(ws);
    WG_CHECK_INT(wg_sio_next_deadline(sio), env.now + 300);
    env.now += 300;
    wg_sio_tick(sio);
    WG_CHECK_STR(pull(ws), "2");
    test_ws_send(srv, ws, "3");
    env.now += 700;
    wg_sio_tick(sio);
    WG_CHECK_STR(pull(ws), "2"); /* the next ping, not a close: a namespace was joined */
    WG_CHECK_STR(pull(ws), "<none>");
    WG_CHECK_INT(wg_eio_server_session_count(srv), 1);
    wg_eio_ws_closed(srv, ws);
    teardown();
}

int main(void)
{
    WG_RUN(middleware_rejects_with_message_and_data);
    WG_RUN(namespaces_multiplex_with_own_ids);
    WG_RUN(protocol_violations_close);
    WG_RUN(server_ack_round_trip);
    WG_RUN(server_emit_binary_and_disconnect);
    WG_RUN(broadcast_encodes_once);
    WG_RUN(reentrant_handlers);
    WG_RUN(connect_timeout_counts_from_open);
    return wg_test_done();
}
