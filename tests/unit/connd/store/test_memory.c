/* connd/store/memory: SQLite runs on the store's allocator once a store is
 * open; a freed sub-journal chunk is handed out again on the same thread,
 * sizes and reallocation behave as SQLite's own allocator, no memory
 * statistics are kept (they cost a mutex per allocation), and a group of
 * jobs with savepoints (the chunks' user) still stores what it should. */
#include "store/chat.h"
#include "store/store.h"
#include "store/store_internal.h"
#include "wg_test.h"
#include "connd/store_fixture.h"

#include <pthread.h>
#include <string.h>

static wg_store_t *g;
static char a_id[64];

static void chunks_reused(void)
{
    void *a = sqlite3_malloc(1024);
    WG_CHECK(a != NULL);
    WG_CHECK_INT(sqlite3_msize(a), 1024);
    memset(a, 0xab, 1024);
    sqlite3_free(a);
    void *b = sqlite3_malloc(1024);
    WG_CHECK(b == a); /* from the thread's list, not malloc */
    void *c = sqlite3_malloc(1024);
    WG_CHECK(c != NULL && c != b);
    WG_CHECK(sqlite3_memory_used() == 0); /* no statistics: no mutex per allocation */
    sqlite3_free(b);
    sqlite3_free(c);
    void *d = sqlite3_malloc(1000); /* another size: malloc's */
    WG_CHECK_INT(sqlite3_msize(d), 1000);
    memcpy(d, "kept", 5);
    d = sqlite3_realloc(d, 5000);
    WG_CHECK(d != NULL && sqlite3_msize(d) == 5000 && strcmp(d, "kept") == 0);
    sqlite3_free(d);
    WG_CHECK(sqlite3_malloc(0) == NULL);
    sqlite3_free(NULL);
}

static void *other_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 300; i++) { /* more than a list keeps: freed at exit */
        void *p = sqlite3_malloc(1024);
        sqlite3_free(p);
    }
    void *many[200];
    for (int i = 0; i < 200; i++)
        many[i] = sqlite3_malloc(1024);
    for (int i = 0; i < 200; i++)
        sqlite3_free(many[i]);
    return NULL;
}

static void threads_keep_their_own(void)
{
    pthread_t t;
    WG_CHECK_INT(pthread_create(&t, NULL, other_thread, NULL), 0);
    WG_CHECK_INT(pthread_join(t, NULL), 0);
}

static void savepoints_still_undo(void)
{
    int created;
    WG_CHECK_INT(wg_store_group_begin(g), 0);
    for (int i = 0; i < 50; i++) {
        char jid[40];
        snprintf(jid, sizeof jid, "%d@s.whatsapp.net", 100 + i);
        WG_CHECK_INT(wg_store_begin(g), 0);
        WG_CHECK_INT(wg_store_chat_touch(g, a_id, jid, NULL, i, 1, &created), 0);
        if (i % 2)
            wg_store_rollback(g);
        else
            WG_CHECK_INT(wg_store_commit(g), 0);
    }
    WG_CHECK_INT(wg_store_group_commit(g), 0);
}

static int count_row(void *ud, const wg_store_chat_row_t *r)
{
    (void)r;
    (*(int *)ud)++;
    return 0;
}

static void rows_as_committed(void)
{
    int n = 0;
    WG_CHECK_INT(wg_store_chat_find(g, a_id, NULL, -1, -1, 0, -1, count_row, &n), 0);
    WG_CHECK_INT(n, 25);
}

int main(void)
{
    store_fixture_t fx;
    if (store_fixture_open(&fx, "memory") < 0)
        return 1;
    g = fx.store;
    store_fixture_add_instance(g, "a", a_id);
    WG_RUN(chunks_reused);
    WG_RUN(threads_keep_their_own);
    WG_RUN(savepoints_still_undo);
    WG_RUN(rows_as_committed);
    if (store_fixture_close(&fx) != 0)
        return 1;
    return wg_test_done();
}
