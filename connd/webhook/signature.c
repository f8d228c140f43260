/* HMAC-SHA256 body signatures (see signature.h), via libsodium. */
#include "webhook/signature.h"
#include <sodium.h>
#include <string.h>

void wg_webhook_signature(const char *secret, const void *body, size_t len,
                          char out[WG_SIGNATURE_LEN + 1])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 65, mac, sizeof mac);
}
