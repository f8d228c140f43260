/* Engine.IO HTTP helpers (see eio_http.h): what goes on the wire for errors,
 * preflights and CORS. Stateless; must never decide session behaviour. */
#include "sio/eio_http.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int wg_eio_query_get(const char *query, const char *key, char *out, size_t n)
{
    if (!query || !key || n == 0)
        return 0;
    size_t klen = strlen(key);
    const char *p = query;
    while (*p) {
        const char *end = strchr(p, '&');
        if (!end)
            end = p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        const char *kend = eq ? eq : end;
        if ((size_t)(kend - p) == klen && memcmp(p, key, klen) == 0) {
            size_t o = 0;
            for (const char *v = eq ? eq + 1 : end; v < end; v++) {
                char c = *v;
                if (c == '+') {
                    c = ' ';
                } else if (c == '%' && end - v >= 3 && hex_value(v[1]) >= 0 &&
                           hex_value(v[2]) >= 0) {
                    c = (char)(hex_value(v[1]) << 4 | hex_value(v[2]));
                    v += 2;
                }
                if (o + 1 >= n)
                    return WG_ETOOBIG;
                out[o++] = c;
            }
            out[o] = 0;
            return 1;
        }
        p = *end ? end + 1 : end;
    }
    return 0;
}

const char *wg_eio_error_message(int code)
{
    switch (code) {
    case WG_EIO_ERR_TRANSPORT_UNKNOWN:
        return "Transport unknown";
    case WG_EIO_ERR_SESSION_UNKNOWN:
        return "Session ID unknown";
    case WG_EIO_ERR_BAD_HANDSHAKE_METHOD:
        return "Bad handshake method";
    case WG_EIO_ERR_BAD_REQUEST:
        return "Bad request";
    case WG_EIO_ERR_FORBIDDEN:
        return "Forbidden";
    case WG_EIO_ERR_UNSUPPORTED_PROTOCOL_VERSION:
        return "Unsupported protocol version";
    }
    return "Bad request";
}

void wg_eio_response_error(wg_eio_response_t *resp, int code)
{
    resp->parked = 0;
    resp->status = code == WG_EIO_ERR_FORBIDDEN ? 403 : 400;
    resp->content_type = "application/json";
    wg_buf_reset(&resp->body);
    wg_buf_printf(&resp->body, "{\"code\":%d,\"message\":\"%s\"}", code,
                  wg_eio_error_message(code));
}

void wg_eio_response_add_header(wg_eio_response_t *resp, const char *name, const char *value)
{
    if (resp->header_count >= WG_EIO_MAX_RESPONSE_HEADERS)
        return;
    resp->headers[resp->header_count].name = name;
    resp->headers[resp->header_count].value = wg_strdup(value);
    resp->header_count++;
}

/* Which Access-Control-Allow-Origin value req gets, or NULL for none. */
static const char *allowed_origin(const wg_eio_config_t *cfg, const wg_eio_request_t *req)
{
    if (!cfg->cors_origins)
        return NULL;
    int any = 0;
    for (const char *const *o = cfg->cors_origins; *o; o++) {
        if (strcmp(*o, "*") == 0)
            any = 1;
        else if (req->origin && strcmp(*o, req->origin) == 0)
            return req->origin;
    }
    if (!any)
        return NULL;
    if (cfg->cors_credentials)
        return req->origin; /* "*" is not allowed with credentials: reflect */
    return "*";
}

void wg_eio_response_cors(const wg_eio_config_t *cfg, const wg_eio_request_t *req,
                          wg_eio_response_t *resp)
{
    const char *origin = allowed_origin(cfg, req);
    if (!origin)
        return;
    wg_eio_response_add_header(resp, "Access-Control-Allow-Origin", origin);
    if (strcmp(origin, "*") != 0) {
        wg_eio_response_add_header(resp, "Vary", "Origin");
        if (cfg->cors_credentials)
            wg_eio_response_add_header(resp, "Access-Control-Allow-Credentials", "true");
    }
}

void wg_eio_response_preflight(const wg_eio_config_t *cfg, const wg_eio_request_t *req,
                               wg_eio_response_t *resp)
{
    resp->parked = 0;
    resp->status = 204;
    resp->content_type = NULL;
    wg_buf_reset(&resp->body);
    wg_eio_response_cors(cfg, req, resp);
    if (!allowed_origin(cfg, req))
        return;
    wg_eio_response_add_header(resp, "Access-Control-Allow-Methods",
                               "GET,HEAD,PUT,PATCH,POST,DELETE");
    if (req->request_headers) {
        wg_eio_response_add_header(resp, "Access-Control-Allow-Headers", req->request_headers);
        wg_eio_response_add_header(resp, "Vary", "Access-Control-Request-Headers");
    }
}

void wg_eio_response_free(wg_eio_response_t *resp)
{
    if (!resp)
        return;
    for (size_t i = 0; i < resp->header_count; i++)
        free(resp->headers[i].value);
    resp->header_count = 0;
    wg_buf_free(&resp->body);
}
