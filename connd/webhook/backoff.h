/* The retry schedule of a webhook delivery (spec evolution-api.md §4.3,
 * Evolution's retryWebhookRequest): which outcomes are retried and how long
 * to wait. Pure functions: the random draw is passed in, so tests pin it. */
#ifndef WG_WEBHOOK_BACKOFF_H
#define WG_WEBHOOK_BACKOFF_H
#include "webhook/settings.h"
#include <stdint.h>

/* The wait after the attempt number `failed` (1 = the first attempt failed)
 * in ms. Exponential: min(initial * 2^(failed-1), max) spread by
 * +-jitter * that (unit_random in [0,1) picks where: 0.5 = no spread),
 * never below initial. Otherwise: initial. */
int64_t wg_webhook_backoff_ms(const wg_webhook_retry_t *r, int failed, double unit_random);

/* 1 when an attempt with this outcome may be repeated: no HTTP response
 * (status 0: connect error, timeout, TLS failure...) or a status that is
 * not in the non-retryable list. */
int wg_webhook_retryable(const wg_webhook_retry_t *r, int status);

#endif
