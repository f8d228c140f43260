/* WhatsApp connection state machine (see session.h). Sequence from
 * wa-protocol.md Appendix B; node shapes from §5 and §6. */
#include "wa/session.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wa/binnode.h"
#include "wa/frame.h"
#include "wa/handshake.h"
#include "wa/pairing.h"
#include "wa/picture.h"
#include "wa/transport.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"

#define SERVER_JID "@s.whatsapp.net"
#define MAX_REFS 16
#define MIN_PREKEYS 5
#define INITIAL_PREKEYS 812
#define WANTED_PREKEYS 50

typedef enum {
    ST_NEW,       /* before start */
    ST_HANDSHAKE, /* hello sent, waiting for the server hello */
    ST_READY,     /* transport up: linking or logging in */
    ST_OPEN,      /* <success> received */
    ST_CLOSED,    /* closed callback done */
} state_t;

typedef enum {
    IQ_NONE,
    IQ_PREKEY_COUNT,
    IQ_PREKEY_UPLOAD,
    IQ_PING,
    IQ_PICTURE,
    IQ_OTHER
} iq_kind_t;

/* How long open waits for our own profile picture URL: Evolution's
 * connection.update open carries profilePictureUrl, so it is asked right
 * after <success>; a server that does not answer only delays open this long. */
#define PICTURE_WAIT_MS 1500

#define MAX_ANSWERS 64 /* outstanding iqs of the owner (wg_wa_session_iq) */

struct wg_wa_session {
    state_t state;                 /* where the connection is */
    wg_wa_creds_t *creds;          /* borrowed, updated on pairing */
    wg_wa_session_opts_t opts;     /* copied options (pair_phone points at phone) */
    char phone[32];                /* pairing-code phone number, "" for none */
    wg_wa_session_cb_t cb;         /* callbacks */
    void *ud;                      /* their argument */
    wg_wa_handshake_t hs;          /* Noise handshake (until split) */
    wg_wa_transport_t tr;          /* transport keys (after split) */
    wg_wa_frame_reader_t reader;   /* reassembles server frames */
    wg_buf_t scratch_in;           /* a received frame's plaintext, reused (see keep_small) */
    wg_buf_t scratch_node;         /* an encoded node to send, reused */
    wg_buf_t scratch_frame;        /* its sealed frame, reused */
    char id_prefix[24];            /* "<u16>.<u16>-" request id prefix */
    unsigned next_id;              /* request id counter */
    char *refs[MAX_REFS];          /* pair-device refs (owned) */
    int n_refs;                    /* how many */
    int ref_index;                 /* the one shown */
    int64_t ref_deadline;          /* when it expires (0 = none) */
    char code[9];                  /* pairing code once requested */
    int64_t deadline_handshake;    /* handshake bound */
    int64_t last_rx;               /* last frame time */
    int64_t next_ping;             /* next keepalive send */
    int64_t open_deadline;         /* open not reported yet: report by then (0 = reported) */
    char picture_url[1024];        /* our profile picture URL, "" when none */
    struct {
        char id[40];     /* request id */
        iq_kind_t kind;  /* what the answer is for */
    } pending[8];                  /* outstanding iq requests we care about */
    struct {
        char id[40];                                   /* request id, "" when free */
        void (*answer)(uint64_t token, const void *n); /* the owner's callback */
        uint64_t token;                                /* its argument */
    } answers[MAX_ANSWERS];        /* outstanding owner iqs */
};

/* ------------------------------------------------------------ helpers */

static void close_with(wg_wa_session_t *s, int reason, const char *detail)
{
    if (s->state == ST_CLOSED)
        return;
    s->state = ST_CLOSED;
    s->cb.closed(s->ud, reason, detail);
}

static void new_id(wg_wa_session_t *s, char out[40])
{
    snprintf(out, 40, "%s%u", s->id_prefix, s->next_id++);
}

static void remember(wg_wa_session_t *s, const char *id, iq_kind_t kind)
{
    for (size_t i = 0; i < sizeof s->pending / sizeof s->pending[0]; i++) {
        if (s->pending[i].kind == IQ_NONE) {
            snprintf(s->pending[i].id, sizeof s->pending[i].id, "%s", id);
            s->pending[i].kind = kind;
            return;
        }
    }
}

static iq_kind_t take(wg_wa_session_t *s, const char *id)
{
    for (size_t i = 0; id && i < sizeof s->pending / sizeof s->pending[0]; i++) {
        if (s->pending[i].kind != IQ_NONE && strcmp(s->pending[i].id, id) == 0) {
            iq_kind_t k = s->pending[i].kind;
            s->pending[i].kind = IQ_NONE;
            return k;
        }
    }
    return IQ_NONE;
}

/* The scratch buffers live as long as the session so that a frame in or out
 * costs no allocation; one that grew past this (a large history or media
 * node) is given back rather than kept. */
#define SCRATCH_KEEP 65536

