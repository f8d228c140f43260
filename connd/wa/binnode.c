/* WABinary node codec, dictionary v3 (wa-protocol.md §4 "Binary node
 * encoding"). Owns the node tree type and the wire forms: list headers,
 * tokens, NIBBLE_8/HEX_8 packing, JID_PAIR/AD_JID/FB_JID/INTEROP_JID, BINARY_n
 * and the zlib frame flag. It must never trust a length from the wire, never
 * recurse deeper than WG_NODE_MAX_DEPTH and never abort on input. */
#include "wa/binnode.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "wa/jid.h"
#include "wa/tokens.h"
#include "wg_alloc.h"
#include "wg_err.h"

/* Wire tags (wa-protocol.md §4.2). */
enum {
    TAG_LIST_EMPTY = 0,
    TAG_DICTIONARY_0 = 236,
    TAG_DICTIONARY_3 = 239,
    TAG_INTEROP_JID = 245,
    TAG_FB_JID = 246,
    TAG_AD_JID = 247,
    TAG_LIST_8 = 248,
    TAG_LIST_16 = 249,
    TAG_JID_PAIR = 250,
    TAG_HEX_8 = 251,
    TAG_BINARY_8 = 252,
    TAG_BINARY_20 = 253,
    TAG_BINARY_32 = 254,
    TAG_NIBBLE_8 = 255,
};
#define PACKED_MAX 127

/* ---- tree ---------------------------------------------------------------- */

wg_node_t *wg_node_new(const char *tag)
{
    wg_node_t *n = wg_calloc(1, sizeof *n);
    n->tag = wg_strdup(tag ? tag : "");
    return n;
}

static void clear_content(wg_node_t *n)
{
    for (size_t i = 0; i < n->child_count; i++)
        wg_node_free(n->children[i]);
    free(n->children);
    free(n->data);
    n->children = NULL;
    n->child_count = n->child_cap = 0;
    n->data = NULL;
    n->data_len = 0;
    n->kind = WG_NODE_NONE;
}

/* Frees a tag, key or value of n unless it lives in n's decoded text block. */
static void release(const wg_node_t *n, char *p)
{
    uintptr_t at = (uintptr_t)p, start = (uintptr_t)n->text;
    if (!n->text || at < start || at >= start + n->text_size)
        free(p);
}

void wg_node_free(wg_node_t *node)
{
    if (!node)
        return;
    clear_content(node);
    for (size_t i = 0; i < node->attr_count; i++) {
        release(node, node->attrs[i].key);
        release(node, node->attrs[i].value);
    }
    free(node->attrs);
    release(node, node->tag);
    free(node->text);
    free(node);
}

/* Appends an attribute without looking for duplicates (decoder: wire order). */
static void push_attr(wg_node_t *n, char *key, char *value)
{
    if (n->attr_count == n->attr_cap) {
        n->attr_cap = n->attr_cap ? n->attr_cap * 2 : 4;
        n->attrs = wg_realloc(n->attrs, n->attr_cap * sizeof *n->attrs);
    }
    n->attrs[n->attr_count].key = key;
    n->attrs[n->attr_count].value = value;
    n->attr_count++;
}

wg_node_t *wg_node_copy(const wg_node_t *node)
{
    wg_node_t *c = wg_node_new(node->tag);
    for (size_t i = 0; i < node->attr_count; i++)
        wg_node_set_attr(c, node->attrs[i].key, node->attrs[i].value);
    if (node->kind == WG_NODE_BYTES)
        wg_node_set_bytes(c, node->data, node->data_len);
    else if (node->kind == WG_NODE_TEXT)
        wg_node_set_text(c, (const char *)node->data, node->data_len);
    else if (node->kind == WG_NODE_CHILDREN) {
        wg_node_set_list(c);
        for (size_t i = 0; i < node->child_count; i++)
            wg_node_add_child(c, wg_node_copy(node->children[i]));
    }
    return c;
}

void wg_node_set_attr(wg_node_t *node, const char *key, const char *value)
{
    for (size_t i = 0; i < node->attr_count; i++) {
        if (strcmp(node->attrs[i].key, key) != 0)
            continue;
        release(node, node->attrs[i].value);
        if (value) {
            node->attrs[i].value = wg_strdup(value);
        } else {
            release(node, node->attrs[i].key);
            memmove(&node->attrs[i], &node->attrs[i + 1],
                    (node->attr_count - i - 1) * sizeof node->attrs[0]);
            node->attr_count--;
        }
        return;
    }
    if (value)
        push_attr(node, wg_strdup(key), wg_strdup(value));
}

