/* Retry schedule (see backoff.h). Owns no state. */
#include "webhook/backoff.h"
#include <math.h>

int64_t wg_webhook_backoff_ms(const wg_webhook_retry_t *r, int failed, double unit_random)
{
    if (!r->exponential || failed < 1)
        return r->initial_delay_ms;
    double base = (double)r->initial_delay_ms;
    for (int i = 1; i < failed && base < (double)r->max_delay_ms; i++)
        base *= 2;
    if (base > (double)r->max_delay_ms)
        base = (double)r->max_delay_ms;
    double delay = base + r->jitter * base * (unit_random * 2.0 - 1.0);
    if (delay < (double)r->initial_delay_ms)
        delay = (double)r->initial_delay_ms;
    return (int64_t)llround(delay);
}

int wg_webhook_retryable(const wg_webhook_retry_t *r, int status)
{
    for (int i = 0; status > 0 && i < r->n_non_retryable; i++)
        if (r->non_retryable[i] == status)
            return 0;
    return 1;
}
