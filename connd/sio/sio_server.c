/* Socket.IO v5 server (see sio_server.h; spec §2.2, §2.3). Owns namespaces,
 * the per-connection "client" (one per Engine.IO session) and its sockets
 * (one per joined namespace). Must never do I/O or parse Engine.IO framing:
 * it only sees whole Engine.IO messages.
 *
 * Reentrancy: handlers may emit, disconnect sockets or close connections
 * from inside callbacks, so while a client is being dispatched
 * (client->busy) a closed client and destroyed sockets are only marked dead
 * and freed when the outermost dispatch returns. A dead socket refuses
 * sends, so a handler may still touch the socket it was called with. */
#include "sio/sio_server.h"
#include "sio/eio_base64.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include <stdlib.h>
#include <string.h>

typedef struct wg_sio_namespace wg_sio_namespace_t;
typedef struct wg_sio_client wg_sio_client_t;

typedef struct pending_ack {
    struct pending_ack *next; /* list link */
    int64_t id;               /* ack id sent to the client */
    wg_sio_ack_fn cb;         /* whom to tell */
    void *ud;                 /* cb's data */
} pending_ack_t;

struct wg_sio_namespace {
    char *name;                 /* "/", "/custom", ... owned */
    wg_sio_handlers_t handlers; /* what happens there */
    wg_sio_socket_t *sockets;   /* connected sockets (nsp_prev/nsp_next) */
    size_t count;               /* entries in sockets */
    wg_sio_namespace_t *next;   /* registry list */
};

struct wg_sio_socket {
    wg_sio_client_t *client;      /* connection carrying it */
    wg_sio_namespace_t *nsp;      /* namespace joined */
    char id[24];                  /* socket id sent in the CONNECT reply */
    char *auth;                   /* CONNECT payload text, owned */
    int64_t next_ack_id;          /* server-side ack counter */
    pending_ack_t *acks;          /* acks we wait for */
    void *user;                   /* application pointer */
    int dead;                     /* destroyed; freed when the client is idle */
    wg_sio_socket_t *client_next; /* client's socket list (live or zombies) */
    wg_sio_socket_t *nsp_prev;    /* namespace list */
    wg_sio_socket_t *nsp_next;    /* namespace list */
};

struct wg_sio_client {
    wg_sio_server_t *srv;      /* owner */
    wg_eio_session_t *session; /* NULL once the session closed */
    wg_sio_decoder_t decoder;  /* binary reassembly */
    wg_sio_socket_t *sockets;  /* joined namespaces */
    wg_sio_socket_t *zombies;  /* destroyed while busy, freed when idle */
    int64_t connect_deadline;  /* close if still no namespace then; -1 done */
    int busy;                  /* dispatch depth: defer the free */
    int closed;                /* Engine.IO session over */
    wg_sio_client_t *prev;     /* server list */
    wg_sio_client_t *next;     /* server list */
};

struct wg_sio_server {
    wg_sio_config_t cfg;            /* copied config */
    wg_eio_server_t *eio;           /* owned engine */
    wg_sio_namespace_t *namespaces; /* registry */
    wg_sio_client_t *clients;       /* live connections */
};

void wg_sio_config_defaults(wg_sio_config_t *cfg)
{
    wg_eio_config_defaults(&cfg->eio);
    cfg->connect_timeout_ms = 45000;
}

static wg_sio_namespace_t *namespace_find(const wg_sio_server_t *srv, const char *name)
{
    for (wg_sio_namespace_t *n = srv->namespaces; n; n = n->next)
        if (strcmp(n->name, name) == 0)
            return n;
    return NULL;
}

int wg_sio_namespace_add(wg_sio_server_t *srv, const char *name, const wg_sio_handlers_t *h)
{
    if (!name || name[0] != '/' || strchr(name, ','))
        return WG_EINVAL;
    wg_sio_namespace_t *n = namespace_find(srv, name);
    if (!n) {
        n = wg_calloc(1, sizeof *n);
        n->name = wg_strdup(name);
        n->next = srv->namespaces;
        srv->namespaces = n;
    }
    memset(&n->handlers, 0, sizeof n->handlers);
    if (h)
        n->handlers = *h;
    return WG_OK;
}