static void keep_small(wg_buf_t *b)
{
    if (b->cap > SCRATCH_KEEP)
        wg_buf_free(b);
    else
        wg_buf_reset(b);
}

/* Seals the encoding in s->scratch_node (rc: how encoding went) and sends it. */
static void send_encoded(wg_wa_session_t *s, int rc, const char *tag)
{
    wg_buf_t *plain = &s->scratch_node, *frame = &s->scratch_frame;
    if (rc == 0)
        rc = wg_wa_transport_seal(&s->tr, plain->p, plain->len, frame);
    if (rc == 0)
        s->cb.send(s->ud, frame->p, frame->len);
    else
        wg_log(WG_LOG_WARN, "msg=\"cannot send node\" tag=%s err=\"%s\"", tag, wg_strerror(rc));
    keep_small(plain);
    keep_small(frame);
}

/* Encodes, seals and sends node; frees it. */
static void send_node(wg_wa_session_t *s, wg_node_t *node)
{
    if (s->state == ST_READY || s->state == ST_OPEN)
        send_encoded(s, wg_node_encode(node, &s->scratch_node), node->tag);
    wg_node_free(node);
}

static wg_node_t *iq(wg_wa_session_t *s, const char *type, const char *xmlns, char id_out[40])
{
    char id[40];
    new_id(s, id);
    wg_node_t *n = wg_node_new("iq");
    wg_node_set_attr(n, "id", id);
    wg_node_set_attr(n, "to", SERVER_JID);
    wg_node_set_attr(n, "type", type);
    if (xmlns)
        wg_node_set_attr(n, "xmlns", xmlns);
    if (id_out)
        memcpy(id_out, id, 40);
    return n;
}

static wg_node_t *child_bytes(wg_node_t *parent, const char *tag, const void *p, size_t len)
{
    wg_node_t *c = wg_node_add_child(parent, wg_node_new(tag));
    wg_node_set_bytes(c, p, len);
    return c;
}

static void reply_result(wg_wa_session_t *s, const wg_node_t *req)
{
    wg_node_t *n = wg_node_new("iq");
    wg_node_set_attr(n, "to", SERVER_JID);
    wg_node_set_attr(n, "type", "result");
    wg_node_set_attr(n, "id", wg_node_attr(req, "id"));
    send_node(s, n);
}

static void send_ack(wg_wa_session_t *s, const wg_node_t *node)
{
    const char *id = wg_node_attr(node, "id");
    const char *from = wg_node_attr(node, "from");
    if (!id || !from)
        return;
    wg_node_t *ack = wg_node_new("ack");
    wg_node_set_attr(ack, "id", id);
    wg_node_set_attr(ack, "to", from);
    wg_node_set_attr(ack, "class", node->tag);
    if (wg_node_attr(node, "participant"))
        wg_node_set_attr(ack, "participant", wg_node_attr(node, "participant"));
    if (wg_node_attr(node, "recipient"))
        wg_node_set_attr(ack, "recipient", wg_node_attr(node, "recipient"));
    if (wg_node_attr(node, "type") && strcmp(node->tag, "message") != 0)
        wg_node_set_attr(ack, "type", wg_node_attr(node, "type"));
    send_node(s, ack);
}

/* ------------------------------------------------------------ construction */

wg_wa_session_t *wg_wa_session_new(wg_wa_creds_t *creds, const wg_wa_session_opts_t *opts,
                                   const wg_wa_session_cb_t *cb, void *ud)
{
    wg_wa_session_t *s = wg_calloc(1, sizeof *s);
    s->creds = creds;
    s->opts = *opts;
    if (opts->pair_phone)
        snprintf(s->phone, sizeof s->phone, "%s", opts->pair_phone);
    s->opts.pair_phone = s->phone[0] ? s->phone : NULL;
    if (s->opts.keepalive_ms <= 0)
        s->opts.keepalive_ms = 30000;
    if (s->opts.handshake_ms <= 0)
        s->opts.handshake_ms = 20000;
    if (s->opts.qr_first_ms <= 0)
        s->opts.qr_first_ms = 60000;
    if (s->opts.qr_next_ms <= 0)
        s->opts.qr_next_ms = 20000;
    s->cb = *cb;
    s->ud = ud;
    uint16_t r[2];
    randombytes_buf(r, sizeof r);
    snprintf(s->id_prefix, sizeof s->id_prefix, "%u.%u-", r[0], r[1]);
    s->next_id = 1;
    wg_wa_frame_reader_init(&s->reader, 0);
    return s;
}

void wg_wa_session_free(wg_wa_session_t *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n_refs; i++)
        free(s->refs[i]);
    wg_wa_handshake_wipe(&s->hs);
    wg_wa_transport_wipe(&s->tr);
    wg_wa_frame_reader_free(&s->reader);
    wg_buf_free(&s->scratch_in);
    wg_buf_free(&s->scratch_node);
    wg_buf_free(&s->scratch_frame);
    free(s);
}

