/* The libwebsockets context and service loop (see loop.h). Edge code: only
 * this file and the protocol adapters include libwebsockets.h. */
#include "core/loop.h"
#include "instance/lifecycle.h"
#include "ipc/server.h"
#include "wg_err.h"
#include "wg_log.h"
#include "wg_time.h"
#include <libwebsockets.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#define SHUTDOWN_GRACE_MS 5000

/* Bytes libwebsockets reads from a socket per wake (its per-thread service
 * buffer; its default is 4 KiB). A burst from the WhatsApp server (a few
 * hundred bytes per message) or a run of IPC or Socket.IO requests is taken
 * in one read and one poll() instead of one per 4 KiB: with the default,
 * every further 4 KiB cost another read, another poll() and another pass of
 * lws's service bookkeeping. Frames are still parsed and handed on one by
 * one, so nothing waits longer; the only cost is this buffer (one, for the
 * one service thread). */
#define WG_LOOP_READ_BYTES (64 * 1024)

/* The pause after a loop turn (WAGATE_LOOP_COALESCE_US). Without it the
 * loop is faster than its inputs arrive: under a stream of messages every
 * WhatsApp frame, Socket.IO command and finished store job wakes it on its
 * own, and a wake (poll() sleeping, the scheduler, on a VM an interrupt to
 * an idle virtual CPU) cost more than the message's own work. With it, what
 * arrives during the pause waits in the socket buffers and the eventfd and
 * is taken in the next turn: one wake per pause instead of one per input.
 *
 * Only a stream is paused. A turn is "quick" when it ended less than the
 * pause after the previous turn (and its pause) ended: its inputs were
 * waiting already or came that soon. A pause follows a turn only when more
 * than STREAM_TURNS quick turns came in a row; a slower turn ends the run. So an
 * isolated input and the few turns it causes right after (a request read,
 * its store job finished, its answer written when the socket is writable)
 * run at once, as with no pause, and only a stream that lasts longer is
 * paused; there nothing waits longer than one pause per step. An idle loop
 * sleeps in poll() as before. Measured on the messages bench (README
 * Benchmarks). */
#define STREAM_TURNS 4
static struct timespec g_coalesce;       /* 0: no pause */
static int64_t g_coalesce_ns;            /* the same in nanoseconds */
static unsigned long g_turns;            /* loop turns so far (logged at stop) */
static unsigned long g_pauses;           /* of them followed by a pause */

static volatile sig_atomic_t g_stop;     /* set by the signal handler */
static struct lws_context *g_ctx;        /* for the handler's wake-up */
static wg_connd_t *g_daemon;             /* for callbacks */
static lws_sorted_usec_list_t g_tick;    /* 1 s housekeeping timer */

#define MAX_STOP_HOOKS 16
static struct {
    void (*fn)(void *); /* hook */
    void *arg;          /* its argument */
} g_stop_hooks[MAX_STOP_HOOKS];
static int g_nstop_hooks;

void wg_loop_on_stop(wg_connd_t *d, void (*fn)(void *arg), void *arg)
{
    (void)d;
    if (g_nstop_hooks < MAX_STOP_HOOKS) {
        g_stop_hooks[g_nstop_hooks].fn = fn;
        g_stop_hooks[g_nstop_hooks].arg = arg;
        g_nstop_hooks++;
    } else {
        wg_log(WG_LOG_ERROR, "msg=\"too many stop hooks\"");
    }
}

static void on_tick(lws_sorted_usec_list_t *sul)
{
    if (!g_daemon->stopping)
        wg_lifecycle_tick(g_daemon);
    lws_sul_schedule(g_ctx, 0, sul, on_tick, g_daemon->stopping ? 100 * LWS_US_PER_MS
                                                                : LWS_US_PER_SEC);
}

static int callback_loop(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
    (void)wsi, (void)user, (void)in, (void)len;
    if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED && g_daemon && g_daemon->jobs) {
        wg_log_hold(); /* the completions' lines (events): one write for the drain */
        wg_jobs_drain(g_daemon->jobs);
        wg_log_release();
    }
    return 0;
}

