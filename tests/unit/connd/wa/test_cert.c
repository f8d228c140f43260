/* XEdDSA verification against signatures made by Baileys 7 (curve25519-js)
 * with libsignal-node's verdicts (vectors/xeddsa.json), and the certificate
 * chain check list against a chain signed by Baileys (vectors/wa_handshake.json). */
#include "wa/cert.h"

#include "wa/pbwire.h"
#include "wa/xeddsa.h"
#include "wa_vectors.h"
#include "wg_err.h"
#include "wg_test.h"

static void test_xeddsa_vectors(void)
{
    json_t *root = wa_load_repo_vector("xeddsa.json");
    WG_CHECK(root != NULL);
    if (!root)
        return;
    json_t *vectors = json_object_get(root, "vectors");
    size_t valid = 0, invalid = 0;
    WG_CHECK(json_array_size(vectors) >= 80);
    WG_CHECK(json_integer_value(json_object_get(root, "sign_bit_set_in_valid")) > 0);
    for (size_t i = 0; i < json_array_size(vectors); i++) {
        json_t *v = json_array_get(vectors, i);
        uint8_t pub[32], sig[64];
        wg_buf_t msg = WG_BUF_INIT;
        WG_CHECK(wa_hex_fixed(pub, 32, wa_json_str(v, "pub")) == 0);
        WG_CHECK(wa_hex_fixed(sig, 64, wa_json_str(v, "sig")) == 0);
        WG_CHECK(wa_hex_append(&msg, wa_json_str(v, "msg")) == 0);
        int want = json_is_true(json_object_get(v, "valid")) ? 0 : WG_ECRYPTO;
        int got = wg_xeddsa_verify(pub, msg.p ? msg.p : (const uint8_t *)"", msg.len, sig);
        if (got != want)
            fprintf(stderr, "xeddsa vector '%s': got %d want %d\n", wa_json_str(v, "name"), got,
                    want);
        WG_CHECK_INT(got, want);
        if (want == 0)
            valid++;
        else
            invalid++;
        wg_buf_free(&msg);
    }
    printf("xeddsa: %zu valid and %zu invalid Baileys/libsignal vectors\n", valid, invalid);
    json_decref(root);
}

/* Keys that are not canonical field elements or have no Edwards image. */
static void test_xeddsa_bad_keys(void)
{
    uint8_t sig[64] = {0}, key[32];
    memset(key, 0xFF, 32);
    key[31] = 0x7F; /* 2^255 - 1 >= p */
    WG_CHECK_INT(wg_xeddsa_verify(key, (const uint8_t *)"m", 1, sig), WG_ECRYPTO);
    memset(key, 0xFF, 32);
    key[0] = 0xEC; /* p - 1: u + 1 == p has no inverse */
    key[31] = 0x7F;
    WG_CHECK_INT(wg_xeddsa_verify(key, (const uint8_t *)"m", 1, sig), WG_ECRYPTO);
    memset(key, 0, 32); /* u = 0 */
    WG_CHECK_INT(wg_xeddsa_verify(key, (const uint8_t *)"m", 1, sig), WG_ECRYPTO);
}

typedef struct {
    wg_buf_t chain;
    uint8_t root[32];
    uint8_t server_static[32];
    int64_t valid_at;
    json_t *json;
} chain_fixture_t;

static int load_chain(chain_fixture_t *f)
{
    memset(f, 0, sizeof *f);
    f->json = wa_load_repo_vector("wa_handshake.json");
    if (!f->json)
        return -1;
    json_t *keys = json_object_get(f->json, "keys"), *cert = json_object_get(f->json, "cert");
    if (wa_hex_fixed(f->root, 32, wa_json_str(keys, "root_public")) ||
        wa_hex_fixed(f->server_static, 32, wa_json_str(keys, "server_static_public")) ||
        wa_hex_append(&f->chain, wa_json_str(cert, "chain")))
        return -1;
    f->valid_at = json_integer_value(json_object_get(cert, "valid_at"));
    return 0;
}

