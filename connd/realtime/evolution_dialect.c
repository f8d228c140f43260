/* Evolution's Socket.IO behaviour (see evolution_dialect.h). */
#include "realtime/evolution_dialect.h"
#include "realtime/event_envelope.h"
#include "wg_names.h"
#include "wg_log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wg_evolution_filter_pass(const Wg__Ipc__Websocket *ws, const char *event)
{
    if (!ws || !ws->enabled)
        return 0;
    if (ws->n_events == 0)
        return 1;
    char upper[96];
    wg_event_upper_name(event, upper, sizeof upper);
    for (size_t i = 0; i < ws->n_events; i++) {
        if (strcmp(ws->events[i], upper) == 0)
            return 1;
        if (strcmp(upper, "GROUPS_UPDATE") == 0 && strcmp(ws->events[i], "GROUP_UPDATE") == 0)
            return 1;
    }
    return 0;
}

static int namespace_enabled(const wg_instance_t *inst)
{
    return inst && inst->row->websocket && inst->row->websocket->enabled;
}

static wg_instance_t *instance_of_namespace(wg_realtime_t *rt, wg_sio_socket_t *sock)
{
    const char *nsp = wg_sio_socket_namespace(sock);
    wg_instance_t *inst = wg_registry_find(rt->d->reg, nsp + 1);
    return inst && inst->committed && !inst->deleting ? inst : NULL;
}

static int instance_authorize(void *ud, wg_sio_socket_t *sock, const char *auth_json,
                              wg_sio_reject_t *reject)
{
    wg_realtime_t *rt = ud;
    wg_instance_t *inst = instance_of_namespace(rt, sock);
    return wg_rt_client_authorize(rt, sock, auth_json, WG_CLIENT_NEED_INSTANCE, inst,
                                  namespace_enabled(inst), reject);
}

static int root_authorize(void *ud, wg_sio_socket_t *sock, const char *auth_json,
                          wg_sio_reject_t *reject)
{
    wg_realtime_t *rt = ud;
    return wg_rt_client_authorize(rt, sock, auth_json, WG_CLIENT_NEED_GLOBAL, NULL,
                                  rt->global_events, reject);
}

static void on_event(void *ud, wg_sio_socket_t *sock, const wg_sio_event_t *ev)
{
    wg_realtime_t *rt = ud;
    if (!wg_rt_client_request(rt, sock, ev) && ev->ack_id >= 0) {
        static const char unknown[] =
            "[{\"ok\":false,\"error\":{\"code\":\"unknown_event\",\"message\":\"this namespace "
            "only listens to sendText and sendNode\"}}]";
        wg_sio_ack(sock, ev->ack_id, unknown, sizeof unknown - 1, NULL, 0);
    }
}

static void on_disconnect(void *ud, wg_sio_socket_t *sock, const char *reason)
{
    wg_rt_client_release(ud, sock, reason);
}

static void handlers(wg_realtime_t *rt, wg_sio_handlers_t *h, int root)
{
    memset(h, 0, sizeof *h);
    h->authorize = root ? root_authorize : instance_authorize;
    h->on_event = on_event;
    h->on_disconnect = on_disconnect;
    h->ud = rt;
}

void wg_evolution_dialect_instance_added(wg_realtime_t *rt, const char *name)
{
    char nsp[WG_INSTANCE_NAME_MAX + 2];
    snprintf(nsp, sizeof nsp, "/%s", name);
    wg_sio_handlers_t h;
    handlers(rt, &h, 0);
    if (wg_sio_namespace_add(rt->sio, nsp, &h) != 0)
        wg_log(WG_LOG_WARN, "msg=\"cannot add socket.io namespace\" instance=%s", name);
}

void wg_evolution_dialect_instance_removed(wg_realtime_t *rt, const char *name)
{
    char nsp[WG_INSTANCE_NAME_MAX + 2];
    snprintf(nsp, sizeof nsp, "/%s", name);
    wg_sio_namespace_remove(rt->sio, nsp);
}

void wg_evolution_dialect_install(wg_realtime_t *rt)
{
    wg_sio_handlers_t h;
    handlers(rt, &h, 1);
    wg_sio_namespace_add(rt->sio, "/", &h);
    for (wg_instance_t *i = wg_registry_first(rt->d->reg); i; i = i->next_all)
        wg_evolution_dialect_instance_added(rt, i->row->name);
}

void wg_evolution_dialect_publish(wg_realtime_t *rt, const wg_event_t *ev, wg_instance_t *inst)
{
    char nsp[WG_INSTANCE_NAME_MAX + 2] = "";
    int to_instance = 0;
    if (inst && ev->instance_name[0]) {
        snprintf(nsp, sizeof nsp, "/%s", ev->instance_name);
        /* the filter runs before anything is serialized */
        to_instance = wg_sio_namespace_size(rt->sio, nsp) > 0 &&
                      wg_evolution_filter_pass(inst->row->websocket, ev->name);
    }
    int to_root = rt->global_events && wg_sio_namespace_size(rt->sio, "/") > 0;
    if (!to_instance && !to_root)
        return;
    const Wg__Ipc__Instance *row = inst ? inst->row : NULL;
    char *args = wg_event_envelope_args(ev, row ? row->owner_jid : NULL,
                                        wg_cfg_str(&rt->d->cfg, WG_CFG_SERVER_URL),
                                        row ? row->token : NULL);
    rt->evolution_renders++;
    size_t len = strlen(args);
    if (to_instance)
        wg_sio_broadcast(rt->sio, nsp, ev->name, args, len);
    if (to_root)
        wg_sio_broadcast(rt->sio, "/", ev->name, args, len);
    free(args);
}
