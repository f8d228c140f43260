/* WhatsApp links (see link.h). Policy from the seed's statusReason table
 * (wa-protocol.md §6, evolution-api.md §2 "Lifecycle notes"): 515 restarts at
 * once; 401/402/403/406 are a logout (credentials deleted, no reconnect); 440
 * (replaced) closes without reconnecting, so two links of one account do not
 * fight; anything else reconnects with exponential backoff and jitter. */
#include "link/link.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/jobs.h"
#include "events/pending.h"
#include "instance/lifecycle.h"
#include "link/vault.h"
#include "message/device_cache.h"
#include "message/receive.h"
#include "chat/call.h"
#include "chat/chat.h"
#include "chat/presence.h"
#include "chat/track.h"
#include "message/send.h"
#include "message/socket_send.h"
#include "store/session.h"
#include "wa/creds.h"
#include "wa/qrpng.h"
#include "wa/session.h"
#include "wa/ws_client.h"
#include "webhook/publisher.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include "wg_time.h"

typedef struct waiter {
    wg_link_result_cb cb;   /* the request's completion */
    void *ctx;              /* its argument */
    wg_wa_timer_t *timer;   /* WAGATE_CONNECT_WAIT_MS bound */
    struct wg_link *link;   /* owner */
    struct waiter *next;    /* list link */
} waiter_t;

typedef enum {
    CREDS_UNKNOWN, /* load job not done yet */
    CREDS_NONE,    /* nothing stored */
    CREDS_READY,   /* creds valid (paired or not) */
} creds_state_t;

typedef struct wg_link {
    wg_connd_t *d;            /* daemon */
    char *id;                 /* instance id (owned) */
    char *name;               /* instance name for logs and events (owned) */
    creds_state_t creds_state; /* see above */
    wg_wa_creds_t creds;      /* credentials when CREDS_READY */
    wg_wa_session_t *session; /* current protocol session, NULL when none */
    wg_wa_ws_t *ws;           /* its websocket */
    int session_over;         /* closed callback fired: tear down after the call stack unwinds */
    int close_reason;         /* its statusReason */
    char close_detail[96];    /* its text */
    int active;               /* a connection is wanted (connecting/open) */
    int start_after_load;     /* connect once the credentials are loaded */
    int attempts;             /* consecutive failed attempts (backoff exponent) */
    wg_wa_timer_t *tick;      /* session timers */
    wg_wa_timer_t *retry;     /* reconnect */
    unsigned qr_count;        /* QRs in this linking attempt */
    char *qr_code;            /* last QR text (owned) */
    char *qr_base64;          /* its PNG data URL (owned) */
    char pairing_code[9];     /* pairing code, "" when none */
    char number[32];          /* pairing-code phone number, "" for QR */
    waiter_t *waiters;        /* connect requests waiting for a QR */
    uint64_t generation;      /* bumped per session: answers go to the one that received */
} wg_link_t;

static uint8_t g_key[WG_VAULT_KEY_LEN]; /* credentials key */
static uint8_t g_root[32];              /* certificate root */
static int g_cert_check = 1;            /* WA_CERT_CHECK */
static unsigned char g_qr_rgb[3];       /* QRCODE_COLOR */
static int g_started;                   /* wg_link_start done */

static int64_t now_ms(wg_connd_t *d)
{
    return d->now_ms ? d->now_ms() : wg_now_ms();
}

static wg_instance_t *instance_of(wg_link_t *l)
{
    return wg_registry_find_id(l->d->reg, l->id);
}

static void publish(wg_link_t *l, const char *event, json_t *data)
{
    wg_bus_publish(l->d->bus, event, l->name, l->id, data, now_ms(l->d));
}

static void set_state(wg_link_t *l, const char *state, int reason)
{
    wg_instance_t *inst = instance_of(l);
    if (inst)
        wg_instance_set_state(l->d, inst, state, reason);
}

/* ------------------------------------------------------------ persistence */

typedef struct {
    wg_job_t job;      /* must be first */
    char *id;          /* instance id */
    wg_buf_t blob;     /* sealed creds (put) / read blob (get) */
    int op;            /* 0 get, 1 put, 2 delete */
    wg_connd_t *d;     /* for the get completion */
} creds_job_t;