const char *wg_node_attr(const wg_node_t *node, const char *key)
{
    for (size_t i = 0; i < node->attr_count; i++)
        if (strcmp(node->attrs[i].key, key) == 0)
            return node->attrs[i].value;
    return NULL;
}

static void set_data(wg_node_t *n, wg_node_kind_t kind, const void *p, size_t len)
{
    clear_content(n);
    n->data = wg_malloc(len + 1);
    if (len)
        memcpy(n->data, p, len);
    n->data[len] = 0;
    n->data_len = len;
    n->kind = kind;
}

void wg_node_set_bytes(wg_node_t *node, const void *p, size_t len)
{
    set_data(node, WG_NODE_BYTES, p, len);
}

void wg_node_set_text(wg_node_t *node, const char *s, size_t len)
{
    set_data(node, WG_NODE_TEXT, s, len);
}

void wg_node_set_list(wg_node_t *node)
{
    clear_content(node);
    node->kind = WG_NODE_CHILDREN;
}

wg_node_t *wg_node_add_child(wg_node_t *node, wg_node_t *child)
{
    if (node->kind != WG_NODE_CHILDREN)
        wg_node_set_list(node);
    if (node->child_count == node->child_cap) {
        node->child_cap = node->child_cap ? node->child_cap * 2 : 4;
        node->children = wg_realloc(node->children, node->child_cap * sizeof *node->children);
    }
    node->children[node->child_count++] = child;
    return child;
}

wg_node_t *wg_node_child(const wg_node_t *node, const char *tag)
{
    if (node->kind != WG_NODE_CHILDREN)
        return NULL;
    for (size_t i = 0; i < node->child_count; i++)
        if (strcmp(node->children[i]->tag, tag) == 0)
            return node->children[i];
    return NULL;
}

/* ---- encoder ------------------------------------------------------------- */

static void put_byte(wg_buf_t *out, unsigned b)
{
    wg_buf_append_byte(out, (uint8_t)b);
}

static int put_list_start(wg_buf_t *out, size_t n)
{
    if (n == 0) {
        put_byte(out, TAG_LIST_EMPTY);
    } else if (n < 256) {
        put_byte(out, TAG_LIST_8);
        put_byte(out, (unsigned)n);
    } else if (n <= 0xFFFF) {
        put_byte(out, TAG_LIST_16);
        put_byte(out, (unsigned)(n >> 8));
        put_byte(out, (unsigned)(n & 0xFF));
    } else {
        return WG_ETOOBIG;
    }
    return 0;
}

