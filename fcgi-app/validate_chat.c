/* Chat route bodies (see validate_chat.h). The wording is jsonschema's as
 * Evolution 2.3.6 returns it (evolution-api.md §1 "Validation"): `instance
 * requires property "numbers"`, `readMessages[0] requires property "id"`,
 * `delay is not of a type(s) integer`. Unknown properties are ignored. */
#include "validate_chat.h"
#include "validate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct {
    wg_arena_t *a;   /* where kept values live */
    wg_msgs_t *errs; /* this request's messages */
} ctx_t;

static void *arena_init(wg_arena_t *a, const void *init, size_t n)
{
    void *p = wg_arena_alloc(a, n);
    memcpy(p, init, n);
    return p;
}
#define NEW(c, type, init) ((type *)arena_init((c)->a, &(type)init, sizeof(type)))

static const char *where_of(const char *parent)
{
    return parent ? parent : "instance";
}

/* A string property; NULL when absent or not a string (message added when
 * required or mistyped). */
static char *str_prop(ctx_t *c, json_t *obj, const char *parent, const char *key, int required)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            wg_msgs_add(c->errs, c->a, "%s requires property \"%s\"", where_of(parent), key);
        return NULL;
    }
    if (!json_is_string(v)) {
        wg_msgs_add(c->errs, c->a, "%s%s%s is not of a type(s) string", parent ? parent : "",
                    parent ? "." : "", key);
        return NULL;
    }
    return wg_arena_strndup(c->a, json_string_value(v), json_string_length(v));
}

/* A non-negative integer property up to max; 1 when present and valid. */
static int uint_prop(ctx_t *c, json_t *obj, const char *key, int required, uint32_t max,
                     uint32_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            wg_msgs_add(c->errs, c->a, "instance requires property \"%s\"", key);
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > (json_int_t)max) {
        wg_msgs_add(c->errs, c->a, "%s is not of a type(s) integer", key);
        return 0;
    }
    *out = (uint32_t)json_integer_value(v);
    return 1;
}

/* Evolution's number check for these routes: digits (with + ( ) - and
 * spaces) or a JID; anything else is "Invalid format" before connd. */
static int number_ok(const char *n)
{
    if (!n || !*n)
        return 0;
    if (strchr(n, '@'))
        return n[0] != '@';
    int digits = 0;
    for (const char *p = n; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (!strchr("+()- ", *p))
            return 0;
    }
    return digits > 0;
}

static char *number_prop(ctx_t *c, json_t *doc)
{
    char *n = str_prop(c, doc, NULL, "number", 1);
    if (n && !number_ok(n)) {
        wg_msgs_add(c->errs, c->a, "Invalid format");
        return NULL;
    }
    return n;
}

static void whatsapp_numbers(ctx_t *c, json_t *doc, Wg__Ipc__Request *out)
{
    json_t *list = json_object_get(doc, "numbers");
    if (!list) {
        wg_msgs_add(c->errs, c->a, "instance requires property \"numbers\"");
        return;
    }
    if (!json_is_array(list)) {
        wg_msgs_add(c->errs, c->a, "numbers is not of a type(s) array");
        return;
    }
    size_t n = json_array_size(list);
    if (n == 0) {
        wg_msgs_add(c->errs, c->a, "numbers does not meet minimum length of 1");
        return;
    }
    if (n > 256) {
        wg_msgs_add(c->errs, c->a, "numbers has more items than the allowed 256");
        return;
    }
    Wg__Ipc__WhatsappNumbersReq *r =
        NEW(c, Wg__Ipc__WhatsappNumbersReq, WG__IPC__WHATSAPP_NUMBERS_REQ__INIT);
    r->numbers = wg_arena_alloc(c->a, n * sizeof *r->numbers);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(list, i);
        if (!json_is_string(v)) {
            wg_msgs_add(c->errs, c->a, "numbers[%zu] is not of a type(s) string", i);
            continue;
        }
        r->numbers[r->n_numbers++] =
            wg_arena_strndup(c->a, json_string_value(v), json_string_length(v));
    }
    out->op_case = WG__IPC__REQUEST__OP_WHATSAPP_NUMBERS;
    out->whatsapp_numbers = r;
}

