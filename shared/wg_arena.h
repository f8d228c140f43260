/* A bump allocator for per-request memory in wagate-fcgi: everything a
 * request allocates comes from its arena and dies with wg_arena_reset().
 * Not thread-safe: one arena per request thread. */
#ifndef WG_ARENA_H
#define WG_ARENA_H
#include <stddef.h>

typedef struct wg_arena_chunk wg_arena_chunk_t;
typedef struct {
    wg_arena_chunk_t *head; /* newest chunk, allocations come from here */
    size_t chunk_size;      /* size of ordinary chunks */
} wg_arena_t;

void wg_arena_init(wg_arena_t *a, size_t chunk_size);
/* 16-byte aligned, never NULL (aborts on OOM); valid until reset/free. */
void *wg_arena_alloc(wg_arena_t *a, size_t n);
char *wg_arena_strdup(wg_arena_t *a, const char *s);
char *wg_arena_strndup(wg_arena_t *a, const char *s, size_t n);
/* Frees all but the first chunk, which is kept for the next request. */
void wg_arena_reset(wg_arena_t *a);
void wg_arena_free(wg_arena_t *a);

#endif
