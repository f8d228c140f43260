/* Engine.IO v4 sessions and the server that holds them by sid (see
 * eio_session.h; spec §1.1-1.8, §9 items 1-3). Owns: handshake, polling
 * GET/POST semantics, the upgrade probe, heartbeats, close, per-session
 * output queues with a byte cap. Must never do I/O, read the wall clock or
 * include libwebsockets: the adapter moves the bytes.
 *
 * Lifetime: a session is referenced by the sid table while reachable, by a
 * parked GET, by each WebSocket carrying it, and briefly while a callback
 * runs; it is freed when the last reference goes. */
#include "sio/eio_session.h"
#include "sio/eio_base64.h"
#include "sio/eio_http.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_time.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#define SID_BUCKETS 256
#define EIO_QUERY_VALUE_MAX 128

struct wg_eio_shared {
    size_t refs;    /* holders: creator, queues, in-flight frames */
    size_t len;     /* bytes in data */
    int is_binary;  /* 1: raw binary message; 0: text packet (type char first) */
    uint8_t data[]; /* encoded packet, NUL-terminated for convenience */
};

typedef struct queue_entry {
    struct queue_entry *next; /* FIFO link */
    wg_eio_shared_t *shared;  /* one reference */
} queue_entry_t;

typedef struct {
    queue_entry_t *head; /* next to send */
    queue_entry_t *tail; /* last queued */
    size_t bytes;        /* sum of packet lengths */
} packet_queue_t;

typedef enum {
    SESSION_OPEN,    /* normal operation */
    SESSION_CLOSING, /* graceful server close: flushing, then "1" / close frame */
    SESSION_CLOSED,  /* out of the table; only delivering the last answer */
} session_state_t;

struct wg_eio_session {
    wg_eio_server_t *srv;        /* owner */
    char sid[24];                /* 20-char URL-safe id */
    unsigned refs;               /* see file comment */
    session_state_t state;       /* lifecycle */
    int in_table;                /* reachable by sid */
    int websocket;               /* current transport is the WebSocket ws */
    int upgrading;               /* probe WebSocket received "2probe" */
    int overflow;                /* queue cap exceeded: close at next tick */
    int close_noop;              /* a parked GET gets "6" (client closed) instead of "1" */
    packet_queue_t queue;        /* packets for the client */
    int parked;                  /* a polling GET is waiting */
    void *parked_user;           /* adapter handle of the parked GET */
    wg_eio_ws_t *ws;             /* active WebSocket (websocket == 1) */
    wg_eio_ws_t *probe;          /* WebSocket being upgraded to */
    int64_t next_ping_at;        /* when to send the next ping, -1 while awaiting pong */
    int64_t pong_deadline;       /* close unless a pong arrives by then, -1 none */
    int64_t linger_deadline;     /* CLOSING: give up flushing after this, -1 none */
    char *query;                 /* handshake query string, owned */
    wg_eio_header_t *headers;    /* handshake headers, owned strings */
    size_t header_count;         /* entries in headers */
    void *user;                  /* upper layer's pointer */
    wg_eio_session_t *hash_next; /* sid bucket chain */
    wg_eio_session_t *prev;      /* all-sessions list */
    wg_eio_session_t *next;      /* all-sessions list */
};

struct wg_eio_ws {
    wg_eio_server_t *srv;       /* owner */
    wg_eio_session_t *session;  /* carried session (one reference), NULL once detached */
    void *user;                 /* adapter handle, passed to wake() */
    int probe;                  /* 1 while it is an upgrade probe */
    packet_queue_t own;         /* frames for this socket only ("3probe", open packet) */
    int close_pending;          /* next pull (after own queue) is CLOSE */
    int close_code;             /* code for that CLOSE */
    int close_sent;             /* CLOSE was pulled; nothing more */
    wg_eio_shared_t *in_flight; /* buffer of the last pulled frame */
    int64_t upgrade_deadline;   /* probe: close unless "5" by then */
    wg_eio_ws_t *prev;          /* all-ws list */
    wg_eio_ws_t *next;          /* all-ws list */
};

struct wg_eio_server {
    wg_eio_config_t cfg;                    /* copied configuration */
    wg_eio_handlers_t handlers;             /* upper layer */
    wg_eio_session_t *buckets[SID_BUCKETS]; /* sid table (in_table sessions) */
    size_t table_count;                     /* sessions in the table */
    wg_eio_session_t *sessions;             /* every live session */
    wg_eio_ws_t *sockets;                   /* every live ws handle */
    uint32_t sid_counter;                   /* makes sids unique */
};

/* ---- shared buffers and queues ---- */

static wg_eio_shared_t *shared_new(int type_char, const void *a, size_t alen, const void *b,
                                   size_t blen, int is_binary)
{
    size_t len = (type_char ? 1 : 0) + alen + blen;
    wg_eio_shared_t *sh = wg_malloc(sizeof *sh + len + 1);
    sh->refs = 1;
    sh->len = len;
    sh->is_binary = is_binary;
    uint8_t *p = sh->data;
    if (type_char)
        *p++ = (uint8_t)type_char;
    if (alen)
        memcpy(p, a, alen);
    if (blen)
        memcpy(p + alen, b, blen);
    sh->data[len] = 0;
    return sh;
}

