/* The webhook configuration of connd, read once from the config table
 * (WEBHOOK_*, spec evolution-api.md §4.3 and §6): the global webhook, the
 * retry policy and the failed-row limits. Plain data; never does I/O. */
#ifndef WG_WEBHOOK_SETTINGS_H
#define WG_WEBHOOK_SETTINGS_H
#include "wg_buf.h"
#include "wg_config.h"
#include <stdint.h>

#define WG_WEBHOOK_MAX_STATUSES 32

/* How attempts are repeated (WEBHOOK_RETRY_*). */
typedef struct {
    int max_attempts;         /* attempts per delivery, the first included (>= 1) */
    int64_t initial_delay_ms; /* first wait, also the floor of every wait */
    int64_t max_delay_ms;     /* cap of the exponential wait */
    int exponential;          /* 1: initial * 2^(n-1) with jitter; 0: always initial */
    double jitter;            /* 0..1: uniform spread of the exponential wait */
    int non_retryable[WG_WEBHOOK_MAX_STATUSES]; /* statuses that fail at once */
    int n_non_retryable;                        /* used entries */
} wg_webhook_retry_t;

typedef struct {
    int global_enabled;        /* WEBHOOK_GLOBAL_ENABLED */
    char *global_url;          /* WEBHOOK_GLOBAL_URL, owned ("" when unset) */
    int global_by_events;      /* WEBHOOK_GLOBAL_WEBHOOK_BY_EVENTS */
    char **global_events;      /* UPPER names whose WEBHOOK_EVENTS_<NAME> is true, owned */
    int n_global_events;       /* used entries */
    int expose_apikey;         /* AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES */
    char *server_url;          /* SERVER_URL, owned ("" when unset) */
    int64_t timeout_ms;        /* WEBHOOK_REQUEST_TIMEOUT_MS */
    wg_webhook_retry_t retry;  /* retry policy */
    int64_t failed_max_age_ms; /* failed rows older than this are pruned */
    int64_t failed_max_rows;   /* at most this many failed rows are kept */
    char *ca_file;             /* WAGATE_WEBHOOK_CA_FILE, owned ("" = system store) */
} wg_webhook_settings_t;

/* Fills *out from cfg (already validated by wg_config_load). Returns 0, or
 * WG_EINVAL with a reason appended to err. Free with
 * wg_webhook_settings_free (also after a failure). */
int wg_webhook_settings_load(const wg_config_t *cfg, wg_webhook_settings_t *out, wg_buf_t *err);
void wg_webhook_settings_free(wg_webhook_settings_t *s);

/* 1 when the global webhook takes events named upper (e.g. "MESSAGES_UPSERT"). */
int wg_webhook_settings_global_wants(const wg_webhook_settings_t *s, const char *upper);

#endif
