/* The libsignal crypto provider on OpenSSL EVP (see crypto.h). Each callback
 * returns 0 or a negative SG_ERR_* code as signal_protocol.h requires, and
 * allocates its output with signal_buffer_create. It must never accept a bad
 * PKCS#7 padding: the message MAC already covers the ciphertext, but sender
 * keys and fuzzed input reach decrypt too.
 * HMAC-SHA256 is computed here (RFC 2104) on OpenSSL's low-level SHA-256
 * (the same assembly as EVP's, e.g. SHA-NI, on a state in the context):
 * OpenSSL 3's EVP_MAC re-creates its provider digest contexts on every
 * init and final, five allocations per HMAC, and one send runs about seven
 * HMACs. HMAC contexts are kept per thread between uses; a kept context
 * holds the pad of its last key until re-keyed by the next init. AES cipher
 * contexts are kept the same way, one per thread and cipher (a send
 * encrypts once per device): re-initialised with key and IV only, the
 * provider's context is reused instead of made and freed per call. */
/* SHA256_Init/Update/Final are deprecated in OpenSSL 3 but kept in every 3.x
 * release; only this file uses them. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "signal/crypto.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int random_bytes(uint8_t *data, size_t len, void *user_data)
{
    (void)user_data;
    randombytes_buf(data, len);
    return 0;
}

static pthread_once_t g_fetch_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *g_aes[2][3];     /* [CBC, CTR][128, 192, 256 bits] */
static EVP_MD *g_sha512;            /* SHA-512 */

/* Fetches everything once; what fails stays NULL and its callers fail. */
static void fetch_all(void)
{
    static const char *const names[2][3] = {{"AES-128-CBC", "AES-192-CBC", "AES-256-CBC"},
                                            {"AES-128-CTR", "AES-192-CTR", "AES-256-CTR"}};
    for (int mode = 0; mode < 2; mode++)
        for (int bits = 0; bits < 3; bits++)
            g_aes[mode][bits] = EVP_CIPHER_fetch(NULL, names[mode][bits], NULL);
    g_sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
}

/* The HMAC contexts a thread keeps between uses (libsignal nests at most
 * two: HKDF inside a ratchet step). Freed when the thread exits (the main
 * thread's stay until the process exits). */
#define HMAC_KEPT 4

/* One HMAC-SHA256 computation: the inner hash running, the outer pad. */
typedef struct {
    SHA256_CTX sha;              /* H((K ^ ipad) || data...) so far */
    uint8_t opad[SHA256_CBLOCK]; /* K ^ opad */
} hmac_ctx_t;

static void hmac_ctx_free(hmac_ctx_t *h)
{
    OPENSSL_cleanse(h, sizeof *h);
    free(h);
}

typedef struct {
    hmac_ctx_t *ctx[HMAC_KEPT];  /* idle contexts, keyed with a past key */
    int count;                   /* how many */
    EVP_CIPHER_CTX *aes[2][3];   /* like g_aes: a context set to that cipher, or NULL */
} hmac_kept_t;

static pthread_key_t g_hmac_kept; /* this thread's hmac_kept_t, or NULL */
static int g_hmac_kept_ok;        /* the key was created */

static void hmac_kept_free(void *p)
{
    hmac_kept_t *k = p;
    while (k->count > 0)
        hmac_ctx_free(k->ctx[--k->count]);
    for (int mode = 0; mode < 2; mode++)
        for (int bits = 0; bits < 3; bits++)
            EVP_CIPHER_CTX_free(k->aes[mode][bits]); /* cleanses the key schedule */
    free(k);
}

/* Creates the thread key once; without it contexts are not kept. */
static void fetch_hmac_kept(void)
{
    g_hmac_kept_ok = pthread_key_create(&g_hmac_kept, hmac_kept_free) == 0;
}

static pthread_once_t g_kept_once = PTHREAD_ONCE_INIT;

/* This thread's kept contexts, created on first use; NULL when no thread
 * key could be made (then every context is duplicated and freed). */
static hmac_kept_t *hmac_kept(void)
{
    pthread_once(&g_kept_once, fetch_hmac_kept);
    if (!g_hmac_kept_ok)
        return NULL;
    hmac_kept_t *k = pthread_getspecific(g_hmac_kept);
    if (!k && (k = calloc(1, sizeof *k)) != NULL && pthread_setspecific(g_hmac_kept, k) != 0) {
        free(k);
        k = NULL;
    }
    return k;
}

