/* Unit tests for shared/wg_snapshot.c: publish/lookup, keys, growth and
 * retirement, a reader racing the writer (no torn answers), a file opened
 * before it is filled, bad files. Includes the module to reach its statics. */
#include "../../../shared/wg_snapshot.c"
#include "wg_err.h"
#include "wg_test.h"
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_dir[64];
static char g_path[128];

static void entry(wg_snapshot_entry_t *e, const char *name, const char *state, const char *token,
                  int reason)
{
    memset(e, 0, sizeof *e);
    e->name = name;
    e->state = state;
    e->token = token;
    e->has_status_reason = reason >= 0;
    e->status_reason = reason >= 0 ? reason : 0;
}

static void publish_and_lookup(void)
{
    wg_snapshot_writer_t *w = NULL;
    WG_CHECK_INT(wg_snapshot_writer_open(g_path, &w), WG_OK);
    wg_snapshot_entry_t e[2];
    entry(&e[0], "alpha", "open", "TOKEN-A", 200);
    entry(&e[1], "beta", "close", "TOKEN-B", -1);
    WG_CHECK_INT(wg_snapshot_writer_publish(w, e, 2), WG_OK);

    wg_snapshot_reader_t r = WG_SNAPSHOT_READER_INIT;
    WG_CHECK_INT(wg_snapshot_reader_open(&r, g_path), WG_OK);
    WG_CHECK(wg_snapshot_reader_usable(&r));
    WG_CHECK_INT(r.writer_pid, getpid());
    wg_snapshot_state_t st;
    WG_CHECK_INT(wg_snapshot_lookup(&r, "alpha", "TOKEN-A", &st), WG_SNAPSHOT_HIT);
    WG_CHECK_STR(st.state, "open");
    WG_CHECK_INT(st.has_status_reason, 1);
    WG_CHECK_INT(st.status_reason, 200);
    WG_CHECK_INT(wg_snapshot_lookup(&r, "beta", "TOKEN-B", &st), WG_SNAPSHOT_HIT);
    WG_CHECK_STR(st.state, "close");
    WG_CHECK_INT(st.has_status_reason, 0);
    /* another instance's token, a wrong key, no key, unknown name: connd decides */
    WG_CHECK_INT(wg_snapshot_lookup(&r, "alpha", "TOKEN-B", &st), WG_SNAPSHOT_MISS);
    WG_CHECK_INT(wg_snapshot_lookup(&r, "alpha", "TOKEN-A ", &st), WG_SNAPSHOT_MISS);
    WG_CHECK_INT(wg_snapshot_lookup(&r, "alpha", "", &st), WG_SNAPSHOT_MISS);
    WG_CHECK_INT(wg_snapshot_lookup(&r, "gamma", "TOKEN-A", &st), WG_SNAPSHOT_MISS);

    /* the next publish replaces everything: a deleted instance is gone at once,
     * a changed state is seen at once */
    entry(&e[0], "beta", "connecting", "TOKEN-B", 428);
    WG_CHECK_INT(wg_snapshot_writer_publish(w, e, 1), WG_OK);
    WG_CHECK_INT(wg_snapshot_lookup(&r, "alpha", "TOKEN-A", &st), WG_SNAPSHOT_MISS);
    WG_CHECK_INT(wg_snapshot_lookup(&r, "beta", "TOKEN-B", &st), WG_SNAPSHOT_HIT);
    WG_CHECK_STR(st.state, "connecting");
    WG_CHECK_INT(st.status_reason, 428);
    /* the same name with a new token: the old token no longer answers */
    entry(&e[0], "beta", "close", "TOKEN-B2", -1);
    WG_CHECK_INT(wg_snapshot_writer_publish(w, e, 1), WG_OK);
    WG_CHECK_INT(wg_snapshot_lookup(&r, "beta", "TOKEN-B", &st), WG_SNAPSHOT_MISS);
    WG_CHECK_INT(wg_snapshot_lookup(&r, "beta", "TOKEN-B2", &st), WG_SNAPSHOT_HIT);

    /* the token is never written in clear */
    int fd = open(g_path, O_RDONLY);
    char buf[8192];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    WG_CHECK(n > 0);
    WG_CHECK(memmem(buf, (size_t)n, "TOKEN-B2", 8) == NULL);
    WG_CHECK(memmem(buf, (size_t)n, "beta", 4) != NULL);

    wg_snapshot_writer_retire(w);
    WG_CHECK(!wg_snapshot_reader_usable(&r));
    WG_CHECK_INT(wg_snapshot_lookup(&r, "beta", "TOKEN-B2", &st), WG_SNAPSHOT_RETIRED);
    WG_CHECK(access(g_path, F_OK) != 0); /* unlinked */
    wg_snapshot_writer_free(w);
    wg_snapshot_reader_close(&r);
    WG_CHECK_INT(wg_snapshot_lookup(&r, "beta", "TOKEN-B2", &st), WG_SNAPSHOT_RETIRED);
}

