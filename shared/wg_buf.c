/* Owned growable buffers and borrowed slices (see wg_buf.h).
 * Never interprets the bytes: codecs live elsewhere. */
#include "wg_buf.h"
#include "wg_alloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

wg_slice_t wg_slice(const void *p, size_t len)
{
    wg_slice_t s = {(const uint8_t *)p, len};
    return s;
}

wg_slice_t wg_slice_str(const char *s)
{
    return wg_slice(s, s ? strlen(s) : 0);
}

int wg_slice_eq_str(wg_slice_t s, const char *str)
{
    size_t n = strlen(str);
    return s.len == n && (n == 0 || memcmp(s.p, str, n) == 0);
}

void wg_buf_reserve(wg_buf_t *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->p = wg_realloc(b->p, cap);
    b->cap = cap;
    b->p[b->len] = '\0'; /* a reserved-only buffer is already a valid empty string */
}

void wg_buf_append(wg_buf_t *b, const void *p, size_t n)
{
    wg_buf_reserve(b, n);
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void wg_buf_append_str(wg_buf_t *b, const char *s)
{
    wg_buf_append(b, s, strlen(s));
}

void wg_buf_append_byte(wg_buf_t *b, uint8_t c)
{
    wg_buf_append(b, &c, 1);
}

void wg_buf_vprintf(wg_buf_t *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n < sizeof small) {
        wg_buf_append(b, small, (size_t)n);
    } else {
        wg_buf_reserve(b, (size_t)n);
        vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void wg_buf_printf(wg_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wg_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void wg_buf_consume(wg_buf_t *b, size_t n)
{
    if (n >= b->len) {
        wg_buf_reset(b);
        return;
    }
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
    b->p[b->len] = '\0';
}

void wg_buf_reset(wg_buf_t *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

void wg_buf_free(wg_buf_t *b)
{
    if (!b)
        return;
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

char *wg_buf_steal(wg_buf_t *b)
{
    if (!b->p)
        wg_buf_reserve(b, 0), b->p[0] = '\0';
    char *s = (char *)b->p;
    b->p = NULL;
    b->len = b->cap = 0;
    return s;
}

wg_slice_t wg_buf_slice(const wg_buf_t *b)
{
    return wg_slice(b->p, b->len);
}

const char *wg_buf_cstr(const wg_buf_t *b)
{
    return b->p ? (const char *)b->p : "";
}
