/* connd/store/chat: creation then touches (unread counts, newest message
 * time kept), read resets, find order, filters and paging, cascade; inside a
 * group transaction, touches written once per chat with the same result,
 * a job's touches undone with its savepoint, creation still exact. */
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
    int64_t updated[4]; /* their updated_at */
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
        s->updated[s->n] = r->updated_at;
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

static int64_t g_clock;
static int64_t clock_now(void)
{
    return g_clock;
}

/* the one row of chat jid of instance id: 1 when found */
static int row_of(const char *id, const char *jid, seen_t *s)
{
    memset(s, 0, sizeof *s);
    WG_CHECK_INT(wg_store_chat_find(g, id, jid, -1, -1, 0, -1, see, s), 0);
    return s->n;
}

static void touch(const char *id, const char *jid, int64_t ts, int unread, int want_created)
{
    int created = -1;
    g_clock++;
    WG_CHECK_INT(wg_store_chat_touch(g, id, jid, NULL, ts, unread, &created), 0);
    WG_CHECK_INT(created, want_created);
}

static void group_touches(void)
{
    char b_id[64];
    store_fixture_add_instance(g, "b", b_id);
    wg_store_set_clock(g, clock_now);
    g_clock = 1000;
    const char *x = "10@s.whatsapp.net", *y = "11@s.whatsapp.net", *z = "12@s.whatsapp.net";
    touch(b_id, x, 5, 1, 1); /* outside a group: written at once */
    WG_CHECK_INT(wg_store_group_begin(g), 0);
    /* job 1: a known chat and a new one */
    WG_CHECK_INT(wg_store_begin(g), 0);
    touch(b_id, x, 10, 1, 0);
    touch(b_id, y, 7, 1, 1);
    touch(b_id, y, 6, 1, 0);
    WG_CHECK_INT(wg_store_commit(g), 0);
    /* job 2 rolls back: its touches and the chat it created go */
    WG_CHECK_INT(wg_store_begin(g), 0);
    touch(b_id, x, 90, 5, 0);
    touch(b_id, z, 8, 1, 1);
    wg_store_rollback(g);
    /* job 3: a find in the job writes the group's touches (inside the
     * savepoint), then the job rolls back: the group's touches stay */
    WG_CHECK_INT(wg_store_begin(g), 0);
    touch(b_id, z, 8, 1, 1); /* created again: job 2's row is gone */
    touch(b_id, x, 30, 1, 0);
    seen_t s;
    WG_CHECK_INT(row_of(b_id, x, &s), 1);
    WG_CHECK_INT(s.unread[0], 3);
    WG_CHECK_INT(s.last[0], 30);
    touch(b_id, x, 40, 1, 0);
    wg_store_rollback(g);
    /* job 4: a message of our own (not unread) */
    WG_CHECK_INT(wg_store_begin(g), 0);
    touch(b_id, x, 20, 0, 0);
    int64_t x_at = g_clock;
    WG_CHECK_INT(wg_store_commit(g), 0);
    touch(b_id, y, 9, 1, 0); /* outside a job's savepoint */
    int64_t y_at = g_clock;
    WG_CHECK_INT(wg_store_group_commit(g), 0);
    WG_CHECK_INT(row_of(b_id, x, &s), 1);
    WG_CHECK_INT(s.unread[0], 2); /* 1 + job 1 + job 4's 0 */
    WG_CHECK_INT(s.last[0], 20);
    WG_CHECK_INT(s.updated[0], x_at);
    WG_CHECK_INT(row_of(b_id, y, &s), 1);
    WG_CHECK_INT(s.unread[0], 3);
    WG_CHECK_INT(s.last[0], 9);
    WG_CHECK_INT(s.updated[0], y_at);
    WG_CHECK_INT(row_of(b_id, z, &s), 0);

    /* a read in the group comes after the touches before it */
    WG_CHECK_INT(wg_store_group_begin(g), 0);
    touch(b_id, x, 21, 1, 0);
    WG_CHECK_INT(wg_store_chat_read(g, b_id, x), 0);
    touch(b_id, x, 22, 1, 0);
    WG_CHECK_INT(wg_store_group_commit(g), 0);
    WG_CHECK_INT(row_of(b_id, x, &s), 1);
    WG_CHECK_INT(s.unread[0], 1);
    WG_CHECK_INT(s.last[0], 22);

    /* a group's touches are gone with its instance, which is not known
     * any more: a touch after the delete fails as it would without them */
    WG_CHECK_INT(wg_store_group_begin(g), 0);
    touch(b_id, x, 23, 1, 0);
    WG_CHECK_INT(wg_store_instance_delete(g, b_id), 0);
    int created = -1;
    WG_CHECK_INT(wg_store_chat_touch(g, b_id, x, NULL, 24, 1, &created), WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_group_commit(g), 0);
    WG_CHECK_INT(row_of(b_id, x, &s), 0);
    wg_store_set_clock(g, NULL);
}

/* more chats than the cache has slots, in jobs that commit or roll back:
 * every chat ends as the touches of the committed jobs made it */
static void many_chats(void)
{
    char c_id[64];
    store_fixture_add_instance(g, "c", c_id);
    enum { CHATS = 150 };
    for (int round = 0; round < 3; round++) {
        WG_CHECK_INT(wg_store_group_begin(g), 0);
        for (int i = 0; i < CHATS; i++) {
            char jid[40];
            snprintf(jid, sizeof jid, "%d@s.whatsapp.net", 5000 + i);
            int created = -1;
            WG_CHECK_INT(wg_store_begin(g), 0);
            WG_CHECK_INT(wg_store_chat_touch(g, c_id, jid, NULL, 100 * round + i, 1, &created), 0);
            WG_CHECK_INT(created, round == 0);
            WG_CHECK_INT(wg_store_chat_touch(g, c_id, jid, NULL, 1, 1, &created), 0);
            WG_CHECK_INT(created, 0);
            if (round == 1 && i % 3 == 0) {
                wg_store_rollback(g);
                continue;
            }
            WG_CHECK_INT(wg_store_commit(g), 0);
        }
        WG_CHECK_INT(wg_store_group_commit(g), 0);
    }
    for (int i = 0; i < CHATS; i++) {
        char jid[40];
        snprintf(jid, sizeof jid, "%d@s.whatsapp.net", 5000 + i);
        seen_t s;
        WG_CHECK_INT(row_of(c_id, jid, &s), 1);
        WG_CHECK_INT(s.unread[0], i % 3 == 0 ? 4 : 6);
        WG_CHECK_INT(s.last[0], 200 + i);
    }
}

int main(void)
{
    store_fixture_t fx;
    if (store_fixture_open(&fx, NULL) < 0)
        return 1;
    g = fx.store;
    store_fixture_add_instance(g, "a", a_id);
    WG_RUN(touch_and_read);
    WG_RUN(group_touches);
    WG_RUN(many_chats);
    if (store_fixture_close(&fx) != 0)
        return 1;
    return wg_test_done();
}
