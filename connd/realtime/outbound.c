/* sendText / sendNode over Socket.IO (see outbound.h). */
#include "realtime/outbound.h"
#include "message/json_text.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static wg_outbound_ops_t g_ops;   /* the WhatsApp layer's implementation */
static int g_ops_set;             /* g_ops is valid */

void wg_outbound_register(const wg_outbound_ops_t *ops)
{
    g_ops_set = ops != NULL;
    if (ops)
        g_ops = *ops;
    else
        memset(&g_ops, 0, sizeof g_ops);
}

int wg_outbound_is_request(const char *event)
{
    return event && (strcmp(event, "sendText") == 0 || strcmp(event, "sendNode") == 0);
}

static void reply_json(wg_outbound_reply_fn reply, void *ud, json_t *obj)
{
    json_t *args = json_pack("[o]", obj);
    char *text = json_dumps(args, JSON_COMPACT);
    json_decref(args);
    reply(ud, text ? text : "[{\"ok\":false}]");
    free(text);
}

static void reply_error(wg_outbound_reply_fn reply, void *ud, const char *code, const char *fmt,
                        ...) __attribute__((format(printf, 4, 5)));

static void reply_error(wg_outbound_reply_fn reply, void *ud, const char *code, const char *fmt,
                        ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    reply_json(reply, ud,
               json_pack("{s:b,s:{s:s,s:s}}", "ok", 0, "error", "code", code, "message", msg));
}

typedef struct {
    wg_outbound_reply_fn reply; /* caller's reply */
    void *reply_ud;             /* its argument */
    char event[16];             /* for the log line */
    char instance[80];          /* for the log line */
} pending_t;

static void on_done(void *done_ud, int rc, const json_t *result, const char *error)
{
    pending_t *p = done_ud;
    if (rc == WG_OK) {
        /* [{"ok":true,"result":...}] around the result's one serialization,
         * without building the wrapper documents; on the stack when it fits */
        static const char head[] = "[{\"ok\":true,\"result\":", tail[] = "}]";
        enum { HEAD = sizeof head - 1, TAIL = sizeof tail };
        char stack[4096], *text = stack, *heap = NULL;
        size_t room = sizeof stack - HEAD - TAIL;
        size_t n = result ? wg_json_write(result, stack + HEAD, room) : 0;
        if (n > room) { /* the encoder says how much it needs */
            heap = text = wg_malloc(HEAD + n + TAIL);
            n = wg_json_write(result, text + HEAD, n);
        }
        if (n == 0) {
            memcpy(text + HEAD, "null", 4);
            n = 4;
        }
        memcpy(text, head, HEAD);
        memcpy(text + HEAD + n, tail, TAIL);
        p->reply(p->reply_ud, text);
        free(heap);
    } else {
        wg_log(WG_LOG_INFO, "msg=\"socket request failed\" event=%s instance=%s err=\"%s\"",
               p->event, p->instance, wg_strerror(rc));
        reply_error(p->reply, p->reply_ud, "send_failed", "%s",
                    error && *error ? error : wg_strerror(rc));
    }
    free(p);
}

/* stanza: {tag: non-empty string, attrs?: {k: string}, content?: string |
 * array of stanzas | null}; depth-limited. */
static int stanza_valid(const json_t *st, int depth)
{
    if (depth > 16 || !json_is_object(st))
        return 0;
    const char *tag = json_string_value(json_object_get(st, "tag"));
    if (!tag || !*tag)
        return 0;
    const json_t *attrs = json_object_get(st, "attrs");
    if (attrs && !json_is_null(attrs)) {
        if (!json_is_object(attrs))
            return 0;
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)attrs, k, v) if (!json_is_string(v)) return 0;
    }
    const json_t *content = json_object_get(st, "content");
    if (content && json_is_array(content)) {
        size_t i;
        const json_t *child;
        json_array_foreach(content, i, child) if (!stanza_valid(child, depth + 1)) return 0;
    } else if (content && !json_is_null(content) && !json_is_string(content)) {
        return 0;
    }
    return 1;
}

static int names_instance(const wg_instance_t *inst, const char *name)
{
    return strcmp(inst->row->name, name) == 0 || strcmp(inst->row->id, name) == 0;
}

void wg_outbound_handle(wg_connd_t *d, const char *event, const json_t *data, wg_instance_t *bound,
                        wg_outbound_reply_fn reply, void *reply_ud)
{
    const json_t *req = json_array_get(data, 1);
    int is_text = strcmp(event, "sendText") == 0;
    if (!json_is_object(req)) {
        reply_error(reply, reply_ud, "bad_request", "%s takes one object: %s", event,
                    is_text ? "{number, text}" : "{instanceId, stanza:{tag, attrs, content}}");
        return;
    }
    const char *name = json_string_value(json_object_get(req, "instanceId"));
    if (!name)
        name = json_string_value(json_object_get(req, "instance"));
    wg_instance_t *inst = bound;
    if (bound && name && !names_instance(bound, name)) {
        reply_error(reply, reply_ud, "wrong_instance",
                    "this connection may only act for instance %s", bound->row->name);
        return;
    }
    if (!bound) {
        if (!name || !*name) {
            reply_error(reply, reply_ud, "bad_request",
                        "%s on this namespace needs instanceId (the instance name)", event);
            return;
        }
        inst = wg_registry_find(d->reg, name);
        if (!inst)
            inst = wg_registry_find_id(d->reg, name);
        if (!inst || !inst->committed || inst->deleting) {
            reply_error(reply, reply_ud, "not_found", "instance %s does not exist", name);
            return;
        }
    }
    const char *number = NULL, *text = NULL;
    const json_t *stanza = NULL;
    if (is_text) {
        number = json_string_value(json_object_get(req, "number"));
        text = json_string_value(json_object_get(req, "text"));
        if (!number || !*number || !text || !*text) {
            reply_error(reply, reply_ud, "bad_request", "sendText needs {number, text} strings");
            return;
        }
    } else {
        stanza = json_object_get(req, "stanza");
        if (!stanza_valid(stanza, 0)) {
            reply_error(reply, reply_ud, "bad_request",
                        "sendNode needs stanza:{tag: string, attrs: {string: string}, content: "
                        "string | [stanza] | null}");
            return;
        }
    }
    const char *state = inst->row->connection_status;
    int has_impl = g_ops_set && (is_text ? g_ops.send_text != NULL : g_ops.send_node != NULL);
    if (strcmp(state, "open") != 0 || !has_impl) {
        reply_error(reply, reply_ud, "not_open",
                    "instance %s is not open (connection state: %s); connect it first",
                    inst->row->name, strcmp(state, "open") == 0 ? "no WhatsApp link" : state);
        return;
    }
    pending_t *p = wg_calloc(1, sizeof *p);
    p->reply = reply;
    p->reply_ud = reply_ud;
    snprintf(p->event, sizeof p->event, "%s", event);
    snprintf(p->instance, sizeof p->instance, "%s", inst->row->name);
    int rc = is_text ? g_ops.send_text(g_ops.impl, d, inst, number, text, on_done, p)
                     : g_ops.send_node(g_ops.impl, d, inst, stanza, on_done, p);
    if (rc != WG_OK) {
        reply_error(reply, reply_ud, "send_failed", "%s", wg_strerror(rc));
        free(p);
    }
}