static int hmac_init(void **ctx, const uint8_t *key, size_t key_len, void *user_data)
{
    (void)user_data;
    hmac_kept_t *kept = hmac_kept();
    hmac_ctx_t *h = kept && kept->count > 0 ? kept->ctx[--kept->count] : malloc(sizeof *h);
    *ctx = h;
    if (!h)
        return SG_ERR_NOMEM;
    /* K: the key, or its hash when longer than a block; zero-padded */
    uint8_t k[SHA256_CBLOCK] = {0}, ipad[SHA256_CBLOCK];
    if (key_len > sizeof k)
        SHA256(key, key_len, k);
    else if (key_len)
        memcpy(k, key, key_len);
    for (size_t i = 0; i < sizeof k; i++) {
        ipad[i] = k[i] ^ 0x36;
        h->opad[i] = k[i] ^ 0x5c;
    }
    int ok = SHA256_Init(&h->sha) && SHA256_Update(&h->sha, ipad, sizeof ipad);
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(ipad, sizeof ipad);
    if (!ok) { /* *ctx is NULL on failure, as with no memory */
        hmac_ctx_free(h);
        *ctx = NULL;
        return SG_ERR_UNKNOWN;
    }
    return 0;
}

static int hmac_update(void *ctx, const uint8_t *data, size_t len, void *user_data)
{
    (void)user_data;
    hmac_ctx_t *h = ctx;
    return !len || SHA256_Update(&h->sha, data, len) ? 0 : SG_ERR_UNKNOWN;
}

/* H((K ^ opad) || inner). The context stays usable only after a new init. */
static int hmac_final(void *ctx, signal_buffer **out, void *user_data)
{
    (void)user_data;
    hmac_ctx_t *h = ctx;
    uint8_t inner[SHA256_DIGEST_LENGTH], mac[SHA256_DIGEST_LENGTH];
    int ok = SHA256_Final(inner, &h->sha) && SHA256_Init(&h->sha) &&
             SHA256_Update(&h->sha, h->opad, sizeof h->opad) &&
             SHA256_Update(&h->sha, inner, sizeof inner) && SHA256_Final(mac, &h->sha);
    OPENSSL_cleanse(inner, sizeof inner);
    if (!ok)
        return SG_ERR_UNKNOWN;
    *out = signal_buffer_create(mac, sizeof mac);
    OPENSSL_cleanse(mac, sizeof mac);
    return *out ? 0 : SG_ERR_NOMEM;
}

/* Back to this thread's kept contexts when there is room. It holds the
 * pad of its last key until re-keyed: no more than the worker's record
 * cache (signal/record_cache.h) holds in clear anyway. */
static void hmac_cleanup(void *ctx, void *user_data)
{
    (void)user_data;
    if (!ctx)
        return;
    hmac_kept_t *kept = hmac_kept();
    if (kept && kept->count < HMAC_KEPT)
        kept->ctx[kept->count++] = ctx;
    else
        hmac_ctx_free(ctx);
}

static int sha512_init(void **ctx, void *user_data)
{
    (void)user_data;
    pthread_once(&g_fetch_once, fetch_all);
    if (!g_sha512)
        return SG_ERR_UNKNOWN;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c)
        return SG_ERR_NOMEM;
    if (!EVP_DigestInit_ex(c, g_sha512, NULL)) {
        EVP_MD_CTX_free(c);
        return SG_ERR_UNKNOWN;
    }
    *ctx = c;
    return 0;
}

static int sha512_update(void *ctx, const uint8_t *data, size_t len, void *user_data)
{
    (void)user_data;
    return EVP_DigestUpdate(ctx, data, len) ? 0 : SG_ERR_UNKNOWN;
}

/* libsignal reuses the context after final: reset it (spec §12). */
static int sha512_final(void *ctx, signal_buffer **out, void *user_data)
{
    (void)user_data;
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (!EVP_DigestFinal_ex(ctx, md, &len) || !EVP_DigestInit_ex(ctx, g_sha512, NULL))
        return SG_ERR_UNKNOWN;
    *out = signal_buffer_create(md, len);
    return *out ? 0 : SG_ERR_NOMEM;
}

static void sha512_cleanup(void *ctx, void *user_data)
{
    (void)user_data;
    EVP_MD_CTX_free(ctx);
}

