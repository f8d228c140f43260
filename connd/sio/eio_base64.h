/* Base64 for Engine.IO: standard alphabet with padding for binary packets in
 * polling bodies ("b" + base64), URL-safe alphabet without padding for ids.
 * Pure functions over bytes; no allocation beyond the caller's wg_buf_t. */
#ifndef WG_EIO_BASE64_H
#define WG_EIO_BASE64_H
#include "wg_buf.h"
#include <stddef.h>
#include <stdint.h>

/* Appends the base64 text of data[0..len) to out (standard alphabet, '='
 * padding when url_safe is 0; '-'/'_' and no padding when url_safe is 1).
 * May reallocate out. */
void wg_eio_base64_encode(wg_buf_t *out, const uint8_t *data, size_t len, int url_safe);

/* Appends the bytes encoded by text[0..len) (standard alphabet, padding
 * required so len % 4 == 0) to out. Returns 0, or WG_EINVAL for a bad
 * character, bad length, misplaced padding or non-zero trailing bits; out is
 * then restored to its previous length. May reallocate out. */
int wg_eio_base64_decode(wg_buf_t *out, const uint8_t *text, size_t len);

#endif
