/* connd/store/pending_event: add / each in id order / delete (a batch in
 * one transaction), unknown instances refused, cascade on instance delete; and the group transaction
 * of store.h (group commit): job transactions become savepoints, a failed
 * job undoes only its own writes, nothing is durable before the group
 * commits, and a group whose transaction SQLite ended reports WG_EDB. */
#include "store/pending_event.h"
#include "store/store.h"
#include "store/store_internal.h" /* the handle, to count commits */
#include "wg_err.h"
#include "wg_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static wg_store_t *g;
static char a_id[64], b_id[64];

static void add_instance(wg_store_t *s, const char *name, char id[64])
{
    Wg__Ipc__Instance in = WG__IPC__INSTANCE__INIT, *row = NULL;
    in.name = (char *)name;
    in.integration = "WHATSAPP-BAILEYS";
    in.token = "T";
    WG_CHECK_INT(wg_store_instance_insert(s, &in, &row), 0);
    snprintf(id, 64, "%s", row ? row->id : "");
    wg_store_instance_free(row);
}

typedef struct {
    char seen[512]; /* "id:name:data;" per row */
    int64_t ids[16];
    int n;
} seen_t;

static int collect(void *ud, const wg_store_pending_event_t *ev)
{
    seen_t *s = ud;
    size_t len = strlen(s->seen);
    snprintf(s->seen + len, sizeof s->seen - len, "%s:%s:%s:%lld;", ev->instance_name, ev->name,
             ev->data_json, (long long)ev->at_ms);
    if (s->n < 16)
        s->ids[s->n++] = ev->id;
    return 0;
}

static int64_t add(wg_store_t *s, const char *inst, const char *name, const char *data, int64_t at)
{
    wg_store_pending_event_t ev = {.instance_id = inst,
                                   .instance_name = "a",
                                   .name = name,
                                   .data_json = data,
                                   .at_ms = at};
    int64_t id = 0;
    WG_CHECK_INT(wg_store_pending_event_add(s, &ev, &id), 0);
    WG_CHECK(id > 0);
    return id;
}

static int count(wg_store_t *s)
{
    seen_t seen;
    memset(&seen, 0, sizeof seen);
    WG_CHECK_INT(wg_store_pending_event_each(s, collect, &seen), 0);
    return seen.n;
}

static int count_commit(void *ud)
{
    (*(int *)ud)++;
    return 0;
}

static void add_each_delete(void)
{
    int64_t e1 = add(g, a_id, "messages.upsert", "{\"k\":1}", 10);
    int64_t e2 = add(g, a_id, "messages.delete", "{\"k\":2}", 11);
    int64_t e3 = add(g, a_id, "messages.edited", "{\"k\":3}", 12);
    WG_CHECK(e1 < e2 && e2 < e3);
    seen_t seen;
    memset(&seen, 0, sizeof seen);
    WG_CHECK_INT(wg_store_pending_event_each(g, collect, &seen), 0);
    WG_CHECK_STR(seen.seen, "a:messages.upsert:{\"k\":1}:10;a:messages.delete:{\"k\":2}:11;"
                            "a:messages.edited:{\"k\":3}:12;");
    int64_t del[] = {e1, e3, 999999};
    int commits = 0;
    sqlite3_commit_hook(g->db, count_commit, &commits);
    WG_CHECK_INT(wg_store_pending_event_delete(g, del, 3), 0);
    sqlite3_commit_hook(g->db, NULL, NULL);
    WG_CHECK_INT(commits, 1); /* not one per row */
    memset(&seen, 0, sizeof seen);
    WG_CHECK_INT(wg_store_pending_event_each(g, collect, &seen), 0);
    WG_CHECK_INT(seen.n, 1);
    WG_CHECK(seen.ids[0] == e2);
    WG_CHECK_INT(wg_store_pending_event_delete(g, &e2, 1), 0);
    WG_CHECK_INT(count(g), 0);

    wg_store_pending_event_t bad = {.instance_id = "no-such", .instance_name = "x",
                                    .name = "n", .data_json = "{}", .at_ms = 1};
    WG_CHECK_INT(wg_store_pending_event_add(g, &bad, NULL), WG_ENOTFOUND);
    bad.instance_id = a_id;
    bad.data_json = NULL;
    WG_CHECK_INT(wg_store_pending_event_add(g, &bad, NULL), WG_EINVAL);
    WG_CHECK_INT(wg_store_pending_event_each(g, NULL, NULL), WG_EINVAL);
}

static void cascade(void)
{
    add(g, b_id, "messages.upsert", "{}", 1);
    WG_CHECK_INT(count(g), 1);
    WG_CHECK_INT(wg_store_instance_delete(g, b_id), 0);
    WG_CHECK_INT(count(g), 0);
}

/* Job transactions inside a group are savepoints. */
static void group_savepoints(void)
{
    char path[] = "/tmp/wg_pending_XXXXXX";
    int fd = mkstemp(path);
    WG_CHECK(fd >= 0);
    close(fd);
    unlink(path);
    wg_store_t *s = NULL, *other = NULL;
    WG_CHECK_INT(wg_store_open(path, &s, NULL), 0);
    char id[64];
    add_instance(s, "g", id);
    WG_CHECK_INT(wg_store_open(path, &other, NULL), 0); /* a reader, as the deliverer */

    WG_CHECK_INT(wg_store_group_begin(s), 0);
    WG_CHECK_INT(wg_store_group_begin(s), WG_EINVAL); /* not nestable */
    /* job 1: its own transaction, committed (released) */
    WG_CHECK_INT(wg_store_begin(s), 0);
    add(s, id, "one", "{}", 1);
    WG_CHECK_INT(wg_store_commit(s), 0);
    /* job 2: fails, rolls back only itself */
    WG_CHECK_INT(wg_store_begin(s), 0);
    add(s, id, "two", "{}", 2);
    wg_store_rollback(s);
    /* job 3: no transaction of its own */
    add(s, id, "three", "{}", 3);
    WG_CHECK_INT(count(s), 2);
    /* another handle sees nothing before the group commits */
    WG_CHECK_INT(count(other), 0);
    WG_CHECK_INT(wg_store_group_commit(s), 0);
    seen_t seen;
    memset(&seen, 0, sizeof seen);
    WG_CHECK_INT(wg_store_pending_event_each(other, collect, &seen), 0);
    WG_CHECK_STR(seen.seen, "a:one:{}:1;a:three:{}:3;");
    WG_CHECK_INT(wg_store_group_commit(s), WG_EINVAL); /* no group open */

    /* outside a group, begin/commit are a plain transaction again */
    WG_CHECK_INT(wg_store_begin(s), 0);
    add(s, id, "four", "{}", 4);
    WG_CHECK_INT(wg_store_commit(s), 0);
    WG_CHECK_INT(count(other), 3);
    wg_store_close(other);
    wg_store_close(s);
    unlink(path);
    char side[300];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

int main(void)
{
    WG_CHECK_INT(wg_store_open(":memory:", &g, NULL), 0);
    add_instance(g, "a", a_id);
    add_instance(g, "b", b_id);
    WG_RUN(add_each_delete);
    WG_RUN(cascade);
    WG_RUN(group_savepoints);
    wg_store_close(g);
    return wg_test_done();
}
