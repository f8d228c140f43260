/* Request handling order (see dispatch.h):
 *   1. CORS: a browser origin that is not allowed gets 403 and nothing else.
 *   2. OPTIONS preflight: 204, no key needed (browsers never send one).
 *   3. Routing: 404 "Cannot GET /path", 405 + Allow for a known path.
 *   4. GET /: the welcome document, no key, no IPC.
 *   5. No apikey header: 401 without asking connd.
 *   6. Body over WAGATE_MAX_BODY_BYTES: 413.
 *   7. Validation. On failure connd is first asked AuthCheck: a wrong key
 *      gets connd's 401/403, a good key gets our 400 with the messages.
 *   8. The operation: connd authorizes it and answers a typed reply or an
 *      Error (401/403/404 ...), rendered by render.c. connectionState with
 *      the instance's own token is answered from connd's state snapshot
 *      when it can be (state_view.c); any other case asks connd.
 * connd unreachable or silent: 503, never a hang (ipc_client.c bounds it). */
#include "dispatch.h"
#include "cors.h"
#include "errors.h"
#include "render.h"
#include "router.h"
#include "validate.h"
#include "wg_err.h"
#include "wg_log.h"
#include <string.h>

const char *wg_dispatch_strip_prefix(const char *prefix, const char *path)
{
    size_t n = prefix ? strlen(prefix) : 0;
    if (!n)
        return path;
    if (strncmp(path, prefix, n) != 0)
        return NULL;
    if (path[n] == '\0')
        return "/";
    return path[n] == '/' ? path + n : NULL;
}

static void respond_ipc_failure(int rc, wg_arena_t *a, wg_response_t *resp)
{
    switch (rc) {
    case WG_ECLOSED:
        wg_error_respond1(resp, a, 503, "connd is not running");
        break;
    case WG_ETIMEDOUT:
        wg_error_respond1(resp, a, 503, "connd did not answer in time");
        break;
    case WG_EPROTO:
        wg_error_respond1(resp, a, 500, "connd sent an invalid reply");
        break;
    default:
        wg_error_respond1(resp, a, 503, "connd is not reachable");
        break;
    }
    wg_log(WG_LOG_WARN, "msg=\"ipc call failed\" err=%s", wg_strerror(rc));
}

/* Step 7: validation failed; the key decides between connd's 401 and our 400. */
static void respond_invalid(wg_ipc_client_t *ipc, const wg_request_t *req, const char *name,
                            const wg_msgs_t *errs, wg_arena_t *a, wg_response_t *resp)
{
    Wg__Ipc__Request check = WG__IPC__REQUEST__INIT;
    Wg__Ipc__AuthCheckReq op = WG__IPC__AUTH_CHECK_REQ__INIT;
    check.apikey = (char *)req->apikey;
    /* no name (create): connd checks for the global key */
    check.instance_name = (char *)name;
    check.op_case = WG__IPC__REQUEST__OP_AUTH_CHECK;
    check.auth_check = &op;
    Wg__Ipc__Reply *reply = NULL;
    int rc = wg_ipc_client_call(ipc, &check, a, &reply);
    if (rc != WG_OK) {
        respond_ipc_failure(rc, a, resp);
        return;
    }
    if (reply->result_case == WG__IPC__REPLY__RESULT_ERROR && reply->error &&
        (reply->error->status == 401 || reply->error->status == 403)) {
        wg_render_reply(WG_ROUTE_ROOT, reply, name, WG_DIALECT_SEED, a, resp);
        return;
    }
    wg_error_respond(resp, a, 400, errs);
}

