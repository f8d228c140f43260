/* Unit tests for fcgi-app/dispatch.c and ipc_client.c against a fake connd:
 * a thread on a temporary Unix socket answering canned Reply frames (a test
 * double of the daemon). Checks the auth order (no key -> 401 without IPC;
 * validation failure -> AuthCheck first), 503 when there is no socket,
 * 503 on timeout, reconnect after connd restarts, 413, CORS, prefix, and
 * connectionState from the state snapshot (state_view.c): when it answers,
 * when it must ask connd, and 503 when connd is gone though a file is left. */
#include "dispatch.h"
#include "wg_err.h"
#include "wg_frame.h"
#include "wg_ipc.h"
#include "wg_snapshot.h"
#include "wg_test.h"
#include "wg_time.h"
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

enum { ANSWER, SILENT };

typedef struct {
    char path[108];         /* socket path */
    int listen_fd;          /* listening socket */
    pthread_t thread;       /* server thread */
    volatile int stop;      /* asks the thread to exit */
    int mode;               /* ANSWER or SILENT */
    int auth_status;        /* AuthCheck answer: 0 = allowed, else Error status */
    int op_status;          /* operation answer: 0 = success, else Error status */
    volatile int requests;  /* requests received */
    volatile int last_op;   /* op_case of the last request */
    char last_apikey[64];   /* apikey of the last request */
    char last_name[80];     /* instance_name of the last request */
} fake_connd_t;

static Wg__Ipc__Reply *answer(fake_connd_t *f, const Wg__Ipc__Request *req,
                              Wg__Ipc__Reply *r, Wg__Ipc__Error *e, Wg__Ipc__Done *d,
                              Wg__Ipc__ConnectionState *cs, char **msg)
{
    int status = req->op_case == WG__IPC__REQUEST__OP_AUTH_CHECK ? f->auth_status : f->op_status;
    r->id = req->id;
    if (status) {
        e->status = status;
        if (status == 401) {
            e->has_message_is_string = e->message_is_string = 1;
            msg[0] = "Unauthorized";
        } else {
            msg[0] = "The \"x\" instance does not exist";
        }
        e->n_messages = 1;
        e->messages = msg;
        r->result_case = WG__IPC__REPLY__RESULT_ERROR;
        r->error = e;
    } else if (req->op_case == WG__IPC__REQUEST__OP_CONNECTION_STATE) {
        cs->instance_name = req->instance_name;
        cs->state = "open";
        r->result_case = WG__IPC__REPLY__RESULT_CONNECTION_STATE;
        r->connection_state = cs;
    } else {
        d->message = "ok";
        r->result_case = WG__IPC__REPLY__RESULT_DONE;
        r->done = d;
    }
    return r;
}

static void handle_frame(fake_connd_t *f, int fd, wg_slice_t frame)
{
    Wg__Ipc__Request *req = wg_ipc_unpack_request(frame);
    if (!req)
        return;
    f->last_op = req->op_case;
    snprintf(f->last_apikey, sizeof f->last_apikey, "%s", req->apikey ? req->apikey : "");
    snprintf(f->last_name, sizeof f->last_name, "%s",
             req->instance_name ? req->instance_name : "");
    f->requests++;
    if (f->mode == ANSWER) {
        Wg__Ipc__Reply r = WG__IPC__REPLY__INIT;
        Wg__Ipc__Error e = WG__IPC__ERROR__INIT;
        Wg__Ipc__Done d = WG__IPC__DONE__INIT;
        Wg__Ipc__ConnectionState cs = WG__IPC__CONNECTION_STATE__INIT;
        char *msg[1];
        wg_buf_t out = WG_BUF_INIT;
        wg_ipc_pack_reply(answer(f, req, &r, &e, &d, &cs, msg), &out);
        if (write(fd, out.p, out.len) != (ssize_t)out.len)
            perror("fake connd write");
        wg_buf_free(&out);
    }
    wg_ipc_request_free(req);
}

