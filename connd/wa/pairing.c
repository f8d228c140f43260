/* Companion pairing (see pairing.h). Crypto: HMAC-SHA256, PBKDF2, AES-CTR,
 * AES-GCM and HKDF from OpenSSL; X25519 from libsodium; XEdDSA from
 * xeddsa.c (verify) and xedsign.c (sign). */
#include "wa/pairing.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <sodium.h>
#include <string.h>

#include "wa/payload.h"
#include "wa/xeddsa.h"
#include "wa/xedsign.h"
#include "waproto.pb-c.h"
#include "wg_err.h"

static void append_b64(wg_buf_t *out, const uint8_t *p, size_t len)
{
    char b64[128];
    sodium_bin2base64(b64, sizeof b64, p, len, sodium_base64_VARIANT_ORIGINAL);
    wg_buf_append_str(out, b64);
}

void wg_wa_qr_string(const wg_wa_creds_t *c, const char *ref, size_t ref_len,
                     const char *platform_id, wg_buf_t *out)
{
    wg_buf_append_str(out, WG_WA_QR_PREFIX);
    wg_buf_append(out, ref, ref_len);
    wg_buf_append_byte(out, ',');
    append_b64(out, c->noise_pub, 32);
    wg_buf_append_byte(out, ',');
    append_b64(out, c->identity_pub, 32);
    wg_buf_append_byte(out, ',');
    append_b64(out, c->adv_secret, 32);
    wg_buf_append_byte(out, ',');
    wg_buf_append_str(out, platform_id);
}

static ProtobufCBinaryData bin(const void *p, size_t len)
{
    ProtobufCBinaryData b = {len, (uint8_t *)p};
    return b;
}

