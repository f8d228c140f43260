/* The credentials of one WhatsApp companion link (wa-protocol.md §3, §5):
 * long-term Noise key, Signal identity, signed pre-key, registration id, ADV
 * secret, one-time pre-key seed, and once paired the own JIDs and the signed
 * account. Owns their generation and their (unencrypted) serialization as
 * proto/wacreds.proto; encryption at rest is the caller's (connd/link).
 * Pure apart from the random generator; no I/O. */
#ifndef WG_WA_CREDS_H
#define WG_WA_CREDS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg_buf.h"

#define WG_WA_ACCOUNT_MAX 512 /* serialized ADVSignedDeviceIdentity bound */

typedef struct {
    uint8_t noise_priv[32];          /* Noise static key */
    uint8_t noise_pub[32];           /* its public half */
    uint8_t identity_priv[32];       /* Signal identity key */
    uint8_t identity_pub[32];        /* its public half */
    uint8_t spk_priv[32];            /* signed pre-key */
    uint8_t spk_pub[32];             /* its public half */
    uint32_t spk_id;                 /* signed pre-key id (24 bits on the wire) */
    uint8_t spk_sig[64];             /* XEdDSA(identity, 0x05 || spk_pub) */
    uint32_t registration_id;        /* Signal registration id */
    uint8_t adv_secret[32];          /* ADV HMAC key (QR, or derived by pairing code) */
    uint8_t prekey_seed[32];         /* one-time pre-keys derive from it */
    uint32_t next_prekey_id;         /* next one-time pre-key id to upload (from 1) */
    char me_jid[96];                 /* "phone:device@s.whatsapp.net", "" until paired */
    char me_lid[96];                 /* "lid:device@lid" or "" */
    char push_name[128];             /* profile name, "" when unknown */
    char platform[32];               /* primary's platform name from pair-success */
    uint8_t account[WG_WA_ACCOUNT_MAX]; /* ADVSignedDeviceIdentity (with our signature) */
    size_t account_len;              /* 0 until paired */
    uint8_t pairing_eph_priv[32];    /* pairing-code companion ephemeral */
    uint8_t pairing_eph_pub[32];     /* its public half */
} wg_wa_creds_t;

/* Fills c with fresh keys (unpaired). Returns 0 or WG_ECRYPTO. */
int wg_wa_creds_generate(wg_wa_creds_t *c);
/* True once pair-success stored me_jid. */
bool wg_wa_creds_paired(const wg_wa_creds_t *c);
/* Appends the serialized record to out. May reallocate out. */
void wg_wa_creds_pack(const wg_wa_creds_t *c, wg_buf_t *out);
/* Parses a record written by wg_wa_creds_pack into c (public halves are
 * recomputed). Returns 0 or WG_EPROTO. */
int wg_wa_creds_unpack(const uint8_t *p, size_t len, wg_wa_creds_t *c);
/* The one-time pre-key with this id, derived from prekey_seed. */
void wg_wa_creds_prekey(const wg_wa_creds_t *c, uint32_t id, uint8_t priv[32], uint8_t pub[32]);
/* Phone number (user part) and device of me_jid. Returns 0 or WG_EINVAL. */
int wg_wa_creds_me(const wg_wa_creds_t *c, uint64_t *phone, uint32_t *device);
/* Zeroes every key. */
void wg_wa_creds_wipe(wg_wa_creds_t *c);

#endif
