/* libFuzzer target: WABinary decoding of a frame plaintext (flag byte,
 * optional zlib). Anything accepted must re-encode; after one encode/decode
 * cycle (which may normalize like Baileys' decoder: ":0" devices, raw agents,
 * raw TEXT reading back as BYTES) the tree must be a fixed point. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wa/binnode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_tree(const wg_node_t *a, const wg_node_t *b)
{
    if (strcmp(a->tag, b->tag) != 0 || a->attr_count != b->attr_count)
        return 0;
    for (size_t i = 0; i < a->attr_count; i++)
        if (strcmp(a->attrs[i].key, b->attrs[i].key) ||
            strcmp(a->attrs[i].value, b->attrs[i].value))
            return 0;
    if (a->kind == WG_NODE_CHILDREN || b->kind == WG_NODE_CHILDREN) {
        if (a->kind != b->kind || a->child_count != b->child_count)
            return 0;
        for (size_t i = 0; i < a->child_count; i++)
            if (!same_tree(a->children[i], b->children[i]))
                return 0;
        return 1;
    }
    if (a->kind == WG_NODE_NONE || b->kind == WG_NODE_NONE)
        return a->kind == b->kind;
    if (a->data_len != b->data_len || (a->data_len && memcmp(a->data, b->data, a->data_len)))
        return 0;
    return 1; /* TEXT written raw reads back as BYTES, as in Baileys */
}

/* Encodes and decodes again; aborts if the encoder refuses a decoded tree. */
static wg_node_t *cycle(const wg_node_t *node)
{
    wg_buf_t out = WG_BUF_INIT;
    wg_node_t *again = NULL;
    if (wg_node_encode(node, &out) != 0 || wg_node_decode(out.p, out.len, 0, &again) != 0)
        abort();
    wg_buf_free(&out);
    return again;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wg_node_t *node = NULL;
    if (wg_node_decode(data, size, (size_t)1 << 20, &node) != 0)
        return 0;
    /* One cycle may normalize what Baileys' decoder normalizes (":0" devices,
     * raw agents); after that the codec must be a fixed point. */
    wg_node_t *once = cycle(node), *twice = cycle(once);
    if (!same_tree(once, twice))
        abort();
    wg_buf_t text = WG_BUF_INIT;
    wg_node_to_string(node, &text);
    wg_buf_free(&text);
    wg_node_free(twice);
    wg_node_free(once);
    wg_node_free(node);
    return 0;
}
