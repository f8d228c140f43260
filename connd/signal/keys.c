/* Raw <-> typed Curve25519 keys (see keys.h). */
#include "signal/keys.h"
#include "wg_err.h"

#include <string.h>

int wg_signal_key_decode(signal_context *g, const uint8_t *key, size_t len, ec_public_key **out)
{
    uint8_t typed[33];
    *out = NULL;
    if (!key)
        return WG_EINVAL;
    if (len == 32) {
        typed[0] = WG_SIGNAL_KEY_TYPE;
        memcpy(typed + 1, key, 32);
    } else if (len == 33 && key[0] == WG_SIGNAL_KEY_TYPE) {
        memcpy(typed, key, 33);
    } else {
        return WG_EINVAL;
    }
    return curve_decode_point(out, typed, sizeof typed, g) == 0 ? 0 : WG_EINVAL;
}

int wg_signal_key_raw(const ec_public_key *key, uint8_t raw[32])
{
    signal_buffer *b = NULL;
    int rc = WG_EINVAL;
    if (key && ec_public_key_serialize(&b, key) == 0 && signal_buffer_len(b) == 33 &&
        signal_buffer_data(b)[0] == WG_SIGNAL_KEY_TYPE) {
        memcpy(raw, signal_buffer_data(b) + 1, 32);
        rc = 0;
    }
    signal_buffer_free(b);
    return rc;
}

int wg_signal_key_pair(signal_context *g, const uint8_t priv[32], const uint8_t pub[32],
                       ec_key_pair **out)
{
    ec_public_key *public_key = NULL;
    ec_private_key *private_key = NULL;
    *out = NULL;
    int rc = wg_signal_key_decode(g, pub, 32, &public_key);
    if (rc == 0 && curve_decode_private_point(&private_key, priv, 32, g) != 0)
        rc = WG_EINVAL;
    if (rc == 0 && ec_key_pair_create(out, public_key, private_key) != 0)
        rc = WG_EINVAL;
    if (public_key)
        SIGNAL_UNREF(public_key);
    if (private_key)
        SIGNAL_UNREF(private_key);
    return rc;
}