wg_eio_shared_t *wg_eio_shared_message(const void *data, size_t len, int is_binary)
{
    return shared_new(is_binary ? 0 : '0' + WG_EIO_MESSAGE, data, len, NULL, 0, is_binary);
}

wg_eio_shared_t *wg_eio_shared_message2(const void *a, size_t alen, const void *b, size_t blen)
{
    return shared_new('0' + WG_EIO_MESSAGE, a, alen, b, blen, 0);
}

void wg_eio_shared_unref(wg_eio_shared_t *shared)
{
    if (shared && --shared->refs == 0)
        free(shared);
}

size_t wg_eio_shared_len(const wg_eio_shared_t *shared)
{
    return shared->len;
}

const uint8_t *wg_eio_shared_data(const wg_eio_shared_t *shared)
{
    return shared->data;
}

static void queue_push(packet_queue_t *q, wg_eio_shared_t *shared)
{
    queue_entry_t *e = wg_malloc(sizeof *e);
    shared->refs++;
    e->shared = shared;
    e->next = NULL;
    if (q->tail)
        q->tail->next = e;
    else
        q->head = e;
    q->tail = e;
    q->bytes += shared->len;
}

/* Pushes a text control packet such as "2", "6", "3probe". */
static void queue_push_text(packet_queue_t *q, wg_eio_type_t type, const char *data)
{
    wg_eio_shared_t *sh = shared_new('0' + type, data, data ? strlen(data) : 0, NULL, 0, 0);
    queue_push(q, sh);
    wg_eio_shared_unref(sh);
}

/* Removes the head; returns its buffer with the queue's reference. */
static wg_eio_shared_t *queue_pop(packet_queue_t *q)
{
    queue_entry_t *e = q->head;
    if (!e)
        return NULL;
    q->head = e->next;
    if (!q->head)
        q->tail = NULL;
    q->bytes -= e->shared->len;
    wg_eio_shared_t *sh = e->shared;
    free(e);
    return sh;
}

static void queue_clear(packet_queue_t *q)
{
    wg_eio_shared_t *sh;
    while ((sh = queue_pop(q)))
        wg_eio_shared_unref(sh);
}

/* Moves every queued packet into a polling body. */
static void queue_drain_into_body(packet_queue_t *q, wg_buf_t *body)
{
    wg_eio_shared_t *sh;
    while ((sh = queue_pop(q))) {
        if (body->len)
            wg_buf_append_byte(body, WG_EIO_SEPARATOR);
        if (sh->is_binary) {
            wg_buf_append_byte(body, 'b');
            wg_eio_base64_encode(body, sh->data, sh->len, 0);
        } else {
            wg_buf_append(body, sh->data, sh->len);
        }
        wg_eio_shared_unref(sh);
    }
}

/* ---- config, clock, randomness ---- */

static int64_t default_clock(void *ud)
{
    (void)ud;
    return wg_mono_ms();
}

static void default_random(void *ud, uint8_t *out, size_t n)
{
    (void)ud;
    while (n) {
        ssize_t got = getrandom(out, n, 0);
        if (got <= 0)
            continue; /* EINTR; getrandom does not fail otherwise for small n */
        out += got;
        n -= (size_t)got;
    }
}

void wg_eio_config_defaults(wg_eio_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->ping_interval_ms = 25000;
    cfg->ping_timeout_ms = 20000;
    cfg->upgrade_timeout_ms = 10000;
    cfg->max_payload = 1000000;
    cfg->max_queue_bytes = 8u << 20;
    cfg->allow_websocket = 1;
}

static int64_t now_ms(const wg_eio_server_t *srv)
{
    return srv->cfg.clock(srv->cfg.clock_ud);
}

/* ---- server and sid table ---- */

wg_eio_server_t *wg_eio_server_new(const wg_eio_config_t *cfg, const wg_eio_handlers_t *handlers)
{
    wg_eio_server_t *srv = wg_calloc(1, sizeof *srv);
    srv->cfg = *cfg;
    if (!srv->cfg.clock)
        srv->cfg.clock = default_clock;
    if (!srv->cfg.random)
        srv->cfg.random = default_random;
    if (handlers)
        srv->handlers = *handlers;
    return srv;
}

void wg_eio_server_set_handlers(wg_eio_server_t *srv, const wg_eio_handlers_t *handlers)
{
    memset(&srv->handlers, 0, sizeof srv->handlers);
    if (handlers)
        srv->handlers = *handlers;
}

const wg_eio_config_t *wg_eio_server_config(const wg_eio_server_t *srv)
{
    return &srv->cfg;
}

size_t wg_eio_server_session_count(const wg_eio_server_t *srv)
{
    return srv->table_count;
}

