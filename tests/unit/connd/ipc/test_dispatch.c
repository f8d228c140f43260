/* Dispatch end to end without sockets: real store (temp file), real job
 * worker, real registry and bus; wg_ipc_reply is captured here. Covers the
 * auth matrix, error texts, create races, events, Evolution's config rules,
 * DEL_INSTANCE and persistence across a reload. */
#include "core/daemon.h"
#include "events/bus.h"
#include "instance/lifecycle.h"
#include "ipc/dispatch.h"
#include "store/store.h"
#include "wg_err.h"
#include "wg_ipc.h"
#include "wg_test.h"
#include <stdlib.h>
#include <unistd.h>

#define KEY "global-key-123"

static Wg__Ipc__Reply *g_replies[64];
static int g_nreplies;
static char g_events[64][48];
static int g_nevents;
static int64_t g_now = 1700000000000;

void wg_ipc_reply(wg_connd_t *d, uint64_t conn, const Wg__Ipc__Reply *reply)
{
    (void)d, (void)conn;
    wg_buf_t b = WG_BUF_INIT;
    wg_ipc_pack_reply(reply, &b);
    if (g_nreplies < 64)
        g_replies[g_nreplies++] = wg_ipc_unpack_reply(wg_slice(b.p + 4, b.len - 4));
    wg_buf_free(&b);
}

static void on_event(void *arg, const wg_event_t *ev)
{
    (void)arg;
    if (g_nevents < 64)
        snprintf(g_events[g_nevents++], 48, "%s:%s", ev->name, ev->instance_name);
}

static int64_t fake_now(void)
{
    return g_now;
}

static void reset_capture(void)
{
    for (int i = 0; i < g_nreplies; i++)
        wg_ipc_reply_free(g_replies[i]);
    g_nreplies = 0;
    g_nevents = 0;
}

static void settle(wg_connd_t *d)
{
    for (int i = 0; i < 5000 && wg_jobs_pending(d->jobs) > 0; i++) {
        wg_jobs_drain(d->jobs);
        usleep(200);
    }
    wg_jobs_drain(d->jobs);
}

static void daemon_open(wg_connd_t *d, const char *db, const char *del_instance, int ws_enabled)
{
    memset(d, 0, sizeof *d);
    wg_buf_t err = WG_BUF_INIT;
    unsetenv("AUTHENTICATION_API_KEY");
    WG_CHECK_INT(wg_config_load(&d->cfg, WG_SCOPE_CONND, NULL, &err), 0);
    wg_config_set(&d->cfg, WG_CFG_DEL_INSTANCE, del_instance, &err);
    wg_config_set(&d->cfg, WG_CFG_WEBSOCKET_ENABLED, ws_enabled ? "true" : "false", &err);
    snprintf(d->global_key, sizeof d->global_key, "%s", KEY);
    WG_CHECK_INT(wg_store_open(db, &d->store, &err), 0);
    d->reg = wg_registry_new();
    d->bus = wg_bus_new();
    d->now_ms = fake_now;
    wg_bus_subscribe(d->bus, on_event, NULL);
    WG_CHECK_INT(wg_lifecycle_load(d), 0);
    d->jobs = wg_jobs_start(d->store, NULL, NULL);
    wg_buf_free(&err);
}

static void daemon_close(wg_connd_t *d)
{
    wg_jobs_stop(d->jobs);
    wg_store_close(d->store);
    wg_registry_free(d->reg);
    wg_bus_free(d->bus);
    wg_config_free(&d->cfg);
    reset_capture();
}

static Wg__Ipc__Request *new_req(uint64_t id, const char *key, const char *name)
{
    Wg__Ipc__Request *r = calloc(1, sizeof *r);
    wg__ipc__request__init(r);
    r->id = id;
    r->apikey = key ? strdup(key) : NULL;
    r->instance_name = name ? strdup(name) : NULL;
    return r;
}

static void send_create(wg_connd_t *d, uint64_t id, const char *key, const char *name,
                        const char *token)
{
    Wg__Ipc__Request *r = new_req(id, key, NULL);
    Wg__Ipc__CreateInstanceReq *c = calloc(1, sizeof *c);
    wg__ipc__create_instance_req__init(c);
    c->name = strdup(name);
    c->integration = strdup("WHATSAPP-BAILEYS");
    c->token = token ? strdup(token) : NULL;
    r->op_case = WG__IPC__REQUEST__OP_CREATE_INSTANCE;
    r->create_instance = c;
    wg_dispatch(d, 1, r);
}

