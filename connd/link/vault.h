/* Encryption at rest of WhatsApp credentials: libsodium crypto_secretbox
 * (XSalsa20-Poly1305) under a 32-byte key from WAGATE_SECRET_KEY (64 hex
 * characters) or, when unset, a key file secret.key (mode 0600) created in
 * the data directory on first start. The only file that reads or writes that
 * key; never logs it. Blob layout: nonce (24) || secretbox ciphertext. */
#ifndef WG_LINK_VAULT_H
#define WG_LINK_VAULT_H
#include "wg_buf.h"
#include "wg_config.h"
#include <stddef.h>
#include <stdint.h>

#define WG_VAULT_KEY_LEN 32

/* Resolves the key into key[]. *generated is 1 when the file was created.
 * Returns 0, WG_EINVAL (malformed variable or file, reason in err), WG_EIO. */
int wg_vault_key_resolve(const wg_config_t *cfg, uint8_t key[WG_VAULT_KEY_LEN], int *generated,
                         wg_buf_t *err);
/* Appends nonce || box(plain) to out. May reallocate out. */
void wg_vault_seal(const uint8_t key[WG_VAULT_KEY_LEN], const uint8_t *plain, size_t len,
                   wg_buf_t *out);
/* Appends the plaintext of a sealed blob to out. Returns 0 or WG_ECRYPTO
 * (wrong key, truncated or altered). May reallocate out. */
int wg_vault_open(const uint8_t key[WG_VAULT_KEY_LEN], const uint8_t *blob, size_t len,
                  wg_buf_t *out);

#endif
