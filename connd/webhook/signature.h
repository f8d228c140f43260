/* The body signature of a webhook delivery whose config has a `secret`
 * (a wagate extension; Evolution has none, its issue #102 asks for it):
 *   X-Wagate-Signature: sha256=<lowercase hex HMAC-SHA256(secret, raw body)>
 * A receiver recomputes it over the exact bytes it read and compares in
 * constant time. Bytes in, text out. */
#ifndef WG_WEBHOOK_SIGNATURE_H
#define WG_WEBHOOK_SIGNATURE_H
#include <stddef.h>

#define WG_SIGNATURE_HEADER "X-Wagate-Signature"
#define WG_SIGNATURE_LEN (7 + 64) /* "sha256=" + hex, without NUL */

/* Writes the header value ("sha256=...") and a NUL into out. Any thread. */
void wg_webhook_signature(const char *secret, const void *body, size_t len,
                          char out[WG_SIGNATURE_LEN + 1]);

#endif