static void *fake_main(void *arg)
{
    fake_connd_t *f = arg;
    int client = -1;
    wg_frame_decoder_t dec;
    wg_frame_decoder_init(&dec, 0);
    while (!f->stop) {
        struct pollfd p[2] = {{.fd = f->listen_fd, .events = POLLIN}, {.fd = client, .events = POLLIN}};
        if (poll(p, client >= 0 ? 2 : 1, 20) <= 0)
            continue;
        if (p[0].revents & POLLIN) {
            int c = accept(f->listen_fd, NULL, NULL);
            if (c >= 0) {
                if (client >= 0)
                    close(client);
                client = c;
                wg_frame_decoder_free(&dec);
                wg_frame_decoder_init(&dec, 0);
            }
            continue;
        }
        if (client >= 0 && p[1].revents) {
            uint8_t buf[4096];
            ssize_t n = read(client, buf, sizeof buf);
            if (n <= 0) {
                close(client);
                client = -1;
                continue;
            }
            wg_frame_feed(&dec, buf, (size_t)n);
            wg_slice_t frame;
            while (wg_frame_next(&dec, &frame) == 1)
                handle_frame(f, client, frame);
        }
    }
    if (client >= 0)
        close(client);
    wg_frame_decoder_free(&dec);
    return NULL;
}

static void fake_start(fake_connd_t *f, const char *path)
{
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    unlink(path);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    f->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (bind(f->listen_fd, (struct sockaddr *)&addr, sizeof addr) || listen(f->listen_fd, 8)) {
        perror("fake connd");
        exit(1);
    }
    pthread_create(&f->thread, NULL, fake_main, f);
}

static void fake_stop(fake_connd_t *f)
{
    f->stop = 1;
    pthread_join(f->thread, NULL);
    close(f->listen_fd);
    unlink(f->path);
}

/* ------------------------------------------------------------------ harness */

static char sock_path[108];
static wg_app_t app;
static wg_ipc_client_t ipc;
static wg_arena_t arena;
static wg_response_t resp;

static void setup_app(int timeout_ms)
{
    memset(&app, 0, sizeof app);
    app.dialect = WG_DIALECT_SEED;
    snprintf(app.cors_origin, sizeof app.cors_origin, "https://ok.example");
    app.max_body = 1000;
    snprintf(app.ipc_path, sizeof app.ipc_path, "%s", sock_path);
    app.ipc_timeout_ms = timeout_ms;
    wg_ipc_client_free(&ipc);
    wg_ipc_client_init(&ipc, app.ipc_path, timeout_ms);
}

static const char *call(const char *method, const char *path, const char *apikey,
                        const char *body)
{
    wg_arena_reset(&arena);
    wg_request_t req = {.method = method, .path = path, .query = "", .apikey = apikey,
                        .host = "h", .scheme = "http", .body = (char *)(body ? body : ""),
                        .body_len = body ? strlen(body) : 0};
    wg_dispatch(&app, &ipc, NULL, &req, &arena, &resp);
    return resp.body ? resp.body : "";
}

static wg_state_view_t view;

static const char *call_view(const char *path, const char *apikey)
{
    wg_arena_reset(&arena);
    wg_request_t req = {.method = "GET", .path = path, .query = "", .apikey = apikey,
                        .host = "h", .scheme = "http", .body = ""};
    wg_dispatch(&app, &ipc, &view, &req, &arena, &resp);
    return resp.body ? resp.body : "";
}

static const char *header(const char *name)
{
    for (size_t i = 0; i < resp.n_headers; i++)
        if (strcmp(resp.headers[i].name, name) == 0)
            return resp.headers[i].value;
    return NULL;
}

static const char not_running[] =
    "{\"status\":503,\"error\":\"Service Unavailable\",\"response\":{\"message\":[\"connd is not "
    "running\"]}}";

static void no_socket_is_503_at_once(void)
{
    setup_app(5000);
    int64_t t0 = wg_mono_ms();
    WG_CHECK_STR(call("GET", "/instance/connectionState/a", "k", NULL), not_running);
    WG_CHECK_INT(resp.status, 503);
    WG_CHECK(wg_mono_ms() - t0 < 1000);
    /* the validation path asks AuthCheck first: also 503 */
    WG_CHECK_STR(call("POST", "/settings/set/a", "k", "{}"), not_running);
}

