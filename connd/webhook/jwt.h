/* The Authorization token Evolution puts on a webhook whose headers carry
 * `jwt_key` (spec evolution-api.md §4.3): an HS256 JWT signed with that key,
 * payload {iat, exp: iat + 600, app: "evolution", action: "webhook"}.
 * Bytes in, text out: no clock, no I/O (iat is passed in). */
#ifndef WG_WEBHOOK_JWT_H
#define WG_WEBHOOK_JWT_H
#include "wg_buf.h"
#include <stddef.h>
#include <stdint.h>

#define WG_JWT_LIFETIME_S 600

/* Appends "<header>.<payload>.<signature>" (base64url, no padding) to out.
 * key may hold any bytes (key_len of them). May reallocate out. Any thread. */
void wg_jwt_hs256(const void *key, size_t key_len, int64_t iat_s, wg_buf_t *out);

#endif
