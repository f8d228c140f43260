/* XEdDSA / curve25519 signature verification on top of libsodium's Ed25519.
 *
 * libsodium has no XEdDSA, so this follows the XEdDSA paper (Perrin, 2016,
 * §2.3 "Elliptic curve conversions" and §4.3 "verify"): the Montgomery u of
 * the signer's X25519 key gives the Edwards y = (u - 1) / (u + 1) mod p,
 * p = 2^255 - 19. XEdDSA fixes the Edwards sign bit to 0; the older Signal
 * "curve25519_sign" (libsignal-protocol-c curve_verify_signature, and
 * curve25519-js used by Baileys' libsignal) stores the signer's real sign bit
 * in bit 7 of sig[63] instead. Taking that bit as the key's sign bit and
 * clearing it from the signature verifies both forms, because true XEdDSA
 * signatures always carry 0 there. What remains is a standard Ed25519
 * signature (R || S, SHA-512(R || A || M)) checked by
 * crypto_sign_ed25519_verify_detached.
 *
 * Field arithmetic uses OpenSSL BIGNUM: the inputs are public keys, so
 * constant time is not needed. Bit 255 of u is ignored like both reference
 * libraries do; u >= p is rejected (XEdDSA verify step 1). This module must
 * never be used to sign. */
#include "wa/xeddsa.h"

#include <string.h>

#include <openssl/bn.h>
#include <sodium.h>

#include "wg_err.h"

/* Edwards y (little-endian, bit 255 clear) for Montgomery u. */
static int mont_to_edwards_y(const uint8_t u_bytes[32], uint8_t y_out[32])
{
    uint8_t u_le[32];
    int ok = 0;
    memcpy(u_le, u_bytes, 32);
    u_le[31] &= 0x7F;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *p = BN_new(), *u = BN_lebin2bn(u_le, 32, NULL), *num = BN_new(), *den = BN_new();
    BIGNUM *y = BN_new();
    if (!ctx || !p || !u || !num || !den || !y)
        goto done;
    /* p = 2^255 - 19 */
    if (!BN_set_bit(p, 255) || !BN_sub_word(p, 19))
        goto done;
    if (BN_cmp(u, p) >= 0)
        goto done;
    if (!BN_copy(num, u) || !BN_sub_word(num, 1) || !BN_copy(den, u) || !BN_add_word(den, 1))
        goto done;
    if (BN_is_negative(num) && !BN_add(num, num, p)) /* u = 0 gives -1 */
        goto done;
    if (BN_cmp(den, p) == 0) /* u = p - 1: no inverse */
        goto done;
    if (!BN_mod_inverse(den, den, p, ctx) || !BN_mod_mul(y, num, den, p, ctx))
        goto done;
    if (BN_bn2lebinpad(y, y_out, 32) != 32)
        goto done;
    ok = 1;
done:
    BN_free(y);
    BN_free(den);
    BN_free(num);
    BN_free(u);
    BN_free(p);
    BN_CTX_free(ctx);
    return ok ? 0 : WG_ECRYPTO;
}

int wg_xeddsa_verify(const uint8_t pub[32], const uint8_t *msg, size_t len, const uint8_t sig[64])
{
    uint8_t ed_pub[32], ed_sig[64];
    if (sodium_init() < 0)
        return WG_ECRYPTO;
    if (mont_to_edwards_y(pub, ed_pub))
        return WG_ECRYPTO;
    ed_pub[31] |= sig[63] & 0x80;
    memcpy(ed_sig, sig, 64);
    ed_sig[63] &= 0x7F;
    if (crypto_sign_ed25519_verify_detached(ed_sig, msg, len, ed_pub) != 0)
        return WG_ECRYPTO;
    return 0;
}