static unsigned sid_bucket(const char *sid)
{
    unsigned h = 5381;
    for (const unsigned char *p = (const unsigned char *)sid; *p; p++)
        h = h * 33 + *p;
    return h % SID_BUCKETS;
}

wg_eio_session_t *wg_eio_server_find(wg_eio_server_t *srv, const char *sid)
{
    if (!sid)
        return NULL;
    for (wg_eio_session_t *s = srv->buckets[sid_bucket(sid)]; s; s = s->hash_next)
        if (strcmp(s->sid, sid) == 0)
            return s;
    return NULL;
}

static void table_remove(wg_eio_session_t *s)
{
    if (!s->in_table)
        return;
    wg_eio_session_t **pp = &s->srv->buckets[sid_bucket(s->sid)];
    while (*pp != s)
        pp = &(*pp)->hash_next;
    *pp = s->hash_next;
    s->hash_next = NULL;
    s->in_table = 0;
    s->srv->table_count--;
}

static void session_ref(wg_eio_session_t *s)
{
    s->refs++;
}

static void session_unref(wg_eio_session_t *s)
{
    if (!s || --s->refs > 0)
        return;
    wg_eio_server_t *srv = s->srv;
    if (s->prev)
        s->prev->next = s->next;
    else
        srv->sessions = s->next;
    if (s->next)
        s->next->prev = s->prev;
    queue_clear(&s->queue);
    free(s->query);
    for (size_t i = 0; i < s->header_count; i++) {
        free((char *)s->headers[i].name);
        free((char *)s->headers[i].value);
    }
    free(s->headers);
    free(s);
}

/* ---- wake-ups ---- */

static void wake_user(wg_eio_server_t *srv, void *user)
{
    if (srv->cfg.wake)
        srv->cfg.wake(srv->cfg.wake_ud, user);
}

static void wake_ws(wg_eio_ws_t *ws)
{
    if (ws && !ws->close_sent)
        wake_user(ws->srv, ws->user);
}

static void wake_parked(wg_eio_session_t *s)
{
    if (s->parked)
        wake_user(s->srv, s->parked_user);
}

/* Something was queued or the state changed: whoever writes should look. */
static void notify(wg_eio_session_t *s)
{
    if (s->websocket)
        wake_ws(s->ws);
    else
        wake_parked(s);
}

/* ---- WebSocket handles ---- */

static wg_eio_ws_t *ws_new(wg_eio_server_t *srv, void *user)
{
    wg_eio_ws_t *ws = wg_calloc(1, sizeof *ws);
    ws->srv = srv;
    ws->user = user;
    ws->next = srv->sockets;
    if (srv->sockets)
        srv->sockets->prev = ws;
    srv->sockets = ws;
    return ws;
}

/* Marks ws for closing (its next pulls end in CLOSE) and wakes it. */
static void ws_request_close(wg_eio_ws_t *ws, int code)
{
    if (ws->close_pending || ws->close_sent)
        return;
    ws->close_pending = 1;
    ws->close_code = code;
    wake_ws(ws);
}

/* Drops the probe WebSocket of s (closing it); the session stays on polling. */
static void probe_abort(wg_eio_session_t *s, int code)
{
    wg_eio_ws_t *ws = s->probe;
    if (!ws)
        return;
    s->probe = NULL;
    s->upgrading = 0;
    ws->session = NULL;
    ws->probe = 0;
    ws_request_close(ws, code);
    session_unref(s);
}

/* ---- close ---- */

/* Takes s out of the table and detaches its WebSockets; a parked GET is
 * woken to get the last word. Drops the table's reference. */
static void session_finalize(wg_eio_session_t *s, int ws_code)
{
    if (s->state == SESSION_CLOSED && !s->in_table)
        return;
    s->state = SESSION_CLOSED;
    session_ref(s);
    probe_abort(s, ws_code);
    if (s->ws) {
        wg_eio_ws_t *ws = s->ws;
        s->ws = NULL;
        ws->session = NULL;
        ws_request_close(ws, ws_code);
        session_unref(s);
    }
    wake_parked(s);
    if (s->in_table) {
        table_remove(s);
        session_unref(s);
    }
    session_unref(s);
}

/* Abrupt close: errors, timeouts, the client's "1", the transport going
 * away. The upper layer hears on_close(reason) once. */
static void session_terminate(wg_eio_session_t *s, const char *reason, int noop, int ws_code)
{
    if (s->state == SESSION_CLOSED)
        return;
    session_state_t was = s->state;
    s->state = SESSION_CLOSED;
    s->close_noop = noop;
    queue_clear(&s->queue);
    session_ref(s);
    if (was == SESSION_OPEN && s->srv->handlers.on_close)
        s->srv->handlers.on_close(s->srv->handlers.ud, s, reason);
    queue_clear(&s->queue);
    session_finalize(s, ws_code);
    session_unref(s);
}