static void happy_path_and_auth_order(void)
{
    fake_connd_t f;
    fake_start(&f, sock_path);
    setup_app(2000);
    WG_CHECK_STR(call("GET", "/instance/connectionState/shop", "KEY1", NULL),
                 "{\"instance\":{\"instanceName\":\"shop\",\"state\":\"open\"}}");
    WG_CHECK_INT(resp.status, 200);
    WG_CHECK_INT(f.last_op, WG__IPC__REQUEST__OP_CONNECTION_STATE);
    WG_CHECK_STR(f.last_apikey, "KEY1");
    WG_CHECK_STR(f.last_name, "shop");
    WG_CHECK_INT(f.requests, 1);

    /* no key: 401 and connd is not asked, whatever the route or body */
    call("GET", "/instance/connectionState/shop", NULL, NULL);
    WG_CHECK_INT(resp.status, 401);
    WG_CHECK_STR(resp.body,
                 "{\"status\":401,\"error\":\"Unauthorized\",\"response\":{\"message\":\"Unauthorized\"}}");
    call("POST", "/settings/set/bad%20name", "", "{oops");
    WG_CHECK_INT(resp.status, 401);
    call("GET", "/settings/find/a%zz", NULL, NULL);
    WG_CHECK_INT(resp.status, 401);
    WG_CHECK_INT(f.requests, 1);

    /* wrong key on the happy path: connd's 401 */
    f.op_status = 401;
    call("DELETE", "/instance/delete/shop", "BAD", NULL);
    WG_CHECK_INT(resp.status, 401);
    WG_CHECK(strstr(resp.body, "\"message\":\"Unauthorized\"") != NULL);
    f.op_status = 404;
    call("DELETE", "/instance/logout/shop", "KEY1", NULL);
    WG_CHECK_INT(resp.status, 404);
    f.op_status = 0;

    /* validation failure + wrong key: connd's 401, never our 400 */
    f.auth_status = 401;
    int before = f.requests;
    call("POST", "/settings/set/shop", "BAD", "{\"rejectCall\":1}");
    WG_CHECK_INT(resp.status, 401);
    WG_CHECK_INT(f.last_op, WG__IPC__REQUEST__OP_AUTH_CHECK);
    WG_CHECK_STR(f.last_name, "shop");
    WG_CHECK_INT(f.requests, before + 1);
    call("POST", "/instance/create", "BAD", "{}");
    WG_CHECK_INT(resp.status, 401);
    WG_CHECK_STR(f.last_name, "");
    /* validation failure + good key: our 400 */
    f.auth_status = 0;
    call("POST", "/settings/set/shop", "KEY1", "{\"rejectCall\":1}");
    WG_CHECK_INT(resp.status, 400);
    WG_CHECK(strstr(resp.body, "\"rejectCall is not of a type(s) boolean\"") != NULL);
    WG_CHECK_INT(f.last_op, WG__IPC__REQUEST__OP_AUTH_CHECK);
    call("GET", "/instance/connectionState/-bad", "KEY1", NULL);
    WG_CHECK_INT(resp.status, 400);
    WG_CHECK(strstr(resp.body, "Invalid instance name") != NULL);
    /* AuthCheck answering 404 does not hide the 400 */
    f.auth_status = 404;
    call("POST", "/instance/create", "KEY1", "{\"instanceName\":\"x\"}");
    WG_CHECK_INT(resp.status, 400);
    WG_CHECK(strstr(resp.body, "Invalid integration") != NULL);
    f.auth_status = 0;

    /* a body over the limit: 413 without IPC */
    before = f.requests;
    wg_arena_reset(&arena);
    wg_request_t big = {.method = "POST", .path = "/instance/create", .query = "",
                        .apikey = "KEY1", .host = "", .scheme = "http", .body = "",
                        .body_too_big = 1};
    wg_dispatch(&app, &ipc, NULL, &big, &arena, &resp);
    WG_CHECK_INT(resp.status, 413);
    WG_CHECK_INT(f.requests, before);
    fake_stop(&f);
}

