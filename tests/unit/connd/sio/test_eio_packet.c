/* Unit tests for connd/sio/eio_packet.c and eio_base64.c: round trips,
 * polling payload framing, and malformed input. */
#include "sio/eio_base64.h"
#include "sio/eio_packet.h"
#include "wg_err.h"
#include "wg_test.h"

static void base64_round_trip(void)
{
    const char *want[] = {"", "AQ==", "AQI=", "AQID", "AQIDBA=="};
    const uint8_t bytes[] = {1, 2, 3, 4};
    for (size_t n = 0; n <= 4; n++) {
        wg_buf_t enc = WG_BUF_INIT, dec = WG_BUF_INIT;
        wg_eio_base64_encode(&enc, bytes, n, 0);
        WG_CHECK_STR(wg_buf_cstr(&enc), want[n]);
        WG_CHECK_INT(wg_eio_base64_decode(&dec, enc.p, enc.len), WG_OK);
        WG_CHECK(dec.len == n && (n == 0 || memcmp(dec.p, bytes, n) == 0));
        wg_buf_free(&enc);
        wg_buf_free(&dec);
    }
    wg_buf_t url = WG_BUF_INIT;
    const uint8_t ff[] = {0xfb, 0xff};
    wg_eio_base64_encode(&url, ff, 2, 1);
    WG_CHECK_STR(wg_buf_cstr(&url), "-_8");
    wg_buf_free(&url);
}

static void base64_rejects_malformed(void)
{
    const char *bad[] = {"A", "AQ=", "A===", "AQ==AQ==", "AQ=x", "AR==", "AQJ=", "A Q=", "@@@@"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wg_buf_t dec = WG_BUF_INIT;
        wg_buf_append_str(&dec, "keep");
        WG_CHECK_INT(wg_eio_base64_decode(&dec, (const uint8_t *)bad[i], strlen(bad[i])),
                     WG_EINVAL);
        WG_CHECK_STR(wg_buf_cstr(&dec), "keep");
        wg_buf_free(&dec);
    }
}

static void payload_decodes_text_and_binary(void)
{
    const char *body = "4hello\x1e"
                       "2\x1e"
                       "bAQIDBA==\x1e"
                       "6\x1e"
                       "4";
    wg_eio_payload_reader_t r;
    wg_eio_payload_reader_init(&r, (const uint8_t *)body, strlen(body));
    wg_eio_packet_t p;
    WG_CHECK_INT(wg_eio_payload_next(&r, &p), 1);
    WG_CHECK(p.type == WG_EIO_MESSAGE && !p.is_binary && wg_slice_eq_str(p.data, "hello"));
    WG_CHECK_INT(wg_eio_payload_next(&r, &p), 1);
    WG_CHECK(p.type == WG_EIO_PING && p.data.len == 0);
    WG_CHECK_INT(wg_eio_payload_next(&r, &p), 1);
    WG_CHECK(p.type == WG_EIO_MESSAGE && p.is_binary && p.data.len == 4 && p.data.p[3] == 4);
    WG_CHECK_INT(wg_eio_payload_next(&r, &p), 1);
    WG_CHECK(p.type == WG_EIO_NOOP);
    WG_CHECK_INT(wg_eio_payload_next(&r, &p), 1);
    WG_CHECK(p.type == WG_EIO_MESSAGE && p.data.len == 0);
    WG_CHECK_INT(wg_eio_payload_next(&r, &p), 0);
    WG_CHECK_INT(wg_eio_payload_next(&r, &p), 0);
    wg_eio_payload_reader_free(&r);
    WG_CHECK_INT(wg_eio_payload_validate((const uint8_t *)body, strlen(body)), 5);
}

static void payload_rejects_malformed(void)
{
    const char *bad[] = {"",
                         "abc",
                         "7",
                         "4a\x1e",
                         "\x1e"
                         "4a",
                         "4a\x1e\x1e"
                         "4b",
                         "b!!!!",
                         "bAQ=",
                         "4\xff",
                         "4\xc0\x80",
                         "4\xed\xa0\x80",
                         "x4"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        WG_CHECK_INT(wg_eio_payload_validate((const uint8_t *)bad[i], strlen(bad[i])), WG_EINVAL);
    /* packets before the bad one are still readable one by one */
    wg_eio_payload_reader_t r;
    const char *body = "4ok\x1e"
                       "9";
    wg_eio_payload_reader_init(&r, (const uint8_t *)body, strlen(body));
    wg_eio_packet_t p;
    WG_CHECK_INT(wg_eio_payload_next(&r, &p), 1);
    WG_CHECK_INT(wg_eio_payload_next(&r, &p), WG_EINVAL);
    wg_eio_payload_reader_free(&r);
    /* valid multi-byte UTF-8 passes */
    const char *utf8 = "4h\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    WG_CHECK_INT(wg_eio_payload_validate((const uint8_t *)utf8, strlen(utf8)), 1);
}

static void payload_encode_round_trip(void)
{
    wg_buf_t body = WG_BUF_INIT;
    wg_eio_packet_t a = {WG_EIO_MESSAGE, 0, wg_slice_str("hello")};
    const uint8_t bin[] = {1, 2, 3, 4};
    wg_eio_packet_t b = {WG_EIO_MESSAGE, 1, wg_slice(bin, 4)};
    wg_eio_packet_t c = {WG_EIO_PING, 0, wg_slice_str("")};
    wg_eio_payload_append(&body, &a);
    wg_eio_payload_append(&body, &b);
    wg_eio_payload_append(&body, &c);
    WG_CHECK_STR(wg_buf_cstr(&body), "4hello\x1e"
                                     "bAQIDBA==\x1e"
                                     "2");
    WG_CHECK_INT(wg_eio_payload_validate(body.p, body.len), 3);
    wg_buf_free(&body);
}

static void frame_decode(void)
{
    wg_eio_packet_t p;
    WG_CHECK_INT(wg_eio_frame_decode((const uint8_t *)"2probe", 6, 0, &p), WG_OK);
    WG_CHECK(p.type == WG_EIO_PING && wg_slice_eq_str(p.data, "probe"));
    WG_CHECK_INT(wg_eio_frame_decode((const uint8_t *)"\x00\x01", 2, 1, &p), WG_OK);
    WG_CHECK(p.type == WG_EIO_MESSAGE && p.is_binary && p.data.len == 2);
    WG_CHECK_INT(wg_eio_frame_decode(NULL, 0, 1, &p), WG_OK); /* empty binary message */
    WG_CHECK_INT(wg_eio_frame_decode(NULL, 0, 0, &p), WG_EINVAL);
    WG_CHECK_INT(wg_eio_frame_decode((const uint8_t *)"abc", 3, 0, &p), WG_EINVAL);
    /* "b" is only a polling prefix; on WebSocket it is an unknown type */
    WG_CHECK_INT(wg_eio_frame_decode((const uint8_t *)"bAQ==", 5, 0, &p), WG_EINVAL);
    wg_buf_t out = WG_BUF_INIT;
    wg_eio_packet_encode_text(&out, WG_EIO_PONG, "probe", 5);
    WG_CHECK_STR(wg_buf_cstr(&out), "3probe");
    wg_buf_free(&out);
}

int main(void)
{
    WG_RUN(base64_round_trip);
    WG_RUN(base64_rejects_malformed);
    WG_RUN(payload_decodes_text_and_binary);
    WG_RUN(payload_rejects_malformed);
    WG_RUN(payload_encode_round_trip);
    WG_RUN(frame_decode);
    return wg_test_done();
}
