/* The socket.io-protocol suite (spec §3.3) replayed against the conformance
 * namespaces through the unit API: the 16 Socket.IO cases over WebSocket as
 * the suite runs them, plus its Engine.IO part under the Socket.IO server
 * (heartbeat, close, upgrade with the CONNECT flow). Fake clock, no sockets. */
#include "sio/sio_conformance.h"
#include "sio_test_env.h"

static test_env_t env;
static wg_sio_server_t *sio;
static wg_eio_server_t *srv;
static char ws_user, poll_user;

static void setup(void)
{
    wg_sio_config_t cfg;
    wg_sio_config_defaults(&cfg);
    wg_sio_conformance_config(&cfg);
    test_env_attach(&env, &cfg.eio);
    sio = wg_sio_server_new(&cfg);
    wg_sio_conformance_install(sio);
    srv = wg_sio_server_eio(sio);
}

static void teardown(void)
{
    wg_sio_server_free(sio);
    sio = NULL;
}

static void advance(int64_t ms)
{
    env.now += ms;
    wg_sio_tick(sio);
}

static char frame[2048];

static const char *pull(wg_eio_ws_t *ws)
{
    wg_eio_frame_kind_t k = test_ws_pull(srv, ws, frame, sizeof frame);
    if (k == WG_EIO_FRAME_CLOSE)
        return "<close>";
    if (k == WG_EIO_FRAME_NONE)
        return "<none>";
    return frame;
}

/* WebSocket-only connection with the open packet consumed. */
static wg_eio_ws_t *open_ws(void)
{
    wg_eio_ws_t *ws = test_ws_open(srv, "EIO=4&transport=websocket", &ws_user, NULL);
    WG_CHECK(ws != NULL);
    WG_CHECK(strncmp(pull(ws), "0{", 2) == 0);
    return ws;
}

/* initSocketIOConnection of the suite: open, "40", expect 40{sid} + auth. */
static wg_eio_ws_t *init_sio(void)
{
    wg_eio_ws_t *ws = open_ws();
    test_ws_send(srv, ws, "40");
    WG_CHECK(strncmp(pull(ws), "40{\"sid\":\"", 10) == 0);
    WG_CHECK_STR(pull(ws), "42[\"auth\",{}]");
    return ws;
}

/* Checks a CONNECT reply has exactly one key "sid" (a string). */
static void check_connect_reply(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    WG_CHECK(strncmp(text, prefix, n) == 0);
    json_error_t err;
    json_t *v = json_loads(text + n, 0, &err);
    WG_CHECK(json_is_object(v) && json_object_size(v) == 1 &&
             json_is_string(json_object_get(v, "sid")));
    json_decref(v);
}

