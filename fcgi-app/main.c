/* wagate-fcgi: the stateless FastCGI responder of wagate. Parses arguments,
 * loads the configuration (scope WG_SCOPE_FCGI), installs the SIGTERM/SIGINT
 * handler before FCGX_Init (libfcgi leaves handlers it finds installed
 * alone), opens the listening socket or takes fd 0 from the web server, and
 * runs the request threads (server.c). It never opens files or databases:
 * everything stateful is asked of connd. */
#include "app.h"
#include "server.h"
#include "wg_buf.h"
#include "wg_config.h"
#include "wg_log.h"
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static void on_stop_signal(int sig)
{
    (void)sig;
    wg_server_stop();
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wagate-fcgi [--listen PATH|HOST:PORT|:PORT] [--env-file FILE]\n"
            "       wagate-fcgi --help | --version\n\n"
            "The FastCGI program of wagate (Evolution API compatible REST). Without --listen it\n"
            "serves the listening socket on fd 0, as spawned by lighttpd (bin-path) or\n"
            "Apache mod_fcgid. Every stateful request is forwarded to connd over its IPC\n"
            "socket. SIGTERM or SIGINT stops it after the requests in progress.\n\n"
            "Environment (also read from --env-file KEY=VALUE lines):\n\n");
    wg_config_print_help(out, WG_SCOPE_FCGI);
}

int main(int argc, char **argv)
{
    const char *listen_on = NULL, *env_file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("wagate-fcgi %s\n", WAGATE_VERSION);
            return 0;
        } else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            listen_on = argv[++i];
        } else if (strcmp(argv[i], "--env-file") == 0 && i + 1 < argc) {
            env_file = argv[++i];
        } else {
            fprintf(stderr, "wagate-fcgi: unknown or incomplete argument \"%s\"\n\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    wg_log_program = "wagate-fcgi";
    wg_config_t cfg;
    wg_buf_t err = WG_BUF_INIT;
    if (wg_config_load(&cfg, WG_SCOPE_FCGI, env_file, &err) != 0) {
        fprintf(stderr, "wagate-fcgi: configuration: %s\n", wg_buf_cstr(&err));
        wg_buf_free(&err);
        wg_config_free(&cfg);
        return 2;
    }
    wg_buf_free(&err);
    int level;
    if (wg_log_parse_level(wg_cfg_str(&cfg, WG_CFG_LOG_LEVEL), &level) == 0)
        wg_log_threshold = level;
    wg_app_t app;
    wg_app_from_config(&app, &cfg);
    wg_config_free(&cfg);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (FCGX_Init() != 0) {
        fprintf(stderr, "wagate-fcgi: FCGX_Init failed\n");
        return 1;
    }
    int listen_fd = 0;
    if (listen_on) {
        listen_fd = FCGX_OpenSocket(listen_on, 128);
        if (listen_fd < 0) {
            fprintf(stderr, "wagate-fcgi: cannot listen on %s\n", listen_on);
            return 1;
        }
    } else if (FCGX_IsCGI()) {
        fprintf(stderr, "wagate-fcgi: fd 0 is not a FastCGI listening socket; start me from a "
                        "FastCGI server or pass --listen\n");
        return 2;
    }
    return wg_server_run(&app, listen_fd) == 0 ? 0 : 1;
}
