/* Reply rendering (see render.h). Field order follows Evolution's output
 * (Prisma rows in schema order) so that byte-level comparisons with a real
 * Evolution stay readable. Absent optional strings become null, like
 * Prisma's nullable columns; absent dates are null. Strings from connd that
 * are not valid UTF-8 also become null rather than aborting the document. */
#include "render.h"
#include "errors.h"
#include "wg_err.h"
#include "wg_time.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static json_t *str_or_null(const char *s)
{
    json_t *j = s ? json_string(s) : NULL;
    return j ? j : json_null();
}

/* For Prisma columns with a "" default (msgCall, wavoipToken). */
static json_t *str_or_empty(const char *s)
{
    json_t *j = json_string(s ? s : "");
    return j ? j : json_string("");
}

static json_t *date_or_null(int has, int64_t ms)
{
    if (!has)
        return json_null();
    char iso[32];
    return json_string(wg_time_iso8601(ms, iso));
}

static json_t *events_array(size_t n, char **events)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *e = events[i] ? json_string(events[i]) : NULL;
        if (e)
            json_array_append_new(list, e);
    }
    return list;
}

/* headers_json is user JSON kept verbatim by connd; anything unparsable is null. */
static json_t *json_text_or_null(const char *text)
{
    if (!text)
        return json_null();
    json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
    return j ? j : json_null();
}

static void set(json_t *obj, const char *key, json_t *value)
{
    json_object_set_new(obj, key, value ? value : json_null());
}

/* The 8 user-facing settings (settings/find, create's "settings"). */
static json_t *settings_fields(const Wg__Ipc__Settings *s, json_t *obj)
{
    set(obj, "rejectCall", json_boolean(s->reject_call));
    set(obj, "msgCall", str_or_empty(s->msg_call));
    set(obj, "groupsIgnore", json_boolean(s->groups_ignore));
    set(obj, "alwaysOnline", json_boolean(s->always_online));
    set(obj, "readMessages", json_boolean(s->read_messages));
    set(obj, "readStatus", json_boolean(s->read_status));
    set(obj, "syncFullHistory", json_boolean(s->sync_full_history));
    set(obj, "wavoipToken", str_or_empty(s->wavoip_token));
    return obj;
}

/* Prisma Setting row (fetchInstances' "Setting"). */
static json_t *settings_row(const Wg__Ipc__Settings *s)
{
    json_t *row = json_object();
    set(row, "id", str_or_null(s->id));
    settings_fields(s, row);
    set(row, "createdAt", date_or_null(s->has_created_at_ms, s->created_at_ms));
    set(row, "updatedAt", date_or_null(s->has_updated_at_ms, s->updated_at_ms));
    set(row, "instanceId", str_or_null(s->instance_id));
    return row;
}

/* settings/set echo: the fields the body had, in schema order. */
static json_t *settings_echo(const Wg__Ipc__Settings *s)
{
    json_t *o = json_object();
    if (s->has_reject_call)
        set(o, "rejectCall", json_boolean(s->reject_call));
    if (s->msg_call)
        set(o, "msgCall", str_or_null(s->msg_call));
    if (s->has_groups_ignore)
        set(o, "groupsIgnore", json_boolean(s->groups_ignore));
    if (s->has_always_online)
        set(o, "alwaysOnline", json_boolean(s->always_online));
    if (s->has_read_messages)
        set(o, "readMessages", json_boolean(s->read_messages));
    if (s->has_read_status)
        set(o, "readStatus", json_boolean(s->read_status));
    if (s->has_sync_full_history)
        set(o, "syncFullHistory", json_boolean(s->sync_full_history));
    if (s->wavoip_token)
        set(o, "wavoipToken", str_or_null(s->wavoip_token));
    return o;
}

