/* Webhook delivery thread over libcurl's multi interface (see deliverer.h).
 * Edge code: the only file that calls libcurl (through webhook/curl_lib,
 * loaded when delivery starts). It must never touch the
 * registry, the bus or the job queue — only its own store handle, the
 * queue, and the small notify mailbox below. */
#include "webhook/deliverer.h"
#include "store/outbox.h"
#include "webhook/curl_lib.h"
#include "webhook/queue.h"
#include "webhook/request.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include "wg_time.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define IDLE_POLL_MS 1000        /* longest sleep without a wake-up */
#define PRUNE_EVERY_MS 60000     /* failed-row pruning period */
#define MAX_RESPONSE_BYTES 65536 /* response bodies are read and dropped */

/* One attempt in flight. */
typedef struct transfer {
    CURL *easy;                   /* the transfer */
    wg_outbox_row_t *row;         /* what is being sent, owned */
    struct curl_slist *headers;   /* request headers, owned */
    size_t received;              /* response bytes seen */
    char error[CURL_ERROR_SIZE];  /* libcurl's detailed message */
    struct transfer *prev, *next; /* the in-flight list */
} transfer_t;

struct wg_webhook {
    wg_webhook_settings_t settings; /* owned */
    wg_store_t *store;              /* this thread's handle, owned */
    wg_webhook_queue_t *queue;      /* per-destination order */
    const wg_curl_t *curl;          /* libcurl, once booted */
    CURLM *multi;                   /* all transfers */
    transfer_t *flight;             /* attempts in flight (thread only) */
    pthread_t thread;               /* the delivery thread */
    int64_t (*now_ms)(void);        /* attempt clock */

    pthread_mutex_t lock;          /* guards the mailbox below */
    int64_t *touched;              /* destinations with new rows */
    size_t n_touched, cap_touched; /* used / allocated */
    int rescan;                    /* look at every destination */
    int stop;                      /* leave the thread */
    int booted;                    /* libcurl and the thread are up (under lock) */
};

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    transfer_t *t = arg;
    t->received += size * n;
    /* a receiver that streams forever must not keep the destination busy */
    return t->received > MAX_RESPONSE_BYTES ? 0 : size * n;
}

static void transfer_free(wg_webhook_t *w, transfer_t *t)
{
    if (!t)
        return;
    if (t->prev)
        t->prev->next = t->next;
    else if (w->flight == t)
        w->flight = t->next;
    if (t->next)
        t->next->prev = t->prev;
    if (t->easy) {
        w->curl->multi_remove_handle(w->multi, t->easy);
        w->curl->easy_cleanup(t->easy);
    }
    w->curl->slist_free_all(t->headers);
    wg_outbox_row_clear(t->row);
    free(t->row);
    free(t);
}

/* queue.h start(): builds and adds the transfer. A row that cannot even be
 * set up is reported as a failed attempt (never silently dropped). */
static void start(void *ctx, wg_outbox_row_t *row)
{
    wg_webhook_t *w = ctx;
    transfer_t *t = wg_calloc(1, sizeof *t);
    t->row = row;
    char **lines = wg_webhook_headers(row, row->attempts + 1, w->now_ms() / 1000);
    for (size_t i = 0; lines && lines[i]; i++) {
        struct curl_slist *next = w->curl->slist_append(t->headers, lines[i]);
        if (next)
            t->headers = next;
    }
    wg_webhook_headers_free(lines);
    t->easy = w->curl->easy_init();
    CURLcode rc = t->easy ? CURLE_OK : CURLE_FAILED_INIT;
#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if (rc == CURLE_OK)                                                                        \
            rc = w->curl->easy_setopt(t->easy, opt, val);                                          \
    } while (0)
    SET(CURLOPT_URL, row->url);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for timeouts */
    SET(CURLOPT_POST, 1L);
    SET(CURLOPT_POSTFIELDS, row->body);
    SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(row->body));
    SET(CURLOPT_HTTPHEADER, t->headers);
    SET(CURLOPT_TIMEOUT_MS, (long)w->settings.timeout_ms);
    SET(CURLOPT_WRITEFUNCTION, discard);
    SET(CURLOPT_WRITEDATA, t);
    SET(CURLOPT_ERRORBUFFER, t->error);
    SET(CURLOPT_PRIVATE, t);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    if (*w->settings.ca_file)
        SET(CURLOPT_CAINFO, w->settings.ca_file);