static void routes_cors_and_prefix_without_ipc(void)
{
    setup_app(2000); /* no connd at all: none of these may need it */
    WG_CHECK(strstr(call("GET", "/", NULL, NULL), "\"status\":200") != NULL);
    WG_CHECK_INT(resp.status, 200);
    WG_CHECK_STR(call("GET", "/nope", "k", NULL),
                 "{\"status\":404,\"error\":\"Not Found\",\"response\":{\"message\":[\"Cannot GET "
                 "/nope\"]}}");
    call("PUT", "/instance/create", "k", NULL);
    WG_CHECK_INT(resp.status, 405);
    WG_CHECK_STR(header("Allow"), "POST, OPTIONS");

    wg_request_t req = {.method = "OPTIONS", .path = "/instance/create", .query = "",
                        .origin = "https://ok.example", .host = "", .scheme = "http", .body = ""};
    wg_dispatch(&app, &ipc, NULL, &req, &arena, &resp);
    WG_CHECK_INT(resp.status, 204);
    WG_CHECK_STR(header("Access-Control-Allow-Origin"), "https://ok.example");
    req.method = "GET";
    req.path = "/instance/fetchInstances";
    wg_dispatch(&app, &ipc, NULL, &req, &arena, &resp);
    WG_CHECK_INT(resp.status, 401); /* no key, but CORS headers so the browser can read it */
    WG_CHECK_STR(header("Access-Control-Allow-Origin"), "https://ok.example");
    WG_CHECK_STR(header("Vary"), "Origin");
    req.origin = "https://evil.example";
    wg_dispatch(&app, &ipc, NULL, &req, &arena, &resp);
    WG_CHECK_INT(resp.status, 403);
    WG_CHECK(header("Access-Control-Allow-Origin") == NULL);

    snprintf(app.url_prefix, sizeof app.url_prefix, "/api");
    call("GET", "/api/instance/connectionState/x", NULL, NULL);
    WG_CHECK_INT(resp.status, 401);
    call("GET", "/instance/connectionState/x", NULL, NULL);
    WG_CHECK_INT(resp.status, 404);
    WG_CHECK(strstr(resp.body, "Cannot GET /instance/connectionState/x") != NULL);
    call("GET", "/api", NULL, NULL);
    WG_CHECK_INT(resp.status, 200);
}

static void timeout_is_503(void)
{
    fake_connd_t f;
    fake_start(&f, sock_path);
    f.mode = SILENT;
    setup_app(150);
    int64_t t0 = wg_mono_ms();
    call("GET", "/instance/connectionState/a", "k", NULL);
    int64_t took = wg_mono_ms() - t0;
    WG_CHECK_INT(resp.status, 503);
    WG_CHECK(strstr(resp.body, "connd did not answer in time") != NULL);
    WG_CHECK(took >= 140 && took < 1000);
    /* once connd answers again, the next call works (and cannot pick up a stale reply) */
    f.mode = ANSWER;
    call("GET", "/instance/connectionState/b", "k", NULL);
    WG_CHECK_INT(resp.status, 200);
    WG_CHECK(strstr(resp.body, "\"instanceName\":\"b\"") != NULL);
    fake_stop(&f);
}

static void reconnect_after_restart(void)
{
    fake_connd_t f;
    fake_start(&f, sock_path);
    setup_app(2000);
    call("GET", "/instance/connectionState/a", "k", NULL);
    WG_CHECK_INT(resp.status, 200);
    fake_stop(&f);
    call("GET", "/instance/connectionState/a", "k", NULL);
    WG_CHECK_INT(resp.status, 503);
    fake_start(&f, sock_path);
    for (int i = 0; i < 3; i++) {
        call("GET", "/instance/connectionState/a", "k", NULL);
        WG_CHECK_INT(resp.status, 200);
    }
    WG_CHECK_INT(f.requests, 3);
    /* restart while a connection is kept open: the stale socket is replaced */
    fake_stop(&f);
    fake_start(&f, sock_path);
    call("GET", "/instance/connectionState/a", "k", NULL);
    WG_CHECK_INT(resp.status, 200);
    fake_stop(&f);
}