static void creds_job_run(void *worker_ctx, wg_job_t *job)
{
    creds_job_t *j = (creds_job_t *)job;
    wg_store_t *store = worker_ctx;
    if (j->op == 0)
        job->rc = wg_store_session_get(store, j->id, &j->blob);
    else if (j->op == 1)
        job->rc = wg_store_session_put(store, j->id, j->blob.p, j->blob.len);
    else
        job->rc = wg_store_session_delete(store, j->id);
}

static void start_connection(wg_link_t *l);

static void creds_loaded(creds_job_t *j)
{
    wg_instance_t *inst = wg_registry_find_id(j->d->reg, j->id);
    wg_link_t *l = inst ? inst->wa : NULL;
    if (!l || l->creds_state != CREDS_UNKNOWN)
        return;
    l->creds_state = CREDS_NONE;
    if (j->job.rc == 0) {
        wg_buf_t plain = WG_BUF_INIT;
        if (wg_vault_open(g_key, j->blob.p, j->blob.len, &plain) == 0 &&
            wg_wa_creds_unpack(plain.p, plain.len, &l->creds) == 0)
            l->creds_state = CREDS_READY;
        else
            wg_log(WG_LOG_ERROR,
                   "msg=\"stored credentials unreadable (wrong WAGATE_SECRET_KEY?)\" instance=%s",
                   l->name);
        sodium_memzero(plain.p ? plain.p : (uint8_t *)"", plain.len);
        wg_buf_free(&plain);
    } else if (j->job.rc != WG_ENOTFOUND) {
        wg_log(WG_LOG_ERROR, "msg=\"cannot read credentials\" instance=%s err=\"%s\"", l->name,
               wg_strerror(j->job.rc));
    }
    if (l->start_after_load || (l->creds_state == CREDS_READY && wg_wa_creds_paired(&l->creds) &&
                                !l->d->stopping && !l->active)) {
        l->start_after_load = 0;
        start_connection(l);
    }
}

static void creds_job_done(wg_job_t *job)
{
    creds_job_t *j = (creds_job_t *)job;
    if (j->op == 0)
        creds_loaded(j);
    else if (job->rc && job->rc != WG_ENOTFOUND)
        wg_log(WG_LOG_ERROR, "msg=\"cannot write credentials\" instance_id=%s err=\"%s\"", j->id,
               wg_strerror(job->rc));
    if (j->blob.p)
        sodium_memzero(j->blob.p, j->blob.len);
    wg_buf_free(&j->blob);
    free(j->id);
    free(j);
}

static void creds_submit(wg_link_t *l, int op)
{
    creds_job_t *j = wg_calloc(1, sizeof *j);
    j->job.run = creds_job_run;
    j->job.done = creds_job_done;
    j->id = wg_strdup(l->id);
    j->op = op;
    j->d = l->d;
    if (op == 1) {
        wg_buf_t plain = WG_BUF_INIT;
        wg_wa_creds_pack(&l->creds, &plain);
        wg_vault_seal(g_key, plain.p, plain.len, &j->blob);
        sodium_memzero(plain.p, plain.len);
        wg_buf_free(&plain);
    }
    wg_jobs_submit(l->d->jobs, &j->job);
}

/* ------------------------------------------------------------ waiters */

static void answer(wg_link_t *l, wg_link_result_cb cb, void *ctx, int error)
{
    wg_link_result_t r = {0};
    r.error = error;
    r.open = l->session && wg_wa_session_is_open(l->session);
    if (!r.open) {
        r.code = l->qr_code;
        r.base64 = l->qr_base64;
        r.pairing_code = l->pairing_code[0] ? l->pairing_code : NULL;
        r.count = l->qr_count;
    }
    cb(ctx, &r);
}

static void wake_waiters(wg_link_t *l, int error)
{
    waiter_t *w = l->waiters;
    l->waiters = NULL;
    while (w) {
        waiter_t *next = w->next;
        wg_wa_timer_free(w->timer);
        answer(l, w->cb, w->ctx, error);
        free(w);
        w = next;
    }
}

static void waiter_expired(void *arg)
{
    waiter_t *w = arg;
    wg_link_t *l = w->link;
    for (waiter_t **pp = &l->waiters; *pp; pp = &(*pp)->next) {
        if (*pp == w) {
            *pp = w->next;
            break;
        }
    }
    wg_wa_timer_free(w->timer);
    answer(l, w->cb, w->ctx, 0);
    free(w);
}

