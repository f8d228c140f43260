/* CORS decisions and headers (see cors.h). Comparisons are exact and
 * case-sensitive on the serialised origin, as browsers send it. */
#include "cors.h"
#include <string.h>

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

wg_cors_verdict_t wg_cors_check(const char *allowed, const char *origin)
{
    if (!origin || !*origin)
        return WG_CORS_NO_ORIGIN;
    if (!allowed)
        return WG_CORS_DENIED;
    size_t origin_len = strlen(origin);
    const char *p = allowed;
    while (*p) {
        while (is_space(*p) || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && is_space(end[-1]))
            end--;
        size_t len = (size_t)(end - start);
        if (len == 1 && *start == '*')
            return WG_CORS_ALLOWED;
        /* "https://a.example/" and "https://a.example" name the same origin */
        if (len > 1 && start[len - 1] == '/')
            len--;
        if (len && len == origin_len && memcmp(start, origin, len) == 0)
            return WG_CORS_ALLOWED;
    }
    return WG_CORS_DENIED;
}

static int is_wildcard(const char *allowed)
{
    while (allowed && is_space(*allowed))
        allowed++;
    return allowed && allowed[0] == '*' && (allowed[1] == '\0' || is_space(allowed[1]));
}

void wg_cors_apply(const char *allowed, const char *origin, wg_response_t *resp)
{
    if (wg_cors_check(allowed, origin) != WG_CORS_ALLOWED)
        return;
    if (is_wildcard(allowed)) {
        wg_response_add_header(resp, "Access-Control-Allow-Origin", "*");
    } else {
        /* origin is a request parameter: it lives as long as the request */
        wg_response_add_header(resp, "Access-Control-Allow-Origin", origin);
        wg_response_add_header(resp, "Vary", "Origin");
    }
}

void wg_cors_preflight(const char *allowed, const char *origin, wg_response_t *resp)
{
    wg_response_set_empty(resp, 204);
    wg_cors_apply(allowed, origin, resp);
    wg_response_add_header(resp, "Access-Control-Allow-Methods", "POST,GET,PUT,DELETE,OPTIONS");
    wg_response_add_header(resp, "Access-Control-Allow-Headers",
                           "apikey, content-type, authorization, x-requested-with");
    wg_response_add_header(resp, "Access-Control-Max-Age", "86400");
    wg_response_add_header(resp, "Allow", "POST,GET,PUT,DELETE,OPTIONS");
}