bool wg_wa_session_is_open(const wg_wa_session_t *s)
{
    return s->state == ST_OPEN && !s->open_deadline; /* open was reported */
}

const char *wg_wa_session_picture_url(const wg_wa_session_t *s)
{
    return s->picture_url[0] ? s->picture_url : NULL;
}

void wg_wa_session_start(wg_wa_session_t *s, int64_t now_ms)
{
    wg_buf_t out = WG_BUF_INIT;
    if (s->state != ST_NEW)
        return;
    int rc = wg_wa_handshake_init(&s->hs, s->creds->noise_priv, NULL, s->opts.root_key);
    s->hs.skip_cert_check = !s->opts.cert_check;
    if (rc == 0)
        rc = wg_wa_handshake_hello(&s->hs, NULL, 0, &out);
    if (rc) {
        close_with(s, WG_WA_REASON_BAD_SESSION, "handshake init failed");
    } else {
        s->state = ST_HANDSHAKE;
        s->deadline_handshake = now_ms + s->opts.handshake_ms;
        s->last_rx = now_ms;
        s->cb.send(s->ud, out.p, out.len);
    }
    wg_buf_free(&out);
}

/* ------------------------------------------------------------ linking */

static void show_ref(wg_wa_session_t *s, int64_t now_ms)
{
    wg_buf_t qr = WG_BUF_INIT;
    wg_wa_qr_string(s->creds, s->refs[s->ref_index], strlen(s->refs[s->ref_index]),
                    wg_wa_browser_platform_id(s->opts.browser.browser), &qr);
    s->ref_deadline = now_ms + (s->ref_index == 0 ? s->opts.qr_first_ms : s->opts.qr_next_ms);
    s->cb.qr(s->ud, (const char *)qr.p);
    wg_buf_free(&qr);
}

static void request_pairing_code(wg_wa_session_t *s)
{
    uint8_t five[5], wrapped[WG_WA_PAIRING_WRAPPED_LEN];
    randombytes_buf(five, sizeof five);
    wg_wa_pairing_code_encode(five, s->code);
    if (wg_wa_pairing_wrap(s->creds, s->code, NULL, wrapped) != 0) {
        close_with(s, WG_WA_REASON_BAD_SESSION, "pairing code wrap failed");
        return;
    }
    char jid[64], display[160];
    snprintf(jid, sizeof jid, "%s" SERVER_JID, s->phone);
    snprintf(display, sizeof display, "%s (%s)",
             s->opts.browser.browser ? s->opts.browser.browser : "Chrome",
             s->opts.browser.client ? s->opts.browser.client : "wagate");
    char id[40];
    wg_node_t *n = iq(s, "set", "md", id);
    remember(s, id, IQ_OTHER);
    wg_node_t *reg = wg_node_add_child(n, wg_node_new("link_code_companion_reg"));
    wg_node_set_attr(reg, "jid", jid);
    wg_node_set_attr(reg, "stage", "companion_hello");
    wg_node_set_attr(reg, "should_show_push_notification", "true");
    child_bytes(reg, "link_code_pairing_wrapped_companion_ephemeral_pub", wrapped, sizeof wrapped);
    child_bytes(reg, "companion_server_auth_key_pub", s->creds->noise_pub, 32);
    const char *pid = wg_wa_browser_platform_id(s->opts.browser.browser);
    child_bytes(reg, "companion_platform_id", pid, strlen(pid));
    child_bytes(reg, "companion_platform_display", display, strlen(display));
    child_bytes(reg, "link_code_pairing_nonce", "0", 1);
    send_node(s, n);
    s->cb.pairing_code(s->ud, s->code);
}

static void on_pair_device(wg_wa_session_t *s, const wg_node_t *iq_node, const wg_node_t *pd,
                           int64_t now_ms)
{
    reply_result(s, iq_node);
    for (int i = 0; i < s->n_refs; i++)
        free(s->refs[i]);
    s->n_refs = 0;
    for (size_t i = 0; i < pd->child_count && s->n_refs < MAX_REFS; i++) {
        const wg_node_t *r = pd->children[i];
        if (strcmp(r->tag, "ref") == 0 && r->data_len > 0 &&
            (r->kind == WG_NODE_BYTES || r->kind == WG_NODE_TEXT))
            s->refs[s->n_refs++] = wg_strndup((const char *)r->data, r->data_len);
    }
    if (s->n_refs == 0) {
        close_with(s, WG_WA_REASON_BAD_SESSION, "pair-device without refs");
        return;
    }
    s->ref_index = 0;
    show_ref(s, now_ms);
    if (s->state == ST_READY && s->opts.pair_phone && !s->code[0])
        request_pairing_code(s);
}