size_t wg_sio_namespace_size(const wg_sio_server_t *srv, const char *nsp)
{
    const wg_sio_namespace_t *n = namespace_find(srv, nsp);
    return n ? n->count : 0;
}

/* ---- sending ---- */

static int client_send_text(wg_sio_client_t *c, const wg_buf_t *packet)
{
    if (c->closed || !c->session)
        return WG_ESTATE;
    return wg_eio_send(c->session, packet->p, packet->len, 0);
}

/* Sends an encoded packet then its attachments as binary messages. */
static int send_packet(wg_sio_socket_t *sock, wg_sio_type_t type, int64_t ack_id, const char *json,
                       size_t json_len, const wg_slice_t *att, size_t n)
{
    if (sock->dead)
        return WG_ESTATE;
    wg_buf_t b = WG_BUF_INIT;
    int rc = wg_sio_packet_encode(&b, type, sock->nsp->name, ack_id, json, json_len, n);
    if (rc == WG_OK)
        rc = client_send_text(sock->client, &b);
    for (size_t i = 0; rc == WG_OK && i < n; i++)
        rc = wg_eio_send(sock->client->session, att[i].p, att[i].len, 1);
    wg_buf_free(&b);
    return rc;
}

static int emit_internal(wg_sio_socket_t *sock, int64_t ack_id, const char *event,
                         const char *args_json, size_t args_len, const wg_slice_t *att, size_t n)
{
    if (!sock || !event || n > WG_SIO_MAX_ATTACHMENTS)
        return WG_EINVAL;
    if (!args_json) {
        args_json = "[]";
        args_len = 2;
    }
    wg_buf_t data = WG_BUF_INIT;
    int rc = wg_sio_event_json(&data, event, args_json, args_len);
    if (rc == WG_OK)
        rc = send_packet(sock, WG_SIO_EVENT, ack_id, (const char *)data.p, data.len, att, n);
    wg_buf_free(&data);
    return rc;
}

int wg_sio_emit(wg_sio_socket_t *sock, const char *event, const char *args_json, size_t args_len,
                const wg_slice_t *attachments, size_t n)
{
    return emit_internal(sock, WG_SIO_NO_ACK, event, args_json, args_len, attachments, n);
}

int wg_sio_emit_with_ack(wg_sio_socket_t *sock, const char *event, const char *args_json,
                         size_t args_len, const wg_slice_t *attachments, size_t n, wg_sio_ack_fn cb,
                         void *cb_ud)
{
    if (!sock || !cb)
        return WG_EINVAL;
    if (sock->dead)
        return WG_ESTATE;
    int64_t id = sock->next_ack_id;
    int rc = emit_internal(sock, id, event, args_json, args_len, attachments, n);
    if (rc != WG_OK)
        return rc;
    sock->next_ack_id++;
    pending_ack_t *a = wg_malloc(sizeof *a);
    a->id = id;
    a->cb = cb;
    a->ud = cb_ud;
    a->next = sock->acks;
    sock->acks = a;
    return WG_OK;
}

int wg_sio_ack(wg_sio_socket_t *sock, int64_t ack_id, const char *args_json, size_t args_len,
               const wg_slice_t *attachments, size_t n)
{
    if (!sock || ack_id < 0 || n > WG_SIO_MAX_ATTACHMENTS)
        return WG_EINVAL;
    if (!args_json) {
        args_json = "[]";
        args_len = 2;
    }
    size_t i = 0;
    while (i < args_len && (args_json[i] == ' ' || args_json[i] == '\n' || args_json[i] == '\t' ||
                            args_json[i] == '\r'))
        i++;
    if (i >= args_len || args_json[i] != '[')
        return WG_EINVAL;
    return send_packet(sock, WG_SIO_ACK, ack_id, args_json, args_len, attachments, n);
}

int wg_sio_broadcast(wg_sio_server_t *srv, const char *nsp, const char *event,
                     const char *args_json, size_t args_len)
{
    return wg_sio_broadcast_filter(srv, nsp, event, args_json, args_len, NULL, NULL);
}

