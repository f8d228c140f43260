/* JWT (HS256, Evolution's claims) and the X-Wagate-Signature HMAC, checked
 * against RFC 4231 and against OpenSSL's HMAC as an independent
 * implementation; and the header lines of a request. */
#include "webhook/jwt.h"
#include "webhook/request.h"
#include "webhook/signature.h"
#include "wg_test.h"
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdlib.h>

static void signature_matches_rfc4231(void)
{
    /* RFC 4231 test case 2: key "Jefe" */
    char out[WG_SIGNATURE_LEN + 1];
    const char *body = "what do ya want for nothing?";
    wg_webhook_signature("Jefe", body, strlen(body), out);
    WG_CHECK_STR(out, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void b64url_decode(const char *in, size_t len, unsigned char *out, size_t *n)
{
    sodium_base642bin(out, 512, in, len, NULL, n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void jwt_is_hs256_with_evolution_claims(void)
{
    wg_buf_t b = WG_BUF_INIT;
    wg_jwt_hs256("my-key", 6, 1700000000, &b);
    const char *tok = wg_buf_cstr(&b);
    const char *dot1 = strchr(tok, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    WG_CHECK(dot1 && dot2);
    if (!dot1 || !dot2)
        return;
    unsigned char buf[512];
    size_t n = 0;
    b64url_decode(tok, (size_t)(dot1 - tok), buf, &n);
    WG_CHECK(n == strlen("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") &&
             memcmp(buf, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", n) == 0);
    b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), buf, &n);
    json_t *claims = json_loadb((char *)buf, n, 0, NULL);
    WG_CHECK_INT(json_integer_value(json_object_get(claims, "iat")), 1700000000);
    WG_CHECK_INT(json_integer_value(json_object_get(claims, "exp")), 1700000600);
    WG_CHECK_STR(json_string_value(json_object_get(claims, "app")), "evolution");
    WG_CHECK_STR(json_string_value(json_object_get(claims, "action")), "webhook");
    json_decref(claims);
    /* the signature, recomputed with OpenSSL */
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned mac_len = 0;
    HMAC(EVP_sha256(), "my-key", 6, (const unsigned char *)tok, (size_t)(dot2 - tok), mac,
         &mac_len);
    b64url_decode(dot2 + 1, strlen(dot2 + 1), buf, &n);
    WG_CHECK(n == mac_len && memcmp(buf, mac, n) == 0);
    wg_buf_free(&b);
}

static int has_line(char **lines, const char *want)
{
    for (size_t i = 0; lines[i]; i++)
        if (strcmp(lines[i], want) == 0)
            return 1;
    return 0;
}

static int starts(char **lines, const char *prefix)
{
    for (size_t i = 0; lines[i]; i++)
        if (strncmp(lines[i], prefix, strlen(prefix)) == 0)
            return 1;
    return 0;
}

static void headers_of_a_request(void)
{
    wg_outbox_row_t row = {0};
    row.delivery_id = "d-1";
    row.instance_name = "inst";
    row.body = "{}";
    row.headers_json =
        "{\"X-A\":\"1\",\"n\":5,\"jwt_key\":\"k\",\"bad name\":\"x\","
        "\"X-Inject\":\"a\\r\\nEvil: 1\",\"content-type\":\"text/plain\",\"z\":null}";
    row.secret = "Jefe";
    char **l = wg_webhook_headers(&row, 3, 1700000000);
    WG_CHECK(has_line(l, "X-A: 1"));
    WG_CHECK(has_line(l, "n: 5"));
    WG_CHECK(starts(l, "Authorization: Bearer ey"));
    WG_CHECK(!starts(l, "jwt_key"));
    WG_CHECK(!starts(l, "bad name") && !starts(l, "X-Inject") && !starts(l, "z:"));
    WG_CHECK(has_line(l, "content-type: text/plain"));
    WG_CHECK(!has_line(l, "Content-Type: application/json")); /* the user's wins */
    WG_CHECK(has_line(l, "X-Wagate-Delivery: d-1"));
    WG_CHECK(has_line(l, "X-Wagate-Attempt: 3"));
    char sig[WG_SIGNATURE_LEN + 1], want[128];
    wg_webhook_signature("Jefe", "{}", 2, sig);
    snprintf(want, sizeof want, "X-Wagate-Signature: %s", sig);
    WG_CHECK(has_line(l, want));
    WG_CHECK(has_line(l, "Expect:"));
    wg_webhook_headers_free(l);
    /* no headers, no secret: the defaults only */
    row.headers_json = NULL;
    row.secret = NULL;
    l = wg_webhook_headers(&row, 1, 0);
    WG_CHECK(has_line(l, "Content-Type: application/json"));
    WG_CHECK(starts(l, "User-Agent: wagate/"));
    WG_CHECK(!starts(l, "X-Wagate-Signature") && !starts(l, "Authorization"));
    wg_webhook_headers_free(l);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    WG_RUN(signature_matches_rfc4231);
    WG_RUN(jwt_is_hs256_with_evolution_claims);
    WG_RUN(headers_of_a_request);
    return wg_test_done();
}