int wg_wa_pair_success(wg_wa_creds_t *c, const uint8_t *device_identity, size_t len,
                       const char *jid, const char *lid, const char *platform, wg_buf_t *reply,
                       uint32_t *key_index, const char **why)
{
    int rc = WG_EPROTO;
    Wa__ADVSignedDeviceIdentityHMAC *container = NULL;
    Wa__ADVSignedDeviceIdentity *account = NULL;
    Wa__ADVDeviceIdentity *device = NULL;
    uint8_t *msg = NULL;
    *why = "malformed";
    container = wa__advsigned_device_identity_hmac__unpack(NULL, len, device_identity);
    if (!container || !container->has_details || !container->has_hmac ||
        container->hmac.len != 32 || !jid)
        goto done;
    int hosted = container->has_account_type &&
                 container->account_type == WA__ADVENCRYPTION_TYPE__HOSTED;
    uint8_t mac[32];
    unsigned int mac_len = sizeof mac;
    {
        uint8_t *in = OPENSSL_malloc(container->details.len + 2);
        size_t n = 0;
        if (hosted) {
            in[n++] = 6;
            in[n++] = 5;
        }
        memcpy(in + n, container->details.data, container->details.len);
        n += container->details.len;
        HMAC(EVP_sha256(), c->adv_secret, 32, in, n, mac, &mac_len);
        OPENSSL_free(in);
    }
    if (CRYPTO_memcmp(mac, container->hmac.data, 32) != 0) {
        *why = "hmac-mismatch";
        rc = WG_ECRYPTO;
        goto done;
    }
    account = wa__advsigned_device_identity__unpack(NULL, container->details.len,
                                                    container->details.data);
    if (!account || !account->has_details || !account->has_account_signature_key ||
        account->account_signature_key.len != 32 || !account->has_account_signature ||
        account->account_signature.len != 64)
        goto done;
    device = wa__advdevice_identity__unpack(NULL, account->details.len, account->details.data);
    if (!device)
        goto done;
    size_t dlen = account->details.len;
    msg = OPENSSL_malloc(2 + dlen + 64);
    msg[0] = 6;
    msg[1] = (device->has_device_type && device->device_type == WA__ADVENCRYPTION_TYPE__HOSTED)
                 ? 5 : 0;
    memcpy(msg + 2, account->details.data, dlen);
    memcpy(msg + 2 + dlen, c->identity_pub, 32);
    if (wg_xeddsa_verify(account->account_signature_key.data, msg, 2 + dlen + 32,
                         account->account_signature.data) != 0) {
        *why = "signature-mismatch";
        rc = WG_ECRYPTO;
        goto done;
    }
    msg[1] = 1;
    memcpy(msg + 2 + dlen + 32, account->account_signature_key.data, 32);
    uint8_t device_sig[64];
    if (wg_xeddsa_sign(c->identity_priv, msg, 2 + dlen + 64, NULL, device_sig) != 0) {
        *why = "internal-error";
        rc = WG_ECRYPTO;
        goto done;
    }
    /* the unpacked message owns its fields: borrow ours only for packing */
    ProtobufCBinaryData their_sig = account->device_signature;
    protobuf_c_boolean had_sig = account->has_device_signature;
    account->has_device_signature = 1;
    account->device_signature = bin(device_sig, 64);
    /* what we keep has the account key; what we send back does not */
    wg_buf_t kept = WG_BUF_INIT;
    wg_wa_pb_append(&account->base, &kept);
    if (kept.len > WG_WA_ACCOUNT_MAX) {
        wg_buf_free(&kept);
        account->device_signature = their_sig;
        account->has_device_signature = had_sig;
        goto done;
    }
    memcpy(c->account, kept.p, kept.len);
    c->account_len = kept.len;
    wg_buf_free(&kept);
    account->has_account_signature_key = 0;
    wg_wa_pb_append(&account->base, reply);
    account->has_account_signature_key = 1;
    account->device_signature = their_sig;
    account->has_device_signature = had_sig;
    *key_index = device->has_key_index ? device->key_index : 0;
    snprintf(c->me_jid, sizeof c->me_jid, "%s", jid);
    snprintf(c->me_lid, sizeof c->me_lid, "%s", lid ? lid : "");
    snprintf(c->platform, sizeof c->platform, "%s", platform ? platform : "");
    *why = NULL;
    rc = 0;
done:
    OPENSSL_free(msg);
    if (device)
        wa__advdevice_identity__free_unpacked(device, NULL);
    if (account)
        wa__advsigned_device_identity__free_unpacked(account, NULL);
    if (container)
        wa__advsigned_device_identity_hmac__free_unpacked(container, NULL);
    return rc;
}

void wg_wa_pairing_code_encode(const uint8_t bytes[5], char code[9])
{
    static const char alphabet[] = "123456789ABCDEFGHJKLMNPQRSTVWXYZ";
    uint64_t v = 0;
    for (int i = 0; i < 5; i++)
        v = (v << 8) | bytes[i];
    for (int i = 7; i >= 0; i--) {
        code[i] = alphabet[v & 31];
        v >>= 5;
    }
    code[8] = '\0';
}

int wg_wa_pairing_key(const char *code, const uint8_t salt[32], uint8_t key[32])
{
    return PKCS5_PBKDF2_HMAC(code, (int)strlen(code), salt, 32, WG_WA_PAIRING_ITERATIONS,
                             EVP_sha256(), 32, key) == 1
               ? 0
               : WG_ECRYPTO;
}

/* AES-256-CTR with a full 16-byte initial counter block (encrypt = decrypt). */
static int aes_ctr(const uint8_t key[32], const uint8_t iv[16], const uint8_t *in, size_t len,
                   uint8_t *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), NULL, key, iv) == 1 &&
                    EVP_EncryptUpdate(ctx, out, &n, in, (int)len) == 1 && (size_t)n == len;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? 0 : WG_ECRYPTO;
}

