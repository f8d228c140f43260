/* State snapshot file (see wg_snapshot.h). Layout: one header, then a
 * power-of-two table of fixed-size slots, open addressing with linear
 * probing on the FNV-1a hash of the name. The table is at most half full,
 * so a probe always ends at an empty slot.
 *
 * Seqlock discipline: the writer makes seq odd, changes the table, then
 * makes it even with a release store; a reader loads seq with acquire,
 * copies what it needs into locals, fences, and loads seq again. Only the
 * locals are used, and only when both loads saw the same even value. */
#include "wg_snapshot.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include <fcntl.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC 0x31534757u /* "WGS1" */
#define VERSION 1u
#define MIN_CAPACITY 16u
#define READ_ATTEMPTS 64

typedef struct {
    uint32_t magic;                      /* MAGIC */
    uint32_t version;                    /* VERSION */
    _Atomic uint64_t seq;                /* odd while the table changes */
    _Atomic uint32_t retired;            /* 1: replaced or connd stopped; readers use IPC */
    uint32_t capacity;                   /* slots, a power of two; fixed for the file's life */
    uint32_t count;                      /* used slots */
    uint32_t slot_size;                  /* sizeof(slot_t), checked by readers */
    int32_t writer_pid;                  /* getpid() of the writer */
    uint32_t reserved;                   /* zero */
    uint8_t key[WG_SNAPSHOT_HASH_BYTES]; /* BLAKE2b key of the token hashes */
} header_t;

typedef struct {
    uint8_t used;                               /* 1 when the slot holds an instance */
    uint8_t has_status_reason;                  /* 1 when status_reason is set */
    char name[WG_SNAPSHOT_NAME_MAX + 1];        /* NUL-terminated */
    char state[WG_SNAPSHOT_STATE_MAX + 1];      /* NUL-terminated */
    int32_t status_reason;                      /* last connection statusReason */
    uint8_t token_hash[WG_SNAPSHOT_HASH_BYTES]; /* keyed BLAKE2b of the token */
} slot_t;

struct wg_snapshot_writer {
    char *path;                          /* the published file */
    uint8_t *map;                        /* read-write shared mapping */
    size_t map_len;                      /* its length */
    uint32_t capacity;                   /* slots in the mapped file */
    uint8_t key[WG_SNAPSHOT_HASH_BYTES]; /* same key for every file of this writer */
    int retired;                         /* 1 after wg_snapshot_writer_retire */
};

static size_t file_size(uint32_t capacity)
{
    return sizeof(header_t) + (size_t)capacity * sizeof(slot_t);
}

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static void token_hash(const uint8_t key[WG_SNAPSHOT_HASH_BYTES], const char *token,
                       uint8_t out[WG_SNAPSHOT_HASH_BYTES])
{
    crypto_generichash(out, WG_SNAPSHOT_HASH_BYTES, (const unsigned char *)token, strlen(token),
                       key, WG_SNAPSHOT_HASH_BYTES);
}

/* ------------------------------------------------------------------ writer */

/* Makes path.tmp of the given capacity, maps it, writes the header and
 * renames it over path. seq starts odd: a reader that opens the file before
 * the caller has filled the table and made seq even waits or asks connd. */
static int create_file(wg_snapshot_writer_t *w, uint32_t capacity, uint8_t **map_out)
{
    size_t len = file_size(capacity);
    size_t plen = strlen(w->path);
    char *tmp = wg_malloc(plen + 5);
    memcpy(tmp, w->path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    int rc = WG_EIO;
    uint8_t *map = MAP_FAILED;
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0)
        goto done;
    if (fchmod(fd, 0640) != 0 || ftruncate(fd, (off_t)len) != 0)
        goto done;
    map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        goto done;
    header_t *h = (header_t *)map;
    h->magic = MAGIC;
    h->version = VERSION;
    atomic_store_explicit(&h->seq, 1, memory_order_relaxed);
    atomic_store_explicit(&h->retired, 0, memory_order_relaxed);
    h->capacity = capacity;
    h->count = 0;
    h->slot_size = sizeof(slot_t);
    h->writer_pid = (int32_t)getpid();
    memcpy(h->key, w->key, sizeof h->key);
    if (rename(tmp, w->path) != 0)
        goto done;
    *map_out = map;
    map = MAP_FAILED;
    rc = WG_OK;
done:
    if (map != MAP_FAILED)
        munmap(map, len);
    if (fd >= 0)
        close(fd);
    if (rc != WG_OK)
        unlink(tmp);
    free(tmp);
    return rc;
}