static void route_and_answer(const wg_app_t *app, wg_ipc_client_t *ipc, wg_state_view_t *view,
                             const wg_request_t *req, wg_arena_t *a, wg_response_t *resp)
{
    const char *path = wg_dispatch_strip_prefix(app->url_prefix, req->path);
    wg_route_match_t m;
    wg_match_result_t mr =
        path ? wg_router_match(req->method, path, a, &m) : WG_MATCH_NOT_FOUND;
    if (mr == WG_MATCH_NOT_FOUND) {
        wg_msgs_t msgs = {.n = 0};
        wg_msgs_add(&msgs, a, "Cannot %s %s", req->method, req->path);
        wg_error_respond(resp, a, 404, &msgs);
        return;
    }
    if (mr == WG_MATCH_BAD_METHOD) {
        wg_msgs_t msgs = {.n = 0};
        wg_msgs_add(&msgs, a, "Cannot %s %s (allowed: %s)", req->method, req->path, m.allow);
        wg_error_respond(resp, a, 405, &msgs);
        wg_response_add_header(resp, "Allow", wg_arena_strdup(a, m.allow));
        return;
    }
    if (mr == WG_MATCH_OK && m.route == WG_ROUTE_ROOT) {
        wg_render_root(req->scheme, req->host, a, resp);
        return;
    }
    if (!req->apikey || !*req->apikey) {
        wg_error_unauthorized(resp, a);
        return;
    }
    if (mr == WG_MATCH_BAD_ESCAPE) {
        wg_error_respond1(resp, a, 400, "Failed to decode the instance name in the path");
        return;
    }
    if (req->body_too_big) {
        wg_msgs_t msgs = {.n = 0};
        wg_msgs_add(&msgs, a, "Request body is larger than %zu bytes (WAGATE_MAX_BODY_BYTES)",
                    app->max_body);
        wg_error_respond(resp, a, 413, &msgs);
        return;
    }
    Wg__Ipc__Request op = WG__IPC__REQUEST__INIT;
    wg_msgs_t errs = {.n = 0};
    if (wg_validate_request(m.route, m.name, req->query, req->body, req->body_len, a, &op,
                            &errs) != WG_OK) {
        respond_invalid(ipc, req, m.name, &errs, a, resp);
        return;
    }
    op.apikey = (char *)req->apikey;
    Wg__Ipc__Reply *reply = NULL;
    if (view && m.route == WG_ROUTE_CONNECTION_STATE) {
        Wg__Ipc__ConnectionState *st = wg_arena_alloc(a, sizeof *st);
        if (wg_state_view_connection_state(view, ipc, m.name, req->apikey, a, st)) {
            Wg__Ipc__Reply *r = wg_arena_alloc(a, sizeof *r);
            wg__ipc__reply__init(r);
            r->result_case = WG__IPC__REPLY__RESULT_CONNECTION_STATE;
            r->connection_state = st;
            wg_render_reply(m.route, r, m.name, app->dialect, a, resp);
            return;
        }
    }
    int rc = wg_ipc_client_call(ipc, &op, a, &reply);
    if (rc != WG_OK) {
        respond_ipc_failure(rc, a, resp);
        return;
    }
    if (wg_render_reply(m.route, reply, m.name, app->dialect, a, resp) != WG_OK)
        wg_log(WG_LOG_ERROR, "msg=\"unexpected reply\" route=%s result=%d",
               wg_route_label(m.route), (int)reply->result_case);
}

void wg_dispatch(const wg_app_t *app, wg_ipc_client_t *ipc, wg_state_view_t *view,
                 const wg_request_t *req, wg_arena_t *a, wg_response_t *resp)
{
    wg_response_init(resp);
    wg_cors_verdict_t cors = wg_cors_check(app->cors_origin, req->origin);
    if (cors == WG_CORS_DENIED) {
        /* Evolution answers 500 "Not allowed by CORS"; 403 says what it is */
        wg_error_respond1(resp, a, 403, "Not allowed by CORS");
        return;
    }
    if (strcmp(req->method, "OPTIONS") == 0) {
        wg_cors_preflight(app->cors_origin, req->origin, resp);
        return;
    }
    route_and_answer(app, ipc, view, req, a, resp);
    wg_cors_apply(app->cors_origin, req->origin, resp);
}
