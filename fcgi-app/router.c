/* Route table and matcher (see router.h). The table is the only list of
 * REST routes in wagate-fcgi; adding a route starts here. A pattern is a
 * literal path whose last segment may be ":name". */
#include "router.h"
#include "url.h"
#include <stdio.h>
#include <string.h>

typedef struct {
    wg_route_id_t id;    /* what the route does */
    const char *method;  /* HTTP method */
    const char *pattern; /* literal path, optionally ending in "/:name" */
    const char *label;   /* short name for logs */
} route_t;

static const route_t routes[] = {
    {WG_ROUTE_ROOT, "GET", "/", "root"},
    {WG_ROUTE_INSTANCE_CREATE, "POST", "/instance/create", "instance.create"},
    {WG_ROUTE_FETCH_INSTANCES, "GET", "/instance/fetchInstances", "instance.fetch"},
    {WG_ROUTE_CONNECTION_STATE, "GET", "/instance/connectionState/:name", "instance.state"},
    {WG_ROUTE_LOGOUT, "DELETE", "/instance/logout/:name", "instance.logout"},
    {WG_ROUTE_DELETE, "DELETE", "/instance/delete/:name", "instance.delete"},
    {WG_ROUTE_SETTINGS_SET, "POST", "/settings/set/:name", "settings.set"},
    {WG_ROUTE_SETTINGS_FIND, "GET", "/settings/find/:name", "settings.find"},
    {WG_ROUTE_WEBHOOK_SET, "POST", "/webhook/set/:name", "webhook.set"},
    {WG_ROUTE_WEBHOOK_FIND, "GET", "/webhook/find/:name", "webhook.find"},
    {WG_ROUTE_WEBSOCKET_SET, "POST", "/websocket/set/:name", "websocket.set"},
    {WG_ROUTE_WEBSOCKET_FIND, "GET", "/websocket/find/:name", "websocket.find"},
    {WG_ROUTE_PROXY_SET, "POST", "/proxy/set/:name", "proxy.set"},
    {WG_ROUTE_PROXY_FIND, "GET", "/proxy/find/:name", "proxy.find"},
    {WG_ROUTE_CONNECT, "GET", "/instance/connect/:name", "instance.connect"},
    {WG_ROUTE_RESTART, "POST", "/instance/restart/:name", "instance.restart"},
    {WG_ROUTE_SET_PRESENCE, "POST", "/instance/setPresence/:name", "instance.presence"},
    {WG_ROUTE_SEND_TEXT, "POST", "/message/sendText/:name", "message.sendText"},
    {WG_ROUTE_FIND_MESSAGES, "POST", "/chat/findMessages/:name", "chat.findMessages"},
    {WG_ROUTE_SEND_REACTION, "POST", "/message/sendReaction/:name", "message.sendReaction"},
    {WG_ROUTE_DELETE_FOR_EVERYONE, "DELETE", "/chat/deleteMessageForEveryone/:name",
     "chat.deleteMessageForEveryone"},
    {WG_ROUTE_UPDATE_MESSAGE, "POST", "/chat/updateMessage/:name", "chat.updateMessage"},
    /* wagate extension: the durable webhook outbox (failed deliveries, replay) */
    {WG_ROUTE_WEBHOOK_FAILED, "GET", "/webhook/failed/:name", "webhook.failed"},
    {WG_ROUTE_WEBHOOK_RETRY, "POST", "/webhook/retry/:name", "webhook.retry"},
    /* chat routes without Message protobufs (validate_chat.c, connd/chat/) */
    {WG_ROUTE_WHATSAPP_NUMBERS, "POST", "/chat/whatsappNumbers/:name", "chat.whatsappNumbers"},
    {WG_ROUTE_MARK_READ, "POST", "/chat/markMessageAsRead/:name", "chat.markMessageAsRead"},
    {WG_ROUTE_SEND_PRESENCE, "POST", "/chat/sendPresence/:name", "chat.sendPresence"},
    {WG_ROUTE_PROFILE_PICTURE, "POST", "/chat/fetchProfilePictureUrl/:name",
     "chat.fetchProfilePictureUrl"},
    {WG_ROUTE_FIND_CONTACTS, "POST", "/chat/findContacts/:name", "chat.findContacts"},
    {WG_ROUTE_FIND_CHATS, "POST", "/chat/findChats/:name", "chat.findChats"},
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

static const route_t *by_id(wg_route_id_t id)
{
    for (size_t i = 0; i < N_ROUTES; i++)
        if (routes[i].id == id)
            return &routes[i];
    return NULL;
}

int wg_route_has_name(wg_route_id_t route)
{
    const route_t *r = by_id(route);
    return r && strstr(r->pattern, "/:name") != NULL;
}

const char *wg_route_method(wg_route_id_t route)
{
    const route_t *r = by_id(route);
    return r ? r->method : "";
}

const char *wg_route_label(wg_route_id_t route)
{
    const route_t *r = by_id(route);
    return r ? r->label : "unknown";
}

/* Does path fit pattern? Sets *seg and *seg_len to the raw :name segment. */
static int fits(const char *pattern, const char *path, size_t path_len, const char **seg,
                size_t *seg_len)
{
    /* tolerate one trailing slash, except on the root path itself */
    if (path_len > 2 && path[path_len - 1] == '/' && path[path_len - 2] != '/')
        path_len--;
    *seg = NULL;
    *seg_len = 0;
    const char *param = strstr(pattern, "/:name");
    if (!param) {
        size_t n = strlen(pattern);
        return n == path_len && memcmp(pattern, path, n) == 0;
    }
    size_t prefix = (size_t)(param - pattern) + 1; /* includes the '/' */
    if (path_len <= prefix || memcmp(pattern, path, prefix) != 0)
        return 0;
    const char *s = path + prefix;
    size_t n = path_len - prefix;
    if (memchr(s, '/', n))
        return 0;
    *seg = s;
    *seg_len = n;
    return 1;
}

wg_match_result_t wg_router_match(const char *method, const char *path, wg_arena_t *a,
                                  wg_route_match_t *m)
{
    memset(m, 0, sizeof *m);
    if (!method || !path)
        return WG_MATCH_NOT_FOUND;
    size_t path_len = strlen(path);
    int path_known = 0;
    size_t allow_len = 0;
    for (size_t i = 0; i < N_ROUTES; i++) {
        const char *seg;
        size_t seg_len;
        if (!fits(routes[i].pattern, path, path_len, &seg, &seg_len))
            continue;
        if (strcmp(method, routes[i].method) != 0) {
            if (!strstr(m->allow, routes[i].method)) {
                int n = snprintf(m->allow + allow_len, sizeof m->allow - allow_len, "%s, ",
                                 routes[i].method);
                if (n > 0 && (size_t)n < sizeof m->allow - allow_len)
                    allow_len += (size_t)n;
            }
            path_known = 1;
            continue;
        }
        m->route = routes[i].id;
        if (seg) {
            m->name = wg_url_decode(a, seg, seg_len, 0);
            if (!m->name)
                return WG_MATCH_BAD_ESCAPE;
        }
        m->allow[0] = '\0';
        return WG_MATCH_OK;
    }
    if (!path_known)
        return WG_MATCH_NOT_FOUND;
    snprintf(m->allow + allow_len, sizeof m->allow - allow_len, "OPTIONS");
    return WG_MATCH_BAD_METHOD;
}
