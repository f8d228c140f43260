/* Noise_XX_25519_AESGCM_SHA256 handshake and CipherStates (Noise spec rev. 34
 * §5 "Processing rules"), plus the WhatsApp variant of wa-protocol.md §2.1/2.2.
 * It must never log or keep key material beyond the state it was given, and
 * never accept a handshake message out of turn. */
#include "wa/noise.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include "wa/frame.h"
#include "wg_err.h"

#define HASH_LEN WG_NOISE_KEY_LEN

/* ---- primitives ---------------------------------------------------------- */

/* SHA-256(a || b). */
static void sha256_2(uint8_t out[HASH_LEN], const uint8_t *a, size_t a_len, const uint8_t *b,
                     size_t b_len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int n = 0;
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(md, a, a_len) != 1 || (b_len && EVP_DigestUpdate(md, b, b_len) != 1) ||
        EVP_DigestFinal_ex(md, out, &n) != 1)
        abort(); /* only allocation failure can get here */
    EVP_MD_CTX_free(md);
}

static void hmac_sha256(uint8_t out[HASH_LEN], const uint8_t key[HASH_LEN], const uint8_t *data,
                        size_t len)
{
    unsigned int n = 0;
    static const uint8_t empty = 0;
    if (!HMAC(EVP_sha256(), key, HASH_LEN, len ? data : &empty, len, out, &n))
        abort();
}

/* Noise HKDF with two outputs (spec §4.3). */
static void hkdf2(const uint8_t ck[HASH_LEN], const uint8_t *ikm, size_t ikm_len,
                  uint8_t out1[HASH_LEN], uint8_t out2[HASH_LEN])
{
    uint8_t temp[HASH_LEN], in[HASH_LEN + 1];
    hmac_sha256(temp, ck, ikm, ikm_len);
    in[0] = 0x01;
    hmac_sha256(out1, temp, in, 1);
    memcpy(in, out1, HASH_LEN);
    in[HASH_LEN] = 0x02;
    hmac_sha256(out2, temp, in, sizeof in);
    sodium_memzero(temp, sizeof temp);
    sodium_memzero(in, sizeof in);
}

/* 96-bit nonce: 32 zero bits || BE64(n). For n < 2^32 this is WhatsApp's
 * 00x8 || BE32(counter). */
static void make_iv(uint8_t iv[12], uint64_t n)
{
    memset(iv, 0, 4);
    for (int i = 0; i < 8; i++)
        iv[4 + i] = (uint8_t)(n >> (56 - 8 * i));
}

static int aes_gcm(bool encrypt, const uint8_t key[32], uint64_t nonce, const uint8_t *ad,
                   size_t ad_len, const uint8_t *in, size_t len, uint8_t *out,
                   uint8_t tag[WG_NOISE_TAG_LEN])
{
    uint8_t iv[12];
    int outl = 0, ok = 0;
    make_iv(iv, nonce);
    if (len > INT32_MAX || ad_len > INT32_MAX)
        return WG_ETOOBIG;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        abort();
    if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv, encrypt ? 1 : 0) != 1)
        goto done;
    if (ad_len && EVP_CipherUpdate(ctx, NULL, &outl, ad, (int)ad_len) != 1)
        goto done;
    if (len && EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1)
        goto done;
    if (!encrypt && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, WG_NOISE_TAG_LEN, tag) != 1)
        goto done;
    if (EVP_CipherFinal_ex(ctx, out + (len ? outl : 0), &outl) != 1)
        goto done;
    if (encrypt && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, WG_NOISE_TAG_LEN, tag) != 1)
        goto done;
    ok = 1;
done:
    EVP_CIPHER_CTX_free(ctx);
    return ok ? 0 : WG_ECRYPTO;
}

void wg_noise_public_key(uint8_t pub[WG_NOISE_KEY_LEN], const uint8_t priv[WG_NOISE_KEY_LEN])
{
    crypto_scalarmult_base(pub, priv);
}

/* DH(): libsodium refuses an all-zero result (low-order peer key). */
static int dh(uint8_t out[32], const uint8_t priv[32], const uint8_t pub[32])
{
    return crypto_scalarmult(out, priv, pub) == 0 ? 0 : WG_ECRYPTO;
}

