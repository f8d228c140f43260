/* WhatsApp Noise server certificate chain (wa-protocol.md §2.3): decoding of
 * CertChain / NoiseCertificate.Details and the full check list (whatsmeow's
 * verifyServerCert, a superset of Baileys'). The trusted root key is a
 * parameter so tests and local peers can use their own. Pure; thread-safe. */
#ifndef WG_WA_CERT_H
#define WG_WA_CERT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* WhatsApp's long-term root ("WhatsAppLongTerm1", issuer serial 0). */
extern const uint8_t wg_wa_cert_root_key[32];
#define WG_WA_CERT_ROOT_SERIAL 0

/* CertChain.NoiseCertificate.Details. */
typedef struct {
    uint32_t serial;        /* field 1 */
    uint32_t issuer_serial; /* field 2 */
    uint8_t key[32];        /* field 3: the certified X25519 key */
    bool has_key;           /* field 3 was present with 32 bytes */
    uint64_t not_before;    /* field 4, unix seconds (0 if absent) */
    uint64_t not_after;     /* field 5, unix seconds (0 if absent) */
} wg_wa_cert_details_t;

/* Decodes a Details message. Returns 0 or WG_EPROTO (malformed protobuf,
 * a key field that is not 32 bytes). Unknown fields are skipped. */
int wg_wa_cert_details_parse(const uint8_t *p, size_t len, wg_wa_cert_details_t *out);

/* Verifies a serialized CertChain against root_key (32 bytes, e.g.
 * wg_wa_cert_root_key) and the server static key the handshake decrypted:
 *   1. leaf and intermediate have details and 64-byte signatures;
 *   2. the intermediate is signed by root_key (XEdDSA);
 *   3. intermediate issuer serial == WG_WA_CERT_ROOT_SERIAL, key is 32 bytes;
 *   4. the leaf is signed by the intermediate key;
 *   5. now within [not_before, not_after] of both (skipped when now < 0);
 *   6. leaf issuer serial == intermediate serial;
 *   7. leaf key == server_static (constant time).
 * Returns 0, WG_EPROTO (malformed), WG_ECRYPTO (a signature or key check
 * failed) or WG_ETIMEDOUT (outside the validity window). */
int wg_wa_cert_verify(const uint8_t *chain, size_t len, const uint8_t root_key[32],
                      const uint8_t server_static[32], int64_t now);

#endif
