/* libwebsockets adapter of the IPC socket (see server.h). Turns RAW
 * callbacks into wg_ipc_conn_* calls and writes only in RAW_WRITEABLE. */
#include "ipc/server.h"
#include "ipc/conn.h"
#include "ipc/dispatch.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include <errno.h>
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define WRITE_CHUNK (64 * 1024)

static wg_connd_t *g_daemon;       /* set by start */
static wg_ipc_conn_t *g_conns;     /* live connections */
static uint64_t g_next_serial = 1; /* serial of the next connection */
static char g_path[108];           /* socket path, for stop */

static wg_ipc_conn_t *find_conn(uint64_t serial)
{
    for (wg_ipc_conn_t *c = g_conns; c; c = c->next)
        if (c->serial == serial)
            return c;
    return NULL;
}

void wg_ipc_reply(wg_connd_t *d, uint64_t conn_serial, const Wg__Ipc__Reply *reply)
{
    (void)d;
    wg_ipc_conn_t *c = find_conn(conn_serial);
    if (!c)
        return; /* the client left; nobody to answer */
    if (wg_ipc_conn_queue(c, reply) != WG_OK) {
        wg_log(WG_LOG_WARN, "msg=\"IPC client not reading, closing\" conn=%llu",
               (unsigned long long)c->serial);
        c->broken = 1;
    }
    lws_callback_on_writable((struct lws *)c->transport);
}

size_t wg_ipc_server_unflushed(void)
{
    size_t n = 0;
    for (wg_ipc_conn_t *c = g_conns; c; c = c->next)
        n += wg_ipc_conn_pending_out(c).len;
    return n;
}

static void unlink_conn(wg_ipc_conn_t *c)
{
    for (wg_ipc_conn_t **pp = &g_conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    wg_ipc_conn_free_state(c);
    free(c);
}

static int callback_ipc(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                        size_t len)
{
    wg_ipc_conn_t **slot = user;
    wg_ipc_conn_t *c = slot ? *slot : NULL;
    switch (reason) {
    case LWS_CALLBACK_RAW_ADOPT:
        c = wg_calloc(1, sizeof *c);
        c->serial = g_next_serial++;
        c->transport = wsi;
        wg_frame_decoder_init(&c->in, WG_FRAME_DEFAULT_MAX);
        c->next = g_conns;
        g_conns = c;
        *slot = c;
        wg_log(WG_LOG_DEBUG, "msg=\"IPC client connected\" conn=%llu",
               (unsigned long long)c->serial);
        break;
    case LWS_CALLBACK_RAW_RX:
        if (!c)
            return -1;
        if (wg_ipc_conn_on_data(g_daemon, c, in, len) != WG_OK)
            return -1;
        /* a dispatched request may have answered and closed the conn state */
        break;
    case LWS_CALLBACK_RAW_WRITEABLE: {
        if (!c)
            return -1;
        wg_slice_t out = wg_ipc_conn_pending_out(c);
        if (out.len == 0)
            return c->broken ? -1 : 0;
        size_t n = out.len < WRITE_CHUNK ? out.len : WRITE_CHUNK;
        static unsigned char buf[LWS_PRE + WRITE_CHUNK];
        memcpy(buf + LWS_PRE, out.p, n);
        if (lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_RAW) < (int)n)
            return -1;
        wg_ipc_conn_wrote(c, n);
        if (wg_ipc_conn_pending_out(c).len)
            lws_callback_on_writable(wsi);
        else if (c->broken)
            return -1;
        break;
    }
    case LWS_CALLBACK_RAW_CLOSE:
        if (c) {
            wg_log(WG_LOG_DEBUG, "msg=\"IPC client gone\" conn=%llu",
                   (unsigned long long)c->serial);
            unlink_conn(c);
            *slot = NULL;
        }
        break;
    default:
        break;
    }
    return 0;
}

static int socket_in_use(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    int used = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return used;
}

int wg_ipc_server_start(wg_connd_t *d, struct lws_context *ctx, const char *path, wg_buf_t *err)
{
    g_daemon = d;
    if (strlen(path) >= sizeof g_path) {
        wg_buf_printf(err, "IPC socket path too long: %s", path);
        return WG_EINVAL;
    }
    if (socket_in_use(path)) {
        wg_buf_printf(err, "another connd is already serving %s", path);
        return WG_EEXIST;
    }
    unlink(path); /* stale file of a process that died */
    snprintf(g_path, sizeof g_path, "%s", path);

    static const struct lws_protocols protocols[] = {
        {"wg-ipc", callback_ipc, sizeof(wg_ipc_conn_t *), 64 * 1024, 0, NULL, 0},
        {NULL, NULL, 0, 0, 0, NULL, 0},
    };
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.vhost_name = "ipc";
    info.iface = g_path;
    info.port = 0;
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_UNIX_SOCK | LWS_SERVER_OPTION_ONLY_RAW |
                   LWS_SERVER_OPTION_ADOPT_APPLY_LISTEN_ACCEPT_CONFIG;
    info.listen_accept_role = "raw-skt";
    info.listen_accept_protocol = "wg-ipc";
    mode_t old = umask(0117); /* the socket is created 0660 */
    struct lws_vhost *vh = lws_create_vhost(ctx, &info);
    umask(old);
    if (!vh) {
        wg_buf_printf(err, "cannot listen on %s", path);
        return WG_EIO;
    }
    chmod(g_path, 0660);
    return WG_OK;
}

void wg_ipc_server_stop(void)
{
    if (g_path[0])
        unlink(g_path);
    g_path[0] = '\0';
}
