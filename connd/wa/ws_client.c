/* libwebsockets adapter of the WhatsApp client (see ws_client.h). The wsi's
 * user pointer is the wg_wa_ws_t while the owner holds it; wg_wa_ws_free
 * clears it, so later callbacks for a detached wsi only finish the close.
 * Writes happen only in CLIENT_WRITEABLE, where the queued frames are framed
 * here (sio/ws_frame: masked client frames) and joined into one send. */
#include "wa/ws_client.h"

#include <arpa/inet.h>
#include <libwebsockets.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sio/ws_frame.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include "wg_random.h"

typedef struct out_msg {
    struct out_msg *next; /* queue link */
    size_t len;           /* payload bytes */
    uint8_t buf[];        /* payload */
} out_msg_t;

struct wg_wa_ws {
    struct lws *wsi;          /* NULL once closed */
    wg_wa_ws_events_t ev;     /* owner's callbacks */
    void *ud;                 /* their argument */
    out_msg_t *head, *tail;   /* messages to write */
    int connecting_sync;      /* inside lws_client_connect_via_info */
    int failed_sync;          /* it failed before returning */
};

/* A detached connection still flushing: its queue outlives the owner. */
typedef struct detached {
    struct lws *wsi;         /* the connection */
    out_msg_t *head, *tail;  /* what is left to write */
    struct detached *next;   /* list link */
} detached_t;

static struct lws_vhost *g_vhost; /* the client vhost, created at the first connect */
static void *g_loop;               /* the lws context given to wg_wa_ws_init */
static detached_t *g_detached;    /* connections closing after wg_wa_ws_free */
static size_t g_unflushed;        /* queued bytes, all connections */
static uint8_t *g_scratch;        /* LWS_PRE + the frames of one send (loop thread) */
static size_t g_scratch_cap;      /* its size */

static void free_queue(out_msg_t *m)
{
    while (m) {
        out_msg_t *next = m->next;
        g_unflushed -= m->len;
        free(m);
        m = next;
    }
}

static detached_t *find_detached(struct lws *wsi)
{
    for (detached_t *d = g_detached; d; d = d->next)
        if (d->wsi == wsi)
            return d;
    return NULL;
}

static void drop_detached(struct lws *wsi)
{
    for (detached_t **pp = &g_detached; *pp; pp = &(*pp)->next) {
        if ((*pp)->wsi == wsi) {
            detached_t *d = *pp;
            *pp = d->next;
            free_queue(d->head);
            free(d);
            return;
        }
    }
}

/* Frames joined into one send at most (the first frame always goes, however
 * large); also the protocol's tx_packet_size, so lws hands the kernel a
 * joined run whole. */
#define FRAMES_PER_WRITE 64
#define WRITE_BATCH_BYTES 65536

/* Frames the head of a queue and the frames after it (up to the limits
 * above) as masked client frames laid end to end, and writes them with one
 * send. LWS_WRITE_RAW: lws passes the bytes through and keeps what the
 * kernel did not take, writing it before anything else on this connection
 * (its own pong or close frames included), so frames never interleave. No
 * extension is offered on this connection (ensure_vhost sets none), so the
 * server cannot negotiate one that would change the framing. A burst of
 * receipts after a group commit costs one system call instead of one per
 * receipt. Returns -1 to close, 0 otherwise. */
static int write_queued(struct lws *wsi, out_msg_t **head, out_msg_t **tail)
{
    size_t n = 0, need = LWS_PRE;
    for (out_msg_t *m = *head; m && n < FRAMES_PER_WRITE; m = m->next) {
        if (n && need + WG_WS_FRAME_CLIENT_HEADER_MAX + m->len > LWS_PRE + WRITE_BATCH_BYTES)
            break;
        need += WG_WS_FRAME_CLIENT_HEADER_MAX + m->len;
        n++;
    }
    if (!n)
        return 0;
    if (g_scratch_cap < need) {
        g_scratch_cap = need > LWS_PRE + WRITE_BATCH_BYTES ? need : LWS_PRE + WRITE_BATCH_BYTES;
        g_scratch = wg_realloc(g_scratch, g_scratch_cap);
    }
    uint8_t masks[FRAMES_PER_WRITE][4];
    wg_random_buf(masks, n * 4); /* a fresh key per frame (RFC 6455 §10.3) */
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        out_msg_t *m = *head;
        used += wg_ws_frame_client(g_scratch + LWS_PRE + used, m->buf, m->len, 1, masks[i]);
        *head = m->next;
        g_unflushed -= m->len;
        free(m);
    }
    if (!*head)
        *tail = NULL;
    sodium_memzero(masks, sizeof masks);
    if (lws_write(wsi, g_scratch + LWS_PRE, used, LWS_WRITE_RAW) < (int)used)
        return -1;
    if (*head)
        lws_callback_on_writable(wsi);
    return 0;
}