static void send_simple(wg_connd_t *d, uint64_t id, const char *key, const char *name, int op)
{
    Wg__Ipc__Request *r = new_req(id, key, name);
    r->op_case = op;
    /* every simple op's message is empty; an AuthCheckReq has the same layout */
    Wg__Ipc__AuthCheckReq *empty = calloc(1, sizeof *empty);
    switch (op) {
    case WG__IPC__REQUEST__OP_CONNECTION_STATE:
        wg__ipc__connection_state_req__init((Wg__Ipc__ConnectionStateReq *)empty);
        r->connection_state = (Wg__Ipc__ConnectionStateReq *)empty;
        break;
    case WG__IPC__REQUEST__OP_LOGOUT:
        wg__ipc__logout_req__init((Wg__Ipc__LogoutReq *)empty);
        r->logout = (Wg__Ipc__LogoutReq *)empty;
        break;
    case WG__IPC__REQUEST__OP_DELETE_INSTANCE:
        wg__ipc__delete_req__init((Wg__Ipc__DeleteReq *)empty);
        r->delete_instance = (Wg__Ipc__DeleteReq *)empty;
        break;
    case WG__IPC__REQUEST__OP_WEBSOCKET_FIND:
        wg__ipc__websocket_find_req__init((Wg__Ipc__WebsocketFindReq *)empty);
        r->websocket_find = (Wg__Ipc__WebsocketFindReq *)empty;
        break;
    case WG__IPC__REQUEST__OP_WEBHOOK_FIND:
        wg__ipc__webhook_find_req__init((Wg__Ipc__WebhookFindReq *)empty);
        r->webhook_find = (Wg__Ipc__WebhookFindReq *)empty;
        break;
    default:
        wg__ipc__auth_check_req__init(empty);
        r->auth_check = empty;
        break;
    }
    wg_dispatch(d, 1, r);
}

static void send_fetch(wg_connd_t *d, uint64_t id, const char *key, const char *name_filter)
{
    Wg__Ipc__Request *r = new_req(id, key, NULL);
    Wg__Ipc__FetchInstancesReq *f = calloc(1, sizeof *f);
    wg__ipc__fetch_instances_req__init(f);
    f->instance_name = name_filter ? strdup(name_filter) : NULL;
    r->op_case = WG__IPC__REQUEST__OP_FETCH_INSTANCES;
    r->fetch_instances = f;
    wg_dispatch(d, 1, r);
}

static Wg__Ipc__Reply *reply_for(uint64_t id)
{
    for (int i = 0; i < g_nreplies; i++)
        if (g_replies[i] && g_replies[i]->id == id)
            return g_replies[i];
    return NULL;
}

static int error_status(uint64_t id)
{
    Wg__Ipc__Reply *r = reply_for(id);
    if (!r)
        return -1;
    return r->result_case == WG__IPC__REPLY__RESULT_ERROR ? r->error->status : 0;
}

static const char *error_text(uint64_t id)
{
    Wg__Ipc__Reply *r = reply_for(id);
    if (!r || r->result_case != WG__IPC__REPLY__RESULT_ERROR || !r->error->n_messages)
        return "";
    return r->error->messages[0];
}

static char g_db[64];