/* ---- CipherState --------------------------------------------------------- */

void wg_noise_cipher_init(wg_noise_cipher_t *c, const uint8_t key[WG_NOISE_KEY_LEN],
                          wg_noise_mode_t mode)
{
    memcpy(c->key, key, WG_NOISE_KEY_LEN);
    /* the CPU check needs sodium_init (idempotent; it only fails on a
     * system without a random source, and then the slower path is used) */
    c->fast_gcm = sodium_init() >= 0 && crypto_aead_aes256gcm_is_available() &&
                  crypto_aead_aes256gcm_beforenm(&c->gcm, key) == 0;
    c->nonce = 0;
    /* Standard: 2^64 - 1 is reserved. WhatsApp: the IV holds a uint32. */
    c->nonce_limit = mode == WG_NOISE_WHATSAPP ? (uint64_t)1 << 32 : UINT64_MAX;
    c->has_key = true;
}

void wg_noise_cipher_wipe(wg_noise_cipher_t *c)
{
    sodium_memzero(c, sizeof *c);
}

int wg_noise_cipher_encrypt(wg_noise_cipher_t *c, const uint8_t *ad, size_t ad_len,
                            const uint8_t *pt, size_t len, wg_buf_t *out)
{
    if (!c->has_key) {
        if (len)
            wg_buf_append(out, pt, len);
        return 0;
    }
    if (c->nonce >= c->nonce_limit)
        return WG_ESTATE;
    if (len > SIZE_MAX - WG_NOISE_TAG_LEN - 1)
        return WG_ETOOBIG;
    wg_buf_reserve(out, len + WG_NOISE_TAG_LEN);
    uint8_t *dst = out->p + out->len;
    int rc;
    if (c->fast_gcm) {
        uint8_t iv[12];
        make_iv(iv, c->nonce);
        rc = crypto_aead_aes256gcm_encrypt_detached_afternm(dst, dst + len, NULL, pt, len, ad,
                                                            ad_len, NULL, iv, &c->gcm) == 0
                 ? 0
                 : WG_ECRYPTO;
    } else {
        rc = aes_gcm(true, c->key, c->nonce, ad, ad_len, pt, len, dst, dst + len);
    }
    if (rc)
        return rc;
    out->len += len + WG_NOISE_TAG_LEN;
    out->p[out->len] = 0;
    c->nonce++;
    return 0;
}

int wg_noise_cipher_decrypt(wg_noise_cipher_t *c, const uint8_t *ad, size_t ad_len,
                            const uint8_t *ct, size_t len, wg_buf_t *out)
{
    if (!c->has_key) {
        if (len)
            wg_buf_append(out, ct, len);
        return 0;
    }
    if (c->nonce >= c->nonce_limit)
        return WG_ESTATE;
    if (len < WG_NOISE_TAG_LEN)
        return WG_ECRYPTO;
    size_t pt_len = len - WG_NOISE_TAG_LEN;
    uint8_t tag[WG_NOISE_TAG_LEN];
    memcpy(tag, ct + pt_len, sizeof tag);
    wg_buf_reserve(out, pt_len);
    int rc;
    if (c->fast_gcm) {
        uint8_t iv[12];
        make_iv(iv, c->nonce);
        rc = crypto_aead_aes256gcm_decrypt_detached_afternm(out->p + out->len, NULL, ct, pt_len,
                                                            tag, ad, ad_len, iv, &c->gcm) == 0
                 ? 0
                 : WG_ECRYPTO;
    } else {
        rc = aes_gcm(false, c->key, c->nonce, ad, ad_len, ct, pt_len, out->p + out->len, tag);
    }
    if (rc) {
        sodium_memzero(out->p + out->len, pt_len); /* no unauthenticated bytes left behind */
        out->p[out->len] = 0;
        return WG_ECRYPTO;
    }
    out->len += pt_len;
    out->p[out->len] = 0;
    c->nonce++;
    return 0;
}

/* ---- SymmetricState ------------------------------------------------------ */

void wg_noise_mix_hash(wg_noise_handshake_t *hs, const uint8_t *data, size_t len)
{
    sha256_2(hs->h, hs->h, HASH_LEN, data, len);
}