void wg_eio_session_close(wg_eio_session_t *s)
{
    if (!s || s->state != SESSION_OPEN)
        return;
    wg_eio_server_t *srv = s->srv;
    s->state = SESSION_CLOSING;
    s->linger_deadline = now_ms(srv) + srv->cfg.ping_interval_ms + srv->cfg.ping_timeout_ms;
    s->next_ping_at = -1;
    s->pong_deadline = -1;
    session_ref(s);
    probe_abort(s, 1000);
    if (srv->handlers.on_close)
        srv->handlers.on_close(srv->handlers.ud, s, "server close");
    notify(s);
    session_unref(s);
}

void wg_eio_server_close_all(wg_eio_server_t *srv)
{
    /* on_close handlers may close other sessions: restart after each */
    for (int done = 0; !done;) {
        done = 1;
        for (wg_eio_session_t *s = srv->sessions; s; s = s->next) {
            if (s->state == SESSION_OPEN) {
                wg_eio_session_close(s);
                done = 0;
                break;
            }
        }
    }
}

void wg_eio_server_free(wg_eio_server_t *srv)
{
    if (!srv)
        return;
    /* the upper layer hears about every open session first */
    for (int done = 0; !done;) {
        done = 1;
        for (wg_eio_session_t *s = srv->sessions; s; s = s->next) {
            if (s->state != SESSION_CLOSED) {
                session_terminate(s, "server shutdown", 0, 1001);
                done = 0;
                break;
            }
        }
    }
    /* then handles the adapter never released are freed here */
    while (srv->sockets) {
        wg_eio_ws_t *ws = srv->sockets;
        srv->sockets = ws->next;
        queue_clear(&ws->own);
        wg_eio_shared_unref(ws->in_flight);
        free(ws);
    }
    while (srv->sessions) {
        wg_eio_session_t *s = srv->sessions;
        s->refs = 1;
        session_unref(s);
    }
    free(srv);
}

/* ---- handshake ---- */

static void make_sid(wg_eio_server_t *srv, char out[24])
{
    do {
        uint8_t raw[15];
        srv->cfg.random(srv->cfg.random_ud, raw, 12);
        uint32_t c = srv->sid_counter++;
        raw[12] = (uint8_t)(c >> 16);
        raw[13] = (uint8_t)(c >> 8);
        raw[14] = (uint8_t)c;
        wg_buf_t b = WG_BUF_INIT;
        wg_eio_base64_encode(&b, raw, sizeof raw, 1);
        memcpy(out, b.p, b.len + 1);
        wg_buf_free(&b);
    } while (wg_eio_server_find(srv, out));
}

static wg_eio_session_t *session_new(wg_eio_server_t *srv, const wg_eio_request_t *req,
                                     int websocket)
{
    wg_eio_session_t *s = wg_calloc(1, sizeof *s);
    s->srv = srv;
    make_sid(srv, s->sid);
    s->refs = 1; /* the table's */
    s->state = SESSION_OPEN;
    s->websocket = websocket;
    s->next_ping_at = now_ms(srv) + srv->cfg.ping_interval_ms;
    s->pong_deadline = -1;
    s->linger_deadline = -1;
    s->query = wg_strdup(req->query ? req->query : "");
    if (req->header_count) {
        s->headers = wg_calloc(req->header_count, sizeof *s->headers);
        for (size_t i = 0; i < req->header_count; i++) {
            s->headers[i].name = wg_strdup(req->headers[i].name ? req->headers[i].name : "");
            s->headers[i].value = wg_strdup(req->headers[i].value ? req->headers[i].value : "");
        }
        s->header_count = req->header_count;
    }
    unsigned b = sid_bucket(s->sid);
    s->hash_next = srv->buckets[b];
    srv->buckets[b] = s;
    s->in_table = 1;
    srv->table_count++;
    s->next = srv->sessions;
    if (srv->sessions)
        srv->sessions->prev = s;
    srv->sessions = s;
    return s;
}

static void append_open_packet(const wg_eio_session_t *s, wg_buf_t *out, int offer_upgrade)
{
    const wg_eio_config_t *cfg = &s->srv->cfg;
    wg_buf_printf(out,
                  "0{\"sid\":\"%s\",\"upgrades\":[%s],\"pingInterval\":%lld,"
                  "\"pingTimeout\":%lld,\"maxPayload\":%zu}",
                  s->sid, offer_upgrade ? "\"websocket\"" : "", (long long)cfg->ping_interval_ms,
                  (long long)cfg->ping_timeout_ms, cfg->max_payload);
}

static void call_on_open(wg_eio_session_t *s)
{
    wg_eio_server_t *srv = s->srv;
    if (srv->handlers.on_open)
        srv->handlers.on_open(srv->handlers.ud, s);
}

/* Checks that apply to every new session (no sid). 0 or an EIO error code. */
static int handshake_check(wg_eio_server_t *srv, const wg_eio_request_t *req)
{
    if (srv->cfg.allow_request && srv->cfg.allow_request(srv->cfg.allow_ud, req) != 0)
        return WG_EIO_ERR_FORBIDDEN;
    char eio[8];
    if (wg_eio_query_get(req->query, "EIO", eio, sizeof eio) != 1 || strcmp(eio, "4") != 0)
        return WG_EIO_ERR_UNSUPPORTED_PROTOCOL_VERSION;
    return 0;
}

