/* JSON body validation and IPC request building (see validate.h).
 * Messages follow the jsonschema wording Evolution 2.3.6 returns, with the
 * leading "instance." removed (evolution-api.md §1). Where wagate is
 * stricter than Evolution (instance name rule, webhook URL scheme) the
 * message states the rule. Everything a request keeps is copied into the
 * arena before the parsed JSON is released. */
#include "validate.h"
#include "validate_chat.h"
#include "wg_events.h"
#include "wg_names.h"
#include "url.h"
#include "wg_err.h"
#include <ctype.h>
#include <stdio.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct {
    wg_arena_t *a;   /* where everything kept is allocated */
    wg_msgs_t *errs; /* messages of this request */
} ctx_t;

/* A message struct in the arena, initialised from its protobuf-c INIT. */
#define NEW(c, type, init) ((type *)arena_copy((c)->a, &(type)init, sizeof(type)))

static void *arena_copy(wg_arena_t *a, const void *src, size_t n)
{
    void *p = wg_arena_alloc(a, n);
    memcpy(p, src, n);
    return p;
}

/* "rejectCall" at the root, "webhook.enabled" inside webhook. */
static const char *prop_path(ctx_t *c, const char *parent, const char *key)
{
    if (!parent)
        return key;
    size_t n = strlen(parent) + strlen(key) + 2;
    char *s = wg_arena_alloc(c->a, n);
    snprintf(s, n, "%s.%s", parent, key);
    return s;
}

static void missing(ctx_t *c, const char *parent, const char *key)
{
    wg_msgs_add(c->errs, c->a, "%s requires property \"%s\"", parent ? parent : "instance", key);
}

static void wrong_type(ctx_t *c, const char *parent, const char *key, const char *type)
{
    wg_msgs_add(c->errs, c->a, "%s is not of a type(s) %s", prop_path(c, parent, key), type);
}

/* A boolean property. Returns 1 when present and valid (*val set). */
static int get_bool(ctx_t *c, json_t *obj, const char *parent, const char *key, int required,
                    protobuf_c_boolean *has, protobuf_c_boolean *val)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            missing(c, parent, key);
        return 0;
    }
    if (!json_is_boolean(v)) {
        wrong_type(c, parent, key, "boolean");
        return 0;
    }
    *val = json_is_true(v);
    if (has)
        *has = 1;
    return 1;
}

/* A string property copied into the arena. Returns it, or NULL when absent
 * or mistyped (a message is added when required or mistyped). */
static char *get_string(ctx_t *c, json_t *obj, const char *parent, const char *key, int required)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            missing(c, parent, key);
        return NULL;
    }
    if (!json_is_string(v)) {
        wrong_type(c, parent, key, "string");
        return NULL;
    }
    return wg_arena_strndup(c->a, json_string_value(v), json_string_length(v));
}

/* An object property; NULL when absent or mistyped. */
static json_t *get_object(ctx_t *c, json_t *obj, const char *parent, const char *key,
                          int required)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            missing(c, parent, key);
        return NULL;
    }
    if (!json_is_object(v)) {
        wrong_type(c, parent, key, "object");
        return NULL;
    }
    return v;
}

/* events[]: every item a known UPPER name. Evolution stores [] when the
 * config is disabled and all names when it is enabled with an empty list
 * (§3.4); an absent list with enabled:true crashes Evolution with a 500, we
 * treat it like the empty list. The list is expanded here so connd always
 * receives the effective subscription. */
static void get_events(ctx_t *c, json_t *obj, const char *parent, int enabled, size_t *n_out,
                       char ***out)
{
    *n_out = 0;
    *out = NULL;
    json_t *v = json_object_get(obj, "events");
    if (v && !json_is_array(v)) {
        wrong_type(c, parent, "events", "array");
        return;
    }
    size_t n = v ? json_array_size(v) : 0;
    const char *path = prop_path(c, parent, "events");
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(v, i);
        if (!json_is_string(item)) {
            wg_msgs_add(c->errs, c->a, "%s[%zu] is not of a type(s) string", path, i);
            ok = 0;
        } else if (!wg_event_name_known(json_string_value(item))) {
            wg_msgs_add(c->errs, c->a, "%s[%zu] is not one of enum values: %s", path, i,
                        wg_event_names_joined());
            ok = 0;
        }
    }
    if (!ok || !enabled)
        return;
    if (n == 0) {
        *out = wg_arena_alloc(c->a, wg_event_names_count * sizeof(char *));
        for (size_t i = 0; i < wg_event_names_count; i++)
            (*out)[i] = (char *)wg_event_names[i];
        *n_out = wg_event_names_count;
        return;
    }
    *out = wg_arena_alloc(c->a, n * sizeof(char *));
    for (size_t i = 0; i < n; i++)
        (*out)[i] = wg_arena_strdup(c->a, json_string_value(json_array_get(v, i)));
    *n_out = n;
}

