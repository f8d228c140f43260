/* The engine.io-protocol suite (spec §3.2, 24 cases) replayed against the
 * conformance echo server through the unit API: no sockets, fake clock.
 * Each test is named after its suite case (group_transport_case). */
#include "sio/sio_conformance.h"
#include "sio_test_env.h"

static test_env_t env;
static wg_eio_server_t *srv;
static char poll_user, ws_user, ws_user2, post_user;

static void setup(void)
{
    wg_eio_config_t cfg;
    wg_eio_config_defaults(&cfg);
    wg_eio_conformance_config(&cfg);
    test_env_attach(&env, &cfg);
    wg_eio_handlers_t h;
    wg_eio_conformance_handlers(&h);
    srv = wg_eio_server_new(&cfg, &h);
}

static void teardown(void)
{
    wg_eio_server_free(srv);
    srv = NULL;
}

static void advance(int64_t ms)
{
    env.now += ms;
    wg_eio_tick(srv);
}

/* GET with sid; expects an immediate answer; returns status, body into out. */
static int poll(const char *sid, char *out, size_t n)
{
    wg_eio_response_t r =
        test_http(srv, WG_EIO_METHOD_GET, test_query("EIO=4&transport=polling&sid=%s", sid), NULL,
                  &poll_user);
    WG_CHECK(!r.parked);
    int status = r.parked ? 0 : r.status;
    snprintf(out, n, "%s", test_body(&r));
    wg_eio_response_free(&r);
    return status;
}

static int post(const char *sid, const char *body)
{
    wg_eio_response_t r =
        test_http(srv, WG_EIO_METHOD_POST, test_query("EIO=4&transport=polling&sid=%s", sid), body,
                  &post_user);
    int status = r.status;
    if (status == 200)
        WG_CHECK_STR(test_body(&r), "ok");
    wg_eio_response_free(&r);
    return status;
}

/* (1) */
static void handshake_polling_should_successfully_open_a_session(void)
{
    setup();
    wg_eio_response_t r = test_http(srv, WG_EIO_METHOD_GET, "EIO=4&transport=polling", NULL, NULL);
    WG_CHECK_INT(r.status, 200);
    WG_CHECK_STR(r.content_type, "text/plain; charset=UTF-8");
    WG_CHECK_STR(test_header(&r, "Cache-Control"), "no-store");
    WG_CHECK_STR(test_header(&r, "Access-Control-Allow-Origin"), "*");
    const char *b = test_body(&r);
    WG_CHECK(b[0] == '0');
    json_error_t err;
    json_t *open = json_loads(b + 1, 0, &err);
    WG_CHECK(json_is_object(open));
    WG_CHECK_INT(json_object_size(open), 5);
    WG_CHECK_INT(json_string_length(json_object_get(open, "sid")), 20);
    json_t *up = json_object_get(open, "upgrades");
    WG_CHECK(json_array_size(up) == 1);
    WG_CHECK_STR(json_string_value(json_array_get(up, 0)), "websocket");
    WG_CHECK_INT(json_integer_value(json_object_get(open, "pingInterval")), 300);
    WG_CHECK_INT(json_integer_value(json_object_get(open, "pingTimeout")), 200);
    WG_CHECK_INT(json_integer_value(json_object_get(open, "maxPayload")), 1000000);
    json_decref(open);
    wg_eio_response_free(&r);
    WG_CHECK_INT(wg_eio_server_session_count(srv), 1);
    teardown();
}

static void expect_error(wg_eio_method_t m, const char *query, int status, const char *body)
{
    wg_eio_response_t r = test_http(srv, m, query, NULL, NULL);
    WG_CHECK_INT(r.status, status);
    WG_CHECK_STR(r.content_type, "application/json");
    WG_CHECK_STR(test_body(&r), body);
    wg_eio_response_free(&r);
}

/* (2) */
static void handshake_polling_should_fail_with_an_invalid_eio_query_parameter(void)
{
    setup();
    const char *v5 = "{\"code\":5,\"message\":\"Unsupported protocol version\"}";
    expect_error(WG_EIO_METHOD_GET, "transport=polling", 400, v5);
    expect_error(WG_EIO_METHOD_GET, "EIO=abc&transport=polling", 400, v5);
    expect_error(WG_EIO_METHOD_GET, "EIO=3&transport=polling", 400, v5);
    WG_CHECK_INT(wg_eio_server_session_count(srv), 0);
    teardown();
}