/* ---- polling ---- */

static void set_poll_ok(wg_eio_response_t *resp)
{
    resp->parked = 0;
    resp->poll = NULL;
    resp->status = 200;
    resp->content_type = "text/plain; charset=UTF-8";
    wg_eio_response_add_header(resp, "Cache-Control", "no-store");
}

/* Fills the answer of a polling GET if there is one now; returns 1 if so. */
static int poll_answer(wg_eio_session_t *s, wg_buf_t *body)
{
    switch (s->state) {
    case SESSION_CLOSED:
        wg_buf_append_str(body, s->close_noop ? "6" : "1");
        return 1;
    case SESSION_CLOSING:
        queue_drain_into_body(&s->queue, body);
        if (body->len)
            wg_buf_append_byte(body, WG_EIO_SEPARATOR);
        wg_buf_append_str(body, "1");
        session_finalize(s, 1000);
        return 1;
    case SESSION_OPEN:
        if (s->websocket || s->upgrading) {
            /* spec §1.6 step 2: release the polling side with a noop */
            wg_buf_append_str(body, "6");
            return 1;
        }
        if (!s->queue.head)
            return 0;
        queue_drain_into_body(&s->queue, body);
        return 1;
    }
    return 0;
}

static void poll_get(wg_eio_session_t *s, const wg_eio_request_t *req, wg_eio_response_t *resp)
{
    if (s->parked) {
        /* spec §1.4 "Overlap": this request 400, the parked one gets "1" */
        wg_eio_response_error(resp, WG_EIO_ERR_BAD_REQUEST);
        session_terminate(s, "transport error", 0, 1000);
        return;
    }
    session_ref(s); /* poll_answer may finalize */
    if (poll_answer(s, &resp->body)) {
        set_poll_ok(resp);
    } else {
        s->parked = 1;
        s->parked_user = req->user;
        session_ref(s); /* the parked GET's */
        resp->parked = 1;
        resp->poll = s;
    }
    session_unref(s);
}

static void heartbeat_pong(wg_eio_session_t *s)
{
    s->pong_deadline = -1;
    s->next_ping_at = now_ms(s->srv) + s->srv->cfg.ping_interval_ms;
}

/* Handles one packet from the client on the current transport. */
static void session_on_packet(wg_eio_session_t *s, const wg_eio_packet_t *p)
{
    wg_eio_server_t *srv = s->srv;
    switch (p->type) {
    case WG_EIO_MESSAGE:
        if (srv->handlers.on_message)
            srv->handlers.on_message(srv->handlers.ud, s, p->data.p, p->data.len, p->is_binary);
        break;
    case WG_EIO_CLOSE:
        session_terminate(s, "transport close", 1, 1000);
        break;
    case WG_EIO_PING:
        /* v4: only the server pings (spec §1.3) */
        session_terminate(s, "invalid heartbeat direction", 0, 1002);
        break;
    case WG_EIO_PONG:
        heartbeat_pong(s);
        break;
    default:
        break; /* open/upgrade/noop from the client: ignored like the reference */
    }
}

static void poll_post(wg_eio_session_t *s, const wg_eio_request_t *req, wg_eio_response_t *resp)
{
    wg_eio_server_t *srv = s->srv;
    if (req->content_type && strncasecmp(req->content_type, "application/octet-stream", 24) == 0) {
        /* v4 polling is text only (spec §1.4) */
        wg_eio_response_error(resp, WG_EIO_ERR_BAD_REQUEST);
        session_terminate(s, "transport error", 0, 1000);
        return;
    }
    if (req->body_len > srv->cfg.max_payload) {
        resp->status = 413;
        resp->content_type = "text/plain; charset=UTF-8";
        wg_buf_append_str(&resp->body, "Payload Too Large");
        return;
    }
    resp->status = 200;
    resp->content_type = "text/html";
    wg_buf_append_str(&resp->body, "ok");
    if (s->state != SESSION_OPEN)
        return; /* closing: the client's late packets are dropped */
    if (wg_eio_payload_validate(req->body, req->body_len) < 0) {
        wg_buf_reset(&resp->body);
        wg_eio_response_error(resp, WG_EIO_ERR_BAD_REQUEST);
        session_terminate(s, "parse error", 0, 1000);
        return;
    }
    session_ref(s);
    wg_eio_payload_reader_t r;
    wg_eio_payload_reader_init(&r, req->body, req->body_len);
    wg_eio_packet_t p;
    while (s->state == SESSION_OPEN && wg_eio_payload_next(&r, &p) == 1)
        session_on_packet(s, &p);
    wg_eio_payload_reader_free(&r);
    session_unref(s);
}