static int is_http_url(const char *url)
{
    return strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0;
}

/* The webhook object of /webhook/set (enabled required) or of
 * /instance/create (presence means enabled unless it says otherwise). */
static Wg__Ipc__Webhook *parse_webhook(ctx_t *c, json_t *w, int enabled_required)
{
    Wg__Ipc__Webhook *hook = NEW(c, Wg__Ipc__Webhook, WG__IPC__WEBHOOK__INIT);
    hook->has_enabled = 1;
    hook->enabled = 1;
    get_bool(c, w, "webhook", "enabled", enabled_required, NULL, &hook->enabled);
    hook->url = get_string(c, w, "webhook", "url", 1);
    if (hook->url && !*hook->url)
        wg_msgs_add(c->errs, c->a, "The \"url\" cannot be empty");
    else if (hook->url && !is_http_url(hook->url))
        wg_msgs_add(c->errs, c->a, "The \"url\" must start with http:// or https://");
    json_t *headers = get_object(c, w, "webhook", "headers", 0);
    if (headers) {
        size_t n = json_dumpb(headers, NULL, 0, JSON_COMPACT);
        hook->headers_json = wg_arena_alloc(c->a, n + 1);
        json_dumpb(headers, hook->headers_json, n, JSON_COMPACT);
        hook->headers_json[n] = '\0';
    }
    get_bool(c, w, "webhook", "byEvents", 0, &hook->has_by_events, &hook->by_events);
    get_bool(c, w, "webhook", "base64", 0, &hook->has_base64, &hook->base64);
    hook->secret = get_string(c, w, "webhook", "secret", 0);
    get_events(c, w, "webhook", hook->enabled, &hook->n_events, &hook->events);
    return hook;
}

static Wg__Ipc__Websocket *parse_websocket(ctx_t *c, json_t *w, int enabled_required)
{
    Wg__Ipc__Websocket *ws = NEW(c, Wg__Ipc__Websocket, WG__IPC__WEBSOCKET__INIT);
    ws->has_enabled = 1;
    ws->enabled = 1;
    get_bool(c, w, "websocket", "enabled", enabled_required, NULL, &ws->enabled);
    get_events(c, w, "websocket", ws->enabled, &ws->n_events, &ws->events);
    return ws;
}

/* Settings fields at the root of a body (settings/set and create). */
static Wg__Ipc__Settings *parse_settings(ctx_t *c, json_t *body, int required)
{
    Wg__Ipc__Settings *s = NEW(c, Wg__Ipc__Settings, WG__IPC__SETTINGS__INIT);
    get_bool(c, body, NULL, "rejectCall", required, &s->has_reject_call, &s->reject_call);
    s->msg_call = get_string(c, body, NULL, "msgCall", 0);
    get_bool(c, body, NULL, "groupsIgnore", required, &s->has_groups_ignore, &s->groups_ignore);
    get_bool(c, body, NULL, "alwaysOnline", required, &s->has_always_online, &s->always_online);
    get_bool(c, body, NULL, "readMessages", required, &s->has_read_messages, &s->read_messages);
    get_bool(c, body, NULL, "readStatus", required, &s->has_read_status, &s->read_status);
    get_bool(c, body, NULL, "syncFullHistory", required, &s->has_sync_full_history,
             &s->sync_full_history);
    s->wavoip_token = get_string(c, body, NULL, "wavoipToken", 0);
    return s;
}