int wg_noise_mix_key(wg_noise_handshake_t *hs, const uint8_t *ikm, size_t len)
{
    uint8_t k[HASH_LEN];
    hkdf2(hs->ck, ikm, len, hs->ck, k);
    wg_noise_cipher_init(&hs->cipher, k, hs->mode);
    sodium_memzero(k, sizeof k);
    return 0;
}

/* WhatsApp never hashes the (empty) payload of its key-less first message. */
static bool skip_hash(const wg_noise_handshake_t *hs, size_t len)
{
    return hs->mode == WG_NOISE_WHATSAPP && !hs->cipher.has_key && len == 0;
}

int wg_noise_encrypt_and_hash(wg_noise_handshake_t *hs, const uint8_t *pt, size_t len,
                              wg_buf_t *out)
{
    size_t start = out->len;
    if (skip_hash(hs, len))
        return 0;
    int rc = wg_noise_cipher_encrypt(&hs->cipher, hs->h, HASH_LEN, pt, len, out);
    if (rc)
        return rc;
    wg_noise_mix_hash(hs, out->p ? out->p + start : pt, out->len - start);
    return 0;
}

int wg_noise_decrypt_and_hash(wg_noise_handshake_t *hs, const uint8_t *ct, size_t len,
                              wg_buf_t *out)
{
    uint8_t h[HASH_LEN];
    if (skip_hash(hs, len))
        return 0;
    /* h must absorb the ciphertext, but decryption uses the old h as AD. */
    sha256_2(h, hs->h, HASH_LEN, ct, len);
    int rc = wg_noise_cipher_decrypt(&hs->cipher, hs->h, HASH_LEN, ct, len, out);
    if (rc)
        return rc;
    memcpy(hs->h, h, HASH_LEN);
    return 0;
}

/* ---- HandshakeState (pattern XX) ----------------------------------------- */

int wg_noise_handshake_init(wg_noise_handshake_t *hs, wg_noise_mode_t mode, bool initiator,
                            const uint8_t *prologue, size_t prologue_len,
                            const uint8_t static_priv[WG_NOISE_KEY_LEN],
                            const uint8_t *ephemeral_priv)
{
    if (sodium_init() < 0)
        return WG_EIO;
    memset(hs, 0, sizeof *hs);
    hs->mode = mode;
    hs->initiator = initiator;
    /* The name fits in HASHLEN, so h is the name zero-padded (for WhatsApp
     * that is exactly its "...SHA256\0\0\0\0" constant); ck = h. */
    memcpy(hs->h, WG_NOISE_PROTOCOL, sizeof WG_NOISE_PROTOCOL - 1);
    memcpy(hs->ck, hs->h, HASH_LEN);
    if (!prologue && mode == WG_NOISE_WHATSAPP) {
        prologue = wg_wa_header;
        prologue_len = WG_WA_HEADER_LEN;
    }
    wg_noise_mix_hash(hs, prologue_len ? prologue : NULL, prologue_len);
    memcpy(hs->s_priv, static_priv, WG_NOISE_KEY_LEN);
    wg_noise_public_key(hs->s_pub, hs->s_priv);
    if (ephemeral_priv)
        memcpy(hs->e_priv, ephemeral_priv, WG_NOISE_KEY_LEN);
    else
        randombytes_buf(hs->e_priv, WG_NOISE_KEY_LEN);
    wg_noise_public_key(hs->e_pub, hs->e_priv);
    return 0;
}

static bool my_turn(const wg_noise_handshake_t *hs)
{
    return hs->message < 3 && ((hs->message % 2 == 0) == hs->initiator);
}

static int mix_dh(wg_noise_handshake_t *hs, const uint8_t priv[32], const uint8_t pub[32])
{
    uint8_t shared[32];
    int rc = dh(shared, priv, pub);
    if (rc == 0)
        rc = wg_noise_mix_key(hs, shared, sizeof shared);
    sodium_memzero(shared, sizeof shared);
    return rc;
}

