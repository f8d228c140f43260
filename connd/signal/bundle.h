/* Pre-key bundles (wa-protocol.md §6 "Pre-key upload", §7.2 step 3): the
 * keys of one remote device as a `<user>` of an encrypt/key reply carries
 * them (raw 32-byte keys, ids as numbers); the node parsing that fills the
 * struct belongs to the usync/enc work, not here. Also our own bundle, as
 * the retry receipt's <keys> and the test peers need it. */
#ifndef WG_SIGNAL_BUNDLE_H
#define WG_SIGNAL_BUNDLE_H
#include "signal/signal.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint32_t registration_id; /* <registration>, 4 bytes BE on the wire */
    uint8_t identity[32];     /* <identity>, raw */
    uint32_t spk_id;          /* <skey><id>, 24 bits */
    uint8_t spk[32];          /* <skey><value>, raw */
    uint8_t spk_sig[64];      /* <skey><signature>: XEdDSA over 0x05 || spk */
    bool has_prekey;          /* a one-time <key> was included */
    uint32_t prekey_id;       /* <key><id>, 24 bits */
    uint8_t prekey[32];       /* <key><value>, raw */
} wg_signal_bundle_t;

/* Builds an outgoing session with addr from b (the signed pre-key
 * signature is verified). When a different identity was stored for addr,
 * the old session is dropped first and WG_SIGNAL_IDENTITY_CHANGED set in
 * *flags (may be NULL). Returns 0, WG_EINVAL (bad key), WG_ECRYPTO (bad
 * signature), WG_EDB. Worker thread. */
int wg_signal_process_bundle(wg_signal_t *s, const wg_signal_addr_t *addr,
                             const wg_signal_bundle_t *b, unsigned *flags);
/* Our own bundle with one-time pre-key prekey_id (0: none; it must be
 * below the credentials' next_prekey_id). */
void wg_signal_own_bundle(const wg_signal_t *s, uint32_t prekey_id, wg_signal_bundle_t *out);

#endif
