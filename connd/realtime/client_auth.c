/* Socket.IO connect authorization (see client_auth.h; issue 3 "Auth" and
 * spec evolution-api.md §4.4, with wagate's per-instance keys and reasons). */
#include "realtime/client_auth.h"
#include "sio/eio_session.h"
#include <jansson.h>
#include <string.h>

wg_client_auth_result_t wg_client_auth_decide(const wg_client_auth_input_t *in)
{
    if (!in->host_allowed)
        return WG_CLIENT_AUTH_HOST_NOT_ALLOWED;
    if (in->need == WG_CLIENT_NEED_INSTANCE && !in->instance_exists)
        return WG_CLIENT_AUTH_UNKNOWN_INSTANCE;
    if (!in->has_key)
        return WG_CLIENT_AUTH_MISSING_KEY;
    switch (in->need) {
    case WG_CLIENT_NEED_INSTANCE:
        if (!in->key_is_global && !in->key_is_own_token)
            return in->key_is_some_token ? WG_CLIENT_AUTH_WRONG_INSTANCE
                                         : WG_CLIENT_AUTH_INVALID_KEY;
        break;
    case WG_CLIENT_NEED_GLOBAL:
        if (!in->key_is_global)
            return in->key_is_some_token ? WG_CLIENT_AUTH_GLOBAL_REQUIRED
                                         : WG_CLIENT_AUTH_INVALID_KEY;
        break;
    case WG_CLIENT_NEED_ANY:
        if (!in->key_is_global && !in->key_is_some_token)
            return WG_CLIENT_AUTH_INVALID_KEY;
        break;
    }
    return in->namespace_enabled ? WG_CLIENT_AUTH_OK : WG_CLIENT_AUTH_NAMESPACE_DISABLED;
}

const char *wg_client_auth_code(wg_client_auth_result_t r)
{
    switch (r) {
    case WG_CLIENT_AUTH_OK:
        return "ok";
    case WG_CLIENT_AUTH_MISSING_KEY:
        return "missing_key";
    case WG_CLIENT_AUTH_INVALID_KEY:
        return "invalid_key";
    case WG_CLIENT_AUTH_WRONG_INSTANCE:
        return "wrong_instance";
    case WG_CLIENT_AUTH_GLOBAL_REQUIRED:
        return "global_key_required";
    case WG_CLIENT_AUTH_HOST_NOT_ALLOWED:
        return "host_not_allowed";
    case WG_CLIENT_AUTH_NAMESPACE_DISABLED:
        return "namespace_disabled";
    case WG_CLIENT_AUTH_UNKNOWN_INSTANCE:
        return "unknown_instance";
    }
    return "unknown";
}

/* Calls fn for each trimmed, non-empty entry of a comma list; stops when
 * fn returns non-zero and returns that. */
static int list_each(const char *list, int (*fn)(const char *item, size_t len, void *ud), void *ud)
{
    const char *p = list ? list : "";
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *item = p;
        size_t n = len;
        while (n && (*item == ' ' || *item == '\t'))
            item++, n--;
        while (n && (item[n - 1] == ' ' || item[n - 1] == '\t'))
            n--;
        if (n) {
            int rc = fn(item, n, ud);
            if (rc)
                return rc;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

static int item_matches(const char *item, size_t len, void *ud)
{
    const char *addr = ud;
    if (len == 1 && item[0] == '*')
        return 1;
    return strlen(addr) == len && strncmp(item, addr, len) == 0;
}

int wg_client_host_allowed(const char *list, const char *addr)
{
    return list_each(list, item_matches, (void *)(addr ? addr : "")) != 0;
}

static int exact_in_list(const char *list, const char *addr)
{
    /* like host_allowed, but "*" trusts nobody in particular */
    const char *p = list ? list : "";
    size_t alen = strlen(addr);
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *item = p;
        size_t n = len;
        while (n && (*item == ' ' || *item == '\t'))
            item++, n--;
        while (n && (item[n - 1] == ' ' || item[n - 1] == '\t'))
            n--;
        if (n == alen && strncmp(item, addr, n) == 0)
            return 1;
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

static void copy_trimmed(const char *s, size_t len, char *out, size_t n)
{
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len >= n)
        len = n - 1;
    memcpy(out, s, len);
    out[len] = '\0';
}

void wg_client_address(const char *peer, const char *xff, const char *trusted, char *out,
                       size_t n)
{
    if (!n)
        return;
    copy_trimmed(peer ? peer : "", peer ? strlen(peer) : 0, out, n);
    if (!xff || !*xff || !exact_in_list(trusted, out))
        return;
    /* walk X-Forwarded-For right to left, skipping our trusted proxies */
    const char *end = xff + strlen(xff);
    while (end > xff) {
        const char *start = end;
        while (start > xff && start[-1] != ',')
            start--;
        char entry[64];
        copy_trimmed(start, (size_t)(end - start), entry, sizeof entry);
        if (entry[0]) {
            copy_trimmed(entry, strlen(entry), out, n);
            if (!exact_in_list(trusted, entry))
                return;
        }
        end = start > xff ? start - 1 : xff;
    }
}

static int copy_key(const char *v, char *out, size_t n)
{
    if (!v || !*v)
        return 0;
    size_t len = strlen(v);
    if (len >= n)
        len = n - 1;
    memcpy(out, v, len);
    out[len] = '\0';
    return 1;
}

wg_client_key_source_t wg_client_key_pick(const char *auth_json, const char *query,
                                          const char *header, char *out, size_t n)
{
    if (!n)
        return WG_CLIENT_KEY_NONE;
    out[0] = '\0';
    if (auth_json) {
        json_t *auth = json_loads(auth_json, JSON_DECODE_ANY, NULL);
        int found = 0;
        if (json_is_object(auth)) {
            const char *keys[] = {"apikey", "token"};
            for (size_t i = 0; i < 2 && !found; i++)
                found = copy_key(json_string_value(json_object_get(auth, keys[i])), out, n);
        }
        json_decref(auth);
        if (found)
            return WG_CLIENT_KEY_AUTH;
    }
    char value[1024];
    if (query && wg_eio_query_get(query, "apikey", value, sizeof value) == 1 &&
        copy_key(value, out, n))
        return WG_CLIENT_KEY_QUERY;
    if (copy_key(header, out, n))
        return WG_CLIENT_KEY_HEADER;
    return WG_CLIENT_KEY_NONE;
}
