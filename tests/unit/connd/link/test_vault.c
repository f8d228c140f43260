/* Unit tests for connd/link/vault.c: seal/open round trip (empty and large
 * plaintexts, fresh nonce per seal), wrong key, tampered or truncated blobs,
 * the key from WAGATE_SECRET_KEY (and its validation), and the key file:
 * created 0600 with O_EXCL on first start, reused afterwards, malformed
 * file refused. Works in a mkdtemp directory under /tmp. */
#include "link/vault.h"
#include "wg_err.h"
#include "wg_test.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[64];

/* Loads the config from the environment (WAGATE_DATA_DIR = g_dir). */
static int resolve(uint8_t key[WG_VAULT_KEY_LEN], int *generated, wg_buf_t *err)
{
    wg_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    setenv("WAGATE_DATA_DIR", g_dir, 1);
    int rc = wg_config_load(&cfg, WG_SCOPE_CONND, NULL, err);
    if (rc == 0)
        rc = wg_vault_key_resolve(&cfg, key, generated, err);
    wg_config_free(&cfg);
    return rc;
}

static void key_path(char *out, size_t n)
{
    snprintf(out, n, "%s/secret.key", g_dir);
}

static void seal_open_round_trip(void)
{
    uint8_t key[WG_VAULT_KEY_LEN];
    randombytes_buf(key, sizeof key);
    size_t sizes[] = {0, 1, 100, 70000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t *plain = malloc(sizes[i] + 1);
        randombytes_buf(plain, sizes[i] + 1);
        wg_buf_t a = WG_BUF_INIT, b = WG_BUF_INIT, back = WG_BUF_INIT;
        wg_vault_seal(key, plain, sizes[i], &a);
        wg_vault_seal(key, plain, sizes[i], &b);
        WG_CHECK_INT(a.len, crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + sizes[i]);
        WG_CHECK(memcmp(a.p, b.p, crypto_secretbox_NONCEBYTES) != 0); /* fresh nonce */
        WG_CHECK_INT(wg_vault_open(key, a.p, a.len, &back), 0);
        WG_CHECK_INT(back.len, sizes[i]);
        WG_CHECK(sizes[i] == 0 || memcmp(back.p, plain, sizes[i]) == 0);
        if (sizes[i] > 0)
            WG_CHECK(memcmp(a.p + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES, plain,
                            sizes[i]) != 0); /* not stored in clear */
        wg_buf_free(&a);
        wg_buf_free(&b);
        wg_buf_free(&back);
        free(plain);
    }
    /* seal appends after existing content */
    wg_buf_t out = WG_BUF_INIT, back = WG_BUF_INIT;
    wg_buf_append(&out, "XY", 2);
    wg_vault_seal(key, (const uint8_t *)"abc", 3, &out);
    WG_CHECK_INT(wg_vault_open(key, out.p + 2, out.len - 2, &back), 0);
    WG_CHECK_STR(wg_buf_cstr(&back), "abc");
    wg_buf_free(&out);
    wg_buf_free(&back);
}

static void wrong_key_and_tampering(void)
{
    uint8_t key[WG_VAULT_KEY_LEN], other[WG_VAULT_KEY_LEN];
    randombytes_buf(key, sizeof key);
    memcpy(other, key, sizeof other);
    other[31] ^= 1;
    const char *secret = "noise key, identity, adv secret";
    wg_buf_t blob = WG_BUF_INIT, out = WG_BUF_INIT;
    wg_vault_seal(key, (const uint8_t *)secret, strlen(secret), &blob);
    WG_CHECK_INT(wg_vault_open(other, blob.p, blob.len, &out), WG_ECRYPTO);
    WG_CHECK_INT(out.len, 0);
    for (size_t i = 0; i < blob.len; i++) { /* every byte: nonce, tag, ciphertext */
        blob.p[i] ^= 0x80;
        WG_CHECK_INT(wg_vault_open(key, blob.p, blob.len, &out), WG_ECRYPTO);
        blob.p[i] ^= 0x80;
    }
    WG_CHECK_INT(out.len, 0);
    for (size_t n = 0; n < blob.len; n++)
        WG_CHECK_INT(wg_vault_open(key, blob.p, n, &out), WG_ECRYPTO);
    WG_CHECK_INT(wg_vault_open(key, NULL, 0, &out), WG_ECRYPTO);
    WG_CHECK_INT(wg_vault_open(key, blob.p, blob.len, &out), 0);
    WG_CHECK_STR(wg_buf_cstr(&out), secret);
    wg_buf_free(&blob);
    wg_buf_free(&out);
}

