/* Request handling order of wagate-fcgi, from parsed request to finished
 * response: CORS, routing, the API key, body limits, validation, the IPC
 * call to connd and rendering. The order is the security property: a
 * caller without a key learns nothing about which instances exist, and a
 * caller with a wrong key gets connd's 401 before any validation detail.
 * No FastCGI here: bytes in via wg_request_t, bytes out via wg_response_t. */
#ifndef WG_FCGI_DISPATCH_H
#define WG_FCGI_DISPATCH_H
#include "app.h"
#include "ipc_client.h"
#include "request.h"
#include "response.h"
#include "state_view.h"
#include "wg_arena.h"

/* Answers one request into resp (initialised here); all memory from the
 * arena. ipc is the calling thread's client, view its state snapshot view
 * (NULL: always ask connd). Never fails: every problem becomes an HTTP
 * status with Evolution's error envelope. */
void wg_dispatch(const wg_app_t *app, wg_ipc_client_t *ipc, wg_state_view_t *view,
                 const wg_request_t *req, wg_arena_t *a, wg_response_t *resp);

/* The path with the URL prefix removed ("/api/x" -> "/x", "/api" -> "/"),
 * or NULL when path is not under the prefix. prefix has no trailing '/'. */
const char *wg_dispatch_strip_prefix(const char *prefix, const char *path);

#endif