static void mark_read(ctx_t *c, json_t *doc, Wg__Ipc__Request *out)
{
    json_t *list = json_object_get(doc, "readMessages");
    if (!list) {
        wg_msgs_add(c->errs, c->a, "instance requires property \"readMessages\"");
        return;
    }
    if (!json_is_array(list)) {
        wg_msgs_add(c->errs, c->a, "readMessages is not of a type(s) array");
        return;
    }
    size_t n = json_array_size(list);
    if (n > 1000) {
        wg_msgs_add(c->errs, c->a, "readMessages has more items than the allowed 1000");
        return;
    }
    Wg__Ipc__MarkReadReq *r = NEW(c, Wg__Ipc__MarkReadReq, WG__IPC__MARK_READ_REQ__INIT);
    r->messages = wg_arena_alloc(c->a, (n ? n : 1) * sizeof *r->messages);
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(list, i);
        char parent[32];
        snprintf(parent, sizeof parent, "readMessages[%zu]", i);
        if (!json_is_object(item)) {
            wg_msgs_add(c->errs, c->a, "%s is not of a type(s) object", parent);
            continue;
        }
        Wg__Ipc__ReadMessageKey *k =
            NEW(c, Wg__Ipc__ReadMessageKey, WG__IPC__READ_MESSAGE_KEY__INIT);
        k->id = str_prop(c, item, parent, "id", 1);
        k->remote_jid = str_prop(c, item, parent, "remoteJid", 1);
        k->participant = str_prop(c, item, parent, "participant", 0);
        json_t *fm = json_object_get(item, "fromMe");
        if (!fm)
            wg_msgs_add(c->errs, c->a, "%s requires property \"fromMe\"", parent);
        else if (!json_is_boolean(fm))
            wg_msgs_add(c->errs, c->a, "%s.fromMe is not of a type(s) boolean", parent);
        else
            k->from_me = json_is_true(fm);
        if (k->id && !*k->id)
            wg_msgs_add(c->errs, c->a, "%s.id cannot be empty", parent);
        if (k->remote_jid && !strchr(k->remote_jid, '@'))
            wg_msgs_add(c->errs, c->a, "%s.remoteJid must be a JID (user@server)", parent);
        if (k->id && *k->id && k->remote_jid && strchr(k->remote_jid, '@') && fm &&
            json_is_boolean(fm))
            r->messages[r->n_messages++] = k;
    }
    out->op_case = WG__IPC__REQUEST__OP_MARK_READ;
    out->mark_read = r;
}

static void send_presence(ctx_t *c, json_t *doc, Wg__Ipc__Request *out)
{
    static const char *const allowed[] = {"unavailable", "available", "composing", "recording",
                                          "paused"};
    Wg__Ipc__SendPresenceReq *r =
        NEW(c, Wg__Ipc__SendPresenceReq, WG__IPC__SEND_PRESENCE_REQ__INIT);
    r->number = number_prop(c, doc);
    r->presence = str_prop(c, doc, NULL, "presence", 1);
    if (r->presence) {
        int ok = 0;
        for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
            ok |= strcmp(r->presence, allowed[i]) == 0;
        if (!ok)
            wg_msgs_add(c->errs, c->a,
                        "presence is not one of enum values: unavailable,"
                        "available,composing,recording,paused");
    }
    r->has_delay_ms = uint_prop(c, doc, "delay", 1, 3600000, &r->delay_ms);
    out->op_case = WG__IPC__REQUEST__OP_SEND_PRESENCE;
    out->send_presence = r;
}

static void profile_picture(ctx_t *c, json_t *doc, Wg__Ipc__Request *out)
{
    Wg__Ipc__ProfilePictureReq *r =
        NEW(c, Wg__Ipc__ProfilePictureReq, WG__IPC__PROFILE_PICTURE_REQ__INIT);
    r->number = number_prop(c, doc);
    out->op_case = WG__IPC__REQUEST__OP_PROFILE_PICTURE;
    out->profile_picture = r;
}

