/* libwebsockets adapter of the Socket.IO endpoint (see sio_endpoint.h). The
 * only file of the real-time feature that includes libwebsockets.h. It turns
 * LWS_CALLBACK_* into wg_eio_http / wg_eio_poll_resume / wg_eio_ws_* calls,
 * writes only in HTTP_WRITEABLE / SERVER_WRITEABLE and frees a connection's
 * state only in its final callback (CLOSED_HTTP or CLOSED). It must never
 * interpret Engine.IO packets itself.
 *
 * Recipe: spec socketio-and-proxy.md §7.1 (one protocol for HTTP and the
 * WebSocket upgrade on the same path, parked GETs exempt from lws's 5 s
 * timeout, query rebuilt from the decoded fragments, custom headers by name)
 * and §9 items 1, 7, 8. */
#include "realtime/sio_endpoint.h"
#include "sio/ws_frame.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include "wg_time.h"
#include <ctype.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MOUNTS 4
#define MAX_TIMER_DELAY_MS 1000 /* the timer also polls queue-overflow closes */
#define FRAMES_PER_WRITEABLE 64
#define WRITE_BATCH_BYTES 65536 /* queued frames joined into one send */
#define HEADER_VALUE_MAX 1024

typedef struct {
    char path[64];         /* "/socket.io/" */
    size_t path_len;       /* strlen(path) */
    wg_sio_server_t *sio;  /* Socket.IO server, or NULL */
    wg_eio_server_t *eio;  /* its Engine.IO server (or the bare one) */
} mount_t;

typedef enum {
    CONN_IDLE,    /* HTTP: between requests (keep-alive) */
    CONN_BODY,    /* HTTP: collecting a request body */
    CONN_PARKED,  /* HTTP: long-poll GET waiting for packets */
    CONN_RESPOND, /* HTTP: response ready, being written */
    CONN_WS,      /* WebSocket */
} conn_state_t;

typedef struct conn {
    conn_state_t state;         /* see conn_state_t */
    struct lws *wsi;            /* back-pointer */
    wg_sio_endpoint_t *ep;      /* owner */
    const mount_t *mount;       /* server of this path */
    wg_eio_method_t method;     /* HTTP method of the current request */
    wg_buf_t in;                /* request body, or a WebSocket message being reassembled */
    int in_too_big;             /* in is capped at max_payload + 1 bytes */
    int in_binary;              /* WebSocket message is binary */
    wg_eio_response_t resp;     /* response being written (or the parked one) */
    int headers_sent;           /* RESPOND: headers written, body next */
    int client_close;           /* request said "Connection: close": say so back */
    wg_eio_session_t *poll;     /* PARKED: handle for wg_eio_poll_resume */
    wg_eio_ws_t *ws;            /* WS: the Engine.IO WebSocket handle */
    int established;            /* WS: 101 sent; writes allowed */
    struct conn *prev, *next;   /* endpoint's list */
} conn_t;

struct wg_sio_endpoint {
    struct lws_context *ctx;      /* the loop's context (borrowed) */
    struct lws_vhost *vhost;      /* our listener */
    mount_t mounts[MAX_MOUNTS];   /* served paths */
    size_t mount_count;           /* entries in mounts */
    lws_sorted_usec_list_t timer; /* heartbeat / timeout timer */
    conn_t *conns;                /* every open connection */
    size_t conn_count;            /* entries in conns */
    int stopped;                  /* drained: no more timers */
    uint8_t *scratch;             /* LWS_PRE + frame bytes for lws_write */
    size_t scratch_cap;           /* bytes allocated in scratch */
};

/* Headers kept from a handshake (Socket.IO's handshake.headers): the ones
 * the dialects read. ":peer" is the TCP peer address; it cannot collide with
 * a client header because ':' is not allowed in header names. */
