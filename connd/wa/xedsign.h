/* XEdDSA signing with an X25519 private key (the XEdDSA paper, Perrin 2016,
 * §4.2 "xeddsa_sign"), for the signatures a WhatsApp companion makes: the
 * signed pre-key (0x05 || spk_pub) and the ADV device signature (wa-protocol.md
 * §3 "Registration", §5.1 step 5). Output verifies with wg_xeddsa_verify and
 * with libsignal's curve verification (sign bit 0, so both signature forms
 * agree). Built on libsodium's Ed25519 scalar and point operations. Pure;
 * thread-safe. The verifier (xeddsa.c) stays separate and verify-only. */
#ifndef WG_WA_XEDSIGN_H
#define WG_WA_XEDSIGN_H
#include <stddef.h>
#include <stdint.h>

/* sig = XEdDSA(priv, msg) with 64 fresh random bytes Z (random_z NULL), or
 * the given 64 bytes (tests). priv is a 32-byte X25519 private key (clamped
 * here). Returns 0 or WG_ECRYPTO (libsodium refused). */
int wg_xeddsa_sign(const uint8_t priv[32], const uint8_t *msg, size_t len,
                   const uint8_t *random_z, uint8_t sig[64]);

/* Clamps an X25519 private key in place (k[0] &= 248, k[31] &= 127, |= 64). */
void wg_x25519_clamp(uint8_t key[32]);

#endif
