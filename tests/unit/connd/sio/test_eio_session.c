/* Unit tests for connd/sio/eio_session.c beyond the suite cases: CORS,
 * limits (maxPayload, queue cap), graceful server close, upgrade edge cases,
 * handshake capture, parked-GET lifetime, shared buffers. */
#include "sio_test_env.h"
#include "wg_err.h"

static test_env_t env;
static wg_eio_server_t *srv;
static char poll_user, ws_user;
static int opens, closes, messages;
static const char *last_reason;
static wg_eio_session_t *last_session;

static void on_open(void *ud, wg_eio_session_t *s)
{
    (void)ud;
    last_session = s;
    opens++;
}

static void on_message(void *ud, wg_eio_session_t *s, const uint8_t *d, size_t n, int bin)
{
    (void)ud;
    messages++;
    wg_eio_send(s, d, n, bin);
}

static void on_close(void *ud, wg_eio_session_t *s, const char *reason)
{
    (void)ud;
    (void)s;
    closes++;
    last_reason = reason;
}

static void setup_with(const char *const *origins, int credentials, size_t queue_cap)
{
    wg_eio_config_t cfg;
    wg_eio_config_defaults(&cfg);
    cfg.ping_interval_ms = 300;
    cfg.ping_timeout_ms = 200;
    cfg.max_payload = 64;
    cfg.cors_origins = origins;
    cfg.cors_credentials = credentials;
    if (queue_cap)
        cfg.max_queue_bytes = queue_cap;
    test_env_attach(&env, &cfg);
    wg_eio_handlers_t h = {on_open, on_message, on_close, NULL};
    srv = wg_eio_server_new(&cfg, &h);
    opens = closes = messages = 0;
    last_reason = NULL;
}

static void setup(void)
{
    setup_with(NULL, 0, 0);
}

static void teardown(void)
{
    wg_eio_server_free(srv);
}

static void cors_off_by_default(void)
{
    setup();
    wg_eio_request_t req = {.method = WG_EIO_METHOD_GET,
                            .query = "EIO=4&transport=polling",
                            .origin = "http://a.example"};
    wg_eio_response_t r = WG_EIO_RESPONSE_INIT;
    wg_eio_http(srv, &req, &r);
    WG_CHECK(test_header(&r, "Access-Control-Allow-Origin") == NULL);
    wg_eio_response_free(&r);
    teardown();
}

static void cors_listed_origin_is_reflected(void)
{
    static const char *const origins[] = {"http://a.example", NULL};
    setup_with(origins, 1, 0);
    wg_eio_request_t req = {
        .method = WG_EIO_METHOD_GET, .query = "transport=polling", .origin = "http://a.example"};
    wg_eio_response_t r = WG_EIO_RESPONSE_INIT;
    wg_eio_http(srv, &req, &r); /* an error response carries CORS too */
    WG_CHECK_INT(r.status, 400);
    WG_CHECK_STR(test_header(&r, "Access-Control-Allow-Origin"), "http://a.example");
    WG_CHECK_STR(test_header(&r, "Access-Control-Allow-Credentials"), "true");
    WG_CHECK_STR(test_header(&r, "Vary"), "Origin");
    wg_eio_response_free(&r);
    req.origin = "http://evil.example";
    memset(&r, 0, sizeof r);
    wg_eio_http(srv, &req, &r);
    WG_CHECK(test_header(&r, "Access-Control-Allow-Origin") == NULL);
    wg_eio_response_free(&r);
    teardown();
}

static void cors_preflight(void)
{
    static const char *const origins[] = {"*", NULL};
    setup_with(origins, 0, 0);
    wg_eio_request_t req = {.method = WG_EIO_METHOD_OPTIONS,
                            .query = "EIO=4&transport=polling",
                            .origin = "http://x",
                            .request_headers = "content-type"};
    wg_eio_response_t r = WG_EIO_RESPONSE_INIT;
    wg_eio_http(srv, &req, &r);
    WG_CHECK_INT(r.status, 204);
    WG_CHECK_INT(r.body.len, 0);
    WG_CHECK_STR(test_header(&r, "Access-Control-Allow-Origin"), "*");
    WG_CHECK_STR(test_header(&r, "Access-Control-Allow-Methods"), "GET,HEAD,PUT,PATCH,POST,DELETE");
    WG_CHECK_STR(test_header(&r, "Access-Control-Allow-Headers"), "content-type");
    WG_CHECK_STR(test_header(&r, "Vary"), "Access-Control-Request-Headers");
    wg_eio_response_free(&r);
    teardown();
}