static void on_pair_success(wg_wa_session_t *s, const wg_node_t *iq_node, const wg_node_t *ps)
{
    const wg_node_t *ident = wg_node_child(ps, "device-identity");
    const wg_node_t *device = wg_node_child(ps, "device");
    const wg_node_t *platform = wg_node_child(ps, "platform");
    wg_buf_t reply = WG_BUF_INIT;
    uint32_t key_index = 0;
    const char *why = "malformed";
    int rc = WG_EPROTO;
    if (ident && device && ident->data)
        rc = wg_wa_pair_success(s->creds, ident->data, ident->data_len,
                                wg_node_attr(device, "jid"), wg_node_attr(device, "lid"),
                                platform ? wg_node_attr(platform, "name") : NULL, &reply,
                                &key_index, &why);
    wg_node_t *n = wg_node_new("iq");
    wg_node_set_attr(n, "to", SERVER_JID);
    wg_node_set_attr(n, "id", wg_node_attr(iq_node, "id"));
    if (rc) {
        wg_node_set_attr(n, "type", "error");
        wg_node_t *e = wg_node_add_child(n, wg_node_new("error"));
        wg_node_set_attr(e, "code", rc == WG_ECRYPTO ? "401" : "500");
        wg_node_set_attr(e, "text", why ? why : "internal-error");
        send_node(s, n);
        wg_buf_free(&reply);
        close_with(s, WG_WA_REASON_BAD_SESSION, why ? why : "pair-success rejected");
        return;
    }
    wg_node_set_attr(n, "type", "result");
    wg_node_t *sign = wg_node_add_child(n, wg_node_new("pair-device-sign"));
    wg_node_t *di = child_bytes(sign, "device-identity", reply.p, reply.len);
    char idx[16];
    snprintf(idx, sizeof idx, "%u", key_index);
    wg_node_set_attr(di, "key-index", idx);
    send_node(s, n);
    wg_buf_free(&reply);
    s->ref_deadline = 0;
    s->cb.creds_changed(s->ud);
}

static void on_link_code_notification(wg_wa_session_t *s, const wg_node_t *reg)
{
    const char *stage = wg_node_attr(reg, "stage");
    if (!s->code[0] || (stage && strcmp(stage, "primary_hello") != 0))
        return;
    const wg_node_t *ref = wg_node_child(reg, "link_code_pairing_ref");
    const wg_node_t *prim = wg_node_child(reg, "primary_identity_pub");
    const wg_node_t *wrapped = wg_node_child(reg, "link_code_pairing_wrapped_primary_ephemeral_pub");
    if (!ref || !prim || !wrapped || prim->data_len != 32 || !ref->data) {
        wg_log(WG_LOG_WARN, "msg=\"malformed link_code_companion_reg notification\"");
        return;
    }
    uint8_t bundle[WG_WA_PAIRING_BUNDLE_LEN];
    if (wg_wa_pairing_finish(s->creds, s->code, prim->data, wrapped->data, wrapped->data_len,
                             NULL, bundle) != 0) {
        wg_log(WG_LOG_WARN, "msg=\"pairing code exchange failed\"");
        return;
    }
    char jid[64];
    snprintf(jid, sizeof jid, "%s" SERVER_JID, s->phone);
    char id[40];
    wg_node_t *n = iq(s, "set", "md", id);
    remember(s, id, IQ_OTHER);
    wg_node_t *r = wg_node_add_child(n, wg_node_new("link_code_companion_reg"));
    wg_node_set_attr(r, "jid", jid);
    wg_node_set_attr(r, "stage", "companion_finish");
    child_bytes(r, "link_code_pairing_wrapped_key_bundle", bundle, sizeof bundle);
    child_bytes(r, "companion_identity_public", s->creds->identity_pub, 32);
    child_bytes(r, "link_code_pairing_ref", ref->data, ref->data_len);
    send_node(s, n);
    s->cb.creds_changed(s->ud);
}

/* ------------------------------------------------------------ logged in */

static void put_id3(uint8_t out[3], uint32_t id)
{
    out[0] = (uint8_t)(id >> 16);
    out[1] = (uint8_t)(id >> 8);
    out[2] = (uint8_t)id;
}

