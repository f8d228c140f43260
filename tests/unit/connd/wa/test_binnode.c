/* WABinary codec against Baileys 7 (vectors/binnode.json): our encoder must
 * produce Baileys' bytes, our decoder must read Baileys' bytes (plain,
 * hand-made and zlib-compressed) into the same tree Baileys builds. Plus the
 * token tables against ../shared/spec/wa-tokens.txt and hostile input. */
#include "wa/binnode.h"

#include <sodium.h>
#include <zlib.h>

#include "wa/tokens.h"
#include "wa_vectors.h"
#include "wg_err.h"
#include "wg_test.h"

static void pattern(wg_buf_t *b, size_t n)
{
    wg_buf_reserve(b, n);
    for (size_t i = 0; i < n; i++)
        wg_buf_append_byte(b, (uint8_t)(i & 0xFF));
}

static wg_node_t *node_from_json(json_t *j)
{
    wg_node_t *n = wg_node_new(wa_json_str(j, "tag"));
    json_t *attrs = json_object_get(j, "attrs"), *content = json_object_get(j, "content");
    for (size_t i = 0; i < json_array_size(attrs); i++) {
        json_t *kv = json_array_get(attrs, i);
        wg_node_set_attr(n, json_string_value(json_array_get(kv, 0)),
                         json_string_value(json_array_get(kv, 1)));
    }
    if (!content)
        return n;
    if (json_is_array(content)) {
        wg_node_set_list(n);
        for (size_t i = 0; i < json_array_size(content); i++)
            wg_node_add_child(n, node_from_json(json_array_get(content, i)));
    } else if (json_object_get(content, "bytes")) {
        wg_buf_t b = WG_BUF_INIT;
        wa_hex_append(&b, wa_json_str(content, "bytes"));
        wg_node_set_bytes(n, b.p, b.len);
        wg_buf_free(&b);
    } else if (json_object_get(content, "text")) {
        const char *s = wa_json_str(content, "text");
        wg_node_set_text(n, s, strlen(s));
    } else if (json_object_get(content, "big")) {
        wg_buf_t b = WG_BUF_INIT;
        pattern(&b, (size_t)json_integer_value(json_object_get(content, "big")));
        wg_node_set_bytes(n, b.p, b.len);
        wg_buf_free(&b);
    }
    return n;
}

static void sha256_hex(wg_buf_t *out, const uint8_t *p, size_t n)
{
    uint8_t h[32];
    crypto_hash_sha256(h, p, n);
    wa_hex_of(out, h, 32);
}

/* Compares a decoded tree with Baileys' decoded JSON. */
static bool node_eq_json(const wg_node_t *n, json_t *j, const char *where)
{
    bool ok = strcmp(n->tag, wa_json_str(j, "tag")) == 0;
    json_t *attrs = json_object_get(j, "attrs"), *content = json_object_get(j, "content");
    ok = ok && n->attr_count == json_array_size(attrs);
    for (size_t i = 0; ok && i < n->attr_count; i++) {
        json_t *kv = json_array_get(attrs, i);
        ok = strcmp(n->attrs[i].key, json_string_value(json_array_get(kv, 0))) == 0 &&
             strcmp(n->attrs[i].value, json_string_value(json_array_get(kv, 1))) == 0;
    }
    if (ok && !content) {
        ok = n->kind == WG_NODE_NONE;
    } else if (ok && json_is_array(content)) {
        ok = n->kind == WG_NODE_CHILDREN && n->child_count == json_array_size(content);
        for (size_t i = 0; ok && i < n->child_count; i++)
            ok = node_eq_json(n->children[i], json_array_get(content, i), where);
    } else if (ok && json_object_get(content, "text")) {
        const char *s = wa_json_str(content, "text");
        ok = n->kind == WG_NODE_TEXT && n->data_len == strlen(s) &&
             memcmp(n->data, s, n->data_len) == 0;
    } else if (ok && json_object_get(content, "bytes")) {
        wg_buf_t h = WG_BUF_INIT;
        wa_hex_of(&h, n->data, n->data_len);
        ok =
            n->kind == WG_NODE_BYTES && strcmp(wg_buf_cstr(&h), wa_json_str(content, "bytes")) == 0;
        wg_buf_free(&h);
    } else if (ok && json_object_get(content, "big_sha256")) {
        wg_buf_t h = WG_BUF_INIT;
        sha256_hex(&h, n->data, n->data_len);
        ok = n->kind == WG_NODE_BYTES &&
             strcmp(wg_buf_cstr(&h), wa_json_str(content, "big_sha256")) == 0;
        wg_buf_free(&h);
    }
    if (!ok) {
        wg_buf_t s = WG_BUF_INIT;
        wg_node_to_string(n, &s);
        fprintf(stderr, "%s: tree differs from Baileys at <%s>: ours %.300s\n", where,
                wa_json_str(j, "tag"), wg_buf_cstr(&s));
        wg_buf_free(&s);
    }
    return ok;
}

