/* Connected Socket.IO clients (see rt_client.h). */
#include "realtime/rt_client.h"
#include "ipc/auth.h"
#include "realtime/outbound.h"
#include "wg_alloc.h"
#include "wg_log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

wg_rt_client_t *wg_rt_client_of(wg_sio_socket_t *sock)
{
    return sock ? wg_sio_socket_user(sock) : NULL;
}

wg_instance_t *wg_rt_client_instance(wg_realtime_t *rt, const wg_rt_client_t *c)
{
    if (!c || !c->instance_id[0])
        return NULL;
    return wg_registry_find_id(rt->d->reg, c->instance_id);
}

/* The committed instance whose token equals key, or NULL. Compares every
 * token in constant time so timing does not tell which one matched. */
static wg_instance_t *instance_of_token(wg_realtime_t *rt, const char *key)
{
    wg_instance_t *found = NULL;
    for (wg_instance_t *i = wg_registry_first(rt->d->reg); i; i = i->next_all)
        if (i->committed && !i->deleting && wg_auth_key_equal(key, i->row->token) && !found)
            found = i;
    return found;
}

static const char *reason_text(wg_client_auth_result_t r)
{
    switch (r) {
    case WG_CLIENT_AUTH_MISSING_KEY:
        return "apikey is required: send it in the auth payload ({apikey} or {token}), the "
               "apikey query parameter or the apikey header";
    case WG_CLIENT_AUTH_INVALID_KEY:
        return "invalid apikey";
    case WG_CLIENT_AUTH_WRONG_INSTANCE:
        return "wrong instance: this key belongs to another instance";
    case WG_CLIENT_AUTH_GLOBAL_REQUIRED:
        return "this namespace requires the global API key";
    case WG_CLIENT_AUTH_HOST_NOT_ALLOWED:
        return "host not allowed";
    case WG_CLIENT_AUTH_NAMESPACE_DISABLED:
        return "namespace disabled";
    case WG_CLIENT_AUTH_UNKNOWN_INSTANCE:
        return "Invalid namespace: no such instance";
    default:
        return "not authorized";
    }
}

int wg_rt_client_authorize(wg_realtime_t *rt, wg_sio_socket_t *sock, const char *auth_json,
                           wg_client_need_t need, wg_instance_t *inst, int enabled,
                           wg_sio_reject_t *reject)
{
    wg_connd_t *d = rt->d;
    wg_eio_session_t *s = wg_sio_socket_session(sock);
    const char *nsp = wg_sio_socket_namespace(sock);
    char addr[64], key[512];
    wg_client_address(wg_eio_session_header(s, ":peer"),
                      wg_eio_session_header(s, "x-forwarded-for"),
                      wg_cfg_str(&d->cfg, WG_CFG_TRUSTED_PROXIES), addr, sizeof addr);
    wg_client_key_source_t src = wg_client_key_pick(
        auth_json, wg_eio_session_query(s), wg_eio_session_header(s, "apikey"), key, sizeof key);
    wg_instance_t *owner = src ? instance_of_token(rt, key) : NULL;
    wg_client_auth_input_t in = {
        .need = need,
        .host_allowed = wg_client_host_allowed(wg_cfg_str(&d->cfg, WG_CFG_WEBSOCKET_ALLOWED_HOSTS),
                                               addr),
        .has_key = src != WG_CLIENT_KEY_NONE,
        .key_is_global = src && wg_auth_key_equal(key, d->global_key),
        .key_is_own_token = src && inst && owner == inst,
        .key_is_some_token = owner != NULL,
        .instance_exists = inst != NULL,
        .namespace_enabled = enabled,
    };
    wg_client_auth_result_t r = wg_client_auth_decide(&in);
    if (r != WG_CLIENT_AUTH_OK) {
        const char *text = reason_text(r);
        if (r == WG_CLIENT_AUTH_HOST_NOT_ALLOWED)
            snprintf(rt->reject_message, sizeof rt->reject_message,
                     "%s: %s is not in WEBSOCKET_ALLOWED_HOSTS", text, addr);
        else if (r == WG_CLIENT_AUTH_NAMESPACE_DISABLED && inst)
            snprintf(rt->reject_message, sizeof rt->reject_message,
                     "%s: websocket events of instance %s are off; enable them with POST "
                     "/websocket/set/%s {\"websocket\":{\"enabled\":true}}",
                     text, inst->row->name, inst->row->name);
        else if (r == WG_CLIENT_AUTH_NAMESPACE_DISABLED)
            snprintf(rt->reject_message, sizeof rt->reject_message,
                     "%s: the root namespace carries every instance's events only with "
                     "WEBSOCKET_GLOBAL_EVENTS=true",
                     text);
        else
            snprintf(rt->reject_message, sizeof rt->reject_message, "%s", text);
        json_t *data = json_pack("{s:s,s:s}", "reason", wg_client_auth_code(r), "namespace", nsp);
        char *dj = json_dumps(data, JSON_COMPACT);
        snprintf(rt->reject_data, sizeof rt->reject_data, "%s", dj ? dj : "{}");
        free(dj);
        json_decref(data);
        reject->message = rt->reject_message;
        reject->data_json = rt->reject_data;
        wg_log(WG_LOG_WARN,
               "msg=\"socket.io connection refused\" namespace=%s reason=%s addr=%s "
               "instance=%s key_from=%s",
               nsp, wg_client_auth_code(r), addr, inst ? inst->row->name : "-",
               src == WG_CLIENT_KEY_AUTH    ? "auth"
               : src == WG_CLIENT_KEY_QUERY ? "query"
               : src == WG_CLIENT_KEY_HEADER ? "header"
                                             : "none");
        return 1;
    }
    wg_rt_client_t *c = wg_calloc(1, sizeof *c);
    c->serial = ++rt->next_serial;
    c->sock = sock;
    c->global = in.key_is_global;
    wg_instance_t *bound = inst ? inst : (!c->global ? owner : NULL);
    if (bound)
        snprintf(c->instance_id, sizeof c->instance_id, "%s", bound->row->id);
    c->next = rt->clients;
    if (rt->clients)
        rt->clients->prev = c;
    rt->clients = c;
    wg_sio_socket_set_user(sock, c);
    wg_log(WG_LOG_INFO, "msg=\"socket.io client connected\" namespace=%s addr=%s instance=%s",
           nsp, addr, bound ? bound->row->name : "*");
    return 0;
}

