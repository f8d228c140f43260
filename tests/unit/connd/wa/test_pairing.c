/* connd/wa pairing, credentials, XEdDSA signing, QR PNG and ClientPayload:
 * Baileys 7 golden vectors (vectors/pairing.json from
 * tests/tools/wa-vectors/gen-pairing.mjs) and round trips. */
#include <sodium.h>
#include <string.h>

#include "wa/creds.h"
#include "wa/noise.h"
#include "wa/pairing.h"
#include "wa/payload.h"
#include "wa/qrpng.h"
#include "wa/xeddsa.h"
#include "wa/xedsign.h"
#include "wa_vectors.h"
#include "waproto.pb-c.h"
#include "wg_err.h"
#include "wg_test.h"

static json_t *g_vec;

/* creds with the given identity / noise private keys and ADV secret */
static void creds_from(wg_wa_creds_t *c, const char *ident_hex, const char *noise_hex,
                       const char *adv_hex)
{
    WG_CHECK(wg_wa_creds_generate(c) == 0);
    if (ident_hex) {
        wa_hex_fixed(c->identity_priv, 32, ident_hex);
        wg_noise_public_key(c->identity_pub, c->identity_priv);
    }
    if (noise_hex) {
        wa_hex_fixed(c->noise_priv, 32, noise_hex);
        wg_noise_public_key(c->noise_pub, c->noise_priv);
    }
    if (adv_hex)
        wa_hex_fixed(c->adv_secret, 32, adv_hex);
}

static void pairing_key_vectors(void)
{
    json_t *list = json_object_get(g_vec, "pairing_keys"), *v;
    size_t i;
    WG_CHECK(json_array_size(list) >= 3);
    json_array_foreach(list, i, v)
    {
        uint8_t salt[32], key[32];
        wg_buf_t hex = WG_BUF_INIT;
        wa_hex_fixed(salt, 32, wa_json_str(v, "salt"));
        WG_CHECK(wg_wa_pairing_key(wa_json_str(v, "code"), salt, key) == 0);
        wa_hex_of(&hex, key, 32);
        WG_CHECK_STR((const char *)hex.p, wa_json_str(v, "key"));
        wg_buf_free(&hex);
    }
}

static void code_alphabet_vectors(void)
{
    json_t *list = json_object_get(g_vec, "codes"), *v;
    size_t i;
    json_array_foreach(list, i, v)
    {
        uint8_t bytes[5];
        char code[9];
        wa_hex_fixed(bytes, 5, wa_json_str(v, "bytes"));
        wg_wa_pairing_code_encode(bytes, code);
        WG_CHECK_STR(code, wa_json_str(v, "code"));
    }
}

static void qr_string_vector(void)
{
    json_t *v = json_array_get(json_object_get(g_vec, "qr"), 0);
    wg_wa_creds_t c;
    creds_from(&c, wa_json_str(v, "identity_priv"), wa_json_str(v, "noise_priv"),
               wa_json_str(v, "adv_secret"));
    wg_buf_t qr = WG_BUF_INIT;
    const char *ref = wa_json_str(v, "ref");
    wg_wa_qr_string(&c, ref, strlen(ref), wg_wa_browser_platform_id(wa_json_str(v, "browser")), &qr);
    WG_CHECK_STR((const char *)qr.p, wa_json_str(v, "text"));
    wg_buf_free(&qr);
}

