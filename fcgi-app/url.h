/* URL text helpers: percent-decoding of path segments and query values,
 * and query-string lookup. Bytes in, arena strings out; no sockets. */
#ifndef WG_FCGI_URL_H
#define WG_FCGI_URL_H
#include "wg_arena.h"
#include <stddef.h>

/* Decodes n bytes of s (%XX escapes; '+' becomes a space when plus_is_space).
 * Returns an arena string, or NULL for a malformed escape or an encoded NUL. */
char *wg_url_decode(wg_arena_t *a, const char *s, size_t n, int plus_is_space);

/* Value of the first `key` in query ("a=1&b=2", no leading '?'), decoded
 * into the arena. Returns NULL when absent or malformed; "" for "key" or
 * "key=". */
const char *wg_query_get(wg_arena_t *a, const char *query, const char *key);

#endif
