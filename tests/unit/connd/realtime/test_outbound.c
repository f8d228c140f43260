/* realtime/outbound.c: sendText / sendNode validation, permissions, the
 * "not open" answer, and the interface the WhatsApp layer implements
 * (a fake implementation completes synchronously and later). */
#include "realtime/outbound.h"
#include "wg_err.h"
#include "wg_test.h"
#include <stdlib.h>

static char last[16384];
static int replies;

static void reply(void *ud, const char *ack)
{
    (void)ud;
    snprintf(last, sizeof last, "%s", ack);
    replies++;
}

static Wg__Ipc__Instance *row(const char *name, const char *id, const char *state)
{
    Wg__Ipc__Instance r = WG__IPC__INSTANCE__INIT;
    r.name = (char *)name;
    r.id = (char *)id;
    r.connection_status = (char *)state;
    r.integration = "WHATSAPP-BAILEYS";
    r.token = "T";
    return wg_pb_clone(&r.base);
}

static json_t *req(const char *event, const char *json)
{
    json_t *body = json_loads(json, 0, NULL);
    return json_pack("[s,o]", event, body);
}

static void run(wg_connd_t *d, const char *event, const char *json, wg_instance_t *bound)
{
    json_t *data = req(event, json);
    replies = 0;
    last[0] = 0;
    wg_outbound_handle(d, event, data, bound, reply, NULL);
    json_decref(data);
}

/* fake WhatsApp layer */
static wg_outbound_done_fn pending_done;
static void *pending_ud;

static int fake_text(void *impl, wg_connd_t *d, wg_instance_t *inst, const char *number,
                     const char *text, wg_outbound_done_fn done, void *done_ud)
{
    (void)impl, (void)d, (void)inst, (void)text;
    if (strcmp(number, "refuse") == 0)
        return WG_EINVAL;
    if (strcmp(number, "none") == 0) {
        done(done_ud, WG_OK, NULL, NULL);
        return WG_OK;
    }
    char big[6001];
    memset(big, 'x', 6000);
    big[6000] = '\0';
    json_t *res = json_pack("{s:s}", "id", strcmp(number, "big") == 0 ? big : "MSG1");
    done(done_ud, WG_OK, res, NULL); /* synchronous completion */
    json_decref(res);
    return WG_OK;
}

static int fake_node(void *impl, wg_connd_t *d, wg_instance_t *inst, const json_t *stanza,
                     wg_outbound_done_fn done, void *done_ud)
{
    (void)impl, (void)d, (void)inst, (void)stanza;
    pending_done = done; /* completes later */
    pending_ud = done_ud;
    return WG_OK;
}

static void requests(void)
{
    wg_connd_t d;
    memset(&d, 0, sizeof d);
    d.reg = wg_registry_new();
    wg_instance_t *a = wg_registry_add(d.reg, row("a", "id-a", "close"));
    wg_instance_t *b = wg_registry_add(d.reg, row("b", "id-b", "open"));
    a->committed = b->committed = 1;

    WG_CHECK(wg_outbound_is_request("sendText") && wg_outbound_is_request("sendNode"));
    WG_CHECK(!wg_outbound_is_request("subscribe"));

    run(&d, "sendText", "{\"number\":\"1\",\"text\":\"hi\"}", a);
    WG_CHECK_INT(replies, 1);
    WG_CHECK(strstr(last, "\"code\":\"not_open\"") && strstr(last, "state: close"));
    run(&d, "sendText", "{\"number\":\"1\"}", a);
    WG_CHECK(strstr(last, "\"code\":\"bad_request\"") != NULL);
    run(&d, "sendText", "{\"number\":\"1\",\"text\":\"hi\",\"instanceId\":\"b\"}", a);
    WG_CHECK(strstr(last, "\"code\":\"wrong_instance\"") != NULL);
    run(&d, "sendText", "{\"number\":\"1\",\"text\":\"hi\",\"instanceId\":\"id-a\"}", a);
    WG_CHECK(strstr(last, "not_open") != NULL); /* the id names the bound instance too */
    run(&d, "sendNode", "{\"stanza\":{\"tag\":\"iq\"}}", NULL);
    WG_CHECK(strstr(last, "needs instanceId") != NULL);
    run(&d, "sendNode", "{\"instanceId\":\"zz\",\"stanza\":{\"tag\":\"iq\"}}", NULL);
    WG_CHECK(strstr(last, "\"code\":\"not_found\"") != NULL);
    run(&d, "sendNode", "{\"instanceId\":\"b\",\"stanza\":{\"tag\":\"\"}}", NULL);
    WG_CHECK(strstr(last, "bad_request") != NULL);
    run(&d, "sendNode", "{\"instanceId\":\"b\",\"stanza\":{\"tag\":\"iq\",\"attrs\":{\"x\":1}}}",
        NULL);
    WG_CHECK(strstr(last, "bad_request") != NULL);
    run(&d, "sendNode",
        "{\"instanceId\":\"b\",\"stanza\":{\"tag\":\"iq\",\"content\":[{\"tag\":5}]}}", NULL);
    WG_CHECK(strstr(last, "bad_request") != NULL);
    /* open, but no WhatsApp layer registered yet */
    run(&d, "sendNode", "{\"instanceId\":\"b\",\"stanza\":{\"tag\":\"iq\"}}", NULL);
    WG_CHECK(strstr(last, "not_open") && strstr(last, "no WhatsApp link"));
    run(&d, "sendText", "not an object", b);
    WG_CHECK(strstr(last, "bad_request") != NULL);

    wg_outbound_ops_t ops = {fake_text, fake_node, NULL};
    wg_outbound_register(&ops);
    run(&d, "sendText", "{\"number\":\"55\",\"text\":\"hi\"}", b);
    WG_CHECK_STR(last, "[{\"ok\":true,\"result\":{\"id\":\"MSG1\"}}]");
    /* a result past the reply's stack buffer, and none at all */
    run(&d, "sendText", "{\"number\":\"big\",\"text\":\"hi\"}", b);
    WG_CHECK_INT(strlen(last), 32 + 6000);
    WG_CHECK(strncmp(last, "[{\"ok\":true,\"result\":{\"id\":\"xxx", 31) == 0);
    WG_CHECK(strcmp(last + strlen(last) - 6, "xx\"}}]") == 0);
    run(&d, "sendText", "{\"number\":\"none\",\"text\":\"hi\"}", b);
    WG_CHECK_STR(last, "[{\"ok\":true,\"result\":null}]");
    run(&d, "sendText", "{\"number\":\"refuse\",\"text\":\"hi\"}", b);
    WG_CHECK(strstr(last, "send_failed") != NULL);
    WG_CHECK_INT(replies, 1);
    run(&d, "sendNode",
        "{\"instanceId\":\"b\",\"stanza\":{\"tag\":\"iq\",\"attrs\":{\"type\":\"get\"},"
        "\"content\":[{\"tag\":\"ping\"}]}}",
        NULL);
    WG_CHECK_INT(replies, 0); /* not yet */
    pending_done(pending_ud, WG_ETIMEDOUT, NULL, "no answer from WhatsApp");
    WG_CHECK_INT(replies, 1);
    WG_CHECK(strstr(last, "no answer from WhatsApp") != NULL);
    run(&d, "sendText", "{\"number\":\"55\",\"text\":\"hi\"}", a);
    WG_CHECK(strstr(last, "not_open") != NULL); /* registered, but a is closed */
    wg_outbound_register(NULL);
    wg_registry_free(d.reg);
}

int main(void)
{
    WG_RUN(requests);
    return wg_test_done();
}