int wg_noise_handshake_write(wg_noise_handshake_t *hs, const uint8_t *payload, size_t len,
                             wg_buf_t *out)
{
    int rc = 0;
    if (!my_turn(hs))
        return WG_ESTATE;
    switch (hs->message) {
    case 0: /* -> e */
        wg_buf_append(out, hs->e_pub, WG_NOISE_KEY_LEN);
        wg_noise_mix_hash(hs, hs->e_pub, WG_NOISE_KEY_LEN);
        break;
    case 1: /* <- e, ee, s, es */
        wg_buf_append(out, hs->e_pub, WG_NOISE_KEY_LEN);
        wg_noise_mix_hash(hs, hs->e_pub, WG_NOISE_KEY_LEN);
        if ((rc = mix_dh(hs, hs->e_priv, hs->re)) ||
            (rc = wg_noise_encrypt_and_hash(hs, hs->s_pub, WG_NOISE_KEY_LEN, out)) ||
            (rc = mix_dh(hs, hs->s_priv, hs->re)))
            return rc;
        break;
    case 2: /* -> s, se */
        if ((rc = wg_noise_encrypt_and_hash(hs, hs->s_pub, WG_NOISE_KEY_LEN, out)) ||
            (rc = mix_dh(hs, hs->s_priv, hs->re)))
            return rc;
        break;
    }
    if ((rc = wg_noise_encrypt_and_hash(hs, payload, len, out)))
        return rc;
    hs->message++;
    return 0;
}

int wg_noise_handshake_read(wg_noise_handshake_t *hs, const uint8_t *msg, size_t len,
                            wg_buf_t *payload_out)
{
    const size_t enc_key = WG_NOISE_KEY_LEN + WG_NOISE_TAG_LEN;
    wg_buf_t rs = WG_BUF_INIT;
    size_t pos = 0;
    int rc = 0;
    if (my_turn(hs) || hs->message >= 3)
        return WG_ESTATE;
    if (hs->message != 2) { /* e */
        if (len < WG_NOISE_KEY_LEN)
            return WG_EPROTO;
        memcpy(hs->re, msg, WG_NOISE_KEY_LEN);
        hs->has_re = true;
        wg_noise_mix_hash(hs, hs->re, WG_NOISE_KEY_LEN);
        pos = WG_NOISE_KEY_LEN;
    }
    if (hs->message == 1) { /* ee, s, es (initiator side) */
        if (len - pos < enc_key)
            return WG_EPROTO;
        if ((rc = mix_dh(hs, hs->e_priv, hs->re)) ||
            (rc = wg_noise_decrypt_and_hash(hs, msg + pos, enc_key, &rs)))
            goto done;
        memcpy(hs->rs, rs.p, WG_NOISE_KEY_LEN);
        hs->has_rs = true;
        pos += enc_key;
        if ((rc = mix_dh(hs, hs->e_priv, hs->rs)))
            goto done;
    } else if (hs->message == 2) { /* s, se (responder side) */
        if (len < enc_key)
            return WG_EPROTO;
        if ((rc = wg_noise_decrypt_and_hash(hs, msg, enc_key, &rs)))
            goto done;
        memcpy(hs->rs, rs.p, WG_NOISE_KEY_LEN);
        hs->has_rs = true;
        pos = enc_key;
        if ((rc = mix_dh(hs, hs->e_priv, hs->rs)))
            goto done;
    }
    if ((rc = wg_noise_decrypt_and_hash(hs, msg + pos, len - pos, payload_out)))
        goto done;
    hs->message++;
done:
    if (rs.p)
        sodium_memzero(rs.p, rs.len);
    wg_buf_free(&rs);
    return rc;
}

bool wg_noise_handshake_done(const wg_noise_handshake_t *hs)
{
    return hs->message == 3;
}

int wg_noise_handshake_split(wg_noise_handshake_t *hs, wg_noise_cipher_t *send,
                             wg_noise_cipher_t *recv)
{
    uint8_t k1[HASH_LEN], k2[HASH_LEN];
    if (!wg_noise_handshake_done(hs))
        return WG_ESTATE;
    hkdf2(hs->ck, NULL, 0, k1, k2);
    wg_noise_cipher_init(hs->initiator ? send : recv, k1, hs->mode);
    wg_noise_cipher_init(hs->initiator ? recv : send, k2, hs->mode);
    sodium_memzero(k1, sizeof k1);
    sodium_memzero(k2, sizeof k2);
    return 0;
}

void wg_noise_handshake_wipe(wg_noise_handshake_t *hs)
{
    sodium_memzero(hs, sizeof *hs);
}
