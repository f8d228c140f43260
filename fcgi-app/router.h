/* The REST route table: method + path pattern -> route id, with the :name
 * segment percent-decoded. Paths are matched as given (the caller strips
 * WAGATE_URL_PREFIX and the query first); one trailing slash is tolerated
 * like Express' non-strict routing. Never looks at bodies or keys. */
#ifndef WG_FCGI_ROUTER_H
#define WG_FCGI_ROUTER_H
#include "wg_arena.h"

typedef enum {
    WG_ROUTE_ROOT,
    WG_ROUTE_INSTANCE_CREATE,
    WG_ROUTE_FETCH_INSTANCES,
    WG_ROUTE_CONNECTION_STATE,
    WG_ROUTE_LOGOUT,
    WG_ROUTE_DELETE,
    WG_ROUTE_SETTINGS_SET,
    WG_ROUTE_SETTINGS_FIND,
    WG_ROUTE_WEBHOOK_SET,
    WG_ROUTE_WEBHOOK_FIND,
    WG_ROUTE_WEBSOCKET_SET,
    WG_ROUTE_WEBSOCKET_FIND,
    WG_ROUTE_PROXY_SET,
    WG_ROUTE_PROXY_FIND,
    WG_ROUTE_WEBHOOK_FAILED,
    WG_ROUTE_WEBHOOK_RETRY,
    WG_ROUTE_CONNECT,
    WG_ROUTE_RESTART,
    WG_ROUTE_SET_PRESENCE,
    WG_ROUTE_SEND_TEXT,
    WG_ROUTE_FIND_MESSAGES,
    WG_ROUTE_WHATSAPP_NUMBERS,
    WG_ROUTE_MARK_READ,
    WG_ROUTE_SEND_PRESENCE,
    WG_ROUTE_PROFILE_PICTURE,
    WG_ROUTE_FIND_CONTACTS,
    WG_ROUTE_FIND_CHATS,
    WG_ROUTE_SEND_REACTION,
    WG_ROUTE_DELETE_FOR_EVERYONE,
    WG_ROUTE_UPDATE_MESSAGE,
    WG_ROUTE__COUNT
} wg_route_id_t;

typedef enum {
    WG_MATCH_OK = 0,          /* route and name are set */
    WG_MATCH_NOT_FOUND = 1,   /* no pattern fits the path */
    WG_MATCH_BAD_METHOD = 2,  /* a pattern fits, not with this method; allow is set */
    WG_MATCH_BAD_ESCAPE = 3,  /* the :name segment has a malformed %-escape */
} wg_match_result_t;

typedef struct {
    wg_route_id_t route; /* valid for WG_MATCH_OK */
    const char *name;    /* decoded :name segment (arena), NULL for routes without one */
    char allow[64];      /* Allow header value for WG_MATCH_BAD_METHOD */
} wg_route_match_t;

/* Matches method and path (no query). Strings are borrowed; name is copied
 * into the arena. Thread-safe (the table is read-only). */
wg_match_result_t wg_router_match(const char *method, const char *path, wg_arena_t *a,
                                  wg_route_match_t *m);

/* Does the route take a :name segment? */
int wg_route_has_name(wg_route_id_t route);
/* HTTP method of a route ("POST"), and a short label for logs. */
const char *wg_route_method(wg_route_id_t route);
const char *wg_route_label(wg_route_id_t route);

#endif