/* BINARY_8/20/32 header + bytes: the smallest form that fits. */
static int put_binary(wg_buf_t *out, const uint8_t *p, size_t len)
{
    if (len < 256) {
        put_byte(out, TAG_BINARY_8);
        put_byte(out, (unsigned)len);
    } else if (len < ((size_t)1 << 20)) {
        uint8_t h[4] = {TAG_BINARY_20, (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len};
        wg_buf_append(out, h, 4);
    } else if ((uint64_t)len <= 0xFFFFFFFFu) {
        uint8_t h[5] = {TAG_BINARY_32, (uint8_t)(len >> 24), (uint8_t)(len >> 16),
                        (uint8_t)(len >> 8), (uint8_t)len};
        wg_buf_append(out, h, 5);
    } else {
        return WG_ETOOBIG;
    }
    if (len)
        wg_buf_append(out, p, len);
    return 0;
}

/* Nibble value of c for NIBBLE_8 (0-9 - .) or HEX_8 (0-9 A-F), or -1. */
static int nibble_of(int tag, char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (tag == TAG_NIBBLE_8)
        return c == '-' ? 10 : c == '.' ? 11 : -1;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool packable(int tag, const char *s, size_t len)
{
    if (len == 0 || len > PACKED_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (nibble_of(tag, s[i]) < 0)
            return false;
    return true;
}

static void put_packed(wg_buf_t *out, int tag, const char *s, size_t len)
{
    put_byte(out, (unsigned)tag);
    put_byte(out, (unsigned)((len + 1) / 2) | (len % 2 ? 0x80u : 0u));
    for (size_t i = 0; i + 1 < len; i += 2)
        put_byte(out, (unsigned)(nibble_of(tag, s[i]) << 4 | nibble_of(tag, s[i + 1])));
    if (len % 2)
        put_byte(out, (unsigned)(nibble_of(tag, s[len - 1]) << 4 | 0x0F));
}

static int put_string(wg_buf_t *out, const char *s, size_t len, bool allow_jid);

/* The wire form a JID takes, or JID_RAW when no JID tag can carry it
 * without loss (then the caller writes the text raw). */
typedef enum { JID_RAW, JID_PAIR, JID_AD, JID_FB, JID_INTEROP } jid_form_t;

static jid_form_t jid_form(const wg_jid_t *j)
{
    bool msgr = strcmp(j->server, WG_JID_SERVER_MESSENGER) == 0;
    bool interop = strcmp(j->server, WG_JID_SERVER_INTEROP) == 0;
    if (j->has_integrator)
        return (interop && j->has_device && !j->has_agent) ? JID_INTEROP : JID_RAW;
    if (!j->has_device && !j->has_agent)
        return JID_PAIR;
    if (msgr && j->has_device && !j->has_agent)
        return JID_FB;
    if (j->has_agent) {
        /* The agent shares the domain byte; these values would read back as
         * another server. */
        if (j->agent == WG_JID_DOMAIN_WHATSAPP || j->agent == WG_JID_DOMAIN_LID ||
            j->agent == WG_JID_DOMAIN_HOSTED || j->agent == WG_JID_DOMAIN_HOSTED_LID)
            return JID_RAW;
    }
    if (j->device > 255)
        return JID_RAW;
    if (strcmp(j->server, WG_JID_SERVER_USER) == 0 || strcmp(j->server, WG_JID_SERVER_LID) == 0 ||
        strcmp(j->server, WG_JID_SERVER_HOSTED) == 0 ||
        strcmp(j->server, WG_JID_SERVER_HOSTED_LID) == 0)
        return JID_AD;
    return JID_RAW;
}

static void put_u16(wg_buf_t *out, unsigned v)
{
    put_byte(out, v >> 8);
    put_byte(out, v & 0xFF);
}

static char *put_decimal(char *p, unsigned v)
{
    char digits[10];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n)
        *p++ = digits[--n];
    return p;
}

/* Whether s[0..len) is the canonical text of j: what wg_jid_format writes,
 * built on the stack (this runs for every JID-looking string encoded). */
static bool canonical(const wg_jid_t *j, const char *s, size_t len)
{
    char text[WG_JID_USER_MAX + WG_JID_SERVER_MAX + 3 * 12];
    char *p = text;
    if (j->has_integrator)
        p = put_decimal(p, j->integrator), *p++ = '-';
    size_t user_len = strlen(j->user);
    memcpy(p, j->user, user_len);
    p += user_len;
    if (j->has_agent)
        *p++ = '_', p = put_decimal(p, j->agent);
    if (j->has_device)
        *p++ = ':', p = put_decimal(p, j->device);
    *p++ = '@';
    size_t server_len = strlen(j->server);
    memcpy(p, j->server, server_len);
    p += server_len;
    return (size_t)(p - text) == len && memcmp(text, s, len) == 0;
}

/* Writes s as a JID if it is one that reads back identically; returns 1 if
 * written, 0 if the caller should write it raw. */
static int put_jid(wg_buf_t *out, const char *s, size_t len)
{
    wg_jid_t j;
    if (!memchr(s, '@', len) || wg_jid_parse(s, len, &j) != 0)
        return 0;
    jid_form_t form = canonical(&j, s, len) ? jid_form(&j) : JID_RAW;
    size_t user_len = strlen(j.user), server_len = strlen(j.server);
    switch (form) {
    case JID_RAW:
        return 0;
    case JID_PAIR:
        put_byte(out, TAG_JID_PAIR);
        if (user_len == 0)
            put_byte(out, TAG_LIST_EMPTY);
        else
            put_string(out, j.user, user_len, false);
        put_string(out, j.server, server_len, false);
        return 1;
    case JID_AD:
        put_byte(out, TAG_AD_JID);
        put_byte(out, wg_jid_domain_type(&j));
        put_byte(out, j.device);
        put_string(out, j.user, user_len, false);
        return 1;
    case JID_FB:
        put_byte(out, TAG_FB_JID);
        put_string(out, j.user, user_len, false);
        put_u16(out, j.device);
        put_string(out, j.server, server_len, false);
        return 1;
    case JID_INTEROP:
        put_byte(out, TAG_INTEROP_JID);
        put_string(out, j.user, user_len, false);
        put_u16(out, j.device);
        put_u16(out, j.integrator);
        put_string(out, j.server, server_len, false);
        return 1;
    }
    return 0;
}

/* String forms in Baileys' order (wa-protocol.md §4.3 "String encoding order"). */
static int put_string(wg_buf_t *out, const char *s, size_t len, bool allow_jid)
{
    unsigned code;
    if (len == 0)
        return put_binary(out, NULL, 0);
    if (wg_tokens_lookup(s, len, &code) == 0) {
        if (code >= 256)
            put_byte(out, TAG_DICTIONARY_0 + (code >> 8) - 1);
        put_byte(out, code & 0xFF);
        return 0;
    }
    if (packable(TAG_NIBBLE_8, s, len)) {
        put_packed(out, TAG_NIBBLE_8, s, len);
        return 0;
    }
    if (packable(TAG_HEX_8, s, len)) {
        put_packed(out, TAG_HEX_8, s, len);
        return 0;
    }
    if (allow_jid && put_jid(out, s, len))
        return 0;
    return put_binary(out, (const uint8_t *)s, len);
}

static int encode_node(const wg_node_t *n, wg_buf_t *out, int depth)
{
    if (depth > WG_NODE_MAX_DEPTH || !n->tag || !n->tag[0])
        return WG_EINVAL;
    size_t attrs = 0;
    for (size_t i = 0; i < n->attr_count; i++) {
        if (!n->attrs[i].key || !n->attrs[i].key[0])
            return WG_EINVAL;
        if (n->attrs[i].value)
            attrs++;
    }
    if (attrs > 0x7FFE)
        return WG_ETOOBIG;
    int rc = put_list_start(out, 2 * attrs + 1 + (n->kind != WG_NODE_NONE ? 1 : 0));
    if (rc)
        return rc;
    put_string(out, n->tag, strlen(n->tag), true);
    for (size_t i = 0; i < n->attr_count; i++) {
        if (!n->attrs[i].value)
            continue;
        put_string(out, n->attrs[i].key, strlen(n->attrs[i].key), true);
        put_string(out, n->attrs[i].value, strlen(n->attrs[i].value), true);
    }
    switch (n->kind) {
    case WG_NODE_NONE:
        return 0;
    case WG_NODE_BYTES:
        return put_binary(out, n->data, n->data_len);
    case WG_NODE_TEXT:
        return put_string(out, (const char *)n->data, n->data_len, true);
    case WG_NODE_CHILDREN:
        rc = put_list_start(out, n->child_count);
        for (size_t i = 0; rc == 0 && i < n->child_count; i++)
            rc = encode_node(n->children[i], out, depth + 1);
        return rc;
    }
    return WG_EINVAL;
}

int wg_node_encode_attrs(const char *tag, const char *const *pairs, size_t n, wg_buf_t *out)
{
    if (!tag || !tag[0])
        return WG_EINVAL;
    size_t attrs = 0;
    for (size_t i = 0; i < n; i++) {
        if (!pairs[2 * i] || !pairs[2 * i][0])
            return WG_EINVAL;
        if (pairs[2 * i + 1])
            attrs++;
    }
    if (attrs > 0x7FFE)
        return WG_ETOOBIG;
    put_byte(out, 0x00); /* frame flag: uncompressed (§4.1) */
    put_list_start(out, 2 * attrs + 1);
    put_string(out, tag, strlen(tag), true);
    for (size_t i = 0; i < n; i++) {
        if (!pairs[2 * i + 1])
            continue;
        put_string(out, pairs[2 * i], strlen(pairs[2 * i]), true);
        put_string(out, pairs[2 * i + 1], strlen(pairs[2 * i + 1]), true);
    }
    return 0;
}

int wg_node_encode(const wg_node_t *node, wg_buf_t *out)
{
    put_byte(out, 0x00); /* frame flag: uncompressed (§4.1) */
    return encode_node(node, out, 1);
}

/* ---- decoder ------------------------------------------------------------- */

typedef struct {
    const uint8_t *p; /* body bytes, borrowed */
    size_t len;       /* body length */
    size_t pos;       /* next unread byte */
} reader_t;

static int get_byte(reader_t *r, unsigned *b)
{
    if (r->pos >= r->len)
        return WG_EPROTO;
    *b = r->p[r->pos++];
    return 0;
}

static int get_uint(reader_t *r, int n, size_t *v)
{
    if (r->len - r->pos < (size_t)n)
        return WG_EPROTO;
    size_t x = 0;
    for (int i = 0; i < n; i++)
        x = x << 8 | r->p[r->pos++];
    *v = x;
    return 0;
}

static int get_bytes(reader_t *r, size_t n, const uint8_t **p)
{
    if (r->len - r->pos < n)
        return WG_EPROTO;
    *p = r->p + r->pos;
    r->pos += n;
    return 0;
}

/* Length of a BINARY_8/20/32 payload; BINARY_20 ignores the top nibble of its
 * first byte like both reference decoders. */
static int get_binary_len(reader_t *r, unsigned tag, size_t *len)
{
    switch (tag) {
    case TAG_BINARY_8:
        return get_uint(r, 1, len);
    case TAG_BINARY_20: {
        int rc = get_uint(r, 3, len);
        *len &= 0xFFFFF;
        return rc;
    }
    case TAG_BINARY_32:
        return get_uint(r, 4, len);
    }
    return WG_EPROTO;
}

static int get_packed(reader_t *r, unsigned tag, wg_buf_t *out)
{
    static const char nibble_chars[16] = "0123456789-.";
    static const char hex_chars[16] = "0123456789ABCDEF";
    unsigned start;
    int rc = get_byte(r, &start);
    if (rc)
        return rc;
    size_t count = start & 0x7F;
    bool odd = start & 0x80;
    const uint8_t *p;
    if ((rc = get_bytes(r, count, &p)))
        return rc;
    for (size_t i = 0; i < count * 2; i++) {
        unsigned v = (i % 2 ? p[i / 2] : p[i / 2] >> 4) & 0x0F;
        if (odd && i == count * 2 - 1)
            break; /* the flagged last character is dropped, whatever it is */
        if (tag == TAG_NIBBLE_8 && v > 11)
            return WG_EPROTO; /* 12..14 invalid; 15 is only padding */
        wg_buf_append_byte(out, (uint8_t)(tag == TAG_NIBBLE_8 ? nibble_chars[v] : hex_chars[v]));
    }
    return 0;
}

static int get_string(reader_t *r, unsigned tag, wg_buf_t *out, bool allow_jid);

/* A JID part: any string form except another JID (bounds recursion). */
static int get_jid_part(reader_t *r, wg_buf_t *out)
{
    unsigned tag;
    int rc = get_byte(r, &tag);
    return rc ? rc : get_string(r, tag, out, false);
}

static const char *ad_server(unsigned domain)
{
    switch (domain) {
    case WG_JID_DOMAIN_LID:
        return WG_JID_SERVER_LID;
    case WG_JID_DOMAIN_HOSTED:
        return WG_JID_SERVER_HOSTED;
    case WG_JID_DOMAIN_HOSTED_LID:
        return WG_JID_SERVER_HOSTED_LID;
    default:
        return WG_JID_SERVER_USER; /* 0, or a raw agent Baileys drops */
    }
}

static int get_jid_other(reader_t *r, unsigned tag, wg_buf_t *out);

/* Appends the next JID part to out; a NUL inside it would make the text
 * ambiguous. */
static int append_jid_part(reader_t *r, wg_buf_t *out)
{
    size_t start = out->len;
    int rc = get_jid_part(r, out);
    if (rc == 0 && out->len > start && memchr(out->p + start, 0, out->len - start))
        rc = WG_EPROTO;
    return rc;
}

/* The JID forms of every stanza (JID_PAIR, AD_JID) are written straight into
 * out; on an error out may hold part of the text (the caller drops it). */
static int get_jid(reader_t *r, unsigned tag, wg_buf_t *out)
{
    int rc;
    unsigned domain = 0, dev8 = 0;
    if (tag == TAG_JID_PAIR) {
        if ((rc = append_jid_part(r, out)))
            return rc;
        wg_buf_append_byte(out, '@');
        size_t server = out->len;
        if ((rc = append_jid_part(r, out)))
            return rc;
        return out->len > server ? 0 : WG_EPROTO;
    }
    if (tag == TAG_AD_JID) {
        if ((rc = get_byte(r, &domain)) || (rc = get_byte(r, &dev8)) ||
            (rc = append_jid_part(r, out)))
            return rc;
        /* Baileys' jidEncode: device 0 is not written. */
        if (dev8) {
            char digits[5] = {':'};
            size_t n = 1;
            if (dev8 >= 100)
                digits[n++] = (char)('0' + dev8 / 100);
            if (dev8 >= 10)
                digits[n++] = (char)('0' + dev8 / 10 % 10);
            digits[n++] = (char)('0' + dev8 % 10);
            wg_buf_append(out, digits, n);
        }
        wg_buf_append_byte(out, '@');
        wg_buf_append_str(out, ad_server(domain));
        return 0;
    }
    return get_jid_other(r, tag, out);
}

/* FB_JID and INTEROP_JID: rare, their text order differs from the wire's. */
static int get_jid_other(reader_t *r, unsigned tag, wg_buf_t *out)
{
    wg_buf_t user = WG_BUF_INIT, server = WG_BUF_INIT;
    size_t device = 0, integrator = 0;
    int rc = 0;
    switch (tag) {
    case TAG_FB_JID:
        if ((rc = get_jid_part(r, &user)) || (rc = get_uint(r, 2, &device)) ||
            (rc = get_jid_part(r, &server)))
            break;
        wg_buf_printf(out, "%s:%zu@%s", wg_buf_cstr(&user), device, wg_buf_cstr(&server));
        break;
    case TAG_INTEROP_JID:
        if ((rc = get_jid_part(r, &user)) || (rc = get_uint(r, 2, &device)) ||
            (rc = get_uint(r, 2, &integrator)) || (rc = get_jid_part(r, &server)))
            break;
        wg_buf_printf(out, "%zu-%s:%zu@%s", integrator, wg_buf_cstr(&user), device,
                      wg_buf_cstr(&server));
        break;
    default:
        rc = WG_EPROTO;
    }
    /* A NUL inside a part would make the text ambiguous. */
    if (rc == 0 && (memchr(user.p ? user.p : (const uint8_t *)"", 0, user.len) ||
                    memchr(server.p ? server.p : (const uint8_t *)"", 0, server.len)))
        rc = WG_EPROTO;
    wg_buf_free(&user);
    wg_buf_free(&server);
    return rc;
}

/* Appends the string that tag (already read) introduces. */
static int get_string(reader_t *r, unsigned tag, wg_buf_t *out, bool allow_jid)
{
    size_t len;
    const uint8_t *p;
    unsigned index;
    int rc;
    const char *token;
    if (tag >= 1 && tag < WG_TOKENS_SINGLE_COUNT) {
        if (!(token = wg_tokens_single(tag)))
            return WG_EPROTO;
        wg_buf_append_str(out, token);
        return 0;
    }
    switch (tag) {
    case TAG_LIST_EMPTY:
        return 0;
    case TAG_DICTIONARY_0:
    case TAG_DICTIONARY_0 + 1:
    case TAG_DICTIONARY_0 + 2:
    case TAG_DICTIONARY_3:
        if ((rc = get_byte(r, &index)))
            return rc;
        if (!(token = wg_tokens_double(tag - TAG_DICTIONARY_0, index)))
            return WG_EPROTO;
        wg_buf_append_str(out, token);
        return 0;
    case TAG_BINARY_8:
    case TAG_BINARY_20:
    case TAG_BINARY_32:
        if ((rc = get_binary_len(r, tag, &len)) || (rc = get_bytes(r, len, &p)))
            return rc;
        if (len)
            wg_buf_append(out, p, len);
        return 0;
    case TAG_NIBBLE_8:
    case TAG_HEX_8:
        return get_packed(r, tag, out);
    case TAG_JID_PAIR:
    case TAG_AD_JID:
    case TAG_FB_JID:
    case TAG_INTEROP_JID:
        return allow_jid ? get_jid(r, tag, out) : WG_EPROTO;
    }
    return WG_EPROTO;
}

static int get_list_size(reader_t *r, unsigned tag, size_t *n)
{
    switch (tag) {
    case TAG_LIST_EMPTY:
        *n = 0;
        return 0;
    case TAG_LIST_8:
        return get_uint(r, 1, n);
    case TAG_LIST_16:
        return get_uint(r, 2, n);
    }
    return WG_EPROTO;
}

/* Appends the next string and its NUL to text; *at = where it starts.
 * Rejects embedded NULs. */
static int get_text(reader_t *r, wg_buf_t *text, size_t *at)
{
    unsigned tag;
    *at = text->len;
    int rc = get_byte(r, &tag);
    if (rc == 0)
        rc = get_string(r, tag, text, true);
    if (rc == 0 && memchr(text->p + *at, 0, text->len - *at))
        rc = WG_EPROTO;
    if (rc == 0)
        wg_buf_append_byte(text, 0);
    return rc;
}

#define STACK_ATTRS 16 /* attributes whose offsets decode_node keeps on the stack */

/* A node's tag, keys and values are read into one block (n->text): a
 * received stanza costs a few allocations, not two per attribute. */
static int decode_node(reader_t *r, int depth, wg_node_t **out)
{
    unsigned tag;
    size_t size;
    wg_node_t *n = NULL;
    wg_buf_t text = WG_BUF_INIT;
    size_t stack_at[1 + 2 * STACK_ATTRS], *at = stack_at;
    int rc;
    if (depth > WG_NODE_MAX_DEPTH)
        return WG_EPROTO;
    if ((rc = get_byte(r, &tag)) || (rc = get_list_size(r, tag, &size)))
        return rc;
    if (size == 0)
        return WG_EPROTO;
    size_t attrs = (size - 1) / 2;
    /* every attribute takes at least 2 bytes: refuse impossible counts early */
    if (attrs > (r->len - r->pos) / 2)
        return WG_EPROTO;
    if (attrs > STACK_ATTRS)
        at = wg_malloc((1 + 2 * attrs) * sizeof *at);
    wg_buf_reserve(&text, 128);
    if ((rc = get_text(r, &text, &at[0])))
        goto strings_done;
    if (!text.p[at[0]]) {
        rc = WG_EPROTO;
        goto strings_done;
    }
    for (size_t i = 0; i < attrs; i++) {
        if ((rc = get_text(r, &text, &at[1 + 2 * i])))
            goto strings_done;
        if (!text.p[at[1 + 2 * i]]) { /* Baileys keeps attrs[""]; a nameless attribute is malformed here */
            rc = WG_EPROTO;
            goto strings_done;
        }
        if ((rc = get_text(r, &text, &at[2 + 2 * i])))
            goto strings_done;
    }
    n = wg_calloc(1, sizeof *n);
    n->text_size = text.len;
    n->text = wg_buf_steal(&text);
    n->tag = n->text + at[0];
    if (attrs) {
        n->attrs = wg_malloc(attrs * sizeof *n->attrs);
        n->attr_cap = n->attr_count = attrs;
        for (size_t i = 0; i < attrs; i++) {
            n->attrs[i].key = n->text + at[1 + 2 * i];
            n->attrs[i].value = n->text + at[2 + 2 * i];
        }
    }
strings_done:
    if (at != stack_at)
        free(at);
    wg_buf_free(&text);
    if (rc)
        return rc;
    if (size % 2 == 1)
        goto done;
    if ((rc = get_byte(r, &tag)))
        goto done;
    if (tag == TAG_LIST_EMPTY || tag == TAG_LIST_8 || tag == TAG_LIST_16) {
        size_t count;
        if ((rc = get_list_size(r, tag, &count)))
            goto done;
        /* Every child takes at least 2 bytes: refuse impossible counts early. */
        if (count > (r->len - r->pos) / 2) {
            rc = WG_EPROTO;
            goto done;
        }
        wg_node_set_list(n);
        for (size_t i = 0; i < count; i++) {
            wg_node_t *child = NULL;
            if ((rc = decode_node(r, depth + 1, &child)))
                goto done;
            wg_node_add_child(n, child);
        }
    } else if (tag == TAG_BINARY_8 || tag == TAG_BINARY_20 || tag == TAG_BINARY_32) {
        size_t len;
        const uint8_t *p;
        if ((rc = get_binary_len(r, tag, &len)) || (rc = get_bytes(r, len, &p)))
            goto done;
        wg_node_set_bytes(n, p, len);
    } else {
        wg_buf_t content = WG_BUF_INIT;
        if ((rc = get_string(r, tag, &content, true))) {
            wg_buf_free(&content);
            goto done;
        }
        wg_node_set_text(n, (const char *)content.p, content.len);
        wg_buf_free(&content);
    }
done:
    if (rc) {
        wg_node_free(n);
        return rc;
    }
    *out = n;
    return 0;
}

int wg_node_decode_body(const uint8_t *p, size_t len, wg_node_t **out)
{
    reader_t r = {p, len, 0};
    wg_node_t *n = NULL;
    *out = NULL;
    int rc = decode_node(&r, 1, &n);
    if (rc == 0 && r.pos != r.len) {
        wg_node_free(n);
        return WG_EPROTO; /* trailing bytes */
    }
    if (rc == 0)
        *out = n;
    return rc;
}

/* Inflates an RFC 1950 stream into out, refusing more than max bytes and
 * anything after the end of the stream. */
static int inflate_body(const uint8_t *p, size_t len, size_t max, wg_buf_t *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK)
        return WG_EPROTO;
    int rc = 0, zrc = Z_OK;
    z.next_in = (Bytef *)(uintptr_t)p;
    while (zrc != Z_STREAM_END) {
        if (z.avail_in == 0) {
            size_t chunk = len - (size_t)((const uint8_t *)z.next_in - p);
            if (chunk == 0) {
                rc = WG_EPROTO; /* truncated stream */
                break;
            }
            z.avail_in = chunk > 0x40000000u ? 0x40000000u : (uInt)chunk;
        }
        if (out->len >= max) {
            rc = WG_ETOOBIG;
            break;
        }
        size_t room = max - out->len < 65536 ? max - out->len : 65536;
        wg_buf_reserve(out, room);
        z.next_out = out->p + out->len;
        z.avail_out = (uInt)room;
        zrc = inflate(&z, Z_NO_FLUSH);
        out->len += room - z.avail_out;
        out->p[out->len] = 0;
        if (zrc != Z_OK && zrc != Z_STREAM_END) {
            rc = WG_EPROTO;
            break;
        }
    }
    if (rc == 0 && (z.avail_in != 0 || (size_t)((const uint8_t *)z.next_in - p) != len))
        rc = WG_EPROTO; /* bytes after the zlib stream */
    inflateEnd(&z);
    return rc;
}

int wg_node_decode(const uint8_t *p, size_t len, size_t max_inflated, wg_node_t **out)
{
    *out = NULL;
    if (len < 1)
        return WG_EPROTO;
    if (!(p[0] & WG_NODE_FLAG_COMPRESSED))
        return wg_node_decode_body(p + 1, len - 1, out);
    wg_buf_t body = WG_BUF_INIT;
    int rc =
        inflate_body(p + 1, len - 1, max_inflated ? max_inflated : WG_NODE_MAX_INFLATED, &body);
    if (rc == 0)
        rc = wg_node_decode_body(body.p, body.len, out);
    wg_buf_free(&body);
    return rc;
}

/* ---- rendering ----------------------------------------------------------- */

static void render(const wg_node_t *n, wg_buf_t *out, int depth)
{
    wg_buf_printf(out, "<%s", n->tag);
    for (size_t i = 0; i < n->attr_count; i++)
        wg_buf_printf(out, " %s=\"%s\"", n->attrs[i].key, n->attrs[i].value);
    if (n->kind == WG_NODE_NONE) {
        wg_buf_append_str(out, "/>");
        return;
    }
    wg_buf_append_byte(out, '>');
    if (n->kind == WG_NODE_TEXT) {
        wg_buf_append(out, n->data, n->data_len);
    } else if (n->kind == WG_NODE_BYTES) {
        wg_buf_append_byte(out, '[');
        for (size_t i = 0; i < n->data_len; i++)
            wg_buf_printf(out, "%02x", n->data[i]);
        wg_buf_append_byte(out, ']');
    } else if (depth < WG_NODE_MAX_DEPTH) {
        for (size_t i = 0; i < n->child_count; i++)
            render(n->children[i], out, depth + 1);
    } else {
        wg_buf_append_str(out, "...");
    }
    wg_buf_printf(out, "</%s>", n->tag);
}

void wg_node_to_string(const wg_node_t *node, wg_buf_t *out)
{
    render(node, out, 1);
}