static void free_chain(chain_fixture_t *f)
{
    wg_buf_free(&f->chain);
    json_decref(f->json);
}

static void test_chain_checks(void)
{
    chain_fixture_t f;
    WG_CHECK(load_chain(&f) == 0);
    if (!f.json)
        return;
    const uint8_t *c = f.chain.p;
    size_t n = f.chain.len;
    WG_CHECK_INT(wg_wa_cert_verify(c, n, f.root, f.server_static, f.valid_at), 0);
    WG_CHECK_INT(wg_wa_cert_verify(c, n, f.root, f.server_static, -1), 0);
    /* 5: leaf window is [1750000000, 1900000000], intermediate [1700000000, 2000000000] */
    WG_CHECK_INT(wg_wa_cert_verify(c, n, f.root, f.server_static, 1750000000), 0);
    WG_CHECK_INT(wg_wa_cert_verify(c, n, f.root, f.server_static, 1900000000), 0);
    WG_CHECK_INT(wg_wa_cert_verify(c, n, f.root, f.server_static, 1749999999), WG_ETIMEDOUT);
    WG_CHECK_INT(wg_wa_cert_verify(c, n, f.root, f.server_static, 1900000001), WG_ETIMEDOUT);
    /* 2: another root (the real WhatsApp one) */
    WG_CHECK_INT(wg_wa_cert_verify(c, n, wg_wa_cert_root_key, f.server_static, f.valid_at),
                 WG_ECRYPTO);
    /* 7: the leaf must certify the server static key */
    uint8_t other[32];
    memcpy(other, f.server_static, 32);
    other[5] ^= 1;
    WG_CHECK_INT(wg_wa_cert_verify(c, n, f.root, other, f.valid_at), WG_ECRYPTO);
    /* every single-bit flip and every truncation fails, never crashes */
    int flips_ok = 0;
    for (size_t i = 0; i < n; i++) {
        f.chain.p[i] ^= 0x01;
        if (wg_wa_cert_verify(c, n, f.root, f.server_static, f.valid_at) == 0)
            flips_ok++;
        f.chain.p[i] ^= 0x01;
    }
    WG_CHECK_INT(flips_ok, 0);
    for (size_t len = 0; len < n; len++)
        WG_CHECK(wg_wa_cert_verify(c, len, f.root, f.server_static, f.valid_at) != 0);

    /* 6 and 3: re-assemble chains from the signed parts */
    json_t *cert = json_object_get(f.json, "cert");
    wg_buf_t inter_details = WG_BUF_INIT, inter_sig = WG_BUF_INIT, leaf_details = WG_BUF_INIT,
             leaf_sig = WG_BUF_INIT;
    wa_hex_append(&inter_details, wa_json_str(cert, "intermediate_details"));
    wa_hex_append(&inter_sig, wa_json_str(cert, "intermediate_signature"));
    wa_hex_append(&leaf_details, wa_json_str(cert, "leaf_details"));
    wa_hex_append(&leaf_sig, wa_json_str(cert, "leaf_signature"));
    wg_wa_cert_details_t d;
    WG_CHECK_INT(wg_wa_cert_details_parse(inter_details.p, inter_details.len, &d), 0);
    WG_CHECK_INT(d.serial, 7);
    WG_CHECK_INT(d.issuer_serial, 0);
    WG_CHECK_INT(d.not_before, 1700000000);
    WG_CHECK_INT(d.not_after, 2000000000);
    WG_CHECK_INT(wg_wa_cert_details_parse(leaf_details.p, leaf_details.len, &d), 0);
    WG_CHECK_INT(d.serial, 99);
    WG_CHECK_INT(d.issuer_serial, 7);
    WG_CHECK(d.has_key && memcmp(d.key, f.server_static, 32) == 0);

    /* leaf and intermediate swapped: the root did not sign the leaf */
    wg_buf_t swapped = WG_BUF_INIT, part = WG_BUF_INIT;
    wg_pb_put_bytes_field(&part, 1, inter_details.p, inter_details.len);
    wg_pb_put_bytes_field(&part, 2, inter_sig.p, inter_sig.len);
    wg_pb_put_bytes_field(&swapped, 2, part.p, part.len); /* intermediate = real intermediate */
    wg_buf_reset(&part);
    wg_pb_put_bytes_field(&part, 1, inter_details.p, inter_details.len);
    wg_pb_put_bytes_field(&part, 2, inter_sig.p, inter_sig.len);
    wg_pb_put_bytes_field(&swapped, 1, part.p, part.len); /* leaf = intermediate again */
    WG_CHECK_INT(wg_wa_cert_verify(swapped.p, swapped.len, f.root, f.server_static, -1),
                 WG_ECRYPTO);
    /* missing leaf */
    wg_buf_reset(&swapped);
    wg_buf_reset(&part);
    wg_pb_put_bytes_field(&part, 1, inter_details.p, inter_details.len);
    wg_pb_put_bytes_field(&part, 2, inter_sig.p, inter_sig.len);
    wg_pb_put_bytes_field(&swapped, 2, part.p, part.len);
    WG_CHECK_INT(wg_wa_cert_verify(swapped.p, swapped.len, f.root, f.server_static, -1), WG_EPROTO);
    /* short signature */
    wg_buf_reset(&swapped);
    wg_pb_put_bytes_field(&swapped, 2, part.p, part.len);
    wg_buf_reset(&part);
    wg_pb_put_bytes_field(&part, 1, leaf_details.p, leaf_details.len);
    wg_pb_put_bytes_field(&part, 2, leaf_sig.p, 63);
    wg_pb_put_bytes_field(&swapped, 1, part.p, part.len);
    WG_CHECK_INT(wg_wa_cert_verify(swapped.p, swapped.len, f.root, f.server_static, -1), WG_EPROTO);
    wg_buf_free(&swapped);
    wg_buf_free(&part);
    wg_buf_free(&inter_details);
    wg_buf_free(&inter_sig);
    wg_buf_free(&leaf_details);
    wg_buf_free(&leaf_sig);
    free_chain(&f);
}

