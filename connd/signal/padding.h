/* WhatsApp's random padding of Signal plaintexts, v="2" (wa-protocol.md
 * §7.1 "Unpadding", §12 pitfall 4): N bytes of value N, N in 1..16, after
 * the message protobuf. Done outside libsignal. Pure; thread-safe. */
#ifndef WG_SIGNAL_PADDING_H
#define WG_SIGNAL_PADDING_H
#include "wg_buf.h"
#include <stddef.h>
#include <stdint.h>

#define WG_SIGNAL_PAD_MAX 16

/* Appends p[0..len) and n pad bytes of value n to out; n outside 1..16 is
 * clamped into it. May reallocate out. For tests and fixed vectors. */
void wg_signal_pad_with(const uint8_t *p, size_t len, unsigned n, wg_buf_t *out);
/* Same with a random n in 1..16 ([B] `(rnd & 0x0F) + 1`), the random byte
 * from a per-thread pool refilled from libsodium 256 bytes at a time. */
void wg_signal_pad(const uint8_t *p, size_t len, wg_buf_t *out);
/* The length of the message inside a padded plaintext: 0 and *msg_len, or
 * WG_EPROTO when empty, when the last byte is 0 or over 16 or longer than
 * the input, or when the pad bytes differ ([W] unpadMessage). */
int wg_signal_unpad(const uint8_t *p, size_t len, size_t *msg_len);

#endif
