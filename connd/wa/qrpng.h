/* The QR image Evolution returns (evolution-api.md §2.2): a PNG data URL of
 * the QR text, ECC level H, margin 3 modules, scale 4 pixels per module,
 * dark colour QRCODE_COLOR on white. libqrencode makes the matrix; a small
 * PNG writer (palette, zlib) makes the image. Pure; thread-safe. */
#ifndef WG_WA_QRPNG_H
#define WG_WA_QRPNG_H
#include "wg_buf.h"

#define WG_QR_MARGIN 3
#define WG_QR_SCALE 4

/* Parses "#rrggbb" (or "rrggbb"). Returns 0 or WG_EINVAL. */
int wg_qr_parse_color(const char *text, unsigned char rgb[3]);
/* Appends "data:image/png;base64,..." for text. Returns 0, WG_EINVAL (text
 * too long for a QR code) or WG_EIO (encoder failure). May reallocate out. */
int wg_qr_png_data_url(const char *text, const unsigned char dark_rgb[3], wg_buf_t *out);
/* Appends the raw PNG bytes instead (tests). Same codes. */
int wg_qr_png(const char *text, const unsigned char dark_rgb[3], wg_buf_t *out);

#endif
