/* connd/wa/picture: the w:profile:picture query and the reading of its
 * answer (https URL, error answer, missing / non-https / too long URL). */
#include "wa/picture.h"
#include "wg_err.h"
#include "wg_test.h"

static wg_node_t *answer(const char *type, const char *url)
{
    wg_node_t *n = wg_node_new("iq");
    wg_node_set_attr(n, "type", type);
    wg_node_t *p = wg_node_add_child(n, wg_node_new("picture"));
    if (url)
        wg_node_set_attr(p, "url", url);
    return n;
}

static void query_and_answer(void)
{
    wg_node_t *q = wg_wa_picture_query("1@s.whatsapp.net");
    WG_CHECK_STR(wg_node_attr(q, "xmlns"), "w:profile:picture");
    WG_CHECK_STR(wg_node_attr(q, "type"), "get");
    WG_CHECK_STR(wg_node_attr(q, "target"), "1@s.whatsapp.net");
    const wg_node_t *p = wg_node_child(q, "picture");
    WG_CHECK(p && strcmp(wg_node_attr(p, "type"), "image") == 0 &&
             strcmp(wg_node_attr(p, "query"), "url") == 0);
    WG_CHECK(!wg_node_attr(q, "id"));
    wg_node_free(q);

    char url[64];
    wg_node_t *a = answer("result", "https://pps.whatsapp.net/v/x.jpg");
    WG_CHECK_INT(wg_wa_picture_url(a, url, sizeof url), 0);
    WG_CHECK_STR(url, "https://pps.whatsapp.net/v/x.jpg");
    WG_CHECK_INT(wg_wa_picture_url(a, url, 10), WG_ENOTFOUND); /* too long */
    WG_CHECK_STR(url, "");
    wg_node_free(a);
    a = answer("error", "https://pps.whatsapp.net/v/x.jpg");
    WG_CHECK_INT(wg_wa_picture_url(a, url, sizeof url), WG_ENOTFOUND);
    wg_node_free(a);
    a = answer("result", "http://insecure/x.jpg");
    WG_CHECK_INT(wg_wa_picture_url(a, url, sizeof url), WG_ENOTFOUND);
    wg_node_free(a);
    a = answer("result", NULL);
    WG_CHECK_INT(wg_wa_picture_url(a, url, sizeof url), WG_ENOTFOUND);
    wg_node_free(a);
    WG_CHECK_INT(wg_wa_picture_url(NULL, url, sizeof url), WG_ENOTFOUND);
}

int main(void)
{
    WG_RUN(query_and_answer);
    return wg_test_done();
}
