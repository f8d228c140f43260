/* The HTTP header lines of one webhook POST (spec evolution-api.md §4.3):
 * the webhook's custom headers verbatim, except `jwt_key` which becomes
 * `Authorization: Bearer <HS256 JWT>`; Content-Type: application/json and a
 * User-Agent unless the user set them; and wagate's own:
 *   X-Wagate-Delivery: <delivery id>   same value on every attempt (dedup key)
 *   X-Wagate-Attempt: <n>              1 for the first attempt
 *   X-Wagate-Signature: sha256=<hex>   only when the webhook has a secret
 * A header whose name is not an HTTP token or whose value holds CR/LF is
 * dropped (and logged), never sent. Pure apart from that log line. */
#ifndef WG_WEBHOOK_REQUEST_H
#define WG_WEBHOOK_REQUEST_H
#include "store/outbox.h"
#include <stdint.h>

#define WG_DELIVERY_HEADER "X-Wagate-Delivery"
#define WG_ATTEMPT_HEADER "X-Wagate-Attempt"

/* The header lines ("Name: value") for attempt number attempt (1-based) of
 * row at UTC second now_s (the JWT's iat). Returns a malloc'd NULL-terminated
 * array of malloc'd strings (free with wg_webhook_headers_free). Any thread. */
char **wg_webhook_headers(const wg_outbox_row_t *row, int attempt, int64_t now_s);
void wg_webhook_headers_free(char **lines);

#endif
