/* Instance lifecycle and connection state machine (see lifecycle.h).
 * Evolution semantics: spec evolution-api.md §2.1, §2.7, §2.8 and the
 * "Lifecycle notes" there; event payloads from §4.1. */
#include "instance/lifecycle.h"
#include "instance/config.h"
#include "instance/persist.h"
#include "instance/snapshot.h"
#include "link/link.h"
#include "store/store.h"
#include "store/uuid.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include "wg_time.h"
#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static int64_t now(wg_connd_t *d)
{
    return d->now_ms ? d->now_ms() : wg_now_ms();
}

static int64_t del_instance_ms(wg_connd_t *d)
{
    const char *v = wg_cfg_str(&d->cfg, WG_CFG_DEL_INSTANCE);
    if (!*v || strcmp(v, "false") == 0)
        return 0;
    return strtoll(v, NULL, 10) * 60000;
}

static void publish_simple(wg_connd_t *d, const char *event, wg_instance_t *inst, json_t *data)
{
    wg_bus_publish(d->bus, event, inst->row->name, inst->row->id, data, now(d));
}

static json_t *name_and_id(wg_instance_t *inst)
{
    return json_pack("{s:s,s:s}", "instanceName", inst->row->name, "instanceId", inst->row->id);
}

int wg_lifecycle_load(wg_connd_t *d)
{
    Wg__Ipc__InstanceList *list = NULL;
    int rc = wg_store_instance_load_all(d->store, wg_cfg_str(&d->cfg, WG_CFG_CLIENT_NAME), &list);
    if (rc)
        return rc;
    int64_t del_ms = del_instance_ms(d);
    for (size_t i = 0; i < list->n_instances; i++) {
        Wg__Ipc__Instance *row = list->instances[i];
        list->instances[i] = NULL;
        if (strcmp(row->connection_status, "close") != 0) {
            /* no link survives a restart; the WhatsApp layer reconnects later */
            wg_pb_set_str(&row->connection_status, "close");
            rc = wg_store_instance_update_connection(d->store, row);
            if (rc)
                wg_log(WG_LOG_WARN, "msg=\"cannot reset state\" instance=%s err=\"%s\"", row->name,
                       wg_strerror(rc));
        }
        wg_instance_t *inst = wg_registry_add(d->reg, row);
        inst->committed = 1;
        if (del_ms)
            inst->delete_deadline_ms = row->created_at_ms + del_ms;
    }
    list->n_instances = 0;
    wg_store_instance_list_free(list);
    wg_log(WG_LOG_INFO, "msg=\"instances loaded\" count=%zu", wg_registry_count(d->reg));
    return WG_OK;
}

/* ---------------------------------------------------------------- create */

typedef struct {
    wg_connd_t *d;  /* daemon */
    char *name;     /* reserved name */
    wg_op_cb cb;    /* caller's completion */
    void *ctx;      /* its argument */
} create_ctx_t;

static void create_done(void *arg, int rc, ProtobufCMessage *stored)
{
    create_ctx_t *c = arg;
    wg_connd_t *d = c->d;
    wg_instance_t *inst = wg_registry_find(d->reg, c->name);
    if (rc || !stored) {
        wg_log(WG_LOG_ERROR, "msg=\"create failed\" instance=%s err=\"%s\"", c->name,
               wg_strerror(rc));
        if (inst)
            wg_registry_remove(d->reg, inst);
        wg_pb_free(stored);
        wg_instance_snapshot_publish(d);
        c->cb(c->ctx, rc ? rc : WG_EDB, NULL);
    } else {
        /* the stored row (ids and times from the store) replaces the draft */
        wg_pb_free(inst->row);
        inst->row = (Wg__Ipc__Instance *)stored;
        inst->committed = 1;
        int64_t del_ms = del_instance_ms(d);
        if (del_ms)
            inst->delete_deadline_ms = now(d) + del_ms;
        wg_log(WG_LOG_INFO, "msg=created instance=%s id=%s", inst->row->name, inst->row->id);
        wg_instance_snapshot_publish(d); /* before the reply: the next request sees it */
        publish_simple(d, "instance.create", inst, name_and_id(inst));
        c->cb(c->ctx, WG_OK, inst);
    }
    free(c->name);
    free(c);
}

