/* Unit tests for connd/sio/sio_packet.c: decoding per spec §2.1 (namespaces,
 * ack ids, payload shapes), binary reassembly, encoding, malformed input. */
#include "sio/sio_packet.h"
#include "wg_err.h"
#include "wg_test.h"

static int decode(const char *text, wg_sio_packet_t *p)
{
    return wg_sio_packet_decode((const uint8_t *)text, strlen(text), p);
}

static void decodes_valid_packets(void)
{
    wg_sio_packet_t p;
    WG_CHECK_INT(decode("0", &p), WG_OK);
    WG_CHECK(p.type == WG_SIO_CONNECT && p.json == NULL && p.ack_id == WG_SIO_NO_ACK);
    WG_CHECK_STR(p.nsp, "/");
    wg_sio_packet_free(&p);

    WG_CHECK_INT(decode("0/custom,{\"token\":\"abc\"}", &p), WG_OK);
    WG_CHECK_STR(p.nsp, "/custom");
    WG_CHECK_STR(p.json, "{\"token\":\"abc\"}");
    wg_sio_packet_free(&p);

    WG_CHECK_INT(decode("0/random", &p), WG_OK); /* namespace up to end of string */
    WG_CHECK_STR(p.nsp, "/random");
    wg_sio_packet_free(&p);

    WG_CHECK_INT(decode("1/custom,", &p), WG_OK);
    WG_CHECK(p.type == WG_SIO_DISCONNECT && p.json == NULL);
    wg_sio_packet_free(&p);

    WG_CHECK_INT(decode("2/admin,13[\"bar\",1]", &p), WG_OK);
    WG_CHECK(p.type == WG_SIO_EVENT && p.ack_id == 13);
    WG_CHECK_STR(p.nsp, "/admin");
    WG_CHECK_STR(p.json, "[\"bar\",1]");
    wg_sio_packet_free(&p);

    WG_CHECK_INT(decode("2456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]", &p), WG_OK);
    WG_CHECK(p.ack_id == 456);
    wg_sio_packet_free(&p);

    WG_CHECK_INT(decode("2[7,\"numeric name\"]", &p), WG_OK);
    wg_sio_packet_free(&p);

    WG_CHECK_INT(decode("3456[]", &p), WG_OK);
    WG_CHECK(p.type == WG_SIO_ACK && p.ack_id == 456);
    wg_sio_packet_free(&p);

    WG_CHECK_INT(decode("4{\"message\":\"x\"}", &p), WG_OK);
    wg_sio_packet_free(&p);
    WG_CHECK_INT(decode("4\"just a string\"", &p), WG_OK);
    wg_sio_packet_free(&p);

    WG_CHECK_INT(decode("51-[\"baz\",{\"_placeholder\":true,\"num\":0}]", &p), WG_OK);
    WG_CHECK(p.type == WG_SIO_BINARY_EVENT && p.attachment_count == 1);
    wg_sio_packet_free(&p);

    WG_CHECK_INT(decode("61-/admin,1[{\"_placeholder\":true,\"num\":0}]", &p), WG_OK);
    WG_CHECK(p.type == WG_SIO_BINARY_ACK && p.ack_id == 1 && p.attachment_count == 1);
    WG_CHECK_STR(p.nsp, "/admin");
    wg_sio_packet_free(&p);

    /* integers beyond int64 are numbers, as in JavaScript */
    WG_CHECK_INT(decode("2[\"big\",123456789012345678901234567890]", &p), WG_OK);
    wg_sio_packet_free(&p);
}