int wg_sio_broadcast_filter(wg_sio_server_t *srv, const char *nsp, const char *event,
                            const char *args_json, size_t args_len,
                            int (*want)(void *ud, wg_sio_socket_t *sock), void *ud)
{
    wg_sio_namespace_t *n = namespace_find(srv, nsp ? nsp : "/");
    if (!n)
        return WG_ENOTFOUND;
    if (!event)
        return WG_EINVAL;
    if (!args_json) {
        args_json = "[]";
        args_len = 2;
    }
    wg_sio_socket_t *first = n->sockets;
    while (first && (first->dead || (want && !want(ud, first))))
        first = first->nsp_next;
    if (!first)
        return 0; /* nobody wants it: not even encoded */
    wg_buf_t data = WG_BUF_INIT, packet = WG_BUF_INIT;
    int rc = wg_sio_event_json(&data, event, args_json, args_len);
    if (rc == WG_OK)
        rc = wg_sio_packet_encode(&packet, WG_SIO_EVENT, n->name, WG_SIO_NO_ACK,
                                  (const char *)data.p, data.len, 0);
    if (rc == WG_OK) {
        /* encoded once; each session queue takes a reference (send never
         * calls back into this layer, so the list is stable here) */
        wg_eio_shared_t *shared = wg_eio_shared_message(packet.p, packet.len, 0);
        int reached = 0;
        for (wg_sio_socket_t *s = first; s; s = s->nsp_next) {
            if (s->dead || (s != first && want && !want(ud, s)))
                continue;
            if (s->client->session && wg_eio_send_shared(s->client->session, shared) == WG_OK)
                reached++;
        }
        wg_eio_shared_unref(shared);
        rc = reached;
    }
    wg_buf_free(&data);
    wg_buf_free(&packet);
    return rc;
}

int wg_sio_namespace_remove(wg_sio_server_t *srv, const char *nsp)
{
    /* sockets still referenced by a busy client stay as zombies that never
     * look at their namespace again (send_packet checks dead first) */
    if (!nsp || strcmp(nsp, "/") == 0)
        return WG_EINVAL;
    wg_sio_namespace_t **pp = &srv->namespaces;
    while (*pp && strcmp((*pp)->name, nsp) != 0)
        pp = &(*pp)->next;
    wg_sio_namespace_t *n = *pp;
    if (!n)
        return WG_ENOTFOUND;
    while (n->sockets)
        wg_sio_disconnect(n->sockets);
    *pp = n->next;
    free(n->name);
    free(n);
    return WG_OK;
}

/* ---- sockets ---- */

static void random_id(wg_sio_server_t *srv, char out[24])
{
    const wg_eio_config_t *ecfg = wg_eio_server_config(srv->eio);
    uint8_t raw[15];
    ecfg->random(ecfg->random_ud, raw, sizeof raw);
    wg_buf_t b = WG_BUF_INIT;
    wg_eio_base64_encode(&b, raw, sizeof raw, 1);
    memcpy(out, b.p, b.len + 1);
    wg_buf_free(&b);
}

static wg_sio_socket_t *client_socket(const wg_sio_client_t *c, const char *nsp)
{
    for (wg_sio_socket_t *s = c->sockets; s; s = s->client_next)
        if (strcmp(s->nsp->name, nsp) == 0)
            return s;
    return NULL;
}