/* connect (1) */
static void connect_should_allow_connection_to_the_main_namespace(void)
{
    setup();
    wg_eio_ws_t *ws = open_ws();
    test_ws_send(srv, ws, "40");
    check_connect_reply(pull(ws), "40");
    WG_CHECK_STR(pull(ws), "42[\"auth\",{}]");
    WG_CHECK_STR(pull(ws), "<none>");
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* connect (2) */
static void connect_should_allow_connection_to_the_main_namespace_with_a_payload(void)
{
    setup();
    wg_eio_ws_t *ws = open_ws();
    test_ws_send(srv, ws, "40{\"token\":\"123\"}");
    check_connect_reply(pull(ws), "40");
    WG_CHECK_STR(pull(ws), "42[\"auth\",{\"token\":\"123\"}]");
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* connect (3) */
static void connect_should_allow_connection_to_a_custom_namespace(void)
{
    setup();
    wg_eio_ws_t *ws = open_ws();
    test_ws_send(srv, ws, "40/custom,");
    check_connect_reply(pull(ws), "40/custom,");
    WG_CHECK_STR(pull(ws), "42/custom,[\"auth\",{}]");
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* connect (4) */
static void connect_should_allow_connection_to_a_custom_namespace_with_a_payload(void)
{
    setup();
    wg_eio_ws_t *ws = open_ws();
    test_ws_send(srv, ws, "40/custom,{\"token\":\"abc\"}");
    check_connect_reply(pull(ws), "40/custom,");
    WG_CHECK_STR(pull(ws), "42/custom,[\"auth\",{\"token\":\"abc\"}]");
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* connect (5) */
static void connect_should_disallow_connection_to_an_unknown_namespace(void)
{
    setup();
    wg_eio_ws_t *ws = open_ws();
    test_ws_send(srv, ws, "40/random");
    WG_CHECK_STR(pull(ws), "44/random,{\"message\":\"Invalid namespace\"}");
    WG_CHECK_STR(pull(ws), "<none>"); /* the Engine.IO connection stays */
    WG_CHECK_INT(wg_eio_server_session_count(srv), 1);
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* connect (6) */
static void connect_should_disallow_connection_with_an_invalid_handshake(void)
{
    setup();
    wg_eio_ws_t *ws = open_ws();
    test_ws_send(srv, ws, "4abc");
    WG_CHECK_STR(pull(ws), "<close>");
    WG_CHECK_INT(wg_eio_server_session_count(srv), 0);
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* connect (7) */
static void connect_should_close_the_connection_if_no_handshake_is_received(void)
{
    setup();
    wg_eio_ws_t *ws = open_ws();
    advance(300);
    WG_CHECK_STR(pull(ws), "2"); /* the client never answers */
    advance(200);
    WG_CHECK_STR(pull(ws), "<close>");
    wg_eio_ws_closed(srv, ws);
    /* and if it pongs, the 1 s connect timeout still closes it */
    ws = open_ws();
    for (int t = 300; t < 1000; t += 300) {
        advance(300);
        WG_CHECK_STR(pull(ws), "2");
        test_ws_send(srv, ws, "3");
    }
    advance(99);
    WG_CHECK_STR(pull(ws), "<none>");
    advance(1);
    WG_CHECK_STR(pull(ws), "<close>");
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* disconnect (8) */
static void disconnect_should_disconnect_from_the_main_namespace(void)
{
    setup();
    wg_eio_ws_t *ws = init_sio();
    test_ws_send(srv, ws, "41");
    WG_CHECK_STR(pull(ws), "<none>");
    advance(300);
    WG_CHECK_STR(pull(ws), "2"); /* next frame is the ping */
    WG_CHECK_INT(wg_sio_namespace_size(sio, "/"), 0);
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* disconnect (9) */
static void disconnect_should_connect_then_disconnect_from_a_custom_namespace(void)
{
    setup();
    wg_eio_ws_t *ws = init_sio();
    advance(300);
    WG_CHECK_STR(pull(ws), "2"); /* from here the client never pongs: < 200 ms left */
    test_ws_send(srv, ws, "40/custom");
    check_connect_reply(pull(ws), "40/custom,");
    WG_CHECK_STR(pull(ws), "42/custom,[\"auth\",{}]");
    test_ws_send(srv, ws, "41/custom");
    test_ws_send(srv, ws, "42[\"message\",\"message to main namespace\"]");
    WG_CHECK_STR(pull(ws), "42[\"message-back\",\"message to main namespace\"]");
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* message (10) */
static void message_should_send_a_plain_text_packet(void)
{
    setup();
    wg_eio_ws_t *ws = init_sio();
    test_ws_send(srv, ws, "42[\"message\",1,\"2\",{\"3\":[true]}]");
    WG_CHECK_STR(pull(ws), "42[\"message-back\",1,\"2\",{\"3\":[true]}]");
    wg_eio_ws_closed(srv, ws);
    teardown();
}

static void send_bin(wg_eio_ws_t *ws, const char *bytes)
{
    wg_eio_ws_message(srv, ws, (const uint8_t *)bytes, 3, 1);
}

static void expect_bin(wg_eio_ws_t *ws, const char *bytes)
{
    wg_eio_frame_t f;
    wg_eio_ws_pull(srv, ws, &f);
    WG_CHECK_INT(f.kind, WG_EIO_FRAME_BINARY);
    WG_CHECK(f.len == 3 && memcmp(f.data, bytes, 3) == 0);
}

/* message (11) */
static void message_should_send_a_packet_with_binary_attachments(void)
{
    setup();
    wg_eio_ws_t *ws = init_sio();
    test_ws_send(srv, ws,
                 "452-[\"message\",{\"_placeholder\":true,\"num\":0},"
                 "{\"_placeholder\":true,\"num\":1}]");
    WG_CHECK_STR(pull(ws), "<none>");
    send_bin(ws, "\x01\x02\x03");
    send_bin(ws, "\x04\x05\x06");
    WG_CHECK_STR(pull(ws), "452-[\"message-back\",{\"_placeholder\":true,\"num\":0},"
                           "{\"_placeholder\":true,\"num\":1}]");
    expect_bin(ws, "\x01\x02\x03");
    expect_bin(ws, "\x04\x05\x06");
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* message (12) */
static void message_should_send_a_plain_text_packet_with_an_ack(void)
{
    setup();
    wg_eio_ws_t *ws = init_sio();
    test_ws_send(srv, ws, "42456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");
    WG_CHECK_STR(pull(ws), "43456[1,\"2\",{\"3\":[false]}]");
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* message (13) */
static void message_should_send_a_packet_with_binary_attachments_and_an_ack(void)
{
    setup();
    wg_eio_ws_t *ws = init_sio();
    test_ws_send(srv, ws,
                 "452-789[\"message-with-ack\",{\"_placeholder\":true,\"num\":0},"
                 "{\"_placeholder\":true,\"num\":1}]");
    send_bin(ws, "\x01\x02\x03");
    send_bin(ws, "\x04\x05\x06");
    WG_CHECK_STR(pull(ws), "462-789[{\"_placeholder\":true,\"num\":0},"
                           "{\"_placeholder\":true,\"num\":1}]");
    expect_bin(ws, "\x01\x02\x03");
    expect_bin(ws, "\x04\x05\x06");
    wg_eio_ws_closed(srv, ws);
    teardown();
}

static void expect_close_after(const char *text)
{
    setup();
    wg_eio_ws_t *ws = init_sio();
    test_ws_send(srv, ws, text);
    WG_CHECK_STR(pull(ws), "<close>");
    WG_CHECK_INT(wg_eio_server_session_count(srv), 0);
    WG_CHECK_INT(wg_sio_namespace_size(sio, "/"), 0);
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* message (14) */
static void message_should_close_the_connection_upon_invalid_format_unknown_packet_type(void)
{
    expect_close_after("4abc");
}

/* message (15) */
static void message_should_close_the_connection_upon_invalid_format_invalid_payload_format(void)
{
    expect_close_after("42{}");
}

/* message (16) */
static void message_should_close_the_connection_upon_invalid_format_invalid_ack_id(void)
{
    expect_close_after("42abc[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");
}

/* Engine.IO part under /socket.io/: upgrade with the CONNECT flow (spec
 * §2.4 sample session) and polling heartbeats. */
static void eio_part_polling_session_connects_and_upgrades(void)
{
    setup();
    char sid[32];
    test_handshake(srv, sid);
    const char *q = test_query("EIO=4&transport=polling&sid=%s", sid);
    wg_eio_response_t r = test_http(srv, WG_EIO_METHOD_POST, q, "40", &poll_user);
    WG_CHECK_STR(test_body(&r), "ok");
    wg_eio_response_free(&r);
    r = test_http(srv, WG_EIO_METHOD_GET, q, NULL, &poll_user);
    WG_CHECK_INT(r.status, 200);
    WG_CHECK(strncmp(test_body(&r), "40{\"sid\":\"", 10) == 0);
    WG_CHECK(strstr(test_body(&r), "\x1e"
                                   "42[\"auth\",{}]") != NULL);
    wg_eio_response_free(&r);
    r = test_http(srv, WG_EIO_METHOD_POST, q,
                  "42[\"message\",\"a\"]\x1e"
                  "42[\"message\",\"b\"]",
                  &poll_user);
    wg_eio_response_free(&r);
    r = test_http(srv, WG_EIO_METHOD_GET, q, NULL, &poll_user);
    WG_CHECK_STR(test_body(&r), "42[\"message-back\",\"a\"]\x1e"
                                "42[\"message-back\",\"b\"]");
    wg_eio_response_free(&r);
    wg_eio_ws_t *ws =
        test_ws_open(srv, test_query("EIO=4&transport=websocket&sid=%s", sid), &ws_user, NULL);
    test_ws_send(srv, ws, "2probe");
    WG_CHECK_STR(pull(ws), "3probe");
    test_ws_send(srv, ws, "5");
    test_ws_send(srv, ws, "40/custom,");
    check_connect_reply(pull(ws), "40/custom,");
    WG_CHECK_STR(pull(ws), "42/custom,[\"auth\",{}]");
    /* binary over polling is "b"+base64: send one on "/" via the ws now */
    test_ws_send(srv, ws, "451-[\"message\",{\"_placeholder\":true,\"num\":0}]");
    send_bin(ws, "\x01\x02\x03");
    WG_CHECK_STR(pull(ws), "451-[\"message-back\",{\"_placeholder\":true,\"num\":0}]");
    expect_bin(ws, "\x01\x02\x03");
    wg_eio_ws_closed(srv, ws);
    WG_CHECK_INT(wg_sio_namespace_size(sio, "/"), 0);
    WG_CHECK_INT(wg_sio_namespace_size(sio, "/custom"), 0);
    teardown();
}

static void eio_part_polling_binary_attachments_are_base64(void)
{
    setup();
    char sid[32];
    test_handshake(srv, sid);
    const char *q = test_query("EIO=4&transport=polling&sid=%s", sid);
    wg_eio_response_t r = test_http(srv, WG_EIO_METHOD_POST, q, "40", &poll_user);
    wg_eio_response_free(&r);
    r = test_http(srv, WG_EIO_METHOD_GET, q, NULL, &poll_user);
    wg_eio_response_free(&r);
    r = test_http(srv, WG_EIO_METHOD_POST, q,
                  "451-[\"message\",{\"_placeholder\":true,\"num\":0}]\x1e"
                  "bAQIDBA==",
                  &poll_user);
    WG_CHECK_INT(r.status, 200);
    wg_eio_response_free(&r);
    r = test_http(srv, WG_EIO_METHOD_GET, q, NULL, &poll_user);
    WG_CHECK_STR(test_body(&r), "451-[\"message-back\",{\"_placeholder\":true,\"num\":0}]\x1e"
                                "bAQIDBA==");
    wg_eio_response_free(&r);
    teardown();
}

int main(void)
{
    WG_RUN(connect_should_allow_connection_to_the_main_namespace);
    WG_RUN(connect_should_allow_connection_to_the_main_namespace_with_a_payload);
    WG_RUN(connect_should_allow_connection_to_a_custom_namespace);
    WG_RUN(connect_should_allow_connection_to_a_custom_namespace_with_a_payload);
    WG_RUN(connect_should_disallow_connection_to_an_unknown_namespace);
    WG_RUN(connect_should_disallow_connection_with_an_invalid_handshake);
    WG_RUN(connect_should_close_the_connection_if_no_handshake_is_received);
    WG_RUN(disconnect_should_disconnect_from_the_main_namespace);
    WG_RUN(disconnect_should_connect_then_disconnect_from_a_custom_namespace);
    WG_RUN(message_should_send_a_plain_text_packet);
    WG_RUN(message_should_send_a_packet_with_binary_attachments);
    WG_RUN(message_should_send_a_plain_text_packet_with_an_ack);
    WG_RUN(message_should_send_a_packet_with_binary_attachments_and_an_ack);
    WG_RUN(message_should_close_the_connection_upon_invalid_format_unknown_packet_type);
    WG_RUN(message_should_close_the_connection_upon_invalid_format_invalid_payload_format);
    WG_RUN(message_should_close_the_connection_upon_invalid_format_invalid_ack_id);
    WG_RUN(eio_part_polling_session_connects_and_upgrades);
    WG_RUN(eio_part_polling_binary_attachments_are_base64);
    return wg_test_done();
}
