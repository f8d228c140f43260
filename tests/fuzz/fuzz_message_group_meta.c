/* libFuzzer target: connd/message/group_meta's reader of the w:g2 group
 * metadata reply. The input is a binary node (frame plaintext without the
 * flags byte); whatever decodes is read for the group id it names and for a
 * fixed one. Anything accepted must have printable JIDs and a known mode;
 * it is cached and dropped again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "message/group_meta.h"
#include "wa/binnode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_for(const wg_node_t *n, const char *gid)
{
    wg_group_meta_t m;
    if (wg_group_meta_parse(n, gid, &m) != 0)
        return;
    if (strcmp(m.addressing_mode, "lid") != 0 && strcmp(m.addressing_mode, "pn") != 0)
        abort();
    for (size_t i = 0; i < m.n; i++)
        if (!strchr(m.participants[i], '@'))
            abort();
    wg_group_cache_put("fuzz", 1, &m);
    wg_group_cache_drop("fuzz", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wg_node_t *n = NULL;
    if (wg_node_decode_body(data, size, &n) != 0)
        return 0;
    read_for(n, "120363000000000001@g.us");
    const wg_node_t *g = wg_node_child(n, "group");
    const char *id = g ? wg_node_attr(g, "id") : NULL;
    if (id && strlen(id) < 100) {
        char gid[128];
        strcpy(gid, id);
        if (!strchr(gid, '@'))
            strcat(gid, "@g.us");
        read_for(n, gid);
    }
    wg_node_free(n);
    return 0;
}
