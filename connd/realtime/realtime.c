/* The real-time service (see realtime.h): assembles endpoint, Socket.IO
 * server and dialects from the configuration, routes bus events to both
 * dialects and keeps namespaces in step with instance creation/removal. */
#include "realtime/realtime.h"
#include "core/loop.h"
#include "realtime/events_dialect.h"
#include "realtime/evolution_dialect.h"
#include "realtime/rt_client.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include <stdlib.h>
#include <string.h>

#define DRAIN_TIMEOUT_MS 1500
#define TEST_NAMESPACE "/wagate-test"
#define TEST_PUBLISH_MAX 100000

static void on_bus_event(void *arg, const wg_event_t *ev)
{
    wg_realtime_t *rt = arg;
    wg_instance_t *inst = ev->instance_id[0] ? wg_registry_find_id(rt->d->reg, ev->instance_id)
                                             : NULL;
    if (strcmp(ev->name, "instance.create") == 0 && inst)
        wg_evolution_dialect_instance_added(rt, ev->instance_name);
    wg_evolution_dialect_publish(rt, ev, inst);
    wg_events_dialect_publish(rt, ev);
    if (strcmp(ev->name, "remove.instance") == 0) {
        wg_evolution_dialect_instance_removed(rt, ev->instance_name);
        wg_events_dialect_instance_removed(rt, ev->instance_id);
    }
}

static void on_stop(void *arg)
{
    wg_realtime_t *rt = arg;
    wg_sio_endpoint_drain(rt->ep, DRAIN_TIMEOUT_MS);
}

/* ---- test hooks (connd --test-hooks only) ---- */

static int test_authorize(void *ud, wg_sio_socket_t *sock, const char *auth_json,
                          wg_sio_reject_t *reject)
{
    return wg_rt_client_authorize(ud, sock, auth_json, WG_CLIENT_NEED_GLOBAL, NULL, 1, reject);
}

/* 'publish' {instance, event, data, count}: count copies of the event on
 * the bus, as if the instance had produced them. 'stats': counters. */
static void test_event(void *ud, wg_sio_socket_t *sock, const wg_sio_event_t *ev)
{
    wg_realtime_t *rt = ud;
    wg_connd_t *d = rt->d;
    const json_t *req = json_array_get(ev->data, 1);
    if (strcmp(ev->name, "stats") == 0) {
        wg_rt_ack_json(sock, ev->ack_id,
                 json_pack("{s:I,s:I,s:I}", "published", (json_int_t)wg_bus_published(d->bus),
                           "evolution_renders", (json_int_t)rt->evolution_renders,
                           "events_renders", (json_int_t)rt->events_renders));
        return;
    }
    if (strcmp(ev->name, "publish") != 0 || !json_is_object(req)) {
        wg_rt_ack_json(sock, ev->ack_id, json_pack("{s:b}", "ok", 0));
        return;
    }
    const char *name = json_string_value(json_object_get(req, "instance"));
    const char *event = json_string_value(json_object_get(req, "event"));
    json_t *data = json_object_get(req, "data");
    json_int_t count = json_integer_value(json_object_get(req, "count"));
    wg_instance_t *inst = name ? wg_registry_find(d->reg, name) : NULL;
    if (!event || !*event || (name && !inst)) {
        wg_rt_ack_json(sock, ev->ack_id, json_pack("{s:b}", "ok", 0));
        return;
    }
    if (count <= 0)
        count = 1;
    if (count > TEST_PUBLISH_MAX)
        count = TEST_PUBLISH_MAX;
    for (json_int_t i = 0; i < count; i++)
        wg_bus_publish(d->bus, event, inst ? inst->row->name : "", inst ? inst->row->id : "",
                       json_incref(data ? data : json_null()), d->now_ms());
    wg_rt_ack_json(sock, ev->ack_id, json_pack("{s:b,s:I}", "ok", 1, "published", count));
}

