/* Allocation wrappers: they never return NULL. Out-of-memory is not an
 * input error, so it aborts here (with a log line) instead of threading
 * WG_ENOMEM through every caller. Malformed input must never reach abort. */
#ifndef WG_ALLOC_H
#define WG_ALLOC_H
#include <stddef.h>

void *wg_malloc(size_t n);
void *wg_calloc(size_t count, size_t size);
/* May move the block; the old pointer is invalid afterwards. */
void *wg_realloc(void *p, size_t n);
/* NULL in, NULL out. Caller frees with free(). */
char *wg_strdup(const char *s);
char *wg_strndup(const char *s, size_t n);

#endif