/* Unlinks sock everywhere, tells the handler, fails pending acks, frees. */
static void socket_destroy(wg_sio_socket_t *sock, const char *reason)
{
    wg_sio_client_t *c = sock->client;
    wg_sio_namespace_t *n = sock->nsp;
    wg_sio_socket_t **pp = &c->sockets;
    while (*pp && *pp != sock)
        pp = &(*pp)->client_next;
    if (*pp)
        *pp = sock->client_next;
    if (sock->nsp_prev)
        sock->nsp_prev->nsp_next = sock->nsp_next;
    else
        n->sockets = sock->nsp_next;
    if (sock->nsp_next)
        sock->nsp_next->nsp_prev = sock->nsp_prev;
    n->count--;
    c->busy++;
    if (n->handlers.on_disconnect)
        n->handlers.on_disconnect(n->handlers.ud, sock, reason);
    while (sock->acks) {
        pending_ack_t *a = sock->acks;
        sock->acks = a->next;
        a->cb(a->ud, sock, NULL, 0, NULL, 0);
        free(a);
    }
    c->busy--;
    sock->dead = 1;
    if (c->busy > 0) {
        sock->client_next = c->zombies;
        c->zombies = sock;
        return;
    }
    free(sock->auth);
    free(sock);
}

void wg_sio_disconnect(wg_sio_socket_t *sock)
{
    if (!sock || sock->dead)
        return;
    wg_buf_t b = WG_BUF_INIT;
    wg_sio_packet_encode(&b, WG_SIO_DISCONNECT, sock->nsp->name, WG_SIO_NO_ACK, NULL, 0, 0);
    client_send_text(sock->client, &b);
    wg_buf_free(&b);
    socket_destroy(sock, "server namespace disconnect");
}

void wg_sio_close_connection(wg_sio_socket_t *sock)
{
    if (sock && !sock->dead && sock->client->session)
        wg_eio_session_close(sock->client->session);
}

/* ---- clients ---- */

static void client_free_if_done(wg_sio_client_t *c)
{
    if (c->busy > 0)
        return;
    while (c->zombies) {
        wg_sio_socket_t *z = c->zombies;
        c->zombies = z->client_next;
        free(z->auth);
        free(z);
    }
    if (!c->closed)
        return;
    wg_sio_server_t *srv = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    wg_sio_decoder_free(&c->decoder);
    free(c);
}

/* Protocol violation: close the whole Engine.IO connection (spec §2.2). */
static void client_abort(wg_sio_client_t *c)
{
    if (c->session)
        wg_eio_session_close(c->session);
}

static void send_connect_error(wg_sio_client_t *c, const char *nsp, const char *message,
                               const char *data_json)
{
    wg_buf_t json = WG_BUF_INIT, b = WG_BUF_INIT;
    wg_buf_append_str(&json, "{\"message\":");
    wg_sio_json_string(&json, message, strlen(message));
    if (data_json) {
        wg_buf_append_str(&json, ",\"data\":");
        wg_buf_append_str(&json, data_json);
    }
    wg_buf_append_byte(&json, '}');
    wg_sio_packet_encode(&b, WG_SIO_CONNECT_ERROR, nsp, WG_SIO_NO_ACK, (const char *)json.p,
                         json.len, 0);
    client_send_text(c, &b);
    wg_buf_free(&json);
    wg_buf_free(&b);
}

static void on_connect_packet(wg_sio_client_t *c, wg_sio_packet_t *p)
{
    /* python-socketio may append "?query" to the namespace */
    char *q = strchr(p->nsp, '?');
    if (q)
        *q = 0;
    wg_sio_namespace_t *n = namespace_find(c->srv, p->nsp);
    if (!n) {
        send_connect_error(c, p->nsp, "Invalid namespace", NULL); /* connection stays */
        return;
    }
    if (client_socket(c, n->name)) {
        client_abort(c); /* CONNECT for a namespace already joined */
        return;
    }
    wg_sio_socket_t *sock = wg_calloc(1, sizeof *sock);
    sock->client = c;
    sock->nsp = n;
    random_id(c->srv, sock->id);
    sock->auth = p->json ? wg_strndup(p->json, p->json_len) : wg_strdup("{}");
    if (n->handlers.authorize) {
        wg_sio_reject_t reject = {NULL, NULL};
        if (n->handlers.authorize(n->handlers.ud, sock, sock->auth, &reject) != 0) {
            send_connect_error(c, n->name, reject.message ? reject.message : "Not authorized",
                               reject.data_json);
            free(sock->auth);
            free(sock);
            return;
        }
    }
    sock->client_next = c->sockets;
    c->sockets = sock;
    sock->nsp_next = n->sockets;
    if (n->sockets)
        n->sockets->nsp_prev = sock;
    n->sockets = sock;
    n->count++;
    wg_buf_t json = WG_BUF_INIT, b = WG_BUF_INIT;
    wg_buf_append_str(&json, "{\"sid\":");
    wg_sio_json_string(&json, sock->id, strlen(sock->id));
    wg_buf_append_byte(&json, '}');
    wg_sio_packet_encode(&b, WG_SIO_CONNECT, n->name, WG_SIO_NO_ACK, (const char *)json.p, json.len,
                         0);
    client_send_text(c, &b);
    wg_buf_free(&json);
    wg_buf_free(&b);
    if (n->handlers.on_connection)
        n->handlers.on_connection(n->handlers.ud, sock);
}

