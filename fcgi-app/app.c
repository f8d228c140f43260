/* Configuration -> wg_app_t (see app.h). */
#include "app.h"
#include <stdio.h>
#include <string.h>

void wg_app_from_config(wg_app_t *app, const wg_config_t *cfg)
{
    memset(app, 0, sizeof *app);
    app->dialect = strcmp(wg_cfg_str(cfg, WG_CFG_COMPAT), "evolution-2.3") == 0
                       ? WG_DIALECT_EVOLUTION
                       : WG_DIALECT_SEED;
    snprintf(app->url_prefix, sizeof app->url_prefix, "%s", wg_cfg_str(cfg, WG_CFG_URL_PREFIX));
    size_t n = strlen(app->url_prefix);
    while (n > 0 && app->url_prefix[n - 1] == '/')
        app->url_prefix[--n] = '\0';
    snprintf(app->cors_origin, sizeof app->cors_origin, "%s", wg_cfg_str(cfg, WG_CFG_CORS_ORIGIN));
    app->max_body = (size_t)wg_cfg_int(cfg, WG_CFG_MAX_BODY);
    wg_cfg_ipc_socket(cfg, app->ipc_path, sizeof app->ipc_path);
    app->ipc_timeout_ms = (int)wg_cfg_int(cfg, WG_CFG_IPC_TIMEOUT_MS);
    app->threads = (int)wg_cfg_int(cfg, WG_CFG_FCGI_THREADS);
}
