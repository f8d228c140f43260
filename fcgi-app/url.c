/* Percent-decoding and query lookup (see url.h). */
#include "url.h"
#include <string.h>

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

char *wg_url_decode(wg_arena_t *a, const char *s, size_t n, int plus_is_space)
{
    char *out = wg_arena_alloc(a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return NULL;
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return NULL;
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out[o++] = ' ';
        } else if (c == '\0') {
            return NULL;
        } else {
            out[o++] = c;
        }
    }
    out[o] = '\0';
    return out;
}

const char *wg_query_get(wg_arena_t *a, const char *query, const char *key)
{
    if (!query || !key)
        return NULL;
    size_t key_len = strlen(key);
    const char *p = query;
    while (*p) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t name_len = eq ? (size_t)(eq - p) : len;
        char *name = wg_url_decode(a, p, name_len, 1);
        if (name && strlen(name) == key_len && memcmp(name, key, key_len) == 0) {
            if (!eq)
                return "";
            return wg_url_decode(a, eq + 1, len - name_len - 1, 1);
        }
        if (!end)
            break;
        p = end + 1;
    }
    return NULL;
}