static void growth_retires_the_old_file(void)
{
    wg_snapshot_writer_t *w = NULL;
    WG_CHECK_INT(wg_snapshot_writer_open(g_path, &w), WG_OK);
    wg_snapshot_reader_t r = WG_SNAPSHOT_READER_INIT;
    WG_CHECK_INT(wg_snapshot_reader_open(&r, g_path), WG_OK);
    enum { N = 300 };
    static char names[N][16], tokens[N][16];
    wg_snapshot_entry_t e[N + 1];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "inst-%d", i);
        snprintf(tokens[i], sizeof tokens[i], "tok-%d", i);
        entry(&e[i], names[i], "close", tokens[i], i);
    }
    /* too long a name or state is left out, never truncated */
    char long_name[WG_SNAPSHOT_NAME_MAX + 2];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    entry(&e[N], long_name, "close", "tok-long", 0);
    WG_CHECK_INT(wg_snapshot_writer_publish(w, e, N + 1), WG_OK);
    wg_snapshot_state_t st;
    WG_CHECK_INT(wg_snapshot_lookup(&r, "inst-7", "tok-7", &st), WG_SNAPSHOT_RETIRED);
    WG_CHECK_INT(wg_snapshot_reader_open(&r, g_path), WG_OK);
    for (int i = 0; i < N; i++) {
        WG_CHECK_INT(wg_snapshot_lookup(&r, names[i], tokens[i], &st), WG_SNAPSHOT_HIT);
        WG_CHECK_INT(st.status_reason, i);
    }
    WG_CHECK_INT(wg_snapshot_lookup(&r, long_name, "tok-long", &st), WG_SNAPSHOT_MISS);
    wg_snapshot_reader_close(&r);
    wg_snapshot_writer_free(w);
}

typedef struct {
    wg_snapshot_writer_t *w; /* the writer under test */
    atomic_int stop;         /* set by the reader when done */
} race_t;

/* Flips one instance between two consistent versions, (open, 1, TOK-1) and
 * (close, 2, TOK-2), and a second name in and out of the table. */
static void *writer_thread(void *arg)
{
    race_t *rc = arg;
    wg_snapshot_entry_t e[2];
    for (unsigned i = 0; !atomic_load(&rc->stop); i++) {
        if (i & 1)
            entry(&e[0], "racer", "open", "TOK-1", 1);
        else
            entry(&e[0], "racer", "close", "TOK-2", 2);
        entry(&e[1], "other", "open", "TOK-O", 7);
        wg_snapshot_writer_publish(rc->w, e, (i & 2) ? 2 : 1);
    }
    return NULL;
}