static json_t *webhook_row(const Wg__Ipc__Webhook *w)
{
    json_t *row = json_object();
    set(row, "id", str_or_null(w->id));
    set(row, "url", str_or_null(w->url));
    set(row, "headers", json_text_or_null(w->headers_json));
    set(row, "enabled", json_boolean(w->enabled));
    set(row, "events", events_array(w->n_events, w->events));
    set(row, "webhookByEvents", json_boolean(w->by_events));
    set(row, "webhookBase64", json_boolean(w->base64));
    set(row, "createdAt", date_or_null(w->has_created_at_ms, w->created_at_ms));
    set(row, "updatedAt", date_or_null(w->has_updated_at_ms, w->updated_at_ms));
    set(row, "instanceId", str_or_null(w->instance_id));
    return row;
}

static json_t *websocket_row(const Wg__Ipc__Websocket *w)
{
    json_t *row = json_object();
    set(row, "id", str_or_null(w->id));
    set(row, "enabled", json_boolean(w->enabled));
    set(row, "events", events_array(w->n_events, w->events));
    set(row, "createdAt", date_or_null(w->has_created_at_ms, w->created_at_ms));
    set(row, "updatedAt", date_or_null(w->has_updated_at_ms, w->updated_at_ms));
    set(row, "instanceId", str_or_null(w->instance_id));
    return row;
}

static void proxy_fields(const Wg__Ipc__Proxy *p, json_t *obj)
{
    set(obj, "enabled", json_boolean(p->enabled));
    set(obj, "host", str_or_empty(p->host));
    set(obj, "port", str_or_empty(p->port));
    set(obj, "protocol", str_or_empty(p->protocol));
    set(obj, "username", str_or_empty(p->username));
    set(obj, "password", str_or_empty(p->password));
}

static json_t *proxy_row(const Wg__Ipc__Proxy *p)
{
    json_t *row = json_object();
    set(row, "id", str_or_null(p->id));
    proxy_fields(p, row);
    set(row, "createdAt", date_or_null(p->has_created_at_ms, p->created_at_ms));
    set(row, "updatedAt", date_or_null(p->has_updated_at_ms, p->updated_at_ms));
    set(row, "instanceId", str_or_null(p->instance_id));
    return row;
}

/* One fetchInstances row: Evolution's raw Prisma Instance with relations
 * (§2.4). disconnectionObject is a JSON *string* in Evolution (it stores
 * JSON.stringify() output in a jsonb column), so it is rendered as one. */
static json_t *instance_row(const Wg__Ipc__Instance *in, wg_dialect_t dialect)
{
    json_t *row = json_object();
    set(row, "id", str_or_null(in->id));
    set(row, "name", str_or_null(in->name));
    if (dialect == WG_DIALECT_SEED)
        set(row, "instanceName", str_or_null(in->name));
    set(row, "connectionStatus", str_or_null(in->connection_status));
    set(row, "ownerJid", str_or_null(in->owner_jid));
    set(row, "profileName", str_or_null(in->profile_name));
    set(row, "profilePicUrl", str_or_null(in->profile_pic_url));
    set(row, "integration", str_or_null(in->integration));
    set(row, "number", str_or_null(in->number));
    set(row, "businessId", str_or_null(in->business_id));
    set(row, "token", str_or_null(in->token));
    set(row, "clientName", str_or_null(in->client_name));
    set(row, "disconnectionReasonCode",
        in->has_disconnection_reason_code ? json_integer(in->disconnection_reason_code)
                                          : json_null());
    set(row, "disconnectionObject", str_or_null(in->disconnection_object_json));
    set(row, "disconnectionAt", date_or_null(in->has_disconnection_at_ms, in->disconnection_at_ms));
    set(row, "createdAt", date_or_null(1, in->created_at_ms));
    set(row, "updatedAt", date_or_null(1, in->updated_at_ms));
    /* relations wagate does not implement stay null, as in an Evolution without them */
    set(row, "Chatwoot", json_null());
    set(row, "Proxy", in->proxy ? proxy_row(in->proxy) : json_null());
    set(row, "Rabbitmq", json_null());
    set(row, "Nats", json_null());
    set(row, "Sqs", json_null());
    set(row, "Websocket", in->websocket ? websocket_row(in->websocket) : json_null());
    set(row, "Setting", in->settings ? settings_row(in->settings) : json_null());
    if (in->webhook)
        set(row, "Webhook", webhook_row(in->webhook));
    json_t *count = json_object();
    set(count, "Message", json_integer(in->message_count));
    set(count, "Contact", json_integer(in->contact_count));
    set(count, "Chat", json_integer(in->chat_count));
    set(row, "_count", count);
    return row;
}