static void handshake_polling(wg_eio_server_t *srv, const wg_eio_request_t *req,
                              wg_eio_response_t *resp)
{
    wg_eio_session_t *s = session_new(srv, req, 0);
    session_ref(s);
    append_open_packet(s, &resp->body, srv->cfg.allow_websocket);
    call_on_open(s);
    /* packets the upper layer queued in on_open ride along (spec §1.2) */
    if (s->state == SESSION_OPEN && s->queue.head)
        queue_drain_into_body(&s->queue, &resp->body);
    else if (s->state != SESSION_OPEN)
        poll_answer(s, &resp->body);
    set_poll_ok(resp);
    session_unref(s);
}

int wg_eio_http(wg_eio_server_t *srv, const wg_eio_request_t *req, wg_eio_response_t *resp)
{
    char transport[16], sid[64];
    if (req->method == WG_EIO_METHOD_OPTIONS && srv->cfg.cors_origins) {
        wg_eio_response_preflight(&srv->cfg, req, resp);
        return 0;
    }
    int has_transport = wg_eio_query_get(req->query, "transport", transport, sizeof transport);
    int is_polling = has_transport == 1 && strcmp(transport, "polling") == 0;
    int is_websocket = has_transport == 1 && strcmp(transport, "websocket") == 0;
    int has_sid = wg_eio_query_get(req->query, "sid", sid, sizeof sid);
    if (!is_polling && !(is_websocket && srv->cfg.allow_websocket)) {
        wg_eio_response_error(resp, WG_EIO_ERR_TRANSPORT_UNKNOWN);
    } else if (has_sid) {
        wg_eio_session_t *s = has_sid == 1 ? wg_eio_server_find(srv, sid) : NULL;
        if (!s)
            wg_eio_response_error(resp, WG_EIO_ERR_SESSION_UNKNOWN);
        else if (!is_polling || s->websocket)
            wg_eio_response_error(resp, WG_EIO_ERR_BAD_REQUEST); /* transport mismatch */
        else if (req->method == WG_EIO_METHOD_GET)
            poll_get(s, req, resp);
        else if (req->method == WG_EIO_METHOD_POST)
            poll_post(s, req, resp);
        else
            wg_eio_response_error(resp, WG_EIO_ERR_BAD_REQUEST);
    } else if (req->method != WG_EIO_METHOD_GET) {
        wg_eio_response_error(resp, WG_EIO_ERR_BAD_HANDSHAKE_METHOD);
    } else if (is_websocket) {
        wg_eio_response_error(resp, WG_EIO_ERR_BAD_REQUEST); /* websocket without Upgrade */
    } else {
        int code = handshake_check(srv, req);
        if (code)
            wg_eio_response_error(resp, code);
        else
            handshake_polling(srv, req, resp);
    }
    wg_eio_response_cors(&srv->cfg, req, resp);
    return 0;
}

int wg_eio_poll_resume(wg_eio_server_t *srv, wg_eio_session_t *poll, wg_eio_response_t *resp)
{
    (void)srv;
    if (!poll || !poll->parked)
        return 0;
    wg_eio_session_t *s = poll;
    void *user = s->parked_user;
    s->parked = 0; /* answering it now: no wake-ups for it from poll_answer */
    int ready = poll_answer(s, &resp->body);
    if (ready) {
        set_poll_ok(resp);
        s->parked_user = NULL;
        session_unref(s); /* the parked GET's */
    } else {
        s->parked = 1;
        s->parked_user = user;
    }
    return ready;
}

void wg_eio_poll_cancel(wg_eio_server_t *srv, wg_eio_session_t *poll)
{
    (void)srv;
    if (!poll || !poll->parked)
        return;
    poll->parked = 0;
    poll->parked_user = NULL;
    session_unref(poll);
}

/* ---- WebSocket ---- */

static void reject_ws(wg_eio_server_t *srv, const wg_eio_request_t *req, wg_eio_response_t *resp,
                      int code)
{
    wg_eio_response_error(resp, code);
    wg_eio_response_cors(&srv->cfg, req, resp);
}

int wg_eio_ws_open(wg_eio_server_t *srv, const wg_eio_request_t *req, wg_eio_ws_t **ws_out,
                   wg_eio_response_t *reject)
{
    char transport[16], sid[64];
    *ws_out = NULL;
    int has_transport = wg_eio_query_get(req->query, "transport", transport, sizeof transport);
    if (has_transport != 1 || !srv->cfg.allow_websocket ||
        (strcmp(transport, "websocket") != 0 && strcmp(transport, "polling") != 0)) {
        reject_ws(srv, req, reject, WG_EIO_ERR_TRANSPORT_UNKNOWN);
        return WG_EINVAL;
    }
    if (strcmp(transport, "websocket") != 0) {
        reject_ws(srv, req, reject, WG_EIO_ERR_BAD_REQUEST);
        return WG_EINVAL;
    }
    int has_sid = wg_eio_query_get(req->query, "sid", sid, sizeof sid);
    if (has_sid) {
        wg_eio_session_t *s = has_sid == 1 ? wg_eio_server_find(srv, sid) : NULL;
        if (!s) {
            reject_ws(srv, req, reject, WG_EIO_ERR_SESSION_UNKNOWN);
            return WG_EINVAL;
        }
        wg_eio_ws_t *ws = ws_new(srv, req->user);
        if (s->state != SESSION_OPEN || s->websocket || s->probe) {
            /* spec §1.6 step 4: complete the 101, then close (suite case 24) */
            ws->close_pending = 1;
            ws->close_code = 1000;
        } else {
            ws->probe = 1;
            ws->session = s;
            session_ref(s);
            s->probe = ws;
            ws->upgrade_deadline = now_ms(srv) + srv->cfg.upgrade_timeout_ms;
        }
        *ws_out = ws;
        return 0;
    }
    int code = handshake_check(srv, req);
    if (code) {
        reject_ws(srv, req, reject, code);
        return WG_EINVAL;
    }
    wg_eio_session_t *s = session_new(srv, req, 1);
    wg_eio_ws_t *ws = ws_new(srv, req->user);
    ws->session = s;
    session_ref(s);
    s->ws = ws;
    wg_buf_t open = WG_BUF_INIT;
    append_open_packet(s, &open, 0);
    queue_push_text(&ws->own, WG_EIO_OPEN, (const char *)open.p + 1);
    wg_buf_free(&open);
    *ws_out = ws;
    session_ref(s);
    call_on_open(s);
    wake_ws(ws);
    session_unref(s);
    return 0;
}

