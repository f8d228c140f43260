/* The decrypted-record cache of one instance (see record_cache.h): a hash
 * table of entries on a least-recently-used list. It never touches the
 * store; stores.c keeps it in step with the rows. */
#include "signal/record_cache.h"
#include "wg_alloc.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 512

typedef struct entry {
    wg_signal_key_kind_t kind;  /* the row key: kind */
    char *group;                /* group id ("" for none); owned */
    char *name;                 /* address name ("" for none); owned */
    int64_t device;             /* device or key id */
    uint8_t *record;            /* the plaintext record; owned, wiped */
    size_t len;                 /* its length */
    int dirty;                  /* added since the last durable commit */
    int held;                   /* write-back: not in the row yet (record_cache_hold) */
    int in_op;                  /* held by the operation still running: prior is valid */
    uint8_t *prior;             /* what the running operation replaced; owned, wiped */
    size_t prior_len;           /* its length */
    int prior_held;             /* its held flag */
    int prior_dirty;            /* its dirty flag */
    struct entry *chain;        /* next in its bucket (or in the graveyard) */
    struct entry *newer, *older; /* the LRU list */
} entry_t;

struct record_cache {
    entry_t *bucket[BUCKETS]; /* chains by key hash */
    entry_t *newest, *oldest; /* LRU ends */
    size_t count;             /* entries */
    size_t bytes;             /* their record bytes */
    size_t dirty;             /* how many are dirty */
    size_t held;              /* how many are held (write-back) */
    size_t in_op;             /* how many the running operation holds */
    int op_open;              /* between record_cache_op_begin and op_end */
    entry_t *graveyard;       /* held before the op, removed by it: their pre-op state */
};

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static size_t hash_key(const wg_signal_key_id_t *k)
{
    uint32_t h = 2166136261u ^ (uint32_t)k->kind;
    const char *parts[] = {or_empty(k->group_id), or_empty(k->name)};
    for (size_t i = 0; i < 2; i++)
        for (const unsigned char *c = (const unsigned char *)parts[i];; c++) {
            h = (h ^ *c) * 16777619u;
            if (!*c)
                break;
        }
    for (int i = 0; i < 8; i++)
        h = (h ^ (uint8_t)((uint64_t)k->device >> (8 * i))) * 16777619u;
    return h % BUCKETS;
}

static int same_name(const entry_t *e, const wg_signal_key_id_t *k)
{
    return e->kind == k->kind && strcmp(e->group, or_empty(k->group_id)) == 0 &&
           strcmp(e->name, or_empty(k->name)) == 0;
}

static entry_t **find(record_cache_t *c, const wg_signal_key_id_t *k)
{
    entry_t **e = &c->bucket[hash_key(k)];
    while (*e && !(same_name(*e, k) && (*e)->device == k->device))
        e = &(*e)->chain;
    return e;
}

static void lru_unlink(record_cache_t *c, entry_t *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void lru_push(record_cache_t *c, entry_t *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest)
        c->newest->newer = e;
    c->newest = e;
    if (!c->oldest)
        c->oldest = e;
}

/* Unlinks *slot's entry (a bucket link) and wipes and frees it. */
static void wipe_free(uint8_t *p, size_t len)
{
    if (p) {
        sodium_memzero(p, len);
        free(p);
    }
}

static void remove_at(record_cache_t *c, entry_t **slot)
{
    entry_t *e = *slot;
    *slot = e->chain;
    lru_unlink(c, e);
    c->count--;
    c->bytes -= e->len;
    c->dirty -= e->dirty ? 1 : 0;
    c->held -= e->held ? 1 : 0;
    c->in_op -= e->in_op ? 1 : 0;
    if (c->op_open && (e->in_op ? e->prior_held : e->held)) {
        /* held before the running operation, so the only copy of that
         * state: kept aside in that state until the operation ends */
        if (e->in_op) {
            wipe_free(e->record, e->len);
            e->record = e->prior;
            e->len = e->prior_len;
            e->dirty = e->prior_dirty;
            e->prior = NULL;
            e->prior_len = 0;
        }
        e->held = 1;
        e->in_op = 0;
        e->chain = c->graveyard;
        c->graveyard = e;
        return;
    }
    wipe_free(e->prior, e->prior_len);
    sodium_memzero(e->record, e->len);
    free(e->record);
    free(e->group);
    free(e->name);
    free(e);
}

