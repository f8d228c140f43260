/* Baileys-style events over Socket.IO (see events_dialect.h). */
#include "realtime/events_dialect.h"
#include "realtime/baileys_map.h"
#include "realtime/rt_client.h"
#include "wg_err.h"
#include "wg_log.h"
#include <stdlib.h>
#include <string.h>

static int apply_name(uint32_t *mask, const json_t *name, int subscribe, json_t *unknown)
{
    const char *s = json_string_value(name);
    if (!s)
        return WG_EINVAL;
    int i = wg_baileys_event_index(s);
    if (i < 0) {
        json_array_append(unknown, (json_t *)name);
        return WG_OK;
    }
    if (subscribe)
        *mask |= 1u << i;
    else
        *mask &= ~(1u << i);
    return WG_OK;
}

int wg_events_subscription_apply(uint32_t *mask, const json_t *arg, int subscribe,
                                 json_t *unknown)
{
    if (json_is_string(arg))
        return apply_name(mask, arg, subscribe, unknown);
    if (!json_is_array(arg))
        return WG_EINVAL;
    size_t i;
    const json_t *name;
    json_array_foreach(arg, i, name) if (!json_is_string(name)) return WG_EINVAL;
    json_array_foreach(arg, i, name) apply_name(mask, name, subscribe, unknown);
    return WG_OK;
}

static int authorize(void *ud, wg_sio_socket_t *sock, const char *auth_json,
                     wg_sio_reject_t *reject)
{
    return wg_rt_client_authorize(ud, sock, auth_json, WG_CLIENT_NEED_ANY, NULL, 1, reject);
}

static json_t *subscription_list(uint32_t mask)
{
    json_t *list = json_array();
    for (int i = 0; i < wg_baileys_event_count; i++)
        if (mask & (1u << i))
            json_array_append_new(list, json_string(wg_baileys_event_names[i]));
    return list;
}

static void on_event(void *ud, wg_sio_socket_t *sock, const wg_sio_event_t *ev)
{
    wg_realtime_t *rt = ud;
    wg_rt_client_t *c = wg_rt_client_of(sock);
    if (!c || wg_rt_client_request(rt, sock, ev))
        return;
    int subscribe = strcmp(ev->name, "subscribe") == 0;
    if (!subscribe && strcmp(ev->name, "unsubscribe") != 0) {
        wg_rt_ack_json(sock, ev->ack_id,
                 json_pack("{s:b,s:{s:s,s:s}}", "ok", 0, "error", "code", "unknown_event",
                           "message",
                           "this namespace listens to subscribe, unsubscribe, sendText and "
                           "sendNode"));
        return;
    }
    json_t *unknown = json_array();
    uint32_t mask = c->subscriptions;
    int rc = wg_events_subscription_apply(&mask, json_array_get(ev->data, 1), subscribe, unknown);
    if (rc != WG_OK) {
        wg_rt_ack_json(sock, ev->ack_id,
                 json_pack("{s:b,s:{s:s,s:s}}", "ok", 0, "error", "code", "bad_request",
                           "message", "expected an event name or a list of event names"));
        json_decref(unknown);
        return;
    }
    c->subscriptions = mask;
    wg_rt_ack_json(sock, ev->ack_id,
             json_pack("{s:b,s:o,s:o}", "ok", 1, "subscribed", subscription_list(mask), "unknown",
                       unknown));
}

static void on_disconnect(void *ud, wg_sio_socket_t *sock, const char *reason)
{
    wg_rt_client_release(ud, sock, reason);
}

void wg_events_dialect_install(wg_realtime_t *rt)
{
    wg_sio_handlers_t h = {0};
    h.authorize = authorize;
    h.on_event = on_event;
    h.on_disconnect = on_disconnect;
    h.ud = rt;
    wg_sio_namespace_add(rt->sio, WG_EVENTS_NAMESPACE, &h);
}

typedef struct {
    uint32_t bit;            /* the event's subscription bit */
    const char *instance_id; /* the event's instance */
} audience_t;

static int wants(void *ud, wg_sio_socket_t *sock)
{
    const audience_t *a = ud;
    const wg_rt_client_t *c = wg_rt_client_of(sock);
    if (!c || !(c->subscriptions & a->bit))
        return 0;
    return c->global || strcmp(c->instance_id, a->instance_id) == 0;
}

void wg_events_dialect_publish(wg_realtime_t *rt, const wg_event_t *ev)
{
    if (wg_sio_namespace_size(rt->sio, WG_EVENTS_NAMESPACE) == 0)
        return;
    wg_baileys_event_t out[WG_BAILEYS_MAX_OUT];
    int n = wg_baileys_map(ev, out);
    for (int i = 0; i < n; i++) {
        audience_t a = {1u << out[i].index, ev->instance_id};
        /* nobody subscribed: skip rendering altogether */
        int anyone = 0;
        for (wg_rt_client_t *c = rt->clients; c && !anyone; c = c->next)
            anyone = (c->subscriptions & a.bit) != 0;
        if (anyone) {
            json_t *args = json_pack("[O]", out[i].payload);
            char *text = json_dumps(args, JSON_COMPACT);
            json_decref(args);
            rt->events_renders++;
            wg_sio_broadcast_filter(rt->sio, WG_EVENTS_NAMESPACE,
                                    wg_baileys_event_names[out[i].index], text, strlen(text),
                                    wants, &a);
            free(text);
        }
        json_decref(out[i].payload);
    }
}

void wg_events_dialect_instance_removed(wg_realtime_t *rt, const char *instance_id)
{
    for (int again = 1; again;) {
        again = 0;
        for (wg_rt_client_t *c = rt->clients; c; c = c->next) {
            if (!c->global && strcmp(c->instance_id, instance_id) == 0 &&
                strcmp(wg_sio_socket_namespace(c->sock), WG_EVENTS_NAMESPACE) == 0) {
                wg_sio_disconnect(c->sock); /* releases c */
                again = 1;
                break;
            }
        }
    }
}