static void lws_log_to_wg(int level, const char *line)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s", line);
    msg[strcspn(msg, "\r\n")] = '\0';
    char quoted[600];
    wg_log_quote(msg, quoted, sizeof quoted);
    if (level & LLL_ERR)
        wg_log(WG_LOG_ERROR, "msg=%s src=lws", quoted);
    else
        wg_log(WG_LOG_WARN, "msg=%s src=lws", quoted);
}

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
    if (g_ctx)
        lws_cancel_service(g_ctx);
}

void wg_loop_request_stop(void)
{
    on_signal(0);
}

void wg_loop_wake(void *loop)
{
    lws_cancel_service((struct lws_context *)loop);
}

int wg_loop_create(wg_connd_t *d, wg_buf_t *err)
{
    g_daemon = d;
    lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_to_wg);
    static const struct lws_protocols protocols[] = {
        {"wg-loop", callback_loop, 0, 0, 0, NULL, 0},
        {NULL, NULL, 0, 0, 0, NULL, 0},
    };
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.pt_serv_buf_size = WG_LOOP_READ_BYTES;
    info.gid = (gid_t)-1;
    info.uid = (uid_t)-1;
    g_ctx = lws_create_context(&info);
    if (!g_ctx) {
        wg_buf_append_str(err, "cannot create the libwebsockets context");
        return WG_EIO;
    }
    info.vhost_name = "main";
    if (!lws_create_vhost(g_ctx, &info)) {
        wg_buf_append_str(err, "cannot create the main vhost");
        return WG_EIO;
    }
    d->loop = g_ctx;
    char path[108];
    wg_cfg_ipc_socket(&d->cfg, path, sizeof path);
    int rc = wg_ipc_server_start(d, g_ctx, path, err);
    if (rc)
        return rc;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int64_t us = wg_cfg_int(&d->cfg, WG_CFG_LOOP_COALESCE_US);
    g_coalesce.tv_sec = (time_t)(us / 1000000);
    g_coalesce.tv_nsec = (long)(us % 1000000) * 1000L;
    g_coalesce_ns = us * 1000;
    memset(&g_tick, 0, sizeof g_tick);
    lws_sul_schedule(g_ctx, 0, &g_tick, on_tick, LWS_US_PER_SEC);
    wg_log(WG_LOG_INFO, "msg=ready socket=%s", path);
    return WG_OK;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void wg_loop_run(wg_connd_t *d)
{
    int64_t last = 0; /* when the previous turn (and its pause) ended */
    int quick = 0;    /* quick turns in a row */
    while (!g_stop) {
        if (lws_service(g_ctx, 0) < 0)
            break;
        g_turns++;
        if (!g_coalesce_ns || g_stop)
            continue;
        int64_t now = mono_ns();
        quick = now - last < g_coalesce_ns ? quick + 1 : 0;
        if (quick > STREAM_TURNS) { /* a stream: let the next inputs gather */
            (void)clock_nanosleep(CLOCK_MONOTONIC, 0, &g_coalesce, NULL); /* EINTR: stop */
            g_pauses++;
            now = mono_ns();
        }
        last = now;
    }
    wg_log(WG_LOG_INFO,
           "msg=\"stopping: finishing in-flight requests\" pending=%d turns=%lu pauses=%lu",
           wg_jobs_pending(d->jobs), g_turns, g_pauses);
    d->stopping = 1; /* new requests now get 503 */
    wg_jobs_set_window(d->jobs, 0); /* the worker no longer waits for company */
    for (int i = 0; i < g_nstop_hooks; i++)
        g_stop_hooks[i].fn(g_stop_hooks[i].arg);
    int64_t deadline = wg_mono_ms() + SHUTDOWN_GRACE_MS;
    while ((wg_jobs_pending(d->jobs) > 0 || wg_ipc_server_unflushed() > 0) &&
           wg_mono_ms() < deadline) {
        wg_jobs_drain(d->jobs);
        lws_service(g_ctx, 0);
    }
    if (wg_jobs_pending(d->jobs) > 0)
        wg_log(WG_LOG_WARN, "msg=\"stopping with unfinished work\" pending=%d",
               wg_jobs_pending(d->jobs));
}

void wg_loop_destroy(wg_connd_t *d)
{
    wg_ipc_server_stop();
    if (g_ctx)
        lws_context_destroy(g_ctx);
    g_ctx = NULL;
    d->loop = NULL;
}
