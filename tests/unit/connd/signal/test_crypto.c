/* connd/signal/crypto.c against published vectors: HMAC-SHA256 (RFC 4231
 * cases 2 and 6, and a one-block key), SHA-512 ("abc", FIPS 180-2), AES-256-CBC (SP 800-38A F.2.5)
 * and AES-256-CTR (F.5.5); plus context reuse after final, HMAC contexts kept per thread (re-keyed
 * on every use, nested, more at once than are kept, the empty key after a real one, another
 * thread), AES contexts kept per thread (re-keyed, direction switched, reused after a refused
 * padding, inputs past the stack buffer), bad PKCS#7 padding and bad lengths refused. */
#include "signal/crypto.h"
#include "wg_test.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static signal_crypto_provider p;

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = strlen(h) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

static int buf_eq_hex(signal_buffer *b, const char *hex, size_t prefix)
{
    uint8_t want[128];
    size_t n = unhex(hex, want);
    if (!b || signal_buffer_len(b) < n || (!prefix && signal_buffer_len(b) != n))
        return 0;
    return memcmp(signal_buffer_data(b), want, n) == 0;
}

static void hmac_rfc4231(void)
{
    void *ctx = NULL;
    signal_buffer *out = NULL;
    WG_CHECK_INT(p.hmac_sha256_init_func(&ctx, (const uint8_t *)"Jefe", 4, NULL), 0);
    WG_CHECK_INT(p.hmac_sha256_update_func(ctx, (const uint8_t *)"what do ya want ", 16, NULL), 0);
    WG_CHECK_INT(p.hmac_sha256_update_func(ctx, (const uint8_t *)"for nothing?", 12, NULL), 0);
    WG_CHECK_INT(p.hmac_sha256_final_func(ctx, &out, NULL), 0);
    WG_CHECK(buf_eq_hex(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 0));
    p.hmac_sha256_cleanup_func(ctx, NULL);
    signal_buffer_free(out);
    /* case 6: a key longer than the block is hashed first; a key of exactly
     * one block (case 6's first 64 bytes; value from Python's hmac) is not */
    uint8_t key[131];
    memset(key, 0xaa, sizeof key);
    const char *msg = "Test Using Larger Than Block-Size Key - Hash Key First";
    size_t lens[2] = {131, 64};
    const char *want[2] = {"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                           "84332a7580ed3cf75de83c644c8d2c1c262ad90e0190e5c5ae4b82b2102e8e75"};
    for (int i = 0; i < 2; i++) {
        out = NULL;
        WG_CHECK_INT(p.hmac_sha256_init_func(&ctx, key, lens[i], NULL), 0);
        WG_CHECK_INT(p.hmac_sha256_update_func(ctx, (const uint8_t *)msg, strlen(msg), NULL), 0);
        WG_CHECK_INT(p.hmac_sha256_final_func(ctx, &out, NULL), 0);
        WG_CHECK(buf_eq_hex(out, want[i], 0));
        p.hmac_sha256_cleanup_func(ctx, NULL);
        signal_buffer_free(out);
    }
}

/* HMAC-SHA256 of msg under key through the provider; 1 when it is want. */
static int hmac_is(const char *key, const char *msg, const char *want)
{
    void *ctx = NULL;
    signal_buffer *out = NULL;
    int ok = p.hmac_sha256_init_func(&ctx, (const uint8_t *)key, strlen(key), NULL) == 0 &&
             p.hmac_sha256_update_func(ctx, (const uint8_t *)msg, strlen(msg), NULL) == 0 &&
             p.hmac_sha256_final_func(ctx, &out, NULL) == 0 && buf_eq_hex(out, want, 0);
    p.hmac_sha256_cleanup_func(ctx, NULL);
    signal_buffer_free(out);
    return ok;
}

#define JEFE "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
#define EMPTY "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"
#define FOX "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"

static void *hmac_in_thread(void *arg)
{
    (void)arg;
    int ok = 1;
    for (int i = 0; i < 3; i++)
        ok &= hmac_is("Jefe", "what do ya want for nothing?", JEFE) &&
              hmac_is("", "", EMPTY);
    return ok ? (void *)1 : NULL;
}

static void hmac_kept_contexts(void)
{
    /* sequential: each context comes back keyed with the previous key */
    for (int i = 0; i < 3; i++) {
        WG_CHECK(hmac_is("key", "The quick brown fox jumps over the lazy dog", FOX));
        WG_CHECK(hmac_is("", "", EMPTY)); /* the empty key, not the last one */
        WG_CHECK(hmac_is("Jefe", "what do ya want for nothing?", JEFE));
    }
    /* more open at once than a thread keeps, fed interleaved */
    void *ctx[7] = {NULL};
    const char *keys[2] = {"Jefe", "key"};
    const char *msgs[2] = {"what do ya want for nothing?",
                           "The quick brown fox jumps over the lazy dog"};
    for (int i = 0; i < 7; i++)
        WG_CHECK_INT(p.hmac_sha256_init_func(&ctx[i], (const uint8_t *)keys[i % 2],
                                             strlen(keys[i % 2]), NULL),
                     0);
    for (size_t off = 0; off < 43; off += 5)
        for (int i = 0; i < 7; i++) {
            size_t len = strlen(msgs[i % 2]);
            if (off < len)
                WG_CHECK_INT(p.hmac_sha256_update_func(ctx[i], (const uint8_t *)msgs[i % 2] + off,
                                                       len - off < 5 ? len - off : 5, NULL),
                             0);
        }
    for (int i = 0; i < 7; i++) {
        signal_buffer *out = NULL;
        WG_CHECK_INT(p.hmac_sha256_final_func(ctx[i], &out, NULL), 0);
        WG_CHECK(buf_eq_hex(out, i % 2 ? FOX : JEFE, 0));
        signal_buffer_free(out);
        p.hmac_sha256_cleanup_func(ctx[i], NULL);
    }
    p.hmac_sha256_cleanup_func(NULL, NULL);
    /* another thread keeps its own, freed when it exits */
    pthread_t t;
    void *ok = NULL;
    WG_CHECK_INT(pthread_create(&t, NULL, hmac_in_thread, NULL), 0);
    WG_CHECK_INT(pthread_join(t, &ok), 0);
    WG_CHECK(ok != NULL);
    WG_CHECK(hmac_is("Jefe", "what do ya want for nothing?", JEFE));
}

static void sha512_abc_and_reuse(void)
{
    static const char *abc = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                             "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
    void *ctx = NULL;
    WG_CHECK_INT(p.sha512_digest_init_func(&ctx, NULL), 0);
    for (int round = 0; round < 2; round++) { /* final resets the context */
        signal_buffer *out = NULL;
        WG_CHECK_INT(p.sha512_digest_update_func(ctx, (const uint8_t *)"abc", 3, NULL), 0);
        WG_CHECK_INT(p.sha512_digest_final_func(ctx, &out, NULL), 0);
        WG_CHECK(buf_eq_hex(out, abc, 0));
        signal_buffer_free(out);
    }
    p.sha512_digest_cleanup_func(ctx, NULL);
}

static const char *k256 = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
static const char *pt1 = "6bc1bee22e409f96e93d7e117393172a";

static void aes_cbc_vector_and_padding(void)
{
    uint8_t key[32], iv[16], pt[16];
    unhex(k256, key);
    unhex("000102030405060708090a0b0c0d0e0f", iv);
    unhex(pt1, pt);
    signal_buffer *ct = NULL, *back = NULL;
    WG_CHECK_INT(p.encrypt_func(&ct, SG_CIPHER_AES_CBC_PKCS5, key, 32, iv, 16, pt, 16, NULL), 0);
    /* F.2.5 first block, then one block of PKCS#7 padding */
    WG_CHECK(buf_eq_hex(ct, "f58c4c04d6e5f1ba779eabfb5f7bfbd6", 1));
    WG_CHECK_INT(signal_buffer_len(ct), 32);
    WG_CHECK_INT(p.decrypt_func(&back, SG_CIPHER_AES_CBC_PKCS5, key, 32, iv, 16,
                                signal_buffer_data(ct), 32, NULL),
                 0);
    WG_CHECK(buf_eq_hex(back, pt1, 0));
    signal_buffer_free(back);
    back = NULL;
    /* the padding block decrypted under another IV is garbage: refused */
    uint8_t *mut = signal_buffer_data(ct);
    mut[31] ^= 0x01;
    WG_CHECK(p.decrypt_func(&back, SG_CIPHER_AES_CBC_PKCS5, key, 32, iv, 16, mut, 32, NULL) < 0);
    WG_CHECK(back == NULL);
    /* not a whole number of blocks, empty, wrong key or IV length */
    WG_CHECK(p.decrypt_func(&back, SG_CIPHER_AES_CBC_PKCS5, key, 32, iv, 16, mut, 31, NULL) < 0);
    WG_CHECK(p.decrypt_func(&back, SG_CIPHER_AES_CBC_PKCS5, key, 32, iv, 16, mut, 0, NULL) < 0);
    WG_CHECK(p.decrypt_func(&back, SG_CIPHER_AES_CBC_PKCS5, key, 31, iv, 16, mut, 32, NULL) < 0);
    WG_CHECK(p.encrypt_func(&back, SG_CIPHER_AES_CBC_PKCS5, key, 32, iv, 12, pt, 16, NULL) < 0);
    WG_CHECK(p.encrypt_func(&back, 99, key, 32, iv, 16, pt, 16, NULL) < 0);
    WG_CHECK(back == NULL);
    signal_buffer_free(ct);
    /* an empty plaintext is one full padding block */
    WG_CHECK_INT(p.encrypt_func(&ct, SG_CIPHER_AES_CBC_PKCS5, key, 32, iv, 16, NULL, 0, NULL), 0);
    WG_CHECK_INT(signal_buffer_len(ct), 16);
    signal_buffer_free(ct);
}

static void aes_ctr_vector(void)
{
    uint8_t key[32], iv[16], pt[16];
    unhex(k256, key);
    unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", iv);
    unhex(pt1, pt);
    signal_buffer *ct = NULL, *back = NULL;
    WG_CHECK_INT(p.encrypt_func(&ct, SG_CIPHER_AES_CTR_NOPADDING, key, 32, iv, 16, pt, 16, NULL),
                 0);
    WG_CHECK(buf_eq_hex(ct, "601ec313775789a5b7a7f504bbf3d228", 0));
    WG_CHECK_INT(p.decrypt_func(&back, SG_CIPHER_AES_CTR_NOPADDING, key, 32, iv, 16,
                                signal_buffer_data(ct), 16, NULL),
                 0);
    WG_CHECK(buf_eq_hex(back, pt1, 0));
    signal_buffer_free(ct);
    signal_buffer_free(back);
}

/* The kept AES contexts: each call sees only its own key, IV and direction,
 * whatever ran before on this thread (another key, the other direction, a
 * refused padding), for outputs on the stack and past it. */
static void aes_kept_contexts(void)
{
    uint8_t key[32], other[32], iv[16], pt[16];
    unhex(k256, key);
    memset(other, 0x5a, sizeof other);
    unhex("000102030405060708090a0b0c0d0e0f", iv);
    unhex(pt1, pt);
    for (int round = 0; round < 3; round++) {
        signal_buffer *ct = NULL, *x = NULL, *back = NULL;
        WG_CHECK_INT(p.encrypt_func(&ct, SG_CIPHER_AES_CBC_PKCS5, key, 32, iv, 16, pt, 16, NULL),
                     0);
        WG_CHECK(buf_eq_hex(ct, "f58c4c04d6e5f1ba779eabfb5f7bfbd6", 1));
        /* another key in between, then a refused padding under the first */
        WG_CHECK_INT(p.encrypt_func(&x, SG_CIPHER_AES_CBC_PKCS5, other, 32, iv, 16, pt, 16, NULL),
                     0);
        WG_CHECK(!buf_eq_hex(x, "f58c4c04d6e5f1ba779eabfb5f7bfbd6", 1));
        WG_CHECK(p.decrypt_func(&back, SG_CIPHER_AES_CBC_PKCS5, key, 32, iv, 16,
                                signal_buffer_data(x), 32, NULL) < 0);
        WG_CHECK(back == NULL);
        WG_CHECK_INT(p.decrypt_func(&back, SG_CIPHER_AES_CBC_PKCS5, key, 32, iv, 16,
                                    signal_buffer_data(ct), 32, NULL),
                     0);
        WG_CHECK(buf_eq_hex(back, pt1, 0));
        signal_buffer_free(ct);
        signal_buffer_free(x);
        signal_buffer_free(back);
    }
    /* past the stack buffer: 3000 bytes round trip, CBC and CTR */
    static uint8_t big[3000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    int ciphers[2] = {SG_CIPHER_AES_CBC_PKCS5, SG_CIPHER_AES_CTR_NOPADDING};
    for (int k = 0; k < 2; k++) {
        signal_buffer *ct = NULL, *back = NULL;
        WG_CHECK_INT(p.encrypt_func(&ct, ciphers[k], key, 32, iv, 16, big, sizeof big, NULL), 0);
        WG_CHECK(ct && signal_buffer_len(ct) >= sizeof big);
        WG_CHECK_INT(p.decrypt_func(&back, ciphers[k], key, 32, iv, 16, signal_buffer_data(ct),
                                    signal_buffer_len(ct), NULL),
                     0);
        WG_CHECK(back && signal_buffer_len(back) == sizeof big &&
                 memcmp(signal_buffer_data(back), big, sizeof big) == 0);
        signal_buffer_free(ct);
        signal_buffer_free(back);
    }
}

static void *aes_in_thread(void *arg)
{
    (void)arg;
    aes_kept_contexts();
    return NULL;
}

static void random_fills(void)
{
    uint8_t a[32] = {0}, b[32] = {0};
    WG_CHECK_INT(p.random_func(a, sizeof a, NULL), 0);
    WG_CHECK_INT(p.random_func(b, sizeof b, NULL), 0);
    WG_CHECK(memcmp(a, b, sizeof a) != 0);
}

int main(void)
{
    wg_signal_crypto_provider(&p);
    WG_RUN(hmac_rfc4231);
    WG_RUN(hmac_kept_contexts);
    WG_RUN(sha512_abc_and_reuse);
    WG_RUN(aes_cbc_vector_and_padding);
    WG_RUN(aes_ctr_vector);
    WG_RUN(aes_kept_contexts);
    pthread_t t;
    WG_CHECK_INT(pthread_create(&t, NULL, aes_in_thread, NULL), 0);
    pthread_join(t, NULL);
    WG_RUN(random_fills);
    return wg_test_done();
}