static int protocol_ok(ctx_t *c, const char *key, const char *protocol)
{
    if (!protocol || strcmp(protocol, "http") == 0 || strcmp(protocol, "socks") == 0)
        return 1;
    wg_msgs_add(c->errs, c->a, "%s is not one of enum values: http,socks", key);
    return 0;
}

int wg_validate_number(const char *number)
{
    /* \d+ then one of [.@\w-]; digits are \w, so two chars decide it */
    if (!number || !isdigit((unsigned char)number[0]))
        return 0;
    unsigned char next = (unsigned char)number[1];
    return next && (isalnum(next) || next == '_' || next == '.' || next == '@' || next == '-');
}

static void check_name(ctx_t *c, const char *name)
{
    if (!wg_instance_name_valid(name))
        wg_msgs_add(c->errs, c->a, "Invalid instance name \"%s\": %s", name ? name : "",
                    WG_INSTANCE_NAME_RULE);
}

static Wg__Ipc__CreateInstanceReq *parse_create(ctx_t *c, json_t *body)
{
    Wg__Ipc__CreateInstanceReq *req =
        NEW(c, Wg__Ipc__CreateInstanceReq, WG__IPC__CREATE_INSTANCE_REQ__INIT);
    req->name = get_string(c, body, NULL, "instanceName", 1);
    if (req->name)
        check_name(c, req->name);
    /* Evolution's schema misspells the key, so this is the controller's check */
    json_t *integration = json_object_get(body, "integration");
    const char *kind = json_is_string(integration) ? json_string_value(integration) : "";
    if (strcmp(kind, "WHATSAPP-BAILEYS") != 0 && strcmp(kind, "WHATSAPP-BUSINESS") != 0 &&
        strcmp(kind, "EVOLUTION") != 0)
        wg_msgs_add(c->errs, c->a, "Invalid integration");
    else
        req->integration = wg_arena_strdup(c->a, kind);
    req->token = get_string(c, body, NULL, "token", 0);
    if (req->token && !*req->token)
        req->token = NULL; /* "" means "generate one", as in Evolution */
    req->number = get_string(c, body, NULL, "number", 0);
    if (req->number && !wg_validate_number(req->number))
        wg_msgs_add(c->errs, c->a, "number does not match pattern \"^\\\\d+[\\\\.@\\\\w-]+\"");
    req->business_id = get_string(c, body, NULL, "businessId", 0);
    get_bool(c, body, NULL, "qrcode", 0, &req->has_qrcode, &req->qrcode);
    if (req->integration && strcmp(req->integration, "WHATSAPP-BUSINESS") == 0) {
        if (!req->token)
            wg_msgs_add(c->errs, c->a, "token is required");
        if (!req->number || !*req->number)
            wg_msgs_add(c->errs, c->a, "number is required");
    }
    req->settings = parse_settings(c, body, 0);

    /* Evolution only configures a proxy when host, port and protocol are all given */
    char *host = get_string(c, body, NULL, "proxyHost", 0);
    char *port = get_string(c, body, NULL, "proxyPort", 0);
    char *protocol = get_string(c, body, NULL, "proxyProtocol", 0);
    char *username = get_string(c, body, NULL, "proxyUsername", 0);
    char *password = get_string(c, body, NULL, "proxyPassword", 0);
    if (host && *host && port && *port && protocol && protocol_ok(c, "proxyProtocol", protocol)) {
        Wg__Ipc__Proxy *p = NEW(c, Wg__Ipc__Proxy, WG__IPC__PROXY__INIT);
        p->has_enabled = 1;
        p->enabled = 1;
        p->host = host;
        p->port = port;
        p->protocol = protocol;
        p->username = username;
        p->password = password;
        req->proxy = p;
    }

    json_t *w = get_object(c, body, NULL, "webhook", 0);
    if (w)
        req->webhook = parse_webhook(c, w, 0);
    json_t *ws = get_object(c, body, NULL, "websocket", 0);
    if (ws)
        req->websocket = parse_websocket(c, ws, 0);
    return req;
}

