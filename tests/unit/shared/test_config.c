/* shared/wg_config.c: defaults, env file, env wins, validation messages,
 * scope, documentation output. */
#include "wg_config.h"
#include "wg_err.h"
#include "wg_log.h"
#include "wg_test.h"
#include <stdlib.h>
#include <unistd.h>

static void defaults(void)
{
    unsetenv("WAGATE_DATA_DIR");
    unsetenv("WAGATE_IPC_SOCKET");
    unsetenv("WAGATE_MAX_BODY_BYTES");
    wg_config_t cfg;
    wg_buf_t err = WG_BUF_INIT;
    WG_CHECK_INT(wg_config_load(&cfg, WG_SCOPE_CONND | WG_SCOPE_FCGI, NULL, &err), 0);
    WG_CHECK_STR(wg_cfg_str(&cfg, WG_CFG_DATA_DIR), "./var");
    WG_CHECK_INT(wg_cfg_int(&cfg, WG_CFG_MAX_BODY), 10485760);
    WG_CHECK_INT(wg_cfg_bool(&cfg, WG_CFG_WEBSOCKET_ENABLED), 0);
    char sock[108];
    wg_cfg_ipc_socket(&cfg, sock, sizeof sock);
    WG_CHECK_STR(sock, "./var/connd.sock");
    wg_config_free(&cfg);
    wg_buf_free(&err);
}

static void env_file_and_env(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/wg-env-%d", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs("# comment\n\nWAGATE_DATA_DIR=\"/srv/x\"\nexport WAGATE_MAX_BODY_BYTES=2048\n"
          "OTHER_PROGRAM_VAR=1\nWEBSOCKET_ENABLED=true\n",
          f);
    fclose(f);
    setenv("WAGATE_MAX_BODY_BYTES", "4096", 1);
    wg_config_t cfg;
    wg_buf_t err = WG_BUF_INIT;
    WG_CHECK_INT(wg_config_load(&cfg, WG_SCOPE_CONND | WG_SCOPE_FCGI, path, &err), 0);
    WG_CHECK_STR(wg_cfg_str(&cfg, WG_CFG_DATA_DIR), "/srv/x");
    WG_CHECK_INT(wg_cfg_int(&cfg, WG_CFG_MAX_BODY), 4096); /* environment wins */
    WG_CHECK_INT(wg_cfg_bool(&cfg, WG_CFG_WEBSOCKET_ENABLED), 1);
    wg_config_free(&cfg);
    unsetenv("WAGATE_MAX_BODY_BYTES");

    f = fopen(path, "w");
    fputs("NOEQUALS\n", f);
    fclose(f);
    WG_CHECK_INT(wg_config_load(&cfg, WG_SCOPE_CONND, path, &err), WG_EINVAL);
    wg_config_free(&cfg);
    WG_CHECK_INT(wg_config_load(&cfg, WG_SCOPE_CONND, "/nonexistent/env", &err), WG_EIO);
    wg_config_free(&cfg);
    unlink(path);
    wg_buf_free(&err);
}

