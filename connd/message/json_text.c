/* Compact JSON text (see json_text.h). wg_json_write walks the value once
 * and copies runs of plain bytes with memcpy; jansson's json_dumpb calls a
 * callback per token and scans strings a code point at a time, and the
 * messageRaw answer of every send was a tenth of the loop thread's time. The
 * output is byte for byte what json_dumpb(v, JSON_COMPACT | JSON_ENCODE_ANY)
 * writes (jansson 2.14's rules, fuzzed against it by fuzz_message_json_text):
 * objects in insertion order, strings escaped as \" \\ \b \f \n \r \t and
 * \u00XX for the other control characters, everything else (also '/' and
 * non-ASCII) as is. What it does not write itself it leaves to jansson: a
 * real (jansson's %.17g rules), nesting deeper than JSON_TEXT_DEPTH, invalid
 * UTF-8 (which jansson refuses). */
#include "message/json_text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_TEXT_DEPTH 64 /* deeper values go to jansson (it also detects cycles) */

typedef struct {
    char *buf;   /* output, may be NULL when size is 0 */
    size_t size; /* its size */
    size_t len;  /* bytes the text needs so far (written while they fit) */
} out_t;

static void put(out_t *o, const char *s, size_t n)
{
    if (o->len < o->size)
        memcpy(o->buf + o->len, s, o->len + n <= o->size ? n : o->size - o->len);
    o->len += n;
}

static void put_char(out_t *o, char c)
{
    if (o->len < o->size)
        o->buf[o->len] = c;
    o->len++;
}

/* Length of the valid UTF-8 sequence at s (lead byte c >= 0x80), 0 when invalid (jansson's
 * utf8_check_first/utf8_check_full: no overlongs, no surrogates, nothing past U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* A JSON string; -1 on invalid UTF-8. */
static int put_string(out_t *o, const char *str, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)str;
    put_char(o, '"');
    size_t run = 0; /* start of the bytes not written yet */
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            size_t k = utf8_seq(s + i, n - i);
            if (!k)
                return -1;
            i += k;
            continue;
        }
        put(o, str + run, i - run);
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t el = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 0xF];
            el = 6;
        }
        put(o, esc, el);
        i++;
        run = i;
    }
    put(o, str + run, n - run);
    put_char(o, '"');
    return 0;
}

/* -1: not written here (jansson decides). */
static int put_value(out_t *o, const json_t *v, int depth)
{
    if (depth > JSON_TEXT_DEPTH)
        return -1;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        put_char(o, '{');
        int first = 1;
        for (void *it = json_object_iter((json_t *)v); it;
             it = json_object_iter_next((json_t *)v, it)) {
            if (!first)
                put_char(o, ',');
            first = 0;
            if (put_string(o, json_object_iter_key(it), json_object_iter_key_len(it)) < 0)
                return -1;
            put_char(o, ':');
            if (put_value(o, json_object_iter_value(it), depth + 1) < 0)
                return -1;
        }
        put_char(o, '}');
        return 0;
    }
    case JSON_ARRAY: {
        put_char(o, '[');
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n; i++) {
            if (i)
                put_char(o, ',');
            if (put_value(o, json_array_get(v, i), depth + 1) < 0)
                return -1;
        }
        put_char(o, ']');
        return 0;
    }
    case JSON_STRING:
        return put_string(o, json_string_value(v), json_string_length(v));
    case JSON_INTEGER: {
        char num[32];
        int n = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        put(o, num, (size_t)n);
        return 0;
    }
    case JSON_TRUE:
        put(o, "true", 4);
        return 0;
    case JSON_FALSE:
        put(o, "false", 5);
        return 0;
    case JSON_NULL:
        put(o, "null", 4);
        return 0;
    default: /* JSON_REAL */
        return -1;
    }
}

size_t wg_json_write(const json_t *v, char *buf, size_t size)
{
    if (!v)
        return 0;
    out_t o = {buf, size, 0};
    if (put_value(&o, v, 0) == 0)
        return o.len;
    return json_dumpb(v, buf, size, JSON_COMPACT | JSON_ENCODE_ANY);
}

const char *wg_json_text(const json_t *v, char *buf, size_t size, char **spill)
{
    *spill = NULL;
    if (!json_is_object(v) && !json_is_array(v))
        return NULL; /* as json_dumps without JSON_ENCODE_ANY */
    size_t len = wg_json_write(v, buf, size ? size - 1 : 0);
    if (len == 0)
        return NULL; /* what can be encoded is at least "{}" */
    if (len < size) {
        buf[len] = '\0';
        return buf;
    }
    *spill = malloc(len + 1);
    if (!*spill || wg_json_write(v, *spill, len) != len) {
        free(*spill);
        *spill = NULL;
        return NULL;
    }
    (*spill)[len] = '\0';
    return *spill;
}
