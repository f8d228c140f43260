/* The webhook outbox routes of wagate-fcgi (a wagate extension):
 * GET /webhook/failed/:name[?limit=N] and POST /webhook/retry/:name
 * [{"ids": [...]}] — routing, validation into the IPC request, rendering. */
#include "render.h"
#include "router.h"
#include "validate.h"
#include "wg_err.h"
#include "wg_test.h"

static wg_arena_t arena;
static Wg__Ipc__Request req;
static wg_msgs_t errs;

static int run(wg_route_id_t route, const char *query, const char *body)
{
    Wg__Ipc__Request init = WG__IPC__REQUEST__INIT;
    req = init;
    errs.n = 0;
    return wg_validate_request(route, "inst", query, body, body ? strlen(body) : 0, &arena, &req,
                               &errs);
}

static void routes_match(void)
{
    wg_route_match_t m;
    WG_CHECK_INT(wg_router_match("GET", "/webhook/failed/my%20inst", &arena, &m), WG_MATCH_OK);
    WG_CHECK_INT(m.route, WG_ROUTE_WEBHOOK_FAILED);
    WG_CHECK_STR(m.name, "my inst");
    WG_CHECK_INT(wg_router_match("POST", "/webhook/retry/a1", &arena, &m), WG_MATCH_OK);
    WG_CHECK_INT(m.route, WG_ROUTE_WEBHOOK_RETRY);
    WG_CHECK_INT(wg_router_match("POST", "/webhook/failed/a1", &arena, &m), WG_MATCH_BAD_METHOD);
    WG_CHECK_INT(wg_router_match("GET", "/webhook/retry/a1", &arena, &m), WG_MATCH_BAD_METHOD);
}

static void failed_validation(void)
{
    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_FAILED, "", NULL), WG_OK);
    WG_CHECK_INT(req.op_case, WG__IPC__REQUEST__OP_WEBHOOK_FAILED);
    WG_CHECK(!req.webhook_failed->has_limit);
    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_FAILED, "limit=25", NULL), WG_OK);
    WG_CHECK(req.webhook_failed->has_limit && req.webhook_failed->limit == 25);
    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_FAILED, "limit=0", NULL), WG_EINVAL);
    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_FAILED, "limit=abc", NULL), WG_EINVAL);
    WG_CHECK_STR(errs.items[0], "limit must be a whole number from 1 to 1000");
}

static void retry_validation(void)
{
    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_RETRY, "", NULL), WG_OK); /* empty body: all */
    WG_CHECK_INT(req.op_case, WG__IPC__REQUEST__OP_WEBHOOK_RETRY);
    WG_CHECK_INT(req.webhook_retry->n_ids, 0);
    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_RETRY, "", "{\"ids\":[\"a\",\"b\"]}"), WG_OK);
    WG_CHECK_INT(req.webhook_retry->n_ids, 2);
    WG_CHECK_STR(req.webhook_retry->ids[1], "b");
    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_RETRY, "", "{\"ids\":\"a\"}"), WG_EINVAL);
    WG_CHECK_STR(errs.items[0], "ids is not of a type(s) array");
    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_RETRY, "", "{\"ids\":[1]}"), WG_EINVAL);
    WG_CHECK_STR(errs.items[0], "ids[0] is not of a type(s) string");
    WG_CHECK_INT(run(WG_ROUTE_WEBHOOK_RETRY, "", "[1]"), WG_EINVAL);
}

static void rendering(void)
{
    Wg__Ipc__WebhookDelivery d = WG__IPC__WEBHOOK_DELIVERY__INIT;
    d.id = "d-1";
    d.event = "messages.upsert";
    d.url = "https://h/x";
    d.source = "instance";
    d.state = "failed";
    d.attempts = 10;
    d.has_last_status = 1;
    d.last_status = 500;
    d.last_error = "HTTP 500";
    d.created_at_ms = 1700000000000LL;
    d.has_failed_at_ms = 1;
    d.failed_at_ms = 1700000000123LL;
    d.payload_json = "{\"event\":\"messages.upsert\"}";
    Wg__Ipc__WebhookDelivery *list[] = {&d};
    Wg__Ipc__WebhookDeliveryList l = WG__IPC__WEBHOOK_DELIVERY_LIST__INIT;
    l.n_deliveries = 1;
    l.deliveries = list;
    l.has_total = 1;
    l.total = 7;
    Wg__Ipc__Reply r = WG__IPC__REPLY__INIT;
    r.result_case = WG__IPC__REPLY__RESULT_WEBHOOK_DELIVERIES;
    r.webhook_deliveries = &l;
    wg_response_t resp;
    wg_response_init(&resp);
    WG_CHECK_INT(
        wg_render_reply(WG_ROUTE_WEBHOOK_FAILED, &r, "inst", WG_DIALECT_SEED, &arena, &resp),
        WG_OK);
    WG_CHECK_INT(resp.status, 200);
    WG_CHECK_STR(resp.body,
                 "{\"total\":7,\"deliveries\":[{\"id\":\"d-1\",\"event\":\"messages.upsert\","
                 "\"url\":\"https://h/x\",\"source\":\"instance\",\"state\":\"failed\","
                 "\"attempts\":10,\"lastStatus\":500,\"lastError\":\"HTTP 500\","
                 "\"createdAt\":\"2023-11-14T22:13:20.000Z\",\"failedAt\":"
                 "\"2023-11-14T22:13:20.123Z\",\"payload\":{\"event\":\"messages.upsert\"}}]}");
    Wg__Ipc__WebhookRetried done = WG__IPC__WEBHOOK_RETRIED__INIT;
    done.count = 3;
    r.result_case = WG__IPC__REPLY__RESULT_WEBHOOK_RETRIED;
    r.webhook_retried = &done;
    wg_response_init(&resp);
    WG_CHECK_INT(
        wg_render_reply(WG_ROUTE_WEBHOOK_RETRY, &r, "inst", WG_DIALECT_SEED, &arena, &resp), WG_OK);
    WG_CHECK_INT(resp.status, 201);
    WG_CHECK_STR(resp.body, "{\"retried\":3}");
    /* a reply of the wrong kind is a 500, not a crash */
    wg_response_init(&resp);
    WG_CHECK_INT(
        wg_render_reply(WG_ROUTE_WEBHOOK_FAILED, &r, "inst", WG_DIALECT_SEED, &arena, &resp),
        WG_EPROTO);
    WG_CHECK_INT(resp.status, 500);
}

int main(void)
{
    wg_arena_init(&arena, 0);
    WG_RUN(routes_match);
    WG_RUN(failed_validation);
    WG_RUN(retry_validation);
    WG_RUN(rendering);
    wg_arena_free(&arena);
    return wg_test_done();
}