static void test_pbwire(void)
{
    wg_pb_reader_t r;
    wg_pb_field_t f;
    static const uint8_t long_varint[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0x02};
    wg_pb_reader_init(&r, long_varint, sizeof long_varint);
    WG_CHECK_INT(wg_pb_next(&r, &f), WG_EPROTO);
    static const uint8_t max_varint[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff, 0x01};
    wg_pb_reader_init(&r, max_varint, sizeof max_varint);
    WG_CHECK_INT(wg_pb_next(&r, &f), 1);
    WG_CHECK(f.value == UINT64_MAX);
    WG_CHECK_INT(wg_pb_next(&r, &f), 0);
    static const uint8_t overlong[] = {0x0a, 0x05, 0x01};
    wg_pb_reader_init(&r, overlong, sizeof overlong);
    WG_CHECK_INT(wg_pb_next(&r, &f), WG_EPROTO);
    static const uint8_t group[] = {0x0b};
    wg_pb_reader_init(&r, group, sizeof group);
    WG_CHECK_INT(wg_pb_next(&r, &f), WG_EPROTO);
    static const uint8_t field0[] = {0x00, 0x01};
    wg_pb_reader_init(&r, field0, sizeof field0);
    WG_CHECK_INT(wg_pb_next(&r, &f), WG_EPROTO);
}

int main(void)
{
    WG_RUN(test_xeddsa_vectors);
    WG_RUN(test_xeddsa_bad_keys);
    WG_RUN(test_chain_checks);
    WG_RUN(test_pbwire);
    return wg_test_done();
}