static void upload_prekeys(wg_wa_session_t *s, unsigned count)
{
    wg_wa_creds_t *c = s->creds;
    char id[40];
    wg_node_t *n = iq(s, "set", "encrypt", id);
    remember(s, id, IQ_PREKEY_UPLOAD);
    uint8_t reg[4] = {(uint8_t)(c->registration_id >> 24), (uint8_t)(c->registration_id >> 16),
                      (uint8_t)(c->registration_id >> 8), (uint8_t)c->registration_id};
    static const uint8_t type = 0x05;
    child_bytes(n, "registration", reg, 4);
    child_bytes(n, "type", &type, 1);
    child_bytes(n, "identity", c->identity_pub, 32);
    wg_node_t *list = wg_node_add_child(n, wg_node_new("list"));
    for (unsigned i = 0; i < count; i++) {
        uint32_t kid = (c->next_prekey_id + i) & 0xFFFFFF;
        uint8_t priv[32], pub[32], id3[3];
        wg_wa_creds_prekey(c, kid, priv, pub);
        sodium_memzero(priv, sizeof priv);
        put_id3(id3, kid);
        wg_node_t *k = wg_node_add_child(list, wg_node_new("key"));
        child_bytes(k, "id", id3, 3);
        child_bytes(k, "value", pub, 32);
    }
    wg_node_t *sk = wg_node_add_child(n, wg_node_new("skey"));
    uint8_t sid[3];
    put_id3(sid, c->spk_id);
    child_bytes(sk, "id", sid, 3);
    child_bytes(sk, "value", c->spk_pub, 32);
    child_bytes(sk, "signature", c->spk_sig, 64);
    send_node(s, n);
    c->next_prekey_id = (c->next_prekey_id + count) & 0xFFFFFF;
    if (c->next_prekey_id == 0)
        c->next_prekey_id = 1;
    s->cb.creds_changed(s->ud);
}

static void send_presence(wg_wa_session_t *s, const char *type)
{
    wg_node_t *p = wg_node_new("presence");
    if (s->creds->push_name[0])
        wg_node_set_attr(p, "name", s->creds->push_name);
    wg_node_set_attr(p, "type", type);
    send_node(s, p);
}

static void report_open(wg_wa_session_t *s);

static void on_success(wg_wa_session_t *s, const wg_node_t *node, int64_t now_ms)
{
    const char *lid = wg_node_attr(node, "lid");
    const char *name = wg_node_attr(node, "display_name");
    int changed = 0;
    if (lid && strcmp(lid, s->creds->me_lid) != 0) {
        snprintf(s->creds->me_lid, sizeof s->creds->me_lid, "%s", lid);
        changed = 1;
    }
    if (name && *name && strcmp(name, s->creds->push_name) != 0) {
        snprintf(s->creds->push_name, sizeof s->creds->push_name, "%s", name);
        changed = 1;
    }
    s->state = ST_OPEN;
    s->ref_deadline = 0;
    s->next_ping = now_ms + s->opts.keepalive_ms;
    /* §6 "Typical sequence after success" */
    wg_node_t *passive = iq(s, "set", "passive", NULL);
    wg_node_add_child(passive, wg_node_new("active"));
    send_node(s, passive);
    char id[40];
    wg_node_t *count = iq(s, "get", "encrypt", id);
    wg_node_add_child(count, wg_node_new("count"));
    remember(s, id, IQ_PREKEY_COUNT);
    send_node(s, count);
    if (s->creds->push_name[0])
        send_presence(s, s->opts.always_online ? "available" : "unavailable");
    if (!s->opts.fetch_picture) {
        if (changed)
            s->cb.creds_changed(s->ud);
        s->open_deadline = now_ms ? now_ms : 1;
        report_open(s);
        return;
    }
    /* our own profile picture, for connection.update open (w:profile:picture) */
    char jid[128];
    snprintf(jid, sizeof jid, "%s", s->creds->me_jid);
    char *colon = strchr(jid, ':'), *at = strchr(jid, '@');
    if (colon && at && colon < at)
        memmove(colon, at, strlen(at) + 1);
    s->picture_url[0] = '\0';
    wg_node_t *pic = wg_wa_picture_query(jid);
    new_id(s, id);
    wg_node_set_attr(pic, "id", id);
    wg_node_set_attr(pic, "to", SERVER_JID);
    remember(s, id, IQ_PICTURE);
    send_node(s, pic);
    s->open_deadline = now_ms + PICTURE_WAIT_MS;
    if (changed)
        s->cb.creds_changed(s->ud);
}

/* Tells the owner the link is open, once. */
static void report_open(wg_wa_session_t *s)
{
    if (!s->open_deadline)
        return;
    s->open_deadline = 0;
    s->cb.open(s->ud);
}

static void on_iq_answer(wg_wa_session_t *s, const wg_node_t *node)
{
    const char *rid = wg_node_attr(node, "id");
    for (size_t i = 0; rid && i < MAX_ANSWERS; i++) {
        if (s->answers[i].id[0] && strcmp(s->answers[i].id, rid) == 0) {
            s->answers[i].id[0] = '\0';
            s->answers[i].answer(s->answers[i].token, node);
            return;
        }
    }
    iq_kind_t kind = take(s, rid);
    const char *type = wg_node_attr(node, "type");
    if (kind == IQ_PREKEY_COUNT && type && strcmp(type, "result") == 0) {
        const wg_node_t *count = wg_node_child(node, "count");
        const char *v = count ? wg_node_attr(count, "value") : NULL;
        long n = v ? strtol(v, NULL, 10) : 0;
        if (n < MIN_PREKEYS)
            upload_prekeys(s, n == 0 && s->creds->next_prekey_id <= 1 ? INITIAL_PREKEYS
                                                                      : WANTED_PREKEYS);
    } else if (kind == IQ_PREKEY_UPLOAD && type && strcmp(type, "error") == 0) {
        wg_log(WG_LOG_WARN, "msg=\"pre-key upload refused\"");
    } else if (kind == IQ_PICTURE) {
        /* an error (no picture, hidden by privacy) leaves the URL empty: null */
        wg_wa_picture_url(node, s->picture_url, sizeof s->picture_url);
        report_open(s);
    }
}

