/* The WhatsApp client handshake and transport against a transcript in which
 * Baileys 7's makeNoiseHandler was the client (vectors/wa_handshake.json):
 * with the same fixed keys our frames must be byte-identical to Baileys',
 * and the server's frames must verify and decrypt. */
#include "wa/handshake.h"

#include "wa/binnode.h"
#include "wa/frame.h"
#include "wa_vectors.h"
#include "wg_err.h"
#include "wg_test.h"

static bool buf_eq_hex(const wg_buf_t *b, const char *hex)
{
    wg_buf_t h = WG_BUF_INIT;
    wa_hex_of(&h, b->p, b->len);
    bool same = strcmp(wg_buf_cstr(&h), hex) == 0;
    if (!same)
        fprintf(stderr, "got  %s\nwant %s\n", wg_buf_cstr(&h), hex);
    wg_buf_free(&h);
    return same;
}

typedef struct {
    json_t *json;
    uint8_t noise_priv[32], eph_priv[32], root[32], server_static[32];
    wg_buf_t server_hello, client_payload;
    int64_t valid_at;
} transcript_t;

static int load(transcript_t *t)
{
    memset(t, 0, sizeof *t);
    t->json = wa_load_repo_vector("wa_handshake.json");
    if (!t->json)
        return -1;
    json_t *keys = json_object_get(t->json, "keys");
    if (wa_hex_fixed(t->noise_priv, 32, wa_json_str(keys, "client_noise_private")) ||
        wa_hex_fixed(t->eph_priv, 32, wa_json_str(keys, "client_ephemeral_private")) ||
        wa_hex_fixed(t->root, 32, wa_json_str(keys, "root_public")) ||
        wa_hex_fixed(t->server_static, 32, wa_json_str(keys, "server_static_public")) ||
        wa_hex_append(&t->server_hello, wa_json_str(t->json, "server_hello_payload")) ||
        wa_hex_append(&t->client_payload, wa_json_str(t->json, "client_payload")))
        return -1;
    t->valid_at = json_integer_value(json_object_get(json_object_get(t->json, "cert"), "valid_at"));
    return 0;
}

static void unload(transcript_t *t)
{
    wg_buf_free(&t->server_hello);
    wg_buf_free(&t->client_payload);
    json_decref(t->json);
}

static void test_baileys_transcript(void)
{
    transcript_t t;
    WG_CHECK(load(&t) == 0);
    if (!t.json)
        return;
    wg_wa_handshake_t hs;
    wg_buf_t out = WG_BUF_INIT;
    WG_CHECK_INT(wg_wa_handshake_init(&hs, t.noise_priv, t.eph_priv, t.root), 0);
    WG_CHECK_INT(wg_wa_handshake_finish(&hs, NULL, 0, &out), WG_ESTATE);
    WG_CHECK_INT(wg_wa_handshake_hello(&hs, NULL, 0, &out), 0);
    WG_CHECK(buf_eq_hex(&out, wa_json_str(t.json, "client_hello_bytes")));
    WG_CHECK_INT(wg_wa_handshake_hello(&hs, NULL, 0, &out), WG_ESTATE);
    WG_CHECK_INT(
        wg_wa_handshake_read_server_hello(&hs, t.server_hello.p, t.server_hello.len, t.valid_at),
        0);
    WG_CHECK(memcmp(wg_wa_handshake_server_static(&hs), t.server_static, 32) == 0);
    wg_buf_reset(&out);
    WG_CHECK_INT(wg_wa_handshake_finish(&hs, t.client_payload.p, t.client_payload.len, &out), 0);
    WG_CHECK(buf_eq_hex(&out, wa_json_str(t.json, "client_finish_frame")));

    wg_wa_transport_t tr;
    WG_CHECK_INT(wg_wa_handshake_split(&hs, &tr), 0);
    uint8_t tx[32], rx[32];
    WG_CHECK(wa_hex_fixed(tx, 32, wa_json_str(t.json, "client_tx")) == 0);
    WG_CHECK(wa_hex_fixed(rx, 32, wa_json_str(t.json, "client_rx")) == 0);
    WG_CHECK(memcmp(tr.send.key, tx, 32) == 0 && memcmp(tr.recv.key, rx, 32) == 0);

    json_t *c2s = json_object_get(t.json, "client_to_server");
    WG_CHECK(json_array_size(c2s) == 3);
    for (size_t i = 0; i < json_array_size(c2s); i++) {
        wg_buf_t plain = WG_BUF_INIT;
        wa_hex_append(&plain, wa_json_str(json_array_get(c2s, i), "plain"));
        wg_buf_reset(&out);
        WG_CHECK_INT(wg_wa_transport_seal(&tr, plain.p, plain.len, &out), 0);
        WG_CHECK(buf_eq_hex(&out, wa_json_str(json_array_get(c2s, i), "frame")));
        wg_buf_free(&plain);
    }
    /* server frames arrive as one websocket message split at odd places */
    json_t *s2c = json_object_get(t.json, "server_to_client");
    wg_buf_t stream = WG_BUF_INIT;
    for (size_t i = 0; i < json_array_size(s2c); i++)
        wa_hex_append(&stream, wa_json_str(json_array_get(s2c, i), "frame"));
    wg_wa_frame_reader_t reader;
    wg_wa_frame_reader_init(&reader, 0);
    size_t fed = 0, got = 0;
    while (fed < stream.len || got < json_array_size(s2c)) {
        size_t n = stream.len - fed < 7 ? stream.len - fed : 7;
        wg_wa_frame_reader_feed(&reader, stream.p + fed, n);
        fed += n;
        wg_slice_t frame;
        int rc;
        while ((rc = wg_wa_frame_reader_next(&reader, &frame)) == 0) {
            wg_buf_t plain = WG_BUF_INIT;
            json_t *want = json_array_get(s2c, got);
            WG_CHECK_INT(wg_wa_transport_open(&tr, frame.p, frame.len, &plain), 0);
            WG_CHECK(buf_eq_hex(&plain, wa_json_str(want, "plain")));
            wg_node_t *node = NULL;
            WG_CHECK_INT(wg_node_decode(plain.p, plain.len, 0, &node), 0);
            WG_CHECK(node && strcmp(node->tag, wa_json_str(want, "baileys_tag")) == 0);
            wg_node_free(node);
            wg_buf_free(&plain);
            got++;
        }
        WG_CHECK_INT(rc, WG_EAGAIN);
        if (n == 0)
            break;
    }
    WG_CHECK_INT(got, 2);
    /* a replayed frame fails: the counter moved on */
    wg_buf_t plain = WG_BUF_INIT;
    WG_CHECK_INT(wg_wa_transport_open(&tr, stream.p + 3,
                                      0 + ((size_t)stream.p[1] << 8 | stream.p[2]), &plain),
                 WG_ECRYPTO);
    wg_buf_free(&plain);
    wg_wa_frame_reader_free(&reader);
    wg_buf_free(&stream);
    wg_wa_transport_wipe(&tr);
    wg_wa_handshake_wipe(&hs);
    wg_buf_free(&out);
    unload(&t);
}

