/* Moving values between protobuf rows and SQLite statements: named-parameter
 * binding with one error check per run of binds, column copies into malloc'd
 * strings, and the JSON-array form of event lists. Must never trust stored
 * text: a malformed events value is an error, never a crash. */
#include "store/store_internal.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

store_bind_t store_bind_start(wg_store_t *s, sqlite3_stmt *st)
{
    store_bind_t b = {s, st, NULL, 0};
    for (size_t i = 0; i < STMT_COUNT; i++)
        if (s->stmt[i] == st) {
            b.params = &s->params[i];
            break;
        }
    return b;
}

int store_bind_exec(store_bind_t *b, const char *what)
{
    if (b->rc) {
        store_reset(b->st);
        return b->rc;
    }
    return store_exec(b->s, b->st, what);
}

/* The index of :param, or 0 (and b->rc set) when the statement lacks it. */
static int param_index(store_bind_t *b, const char *param)
{
    if (b->rc)
        return 0;
    store_params_t *p = b->params;
    for (int i = 0; p && i < p->n; i++)
        if (p->name[i] == param)
            return i + 1;
    int i = sqlite3_bind_parameter_index(b->st, param);
    if (!i) {
        wg_log(WG_LOG_ERROR, "msg=\"store statement lacks parameter\" param=%s", param);
        b->rc = WG_EDB;
    } else if (p && i <= p->n) {
        p->name[i - 1] = param;
    }
    return i;
}

static void check(store_bind_t *b, int rc, const char *param)
{
    if (rc != SQLITE_OK && !b->rc) {
        wg_log(WG_LOG_ERROR, "msg=\"store bind failed\" param=%s sqlite_code=%d", param, rc);
        b->rc = WG_EDB;
    }
}

static void bind_text(store_bind_t *b, const char *param, const char *v,
                      sqlite3_destructor_type how)
{
    int i = param_index(b, param);
    if (!i)
        return;
    check(b, v ? sqlite3_bind_text(b->st, i, v, -1, how) : sqlite3_bind_null(b->st, i), param);
}

void store_bind_text(store_bind_t *b, const char *param, const char *v)
{
    bind_text(b, param, v, SQLITE_STATIC);
}

void store_bind_int64(store_bind_t *b, const char *param, int64_t v)
{
    int i = param_index(b, param);
    if (i)
        check(b, sqlite3_bind_int64(b->st, i, v), param);
}

void store_bind_opt_int64(store_bind_t *b, const char *param, int has, int64_t v)
{
    int i = param_index(b, param);
    if (i)
        check(b, has ? sqlite3_bind_int64(b->st, i, v) : sqlite3_bind_null(b->st, i), param);
}

void store_bind_bool(store_bind_t *b, const char *param, int has, int v, int default_v)
{
    store_bind_int64(b, param, (has ? v : default_v) ? 1 : 0);
}

void store_bind_events(store_bind_t *b, const char *param, char *const *events, size_t n)
{
    if (b->rc)
        return;
    json_t *array = json_array();
    char *text = NULL;
    for (size_t i = 0; i < n; i++) {
        /* json_string() refuses NULL and invalid UTF-8 */
        json_t *name = events[i] ? json_string(events[i]) : NULL;
        if (!name || json_array_append_new(array, name)) {
            wg_log(WG_LOG_DEBUG, "msg=\"store rejected event name\" param=%s index=%zu", param, i);
            b->rc = WG_EINVAL;
            goto done;
        }
    }
    /* json_dumpb, not json_dumps: the text stays in our allocator */
    size_t len = json_dumpb(array, NULL, 0, JSON_COMPACT);
    text = wg_malloc(len + 1);
    if (json_dumpb(array, text, len, JSON_COMPACT) != len) {
        b->rc = WG_EDB;
        goto done;
    }
    text[len] = '\0';
    bind_text(b, param, text, SQLITE_TRANSIENT); /* freed below */
done:
    free(text);
    json_decref(array);
}

char *store_column_text(sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return NULL;
    const unsigned char *p = sqlite3_column_text(st, col);
    int n = sqlite3_column_bytes(st, col);
    return wg_strndup(p ? (const char *)p : "", (size_t)n);
}

char *store_column_text_required(sqlite3_stmt *st, int col)
{
    char *v = store_column_text(st, col);
    return v ? v : wg_strdup("");
}

int store_column_events(sqlite3_stmt *st, int col, char ***events, size_t *n)
{
    *events = NULL;
    *n = 0;
    const char *text = (const char *)sqlite3_column_text(st, col);
    int len = sqlite3_column_bytes(st, col);
    if (!text) {
        text = "[]";
        len = 2;
    }
    json_error_t jerr;
    json_t *array = json_loadb(text, (size_t)len, JSON_REJECT_DUPLICATES, &jerr);
    int rc = WG_EDB;
    char **names = NULL;
    size_t count = 0;
    if (!json_is_array(array))
        goto done;
    count = json_array_size(array);
    if (count)
        names = wg_calloc(count, sizeof *names);
    for (size_t i = 0; i < count; i++) {
        const char *v = json_string_value(json_array_get(array, i));
        if (!v)
            goto done;
        names[i] = wg_strdup(v);
    }
    *events = names;
    *n = count;
    names = NULL;
    rc = 0;
done:
    if (rc < 0) {
        wg_log(WG_LOG_ERROR, "msg=\"store found malformed events\" column=%s",
               sqlite3_column_name(st, col));
        for (size_t i = 0; names && i < count; i++)
            free(names[i]);
        free(names);
    }
    json_decref(array);
    return rc;
}