#undef SET
    if (rc == CURLE_OK && w->curl->multi_add_handle(w->multi, t->easy) == CURLM_OK) {
        t->next = w->flight;
        if (w->flight)
            w->flight->prev = t;
        w->flight = t;
        return;
    }
    wg_webhook_queue_finish(w->queue, row, 0, w->curl->easy_strerror(rc));
    transfer_free(w, t);
}

/* Reads finished transfers and reports them to the queue. */
static void collect(wg_webhook_t *w)
{
    CURLMsg *m;
    int left;
    while ((m = w->curl->multi_info_read(w->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        transfer_t *t = NULL;
        w->curl->easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        CURLcode result = m->data.result;
        long status = 0;
        const char *error = NULL;
        if (result == CURLE_OK || result == CURLE_WRITE_ERROR) {
            w->curl->easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        }
        if (status == 0 || (result != CURLE_OK && result != CURLE_WRITE_ERROR))
            error = t->error[0] ? t->error : w->curl->easy_strerror(result);
        if (status >= 200 && status < 300)
            wg_log(WG_LOG_DEBUG,
                   "msg=\"webhook delivered\" instance=%s event=%s delivery=%s status=%ld",
                   t->row->instance_name, t->row->event, t->row->delivery_id, status);
        wg_webhook_queue_finish(w->queue, t->row, (int)status, error);
        transfer_free(w, t);
    }
}

static void take_mailbox(wg_webhook_t *w, int *stop)
{
    pthread_mutex_lock(&w->lock);
    for (size_t i = 0; i < w->n_touched; i++)
        wg_webhook_queue_touch(w->queue, w->touched[i]);
    w->n_touched = 0;
    if (w->rescan)
        wg_webhook_queue_rescan(w->queue);
    w->rescan = 0;
    *stop = w->stop;
    pthread_mutex_unlock(&w->lock);
}

static void prune(wg_webhook_t *w, int64_t now)
{
    int64_t removed = 0;
    int rc = wg_store_outbox_prune(w->store, now - w->settings.failed_max_age_ms,
                                   w->settings.failed_max_rows, &removed);
    if (rc)
        wg_log(WG_LOG_ERROR, "msg=\"webhook prune failed\" err=\"%s\"", wg_strerror(rc));
    else if (removed)
        wg_log(WG_LOG_INFO, "msg=\"pruned failed webhook deliveries\" count=%lld",
               (long long)removed);
}

static void *thread_main(void *arg)
{
    wg_webhook_t *w = arg;
    int64_t last_prune = 0;
    for (;;) {
        int stop = 0;
        take_mailbox(w, &stop);
        if (stop)
            break;
        int running = 0;
        w->curl->multi_perform(w->multi, &running);
        collect(w);
        int64_t now = w->now_ms(), next_due = INT64_MAX;
        int started = wg_webhook_queue_pass(w->queue, now, start, w, &next_due);
        if (now - last_prune >= PRUNE_EVERY_MS) {
            prune(w, now);
            last_prune = now;
        }
        int timeout = IDLE_POLL_MS;
        if (started > 0)
            timeout = 0; /* let perform() start them at once */
        else if (next_due != INT64_MAX)
            timeout = next_due <= now                 ? 0
                      : next_due - now < IDLE_POLL_MS ? (int)(next_due - now)
                                                      : IDLE_POLL_MS;
        if (timeout > 0)
            w->curl->multi_poll(w->multi, NULL, 0, timeout, NULL);
    }
    /* abandon what is in flight: no outcome is written, so the rows stay
     * pending and the next run sends them again (same delivery id) */
    size_t abandoned = 0;
    while (w->flight) {
        transfer_free(w, w->flight);
        abandoned++;
    }
    if (abandoned)
        wg_log(WG_LOG_INFO, "msg=\"webhook attempts abandoned at stop, kept pending\" count=%zu",
               abandoned);
    return NULL;
}

/* Brings up libcurl and the delivery thread. Deferred until there is
 * something to deliver (pending rows at start, or the first notify), because
 * libcurl (loaded only now, webhook/curl_lib) and its initialisation
 * (OpenSSL and friends) cost megabytes of RSS that a gateway without
 * webhooks should not pay. Caller holds w->lock, or is the only thread that
 * knows w. */
static int boot(wg_webhook_t *w, wg_buf_t *err)
{
    if (w->booted)
        return 0;
    if (!(w->curl = wg_curl(err)))
        return WG_EIO;
    if (w->curl->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
        !(w->multi = w->curl->multi_init())) {
        wg_buf_append_str(err, "libcurl failed to initialise");
        return WG_EIO;
    }
    w->queue = wg_webhook_queue_new(w->store, &w->settings.retry, NULL);
    if (pthread_create(&w->thread, NULL, thread_main, w) != 0) {
        wg_buf_append_str(err, "cannot start the webhook thread");
        wg_webhook_queue_free(w->queue);
        w->queue = NULL;
        w->curl->multi_cleanup(w->multi);
        w->multi = NULL;
        w->curl->global_cleanup();
        return WG_EIO;
    }
    w->booted = 1;
    char q_url[256];
    wg_log(WG_LOG_INFO,
           "msg=\"webhook delivery started\" global=%s url=%s attempts=%d timeout_ms=%lld",
           w->settings.global_enabled ? "true" : "false",
           wg_log_quote(w->settings.global_url, q_url, sizeof q_url),
           w->settings.retry.max_attempts, (long long)w->settings.timeout_ms);
    return 0;
}

int wg_webhook_start(const wg_config_t *cfg, const char *db_path, int64_t (*now_ms)(void),
                     wg_webhook_t **out, wg_buf_t *err)
{
    *out = NULL;
    wg_webhook_t *w = wg_calloc(1, sizeof *w);
    pthread_mutex_init(&w->lock, NULL);
    w->now_ms = now_ms ? now_ms : wg_now_ms;
    int64_t pending = 0, failed = 0;
    int rc = wg_webhook_settings_load(cfg, &w->settings, err);
    if (rc)
        goto fail;
    if ((rc = wg_store_open(db_path, &w->store, err)))
        goto fail;
    /* rows left by an earlier run are delivered at once; otherwise wait */
    if ((rc = wg_store_outbox_counts(w->store, &pending, &failed)))
        goto fail;
    if (pending > 0 && (rc = boot(w, err)))
        goto fail;
    *out = w;
    return 0;
fail:
    wg_store_close(w->store);
    wg_webhook_settings_free(&w->settings);
    pthread_mutex_destroy(&w->lock);
    free(w);
    return rc ? rc : WG_EIO;
}

void wg_webhook_stop(wg_webhook_t *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    int booted = w->booted;
    pthread_mutex_unlock(&w->lock);
    if (booted) {
        w->curl->multi_wakeup(w->multi);
        pthread_join(w->thread, NULL);
        wg_webhook_queue_free(w->queue);
        w->curl->multi_cleanup(w->multi);
        w->curl->global_cleanup();
    }
    wg_store_close(w->store);
    wg_webhook_settings_free(&w->settings);
    free(w->touched);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

void wg_webhook_notify(wg_webhook_t *w, const int64_t *dest_ids, size_t n)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    if (w->stop) {
        pthread_mutex_unlock(&w->lock);
        return; /* stopping: the rows stay pending for the next run */
    }
    if (!w->booted) {
        wg_buf_t err = WG_BUF_INIT;
        if (boot(w, &err) != 0) {
            char q[300];
            wg_log(WG_LOG_ERROR, "msg=\"webhook delivery cannot start; rows stay pending\" err=%s",
                   wg_log_quote(wg_buf_cstr(&err), q, sizeof q));
            wg_buf_free(&err);
            pthread_mutex_unlock(&w->lock);
            return;
        }
        wg_buf_free(&err);
    }
    if (!dest_ids || n == 0) {
        w->rescan = 1;
    } else {
        if (w->n_touched + n > w->cap_touched) {
            w->cap_touched = (w->n_touched + n) * 2;
            w->touched = wg_realloc(w->touched, w->cap_touched * sizeof *w->touched);
        }
        memcpy(w->touched + w->n_touched, dest_ids, n * sizeof *dest_ids);
        w->n_touched += n;
    }
    pthread_mutex_unlock(&w->lock);
    w->curl->multi_wakeup(w->multi);
}

const wg_webhook_settings_t *wg_webhook_settings(const wg_webhook_t *w)
{
    return &w->settings;
}