typedef struct {
    wg_buf_t query;                  /* rebuilt raw query string */
    char origin[256];                /* Origin */
    char content_type[128];          /* Content-Type */
    char acrh[512];                  /* Access-Control-Request-Headers */
    char apikey[HEADER_VALUE_MAX];   /* apikey */
    char xff[HEADER_VALUE_MAX];      /* X-Forwarded-For */
    char user_agent[256];            /* User-Agent */
    char host[256];                  /* Host */
    char peer[64];                   /* TCP peer address */
    wg_eio_header_t headers[8];      /* the non-empty ones above */
    size_t header_count;             /* entries in headers */
} request_scratch_t;

/* ------------------------------------------------------------------ helpers */

static void conn_link(wg_sio_endpoint_t *ep, conn_t *c)
{
    c->next = ep->conns;
    if (ep->conns)
        ep->conns->prev = c;
    ep->conns = c;
    ep->conn_count++;
}

static void conn_free(conn_t *c)
{
    wg_sio_endpoint_t *ep = c->ep;
    if (c->prev)
        c->prev->next = c->next;
    else
        ep->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    ep->conn_count--;
    wg_buf_free(&c->in);
    wg_eio_response_free(&c->resp);
    free(c);
}

static const mount_t *mount_for_path(const wg_sio_endpoint_t *ep, const char *path)
{
    for (size_t i = 0; i < ep->mount_count; i++) {
        const mount_t *m = &ep->mounts[i];
        if (strncmp(path, m->path, m->path_len) == 0 ||
            (strncmp(path, m->path, m->path_len - 1) == 0 && path[m->path_len - 1] == '\0'))
            return m;
    }
    return NULL;
}

/* Copies a known header; "" when absent or too long. */
static void copy_token(struct lws *wsi, enum lws_token_indexes t, char *out, int n)
{
    out[0] = '\0';
    if (lws_hdr_total_length(wsi, t) >= n || lws_hdr_copy(wsi, out, n, t) < 0)
        out[0] = '\0';
}

static void copy_custom(struct lws *wsi, const char *name, char *out, int n)
{
    out[0] = '\0';
    int len = (int)strlen(name);
    if (lws_hdr_custom_length(wsi, name, len) >= n || lws_hdr_custom_copy(wsi, out, n, name, len) < 0)
        out[0] = '\0';
}

static void percent_encode(wg_buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
            wg_buf_append_byte(b, ch);
        } else {
            wg_buf_append_byte(b, '%');
            wg_buf_append_byte(b, (uint8_t)hex[ch >> 4]);
            wg_buf_append_byte(b, (uint8_t)hex[ch & 15]);
        }
    }
}

/* lws hands out the query decoded, one fragment per name=value: rebuild
 * a raw, percent-encoded query string as the Engine.IO server expects. */
static void rebuild_query(struct lws *wsi, wg_buf_t *out)
{
    char frag[2048];
    for (int i = 0;; i++) {
        int n = lws_hdr_copy_fragment(wsi, frag, sizeof frag, WSI_TOKEN_HTTP_URI_ARGS, i);
        if (n < 0)
            break;
        if (out->len)
            wg_buf_append_byte(out, '&');
        const char *eq = memchr(frag, '=', (size_t)n);
        if (eq) {
            percent_encode(out, frag, (size_t)(eq - frag));
            wg_buf_append_byte(out, '=');
            percent_encode(out, eq + 1, (size_t)(n - (eq - frag) - 1));
        } else {
            percent_encode(out, frag, (size_t)n);
        }
    }
}

static void add_header(request_scratch_t *sc, const char *name, const char *value)
{
    if (value[0] && sc->header_count < sizeof sc->headers / sizeof sc->headers[0]) {
        sc->headers[sc->header_count].name = name;
        sc->headers[sc->header_count].value = value;
        sc->header_count++;
    }
}

