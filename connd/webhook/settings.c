/* WEBHOOK_* variables -> wg_webhook_settings_t (see settings.h). The table
 * validated every value already; this only converts. */
#include "webhook/settings.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EVENTS_PREFIX "WEBHOOK_EVENTS_"

static int64_t seconds_ms(const char *text)
{
    double s = strtod(text, NULL);
    return (int64_t)llround(s * 1000.0);
}

static int parse_statuses(const char *text, wg_webhook_retry_t *r, wg_buf_t *err)
{
    r->n_non_retryable = 0;
    for (const char *p = text; *p;) {
        char *end;
        long n = strtol(p, &end, 10);
        if (end == p) {
            p++;
            continue;
        }
        if (r->n_non_retryable == WG_WEBHOOK_MAX_STATUSES) {
            wg_buf_printf(err, "WEBHOOK_RETRY_NON_RETRYABLE_STATUS_CODES: more than %d codes",
                          WG_WEBHOOK_MAX_STATUSES);
            return WG_EINVAL;
        }
        r->non_retryable[r->n_non_retryable++] = (int)n;
        p = end;
    }
    return 0;
}

int wg_webhook_settings_load(const wg_config_t *cfg, wg_webhook_settings_t *out, wg_buf_t *err)
{
    memset(out, 0, sizeof *out);
    out->global_enabled = wg_cfg_bool(cfg, WG_CFG_WEBHOOK_GLOBAL_ENABLED);
    out->global_url = wg_strdup(wg_cfg_str(cfg, WG_CFG_WEBHOOK_GLOBAL_URL));
    out->global_by_events = wg_cfg_bool(cfg, WG_CFG_WEBHOOK_GLOBAL_BY_EVENTS);
    out->expose_apikey = wg_cfg_bool(cfg, WG_CFG_EXPOSE_APIKEY);
    out->server_url = wg_strdup(wg_cfg_str(cfg, WG_CFG_SERVER_URL));
    out->ca_file = wg_strdup(wg_cfg_str(cfg, WG_CFG_WEBHOOK_CA_FILE));
    out->global_events = wg_calloc(WG_CFG__COUNT, sizeof *out->global_events);
    for (int i = 0; i < WG_CFG__COUNT; i++) {
        const char *name = wg_config_table[i].name;
        if (strncmp(name, EVENTS_PREFIX, strlen(EVENTS_PREFIX)) == 0 &&
            wg_config_table[i].type == WG_CFG_BOOL && wg_cfg_bool(cfg, (wg_cfg_id_t)i))
            out->global_events[out->n_global_events++] = wg_strdup(name + strlen(EVENTS_PREFIX));
    }
    out->timeout_ms = wg_cfg_int(cfg, WG_CFG_WEBHOOK_TIMEOUT_MS);
    wg_webhook_retry_t *r = &out->retry;
    r->max_attempts = (int)wg_cfg_int(cfg, WG_CFG_WEBHOOK_RETRY_MAX_ATTEMPTS);
    r->initial_delay_ms = seconds_ms(wg_cfg_str(cfg, WG_CFG_WEBHOOK_RETRY_INITIAL_DELAY));
    r->max_delay_ms = seconds_ms(wg_cfg_str(cfg, WG_CFG_WEBHOOK_RETRY_MAX_DELAY));
    r->exponential = wg_cfg_bool(cfg, WG_CFG_WEBHOOK_RETRY_EXPONENTIAL);
    r->jitter = strtod(wg_cfg_str(cfg, WG_CFG_WEBHOOK_RETRY_JITTER), NULL);
    out->failed_max_age_ms = wg_cfg_int(cfg, WG_CFG_WEBHOOK_FAILED_MAX_AGE_HOURS) * 3600000;
    out->failed_max_rows = wg_cfg_int(cfg, WG_CFG_WEBHOOK_FAILED_MAX_ROWS);
    if (out->global_enabled && !*out->global_url) {
        wg_buf_append_str(err, "WEBHOOK_GLOBAL_ENABLED=true needs WEBHOOK_GLOBAL_URL");
        return WG_EINVAL;
    }
    return parse_statuses(wg_cfg_str(cfg, WG_CFG_WEBHOOK_RETRY_NON_RETRYABLE), r, err);
}

void wg_webhook_settings_free(wg_webhook_settings_t *s)
{
    if (!s)
        return;
    free(s->global_url);
    free(s->server_url);
    free(s->ca_file);
    for (int i = 0; i < s->n_global_events; i++)
        free(s->global_events[i]);
    free(s->global_events);
    memset(s, 0, sizeof *s);
}

int wg_webhook_settings_global_wants(const wg_webhook_settings_t *s, const char *upper)
{
    if (!s->global_enabled)
        return 0;
    for (int i = 0; i < s->n_global_events; i++)
        if (strcmp(s->global_events[i], upper) == 0)
            return 1;
    return 0;
}