/* Removes e wherever it is in its bucket. */
static void remove_entry(record_cache_t *c, entry_t *e)
{
    wg_signal_key_id_t k = {NULL, e->kind, e->group, e->name, e->device};
    remove_at(c, find(c, &k));
}

record_cache_t *record_cache_new(void)
{
    return wg_calloc(1, sizeof(record_cache_t));
}

/* Wipes and frees an entry that is in no bucket and on no list. */
static void entry_free(entry_t *e)
{
    wipe_free(e->prior, e->prior_len);
    wipe_free(e->record, e->len);
    free(e->group);
    free(e->name);
    free(e);
}

/* Frees the graveyard (keep 0), or puts its entries back in their held
 * pre-operation state, replacing what the operation left under their keys. */
static void graveyard_end(record_cache_t *c, int restore)
{
    while (c->graveyard) {
        entry_t *e = c->graveyard;
        c->graveyard = e->chain;
        if (!restore) {
            entry_free(e);
            continue;
        }
        wg_signal_key_id_t k = {NULL, e->kind, e->group, e->name, e->device};
        entry_t **slot = find(c, &k);
        if (*slot)
            remove_at(c, slot);
        e->chain = *slot;
        *slot = e;
        lru_push(c, e);
        c->count++;
        c->bytes += e->len;
        c->held++;
        c->dirty += e->dirty ? 1 : 0;
    }
}

void record_cache_free(record_cache_t *c)
{
    if (!c)
        return;
    c->op_open = 0;
    graveyard_end(c, 0);
    while (c->oldest)
        remove_entry(c, c->oldest);
    free(c);
}

int record_cache_get(record_cache_t *c, const wg_signal_key_id_t *k, const uint8_t **p,
                     size_t *len)
{
    entry_t *e = *find(c, k);
    if (!e)
        return 0;
    lru_unlink(c, e);
    lru_push(c, e);
    *p = e->record;
    *len = e->len;
    return 1;
}

void record_cache_put(record_cache_t *c, const wg_signal_key_id_t *k, const uint8_t *p,
                      size_t len)
{
    entry_t **slot = find(c, k);
    if (*slot)
        remove_at(c, slot);
    if (len == 0 || len > RECORD_CACHE_BYTES)
        return;
    /* the least recently used go first; a held record stays (it is the
     * only copy until the group's end), so the bound may be passed for as
     * long as a group holds that many */
    for (entry_t *e = c->oldest, *next;
         e && (c->count >= RECORD_CACHE_ENTRIES || c->bytes + len > RECORD_CACHE_BYTES); e = next) {
        next = e->newer;
        if (!e->held && !e->in_op)
            remove_entry(c, e);
    }
    entry_t *e = wg_calloc(1, sizeof *e);
    e->kind = k->kind;
    e->group = wg_strdup(or_empty(k->group_id));
    e->name = wg_strdup(or_empty(k->name));
    e->device = k->device;
    e->record = wg_malloc(len);
    memcpy(e->record, p, len);
    e->len = len;
    e->dirty = 1;
    slot = find(c, k); /* evictions may have changed the chain */
    e->chain = *slot;
    *slot = e;
    lru_push(c, e);
    c->count++;
    c->bytes += len;
    c->dirty++;
}

void record_cache_drop(record_cache_t *c, const wg_signal_key_id_t *k)
{
    entry_t **slot = find(c, k);
    if (*slot)
        remove_at(c, slot);
}