static void snapshot_answers_connection_state(void)
{
    char snap[160];
    snprintf(snap, sizeof snap, "%s.snap", sock_path);
    fake_connd_t f;
    fake_start(&f, sock_path);
    setup_app(2000);
    wg_state_view_init(&view, sock_path);
    wg_snapshot_writer_t *w = NULL;
    WG_CHECK_INT(wg_snapshot_writer_open(snap, &w), WG_OK);
    wg_snapshot_entry_t e = {.name = "shop", .state = "connecting", .token = "TOK",
                             .has_status_reason = 1, .status_reason = 428};
    wg_snapshot_writer_publish(w, &e, 1);
    const char *path = "/instance/connectionState/shop";

    /* no IPC connection yet: connd is asked (the fake says "open") */
    WG_CHECK(strstr(call_view(path, "TOK"), "\"state\":\"open\"") != NULL);
    WG_CHECK_INT(f.requests, 1);
    /* connected to the writer's process: the snapshot answers, connd is not asked */
    WG_CHECK_STR(call_view(path, "TOK"),
                 "{\"instance\":{\"instanceName\":\"shop\",\"state\":\"connecting\","
                 "\"statusReason\":428}}");
    WG_CHECK_INT(resp.status, 200);
    WG_CHECK_INT(f.requests, 1);
    /* another key (the global one, a wrong one), an unknown name: connd decides */
    call_view(path, "GLOBAL");
    WG_CHECK_INT(f.requests, 2);
    WG_CHECK_STR(f.last_apikey, "GLOBAL");
    call_view("/instance/connectionState/nope", "TOK");
    WG_CHECK_INT(f.requests, 3);
    f.op_status = 401;
    call_view(path, "TOK2");
    WG_CHECK_INT(resp.status, 401);
    WG_CHECK_INT(f.requests, 4);
    f.op_status = 0;
    /* a state change is seen by the very next request */
    e.state = "open";
    e.status_reason = 200;
    wg_snapshot_writer_publish(w, &e, 1);
    WG_CHECK(strstr(call_view(path, "TOK"), "\"state\":\"open\",\"statusReason\":200") != NULL);
    WG_CHECK_INT(f.requests, 4);
    /* deleted: the next request asks connd */
    wg_snapshot_writer_publish(w, NULL, 0);
    call_view(path, "TOK");
    WG_CHECK_INT(f.requests, 5);
    wg_snapshot_writer_publish(w, &e, 1);
    call_view(path, "TOK");
    WG_CHECK_INT(f.requests, 5);
    /* retired (connd stopping): connd is asked */
    wg_snapshot_writer_retire(w);
    call_view(path, "TOK");
    WG_CHECK_INT(f.requests, 6);
    wg_snapshot_writer_free(w);
    /* a new file is picked up (after the retry pause) */
    WG_CHECK_INT(wg_snapshot_writer_open(snap, &w), WG_OK);
    wg_snapshot_writer_publish(w, &e, 1);
    usleep(250 * 1000);
    call_view(path, "TOK");
    WG_CHECK_INT(f.requests, 6);
    /* connd gone, its file left behind (kill -9): 503 at once, never the file */
    fake_stop(&f);
    int64_t t0 = wg_mono_ms();
    WG_CHECK_STR(call_view(path, "TOK"), not_running);
    WG_CHECK_INT(resp.status, 503);
    WG_CHECK(wg_mono_ms() - t0 < 1000);
    /* a connd that is not the file's writer: its file is not trusted (the
     * fake runs in this process, so fake the writer's pid instead) */
    fake_start(&f, sock_path);
    call_view(path, "TOK"); /* reconnects */
    WG_CHECK_INT(f.requests, 1);
    ipc.peer_pid = getpid() + 1;
    ipc.generation++;
    call_view(path, "TOK");
    WG_CHECK_INT(f.requests, 2);
    fake_stop(&f);
    wg_snapshot_writer_free(w);
    wg_state_view_free(&view);
}

int main(void)
{
    snprintf(sock_path, sizeof sock_path, "/tmp/wg-fcgi-test-%d.sock", (int)getpid());
    wg_arena_init(&arena, 0);
    wg_ipc_client_init(&ipc, sock_path, 1000);
    WG_RUN(no_socket_is_503_at_once);
    WG_RUN(happy_path_and_auth_order);
    WG_RUN(routes_cors_and_prefix_without_ipc);
    WG_RUN(timeout_is_503);
    WG_RUN(reconnect_after_restart);
    WG_RUN(snapshot_answers_connection_state);
    wg_ipc_client_free(&ipc);
    wg_arena_free(&arena);
    unlink(sock_path);
    return wg_test_done();
}