static json_t *vectors;
static int encoded_ok, decoded_ok;

static void test_encode_vectors(void)
{
    json_t *list = json_object_get(vectors, "encode");
    WG_CHECK(json_array_size(list) >= 60);
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *v = json_array_get(list, i);
        const char *name = wa_json_str(v, "name");
        wg_node_t *n = node_from_json(json_object_get(v, "node"));
        wg_buf_t out = WG_BUF_INIT, h = WG_BUF_INIT;
        WG_CHECK_INT(wg_node_encode(n, &out), 0);
        if (json_object_get(v, "hex")) {
            wa_hex_of(&h, out.p, out.len);
            bool same = strcmp(wg_buf_cstr(&h), wa_json_str(v, "hex")) == 0;
            if (!same)
                fprintf(stderr, "encode '%s':\n got  %s\n want %s\n", name, wg_buf_cstr(&h),
                        wa_json_str(v, "hex"));
            WG_CHECK(same);
            encoded_ok += same;
        } else {
            sha256_hex(&h, out.p, out.len);
            bool same = strcmp(wg_buf_cstr(&h), wa_json_str(v, "sha256")) == 0 &&
                        out.len == (size_t)json_integer_value(json_object_get(v, "len"));
            if (!same)
                fprintf(stderr, "encode '%s': sha256 differs\n", name);
            WG_CHECK(same);
            encoded_ok += same;
        }
        /* Baileys' bytes (equal to ours when the check above passed) decode
         * to the tree Baileys decodes */
        wg_node_t *back = NULL;
        WG_CHECK_INT(wg_node_decode(out.p, out.len, 0, &back), 0);
        if (back) {
            bool same = node_eq_json(back, json_object_get(v, "decoded"), name);
            WG_CHECK(same);
            decoded_ok += same;
        }
        /* every proper prefix of the body is rejected */
        if (out.len < 2000)
            for (size_t len = 1; len < out.len; len++) {
                wg_node_t *partial = NULL;
                WG_CHECK_INT(wg_node_decode(out.p, len, 0, &partial), WG_EPROTO);
                WG_CHECK(partial == NULL);
            }
        wg_node_free(back);
        wg_node_free(n);
        wg_buf_free(&out);
        wg_buf_free(&h);
    }
}

static void test_decode_vectors(void)
{
    const char *lists[] = {"decode", "compressed"};
    for (size_t l = 0; l < 2; l++) {
        json_t *list = json_object_get(vectors, lists[l]);
        WG_CHECK(json_array_size(list) > 0);
        for (size_t i = 0; i < json_array_size(list); i++) {
            json_t *v = json_array_get(list, i);
            wg_buf_t in = WG_BUF_INIT;
            wa_hex_append(&in, wa_json_str(v, "hex"));
            wg_node_t *n = NULL;
            int rc = wg_node_decode(in.p, in.len, 0, &n);
            if (rc)
                fprintf(stderr, "decode '%s': %s\n", wa_json_str(v, "name"), wg_strerror(rc));
            WG_CHECK_INT(rc, 0);
            if (n) {
                bool same = node_eq_json(n, json_object_get(v, "decoded"), wa_json_str(v, "name"));
                WG_CHECK(same);
                decoded_ok += same;
            }
            wg_node_free(n);
            wg_buf_free(&in);
        }
    }
    printf("binnode: %d encodings byte-identical to Baileys, %d trees equal to Baileys' decode\n",
           encoded_ok, decoded_ok);
}

static int decode_hex(const char *hex)
{
    wg_buf_t in = WG_BUF_INIT;
    wg_node_t *n = NULL;
    wa_hex_append(&in, hex);
    int rc = wg_node_decode(in.p, in.len, 0, &n);
    WG_CHECK(rc != 0 || n != NULL);
    wg_node_free(n);
    wg_buf_free(&in);
    return rc;
}

