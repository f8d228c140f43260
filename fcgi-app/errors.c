/* Error envelopes (see errors.h). The reason phrase always comes from
 * wg_http_reason() so status and "error" can never disagree. */
#include "errors.h"
#include <stdarg.h>
#include <stdio.h>

void wg_msgs_add(wg_msgs_t *m, wg_arena_t *a, const char *fmt, ...)
{
    if (m->n >= WG_MSGS_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    char *s = wg_arena_alloc(a, (size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    m->items[m->n++] = s;
}

static void respond(wg_response_t *resp, wg_arena_t *a, int status, json_t *message)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "status", json_integer(status));
    json_object_set_new(doc, "error", json_string(wg_http_reason(status)));
    json_t *response = json_object();
    json_object_set_new(response, "message", message);
    json_object_set_new(doc, "response", response);
    wg_response_set_json(resp, status, doc, a);
    json_decref(doc);
}

/* Messages may carry bytes from the request (names, paths): never let an
 * invalid UTF-8 sequence make jansson drop the whole message. */
static json_t *safe_string(const char *s)
{
    json_t *j = json_string(s);
    return j ? j : json_string("(message is not valid UTF-8)");
}

void wg_error_respond(wg_response_t *resp, wg_arena_t *a, int status, const wg_msgs_t *m)
{
    json_t *list = json_array();
    for (size_t i = 0; m && i < m->n; i++)
        json_array_append_new(list, safe_string(m->items[i]));
    respond(resp, a, status, list);
}

void wg_error_respond_json(wg_response_t *resp, wg_arena_t *a, int status, const char *list_json)
{
    json_t *list = list_json ? json_loads(list_json, 0, NULL) : NULL;
    if (!json_is_array(list)) {
        json_decref(list);
        list = json_array();
        json_array_append_new(list, safe_string(list_json ? list_json : wg_http_reason(status)));
    }
    respond(resp, a, status, list);
}

void wg_error_respond1(wg_response_t *resp, wg_arena_t *a, int status, const char *message)
{
    json_t *list = json_array();
    json_array_append_new(list, safe_string(message));
    respond(resp, a, status, list);
}

void wg_error_respond_string(wg_response_t *resp, wg_arena_t *a, int status, const char *message)
{
    respond(resp, a, status, safe_string(message));
}

void wg_error_unauthorized(wg_response_t *resp, wg_arena_t *a)
{
    wg_error_respond_string(resp, a, 401, "Unauthorized");
}
