/* The two string types of wagate.
 * wg_slice_t borrows bytes it does not own; wg_buf_t owns a growable buffer
 * that is always NUL-terminated (p[len] == 0) once anything was appended.
 * Functions marked "may reallocate" invalidate pointers into p. */
#ifndef WG_BUF_H
#define WG_BUF_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const uint8_t *p; /* first byte, not owned */
    size_t len;       /* byte count */
} wg_slice_t;

typedef struct {
    uint8_t *p; /* heap block or NULL when empty-never-used */
    size_t len; /* bytes in use, excluding the terminating NUL */
    size_t cap; /* allocated bytes, including room for the NUL */
} wg_buf_t;

#define WG_BUF_INIT {NULL, 0, 0}

wg_slice_t wg_slice(const void *p, size_t len);
wg_slice_t wg_slice_str(const char *s);
int wg_slice_eq_str(wg_slice_t s, const char *str);

/* Ensures room for `extra` more bytes plus NUL. May reallocate. */
void wg_buf_reserve(wg_buf_t *b, size_t extra);
/* Append bytes / a C string / formatted text. May reallocate. */
void wg_buf_append(wg_buf_t *b, const void *p, size_t n);
void wg_buf_append_str(wg_buf_t *b, const char *s);
void wg_buf_append_byte(wg_buf_t *b, uint8_t c);
void wg_buf_printf(wg_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wg_buf_vprintf(wg_buf_t *b, const char *fmt, va_list ap);
/* Drops the first n bytes (n <= len), keeping the rest at the front. */
void wg_buf_consume(wg_buf_t *b, size_t n);
/* Sets len to 0, keeps the allocation. */
void wg_buf_reset(wg_buf_t *b);
/* Frees the block; the buffer is empty and reusable afterwards. NULL is a no-op. */
void wg_buf_free(wg_buf_t *b);
/* Gives the block to the caller (free() it); NUL-terminated, never NULL. */
char *wg_buf_steal(wg_buf_t *b);
/* Borrowed view of the current contents. */
wg_slice_t wg_buf_slice(const wg_buf_t *b);
/* The contents as a C string ("" when empty); borrowed. */
const char *wg_buf_cstr(const wg_buf_t *b);

#endif