static void validation(void)
{
    wg_config_t cfg;
    wg_buf_t err = WG_BUF_INIT;
    setenv("WAGATE_MAX_BODY_BYTES", "-5", 1);
    WG_CHECK_INT(wg_config_load(&cfg, WG_SCOPE_FCGI, NULL, &err), WG_EINVAL);
    WG_CHECK(strstr(wg_buf_cstr(&err), "WAGATE_MAX_BODY_BYTES") != NULL);
    wg_config_free(&cfg);
    unsetenv("WAGATE_MAX_BODY_BYTES");
    wg_buf_reset(&err);
    setenv("AUTHENTICATION_API_KEY", "short", 1);
    WG_CHECK_INT(wg_config_load(&cfg, WG_SCOPE_CONND, NULL, &err), WG_EINVAL);
    wg_config_free(&cfg);
    /* out of scope: fcgi does not read the key, so it does not fail on it */
    WG_CHECK_INT(wg_config_load(&cfg, WG_SCOPE_FCGI, NULL, &err), 0);
    wg_config_free(&cfg);
    unsetenv("AUTHENTICATION_API_KEY");
    setenv("WEBSOCKET_ENABLED", "yes", 1);
    WG_CHECK_INT(wg_config_load(&cfg, WG_SCOPE_CONND, NULL, &err), WG_EINVAL);
    wg_config_free(&cfg);
    unsetenv("WEBSOCKET_ENABLED");
    WG_CHECK(wg_cfg_valid_del_instance("false") == NULL);
    WG_CHECK(wg_cfg_valid_del_instance("5") == NULL);
    WG_CHECK(wg_cfg_valid_del_instance("soon") != NULL);
    WG_CHECK(wg_cfg_valid_compat("evolution-2.3") == NULL);
    WG_CHECK(wg_cfg_valid_compat("evolution-1") != NULL);
    /* the loop's pause: 0 (none) to 0.1 s, whole microseconds */
    WG_CHECK(wg_cfg_valid_coalesce_us("0") == NULL);
    WG_CHECK(wg_cfg_valid_coalesce_us("300") == NULL);
    WG_CHECK(wg_cfg_valid_coalesce_us("100000") == NULL);
    WG_CHECK(wg_cfg_valid_coalesce_us("100001") != NULL);
    WG_CHECK(wg_cfg_valid_coalesce_us("-1") != NULL);
    WG_CHECK(wg_cfg_valid_coalesce_us("0.5") != NULL);
    WG_CHECK(wg_cfg_valid_coalesce_us("") != NULL);
    WG_CHECK(wg_cfg_valid_coalesce_us("99999999999999999999") != NULL);
    setenv("WAGATE_LOOP_COALESCE_US", "fast", 1);
    wg_buf_reset(&err);
    WG_CHECK_INT(wg_config_load(&cfg, WG_SCOPE_CONND, NULL, &err), WG_EINVAL);
    WG_CHECK(strstr(wg_buf_cstr(&err), "WAGATE_LOOP_COALESCE_US") != NULL);
    wg_config_free(&cfg);
    setenv("WAGATE_LOOP_COALESCE_US", "250", 1);
    WG_CHECK_INT(wg_config_load(&cfg, WG_SCOPE_CONND, NULL, &err), 0);
    WG_CHECK_INT(wg_cfg_int(&cfg, WG_CFG_LOOP_COALESCE_US), 250);
    wg_config_free(&cfg);
    unsetenv("WAGATE_LOOP_COALESCE_US");
    WG_CHECK_INT(wg_config_load(&cfg, WG_SCOPE_CONND, NULL, &err), 0);
    WG_CHECK_INT(wg_cfg_int(&cfg, WG_CFG_LOOP_COALESCE_US), 1000); /* the default */
    wg_config_free(&cfg);
    wg_buf_free(&err);
}

static void log_levels(void)
{
    int level = -1;
    WG_CHECK_INT(wg_log_parse_level("debug", &level), 0);
    WG_CHECK_INT(level, WG_LOG_DEBUG);
    WG_CHECK_INT(wg_log_parse_level("ERROR,WARN", &level), 0);
    WG_CHECK_INT(level, WG_LOG_WARN);
    WG_CHECK_INT(wg_log_parse_level("ERROR,WARN,DEBUG,INFO,LOG,VERBOSE,DARK,WEBHOOKS", &level), 0);
    WG_CHECK_INT(level, WG_LOG_DEBUG);
    WG_CHECK_INT(wg_log_parse_level("loud", &level), WG_EINVAL);
    char q[32];
    WG_CHECK_STR(wg_log_quote("plain", q, sizeof q), "plain");
    WG_CHECK_STR(wg_log_quote("two words \"x\"", q, sizeof q), "\"two words \\\"x\\\"\"");
}

static void markdown_lists_every_variable(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    wg_config_print_markdown(f);
    fclose(f);
    for (int i = 0; i < WG_CFG__COUNT; i++)
        WG_CHECK(strstr(text, wg_config_table[i].name) != NULL);
    free(text);
}

int main(void)
{
    WG_RUN(defaults);
    WG_RUN(env_file_and_env);
    WG_RUN(validation);
    WG_RUN(log_levels);
    WG_RUN(markdown_lists_every_variable);
    return wg_test_done();
}