static void on_event_packet(wg_sio_socket_t *sock, wg_sio_packet_t *p)
{
    wg_buf_t name = WG_BUF_INIT, args = WG_BUF_INIT;
    if (wg_sio_event_split(p, &name, &args) == WG_OK && sock->nsp->handlers.on_event) {
        wg_sio_event_t ev = {
            .name = (const char *)name.p,
            .args_json = (const char *)args.p,
            .args_len = args.len,
            .data = p->data,
            .attachments = p->attachments,
            .attachment_count = p->attachment_count,
            .ack_id = p->ack_id,
        };
        sock->nsp->handlers.on_event(sock->nsp->handlers.ud, sock, &ev);
    }
    wg_buf_free(&name);
    wg_buf_free(&args);
}

static void on_ack_packet(wg_sio_socket_t *sock, wg_sio_packet_t *p)
{
    pending_ack_t **pp = &sock->acks;
    while (*pp && (*pp)->id != p->ack_id)
        pp = &(*pp)->next;
    pending_ack_t *a = *pp;
    if (!a)
        return; /* unknown or repeated ack id: ignored like the reference */
    *pp = a->next;
    a->cb(a->ud, sock, p->json ? p->json : "[]", p->json ? p->json_len : 2, p->attachments,
          p->attachment_count);
    free(a);
}

static void dispatch(wg_sio_client_t *c, wg_sio_packet_t *p)
{
    if (p->type == WG_SIO_CONNECT) {
        on_connect_packet(c, p);
        return;
    }
    wg_sio_socket_t *sock = client_socket(c, p->nsp);
    if (!sock || p->type == WG_SIO_CONNECT_ERROR) {
        client_abort(c); /* packet for a namespace not joined (spec §2.2) */
        return;
    }
    switch (p->type) {
    case WG_SIO_DISCONNECT:
        socket_destroy(sock, "client namespace disconnect");
        break;
    case WG_SIO_EVENT:
    case WG_SIO_BINARY_EVENT:
        on_event_packet(sock, p);
        break;
    case WG_SIO_ACK:
    case WG_SIO_BINARY_ACK:
        on_ack_packet(sock, p);
        break;
    default:
        break;
    }
}

/* ---- Engine.IO handlers ---- */

static void eio_on_open(void *ud, wg_eio_session_t *s)
{
    wg_sio_server_t *srv = ud;
    wg_sio_client_t *c = wg_calloc(1, sizeof *c);
    c->srv = srv;
    c->session = s;
    wg_sio_decoder_init(&c->decoder);
    c->connect_deadline =
        wg_eio_server_config(srv->eio)->clock(wg_eio_server_config(srv->eio)->clock_ud) +
        srv->cfg.connect_timeout_ms;
    c->next = srv->clients;
    if (srv->clients)
        srv->clients->prev = c;
    srv->clients = c;
    wg_eio_session_set_user(s, c);
}

static void eio_on_message(void *ud, wg_eio_session_t *s, const uint8_t *data, size_t len,
                           int is_binary)
{
    (void)ud;
    wg_sio_client_t *c = wg_eio_session_user(s);
    if (!c || c->closed)
        return;
    wg_sio_packet_t p;
    int rc = wg_sio_decoder_feed(&c->decoder, data, len, is_binary, &p);
    if (rc < 0) {
        client_abort(c); /* parse error closes the connection (spec §9 item 5) */
        return;
    }
    if (rc == 0)
        return;
    c->busy++;
    dispatch(c, &p);
    c->busy--;
    wg_sio_packet_free(&p);
    client_free_if_done(c);
}