void record_cache_drop_name(record_cache_t *c, const wg_signal_key_id_t *k)
{
    for (entry_t *e = c->oldest, *next; e; e = next) {
        next = e->newer;
        if (same_name(e, k))
            remove_entry(c, e);
    }
}

/* A dirty entry was put since the last commit and every put or get moves
 * its entry to the newest end, so walking from there finds them all before
 * any entry untouched since that commit. */
void record_cache_rolled_back(record_cache_t *c, int keep_held)
{
    for (entry_t *e = c->newest, *next; e && (c->dirty || (!keep_held && c->held)); e = next) {
        next = e->older;
        if (e->dirty || (!keep_held && e->held))
            remove_entry(c, e);
    }
}

void record_cache_committed(record_cache_t *c)
{
    for (entry_t *e = c->newest; e && c->dirty; e = e->older)
        if (e->dirty) {
            e->dirty = 0;
            c->dirty--;
        }
}

int record_cache_hold(record_cache_t *c, const wg_signal_key_id_t *k, const uint8_t *p,
                      size_t len)
{
    entry_t *e = *find(c, k);
    if (!e || len == 0 || len > RECORD_CACHE_BYTES)
        return -1;
    uint8_t *copy = wg_malloc(len);
    memcpy(copy, p, len);
    if (e->in_op) {
        wipe_free(e->record, e->len); /* prior already keeps what the op replaced */
    } else {
        e->prior = e->record;
        e->prior_len = e->len;
        e->prior_held = e->held;
        e->prior_dirty = e->dirty;
        e->in_op = 1;
        c->in_op++;
    }
    c->bytes = c->bytes - e->len + len;
    e->record = copy;
    e->len = len;
    if (e->dirty) { /* the row's value is superseded: the held one is written */
        e->dirty = 0;
        c->dirty--;
    }
    if (!e->held) {
        e->held = 1;
        c->held++;
    }
    lru_unlink(c, e);
    lru_push(c, e);
    return 0;
}

void record_cache_op_begin(record_cache_t *c)
{
    c->op_open = 1;
}

void record_cache_op_end(record_cache_t *c, int ok)
{
    c->op_open = 0; /* from here a removal frees */
    for (entry_t *e = c->newest; e && c->in_op; e = e->older) {
        if (!e->in_op)
            continue;
        e->in_op = 0;
        c->in_op--;
        if (ok) {
            wipe_free(e->prior, e->prior_len);
        } else {
            wipe_free(e->record, e->len);
            c->bytes = c->bytes - e->len + e->prior_len;
            e->record = e->prior;
            e->len = e->prior_len;
            c->held = c->held - (size_t)e->held + (size_t)e->prior_held;
            c->dirty = c->dirty - (size_t)e->dirty + (size_t)e->prior_dirty;
            e->held = e->prior_held;
            e->dirty = e->prior_dirty;
        }
        e->prior = NULL;
        e->prior_len = 0;
    }
    graveyard_end(c, !ok);
}

int record_cache_flush(record_cache_t *c,
                       int (*write)(void *ud, const wg_signal_key_id_t *k, const uint8_t *p,
                                    size_t len),
                       void *ud)
{
    for (entry_t *e = c->newest; e && c->held; e = e->older) {
        if (!e->held)
            continue;
        wg_signal_key_id_t k = {NULL, e->kind, e->group[0] ? e->group : NULL,
                                e->name[0] ? e->name : NULL, e->device};
        int rc = write(ud, &k, e->record, e->len);
        if (rc < 0)
            return rc;
        e->held = 0;
        c->held--;
        e->dirty = 1;
        c->dirty++;
    }
    return 0;
}

size_t record_cache_held(const record_cache_t *c)
{
    return c ? c->held : 0;
}

size_t record_cache_count(const record_cache_t *c)
{
    return c->count;
}
