/* Unit tests for fcgi-app/errors.c and response.c: the error envelope in
 * both message forms, reason phrases, CGI serialisation. */
#include "errors.h"
#include "wg_test.h"

static wg_arena_t arena;

static void envelope_array(void)
{
    wg_response_t r;
    wg_response_init(&r);
    wg_msgs_t m = {.n = 0};
    wg_msgs_add(&m, &arena, "instance requires property \"%s\"", "instanceName");
    wg_msgs_add(&m, &arena, "rejectCall is not of a type(s) boolean");
    wg_error_respond(&r, &arena, 400, &m);
    WG_CHECK_INT(r.status, 400);
    WG_CHECK_STR(r.body, "{\"status\":400,\"error\":\"Bad Request\",\"response\":{\"message\":"
                         "[\"instance requires property \\\"instanceName\\\"\","
                         "\"rejectCall is not of a type(s) boolean\"]}}");
    wg_error_respond1(&r, &arena, 404, "The \"foo\" instance does not exist");
    WG_CHECK_STR(r.body, "{\"status\":404,\"error\":\"Not Found\",\"response\":{\"message\":"
                         "[\"The \\\"foo\\\" instance does not exist\"]}}");
    wg_error_respond1(&r, &arena, 503, "connd is not running");
    WG_CHECK_STR(r.body, "{\"status\":503,\"error\":\"Service Unavailable\",\"response\":"
                         "{\"message\":[\"connd is not running\"]}}");
}

static void envelope_401_string(void)
{
    wg_response_t r;
    wg_response_init(&r);
    wg_error_unauthorized(&r, &arena);
    WG_CHECK_INT(r.status, 401);
    WG_CHECK_STR(r.body,
                 "{\"status\":401,\"error\":\"Unauthorized\",\"response\":{\"message\":\"Unauthorized\"}}");
}

static void invalid_utf8_does_not_lose_the_envelope(void)
{
    wg_response_t r;
    wg_response_init(&r);
    wg_error_respond1(&r, &arena, 400, "bad \xff name");
    WG_CHECK(r.body && strstr(r.body, "\"status\":400") != NULL);
}

static void messages_are_capped(void)
{
    wg_msgs_t m = {.n = 0};
    for (int i = 0; i < WG_MSGS_MAX + 5; i++)
        wg_msgs_add(&m, &arena, "m%d", i);
    WG_CHECK_INT(m.n, WG_MSGS_MAX);
}

static void reasons_and_serialize(void)
{
    WG_CHECK_STR(wg_http_reason(413), "Payload Too Large");
    WG_CHECK_STR(wg_http_reason(405), "Method Not Allowed");
    WG_CHECK_STR(wg_http_reason(201), "Created");
    wg_response_t r;
    wg_response_init(&r);
    wg_error_respond1(&r, &arena, 405, "x");
    wg_response_add_header(&r, "Allow", "POST, OPTIONS");
    wg_buf_t out = WG_BUF_INIT;
    wg_response_serialize(&r, &out);
    const char *want_head = "Status: 405 Method Not Allowed\r\n"
                            "Content-Type: application/json; charset=utf-8\r\n";
    WG_CHECK(strncmp(wg_buf_cstr(&out), want_head, strlen(want_head)) == 0);
    WG_CHECK(strstr(wg_buf_cstr(&out), "\r\nAllow: POST, OPTIONS\r\n\r\n{\"status\":405") != NULL);
    wg_buf_reset(&out);
    wg_response_set_empty(&r, 201);
    r.n_headers = 0;
    wg_response_serialize(&r, &out);
    WG_CHECK_STR(wg_buf_cstr(&out), "Status: 201 Created\r\nContent-Length: 0\r\n\r\n");
    wg_buf_free(&out);
}

int main(void)
{
    wg_arena_init(&arena, 0);
    WG_RUN(envelope_array);
    WG_RUN(envelope_401_string);
    WG_RUN(invalid_utf8_does_not_lose_the_envelope);
    WG_RUN(messages_are_capped);
    WG_RUN(reasons_and_serialize);
    wg_arena_free(&arena);
    return wg_test_done();
}