static void unknown_sid_and_mismatch(void)
{
    setup();
    wg_eio_response_t r =
        test_http(srv, WG_EIO_METHOD_GET, "EIO=4&transport=polling&sid=nope", NULL, NULL);
    WG_CHECK_INT(r.status, 400);
    WG_CHECK_STR(test_body(&r), "{\"code\":1,\"message\":\"Session ID unknown\"}");
    wg_eio_response_free(&r);
    r = test_http(srv, WG_EIO_METHOD_GET, "EIO=4&transport=websocket", NULL, NULL);
    WG_CHECK_STR(test_body(&r), "{\"code\":3,\"message\":\"Bad request\"}");
    wg_eio_response_free(&r);
    int status;
    WG_CHECK(test_ws_open(srv, "EIO=4&transport=websocket&sid=nope", &ws_user, &status) == NULL);
    WG_CHECK_INT(status, 400);
    teardown();
}

static void post_limits(void)
{
    setup();
    char sid[32];
    test_handshake(srv, sid);
    const char *q = test_query("EIO=4&transport=polling&sid=%s", sid);
    char big[100];
    memset(big, 'x', sizeof big - 1);
    big[0] = '4';
    big[sizeof big - 1] = 0;
    wg_eio_response_t r = test_http(srv, WG_EIO_METHOD_POST, q, big, NULL);
    WG_CHECK_INT(r.status, 413);
    wg_eio_response_free(&r);
    WG_CHECK_INT(wg_eio_server_session_count(srv), 1); /* 413 does not kill the session */
    wg_eio_request_t req = {.method = WG_EIO_METHOD_POST,
                            .query = q,
                            .content_type = "application/octet-stream",
                            .body = (const uint8_t *)"4x",
                            .body_len = 2};
    memset(&r, 0, sizeof r);
    wg_eio_http(srv, &req, &r);
    WG_CHECK_INT(r.status, 400);
    wg_eio_response_free(&r);
    WG_CHECK_INT(wg_eio_server_session_count(srv), 0);
    WG_CHECK_INT(closes, 1);
    teardown();
}

static void client_ping_is_rejected(void)
{
    setup();
    char sid[32];
    test_handshake(srv, sid);
    wg_eio_response_t r = test_http(srv, WG_EIO_METHOD_POST,
                                    test_query("EIO=4&transport=polling&sid=%s", sid), "2", NULL);
    WG_CHECK_INT(r.status, 200);
    wg_eio_response_free(&r);
    WG_CHECK_INT(wg_eio_server_session_count(srv), 0);
    WG_CHECK_STR(last_reason, "invalid heartbeat direction");
    teardown();
}

static void ws_too_big_closes_with_1009(void)
{
    setup();
    char f[256];
    wg_eio_ws_t *ws = test_ws_open(srv, "EIO=4&transport=websocket", &ws_user, NULL);
    test_ws_pull(srv, ws, f, sizeof f);
    char big[100];
    memset(big, 'x', sizeof big);
    big[0] = '4';
    WG_CHECK_INT(wg_eio_ws_message(srv, ws, (const uint8_t *)big, sizeof big, 0), WG_ETOOBIG);
    wg_eio_frame_t fr;
    wg_eio_ws_pull(srv, ws, &fr);
    WG_CHECK_INT(fr.kind, WG_EIO_FRAME_CLOSE);
    WG_CHECK_INT(fr.close_code, 1009);
    WG_CHECK_INT(wg_eio_ws_message(srv, ws, (const uint8_t *)"4x", 2, 0), WG_ECLOSED);
    wg_eio_ws_closed(srv, ws);
    teardown();
}

static void slow_client_is_closed_over_queue_cap(void)
{
    setup_with(NULL, 0, 100);
    char sid[32];
    test_handshake(srv, sid);
    wg_eio_session_t *s = wg_eio_server_find(srv, sid);
    char chunk[40];
    memset(chunk, 'y', sizeof chunk);
    WG_CHECK_INT(wg_eio_send(s, chunk, sizeof chunk, 0), WG_OK);
    WG_CHECK_INT(wg_eio_send(s, chunk, sizeof chunk, 0), WG_OK);
    WG_CHECK_INT(wg_eio_session_queued_bytes(s), 82);
    WG_CHECK_INT(wg_eio_send(s, chunk, sizeof chunk, 0), WG_ETOOBIG);
    WG_CHECK_INT(closes, 0); /* never from inside a send */
    WG_CHECK_INT(wg_eio_next_deadline(srv), 0);
    wg_eio_tick(srv);
    WG_CHECK_INT(closes, 1);
    WG_CHECK_STR(last_reason, "send queue overflow");
    WG_CHECK_INT(wg_eio_server_session_count(srv), 0);
    teardown();
}

