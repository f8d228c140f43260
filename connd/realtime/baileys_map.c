/* Internal events -> Baileys-style events (see baileys_map.h for the table).
 * Input payload shapes: spec evolution-api.md §4.1 "Payload (data) per event". */
#include "realtime/baileys_map.h"
#include "wg_time.h"
#include <string.h>

const char *const wg_baileys_event_names[] = {
    "connection.update",  "auth.qr",         "auth.pairing-code",
    "creds.update",       "messages.upsert", "messages.update",
    "messages.reaction",  "messages.delete", "messaging-history.set",
    "chats.upsert",       "chats.update",    "chats.delete",
    "contacts.upsert",    "contacts.update", "groups.upsert",
    "groups.update",      "group-participants.update", "presence.update",
    "call",               "labels.edit",     "labels.association",
    "instance.create",    "instance.delete",
};
const int wg_baileys_event_count =
    (int)(sizeof wg_baileys_event_names / sizeof wg_baileys_event_names[0]);

int wg_baileys_event_index(const char *name)
{
    for (int i = 0; name && i < wg_baileys_event_count; i++)
        if (strcmp(wg_baileys_event_names[i], name) == 0)
            return i;
    return -1;
}

/* Adds "instance" to an object, or to every object of an array. */
static void tag_instance(json_t *payload, const char *instance)
{
    if (!instance || !*instance)
        return;
    if (json_is_object(payload)) {
        if (!json_object_get(payload, "instance"))
            json_object_set_new(payload, "instance", json_string(instance));
    } else if (json_is_array(payload)) {
        size_t i;
        json_t *item;
        json_array_foreach(payload, i, item) tag_instance(item, instance);
    }
}

static int emit(wg_baileys_event_t *out, int n, const char *name, json_t *payload,
                const char *instance)
{
    if (n >= WG_BAILEYS_MAX_OUT || !payload) {
        json_decref(payload);
        return n;
    }
    tag_instance(payload, instance);
    out[n].index = wg_baileys_event_index(name);
    out[n].payload = payload;
    return n + 1;
}

/* A deep copy as an array (non-arrays become one-element arrays, null []). */
static json_t *as_array(const json_t *data)
{
    if (json_is_array(data))
        return json_deep_copy(data);
    json_t *a = json_array();
    if (data && !json_is_null(data))
        json_array_append_new(a, json_deep_copy(data));
    return a;
}

static json_t *copy_or_object(const json_t *data)
{
    return json_is_object(data) ? json_deep_copy(data) : json_object();
}

