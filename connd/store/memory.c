/* SQLite's memory allocator for connd (see store_internal.h). */
#include "store/store_internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Every job of a group transaction runs in a savepoint, and with
 * temp_store = MEMORY a savepoint keeps the first image of each page it
 * changes in an in-memory sub-journal made of 1 KiB chunks (SQLite's
 * MEMJOURNAL_DFLT_FILECHUNKSIZE): a received message allocates about thirty
 * of them and frees them all at the savepoint's RELEASE. glibc keeps only 7
 * blocks of a size in its per-thread cache; the rest went through its bins
 * (unsorted bin, consolidation, unlink) both ways, some 14 % of the
 * worker's time. This allocator is SQLite's default one (malloc with an
 * 8-byte size header) plus, per thread, a short list of freed blocks of
 * that one size, handed out again before malloc is asked.
 *
 * SQLite's memory statistics are off: with them, every allocation and free
 * SQLite makes (and Debian's build has no lookaside, so a statement's
 * record buffers are among them, some twenty per received message) took a
 * process-wide mutex to count bytes nobody reads (connd uses neither
 * sqlite3_memory_used nor a heap limit). */
#define MEM_HEADER 8
#define MEM_CHUNK 1024      /* the request size of a sub-journal chunk */
#define MEM_KEEP 128        /* at most this many freed chunks kept per thread */

typedef struct mem_block {
    struct mem_block *next; /* in the thread's free list */
} mem_block_t;

typedef struct {
    mem_block_t *head; /* freed chunks (their header address) */
    int n;             /* how many */
} mem_list_t;

static __thread mem_list_t tl_list;
static pthread_key_t list_key; /* its destructor frees a thread's list at exit */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void list_free(void *arg)
{
    mem_list_t *l = arg;
    while (l->head) {
        mem_block_t *b = l->head;
        l->head = b->next;
        free(b);
    }
    l->n = 0;
}

static void *mem_malloc(int n)
{
    if (n <= 0)
        return NULL;
    uint8_t *p;
    mem_list_t *l = &tl_list;
    if (n == MEM_CHUNK && l->head) {
        p = (uint8_t *)l->head;
        l->head = l->head->next;
        l->n--;
    } else {
        p = malloc((size_t)n + MEM_HEADER);
        if (!p)
            return NULL;
    }
    int64_t size = n;
    memcpy(p, &size, sizeof size);
    return p + MEM_HEADER;
}

static void mem_free(void *ptr)
{
    if (!ptr)
        return;
    uint8_t *p = (uint8_t *)ptr - MEM_HEADER;
    int64_t size;
    memcpy(&size, p, sizeof size);
    mem_list_t *l = &tl_list;
    if (size == MEM_CHUNK && l->n < MEM_KEEP) {
        if (!l->n)
            (void)pthread_setspecific(list_key, l); /* cheap; the destructor needs it */
        mem_block_t *b = (mem_block_t *)p;
        b->next = l->head;
        l->head = b;
        l->n++;
        return;
    }
    free(p);
}

static void *mem_realloc(void *ptr, int n)
{
    if (n <= 0)
        return NULL;
    uint8_t *p = realloc((uint8_t *)ptr - MEM_HEADER, (size_t)n + MEM_HEADER);
    if (!p)
        return NULL;
    int64_t size = n;
    memcpy(p, &size, sizeof size);
    return p + MEM_HEADER;
}

static int mem_size(void *ptr)
{
    if (!ptr)
        return 0;
    int64_t size;
    memcpy(&size, (uint8_t *)ptr - MEM_HEADER, sizeof size);
    return (int)size;
}

static int mem_roundup(int n)
{
    return (n + 7) & ~7;
}

static int mem_init(void *ud)
{
    (void)ud;
    return SQLITE_OK;
}

static void mem_shutdown(void *ud)
{
    (void)ud;
}

static const sqlite3_mem_methods methods = {
    mem_malloc, mem_free, mem_realloc, mem_size, mem_roundup, mem_init, mem_shutdown, NULL,
};

static void install(void)
{
    if (pthread_key_create(&list_key, list_free) != 0)
        return;
    /* SQLITE_MISUSE when SQLite was initialized already (something in the
     * process used it first): it keeps its own allocator then */
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) == SQLITE_OK)
        (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

void store_memory_install(void)
{
    (void)pthread_once(&once, install);
}
