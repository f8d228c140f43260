/* WhatsApp Noise transport phase (wa-protocol.md §2.4): one AES-256-GCM key
 * and uint32 counter per direction, empty AD, one ciphertext per frame.
 * Bytes in, frames out; one state per connection, not thread-safe. */
#ifndef WG_WA_TRANSPORT_H
#define WG_WA_TRANSPORT_H
#include <stddef.h>
#include <stdint.h>

#include "wa/noise.h"
#include "wg_buf.h"

typedef struct {
    wg_noise_cipher_t send; /* client_tx for a client */
    wg_noise_cipher_t recv; /* client_rx for a client */
} wg_wa_transport_t;

/* Encrypts plain (flag byte || node, see binnode.h) and appends the frame
 * len[3] || ciphertext || tag to out. Returns 0, WG_ETOOBIG (over a frame),
 * WG_ESTATE (counter exhausted). May reallocate out. */
int wg_wa_transport_seal(wg_wa_transport_t *t, const uint8_t *plain, size_t len, wg_buf_t *out);
/* Decrypts one frame payload (as returned by wg_wa_frame_reader_next) and
 * appends the plaintext to out. Returns 0, WG_ECRYPTO (bad tag: close the
 * connection; the counter did not move) or WG_ESTATE. */
int wg_wa_transport_open(wg_wa_transport_t *t, const uint8_t *payload, size_t len, wg_buf_t *out);
void wg_wa_transport_wipe(wg_wa_transport_t *t);

#endif
