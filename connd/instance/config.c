/* Configuration rows of an instance (see config.h). */
#include "instance/config.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_events.h"
#include "wg_log.h"
#include <stdlib.h>
#include <string.h>

static void set_events(char ***events, size_t *n, int enabled)
{
    if (!enabled) {
        for (size_t i = 0; i < *n; i++)
            free((*events)[i]);
        free(*events);
        *events = NULL;
        *n = 0;
    } else if (*n == 0) {
        free(*events);
        *events = wg_calloc(wg_event_names_count, sizeof **events);
        for (size_t i = 0; i < wg_event_names_count; i++)
            (*events)[i] = wg_strdup(wg_event_names[i]);
        *n = wg_event_names_count;
    }
}

void wg_webhook_normalize(Wg__Ipc__Webhook *w)
{
    if (!w->has_enabled) {
        w->has_enabled = 1;
        w->enabled = 1; /* presence of the object means enabled */
    }
    set_events(&w->events, &w->n_events, w->enabled);
}

void wg_websocket_normalize(Wg__Ipc__Websocket *w)
{
    w->has_enabled = 1;
    set_events(&w->events, &w->n_events, w->enabled);
}

void wg_proxy_normalize(Wg__Ipc__Proxy *p)
{
    p->has_enabled = 1;
    if (p->enabled)
        return;
    wg_pb_set_str(&p->host, "");
    wg_pb_set_str(&p->port, "");
    wg_pb_set_str(&p->protocol, "");
    wg_pb_set_str(&p->username, "");
    wg_pb_set_str(&p->password, "");
}

typedef struct {
    wg_connd_t *d;          /* daemon */
    char *name;             /* instance */
    wg_persist_kind_t kind; /* row type */
    wg_op_cb cb;            /* completion */
    void *ctx;              /* its argument */
} set_ctx_t;

static void set_done(void *arg, int rc, ProtobufCMessage *stored)
{
    set_ctx_t *c = arg;
    wg_instance_t *inst = wg_registry_find(c->d->reg, c->name);
    if (rc || !stored || !inst) {
        wg_log(WG_LOG_ERROR, "msg=\"config not stored\" instance=%s err=\"%s\"", c->name,
               wg_strerror(rc ? rc : WG_ENOTFOUND));
        wg_pb_free(stored);
        c->cb(c->ctx, rc ? rc : WG_ENOTFOUND, NULL);
    } else {
        Wg__Ipc__Instance *row = inst->row;
        switch (c->kind) {
        case WG_PERSIST_SETTINGS:
            wg_pb_free(row->settings);
            row->settings = (Wg__Ipc__Settings *)stored;
            break;
        case WG_PERSIST_WEBHOOK:
            wg_pb_free(row->webhook);
            row->webhook = (Wg__Ipc__Webhook *)stored;
            break;
        case WG_PERSIST_WEBSOCKET:
            wg_pb_free(row->websocket);
            row->websocket = (Wg__Ipc__Websocket *)stored;
            break;
        case WG_PERSIST_PROXY:
            wg_pb_free(row->proxy);
            row->proxy = (Wg__Ipc__Proxy *)stored;
            break;
        }
        c->cb(c->ctx, WG_OK, inst);
    }
    free(c->name);
    free(c);
}

void wg_instance_config_set(wg_connd_t *d, wg_instance_t *inst, wg_persist_kind_t kind,
                            const ProtobufCMessage *msg, wg_op_cb cb, void *ctx)
{
    ProtobufCMessage *copy = wg_pb_clone(msg);
    switch (kind) {
    case WG_PERSIST_WEBHOOK:
        wg_webhook_normalize((Wg__Ipc__Webhook *)copy);
        break;
    case WG_PERSIST_WEBSOCKET:
        wg_websocket_normalize((Wg__Ipc__Websocket *)copy);
        break;
    case WG_PERSIST_PROXY:
        wg_proxy_normalize((Wg__Ipc__Proxy *)copy);
        break;
    case WG_PERSIST_SETTINGS:
        break;
    }
    set_ctx_t *c = wg_calloc(1, sizeof *c);
    c->d = d;
    c->name = wg_strdup(inst->row->name);
    c->kind = kind;
    c->cb = cb;
    c->ctx = ctx;
    wg_persist_config(d, kind, inst->row->id, copy, set_done, c);
    wg_pb_free(copy);
}