static void report_closed(struct lws *wsi, wg_wa_ws_t *ws, int code, const char *why)
{
    lws_set_wsi_user(wsi, NULL);
    ws->wsi = NULL;
    free_queue(ws->head);
    ws->head = ws->tail = NULL;
    if (ws->connecting_sync) {
        ws->failed_sync = 1;
        return;
    }
    ws->ev.closed(ws->ud, code, why);
}

static int callback_wa(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                       size_t len)
{
    wg_wa_ws_t *ws = user;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
        /* whatsmeow's extra headers (wa-protocol.md §1 "Headers") */
        unsigned char **p = in, *end = *p + len;
        /* set here, not through connect_info.origin, which lws prefixes with http:// */
        if (lws_add_http_header_by_name(wsi, (const unsigned char *)"origin:",
                                        (const unsigned char *)"https://web.whatsapp.com", 24, p,
                                        end) ||
            lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
                                        (const unsigned char *)"no-cache", 8, p, end) ||
            lws_add_http_header_by_name(wsi, (const unsigned char *)"pragma:",
                                        (const unsigned char *)"no-cache", 8, p, end))
            return -1;
        break;
    }
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (!ws) {
            detached_t *d = find_detached(wsi);
            if (d && d->head)
                lws_callback_on_writable(wsi);
            else
                return -1;
            break;
        }
        ws->ev.open(ws->ud);
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (ws && len)
            ws->ev.data(ws->ud, in, len);
        break;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (!ws) {
            detached_t *d = find_detached(wsi);
            if (d && d->head)
                return write_queued(wsi, &d->head, &d->tail);
            lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
            return -1;
        }
        return write_queued(wsi, &ws->head, &ws->tail);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (ws && len >= 2) {
            const uint8_t *b = in;
            wg_log(WG_LOG_DEBUG, "msg=\"wa peer closed\" code=%d", (b[0] << 8) | b[1]);
        }
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
        char why[160];
        snprintf(why, sizeof why, "%s", in ? (const char *)in : "connection failed");
        if (ws)
            report_closed(wsi, ws, -1, why);
        drop_detached(wsi);
        break;
    }
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (ws)
            report_closed(wsi, ws, -1, "socket closed");
        drop_detached(wsi);
        break;
    case LWS_CALLBACK_WSI_DESTROY:
        if (ws)
            report_closed(wsi, ws, -1, "socket closed");
        drop_detached(wsi);
        break;
    default:
        break;
    }
    return 0;
}

/* The client vhost is created at the first connect, not at start: its TLS
 * set-up (OpenSSL initialisation, the system CA store) costs megabytes of
 * RSS that a gateway with no linked instance should not pay. */
static int ensure_vhost(void *loop, wg_buf_t *err)
{
    static const struct lws_protocols protocols[] = {
        {"wg-wa", callback_wa, 0, 64 * 1024, 0, NULL, WRITE_BATCH_BYTES},
        {NULL, NULL, 0, 0, 0, NULL, 0},
    };
    if (g_vhost)
        return 0;
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.vhost_name = "wa-client";
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    g_vhost = lws_create_vhost((struct lws_context *)loop, &info);
    if (!g_vhost) {
        wg_buf_append_str(err, "cannot create the WhatsApp client vhost");
        return WG_EIO;
    }
    return 0;
}

int wg_wa_ws_init(void *loop, wg_buf_t *err)
{
    (void)err;
    g_loop = loop;
    return 0;
}

int wg_wa_url_split(const char *url, int *tls, char *host, size_t host_len, int *port,
                    char *path, size_t path_len)
{
    const char *rest;
    if (strncasecmp(url, "wss://", 6) == 0)
        *tls = 1, rest = url + 6, *port = 443;
    else if (strncasecmp(url, "ws://", 5) == 0)
        *tls = 0, rest = url + 5, *port = 80;
    else
        return WG_EINVAL;
    const char *slash = strchr(rest, '/');
    size_t hp_len = slash ? (size_t)(slash - rest) : strlen(rest);
    const char *colon = NULL;
    if (rest[0] == '[') {
        const char *close = memchr(rest, ']', hp_len);
        if (!close)
            return WG_EINVAL;
        if (close + 1 < rest + hp_len) {
            if (close[1] != ':')
                return WG_EINVAL; /* junk between ] and the port or path */
            colon = close + 1;
        }
        size_t n = (size_t)(close - rest - 1);
        if (n == 0 || n + 1 > host_len)
            return WG_EINVAL;
        memcpy(host, rest + 1, n);
        host[n] = '\0';
    } else {
        colon = memchr(rest, ':', hp_len);
        size_t n = colon ? (size_t)(colon - rest) : hp_len;
        if (n == 0 || n + 1 > host_len)
            return WG_EINVAL;
        memcpy(host, rest, n);
        host[n] = '\0';
    }
    if (colon) {
        char *end = NULL;
        if (!(colon[1] >= '0' && colon[1] <= '9')) /* strtol would take " +80" */
            return WG_EINVAL;
        long p = strtol(colon + 1, &end, 10);
        if (end != rest + hp_len || p <= 0 || p > 65535)
            return WG_EINVAL;
        *port = (int)p;
    }
    int w = snprintf(path, path_len, "%s", slash ? slash : "/");
    if (w < 0 || (size_t)w >= path_len)
        return WG_EINVAL; /* a cut path would drop e.g. the access_token query */
    return 0;
}

