/* Request intake (see request.h). Routing uses REQUEST_URI because it is the
 * only variable that means the same under every server mapping
 * (socketio-and-proxy.md §5.3); SCRIPT_NAME + PATH_INFO is the fallback. */
#include "request.h"
#include "wg_err.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *param(const wg_request_io_t *io, const char *name)
{
    return io->param ? io->param(io->ctx, name) : NULL;
}

static const char *copy(wg_arena_t *a, const char *s)
{
    return s ? wg_arena_strdup(a, s) : NULL;
}

/* REQUEST_URI may be an absolute URI ("http://h/p"): keep the path part. */
static const char *skip_authority(const char *uri)
{
    const char *scheme_end = strstr(uri, "://");
    if (uri[0] == '/' || !scheme_end)
        return uri;
    const char *slash = strchr(scheme_end + 3, '/');
    return slash ? slash : "/";
}

static void read_target(wg_request_t *r, const wg_request_io_t *io, wg_arena_t *a)
{
    const char *uri = param(io, "REQUEST_URI");
    const char *query = param(io, "QUERY_STRING");
    if (uri && *uri) {
        uri = skip_authority(uri);
        const char *q = strchr(uri, '?');
        r->path = q ? wg_arena_strndup(a, uri, (size_t)(q - uri)) : copy(a, uri);
        if (!query && q)
            query = q + 1;
    } else {
        const char *script = param(io, "SCRIPT_NAME"), *info = param(io, "PATH_INFO");
        size_t n1 = script ? strlen(script) : 0, n2 = info ? strlen(info) : 0;
        char *p = wg_arena_alloc(a, n1 + n2 + 2);
        memcpy(p, script ? script : "", n1);
        memcpy(p + n1, info ? info : "", n2);
        p[n1 + n2] = '\0';
        if (!*p)
            strcpy(p, "/");
        r->path = p;
    }
    r->query = copy(a, query ? query : "");
}

static const char *read_scheme(const wg_request_io_t *io)
{
    const char *https = param(io, "HTTPS");
    if (https && (strcasecmp(https, "on") == 0 || strcmp(https, "1") == 0))
        return "https";
    const char *scheme = param(io, "REQUEST_SCHEME");
    if (scheme && strcasecmp(scheme, "https") == 0)
        return "https";
    return "http";
}

/* Reads the body into the arena, growing by doubling (the arena cannot
 * realloc; the waste is bounded by the final size). */
static int read_body(wg_request_t *r, const wg_request_io_t *io, size_t max_body, wg_arena_t *a)
{
    const char *cl = param(io, "CONTENT_LENGTH");
    size_t hint = 0;
    if (cl && *cl) {
        char *end;
        unsigned long long v = strtoull(cl, &end, 10);
        if (*end == '\0' && isdigit((unsigned char)cl[0])) {
            if (v > max_body) {
                /* no need to read what we will refuse anyway */
                r->body_too_big = 1;
                r->body = "";
                return WG_OK;
            }
            hint = (size_t)v;
        }
    }
    size_t limit = max_body + 1; /* one byte more tells "too big" */
    size_t cap = hint ? hint + 1 : 4096;
    if (cap > limit)
        cap = limit;
    char *buf = wg_arena_alloc(a, cap + 1);
    size_t len = 0;
    int rc = WG_OK;
    while (len < limit) {
        if (len == cap) {
            size_t bigger = cap * 2 > limit ? limit : cap * 2;
            char *nb = wg_arena_alloc(a, bigger + 1);
            memcpy(nb, buf, len);
            buf = nb;
            cap = bigger;
        }
        size_t want = cap - len;
        if (want > 1 << 30)
            want = 1 << 30;
        int n = io->read ? io->read(io->ctx, buf + len, (int)want) : 0;
        if (n < 0) {
            rc = WG_EIO;
            break;
        }
        if (n == 0) {
            r->input_drained = 1;
            break;
        }
        len += (size_t)n;
    }
    if (len > max_body) {
        r->body_too_big = 1;
        len = max_body;
    }
    buf[len] = '\0';
    r->body = buf;
    r->body_len = len;
    return rc;
}

int wg_request_read(wg_request_t *r, const wg_request_io_t *io, size_t max_body, wg_arena_t *a)
{
    memset(r, 0, sizeof *r);
    const char *method = param(io, "REQUEST_METHOD");
    r->method = copy(a, method && *method ? method : "GET");
    read_target(r, io, a);
    r->apikey = copy(a, param(io, "HTTP_APIKEY"));
    r->origin = copy(a, param(io, "HTTP_ORIGIN"));
    r->host = copy(a, param(io, "HTTP_HOST"));
    if (!r->host)
        r->host = "";
    r->scheme = read_scheme(io);
    return read_body(r, io, max_body, a);
}