/* The indexes into g_aes for a libsignal cipher id and key length; 0 or -1. */
static int aes_index(int cipher, size_t key_len, int *mode, int *bits)
{
    *mode = cipher == SG_CIPHER_AES_CBC_PKCS5 ? 0 : cipher == SG_CIPHER_AES_CTR_NOPADDING ? 1 : -1;
    *bits = key_len == 16 ? 0 : key_len == 24 ? 1 : key_len == 32 ? 2 : -1;
    if (*mode < 0 || *bits < 0)
        return -1;
    pthread_once(&g_fetch_once, fetch_all);
    return g_aes[*mode][*bits] ? 0 : -1;
}

/* Outputs up to this size are built on the stack (a text message's). */
#define AES_STACK 1024

/* One-shot AES in either direction; *out is set only on success. The
 * thread's kept context for the cipher is used when there is one (made on
 * first use; a context that failed is dropped); without a thread key, a
 * context per call. */
static int aes_run(signal_buffer **out, int cipher, const uint8_t *key, size_t key_len,
                   const uint8_t *iv, size_t iv_len, const uint8_t *in, size_t in_len, int enc)
{
    int mode, bits;
    if (aes_index(cipher, key_len, &mode, &bits) != 0 || iv_len != 16 ||
        in_len > (size_t)INT32_MAX - 32)
        return SG_ERR_INVAL;
    if (!enc && cipher == SG_CIPHER_AES_CBC_PKCS5 && (in_len == 0 || in_len % 16))
        return SG_ERR_INVALID_MESSAGE;
    int rc = SG_ERR_UNKNOWN, n = 0, tail = 0;
    uint8_t stack[AES_STACK];
    uint8_t *buf = in_len + 32 <= sizeof stack ? stack : malloc(in_len + 32);
    hmac_kept_t *kept = hmac_kept();
    EVP_CIPHER_CTX *c = kept ? kept->aes[mode][bits] : NULL;
    int fresh = !c; /* c still needs its cipher set */
    if (fresh)
        c = EVP_CIPHER_CTX_new();
    if (!buf || !c) {
        rc = SG_ERR_NOMEM;
        goto done;
    }
    static const uint8_t empty[1];
    if (!EVP_CipherInit_ex(c, fresh ? g_aes[mode][bits] : NULL, NULL, key, iv, enc) ||
        !EVP_CipherUpdate(c, buf, &n, in_len ? in : empty, (int)in_len))
        goto done;
    if (!EVP_CipherFinal_ex(c, buf + n, &tail)) {
        rc = enc ? SG_ERR_UNKNOWN : SG_ERR_INVALID_MESSAGE; /* bad padding */
        goto done;
    }
    *out = signal_buffer_create(buf, (size_t)n + (size_t)tail);
    rc = *out ? 0 : SG_ERR_NOMEM;
done:
    if (kept && c && (rc == 0 || rc == SG_ERR_INVALID_MESSAGE)) {
        kept->aes[mode][bits] = c; /* re-keyed before its next use */
    } else {
        if (kept && c == kept->aes[mode][bits])
            kept->aes[mode][bits] = NULL;
        EVP_CIPHER_CTX_free(c);
    }
    if (buf) {
        OPENSSL_cleanse(buf, in_len + 32);
        if (buf != stack)
            free(buf);
    }
    return rc;
}

static int encrypt(signal_buffer **out, int cipher, const uint8_t *key, size_t key_len,
                   const uint8_t *iv, size_t iv_len, const uint8_t *pt, size_t pt_len,
                   void *user_data)
{
    (void)user_data;
    return aes_run(out, cipher, key, key_len, iv, iv_len, pt, pt_len, 1);
}

static int decrypt(signal_buffer **out, int cipher, const uint8_t *key, size_t key_len,
                   const uint8_t *iv, size_t iv_len, const uint8_t *ct, size_t ct_len,
                   void *user_data)
{
    (void)user_data;
    return aes_run(out, cipher, key, key_len, iv, iv_len, ct, ct_len, 0);
}

void wg_signal_crypto_provider(signal_crypto_provider *p)
{
    memset(p, 0, sizeof *p);
    p->random_func = random_bytes;
    p->hmac_sha256_init_func = hmac_init;
    p->hmac_sha256_update_func = hmac_update;
    p->hmac_sha256_final_func = hmac_final;
    p->hmac_sha256_cleanup_func = hmac_cleanup;
    p->sha512_digest_init_func = sha512_init;
    p->sha512_digest_update_func = sha512_update;
    p->sha512_digest_final_func = sha512_final;
    p->sha512_digest_cleanup_func = sha512_cleanup;
    p->encrypt_func = encrypt;
    p->decrypt_func = decrypt;
}