int wg_wa_host_is_loopback(const char *host)
{
    /* addresses only (or the name localhost): "127.x.example" is a DNS name
     * that may resolve anywhere, so it must not pass the WA_CERT_CHECK=off
     * guard */
    struct in_addr v4;
    struct in6_addr v6;
    if (strcasecmp(host, "localhost") == 0)
        return 1;
    if (inet_pton(AF_INET, host, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &v6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&v6);
    return 0;
}

wg_wa_ws_t *wg_wa_ws_connect(void *loop, const char *url, const wg_wa_ws_events_t *ev, void *ud,
                             wg_buf_t *err)
{
    char host[256], path[1024];
    int tls = 0, port = 0;
    if (!g_loop || loop != g_loop) {
        wg_buf_append_str(err, "WhatsApp client not initialised");
        return NULL;
    }
    if (ensure_vhost(loop, err) != 0)
        return NULL;
    if (wg_wa_url_split(url, &tls, host, sizeof host, &port, path, sizeof path) != 0) {
        wg_buf_printf(err, "bad WhatsApp server URL");
        return NULL;
    }
    wg_wa_ws_t *ws = wg_calloc(1, sizeof *ws);
    ws->ev = *ev;
    ws->ud = ud;
    struct lws_client_connect_info i;
    memset(&i, 0, sizeof i);
    i.context = loop;
    i.vhost = g_vhost;
    i.address = host;
    i.port = port;
    i.path = path;
    i.host = host;
    i.ssl_connection = tls ? LCCSCF_USE_SSL : 0;
    i.local_protocol_name = "wg-wa";
    i.userdata = ws;
    ws->connecting_sync = 1;
    ws->wsi = lws_client_connect_via_info(&i);
    ws->connecting_sync = 0;
    if (!ws->wsi || ws->failed_sync) {
        if (ws->wsi)
            lws_set_wsi_user(ws->wsi, NULL);
        wg_buf_printf(err, "cannot connect to %s:%d", host, port);
        free(ws);
        return NULL;
    }
    return ws;
}

int wg_wa_ws_send(wg_wa_ws_t *ws, const uint8_t *p, size_t len)
{
    if (!ws->wsi)
        return WG_ESTATE;
    out_msg_t *m = wg_malloc(sizeof *m + len);
    m->next = NULL;
    m->len = len;
    memcpy(m->buf, p, len);
    if (ws->tail)
        ws->tail->next = m;
    else
        ws->head = m;
    ws->tail = m;
    g_unflushed += len;
    lws_callback_on_writable(ws->wsi);
    return 0;
}

void wg_wa_ws_free(wg_wa_ws_t *ws)
{
    if (!ws)
        return;
    if (ws->wsi) {
        lws_set_wsi_user(ws->wsi, NULL);
        detached_t *d = wg_calloc(1, sizeof *d);
        d->wsi = ws->wsi;
        d->head = ws->head;
        d->tail = ws->tail;
        d->next = g_detached;
        g_detached = d;
        lws_callback_on_writable(ws->wsi);
    } else {
        free_queue(ws->head);
    }
    free(ws);
}

size_t wg_wa_ws_unflushed(void)
{
    size_t n = g_unflushed;
    for (detached_t *d = g_detached; d; d = d->next)
        n += d->head ? 1 : 0; /* a close frame still to go */
    return n;
}

void wg_wa_ws_flush_all(void *loop, int timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t end = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + timeout_ms;
    while (g_detached) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        if ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 >= end)
            break;
        if (lws_service((struct lws_context *)loop, 0) < 0)
            break;
    }
}

/* ------------------------------------------------------------ timers */

struct wg_wa_timer {
    lws_sorted_usec_list_t sul;  /* lws scheduler entry (must be first) */
    struct lws_context *ctx;     /* the loop */
    void (*fn)(void *arg);       /* callback */
    void *arg;                   /* its argument */
};

static void on_timer(lws_sorted_usec_list_t *sul)
{
    wg_wa_timer_t *t = lws_container_of(sul, wg_wa_timer_t, sul);
    t->fn(t->arg);
}

wg_wa_timer_t *wg_wa_timer_new(void *loop, void (*fn)(void *arg), void *arg)
{
    wg_wa_timer_t *t = wg_calloc(1, sizeof *t);
    t->ctx = loop;
    t->fn = fn;
    t->arg = arg;
    return t;
}

void wg_wa_timer_set(wg_wa_timer_t *t, int64_t delay_ms)
{
    if (delay_ms < 0) {
        lws_sul_cancel(&t->sul);
        return;
    }
    lws_sul_schedule(t->ctx, 0, &t->sul, on_timer, (lws_usec_t)delay_ms * LWS_US_PER_MS);
}

void wg_wa_timer_free(wg_wa_timer_t *t)
{
    if (!t)
        return;
    lws_sul_cancel(&t->sul);
    free(t);
}
