/* libFuzzer target: the JSON body validation entry point of wagate-fcgi
 * (wg_validate_request) for every route. The first byte picks the route,
 * the rest is the body; the :name and query are fixed. Any outcome but a
 * crash, a sanitizer report or an "OK without an operation" is fine. */
#include "router.h"
#include "validate.h"
#include "wg_err.h"
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    wg_route_id_t route = (wg_route_id_t)(data[0] % WG_ROUTE__COUNT);
    wg_arena_t arena;
    wg_arena_init(&arena, 0);
    Wg__Ipc__Request req = WG__IPC__REQUEST__INIT;
    wg_msgs_t errs = {.n = 0};
    int rc = wg_validate_request(route, "inst", "instanceName=a&number=1", (const char *)data + 1,
                                 size - 1, &arena, &req, &errs);
    if (rc == WG_OK && req.op_case == WG__IPC__REQUEST__OP__NOT_SET)
        abort();
    if (rc != WG_OK && errs.n == 0)
        abort();
    /* what validation built must pack */
    if (rc == WG_OK && protobuf_c_message_get_packed_size(&req.base) == 0 && req.id)
        abort();
    wg_arena_free(&arena);
    return 0;
}