static void complete_upgrade(wg_eio_session_t *s, wg_eio_ws_t *ws)
{
    s->probe = NULL;
    s->upgrading = 0;
    ws->probe = 0;
    s->ws = ws;
    s->websocket = 1;
    wake_parked(s); /* it answers "6" now */
    wake_ws(ws);
}

static void probe_on_packet(wg_eio_session_t *s, wg_eio_ws_t *ws, const wg_eio_packet_t *p)
{
    if (p->type == WG_EIO_PING && wg_slice_eq_str(p->data, "probe")) {
        queue_push_text(&ws->own, WG_EIO_PONG, "probe");
        s->upgrading = 1;
        wake_parked(s);
        wake_ws(ws);
    } else if (p->type == WG_EIO_UPGRADE) {
        complete_upgrade(s, ws);
    } else {
        probe_abort(s, 1000);
    }
}

int wg_eio_ws_message(wg_eio_server_t *srv, wg_eio_ws_t *ws, const uint8_t *data, size_t len,
                      int is_binary)
{
    wg_eio_session_t *s = ws->session;
    if (!s || ws->close_pending || ws->close_sent)
        return WG_ECLOSED;
    int rc = WG_OK;
    session_ref(s);
    wg_eio_packet_t p;
    if (len > srv->cfg.max_payload) {
        rc = WG_ETOOBIG;
        if (ws->probe)
            probe_abort(s, 1009);
        else
            session_terminate(s, "transport error", 0, 1009);
    } else if (wg_eio_frame_decode(data, len, is_binary, &p) != WG_OK) {
        rc = WG_EPROTO;
        if (ws->probe)
            probe_abort(s, 1000);
        else
            session_terminate(s, "parse error", 0, 1000);
    } else if (ws->probe) {
        probe_on_packet(s, ws, &p);
    } else if (s->state == SESSION_OPEN) {
        session_on_packet(s, &p);
    }
    session_unref(s);
    return rc;
}

void wg_eio_ws_pull(wg_eio_server_t *srv, wg_eio_ws_t *ws, wg_eio_frame_t *frame)
{
    (void)srv;
    memset(frame, 0, sizeof *frame);
    wg_eio_shared_unref(ws->in_flight);
    ws->in_flight = NULL;
    if (ws->close_sent)
        return;
    wg_eio_shared_t *sh = queue_pop(&ws->own);
    wg_eio_session_t *s = ws->session;
    if (!sh && s && !ws->probe && s->ws == ws) {
        sh = queue_pop(&s->queue);
        if (!sh && s->state == SESSION_CLOSING)
            session_finalize(s, 1000); /* graceful close done: sets close_pending */
    }
    if (sh) {
        ws->in_flight = sh;
        frame->kind = sh->is_binary ? WG_EIO_FRAME_BINARY : WG_EIO_FRAME_TEXT;
        frame->data = sh->data;
        frame->len = sh->len;
        return;
    }
    if (ws->close_pending) {
        ws->close_sent = 1;
        frame->kind = WG_EIO_FRAME_CLOSE;
        frame->close_code = ws->close_code ? ws->close_code : 1000;
    }
}

void wg_eio_ws_closed(wg_eio_server_t *srv, wg_eio_ws_t *ws)
{
    if (!ws)
        return;
    wg_eio_session_t *s = ws->session;
    if (s) {
        ws->session = NULL;
        ws->close_sent = 1; /* no wake-ups for a dying wsi */
        if (s->probe == ws) {
            s->probe = NULL;
            s->upgrading = 0;
        } else if (s->ws == ws) {
            s->ws = NULL;
            session_terminate(s, "transport close", 0, 1000);
        }
        session_unref(s);
    }
    queue_clear(&ws->own);
    wg_eio_shared_unref(ws->in_flight);
    if (ws->prev)
        ws->prev->next = ws->next;
    else
        srv->sockets = ws->next;
    if (ws->next)
        ws->next->prev = ws->prev;
    free(ws);
}