static void add_waiter(wg_link_t *l, wg_link_result_cb cb, void *ctx)
{
    waiter_t *w = wg_calloc(1, sizeof *w);
    w->cb = cb;
    w->ctx = ctx;
    w->link = l;
    w->timer = wg_wa_timer_new(l->d->loop, waiter_expired, w);
    wg_wa_timer_set(w->timer, wg_cfg_int(&l->d->cfg, WG_CFG_CONNECT_WAIT_MS));
    w->next = l->waiters;
    l->waiters = w;
}

/* ------------------------------------------------------------ QR state */

static void clear_qr(wg_link_t *l)
{
    free(l->qr_code);
    free(l->qr_base64);
    l->qr_code = l->qr_base64 = NULL;
    l->qr_count = 0;
    l->pairing_code[0] = '\0';
}

static void publish_qr(wg_link_t *l)
{
    json_t *qr = json_pack("{s:s,s:o,s:o,s:o}", "instance", l->name, "pairingCode",
                           l->pairing_code[0] ? json_string(l->pairing_code) : json_null(),
                           "code", l->qr_code ? json_string(l->qr_code) : json_null(), "base64",
                           l->qr_base64 ? json_string(l->qr_base64) : json_null());
    publish(l, "qrcode.updated", json_pack("{s:o}", "qrcode", qr));
}

/* ------------------------------------------------------------ connection */

static void teardown_session(wg_link_t *l)
{
    wg_wa_session_free(l->session);
    l->session = NULL;
    wg_wa_ws_free(l->ws);
    l->ws = NULL;
    l->session_over = 0;
    wg_wa_timer_set(l->tick, -1);
}

static void reschedule(wg_link_t *l)
{
    if (!l->session || l->session_over)
        return;
    int64_t t = now_ms(l->d);
    int64_t next = wg_wa_session_tick(l->session, t);
    if (next >= 0)
        wg_wa_timer_set(l->tick, next > t ? next - t : 0);
}

static void handle_session_over(wg_link_t *l);

static void after_session_call(wg_link_t *l)
{
    if (l->session_over)
        handle_session_over(l);
    else
        reschedule(l);
}

static void on_tick(void *arg)
{
    wg_link_t *l = arg;
    if (!l->session)
        return;
    wg_wa_session_tick(l->session, now_ms(l->d));
    after_session_call(l);
}

static void s_send(void *ud, const uint8_t *p, size_t len)
{
    wg_link_t *l = ud;
    if (l->ws)
        wg_wa_ws_send(l->ws, p, len);
}

static void s_qr(void *ud, const char *text)
{
    wg_link_t *l = ud;
    int64_t limit = wg_cfg_int(&l->d->cfg, WG_CFG_QRCODE_LIMIT);
    if ((int64_t)l->qr_count >= limit) {
        /* evolution-api.md §2.2: the QR after the limit refuses the link */
        wg_log(WG_LOG_INFO, "msg=\"QR code limit reached\" instance=%s limit=%lld", l->name,
               (long long)limit);
        publish(l, "qrcode.updated",
                json_pack("{s:s,s:i}", "message", "QR code limit reached, please login again",
                          "statusCode", 500));
        wg_instance_t *inst = instance_of(l);
        publish(l, "connection.update",
                json_pack("{s:s,s:s,s:i,s:o,s:o,s:o}", "instance", l->name, "state", "refused",
                          "statusReason", 428, "wuid",
                          inst && inst->row->owner_jid ? json_string(inst->row->owner_jid)
                                                       : json_null(),
                          "profileName",
                          inst && inst->row->profile_name ? json_string(inst->row->profile_name)
                                                          : json_null(),
                          "profilePictureUrl", json_null()));
        l->session_over = 1;
        l->close_reason = -428; /* refused: handled apart from server closes */
        snprintf(l->close_detail, sizeof l->close_detail, "QR code limit reached");
        return;
    }
    l->qr_count++;
    free(l->qr_code);
    free(l->qr_base64);
    l->qr_code = wg_strdup(text);
    wg_buf_t png = WG_BUF_INIT;
    if (wg_qr_png_data_url(text, g_qr_rgb, &png) == 0)
        l->qr_base64 = wg_buf_steal(&png);
    else
        l->qr_base64 = NULL;
    wg_buf_free(&png);
    wg_log(WG_LOG_INFO, "msg=\"QR code\" instance=%s count=%u", l->name, l->qr_count);
    publish_qr(l);
    set_state(l, "connecting", 200);
    /* with a number, the pairing code follows at once: answer with both */
    if (!l->number[0] || l->pairing_code[0])
        wake_waiters(l, 0);
}

