/* Helpers for the connd/wa unit tests: find and load JSON vector files, and
 * convert hex. Vector files are data: tests/unit/connd/wa/vectors/ (made by
 * tests/tools/wa-vectors/) and ../shared/noise-vectors/ (published Noise
 * vectors). A missing file is a test failure, never a skip. */
#ifndef WA_VECTORS_H
#define WA_VECTORS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wg_buf.h"

/* Loads $WG_SOURCE_DIR/tests/unit/connd/wa/vectors/<name> (or the vectors/
 * folder beside this header when the variable is unset). NULL + message on
 * failure. The caller json_decref()s the result. */
static inline json_t *wa_load_repo_vector(const char *name)
{
    char path[4096];
    const char *src = getenv("WG_SOURCE_DIR");
    if (src && *src) {
        snprintf(path, sizeof path, "%s/tests/unit/connd/wa/vectors/%s", src, name);
    } else {
        const char *here = __FILE__;
        const char *slash = strrchr(here, '/');
        int dir_len = slash ? (int)(slash - here) : 1;
        snprintf(path, sizeof path, "%.*s/vectors/%s", dir_len, slash ? here : ".", name);
    }
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j)
        fprintf(stderr, "cannot load vector file %s: %s (line %d)\n", path, err.text, err.line);
    return j;
}

/* Loads a file of the shared reference tree: $WG_SHARED_SPEC/<rel>, else
 * $WG_SOURCE_DIR/../shared/<rel>. */
static inline json_t *wa_load_shared_file(const char *rel)
{
    char path[4096];
    const char *spec = getenv("WG_SHARED_SPEC");
    const char *src = getenv("WG_SOURCE_DIR");
    if (spec && *spec)
        snprintf(path, sizeof path, "%s/%s", spec, rel);
    else if (src && *src)
        snprintf(path, sizeof path, "%s/../shared/%s", src, rel);
    else
        snprintf(path, sizeof path, "../shared/%s", rel);
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j)
        fprintf(stderr, "cannot load shared file %s: %s (set WG_SHARED_SPEC)\n", path, err.text);
    return j;
}

/* Appends the bytes of a hex string to out; returns 0 or -1 for bad hex. */
static inline int wa_hex_append(wg_buf_t *out, const char *hex)
{
    size_t n = strlen(hex);
    if (n % 2)
        return -1;
    wg_buf_reserve(out, n / 2);
    for (size_t i = 0; i < n; i += 2) {
        unsigned v;
        if (sscanf(hex + i, "%2x", &v) != 1)
            return -1;
        wg_buf_append_byte(out, (uint8_t)v);
    }
    return 0;
}

/* Decodes exactly n bytes of hex into dst; returns 0 or -1. */
static inline int wa_hex_fixed(uint8_t *dst, size_t n, const char *hex)
{
    if (!hex || strlen(hex) != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        dst[i] = (uint8_t)v;
    }
    return 0;
}

static inline const char *wa_json_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

/* Lower-case hex of p[0..n) into out (appended). */
static inline void wa_hex_of(wg_buf_t *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        wg_buf_printf(out, "%02x", p[i]);
}

#endif
