/* core/loop.c: one wake of the loop takes a whole burst of input. A client
 * writes 80 IPC requests (about 20 KiB, more than libwebsockets' default
 * 4 KiB service buffer) at once; a single service turn must dispatch all of
 * them, where the default buffer took one turn (a read and a poll) per
 * 4 KiB. The requests carry no operation, so dispatch answers each at once
 * (400) without the store. */
#include "core/loop.c"
#include "wg_ipc.h"
#include "wg_test.h"
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define BURST 80

/* One request frame: no operation, an id of fixed varint size (so every
 * answer has the same length) and a padding key of ~240 bytes. */
static void pack_request(uint64_t id, wg_buf_t *out)
{
    char key[241];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    Wg__Ipc__Request r = WG__IPC__REQUEST__INIT;
    r.id = id;
    r.apikey = key;
    WG_CHECK_INT(wg_ipc_pack_request(&r, out), 0);
}

/* Services until the listener has accepted (and the one request written
 * so far is answered and flushed), reading that answer back. */
static size_t answer_one(int fd)
{
    wg_buf_t req = WG_BUF_INIT;
    pack_request(1000, &req);
    WG_CHECK(write(fd, req.p, req.len) == (ssize_t)req.len);
    wg_buf_free(&req);
    size_t queued = 0;
    for (int i = 0; i < 20 && !queued; i++) {
        lws_service(g_ctx, 0);
        queued = wg_ipc_server_unflushed();
    }
    for (int i = 0; i < 20 && wg_ipc_server_unflushed(); i++)
        lws_service(g_ctx, 0);
    WG_CHECK_INT((int)wg_ipc_server_unflushed(), 0);
    uint8_t buf[4096];
    size_t got = 0;
    while (got < queued) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    WG_CHECK_INT((int)got, (int)queued);
    return queued;
}

static void one_turn_takes_a_burst(void)
{
    char dir[] = "/tmp/wg-loop-XXXXXX", path[108];
    WG_CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/connd.sock", dir);
    wg_connd_t d;
    memset(&d, 0, sizeof d);
    wg_buf_t err = WG_BUF_INIT;
    WG_CHECK_INT(wg_config_load(&d.cfg, WG_SCOPE_CONND, NULL, &err), 0);
    WG_CHECK_INT(wg_config_set(&d.cfg, WG_CFG_IPC_SOCKET, path, &err), 0);
    WG_CHECK_INT(wg_loop_create(&d, &err), 0);
    lws_sul_cancel(&g_tick); /* no lifecycle here: d has no registry */

    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    WG_CHECK_INT(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    size_t one = answer_one(fd);
    WG_CHECK(one > 0);

    wg_buf_t burst = WG_BUF_INIT;
    for (int i = 0; i < BURST; i++)
        pack_request(1001 + (uint64_t)i, &burst);
    WG_CHECK(burst.len > 16 * 1024 && burst.len < WG_LOOP_READ_BYTES);
    WG_CHECK(write(fd, burst.p, burst.len) == (ssize_t)burst.len);
    wg_buf_free(&burst);
    lws_service(g_ctx, 0); /* one wake: the burst is readable */
    WG_CHECK_INT((int)wg_ipc_server_unflushed(), (int)(BURST * one));

    close(fd);
    lws_service(g_ctx, 0);
    wg_loop_destroy(&d);
    wg_config_free(&d.cfg);
    wg_buf_free(&err);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    WG_RUN(one_turn_takes_a_burst);
    return wg_test_done();
}
