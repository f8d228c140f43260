/* Random padding of plaintexts (see padding.h). Never trusts the last byte
 * before checking it against the length. */
#include "signal/padding.h"
#include "wg_err.h"
#include "wg_random.h"

void wg_signal_pad_with(const uint8_t *p, size_t len, unsigned n, wg_buf_t *out)
{
    if (n < 1)
        n = 1;
    if (n > WG_SIGNAL_PAD_MAX)
        n = WG_SIGNAL_PAD_MAX;
    wg_buf_reserve(out, len + n);
    if (len)
        wg_buf_append(out, p, len);
    for (unsigned i = 0; i < n; i++)
        wg_buf_append_byte(out, (uint8_t)n);
}

void wg_signal_pad(const uint8_t *p, size_t len, wg_buf_t *out)
{
    wg_signal_pad_with(p, len, (wg_random_byte() & 0x0F) + 1u, out);
}

int wg_signal_unpad(const uint8_t *p, size_t len, size_t *msg_len)
{
    if (!p || len == 0)
        return WG_EPROTO;
    uint8_t n = p[len - 1];
    if (n == 0 || n > WG_SIGNAL_PAD_MAX || n > len)
        return WG_EPROTO;
    for (size_t i = len - n; i < len; i++)
        if (p[i] != n)
            return WG_EPROTO;
    *msg_len = len - n;
    return 0;
}