static void s_pairing_code(void *ud, const char *code)
{
    wg_link_t *l = ud;
    snprintf(l->pairing_code, sizeof l->pairing_code, "%s", code);
    wg_log(WG_LOG_INFO, "msg=\"pairing code\" instance=%s", l->name);
    publish_qr(l);
    wake_waiters(l, 0);
}

static void s_creds_changed(void *ud)
{
    wg_link_t *l = ud;
    creds_submit(l, 1);
}

static void s_open(void *ud)
{
    wg_link_t *l = ud;
    wg_instance_t *inst = instance_of(l);
    l->attempts = 0;
    clear_qr(l);
    if (inst) {
        char wuid[96];
        snprintf(wuid, sizeof wuid, "%s", l->creds.me_jid);
        char *colon = strchr(wuid, ':'), *at = strchr(wuid, '@');
        if (colon && at && colon < at)
            memmove(colon, at, strlen(at) + 1);
        wg_pb_set_str(&inst->row->owner_jid, wuid);
        if (l->creds.push_name[0])
            wg_pb_set_str(&inst->row->profile_name, l->creds.push_name);
        wg_pb_set_str(&inst->row->profile_pic_url,
                      l->session ? wg_wa_session_picture_url(l->session) : NULL);
    }
    wg_log(WG_LOG_INFO, "msg=\"WhatsApp open\" instance=%s jid=%s", l->name, l->creds.me_jid);
    set_state(l, "open", 200);
    wake_waiters(l, 0);
}

static void s_closed(void *ud, int reason, const char *detail)
{
    wg_link_t *l = ud;
    l->session_over = 1;
    l->close_reason = reason;
    snprintf(l->close_detail, sizeof l->close_detail, "%s", detail ? detail : "");
}

/* A received message was committed (or not): answer it on the session that
 * received it, then announce it (connd/message/receive.h). */
static void message_done(void *ctx, const wg_receive_result_t *r)
{
    wg_connd_t *d = ctx;
    wg_instance_t *inst = wg_registry_find_id(d->reg, r->instance_id);
    wg_link_t *l = inst ? inst->wa : NULL;
    int live = l && l->session && !l->session_over && l->generation == r->generation;
    if (live && (r->outcome == WG_RECEIVE_STORED || r->outcome == WG_RECEIVE_DUPLICATE))
        wg_wa_session_receipt(l->session, r->id, r->to, r->participant, r->recipient,
                              r->receipt_type);
    else if (live && r->outcome == WG_RECEIVE_UNDECRYPTABLE && r->id) {
        if (r->retry_receipt) /* the retry receipt first, then the nack (§7.1) */
            wg_wa_session_send(l->session, wg_receive_retry_node(r));
        wg_wa_session_ack_message(l->session, r->id, r->to, r->participant, r->recipient,
                                  r->ack_error);
    }
    if (l && r->retry_prekey_id && r->retry_prekey_id >= l->creds.next_prekey_id) {
        /* the retry receipt handed out that pre-key: never upload it again */
        l->creds.next_prekey_id = (r->retry_prekey_id + 1) & 0xFFFFFF;
        creds_submit(l, 1);
    }
    if (r->outcome == WG_RECEIVE_RETRY_LATER)
        wg_log(WG_LOG_WARN, "msg=\"message not stored; left for redelivery\" instance=%s "
                            "err=\"%s\"", r->instance_name, wg_strerror(r->rc));
    if (live)
        after_session_call(l);
    if (r->event) {
        wg_bus_publish(d->bus, r->event_name, r->instance_name, r->instance_id,
                       json_incref(r->event), r->event_at_ms ? r->event_at_ms : now_ms(d));
        wg_pending_event_published(d, r->event_id); /* after the outbox job it queued */
    }
    if (r->event && inst && strcmp(r->event_name, "messages.upsert") == 0)
        wg_chat_track_message(d, inst, r->event, r); /* contacts, chats, readMessages */
}

