/* The real-time service's shared state and one connected Socket.IO client
 * (a socket in one namespace) as both dialects see it: who it authenticated
 * as, which instance it is bound to, its /api/events subscriptions; the
 * common connect check (address, allowed hosts, key, decision, logged
 * CONNECT_ERROR) and the ack plumbing of client requests (sendText /
 * sendNode) that may complete after the socket is gone. Loop thread only;
 * no libwebsockets here. */
#ifndef WG_RT_CLIENT_H
#define WG_RT_CLIENT_H
#include "core/daemon.h"
#include "realtime/client_auth.h"
#include "realtime/sio_endpoint.h"
#include "sio/sio_server.h"

typedef struct wg_rt_client wg_rt_client_t;

/* The service (created by realtime.c, used by the dialect files). */
typedef struct wg_realtime {
    wg_connd_t *d;                 /* daemon (registry, bus, config, keys) */
    wg_sio_endpoint_t *ep;         /* lws edge */
    wg_sio_server_t *sio;          /* Socket.IO server with every namespace */
    int global_events;             /* WEBSOCKET_GLOBAL_EVENTS */
    int test_hooks;                /* connd --test-hooks: /wagate-test exists */
    char *cors[17];                /* CORS_ORIGIN split, NULL-terminated (owned) */
    wg_rt_client_t *clients;       /* every connected client */
    uint64_t next_serial;          /* serial of the next client */
    char reject_message[512];      /* CONNECT_ERROR text, valid during authorize */
    char reject_data[256];         /* CONNECT_ERROR data JSON, same lifetime */
    uint64_t evolution_renders;    /* envelopes rendered (once per delivered event) */
    uint64_t events_renders;       /* /api/events payloads rendered */
} wg_realtime_t;

struct wg_rt_client {
    uint64_t serial;               /* identifies it for late acks */
    wg_sio_socket_t *sock;         /* the Socket.IO socket */
    int global;                    /* authenticated with the global key */
    char instance_id[48];          /* bound instance ("" when global and unbound) */
    uint32_t subscriptions;        /* /api/events: bit per wg_baileys_event_names entry */
    wg_rt_client_t *prev, *next;   /* service list */
};

/* Runs the connect check for sock on a namespace of kind need. inst is the
 * namespace's instance (NEED_INSTANCE; NULL when gone); enabled says whether
 * the namespace's events are switched on. On success attaches a new client
 * (bound to inst, or to the instance whose token was used on NEED_ANY) and
 * returns 0; else fills *reject (CONNECT_ERROR {message, data:{reason,
 * namespace}}), logs the refusal and returns 1. */
int wg_rt_client_authorize(wg_realtime_t *rt, wg_sio_socket_t *sock, const char *auth_json,
                           wg_client_need_t need, wg_instance_t *inst, int enabled,
                           wg_sio_reject_t *reject);
/* The socket is going away: frees its client. Logs slow-client
 * disconnects ("send queue overflow") as warnings. */
void wg_rt_client_release(wg_realtime_t *rt, wg_sio_socket_t *sock, const char *reason);
/* The client of sock, or NULL. */
wg_rt_client_t *wg_rt_client_of(wg_sio_socket_t *sock);
/* The instance a client is bound to, or NULL (global or gone). */
wg_instance_t *wg_rt_client_instance(wg_realtime_t *rt, const wg_rt_client_t *c);
/* Handles sendText / sendNode from sock (see outbound.h), acking when the
 * client asked for an ack. Returns 1 if ev was such a request. */
int wg_rt_client_request(wg_realtime_t *rt, wg_sio_socket_t *sock, const wg_sio_event_t *ev);

/* Answers a client's ack (when ack_id >= 0) with [obj]; steals obj either way. */
void wg_rt_ack_json(wg_sio_socket_t *sock, int64_t ack_id, json_t *obj);

#endif
