/* Per-request bump allocator (see wg_arena.h). */
#include "wg_arena.h"
#include "wg_alloc.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct wg_arena_chunk {
    wg_arena_chunk_t *next; /* older chunk */
    size_t used;            /* bytes handed out from data */
    size_t size;            /* bytes in data */
    _Alignas(16) unsigned char data[];
};

void wg_arena_init(wg_arena_t *a, size_t chunk_size)
{
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : 16384;
}

void *wg_arena_alloc(wg_arena_t *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!a->head || a->head->size - a->head->used < n) {
        size_t size = n > a->chunk_size ? n : a->chunk_size;
        wg_arena_chunk_t *c = wg_malloc(sizeof *c + size);
        c->used = 0;
        c->size = size;
        c->next = a->head;
        a->head = c;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

char *wg_arena_strndup(wg_arena_t *a, const char *s, size_t n)
{
    if (!s)
        return NULL;
    size_t len = strnlen(s, n);
    char *d = wg_arena_alloc(a, len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *wg_arena_strdup(wg_arena_t *a, const char *s)
{
    return s ? wg_arena_strndup(a, s, strlen(s)) : NULL;
}

void wg_arena_reset(wg_arena_t *a)
{
    while (a->head && a->head->next) {
        wg_arena_chunk_t *c = a->head;
        a->head = c->next;
        free(c);
    }
    if (a->head)
        a->head->used = 0;
}

void wg_arena_free(wg_arena_t *a)
{
    if (!a)
        return;
    wg_arena_reset(a);
    free(a->head);
    a->head = NULL;
}