static void graceful_close_polling_flushes_then_1(void)
{
    setup();
    char sid[32];
    test_handshake(srv, sid);
    const char *q = test_query("EIO=4&transport=polling&sid=%s", sid);
    wg_eio_session_t *s = wg_eio_server_find(srv, sid);
    wg_eio_send(s, "bye", 3, 0);
    wg_eio_session_close(s);
    WG_CHECK_INT(closes, 1);
    WG_CHECK_STR(last_reason, "server close");
    WG_CHECK_INT(wg_eio_send(s, "late", 4, 0), WG_ESTATE);
    wg_eio_response_t r = test_http(srv, WG_EIO_METHOD_GET, q, NULL, &poll_user);
    WG_CHECK_INT(r.status, 200);
    WG_CHECK_STR(test_body(&r), "4bye\x1e"
                                "1");
    wg_eio_response_free(&r);
    r = test_http(srv, WG_EIO_METHOD_GET, q, NULL, &poll_user);
    WG_CHECK_INT(r.status, 400);
    wg_eio_response_free(&r);
    teardown();
}

static void graceful_close_polling_parked_and_linger(void)
{
    setup();
    char sid[32];
    test_handshake(srv, sid);
    const char *q = test_query("EIO=4&transport=polling&sid=%s", sid);
    wg_eio_response_t r = test_http(srv, WG_EIO_METHOD_GET, q, NULL, &poll_user);
    WG_CHECK(r.parked);
    wg_eio_session_close(wg_eio_server_find(srv, sid));
    WG_CHECK(test_was_woken(&env, &poll_user));
    wg_eio_response_t done = WG_EIO_RESPONSE_INIT;
    WG_CHECK_INT(wg_eio_poll_resume(srv, r.poll, &done), 1);
    WG_CHECK_STR(test_body(&done), "1");
    wg_eio_response_free(&r);
    wg_eio_response_free(&done);
    /* no GET ever comes: the sid is dropped after the linger time */
    char sid2[32];
    test_handshake(srv, sid2);
    wg_eio_session_close(wg_eio_server_find(srv, sid2));
    WG_CHECK_INT(wg_eio_server_session_count(srv), 1);
    env.now += 500;
    wg_eio_tick(srv);
    WG_CHECK_INT(wg_eio_server_session_count(srv), 0);
    teardown();
}

static void graceful_close_websocket(void)
{
    setup();
    char f[256];
    wg_eio_ws_t *ws = test_ws_open(srv, "EIO=4&transport=websocket", &ws_user, NULL);
    test_ws_pull(srv, ws, f, sizeof f);
    wg_eio_session_t *s = last_session;
    wg_eio_send(s, "last", 4, 0);
    env.wakes = 0;
    wg_eio_session_close(s);
    WG_CHECK_STR(last_reason, "server close");
    WG_CHECK(test_was_woken(&env, &ws_user));
    WG_CHECK_STR((test_ws_pull(srv, ws, f, sizeof f), f), "4last");
    wg_eio_frame_t fr;
    wg_eio_ws_pull(srv, ws, &fr);
    WG_CHECK_INT(fr.kind, WG_EIO_FRAME_CLOSE);
    WG_CHECK_INT(fr.close_code, 1000);
    WG_CHECK_INT(wg_eio_server_session_count(srv), 0);
    wg_eio_ws_pull(srv, ws, &fr);
    WG_CHECK_INT(fr.kind, WG_EIO_FRAME_NONE);
    wg_eio_ws_closed(srv, ws);
    WG_CHECK_INT(closes, 1);
    teardown();
}

static void server_free_releases_live_handles(void)
{
    setup();
    char sid[32];
    test_handshake(srv, sid);
    wg_eio_response_t r =
        test_http(srv, WG_EIO_METHOD_GET, test_query("EIO=4&transport=polling&sid=%s", sid), NULL,
                  &poll_user);
    WG_CHECK(r.parked);
    wg_eio_response_free(&r);
    wg_eio_ws_t *ws = test_ws_open(srv, "EIO=4&transport=websocket", &ws_user, NULL);
    WG_CHECK(ws != NULL);
    teardown(); /* parked GET and ws never released by the adapter: no leak */
    WG_CHECK_INT(closes, 2);
    WG_CHECK_STR(last_reason, "server shutdown");
}