static json_t *where_of_doc(ctx_t *c, json_t *doc)
{
    json_t *w = json_object_get(doc, "where");
    if (w && !json_is_object(w)) {
        wg_msgs_add(c->errs, c->a, "where is not of a type(s) object");
        return NULL;
    }
    return w;
}

static void find_contacts(ctx_t *c, json_t *doc, Wg__Ipc__Request *out)
{
    Wg__Ipc__FindContactsReq *r =
        NEW(c, Wg__Ipc__FindContactsReq, WG__IPC__FIND_CONTACTS_REQ__INIT);
    json_t *where = where_of_doc(c, doc);
    if (where)
        r->remote_jid = str_prop(c, where, "where", "remoteJid", 0);
    r->has_page_size = uint_prop(c, doc, "offset", 0, 1000000, &r->page_size);
    r->has_page = uint_prop(c, doc, "page", 0, 1000000, &r->page);
    out->op_case = WG__IPC__REQUEST__OP_FIND_CONTACTS;
    out->find_contacts = r;
}

/* A time bound (wg_validate_time); 1 when valid. */
static int time_prop(ctx_t *c, json_t *obj, const char *key, int64_t *out)
{
    int rc = wg_validate_time(json_object_get(obj, key), out);
    if (rc < 0)
        wg_msgs_add(c->errs, c->a, "where.messageTimestamp.%s is not of a type(s) date", key);
    return rc > 0;
}

static void find_chats(ctx_t *c, json_t *doc, Wg__Ipc__Request *out)
{
    Wg__Ipc__FindChatsReq *r = NEW(c, Wg__Ipc__FindChatsReq, WG__IPC__FIND_CHATS_REQ__INIT);
    json_t *where = where_of_doc(c, doc);
    if (where) {
        r->remote_jid = str_prop(c, where, "where", "remoteJid", 0);
        json_t *ts = json_object_get(where, "messageTimestamp");
        if (ts && !json_is_object(ts)) {
            wg_msgs_add(c->errs, c->a, "where.messageTimestamp is not of a type(s) object");
        } else if (ts) {
            r->has_ts_gte = time_prop(c, ts, "gte", &r->ts_gte);
            r->has_ts_lte = time_prop(c, ts, "lte", &r->ts_lte);
        }
    }
    r->has_take = uint_prop(c, doc, "take", 0, 1000000, &r->take);
    r->has_skip = uint_prop(c, doc, "skip", 0, 100000000, &r->skip);
    out->op_case = WG__IPC__REQUEST__OP_FIND_CHATS;
    out->find_chats = r;
}

int wg_validate_chat_route(wg_route_id_t route)
{
    return route == WG_ROUTE_WHATSAPP_NUMBERS || route == WG_ROUTE_MARK_READ ||
           route == WG_ROUTE_SEND_PRESENCE || route == WG_ROUTE_PROFILE_PICTURE ||
           route == WG_ROUTE_FIND_CONTACTS || route == WG_ROUTE_FIND_CHATS;
}

void wg_validate_chat(wg_route_id_t route, json_t *doc, wg_arena_t *a, Wg__Ipc__Request *out,
                      wg_msgs_t *errs)
{
    ctx_t c = {a, errs};
    switch (route) {
    case WG_ROUTE_WHATSAPP_NUMBERS:
        whatsapp_numbers(&c, doc, out);
        break;
    case WG_ROUTE_MARK_READ:
        mark_read(&c, doc, out);
        break;
    case WG_ROUTE_SEND_PRESENCE:
        send_presence(&c, doc, out);
        break;
    case WG_ROUTE_PROFILE_PICTURE:
        profile_picture(&c, doc, out);
        break;
    case WG_ROUTE_FIND_CONTACTS:
        find_contacts(&c, doc, out);
        break;
    case WG_ROUTE_FIND_CHATS:
        find_chats(&c, doc, out);
        break;
    default:
        wg_msgs_add(errs, a, "This route takes no operation");
        break;
    }
}
