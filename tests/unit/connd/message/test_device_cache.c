/* connd/message/device_cache: a usync <list> kept per connection and chat,
 * expired after the TTL, other connections and instances apart, replaced
 * by a newer answer, dropped by chat, by a listed user (any device), per
 * instance and entirely; the oldest entry gives way when full. */
#include "message/device_cache.h"
#include "wg_test.h"

#include <stdio.h>
#include <string.h>

static wg_node_t *list_of(const char *a, const char *b)
{
    wg_node_t *l = wg_node_new("list");
    wg_node_set_attr(wg_node_add_child(l, wg_node_new("user")), "jid", a);
    if (b)
        wg_node_set_attr(wg_node_add_child(l, wg_node_new("user")), "jid", b);
    return l;
}

static void get_put_expire(void)
{
    wg_node_t *l = list_of("1@s.whatsapp.net", "9@s.whatsapp.net");
    wg_device_cache_put("i1", 3, "1@s.whatsapp.net", l, 1000);
    wg_node_free(l); /* the cache keeps a copy */
    const wg_node_t *got = wg_device_cache_get("i1", 3, "1@s.whatsapp.net", 2000);
    WG_CHECK(got != NULL);
    WG_CHECK(got && got->child_count == 2);
    WG_CHECK_STR(got ? wg_node_attr(got->children[1], "jid") : "", "9@s.whatsapp.net");
    WG_CHECK(wg_device_cache_get("i1", 4, "1@s.whatsapp.net", 2000) == NULL); /* other conn */
    WG_CHECK(wg_device_cache_get("i2", 3, "1@s.whatsapp.net", 2000) == NULL);
    WG_CHECK(wg_device_cache_get("i1", 3, "2@s.whatsapp.net", 2000) == NULL);
    WG_CHECK(wg_device_cache_get("i1", 3, "1@s.whatsapp.net",
                                 1000 + WG_DEVICE_CACHE_TTL_MS - 1) != NULL);
    WG_CHECK(wg_device_cache_get("i1", 3, "1@s.whatsapp.net", 1000 + WG_DEVICE_CACHE_TTL_MS) ==
             NULL);
    WG_CHECK(wg_device_cache_get("i1", 3, "1@s.whatsapp.net", 2000) == NULL); /* gone */
    /* a newer answer replaces the chat's entry */
    l = list_of("1@s.whatsapp.net", NULL);
    wg_device_cache_put("i1", 3, "1@s.whatsapp.net", l, 5000);
    wg_node_free(l);
    l = list_of("1@s.whatsapp.net", "8@s.whatsapp.net");
    wg_device_cache_put("i1", 4, "1@s.whatsapp.net", l, 6000);
    wg_node_free(l);
    WG_CHECK(wg_device_cache_get("i1", 3, "1@s.whatsapp.net", 6000) == NULL);
    got = wg_device_cache_get("i1", 4, "1@s.whatsapp.net", 6000);
    WG_CHECK(got && got->child_count == 2);
    wg_device_cache_drop(NULL, NULL);
}

static void drops(void)
{
    wg_node_t *l = list_of("1@s.whatsapp.net", "9@s.whatsapp.net");
    wg_device_cache_put("i1", 1, "1@s.whatsapp.net", l, 10);
    wg_device_cache_put("i2", 1, "1@s.whatsapp.net", l, 10);
    wg_node_free(l);
    l = list_of("5@lid", "6@lid");
    wg_device_cache_put("i1", 1, "120363000000000001@g.us", l, 10);
    wg_node_free(l);
    /* a device notification of our own user (any device) drops the 1:1 entry */
    wg_device_cache_drop("i1", "9:4@s.whatsapp.net");
    WG_CHECK(wg_device_cache_get("i1", 1, "1@s.whatsapp.net", 20) == NULL);
    WG_CHECK(wg_device_cache_get("i2", 1, "1@s.whatsapp.net", 20) != NULL); /* other instance */
    WG_CHECK(wg_device_cache_get("i1", 1, "120363000000000001@g.us", 20) != NULL);
    /* a retry receipt from a participant drops the group's entry */
    wg_device_cache_drop("i1", "6:2@lid");
    WG_CHECK(wg_device_cache_get("i1", 1, "120363000000000001@g.us", 20) == NULL);
    /* by chat */
    wg_device_cache_drop("i2", "1@s.whatsapp.net");
    WG_CHECK(wg_device_cache_get("i2", 1, "1@s.whatsapp.net", 20) == NULL);
    /* the whole instance */
    l = list_of("1@s.whatsapp.net", NULL);
    wg_device_cache_put("i1", 1, "1@s.whatsapp.net", l, 10);
    wg_device_cache_put("i1", 1, "2@s.whatsapp.net", l, 10);
    wg_node_free(l);
    wg_device_cache_drop("i1", NULL);
    WG_CHECK(wg_device_cache_get("i1", 1, "2@s.whatsapp.net", 20) == NULL);
}

static void oldest_gives_way(void)
{
    wg_node_t *l = list_of("1@s.whatsapp.net", NULL);
    char chat[64];
    for (int i = 0; i <= WG_DEVICE_CACHE_MAX; i++) {
        snprintf(chat, sizeof chat, "%d@s.whatsapp.net", 100 + i);
        wg_device_cache_put("i1", 1, chat, l, 1000 + i);
    }
    wg_node_free(l);
    WG_CHECK(wg_device_cache_get("i1", 1, "100@s.whatsapp.net", 2000) == NULL);
    WG_CHECK(wg_device_cache_get("i1", 1, "101@s.whatsapp.net", 2000) != NULL);
    snprintf(chat, sizeof chat, "%d@s.whatsapp.net", 100 + WG_DEVICE_CACHE_MAX);
    WG_CHECK(wg_device_cache_get("i1", 1, chat, 2000) != NULL);
    wg_device_cache_drop(NULL, NULL);
}

int main(void)
{
    WG_RUN(get_put_expire);
    WG_RUN(drops);
    WG_RUN(oldest_gives_way);
    return wg_test_done();
}
