/* The settings wagate-fcgi runs with, taken once from the configuration
 * table (scope WG_SCOPE_FCGI) and then read-only, shared by all request
 * threads without locking. */
#ifndef WG_FCGI_APP_H
#define WG_FCGI_APP_H
#include "render.h"
#include "wg_config.h"
#include <stddef.h>

typedef struct {
    wg_dialect_t dialect;    /* WAGATE_COMPAT: response shapes */
    char url_prefix[256];    /* WAGATE_URL_PREFIX without trailing '/', "" for none */
    char cors_origin[1024];  /* CORS_ORIGIN */
    size_t max_body;         /* WAGATE_MAX_BODY_BYTES */
    char ipc_path[108];      /* connd's socket */
    int ipc_timeout_ms;      /* WAGATE_IPC_TIMEOUT_MS */
    int threads;             /* WAGATE_FCGI_THREADS */
} wg_app_t;

/* Copies what wagate-fcgi needs out of a loaded configuration. */
void wg_app_from_config(wg_app_t *app, const wg_config_t *cfg);

#endif
