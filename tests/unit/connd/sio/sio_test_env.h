/* Test driver for the Engine.IO / Socket.IO state machines: a fake clock,
 * a deterministic random source, a wake log, and helpers that play the
 * adapter (HTTP requests, WebSocket frames) without sockets. */
#ifndef SIO_TEST_ENV_H
#define SIO_TEST_ENV_H
#include "sio/eio_session.h"
#include "wg_test.h"
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t now;      /* fake clock, ms */
    uint32_t rng;     /* xorshift state */
    void *woken[256]; /* users passed to wake(), in order */
    size_t wakes;     /* entries in woken (saturates) */
} test_env_t;

static inline int64_t test_clock(void *ud)
{
    return ((test_env_t *)ud)->now;
}

static inline void test_random(void *ud, uint8_t *out, size_t n)
{
    test_env_t *env = ud;
    for (size_t i = 0; i < n; i++) {
        uint32_t x = env->rng ? env->rng : 0x12345678u;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        env->rng = x;
        out[i] = (uint8_t)x;
    }
}

static inline void test_wake(void *ud, void *user)
{
    test_env_t *env = ud;
    if (env->wakes < 256)
        env->woken[env->wakes] = user;
    env->wakes++;
}

/* 1 if user was woken since the log was last cleared. */
static inline int test_was_woken(const test_env_t *env, void *user)
{
    for (size_t i = 0; i < env->wakes && i < 256; i++)
        if (env->woken[i] == user)
            return 1;
    return 0;
}

static inline void test_env_attach(test_env_t *env, wg_eio_config_t *cfg)
{
    memset(env, 0, sizeof *env);
    env->now = 1000000;
    cfg->clock = test_clock;
    cfg->clock_ud = env;
    cfg->random = test_random;
    cfg->random_ud = env;
    cfg->wake = test_wake;
    cfg->wake_ud = env;
}

/* Runs one HTTP request; the response is returned (free it). */
static inline wg_eio_response_t test_http(wg_eio_server_t *srv, wg_eio_method_t method,
                                          const char *query, const char *body, void *user)
{
    wg_eio_request_t req = {0};
    req.method = method;
    req.query = query;
    req.body = (const uint8_t *)body;
    req.body_len = body ? strlen(body) : 0;
    req.user = user;
    wg_eio_response_t resp = WG_EIO_RESPONSE_INIT;
    wg_eio_http(srv, &req, &resp);
    return resp;
}

static inline const char *test_body(const wg_eio_response_t *r)
{
    return wg_buf_cstr(&r->body);
}

static inline const char *test_header(const wg_eio_response_t *r, const char *name)
{
    for (size_t i = 0; i < r->header_count; i++)
        if (strcmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

/* Polling handshake; copies the sid out (from the open packet). */
static inline void test_handshake(wg_eio_server_t *srv, char sid[32])
{
    wg_eio_response_t r = test_http(srv, WG_EIO_METHOD_GET, "EIO=4&transport=polling", NULL, NULL);
    WG_CHECK_INT(r.status, 200);
    const char *b = test_body(&r);
    sid[0] = 0;
    const char *p = strstr(b, "\"sid\":\"");
    WG_CHECK(p != NULL);
    if (p) {
        p += 7;
        size_t n = strcspn(p, "\"");
        if (n > 31)
            n = 31;
        memcpy(sid, p, n);
        sid[n] = 0;
    }
    wg_eio_response_free(&r);
}

static inline char *test_query(const char *fmt, const char *sid)
{
    static char q[256];
    snprintf(q, sizeof q, fmt, sid);
    return q;
}

/* Opens a WebSocket with the query; returns the handle (NULL on reject). */
static inline wg_eio_ws_t *test_ws_open(wg_eio_server_t *srv, const char *query, void *user,
                                        int *status)
{
    wg_eio_request_t req = {0};
    req.method = WG_EIO_METHOD_GET;
    req.query = query;
    req.user = user;
    wg_eio_response_t reject = WG_EIO_RESPONSE_INIT;
    wg_eio_ws_t *ws = NULL;
    int rc = wg_eio_ws_open(srv, &req, &ws, &reject);
    if (status)
        *status = rc == 0 ? 101 : reject.status;
    wg_eio_response_free(&reject);
    return ws;
}

static inline void test_ws_send(wg_eio_server_t *srv, wg_eio_ws_t *ws, const char *text)
{
    wg_eio_ws_message(srv, ws, (const uint8_t *)text, strlen(text), 0);
}

/* Pulls one frame: text copied into out ("" when none); returns the kind. */
static inline wg_eio_frame_kind_t test_ws_pull(wg_eio_server_t *srv, wg_eio_ws_t *ws, char *out,
                                               size_t n)
{
    wg_eio_frame_t f;
    wg_eio_ws_pull(srv, ws, &f);
    out[0] = 0;
    if (f.kind == WG_EIO_FRAME_TEXT || f.kind == WG_EIO_FRAME_BINARY) {
        size_t len = f.len < n - 1 ? f.len : n - 1;
        memcpy(out, f.data, len);
        out[len] = 0;
    }
    return f.kind;
}

#endif
