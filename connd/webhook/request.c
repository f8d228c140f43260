/* Header lines of a webhook POST (see request.h). Never sends anything. */
#include "webhook/request.h"
#include "webhook/jwt.h"
#include "webhook/signature.h"
#include "wg_alloc.h"
#include "wg_buf.h"
#include "wg_log.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define JWT_KEY "jwt_key"

typedef struct {
    char **lines; /* NULL-terminated */
    size_t n;     /* used entries, without the NULL */
    size_t cap;   /* allocated entries */
} lines_t;

static void add(lines_t *l, char *line)
{
    if (l->n + 2 > l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->lines = wg_realloc(l->lines, l->cap * sizeof *l->lines);
    }
    l->lines[l->n++] = line;
    l->lines[l->n] = NULL;
}

static void addf(lines_t *l, const char *name, const char *value)
{
    wg_buf_t b = WG_BUF_INIT;
    wg_buf_printf(&b, "%s: %s", name, value);
    add(l, wg_buf_steal(&b));
}

/* RFC 9110 token characters. */
static int token(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!strchr("!#$%&'*+-.^_`|~", *s) &&
            !((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
            return 0;
    return 1;
}

static int has_header(const lines_t *l, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < l->n; i++)
        if (strncasecmp(l->lines[i], name, n) == 0 && l->lines[i][n] == ':')
            return 1;
    return 0;
}

/* The custom headers object; values that are not strings are sent as their
 * JSON text (axios stringifies numbers and booleans the same way). */
static void custom_headers(lines_t *l, const wg_outbox_row_t *row, int64_t now_s)
{
    if (!row->headers_json || !*row->headers_json)
        return;
    json_t *obj = json_loads(row->headers_json, 0, NULL);
    if (!json_is_object(obj)) {
        json_decref(obj);
        return;
    }
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value)
    {
        if (json_is_null(value))
            continue;
        char *text = json_is_string(value) ? wg_strdup(json_string_value(value))
                                           : json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!text)
            continue;
        if (strcmp(key, JWT_KEY) == 0) {
            wg_buf_t b = WG_BUF_INIT;
            wg_buf_append_str(&b, "Authorization: Bearer ");
            wg_jwt_hs256(text, strlen(text), now_s, &b);
            add(l, wg_buf_steal(&b));
        } else if (!token(key) || strpbrk(text, "\r\n")) {
            char q[128];
            wg_log(WG_LOG_WARN,
                   "msg=\"webhook header dropped: not a valid header\" instance=%s name=%s",
                   row->instance_name ? row->instance_name : "-", wg_log_quote(key, q, sizeof q));
        } else {
            addf(l, key, text);
        }
        free(text);
    }
    json_decref(obj);
}

char **wg_webhook_headers(const wg_outbox_row_t *row, int attempt, int64_t now_s)
{
    lines_t l = {NULL, 0, 0};
    custom_headers(&l, row, now_s);
    if (!has_header(&l, "Content-Type"))
        addf(&l, "Content-Type", "application/json");
    if (!has_header(&l, "User-Agent"))
        addf(&l, "User-Agent", "wagate/" WAGATE_VERSION);
    addf(&l, WG_DELIVERY_HEADER, row->delivery_id ? row->delivery_id : "");
    char n[16];
    snprintf(n, sizeof n, "%d", attempt);
    addf(&l, WG_ATTEMPT_HEADER, n);
    if (row->secret && *row->secret) {
        char sig[WG_SIGNATURE_LEN + 1];
        wg_webhook_signature(row->secret, row->body, strlen(row->body), sig);
        addf(&l, WG_SIGNATURE_HEADER, sig);
    }
    /* libcurl would send "Expect: 100-continue" for big bodies: one more
     * round trip per delivery; an empty value removes it */
    add(&l, wg_strdup("Expect:"));
    return l.lines;
}

void wg_webhook_headers_free(char **lines)
{
    for (size_t i = 0; lines && lines[i]; i++)
        free(lines[i]);
    free(lines);
}
