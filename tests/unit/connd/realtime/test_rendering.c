/* realtime/event_envelope.c, baileys_map.c and the pure parts of the
 * dialects: Evolution envelope text, per-instance filters, Baileys mapping,
 * /api/events subscription lists. */
#include "realtime/baileys_map.h"
#include "realtime/event_envelope.h"
#include "realtime/events_dialect.h"
#include "realtime/evolution_dialect.h"
#include "wg_err.h"
#include "wg_test.h"
#include <stdlib.h>

static wg_event_t event(const char *name, json_t *data)
{
    wg_event_t ev = {name, "inst", "id-1", data, 1700000000123LL};
    return ev;
}

static void envelope(void)
{
    json_t *data = json_pack("{s:s}", "state", "open");
    wg_event_t ev = event("connection.update", data);
    char *text = wg_event_envelope_args(&ev, "5511@s.whatsapp.net", "http://h:8080", "TOK");
    WG_CHECK_STR(text, "[{\"event\":\"connection.update\",\"instance\":\"inst\",\"data\":{\"state\":"
                       "\"open\"},\"server_url\":\"http://h:8080\",\"date_time\":\"2023-11-14T22:"
                       "13:20.123Z\",\"sender\":\"5511@s.whatsapp.net\",\"apikey\":\"TOK\"}]");
    free(text);
    text = wg_event_envelope_args(&ev, NULL, "", NULL);
    WG_CHECK_STR(text, "[{\"event\":\"connection.update\",\"instance\":\"inst\",\"data\":{\"state\":"
                       "\"open\"},\"server_url\":null,\"date_time\":\"2023-11-14T22:13:20.123Z\","
                       "\"sender\":null,\"apikey\":null}]");
    free(text);
    json_decref(data);
    ev = event("remove.instance", NULL);
    text = wg_event_envelope_args(&ev, NULL, NULL, "T");
    WG_CHECK(strstr(text, "\"data\":null") != NULL);
    free(text);
}

static void filters(void)
{
    Wg__Ipc__Websocket ws = WG__IPC__WEBSOCKET__INIT;
    WG_CHECK(!wg_evolution_filter_pass(NULL, "connection.update"));
    WG_CHECK(!wg_evolution_filter_pass(&ws, "connection.update")); /* not enabled */
    ws.has_enabled = 1;
    ws.enabled = 1;
    WG_CHECK(wg_evolution_filter_pass(&ws, "messages.upsert")); /* empty list = all */
    char *events[] = {"CONNECTION_UPDATE", "GROUP_UPDATE", "GROUP_PARTICIPANTS_UPDATE"};
    ws.events = events;
    ws.n_events = 3;
    WG_CHECK(wg_evolution_filter_pass(&ws, "connection.update"));
    WG_CHECK(!wg_evolution_filter_pass(&ws, "messages.upsert"));
    WG_CHECK(wg_evolution_filter_pass(&ws, "groups.update")); /* Evolution's spelling */
    WG_CHECK(wg_evolution_filter_pass(&ws, "group-participants.update"));
    ws.enabled = 0;
    WG_CHECK(!wg_evolution_filter_pass(&ws, "connection.update"));
}

static char *dump(json_t *j)
{
    return json_dumps(j, JSON_COMPACT);
}

