/* Envelope (keys, order, omissions, UTC date_time) and routing (per-instance
 * filter, byEvents suffix, global WEBHOOK_EVENTS_*, destination field). */
#include "webhook/envelope.h"
#include "webhook/route.h"
#include "wg_test.h"
#include <stdlib.h>

static void envelope_has_evolution_keys_in_order(void)
{
    json_t *data = json_pack("{s:s,s:s}", "instanceName", "a", "instanceId", "id-1");
    wg_event_t ev = {"instance.create", "a", "id-1", data, 1700000000123};
    char *s = wg_webhook_envelope(&ev, "http://h/x", "551199@s.whatsapp.net", "http://srv", "TOK");
    WG_CHECK_STR(s, "{\"event\":\"instance.create\",\"instance\":\"a\",\"data\":{\"instanceName\":"
                    "\"a\",\"instanceId\":\"id-1\"},\"destination\":\"http://h/x\",\"date_time\":"
                    "\"2023-11-14T22:13:20.123Z\",\"sender\":\"551199@s.whatsapp.net\","
                    "\"server_url\":\"http://srv\",\"apikey\":\"TOK\"}");
    free(s);
    /* no sender, no server_url, apikey null, null data */
    wg_event_t ev2 = {"remove.instance", "a", "id-1", json_null(), 0};
    s = wg_webhook_envelope(&ev2, NULL, NULL, "", NULL);
    WG_CHECK_STR(s, "{\"event\":\"remove.instance\",\"instance\":\"a\",\"data\":null,"
                    "\"destination\":null,\"date_time\":\"1970-01-01T00:00:00.000Z\","
                    "\"apikey\":null}");
    free(s);
    json_decref(data);
}

static void settings_with(wg_webhook_settings_t *s, const char *url, int by_events,
                          const char *event)
{
    memset(s, 0, sizeof *s);
    s->global_enabled = url != NULL;
    s->global_url = (char *)(url ? url : "");
    s->global_by_events = by_events;
    static char *events[1];
    events[0] = (char *)event;
    s->global_events = events;
    s->n_global_events = event ? 1 : 0;
}

static void kebab_names(void)
{
    char k[64];
    wg_webhook_kebab("messages.upsert", k, sizeof k);
    WG_CHECK_STR(k, "messages-upsert");
    wg_webhook_kebab("group-participants.update", k, sizeof k);
    WG_CHECK_STR(k, "group-participants-update");
    wg_webhook_kebab("call", k, sizeof k);
    WG_CHECK_STR(k, "call");
}

static void route_instance_and_global(void)
{
    wg_webhook_settings_t s;
    settings_with(&s, "https://g.example/hook", 1, "CONNECTION_UPDATE");
    char *events[] = {"CONNECTION_UPDATE", "GROUP_UPDATE"};
    Wg__Ipc__Webhook w = WG__IPC__WEBHOOK__INIT;
    w.has_enabled = w.enabled = 1;
    w.url = "http://i.example/w";
    w.has_by_events = w.by_events = 1;
    w.headers_json = "{\"a\":\"b\"}";
    w.secret = "sec";
    w.events = events;
    w.n_events = 2;
    wg_webhook_target_t t[2];
    int n = wg_webhook_route(&s, "connection.update", &w, t);
    char *dest = wg_webhook_destination(&s, "connection.update", &w);
    WG_CHECK_INT(n, 2);
    WG_CHECK_STR(t[0].url, "http://i.example/w/connection-update");
    WG_CHECK_STR(t[0].source, "instance");
    WG_CHECK_STR(t[0].headers_json, "{\"a\":\"b\"}");
    WG_CHECK_STR(t[0].secret, "sec");
    WG_CHECK_STR(t[1].url, "https://g.example/hook/connection-update");
    WG_CHECK_STR(t[1].source, "global");
    WG_CHECK(t[1].headers_json == NULL && t[1].secret == NULL);
    WG_CHECK_STR(dest, "http://i.example/w"); /* Evolution: the instance URL */
    wg_webhook_targets_free(t, n);
    free(dest);

    /* groups.update matches Evolution's GROUP_UPDATE spelling; not global */
    n = wg_webhook_route(&s, "groups.update", &w, t);
    dest = wg_webhook_destination(&s, "groups.update", &w);
    WG_CHECK_INT(n, 1);
    wg_webhook_targets_free(t, n);
    free(dest);
    /* an event the instance did not subscribe: nothing */
    n = wg_webhook_route(&s, "messages.upsert", &w, t);
    dest = wg_webhook_destination(&s, "messages.upsert", &w);
    WG_CHECK_INT(n, 0);
    free(dest);
    /* disabled, or not http(s): nothing from the instance */
    w.enabled = 0;
    n = wg_webhook_route(&s, "connection.update", &w, t);
    WG_CHECK_INT(n, 1);
    WG_CHECK_STR(t[0].source, "global");
    wg_webhook_targets_free(t, n);
    w.enabled = 1;
    w.url = "ftp://x";
    n = wg_webhook_route(&s, "connection.update", &w, t);
    WG_CHECK_INT(n, 1);
    wg_webhook_targets_free(t, n);
    /* no instance webhook: destination is the global URL + kebab */
    n = wg_webhook_route(&s, "connection.update", NULL, t);
    dest = wg_webhook_destination(&s, "connection.update", NULL);
    WG_CHECK_INT(n, 1);
    WG_CHECK_STR(dest, "https://g.example/hook/connection-update");
    wg_webhook_targets_free(t, n);
    free(dest);
    /* global without byEvents; global disabled */
    s.global_by_events = 0;
    n = wg_webhook_route(&s, "connection.update", NULL, t);
    WG_CHECK_STR(t[0].url, "https://g.example/hook");
    wg_webhook_targets_free(t, n);
    s.global_enabled = 0;
    WG_CHECK_INT(wg_webhook_route(&s, "connection.update", NULL, t), 0);
    /* nobody routes it: still the destination Evolution would name */
    WG_CHECK_INT(wg_webhook_route(&s, "connection.update", NULL, t), 0);
    dest = wg_webhook_destination(&s, "connection.update", NULL);
    WG_CHECK_STR(dest, "https://g.example/hook/connection-update");
    free(dest);
    w.enabled = 0;
    w.url = "http://i.example/w";
    WG_CHECK_INT(wg_webhook_route(&s, "connection.update", &w, t), 0);
    dest = wg_webhook_destination(&s, "connection.update", &w);
    WG_CHECK_STR(dest, "http://i.example/w");
    free(dest);
    dest = wg_webhook_destination(&s, "messages.upsert", NULL);
    WG_CHECK_STR(dest, "https://g.example/hook/messages-upsert");
    free(dest);
    s.global_url = NULL;
    WG_CHECK(wg_webhook_destination(&s, "messages.upsert", NULL) == NULL);
}

int main(void)
{
    WG_RUN(envelope_has_evolution_keys_in_order);
    WG_RUN(kebab_names);
    WG_RUN(route_instance_and_global);
    return wg_test_done();
}
