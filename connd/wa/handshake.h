/* The WhatsApp client side of the Noise handshake (wa-protocol.md §2.2):
 * wraps the WhatsApp-mode Noise XX messages in HandshakeMessage protobufs and
 * 3-byte frames, and checks the server certificate chain. Bytes in, frames
 * out; the caller owns the socket and the ClientPayload (§3).
 * Sequence: init -> hello -> read_server_hello -> finish -> split. */
#ifndef WG_WA_HANDSHAKE_H
#define WG_WA_HANDSHAKE_H
#include <stddef.h>
#include <stdint.h>

#include "wa/noise.h"
#include "wa/transport.h"
#include "wg_buf.h"

typedef struct {
    wg_noise_handshake_t noise; /* WhatsApp-mode XX initiator */
    uint8_t root_key[32];       /* trusted certificate root */
    int step;                   /* 0 init, 1 hello sent, 2 server hello ok, 3 finished */
    int skip_cert_check;        /* 1: accept any chain (WA_CERT_CHECK=off, loopback peers only) */
} wg_wa_handshake_t;

/* noise_priv: the long-term noise key (creds.noiseKey.private). ephemeral_priv
 * NULL = random (tests pass one). root_key NULL = wg_wa_cert_root_key.
 * Returns 0 or WG_EIO. Wipe with wg_wa_handshake_wipe. */
int wg_wa_handshake_init(wg_wa_handshake_t *hs, const uint8_t noise_priv[32],
                         const uint8_t *ephemeral_priv, const uint8_t *root_key);
/* Appends the first bytes of the connection: the intro header (with edge
 * routing info when routing_len > 0) and the ClientHello frame.
 * Returns 0, WG_ESTATE or WG_ETOOBIG. May reallocate out. */
int wg_wa_handshake_hello(wg_wa_handshake_t *hs, const uint8_t *routing, size_t routing_len,
                          wg_buf_t *out);
/* Processes the server's first frame payload (a HandshakeMessage with a
 * ServerHello) and verifies the certificate chain at unix time now (now < 0
 * skips the validity window, like Baileys). Returns 0, WG_ESTATE, WG_EPROTO
 * (malformed), WG_ECRYPTO (decryption or certificate failure) or WG_ETIMEDOUT. */
int wg_wa_handshake_read_server_hello(wg_wa_handshake_t *hs, const uint8_t *payload, size_t len,
                                      int64_t now);
/* Appends the ClientFinish frame carrying the encrypted static key and the
 * encrypted client_payload (a serialized ClientPayload). Returns 0, WG_ESTATE,
 * WG_ETOOBIG. May reallocate out. */
int wg_wa_handshake_finish(wg_wa_handshake_t *hs, const uint8_t *client_payload, size_t len,
                           wg_buf_t *out);
/* After finish: the transport keys. Returns 0 or WG_ESTATE. */
int wg_wa_handshake_split(wg_wa_handshake_t *hs, wg_wa_transport_t *transport);
/* The server static key (valid after read_server_hello). */
const uint8_t *wg_wa_handshake_server_static(const wg_wa_handshake_t *hs);
void wg_wa_handshake_wipe(wg_wa_handshake_t *hs);

/* HandshakeMessage field numbers (wa-protocol.md §2.2), for peers in tests. */
enum {
    WG_WA_HS_CLIENT_HELLO = 2,
    WG_WA_HS_SERVER_HELLO = 3,
    WG_WA_HS_CLIENT_FINISH = 4,
};

#endif
