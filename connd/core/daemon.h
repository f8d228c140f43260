/* The daemon context: the one struct every connd concern hangs off. Created
 * by main.c, used on the loop thread only (except `store`, which only the
 * job worker touches after startup). */
#ifndef WG_DAEMON_H
#define WG_DAEMON_H
#include "core/jobs.h"
#include "events/bus.h"
#include "instance/registry.h"
#include "wg_config.h"

typedef struct wg_store wg_store_t;

typedef struct wg_connd {
    wg_config_t cfg;          /* effective configuration */
    char global_key[256];     /* AUTHENTICATION_API_KEY or the generated one */
    wg_registry_t *reg;       /* instances in memory */
    wg_bus_t *bus;            /* internal events */
    wg_jobs_t *jobs;          /* store worker */
    wg_store_t *store;        /* SQLite, touched only from the worker after load */
    struct wg_webhook *webhook; /* webhook delivery thread (connd/webhook), NULL when off */
    struct wg_realtime *realtime; /* Socket.IO service (connd/realtime), NULL when off */
    struct wg_snapshot_writer *snapshot; /* state snapshot file (instance/snapshot), or NULL */
    void *loop;               /* the event loop (connd/core/loop.c), opaque here */
    int stopping;             /* shutdown requested: refuse new work */
    int64_t (*now_ms)(void);  /* wall clock, UTC ms (tests inject one) */
} wg_connd_t;

#endif
