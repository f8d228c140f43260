/* connd/message/group_meta: the w:g2 reply read into participants
 * (device suffixes dropped, LID and PN forms), addressing mode (lid by
 * default, pn when said), ephemeral timer, refusals (error reply, other
 * group, bad JID); the per-connection cache (generation-bound, replace,
 * drop one / all, eviction when full). */
#include "message/group_meta.h"

#include <stdio.h>
#include <string.h>

#include "wg_err.h"
#include "wg_test.h"

#define GID "120363000000000001@g.us"

static wg_node_t *reply(const char *id, const char *mode)
{
    wg_node_t *iq = wg_node_new("iq");
    wg_node_set_attr(iq, "type", "result");
    wg_node_t *g = wg_node_add_child(iq, wg_node_new("group"));
    wg_node_set_attr(g, "id", id);
    if (mode)
        wg_node_set_attr(g, "addressing_mode", mode);
    const char *jids[] = {"111@lid", "222:3@lid", "15551234567@s.whatsapp.net"};
    for (size_t i = 0; i < 3; i++)
        wg_node_set_attr(wg_node_add_child(g, wg_node_new("participant")), "jid", jids[i]);
    wg_node_set_attr(wg_node_add_child(g, wg_node_new("ephemeral")), "expiration", "86400");
    return iq;
}

static void parse(void)
{
    wg_group_meta_t m;
    wg_node_t *r = reply("120363000000000001", NULL);
    WG_CHECK_INT(wg_group_meta_parse(r, GID, &m), 0);
    WG_CHECK_STR(m.gid, GID);
    WG_CHECK_STR(m.addressing_mode, "lid");
    WG_CHECK_INT((int)m.n, 3);
    WG_CHECK_STR(m.participants[1], "222@lid");
    WG_CHECK_STR(m.participants[2], "15551234567@s.whatsapp.net");
    WG_CHECK_INT((int)m.expiration, 86400);
    wg_group_meta_free(&m);
    WG_CHECK_INT(wg_group_meta_parse(r, "999@g.us", &m), WG_EPROTO); /* another group */
    wg_node_free(r);

    r = reply(GID, "pn"); /* the id may come as a JID */
    WG_CHECK_INT(wg_group_meta_parse(r, GID, &m), 0);
    WG_CHECK_STR(m.addressing_mode, "pn");
    wg_group_meta_free(&m);
    wg_node_set_attr(r, "type", "error");
    WG_CHECK_INT(wg_group_meta_parse(r, GID, &m), WG_EPROTO);
    WG_CHECK(m.participants == NULL && m.n == 0);
    wg_node_free(r);

    r = reply("120363000000000001", NULL);
    wg_node_set_attr(wg_node_add_child(wg_node_child(r, "group"), wg_node_new("participant")),
                     "jid", "@@bad");
    WG_CHECK_INT(wg_group_meta_parse(r, GID, &m), WG_EPROTO);
    WG_CHECK(m.participants == NULL);
    wg_node_free(r);
    WG_CHECK_INT(wg_group_meta_parse(NULL, GID, &m), WG_EPROTO);
}

static void cache(void)
{
    wg_group_meta_t m;
    wg_node_t *r = reply("120363000000000001", NULL);
    WG_CHECK_INT(wg_group_meta_parse(r, GID, &m), 0);
    wg_group_cache_put("inst-a", 7, &m);
    WG_CHECK(m.participants == NULL); /* taken */
    const wg_group_meta_t *c = wg_group_cache_get("inst-a", 7, GID);
    WG_CHECK(c && c->n == 3);
    WG_CHECK(wg_group_cache_get("inst-a", 8, GID) == NULL); /* another connection */
    WG_CHECK(wg_group_cache_get("inst-b", 7, GID) == NULL);
    /* replacing keeps one entry */
    WG_CHECK_INT(wg_group_meta_parse(r, GID, &m), 0);
    wg_group_cache_put("inst-a", 7, &m);
    wg_group_cache_drop("inst-a", GID);
    WG_CHECK(wg_group_cache_get("inst-a", 7, GID) == NULL);
    /* fill past the bound: the oldest goes, the newest stay */
    for (int i = 0; i < WG_GROUP_CACHE_MAX + 5; i++) {
        char gid[96], id[64];
        snprintf(id, sizeof id, "1203630000000%05d", i);
        snprintf(gid, sizeof gid, "%s@g.us", id);
        wg_node_set_attr(wg_node_child(r, "group"), "id", id);
        WG_CHECK_INT(wg_group_meta_parse(r, gid, &m), 0);
        wg_group_cache_put("inst-a", 7, &m);
    }
    WG_CHECK(wg_group_cache_get("inst-a", 7, "120363000000000000@g.us") == NULL);
    char last[64];
    snprintf(last, sizeof last, "1203630000000%05d@g.us", WG_GROUP_CACHE_MAX + 4);
    WG_CHECK(wg_group_cache_get("inst-a", 7, last) != NULL);
    wg_group_cache_drop("inst-a", NULL);
    WG_CHECK(wg_group_cache_get("inst-a", 7, last) == NULL);
    wg_node_free(r);
}

int main(void)
{
    WG_RUN(parse);
    WG_RUN(cache);
    return wg_test_done();
}