static Wg__Ipc__Proxy *parse_proxy(ctx_t *c, json_t *body)
{
    Wg__Ipc__Proxy *p = NEW(c, Wg__Ipc__Proxy, WG__IPC__PROXY__INIT);
    get_bool(c, body, NULL, "enabled", 1, &p->has_enabled, &p->enabled);
    p->host = get_string(c, body, NULL, "host", 1);
    p->port = get_string(c, body, NULL, "port", 1);
    p->protocol = get_string(c, body, NULL, "protocol", 1);
    protocol_ok(c, "protocol", p->protocol);
    p->username = get_string(c, body, NULL, "username", 0);
    p->password = get_string(c, body, NULL, "password", 0);
    return p;
}

/* A non-negative integer property (Evolution's numbers). 1 when present
 * and valid. */
static int get_uint(ctx_t *c, json_t *obj, const char *parent, const char *key, uint32_t max,
                    uint32_t *val)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > (json_int_t)max) {
        wrong_type(c, parent, key, "integer");
        return 0;
    }
    *val = (uint32_t)json_integer_value(v);
    return 1;
}

static void parse_send_options(ctx_t *c, json_t *doc, Wg__Ipc__SendTextReq *r);

/* POST /message/sendText (evolution-api.md §3.1). */
static Wg__Ipc__SendTextReq *parse_send_text(ctx_t *c, json_t *doc)
{
    Wg__Ipc__SendTextReq *r = NEW(c, Wg__Ipc__SendTextReq, WG__IPC__SEND_TEXT_REQ__INIT);
    r->number = get_string(c, doc, NULL, "number", 1);
    r->text = get_string(c, doc, NULL, "text", 1);
    if (r->number && !*r->number)
        wg_msgs_add(c->errs, c->a, "number is required");
    if (r->text) {
        const char *t = r->text;
        while (*t && isspace((unsigned char)*t))
            t++;
        if (!*t)
            wg_msgs_add(c->errs, c->a, "Text is required");
    }
    r->has_delay_ms = get_uint(c, doc, NULL, "delay", 3600000, &r->delay_ms);
    json_t *quoted = get_object(c, doc, NULL, "quoted", 0);
    if (quoted) {
        json_t *key = get_object(c, quoted, "quoted", "key", 1);
        if (key) {
            r->quoted_id = get_string(c, key, "quoted.key", "id", 1);
            r->quoted_remote_jid = get_string(c, key, "quoted.key", "remoteJid", 0);
            get_bool(c, key, "quoted.key", "fromMe", 0, &r->has_quoted_from_me,
                     &r->quoted_from_me);
        }
        json_t *msg = get_object(c, quoted, "quoted", "message", 0);
        if (msg)
            r->quoted_text = get_string(c, msg, "quoted.message", "conversation", 0);
    }
    parse_send_options(c, doc, r);
    return r;
}

/* sendText's mentioned / mentionsEveryOne / linkPreview (§3.1). */
static void parse_send_options(ctx_t *c, json_t *doc, Wg__Ipc__SendTextReq *r)
{
    get_bool(c, doc, NULL, "mentionsEveryOne", 0, &r->has_mentions_every_one,
             &r->mentions_every_one);
    get_bool(c, doc, NULL, "linkPreview", 0, &r->has_link_preview, &r->link_preview);
    json_t *m = json_object_get(doc, "mentioned");
    if (!m || json_is_null(m))
        return;
    if (!json_is_array(m) || json_array_size(m) > 1024) {
        wrong_type(c, NULL, "mentioned", "array");
        return;
    }
    r->n_mentioned = json_array_size(m);
    r->mentioned = wg_arena_alloc(c->a, (r->n_mentioned ? r->n_mentioned : 1) * sizeof(char *));
    for (size_t i = 0; i < r->n_mentioned; i++) {
        json_t *v = json_array_get(m, i);
        if (!json_is_string(v) || !json_string_length(v)) {
            wg_msgs_add(c->errs, c->a, "mentioned[%zu] is not of a type(s) string", i);
            r->n_mentioned = i;
            return;
        }
        r->mentioned[i] = wg_arena_strndup(c->a, json_string_value(v), json_string_length(v));
    }
}

/* A message key {id, remoteJid, fromMe} (+ participant) under parent, or
 * the body itself when key_name is NULL (deleteMessageForEveryone). */