/* Takes node (wa/session.h): the receive job gets it as decoded. */
static void s_message(void *ud, void *node)
{
    wg_link_t *l = ud;
    if (wg_chat_ignores(instance_of(l), node)) { /* groupsIgnore: receipt only */
        wg_node_t *n = node;
        wg_wa_session_receipt(l->session, wg_node_attr(n, "id"), wg_node_attr(n, "from"),
                              wg_node_attr(n, "participant"), NULL, NULL);
        wg_node_free(n);
        return;
    }
    /* the event is committed with the message when a webhook would get it
     * (events/pending.h); Socket.IO and the log are live only */
    static const char *const message_events[] = {"messages.upsert", "messages.delete",
                                                  "messages.edited"};
    int durable = wg_webhook_publisher_routes(l->d, l->id, message_events, 3);
    wg_instance_t *inst = instance_of(l);
    int read = inst && inst->row->settings && inst->row->settings->read_messages;
    wg_receive_submit(l->d->jobs, l->id, l->name, &l->creds, g_key, node, l->generation, durable,
                      read, message_done, l->d);
}

static void s_message_ack(void *ud, const void *node)
{
    wg_link_t *l = ud;
    wg_send_on_ack(l->d, l->id, node);
}

static void s_receipt(void *ud, const void *node)
{
    wg_link_t *l = ud;
    wg_send_on_receipt(l->d, l->id, node);
}

/* <presence>, <chatstate> -> presence.update; <call> -> connd/chat/call.c;
 * <notification type="devices"> -> the device cache (message/device_cache.h) */
static void s_stanza(void *ud, const void *node)
{
    wg_link_t *l = ud;
    wg_instance_t *inst = instance_of(l);
    if (!inst)
        return;
    if (strcmp(((const wg_node_t *)node)->tag, "call") == 0) {
        wg_chat_on_call(l->d, inst, node);
        return;
    }
    if (strcmp(((const wg_node_t *)node)->tag, "notification") == 0) {
        /* <notification type="devices">: the next send to them asks usync again */
        wg_device_cache_drop(l->id, wg_node_attr(node, "from"));
        return;
    }
    json_t *p = wg_chat_presence_event(node);
    if (p)
        publish(l, "presence.update", p);
}

static const wg_wa_session_cb_t session_cb = {s_send,   s_qr,      s_pairing_code,
                                              s_creds_changed, s_open, s_closed,
                                              s_message, s_message_ack, s_receipt,
                                              s_stanza};

wg_wa_session_t *wg_link_session(wg_connd_t *d, const char *instance_id, uint64_t *generation,
                                 const wg_wa_creds_t **creds)
{
    wg_instance_t *inst = wg_registry_find_id(d->reg, instance_id);
    wg_link_t *l = inst ? inst->wa : NULL;
    if (!l || !l->session || l->session_over || !wg_wa_session_is_open(l->session))
        return NULL;
    if (*generation && *generation != l->generation)
        return NULL;
    *generation = l->generation;
    if (creds)
        *creds = &l->creds;
    return l->session;
}

const uint8_t *wg_link_vault_key(void)
{
    return g_key;
}

static void ws_open(void *ud)
{
    wg_link_t *l = ud;
    if (!l->session)
        return;
    wg_wa_session_start(l->session, now_ms(l->d));
    after_session_call(l);
}

static void ws_data(void *ud, const uint8_t *p, size_t len)
{
    wg_link_t *l = ud;
    if (!l->session)
        return;
    wg_wa_session_on_data(l->session, p, len, now_ms(l->d));
    after_session_call(l);
}

static void ws_closed(void *ud, int code, const char *why)
{
    wg_link_t *l = ud;
    (void)code; /* l->ws is dead now; teardown_session frees it */
    if (!l->session_over) {
        l->session_over = 1;
        l->close_reason = WG_WA_REASON_CLOSED; /* connectionClosed, as Baileys */
        snprintf(l->close_detail, sizeof l->close_detail, "%s", why ? why : "socket closed");
    }
    handle_session_over(l);
}

static const wg_wa_ws_events_t ws_events = {ws_open, ws_data, ws_closed};