/* ------------------------------------------------------------ node dispatch */

int wg_wa_session_reason_of(const void *ptr)
{
    const wg_node_t *node = ptr;
    if (strcmp(node->tag, "failure") == 0) {
        const char *reason = wg_node_attr(node, "reason");
        int r = reason ? atoi(reason) : 0;
        return r > 0 ? r : WG_WA_REASON_BAD_SESSION;
    }
    const char *code = wg_node_attr(node, "code");
    const wg_node_t *conflict = wg_node_child(node, "conflict");
    if (conflict) {
        const char *t = wg_node_attr(conflict, "type");
        if (t && strcmp(t, "device_removed") == 0)
            return WG_WA_REASON_LOGGED_OUT;
        if (!code)
            return WG_WA_REASON_REPLACED;
    }
    int c = code ? atoi(code) : 0;
    return c > 0 ? c : WG_WA_REASON_BAD_SESSION;
}

/* Handles one decoded node. Returns 1 when it handed node over (a
 * <message> to cb.message), 0 when the caller still owns it. */
static int on_node(wg_wa_session_t *s, wg_node_t *node, int64_t now_ms)
{
    const char *tag = node->tag;
    if (wg_log_threshold >= WG_LOG_DEBUG) {
        wg_buf_t text = WG_BUF_INIT;
        wg_node_to_string(node, &text);
        if (text.len > 400)
            text.len = 400, text.p[400] = '\0';
        char quoted[600];
        wg_log(WG_LOG_DEBUG, "msg=\"wa recv\" node=%s",
               wg_log_quote((const char *)text.p, quoted, sizeof quoted));
        wg_buf_free(&text);
    }
    if (strcmp(tag, "iq") == 0) {
        const char *type = wg_node_attr(node, "type");
        const wg_node_t *pd = wg_node_child(node, "pair-device");
        const wg_node_t *ps = wg_node_child(node, "pair-success");
        const char *xmlns = wg_node_attr(node, "xmlns");
        if (type && strcmp(type, "set") == 0 && pd)
            on_pair_device(s, node, pd, now_ms);
        else if (type && strcmp(type, "set") == 0 && ps)
            on_pair_success(s, node, ps);
        else if (type && strcmp(type, "get") == 0 && xmlns && strcmp(xmlns, "urn:xmpp:ping") == 0)
            reply_result(s, node);
        else if (type && (strcmp(type, "result") == 0 || strcmp(type, "error") == 0))
            on_iq_answer(s, node);
    } else if (strcmp(tag, "success") == 0) {
        on_success(s, node, now_ms);
    } else if (strcmp(tag, "failure") == 0) {
        close_with(s, wg_wa_session_reason_of(node), "login failure");
    } else if (strcmp(tag, "stream:error") == 0) {
        close_with(s, wg_wa_session_reason_of(node), "stream error");
    } else if (strcmp(tag, "xmlstreamend") == 0) {
        close_with(s, WG_WA_REASON_CLOSED, "stream end");
    } else if (strcmp(tag, "ib") == 0) {
        if (wg_node_child(node, "offline_preview")) {
            wg_node_t *ib = wg_node_new("ib");
            wg_node_t *b = wg_node_add_child(ib, wg_node_new("offline_batch"));
            wg_node_set_attr(b, "count", "100");
            send_node(s, ib);
        }
    } else if (strcmp(tag, "notification") == 0) {
        send_ack(s, node);
        const char *type = wg_node_attr(node, "type");
        const wg_node_t *reg = wg_node_child(node, "link_code_companion_reg");
        if (type && strcmp(type, "link_code_companion_reg") == 0 && reg)
            on_link_code_notification(s, reg);
        else if (type && strcmp(type, "encrypt") == 0 && wg_node_child(node, "count") &&
                 s->state == ST_OPEN)
            upload_prekeys(s, WANTED_PREKEYS);
        else if (type && strcmp(type, "devices") == 0 && s->cb.stanza && s->state == ST_OPEN)
            s->cb.stanza(s->ud, node); /* a contact's device list changed */
    } else if (strcmp(tag, "message") == 0 && s->cb.message && s->state == ST_OPEN) {
        /* answered by the owner once the message is committed */
        s->cb.message(s->ud, node);
        return 1;
    } else if (strcmp(tag, "ack") == 0) {
        const char *cls = wg_node_attr(node, "class");
        if (cls && strcmp(cls, "message") == 0 && s->cb.message_ack)
            s->cb.message_ack(s->ud, node);
    } else if (strcmp(tag, "receipt") == 0 && s->cb.receipt) {
        send_ack(s, node);
        s->cb.receipt(s->ud, node);
    } else if ((strcmp(tag, "presence") == 0 || strcmp(tag, "chatstate") == 0) &&
               s->cb.stanza && s->state == ST_OPEN) {
        s->cb.stanza(s->ud, node);
    } else if (strcmp(tag, "call") == 0 && s->cb.stanza && s->state == ST_OPEN) {
        send_ack(s, node);
        s->cb.stanza(s->ud, node);
    } else if (strcmp(tag, "message") == 0 || strcmp(tag, "receipt") == 0 ||
               strcmp(tag, "call") == 0) {
        /* not handled here: acknowledge so the server does not redeliver */
        send_ack(s, node);
    }
    return 0;
}

