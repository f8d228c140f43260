/* Noise XX: the published Noise_XX_25519_AESGCM_SHA256 vectors in
 * ../shared/noise-vectors (standard mode, both roles, transport included),
 * and the WhatsApp-mode differences (no hash of the key-less empty payload,
 * uint32 nonce limit, default prologue). */
#include "wa/noise.h"

#include <stdbool.h>

#include "wa/frame.h"
#include "wa_vectors.h"
#include "wg_err.h"
#include "wg_test.h"

static const char *const vector_files[] = {
    "noise-vectors/cacophony-XX_25519_AESGCM_SHA256.json",
    "noise-vectors/flynn-XX_25519_AESGCM_SHA256.json",
    "noise-vectors/noise-c-XX_25519_AESGCM_SHA256.json",
    "noise-vectors/snow-XX_25519_AESGCM_SHA256.json",
};
static int vectors_run;
static int messages_checked;

static void run_vector(const char *file, size_t index, json_t *v)
{
    uint8_t is[32], ie[32], rs[32], re[32];
    wg_buf_t iprol = WG_BUF_INIT, rprol = WG_BUF_INIT;
    WG_CHECK_STR(wa_json_str(v, "protocol_name"), WG_NOISE_PROTOCOL);
    WG_CHECK(wa_hex_fixed(is, 32, wa_json_str(v, "init_static")) == 0);
    WG_CHECK(wa_hex_fixed(ie, 32, wa_json_str(v, "init_ephemeral")) == 0);
    WG_CHECK(wa_hex_fixed(rs, 32, wa_json_str(v, "resp_static")) == 0);
    WG_CHECK(wa_hex_fixed(re, 32, wa_json_str(v, "resp_ephemeral")) == 0);
    WG_CHECK(wa_hex_append(&iprol, wa_json_str(v, "init_prologue")) == 0);
    WG_CHECK(wa_hex_append(&rprol, wa_json_str(v, "resp_prologue")) == 0);

    wg_noise_handshake_t hi, hr;
    WG_CHECK_INT(wg_noise_handshake_init(&hi, WG_NOISE_STANDARD, true, iprol.p, iprol.len, is, ie),
                 0);
    WG_CHECK_INT(wg_noise_handshake_init(&hr, WG_NOISE_STANDARD, false, rprol.p, rprol.len, rs, re),
                 0);
    wg_noise_cipher_t i_send, i_recv, r_send, r_recv;
    json_t *messages = json_object_get(v, "messages");
    bool flynn = json_is_true(json_object_get(v, "flynn"));
    WG_CHECK(json_array_size(messages) >= 3);
    for (size_t i = 0; i < json_array_size(messages); i++) {
        json_t *m = json_array_get(messages, i);
        wg_buf_t payload = WG_BUF_INIT, expect = WG_BUF_INIT, got = WG_BUF_INIT, back = WG_BUF_INIT;
        WG_CHECK(wa_hex_append(&payload, wa_json_str(m, "payload")) == 0);
        WG_CHECK(wa_hex_append(&expect, wa_json_str(m, "ciphertext")) == 0);
        /* Cacophony layout: roles keep alternating after the handshake.
         * Vectors marked "flynn" start the transport phase with the
         * initiator again (i = 3 initiator, i = 4 responder). */
        bool from_initiator = (i >= 3 && flynn) ? i % 2 == 1 : i % 2 == 0;
        int wrc, rrc;
        if (i < 3) {
            wrc =
                wg_noise_handshake_write(from_initiator ? &hi : &hr, payload.p, payload.len, &got);
            rrc = wg_noise_handshake_read(from_initiator ? &hr : &hi, got.p, got.len, &back);
            if (i == 2) {
                WG_CHECK_INT(wg_noise_handshake_split(&hi, &i_send, &i_recv), 0);
                WG_CHECK_INT(wg_noise_handshake_split(&hr, &r_send, &r_recv), 0);
                WG_CHECK(memcmp(hi.h, hr.h, 32) == 0);
                const char *hh = json_string_value(json_object_get(v, "handshake_hash"));
                if (hh) {
                    uint8_t want[32];
                    WG_CHECK(wa_hex_fixed(want, 32, hh) == 0);
                    WG_CHECK(memcmp(hi.h, want, 32) == 0);
                }
            }
        } else {
            wrc = wg_noise_cipher_encrypt(from_initiator ? &i_send : &r_send, NULL, 0, payload.p,
                                          payload.len, &got);
            rrc = wg_noise_cipher_decrypt(from_initiator ? &r_recv : &i_recv, NULL, 0, got.p,
                                          got.len, &back);
        }
        WG_CHECK_INT(wrc, 0);
        WG_CHECK_INT(rrc, 0);
        bool same = got.len == expect.len && memcmp(got.p, expect.p, got.len) == 0;
        if (!same) {
            wg_buf_t h = WG_BUF_INIT;
            wa_hex_of(&h, got.p, got.len);
            fprintf(stderr, "%s vector %zu message %zu: ciphertext differs: %s\n", file, index, i,
                    wg_buf_cstr(&h));
            wg_buf_free(&h);
        }
        WG_CHECK(same);
        WG_CHECK(back.len == payload.len &&
                 (payload.len == 0 || memcmp(back.p, payload.p, back.len) == 0));
        messages_checked++;
        wg_buf_free(&payload);
        wg_buf_free(&expect);
        wg_buf_free(&got);
        wg_buf_free(&back);
    }
    WG_CHECK(wg_noise_handshake_done(&hi) && wg_noise_handshake_done(&hr));
    wg_noise_handshake_wipe(&hi);
    wg_noise_handshake_wipe(&hr);
    wg_buf_free(&iprol);
    wg_buf_free(&rprol);
    vectors_run++;
}

