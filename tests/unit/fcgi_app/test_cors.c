/* Unit tests for fcgi-app/cors.c: verdicts, headers, preflight. */
#include "cors.h"
#include "wg_test.h"

static const char *header(const wg_response_t *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++)
        if (strcmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

static void verdicts(void)
{
    WG_CHECK_INT(wg_cors_check("*", NULL), WG_CORS_NO_ORIGIN);
    WG_CHECK_INT(wg_cors_check("https://a.example", ""), WG_CORS_NO_ORIGIN);
    WG_CHECK_INT(wg_cors_check("*", "https://x.example"), WG_CORS_ALLOWED);
    WG_CHECK_INT(wg_cors_check("https://a.example, https://b.example/", "https://b.example"),
                 WG_CORS_ALLOWED);
    WG_CHECK_INT(wg_cors_check("https://a.example,https://b.example", "https://a.example"),
                 WG_CORS_ALLOWED);
    WG_CHECK_INT(wg_cors_check("https://a.example", "https://a.example.evil"), WG_CORS_DENIED);
    WG_CHECK_INT(wg_cors_check("https://a.example", "http://a.example"), WG_CORS_DENIED);
    WG_CHECK_INT(wg_cors_check("", "https://a.example"), WG_CORS_DENIED);
    WG_CHECK_INT(wg_cors_check(NULL, "https://a.example"), WG_CORS_DENIED);
}

static void headers_wildcard_and_list(void)
{
    wg_response_t r;
    wg_response_init(&r);
    wg_cors_apply("*", "https://x.example", &r);
    WG_CHECK_STR(header(&r, "Access-Control-Allow-Origin"), "*");
    WG_CHECK(header(&r, "Vary") == NULL);

    wg_response_init(&r);
    wg_cors_apply("https://x.example", "https://x.example", &r);
    WG_CHECK_STR(header(&r, "Access-Control-Allow-Origin"), "https://x.example");
    WG_CHECK_STR(header(&r, "Vary"), "Origin");

    wg_response_init(&r);
    wg_cors_apply("https://x.example", NULL, &r);
    WG_CHECK_INT(r.n_headers, 0);
}

static void preflight(void)
{
    wg_response_t r;
    wg_response_init(&r);
    wg_cors_preflight("*", "https://x.example", &r);
    WG_CHECK_INT(r.status, 204);
    WG_CHECK(r.body == NULL);
    WG_CHECK_STR(header(&r, "Access-Control-Allow-Origin"), "*");
    WG_CHECK_STR(header(&r, "Access-Control-Allow-Methods"), "POST,GET,PUT,DELETE,OPTIONS");
    const char *h = header(&r, "Access-Control-Allow-Headers");
    WG_CHECK(h && strstr(h, "apikey") && strstr(h, "content-type"));
}

int main(void)
{
    WG_RUN(verdicts);
    WG_RUN(headers_wildcard_and_list);
    WG_RUN(preflight);
    return wg_test_done();
}