static void mapping(void)
{
    wg_baileys_event_t out[WG_BAILEYS_MAX_OUT];
    json_t *data = json_pack("{s:s,s:s,s:i}", "instance", "inst", "state", "close",
                             "statusReason", 401);
    wg_event_t ev = event("connection.update", data);
    WG_CHECK_INT(wg_baileys_map(&ev, out), 1);
    char *t = dump(out[0].payload);
    WG_CHECK_STR(wg_baileys_event_names[out[0].index], "connection.update");
    WG_CHECK_STR(t, "{\"connection\":\"close\",\"lastDisconnect\":{\"error\":{\"message\":\"logged "
                    "out\",\"output\":{\"statusCode\":401}},\"date\":\"2023-11-14T22:13:20.123Z\"},"
                    "\"instance\":\"inst\"}");
    free(t);
    json_decref(out[0].payload);
    json_decref(data);

    data = json_pack("{s:{s:s,s:s,s:s}}", "qrcode", "code", "2@abc", "base64", "data:x",
                     "pairingCode", "ABCD1234");
    ev = event("qrcode.updated", data);
    WG_CHECK_INT(wg_baileys_map(&ev, out), 3);
    WG_CHECK_STR(wg_baileys_event_names[out[0].index], "connection.update");
    WG_CHECK_STR(json_string_value(json_object_get(out[0].payload, "qr")), "2@abc");
    WG_CHECK_STR(wg_baileys_event_names[out[1].index], "auth.qr");
    WG_CHECK_STR(wg_baileys_event_names[out[2].index], "auth.pairing-code");
    WG_CHECK_STR(json_string_value(json_object_get(out[2].payload, "code")), "ABCD1234");
    for (int i = 0; i < 3; i++)
        json_decref(out[i].payload);
    json_decref(data);

    data = json_pack("{s:{s:s},s:{s:{s:{s:s},s:s}}}", "key", "id", "M1", "message",
                     "reactionMessage", "key", "id", "M0", "text", "x");
    ev = event("messages.upsert", data);
    WG_CHECK_INT(wg_baileys_map(&ev, out), 2);
    t = dump(out[0].payload);
    WG_CHECK(strncmp(t, "{\"messages\":[{\"key\":{\"id\":\"M1\"}", 31) == 0);
    WG_CHECK(strstr(t, "\"type\":\"notify\",\"instance\":\"inst\"}") != NULL);
    free(t);
    WG_CHECK_STR(wg_baileys_event_names[out[1].index], "messages.reaction");
    t = dump(out[1].payload);
    WG_CHECK_STR(t, "[{\"key\":{\"id\":\"M0\"},\"reaction\":{\"text\":\"x\",\"key\":{\"id\":\"M1\"}},"
                    "\"instance\":\"inst\"}]");
    free(t);
    json_decref(out[0].payload);
    json_decref(out[1].payload);
    json_decref(data);

    /* our own send: type append, and the status as Baileys' number; the event data untouched */
    data = json_pack("{s:{s:s},s:s}", "key", "id", "S1", "status", "SERVER_ACK");
    ev = event("send.message", data);
    WG_CHECK_INT(wg_baileys_map(&ev, out), 1);
    t = dump(out[0].payload);
    WG_CHECK_STR(t, "{\"messages\":[{\"key\":{\"id\":\"S1\"},\"status\":2}],\"type\":\"append\","
                    "\"instance\":\"inst\"}");
    free(t);
    WG_CHECK_STR(json_string_value(json_object_get(data, "status")), "SERVER_ACK");
    json_decref(out[0].payload);
    json_decref(data);

    data = json_pack("{s:s,s:s,s:b,s:s}", "keyId", "K", "remoteJid", "1@s.whatsapp.net",
                     "fromMe", 1, "status", "READ");
    ev = event("messages.update", data);
    WG_CHECK_INT(wg_baileys_map(&ev, out), 1);
    t = dump(out[0].payload);
    WG_CHECK_STR(t, "[{\"key\":{\"remoteJid\":\"1@s.whatsapp.net\",\"id\":\"K\",\"fromMe\":true},"
                    "\"update\":{\"status\":4},\"instance\":\"inst\"}]");
    free(t);
    json_decref(out[0].payload);
    json_decref(data);

    /* contacts and chats as Baileys' Contact / Chat */
    json_t *contact = json_pack("{s:s,s:s,s:n,s:s}", "remoteJid", "1@s.whatsapp.net", "pushName",
                                "Ana", "profilePicUrl", "instanceId", "I");
    ev = event("contacts.upsert", contact);
    WG_CHECK_INT(wg_baileys_map(&ev, out), 1);
    t = dump(out[0].payload);
    WG_CHECK_STR(t, "[{\"id\":\"1@s.whatsapp.net\",\"notify\":\"Ana\",\"instance\":\"inst\"}]");
    free(t);
    json_decref(out[0].payload);
    json_decref(contact);
    json_t *chats = json_pack("[{s:s,s:s,s:s,s:i}]", "remoteJid", "1@s.whatsapp.net", "instanceId",
                              "I", "name", "Ana", "unreadMessages", 2);
    ev = event("chats.upsert", chats);
    WG_CHECK_INT(wg_baileys_map(&ev, out), 1);
    t = dump(out[0].payload);
    WG_CHECK_STR(t, "[{\"id\":\"1@s.whatsapp.net\",\"name\":\"Ana\",\"unreadCount\":2,"
                    "\"instance\":\"inst\"}]");
    free(t);
    json_decref(out[0].payload);
    json_decref(chats);
    data = json_pack("{s:s}", "remoteJid", "1@s.whatsapp.net");
    ev = event("contacts.update", data);
    WG_CHECK_INT(wg_baileys_map(&ev, out), 1);
    WG_CHECK(json_is_array(out[0].payload) && json_array_size(out[0].payload) == 1);
    json_decref(out[0].payload);
    ev = event("status.instance", data);
    WG_CHECK_INT(wg_baileys_map(&ev, out), 0);
    ev = event("logout.instance", NULL);
    WG_CHECK_INT(wg_baileys_map(&ev, out), 0);
    json_decref(data);
    WG_CHECK(wg_baileys_event_count <= 32); /* one bit each */
    WG_CHECK_INT(wg_baileys_event_index("presence.update") >= 0, 1);
    WG_CHECK_INT(wg_baileys_event_index("PRESENCE_UPDATE"), -1);
}

static void subscriptions(void)
{
    uint32_t mask = 0;
    json_t *unknown = json_array();
    json_t *arg = json_pack("[s,s,s]", "messages.upsert", "nope", "connection.update");
    WG_CHECK_INT(wg_events_subscription_apply(&mask, arg, 1, unknown), WG_OK);
    WG_CHECK(mask == ((1u << wg_baileys_event_index("messages.upsert")) |
                      (1u << wg_baileys_event_index("connection.update"))));
    WG_CHECK_INT(json_array_size(unknown), 1);
    json_decref(arg);
    arg = json_string("messages.upsert");
    WG_CHECK_INT(wg_events_subscription_apply(&mask, arg, 0, unknown), WG_OK);
    WG_CHECK(mask == (1u << wg_baileys_event_index("connection.update")));
    json_decref(arg);
    arg = json_pack("[s,i]", "call", 3);
    WG_CHECK_INT(wg_events_subscription_apply(&mask, arg, 1, unknown), WG_EINVAL);
    WG_CHECK(mask == (1u << wg_baileys_event_index("connection.update"))); /* unchanged */
    json_decref(arg);
    arg = json_object();
    WG_CHECK_INT(wg_events_subscription_apply(&mask, arg, 1, unknown), WG_EINVAL);
    json_decref(arg);
    json_decref(unknown);
}

int main(void)
{
    WG_RUN(envelope);
    WG_RUN(filters);
    WG_RUN(mapping);
    WG_RUN(subscriptions);
    return wg_test_done();
}