static void reader_never_sees_torn_rows(void)
{
    race_t rc = {0};
    WG_CHECK_INT(wg_snapshot_writer_open(g_path, &rc.w), WG_OK);
    wg_snapshot_entry_t e;
    entry(&e, "racer", "open", "TOK-1", 1);
    wg_snapshot_writer_publish(rc.w, &e, 1);
    wg_snapshot_reader_t r = WG_SNAPSHOT_READER_INIT;
    WG_CHECK_INT(wg_snapshot_reader_open(&r, g_path), WG_OK);
    pthread_t t;
    pthread_create(&t, NULL, writer_thread, &rc);
    int hits = 0, bad = 0;
    /* 200,000 lookups, and on until a first hit when a loaded machine
     * kept the reader inside the writer's windows all along (bounded) */
    for (int i = 0; i < 200000 || (hits == 0 && i < 50000000); i++) {
        wg_snapshot_state_t st;
        const char *tok = (i & 1) ? "TOK-1" : "TOK-2";
        if (wg_snapshot_lookup(&r, "racer", tok, &st) != WG_SNAPSHOT_HIT)
            continue;
        hits++;
        if ((i & 1) && !(strcmp(st.state, "open") == 0 && st.status_reason == 1))
            bad++;
        if (!(i & 1) && !(strcmp(st.state, "close") == 0 && st.status_reason == 2))
            bad++;
    }
    atomic_store(&rc.stop, 1);
    pthread_join(t, NULL);
    WG_CHECK_INT(bad, 0);
    WG_CHECK(hits > 0);
    wg_snapshot_reader_close(&r);
    wg_snapshot_writer_free(rc.w);
}

/* Growing renames the new file in before it is filled: until the writer
 * makes seq even, a reader that opened it must not answer from it. */
static void unfilled_file_answers_nothing(void)
{
    wg_snapshot_writer_t *w = NULL;
    WG_CHECK_INT(wg_snapshot_writer_open(g_path, &w), WG_OK);
    uint8_t *map = NULL;
    WG_CHECK_INT(create_file(w, 32, &map), WG_OK);
    wg_snapshot_reader_t r = WG_SNAPSHOT_READER_INIT;
    WG_CHECK_INT(wg_snapshot_reader_open(&r, g_path), WG_OK);
    WG_CHECK_INT(r.capacity, 32);
    wg_snapshot_entry_t e;
    entry(&e, "early", "open", "TOK-E", 200);
    fill_table(w, (header_t *)map, 32, &e, 1);
    wg_snapshot_state_t st;
    WG_CHECK_INT(wg_snapshot_lookup(&r, "early", "TOK-E", &st), WG_SNAPSHOT_MISS);
    atomic_store_explicit(&((header_t *)map)->seq, 2, memory_order_release);
    WG_CHECK_INT(wg_snapshot_lookup(&r, "early", "TOK-E", &st), WG_SNAPSHOT_HIT);
    wg_snapshot_reader_close(&r);
    munmap(map, file_size(32));
    wg_snapshot_writer_free(w);
}

static void bad_files_are_refused(void)
{
    wg_snapshot_reader_t r = WG_SNAPSHOT_READER_INIT;
    WG_CHECK_INT(wg_snapshot_reader_open(&r, g_path), WG_ENOTFOUND);
    int fd = open(g_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    char junk[4096];
    memset(junk, 'j', sizeof junk);
    WG_CHECK_INT(write(fd, junk, sizeof junk), (long long)sizeof junk);
    close(fd);
    WG_CHECK_INT(wg_snapshot_reader_open(&r, g_path), WG_EPROTO);
    WG_CHECK(!wg_snapshot_reader_usable(&r));
    truncate(g_path, 10);
    WG_CHECK_INT(wg_snapshot_reader_open(&r, g_path), WG_EPROTO);
    unlink(g_path);
    /* a directory that cannot hold the file */
    wg_snapshot_writer_t *w = NULL;
    WG_CHECK_INT(wg_snapshot_writer_open("/nonexistent-dir/x.snap", &w), WG_EIO);
    WG_CHECK(w == NULL);
    wg_snapshot_writer_free(NULL);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    snprintf(g_dir, sizeof g_dir, "/tmp/wgsnapXXXXXX");
    if (!mkdtemp(g_dir))
        return 1;
    snprintf(g_path, sizeof g_path, "%s/connd.sock.snap", g_dir);
    WG_RUN(publish_and_lookup);
    WG_RUN(growth_retires_the_old_file);
    WG_RUN(reader_never_sees_torn_rows);
    WG_RUN(unfilled_file_answers_nothing);
    WG_RUN(bad_files_are_refused);
    unlink(g_path);
    rmdir(g_dir);
    return wg_test_done();
}
