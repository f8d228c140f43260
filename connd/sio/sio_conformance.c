/* Conformance-suite behaviour (see sio_conformance.h; spec §3.1 "Reference
 * server config"). Test scaffolding kept in the library so the daemon can
 * serve it; must never be enabled outside that mode. */
#include "sio/sio_conformance.h"
#include <string.h>

static const char *const any_origin[] = {"*", NULL};

void wg_eio_conformance_config(wg_eio_config_t *cfg)
{
    cfg->ping_interval_ms = 300;
    cfg->ping_timeout_ms = 200;
    cfg->max_payload = 1000000;
    cfg->allow_websocket = 1;
    cfg->cors_origins = any_origin;
}

static void echo_message(void *ud, wg_eio_session_t *s, const uint8_t *data, size_t len,
                         int is_binary)
{
    (void)ud;
    wg_eio_send(s, data, len, is_binary);
}

void wg_eio_conformance_handlers(wg_eio_handlers_t *h)
{
    memset(h, 0, sizeof *h);
    h->on_message = echo_message;
}

void wg_sio_conformance_config(wg_sio_config_t *cfg)
{
    wg_eio_conformance_config(&cfg->eio);
    cfg->connect_timeout_ms = 1000;
}

static void emit_auth(void *ud, wg_sio_socket_t *sock)
{
    (void)ud;
    const char *auth = wg_sio_socket_auth(sock);
    wg_buf_t args = WG_BUF_INIT;
    wg_buf_append_byte(&args, '[');
    wg_buf_append_str(&args, auth);
    wg_buf_append_byte(&args, ']');
    wg_sio_emit(sock, "auth", (const char *)args.p, args.len, NULL, 0);
    wg_buf_free(&args);
}

static void main_event(void *ud, wg_sio_socket_t *sock, const wg_sio_event_t *ev)
{
    (void)ud;
    wg_slice_t att[WG_SIO_MAX_ATTACHMENTS];
    size_t n = ev->attachment_count < WG_SIO_MAX_ATTACHMENTS ? ev->attachment_count
                                                             : WG_SIO_MAX_ATTACHMENTS;
    for (size_t i = 0; i < n; i++)
        att[i] = wg_buf_slice(&ev->attachments[i]);
    if (strcmp(ev->name, "message") == 0)
        wg_sio_emit(sock, "message-back", ev->args_json, ev->args_len, att, n);
    else if (strcmp(ev->name, "message-with-ack") == 0 && ev->ack_id >= 0)
        wg_sio_ack(sock, ev->ack_id, ev->args_json, ev->args_len, att, n);
}

void wg_sio_conformance_install(wg_sio_server_t *srv)
{
    wg_sio_handlers_t main_ns = {0}, custom_ns = {0};
    main_ns.on_connection = emit_auth;
    main_ns.on_event = main_event;
    custom_ns.on_connection = emit_auth;
    wg_sio_namespace_add(srv, "/", &main_ns);
    wg_sio_namespace_add(srv, "/custom", &custom_ns);
}