static void test_malformed(void)
{
    WG_CHECK_INT(decode_hex(""), WG_EPROTO);
    WG_CHECK_INT(decode_hex("00"), WG_EPROTO);
    WG_CHECK_INT(decode_hex("0000"), WG_EPROTO);     /* list size 0 */
    WG_CHECK_INT(decode_hex("00f80100"), WG_EPROTO); /* empty tag */
    WG_CHECK_INT(decode_hex("00f80113"), 0);
    WG_CHECK_INT(decode_hex("00f8011300"), WG_EPROTO);           /* trailing byte */
    WG_CHECK_INT(decode_hex("00f801f0"), WG_EPROTO);             /* tag 240 unused */
    WG_CHECK_INT(decode_hex("0013"), WG_EPROTO);                 /* not a list */
    WG_CHECK_INT(decode_hex("00f80213ff01c0"), WG_EPROTO);       /* nibble 12 */
    WG_CHECK_INT(decode_hex("00f80213ff02f123"), WG_EPROTO);     /* pad nibble not last */
    WG_CHECK_INT(decode_hex("00f80213ff01f1"), WG_EPROTO);       /* pad in even string */
    WG_CHECK_INT(decode_hex("00f80213ff8113"), 0);               /* odd flag drops the last char */
    WG_CHECK_INT(decode_hex("00f80313fafa0003031c"), WG_EPROTO); /* JID inside a JID */
    WG_CHECK_INT(decode_hex("00f8031308fa0000"), WG_EPROTO);     /* JID_PAIR with empty server */
    WG_CHECK_INT(decode_hex("00f8031308fafc02610003"), WG_EPROTO); /* NUL in a JID_PAIR user */
    WG_CHECK_INT(decode_hex("00f8031308f70005fc026100"), WG_EPROTO); /* NUL in an AD_JID user */
    WG_CHECK_INT(decode_hex("00f8031308fafc02616200"), WG_EPROTO); /* JID_PAIR server "" */
    WG_CHECK_INT(decode_hex("00f80313fc0161fc02610062"), WG_EPROTO); /* NUL in attribute */
    WG_CHECK_INT(decode_hex("00f80307000808"), WG_EPROTO);           /* empty attribute key */
    WG_CHECK_INT(decode_hex("00f80213f9ffff"), WG_EPROTO);           /* 65535 children, no bytes */
    WG_CHECK_INT(decode_hex("00f80213feffffffff"), WG_EPROTO);       /* 4 GiB binary, no bytes */
    WG_CHECK_INT(decode_hex("00f80213fd0fffff00"), WG_EPROTO);
    WG_CHECK_INT(decode_hex("00f90000"), WG_EPROTO);
    WG_CHECK_INT(decode_hex("02"), WG_EPROTO);         /* empty zlib */
    WG_CHECK_INT(decode_hex("02789c"), WG_EPROTO);     /* truncated zlib */
    WG_CHECK_INT(decode_hex("02deadbeef"), WG_EPROTO); /* not zlib */

    /* nesting: 64 levels decode, 65 do not */
    for (int depth = 64; depth <= 65; depth++) {
        wg_buf_t b = WG_BUF_INIT;
        wg_buf_append_byte(&b, 0);
        for (int i = 1; i < depth; i++) {
            static const uint8_t open[] = {0xf8, 0x02, 0x13, 0xf8, 0x01};
            wg_buf_append(&b, open, sizeof open);
        }
        static const uint8_t leaf[] = {0xf8, 0x01, 0x13};
        wg_buf_append(&b, leaf, sizeof leaf);
        wg_node_t *n = NULL;
        WG_CHECK_INT(wg_node_decode(b.p, b.len, 0, &n), depth == 64 ? 0 : WG_EPROTO);
        if (n) {
            wg_buf_t again = WG_BUF_INIT;
            WG_CHECK_INT(wg_node_encode(n, &again), 0);
            WG_CHECK(again.len == b.len && memcmp(again.p, b.p, b.len) == 0);
            wg_buf_free(&again);
            wg_node_t *deeper = wg_node_new("top");
            wg_node_add_child(deeper, n);
            wg_buf_reset(&again);
            WG_CHECK_INT(wg_node_encode(deeper, &again), WG_EINVAL);
            wg_buf_free(&again);
            wg_node_free(deeper);
        }
        wg_buf_free(&b);
    }
    /* deeply nested garbage does not overflow the stack */
    wg_buf_t deep = WG_BUF_INIT;
    wg_buf_append_byte(&deep, 0);
    for (int i = 0; i < 200000; i++) {
        static const uint8_t open[] = {0xf8, 0x02, 0x13, 0xf8, 0x01};
        wg_buf_append(&deep, open, sizeof open);
    }
    wg_node_t *n = NULL;
    WG_CHECK_INT(wg_node_decode(deep.p, deep.len, 0, &n), WG_EPROTO);
    wg_buf_free(&deep);
}