static void request_build(conn_t *c, wg_eio_request_t *req, request_scratch_t *sc)
{
    struct lws *wsi = c->wsi;
    memset(req, 0, sizeof *req);
    sc->query = (wg_buf_t)WG_BUF_INIT;
    sc->header_count = 0;
    rebuild_query(wsi, &sc->query);
    copy_token(wsi, WSI_TOKEN_ORIGIN, sc->origin, sizeof sc->origin);
    copy_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, sc->content_type, sizeof sc->content_type);
    copy_token(wsi, WSI_TOKEN_X_FORWARDED_FOR, sc->xff, sizeof sc->xff);
    copy_token(wsi, WSI_TOKEN_HTTP_USER_AGENT, sc->user_agent, sizeof sc->user_agent);
    copy_token(wsi, WSI_TOKEN_HOST, sc->host, sizeof sc->host);
    copy_custom(wsi, "access-control-request-headers:", sc->acrh, sizeof sc->acrh);
    copy_custom(wsi, "apikey:", sc->apikey, sizeof sc->apikey);
    sc->peer[0] = '\0';
    lws_get_peer_simple(wsi, sc->peer, sizeof sc->peer);
    add_header(sc, ":peer", sc->peer);
    add_header(sc, "origin", sc->origin);
    add_header(sc, "apikey", sc->apikey);
    add_header(sc, "x-forwarded-for", sc->xff);
    add_header(sc, "user-agent", sc->user_agent);
    add_header(sc, "host", sc->host);
    req->method = c->method;
    req->query = wg_buf_cstr(&sc->query);
    req->origin = sc->origin[0] ? sc->origin : NULL;
    req->content_type = sc->content_type[0] ? sc->content_type : NULL;
    req->request_headers = sc->acrh[0] ? sc->acrh : NULL;
    req->headers = sc->headers;
    req->header_count = sc->header_count;
    req->body = c->in.p;
    req->body_len = c->in.len;
    req->user = c;
}

static uint8_t *scratch(wg_sio_endpoint_t *ep, size_t n)
{
    if (ep->scratch_cap < LWS_PRE + n) {
        ep->scratch_cap = LWS_PRE + n + 4096;
        free(ep->scratch);
        ep->scratch = wg_malloc(ep->scratch_cap);
    }
    return ep->scratch;
}

/* Appends up to the payload cap (+1 byte so the server sees "too big"). */
static void in_append(conn_t *c, const void *p, size_t n)
{
    size_t cap = wg_eio_server_config(c->mount->eio)->max_payload + 1;
    if (c->in.len + n > cap) {
        n = cap > c->in.len ? cap - c->in.len : 0;
        c->in_too_big = 1;
    }
    if (n)
        wg_buf_append(&c->in, p, n);
}

/* ------------------------------------------------------------------ timers */

static void on_timer(lws_sorted_usec_list_t *sul);

static void arm(wg_sio_endpoint_t *ep)
{
    if (ep->stopped)
        return;
    int64_t deadline = -1;
    for (size_t i = 0; i < ep->mount_count; i++) {
        const mount_t *m = &ep->mounts[i];
        int64_t d = m->sio ? wg_sio_next_deadline(m->sio) : wg_eio_next_deadline(m->eio);
        if (d >= 0 && (deadline < 0 || d < deadline))
            deadline = d;
    }
    int64_t delay = deadline < 0 ? MAX_TIMER_DELAY_MS : deadline - wg_mono_ms();
    if (delay < 0)
        delay = 0;
    if (delay > MAX_TIMER_DELAY_MS)
        delay = MAX_TIMER_DELAY_MS;
    lws_sul_schedule(ep->ctx, 0, &ep->timer, on_timer, (lws_usec_t)delay * LWS_US_PER_MS);
}

static void on_timer(lws_sorted_usec_list_t *sul)
{
    wg_sio_endpoint_t *ep = lws_container_of(sul, wg_sio_endpoint_t, timer);
    for (size_t i = 0; i < ep->mount_count; i++) {
        const mount_t *m = &ep->mounts[i];
        if (m->sio)
            wg_sio_tick(m->sio);
        else
            wg_eio_tick(m->eio);
    }
    arm(ep);
}

void wg_sio_endpoint_kick(wg_sio_endpoint_t *ep)
{
    if (ep)
        arm(ep);
}

