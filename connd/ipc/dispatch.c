/* Request -> operation -> reply (see dispatch.h). Error texts follow
 * Evolution 2.3.6 (spec evolution-api.md §1, §2). */
#include "ipc/dispatch.h"
#include "chat/chat.h"
#include "chat/track.h"
#include "instance/config.h"
#include "instance/lifecycle.h"
#include "instance/registry.h"
#include "ipc/auth.h"
#include "link/link.h"
#include "message/find.h"
#include "message/send.h"
#include "store/outbox.h"
#include "webhook/replay.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_ipc.h"
#include "wg_log.h"
#include "wg_names.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    wg_connd_t *d;        /* daemon */
    uint64_t conn_serial; /* connection to answer on */
    uint64_t req_id;      /* request id to answer with */
    int op;               /* Wg__Ipc__Request__OpCase of the request */
    char *name;           /* instance name the request is about, owned */
    int qrcode;           /* create: start linking and answer with the QR */
    char *number;         /* create with qrcode: pairing-code number, owned */
} pending_t;

static void send_reply(wg_connd_t *d, uint64_t conn, uint64_t id, Wg__Ipc__Reply *reply)
{
    reply->id = id;
    wg_ipc_reply(d, conn, reply);
}

typedef struct {
    wg_connd_t *d;          /* daemon */
    uint64_t conn;          /* connection to answer on */
    Wg__Ipc__Reply *reply;  /* owned copy */
} later_t;

static void send_later_now(void *arg)
{
    later_t *l = arg;
    wg_ipc_reply(l->d, l->conn, l->reply);
    wg_pb_free(l->reply);
    free(l);
}

/* For operations that published events: the reply leaves only after every
 * store job queued so far (e.g. the events' outbox rows) has committed, so a
 * client that saw success can rely on the events being durable. */
static void send_reply_after_commit(wg_connd_t *d, uint64_t conn, uint64_t id,
                                    Wg__Ipc__Reply *reply)
{
    reply->id = id;
    later_t *l = wg_calloc(1, sizeof *l);
    l->d = d;
    l->conn = conn;
    l->reply = wg_pb_clone(&reply->base);
    wg_jobs_after(d->jobs, send_later_now, l);
}