static void random_token(char out[37])
{
    wg_uuid_v4(out);
    for (char *p = out; *p; p++)
        *p = (char)toupper((unsigned char)*p); /* Evolution: uuidv4().toUpperCase() */
}

void wg_instance_create(wg_connd_t *d, const Wg__Ipc__CreateInstanceReq *req, wg_op_cb cb,
                        void *ctx)
{
    if (wg_registry_find(d->reg, req->name)) {
        cb(ctx, WG_EEXIST, NULL);
        return;
    }
    char id[37], token[37];
    wg_uuid_v4(id);
    random_token(token);
    Wg__Ipc__Instance draft = WG__IPC__INSTANCE__INIT;
    draft.id = id;
    draft.name = req->name;
    draft.connection_status = "close";
    draft.integration = req->integration;
    draft.number = req->number;
    draft.business_id = req->business_id;
    draft.token = (req->token && *req->token) ? req->token : token;
    draft.client_name = (char *)wg_cfg_str(&d->cfg, WG_CFG_CLIENT_NAME);
    draft.created_at_ms = draft.updated_at_ms = now(d);
    Wg__Ipc__Settings empty_settings = WG__IPC__SETTINGS__INIT;
    draft.settings = req->settings ? req->settings : &empty_settings;
    draft.webhook = req->webhook;
    draft.websocket = wg_cfg_bool(&d->cfg, WG_CFG_WEBSOCKET_ENABLED) ? req->websocket : NULL;
    draft.proxy = req->proxy;
    /* reserve the name now; the row is replaced by the stored one */
    wg_instance_t *inst = wg_registry_add(d->reg, wg_pb_clone(&draft.base));
    inst->committed = 0;
    if (inst->row->webhook)
        wg_webhook_normalize(inst->row->webhook);
    if (inst->row->websocket)
        wg_websocket_normalize(inst->row->websocket);
    if (inst->row->proxy)
        wg_proxy_normalize(inst->row->proxy);
    create_ctx_t *c = wg_calloc(1, sizeof *c);
    c->d = d;
    c->name = wg_strdup(req->name);
    c->cb = cb;
    c->ctx = ctx;
    wg_persist_insert(d, inst->row, create_done, c);
}

/* ---------------------------------------------------------------- delete */

typedef struct {
    wg_connd_t *d;  /* daemon */
    char *name;     /* instance being deleted */
    wg_op_cb cb;    /* caller's completion, may be NULL */
    void *ctx;      /* its argument */
} delete_ctx_t;

static void delete_done(void *arg, int rc, ProtobufCMessage *stored)
{
    delete_ctx_t *c = arg;
    wg_instance_t *inst = wg_registry_find(c->d->reg, c->name);
    wg_pb_free(stored);
    if (rc && rc != WG_ENOTFOUND) {
        wg_log(WG_LOG_ERROR, "msg=\"delete failed\" instance=%s err=\"%s\"", c->name,
               wg_strerror(rc));
        if (inst)
            inst->deleting = 0;
    } else {
        if (inst) {
            publish_simple(c->d, "remove.instance", inst, json_null());
            wg_link_forget(c->d, inst);
            wg_registry_remove(c->d->reg, inst);
            wg_instance_snapshot_publish(c->d); /* gone for the very next request */
        }
        wg_log(WG_LOG_INFO, "msg=deleted instance=%s", c->name);
        rc = WG_OK;
    }
    if (c->cb)
        c->cb(c->ctx, rc, NULL);
    free(c->name);
    free(c);
}

