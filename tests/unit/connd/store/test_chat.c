/* connd/store/chat: creation then touches (unread counts, newest message
 * time kept), read resets, find order, filters and paging, cascade. */
#include "store/chat.h"
#include "store/store.h"
#include "wg_err.h"
#include "wg_test.h"
#include "connd/store_fixture.h"

#include <stdio.h>
#include <string.h>

static wg_store_t *g;
static char a_id[64];

typedef struct {
    int n;             /* rows seen */
    char jid[4][64];   /* their JIDs */
    int64_t unread[4]; /* their unread counts */
    int64_t last[4];   /* their newest message times */
    char name[4][64];  /* names ("" for NULL) */
} seen_t;

static int see(void *ud, const wg_store_chat_row_t *r)
{
    seen_t *s = ud;
    if (s->n < 4) {
        snprintf(s->jid[s->n], 64, "%s", r->remote_jid);
        snprintf(s->name[s->n], 64, "%s", r->name ? r->name : "");
        s->unread[s->n] = r->unread_count;
        s->last[s->n] = r->last_message_at;
    }
    s->n++;
    return 0;
}

static void touch_and_read(void)
{
    int created = -1;
    WG_CHECK_INT(wg_store_chat_touch(g, a_id, "1@s.whatsapp.net", "Ana", 100, 1, &created), 0);
    WG_CHECK_INT(created, 1);
    WG_CHECK_INT(wg_store_chat_touch(g, a_id, "1@s.whatsapp.net", "Other", 90, 1, &created), 0);
    WG_CHECK_INT(created, 0);
    WG_CHECK_INT(wg_store_chat_touch(g, a_id, "2@g.us", NULL, 200, 0, &created), 0);
    WG_CHECK_INT(created, 1);
    seen_t s;
    memset(&s, 0, sizeof s);
    WG_CHECK_INT(wg_store_chat_find(g, a_id, NULL, -1, -1, 0, -1, see, &s), 0);
    WG_CHECK_INT(s.n, 2);
    WG_CHECK_STR(s.jid[0], "2@g.us"); /* newest message first */
    WG_CHECK_STR(s.jid[1], "1@s.whatsapp.net");
    WG_CHECK_INT(s.unread[1], 2);
    WG_CHECK_INT(s.last[1], 100); /* an older message does not move it back */
    WG_CHECK_STR(s.name[1], "Ana");
    WG_CHECK_STR(s.name[0], "");
    WG_CHECK_INT(wg_store_chat_read(g, a_id, "1@s.whatsapp.net"), 0);
    WG_CHECK_INT(wg_store_chat_read(g, a_id, "9@s.whatsapp.net"), WG_ENOTFOUND);
    memset(&s, 0, sizeof s);
    WG_CHECK_INT(wg_store_chat_find(g, a_id, "1@s.whatsapp.net", -1, -1, 0, -1, see, &s), 0);
    WG_CHECK(s.n == 1 && s.unread[0] == 0);
    memset(&s, 0, sizeof s);
    WG_CHECK_INT(wg_store_chat_find(g, a_id, NULL, 150, -1, 0, -1, see, &s), 0);
    WG_CHECK(s.n == 1 && strcmp(s.jid[0], "2@g.us") == 0);
    memset(&s, 0, sizeof s);
    WG_CHECK_INT(wg_store_chat_find(g, a_id, NULL, -1, 150, 0, -1, see, &s), 0);
    WG_CHECK(s.n == 1 && strcmp(s.jid[0], "1@s.whatsapp.net") == 0);
    memset(&s, 0, sizeof s);
    WG_CHECK_INT(wg_store_chat_find(g, a_id, NULL, -1, -1, 1, 5, see, &s), 0);
    WG_CHECK(s.n == 1 && strcmp(s.jid[0], "1@s.whatsapp.net") == 0);
    WG_CHECK_INT(wg_store_chat_touch(g, a_id, "", NULL, 1, 0, &created), WG_EINVAL);
    WG_CHECK_INT(wg_store_chat_touch(g, a_id, "3@s.whatsapp.net", NULL, 1, -1, &created),
                 WG_EINVAL);
    WG_CHECK_INT(wg_store_chat_touch(g, "nope", "3@s.whatsapp.net", NULL, 1, 0, &created),
                 WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_instance_delete(g, a_id), 0);
    memset(&s, 0, sizeof s);
    WG_CHECK_INT(wg_store_chat_find(g, a_id, NULL, -1, -1, 0, -1, see, &s), 0);
    WG_CHECK_INT(s.n, 0);
}

int main(void)
{
    store_fixture_t fx;
    if (store_fixture_open(&fx, NULL) < 0)
        return 1;
    g = fx.store;
    store_fixture_add_instance(g, "a", a_id);
    WG_RUN(touch_and_read);
    if (store_fixture_close(&fx) != 0)
        return 1;
    return wg_test_done();
}