/* ---- sending ---- */

int wg_eio_send_shared(wg_eio_session_t *s, wg_eio_shared_t *shared)
{
    if (s->state != SESSION_OPEN)
        return WG_ESTATE;
    if (s->overflow)
        return WG_ETOOBIG;
    if (s->queue.bytes + shared->len > s->srv->cfg.max_queue_bytes) {
        /* a slow client: drop what it never read, close at the next tick */
        s->overflow = 1;
        queue_clear(&s->queue);
        return WG_ETOOBIG;
    }
    queue_push(&s->queue, shared);
    notify(s);
    return WG_OK;
}

int wg_eio_send(wg_eio_session_t *s, const void *data, size_t len, int is_binary)
{
    wg_eio_shared_t *sh = wg_eio_shared_message(data, len, is_binary);
    int rc = wg_eio_send_shared(s, sh);
    wg_eio_shared_unref(sh);
    return rc;
}

/* ---- timers ---- */

static int64_t min_deadline(int64_t a, int64_t b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return a < b ? a : b;
}

static int64_t session_deadline(const wg_eio_session_t *s)
{
    int64_t d = -1;
    if (s->overflow && s->state == SESSION_OPEN)
        return 0;
    if (s->state == SESSION_OPEN) {
        d = min_deadline(d, s->next_ping_at);
        d = min_deadline(d, s->pong_deadline);
    } else if (s->state == SESSION_CLOSING) {
        d = min_deadline(d, s->linger_deadline);
    }
    if (s->probe)
        d = min_deadline(d, s->probe->upgrade_deadline);
    return d;
}

int64_t wg_eio_next_deadline(const wg_eio_server_t *srv)
{
    int64_t d = -1;
    for (const wg_eio_session_t *s = srv->sessions; s; s = s->next)
        if (s->in_table)
            d = min_deadline(d, session_deadline(s));
    return d;
}

static void session_tick(wg_eio_session_t *s, int64_t now)
{
    if (s->state == SESSION_OPEN && s->overflow) {
        session_terminate(s, "send queue overflow", 0, 1008);
        return;
    }
    if (s->probe && now >= s->probe->upgrade_deadline)
        probe_abort(s, 1000);
    if (s->state == SESSION_CLOSING) {
        if (s->linger_deadline >= 0 && now >= s->linger_deadline)
            session_finalize(s, 1000);
        return;
    }
    if (s->state != SESSION_OPEN)
        return;
    if (s->pong_deadline >= 0 && now >= s->pong_deadline) {
        session_terminate(s, "ping timeout", 0, 1000);
        return;
    }
    if (s->next_ping_at >= 0 && now >= s->next_ping_at) {
        /* spec §1.7: in polling the timeout runs from when the ping was queued */
        queue_push_text(&s->queue, WG_EIO_PING, NULL);
        /* the timeout runs from when the ping was due, so a late timer does
         * not stretch pingInterval + pingTimeout (the suites allow 500 ms
         * for 300 + 200); after a long stall, still give half a timeout */
        int64_t timeout = s->srv->cfg.ping_timeout_ms;
        int64_t deadline = s->next_ping_at + timeout;
        s->pong_deadline = deadline > now + timeout / 2 ? deadline : now + timeout / 2;
        s->next_ping_at = -1;
        notify(s);
    }
}

void wg_eio_tick(wg_eio_server_t *srv)
{
    int64_t now = now_ms(srv);
    /* callbacks may close other sessions: collect the due ones first */
    size_t n = 0, cap = 0;
    wg_eio_session_t **due = NULL;
    for (wg_eio_session_t *s = srv->sessions; s; s = s->next) {
        int64_t d = session_deadline(s);
        if (s->in_table && d >= 0 && d <= now) {
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                due = wg_realloc(due, cap * sizeof *due);
            }
            session_ref(s);
            due[n++] = s;
        }
    }
    for (size_t i = 0; i < n; i++) {
        session_tick(due[i], now);
        session_unref(due[i]);
    }
    free(due);
}

/* ---- accessors ---- */

const char *wg_eio_session_sid(const wg_eio_session_t *s)
{
    return s->sid;
}

int wg_eio_session_is_websocket(const wg_eio_session_t *s)
{
    return s->websocket;
}

const char *wg_eio_session_query(const wg_eio_session_t *s)
{
    return s->query;
}

const char *wg_eio_session_header(const wg_eio_session_t *s, const char *name)
{
    for (size_t i = 0; i < s->header_count; i++)
        if (strcasecmp(s->headers[i].name, name) == 0)
            return s->headers[i].value;
    return NULL;
}

size_t wg_eio_session_queued_bytes(const wg_eio_session_t *s)
{
    return s->queue.bytes;
}

void wg_eio_session_set_user(wg_eio_session_t *s, void *user)
{
    s->user = user;
}

void *wg_eio_session_user(const wg_eio_session_t *s)
{
    return s->user;
}
