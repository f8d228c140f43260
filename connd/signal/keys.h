/* The key-type byte (wa-protocol.md §12 pitfall 1): WhatsApp nodes carry
 * raw 32-byte Curve25519 keys, libsignal wants 33 bytes 0x05 || key.
 * Keys inside Signal messages stay 33 bytes and never pass through here. */
#ifndef WG_SIGNAL_KEYS_H
#define WG_SIGNAL_KEYS_H
#include <curve.h>
#include <signal_protocol.h>
#include <stddef.h>
#include <stdint.h>

#define WG_SIGNAL_KEY_TYPE 0x05 /* DJB_TYPE, the `<type>` byte of key bundles */

/* Decodes a public key given raw (32 bytes) or typed (33 bytes, 0x05 ||
 * key) into *out (caller SIGNAL_UNREFs it). Returns 0 or WG_EINVAL (other
 * lengths, another type byte). Thread of the signal context. */
int wg_signal_key_decode(signal_context *g, const uint8_t *key, size_t len, ec_public_key **out);
/* The raw 32 bytes of a public key (type byte stripped). 0 or WG_EINVAL. */
int wg_signal_key_raw(const ec_public_key *key, uint8_t raw[32]);
/* A key pair from raw 32-byte halves (private must be clamped, as every
 * key of wg_wa_creds is), into *out (caller SIGNAL_UNREFs it). 0 or WG_EINVAL. */
int wg_signal_key_pair(signal_context *g, const uint8_t priv[32], const uint8_t pub[32],
                       ec_key_pair **out);

#endif