/* The QR object of connect / restart / create (§2.2): only {count} before
 * the first QR, as in Evolution. */
static json_t *qrcode_doc(const Wg__Ipc__QrCode *qr)
{
    json_t *doc = json_object();
    if (qr->code || qr->pairing_code) {
        set(doc, "pairingCode", str_or_null(qr->pairing_code));
        set(doc, "code", str_or_null(qr->code));
        set(doc, "base64", str_or_null(qr->base64));
    }
    set(doc, "count", json_integer(qr->count));
    return doc;
}

/* POST /instance/create 201 (§2.1). */
static json_t *created_doc(const Wg__Ipc__Instance *in, wg_dialect_t dialect)
{
    json_t *doc = json_object();
    json_t *inst = json_object();
    set(inst, "instanceName", str_or_null(in->name));
    set(inst, "instanceId", str_or_null(in->id));
    set(inst, "integration", str_or_null(in->integration));
    /* Evolution puts <SERVER_URL>/webhook/meta here for WHATSAPP-BUSINESS;
     * wagate has no Meta webhook receiver, so it is always null */
    set(inst, "webhookWaBusiness", json_null());
    set(inst, "accessTokenWaBusiness", json_string(""));
    set(inst, "status", dialect == WG_DIALECT_EVOLUTION ? str_or_null(in->connection_status)
                                                        : json_string("created"));
    set(doc, "instance", inst);
    if (dialect == WG_DIALECT_EVOLUTION) {
        set(doc, "hash", str_or_null(in->token));
    } else {
        json_t *hash = json_object();
        set(hash, "apikey", str_or_null(in->token));
        set(doc, "hash", hash);
    }
    json_t *webhook = json_object();
    if (in->webhook) {
        set(webhook, "webhookUrl", str_or_null(in->webhook->url));
        set(webhook, "webhookHeaders", json_text_or_null(in->webhook->headers_json));
        set(webhook, "webhookByEvents", json_boolean(in->webhook->by_events));
        set(webhook, "webhookBase64", json_boolean(in->webhook->base64));
    }
    set(doc, "webhook", webhook);
    json_t *websocket = json_object();
    if (in->websocket)
        set(websocket, "enabled", json_boolean(in->websocket->enabled));
    set(doc, "websocket", websocket);
    if (dialect == WG_DIALECT_EVOLUTION) {
        /* echoes of event transports wagate does not have: Evolution renders {} */
        set(doc, "rabbitmq", json_object());
        set(doc, "nats", json_object());
        set(doc, "sqs", json_object());
    }
    Wg__Ipc__Settings none = WG__IPC__SETTINGS__INIT;
    set(doc, "settings", settings_fields(in->settings ? in->settings : &none, json_object()));
    if (in->qrcode)
        set(doc, "qrcode", qrcode_doc(in->qrcode));
    return doc;
}

static json_t *connection_state_doc(const Wg__Ipc__ConnectionState *cs, wg_dialect_t dialect)
{
    json_t *inst = json_object();
    set(inst, "instanceName", str_or_null(cs->instance_name));
    set(inst, "state", str_or_null(cs->state));
    if (dialect == WG_DIALECT_SEED && cs->has_status_reason)
        set(inst, "statusReason", json_integer(cs->status_reason));
    json_t *doc = json_object();
    set(doc, "instance", inst);
    return doc;
}

