/* What the fcgi-app validator tests share: one request, arena and message
 * list, wg_validate_request run on them from a clean request, and the lookup
 * of an expected message. Tests only. */
#ifndef VALIDATE_FIXTURE_H
#define VALIDATE_FIXTURE_H
#include "validate.h"
#include "wg_test.h"

#include <stdio.h>
#include <string.h>

static wg_arena_t arena;     /* what the validator allocates from */
static Wg__Ipc__Request req; /* the request the last run built */
static wg_msgs_t errs;       /* the messages of the last run */

/* wg_validate_request of route for instance name, query string and body (NULL: none) */
static inline int validate_run(wg_route_id_t route, const char *name, const char *query,
                               const char *body)
{
    Wg__Ipc__Request init = WG__IPC__REQUEST__INIT;
    req = init;
    errs.n = 0;
    return wg_validate_request(route, name, query, body, body ? strlen(body) : 0, &arena, &req,
                               &errs);
}

/* Is msg among the messages? Prints them when not. */
static inline int has_msg(const char *msg)
{
    for (size_t i = 0; i < errs.n; i++)
        if (strcmp(errs.items[i], msg) == 0)
            return 1;
    fprintf(stderr, "missing message \"%s\"; got:\n", msg);
    for (size_t i = 0; i < errs.n; i++)
        fprintf(stderr, "  %s\n", errs.items[i]);
    return 0;
}
#endif
