/* The global API key: AUTHENTICATION_API_KEY when set, otherwise the key
 * kept in $WAGATE_DATA_DIR/apikey (mode 0600), generated on first start. */
#ifndef WG_APIKEY_H
#define WG_APIKEY_H
#include "wg_buf.h"
#include "wg_config.h"
#include <stddef.h>

/* Fills out (size n >= 65) with the effective key. *generated is 1 when a
 * new key file was written. Returns 0 or WG_EIO/WG_EINVAL with err. */
int wg_apikey_resolve(const wg_config_t *cfg, char *out, size_t n, int *generated, wg_buf_t *err);

#endif
