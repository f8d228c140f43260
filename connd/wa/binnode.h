/* WhatsApp binary nodes (WABinary, dictionary v3; wa-protocol.md §4): the
 * node tree type, and its encoder and decoder. Bytes in, trees out: it never
 * sees a socket or a Noise state. The decoder treats its input as hostile:
 * malformed bytes give an error, never a crash, and recursion is bounded by
 * WG_NODE_MAX_DEPTH. Not thread-safe per tree; separate trees are independent. */
#ifndef WG_WA_BINNODE_H
#define WG_WA_BINNODE_H
#include <stddef.h>
#include <stdint.h>

#include "wg_buf.h"

#define WG_NODE_MAX_DEPTH 64                    /* nesting accepted by decode and encode */
#define WG_NODE_MAX_INFLATED ((size_t)32 << 20) /* default cap on a zlib-inflated body */
#define WG_NODE_FLAG_COMPRESSED 0x02            /* frame flag bit: body is zlib (RFC 1950) */

typedef enum {
    WG_NODE_NONE = 0, /* no content */
    WG_NODE_BYTES,    /* binary content (BINARY_8/20/32 on the wire) */
    WG_NODE_TEXT,     /* string content: token, packed or JID (other text is written
                       * as BINARY and reads back as BYTES, as in Baileys) */
    WG_NODE_CHILDREN, /* a list of child nodes (possibly empty) */
} wg_node_kind_t;

typedef struct {
    char *key;   /* owned (or in the node's text), NUL-terminated, non-empty */
    char *value; /* owned (or in the node's text), NUL-terminated, may be "" */
} wg_node_attr_t;

typedef struct wg_node {
    char *tag;                 /* owned (or in text), non-empty */
    wg_node_attr_t *attrs;     /* owned array, in wire order */
    size_t attr_count;         /* used entries of attrs */
    size_t attr_cap;           /* allocated entries of attrs */
    wg_node_kind_t kind;       /* which content field is meaningful */
    uint8_t *data;             /* BYTES/TEXT: owned, NUL-terminated for convenience */
    size_t data_len;           /* BYTES/TEXT: length without that NUL */
    struct wg_node **children; /* CHILDREN: owned array of owned nodes */
    size_t child_count;        /* CHILDREN: used entries */
    size_t child_cap;          /* CHILDREN: allocated entries */
    char *text;                /* decoded node: owned block holding its tag, keys and values
                                * (freed whole, not string by string); NULL otherwise */
    size_t text_size;          /* bytes of text */
} wg_node_t;

/* A new node with a copy of tag and no content. Never NULL (aborts on OOM).
 * The caller frees it with wg_node_free. */
wg_node_t *wg_node_new(const char *tag);
/* Frees the node, its attributes and its whole subtree. NULL is a no-op. */
void wg_node_free(wg_node_t *node);
/* A deep copy of node (tag, attributes in order, content, an empty child
 * list stays one). Never NULL; the caller frees it with wg_node_free. */
wg_node_t *wg_node_copy(const wg_node_t *node);

/* Sets key=value (copies both), replacing an existing key in place.
 * value NULL removes the key (like Baileys' undefined attributes). */
void wg_node_set_attr(wg_node_t *node, const char *key, const char *value);
/* The value of key (borrowed from the node), or NULL. */
const char *wg_node_attr(const wg_node_t *node, const char *key);

/* Replaces the content with a copy of p[0..len), as BYTES or TEXT. */
void wg_node_set_bytes(wg_node_t *node, const void *p, size_t len);
void wg_node_set_text(wg_node_t *node, const char *s, size_t len);
/* Replaces the content with an empty child list (encoded as LIST_EMPTY). */
void wg_node_set_list(wg_node_t *node);
/* Appends child (ownership passes to node), turning the content into a child
 * list first if it was not one. Returns child. */
wg_node_t *wg_node_add_child(wg_node_t *node, wg_node_t *child);
/* First child with this tag (borrowed), or NULL. */
wg_node_t *wg_node_child(const wg_node_t *node, const char *tag);

/* Appends the frame plaintext flag(0x00) || node to out, choosing string
 * forms like Baileys 7 encodeBinaryNode: token, double-byte token, NIBBLE_8,
 * HEX_8, JID (a string with '@' that parses as a canonical JID), raw bytes.
 * Differences from Baileys, on inputs Baileys encodes lossily: a '@' string
 * that is not a canonical JID is written raw; msgr/interop JIDs use FB_JID /
 * INTEROP_JID; a device JID on a server AD_JID cannot name is written raw.
 * Returns 0, WG_EINVAL (empty tag or key, depth over WG_NODE_MAX_DEPTH),
 * WG_ETOOBIG (list over 65535 entries, content over 4 GiB); out may then hold
 * a partial encoding after its old length. May reallocate out. */
int wg_node_encode(const wg_node_t *node, wg_buf_t *out);

/* The same bytes as wg_node_encode of a node with this tag, the attributes
 * pairs[0..2n) (key, value; a NULL value is left out, like a removed
 * attribute) in that order and no content, without building the node: for
 * the receipts and acks sent for every message. Returns 0 or WG_EINVAL (empty
 * tag or key), WG_ETOOBIG as wg_node_encode. May reallocate out. */
int wg_node_encode_attrs(const char *tag, const char *const *pairs, size_t n, wg_buf_t *out);

/* Decodes one frame plaintext: flag byte, then the node body, inflated first
 * when flag & WG_NODE_FLAG_COMPRESSED. max_inflated caps the inflated size
 * (0 means WG_NODE_MAX_INFLATED). On success returns 0 and *out (caller frees
 * with wg_node_free). Returns WG_EPROTO for malformed or trailing bytes
 * (also an empty tag or attribute key, a NUL inside a tag, key or value),
 * WG_ETOOBIG for a body over the cap, leaving *out NULL. */
int wg_node_decode(const uint8_t *p, size_t len, size_t max_inflated, wg_node_t **out);
/* Decoded text follows Baileys 7's decoder: BINARY_n content is BYTES, every
 * other string form TEXT; AD_JID drops device 0 and an unknown domain byte
 * (raw agent); FB_JID reads "user:device@server", INTEROP_JID
 * "integrator-user:device@server". Stricter than Baileys: a JID inside a JID,
 * nibbles 12-14, a pad nibble before the end, trailing bytes after the node
 * or after the zlib stream, and a missing INTEROP_JID server are errors;
 * duplicate attribute keys are kept in wire order. */
/* Decodes exactly one node body (no flag byte); same contract. */
int wg_node_decode_body(const uint8_t *p, size_t len, wg_node_t **out);

/* Appends a one-line XML-like rendering for logs and tests:
 * <tag k="v">text</tag>, bytes as hex in [], children inline. May reallocate. */
void wg_node_to_string(const wg_node_t *node, wg_buf_t *out);

#endif
