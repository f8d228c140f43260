/* connd/store/contact: create, rename, unchanged, a NULL name keeps the
 * stored one, find by JID and paging, per-instance rows, cascade; the row
 * cache that answers "unchanged" without a SELECT forgets what a rollback
 * (a job's savepoint in a group too) undid and what an instance delete
 * removed, and a name too long for it still compares right. */
#include "store/contact.h"
#include "store/store.h"
#include "wg_err.h"
#include "wg_test.h"
#include "connd/store_fixture.h"

#include <stdio.h>
#include <string.h>

static wg_store_t *g;
static char a_id[64], b_id[64];

typedef struct {
    int n;            /* rows seen */
    char jid[4][64];  /* their JIDs */
    char name[4][64]; /* their push names ("" for NULL) */
} seen_t;

static int see(void *ud, const wg_store_contact_row_t *r)
{
    seen_t *s = ud;
    if (s->n < 4) {
        snprintf(s->jid[s->n], 64, "%s", r->remote_jid);
        snprintf(s->name[s->n], 64, "%s", r->push_name ? r->push_name : "");
    }
    WG_CHECK(r->id && strlen(r->id) == 36 && r->created_at > 0 && r->updated_at >= r->created_at);
    s->n++;
    return 0;
}

static void upsert(void)
{
    wg_contact_change_t c;
    WG_CHECK_INT(wg_store_contact_upsert(g, a_id, "1@s.whatsapp.net", "Ana", &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_CREATED);
    WG_CHECK_INT(wg_store_contact_upsert(g, a_id, "1@s.whatsapp.net", "Ana", &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_UNCHANGED);
    WG_CHECK_INT(wg_store_contact_upsert(g, a_id, "1@s.whatsapp.net", NULL, &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_UNCHANGED);
    WG_CHECK_INT(wg_store_contact_upsert(g, a_id, "1@s.whatsapp.net", "Ana B", &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_RENAMED);
    WG_CHECK_INT(wg_store_contact_upsert(g, a_id, "2@s.whatsapp.net", NULL, &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_CREATED);
    WG_CHECK_INT(wg_store_contact_upsert(g, b_id, "1@s.whatsapp.net", "Bo", &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_CREATED); /* per instance */
    WG_CHECK_INT(wg_store_contact_upsert(g, a_id, "", "x", &c), WG_EINVAL);
    WG_CHECK_INT(wg_store_contact_upsert(g, "no-such-instance", "3@s.whatsapp.net", "x", &c),
                 WG_ENOTFOUND);
}

static void find(void)
{
    seen_t s;
    memset(&s, 0, sizeof s);
    WG_CHECK_INT(wg_store_contact_find(g, a_id, NULL, 0, -1, see, &s), 0);
    WG_CHECK_INT(s.n, 2);
    WG_CHECK_STR(s.jid[0], "1@s.whatsapp.net");
    WG_CHECK_STR(s.name[0], "Ana B");
    WG_CHECK_STR(s.name[1], "");
    memset(&s, 0, sizeof s);
    WG_CHECK_INT(wg_store_contact_find(g, a_id, "2@s.whatsapp.net", 0, -1, see, &s), 0);
    WG_CHECK_INT(s.n, 1);
    memset(&s, 0, sizeof s);
    WG_CHECK_INT(wg_store_contact_find(g, a_id, NULL, 1, 1, see, &s), 0);
    WG_CHECK(s.n == 1 && strcmp(s.jid[0], "2@s.whatsapp.net") == 0);
    memset(&s, 0, sizeof s);
    WG_CHECK_INT(wg_store_instance_delete(g, b_id), 0);
    WG_CHECK_INT(wg_store_contact_find(g, b_id, NULL, 0, -1, see, &s), 0);
    WG_CHECK_INT(s.n, 0);
}

static void cache_follows_rollbacks(void)
{
    wg_contact_change_t c;
    const char *jid = "5@s.whatsapp.net";
    WG_CHECK_INT(wg_store_contact_upsert(g, a_id, jid, "Eve", &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_CREATED);
    /* a rename undone: the stored name is Eve again */
    WG_CHECK_INT(wg_store_begin(g), 0);
    WG_CHECK_INT(wg_store_contact_upsert(g, a_id, jid, "Eva", &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_RENAMED);
    WG_CHECK_INT(wg_store_contact_upsert(g, a_id, jid, "Eva", &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_UNCHANGED);
    wg_store_rollback(g);
    WG_CHECK_INT(wg_store_contact_upsert(g, a_id, jid, "Eva", &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_RENAMED);
    /* a creation undone in one job of a group, the others' writes kept */
    WG_CHECK_INT(wg_store_group_begin(g), 0);
    WG_CHECK_INT(wg_store_begin(g), 0);
    WG_CHECK_INT(wg_store_contact_upsert(g, a_id, "6@s.whatsapp.net", "Fa", &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_CREATED);
    WG_CHECK_INT(wg_store_commit(g), 0);
    WG_CHECK_INT(wg_store_begin(g), 0);
    WG_CHECK_INT(wg_store_contact_upsert(g, a_id, "7@s.whatsapp.net", "Gi", &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_CREATED);
    wg_store_rollback(g);
    WG_CHECK_INT(wg_store_begin(g), 0);
    WG_CHECK_INT(wg_store_contact_upsert(g, a_id, "7@s.whatsapp.net", "Gi", &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_CREATED);
    WG_CHECK_INT(wg_store_contact_upsert(g, a_id, "6@s.whatsapp.net", "Fa", &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_UNCHANGED);
    WG_CHECK_INT(wg_store_commit(g), 0);
    WG_CHECK_INT(wg_store_group_commit(g), 0);
    /* a name longer than a cache slot */
    char long_name[300];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    WG_CHECK_INT(wg_store_contact_upsert(g, a_id, jid, long_name, &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_RENAMED);
    WG_CHECK_INT(wg_store_contact_upsert(g, a_id, jid, long_name, &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_UNCHANGED);
    long_name[250] = 'y';
    WG_CHECK_INT(wg_store_contact_upsert(g, a_id, jid, long_name, &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_RENAMED);
    /* an instance deleted and its rows gone: nothing answered from the cache */
    char c_id[64];
    store_fixture_add_instance(g, "c", c_id);
    WG_CHECK_INT(wg_store_contact_upsert(g, c_id, jid, "Hu", &c), 0);
    WG_CHECK_INT(c, WG_CONTACT_CREATED);
    WG_CHECK_INT(wg_store_instance_delete(g, c_id), 0);
    WG_CHECK_INT(wg_store_contact_upsert(g, c_id, jid, "Hu", &c), WG_ENOTFOUND);
}

int main(void)
{
    store_fixture_t fx;
    if (store_fixture_open(&fx, NULL) < 0)
        return 1;
    g = fx.store;
    store_fixture_add_instance(g, "a", a_id);
    store_fixture_add_instance(g, "b", b_id);
    WG_RUN(upsert);
    WG_RUN(find);
    WG_RUN(cache_follows_rollbacks);
    if (store_fixture_close(&fx) != 0)
        return 1;
    return wg_test_done();
}