/* (3) */
static void handshake_polling_should_fail_with_an_invalid_transport_query_parameter(void)
{
    setup();
    const char *v0 = "{\"code\":0,\"message\":\"Transport unknown\"}";
    expect_error(WG_EIO_METHOD_GET, "EIO=4", 400, v0);
    expect_error(WG_EIO_METHOD_GET, "EIO=4&transport=abc", 400, v0);
    teardown();
}

/* (4) */
static void handshake_polling_should_fail_with_an_invalid_request_method(void)
{
    setup();
    const char *v2 = "{\"code\":2,\"message\":\"Bad handshake method\"}";
    expect_error(WG_EIO_METHOD_POST, "EIO=4&transport=polling", 400, v2);
    expect_error(WG_EIO_METHOD_OTHER, "EIO=4&transport=polling", 400, v2);
    teardown();
}

/* (5) */
static void handshake_websocket_should_successfully_open_a_session(void)
{
    setup();
    int status;
    wg_eio_ws_t *ws = test_ws_open(srv, "EIO=4&transport=websocket", &ws_user, &status);
    WG_CHECK_INT(status, 101);
    WG_CHECK(test_was_woken(&env, &ws_user));
    char f[512];
    WG_CHECK_INT(test_ws_pull(srv, ws, f, sizeof f), WG_EIO_FRAME_TEXT);
    WG_CHECK(strncmp(f, "0{\"sid\":\"", 9) == 0);
    WG_CHECK(strstr(f, "\"upgrades\":[],\"pingInterval\":300,\"pingTimeout\":200,"
                       "\"maxPayload\":1000000}") != NULL);
    WG_CHECK_INT(test_ws_pull(srv, ws, f, sizeof f), WG_EIO_FRAME_NONE);
    wg_eio_ws_closed(srv, ws);
    WG_CHECK_INT(wg_eio_server_session_count(srv), 0);
    teardown();
}

/* (6) */
static void handshake_websocket_should_fail_with_an_invalid_eio_query_parameter(void)
{
    setup();
    int status;
    WG_CHECK(test_ws_open(srv, "transport=websocket", &ws_user, &status) == NULL);
    WG_CHECK_INT(status, 400);
    WG_CHECK(test_ws_open(srv, "EIO=abc&transport=websocket", &ws_user, &status) == NULL);
    WG_CHECK_INT(status, 400);
    teardown();
}

/* (7) */
static void handshake_websocket_should_fail_with_an_invalid_transport_query_parameter(void)
{
    setup();
    int status;
    WG_CHECK(test_ws_open(srv, "EIO=4", &ws_user, &status) == NULL);
    WG_CHECK_INT(status, 400);
    WG_CHECK(test_ws_open(srv, "EIO=4&transport=abc", &ws_user, &status) == NULL);
    WG_CHECK_INT(status, 400);
    teardown();
}

/* (8) */
static void message_polling_should_send_and_receive_a_plain_text_packet(void)
{
    setup();
    char sid[32], body[256];
    test_handshake(srv, sid);
    WG_CHECK_INT(post(sid, "4hello"), 200);
    WG_CHECK_INT(poll(sid, body, sizeof body), 200);
    WG_CHECK_STR(body, "4hello");
    teardown();
}

/* (9) */
static void message_polling_should_send_and_receive_multiple_packets_in_one_payload(void)
{
    setup();
    char sid[32], body[256];
    test_handshake(srv, sid);
    WG_CHECK_INT(post(sid, "4test1\x1e"
                           "4test2\x1e"
                           "4test3"),
                 200);
    WG_CHECK_INT(poll(sid, body, sizeof body), 200);
    WG_CHECK_STR(body, "4test1\x1e"
                       "4test2\x1e"
                       "4test3");
    teardown();
}

/* (10) */
static void message_polling_should_send_and_receive_a_binary_packet(void)
{
    setup();
    char sid[32], body[256];
    test_handshake(srv, sid);
    WG_CHECK_INT(post(sid, "4hello\x1e"
                           "bAQIDBA=="),
                 200);
    WG_CHECK_INT(poll(sid, body, sizeof body), 200);
    WG_CHECK_STR(body, "4hello\x1e"
                       "bAQIDBA==");
    teardown();
}

/* (11) */
static void message_polling_should_close_the_session_upon_invalid_packet_format(void)
{
    setup();
    char sid[32], body[256];
    test_handshake(srv, sid);
    WG_CHECK_INT(post(sid, "abc"), 400);
    WG_CHECK_INT(poll(sid, body, sizeof body), 400);
    teardown();
}