static void cancelled_poll_and_transport_close(void)
{
    setup();
    char sid[32];
    test_handshake(srv, sid);
    const char *q = test_query("EIO=4&transport=polling&sid=%s", sid);
    wg_eio_response_t r = test_http(srv, WG_EIO_METHOD_GET, q, NULL, &poll_user);
    WG_CHECK(r.parked);
    wg_eio_poll_cancel(srv, r.poll);
    wg_eio_response_free(&r);
    /* a new GET may park again: the old one is gone */
    r = test_http(srv, WG_EIO_METHOD_GET, q, NULL, &poll_user);
    WG_CHECK(r.parked);
    WG_CHECK_INT(wg_eio_send(wg_eio_server_find(srv, sid), "x", 1, 0), WG_OK);
    wg_eio_response_t done = WG_EIO_RESPONSE_INIT;
    WG_CHECK_INT(wg_eio_poll_resume(srv, r.poll, &done), 1);
    WG_CHECK_STR(test_body(&done), "4x");
    wg_eio_response_free(&done);
    wg_eio_response_free(&r);
    teardown();
}

static void upgrade_edge_cases(void)
{
    setup();
    char sid[32], f[256];
    test_handshake(srv, sid);
    /* garbage on the probe closes the probe only */
    wg_eio_ws_t *ws =
        test_ws_open(srv, test_query("EIO=4&transport=websocket&sid=%s", sid), &ws_user, NULL);
    test_ws_send(srv, ws, "4nope");
    WG_CHECK_INT(test_ws_pull(srv, ws, f, sizeof f), WG_EIO_FRAME_CLOSE);
    wg_eio_ws_closed(srv, ws);
    WG_CHECK_INT(wg_eio_server_session_count(srv), 1);
    /* a probe that never sends "5" times out after upgradeTimeout */
    ws = test_ws_open(srv, test_query("EIO=4&transport=websocket&sid=%s", sid), &ws_user, NULL);
    test_ws_send(srv, ws, "2probe");
    WG_CHECK_STR((test_ws_pull(srv, ws, f, sizeof f), f), "3probe");
    /* second probe while one is in progress: accepted then closed */
    char other;
    wg_eio_ws_t *ws2 =
        test_ws_open(srv, test_query("EIO=4&transport=websocket&sid=%s", sid), &other, NULL);
    WG_CHECK_INT(test_ws_pull(srv, ws2, f, sizeof f), WG_EIO_FRAME_CLOSE);
    wg_eio_ws_closed(srv, ws2);
    for (int i = 0; i < 40; i++) { /* keep the session alive with pongs */
        env.now += 300;
        wg_eio_tick(srv);
        wg_eio_response_t r = test_http(
            srv, WG_EIO_METHOD_POST, test_query("EIO=4&transport=polling&sid=%s", sid), "3", NULL);
        wg_eio_response_free(&r);
    }
    WG_CHECK_INT(test_ws_pull(srv, ws, f, sizeof f), WG_EIO_FRAME_CLOSE);
    wg_eio_ws_closed(srv, ws);
    /* the probe WebSocket dying mid-upgrade leaves polling working */
    ws = test_ws_open(srv, test_query("EIO=4&transport=websocket&sid=%s", sid), &ws_user, NULL);
    test_ws_send(srv, ws, "2probe");
    wg_eio_ws_closed(srv, ws);
    WG_CHECK_INT(wg_eio_server_session_count(srv), 1);
    wg_eio_response_t r = test_http(
        srv, WG_EIO_METHOD_POST, test_query("EIO=4&transport=polling&sid=%s", sid), "4back", NULL);
    WG_CHECK_INT(r.status, 200);
    wg_eio_response_free(&r);
    r = test_http(srv, WG_EIO_METHOD_GET, test_query("EIO=4&transport=polling&sid=%s", sid), NULL,
                  &poll_user);
    WG_CHECK(strstr(test_body(&r), "4back") != NULL);
    wg_eio_response_free(&r);
    teardown();
}

static void upgrade_flushes_queue_to_websocket_and_closes_on_ws_loss(void)
{
    setup();
    char sid[32], f[256];
    test_handshake(srv, sid);
    wg_eio_session_t *s = wg_eio_server_find(srv, sid);
    wg_eio_ws_t *ws =
        test_ws_open(srv, test_query("EIO=4&transport=websocket&sid=%s", sid), &ws_user, NULL);
    test_ws_send(srv, ws, "2probe");
    wg_eio_send(s, "queued", 6, 0);
    test_ws_send(srv, ws, "5");
    WG_CHECK(wg_eio_session_is_websocket(s));
    WG_CHECK_STR((test_ws_pull(srv, ws, f, sizeof f), f), "3probe");
    WG_CHECK_STR((test_ws_pull(srv, ws, f, sizeof f), f), "4queued");
    wg_eio_ws_closed(srv, ws);
    WG_CHECK_STR(last_reason, "transport close");
    WG_CHECK_INT(wg_eio_server_session_count(srv), 0);
    teardown();
}