/* ------------------------------------------------------------ input */

static void on_handshake_frame(wg_wa_session_t *s, const uint8_t *p, size_t len, int64_t now_ms)
{
    wg_buf_t payload = WG_BUF_INIT, out = WG_BUF_INIT;
    int rc = wg_wa_handshake_read_server_hello(&s->hs, p, len, now_ms / 1000);
    if (rc) {
        close_with(s, WG_WA_REASON_BAD_SESSION, rc == WG_EPROTO ? "malformed server hello" : "server certificate rejected");
        goto done;
    }
    if (wg_wa_creds_paired(s->creds))
        rc = wg_wa_payload_login(s->creds, &payload);
    else
        rc = wg_wa_payload_registration(s->creds, &s->opts.browser, &payload);
    if (rc == 0)
        rc = wg_wa_handshake_finish(&s->hs, payload.p, payload.len, &out);
    if (rc == 0)
        rc = wg_wa_handshake_split(&s->hs, &s->tr);
    if (rc) {
        close_with(s, WG_WA_REASON_BAD_SESSION, "handshake finish failed");
        goto done;
    }
    wg_wa_handshake_wipe(&s->hs);
    s->state = ST_READY;
    s->deadline_handshake = 0;
    s->cb.send(s->ud, out.p, out.len);
done:
    sodium_memzero(payload.p ? payload.p : (uint8_t *)"", payload.len);
    wg_buf_free(&payload);
    wg_buf_free(&out);
}

void wg_wa_session_on_data(wg_wa_session_t *s, const uint8_t *p, size_t len, int64_t now_ms)
{
    if (s->state == ST_CLOSED || s->state == ST_NEW)
        return;
    s->last_rx = now_ms;
    wg_wa_frame_reader_feed(&s->reader, p, len);
    wg_slice_t frame;
    int rc;
    while (s->state != ST_CLOSED && (rc = wg_wa_frame_reader_next(&s->reader, &frame)) == 0) {
        if (s->state == ST_HANDSHAKE) {
            on_handshake_frame(s, frame.p, frame.len, now_ms);
            continue;
        }
        wg_buf_t *plain = &s->scratch_in;
        wg_node_t *node = NULL;
        rc = wg_wa_transport_open(&s->tr, frame.p, frame.len, plain);
        if (rc == 0)
            rc = wg_node_decode(plain->p, plain->len, 0, &node);
        keep_small(plain); /* the node owns copies of what it needs */
        if (rc) {
            close_with(s, WG_WA_REASON_BAD_SESSION,
                       rc == WG_ECRYPTO ? "frame decryption failed" : "malformed node");
            return;
        }
        if (!on_node(s, node, now_ms))
            wg_node_free(node);
    }
    if (s->state != ST_CLOSED && rc == WG_ETOOBIG)
        close_with(s, WG_WA_REASON_BAD_SESSION, "frame too large");
}

int64_t wg_wa_session_tick(wg_wa_session_t *s, int64_t now_ms)
{
    if (s->state == ST_CLOSED || s->state == ST_NEW)
        return -1;
    if (s->deadline_handshake && now_ms >= s->deadline_handshake) {
        close_with(s, WG_WA_REASON_TIMED_OUT, "handshake timed out");
        return -1;
    }
    if (s->ref_deadline && now_ms >= s->ref_deadline) {
        if (s->ref_index + 1 >= s->n_refs) {
            s->ref_deadline = 0;
            close_with(s, WG_WA_REASON_TIMED_OUT, "QR refs attempts ended");
            return -1;
        }
        s->ref_index++;
        show_ref(s, now_ms);
        if (s->state == ST_CLOSED)
            return -1;
    }
    if (s->state == ST_OPEN && s->open_deadline && now_ms >= s->open_deadline)
        report_open(s);
    if (s->state == ST_OPEN) {
        if (now_ms - s->last_rx > s->opts.keepalive_ms + 5000) {
            close_with(s, WG_WA_REASON_TIMED_OUT, "keepalive lost");
            return -1;
        }
        if (now_ms >= s->next_ping) {
            char id[40];
            wg_node_t *ping = iq(s, "get", "w:p", id);
            wg_node_add_child(ping, wg_node_new("ping"));
            send_node(s, ping);
            s->next_ping = now_ms + s->opts.keepalive_ms;
        }
    }
    int64_t next = -1;
#define CONSIDER(t)                                                                                \
    do {                                                                                           \
        if ((t) > 0 && (next < 0 || (t) < next))                                                   \
            next = (t);                                                                            \
    } while (0)
    CONSIDER(s->deadline_handshake);
    CONSIDER(s->ref_deadline);
    if (s->state == ST_OPEN) {
        CONSIDER(s->open_deadline);
        CONSIDER(s->next_ping);
        CONSIDER(s->last_rx + s->opts.keepalive_ms + 5001);
    }
#undef CONSIDER
    return next;
}

