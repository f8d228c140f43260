/* XEdDSA signing (see xedsign.h). With a = the clamped X25519 scalar and
 * A = aB on Edwards25519, XEdDSA makes A's sign bit 0 by negating a when it
 * is 1; then r = SHA-512(0xFE || 0xFF*31 || a || M || Z) mod L, R = rB,
 * h = SHA-512(R || A || M) mod L, s = r + h*a mod L and the signature is
 * R || s. The Montgomery u of A is the X25519 public key, which is how the
 * verifier recovers A. Scalars are wiped before returning. */
#include "wa/xedsign.h"

#include <sodium.h>
#include <string.h>

#include "wg_err.h"

void wg_x25519_clamp(uint8_t key[32])
{
    key[0] &= 248;
    key[31] &= 127;
    key[31] |= 64;
}

/* out = in (32 bytes, little-endian) mod L. */
static void reduce32(uint8_t out[32], const uint8_t in[32])
{
    uint8_t wide[64] = {0};
    memcpy(wide, in, 32);
    crypto_core_ed25519_scalar_reduce(out, wide);
    sodium_memzero(wide, sizeof wide);
}

int wg_xeddsa_sign(const uint8_t priv[32], const uint8_t *msg, size_t len,
                   const uint8_t *random_z, uint8_t sig[64])
{
    uint8_t k[32], a[32], A[32], r[32], R[32], h[32], s[32], z[64];
    uint8_t digest[64];
    int rc = WG_ECRYPTO;
    if (sodium_init() < 0)
        return WG_ECRYPTO;
    memcpy(k, priv, 32);
    wg_x25519_clamp(k);
    reduce32(a, k);
    if (crypto_scalarmult_ed25519_base_noclamp(A, a) != 0)
        goto done;
    if (A[31] & 0x80) {
        crypto_core_ed25519_scalar_negate(a, a);
        A[31] &= 0x7F;
    }
    if (random_z)
        memcpy(z, random_z, 64);
    else
        randombytes_buf(z, sizeof z);

    static const uint8_t prefix[32] = {
        0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    crypto_hash_sha512_state st;
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, prefix, sizeof prefix);
    crypto_hash_sha512_update(&st, a, 32);
    crypto_hash_sha512_update(&st, msg, len);
    crypto_hash_sha512_update(&st, z, sizeof z);
    crypto_hash_sha512_final(&st, digest);
    crypto_core_ed25519_scalar_reduce(r, digest);
    if (crypto_scalarmult_ed25519_base_noclamp(R, r) != 0)
        goto done;

    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, R, 32);
    crypto_hash_sha512_update(&st, A, 32);
    crypto_hash_sha512_update(&st, msg, len);
    crypto_hash_sha512_final(&st, digest);
    crypto_core_ed25519_scalar_reduce(h, digest);
    crypto_core_ed25519_scalar_mul(s, h, a);
    crypto_core_ed25519_scalar_add(s, s, r);
    memcpy(sig, R, 32);
    memcpy(sig + 32, s, 32);
    rc = 0;
done:
    sodium_memzero(k, sizeof k);
    sodium_memzero(a, sizeof a);
    sodium_memzero(r, sizeof r);
    sodium_memzero(z, sizeof z);
    sodium_memzero(digest, sizeof digest);
    sodium_memzero(&st, sizeof st);
    return rc;
}
