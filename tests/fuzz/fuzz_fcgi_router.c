/* libFuzzer target: routing of wagate-fcgi. Input "METHOD PATH": the path
 * goes through prefix stripping, the route table, %-decoding of :name and
 * the instance name rule. */
#include "dispatch.h"
#include "wg_names.h"
#include "router.h"
#include "url.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    char *space = strchr(text, ' ');
    const char *method = "GET", *path = text;
    if (space) {
        *space = '\0';
        method = text;
        path = space + 1;
    }
    wg_arena_t arena;
    wg_arena_init(&arena, 0);
    wg_route_match_t m;
    const char *stripped = wg_dispatch_strip_prefix("/api", path);
    if (stripped)
        wg_router_match(method, stripped, &arena, &m);
    wg_match_result_t r = wg_router_match(method, path, &arena, &m);
    if (r == WG_MATCH_OK) {
        if (wg_route_has_name(m.route) != (m.name != NULL))
            abort();
        if (m.name)
            (void)wg_instance_name_valid(m.name);
    }
    if (r == WG_MATCH_BAD_METHOD && !strstr(m.allow, "OPTIONS"))
        abort();
    (void)wg_query_get(&arena, path, "instanceName");
    wg_arena_free(&arena);
    free(text);
    return 0;
}