static void create_and_auth_matrix(void)
{
    wg_connd_t d;
    daemon_open(&d, g_db, "false", 0);
    send_create(&d, 1, KEY, "alpha", NULL);
    send_create(&d, 2, KEY, "beta", "beta-token-1");
    settle(&d);
    WG_CHECK_INT(error_status(1), 0);
    WG_CHECK_INT(error_status(2), 0);
    Wg__Ipc__Reply *a = reply_for(1);
    WG_CHECK(a && a->result_case == WG__IPC__REPLY__RESULT_INSTANCE);
    char alpha_token[64] = "";
    if (a && a->instance) {
        WG_CHECK_STR(a->instance->connection_status, "close");
        WG_CHECK_INT(strlen(a->instance->id), 36);
        WG_CHECK_INT(strlen(a->instance->token), 36);
        WG_CHECK(a->instance->settings != NULL);
        snprintf(alpha_token, sizeof alpha_token, "%s", a->instance->token);
    }
    WG_CHECK_STR(reply_for(2)->instance->token, "beta-token-1");
    WG_CHECK_INT(g_nevents, 2);
    WG_CHECK_STR(g_events[0], "instance.create:alpha");
    reset_capture();

    /* creates: no key, instance token, duplicate, invalid name */
    send_create(&d, 10, NULL, "gamma", NULL);
    send_create(&d, 11, "beta-token-1", "gamma", NULL);
    send_create(&d, 12, KEY, "alpha", NULL);
    send_create(&d, 13, KEY, "bad name!", NULL);
    settle(&d);
    WG_CHECK_INT(error_status(10), 401);
    WG_CHECK(reply_for(10)->error->message_is_string);
    WG_CHECK_STR(error_text(10), "Unauthorized");
    WG_CHECK_INT(error_status(11), 401);
    WG_CHECK_INT(error_status(12), 403);
    WG_CHECK_STR(error_text(12), "This name \"alpha\" is already in use.");
    WG_CHECK_INT(error_status(13), 400);
    reset_capture();

    /* instance routes: global, own token, other token, wrong key, unknown */
    int op = WG__IPC__REQUEST__OP_CONNECTION_STATE;
    send_simple(&d, 20, KEY, "alpha", op);
    send_simple(&d, 21, alpha_token, "alpha", op);
    send_simple(&d, 22, "beta-token-1", "alpha", op);
    send_simple(&d, 23, "nope-nope-nope", "alpha", op);
    send_simple(&d, 24, KEY, "missing", op);
    send_simple(&d, 25, "nope-nope-nope", "missing", op);
    send_simple(&d, 26, NULL, "missing", op);
    settle(&d);
    WG_CHECK_INT(error_status(20), 0);
    WG_CHECK_STR(reply_for(20)->connection_state->state, "close");
    WG_CHECK_STR(reply_for(20)->connection_state->instance_name, "alpha");
    WG_CHECK_INT(error_status(21), 0);
    WG_CHECK_INT(error_status(22), 401);
    WG_CHECK_INT(error_status(23), 401);
    WG_CHECK_INT(error_status(24), 404);
    WG_CHECK_STR(error_text(24), "The \"missing\" instance does not exist");
    WG_CHECK_INT(error_status(25), 401); /* key first: no existence leak */
    WG_CHECK_INT(error_status(26), 401);
    reset_capture();

    /* fetchInstances: global sees all, token sees its own, filters */
    send_fetch(&d, 30, KEY, NULL);
    send_fetch(&d, 31, "beta-token-1", NULL);
    send_fetch(&d, 32, KEY, "beta");
    send_fetch(&d, 33, KEY, "zzz");
    send_fetch(&d, 34, "beta-token-1", "alpha");
    send_fetch(&d, 35, "wrong-key-xyz", NULL);
    settle(&d);
    WG_CHECK_INT(reply_for(30)->instance_list->n_instances, 2);
    WG_CHECK_INT(reply_for(31)->instance_list->n_instances, 1);
    WG_CHECK_STR(reply_for(31)->instance_list->instances[0]->name, "beta");
    WG_CHECK_INT(reply_for(32)->instance_list->n_instances, 1);
    WG_CHECK_INT(error_status(33), 404);
    WG_CHECK_STR(error_text(33), "Instance \"zzz\" not found");
    WG_CHECK_INT(error_status(34), 401); /* a token filtering on another instance */
    WG_CHECK_INT(error_status(35), 401);
    reset_capture();

    /* logout while closed; auth check */
    send_simple(&d, 40, KEY, "alpha", WG__IPC__REQUEST__OP_LOGOUT);
    send_simple(&d, 41, "beta-token-1", "beta", WG__IPC__REQUEST__OP_AUTH_CHECK);
    send_simple(&d, 42, "beta-token-1", "alpha", WG__IPC__REQUEST__OP_AUTH_CHECK);
    send_simple(&d, 43, KEY, NULL, WG__IPC__REQUEST__OP_AUTH_CHECK);
    send_simple(&d, 44, "beta-token-1", NULL, WG__IPC__REQUEST__OP_AUTH_CHECK);
    settle(&d);
    WG_CHECK_INT(error_status(40), 400);
    WG_CHECK_STR(error_text(40), "The \"alpha\" instance is not connected");
    WG_CHECK_INT(error_status(41), 0);
    WG_CHECK_INT(error_status(42), 401);
    WG_CHECK_INT(error_status(43), 0);
    WG_CHECK_INT(error_status(44), 401);
    daemon_close(&d);
}

static void concurrent_creates_one_wins(void)
{
    wg_connd_t d;
    daemon_open(&d, g_db, "false", 0);
    for (int i = 0; i < 10; i++)
        send_create(&d, 100 + (uint64_t)i, KEY, "racer", NULL);
    settle(&d);
    int ok = 0, forbidden = 0;
    for (int i = 0; i < 10; i++) {
        int st = error_status(100 + (uint64_t)i);
        ok += st == 0;
        forbidden += st == 403;
    }
    WG_CHECK_INT(ok, 1);
    WG_CHECK_INT(forbidden, 9);
    daemon_close(&d);
}

