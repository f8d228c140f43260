/* WhatsApp Noise transport: seal/open one frame each (wa-protocol.md §2.4).
 * It never reorders or skips counters and never returns unauthenticated bytes. */
#include "wa/transport.h"

#include "wa/frame.h"
#include "wg_err.h"

int wg_wa_transport_seal(wg_wa_transport_t *t, const uint8_t *plain, size_t len, wg_buf_t *out)
{
    if (len + WG_NOISE_TAG_LEN >= WG_WA_FRAME_MAX || len >= WG_WA_FRAME_MAX)
        return WG_ETOOBIG;
    size_t start = out->len;
    wg_buf_append(out, "\0\0\0", 3); /* length, filled in below */
    int rc = wg_noise_cipher_encrypt(&t->send, NULL, 0, plain, len, out);
    if (rc) {
        out->len = start;
        if (out->p)
            out->p[start] = 0;
        return rc;
    }
    size_t n = out->len - start - 3;
    out->p[start] = (uint8_t)(n >> 16);
    out->p[start + 1] = (uint8_t)(n >> 8);
    out->p[start + 2] = (uint8_t)n;
    return 0;
}

int wg_wa_transport_open(wg_wa_transport_t *t, const uint8_t *payload, size_t len, wg_buf_t *out)
{
    return wg_noise_cipher_decrypt(&t->recv, NULL, 0, payload, len, out);
}

void wg_wa_transport_wipe(wg_wa_transport_t *t)
{
    wg_noise_cipher_wipe(&t->send);
    wg_noise_cipher_wipe(&t->recv);
}
