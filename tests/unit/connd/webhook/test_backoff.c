/* The retry schedule (spec §4.3: 5,10,20,...,300 s with +-20 % jitter,
 * floored at the initial delay), non-retryable statuses, and settings read
 * from the config table. */
#include "webhook/backoff.h"
#include "wg_err.h"
#include "wg_test.h"
#include <stdlib.h>

static wg_webhook_retry_t evolution_defaults(void)
{
    wg_webhook_retry_t r = {10, 5000, 300000, 1, 0.2, {400, 401, 403, 404, 422}, 5};
    return r;
}

static void exponential_schedule(void)
{
    wg_webhook_retry_t r = evolution_defaults();
    const int64_t want[] = {5000, 10000, 20000, 40000, 80000, 160000, 300000, 300000, 300000};
    for (int i = 0; i < 9; i++)
        WG_CHECK_INT(wg_webhook_backoff_ms(&r, i + 1, 0.5), want[i]); /* 0.5: no spread */
    /* jitter bounds: +-20 % */
    WG_CHECK_INT(wg_webhook_backoff_ms(&r, 3, 0.0), 16000);
    WG_CHECK_INT(wg_webhook_backoff_ms(&r, 3, 1.0), 24000);
    WG_CHECK_INT(wg_webhook_backoff_ms(&r, 9, 1.0), 360000); /* spread applies after the cap */
    /* never below the initial delay */
    WG_CHECK_INT(wg_webhook_backoff_ms(&r, 1, 0.0), 5000);
    /* huge attempt numbers do not overflow */
    WG_CHECK_INT(wg_webhook_backoff_ms(&r, 100000, 0.5), 300000);
}

static void fixed_schedule(void)
{
    wg_webhook_retry_t r = evolution_defaults();
    r.exponential = 0;
    for (int i = 1; i < 12; i++)
        WG_CHECK_INT(wg_webhook_backoff_ms(&r, i, 0.9), 5000);
}

static void retryable_statuses(void)
{
    wg_webhook_retry_t r = evolution_defaults();
    WG_CHECK(wg_webhook_retryable(&r, 0)); /* no response */
    WG_CHECK(wg_webhook_retryable(&r, 500));
    WG_CHECK(wg_webhook_retryable(&r, 429));
    WG_CHECK(wg_webhook_retryable(&r, 302));
    WG_CHECK(!wg_webhook_retryable(&r, 404));
    WG_CHECK(!wg_webhook_retryable(&r, 422));
}

static void settings_from_config(void)
{
    setenv("WEBHOOK_GLOBAL_ENABLED", "true", 1);
    setenv("WEBHOOK_GLOBAL_URL", "http://g.example", 1);
    setenv("WEBHOOK_EVENTS_MESSAGES_UPSERT", "true", 1);
    setenv("WEBHOOK_EVENTS_GROUPS_UPDATE", "true", 1);
    setenv("WEBHOOK_RETRY_INITIAL_DELAY_SECONDS", "0.25", 1);
    setenv("WEBHOOK_RETRY_NON_RETRYABLE_STATUS_CODES", "400, 410", 1);
    wg_config_t cfg;
    wg_buf_t err = WG_BUF_INIT;
    WG_CHECK_INT(wg_config_load(&cfg, WG_SCOPE_CONND, NULL, &err), 0);
    wg_webhook_settings_t s;
    WG_CHECK_INT(wg_webhook_settings_load(&cfg, &s, &err), 0);
    WG_CHECK(s.global_enabled);
    WG_CHECK(wg_webhook_settings_global_wants(&s, "MESSAGES_UPSERT"));
    WG_CHECK(wg_webhook_settings_global_wants(&s, "GROUPS_UPDATE"));
    WG_CHECK(!wg_webhook_settings_global_wants(&s, "INSTANCE_CREATE"));
    WG_CHECK(!wg_webhook_settings_global_wants(&s, "REMOVE_INSTANCE")); /* no key: never global */
    WG_CHECK_INT(s.retry.initial_delay_ms, 250);
    WG_CHECK_INT(s.retry.max_delay_ms, 300000);
    WG_CHECK_INT(s.retry.max_attempts, 10);
    WG_CHECK_INT(s.timeout_ms, 30000);
    WG_CHECK(s.retry.exponential);
    WG_CHECK_INT(s.retry.n_non_retryable, 2);
    WG_CHECK_INT(s.retry.non_retryable[1], 410);
    wg_webhook_settings_free(&s);
    wg_config_free(&cfg);
    /* validators reject nonsense */
    setenv("WEBHOOK_RETRY_JITTER_FACTOR", "2", 1);
    WG_CHECK_INT(wg_config_load(&cfg, WG_SCOPE_CONND, NULL, &err), WG_EINVAL);
    wg_config_free(&cfg);
    unsetenv("WEBHOOK_RETRY_JITTER_FACTOR");
    setenv("WEBHOOK_RETRY_NON_RETRYABLE_STATUS_CODES", "400,abc", 1);
    WG_CHECK_INT(wg_config_load(&cfg, WG_SCOPE_CONND, NULL, &err), WG_EINVAL);
    wg_config_free(&cfg);
    unsetenv("WEBHOOK_RETRY_NON_RETRYABLE_STATUS_CODES");
    /* enabled without a URL is refused at start */
    unsetenv("WEBHOOK_GLOBAL_URL");
    WG_CHECK_INT(wg_config_load(&cfg, WG_SCOPE_CONND, NULL, &err), 0);
    WG_CHECK_INT(wg_webhook_settings_load(&cfg, &s, &err), WG_EINVAL);
    wg_webhook_settings_free(&s);
    wg_config_free(&cfg);
    wg_buf_free(&err);
}

int main(void)
{
    WG_RUN(exponential_schedule);
    WG_RUN(fixed_schedule);
    WG_RUN(retryable_statuses);
    WG_RUN(settings_from_config);
    return wg_test_done();
}