static void test_published_vectors(void)
{
    for (size_t f = 0; f < sizeof vector_files / sizeof vector_files[0]; f++) {
        json_t *root = wa_load_shared_file(vector_files[f]);
        WG_CHECK(root != NULL);
        if (!root)
            continue;
        json_t *vectors = json_object_get(root, "vectors");
        WG_CHECK(json_array_size(vectors) > 0);
        for (size_t i = 0; i < json_array_size(vectors); i++)
            run_vector(vector_files[f], i, json_array_get(vectors, i));
        json_decref(root);
    }
    printf("noise: %d published vectors, %d messages matched\n", vectors_run, messages_checked);
    WG_CHECK_INT(vectors_run, 7);
}

/* A tampered handshake message or transport frame is rejected and the
 * nonce does not move. */
static void test_tamper(void)
{
    uint8_t k[32] = {1}, e[32] = {2}, k2[32] = {3}, e2[32] = {4};
    wg_noise_handshake_t hi, hr;
    wg_buf_t m = WG_BUF_INIT, p = WG_BUF_INIT;
    wg_noise_handshake_init(&hi, WG_NOISE_STANDARD, true, NULL, 0, k, e);
    wg_noise_handshake_init(&hr, WG_NOISE_STANDARD, false, NULL, 0, k2, e2);
    WG_CHECK_INT(wg_noise_handshake_read(&hi, (const uint8_t *)"x", 1, &p), WG_ESTATE);
    WG_CHECK_INT(wg_noise_handshake_write(&hr, NULL, 0, &m), WG_ESTATE);
    WG_CHECK_INT(wg_noise_handshake_write(&hi, NULL, 0, &m), 0);
    WG_CHECK_INT(wg_noise_handshake_read(&hr, m.p, 31, &p), WG_EPROTO);
    WG_CHECK_INT(wg_noise_handshake_read(&hr, m.p, m.len, &p), 0);
    wg_buf_reset(&m);
    WG_CHECK_INT(wg_noise_handshake_write(&hr, (const uint8_t *)"hi", 2, &m), 0);
    m.p[40] ^= 1; /* inside the encrypted static key */
    WG_CHECK_INT(wg_noise_handshake_read(&hi, m.p, m.len, &p), WG_ECRYPTO);
    WG_CHECK_INT(wg_noise_handshake_split(&hi, NULL, NULL), WG_ESTATE);

    wg_noise_cipher_t c, d;
    uint8_t key[32] = {9};
    wg_noise_cipher_init(&c, key, WG_NOISE_STANDARD);
    wg_noise_cipher_init(&d, key, WG_NOISE_STANDARD);
    wg_buf_reset(&m);
    wg_buf_reset(&p);
    WG_CHECK_INT(wg_noise_cipher_encrypt(&c, NULL, 0, (const uint8_t *)"abc", 3, &m), 0);
    m.p[0] ^= 0x80;
    WG_CHECK_INT(wg_noise_cipher_decrypt(&d, NULL, 0, m.p, m.len, &p), WG_ECRYPTO);
    WG_CHECK_INT(d.nonce, 0);
    WG_CHECK_INT(p.len, 0);
    WG_CHECK_INT(wg_noise_cipher_decrypt(&d, NULL, 0, m.p, 15, &p), WG_ECRYPTO);
    m.p[0] ^= 0x80;
    WG_CHECK_INT(wg_noise_cipher_decrypt(&d, NULL, 0, m.p, m.len, &p), 0);
    WG_CHECK(p.len == 3 && memcmp(p.p, "abc", 3) == 0);
    wg_buf_free(&m);
    wg_buf_free(&p);
}