static void test_zlib(void)
{
    /* a 1 MiB body of zeros is refused under a 64 KiB cap, accepted under 2 MiB */
    size_t body_len = (size_t)1 << 20;
    wg_buf_t body = WG_BUF_INIT;
    static const uint8_t head[] = {0xf8, 0x02, 0x1d, 0xfe, 0x00, 0x0f, 0xff, 0xf8};
    wg_buf_append(&body, head, sizeof head);
    wg_buf_reserve(&body, body_len - sizeof head);
    memset(body.p + body.len, 0, body_len - sizeof head);
    body.len = body_len;
    uLongf clen = compressBound((uLong)body_len);
    uint8_t *frame = malloc(clen + 1);
    frame[0] = WG_NODE_FLAG_COMPRESSED;
    WG_CHECK(compress(frame + 1, &clen, body.p, (uLong)body_len) == Z_OK);
    wg_node_t *n = NULL;
    WG_CHECK_INT(wg_node_decode(frame, clen + 1, 65536, &n), WG_ETOOBIG);
    WG_CHECK(n == NULL);
    WG_CHECK_INT(wg_node_decode(frame, clen + 1, 2u << 20, &n), 0);
    WG_CHECK(n && n->kind == WG_NODE_BYTES && n->data_len == body_len - sizeof head);
    wg_node_free(n);
    n = NULL;
    /* bytes after the end of the zlib stream */
    uint8_t *trailing = malloc(clen + 2);
    memcpy(trailing, frame, clen + 1);
    trailing[clen + 1] = 0;
    WG_CHECK_INT(wg_node_decode(trailing, clen + 2, 2u << 20, &n), WG_EPROTO);
    /* other flag bits are ignored, like Baileys */
    static const uint8_t flagged[] = {0xf1, 0xf8, 0x01, 0x13};
    WG_CHECK_INT(wg_node_decode(flagged, sizeof flagged, 0, &n), 0);
    wg_node_free(n);
    free(trailing);
    free(frame);
    wg_buf_free(&body);
}

/* Forms where we differ from Baileys on purpose (it would lose data). */
static void round_trip_attr(const char *value, const char *want_hex_prefix, const char *want_back)
{
    wg_node_t *n = wg_node_new("a"), *back = NULL;
    wg_node_set_attr(n, "jid", value);
    wg_buf_t out = WG_BUF_INIT, h = WG_BUF_INIT;
    WG_CHECK_INT(wg_node_encode(n, &out), 0);
    wa_hex_of(&h, out.p, out.len);
    if (strncmp(wg_buf_cstr(&h), want_hex_prefix, strlen(want_hex_prefix)) != 0)
        fprintf(stderr, "%s encoded as %s\n", value, wg_buf_cstr(&h));
    WG_CHECK(strncmp(wg_buf_cstr(&h), want_hex_prefix, strlen(want_hex_prefix)) == 0);
    WG_CHECK_INT(wg_node_decode(out.p, out.len, 0, &back), 0);
    if (!want_back)
        want_back = value;
    WG_CHECK(back && strcmp(wg_node_attr(back, "jid"), want_back) == 0);
    if (back && strcmp(wg_node_attr(back, "jid"), want_back) != 0)
        fprintf(stderr, "round trip of %s gave %s (%s)\n", value, wg_node_attr(back, "jid"),
                wg_buf_cstr(&h));
    wg_node_free(back);
    wg_node_free(n);
    wg_buf_free(&out);
    wg_buf_free(&h);
}

