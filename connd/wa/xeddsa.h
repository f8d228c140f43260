/* Verification of Signal "curve25519 signatures" (XEdDSA family) made with a
 * Montgomery X25519 public key, as WhatsApp uses for the Noise certificate
 * chain (wa-protocol.md §2.3) and the ADV pairing signatures (§5.1).
 * Verify only: wagate never signs with this module. Pure and thread-safe. */
#ifndef WG_WA_XEDDSA_H
#define WG_WA_XEDDSA_H
#include <stddef.h>
#include <stdint.h>

/* Checks sig (64 bytes) over msg under the X25519 public key pub (32 raw
 * bytes, no 0x05 prefix). Returns 0 when valid, WG_ECRYPTO otherwise
 * (including a key that is not a canonical field element or maps to no
 * Edwards point). */
int wg_xeddsa_verify(const uint8_t pub[32], const uint8_t *msg, size_t len, const uint8_t sig[64]);

#endif