static void schedule_retry(wg_link_t *l, int immediate)
{
    int64_t min = wg_cfg_int(&l->d->cfg, WG_CFG_RECONNECT_MIN_MS);
    int64_t max = wg_cfg_int(&l->d->cfg, WG_CFG_RECONNECT_MAX_MS);
    int64_t delay = 0;
    if (!immediate) {
        delay = min;
        for (int i = 0; i < l->attempts && delay < max; i++)
            delay *= 2;
        if (delay > max)
            delay = max;
        /* +-20% jitter so a server restart is not hit by every link at once */
        int64_t span = delay / 5;
        if (span > 0)
            delay += (int64_t)randombytes_uniform((uint32_t)(2 * span + 1)) - span;
        l->attempts++;
    }
    wg_log(WG_LOG_INFO, "msg=\"WhatsApp reconnect scheduled\" instance=%s delay_ms=%lld attempt=%d",
           l->name, (long long)delay, l->attempts);
    wg_wa_timer_set(l->retry, delay);
}

static void handle_session_over(wg_link_t *l)
{
    int reason = l->close_reason;
    int paired = l->creds_state == CREDS_READY && wg_wa_creds_paired(&l->creds);
    teardown_session(l);
    wg_log(WG_LOG_INFO, "msg=\"WhatsApp connection closed\" instance=%s reason=%d detail=\"%s\"",
           l->name, reason < 0 ? -reason : reason, l->close_detail);
    if (l->d->stopping || !l->active)
        return;
    if (reason == -428) {
        /* QR limit: linking ends refused; the unpaired credentials go */
        l->active = 0;
        clear_qr(l);
        set_state(l, "close", 428);
        wake_waiters(l, 0);
        return;
    }
    switch (reason) {
    case WG_WA_REASON_RESTART:
        schedule_retry(l, 1);
        return;
    case WG_WA_REASON_LOGGED_OUT:
    case WG_WA_REASON_BANNED_TEMP:
    case WG_WA_REASON_FORBIDDEN:
    case WG_WA_REASON_BANNED:
        if (paired) {
            l->active = 0;
            wg_wa_creds_wipe(&l->creds);
            l->creds_state = CREDS_NONE;
            creds_submit(l, 2);
            set_state(l, "close", reason);
            publish(l, "logout.instance", json_null());
            wake_waiters(l, 0);
            return;
        }
        break;
    case WG_WA_REASON_REPLACED:
        l->active = 0;
        set_state(l, "close", reason);
        wake_waiters(l, 0);
        return;
    default:
        break;
    }
    set_state(l, "connecting", reason);
    schedule_retry(l, 0);
}

static void start_connection(wg_link_t *l)
{
    wg_connd_t *d = l->d;
    if (l->session || d->stopping)
        return;
    if (l->creds_state == CREDS_UNKNOWN) {
        l->start_after_load = 1;
        return;
    }
    if (l->creds_state != CREDS_READY) {
        if (wg_wa_creds_generate(&l->creds) != 0) {
            wg_log(WG_LOG_ERROR, "msg=\"cannot generate credentials\" instance=%s", l->name);
            wake_waiters(l, WG_ECRYPTO);
            return;
        }
        l->creds_state = CREDS_READY;
    }
    int was_active = l->active;
    l->active = 1;
    const char *url = wg_cfg_str(&d->cfg, WG_CFG_WA_SERVER_URL);
    if (!g_cert_check)
        wg_log(WG_LOG_WARN, "msg=\"WA_CERT_CHECK=off: the server certificate is not verified\" "
                            "instance=%s url=%s", l->name, url);
    wg_wa_session_opts_t o;
    memset(&o, 0, sizeof o);
    o.root_key = g_root;
    o.cert_check = g_cert_check;
    o.browser.client = wg_cfg_str(&d->cfg, WG_CFG_SESSION_PHONE_CLIENT);
    o.browser.browser = wg_cfg_str(&d->cfg, WG_CFG_SESSION_PHONE_NAME);
    int64_t qr_ms = wg_cfg_int(&d->cfg, WG_CFG_QR_TIMEOUT_MS);
    o.qr_first_ms = qr_ms;
    o.qr_next_ms = qr_ms < 20000 ? qr_ms : 20000;
    o.keepalive_ms = wg_cfg_int(&d->cfg, WG_CFG_KEEPALIVE_MS);
    wg_instance_t *inst = instance_of(l);
    o.always_online = inst && inst->row->settings && inst->row->settings->always_online;
    o.fetch_picture = wg_cfg_bool(&l->d->cfg, WG_CFG_PROFILE_PICTURE);
    o.pair_phone = !wg_wa_creds_paired(&l->creds) && l->number[0] ? l->number : NULL;
    l->session = wg_wa_session_new(&l->creds, &o, &session_cb, l);
    l->generation++;
    wg_buf_t err = WG_BUF_INIT;
    l->ws = wg_wa_ws_connect(d->loop, url, &ws_events, l, &err);
    if (!l->ws) {
        wg_log(WG_LOG_WARN, "msg=\"cannot connect to WhatsApp\" instance=%s err=\"%s\"", l->name,
               wg_buf_cstr(&err));
        wg_buf_free(&err);
        wg_wa_session_free(l->session);
        l->session = NULL;
        set_state(l, "connecting", WG_WA_REASON_CLOSED);
        schedule_retry(l, 0);
        return;
    }
    wg_buf_free(&err);
    wg_log(WG_LOG_INFO, "msg=\"WhatsApp connecting\" instance=%s mode=%s", l->name,
           wg_wa_creds_paired(&l->creds) ? "login" : (o.pair_phone ? "pairing-code" : "qr"));
    if (!was_active)
        set_state(l, "connecting", 200);
}