static void adv_pair_success_vector(void)
{
    json_t *v = json_array_get(json_object_get(g_vec, "adv"), 0);
    wg_wa_creds_t c;
    creds_from(&c, wa_json_str(v, "identity_priv"), NULL, wa_json_str(v, "adv_secret"));
    wg_buf_t container = WG_BUF_INIT, reply = WG_BUF_INIT;
    wa_hex_append(&container, wa_json_str(v, "device_identity"));
    uint32_t key_index = 0;
    const char *why = NULL;
    WG_CHECK(wg_wa_pair_success(&c, container.p, container.len, wa_json_str(v, "jid"),
                                wa_json_str(v, "lid"), "smba", &reply, &key_index, &why) == 0);
    WG_CHECK_INT(key_index, 7);
    WG_CHECK_STR(c.me_jid, wa_json_str(v, "jid"));
    WG_CHECK(wg_wa_creds_paired(&c));
    /* the reply: our device signature over 6 1 || details || identity || account key,
     * without the account key */
    Wa__ADVSignedDeviceIdentity *back = wa__advsigned_device_identity__unpack(NULL, reply.len, reply.p);
    WG_CHECK(back && !back->has_account_signature_key && back->has_device_signature);
    if (back) {
        uint8_t account[32];
        wa_hex_fixed(account, 32, wa_json_str(v, "account_pub"));
        wg_buf_t msg = WG_BUF_INIT;
        wg_buf_append(&msg, "\x06\x01", 2);
        wg_buf_append(&msg, back->details.data, back->details.len);
        wg_buf_append(&msg, c.identity_pub, 32);
        wg_buf_append(&msg, account, 32);
        WG_CHECK(wg_xeddsa_verify(c.identity_pub, msg.p, msg.len, back->device_signature.data) == 0);
        wg_buf_free(&msg);
        wa__advsigned_device_identity__free_unpacked(back, NULL);
    }
    /* wrong ADV secret: hmac-mismatch; tampered details: signature-mismatch */
    wg_wa_creds_t bad;
    creds_from(&bad, wa_json_str(v, "identity_priv"), NULL, NULL);
    wg_buf_reset(&reply);
    WG_CHECK(wg_wa_pair_success(&bad, container.p, container.len, "1@s.whatsapp.net", NULL, NULL,
                                &reply, &key_index, &why) == WG_ECRYPTO);
    WG_CHECK_STR(why, "hmac-mismatch");
    wg_wa_creds_t other;
    creds_from(&other, NULL, NULL, wa_json_str(v, "adv_secret")); /* another identity key */
    WG_CHECK(wg_wa_pair_success(&other, container.p, container.len, "1@s.whatsapp.net", NULL, NULL,
                                &reply, &key_index, &why) == WG_ECRYPTO);
    WG_CHECK_STR(why, "signature-mismatch");
    WG_CHECK(wg_wa_pair_success(&c, container.p, container.len / 2, "1@s.whatsapp.net", NULL,
                                NULL, &reply, &key_index, &why) != 0);
    wg_buf_free(&container);
    wg_buf_free(&reply);
}

static void xedsign_roundtrip(void)
{
    for (int i = 0; i < 32; i++) {
        uint8_t priv[32], pub[32], sig[64], msg[40];
        randombytes_buf(priv, 32);
        wg_x25519_clamp(priv);
        wg_noise_public_key(pub, priv);
        randombytes_buf(msg, sizeof msg);
        WG_CHECK(wg_xeddsa_sign(priv, msg, sizeof msg, NULL, sig) == 0);
        WG_CHECK(wg_xeddsa_verify(pub, msg, sizeof msg, sig) == 0);
        msg[0] ^= 1;
        WG_CHECK(wg_xeddsa_verify(pub, msg, sizeof msg, sig) != 0);
    }
}

static void pairing_code_exchange_roundtrip(void)
{
    /* both sides of §5.2 with our own functions: the companion's wrap unwraps
     * with the same code, and the bundle decrypts to the identities */
    wg_wa_creds_t c;
    WG_CHECK(wg_wa_creds_generate(&c) == 0);
    uint8_t wrapped[WG_WA_PAIRING_WRAPPED_LEN], key[32];
    WG_CHECK(wg_wa_pairing_wrap(&c, "ABCD1234", NULL, wrapped) == 0);
    WG_CHECK(wg_wa_pairing_key("ABCD1234", wrapped, key) == 0);
    /* a "phone" wrapping its ephemeral the same way */
    wg_wa_creds_t phone;
    WG_CHECK(wg_wa_creds_generate(&phone) == 0);
    uint8_t pw[WG_WA_PAIRING_WRAPPED_LEN], bundle[WG_WA_PAIRING_BUNDLE_LEN];
    WG_CHECK(wg_wa_pairing_wrap(&phone, "ABCD1234", NULL, pw) == 0);
    uint8_t before[32];
    memcpy(before, c.adv_secret, 32);
    WG_CHECK(wg_wa_pairing_finish(&c, "ABCD1234", phone.identity_pub, pw, sizeof pw, NULL, bundle) == 0);
    WG_CHECK(memcmp(before, c.adv_secret, 32) != 0);
    WG_CHECK(wg_wa_pairing_finish(&c, "ABCD1234", phone.identity_pub, pw, 10, NULL, bundle) == WG_EPROTO);
}

static void creds_roundtrip(void)
{
    wg_wa_creds_t c, d;
    WG_CHECK(wg_wa_creds_generate(&c) == 0);
    snprintf(c.me_jid, sizeof c.me_jid, "15550001111:12@s.whatsapp.net");
    snprintf(c.push_name, sizeof c.push_name, "Ana");
    c.account_len = 3;
    memcpy(c.account, "abc", 3);
    c.next_prekey_id = 813;
    wg_buf_t b = WG_BUF_INIT;
    wg_wa_creds_pack(&c, &b);
    WG_CHECK(wg_wa_creds_unpack(b.p, b.len, &d) == 0);
    WG_CHECK(memcmp(c.noise_pub, d.noise_pub, 32) == 0 && memcmp(c.spk_sig, d.spk_sig, 64) == 0);
    WG_CHECK_STR(d.me_jid, c.me_jid);
    WG_CHECK_STR(d.push_name, "Ana");
    WG_CHECK_INT(d.next_prekey_id, 813);
    uint64_t phone;
    uint32_t device;
    WG_CHECK(wg_wa_creds_me(&d, &phone, &device) == 0 && phone == 15550001111ull && device == 12);
    /* the signed pre-key signature verifies over 0x05 || spk_pub */
    uint8_t msg[33] = {5};
    memcpy(msg + 1, d.spk_pub, 32);
    WG_CHECK(wg_xeddsa_verify(d.identity_pub, msg, 33, d.spk_sig) == 0);
    WG_CHECK(wg_wa_creds_unpack(b.p, b.len / 2, &d) == WG_EPROTO);
    uint8_t p1[32], q1[32], p2[32], q2[32];
    wg_wa_creds_prekey(&c, 5, p1, q1);
    wg_wa_creds_prekey(&c, 5, p2, q2);
    WG_CHECK(memcmp(q1, q2, 32) == 0);
    wg_wa_creds_prekey(&c, 6, p2, q2);
    WG_CHECK(memcmp(q1, q2, 32) != 0);
    wg_buf_free(&b);
}