static void key_from_env(void)
{
    uint8_t key[WG_VAULT_KEY_LEN];
    int gen = -1;
    wg_buf_t err = WG_BUF_INIT;
    setenv("WAGATE_SECRET_KEY",
           "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
    WG_CHECK_INT(resolve(key, &gen, &err), 0);
    WG_CHECK_INT(gen, 0);
    for (int i = 0; i < 32; i++)
        WG_CHECK_INT(key[i], i);
    char path[128];
    key_path(path, sizeof path);
    WG_CHECK(access(path, F_OK) != 0); /* no file when the variable is set */
    const char *bad[] = {"00", "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                         "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wg_buf_reset(&err);
        setenv("WAGATE_SECRET_KEY", bad[i], 1);
        int rc = resolve(key, &gen, &err);
        WG_CHECK_INT(rc, WG_EINVAL);
        WG_CHECK(strstr(wg_buf_cstr(&err), "WAGATE_SECRET_KEY") != NULL);
    }
    unsetenv("WAGATE_SECRET_KEY");
    wg_buf_free(&err);
}

static void key_file_created_0600_then_reused(void)
{
    char path[128];
    key_path(path, sizeof path);
    unlink(path);
    unsetenv("WAGATE_SECRET_KEY");
    mode_t old = umask(0);
    uint8_t k1[WG_VAULT_KEY_LEN], k2[WG_VAULT_KEY_LEN];
    int gen = -1;
    wg_buf_t err = WG_BUF_INIT;
    WG_CHECK_INT(resolve(k1, &gen, &err), 0);
    umask(old);
    WG_CHECK_INT(gen, 1);
    struct stat st;
    WG_CHECK_INT(stat(path, &st), 0);
    WG_CHECK_INT(st.st_mode & 0777, 0600);
    WG_CHECK_INT(st.st_size, 65); /* 64 hex + newline */
    WG_CHECK_INT(resolve(k2, &gen, &err), 0);
    WG_CHECK_INT(gen, 0);
    WG_CHECK(memcmp(k1, k2, sizeof k1) == 0);
    /* what the file key sealed, the same key opens after a "restart" */
    wg_buf_t blob = WG_BUF_INIT, out = WG_BUF_INIT;
    wg_vault_seal(k1, (const uint8_t *)"creds", 5, &blob);
    WG_CHECK_INT(wg_vault_open(k2, blob.p, blob.len, &out), 0);
    /* a malformed file is refused, not replaced */
    FILE *f = fopen(path, "w");
    fputs("not a key\n", f);
    fclose(f);
    wg_buf_reset(&err);
    WG_CHECK_INT(resolve(k2, &gen, &err), WG_EINVAL);
    WG_CHECK(strstr(wg_buf_cstr(&err), "secret.key") != NULL);
    f = fopen(path, "r");
    char line[32] = "";
    WG_CHECK(f && fgets(line, sizeof line, f));
    if (f)
        fclose(f);
    WG_CHECK_STR(line, "not a key\n");
    /* an unwritable directory: WG_EIO */
    unlink(path);
    if (geteuid() != 0) {
        chmod(g_dir, 0500);
        wg_buf_reset(&err);
        WG_CHECK_INT(resolve(k2, &gen, &err), WG_EIO);
        chmod(g_dir, 0700);
    }
    wg_buf_free(&blob);
    wg_buf_free(&out);
    wg_buf_free(&err);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    snprintf(g_dir, sizeof g_dir, "/tmp/wg_vault_test_XXXXXX");
    if (!mkdtemp(g_dir))
        return 1;
    unsetenv("WAGATE_SECRET_KEY");
    WG_RUN(seal_open_round_trip);
    WG_RUN(wrong_key_and_tampering);
    WG_RUN(key_from_env);
    WG_RUN(key_file_created_0600_then_reused);
    char path[128];
    key_path(path, sizeof path);
    unlink(path);
    rmdir(g_dir);
    return wg_test_done();
}
