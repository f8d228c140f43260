/* The webhook delivery thread: the only place connd speaks HTTP to
 * webhook receivers. It owns a second store handle on the database file (so
 * neither the event loop nor the job worker ever waits for a receiver or
 * for its SQLite work), a libcurl multi handle (non-blocking DNS, connect,
 * TLS and transfers for every destination at once, one poll), and the
 * per-destination queue (queue.h).
 *
 * Life of a delivery: the publisher (publisher.h) commits outbox rows on the
 * job worker, then calls wg_webhook_notify(); this thread picks each
 * destination's head, POSTs it, and records the outcome (delete / retry
 * later / failed). Stopping aborts in-flight transfers without recording
 * anything: those rows stay pending and are sent again by the next run
 * (at-least-once; receivers dedup by X-Wagate-Delivery).
 * https peers are verified against the system CAs (or WAGATE_WEBHOOK_CA_FILE);
 * a verification failure is an ordinary failed attempt, logged and stored
 * in last_error. */
#ifndef WG_WEBHOOK_DELIVERER_H
#define WG_WEBHOOK_DELIVERER_H
#include "webhook/settings.h"
#include "wg_buf.h"
#include "wg_config.h"
#include <stddef.h>
#include <stdint.h>

typedef struct wg_webhook wg_webhook_t;

/* Reads the WEBHOOK_* settings from cfg and opens db_path (which must be a
 * file; the schema must be current, i.e. the main handle opened it first).
 * libcurl and the thread start only when there is work: at once when the
 * outbox holds pending rows, else at the first wg_webhook_notify() (an idle
 * gateway without webhooks does not pay libcurl's memory). now_ms is the clock for attempt times (NULL:
 * wg_now_ms). Call once per process before other threads use libcurl
 * (it runs curl_global_init). Returns 0 and *out, or WG_EINVAL (settings),
 * WG_EDB (store), WG_EIO (libcurl or thread) with a reason in err. */
int wg_webhook_start(const wg_config_t *cfg, const char *db_path, int64_t (*now_ms)(void),
                     wg_webhook_t **out, wg_buf_t *err);

/* Stops the thread (in-flight attempts are abandoned, their rows stay
 * pending), closes the store handle, frees everything. NULL is a no-op. */
void wg_webhook_stop(wg_webhook_t *w);

/* Any thread: rows were committed for these destinations (n may be 0 with
 * dest_ids NULL: unknown, look at every destination). Never blocks on
 * I/O. NULL w is a no-op. */
void wg_webhook_notify(wg_webhook_t *w, const int64_t *dest_ids, size_t n);

/* The settings the thread runs with (read-only, valid until stop). */
const wg_webhook_settings_t *wg_webhook_settings(const wg_webhook_t *w);

#endif
