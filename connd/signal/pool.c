/* The kept Signal layers (see pool.h): a list of pools, one per store that
 * has served a pool_get, each a most-recently-used list of layers. It opens
 * no transaction and writes nothing; the layers do, through stores.c. */
#include "signal/pool.h"
#include "signal/context.h"
#include "signal/record_cache.h"
#include "wg_alloc.h"
#include "wg_err.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

typedef struct pool {
    wg_store_t *store;  /* whose layers (observed) */
    wg_signal_t *first; /* the layers, most recently used first */
    int count;          /* how many */
    struct pool *next;  /* g_pools link */
} pool_t;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER; /* guards g_pools */
static pool_t *g_pools;

static pool_t *pool_find(wg_store_t *store)
{
    pthread_mutex_lock(&g_lock);
    pool_t *p = g_pools;
    while (p && p->store != store)
        p = p->next;
    pthread_mutex_unlock(&g_lock);
    return p;
}

static void layer_free(wg_signal_t *s)
{
    s->pooled = 0;
    wg_signal_free(s);
}

/* A savepoint's rollback inside a live group cannot undo the held records
 * (they were made at the group's level, after any savepoint before them
 * ended, and the next savepoint's begin writes them first); anything else
 * (the group lost, a failed COMMIT) takes them too. */
static void on_rolled_back(void *ud)
{
    pool_t *p = ud;
    int keep_held = wg_store_group_open(p->store);
    for (wg_signal_t *s = p->first; s; s = s->pool_next)
        record_cache_rolled_back(s->cache, keep_held);
}

/* Write-back: a savepoint opens or the group commits, the held records go
 * to their rows first; not those of a layer whose own batch holds (that
 * batch's savepoint is opening, or it is open: signal.c batch_begin). */
static int flush_all(void *ud)
{
    int rc = 0;
    for (wg_signal_t *s = ((pool_t *)ud)->first; s; s = s->pool_next) {
        if (s->batch_holds)
            continue;
        int r = signal_record_flush(s);
        if (r < 0 && rc == 0)
            rc = r;
    }
    return rc;
}

static void on_committed(void *ud)
{
    for (wg_signal_t *s = ((pool_t *)ud)->first; s; s = s->pool_next)
        record_cache_committed(s->cache);
}

/* Records the layer holds for the group's end go with it: the instance's
 * credentials (so its Signal identity) were replaced or removed, which ends
 * its sessions' use. */
static void on_instance_gone(void *ud, const char *instance_id)
{
    pool_t *p = ud;
    for (wg_signal_t **s = &p->first; *s;) {
        if (strcmp((*s)->instance_id, instance_id) == 0) {
            wg_signal_t *gone = *s;
            *s = gone->pool_next;
            p->count--;
            layer_free(gone);
        } else {
            s = &(*s)->pool_next;
        }
    }
}

static void on_closing(void *ud)
{
    pool_t *p = ud;
    pthread_mutex_lock(&g_lock);
    for (pool_t **q = &g_pools; *q; q = &(*q)->next)
        if (*q == p) {
            *q = p->next;
            break;
        }
    pthread_mutex_unlock(&g_lock);
    while (p->first) {
        wg_signal_t *s = p->first;
        p->first = s->pool_next;
        layer_free(s);
    }
    free(p);
}

static pool_t *pool_get(wg_store_t *store)
{
    pool_t *p = pool_find(store);
    if (p)
        return p;
    p = wg_calloc(1, sizeof *p);
    p->store = store;
    wg_store_observer_t o = {.rolled_back = on_rolled_back,
                             .committed = on_committed,
                             .instance_gone = on_instance_gone,
                             .closing = on_closing,
                             .savepoint = flush_all,
                             .committing = flush_all,
                             .ud = p};
    if (wg_store_observe(store, &o) != 0) {
        free(p);
        return NULL;
    }
    pthread_mutex_lock(&g_lock);
    p->next = g_pools;
    g_pools = p;
    pthread_mutex_unlock(&g_lock);
    return p;
}

int wg_signal_pool_get(wg_store_t *store, const char *instance_id, const uint8_t vault_key[32],
                       const wg_wa_creds_t *creds, wg_signal_t **out)
{
    *out = NULL;
    if (!store || !instance_id || !vault_key || !creds)
        return WG_EINVAL;
    pool_t *p = pool_get(store);
    if (!p)
        return WG_EINVAL;
    wg_signal_t **at = &p->first;
    while (*at && strcmp((*at)->instance_id, instance_id) != 0)
        at = &(*at)->pool_next;
    wg_signal_t *s = *at;
    if (s) {
        *at = s->pool_next; /* to the front, or out when the key changed */
        p->count--;
        if (sodium_memcmp(s->vault_key, vault_key, sizeof s->vault_key) != 0) {
            (void)signal_record_flush(s); /* sealed with the key they were made under */
            layer_free(s);
            s = NULL;
        }
    }
    if (!s) {
        int rc = wg_signal_open(store, instance_id, vault_key, creds, &s);
        if (rc < 0)
            return rc;
        s->cache = record_cache_new();
        s->pooled = 1;
    } else {
        wg_signal_set_creds(s, creds);
    }
    s->pool_next = p->first;
    p->first = s;
    p->count++;
    if (p->count > WG_SIGNAL_POOL_MAX) {
        /* the least recently used goes, unless it holds records for the
         * group's end: then the one before it (the pool may stay over its
         * bound until the group commits) */
        wg_signal_t **victim = NULL;
        for (wg_signal_t **at2 = &p->first->pool_next; *at2; at2 = &(*at2)->pool_next)
            if (record_cache_held((*at2)->cache) == 0)
                victim = at2;
        if (victim) {
            wg_signal_t *gone = *victim;
            *victim = gone->pool_next;
            layer_free(gone);
            p->count--;
        }
    }
    *out = s;
    return 0;
}

int wg_signal_pool_count(wg_store_t *store)
{
    pool_t *p = pool_find(store);
    return p ? p->count : 0;
}

void signal_pool_note_write(const wg_signal_t *writer, const wg_signal_key_id_t *k, int by_name)
{
    pool_t *p = pool_find(writer->store);
    for (wg_signal_t *s = p ? p->first : NULL; s; s = s->pool_next)
        if (s != writer && s->cache && strcmp(s->instance_id, writer->instance_id) == 0) {
            if (by_name)
                record_cache_drop_name(s->cache, k);
            else
                record_cache_drop(s->cache, k);
        }
}
