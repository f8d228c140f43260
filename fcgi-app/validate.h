/* Request input (JSON body, query string, :name segment) -> the typed IPC
 * operation, or Evolution-style 400 messages (evolution-api.md §1
 * "Validation"): `instance requires property "x"`, `x is not of a type(s)
 * boolean`, `webhook requires property "url"`, ... Unknown properties are
 * ignored, like Evolution. Pure: no sockets, no keys, no config. */
#ifndef WG_FCGI_VALIDATE_H
#define WG_FCGI_VALIDATE_H
#include "errors.h"
#include "ipc.pb-c.h"
#include "router.h"
#include "wg_arena.h"

/* Fills out->op (and out->instance_name) for route, every string and
 * sub-message allocated from the arena (out itself is the caller's,
 * initialised with WG__IPC__REQUEST__INIT). name is the decoded :name
 * segment or NULL; query has no '?'; body may be NULL (empty = {}).
 * Returns WG_OK, or WG_EINVAL with at least one message in errs.
 * WG_ROUTE_ROOT has no operation and returns WG_EINVAL. Thread-safe. */
int wg_validate_request(wg_route_id_t route, const char *name, const char *query,
                        const char *body, size_t body_len, wg_arena_t *a,
                        Wg__Ipc__Request *out, wg_msgs_t *errs);

/* Evolution's owner-number pattern ^\d+[\.@\w-]+ (a prefix match). */
int wg_validate_number(const char *number);

/* A findMessages / findChats time bound: non-negative seconds, milliseconds
 * (values over 1e11) or an ISO date ("2024-06-06", "2024-06-06T15:51:37[.123]Z")
 * into *out (seconds). Returns 1 when valid, 0 when v is absent or null,
 * -1 for any other value. Pure. */
int wg_validate_time(json_t *v, int64_t *out);

#endif