/* The two AES-256-GCM paths (libsodium with the key expanded at init, where
 * the CPU has AES-NI; OpenSSL EVP per message otherwise) give the same bytes
 * and open each other's output, nonce after nonce, with and without ad. */
static void test_gcm_paths_agree(void)
{
    uint8_t key[32];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(0xA0 + i);
    wg_noise_cipher_t fast, slow, fast_rx, slow_rx;
    wg_noise_cipher_init(&fast, key, WG_NOISE_WHATSAPP);
    wg_noise_cipher_init(&slow, key, WG_NOISE_WHATSAPP);
    wg_noise_cipher_init(&fast_rx, key, WG_NOISE_WHATSAPP);
    wg_noise_cipher_init(&slow_rx, key, WG_NOISE_WHATSAPP);
    slow.fast_gcm = slow_rx.fast_gcm = false;
    if (!fast.fast_gcm)
        printf("note: no AES-NI here; both ciphers use OpenSSL\n");
    uint8_t pt[300];
    for (size_t i = 0; i < sizeof pt; i++)
        pt[i] = (uint8_t)(i * 13);
    const uint8_t ad[5] = {1, 2, 3, 4, 5};
    for (int n = 0; n < 4; n++) {
        size_t len = n == 0 ? 0 : n == 1 ? 1 : n == 2 ? 17 : sizeof pt;
        const uint8_t *a = n & 1 ? ad : NULL;
        size_t a_len = n & 1 ? sizeof ad : 0;
        wg_buf_t x = WG_BUF_INIT, y = WG_BUF_INIT, px = WG_BUF_INIT, py = WG_BUF_INIT;
        WG_CHECK_INT(wg_noise_cipher_encrypt(&fast, a, a_len, pt, len, &x), 0);
        WG_CHECK_INT(wg_noise_cipher_encrypt(&slow, a, a_len, pt, len, &y), 0);
        WG_CHECK(x.len == len + WG_NOISE_TAG_LEN && x.len == y.len && memcmp(x.p, y.p, x.len) == 0);
        WG_CHECK_INT(wg_noise_cipher_decrypt(&fast_rx, a, a_len, y.p, y.len, &px), 0);
        WG_CHECK_INT(wg_noise_cipher_decrypt(&slow_rx, a, a_len, x.p, x.len, &py), 0);
        WG_CHECK(px.len == len && py.len == len && (!len || (memcmp(px.p, pt, len) == 0 &&
                                                               memcmp(py.p, pt, len) == 0)));
        wg_buf_free(&x);
        wg_buf_free(&y);
        wg_buf_free(&px);
        wg_buf_free(&py);
    }
    /* a wrong ad fails on both, and moves neither counter */
    wg_buf_t x = WG_BUF_INIT, p = WG_BUF_INIT;
    WG_CHECK_INT(wg_noise_cipher_encrypt(&fast, ad, sizeof ad, pt, 8, &x), 0);
    WG_CHECK_INT(wg_noise_cipher_decrypt(&fast_rx, ad, 4, x.p, x.len, &p), WG_ECRYPTO);
    WG_CHECK_INT(wg_noise_cipher_decrypt(&slow_rx, ad, 4, x.p, x.len, &p), WG_ECRYPTO);
    WG_CHECK(fast_rx.nonce == 4 && slow_rx.nonce == 4 && p.len == 0);
    wg_buf_free(&x);
    wg_buf_free(&p);
    wg_noise_cipher_wipe(&fast);
    WG_CHECK(!fast.fast_gcm && !fast.has_key);
}

/* WhatsApp mode: prologue defaults to WA 06 03; the key-less empty payload
 * is not hashed; otherwise the construction is standard XX. */