static void handshake_is_captured(void)
{
    setup();
    wg_eio_header_t headers[] = {{"X-Api-Key", "k1"}, {"User-Agent", "ua"}};
    wg_eio_request_t req = {.method = WG_EIO_METHOD_GET,
                            .query = "room=abc&transport=polling&EIO=4&t=1.5",
                            .headers = headers,
                            .header_count = 2};
    wg_eio_response_t r = WG_EIO_RESPONSE_INIT;
    wg_eio_http(srv, &req, &r);
    WG_CHECK_INT(r.status, 200);
    char sid[32];
    const char *p = strstr(test_body(&r), "\"sid\":\"") + 7;
    memcpy(sid, p, 20);
    sid[20] = 0;
    wg_eio_response_free(&r);
    wg_eio_session_t *s = wg_eio_server_find(srv, sid);
    WG_CHECK(s != NULL);
    WG_CHECK_STR(wg_eio_session_query(s), "room=abc&transport=polling&EIO=4&t=1.5");
    WG_CHECK_STR(wg_eio_session_header(s, "x-api-key"), "k1");
    WG_CHECK(wg_eio_session_header(s, "cookie") == NULL);
    WG_CHECK_INT(opens, 1);
    teardown();
}

static void query_parsing(void)
{
    char v[16];
    WG_CHECK_INT(wg_eio_query_get("transport=polling&t=x", "t", v, sizeof v), 1);
    WG_CHECK_STR(v, "x");
    WG_CHECK_INT(wg_eio_query_get("a=%41%2c+b&sid", "a", v, sizeof v), 1);
    WG_CHECK_STR(v, "A, b");
    WG_CHECK_INT(wg_eio_query_get("a=1&sid", "sid", v, sizeof v), 1);
    WG_CHECK_STR(v, "");
    WG_CHECK_INT(wg_eio_query_get("a=1", "b", v, sizeof v), 0);
    WG_CHECK_INT(wg_eio_query_get("a=0123456789abcdefXYZ", "a", v, sizeof v), WG_ETOOBIG);
    WG_CHECK_INT(wg_eio_query_get(NULL, "a", v, sizeof v), 0);
    WG_CHECK_INT(wg_eio_query_get("a=%zz", "a", v, sizeof v), 1);
    WG_CHECK_STR(v, "%zz");
}

static void shared_buffer_is_queued_without_copy(void)
{
    setup();
    char sid1[32], sid2[32];
    test_handshake(srv, sid1);
    test_handshake(srv, sid2);
    wg_eio_shared_t *sh = wg_eio_shared_message("hi", 2, 0);
    WG_CHECK_INT(wg_eio_send_shared(wg_eio_server_find(srv, sid1), sh), WG_OK);
    WG_CHECK_INT(wg_eio_send_shared(wg_eio_server_find(srv, sid2), sh), WG_OK);
    WG_CHECK_STR((const char *)wg_eio_shared_data(sh), "4hi");
    wg_eio_shared_unref(sh);
    wg_eio_response_t r = test_http(srv, WG_EIO_METHOD_GET,
                                    test_query("EIO=4&transport=polling&sid=%s", sid2), NULL, NULL);
    WG_CHECK_STR(test_body(&r), "4hi");
    wg_eio_response_free(&r);
    teardown(); /* sid1 still holds a reference: freed with the session */
}

int main(void)
{
    WG_RUN(cors_off_by_default);
    WG_RUN(cors_listed_origin_is_reflected);
    WG_RUN(cors_preflight);
    WG_RUN(unknown_sid_and_mismatch);
    WG_RUN(post_limits);
    WG_RUN(client_ping_is_rejected);
    WG_RUN(ws_too_big_closes_with_1009);
    WG_RUN(slow_client_is_closed_over_queue_cap);
    WG_RUN(graceful_close_polling_flushes_then_1);
    WG_RUN(graceful_close_polling_parked_and_linger);
    WG_RUN(graceful_close_websocket);
    WG_RUN(server_free_releases_live_handles);
    WG_RUN(cancelled_poll_and_transport_close);
    WG_RUN(upgrade_edge_cases);
    WG_RUN(upgrade_flushes_queue_to_websocket_and_closes_on_ws_loss);
    WG_RUN(handshake_is_captured);
    WG_RUN(query_parsing);
    WG_RUN(shared_buffer_is_queued_without_copy);
    return wg_test_done();
}