/* Failures in the server hello: wrong root, expired chain, tampering. */
static void test_server_hello_failures(void)
{
    transcript_t t;
    WG_CHECK(load(&t) == 0);
    if (!t.json)
        return;
    wg_wa_handshake_t hs;
    wg_buf_t out = WG_BUF_INIT;
    struct {
        const uint8_t *root;
        int64_t now;
        int want;
    } cases[] = {
        {NULL, -1, WG_ECRYPTO}, /* the real WhatsApp root did not sign it */
        {t.root, 1600000000, WG_ETIMEDOUT},
        {t.root, -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wg_buf_reset(&out);
        wg_wa_handshake_init(&hs, t.noise_priv, t.eph_priv, cases[i].root);
        wg_wa_handshake_hello(&hs, NULL, 0, &out);
        WG_CHECK_INT(wg_wa_handshake_read_server_hello(&hs, t.server_hello.p, t.server_hello.len,
                                                       cases[i].now),
                     cases[i].want);
        WG_CHECK_INT(wg_wa_handshake_finish(&hs, NULL, 0, &out), cases[i].want ? WG_ESTATE : 0);
    }
    int accepted = 0;
    for (size_t i = 0; i < t.server_hello.len; i++) {
        wg_buf_reset(&out);
        wg_wa_handshake_init(&hs, t.noise_priv, t.eph_priv, t.root);
        wg_wa_handshake_hello(&hs, NULL, 0, &out);
        t.server_hello.p[i] ^= 0x04;
        if (wg_wa_handshake_read_server_hello(&hs, t.server_hello.p, t.server_hello.len, -1) == 0)
            accepted++;
        t.server_hello.p[i] ^= 0x04;
    }
    WG_CHECK_INT(accepted, 0);
    wg_buf_free(&out);
    unload(&t);
}

static void test_intro_with_routing(void)
{
    uint8_t key[32] = {1};
    wg_wa_handshake_t hs;
    wg_buf_t out = WG_BUF_INIT;
    wg_wa_handshake_init(&hs, key, NULL, NULL);
    WG_CHECK_INT(wg_wa_handshake_hello(&hs, (const uint8_t *)"abc", 3, &out), 0);
    static const uint8_t want[] = {'E', 'D', 0, 1, 0, 0,  3,    'a',  'b',  'c', 'W',
                                   'A', 6,   3, 0, 0, 36, 0x12, 0x22, 0x0a, 0x20};
    WG_CHECK(out.len == sizeof want + 32 && memcmp(out.p, want, sizeof want) == 0);
    WG_CHECK(memcmp(out.p + sizeof want, hs.noise.e_pub, 32) == 0);
    wg_buf_free(&out);
}

int main(void)
{
    WG_RUN(test_baileys_transcript);
    WG_RUN(test_server_hello_failures);
    WG_RUN(test_intro_with_routing);
    return wg_test_done();
}
