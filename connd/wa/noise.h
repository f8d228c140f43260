/* Noise_XX_25519_AESGCM_SHA256 (Noise spec rev. 34) and WhatsApp's variant of
 * it (wa-protocol.md §2): handshake state, symmetric state and the transport
 * CipherStates. X25519 comes from libsodium; AES-256-GCM, SHA-256 and
 * HMAC/HKDF from OpenSSL EVP. Bytes in, bytes out: no protobuf (handshake.c
 * wraps the WhatsApp messages), no framing (frame.c), no sockets.
 * A state belongs to one connection; nothing here is thread-safe. */
#ifndef WG_WA_NOISE_H
#define WG_WA_NOISE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "wg_buf.h"

#define WG_NOISE_KEY_LEN 32 /* X25519 keys, AES-256 keys, SHA-256 hashes */
#define WG_NOISE_TAG_LEN 16 /* AES-GCM tag appended to every ciphertext */
#define WG_NOISE_PROTOCOL "Noise_XX_25519_AESGCM_SHA256"

typedef enum {
    /* Plain Noise XX: reproduces the published test vectors. */
    WG_NOISE_STANDARD = 0,
    /* WhatsApp: the same construction (the 28-byte name zero-padded to 32
     * bytes is the initial h), except that an empty payload sent or received
     * before any key exists is not mixed into h, the default prologue is the
     * "WA" 6 3 header, and nonces are a uint32 counter (IV 00x8 || BE32(n)),
     * so a CipherState refuses to go past 2^32 - 1 messages. */
    WG_NOISE_WHATSAPP = 1,
} wg_noise_mode_t;

/* A CipherState: one AES-256-GCM key and its nonce counter. Plain bytes (no
 * pointers): it may be copied by value; wg_noise_cipher_wipe zeroes all of it. */
typedef struct {
    uint8_t key[WG_NOISE_KEY_LEN]; /* k */
    uint64_t nonce;                /* n, the next nonce to use */
    uint64_t nonce_limit;          /* first nonce that may not be used */
    bool has_key;                  /* false: encrypt/decrypt pass data through */
    /* k expanded once for libsodium's AES-256-GCM (AES-NI + PCLMUL CPUs):
     * a transport frame then costs no OpenSSL context set-up and key
     * expansion. fast_gcm false: OpenSSL EVP per message (any CPU). */
    crypto_aead_aes256gcm_state gcm; /* the expanded key, when fast_gcm */
    bool fast_gcm;                   /* gcm holds k */
} wg_noise_cipher_t;

/* Sets key k with nonce 0. */
void wg_noise_cipher_init(wg_noise_cipher_t *c, const uint8_t key[WG_NOISE_KEY_LEN],
                          wg_noise_mode_t mode);
/* Appends AES-256-GCM(k, n, ad, pt) || tag to out and increments n.
 * Returns 0, or WG_ESTATE when the nonces are used up. May reallocate out. */
int wg_noise_cipher_encrypt(wg_noise_cipher_t *c, const uint8_t *ad, size_t ad_len,
                            const uint8_t *pt, size_t len, wg_buf_t *out);
/* Appends the plaintext of ct (ciphertext || tag) to out and increments n.
 * Returns 0, WG_ECRYPTO (bad tag or too short; n is not incremented and out is
 * unchanged: the caller should drop the connection), WG_ESTATE (nonces used up). */
int wg_noise_cipher_decrypt(wg_noise_cipher_t *c, const uint8_t *ad, size_t ad_len,
                            const uint8_t *ct, size_t len, wg_buf_t *out);
/* Zeroes the key. */
void wg_noise_cipher_wipe(wg_noise_cipher_t *c);

/* The XX handshake: -> e; <- e, ee, s, es; -> s, se. */
typedef struct {
    wg_noise_mode_t mode;             /* standard or WhatsApp */
    bool initiator;                   /* writes messages 0 and 2 */
    int message;                      /* next message index 0..2; 3 = done */
    uint8_t ck[WG_NOISE_KEY_LEN];     /* chaining key */
    uint8_t h[WG_NOISE_KEY_LEN];      /* handshake hash */
    wg_noise_cipher_t cipher;         /* handshake CipherState */
    uint8_t s_priv[WG_NOISE_KEY_LEN]; /* local static private key */
    uint8_t s_pub[WG_NOISE_KEY_LEN];  /* local static public key */
    uint8_t e_priv[WG_NOISE_KEY_LEN]; /* local ephemeral private key */
    uint8_t e_pub[WG_NOISE_KEY_LEN];  /* local ephemeral public key */
    uint8_t rs[WG_NOISE_KEY_LEN];     /* remote static public key */
    uint8_t re[WG_NOISE_KEY_LEN];     /* remote ephemeral public key */
    bool has_rs;                      /* rs is known */
    bool has_re;                      /* re is known */
} wg_noise_handshake_t;

/* Initializes a handshake. prologue NULL means the mode's default (none for
 * standard, "WA\x06\x03" for WhatsApp). static_priv is the long-term X25519
 * private key (32 raw bytes). ephemeral_priv NULL means a fresh random key;
 * tests pass fixed keys. Returns 0 or WG_EIO if libsodium cannot start.
 * Wipe the state with wg_noise_handshake_wipe when done. */
int wg_noise_handshake_init(wg_noise_handshake_t *hs, wg_noise_mode_t mode, bool initiator,
                            const uint8_t *prologue, size_t prologue_len,
                            const uint8_t static_priv[WG_NOISE_KEY_LEN],
                            const uint8_t *ephemeral_priv);

/* Appends the next handshake message (standard layout: e, encrypted s, then
 * the encrypted payload) to out. Returns 0, WG_ESTATE if it is the peer's
 * turn or the handshake is over, WG_ECRYPTO for a low-order DH result.
 * May reallocate out. */
int wg_noise_handshake_write(wg_noise_handshake_t *hs, const uint8_t *payload, size_t len,
                             wg_buf_t *out);
/* Processes the peer's next handshake message and appends its payload to
 * payload_out. Returns 0, WG_ESTATE (wrong turn), WG_EPROTO (too short),
 * WG_ECRYPTO (authentication or DH failure: abandon the handshake). */
int wg_noise_handshake_read(wg_noise_handshake_t *hs, const uint8_t *msg, size_t len,
                            wg_buf_t *payload_out);
/* True once all three messages went through. */
bool wg_noise_handshake_done(const wg_noise_handshake_t *hs);
/* Split(): the transport CipherStates for sending and receiving. Returns 0 or
 * WG_ESTATE before the handshake is done. */
int wg_noise_handshake_split(wg_noise_handshake_t *hs, wg_noise_cipher_t *send,
                             wg_noise_cipher_t *recv);
/* Zeroes every key in the state. */
void wg_noise_handshake_wipe(wg_noise_handshake_t *hs);

/* Symmetric-state steps, exposed for handshake.c and the tests. */
void wg_noise_mix_hash(wg_noise_handshake_t *hs, const uint8_t *data, size_t len);
int wg_noise_mix_key(wg_noise_handshake_t *hs, const uint8_t *ikm, size_t len);
int wg_noise_encrypt_and_hash(wg_noise_handshake_t *hs, const uint8_t *pt, size_t len,
                              wg_buf_t *out);
int wg_noise_decrypt_and_hash(wg_noise_handshake_t *hs, const uint8_t *ct, size_t len,
                              wg_buf_t *out);

/* X25519 public key of a private key. */
void wg_noise_public_key(uint8_t pub[WG_NOISE_KEY_LEN], const uint8_t priv[WG_NOISE_KEY_LEN]);

#endif
