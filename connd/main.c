/* connd entry point: configuration, data directory, key, store, registry,
 * webhook thread, loop, worker; then serve until SIGTERM/SIGINT and close
 * everything in order (loop drained -> worker joined -> webhook thread
 * stopped -> store closed). */
#include "core/apikey.h"
#include "core/daemon.h"
#include "core/jobs.h"
#include "core/loop.h"
#include "events/bus.h"
#include "events/pending.h"
#include "events/log_sink.h"
#include "instance/lifecycle.h"
#include "instance/snapshot.h"
#include "link/link.h"
#include "realtime/conformance.h"
#include "realtime/realtime.h"
#include "store/store.h"
#include "webhook/deliverer.h"
#include "webhook/publisher.h"
#include "wg_err.h"
#include "wg_log.h"
#include "wg_time.h"
#include <errno.h>
#include <gnu/libc-version.h>
#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef WG_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

/* The malloc in use, as jemalloc itself reports it (so a build that lost
 * the link cannot claim it), else the C library's. */
static const char *allocator(char *buf, size_t n)
{
#ifdef WG_JEMALLOC
    const char *version = NULL;
    size_t len = sizeof version;
    if (mallctl("version", &version, &len, NULL, 0) == 0 && version) {
        snprintf(buf, n, "jemalloc %s", version);
        return buf;
    }
#endif
    snprintf(buf, n, "glibc %s", gnu_get_libc_version());
    return buf;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: connd [--env-file FILE] [--help] [--help-markdown] [--version]\n"
                 "       connd --sio-conformance PORT   (test mode: the Engine.IO/Socket.IO\n"
                 "       compliance-suite servers on 127.0.0.1:PORT, nothing else)\n"
                 "       --test-hooks: tests and benchmarks only (Socket.IO /wagate-test)\n\n"
                 "The wagate daemon: owns instances, the SQLite store and the event bus, and\n"
                 "answers wagate-fcgi over a Unix socket.\n\n");
    wg_config_print_help(out, WG_SCOPE_CONND);
}

static int group_begin(void *store)
{
    return wg_store_group_begin(store);
}

static int group_commit(void *store)
{
    return wg_store_group_commit(store);
}

/* group commit: queued store jobs share one transaction (core/jobs.h) */
static const wg_jobs_group_t store_group = {group_begin, group_commit};

static int make_dir(const char *path, wg_buf_t *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
            wg_buf_printf(err, "cannot create %s: %s", tmp, strerror(errno));
            return WG_EIO;
        }
        *p = '/';
    }
    if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
        wg_buf_printf(err, "cannot create %s: %s", tmp, strerror(errno));
        return WG_EIO;
    }
    return WG_OK;
}

int main(int argc, char **argv)
{
    const char *env_file = NULL;
    int test_hooks = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--help-markdown") == 0) {
            wg_config_print_markdown(stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            char alloc[64];
            printf("connd %s (allocator: %s)\n", WAGATE_VERSION, allocator(alloc, sizeof alloc));
            return 0;
        } else if (strcmp(argv[i], "--env-file") == 0 && i + 1 < argc) {
            env_file = argv[++i];
        } else if (strcmp(argv[i], "--test-hooks") == 0) {
            test_hooks = 1; /* tests and benchmarks only: see realtime.h */
        } else if (strcmp(argv[i], "--sio-conformance") == 0 && i + 1 < argc) {
            wg_log_program = "connd";
            int port = atoi(argv[++i]);
            if (port <= 0 || port > 65535) {
                usage(stderr);
                return 2;
            }
            return wg_realtime_conformance_run(port); /* test mode: nothing else starts */
        } else {
            usage(stderr);
            return 2;
        }
    }
    wg_log_program = "connd";
    wg_connd_t d;
    memset(&d, 0, sizeof d);
    wg_buf_t err = WG_BUF_INIT;
    int rc = wg_config_load(&d.cfg, WG_SCOPE_CONND, env_file, &err);
    int exit_code = 1;
    if (rc)
        goto done;
    /* libsodium's ChaCha20 generator, seeded from the kernel and rekeyed per
     * thread, instead of one getrandom() system call per randombytes_buf():
     * nonces for the at-rest encryption and row ids are drawn per message */
    randombytes_set_implementation(&randombytes_internal_implementation);
    if (sodium_init() < 0) {
        wg_buf_append_str(&err, "libsodium failed to initialise");
        goto done;
    }
    /* Every job savepoint of a group commit (core/jobs.h) that writes a page
     * makes SQLite allocate a 64 KiB statement-journal chunk and free it at
     * RELEASE; with glibc's default 128 KiB trim threshold the worker's arena
     * then shrinks (madvise) and grows again (page faults) every savepoint.
     * A fixed 1 MiB threshold keeps that churn in the arena and still bounds
     * what an arena keeps unused at its top after a burst. (Builds with
     * jemalloc: its own decay, glibc's setting is not used.) */
