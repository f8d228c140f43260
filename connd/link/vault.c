/* Credentials encryption (see vault.h); key file handling follows
 * core/apikey.c. */
#include "link/vault.h"
#include "wg_err.h"
#include "wg_random.h"
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int parse_hex_key(const char *text, uint8_t key[WG_VAULT_KEY_LEN])
{
    size_t n = 0;
    if (strlen(text) != 2 * WG_VAULT_KEY_LEN)
        return WG_EINVAL;
    if (sodium_hex2bin(key, WG_VAULT_KEY_LEN, text, strlen(text), NULL, &n, NULL) != 0 ||
        n != WG_VAULT_KEY_LEN)
        return WG_EINVAL;
    return 0;
}

int wg_vault_key_resolve(const wg_config_t *cfg, uint8_t key[WG_VAULT_KEY_LEN], int *generated,
                         wg_buf_t *err)
{
    *generated = 0;
    const char *env = wg_cfg_str(cfg, WG_CFG_SECRET_KEY);
    if (*env) {
        if (parse_hex_key(env, key)) {
            wg_buf_append_str(err, "WAGATE_SECRET_KEY must be 64 hex characters");
            return WG_EINVAL;
        }
        return 0;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/secret.key", wg_cfg_str(cfg, WG_CFG_DATA_DIR));
    FILE *f = fopen(path, "r");
    if (f) {
        char line[200] = "";
        if (!fgets(line, sizeof line, f))
            line[0] = '\0';
        fclose(f);
        line[strcspn(line, "\r\n")] = '\0';
        int rc = parse_hex_key(line, key);
        sodium_memzero(line, sizeof line);
        if (rc) {
            wg_buf_printf(err, "%s: not a 64-hex-character key", path);
            return WG_EINVAL;
        }
        return 0;
    }
    randombytes_buf(key, WG_VAULT_KEY_LEN);
    char hex[2 * WG_VAULT_KEY_LEN + 2];
    sodium_bin2hex(hex, sizeof hex, key, WG_VAULT_KEY_LEN);
    size_t len = strlen(hex);
    hex[len++] = '\n';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        wg_buf_printf(err, "cannot create %s: %s", path, strerror(errno));
        return WG_EIO;
    }
    int ok = write(fd, hex, len) == (ssize_t)len && fsync(fd) == 0;
    close(fd);
    sodium_memzero(hex, sizeof hex);
    if (!ok) {
        unlink(path);
        wg_buf_printf(err, "cannot write %s", path);
        return WG_EIO;
    }
    *generated = 1;
    return 0;
}

void wg_vault_seal(const uint8_t key[WG_VAULT_KEY_LEN], const uint8_t *plain, size_t len,
                   wg_buf_t *out)
{
    wg_buf_reserve(out, crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len);
    uint8_t *nonce = out->p + out->len;
    wg_random_buf(nonce, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, plain, len, nonce, key);
    out->len += crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
    out->p[out->len] = '\0';
}

int wg_vault_open(const uint8_t key[WG_VAULT_KEY_LEN], const uint8_t *blob, size_t len,
                  wg_buf_t *out)
{
    if (len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return WG_ECRYPTO;
    size_t n = len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    wg_buf_reserve(out, n);
    if (crypto_secretbox_open_easy(out->p + out->len, blob + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, blob, key) != 0)
        return WG_ECRYPTO;
    out->len += n;
    out->p[out->len] = '\0';
    return 0;
}
