/* connd/sio/sio_server.c additions for connd/realtime: filtered encode-once
 * broadcast (nothing encoded when nobody wants it) and namespace removal. */
#include "sio/sio_server.h"
#include "sio_test_env.h"
#include "wg_err.h"

static test_env_t env;
static int disconnects;
static char users[4];

static void on_disconnect(void *ud, wg_sio_socket_t *sock, const char *reason)
{
    (void)ud, (void)sock;
    WG_CHECK_STR(reason, "server namespace disconnect");
    disconnects++;
}

static int only_marked(void *ud, wg_sio_socket_t *sock)
{
    (void)ud;
    return wg_sio_socket_user(sock) != NULL;
}

static int nobody(void *ud, wg_sio_socket_t *sock)
{
    (*(int *)ud)++;
    (void)sock;
    return 0;
}

static wg_sio_socket_t *last;
static void on_connection(void *ud, wg_sio_socket_t *sock)
{
    (void)ud;
    last = sock;
}

static void broadcast_and_remove(void)
{
    wg_sio_config_t cfg;
    wg_sio_config_defaults(&cfg);
    test_env_attach(&env, &cfg.eio);
    wg_sio_server_t *sio = wg_sio_server_new(&cfg);
    wg_eio_server_t *srv = wg_sio_server_eio(sio);
    wg_sio_handlers_t h = {0};
    h.on_connection = on_connection;
    h.on_disconnect = on_disconnect;
    wg_sio_namespace_add(sio, "/x", &h);
    wg_eio_ws_t *ws[3];
    wg_sio_socket_t *socks[3];
    for (int i = 0; i < 3; i++) {
        wg_eio_request_t req = {0};
        req.query = "EIO=4&transport=websocket";
        req.user = &users[i];
        wg_eio_response_t rej = WG_EIO_RESPONSE_INIT;
        WG_CHECK_INT(wg_eio_ws_open(srv, &req, &ws[i], &rej), 0);
        wg_eio_response_free(&rej);
        wg_eio_frame_t f;
        wg_eio_ws_pull(srv, ws[i], &f); /* open packet */
        WG_CHECK_INT(wg_eio_ws_message(srv, ws[i], (const uint8_t *)"40/x,", 5, 0), 0);
        wg_eio_ws_pull(srv, ws[i], &f);
        WG_CHECK(f.kind == WG_EIO_FRAME_TEXT && f.len > 6 && memcmp(f.data, "40/x,{", 6) == 0);
        socks[i] = last;
    }
    wg_sio_socket_set_user(socks[1], &users[1]);
    WG_CHECK_INT(wg_sio_broadcast_filter(sio, "/x", "ev", "[1]", 3, only_marked, NULL), 1);
    wg_eio_frame_t f;
    wg_eio_ws_pull(srv, ws[1], &f);
    WG_CHECK(f.kind == WG_EIO_FRAME_TEXT && f.len == 13 && memcmp(f.data, "42/x,[\"ev\",1]", 13) == 0);
    wg_eio_ws_pull(srv, ws[0], &f);
    WG_CHECK(f.kind == WG_EIO_FRAME_NONE);
    int asked = 0;
    WG_CHECK_INT(wg_sio_broadcast_filter(sio, "/x", "ev", "[1]", 3, nobody, &asked), 0);
    WG_CHECK_INT(asked, 3);
    WG_CHECK_INT(wg_sio_broadcast_filter(sio, "/nope", "ev", "[]", 2, NULL, NULL), WG_ENOTFOUND);

    WG_CHECK_INT(wg_sio_namespace_remove(sio, "/"), WG_EINVAL);
    WG_CHECK_INT(wg_sio_namespace_remove(sio, "/nope"), WG_ENOTFOUND);
    WG_CHECK_INT(wg_sio_namespace_remove(sio, "/x"), WG_OK);
    WG_CHECK_INT(disconnects, 3);
    WG_CHECK_INT(wg_sio_namespace_size(sio, "/x"), 0);
    wg_eio_ws_pull(srv, ws[2], &f);
    WG_CHECK(f.kind == WG_EIO_FRAME_TEXT && f.len == 5 && memcmp(f.data, "41/x,", 5) == 0);
    WG_CHECK_INT(wg_eio_ws_message(srv, ws[2], (const uint8_t *)"40/x,", 5, 0), 0);
    wg_eio_ws_pull(srv, ws[2], &f);
    WG_CHECK(f.kind == WG_EIO_FRAME_TEXT && strstr((const char *)f.data, "Invalid namespace"));
    /* close_all: every session ends gracefully with a close frame */
    wg_eio_server_close_all(srv);
    for (int i = 0; i < 3; i++) {
        do
            wg_eio_ws_pull(srv, ws[i], &f);
        while (f.kind == WG_EIO_FRAME_TEXT);
        WG_CHECK(f.kind == WG_EIO_FRAME_CLOSE);
        wg_eio_ws_closed(srv, ws[i]);
    }
    wg_sio_server_free(sio);
}

int main(void)
{
    WG_RUN(broadcast_and_remove);
    return wg_test_done();
}
