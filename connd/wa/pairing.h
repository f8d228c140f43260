/* Companion pairing (wa-protocol.md §5): the QR string for a pair-device ref,
 * the pair-success checks and device signature, and the pairing-code ("link
 * with phone number") key exchange. Pure functions over wg_wa_creds_t and
 * bytes; the caller sends and receives the nodes. No I/O, thread-safe. */
#ifndef WG_WA_PAIRING_H
#define WG_WA_PAIRING_H
#include <stddef.h>
#include <stdint.h>

#include "wa/creds.h"
#include "wg_buf.h"

#define WG_WA_QR_PREFIX "https://wa.me/settings/linked_devices#"
#define WG_WA_PAIRING_ITERATIONS 131072 /* 2 << 16 */
#define WG_WA_PAIRING_WRAPPED_LEN 80    /* salt 32 || iv 16 || ct 32 */
#define WG_WA_PAIRING_BUNDLE_LEN 156    /* salt 32 || nonce 12 || ct 96 || tag 16 */

/* Appends the QR text for ref: prefix, ref, base64 noise / identity public
 * keys, base64 ADV secret, platform id (§5.1 step 3). May reallocate out. */
void wg_wa_qr_string(const wg_wa_creds_t *c, const char *ref, size_t ref_len,
                     const char *platform_id, wg_buf_t *out);

/* pair-success (§5.1 step 6): checks the HMAC (ADV secret) and the account
 * signature of device_identity (the <device-identity> bytes), signs the
 * device identity with our identity key, and records the account, jid, lid
 * and platform in c. On success appends to reply the ADVSignedDeviceIdentity
 * to send back (without the account signature key) and sets *key_index.
 * Returns 0, WG_EPROTO (malformed), WG_ECRYPTO with *why "hmac-mismatch" or
 * "signature-mismatch" (c unchanged). */
int wg_wa_pair_success(wg_wa_creds_t *c, const uint8_t *device_identity, size_t len,
                       const char *jid, const char *lid, const char *platform, wg_buf_t *reply,
                       uint32_t *key_index, const char **why);

/* The 8-character code for 5 bytes, alphabet 123456789ABCDEFGHJKLMNPQRSTVWXYZ. */
void wg_wa_pairing_code_encode(const uint8_t bytes[5], char code[9]);
/* PBKDF2-HMAC-SHA256(code, salt, 131072, 32). Returns 0 or WG_ECRYPTO. */
int wg_wa_pairing_key(const char *code, const uint8_t salt[32], uint8_t key[32]);
/* wrapped = salt || iv || AES-256-CTR(pairing_key(code, salt), iv, eph_pub)
 * for our pairing ephemeral (stage companion_hello). salt_iv: 48 bytes, or
 * NULL for random. Returns 0 or WG_ECRYPTO. */
int wg_wa_pairing_wrap(const wg_wa_creds_t *c, const char *code, const uint8_t *salt_iv,
                       uint8_t wrapped[WG_WA_PAIRING_WRAPPED_LEN]);
/* Stage primary_hello -> companion_finish (§5.2 "Client processing"):
 * unwraps the primary's ephemeral with code, builds the key bundle and
 * replaces c->adv_secret with the derived one. rand: 76 bytes (S 32 ||
 * nonce 12 || R 32) or NULL for random. Returns 0, WG_EPROTO (wrong sizes),
 * WG_ECRYPTO. */
int wg_wa_pairing_finish(wg_wa_creds_t *c, const char *code, const uint8_t primary_identity[32],
                         const uint8_t *wrapped_primary, size_t wrapped_len, const uint8_t *rand,
                         uint8_t bundle[WG_WA_PAIRING_BUNDLE_LEN]);

#endif