/* Baileys' WAMessageStatus numbers for Evolution's status strings. */
static int message_status(const char *s)
{
    static const char *const names[] = {"ERROR", "PENDING", "SERVER_ACK", "DELIVERY_ACK", "READ",
                                        "PLAYED"};
    for (int i = 0; s && i < 6; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return 1;
}

static json_t *connection_payload(const json_t *data, int64_t at_ms)
{
    const char *state = json_string_value(json_object_get(data, "state"));
    json_t *p = json_object();
    json_object_set_new(p, "connection", json_string(state ? state : "close"));
    if (state && strcmp(state, "close") == 0) {
        json_int_t code = json_integer_value(json_object_get(data, "statusReason"));
        char at[32];
        wg_time_iso8601(at_ms, at);
        json_object_set_new(
            p, "lastDisconnect",
            json_pack("{s:{s:s,s:{s:I}},s:s}", "error", "message",
                      code == 401 ? "logged out" : "connection closed", "output", "statusCode",
                      code, "date", at));
    }
    return p;
}

static int map_qrcode(const json_t *data, wg_baileys_event_t *out, const char *inst)
{
    const json_t *qr = json_object_get(data, "qrcode");
    const char *code = json_string_value(json_object_get(qr, "code"));
    const char *base64 = json_string_value(json_object_get(qr, "base64"));
    const char *pairing = json_string_value(json_object_get(qr, "pairingCode"));
    int n = 0;
    if (code) {
        n = emit(out, n, "connection.update", json_pack("{s:s}", "qr", code), inst);
        n = emit(out, n, "auth.qr", json_pack("{s:s,s:s?}", "qr", code, "base64", base64), inst);
    }
    if (pairing)
        n = emit(out, n, "auth.pairing-code", json_pack("{s:s}", "code", pairing), inst);
    return n;
}

static int map_upsert(const json_t *data, const char *type, wg_baileys_event_t *out,
                      const char *inst)
{
    /* a WAMessage's status is Baileys' number (as in messages.update), not Evolution's string */
    json_t *messages = as_array(data);
    size_t i;
    json_t *msg;
    json_array_foreach(messages, i, msg)
    {
        const char *status = json_string_value(json_object_get(msg, "status"));
        if (status)
            json_object_set_new(msg, "status", json_integer(message_status(status)));
    }
    int n = emit(out, 0, "messages.upsert",
                 json_pack("{s:o,s:s}", "messages", messages, "type", type), inst);
    const json_t *reaction =
        json_object_get(json_object_get(data, "message"), "reactionMessage");
    if (json_is_object(reaction)) {
        json_t *r = json_pack("[{s:O?,s:{s:O?,s:O?}}]", "key", json_object_get(reaction, "key"),
                              "reaction", "text", json_object_get(reaction, "text"), "key",
                              json_object_get(data, "key"));
        n = emit(out, n, "messages.reaction", r, inst);
    }
    return n;
}

/* Copies data[from] to p[to] when it is set and not null. */
static void rename_field(json_t *p, const char *to, const json_t *data, const char *from)
{
    json_t *v = json_object_get(data, from);
    if (v && !json_is_null(v))
        json_object_set(p, to, v);
}

/* Evolution's contact rows / chat rows as Baileys' Contact {id, notify,
 * imgUrl} / Chat {id, name, unreadCount} (Baileys' Types/Contact.ts and
 * the WAProto Conversation its Chat is); kind 'c' contacts, 'h' chats. */
static json_t *baileys_items(const json_t *data, char kind)
{
    json_t *in = as_array(data), *outs = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(in, i, item)
    {
        if (!json_is_object(item)) {
            json_array_append(outs, item);
            continue;
        }
        json_t *p = json_object();
        rename_field(p, "id", item, "remoteJid");
        if (kind == 'c') {
            rename_field(p, "notify", item, "pushName");
            rename_field(p, "imgUrl", item, "profilePicUrl");
        } else {
            rename_field(p, "name", item, "name");
            rename_field(p, "unreadCount", item, "unreadMessages");
        }
        json_array_append_new(outs, p);
    }
    json_decref(in);
    return outs;
}

static json_t *update_payload(const json_t *data)
{
    json_t *key = json_object();
    const char *fields[][2] = {{"remoteJid", "remoteJid"}, {"keyId", "id"}, {"fromMe", "fromMe"},
                               {"participant", "participant"}};
    for (size_t i = 0; i < 4; i++) {
        json_t *v = json_object_get(data, fields[i][0]);
        if (v && !json_is_null(v))
            json_object_set(key, fields[i][1], v);
    }
    json_t *update = json_pack(
        "{s:i}", "status", message_status(json_string_value(json_object_get(data, "status"))));
    return json_pack("[{s:o,s:o}]", "key", key, "update", update);
}

int wg_baileys_map(const wg_event_t *ev, wg_baileys_event_t out[WG_BAILEYS_MAX_OUT])
{
    const char *name = ev->name;
    const json_t *data = ev->data;
    const char *inst = ev->instance_name;
    if (strcmp(name, "connection.update") == 0)
        return emit(out, 0, name, connection_payload(data, ev->at_ms), inst);
    if (strcmp(name, "qrcode.updated") == 0)
        return map_qrcode(data, out, inst);
    if (strcmp(name, "messages.upsert") == 0)
        return map_upsert(data, "notify", out, inst);
    if (strcmp(name, "send.message") == 0)
        return map_upsert(data, "append", out, inst);
    if (strcmp(name, "messages.update") == 0)
        return emit(out, 0, name, update_payload(data), inst);
    if (strcmp(name, "messages.delete") == 0)
        return emit(out, 0, name, json_pack("{s:o}", "keys", as_array(data)), inst);
    if (strcmp(name, "messages.set") == 0 || strcmp(name, "chats.set") == 0 ||
        strcmp(name, "contacts.set") == 0) {
        const char *key = name[0] == 'm' ? "messages" : name[0] == 'c' && name[1] == 'h'
                                                          ? "chats"
                                                          : "contacts";
        return emit(out, 0, "messaging-history.set", json_pack("{s:o}", key, as_array(data)),
                    inst);
    }
    if (strncmp(name, "contacts.", 9) == 0 &&
        (strcmp(name + 9, "upsert") == 0 || strcmp(name + 9, "update") == 0))
        return emit(out, 0, name, baileys_items(data, 'c'), inst);
    if (strcmp(name, "chats.upsert") == 0 || strcmp(name, "chats.update") == 0)
        return emit(out, 0, name, baileys_items(data, 'h'), inst);
    static const char *const as_arrays[] = {"chats.delete", "groups.upsert", "groups.update",
                                            "call"};
    for (size_t i = 0; i < sizeof as_arrays / sizeof as_arrays[0]; i++)
        if (strcmp(name, as_arrays[i]) == 0)
            return emit(out, 0, name, as_array(data), inst);
    if (strcmp(name, "group-participants.update") == 0 || strcmp(name, "presence.update") == 0 ||
        strcmp(name, "creds.update") == 0 || strcmp(name, "labels.edit") == 0 ||
        strcmp(name, "labels.association") == 0 || strcmp(name, "instance.create") == 0 ||
        strcmp(name, "instance.delete") == 0)
        return emit(out, 0, name, copy_or_object(data), inst);
    return 0;
}