static json_t *done_doc(const Wg__Ipc__Done *done, const char *fallback)
{
    json_t *doc = json_object();
    set(doc, "status", json_string("SUCCESS"));
    set(doc, "error", json_false());
    json_t *response = json_object();
    set(response, "message", str_or_null(done && done->message ? done->message : fallback));
    set(doc, "response", response);
    return doc;
}

static json_t *wrap_echo(const char *key, const char *instance_name, json_t *inner)
{
    json_t *outer = json_object();
    set(outer, "instanceName", str_or_null(instance_name));
    set(outer, key, inner);
    json_t *doc = json_object();
    set(doc, key, outer);
    return doc;
}

static void render_error(const Wg__Ipc__Error *e, wg_arena_t *a, wg_response_t *resp)
{
    int status = e->status >= 400 && e->status <= 599 ? e->status : 500;
    if (e->messages_json) {
        wg_error_respond_json(resp, a, status, e->messages_json);
        return;
    }
    if (e->has_message_is_string && e->message_is_string) {
        const char *msg = e->n_messages && e->messages[0] ? e->messages[0] : wg_http_reason(status);
        wg_error_respond_string(resp, a, status, msg);
        return;
    }
    wg_msgs_t m = {.n = 0};
    for (size_t i = 0; i < e->n_messages && m.n < WG_MSGS_MAX; i++)
        if (e->messages[i])
            m.items[m.n++] = e->messages[i];
    wg_error_respond(resp, a, status, &m);
}

/* One failed delivery of GET /webhook/failed (wagate extension). */
static json_t *delivery_row(const Wg__Ipc__WebhookDelivery *d)
{
    json_t *row = json_object();
    set(row, "id", str_or_null(d->id));
    set(row, "event", str_or_null(d->event));
    set(row, "url", str_or_null(d->url));
    set(row, "source", str_or_null(d->source));
    set(row, "state", str_or_null(d->state));
    set(row, "attempts", json_integer(d->attempts));
    set(row, "lastStatus", d->has_last_status ? json_integer(d->last_status) : json_null());
    set(row, "lastError", str_or_null(d->last_error));
    set(row, "createdAt", date_or_null(1, d->created_at_ms));
    set(row, "failedAt", date_or_null(d->has_failed_at_ms, d->failed_at_ms));
    set(row, "payload", json_text_or_null(d->payload_json));
    return row;
}

static json_t *deliveries_doc(const Wg__Ipc__WebhookDeliveryList *l)
{
    json_t *doc = json_object(), *list = json_array();
    set(doc, "total", json_integer(l->has_total ? l->total : l->n_deliveries));
    for (size_t i = 0; i < l->n_deliveries; i++)
        json_array_append_new(list, delivery_row(l->deliveries[i]));
    set(doc, "deliveries", list);
    return doc;
}