static void persistence_and_delete(void)
{
    wg_connd_t d;
    daemon_open(&d, g_db, "false", 0);
    /* alpha, beta, racer survive the reload with their tokens */
    WG_CHECK_INT(wg_registry_count(d.reg), 3);
    wg_instance_t *beta = wg_registry_find(d.reg, "beta");
    WG_CHECK(beta && strcmp(beta->row->token, "beta-token-1") == 0);
    send_simple(&d, 50, KEY, "racer", WG__IPC__REQUEST__OP_DELETE_INSTANCE);
    settle(&d);
    WG_CHECK_INT(error_status(50), 0);
    WG_CHECK_STR(reply_for(50)->done->message, "Instance deleted");
    WG_CHECK_INT(g_nevents, 2);
    WG_CHECK_STR(g_events[0], "instance.delete:racer");
    WG_CHECK_STR(g_events[1], "remove.instance:racer");
    WG_CHECK(wg_registry_find(d.reg, "racer") == NULL);
    send_simple(&d, 51, KEY, "racer", WG__IPC__REQUEST__OP_CONNECTION_STATE);
    settle(&d);
    WG_CHECK_INT(error_status(51), 404);
    daemon_close(&d);
    daemon_open(&d, g_db, "false", 0);
    WG_CHECK_INT(wg_registry_count(d.reg), 2);
    daemon_close(&d);
}

static void config_rules(void)
{
    wg_connd_t d;
    daemon_open(&d, g_db, "false", 0);
    /* webhook enabled with no events -> every event; disabled -> none */
    Wg__Ipc__Request *r = new_req(60, KEY, "alpha");
    Wg__Ipc__WebhookSetReq *ws = calloc(1, sizeof *ws);
    wg__ipc__webhook_set_req__init(ws);
    ws->webhook = calloc(1, sizeof *ws->webhook);
    wg__ipc__webhook__init(ws->webhook);
    ws->webhook->has_enabled = 1;
    ws->webhook->enabled = 1;
    ws->webhook->url = strdup("http://127.0.0.1:9/hook");
    r->op_case = WG__IPC__REQUEST__OP_WEBHOOK_SET;
    r->webhook_set = ws;
    wg_dispatch(&d, 1, r);
    settle(&d);
    Wg__Ipc__Reply *rep = reply_for(60);
    WG_CHECK(rep && rep->result_case == WG__IPC__REPLY__RESULT_WEBHOOK);
    if (rep && rep->webhook) {
        WG_CHECK_INT(rep->webhook->n_events, 32);
        WG_CHECK_STR(rep->webhook->url, "http://127.0.0.1:9/hook");
        WG_CHECK(rep->webhook->id != NULL);
    }
    send_simple(&d, 61, KEY, "alpha", WG__IPC__REQUEST__OP_WEBHOOK_FIND);
    /* websocket disabled by config: "disabled" answer, nothing stored */
    send_simple(&d, 62, KEY, "alpha", WG__IPC__REQUEST__OP_WEBSOCKET_FIND);
    settle(&d);
    WG_CHECK(reply_for(61)->webhook_found->webhook != NULL);
    WG_CHECK(reply_for(62)->websocket_found->disabled);
    daemon_close(&d);
}

static void del_instance_timer(void)
{
    wg_connd_t d;
    daemon_open(&d, g_db, "1", 0);
    send_create(&d, 70, KEY, "shortlived", NULL);
    settle(&d);
    WG_CHECK_INT(error_status(70), 0);
    reset_capture();
    g_now += 30 * 1000;
    wg_lifecycle_tick(&d);
    settle(&d);
    WG_CHECK(wg_registry_find(d.reg, "shortlived") != NULL);
    g_now += 31 * 1000;
    wg_lifecycle_tick(&d);
    settle(&d);
    WG_CHECK(wg_registry_find(d.reg, "shortlived") == NULL);
    WG_CHECK_INT(g_nevents, 2);
    /* instances created long ago (before the timer was configured) go too */
    WG_CHECK(wg_registry_find(d.reg, "alpha") != NULL);
    daemon_close(&d);
}

static void shutting_down_refuses(void)
{
    wg_connd_t d;
    daemon_open(&d, g_db, "false", 0);
    d.stopping = 1;
    send_simple(&d, 80, KEY, "alpha", WG__IPC__REQUEST__OP_CONNECTION_STATE);
    WG_CHECK_INT(error_status(80), 503);
    daemon_close(&d);
}

int main(void)
{
    snprintf(g_db, sizeof g_db, "/tmp/wg-dispatch-%d.db", (int)getpid());
    WG_RUN(create_and_auth_matrix);
    WG_RUN(concurrent_creates_one_wins);
    WG_RUN(persistence_and_delete);
    WG_RUN(config_rules);
    WG_RUN(del_instance_timer);
    WG_RUN(shutting_down_refuses);
    char path[96];
    unlink(g_db);
    snprintf(path, sizeof path, "%s-wal", g_db);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", g_db);
    unlink(path);
    return wg_test_done();
}