static void rejects_malformed(void)
{
    const char *bad[] = {
        "",                       /* empty */
        "7",                      /* unknown type */
        "abc",                    /* unknown type */
        "2{}",                    /* event must be an array */
        "2[]",                    /* ... non-empty */
        "2[{}]",                  /* ... name string or number */
        "2[\"connect\"]",         /* reserved name */
        "2[\"disconnecting\",1]", /* reserved name */
        "2abc[\"message\"]",      /* suite SIO 16: invalid ack id */
        "0[]",                    /* connect payload must be an object */
        "0\"x\"",
        "1{}",                      /* disconnect carries nothing */
        "3{}",                      /* ack must be an array */
        "4[]",                      /* connect_error: object or string */
        "5[\"x\"]",                 /* binary without count */
        "5-[\"x\"]",                /* count without digits */
        "511-[\"x\"]",              /* more than 10 attachments */
        "2[\"x\"",                  /* truncated JSON */
        "2[\"x\"]]",                /* trailing garbage */
        "21234567890123456[\"x\"]", /* ack id too long */
        "0/nsp\x00x,",              /* NUL in namespace (length includes it below) */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wg_sio_packet_t p;
        size_t len = i == sizeof bad / sizeof bad[0] - 1 ? 8 : strlen(bad[i]);
        int rc = wg_sio_packet_decode((const uint8_t *)bad[i], len, &p);
        if (rc != WG_EINVAL)
            fprintf(stderr, "accepted: %s\n", bad[i]);
        WG_CHECK_INT(rc, WG_EINVAL);
    }
}

static void reassembles_binary(void)
{
    wg_sio_decoder_t d;
    wg_sio_decoder_init(&d);
    wg_sio_packet_t p;
    const char *head =
        "52-[\"message\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]";
    WG_CHECK_INT(wg_sio_decoder_feed(&d, (const uint8_t *)head, strlen(head), 0, &p), 0);
    WG_CHECK_INT(wg_sio_decoder_feed(&d, (const uint8_t *)"\x01\x02\x03", 3, 1, &p), 0);
    WG_CHECK_INT(wg_sio_decoder_feed(&d, (const uint8_t *)"\x04\x05\x06", 3, 1, &p), 1);
    WG_CHECK(p.attachments_received == 2 && p.attachments[1].len == 3 &&
             p.attachments[1].p[2] == 6);
    wg_sio_packet_free(&p);

    /* binary with nothing pending */
    WG_CHECK_INT(wg_sio_decoder_feed(&d, (const uint8_t *)"\x01", 1, 1, &p), WG_EPROTO);
    /* text while attachments are pending */
    const char *one = "51-[\"m\",{\"_placeholder\":true,\"num\":0}]";
    WG_CHECK_INT(wg_sio_decoder_feed(&d, (const uint8_t *)one, strlen(one), 0, &p), 0);
    WG_CHECK_INT(wg_sio_decoder_feed(&d, (const uint8_t *)"2[\"m\"]", 6, 0, &p), WG_EPROTO);
    /* placeholder pointing past the attachments */
    const char *lie = "51-[\"m\",{\"_placeholder\":true,\"num\":1}]";
    WG_CHECK_INT(wg_sio_decoder_feed(&d, (const uint8_t *)lie, strlen(lie), 0, &p), 0);
    WG_CHECK_INT(wg_sio_decoder_feed(&d, (const uint8_t *)"x", 1, 1, &p), WG_EPROTO);
    /* zero attachments completes at once */
    WG_CHECK_INT(wg_sio_decoder_feed(&d, (const uint8_t *)"50-[\"m\"]", 8, 0, &p), 1);
    wg_sio_packet_free(&p);
    /* pending packet is freed with the decoder */
    WG_CHECK_INT(wg_sio_decoder_feed(&d, (const uint8_t *)one, strlen(one), 0, &p), 0);
    wg_sio_decoder_free(&d);
}

