/* HS256 JWT for webhook Authorization headers (see jwt.h). HMAC from
 * libsodium; the claims are fixed by Evolution, so the JSON is formatted
 * here rather than built. */
#include "webhook/jwt.h"
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void append_b64url(wg_buf_t *out, const void *p, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    wg_buf_reserve(out, cap);
    sodium_bin2base64((char *)out->p + out->len, cap, p, n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out->len += strlen((char *)out->p + out->len);
}

void wg_jwt_hs256(const void *key, size_t key_len, int64_t iat_s, wg_buf_t *out)
{
    static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    char payload[160];
    int n = snprintf(payload, sizeof payload,
                     "{\"iat\":%" PRId64 ",\"exp\":%" PRId64
                     ",\"app\":\"evolution\",\"action\":\"webhook\"}",
                     iat_s, iat_s + WG_JWT_LIFETIME_S);
    size_t start = out->len;
    append_b64url(out, header, sizeof header - 1);
    wg_buf_append_byte(out, '.');
    append_b64url(out, payload, (size_t)n);

    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, out->p + start, out->len - start);
    crypto_auth_hmacsha256_final(&st, mac);
    wg_buf_append_byte(out, '.');
    append_b64url(out, mac, sizeof mac);
}
