/* Global key resolution (see apikey.h). The only file that reads or writes
 * the key file; never logs the key itself. */
#include "core/apikey.h"
#include "wg_err.h"
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int wg_apikey_resolve(const wg_config_t *cfg, char *out, size_t n, int *generated, wg_buf_t *err)
{
    *generated = 0;
    const char *env = wg_cfg_str(cfg, WG_CFG_AUTH_KEY);
    if (*env) {
        snprintf(out, n, "%s", env);
        return WG_OK;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/apikey", wg_cfg_str(cfg, WG_CFG_DATA_DIR));
    FILE *f = fopen(path, "r");
    if (f) {
        char line[300] = "";
        if (!fgets(line, sizeof line, f))
            line[0] = '\0';
        fclose(f);
        line[strcspn(line, "\r\n")] = '\0';
        const char *why = wg_cfg_valid_key(line);
        if (!*line || why) {
            wg_buf_printf(err, "%s: not a usable key (%s); delete it to generate a new one", path,
                          why ? why : "empty");
            return WG_EINVAL;
        }
        snprintf(out, n, "%s", line);
        return WG_OK;
    }
    /* 32 upper-case hex characters, like Evolution's example key */
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    char key[33];
    for (int i = 0; i < 16; i++)
        snprintf(key + 2 * i, 3, "%02X", raw[i]);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        wg_buf_printf(err, "cannot create %s: %s", path, strerror(errno));
        return WG_EIO;
    }
    char line[40];
    int len = snprintf(line, sizeof line, "%s\n", key);
    int ok = write(fd, line, (size_t)len) == len && fsync(fd) == 0;
    close(fd);
    if (!ok) {
        unlink(path);
        wg_buf_printf(err, "cannot write %s", path);
        return WG_EIO;
    }
    snprintf(out, n, "%s", key);
    *generated = 1;
    return WG_OK;
}