/* ------------------------------------------------------------------ wake */

static void endpoint_wake(void *ud, void *user)
{
    (void)ud;
    conn_t *c = user;
    if (!c)
        return;
    if (c->state == CONN_PARKED || c->state == CONN_RESPOND ||
        (c->state == CONN_WS && c->established))
        lws_callback_on_writable(c->wsi);
}

void wg_sio_endpoint_attach(wg_sio_endpoint_t *ep, wg_eio_config_t *cfg)
{
    cfg->wake = endpoint_wake;
    cfg->wake_ud = ep;
}

/* ------------------------------------------------------------------ HTTP */

static void respond_plain(conn_t *c, int status, const char *text)
{
    wg_eio_response_free(&c->resp);
    memset(&c->resp, 0, sizeof c->resp);
    c->resp.status = status;
    c->resp.content_type = "text/plain; charset=UTF-8";
    wg_buf_append_str(&c->resp.body, text);
    c->state = CONN_RESPOND;
    c->headers_sent = 0;
    lws_callback_on_writable(c->wsi);
}

/* Runs the buffered request through the Engine.IO server. */
static void handle_http(conn_t *c)
{
    wg_eio_request_t req;
    request_scratch_t sc;
    request_build(c, &req, &sc);
    if (c->in_too_big)
        req.body_len = wg_eio_server_config(c->mount->eio)->max_payload + 1;
    wg_eio_response_free(&c->resp);
    memset(&c->resp, 0, sizeof c->resp);
    wg_eio_http(c->mount->eio, &req, &c->resp);
    wg_buf_free(&sc.query);
    wg_buf_free(&c->in);
    c->in_too_big = 0;
    c->headers_sent = 0;
    if (c->resp.parked) {
        c->state = CONN_PARKED;
        c->poll = c->resp.poll;
        /* spec §7.1: lws would kill a held GET after timeout_secs (5 s) */
        lws_set_timeout(c->wsi, NO_PENDING_TIMEOUT, 0);
    } else {
        c->state = CONN_RESPOND;
        lws_callback_on_writable(c->wsi);
    }
    arm(c->ep);
}

/* A parked GET got its answer: keep the parked response's extra headers
 * (CORS) that the resumed one does not repeat. */
static void merge_parked_headers(wg_eio_response_t *parked, wg_eio_response_t *ready)
{
    for (size_t i = 0; i < parked->header_count; i++) {
        int present = 0;
        for (size_t j = 0; j < ready->header_count; j++)
            if (strcasecmp(ready->headers[j].name, parked->headers[i].name) == 0)
                present = 1;
        if (!present && ready->header_count < WG_EIO_MAX_RESPONSE_HEADERS) {
            ready->headers[ready->header_count++] = parked->headers[i];
            parked->headers[i].value = NULL; /* moved */
        }
    }
}

static int write_headers(conn_t *c)
{
    uint8_t buf[LWS_PRE + 2048];
    uint8_t *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
    const wg_eio_response_t *r = &c->resp;
    if (lws_add_http_common_headers(c->wsi, (unsigned)r->status, r->content_type,
                                    (lws_filepos_t)r->body.len, &p, end))
        return -1;
    for (size_t i = 0; i < r->header_count; i++) {
        char name[64];
        size_t n = 0;
        for (const char *s = r->headers[i].name; *s && n < sizeof name - 2; s++)
            name[n++] = (char)tolower((unsigned char)*s);
        name[n++] = ':';
        name[n] = '\0';
        const char *v = r->headers[i].value ? r->headers[i].value : "";
        if (lws_add_http_header_by_name(c->wsi, (const unsigned char *)name,
                                        (const unsigned char *)v, (int)strlen(v), &p, end))
            return -1;
    }
    /* lws closes after the transaction when asked to; tell keep-alive
     * agents (Node's) so they do not reuse the dying socket */
    if (c->client_close &&
        lws_add_http_header_by_token(c->wsi, WSI_TOKEN_CONNECTION, (const unsigned char *)"close",
                                     5, &p, end))
        return -1;
    if (lws_finalize_write_http_header(c->wsi, start, &p, end))
        return -1;
    return 0;
}