static void retire_map(uint8_t *map)
{
    header_t *h = (header_t *)map;
    uint64_t seq = atomic_load_explicit(&h->seq, memory_order_relaxed);
    atomic_store_explicit(&h->retired, 1, memory_order_release);
    /* a reader in the middle of a lookup sees seq move and looks again */
    atomic_store_explicit(&h->seq, (seq | 1u) + 1u, memory_order_release);
}

int wg_snapshot_writer_open(const char *path, wg_snapshot_writer_t **out)
{
    *out = NULL;
    wg_snapshot_writer_t *w = wg_calloc(1, sizeof *w);
    w->path = wg_strdup(path);
    randombytes_buf(w->key, sizeof w->key);
    if (create_file(w, MIN_CAPACITY, &w->map) != WG_OK) {
        free(w->path);
        free(w);
        return WG_EIO;
    }
    w->capacity = MIN_CAPACITY;
    w->map_len = file_size(MIN_CAPACITY);
    /* an empty table is a consistent one */
    atomic_store_explicit(&((header_t *)w->map)->seq, 2, memory_order_release);
    *out = w;
    return WG_OK;
}

static int fits(const wg_snapshot_entry_t *e)
{
    return e->name && e->state && e->token && *e->name && *e->token &&
           strlen(e->name) <= WG_SNAPSHOT_NAME_MAX && strlen(e->state) <= WG_SNAPSHOT_STATE_MAX;
}

static void fill_table(const wg_snapshot_writer_t *w, header_t *h, uint32_t capacity,
                       const wg_snapshot_entry_t *entries, size_t n)
{
    slot_t *slots = (slot_t *)(h + 1);
    memset(slots, 0, (size_t)capacity * sizeof(slot_t));
    uint32_t count = 0;
    for (size_t i = 0; i < n; i++) {
        const wg_snapshot_entry_t *e = &entries[i];
        if (!fits(e))
            continue;
        uint32_t idx = name_hash(e->name) & (capacity - 1);
        while (slots[idx].used && strcmp(slots[idx].name, e->name) != 0)
            idx = (idx + 1) & (capacity - 1);
        slot_t *s = &slots[idx];
        if (!s->used)
            count++;
        s->used = 1;
        snprintf(s->name, sizeof s->name, "%s", e->name);
        snprintf(s->state, sizeof s->state, "%s", e->state);
        s->has_status_reason = e->has_status_reason ? 1 : 0;
        s->status_reason = e->status_reason;
        token_hash(w->key, e->token, s->token_hash);
    }
    h->count = count;
}