static void on_retry(void *arg)
{
    wg_link_t *l = arg;
    if (l->active && !l->session)
        start_connection(l);
}

/* ------------------------------------------------------------ per instance */

static wg_link_t *link_of(wg_connd_t *d, wg_instance_t *inst)
{
    if (inst->wa)
        return inst->wa;
    wg_link_t *l = wg_calloc(1, sizeof *l);
    l->d = d;
    l->id = wg_strdup(inst->row->id);
    l->name = wg_strdup(inst->row->name);
    l->tick = wg_wa_timer_new(d->loop, on_tick, l);
    l->retry = wg_wa_timer_new(d->loop, on_retry, l);
    inst->wa = l;
    creds_job_t *j = wg_calloc(1, sizeof *j); /* creds_loaded() decides what follows */
    j->job.run = creds_job_run;
    j->job.done = creds_job_done;
    j->id = wg_strdup(l->id);
    j->d = d;
    wg_jobs_submit(d->jobs, &j->job);
    return l;
}

static void link_free(wg_link_t *l)
{
    wg_send_forget(l->d, l->id);
    wg_chat_forget(l->id);
    wake_waiters(l, WG_ENOTFOUND);
    teardown_session(l);
    wg_wa_timer_free(l->tick);
    wg_wa_timer_free(l->retry);
    clear_qr(l);
    wg_wa_creds_wipe(&l->creds);
    free(l->id);
    free(l->name);
    free(l);
}

void wg_link_connect(wg_connd_t *d, wg_instance_t *inst, const char *number, wg_link_result_cb cb,
                     void *ctx)
{
    wg_link_t *l = link_of(d, inst);
    if (l->session && wg_wa_session_is_open(l->session)) {
        answer(l, cb, ctx, 0);
        return;
    }
    if (l->session || l->active) {
        if (l->qr_code && (!l->number[0] || l->pairing_code[0]))
            answer(l, cb, ctx, 0);
        else
            add_waiter(l, cb, ctx);
        return;
    }
    clear_qr(l);
    snprintf(l->number, sizeof l->number, "%s", number ? number : "");
    l->attempts = 0;
    add_waiter(l, cb, ctx);
    start_connection(l);
}

void wg_link_restart(wg_connd_t *d, wg_instance_t *inst, wg_link_result_cb cb, void *ctx)
{
    wg_link_t *l = link_of(d, inst);
    teardown_session(l);
    wg_wa_timer_set(l->retry, -1);
    l->active = 0;
    wg_link_connect(d, inst, l->number, cb, ctx);
}