/* One step of writing the response; returns -1 to close the connection. */
static int http_writeable(conn_t *c)
{
    if (c->state == CONN_PARKED) {
        wg_eio_response_t ready = WG_EIO_RESPONSE_INIT;
        if (!wg_eio_poll_resume(c->mount->eio, c->poll, &ready)) {
            wg_eio_response_free(&ready);
            return 0;
        }
        c->poll = NULL;
        merge_parked_headers(&c->resp, &ready);
        wg_eio_response_free(&c->resp);
        c->resp = ready;
        c->state = CONN_RESPOND;
        c->headers_sent = 0;
        arm(c->ep);
    }
    if (c->state != CONN_RESPOND)
        return 0;
    if (!c->headers_sent) {
        if (write_headers(c))
            return -1;
        c->headers_sent = 1;
        if (c->resp.body.len) {
            lws_callback_on_writable(c->wsi);
            return 0;
        }
    } else {
        size_t n = c->resp.body.len;
        uint8_t *buf = scratch(c->ep, n);
        memcpy(buf + LWS_PRE, c->resp.body.p, n);
        if (lws_write(c->wsi, buf + LWS_PRE, n, LWS_WRITE_HTTP_FINAL) != (int)n)
            return -1;
    }
    wg_eio_response_free(&c->resp);
    memset(&c->resp, 0, sizeof c->resp);
    c->state = CONN_IDLE;
    c->headers_sent = 0;
    return lws_http_transaction_completed(c->wsi) ? -1 : 0;
}

static wg_eio_method_t method_of(struct lws *wsi)
{
    char *uri;
    int len;
    switch (lws_http_get_uri_and_method(wsi, &uri, &len)) {
    case LWSHUMETH_GET:
        return WG_EIO_METHOD_GET;
    case LWSHUMETH_POST:
        return WG_EIO_METHOD_POST;
    case LWSHUMETH_OPTIONS:
        return WG_EIO_METHOD_OPTIONS;
    default:
        return WG_EIO_METHOD_OTHER;
    }
}

static conn_t *conn_get(wg_sio_endpoint_t *ep, struct lws *wsi, conn_t **slot)
{
    conn_t *c = *slot;
    if (!c) {
        c = wg_calloc(1, sizeof *c);
        c->wsi = wsi;
        c->ep = ep;
        conn_link(ep, c);
        *slot = c;
    }
    return c;
}

static int on_http(wg_sio_endpoint_t *ep, struct lws *wsi, conn_t **slot, const char *path)
{
    conn_t *c = conn_get(ep, wsi, slot);
    if (c->state != CONN_IDLE)
        return -1; /* pipelined request while busy: not supported */
    wg_buf_reset(&c->in);
    c->in_too_big = 0;
    c->method = method_of(wsi);
    char connection[64];
    copy_token(wsi, WSI_TOKEN_CONNECTION, connection, sizeof connection);
    c->client_close = strcasestr(connection, "close") != NULL;
    c->mount = mount_for_path(ep, path ? path : "");
    if (!c->mount) {
        respond_plain(c, 404, "Not Found");
        return 0;
    }
    char length[24];
    copy_token(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, length, sizeof length);
    /* lws calls BODY_COMPLETION for any body, and for an explicit
     * "Content-Length: 0" on POST (spec §7.1) */
    if (strtoll(length, NULL, 10) > 0 || (length[0] && c->method == WG_EIO_METHOD_POST)) {
        c->state = CONN_BODY; /* answered at LWS_CALLBACK_HTTP_BODY_COMPLETION */
        return 0;
    }
    handle_http(c);
    return 0;
}

/* ------------------------------------------------------------------ WebSocket */