int wg_snapshot_writer_publish(wg_snapshot_writer_t *w, const wg_snapshot_entry_t *entries,
                               size_t n)
{
    if (!w || w->retired)
        return WG_EIO;
    uint32_t need = MIN_CAPACITY;
    while ((size_t)need < 2 * n && need < (1u << 30))
        need <<= 1;
    if (need > w->capacity) {
        /* a new, bigger file: filled before anyone can open it, then the
         * old mapping tells its readers to reopen */
        uint8_t *map = NULL;
        if (create_file(w, need, &map) != WG_OK) {
            retire_map(w->map);
            w->retired = 1;
            unlink(w->path);
            return WG_EIO;
        }
        fill_table(w, (header_t *)map, need, entries, n);
        atomic_store_explicit(&((header_t *)map)->seq, 2, memory_order_release);
        retire_map(w->map);
        munmap(w->map, w->map_len);
        w->map = map;
        w->map_len = file_size(need);
        w->capacity = need;
        return WG_OK;
    }
    header_t *h = (header_t *)w->map;
    uint64_t seq = atomic_load_explicit(&h->seq, memory_order_relaxed);
    atomic_store_explicit(&h->seq, seq + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    fill_table(w, h, w->capacity, entries, n);
    atomic_store_explicit(&h->seq, seq + 2, memory_order_release);
    return WG_OK;
}

void wg_snapshot_writer_retire(wg_snapshot_writer_t *w)
{
    if (!w || w->retired)
        return;
    retire_map(w->map);
    w->retired = 1;
    unlink(w->path);
}

void wg_snapshot_writer_free(wg_snapshot_writer_t *w)
{
    if (!w)
        return;
    wg_snapshot_writer_retire(w);
    munmap(w->map, w->map_len);
    free(w->path);
    free(w);
}

/* ------------------------------------------------------------------ reader */

int wg_snapshot_reader_open(wg_snapshot_reader_t *r, const char *path)
{
    wg_snapshot_reader_close(r);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return WG_ENOTFOUND;
    struct stat st;
    int rc = WG_EPROTO;
    if (fstat(fd, &st) != 0 || (size_t)st.st_size < file_size(MIN_CAPACITY))
        goto done;
    size_t len = (size_t)st.st_size;
    uint8_t *map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        goto done;
    const header_t *h = (const header_t *)map;
    uint32_t cap = h->capacity;
    if (h->magic != MAGIC || h->version != VERSION || h->slot_size != sizeof(slot_t) ||
        cap < MIN_CAPACITY || (cap & (cap - 1)) != 0 || file_size(cap) > len) {
        munmap(map, len);
        goto done;
    }
    r->map = map;
    r->map_len = len;
    r->capacity = cap;
    r->writer_pid = h->writer_pid;
    rc = WG_OK;
done:
    close(fd);
    return rc;
}

void wg_snapshot_reader_close(wg_snapshot_reader_t *r)
{
    if (r->map)
        munmap((void *)r->map, r->map_len);
    r->map = NULL;
    r->map_len = 0;
    r->capacity = 0;
    r->writer_pid = 0;
}

int wg_snapshot_reader_usable(const wg_snapshot_reader_t *r)
{
    if (!r->map)
        return 0;
    const header_t *h = (const header_t *)r->map;
    return !atomic_load_explicit((_Atomic uint32_t *)&h->retired, memory_order_acquire);
}

wg_snapshot_result_t wg_snapshot_lookup(const wg_snapshot_reader_t *r, const char *name,
                                        const char *apikey, wg_snapshot_state_t *out)
{
    if (!r->map)
        return WG_SNAPSHOT_RETIRED;
    if (!name || !apikey || !*apikey || strlen(name) > WG_SNAPSHOT_NAME_MAX)
        return WG_SNAPSHOT_MISS;
    header_t *h = (header_t *)r->map; /* mapped read-only; atomics only load */
    const slot_t *slots = (const slot_t *)(h + 1);
    uint32_t mask = r->capacity - 1;
    uint8_t want[WG_SNAPSHOT_HASH_BYTES];
    token_hash(h->key, apikey, want); /* the key never changes in a file */
    uint32_t start = name_hash(name) & mask;
    for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
        uint64_t s1 = atomic_load_explicit(&h->seq, memory_order_acquire);
        if (atomic_load_explicit(&h->retired, memory_order_acquire))
            return WG_SNAPSHOT_RETIRED;
        if (s1 & 1u)
            continue;
        slot_t s;
        int found = 0;
        uint32_t idx = start;
        for (uint32_t probes = 0; probes <= mask; probes++) {
            memcpy(&s, &slots[idx], sizeof s);
            if (!s.used)
                break;
            s.name[sizeof s.name - 1] = '\0'; /* a torn copy is thrown away below */
            if (strcmp(s.name, name) == 0) {
                found = 1;
                break;
            }
            idx = (idx + 1) & mask;
        }
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&h->seq, memory_order_relaxed) != s1)
            continue;
        if (!found || sodium_memcmp(s.token_hash, want, sizeof want) != 0)
            return WG_SNAPSHOT_MISS;
        s.state[sizeof s.state - 1] = '\0';
        memcpy(out->state, s.state, sizeof out->state);
        out->has_status_reason = s.has_status_reason;
        out->status_reason = s.status_reason;
        return WG_SNAPSHOT_HIT;
    }
    return WG_SNAPSHOT_MISS;
}
