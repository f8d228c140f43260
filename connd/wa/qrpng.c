/* QR PNG data URL (see qrpng.h). */
#include "wa/qrpng.h"

#include <qrencode.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "wg_alloc.h"
#include "wg_err.h"

int wg_qr_parse_color(const char *text, unsigned char rgb[3])
{
    if (!text)
        return WG_EINVAL;
    if (*text == '#')
        text++;
    if (strlen(text) != 6)
        return WG_EINVAL;
    for (int i = 0; i < 3; i++) {
        unsigned v = 0;
        for (int j = 0; j < 2; j++) {
            char ch = text[2 * i + j];
            v <<= 4;
            if (ch >= '0' && ch <= '9')
                v |= (unsigned)(ch - '0');
            else if (ch >= 'a' && ch <= 'f')
                v |= (unsigned)(ch - 'a' + 10);
            else if (ch >= 'A' && ch <= 'F')
                v |= (unsigned)(ch - 'A' + 10);
            else
                return WG_EINVAL;
        }
        rgb[i] = (unsigned char)v;
    }
    return 0;
}

static void put32(wg_buf_t *out, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    wg_buf_append(out, b, 4);
}

static void chunk(wg_buf_t *out, const char *type, const uint8_t *data, size_t len)
{
    put32(out, (uint32_t)len);
    size_t at = out->len;
    wg_buf_append(out, type, 4);
    if (len)
        wg_buf_append(out, data, len);
    put32(out, (uint32_t)crc32(0, out->p + at, (uInt)(len + 4)));
}

int wg_qr_png(const char *text, const unsigned char dark_rgb[3], wg_buf_t *out)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_H, QR_MODE_8, 1);
    if (!qr)
        return WG_EINVAL;
    int rc = WG_EIO;
    const size_t side = (size_t)(qr->width + 2 * WG_QR_MARGIN) * WG_QR_SCALE;
    const size_t stride = side + 1; /* filter byte + one palette index per pixel */
    uint8_t *raw = wg_calloc(side, stride);
    for (size_t y = 0; y < side; y++) {
        uint8_t *row = raw + y * stride;
        row[0] = 0; /* filter: none */
        long my = (long)(y / WG_QR_SCALE) - WG_QR_MARGIN;
        for (size_t x = 0; x < side; x++) {
            long mx = (long)(x / WG_QR_SCALE) - WG_QR_MARGIN;
            int dark = my >= 0 && mx >= 0 && my < qr->width && mx < qr->width &&
                       (qr->data[my * qr->width + mx] & 1);
            row[1 + x] = dark ? 1 : 0;
        }
    }
    uLongf zlen = compressBound((uLong)(side * stride));
    uint8_t *z = wg_malloc(zlen);
    if (compress2(z, &zlen, raw, (uLong)(side * stride), 9) != Z_OK)
        goto done;
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    wg_buf_append(out, sig, sizeof sig);
    uint8_t ihdr[13];
    uint32_t s = (uint32_t)side;
    ihdr[0] = (uint8_t)(s >> 24), ihdr[1] = (uint8_t)(s >> 16), ihdr[2] = (uint8_t)(s >> 8);
    ihdr[3] = (uint8_t)s;
    memcpy(ihdr + 4, ihdr, 4);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 3;  /* palette */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering */
    ihdr[12] = 0; /* no interlace */
    chunk(out, "IHDR", ihdr, sizeof ihdr);
    uint8_t plte[6] = {0xFF, 0xFF, 0xFF, dark_rgb[0], dark_rgb[1], dark_rgb[2]};
    chunk(out, "PLTE", plte, sizeof plte);
    chunk(out, "IDAT", z, zlen);
    chunk(out, "IEND", NULL, 0);
    rc = 0;
done:
    free(z);
    free(raw);
    QRcode_free(qr);
    return rc;
}

int wg_qr_png_data_url(const char *text, const unsigned char dark_rgb[3], wg_buf_t *out)
{
    wg_buf_t png = WG_BUF_INIT;
    int rc = wg_qr_png(text, dark_rgb, &png);
    if (rc == 0) {
        size_t n = sodium_base64_encoded_len(png.len, sodium_base64_VARIANT_ORIGINAL);
        wg_buf_append_str(out, "data:image/png;base64,");
        wg_buf_reserve(out, n);
        sodium_bin2base64((char *)out->p + out->len, n, png.p, png.len,
                          sodium_base64_VARIANT_ORIGINAL);
        out->len += n - 1;
    }
    wg_buf_free(&png);
    return rc;
}