static void send_error(wg_connd_t *d, uint64_t conn, uint64_t id, int status, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void send_error(wg_connd_t *d, uint64_t conn, uint64_t id, int status, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    Wg__Ipc__Error err = WG__IPC__ERROR__INIT;
    char *messages[1] = {text};
    err.status = status;
    err.n_messages = 1;
    err.messages = messages;
    if (status == 401) {
        err.has_message_is_string = 1;
        err.message_is_string = 1;
    }
    Wg__Ipc__Reply reply = WG__IPC__REPLY__INIT;
    reply.result_case = WG__IPC__REPLY__RESULT_ERROR;
    reply.error = &err;
    send_reply(d, conn, id, &reply);
}

static void send_auth_error(wg_connd_t *d, uint64_t conn, uint64_t id, int status,
                            const char *name)
{
    if (status == 404)
        send_error(d, conn, id, 404, "The \"%s\" instance does not exist", name ? name : "");
    else
        send_error(d, conn, id, 401, "Unauthorized");
}

static void send_done_maybe_later(wg_connd_t *d, uint64_t conn, uint64_t id, const char *message,
                                  int after_commit)
{
    Wg__Ipc__Done done = WG__IPC__DONE__INIT;
    done.message = (char *)message;
    Wg__Ipc__Reply reply = WG__IPC__REPLY__INIT;
    reply.result_case = WG__IPC__REPLY__RESULT_DONE;
    reply.done = &done;
    if (after_commit)
        send_reply_after_commit(d, conn, id, &reply);
    else
        send_reply(d, conn, id, &reply);
}

static void send_done(wg_connd_t *d, uint64_t conn, uint64_t id, const char *message)
{
    send_done_maybe_later(d, conn, id, message, 0);
}

static pending_t *pending_new(wg_connd_t *d, uint64_t conn, const Wg__Ipc__Request *req)
{
    pending_t *p = wg_calloc(1, sizeof *p);
    p->d = d;
    p->conn_serial = conn;
    p->req_id = req->id;
    p->op = req->op_case;
    p->name = wg_strdup(req->op_case == WG__IPC__REQUEST__OP_CREATE_INSTANCE
                            ? req->create_instance->name
                            : req->instance_name);
    if (req->op_case == WG__IPC__REQUEST__OP_CREATE_INSTANCE) {
        p->qrcode = req->create_instance->has_qrcode && req->create_instance->qrcode &&
                    strcmp(req->create_instance->integration, "WHATSAPP-BAILEYS") == 0;
        p->number = req->create_instance->number ? wg_strdup(req->create_instance->number) : NULL;
    }
    return p;
}

static void pending_free(pending_t *p)
{
    free(p->name);
    free(p->number);
    free(p);
}

static void store_failed(pending_t *p, int rc)
{
    send_error(p->d, p->conn_serial, p->req_id, 500, "storage failed: %s", wg_strerror(rc));
}

/* ---------------------------------------------------------------- WhatsApp link */

static void fill_qrcode(Wg__Ipc__QrCode *qr, const wg_link_result_t *r)
{
    qr->pairing_code = (char *)r->pairing_code;
    qr->code = (char *)r->code;
    qr->base64 = (char *)r->base64;
    qr->count = r->count;
}

/* connect / restart: the open state, or the QR object (evolution-api.md §2.2) */
static void connect_done(void *arg, const wg_link_result_t *r)
{
    pending_t *p = arg;
    Wg__Ipc__Reply reply = WG__IPC__REPLY__INIT;
    Wg__Ipc__ConnectionState st = WG__IPC__CONNECTION_STATE__INIT;
    Wg__Ipc__QrCode qr = WG__IPC__QR_CODE__INIT;
    if (r->error == WG_ENOTFOUND) {
        send_error(p->d, p->conn_serial, p->req_id, 404, "The \"%s\" instance does not exist",
                   p->name ? p->name : "");
    } else if (r->error) {
        send_error(p->d, p->conn_serial, p->req_id, 500, "cannot connect: %s",
                   wg_strerror(r->error));
    } else if (r->open) {
        st.instance_name = p->name;
        st.state = "open";
        reply.result_case = WG__IPC__REPLY__RESULT_CONNECTION_STATE;
        reply.connection_state = &st;
        send_reply_after_commit(p->d, p->conn_serial, p->req_id, &reply);
    } else {
        fill_qrcode(&qr, r);
        reply.result_case = WG__IPC__REPLY__RESULT_QRCODE;
        reply.qrcode = &qr;
        send_reply_after_commit(p->d, p->conn_serial, p->req_id, &reply);
    }
    pending_free(p);
}

static void create_qr_done(void *arg, const wg_link_result_t *r)
{
    pending_t *p = arg;
    wg_instance_t *inst = wg_registry_find(p->d->reg, p->name);
    if (!inst) {
        store_failed(p, WG_ENOTFOUND);
        pending_free(p);
        return;
    }
    Wg__Ipc__QrCode qr = WG__IPC__QR_CODE__INIT;
    fill_qrcode(&qr, r);
    inst->row->qrcode = &qr; /* borrowed for the reply only */
    Wg__Ipc__Reply reply = WG__IPC__REPLY__INIT;
    reply.result_case = WG__IPC__REPLY__RESULT_INSTANCE;
    reply.instance = inst->row;
    send_reply_after_commit(p->d, p->conn_serial, p->req_id, &reply);
    inst->row->qrcode = NULL;
    pending_free(p);
}

static void op_set_presence(wg_connd_t *d, uint64_t conn, Wg__Ipc__Request *req,
                            wg_instance_t *inst)
{
    const char *presence = req->set_presence->presence;
    if (wg_link_set_presence(d, inst, presence) != WG_OK) {
        send_error(d, conn, req->id, 400, "The \"%s\" instance is not connected",
                   inst->row->name);
        return;
    }
    Wg__Ipc__Presence pr = WG__IPC__PRESENCE__INIT;
    pr.presence = (char *)presence;
    Wg__Ipc__Reply reply = WG__IPC__REPLY__INIT;
    reply.result_case = WG__IPC__REPLY__RESULT_PRESENCE;
    reply.presence = &pr;
    send_reply(d, conn, req->id, &reply);
}

/* ---------------------------------------------------------------- create */

static void create_done(void *arg, int rc, wg_instance_t *inst)
{
    pending_t *p = arg;
    if (rc == WG_EEXIST) {
        send_error(p->d, p->conn_serial, p->req_id, 403, "This name \"%s\" is already in use.",
                   p->name ? p->name : "");
    } else if (rc || !inst) {
        store_failed(p, rc);
    } else if (p->qrcode) {
        /* Evolution: qrcode:true starts the connection and answers with the QR */
        wg_link_connect(p->d, inst, p->number, create_qr_done, p);
        return;
    } else {
        Wg__Ipc__Reply reply = WG__IPC__REPLY__INIT;
        reply.result_case = WG__IPC__REPLY__RESULT_INSTANCE;
        reply.instance = inst->row;
        send_reply_after_commit(p->d, p->conn_serial, p->req_id, &reply);
    }
    pending_free(p);
}

static void op_create(wg_connd_t *d, uint64_t conn, Wg__Ipc__Request *req)
{
    const Wg__Ipc__CreateInstanceReq *c = req->create_instance;
    if (!wg_instance_name_valid(c->name)) {
        send_error(d, conn, req->id, 400, "%s", WG_INSTANCE_NAME_RULE);
        return;
    }
    if (wg_registry_find(d->reg, c->name)) {
        send_error(d, conn, req->id, 403, "This name \"%s\" is already in use.", c->name);
        return;
    }
    wg_instance_create(d, c, create_done, pending_new(d, conn, req));
}

/* ---------------------------------------------------------------- reads */

static int token_matches(wg_instance_t *i, const char *key, int is_global)
{
    return is_global || (i->row->token && strcmp(i->row->token, key) == 0);
}

static void op_fetch(wg_connd_t *d, uint64_t conn, Wg__Ipc__Request *req, int is_global)
{
    const Wg__Ipc__FetchInstancesReq *f = req->fetch_instances;
    size_t cap = wg_registry_count(d->reg), n = 0;
    Wg__Ipc__Instance **rows = wg_calloc(cap ? cap : 1, sizeof *rows);
    for (wg_instance_t *i = wg_registry_first(d->reg); i; i = i->next_all) {
        if (!i->committed || i->deleting || !token_matches(i, req->apikey, is_global))
            continue;
        if (f->instance_name && strcmp(f->instance_name, i->row->name) != 0)
            continue;
        if (f->instance_id && strcmp(f->instance_id, i->row->id) != 0)
            continue;
        if (f->number && (!i->row->number || strcmp(f->number, i->row->number) != 0))
            continue;
        rows[n++] = i->row;
    }
    const char *filter = f->instance_name ? f->instance_name
                         : f->instance_id ? f->instance_id
                                          : f->number;
    if (filter && n == 0 && !is_global) {
        /* a token asking about an instance it does not hold learns nothing */
        send_error(d, conn, req->id, 401, "Unauthorized");
    } else if (filter && n == 0) {
        send_error(d, conn, req->id, 404, "Instance \"%s\" not found", filter);
    } else {
        Wg__Ipc__InstanceList list = WG__IPC__INSTANCE_LIST__INIT;
        list.n_instances = n;
        list.instances = rows;
        Wg__Ipc__Reply reply = WG__IPC__REPLY__INIT;
        reply.result_case = WG__IPC__REPLY__RESULT_INSTANCE_LIST;
        reply.instance_list = &list;
        send_reply(d, conn, req->id, &reply);
    }
    free(rows);
}

static void op_connection_state(wg_connd_t *d, uint64_t conn, Wg__Ipc__Request *req,
                                wg_instance_t *inst)
{
    Wg__Ipc__ConnectionState st = WG__IPC__CONNECTION_STATE__INIT;
    st.instance_name = inst->row->name;
    st.state = inst->row->connection_status;
    st.has_status_reason = inst->row->has_status_reason;
    st.status_reason = inst->row->status_reason;
    Wg__Ipc__Reply reply = WG__IPC__REPLY__INIT;
    reply.result_case = WG__IPC__REPLY__RESULT_CONNECTION_STATE;
    reply.connection_state = &st;
    send_reply(d, conn, req->id, &reply);
}

static void send_found(wg_connd_t *d, uint64_t conn, uint64_t id, int op, Wg__Ipc__Instance *row)
{
    Wg__Ipc__Reply reply = WG__IPC__REPLY__INIT;
    Wg__Ipc__SettingsFound sf = WG__IPC__SETTINGS_FOUND__INIT;
    Wg__Ipc__WebhookFound wf = WG__IPC__WEBHOOK_FOUND__INIT;
    Wg__Ipc__WebsocketFound wsf = WG__IPC__WEBSOCKET_FOUND__INIT;
    Wg__Ipc__ProxyFound pf = WG__IPC__PROXY_FOUND__INIT;
    switch (op) {
    case WG__IPC__REQUEST__OP_SETTINGS_FIND:
        sf.settings = row->settings;
        reply.result_case = WG__IPC__REPLY__RESULT_SETTINGS_FOUND;
        reply.settings_found = &sf;
        break;
    case WG__IPC__REQUEST__OP_WEBHOOK_FIND:
        wf.webhook = row->webhook;
        reply.result_case = WG__IPC__REPLY__RESULT_WEBHOOK_FOUND;
        reply.webhook_found = &wf;
        break;
    case WG__IPC__REQUEST__OP_WEBSOCKET_FIND:
        if (!wg_cfg_bool(&d->cfg, WG_CFG_WEBSOCKET_ENABLED)) {
            wsf.has_disabled = 1;
            wsf.disabled = 1;
        } else {
            wsf.websocket = row->websocket;
        }
        reply.result_case = WG__IPC__REPLY__RESULT_WEBSOCKET_FOUND;
        reply.websocket_found = &wsf;
        break;
    default:
        pf.proxy = row->proxy;
        reply.result_case = WG__IPC__REPLY__RESULT_PROXY_FOUND;
        reply.proxy_found = &pf;
        break;
    }
    send_reply(d, conn, id, &reply);
}

/* ---------------------------------------------------------------- writes */

static void delete_done(void *arg, int rc, wg_instance_t *inst)
{
    (void)inst;
    pending_t *p = arg;
    if (rc)
        store_failed(p, rc);
    else
        send_done_maybe_later(p->d, p->conn_serial, p->req_id, "Instance deleted", 1);
    pending_free(p);
}

static void config_done(void *arg, int rc, wg_instance_t *inst)
{
    pending_t *p = arg;
    if (rc || !inst) {
        store_failed(p, rc);
        pending_free(p);
        return;
    }
    Wg__Ipc__Reply reply = WG__IPC__REPLY__INIT;
    switch (p->op) {
    case WG__IPC__REQUEST__OP_SETTINGS_SET:
        reply.result_case = WG__IPC__REPLY__RESULT_SETTINGS;
        reply.settings = inst->row->settings;
        wg_chat_settings_applied(p->d, inst); /* alwaysOnline at runtime */
        break;
    case WG__IPC__REQUEST__OP_WEBHOOK_SET:
        reply.result_case = WG__IPC__REPLY__RESULT_WEBHOOK;
        reply.webhook = inst->row->webhook;
        break;
    case WG__IPC__REQUEST__OP_WEBSOCKET_SET:
        reply.result_case = WG__IPC__REPLY__RESULT_WEBSOCKET;
        reply.websocket = inst->row->websocket;
        break;
    default:
        reply.result_case = WG__IPC__REPLY__RESULT_PROXY;
        reply.proxy = inst->row->proxy;
        break;
    }
    send_reply(p->d, p->conn_serial, p->req_id, &reply);
    pending_free(p);
}

static void op_config_set(wg_connd_t *d, uint64_t conn, Wg__Ipc__Request *req,
                          wg_instance_t *inst)
{
    const ProtobufCMessage *msg = NULL;
    wg_persist_kind_t kind = WG_PERSIST_SETTINGS;
    switch (req->op_case) {
    case WG__IPC__REQUEST__OP_SETTINGS_SET:
        msg = &req->settings_set->settings->base;
        break;
    case WG__IPC__REQUEST__OP_WEBHOOK_SET:
        kind = WG_PERSIST_WEBHOOK;
        msg = &req->webhook_set->webhook->base;
        break;
    case WG__IPC__REQUEST__OP_WEBSOCKET_SET:
        kind = WG_PERSIST_WEBSOCKET;
        msg = &req->websocket_set->websocket->base;
        if (!wg_cfg_bool(&d->cfg, WG_CFG_WEBSOCKET_ENABLED)) {
            /* Evolution: nothing stored, empty body */
            Wg__Ipc__WebsocketFound wsf = WG__IPC__WEBSOCKET_FOUND__INIT;
            wsf.has_disabled = 1;
            wsf.disabled = 1;
            Wg__Ipc__Reply reply = WG__IPC__REPLY__INIT;
            reply.result_case = WG__IPC__REPLY__RESULT_WEBSOCKET_FOUND;
            reply.websocket_found = &wsf;
            send_reply(d, conn, req->id, &reply);
            return;
        }
        break;
    default:
        kind = WG_PERSIST_PROXY;
        msg = &req->proxy_set->proxy->base;
        break;
    }
    wg_instance_config_set(d, inst, kind, msg, config_done, pending_new(d, conn, req));
}

/* ---------------------------------------------------------------- webhook deliveries */

static void webhook_failed_done(void *arg, int rc, Wg__Ipc__WebhookDeliveryList *list)
{
    pending_t *p = arg;
    if (rc || !list) {
        store_failed(p, rc ? rc : WG_EDB);
    } else {
        Wg__Ipc__Reply reply = WG__IPC__REPLY__INIT;
        reply.result_case = WG__IPC__REPLY__RESULT_WEBHOOK_DELIVERIES;
        reply.webhook_deliveries = list;
        send_reply(p->d, p->conn_serial, p->req_id, &reply);
    }
    wg_store_outbox_list_free(list);
    pending_free(p);
}

static void webhook_retry_done(void *arg, int rc, unsigned count)
{
    pending_t *p = arg;
    if (rc) {
        store_failed(p, rc);
    } else {
        Wg__Ipc__WebhookRetried retried = WG__IPC__WEBHOOK_RETRIED__INIT;
        retried.count = count;
        Wg__Ipc__Reply reply = WG__IPC__REPLY__INIT;
        reply.result_case = WG__IPC__REPLY__RESULT_WEBHOOK_RETRIED;
        reply.webhook_retried = &retried;
        send_reply(p->d, p->conn_serial, p->req_id, &reply);
    }
    pending_free(p);
}

/* ---------------------------------------------------------------- messages (issue 6) */

static void send_json(pending_t *p, const char *json)
{
    Wg__Ipc__JsonDoc doc = WG__IPC__JSON_DOC__INIT;
    doc.json = (char *)json;
    Wg__Ipc__Reply reply = WG__IPC__REPLY__INIT;
    reply.result_case = WG__IPC__REPLY__RESULT_JSON;
    reply.json = &doc;
    send_reply(p->d, p->conn_serial, p->req_id, &reply);
}

static void send_text_done(void *arg, const wg_send_result_t *r)
{
    pending_t *p = arg;
    if (r->status == 201) {
        /* send.c hands the messageRaw as a document: serialized once, on the stack */
        char buf[4096], *spill;
        const char *text = wg_send_result_text_in(r, buf, sizeof buf, &spill);
        send_json(p, text ? text : "{}");
        free(spill);
    } else {
        Wg__Ipc__Error err = WG__IPC__ERROR__INIT;
        err.status = r->status;
        err.messages_json = (char *)r->json;
        Wg__Ipc__Reply reply = WG__IPC__REPLY__INIT;
        reply.result_case = WG__IPC__REPLY__RESULT_ERROR;
        reply.error = &err;
        send_reply(p->d, p->conn_serial, p->req_id, &reply);
    }
    pending_free(p);
}

/* connd/chat answers: 200 with the document, else Evolution's message list */
static void chat_done(void *arg, int status, const char *json)
{
    wg_send_result_t r = {status == 200 ? 201 : status, json, NULL};
    send_text_done(arg, &r);
}

static void find_messages_done(void *arg, int rc, const char *json)
{
    pending_t *p = arg;
    if (rc)
        store_failed(p, rc);
    else
        send_json(p, json);
    pending_free(p);
}

/* ---------------------------------------------------------------- entry */

static wg_auth_need_t need_of(int op)
{
    switch (op) {
    case WG__IPC__REQUEST__OP_CREATE_INSTANCE:
        return WG_AUTH_NEED_GLOBAL;
    case WG__IPC__REQUEST__OP_FETCH_INSTANCES:
        return WG_AUTH_NEED_ANY_KEY;
    default:
        return WG_AUTH_NEED_INSTANCE;
    }
}

void wg_dispatch(wg_connd_t *d, uint64_t conn, Wg__Ipc__Request *req)
{
    if (d->stopping) {
        send_error(d, conn, req->id, 503, "connd is shutting down");
        goto done;
    }
    if (req->op_case == WG__IPC__REQUEST__OP__NOT_SET) {
        send_error(d, conn, req->id, 400, "unknown IPC operation");
        goto done;
    }
    wg_auth_need_t need = need_of(req->op_case);
    if (req->op_case == WG__IPC__REQUEST__OP_AUTH_CHECK)
        need = req->instance_name ? WG_AUTH_NEED_INSTANCE : WG_AUTH_NEED_GLOBAL;
    wg_instance_t *inst = NULL;
    int is_global = 0;
    int status = wg_auth_check(d, req->apikey, req->instance_name, need, &inst, &is_global);
    if (status) {
        if (status == 401)
            wg_log(WG_LOG_INFO, "msg=\"request refused\" status=401 instance=%s",
                   req->instance_name ? req->instance_name : "-");
        send_auth_error(d, conn, req->id, status, req->instance_name);
        goto done;
    }
    if (inst && inst->deleting) {
        send_auth_error(d, conn, req->id, is_global ? 404 : 401, req->instance_name);
        goto done;
    }
    switch (req->op_case) {
    case WG__IPC__REQUEST__OP_AUTH_CHECK:
        send_done(d, conn, req->id, "ok");
        break;
    case WG__IPC__REQUEST__OP_CREATE_INSTANCE:
        op_create(d, conn, req);
        break;
    case WG__IPC__REQUEST__OP_FETCH_INSTANCES:
        op_fetch(d, conn, req, is_global);
        break;
    case WG__IPC__REQUEST__OP_CONNECTION_STATE:
        op_connection_state(d, conn, req, inst);
        break;
    case WG__IPC__REQUEST__OP_LOGOUT:
        if (wg_instance_logout(d, inst) == WG_ESTATE)
            send_error(d, conn, req->id, 400, "The \"%s\" instance is not connected",
                       inst->row->name);
        else
            send_done_maybe_later(d, conn, req->id, "Instance logged out", 1);
        break;
    case WG__IPC__REQUEST__OP_DELETE_INSTANCE:
        wg_instance_delete(d, inst, delete_done, pending_new(d, conn, req));
        break;
    case WG__IPC__REQUEST__OP_SETTINGS_SET:
    case WG__IPC__REQUEST__OP_WEBHOOK_SET:
    case WG__IPC__REQUEST__OP_WEBSOCKET_SET:
    case WG__IPC__REQUEST__OP_PROXY_SET:
        op_config_set(d, conn, req, inst);
        break;
    case WG__IPC__REQUEST__OP_SETTINGS_FIND:
    case WG__IPC__REQUEST__OP_WEBHOOK_FIND:
    case WG__IPC__REQUEST__OP_WEBSOCKET_FIND:
    case WG__IPC__REQUEST__OP_PROXY_FIND:
        send_found(d, conn, req->id, req->op_case, inst->row);
        break;
    case WG__IPC__REQUEST__OP_CONNECT:
        wg_link_connect(d, inst, req->connect->number, connect_done, pending_new(d, conn, req));
        break;
    case WG__IPC__REQUEST__OP_RESTART:
        wg_link_restart(d, inst, connect_done, pending_new(d, conn, req));
        break;
    case WG__IPC__REQUEST__OP_SET_PRESENCE:
        op_set_presence(d, conn, req, inst);
        break;
    case WG__IPC__REQUEST__OP_WEBHOOK_FAILED:
        wg_webhook_failed_list(d, inst->row->id,
                               req->webhook_failed->has_limit ? req->webhook_failed->limit : 0,
                               webhook_failed_done, pending_new(d, conn, req));
        break;
    case WG__IPC__REQUEST__OP_WEBHOOK_RETRY:
        wg_webhook_retry(d, inst->row->id, req->webhook_retry->ids, req->webhook_retry->n_ids,
                         webhook_retry_done, pending_new(d, conn, req));
        break;
    case WG__IPC__REQUEST__OP_SEND_TEXT:
        wg_send_text(d, inst, req->send_text, send_text_done, pending_new(d, conn, req));
        break;
    case WG__IPC__REQUEST__OP_FIND_MESSAGES:
        wg_message_find(d, inst->row->id, req->find_messages, find_messages_done,
                        pending_new(d, conn, req));
        break;
    case WG__IPC__REQUEST__OP_SEND_REACTION:
        wg_send_reaction(d, inst, req->send_reaction, send_text_done, pending_new(d, conn, req));
        break;
    case WG__IPC__REQUEST__OP_DELETE_FOR_EVERYONE:
        wg_send_revoke(d, inst, req->delete_for_everyone, send_text_done,
                       pending_new(d, conn, req));
        break;
    case WG__IPC__REQUEST__OP_UPDATE_MESSAGE:
        wg_send_edit(d, inst, req->update_message, send_text_done, pending_new(d, conn, req));
        break;
    default:
        if (wg_chat_handles(req->op_case)) {
            wg_chat_request(d, inst, req, chat_done, pending_new(d, conn, req));
            break;
        }
        send_error(d, conn, req->id, 400, "unknown IPC operation");
        break;
    }
done:
    wg_ipc_request_free(req);
}