int wg_render_reply(wg_route_id_t route, const Wg__Ipc__Reply *reply, const char *instance_name,
                    wg_dialect_t dialect, wg_arena_t *a, wg_response_t *resp)
{
    if (reply->result_case == WG__IPC__REPLY__RESULT_ERROR && reply->error) {
        render_error(reply->error, a, resp);
        return WG_OK;
    }
    json_t *doc = NULL;
    int status = 200;
    switch (route) {
    case WG_ROUTE_INSTANCE_CREATE:
        if (reply->result_case == WG__IPC__REPLY__RESULT_INSTANCE)
            doc = created_doc(reply->instance, dialect), status = 201;
        break;
    case WG_ROUTE_FETCH_INSTANCES:
        if (reply->result_case == WG__IPC__REPLY__RESULT_INSTANCE_LIST) {
            doc = json_array();
            for (size_t i = 0; i < reply->instance_list->n_instances; i++)
                json_array_append_new(doc, instance_row(reply->instance_list->instances[i], dialect));
        }
        break;
    case WG_ROUTE_CONNECTION_STATE:
        if (reply->result_case == WG__IPC__REPLY__RESULT_CONNECTION_STATE)
            doc = connection_state_doc(reply->connection_state, dialect);
        break;
    case WG_ROUTE_CONNECT:
    case WG_ROUTE_RESTART:
        if (reply->result_case == WG__IPC__REPLY__RESULT_QRCODE)
            doc = qrcode_doc(reply->qrcode);
        else if (reply->result_case == WG__IPC__REPLY__RESULT_CONNECTION_STATE)
            doc = connection_state_doc(reply->connection_state, WG_DIALECT_EVOLUTION);
        break;
    case WG_ROUTE_SET_PRESENCE:
        if (reply->result_case == WG__IPC__REPLY__RESULT_PRESENCE) {
            doc = json_object();
            set(doc, "presence", str_or_null(reply->presence->presence));
            status = 201;
        }
        break;
    case WG_ROUTE_LOGOUT:
    case WG_ROUTE_DELETE:
        if (reply->result_case == WG__IPC__REPLY__RESULT_DONE)
            doc = done_doc(reply->done, route == WG_ROUTE_LOGOUT ? "Instance logged out"
                                                                : "Instance deleted");
        break;
    case WG_ROUTE_SETTINGS_SET:
        if (reply->result_case == WG__IPC__REPLY__RESULT_SETTINGS)
            doc = wrap_echo("settings", instance_name, settings_echo(reply->settings)),
            status = 201;
        break;
    case WG_ROUTE_SETTINGS_FIND:
        if (reply->result_case == WG__IPC__REPLY__RESULT_SETTINGS_FOUND)
            doc = reply->settings_found->settings
                      ? settings_fields(reply->settings_found->settings, json_object())
                      : json_null();
        else if (reply->result_case == WG__IPC__REPLY__RESULT_SETTINGS)
            doc = settings_fields(reply->settings, json_object());
        break;
    case WG_ROUTE_WEBHOOK_SET:
        if (reply->result_case == WG__IPC__REPLY__RESULT_WEBHOOK)
            doc = webhook_row(reply->webhook), status = 201;
        break;
    case WG_ROUTE_WEBHOOK_FIND:
        if (reply->result_case == WG__IPC__REPLY__RESULT_WEBHOOK_FOUND)
            doc = reply->webhook_found->webhook ? webhook_row(reply->webhook_found->webhook)
                                                : json_null();
        else if (reply->result_case == WG__IPC__REPLY__RESULT_WEBHOOK)
            doc = webhook_row(reply->webhook);
        break;
    case WG_ROUTE_WEBSOCKET_SET:
    case WG_ROUTE_WEBSOCKET_FIND:
        status = route == WG_ROUTE_WEBSOCKET_SET ? 201 : 200;
        if (reply->result_case == WG__IPC__REPLY__RESULT_WEBSOCKET) {
            doc = websocket_row(reply->websocket);
        } else if (reply->result_case == WG__IPC__REPLY__RESULT_WEBSOCKET_FOUND) {
            const Wg__Ipc__WebsocketFound *f = reply->websocket_found;
            if (f->has_disabled && f->disabled) {
                /* WEBSOCKET_ENABLED off: Evolution answers with an empty body (§3.5) */
                wg_response_set_empty(resp, status);
                return WG_OK;
            }
            doc = f->websocket ? websocket_row(f->websocket) : json_null();
        }
        break;
    case WG_ROUTE_PROXY_SET:
        if (reply->result_case == WG__IPC__REPLY__RESULT_PROXY) {
            json_t *inner = json_object();
            proxy_fields(reply->proxy, inner);
            doc = wrap_echo("proxy", instance_name, inner), status = 201;
        }
        break;
    case WG_ROUTE_PROXY_FIND:
        if (reply->result_case == WG__IPC__REPLY__RESULT_PROXY_FOUND)
            doc = reply->proxy_found->proxy ? proxy_row(reply->proxy_found->proxy) : json_null();
        else if (reply->result_case == WG__IPC__REPLY__RESULT_PROXY)
            doc = proxy_row(reply->proxy);
        break;
    case WG_ROUTE_WEBHOOK_FAILED:
        if (reply->result_case == WG__IPC__REPLY__RESULT_WEBHOOK_DELIVERIES)
            doc = deliveries_doc(reply->webhook_deliveries);
        break;
    case WG_ROUTE_WEBHOOK_RETRY:
        if (reply->result_case == WG__IPC__REPLY__RESULT_WEBHOOK_RETRIED)
            doc = json_pack("{s:I}", "retried", (json_int_t)reply->webhook_retried->count),
            status = 201;
        break;
    case WG_ROUTE_SEND_TEXT:
    case WG_ROUTE_SEND_REACTION:
    case WG_ROUTE_DELETE_FOR_EVERYONE:
    case WG_ROUTE_UPDATE_MESSAGE:
        /* messageRaw (text, reaction) or Baileys' WAMessage (revoke, edit): connd's
         * message/send dumped it compact, so its text is the body as it is (parsing and
         * dumping it again here gave the same bytes) */
        if (reply->result_case == WG__IPC__REPLY__RESULT_JSON && reply->json->json &&
            reply->json->json[0] == '{') {
            wg_response_set_json_text(resp, route == WG_ROUTE_UPDATE_MESSAGE ? 200 : 201,
                                      reply->json->json, strlen(reply->json->json));
            return WG_OK;
        }
        break;
    case WG_ROUTE_FIND_MESSAGES:
        /* connd built the document (Evolution's findMessages page) */
        if (reply->result_case == WG__IPC__REPLY__RESULT_JSON && reply->json->json)
            doc = json_loads(reply->json->json, 0, NULL);
        break;
    case WG_ROUTE_WHATSAPP_NUMBERS:
    case WG_ROUTE_MARK_READ:
    case WG_ROUTE_SEND_PRESENCE:
    case WG_ROUTE_PROFILE_PICTURE:
    case WG_ROUTE_FIND_CONTACTS:
    case WG_ROUTE_FIND_CHATS:
        /* connd/chat built the document (evolution-api.md §3.2) */
        if (reply->result_case == WG__IPC__REPLY__RESULT_JSON && reply->json->json)
            doc = json_loads(reply->json->json, 0, NULL);
        status = route == WG_ROUTE_MARK_READ || route == WG_ROUTE_SEND_PRESENCE ? 201 : 200;
        break;
    default:
        break;
    }
    if (!doc) {
        wg_error_respond1(resp, a, 500, "connd sent a reply that does not fit this route");
        return WG_EPROTO;
    }
    wg_response_set_json(resp, status, doc, a);
    json_decref(doc);
    return WG_OK;
}

void wg_render_root(const char *scheme, const char *host, wg_arena_t *a, wg_response_t *resp)
{
    json_t *doc = json_object();
    set(doc, "status", json_integer(200));
    set(doc, "message", json_string("Welcome to wagate, an Evolution API compatible gateway. "
                                    "It is working!"));
    set(doc, "version", json_string(WAGATE_VERSION));
    set(doc, "clientName", json_string("wagate"));
    size_t n = strlen(scheme) + strlen(host ? host : "") + 16;
    char *manager = wg_arena_alloc(a, n);
    snprintf(manager, n, "%s://%s/manager", scheme, host ? host : "");
    set(doc, "manager", str_or_null(manager));
    set(doc, "documentation", json_string("https://doc.evolution-api.com"));
    wg_response_set_json(resp, 200, doc, a);
    json_decref(doc);
}
