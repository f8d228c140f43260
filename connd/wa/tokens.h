/* WABinary token dictionaries, version 3 (wa-protocol.md §4.4).
 * Owns the lookup between strings and their one- or two-byte wire codes.
 * The tables are generated at build time from wa-tokens.txt (tokens.cmake);
 * this module never encodes or decodes anything else. Thread-safe: read-only. */
#ifndef WG_WA_TOKENS_H
#define WG_WA_TOKENS_H
#include <stddef.h>

#define WG_TOKENS_DICT_VERSION 3 /* must match the header byte WA 06 03 */
#define WG_TOKENS_SINGLE_COUNT 236
#define WG_TOKENS_DOUBLE_DICTS 4

/* Finds the wire code of s[0..len). On success returns 0 and sets *code:
 * 1..235 for a single-byte token, or 256 * (dict + 1) + index for a token of
 * double-byte dictionary dict (0..3). The empty string is never a token.
 * Returns WG_ENOTFOUND otherwise. */
int wg_tokens_lookup(const char *s, size_t len, unsigned *code);

/* Single-byte token for wire byte index (1..235); NULL when out of range
 * (or when the build has no generated table). */
const char *wg_tokens_single(unsigned index);

/* Token index (0..255) of double-byte dictionary dict (0..3); NULL when out of range. */
const char *wg_tokens_double(unsigned dict, unsigned index);

#endif
