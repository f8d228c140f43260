/* HTTP responses as CGI output (see response.h). The body is produced once,
 * in the arena; serialisation only copies it after the header block. */
#include "response.h"
#include "wg_err.h"
#include <string.h>

void wg_response_init(wg_response_t *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->status = 200;
}

int wg_response_add_header(wg_response_t *resp, const char *name, const char *value)
{
    if (resp->n_headers >= WG_RESPONSE_MAX_HEADERS)
        return WG_ETOOBIG;
    resp->headers[resp->n_headers].name = name;
    resp->headers[resp->n_headers].value = value;
    resp->n_headers++;
    return WG_OK;
}

void wg_response_set_json(wg_response_t *resp, int status, const json_t *doc, wg_arena_t *a)
{
    const size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
    size_t n = json_dumpb(doc, NULL, 0, flags);
    char *body = wg_arena_alloc(a, n + 1);
    if (n)
        json_dumpb(doc, body, n, flags);
    body[n] = '\0';
    resp->status = status;
    resp->content_type = "application/json; charset=utf-8";
    resp->body = body;
    resp->body_len = n;
}

void wg_response_set_json_text(wg_response_t *resp, int status, const char *text, size_t len)
{
    resp->status = status;
    resp->content_type = "application/json; charset=utf-8";
    resp->body = text;
    resp->body_len = len;
}

void wg_response_set_empty(wg_response_t *resp, int status)
{
    resp->status = status;
    resp->content_type = NULL;
    resp->body = NULL;
    resp->body_len = 0;
}

const char *wg_http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status >= 500 ? "Internal Server Error" : status >= 400 ? "Bad Request" : "OK";
    }
}

void wg_response_serialize(const wg_response_t *resp, wg_buf_t *out)
{
    wg_buf_printf(out, "Status: %d %s\r\n", resp->status, wg_http_reason(resp->status));
    if (resp->content_type)
        wg_buf_printf(out, "Content-Type: %s\r\n", resp->content_type);
    wg_buf_printf(out, "Content-Length: %zu\r\n", resp->body_len);
    for (size_t i = 0; i < resp->n_headers; i++)
        wg_buf_printf(out, "%s: %s\r\n", resp->headers[i].name, resp->headers[i].value);
    wg_buf_append_str(out, "\r\n");
    if (resp->body_len)
        wg_buf_append(out, resp->body, resp->body_len);
}
