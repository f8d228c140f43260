/* shared/wg_random.c: distinct draws, a draw across the pool's end, large
 * requests past the pool, one pool per thread (wiped at thread exit), and a
 * forked child that does not repeat its parent's bytes. */
#include "wg_random.c"
#include "wg_test.h"
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int cmp16(const void *a, const void *b)
{
    return memcmp(a, b, 16);
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static void distinct_draws(void)
{
    enum { N = 4096 }; /* 128 refills */
    static uint8_t v[N][16];
    for (size_t i = 0; i < N; i++)
        wg_random_buf(v[i], 16);
    qsort(v, N, 16, cmp16);
    int dup = 0;
    for (size_t i = 1; i < N; i++)
        dup += memcmp(v[i - 1], v[i], 16) == 0;
    WG_CHECK_INT(dup, 0);
    /* every byte value shows up among 64 KiB of output */
    int seen[256] = {0};
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < 16; j++)
            seen[v[i][j]] = 1;
    int values = 0;
    for (int i = 0; i < 256; i++)
        values += seen[i];
    WG_CHECK_INT(values, 256);
}

static void draw_across_the_end(void)
{
    uint8_t b[16];
    while (g_pool.next != POOL_BYTES - 5) /* 5 bytes left after this */
        wg_random_buf(b, 1);
    WG_CHECK(all_zero(g_pool.bytes, g_pool.next)); /* handed-out bytes are wiped */
    uint8_t tail[5];
    memcpy(tail, g_pool.bytes + POOL_BYTES - 5, 5);
    wg_random_buf(b, 12);
    WG_CHECK(memcmp(b, tail, 5) == 0); /* the old pool's last bytes first */
    WG_CHECK_INT(g_pool.next, 7);      /* then 7 from a fresh pool */
    WG_CHECK(all_zero(g_pool.bytes, 7));
    WG_CHECK(!all_zero(g_pool.bytes + 7, POOL_BYTES - 7));
}

static void large_requests_bypass_the_pool(void)
{
    uint8_t b[1];
    wg_random_buf(b, 1);
    size_t at = g_pool.next;
    uint8_t big[POOL_BYTES / 2 + 1], big2[sizeof big];
    wg_random_buf(big, sizeof big);
    wg_random_buf(big2, sizeof big2);
    WG_CHECK_INT(g_pool.next, at);
    WG_CHECK(memcmp(big, big2, sizeof big) != 0);
    uint8_t half[POOL_BYTES / 2];
    wg_random_buf(half, sizeof half); /* at the limit: from the pool */
    WG_CHECK(g_pool.next != at);
}

typedef struct {
    pool_t *pool;      /* the thread's pool */
    size_t next;       /* its position after the draw */
    int registered;    /* the exit destructor holds that pool */
    uint8_t drawn[32]; /* what it drew */
} thread_seen_t;

static void *thread_draw(void *arg)
{
    thread_seen_t *t = arg;
    t->pool = &g_pool;
    WG_CHECK_INT(g_pool.next, POOL_BYTES); /* a new thread starts empty */
    wg_random_buf(t->drawn, sizeof t->drawn);
    t->next = g_pool.next;
    t->registered = pthread_getspecific(g_exit_key) == &g_pool;
    return NULL;
}

static void one_pool_per_thread(void)
{
    uint8_t b[3];
    wg_random_buf(b, sizeof b);
    size_t at = g_pool.next;
    uint8_t mine[32];
    memcpy(mine, g_pool.bytes + at, sizeof mine);
    thread_seen_t t;
    memset(&t, 0, sizeof t);
    pthread_t th;
    WG_CHECK_INT(pthread_create(&th, NULL, thread_draw, &t), 0);
    pthread_join(th, NULL);
    WG_CHECK(t.pool != &g_pool);
    WG_CHECK_INT(t.next, 32);
    WG_CHECK_INT(t.registered, 1);
    WG_CHECK_INT(g_pool.next, at); /* this thread's pool did not move */
    WG_CHECK(memcmp(t.drawn, mine, sizeof mine) != 0);
}

static void exit_destructor_wipes(void)
{
    pool_t p;
    memset(&p, 0xAB, sizeof p);
    p.next = 3;
    wipe(&p);
    WG_CHECK(all_zero(p.bytes, sizeof p.bytes));
    WG_CHECK_INT(p.next, POOL_BYTES);
    WG_CHECK_INT(p.registered, 0);
}

static void forked_child_refills(void)
{
    uint8_t b[1];
    wg_random_buf(b, 1); /* the pool holds bytes the parent will hand out next */
    int fds[2];
    WG_CHECK_INT(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        uint8_t c[16];
        wg_random_buf(c, sizeof c);
        ssize_t w = write(fds[1], c, sizeof c);
        _exit(w == (ssize_t)sizeof c ? 0 : 1);
    }
    WG_CHECK(pid > 0);
    uint8_t parent[16], child[16];
    wg_random_buf(parent, sizeof parent);
    close(fds[1]);
    WG_CHECK_INT(read(fds[0], child, sizeof child), sizeof child);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    WG_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    WG_CHECK(memcmp(parent, child, sizeof parent) != 0);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    WG_RUN(distinct_draws);
    WG_RUN(draw_across_the_end);
    WG_RUN(large_requests_bypass_the_pool);
    WG_RUN(one_pool_per_thread);
    WG_RUN(exit_destructor_wipes);
    WG_RUN(forked_child_refills);
    return wg_test_done();
}