static Wg__Ipc__MessageKeyReq *parse_key(ctx_t *c, json_t *doc, const char *key_name)
{
    json_t *k = key_name ? get_object(c, doc, NULL, key_name, 1) : doc;
    if (!k)
        return NULL;
    Wg__Ipc__MessageKeyReq *r = NEW(c, Wg__Ipc__MessageKeyReq, WG__IPC__MESSAGE_KEY_REQ__INIT);
    r->id = get_string(c, k, key_name, "id", 1);
    r->remote_jid = get_string(c, k, key_name, "remoteJid", 1);
    get_bool(c, k, key_name, "fromMe", 1, &r->has_from_me, &r->from_me);
    r->participant = get_string(c, k, key_name, "participant", 0);
    if (r->id && !*r->id)
        wg_msgs_add(c->errs, c->a, "%s is required", prop_path(c, key_name, "id"));
    if (r->remote_jid && !*r->remote_jid)
        wg_msgs_add(c->errs, c->a, "%s is required", prop_path(c, key_name, "remoteJid"));
    return r;
}

int wg_validate_time(json_t *v, int64_t *out)
{
    if (!v || json_is_null(v))
        return 0;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        int64_t n = json_integer_value(v);
        *out = n > 100000000000LL ? n / 1000 : n;
        return 1;
    }
    if (json_is_string(v)) {
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        const char *s = json_string_value(v);
        const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
        if (!end) {
            memset(&tm, 0, sizeof tm);
            end = strptime(s, "%Y-%m-%d", &tm);
        }
        if (end && *end == '.')
            for (end++; isdigit((unsigned char)*end); end++)
                ;
        if (end && (*end == '\0' || strcmp(end, "Z") == 0)) {
            *out = (int64_t)timegm(&tm);
            return 1;
        }
    }
    return -1;
}

/* A findMessages time bound (wg_validate_time); 1 when valid. */
static int get_time(ctx_t *c, json_t *obj, const char *parent, const char *key, int64_t *out)
{
    int rc = wg_validate_time(json_object_get(obj, key), out);
    if (rc < 0)
        wrong_type(c, parent, key, "date");
    return rc > 0;
}

/* POST /chat/findMessages (evolution-api.md §3.2). */
static Wg__Ipc__FindMessagesReq *parse_find_messages(ctx_t *c, json_t *doc)
{
    Wg__Ipc__FindMessagesReq *r = NEW(c, Wg__Ipc__FindMessagesReq, WG__IPC__FIND_MESSAGES_REQ__INIT);
    json_t *where = get_object(c, doc, NULL, "where", 0);
    if (where) {
        r->id = get_string(c, where, "where", "id", 0);
        r->message_type = get_string(c, where, "where", "messageType", 0);
        json_t *ts = get_object(c, where, "where", "messageTimestamp", 0);
        if (ts) {
            r->has_ts_gte = get_time(c, ts, "where.messageTimestamp", "gte", &r->ts_gte);
            r->has_ts_lte = get_time(c, ts, "where.messageTimestamp", "lte", &r->ts_lte);
        }
        json_t *key = get_object(c, where, "where", "key", 0);
        if (key) {
            r->key_id = get_string(c, key, "where.key", "id", 0);
            r->remote_jid = get_string(c, key, "where.key", "remoteJid", 0);
            r->participant = get_string(c, key, "where.key", "participant", 0);
            get_bool(c, key, "where.key", "fromMe", 0, &r->has_from_me, &r->from_me);
        }
    }
    r->has_page_size = get_uint(c, doc, NULL, "offset", 1000000, &r->page_size);
    r->has_page = get_uint(c, doc, NULL, "page", 1000000, &r->page);
    return r;
}

