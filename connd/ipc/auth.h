/* Authorization of IPC requests: which key may do what (spec
 * evolution-api.md §1, with wagate's fix that the key is checked FIRST so an
 * unauthenticated caller learns nothing about which instances exist).
 *   global key: everything;
 *   instance token: only routes of its own instance, and fetchInstances
 *   filtered to the instances holding that token. */
#ifndef WG_AUTH_H
#define WG_AUTH_H
#include "core/daemon.h"

typedef enum {
    WG_AUTH_NEED_GLOBAL,   /* create */
    WG_AUTH_NEED_INSTANCE, /* routes with :name */
    WG_AUTH_NEED_ANY_KEY,  /* fetchInstances: global or any instance's token */
} wg_auth_need_t;

/* Returns 0 when allowed, else the HTTP status to answer: 401 (no key, wrong
 * key, another instance's token), 404 (global key, unknown instance).
 * *inst_out gets the named instance for WG_AUTH_NEED_INSTANCE; *is_global
 * says whether the key is the global one. Constant-time key comparison. */
int wg_auth_check(wg_connd_t *d, const char *apikey, const char *name, wg_auth_need_t need,
                  wg_instance_t **inst_out, int *is_global);

/* Constant-time equality of two NUL-terminated keys (NULL never matches). */
int wg_auth_key_equal(const char *a, const char *b);

#endif