static void test_whatsapp_mode(void)
{
    uint8_t s[32] = {5}, e[32] = {6}, s2[32] = {7}, e2[32] = {8};
    wg_noise_handshake_t wa, st, resp;
    wg_buf_t m1 = WG_BUF_INIT, m2 = WG_BUF_INIT, m3 = WG_BUF_INIT, p = WG_BUF_INIT;
    WG_CHECK_INT(wg_noise_handshake_init(&wa, WG_NOISE_WHATSAPP, true, NULL, 0, s, e), 0);
    WG_CHECK_INT(wg_noise_handshake_init(&st, WG_NOISE_STANDARD, true, wg_wa_header, 4, s, e), 0);
    WG_CHECK(memcmp(wa.h, st.h, 32) == 0); /* same name + prologue */
    /* h0 is the 32-byte WhatsApp protocol name itself */
    wg_noise_handshake_t bare;
    wg_noise_handshake_init(&bare, WG_NOISE_STANDARD, true, NULL, 0, s, e);
    WG_CHECK(memcmp(bare.ck, "Noise_XX_25519_AESGCM_SHA256\0\0\0\0", 32) == 0);
    WG_CHECK_INT(wg_noise_handshake_write(&wa, NULL, 0, &m1), 0);
    WG_CHECK_INT(wg_noise_handshake_write(&st, NULL, 0, &p), 0);
    WG_CHECK(m1.len == 32 && p.len == 32 && memcmp(m1.p, p.p, 32) == 0);
    WG_CHECK(memcmp(wa.h, st.h, 32) != 0); /* standard also hashed "" */
    /* h after "-> e" in WhatsApp mode is SHA256(h_prologue || e) exactly */
    wg_noise_handshake_t manual;
    wg_noise_handshake_init(&manual, WG_NOISE_WHATSAPP, true, NULL, 0, s, e);
    wg_noise_mix_hash(&manual, manual.e_pub, 32);
    WG_CHECK(memcmp(manual.h, wa.h, 32) == 0);

    /* a WhatsApp-mode responder completes the handshake with it */
    WG_CHECK_INT(wg_noise_handshake_init(&resp, WG_NOISE_WHATSAPP, false, NULL, 0, s2, e2), 0);
    wg_buf_reset(&p);
    WG_CHECK_INT(wg_noise_handshake_read(&resp, m1.p, m1.len, &p), 0);
    WG_CHECK_INT(wg_noise_handshake_write(&resp, (const uint8_t *)"cert", 4, &m2), 0);
    WG_CHECK_INT(m2.len, 32 + 48 + 4 + 16);
    WG_CHECK_INT(wg_noise_handshake_read(&wa, m2.p, m2.len, &p), 0);
    WG_CHECK(p.len == 4 && memcmp(p.p, "cert", 4) == 0);
    WG_CHECK(memcmp(wa.rs, resp.s_pub, 32) == 0);
    WG_CHECK_INT(wa.cipher.nonce, 1); /* static is next encrypted with n = 1 (spec §2.2) */
    WG_CHECK_INT(wg_noise_handshake_write(&wa, (const uint8_t *)"payload", 7, &m3), 0);
    wg_buf_reset(&p);
    WG_CHECK_INT(wg_noise_handshake_read(&resp, m3.p, m3.len, &p), 0);
    WG_CHECK(p.len == 7 && memcmp(p.p, "payload", 7) == 0);
    wg_noise_cipher_t a_tx, a_rx, b_tx, b_rx;
    WG_CHECK_INT(wg_noise_handshake_split(&wa, &a_tx, &a_rx), 0);
    WG_CHECK_INT(wg_noise_handshake_split(&resp, &b_tx, &b_rx), 0);
    WG_CHECK(memcmp(a_tx.key, b_rx.key, 32) == 0 && memcmp(a_rx.key, b_tx.key, 32) == 0);

    /* uint32 counter: the last usable nonce is 2^32 - 1 */
    wg_buf_reset(&p);
    a_tx.nonce = 0xFFFFFFFFu;
    WG_CHECK_INT(wg_noise_cipher_encrypt(&a_tx, NULL, 0, (const uint8_t *)"x", 1, &p), 0);
    WG_CHECK_INT(wg_noise_cipher_encrypt(&a_tx, NULL, 0, (const uint8_t *)"x", 1, &p), WG_ESTATE);
    wg_noise_cipher_t std;
    wg_noise_cipher_init(&std, a_rx.key, WG_NOISE_STANDARD);
    std.nonce = 0xFFFFFFFFu;
    WG_CHECK_INT(wg_noise_cipher_encrypt(&std, NULL, 0, (const uint8_t *)"x", 1, &p), 0);
    WG_CHECK_INT(wg_noise_cipher_encrypt(&std, NULL, 0, (const uint8_t *)"x", 1, &p), 0);
    wg_buf_free(&m1);
    wg_buf_free(&m2);
    wg_buf_free(&m3);
    wg_buf_free(&p);
}

int main(void)
{
    WG_RUN(test_published_vectors);
    WG_RUN(test_tamper);
    WG_RUN(test_whatsapp_mode);
    WG_RUN(test_gcm_paths_agree);
    return wg_test_done();
}