/* Parses the body; an empty (or all-blank) body counts as {} like Express. */
static json_t *parse_body(ctx_t *c, const char *body, size_t len)
{
    size_t i = 0;
    while (body && i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' ||
                               body[i] == '\n'))
        i++;
    if (!body || i == len)
        return json_object();
    json_error_t jerr;
    json_t *doc = json_loadb(body, len, JSON_DECODE_ANY, &jerr);
    if (!doc) {
        wg_msgs_add(c->errs, c->a, "Malformed JSON body: %s (line %d, column %d)", jerr.text,
                    jerr.line, jerr.column);
        return NULL;
    }
    if (!json_is_object(doc)) {
        wg_msgs_add(c->errs, c->a, "instance is not of a type(s) object");
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static char *query_value(ctx_t *c, const char *query, const char *key)
{
    const char *v = wg_query_get(c->a, query, key);
    return v && *v ? (char *)v : NULL; /* ?instanceName= filters nothing, as in Evolution */
}

int wg_validate_request(wg_route_id_t route, const char *name, const char *query,
                        const char *body, size_t body_len, wg_arena_t *a,
                        Wg__Ipc__Request *out, wg_msgs_t *errs)
{
    ctx_t ctx = {a, errs};
    ctx_t *c = &ctx;
    size_t errs_before = errs->n;
    json_t *doc = NULL;
    if (wg_route_has_name(route)) {
        check_name(c, name);
        out->instance_name = name ? wg_arena_strdup(a, name) : NULL;
    }
    switch (route) {
    case WG_ROUTE_INSTANCE_CREATE:
        if (!(doc = parse_body(c, body, body_len)))
            break;
        out->op_case = WG__IPC__REQUEST__OP_CREATE_INSTANCE;
        out->create_instance = parse_create(c, doc);
        out->instance_name = out->create_instance->name;
        break;
    case WG_ROUTE_FETCH_INSTANCES: {
        Wg__Ipc__FetchInstancesReq *f =
            NEW(c, Wg__Ipc__FetchInstancesReq, WG__IPC__FETCH_INSTANCES_REQ__INIT);
        f->instance_name = query_value(c, query, "instanceName");
        f->instance_id = query_value(c, query, "instanceId");
        f->number = query_value(c, query, "number");
        out->op_case = WG__IPC__REQUEST__OP_FETCH_INSTANCES;
        out->fetch_instances = f;
        break;
    }
    case WG_ROUTE_CONNECTION_STATE:
        out->op_case = WG__IPC__REQUEST__OP_CONNECTION_STATE;
        out->connection_state =
            NEW(c, Wg__Ipc__ConnectionStateReq, WG__IPC__CONNECTION_STATE_REQ__INIT);
        break;
    case WG_ROUTE_LOGOUT:
        out->op_case = WG__IPC__REQUEST__OP_LOGOUT;
        out->logout = NEW(c, Wg__Ipc__LogoutReq, WG__IPC__LOGOUT_REQ__INIT);
        break;
    case WG_ROUTE_CONNECT: {
        Wg__Ipc__ConnectReq *cr = NEW(c, Wg__Ipc__ConnectReq, WG__IPC__CONNECT_REQ__INIT);
        cr->number = query_value(c, query, "number");
        if (cr->number && !wg_validate_number(cr->number))
            wg_msgs_add(c->errs, c->a, "number does not match pattern \"^\\\\d+[\\\\.@\\\\w-]+\"");
        out->op_case = WG__IPC__REQUEST__OP_CONNECT;
        out->connect = cr;
        break;
    }
    case WG_ROUTE_RESTART:
        out->op_case = WG__IPC__REQUEST__OP_RESTART;
        out->restart = NEW(c, Wg__Ipc__RestartReq, WG__IPC__RESTART_REQ__INIT);
        break;
    case WG_ROUTE_SET_PRESENCE: {
        if (!(doc = parse_body(c, body, body_len)))
            break;
        static const char *const allowed[] = {"unavailable", "available", "composing",
                                              "recording", "paused"};
        char *presence = get_string(c, doc, NULL, "presence", 1);
        if (!presence)
            break;
        int ok = 0;
        for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
            ok |= strcmp(presence, allowed[i]) == 0;
        if (!ok) {
            wg_msgs_add(c->errs, c->a,
                        "presence is not one of enum values: unavailable,available,composing,"
                        "recording,paused");
            break;
        }
        Wg__Ipc__SetPresenceReq *sp =
            NEW(c, Wg__Ipc__SetPresenceReq, WG__IPC__SET_PRESENCE_REQ__INIT);
        sp->presence = presence;
        out->op_case = WG__IPC__REQUEST__OP_SET_PRESENCE;
        out->set_presence = sp;
        break;
    }
    case WG_ROUTE_SEND_TEXT:
        if (!(doc = parse_body(c, body, body_len)))
            break;
        out->op_case = WG__IPC__REQUEST__OP_SEND_TEXT;
        out->send_text = parse_send_text(c, doc);
        break;
    case WG_ROUTE_FIND_MESSAGES:
        if (!(doc = parse_body(c, body, body_len)))
            break;
        out->op_case = WG__IPC__REQUEST__OP_FIND_MESSAGES;
        out->find_messages = parse_find_messages(c, doc);
        break;
    case WG_ROUTE_SEND_REACTION: {
        if (!(doc = parse_body(c, body, body_len)))
            break;
        Wg__Ipc__SendReactionReq *r =
            NEW(c, Wg__Ipc__SendReactionReq, WG__IPC__SEND_REACTION_REQ__INIT);
        r->key = parse_key(c, doc, "key");
        r->reaction = get_string(c, doc, NULL, "reaction", 1);
        out->op_case = WG__IPC__REQUEST__OP_SEND_REACTION;
        out->send_reaction = r;
        break;
    }
    case WG_ROUTE_DELETE_FOR_EVERYONE: {
        if (!(doc = parse_body(c, body, body_len)))
            break;
        Wg__Ipc__DeleteForEveryoneReq *r =
            NEW(c, Wg__Ipc__DeleteForEveryoneReq, WG__IPC__DELETE_FOR_EVERYONE_REQ__INIT);
        r->key = parse_key(c, doc, NULL);
        out->op_case = WG__IPC__REQUEST__OP_DELETE_FOR_EVERYONE;
        out->delete_for_everyone = r;
        break;
    }
    case WG_ROUTE_UPDATE_MESSAGE: {
        if (!(doc = parse_body(c, body, body_len)))
            break;
        Wg__Ipc__UpdateMessageReq *r =
            NEW(c, Wg__Ipc__UpdateMessageReq, WG__IPC__UPDATE_MESSAGE_REQ__INIT);
        r->number = get_string(c, doc, NULL, "number", 1);
        r->key = parse_key(c, doc, "key");
        r->text = get_string(c, doc, NULL, "text", 1);
        if (r->number && !*r->number)
            wg_msgs_add(c->errs, c->a, "number is required");
        if (r->text && !*r->text)
            wg_msgs_add(c->errs, c->a, "Text is required");
        out->op_case = WG__IPC__REQUEST__OP_UPDATE_MESSAGE;
        out->update_message = r;
        break;
    }
    case WG_ROUTE_DELETE:
        out->op_case = WG__IPC__REQUEST__OP_DELETE_INSTANCE;
        out->delete_instance = NEW(c, Wg__Ipc__DeleteReq, WG__IPC__DELETE_REQ__INIT);
        break;
    case WG_ROUTE_SETTINGS_SET: {
        if (!(doc = parse_body(c, body, body_len)))
            break;
        Wg__Ipc__SettingsSetReq *s =
            NEW(c, Wg__Ipc__SettingsSetReq, WG__IPC__SETTINGS_SET_REQ__INIT);
        s->settings = parse_settings(c, doc, 1);
        out->op_case = WG__IPC__REQUEST__OP_SETTINGS_SET;
        out->settings_set = s;
        break;
    }
    case WG_ROUTE_SETTINGS_FIND:
        out->op_case = WG__IPC__REQUEST__OP_SETTINGS_FIND;
        out->settings_find = NEW(c, Wg__Ipc__SettingsFindReq, WG__IPC__SETTINGS_FIND_REQ__INIT);
        break;
    case WG_ROUTE_WEBHOOK_SET: {
        if (!(doc = parse_body(c, body, body_len)))
            break;
        json_t *w = get_object(c, doc, NULL, "webhook", 1);
        if (!w)
            break;
        Wg__Ipc__WebhookSetReq *s = NEW(c, Wg__Ipc__WebhookSetReq, WG__IPC__WEBHOOK_SET_REQ__INIT);
        s->webhook = parse_webhook(c, w, 1);
        out->op_case = WG__IPC__REQUEST__OP_WEBHOOK_SET;
        out->webhook_set = s;
        break;
    }
    case WG_ROUTE_WEBHOOK_FIND:
        out->op_case = WG__IPC__REQUEST__OP_WEBHOOK_FIND;
        out->webhook_find = NEW(c, Wg__Ipc__WebhookFindReq, WG__IPC__WEBHOOK_FIND_REQ__INIT);
        break;
    case WG_ROUTE_WEBSOCKET_SET: {
        if (!(doc = parse_body(c, body, body_len)))
            break;
        json_t *w = get_object(c, doc, NULL, "websocket", 1);
        if (!w)
            break;
        Wg__Ipc__WebsocketSetReq *s =
            NEW(c, Wg__Ipc__WebsocketSetReq, WG__IPC__WEBSOCKET_SET_REQ__INIT);
        s->websocket = parse_websocket(c, w, 1);
        out->op_case = WG__IPC__REQUEST__OP_WEBSOCKET_SET;
        out->websocket_set = s;
        break;
    }
    case WG_ROUTE_WEBSOCKET_FIND:
        out->op_case = WG__IPC__REQUEST__OP_WEBSOCKET_FIND;
        out->websocket_find =
            NEW(c, Wg__Ipc__WebsocketFindReq, WG__IPC__WEBSOCKET_FIND_REQ__INIT);
        break;
    case WG_ROUTE_PROXY_SET: {
        if (!(doc = parse_body(c, body, body_len)))
            break;
        Wg__Ipc__ProxySetReq *s = NEW(c, Wg__Ipc__ProxySetReq, WG__IPC__PROXY_SET_REQ__INIT);
        s->proxy = parse_proxy(c, doc);
        out->op_case = WG__IPC__REQUEST__OP_PROXY_SET;
        out->proxy_set = s;
        break;
    }
    case WG_ROUTE_PROXY_FIND:
        out->op_case = WG__IPC__REQUEST__OP_PROXY_FIND;
        out->proxy_find = NEW(c, Wg__Ipc__ProxyFindReq, WG__IPC__PROXY_FIND_REQ__INIT);
        break;
    case WG_ROUTE_WEBHOOK_FAILED: {
        Wg__Ipc__WebhookFailedReq *f =
            NEW(c, Wg__Ipc__WebhookFailedReq, WG__IPC__WEBHOOK_FAILED_REQ__INIT);
        const char *limit = query_value(c, query, "limit");
        if (limit) {
            char *end;
            long n = strtol(limit, &end, 10);
            if (*end || n < 1 || n > 1000)
                wg_msgs_add(errs, a, "limit must be a whole number from 1 to 1000");
            else
                f->has_limit = 1, f->limit = (uint32_t)n;
        }
        out->op_case = WG__IPC__REQUEST__OP_WEBHOOK_FAILED;
        out->webhook_failed = f;
        break;
    }
    case WG_ROUTE_WEBHOOK_RETRY: {
        /* {} or an empty body: every failed delivery; {"ids": [...]}: those */
        if (!(doc = parse_body(c, body, body_len)))
            break;
        Wg__Ipc__WebhookRetryReq *r =
            NEW(c, Wg__Ipc__WebhookRetryReq, WG__IPC__WEBHOOK_RETRY_REQ__INIT);
        json_t *ids = json_object_get(doc, "ids");
        if (ids && !json_is_array(ids)) {
            wrong_type(c, NULL, "ids", "array");
        } else if (ids) {
            r->ids = wg_arena_alloc(a, (json_array_size(ids) + 1) * sizeof *r->ids);
            size_t i;
            json_t *id;
            json_array_foreach(ids, i, id) {
                if (!json_is_string(id)) {
                    wg_msgs_add(errs, a, "ids[%zu] is not of a type(s) string", i);
                    break;
                }
                r->ids[r->n_ids++] = (char *)arena_copy(a, json_string_value(id),
                                                        strlen(json_string_value(id)) + 1);
            }
        }
        out->op_case = WG__IPC__REQUEST__OP_WEBHOOK_RETRY;
        out->webhook_retry = r;
        break;
    }
    default:
        if (wg_validate_chat_route(route)) {
            if ((doc = parse_body(c, body, body_len)))
                wg_validate_chat(route, doc, a, out, errs);
            break;
        }
        wg_msgs_add(errs, a, "This route takes no operation");
        break;
    }
    json_decref(doc);
    if (errs->n > errs_before)
        return WG_EINVAL;
    return out->op_case == WG__IPC__REQUEST__OP__NOT_SET ? WG_EINVAL : WG_OK;
}