int wg_link_set_presence(wg_connd_t *d, wg_instance_t *inst, const char *presence)
{
    wg_link_t *l = link_of(d, inst);
    if (!l->session || !wg_wa_session_is_open(l->session))
        return WG_ESTATE;
    if (strcmp(presence, "available") == 0 || strcmp(presence, "unavailable") == 0)
        wg_wa_session_set_presence(l->session, presence);
    return 0;
}

void wg_link_logout(wg_connd_t *d, wg_instance_t *inst)
{
    wg_link_t *l = link_of(d, inst);
    if (l->session && wg_wa_session_logout(l->session) == 0)
        wg_log(WG_LOG_INFO, "msg=\"asked WhatsApp to remove the companion device\" instance=%s",
               l->name);
    teardown_session(l);
    wg_wa_timer_set(l->retry, -1);
    l->active = 0;
    clear_qr(l);
    wg_wa_creds_wipe(&l->creds);
    l->creds_state = CREDS_NONE;
    creds_submit(l, 2);
    wake_waiters(l, 0);
}

void wg_link_forget(wg_connd_t *d, wg_instance_t *inst)
{
    (void)d;
    if (!inst->wa)
        return;
    link_free(inst->wa);
    inst->wa = NULL;
}

/* ------------------------------------------------------------ startup / shutdown */

void wg_link_stop(void *arg)
{
    wg_connd_t *d = arg;
    wg_pending_events_flush(); /* deletes still waiting for a loop turn; later ones go at once */
    for (wg_instance_t *i = wg_registry_first(d->reg); i; i = i->next_all) {
        if (!i->wa)
            continue;
        link_free(i->wa);
        i->wa = NULL;
    }
    wg_message_socket_send_remove();
    /* every socket gets its close frame before the loop goes away */
    wg_wa_ws_flush_all(d->loop, 2000);
}

int wg_link_start(wg_connd_t *d, wg_buf_t *err)
{
    int generated = 0;
    int rc = wg_vault_key_resolve(&d->cfg, g_key, &generated, err);
    if (rc)
        return rc;
    if (generated)
        wg_log(WG_LOG_INFO, "msg=\"generated the credentials key\" file=%s/secret.key",
               wg_cfg_str(&d->cfg, WG_CFG_DATA_DIR));
    const char *root = wg_cfg_str(&d->cfg, WG_CFG_WA_ROOT_KEY);
    size_t n = 0;
    if (strlen(root) != 64 || sodium_hex2bin(g_root, 32, root, 64, NULL, &n, NULL) != 0 || n != 32) {
        wg_buf_append_str(err, "WA_ROOT_KEY must be 64 hex characters");
        return WG_EINVAL;
    }
    const char *url = wg_cfg_str(&d->cfg, WG_CFG_WA_SERVER_URL);
    char host[256], path[1024];
    int tls, port;
    if (wg_wa_url_split(url, &tls, host, sizeof host, &port, path, sizeof path) != 0) {
        wg_buf_printf(err, "WA_SERVER_URL is not a ws:// or wss:// URL: %s", url);
        return WG_EINVAL;
    }
    const char *check = wg_cfg_str(&d->cfg, WG_CFG_WA_CERT_CHECK);
    if (strcmp(check, "on") == 0) {
        g_cert_check = 1;
    } else if (strcmp(check, "off") == 0) {
        if (!wg_wa_host_is_loopback(host)) {
            wg_buf_printf(err, "WA_CERT_CHECK=off is refused: WA_SERVER_URL host %s is not loopback",
                          host);
            return WG_EINVAL;
        }
        g_cert_check = 0;
    } else {
        wg_buf_append_str(err, "WA_CERT_CHECK must be on or off");
        return WG_EINVAL;
    }
    if (wg_qr_parse_color(wg_cfg_str(&d->cfg, WG_CFG_QRCODE_COLOR), g_qr_rgb) != 0) {
        wg_buf_append_str(err, "QRCODE_COLOR must be #rrggbb");
        return WG_EINVAL;
    }
    if ((rc = wg_wa_ws_init(d->loop, err)))
        return rc;
    g_started = 1;
    wg_message_socket_send_install(); /* Socket.IO sendText/sendNode now reach WhatsApp */
    for (wg_instance_t *i = wg_registry_first(d->reg); i; i = i->next_all) {
        if (!i->committed || i->deleting)
            continue;
        link_of(d, i); /* loads the credentials; linked instances log in */
    }
    return 0;
}