static void test_our_jid_forms(void)
{
    round_trip_attr("123:7@msgr", "00f803fc01610cf6ff82123f0007cc", NULL);         /* FB_JID */
    round_trip_attr("42-123:7@interop", "00f803fc01610cf5ff82123f0007002a", NULL); /* INTEROP_JID */
    round_trip_attr("a@b@c", "00f803fc01610cfc05", NULL);              /* not a JID: raw */
    round_trip_attr("15551234567:5@g.us", "00f803fc01610cfc12", NULL); /* device on g.us: raw */
    round_trip_attr("1:300@s.whatsapp.net", "00f803fc01610cfc", NULL); /* device > 255: raw */
    round_trip_attr("1:03@s.whatsapp.net", "00f803fc01610cfc", NULL);  /* not canonical: raw */
    round_trip_attr("042-123:7@interop", "00f803fc01610cfc", NULL);      /* not canonical: raw */
    round_trip_attr("1_05@s.whatsapp.net", "00f803fc01610cfc", NULL);    /* not canonical: raw */
    round_trip_attr("1:0@s.whatsapp.net", "00f803fc01610cf70000", "1@s.whatsapp.net");
    /* the agent stays on the wire; reading drops it like Baileys' decoder */
    round_trip_attr("15551234567_5@s.whatsapp.net", "00f803fc01610cf70500",
                    "15551234567@s.whatsapp.net");
    round_trip_attr("alice_bob@s.whatsapp.net", "00f803fc01610cfafc09", NULL);
}

/* A decoded node keeps its tag, keys and values in one block; changing its
 * attributes afterwards frees only what was allocated apart (ASan checks). */
static void test_decoded_node_is_editable(void)
{
    wg_node_t *n = wg_node_new("message");
    char key[32];
    for (int i = 0; i < 20; i++) { /* over STACK_ATTRS */
        snprintf(key, sizeof key, "k%d", i);
        wg_node_set_attr(n, key, i % 2 ? "v" : "");
    }
    wg_node_set_attr(n, "from", "15551234567@s.whatsapp.net");
    wg_node_set_text(wg_node_add_child(n, wg_node_new("body")), "hello", 5);
    wg_buf_t enc = WG_BUF_INIT;
    WG_CHECK_INT(wg_node_encode(n, &enc), 0);
    wg_node_t *d = NULL;
    WG_CHECK_INT(wg_node_decode(enc.p, enc.len, 0, &d), 0);
    WG_CHECK(d && d->text && d->attr_count == 21);
    if (d) {
        WG_CHECK_STR(d->tag, "message");
        WG_CHECK_STR(wg_node_attr(d, "k19"), "v");
        WG_CHECK_STR(wg_node_attr(d, "k18"), "");
        WG_CHECK_STR(wg_node_attr(d, "from"), "15551234567@s.whatsapp.net");
        wg_node_set_attr(d, "from", "other@s.whatsapp.net"); /* replaces a value in the block */
        wg_node_set_attr(d, "k0", NULL);                      /* removes a key in the block */
        wg_node_set_attr(d, "new", "x");
        WG_CHECK_STR(wg_node_attr(d, "from"), "other@s.whatsapp.net");
        WG_CHECK(wg_node_attr(d, "k0") == NULL);
        wg_node_t *c = wg_node_copy(d);
        WG_CHECK(c->text == NULL && c->attr_count == 21);
        WG_CHECK_STR(wg_node_attr(c, "new"), "x");
        wg_node_free(c);
        wg_node_set_attr(d, "new", "y");
        wg_node_set_attr(d, "new", NULL);
        WG_CHECK_STR((const char *)wg_node_child(d, "body")->data, "hello");
    }
    wg_node_free(d);
    wg_node_free(n);
    wg_buf_free(&enc);
    /* an attribute count the input cannot hold is refused before reading */
    const uint8_t huge[] = {0x00, 0xf9, 0xff, 0xff, 0x13};
    d = NULL;
    WG_CHECK_INT(wg_node_decode(huge, sizeof huge, 0, &d), WG_EPROTO);
    WG_CHECK(d == NULL);
}