static void encodes(void)
{
    wg_buf_t b = WG_BUF_INIT;
    const char *sid = "{\"sid\":\"abc\"}";
    WG_CHECK_INT(wg_sio_packet_encode(&b, WG_SIO_CONNECT, "/", WG_SIO_NO_ACK, sid, strlen(sid), 0),
                 WG_OK);
    WG_CHECK_STR(wg_buf_cstr(&b), "0{\"sid\":\"abc\"}");
    wg_buf_reset(&b);
    WG_CHECK_INT(wg_sio_packet_encode(&b, WG_SIO_DISCONNECT, "/admin", WG_SIO_NO_ACK, NULL, 0, 0),
                 WG_OK);
    WG_CHECK_STR(wg_buf_cstr(&b), "1/admin,");
    wg_buf_reset(&b);
    const char *ph = "[{\"_placeholder\":true,\"num\":0}]";
    WG_CHECK_INT(wg_sio_packet_encode(&b, WG_SIO_ACK, "/admin", 1, ph, strlen(ph), 1), WG_OK);
    WG_CHECK_STR(wg_buf_cstr(&b), "61-/admin,1[{\"_placeholder\":true,\"num\":0}]");
    wg_buf_reset(&b);
    WG_CHECK_INT(wg_sio_packet_encode(&b, WG_SIO_CONNECT, NULL, -1, NULL, 0, 1), WG_EINVAL);
    wg_buf_free(&b);
}

static void event_json_and_split(void)
{
    wg_buf_t b = WG_BUF_INIT;
    WG_CHECK_INT(wg_sio_event_json(&b, "message-back", "[1,\"2\",{\"3\":[true]}]", 20), WG_OK);
    WG_CHECK_STR(wg_buf_cstr(&b), "[\"message-back\",1,\"2\",{\"3\":[true]}]");
    wg_buf_reset(&b);
    WG_CHECK_INT(wg_sio_event_json(&b, "e", " [ ] ", 5), WG_OK);
    WG_CHECK_STR(wg_buf_cstr(&b), "[\"e\"]");
    wg_buf_reset(&b);
    WG_CHECK_INT(wg_sio_event_json(&b, "q\"\\\n\x01", "[]", 2), WG_OK);
    WG_CHECK_STR(wg_buf_cstr(&b), "[\"q\\\"\\\\\\n\\u0001\"]");
    WG_CHECK_INT(wg_sio_event_json(&b, "e", "{}", 2), WG_EINVAL);
    WG_CHECK_INT(wg_sio_event_json(&b, "e", "[", 1), WG_EINVAL);
    wg_buf_free(&b);

    wg_sio_packet_t p;
    WG_CHECK_INT(decode("2[\"message\",1,\"2\",{\"3\":[true]}]", &p), WG_OK);
    wg_buf_t name = WG_BUF_INIT, args = WG_BUF_INIT;
    WG_CHECK_INT(wg_sio_event_split(&p, &name, &args), WG_OK);
    WG_CHECK_STR(wg_buf_cstr(&name), "message");
    WG_CHECK_STR(wg_buf_cstr(&args), "[1,\"2\",{\"3\":[true]}]");
    wg_sio_packet_free(&p);
    wg_buf_reset(&name);
    wg_buf_reset(&args);
    WG_CHECK_INT(decode("2[ \"a\\\"]b\" ]", &p), WG_OK);
    WG_CHECK_INT(wg_sio_event_split(&p, &name, &args), WG_OK);
    WG_CHECK_STR(wg_buf_cstr(&name), "a\"]b");
    WG_CHECK_STR(wg_buf_cstr(&args), "[]");
    wg_sio_packet_free(&p);
    wg_buf_reset(&name);
    wg_buf_reset(&args);
    WG_CHECK_INT(decode("2[-1.5e3,true]", &p), WG_OK);
    WG_CHECK_INT(wg_sio_event_split(&p, &name, &args), WG_OK);
    WG_CHECK_STR(wg_buf_cstr(&name), "-1.5e3");
    WG_CHECK_STR(wg_buf_cstr(&args), "[true]");
    wg_sio_packet_free(&p);
    wg_buf_free(&name);
    wg_buf_free(&args);
}

int main(void)
{
    WG_RUN(decodes_valid_packets);
    WG_RUN(rejects_malformed);
    WG_RUN(reassembles_binary);
    WG_RUN(encodes);
    WG_RUN(event_json_and_split);
    return wg_test_done();
}