/* (12) */
static void message_polling_should_close_the_session_upon_duplicate_poll_requests(void)
{
    setup();
    char sid[32], body[256];
    test_handshake(srv, sid);
    wg_eio_response_t first =
        test_http(srv, WG_EIO_METHOD_GET, test_query("EIO=4&transport=polling&sid=%s", sid), NULL,
                  &poll_user);
    WG_CHECK(first.parked);
    env.now += 5;
    wg_eio_response_t second =
        test_http(srv, WG_EIO_METHOD_GET, test_query("EIO=4&transport=polling&sid=%s&t=burst", sid),
                  NULL, &ws_user2);
    WG_CHECK_INT(second.status, 400);
    WG_CHECK(test_was_woken(&env, &poll_user));
    wg_eio_response_t resumed = WG_EIO_RESPONSE_INIT;
    WG_CHECK_INT(wg_eio_poll_resume(srv, first.poll, &resumed), 1);
    WG_CHECK_INT(resumed.status, 200);
    WG_CHECK_STR(test_body(&resumed), "1");
    WG_CHECK_INT(poll(sid, body, sizeof body), 400);
    wg_eio_response_free(&first);
    wg_eio_response_free(&second);
    wg_eio_response_free(&resumed);
    teardown();
}

/* (13) */
static void message_websocket_should_send_and_receive_a_plain_text_packet(void)
{
    setup();
    char f[512];
    wg_eio_ws_t *ws = test_ws_open(srv, "EIO=4&transport=websocket", &ws_user, NULL);
    test_ws_pull(srv, ws, f, sizeof f);
    test_ws_send(srv, ws, "4hello");
    WG_CHECK_INT(test_ws_pull(srv, ws, f, sizeof f), WG_EIO_FRAME_TEXT);
    WG_CHECK_STR(f, "4hello");
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* (14) */
static void message_websocket_should_send_and_receive_a_binary_packet(void)
{
    setup();
    char f[512];
    wg_eio_ws_t *ws = test_ws_open(srv, "EIO=4&transport=websocket", &ws_user, NULL);
    test_ws_pull(srv, ws, f, sizeof f);
    const uint8_t bin[4] = {1, 2, 3, 4};
    WG_CHECK_INT(wg_eio_ws_message(srv, ws, bin, 4, 1), 0);
    wg_eio_frame_t fr;
    wg_eio_ws_pull(srv, ws, &fr);
    WG_CHECK_INT(fr.kind, WG_EIO_FRAME_BINARY);
    WG_CHECK(fr.len == 4 && memcmp(fr.data, bin, 4) == 0);
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* (15) */
static void message_websocket_should_close_the_connection_upon_invalid_packet_format(void)
{
    setup();
    char f[512];
    wg_eio_ws_t *ws = test_ws_open(srv, "EIO=4&transport=websocket", &ws_user, NULL);
    test_ws_pull(srv, ws, f, sizeof f);
    test_ws_send(srv, ws, "abc");
    WG_CHECK_INT(test_ws_pull(srv, ws, f, sizeof f), WG_EIO_FRAME_CLOSE);
    WG_CHECK_INT(wg_eio_server_session_count(srv), 0);
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* (16) */
static void heartbeat_polling_should_send_ping_pong_packets(void)
{
    setup();
    char sid[32];
    test_handshake(srv, sid);
    for (int i = 0; i < 3; i++) {
        wg_eio_response_t r =
            test_http(srv, WG_EIO_METHOD_GET, test_query("EIO=4&transport=polling&sid=%s", sid),
                      NULL, &poll_user);
        WG_CHECK(r.parked);
        env.wakes = 0;
        WG_CHECK_INT(wg_eio_next_deadline(srv), env.now + 300);
        advance(299);
        WG_CHECK(!test_was_woken(&env, &poll_user));
        advance(1);
        WG_CHECK(test_was_woken(&env, &poll_user));
        wg_eio_response_t done = WG_EIO_RESPONSE_INIT;
        WG_CHECK_INT(wg_eio_poll_resume(srv, r.poll, &done), 1);
        WG_CHECK_INT(done.status, 200);
        WG_CHECK_STR(test_body(&done), "2");
        wg_eio_response_free(&done);
        wg_eio_response_free(&r);
        advance(50);
        WG_CHECK_INT(post(sid, "3"), 200);
    }
    WG_CHECK_INT(wg_eio_server_session_count(srv), 1);
    teardown();
}

/* (17) */
static void heartbeat_polling_should_close_the_session_upon_ping_timeout(void)
{
    setup();
    char sid[32], body[64];
    test_handshake(srv, sid);
    advance(300);
    advance(199);
    WG_CHECK_INT(wg_eio_server_session_count(srv), 1);
    advance(1); /* the suite polls at exactly +500 ms */
    WG_CHECK_INT(poll(sid, body, sizeof body), 400);
    teardown();
}

/* (18) */
static void heartbeat_websocket_should_send_ping_pong_packets(void)
{
    setup();
    char f[512];
    wg_eio_ws_t *ws = test_ws_open(srv, "EIO=4&transport=websocket", &ws_user, NULL);
    test_ws_pull(srv, ws, f, sizeof f);
    for (int i = 0; i < 3; i++) {
        advance(300);
        WG_CHECK_INT(test_ws_pull(srv, ws, f, sizeof f), WG_EIO_FRAME_TEXT);
        WG_CHECK_STR(f, "2");
        advance(10);
        test_ws_send(srv, ws, "3");
    }
    advance(150);
    WG_CHECK_INT(test_ws_pull(srv, ws, f, sizeof f), WG_EIO_FRAME_NONE);
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* (19) */
static void heartbeat_websocket_should_close_the_session_upon_ping_timeout(void)
{
    setup();
    char f[512];
    wg_eio_ws_t *ws = test_ws_open(srv, "EIO=4&transport=websocket", &ws_user, NULL);
    test_ws_pull(srv, ws, f, sizeof f);
    advance(300);
    WG_CHECK_STR((test_ws_pull(srv, ws, f, sizeof f), f), "2");
    advance(200);
    WG_CHECK_INT(test_ws_pull(srv, ws, f, sizeof f), WG_EIO_FRAME_CLOSE);
    wg_eio_ws_closed(srv, ws);
    WG_CHECK_INT(wg_eio_server_session_count(srv), 0);
    teardown();
}

/* (20) */
static void close_polling_should_forcefully_close_the_session(void)
{
    setup();
    char sid[32], body[64];
    test_handshake(srv, sid);
    wg_eio_response_t r =
        test_http(srv, WG_EIO_METHOD_GET, test_query("EIO=4&transport=polling&sid=%s", sid), NULL,
                  &poll_user);
    WG_CHECK(r.parked);
    WG_CHECK_INT(post(sid, "1"), 200);
    WG_CHECK(test_was_woken(&env, &poll_user));
    wg_eio_response_t done = WG_EIO_RESPONSE_INIT;
    WG_CHECK_INT(wg_eio_poll_resume(srv, r.poll, &done), 1);
    WG_CHECK_INT(done.status, 200);
    WG_CHECK_STR(test_body(&done), "6");
    WG_CHECK_INT(poll(sid, body, sizeof body), 400);
    wg_eio_response_free(&r);
    wg_eio_response_free(&done);
    teardown();
}

/* (21) */
static void close_websocket_should_forcefully_close_the_session(void)
{
    setup();
    char f[512];
    wg_eio_ws_t *ws = test_ws_open(srv, "EIO=4&transport=websocket", &ws_user, NULL);
    test_ws_pull(srv, ws, f, sizeof f);
    test_ws_send(srv, ws, "1");
    WG_CHECK_INT(test_ws_pull(srv, ws, f, sizeof f), WG_EIO_FRAME_CLOSE);
    WG_CHECK_INT(wg_eio_server_session_count(srv), 0);
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* (22) */
static void upgrade_should_successfully_upgrade_from_polling_to_websocket(void)
{
    setup();
    char sid[32], body[64], f[512];
    test_handshake(srv, sid);
    int status;
    wg_eio_ws_t *ws =
        test_ws_open(srv, test_query("EIO=4&transport=websocket&sid=%s", sid), &ws_user, &status);
    WG_CHECK_INT(status, 101);
    test_ws_send(srv, ws, "2probe");
    WG_CHECK_INT(test_ws_pull(srv, ws, f, sizeof f), WG_EIO_FRAME_TEXT);
    WG_CHECK_STR(f, "3probe");
    WG_CHECK_INT(poll(sid, body, sizeof body), 200); /* polling released with a noop */
    WG_CHECK_STR(body, "6");
    test_ws_send(srv, ws, "5");
    test_ws_send(srv, ws, "4hello");
    WG_CHECK_INT(test_ws_pull(srv, ws, f, sizeof f), WG_EIO_FRAME_TEXT);
    WG_CHECK_STR(f, "4hello");
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* (23) */
static void upgrade_should_ignore_http_requests_with_same_sid_after_upgrade(void)
{
    setup();
    char sid[32], body[64], f[512];
    test_handshake(srv, sid);
    wg_eio_ws_t *ws =
        test_ws_open(srv, test_query("EIO=4&transport=websocket&sid=%s", sid), &ws_user, NULL);
    test_ws_send(srv, ws, "2probe");
    test_ws_send(srv, ws, "5");
    WG_CHECK_INT(poll(sid, body, sizeof body), 400);
    WG_CHECK_STR(body, "{\"code\":3,\"message\":\"Bad request\"}");
    WG_CHECK_STR((test_ws_pull(srv, ws, f, sizeof f), f), "3probe");
    test_ws_send(srv, ws, "4hello");
    WG_CHECK_STR((test_ws_pull(srv, ws, f, sizeof f), f), "4hello");
    wg_eio_ws_closed(srv, ws);
    teardown();
}

/* (24) */
static void upgrade_should_ignore_websocket_connection_with_same_sid_after_upgrade(void)
{
    setup();
    char sid[32], f[512];
    test_handshake(srv, sid);
    wg_eio_ws_t *ws =
        test_ws_open(srv, test_query("EIO=4&transport=websocket&sid=%s", sid), &ws_user, NULL);
    test_ws_send(srv, ws, "2probe");
    test_ws_send(srv, ws, "5");
    int status;
    wg_eio_ws_t *ws2 =
        test_ws_open(srv, test_query("EIO=4&transport=websocket&sid=%s", sid), &ws_user2, &status);
    WG_CHECK_INT(status, 101); /* no HTTP-level rejection: the suite has no error listener */
    WG_CHECK(ws2 != NULL);
    WG_CHECK_INT(test_ws_pull(srv, ws2, f, sizeof f), WG_EIO_FRAME_CLOSE);
    wg_eio_ws_closed(srv, ws2);
    /* the upgraded session is untouched */
    WG_CHECK_STR((test_ws_pull(srv, ws, f, sizeof f), f), "3probe");
    test_ws_send(srv, ws, "4still");
    WG_CHECK_STR((test_ws_pull(srv, ws, f, sizeof f), f), "4still");
    wg_eio_ws_closed(srv, ws);
    teardown();
}

int main(void)
{
    WG_RUN(handshake_polling_should_successfully_open_a_session);
    WG_RUN(handshake_polling_should_fail_with_an_invalid_eio_query_parameter);
    WG_RUN(handshake_polling_should_fail_with_an_invalid_transport_query_parameter);
    WG_RUN(handshake_polling_should_fail_with_an_invalid_request_method);
    WG_RUN(handshake_websocket_should_successfully_open_a_session);
    WG_RUN(handshake_websocket_should_fail_with_an_invalid_eio_query_parameter);
    WG_RUN(handshake_websocket_should_fail_with_an_invalid_transport_query_parameter);
    WG_RUN(message_polling_should_send_and_receive_a_plain_text_packet);
    WG_RUN(message_polling_should_send_and_receive_multiple_packets_in_one_payload);
    WG_RUN(message_polling_should_send_and_receive_a_binary_packet);
    WG_RUN(message_polling_should_close_the_session_upon_invalid_packet_format);
    WG_RUN(message_polling_should_close_the_session_upon_duplicate_poll_requests);
    WG_RUN(message_websocket_should_send_and_receive_a_plain_text_packet);
    WG_RUN(message_websocket_should_send_and_receive_a_binary_packet);
    WG_RUN(message_websocket_should_close_the_connection_upon_invalid_packet_format);
    WG_RUN(heartbeat_polling_should_send_ping_pong_packets);
    WG_RUN(heartbeat_polling_should_close_the_session_upon_ping_timeout);
    WG_RUN(heartbeat_websocket_should_send_ping_pong_packets);
    WG_RUN(heartbeat_websocket_should_close_the_session_upon_ping_timeout);
    WG_RUN(close_polling_should_forcefully_close_the_session);
    WG_RUN(close_websocket_should_forcefully_close_the_session);
    WG_RUN(upgrade_should_successfully_upgrade_from_polling_to_websocket);
    WG_RUN(upgrade_should_ignore_http_requests_with_same_sid_after_upgrade);
    WG_RUN(upgrade_should_ignore_websocket_connection_with_same_sid_after_upgrade);
    return wg_test_done();
}
