/* connd's typed replies -> Evolution's JSON response shapes and statuses
 * (evolution-api.md §2.1-2.8, §3.3-3.6, §5). Two dialects: the documented
 * "seed" shapes (default) and Evolution 2.3.6's (WAGATE_COMPAT=evolution-2.3).
 * Pure: no sockets, no config; output goes into the arena. */
#ifndef WG_FCGI_RENDER_H
#define WG_FCGI_RENDER_H
#include "ipc.pb-c.h"
#include "response.h"
#include "router.h"
#include "wg_arena.h"

typedef enum {
    WG_DIALECT_SEED = 0,      /* documented shapes: hash:{apikey}, status:"created", instanceName rows */
    WG_DIALECT_EVOLUTION = 1, /* Evolution 2.3.6: hash:"<token>", status = connection state */
} wg_dialect_t;

/* Renders reply (an Error or the result type of route) into resp.
 * instance_name is the route's :name (used by the set echoes). Returns
 * WG_OK, or WG_EPROTO when the result does not fit the route; resp then
 * holds a 500 envelope. Thread-safe. */
int wg_render_reply(wg_route_id_t route, const Wg__Ipc__Reply *reply, const char *instance_name,
                    wg_dialect_t dialect, wg_arena_t *a, wg_response_t *resp);

/* The unauthenticated GET / answer; scheme "http"/"https", host from
 * HTTP_HOST (may be empty). */
void wg_render_root(const char *scheme, const char *host, wg_arena_t *a, wg_response_t *resp);

#endif
