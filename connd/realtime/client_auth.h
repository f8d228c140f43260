/* Who may open a Socket.IO namespace: the client address (X-Forwarded-For
 * believed only from trusted proxies), WEBSOCKET_ALLOWED_HOSTS, where the key
 * comes from (auth payload {apikey}/{token}, query apikey, header apikey) and
 * the decision for each kind of namespace, with the CONNECT_ERROR text that
 * says why. Pure functions over strings: no registry, no sockets, no
 * logging; the dialects feed them and act on the result. */
#ifndef WG_CLIENT_AUTH_H
#define WG_CLIENT_AUTH_H
#include <stddef.h>

typedef enum {
    WG_CLIENT_AUTH_OK = 0,
    WG_CLIENT_AUTH_MISSING_KEY,        /* no key anywhere */
    WG_CLIENT_AUTH_INVALID_KEY,        /* neither the global key nor any instance's token */
    WG_CLIENT_AUTH_WRONG_INSTANCE,     /* another instance's token */
    WG_CLIENT_AUTH_GLOBAL_REQUIRED,    /* an instance token where only the global key will do */
    WG_CLIENT_AUTH_HOST_NOT_ALLOWED,   /* address not in WEBSOCKET_ALLOWED_HOSTS */
    WG_CLIENT_AUTH_NAMESPACE_DISABLED, /* events of that namespace are switched off */
    WG_CLIENT_AUTH_UNKNOWN_INSTANCE,   /* the namespace's instance is gone */
} wg_client_auth_result_t;

/* What a namespace demands. */
typedef enum {
    WG_CLIENT_NEED_INSTANCE, /* /<instance>: its token or the global key */
    WG_CLIENT_NEED_GLOBAL,   /* / in global mode, test hooks: the global key */
    WG_CLIENT_NEED_ANY,      /* /api/events: any instance's token or the global key */
} wg_client_need_t;

/* The facts of one CONNECT, gathered by the caller. */
typedef struct {
    wg_client_need_t need;  /* kind of namespace */
    int host_allowed;       /* wg_client_host_allowed() of the client address */
    int has_key;            /* a key was presented */
    int key_is_global;      /* it equals the global key */
    int key_is_own_token;   /* it is the namespace instance's token (NEED_INSTANCE) */
    int key_is_some_token;  /* it is some instance's token */
    int instance_exists;    /* NEED_INSTANCE: the instance is still there */
    int namespace_enabled;  /* events are switched on for this namespace */
} wg_client_auth_input_t;

/* The decision. Order: host, instance existence, key presence, key
 * validity, then namespace enablement (so a refused client learns nothing
 * about an instance's settings without a valid key). */
wg_client_auth_result_t wg_client_auth_decide(const wg_client_auth_input_t *in);
/* Stable short code for logs and CONNECT_ERROR data ("missing_key", ...). */
const char *wg_client_auth_code(wg_client_auth_result_t r);

/* The client's address: peer itself unless peer is in trusted (comma
 * list) and xff (X-Forwarded-For, may be NULL) is set; then the rightmost
 * X-Forwarded-For entry that is not a trusted proxy (or the leftmost if all
 * are). Writes at most n bytes (NUL-terminated) to out. */
void wg_client_address(const char *peer, const char *xff, const char *trusted, char *out,
                       size_t n);
/* 1 when addr is in the comma list (exact match, spaces ignored) or the list
 * contains "*". */
int wg_client_host_allowed(const char *list, const char *addr);

/* Where the key came from. */
typedef enum {
    WG_CLIENT_KEY_NONE = 0,
    WG_CLIENT_KEY_AUTH,   /* CONNECT payload {apikey} or {token} */
    WG_CLIENT_KEY_QUERY,  /* ?apikey= of the handshake */
    WG_CLIENT_KEY_HEADER, /* apikey: header of the handshake */
} wg_client_key_source_t;

/* Picks the key: auth payload first (apikey, then token), then the query
 * parameter, then the header. auth_json may be NULL or not an object; query
 * is the raw handshake query (may be NULL); header may be NULL. Empty strings
 * count as absent. Writes the key to out (size n) and returns its source;
 * a key longer than n-1 is returned truncated (it will not match anything). */
wg_client_key_source_t wg_client_key_pick(const char *auth_json, const char *query,
                                          const char *header, char *out, size_t n);

#endif