static void payloads(void)
{
    wg_wa_creds_t c;
    WG_CHECK(wg_wa_creds_generate(&c) == 0);
    wg_wa_browser_t br = {"Evolution API", "Chrome"};
    wg_buf_t b = WG_BUF_INIT;
    WG_CHECK(wg_wa_payload_registration(&c, &br, &b) == 0);
    Wa__ClientPayload *p = wa__client_payload__unpack(NULL, b.len, b.p);
    WG_CHECK(p && p->device_pairing_data && !p->passive && p->user_agent &&
             p->user_agent->platform == WA__USER_AGENT__PLATFORM__WEB);
    if (p) {
        Wa__DeviceProps *props = wa__device_props__unpack(NULL, p->device_pairing_data->device_props.len,
                                                          p->device_pairing_data->device_props.data);
        WG_CHECK(props && strcmp(props->os, "Evolution API") == 0 &&
                 props->platform_type == WA__DEVICE_PROPS__PLATFORM_TYPE__CHROME);
        if (props)
            wa__device_props__free_unpacked(props, NULL);
        WG_CHECK(p->device_pairing_data->e_regid.len == 4 && p->device_pairing_data->e_skey_id.len == 3);
        wa__client_payload__free_unpacked(p, NULL);
    }
    wg_buf_reset(&b);
    WG_CHECK(wg_wa_payload_login(&c, &b) == WG_EINVAL); /* not paired */
    snprintf(c.me_jid, sizeof c.me_jid, "15550001111:12@s.whatsapp.net");
    WG_CHECK(wg_wa_payload_login(&c, &b) == 0);
    p = wa__client_payload__unpack(NULL, b.len, b.p);
    WG_CHECK(p && p->username == 15550001111ull && p->device == 12 && p->passive && p->pull);
    if (p)
        wa__client_payload__free_unpacked(p, NULL);
    wg_buf_free(&b);
}

static void qr_png(void)
{
    unsigned char rgb[3];
    WG_CHECK(wg_qr_parse_color("#198754", rgb) == 0 && rgb[0] == 0x19 && rgb[2] == 0x54);
    WG_CHECK(wg_qr_parse_color("#19875", rgb) == WG_EINVAL);
    WG_CHECK(wg_qr_parse_color("#19875g", rgb) == WG_EINVAL);
    wg_buf_t png = WG_BUF_INIT, url = WG_BUF_INIT;
    WG_CHECK(wg_qr_png("https://wa.me/settings/linked_devices#2@X", rgb, &png) == 0);
    WG_CHECK(png.len > 100 && memcmp(png.p, "\x89PNG\r\n\x1a\n", 8) == 0);
    /* width = (modules + 2*3) * 4 pixels, a multiple of 4 */
    uint32_t w = (uint32_t)png.p[16] << 24 | png.p[17] << 16 | png.p[18] << 8 | png.p[19];
    WG_CHECK(w % 4 == 0 && w >= (21 + 6) * 4);
    WG_CHECK(wg_qr_png_data_url("hello", rgb, &url) == 0);
    WG_CHECK(strncmp((const char *)url.p, "data:image/png;base64,iVBORw0KGgo", 33) == 0);
    wg_buf_free(&png);
    wg_buf_free(&url);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    g_vec = wa_load_repo_vector("pairing.json");
    WG_CHECK(g_vec != NULL);
    if (!g_vec)
        return wg_test_done() || 1;
    WG_RUN(pairing_key_vectors);
    WG_RUN(code_alphabet_vectors);
    WG_RUN(qr_string_vector);
    WG_RUN(adv_pair_success_vector);
    WG_RUN(xedsign_roundtrip);
    WG_RUN(pairing_code_exchange_roundtrip);
    WG_RUN(creds_roundtrip);
    WG_RUN(payloads);
    WG_RUN(qr_png);
    json_decref(g_vec);
    return wg_test_done();
}