int wg_wa_session_set_presence(wg_wa_session_t *s, const char *type)
{
    if (s->state != ST_OPEN)
        return WG_ESTATE;
    send_presence(s, type);
    return 0;
}

int wg_wa_session_logout(wg_wa_session_t *s)
{
    if (s->state != ST_OPEN && s->state != ST_READY)
        return WG_ESTATE;
    if (!wg_wa_creds_paired(s->creds))
        return WG_ESTATE;
    wg_node_t *n = iq(s, "set", "md", NULL);
    wg_node_t *r = wg_node_add_child(n, wg_node_new("remove-companion-device"));
    wg_node_set_attr(r, "jid", s->creds->me_jid);
    wg_node_set_attr(r, "reason", "user_initiated");
    send_node(s, n);
    return 0;
}

/* A receipt or ack goes out for every message: encoded straight from its
 * attributes (wg_node_encode_attrs), the same bytes as the node would give. */
static int answer_message(wg_wa_session_t *s, const char *tag, const char *id, const char *to,
                          const char *participant, const char *recipient, const char *key,
                          const char *value)
{
    if (s->state != ST_OPEN)
        return WG_ESTATE;
    if (!id || !to)
        return WG_EINVAL;
    const char *pairs[12];
    size_t n = 0;
    pairs[2 * n] = "id", pairs[2 * n + 1] = id, n++;
    pairs[2 * n] = "to", pairs[2 * n + 1] = to, n++;
    if (strcmp(tag, "ack") == 0)
        pairs[2 * n] = "class", pairs[2 * n + 1] = "message", n++;
    pairs[2 * n] = "participant", pairs[2 * n + 1] = participant, n++; /* NULL: left out */
    pairs[2 * n] = "recipient", pairs[2 * n + 1] = recipient, n++;
    pairs[2 * n] = key, pairs[2 * n + 1] = value, n++;
    send_encoded(s, wg_node_encode_attrs(tag, pairs, n, &s->scratch_node), tag);
    return 0;
}

int wg_wa_session_receipt(wg_wa_session_t *s, const char *id, const char *to,
                          const char *participant, const char *recipient, const char *type)
{
    return answer_message(s, "receipt", id, to, participant, recipient, "type", type);
}

int wg_wa_session_ack_message(wg_wa_session_t *s, const char *id, const char *to,
                              const char *participant, const char *recipient, const char *error)
{
    return answer_message(s, "ack", id, to, participant, recipient, "error", error);
}

int wg_wa_session_iq(wg_wa_session_t *s, void *iq_node, void (*answer)(uint64_t token, const void *reply),
                     uint64_t token)
{
    wg_node_t *n = iq_node;
    if (s->state != ST_OPEN) {
        wg_node_free(n);
        return WG_ESTATE;
    }
    size_t slot = MAX_ANSWERS;
    for (size_t i = 0; i < MAX_ANSWERS && slot == MAX_ANSWERS; i++)
        if (!s->answers[i].id[0])
            slot = i;
    if (slot == MAX_ANSWERS) {
        wg_node_free(n);
        return WG_ETOOBIG;
    }
    char id[40];
    new_id(s, id);
    wg_node_set_attr(n, "id", id);
    if (!wg_node_attr(n, "to"))
        wg_node_set_attr(n, "to", SERVER_JID);
    snprintf(s->answers[slot].id, sizeof s->answers[slot].id, "%s", id);
    s->answers[slot].answer = answer;
    s->answers[slot].token = token;
    send_node(s, n);
    return 0;
}

int wg_wa_session_send_view(wg_wa_session_t *s, const void *node)
{
    const wg_node_t *n = node;
    if (s->state != ST_OPEN)
        return WG_ESTATE;
    send_encoded(s, wg_node_encode(n, &s->scratch_node), n->tag);
    return 0;
}

int wg_wa_session_send(wg_wa_session_t *s, void *node)
{
    if (s->state != ST_OPEN) {
        wg_node_free(node);
        return WG_ESTATE;
    }
    send_node(s, node);
    return 0;
}