void wg_instance_delete(wg_connd_t *d, wg_instance_t *inst, wg_op_cb cb, void *ctx)
{
    if (inst->deleting || !inst->committed) {
        if (cb)
            cb(ctx, WG_ESTATE, inst);
        return;
    }
    if (strcmp(inst->row->connection_status, "close") != 0)
        wg_instance_logout(d, inst);
    inst->deleting = 1;
    publish_simple(d, "instance.delete", inst, name_and_id(inst));
    delete_ctx_t *c = wg_calloc(1, sizeof *c);
    c->d = d;
    c->name = wg_strdup(inst->row->name);
    c->cb = cb;
    c->ctx = ctx;
    wg_persist_delete(d, inst->row->id, delete_done, c);
}

/* ---------------------------------------------------------------- state */

static void persist_done_log(void *arg, int rc, ProtobufCMessage *stored)
{
    (void)arg;
    wg_pb_free(stored);
    if (rc)
        wg_log(WG_LOG_ERROR, "msg=\"cannot persist connection state\" err=\"%s\"",
               wg_strerror(rc));
}

void wg_instance_set_state(wg_connd_t *d, wg_instance_t *inst, const char *state,
                           int status_reason)
{
    Wg__Ipc__Instance *row = inst->row;
    int64_t t = now(d);
    wg_pb_set_str(&row->connection_status, state);
    row->has_status_reason = 1;
    row->status_reason = status_reason;
    row->updated_at_ms = t;
    int closing = strcmp(state, "close") == 0;
    if (closing) {
        row->has_disconnection_reason_code = 1;
        row->disconnection_reason_code = status_reason;
        row->has_disconnection_at_ms = 1;
        row->disconnection_at_ms = t;
        char obj[96];
        snprintf(obj, sizeof obj, "{\"statusCode\":%d}", status_reason);
        wg_pb_set_str(&row->disconnection_object_json, obj);
    }
    wg_instance_snapshot_publish(d);
    wg_persist_connection(d, row, persist_done_log, NULL);

    json_t *data = json_pack("{s:s,s:s,s:i}", "instance", row->name, "state", state,
                             "statusReason", status_reason);
    if (strcmp(state, "open") == 0) {
        json_object_set_new(data, "wuid", row->owner_jid ? json_string(row->owner_jid) : json_null());
        json_object_set_new(data, "profileName",
                            row->profile_name ? json_string(row->profile_name) : json_null());
        json_object_set_new(data, "profilePictureUrl", row->profile_pic_url
                                                           ? json_string(row->profile_pic_url)
                                                           : json_null());
    }
    publish_simple(d, "connection.update", inst, data);
    if (closing) {
        char at[32];
        wg_time_iso8601(t, at);
        publish_simple(d, "status.instance", inst,
                       json_pack("{s:s,s:s,s:s,s:i,s:s}", "instance", row->name, "status",
                                 "closed", "disconnectionAt", at, "disconnectionReasonCode",
                                 status_reason, "disconnectionObject",
                                 row->disconnection_object_json));
    }
}

int wg_instance_logout(wg_connd_t *d, wg_instance_t *inst)
{
    if (strcmp(inst->row->connection_status, "close") == 0)
        return WG_ESTATE;
    /* tells the server to drop the device, closes the socket, deletes the
     * credentials (connd/link) */
    wg_link_logout(d, inst);
    wg_instance_set_state(d, inst, "close", 401);
    publish_simple(d, "logout.instance", inst, json_null());
    return WG_OK;
}

void wg_lifecycle_tick(wg_connd_t *d)
{
    int64_t t = now(d);
    wg_instance_t *next;
    for (wg_instance_t *i = wg_registry_first(d->reg); i; i = next) {
        next = i->next_all;
        if (!i->delete_deadline_ms || t < i->delete_deadline_ms || i->deleting)
            continue;
        i->delete_deadline_ms = 0;
        if (strcmp(i->row->connection_status, "open") == 0)
            continue;
        wg_log(WG_LOG_INFO, "msg=\"DEL_INSTANCE: removing instance that never opened\" instance=%s",
               i->row->name);
        wg_instance_delete(d, i, NULL, NULL);
    }
}
