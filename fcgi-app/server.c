/* FastCGI accept loop (see server.h). Stopping is the subtle part
 * (socketio-and-proxy.md §6): libfcgi's own SIGTERM handling only sets
 * "shutdown pending", and a thread blocked in accept() keeps blocking. So
 * wg_server_stop() also shuts the listening socket down, which makes the
 * blocked accept() fail and FCGX_Accept_r() return < 0 in every thread. */
#include "server.h"
#include "dispatch.h"
#include "ipc_client.h"
#include "request.h"
#include "response.h"
#include "wg_alloc.h"
#include "wg_arena.h"
#include "wg_err.h"
#include "wg_log.h"
#include "wg_time.h"
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t listen_socket = -1;

typedef struct {
    const wg_app_t *app; /* shared, read-only settings */
    int listen_fd;       /* socket FCGX_Accept_r listens on */
    pthread_t thread;    /* this worker */
    int started;         /* 1 when thread is running */
} worker_t;

void wg_server_stop(void)
{
    stop_requested = 1;
    FCGX_ShutdownPending();
    if (listen_socket >= 0)
        shutdown(listen_socket, SHUT_RDWR);
}

static const char *fcgx_param(void *ctx, const char *name)
{
    FCGX_Request *r = ctx;
    return FCGX_GetParam(name, r->envp);
}

static int fcgx_read(void *ctx, char *buf, int n)
{
    FCGX_Request *r = ctx;
    int got = FCGX_GetStr(buf, n, r->in);
    if (got == 0 && FCGX_GetError(r->in))
        return -1;
    return got;
}

/* Serves one accepted request. Returns 1 when its input was read to the
 * end, so closing the connection cannot discard anything the server sent. */
static int serve_one(worker_t *w, FCGX_Request *r, wg_ipc_client_t *ipc, wg_state_view_t *view,
                     wg_arena_t *arena, wg_buf_t *out)
{
    int64_t started = wg_mono_ms();
    wg_request_t req;
    wg_request_io_t io = {fcgx_param, fcgx_read, r};
    if (wg_request_read(&req, &io, w->app->max_body, arena) != WG_OK)
        wg_log(WG_LOG_WARN, "msg=\"request body read failed\"");
    wg_response_t resp;
    wg_dispatch(w->app, ipc, view, &req, arena, &resp);
    wg_buf_reset(out);
    wg_response_serialize(&resp, out);
    if (FCGX_PutStr((const char *)out->p, (int)out->len, r->out) < 0)
        wg_log(WG_LOG_DEBUG, "msg=\"client went away\"");
    char path[160];
    wg_log(resp.status >= 500 ? WG_LOG_WARN : WG_LOG_DEBUG,
           "msg=request method=%s path=%s status=%d ms=%lld", req.method,
           wg_log_quote(req.path, path, sizeof path), resp.status,
           (long long)(wg_mono_ms() - started));
    return req.input_drained;
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    FCGX_Request r;
    FCGX_InitRequest(&r, w->listen_fd, 0);
    wg_arena_t arena;
    wg_arena_init(&arena, 16384);
    wg_ipc_client_t ipc;
    wg_ipc_client_init(&ipc, w->app->ipc_path, w->app->ipc_timeout_ms);
    wg_state_view_t view;
    wg_state_view_init(&view, w->app->ipc_path);
    wg_buf_t out = WG_BUF_INIT;
    while (!stop_requested) {
        /* No lock around the accept: on Linux every thread may block in
         * accept() on the shared socket and the kernel hands each connection
         * to one of them (libfcgi takes no lock of its own there: a system
         * call trace shows no fcntl() lock). A lock made each thread that
         * finished a request sleep on a futex behind the accepting one: a
         * futex wait, a wake and one more context switch per request.
         * FCGX_Init ran in main, before any thread. */
        int rc = FCGX_Accept_r(&r);
        if (rc < 0)
            break;
        /* libfcgi closes a connection with a "lingering close": shutdown,
         * then a poll until the web server hangs up, so unread input cannot
         * turn into a TCP reset that loses the response. That costs a wakeup
         * per request; when the whole input was read there is nothing to
         * protect, and a detached request is closed at once. */
        if (serve_one(w, &r, &ipc, &view, &arena, &out))
            FCGX_Detach(&r);
        else
            FCGX_Attach(&r);
        FCGX_Finish_r(&r);
        wg_arena_reset(&arena);
        if (out.cap > (1u << 20))
            wg_buf_free(&out); /* do not keep one huge response's buffer forever */
    }
    FCGX_Free(&r, 0);
    wg_buf_free(&out);
    wg_state_view_free(&view);
    wg_ipc_client_free(&ipc);
    wg_arena_free(&arena);
    return NULL;
}

int wg_server_run(const wg_app_t *app, int listen_fd)
{
    listen_socket = listen_fd;
    if (stop_requested)
        wg_server_stop();
    int n = app->threads > 0 ? app->threads : 1;
    worker_t *workers = wg_calloc((size_t)n, sizeof *workers);
    /* signals go to the main thread only, so request threads never see EINTR */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int running = 0;
    for (int i = 0; i < n; i++) {
        workers[i].app = app;
        workers[i].listen_fd = listen_fd;
        if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) == 0) {
            workers[i].started = 1;
            running++;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    wg_log(WG_LOG_INFO, "msg=started threads=%d ipc=%s", running, app->ipc_path);
    for (int i = 0; i < n; i++)
        if (workers[i].started)
            pthread_join(workers[i].thread, NULL);
    free(workers);
    wg_log(WG_LOG_INFO, "msg=stopped");
    return running ? WG_OK : WG_EIO;
}
