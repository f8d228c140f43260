/* The per-thread random pool (see wg_random.h). Must never hand out a byte
 * twice: a drawn byte is zeroed in the pool and the position only moves
 * forward until the next refill. */
#include "wg_random.h"
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#define POOL_BYTES 512

typedef struct {
    uint8_t bytes[POOL_BYTES]; /* random bytes; those before next are already zeroed */
    size_t next;               /* first byte not handed out; POOL_BYTES = empty */
    int registered;            /* 1 once the exit destructor knows this pool */
} pool_t;

static _Thread_local pool_t g_pool = {.next = POOL_BYTES};

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_exit_key; /* its destructor wipes the exiting thread's pool */
static int g_have_key;           /* 1 when g_exit_key was created */

static void wipe(void *pool)
{
    pool_t *p = pool;
    sodium_memzero(p->bytes, sizeof p->bytes);
    p->next = POOL_BYTES;
    p->registered = 0; /* a later draw (another key's destructor) registers again */
}

/* in the child of a fork: only the forking thread lives on, with a copy of
 * its pool that the parent will keep using */
static void after_fork_child(void)
{
    wipe(&g_pool);
}

static void init_once(void)
{
    g_have_key = pthread_key_create(&g_exit_key, wipe) == 0;
    pthread_atfork(NULL, NULL, after_fork_child);
}

static void refill(pool_t *p)
{
    if (!p->registered) {
        pthread_once(&g_once, init_once);
        if (g_have_key)
            pthread_setspecific(g_exit_key, p);
        p->registered = 1;
    }
    randombytes_buf(p->bytes, sizeof p->bytes);
    p->next = 0;
}

void wg_random_buf(void *buf, size_t len)
{
    uint8_t *out = buf;
    if (len > POOL_BYTES / 2) {
        randombytes_buf(out, len);
        return;
    }
    pool_t *p = &g_pool;
    while (len) {
        if (p->next == POOL_BYTES)
            refill(p);
        size_t n = POOL_BYTES - p->next;
        if (n > len)
            n = len;
        memcpy(out, p->bytes + p->next, n);
        sodium_memzero(p->bytes + p->next, n);
        p->next += n;
        out += n;
        len -= n;
    }
}

uint8_t wg_random_byte(void)
{
    uint8_t b;
    wg_random_buf(&b, 1);
    return b;
}