static void eio_on_close(void *ud, wg_eio_session_t *s, const char *reason)
{
    (void)ud;
    wg_sio_client_t *c = wg_eio_session_user(s);
    if (!c)
        return;
    wg_eio_session_set_user(s, NULL);
    c->busy++;
    while (c->sockets)
        socket_destroy(c->sockets, reason);
    c->session = NULL;
    c->closed = 1;
    c->busy--;
    client_free_if_done(c);
}

/* ---- server ---- */

wg_sio_server_t *wg_sio_server_new(const wg_sio_config_t *cfg)
{
    wg_sio_server_t *srv = wg_calloc(1, sizeof *srv);
    srv->cfg = *cfg;
    wg_eio_handlers_t h = {eio_on_open, eio_on_message, eio_on_close, srv};
    srv->eio = wg_eio_server_new(&cfg->eio, &h);
    wg_sio_namespace_add(srv, "/", NULL);
    return srv;
}

void wg_sio_server_free(wg_sio_server_t *srv)
{
    if (!srv)
        return;
    wg_eio_server_free(srv->eio); /* closes sessions: eio_on_close frees clients */
    while (srv->clients) {        /* only if a handler left one busy */
        wg_sio_client_t *c = srv->clients;
        c->busy = 0;
        c->closed = 1;
        client_free_if_done(c);
    }
    while (srv->namespaces) {
        wg_sio_namespace_t *n = srv->namespaces;
        srv->namespaces = n->next;
        free(n->name);
        free(n);
    }
    free(srv);
}

wg_eio_server_t *wg_sio_server_eio(wg_sio_server_t *srv)
{
    return srv->eio;
}

void wg_sio_tick(wg_sio_server_t *srv)
{
    wg_eio_tick(srv->eio);
    const wg_eio_config_t *ecfg = wg_eio_server_config(srv->eio);
    int64_t now = ecfg->clock(ecfg->clock_ud);
    /* closing one client may close others (handlers): pin the due ones */
    size_t n = 0, cap = 0;
    wg_sio_client_t **due = NULL;
    for (wg_sio_client_t *c = srv->clients; c; c = c->next) {
        if (!c->closed && c->connect_deadline >= 0 && now >= c->connect_deadline) {
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                due = wg_realloc(due, cap * sizeof *due);
            }
            c->busy++;
            due[n++] = c;
        }
    }
    for (size_t i = 0; i < n; i++) {
        wg_sio_client_t *c = due[i];
        c->connect_deadline = -1;
        /* spec §2.2 connectTimeout: no namespace joined by then */
        if (!c->closed && !c->sockets)
            client_abort(c);
        c->busy--;
        client_free_if_done(c);
    }
    free(due);
}

int64_t wg_sio_next_deadline(const wg_sio_server_t *srv)
{
    int64_t d = wg_eio_next_deadline(srv->eio);
    for (const wg_sio_client_t *c = srv->clients; c; c = c->next)
        if (!c->closed && c->connect_deadline >= 0 && (d < 0 || c->connect_deadline < d))
            d = c->connect_deadline;
    return d;
}

/* ---- accessors ---- */

const char *wg_sio_socket_id(const wg_sio_socket_t *sock)
{
    return sock->id;
}

const char *wg_sio_socket_namespace(const wg_sio_socket_t *sock)
{
    return sock->nsp->name;
}

const char *wg_sio_socket_auth(const wg_sio_socket_t *sock)
{
    return sock->auth;
}

wg_eio_session_t *wg_sio_socket_session(const wg_sio_socket_t *sock)
{
    return sock->client->session;
}

void wg_sio_socket_set_user(wg_sio_socket_t *sock, void *user)
{
    sock->user = user;
}

void *wg_sio_socket_user(const wg_sio_socket_t *sock)
{
    return sock->user;
}
