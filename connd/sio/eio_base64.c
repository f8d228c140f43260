/* Base64 encode/decode (see eio_base64.h). Strict decoder: it is fed
 * untrusted polling bodies, so it rejects rather than guesses. */
#include "sio/eio_base64.h"
#include "wg_err.h"

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void wg_eio_base64_encode(wg_buf_t *out, const uint8_t *data, size_t len, int url_safe)
{
    const char *a = url_safe ? url_alphabet : std_alphabet;
    wg_buf_append(out, "", 0); /* reserve alone does not NUL-terminate a new block */
    wg_buf_reserve(out, (len + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
        uint8_t q[4] = {(uint8_t)a[v >> 18], (uint8_t)a[(v >> 12) & 63], (uint8_t)a[(v >> 6) & 63],
                        (uint8_t)a[v & 63]};
        wg_buf_append(out, q, 4);
    }
    size_t rest = len - i;
    if (rest) {
        uint32_t v = (uint32_t)data[i] << 16 | (rest == 2 ? (uint32_t)data[i + 1] << 8 : 0);
        uint8_t q[4] = {(uint8_t)a[v >> 18], (uint8_t)a[(v >> 12) & 63],
                        (uint8_t)(rest == 2 ? a[(v >> 6) & 63] : '='), '='};
        wg_buf_append(out, q, url_safe ? rest + 1 : 4);
    }
}

static int sextet(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int wg_eio_base64_decode(wg_buf_t *out, const uint8_t *text, size_t len)
{
    size_t start = out->len;
    int rc = WG_EINVAL;
    if (len % 4 != 0)
        goto done;
    wg_buf_append(out, "", 0);
    wg_buf_reserve(out, len / 4 * 3);
    for (size_t i = 0; i < len; i += 4) {
        int last = i + 4 == len;
        int v[4];
        for (int k = 0; k < 4; k++)
            v[k] = sextet(text[i + k]);
        if (v[0] < 0 || v[1] < 0)
            goto done;
        uint8_t bytes[3];
        bytes[0] = (uint8_t)(v[0] << 2 | v[1] >> 4);
        if (v[2] < 0 || v[3] < 0) {
            /* padding: only in the last quantum, "x=" or "=="; spare bits zero */
            if (!last || text[i + 3] != '=')
                goto done;
            if (v[2] < 0) {
                if (text[i + 2] != '=' || (v[1] & 15))
                    goto done;
                wg_buf_append(out, bytes, 1);
            } else {
                if (v[2] & 3)
                    goto done;
                bytes[1] = (uint8_t)((v[1] & 15) << 4 | v[2] >> 2);
                wg_buf_append(out, bytes, 2);
            }
            continue;
        }
        bytes[1] = (uint8_t)((v[1] & 15) << 4 | v[2] >> 2);
        bytes[2] = (uint8_t)((v[2] & 3) << 6 | v[3]);
        wg_buf_append(out, bytes, 3);
    }
    rc = WG_OK;
done:
    if (rc != WG_OK) {
        out->len = start;
        if (out->p)
            out->p[start] = 0;
    }
    return rc;
}