static int on_ws_filter(wg_sio_endpoint_t *ep, struct lws *wsi, conn_t **slot)
{
    char path[256];
    copy_token(wsi, WSI_TOKEN_GET_URI, path, sizeof path);
    const mount_t *m = mount_for_path(ep, path);
    if (!m)
        return -1;
    conn_t *c = conn_get(ep, wsi, slot);
    c->mount = m;
    c->method = WG_EIO_METHOD_GET;
    c->state = CONN_WS;
    wg_buf_reset(&c->in);
    wg_eio_request_t req;
    request_scratch_t sc;
    request_build(c, &req, &sc);
    wg_eio_response_t reject = WG_EIO_RESPONSE_INIT;
    int rc = wg_eio_ws_open(m->eio, &req, &c->ws, &reject);
    wg_buf_free(&sc.query);
    if (rc) {
        wg_log(WG_LOG_DEBUG, "msg=\"websocket upgrade refused\" status=%d body=%.*s peer=%s",
               reject.status, (int)reject.body.len, (const char *)reject.body.p, sc.peer);
        wg_eio_response_free(&reject);
        c->ws = NULL;
        return -1;
    }
    wg_eio_response_free(&reject);
    arm(ep);
    return 0;
}

static int on_ws_receive(conn_t *c, const void *in, size_t len)
{
    struct lws *wsi = c->wsi;
    if (lws_is_first_fragment(wsi)) {
        wg_buf_reset(&c->in);
        c->in_too_big = 0;
        c->in_binary = lws_frame_is_binary(wsi);
    }
    in_append(c, in, len);
    if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
        return 0;
    size_t n = c->in.len;
    if (c->in_too_big)
        n = wg_eio_server_config(c->mount->eio)->max_payload + 1;
    /* a refused message makes the next pull a CLOSE (1009 / 1002) */
    wg_eio_ws_message(c->mount->eio, c->ws, c->in.p, n, c->in_binary);
    wg_buf_reset(&c->in);
    c->in_too_big = 0;
    arm(c->ep);
    return 0;
}

/* Grows the scratch buffer keeping its first LWS_PRE + used bytes. */
static uint8_t *scratch_keep(wg_sio_endpoint_t *ep, size_t used, size_t n)
{
    if (ep->scratch_cap < LWS_PRE + used + n) {
        ep->scratch_cap = LWS_PRE + used + n + 4096;
        ep->scratch = wg_realloc(ep->scratch, ep->scratch_cap);
    }
    return ep->scratch;
}

/* Joins the queued frames (up to WRITE_BATCH_BYTES) into one run of
 * header + payload pairs and writes it with one send (LWS_WRITE_RAW: lws
 * passes the bytes through and buffers a partial write itself). Under
 * fan-out load a client usually has several events queued, and one kernel
 * send per frame per client was where the time went. */
static int ws_writeable(conn_t *c)
{
    size_t used = 0;
    int close_code = 0, more = 1;
    for (int i = 0; i < FRAMES_PER_WRITEABLE && used < WRITE_BATCH_BYTES; i++) {
        wg_eio_frame_t f;
        wg_eio_ws_pull(c->mount->eio, c->ws, &f);
        if (f.kind == WG_EIO_FRAME_NONE) {
            more = 0;
            break;
        }
        if (f.kind == WG_EIO_FRAME_CLOSE) {
            close_code = f.close_code;
            break;
        }
        uint8_t *buf = scratch_keep(c->ep, used, WG_WS_FRAME_HEADER_MAX + f.len) + LWS_PRE;
        used += wg_ws_frame_header(buf + used, f.len, f.kind == WG_EIO_FRAME_BINARY);
        memcpy(buf + used, f.data, f.len);
        used += f.len;
    }
    if (used && lws_write(c->wsi, c->ep->scratch + LWS_PRE, used, LWS_WRITE_RAW) < (int)used)
        return -1;
    if (close_code) {
        lws_close_reason(c->wsi, (enum lws_close_status)close_code, NULL, 0);
        return -1;
    }
    if (more)
        lws_callback_on_writable(c->wsi); /* maybe more queued: look again */
    return 0;
}

/* ------------------------------------------------------------------ callback */

