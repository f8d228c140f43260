/* Unit tests for fcgi-app/request.c: parameters, path/query split, the body
 * limit with lying or missing CONTENT_LENGTH, prefix stripping. */
#include "dispatch.h"
#include "request.h"
#include "wg_test.h"

typedef struct {
    const char **params; /* NULL-terminated name, value pairs */
    const char *body;    /* bytes served by read */
    size_t len, pos;     /* body length and read position */
    int chunk;           /* bytes per read call */
} fake_t;

static const char *fake_param(void *ctx, const char *name)
{
    fake_t *f = ctx;
    for (size_t i = 0; f->params[i]; i += 2)
        if (strcmp(f->params[i], name) == 0)
            return f->params[i + 1];
    return NULL;
}

static int fake_read(void *ctx, char *buf, int n)
{
    fake_t *f = ctx;
    size_t left = f->len - f->pos;
    size_t take = (size_t)n < left ? (size_t)n : left;
    if (f->chunk && take > (size_t)f->chunk)
        take = (size_t)f->chunk;
    if (take)
        memcpy(buf, f->body + f->pos, take);
    f->pos += take;
    return (int)take;
}

static wg_arena_t arena;

static int read_with(const char **params, const char *body, size_t max, wg_request_t *r)
{
    fake_t f = {params, body, body ? strlen(body) : 0, 0, 3};
    wg_request_io_t io = {fake_param, fake_read, &f};
    return wg_request_read(r, &io, max, &arena);
}

static void params_and_target(void)
{
    const char *p[] = {"REQUEST_METHOD", "POST", "REQUEST_URI", "/api/instance/create?x=1&y=2",
                       "QUERY_STRING", "x=1&y=2", "HTTP_APIKEY", "k", "HTTP_HOST", "h:8080",
                       "HTTPS", "on", NULL};
    wg_request_t r;
    WG_CHECK_INT(read_with(p, "{}", 100, &r), 0);
    WG_CHECK_STR(r.method, "POST");
    WG_CHECK_STR(r.path, "/api/instance/create");
    WG_CHECK_STR(r.query, "x=1&y=2");
    WG_CHECK_STR(r.apikey, "k");
    WG_CHECK(r.origin == NULL);
    WG_CHECK_STR(r.host, "h:8080");
    WG_CHECK_STR(r.scheme, "https");
    WG_CHECK_STR(r.body, "{}");
    WG_CHECK_INT(r.body_len, 2);

    const char *q[] = {"SCRIPT_NAME", "/api", "PATH_INFO", "/instance/create", NULL};
    WG_CHECK_INT(read_with(q, NULL, 100, &r), 0);
    WG_CHECK_STR(r.method, "GET");
    WG_CHECK_STR(r.path, "/api/instance/create");
    WG_CHECK_STR(r.query, "");
    WG_CHECK_STR(r.scheme, "http");
    WG_CHECK_STR(r.body, "");

    const char *abs[] = {"REQUEST_URI", "http://h/instance/fetchInstances?instanceName=a", NULL};
    WG_CHECK_INT(read_with(abs, NULL, 100, &r), 0);
    WG_CHECK_STR(r.path, "/instance/fetchInstances");
    WG_CHECK_STR(r.query, "instanceName=a");
}

static void body_limits(void)
{
    wg_request_t r;
    const char *none[] = {NULL};
    WG_CHECK_INT(read_with(none, "0123456789", 10, &r), 0);
    WG_CHECK_INT(r.body_too_big, 0);
    WG_CHECK_INT(r.body_len, 10);
    WG_CHECK_INT(read_with(none, "0123456789A", 10, &r), 0);
    WG_CHECK_INT(r.body_too_big, 1);
    WG_CHECK_INT(r.body_len, 10);
    /* CONTENT_LENGTH lies low: the body is still bounded by the limit */
    const char *low[] = {"CONTENT_LENGTH", "2", NULL};
    WG_CHECK_INT(read_with(low, "0123456789ABCDEF", 10, &r), 0);
    WG_CHECK_INT(r.body_too_big, 1);
    /* announced over the limit: refused without reading */
    const char *high[] = {"CONTENT_LENGTH", "99999999999999999999", NULL};
    WG_CHECK_INT(read_with(high, "x", 10, &r), 0);
    WG_CHECK_INT(r.body_too_big, 1);
    /* garbage CONTENT_LENGTH is ignored */
    const char *junk[] = {"CONTENT_LENGTH", "-5", NULL};
    WG_CHECK_INT(read_with(junk, "abc", 10, &r), 0);
    WG_CHECK_INT(r.body_too_big, 0);
    WG_CHECK_STR(r.body, "abc");
    /* a large body growing through several arena blocks */
    static char big[100000];
    memset(big, 'x', sizeof big - 1);
    WG_CHECK_INT(read_with(none, big, sizeof big, &r), 0);
    WG_CHECK_INT(r.body_len, sizeof big - 1);
    WG_CHECK_INT(r.body_too_big, 0);
    wg_arena_reset(&arena);
}

static void prefix_strip(void)
{
    WG_CHECK_STR(wg_dispatch_strip_prefix("", "/x"), "/x");
    WG_CHECK_STR(wg_dispatch_strip_prefix("/api", "/api/x"), "/x");
    WG_CHECK_STR(wg_dispatch_strip_prefix("/api", "/api"), "/");
    WG_CHECK(wg_dispatch_strip_prefix("/api", "/apix") == NULL);
    WG_CHECK(wg_dispatch_strip_prefix("/api", "/x") == NULL);
}

int main(void)
{
    wg_arena_init(&arena, 0);
    WG_RUN(params_and_target);
    WG_RUN(body_limits);
    WG_RUN(prefix_strip);
    wg_arena_free(&arena);
    return wg_test_done();
}