#ifndef WG_JEMALLOC
    mallopt(M_TRIM_THRESHOLD, 1 << 20);
#endif
    if ((rc = make_dir(wg_cfg_str(&d.cfg, WG_CFG_DATA_DIR), &err)))
        goto done;
    int generated = 0;
    if ((rc = wg_apikey_resolve(&d.cfg, d.global_key, sizeof d.global_key, &generated, &err)))
        goto done;
    if (generated)
        wg_log(WG_LOG_INFO, "msg=\"generated the global API key\" file=%s/apikey",
               wg_cfg_str(&d.cfg, WG_CFG_DATA_DIR));

    char db_path[4096];
    snprintf(db_path, sizeof db_path, "%s/wagate.db", wg_cfg_str(&d.cfg, WG_CFG_DATA_DIR));
    if ((rc = wg_store_open(db_path, &d.store, &err)))
        goto done;
    d.reg = wg_registry_new();
    d.bus = wg_bus_new();
    d.now_ms = wg_now_ms;
    wg_bus_subscribe(d.bus, wg_log_sink_on_event, NULL);
    if ((rc = wg_webhook_start(&d.cfg, db_path, NULL, &d.webhook, &err)))
        goto done;
    wg_bus_subscribe(d.bus, wg_webhook_publisher_on_event, &d);
    if ((rc = wg_lifecycle_load(&d))) {
        wg_buf_printf(&err, "cannot load instances: %s", wg_strerror(rc));
        goto done;
    }
    if ((rc = wg_loop_create(&d, &err)))
        goto done;
    wg_instance_snapshot_start(&d); /* after the IPC socket: this connd owns the path */
    wg_loop_on_stop(&d, wg_instance_snapshot_retire, &d);
    if (wg_cfg_bool(&d.cfg, WG_CFG_WEBSOCKET_ENABLED) &&
        (rc = wg_realtime_start(&d, test_hooks, &err)))
        goto done;
    d.jobs = wg_jobs_start_grouped(d.store, &store_group, wg_loop_wake, d.loop);
    if (!d.jobs) {
        wg_buf_append_str(&err, "cannot start the store worker");
        goto done;
    }
    wg_jobs_set_window(d.jobs, WG_JOBS_LAZY_WINDOW_MS);
    wg_pending_events_replay(&d); /* before the links: a crash's events first */
    if ((rc = wg_link_start(&d, &err))) /* WhatsApp: linked instances log in again */
        goto done;
    wg_loop_on_stop(&d, wg_link_stop, &d);
    wg_loop_run(&d);
    exit_code = 0;
done:
    if (err.len) {
        char quoted[1100];
        wg_log(WG_LOG_ERROR, "msg=%s", wg_log_quote(wg_buf_cstr(&err), quoted, sizeof quoted));
    }
    wg_jobs_stop(d.jobs); /* runs what is queued, so nothing accepted is lost */
    d.jobs = NULL;
    wg_webhook_stop(d.webhook); /* after the jobs: they wake it; unsent rows stay pending */
    d.webhook = NULL;
    if (d.loop)
        wg_loop_destroy(&d);
    wg_realtime_free(d.realtime); /* after the context: lws calls back while closing */
    if (d.store && wg_store_close(d.store) != WG_OK)
        exit_code = 1;
    wg_instance_snapshot_stop(&d);
    wg_registry_free(d.reg);
    wg_bus_free(d.bus);
    wg_config_free(&d.cfg);
    wg_buf_free(&err);
    if (exit_code == 0)
        wg_log(WG_LOG_INFO, "msg=stopped");
    return exit_code;
}
