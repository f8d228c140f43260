/* Profile picture query and answer (see picture.h). */
#include "wa/picture.h"

#include <string.h>

#include "wg_err.h"

wg_node_t *wg_wa_picture_query(const char *jid)
{
    wg_node_t *iq = wg_node_new("iq");
    wg_node_set_attr(iq, "type", "get");
    wg_node_set_attr(iq, "xmlns", "w:profile:picture");
    wg_node_set_attr(iq, "target", jid);
    wg_node_t *want = wg_node_add_child(iq, wg_node_new("picture"));
    wg_node_set_attr(want, "type", "image");
    wg_node_set_attr(want, "query", "url");
    return iq;
}

int wg_wa_picture_url(const wg_node_t *reply, char *out, size_t n)
{
    if (n)
        out[0] = '\0';
    const char *type = reply ? wg_node_attr(reply, "type") : NULL;
    const wg_node_t *pic =
        type && strcmp(type, "result") == 0 ? wg_node_child(reply, "picture") : NULL;
    const char *url = pic ? wg_node_attr(pic, "url") : NULL;
    if (!url || strncmp(url, "https://", 8) != 0 || strlen(url) >= n)
        return WG_ENOTFOUND;
    memcpy(out, url, strlen(url) + 1);
    return 0;
}