static void conn_closed(conn_t **slot)
{
    conn_t *c = *slot;
    if (!c)
        return;
    *slot = NULL;
    if (c->mount) {
        if (c->poll)
            wg_eio_poll_cancel(c->mount->eio, c->poll);
        if (c->ws)
            wg_eio_ws_closed(c->mount->eio, c->ws);
    }
    c->poll = NULL;
    c->ws = NULL;
    wg_sio_endpoint_t *ep = c->ep;
    conn_free(c);
    arm(ep);
}

static int callback_sio(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                        size_t len)
{
    struct lws_vhost *vh = lws_get_vhost(wsi);
    wg_sio_endpoint_t *ep = vh ? lws_get_vhost_user(vh) : NULL;
    conn_t **slot = user;
    conn_t *c = slot ? *slot : NULL;
    switch (reason) {
    case LWS_CALLBACK_HTTP:
        if (!ep || !slot)
            return -1;
        return on_http(ep, wsi, slot, in);
    case LWS_CALLBACK_HTTP_BODY:
        if (!c || c->state != CONN_BODY)
            return 0; /* a body we did not wait for (an error answered already) */
        in_append(c, in, len);
        return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (!c || c->state != CONN_BODY)
            return 0; /* "Content-Length: 0": already answered */
        handle_http(c);
        return 0;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return c ? http_writeable(c) : 0;
    case LWS_CALLBACK_CLOSED_HTTP:
        if (slot)
            conn_closed(slot);
        return 0;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        if (!ep || !slot)
            return -1;
        return on_ws_filter(ep, wsi, slot);
    case LWS_CALLBACK_ESTABLISHED:
        if (!c || !c->ws)
            return -1;
        c->established = 1;
        lws_callback_on_writable(wsi); /* the open packet (or a CLOSE) is queued */
        return 0;
    case LWS_CALLBACK_RECEIVE:
        if (!c || !c->ws)
            return -1;
        return on_ws_receive(c, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        if (!c || !c->ws)
            return -1;
        return ws_writeable(c);
    case LWS_CALLBACK_CLOSED:
        if (slot)
            conn_closed(slot);
        return 0;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    /* protocols[0]: plain HTTP and the WebSocket upgrade (no subprotocol).
     * tx_packet_size: lws hands the kernel at most this much per send, the
     * rest waits for the next POLLOUT; a joined batch goes out whole. */
    {"wg-sio", callback_sio, sizeof(conn_t *), 4096, 0, NULL, WRITE_BATCH_BYTES},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* ------------------------------------------------------------------ lifecycle */

int wg_sio_endpoint_new(void *loop, const char *iface, int port, wg_sio_endpoint_t **out,
                        wg_buf_t *err)
{
    wg_sio_endpoint_t *ep = wg_calloc(1, sizeof *ep);
    ep->ctx = loop;
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.vhost_name = "sio";
    info.iface = iface;
    info.port = port;
    info.protocols = protocols;
    info.user = ep;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    ep->vhost = lws_create_vhost(ep->ctx, &info);
    if (!ep->vhost) {
        wg_buf_printf(err, "cannot listen for Socket.IO on %s:%d", iface, port);
        free(ep);
        *out = NULL;
        return WG_EIO;
    }
    arm(ep);
    *out = ep;
    return WG_OK;
}

static int mount_add(wg_sio_endpoint_t *ep, const char *path, wg_sio_server_t *sio,
                     wg_eio_server_t *eio)
{
    size_t n = path ? strlen(path) : 0;
    if (n < 2 || path[0] != '/' || path[n - 1] != '/' || n >= sizeof ep->mounts[0].path)
        return WG_EINVAL;
    if (ep->mount_count == MAX_MOUNTS)
        return WG_ETOOBIG;
    mount_t *m = &ep->mounts[ep->mount_count++];
    memcpy(m->path, path, n + 1);
    m->path_len = n;
    m->sio = sio;
    m->eio = eio;
    arm(ep);
    return WG_OK;
}

int wg_sio_endpoint_mount_sio(wg_sio_endpoint_t *ep, const char *path, wg_sio_server_t *sio)
{
    return mount_add(ep, path, sio, wg_sio_server_eio(sio));
}

int wg_sio_endpoint_mount_eio(wg_sio_endpoint_t *ep, const char *path, wg_eio_server_t *eio)
{
    return mount_add(ep, path, NULL, eio);
}

size_t wg_sio_endpoint_connections(const wg_sio_endpoint_t *ep)
{
    return ep ? ep->conn_count : 0;
}

static int busy_connections(const wg_sio_endpoint_t *ep)
{
    int n = 0;
    for (const conn_t *c = ep->conns; c; c = c->next)
        if (c->state != CONN_IDLE)
            n++;
    return n;
}

void wg_sio_endpoint_drain(wg_sio_endpoint_t *ep, int64_t timeout_ms)
{
    if (!ep)
        return;
    for (size_t i = 0; i < ep->mount_count; i++)
        wg_eio_server_close_all(ep->mounts[i].eio);
    int64_t deadline = wg_mono_ms() + timeout_ms;
    int busy = busy_connections(ep);
    wg_log(WG_LOG_INFO, "msg=\"closing Socket.IO connections\" busy=%d", busy);
    while (busy > 0 && wg_mono_ms() < deadline) {
        arm(ep); /* bounds each service call to the timer delay */
        if (lws_service(ep->ctx, 0) < 0)
            break;
        busy = busy_connections(ep);
    }
    if (busy)
        wg_log(WG_LOG_WARN, "msg=\"Socket.IO connections still open at shutdown\" busy=%d", busy);
    ep->stopped = 1;
    lws_sul_cancel(&ep->timer);
}

void wg_sio_endpoint_free(wg_sio_endpoint_t *ep)
{
    if (!ep)
        return;
    while (ep->conns) /* only if the context outlived us (it should not) */
        conn_free(ep->conns);
    free(ep->scratch);
    free(ep);
}

/* ------------------------------------------------------------------ standalone */

static volatile sig_atomic_t g_standalone_stop;   /* set by the signal handler */
static struct lws_context *g_standalone_ctx;      /* for the handler's wake-up */

static void standalone_signal(int sig)
{
    (void)sig;
    g_standalone_stop = 1;
    if (g_standalone_ctx)
        lws_cancel_service(g_standalone_ctx);
}

static void lws_log_line(int level, const char *line)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s", line);
    msg[strcspn(msg, "\r\n")] = '\0';
    wg_log(level & LLL_ERR ? WG_LOG_ERROR : WG_LOG_WARN, "msg=\"%s\" src=lws", msg);
}

int wg_sio_endpoint_run_standalone(int port, int (*setup)(wg_sio_endpoint_t *ep, void *ud),
                                   void (*teardown)(void *ud), void *ud, wg_buf_t *err)
{
    lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_line);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.gid = (gid_t)-1;
    info.uid = (uid_t)-1;
    struct lws_context *ctx = lws_create_context(&info);
    if (!ctx) {
        wg_buf_append_str(err, "cannot create the libwebsockets context");
        return WG_EIO;
    }
    wg_sio_endpoint_t *ep = NULL;
    int rc = wg_sio_endpoint_new(ctx, "127.0.0.1", port, &ep, err);
    if (rc == WG_OK && (rc = setup(ep, ud)) != WG_OK)
        wg_buf_printf(err, "setup failed: %s", wg_strerror(rc));
    if (rc == WG_OK) {
        g_standalone_ctx = ctx;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = standalone_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        wg_log(WG_LOG_INFO, "msg=ready port=%d", port);
        while (!g_standalone_stop)
            if (lws_service(ctx, 0) < 0)
                break;
        wg_sio_endpoint_drain(ep, 1000);
    }
    lws_context_destroy(ctx);
    g_standalone_ctx = NULL;
    if (teardown)
        teardown(ud);
    wg_sio_endpoint_free(ep);
    return rc;
}