int wg_wa_pairing_wrap(const wg_wa_creds_t *c, const char *code, const uint8_t *salt_iv,
                       uint8_t wrapped[WG_WA_PAIRING_WRAPPED_LEN])
{
    uint8_t key[32];
    if (salt_iv)
        memcpy(wrapped, salt_iv, 48);
    else
        randombytes_buf(wrapped, 48);
    int rc = wg_wa_pairing_key(code, wrapped, key);
    if (!rc)
        rc = aes_ctr(key, wrapped + 32, c->pairing_eph_pub, 32, wrapped + 48);
    sodium_memzero(key, sizeof key);
    return rc;
}

static int hkdf(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt, size_t salt_len,
                const char *info, uint8_t *out, size_t out_len)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    int ok = ctx && EVP_PKEY_derive_init(ctx) > 0 &&
             EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) > 0 &&
             EVP_PKEY_CTX_set1_hkdf_key(ctx, ikm, (int)ikm_len) > 0 &&
             (salt_len == 0 || EVP_PKEY_CTX_set1_hkdf_salt(ctx, salt, (int)salt_len) > 0) &&
             EVP_PKEY_CTX_add1_hkdf_info(ctx, (const unsigned char *)info, (int)strlen(info)) > 0 &&
             EVP_PKEY_derive(ctx, out, &out_len) > 0;
    EVP_PKEY_CTX_free(ctx);
    return ok ? 0 : WG_ECRYPTO;
}

int wg_wa_pairing_finish(wg_wa_creds_t *c, const char *code, const uint8_t primary_identity[32],
                         const uint8_t *wrapped_primary, size_t wrapped_len, const uint8_t *rand,
                         uint8_t bundle[WG_WA_PAIRING_BUNDLE_LEN])
{
    if (wrapped_len != WG_WA_PAIRING_WRAPPED_LEN)
        return WG_EPROTO;
    uint8_t r[76], key[32], primary_eph[32], shared[32], ident_shared[32], kb_key[32];
    uint8_t plain[96], ikm[96];
    int rc = WG_ECRYPTO;
    if (rand)
        memcpy(r, rand, sizeof r);
    else
        randombytes_buf(r, sizeof r);
    if (wg_wa_pairing_key(code, wrapped_primary, key) ||
        aes_ctr(key, wrapped_primary + 32, wrapped_primary + 48, 32, primary_eph))
        goto done;
    if (crypto_scalarmult(shared, c->pairing_eph_priv, primary_eph) != 0 ||
        crypto_scalarmult(ident_shared, c->identity_priv, primary_identity) != 0)
        goto done;
    if (hkdf(shared, 32, r, 32, "link_code_pairing_key_bundle_encryption_key", kb_key, 32))
        goto done;
    memcpy(plain, c->identity_pub, 32);
    memcpy(plain + 32, primary_identity, 32);
    memcpy(plain + 64, r + 44, 32);
    memcpy(bundle, r, 32);          /* S */
    memcpy(bundle + 32, r + 32, 12); /* nonce */
    {
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
        int n = 0, m = 0;
        int ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
                 EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1 &&
                 EVP_EncryptInit_ex(ctx, NULL, NULL, kb_key, r + 32) == 1 &&
                 EVP_EncryptUpdate(ctx, bundle + 44, &n, plain, 96) == 1 &&
                 EVP_EncryptFinal_ex(ctx, bundle + 44 + n, &m) == 1 &&
                 EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, bundle + 140) == 1;
        EVP_CIPHER_CTX_free(ctx);
        if (!ok || n + m != 96)
            goto done;
    }
    memcpy(ikm, shared, 32);
    memcpy(ikm + 32, ident_shared, 32);
    memcpy(ikm + 64, r + 44, 32);
    if (hkdf(ikm, 96, NULL, 0, "adv_secret", c->adv_secret, 32))
        goto done;
    rc = 0;
done:
    sodium_memzero(r, sizeof r);
    sodium_memzero(key, sizeof key);
    sodium_memzero(shared, sizeof shared);
    sodium_memzero(ident_shared, sizeof ident_shared);
    sodium_memzero(kb_key, sizeof kb_key);
    sodium_memzero(plain, sizeof plain);
    sodium_memzero(ikm, sizeof ikm);
    return rc;
}
