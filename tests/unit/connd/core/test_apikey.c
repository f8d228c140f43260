/* core/apikey.c: env wins, generated once with mode 0600, reused, bad file refused. */
#include "core/apikey.h"
#include "wg_err.h"
#include "wg_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[64];

static void load(wg_config_t *cfg)
{
    wg_buf_t err = WG_BUF_INIT;
    setenv("WAGATE_DATA_DIR", g_dir, 1);
    WG_CHECK_INT(wg_config_load(cfg, WG_SCOPE_CONND, NULL, &err), 0);
    wg_buf_free(&err);
}

static void generated_then_reused(void)
{
    unsetenv("AUTHENTICATION_API_KEY");
    wg_config_t cfg;
    load(&cfg);
    char k1[256], k2[256], path[128];
    int gen = 0;
    wg_buf_t err = WG_BUF_INIT;
    WG_CHECK_INT(wg_apikey_resolve(&cfg, k1, sizeof k1, &gen, &err), 0);
    WG_CHECK_INT(gen, 1);
    WG_CHECK_INT(strlen(k1), 32);
    snprintf(path, sizeof path, "%s/apikey", g_dir);
    struct stat st;
    WG_CHECK_INT(stat(path, &st), 0);
    WG_CHECK_INT(st.st_mode & 0777, 0600);
    WG_CHECK_INT(wg_apikey_resolve(&cfg, k2, sizeof k2, &gen, &err), 0);
    WG_CHECK_INT(gen, 0);
    WG_CHECK_STR(k1, k2);
    wg_config_free(&cfg);

    setenv("AUTHENTICATION_API_KEY", "from-the-env-123", 1);
    load(&cfg);
    WG_CHECK_INT(wg_apikey_resolve(&cfg, k2, sizeof k2, &gen, &err), 0);
    WG_CHECK_STR(k2, "from-the-env-123");
    wg_config_free(&cfg);
    unsetenv("AUTHENTICATION_API_KEY");

    FILE *f = fopen(path, "w");
    fputs("short\n", f);
    fclose(f);
    load(&cfg);
    WG_CHECK_INT(wg_apikey_resolve(&cfg, k2, sizeof k2, &gen, &err), WG_EINVAL);
    WG_CHECK(strstr(wg_buf_cstr(&err), "apikey") != NULL);
    wg_config_free(&cfg);
    wg_buf_free(&err);
    unlink(path);
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/wg-apikey-%d", (int)getpid());
    mkdir(g_dir, 0700);
    WG_RUN(generated_then_reused);
    rmdir(g_dir);
    return wg_test_done();
}