static void test_disconnect(void *ud, wg_sio_socket_t *sock, const char *reason)
{
    wg_rt_client_release(ud, sock, reason);
}

static void install_test_hooks(wg_realtime_t *rt)
{
    wg_sio_handlers_t h = {0};
    h.authorize = test_authorize;
    h.on_event = test_event;
    h.on_disconnect = test_disconnect;
    h.ud = rt;
    wg_sio_namespace_add(rt->sio, TEST_NAMESPACE, &h);
    wg_log(WG_LOG_WARN, "msg=\"test hooks enabled: %s can publish arbitrary events\"",
           TEST_NAMESPACE);
}

/* ---- lifecycle ---- */

static void split_origins(wg_realtime_t *rt, const char *list)
{
    size_t n = 0;
    const char *p = list;
    while (p && *p && n < sizeof rt->cors / sizeof rt->cors[0] - 1) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && *p == ' ')
            p++, len--;
        while (len && p[len - 1] == ' ')
            len--;
        if (len)
            rt->cors[n++] = wg_strndup(p, len);
        if (!end)
            break;
        p = end + 1;
    }
    rt->cors[n] = NULL;
}

int wg_realtime_start(wg_connd_t *d, int test_hooks, wg_buf_t *err)
{
    wg_realtime_t *rt = wg_calloc(1, sizeof *rt);
    rt->d = d;
    rt->global_events = wg_cfg_bool(&d->cfg, WG_CFG_WEBSOCKET_GLOBAL_EVENTS);
    rt->test_hooks = test_hooks;
    int port = (int)wg_cfg_int(&d->cfg, WG_CFG_SIO_PORT);
    int rc = wg_sio_endpoint_new(d->loop, "127.0.0.1", port, &rt->ep, err);
    if (rc) {
        free(rt);
        return rc;
    }
    split_origins(rt, wg_cfg_str(&d->cfg, WG_CFG_CORS_ORIGIN));
    wg_sio_config_t cfg;
    wg_sio_config_defaults(&cfg);
    cfg.eio.ping_interval_ms = wg_cfg_int(&d->cfg, WG_CFG_SIO_PING_INTERVAL_MS);
    cfg.eio.ping_timeout_ms = wg_cfg_int(&d->cfg, WG_CFG_SIO_PING_TIMEOUT_MS);
    cfg.eio.max_payload = (size_t)wg_cfg_int(&d->cfg, WG_CFG_SIO_MAX_PAYLOAD);
    cfg.eio.max_queue_bytes = (size_t)wg_cfg_int(&d->cfg, WG_CFG_SIO_QUEUE_MAX_BYTES);
    cfg.eio.cors_origins = rt->cors[0] ? (const char *const *)rt->cors : NULL;
    wg_sio_endpoint_attach(rt->ep, &cfg.eio);
    rt->sio = wg_sio_server_new(&cfg);
    wg_evolution_dialect_install(rt);
    wg_events_dialect_install(rt);
    if (test_hooks)
        install_test_hooks(rt);
    wg_sio_endpoint_mount_sio(rt->ep, "/socket.io/", rt->sio);
    wg_bus_subscribe(d->bus, on_bus_event, rt);
    wg_loop_on_stop(d, on_stop, rt);
    d->realtime = rt;
    wg_log(WG_LOG_INFO, "msg=\"socket.io listening\" addr=127.0.0.1:%d global_events=%s", port,
           rt->global_events ? "true" : "false");
    return WG_OK;
}

void wg_realtime_free(wg_realtime_t *rt)
{
    if (!rt)
        return;
    wg_bus_unsubscribe(rt->d->bus, on_bus_event, rt);
    rt->d->realtime = NULL;
    wg_sio_server_free(rt->sio); /* on_disconnect releases every client */
    wg_sio_endpoint_free(rt->ep);
    for (size_t i = 0; rt->cors[i]; i++)
        free(rt->cors[i]);
    free(rt);
}