void wg_rt_client_release(wg_realtime_t *rt, wg_sio_socket_t *sock, const char *reason)
{
    wg_rt_client_t *c = wg_rt_client_of(sock);
    if (!c)
        return;
    wg_sio_socket_set_user(sock, NULL);
    if (c->prev)
        c->prev->next = c->next;
    else
        rt->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (reason && strcmp(reason, "send queue overflow") == 0)
        wg_log(WG_LOG_WARN,
               "msg=\"slow socket.io client disconnected: output queue over "
               "WAGATE_SIO_QUEUE_MAX_BYTES\" namespace=%s",
               wg_sio_socket_namespace(sock));
    else
        wg_log(WG_LOG_DEBUG, "msg=\"socket.io client gone\" namespace=%s reason=\"%s\"",
               wg_sio_socket_namespace(sock), reason ? reason : "");
    free(c);
}

typedef struct {
    wg_realtime_t *rt; /* service */
    uint64_t serial;   /* client that asked */
    int64_t ack_id;    /* its ack id, or WG_SIO_NO_ACK */
} ack_target_t;

static void send_ack(void *ud, const char *ack_args)
{
    ack_target_t *t = ud;
    if (t->ack_id >= 0) {
        for (wg_rt_client_t *c = t->rt->clients; c; c = c->next) {
            if (c->serial == t->serial) {
                wg_sio_ack(c->sock, t->ack_id, ack_args, strlen(ack_args), NULL, 0);
                break;
            }
        }
    }
    free(t);
}

int wg_rt_client_request(wg_realtime_t *rt, wg_sio_socket_t *sock, const wg_sio_event_t *ev)
{
    wg_rt_client_t *c = wg_rt_client_of(sock);
    if (!c || !wg_outbound_is_request(ev->name))
        return 0;
    ack_target_t *t = wg_calloc(1, sizeof *t);
    t->rt = rt;
    t->serial = c->serial;
    t->ack_id = ev->ack_id;
    wg_instance_t *bound = wg_rt_client_instance(rt, c);
    if (!bound && c->instance_id[0]) {
        send_ack(t, "[{\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"the "
                    "instance of this connection was deleted\"}}]");
        return 1;
    }
    wg_outbound_handle(rt->d, ev->name, ev->data, bound, send_ack, t);
    return 1;
}

void wg_rt_ack_json(wg_sio_socket_t *sock, int64_t ack_id, json_t *obj)
{
    if (ack_id >= 0) {
        json_t *args = json_pack("[O]", obj);
        char *text = json_dumps(args, JSON_COMPACT);
        wg_sio_ack(sock, ack_id, text, strlen(text), NULL, 0);
        free(text);
        json_decref(args);
    }
    json_decref(obj);
}