/* wg_node_encode_attrs writes what wg_node_encode writes for that node. */
static void test_encode_attrs(void)
{
    const char *pairs[] = {"id",        "3EB0C0000009994", "to",   "5511999990000@s.whatsapp.net",
                           "participant", NULL,            "recipient", "1:3@s.whatsapp.net",
                           "type",      "read",            "x-unknown", "some text value"};
    for (size_t n = 0; n <= 6; n++) {
        wg_node_t *node = wg_node_new("receipt");
        for (size_t i = 0; i < n; i++)
            wg_node_set_attr(node, pairs[2 * i], pairs[2 * i + 1]);
        wg_buf_t a = WG_BUF_INIT, b = WG_BUF_INIT;
        WG_CHECK_INT(wg_node_encode(node, &a), 0);
        WG_CHECK_INT(wg_node_encode_attrs("receipt", pairs, n, &b), 0);
        WG_CHECK(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
        wg_buf_free(&a);
        wg_buf_free(&b);
        wg_node_free(node);
    }
    wg_buf_t out = WG_BUF_INIT;
    const char *bad[] = {"", "v"};
    WG_CHECK_INT(wg_node_encode_attrs("ack", bad, 1, &out), WG_EINVAL);
    WG_CHECK_INT(wg_node_encode_attrs("", pairs, 1, &out), WG_EINVAL);
    WG_CHECK_INT((int)out.len, 0);
    wg_buf_free(&out);
}

static void test_tree_api(void)
{
    wg_node_t *n = wg_node_new("iq");
    wg_node_set_attr(n, "id", "1");
    wg_node_set_attr(n, "type", "get");
    wg_node_set_attr(n, "id", "2");
    WG_CHECK_STR(wg_node_attr(n, "id"), "2");
    WG_CHECK_INT(n->attr_count, 2);
    wg_node_set_attr(n, "id", NULL);
    WG_CHECK(wg_node_attr(n, "id") == NULL);
    WG_CHECK_INT(n->attr_count, 1);
    wg_node_t *ping = wg_node_add_child(n, wg_node_new("ping"));
    WG_CHECK(wg_node_child(n, "ping") == ping);
    WG_CHECK(wg_node_child(n, "pong") == NULL);
    wg_node_set_bytes(ping, "\x01\x02", 2);
    wg_buf_t s = WG_BUF_INIT;
    wg_node_to_string(n, &s);
    WG_CHECK_STR(wg_buf_cstr(&s), "<iq type=\"get\"><ping>[0102]</ping></iq>");
    wg_buf_free(&s);
    wg_buf_t out = WG_BUF_INIT;
    wg_node_t *bad = wg_node_new("");
    WG_CHECK_INT(wg_node_encode(bad, &out), WG_EINVAL);
    wg_node_free(bad);
    wg_node_free(n);
    wg_node_free(NULL);
    wg_buf_free(&out);
}

/* wg_node_copy: a deep copy that encodes to the same bytes (attribute order,
 * bytes, text, an empty child list) and shares no memory with the original. */
static void test_copy(void)
{
    wg_node_t *n = wg_node_new("message");
    wg_node_set_attr(n, "to", "123@s.whatsapp.net");
    wg_node_set_attr(n, "id", "3EB0AA");
    wg_node_t *enc = wg_node_add_child(n, wg_node_new("enc"));
    wg_node_set_attr(enc, "type", "msg");
    wg_node_set_bytes(enc, "\x00\x01\xff", 3);
    wg_node_set_list(wg_node_add_child(n, wg_node_new("participants")));
    wg_node_set_text(wg_node_add_child(n, wg_node_new("biz")), "result", 6);
    wg_node_add_child(n, wg_node_new("none"));
    wg_node_t *c = wg_node_copy(n);
    wg_buf_t a = WG_BUF_INIT, b = WG_BUF_INIT;
    WG_CHECK_INT(wg_node_encode(n, &a), 0);
    WG_CHECK_INT(wg_node_encode(c, &b), 0);
    WG_CHECK(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
    WG_CHECK(c->children[0] != enc && c->children[0]->data != enc->data);
    WG_CHECK_INT(c->children[1]->kind, WG_NODE_CHILDREN);
    WG_CHECK_INT(c->children[3]->kind, WG_NODE_NONE);
    wg_node_free(n); /* the copy outlives its original */
    wg_buf_reset(&b);
    WG_CHECK_INT(wg_node_encode(c, &b), 0);
    WG_CHECK(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
    wg_node_free(c);
    wg_buf_free(&a);
    wg_buf_free(&b);
}

/* The generated tables equal the canonical dictionary file. */
static void test_token_tables(void)
{
    char path[4096];
    const char *spec = getenv("WG_SHARED_SPEC");
    const char *src = getenv("WG_SOURCE_DIR");
    if (spec && *spec)
        snprintf(path, sizeof path, "%s/spec/wa-tokens.txt", spec);
    else
        snprintf(path, sizeof path, "%s/../shared/spec/wa-tokens.txt", src ? src : ".");
    FILE *f = fopen(path, "r");
    WG_CHECK(f != NULL);
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return;
    }
    char line[512];
    int checked = 0;
    while (fgets(line, sizeof line, f)) {
        char table[8], token[256] = "";
        unsigned index;
        if (line[0] == '#')
            continue;
        line[strcspn(line, "\n")] = 0;
        if (sscanf(line, "%7[^\t]\t%u\t%255[^\n]", table, &index, token) < 2)
            continue;
        unsigned code = 0;
        if (table[0] == 'S') {
            if (index == 0) {
                WG_CHECK(wg_tokens_single(0) == NULL);
                continue;
            }
            WG_CHECK_STR(wg_tokens_single(index), token);
            WG_CHECK_INT(wg_tokens_lookup(token, strlen(token), &code), 0);
            WG_CHECK_INT(code, index);
        } else {
            unsigned dict = (unsigned)(table[1] - '0');
            WG_CHECK_STR(wg_tokens_double(dict, index), token);
            WG_CHECK_INT(wg_tokens_lookup(token, strlen(token), &code), 0);
            WG_CHECK_INT(code, 256 * (dict + 1) + index);
        }
        checked++;
    }
    fclose(f);
    WG_CHECK_INT(checked, 235 + 1024);
    unsigned code;
    WG_CHECK_INT(wg_tokens_lookup("", 0, &code), WG_ENOTFOUND);
    WG_CHECK_INT(wg_tokens_lookup("no such token", 13, &code), WG_ENOTFOUND);
    WG_CHECK_INT(wg_tokens_lookup("iqx", 2, &code), 0); /* length-bounded: "iq" */
    /* the hash index: what differs from a token by one byte more, one byte
     * less or a changed last byte is found only when it is a token itself */
    for (unsigned c = 1; c < 256 + 4 * 256; c++) {
        const char *t = c < 256 ? wg_tokens_single(c) : wg_tokens_double(c / 256 - 1, c % 256);
        if (!t)
            continue;
        char v[300];
        size_t len = strlen(t);
        const char *forms[3];
        size_t lens[3];
        snprintf(v, sizeof v, "%s", t);
        forms[0] = v, lens[0] = len - 1; /* a prefix */
        char longer[300], changed[300];
        snprintf(longer, sizeof longer, "%s~", t);
        forms[1] = longer, lens[1] = len + 1;
        snprintf(changed, sizeof changed, "%s", t);
        changed[len - 1] = (char)(changed[len - 1] ^ 0x20);
        forms[2] = changed, lens[2] = len;
        for (int k = 0; k < 3; k++) {
            unsigned got = 0;
            if (wg_tokens_lookup(forms[k], lens[k], &got) != 0)
                continue;
            const char *back = got < 256 ? wg_tokens_single(got)
                                         : wg_tokens_double(got / 256 - 1, got % 256);
            WG_CHECK(back && strlen(back) == lens[k] && memcmp(back, forms[k], lens[k]) == 0);
        }
    }
    WG_CHECK_INT(wg_tokens_lookup("message", 7, &code), 0);
    WG_CHECK_INT(code, 19);
    WG_CHECK_INT(wg_tokens_lookup("messagf", 7, &code), WG_ENOTFOUND);
    char too_long[400];
    memset(too_long, 'a', sizeof too_long);
    WG_CHECK_INT(wg_tokens_lookup(too_long, sizeof too_long, &code), WG_ENOTFOUND);
    WG_CHECK(wg_tokens_single(236) == NULL && wg_tokens_double(4, 0) == NULL);
}

int main(void)
{
    vectors = wa_load_repo_vector("binnode.json");
    WG_CHECK(vectors != NULL);
    WG_CHECK_INT(json_integer_value(json_object_get(vectors, "dict_version")),
                 WG_TOKENS_DICT_VERSION);
    WG_RUN(test_encode_vectors);
    WG_RUN(test_decode_vectors);
    WG_RUN(test_malformed);
    WG_RUN(test_zlib);
    WG_RUN(test_our_jid_forms);
    WG_RUN(test_tree_api);
    WG_RUN(test_encode_attrs);
    WG_RUN(test_decoded_node_is_editable);
    WG_RUN(test_copy);
    WG_RUN(test_token_tables);
    json_decref(vectors);
    return wg_test_done() || wg_test_failures_ ? 1 : 0;
}
