/* Unit tests for connd/wa/session.c with an injected clock (now_ms is a
 * parameter of every call): handshake bound, QR ref rotation and end,
 * <success> and the post-login sequence, pre-key count -> upload, keepalive
 * pings and keepalive lost (408), <stream:error>/<failure> mapping to the
 * statusReason table, undecryptable frames (500). The test includes
 * session.c to put a session straight into the transport phase with known
 * keys; a "server" transport with the keys swapped plays the peer. */
#include "../../../../connd/wa/session.c"

#include "wg_test.h"

/* ------------------------------------------------------------ fixture */

typedef struct {
    wg_wa_creds_t creds;        /* the session's credentials */
    wg_wa_session_t *s;         /* under test */
    wg_wa_transport_t server;   /* the peer's side of the transport */
    wg_node_t *sent[64];        /* nodes the client sent (decrypted) */
    int n_sent;                 /* how many */
    int raw_sends;              /* cb.send calls */
    int qrs;                    /* cb.qr calls */
    char last_qr[512];          /* last QR text */
    int opened;                 /* cb.open calls */
    int closed;                 /* cb.closed calls */
    int reason;                 /* its reason */
    char detail[96];            /* its detail */
    int creds_changed;          /* cb.creds_changed calls */
} fx_t;

static fx_t *g_fx;

static void cb_send(void *ud, const uint8_t *p, size_t len)
{
    fx_t *f = ud;
    f->raw_sends++;
    if (f->s == NULL || f->s->state < ST_READY)
        return; /* handshake bytes */
    wg_wa_frame_reader_t r;
    wg_wa_frame_reader_init(&r, 0);
    wg_wa_frame_reader_feed(&r, p, len);
    wg_slice_t frame;
    while (wg_wa_frame_reader_next(&r, &frame) == 0) {
        wg_buf_t plain = WG_BUF_INIT;
        wg_node_t *n = NULL;
        if (wg_wa_transport_open(&f->server, frame.p, frame.len, &plain) == 0 &&
            wg_node_decode(plain.p, plain.len, 0, &n) == 0 && f->n_sent < 64)
            f->sent[f->n_sent++] = n;
        else
            wg_node_free(n);
        wg_buf_free(&plain);
    }
    wg_wa_frame_reader_free(&r);
}

static void cb_qr(void *ud, const char *text)
{
    fx_t *f = ud;
    f->qrs++;
    snprintf(f->last_qr, sizeof f->last_qr, "%s", text);
}

static void cb_code(void *ud, const char *code)
{
    (void)ud;
    (void)code;
}

static void cb_creds(void *ud)
{
    ((fx_t *)ud)->creds_changed++;
}

static void cb_open(void *ud)
{
    ((fx_t *)ud)->opened++;
}

static void cb_closed(void *ud, int reason, const char *detail)
{
    fx_t *f = ud;
    f->closed++;
    f->reason = reason;
    snprintf(f->detail, sizeof f->detail, "%s", detail ? detail : "");
}

static const wg_wa_session_cb_t CB = {cb_send, cb_qr, cb_code, cb_creds, cb_open, cb_closed, NULL, NULL, NULL, NULL};

/* A session in the transport phase (as after the handshake), paired or not. */
static fx_t *fx_new(int paired)
{
    fx_t *f = calloc(1, sizeof *f);
    g_fx = f;
    if (wg_wa_creds_generate(&f->creds) != 0)
        abort();
    if (paired)
        snprintf(f->creds.me_jid, sizeof f->creds.me_jid, "15550001111:10@s.whatsapp.net");
    wg_wa_session_opts_t o;
    memset(&o, 0, sizeof o);
    o.keepalive_ms = 1000;
    o.handshake_ms = 3000;
    o.qr_first_ms = 5000;
    o.qr_next_ms = 2000;
    o.fetch_picture = true;
    f->s = wg_wa_session_new(&f->creds, &o, &CB, f);
    uint8_t k1[32], k2[32];
    memset(k1, 0x11, 32);
    memset(k2, 0x22, 32);
    wg_noise_cipher_init(&f->s->tr.send, k1, WG_NOISE_WHATSAPP);
    wg_noise_cipher_init(&f->s->tr.recv, k2, WG_NOISE_WHATSAPP);
    wg_noise_cipher_init(&f->server.send, k2, WG_NOISE_WHATSAPP);
    wg_noise_cipher_init(&f->server.recv, k1, WG_NOISE_WHATSAPP);
    f->s->state = ST_READY;
    f->s->last_rx = 0;
    return f;
}

static void fx_free(fx_t *f)
{
    for (int i = 0; i < f->n_sent; i++)
        wg_node_free(f->sent[i]);
    wg_wa_session_free(f->s);
    wg_wa_transport_wipe(&f->server);
    free(f);
}

/* The peer sends node (freed) at time now. */
static void deliver(fx_t *f, wg_node_t *node, int64_t now)
{
    wg_buf_t plain = WG_BUF_INIT, frame = WG_BUF_INIT;
    if (wg_node_encode(node, &plain) != 0 ||
        wg_wa_transport_seal(&f->server, plain.p, plain.len, &frame) != 0)
        abort();
    wg_wa_session_on_data(f->s, frame.p, frame.len, now);
    wg_buf_free(&plain);
    wg_buf_free(&frame);
    wg_node_free(node);
}

static int count_sent(fx_t *f, const char *tag, const char *xmlns, const char *child)
{
    int n = 0;
    for (int i = 0; i < f->n_sent; i++) {
        const wg_node_t *s = f->sent[i];
        if (strcmp(s->tag, tag) != 0)
            continue;
        if (xmlns && (!wg_node_attr(s, "xmlns") || strcmp(wg_node_attr(s, "xmlns"), xmlns) != 0))
            continue;
        if (child && !wg_node_child(s, child))
            continue;
        n++;
    }
    return n;
}

static const wg_node_t *last_sent(fx_t *f, const char *xmlns, const char *child)
{
    for (int i = f->n_sent - 1; i >= 0; i--) {
        const char *x = wg_node_attr(f->sent[i], "xmlns");
        if (x && strcmp(x, xmlns) == 0 && wg_node_child(f->sent[i], child))
            return f->sent[i];
    }
    return NULL;
}

static wg_node_t *node_attr(const char *tag, const char *k, const char *v)
{
    wg_node_t *n = wg_node_new(tag);
    if (k)
        wg_node_set_attr(n, k, v);
    return n;
}

static void login(fx_t *f, int64_t now)
{
    deliver(f, node_attr("success", "lid", "987:10@lid"), now);
    /* the server answers the profile picture query that follows success */
    const wg_node_t *q = last_sent(f, "w:profile:picture", "picture");
    wg_node_t *ans = node_attr("iq", "type", "result");
    wg_node_set_attr(ans, "id", q ? wg_node_attr(q, "id") : "none");
    wg_node_t *pic = wg_node_add_child(ans, wg_node_new("picture"));
    wg_node_set_attr(pic, "url", "https://pps.example/me.jpg");
    deliver(f, ans, now);
}

/* ------------------------------------------------------------ tests */

static void handshake_bound_is_408(void)
{
    fx_t *f = calloc(1, sizeof *f);
    if (wg_wa_creds_generate(&f->creds) != 0)
        abort();
    wg_wa_session_opts_t o;
    memset(&o, 0, sizeof o);
    o.handshake_ms = 3000;
    f->s = wg_wa_session_new(&f->creds, &o, &CB, f);
    wg_wa_session_start(f->s, 100);
    WG_CHECK_INT(f->raw_sends, 1); /* intro + ClientHello */
    WG_CHECK_INT(wg_wa_session_tick(f->s, 100), 3100);
    WG_CHECK_INT(wg_wa_session_tick(f->s, 3099), 3100);
    WG_CHECK_INT(f->closed, 0);
    WG_CHECK_INT(wg_wa_session_tick(f->s, 3100), -1);
    WG_CHECK_INT(f->closed, 1);
    WG_CHECK_INT(f->reason, WG_WA_REASON_TIMED_OUT);
    WG_CHECK_STR(f->detail, "handshake timed out");
    wg_wa_session_tick(f->s, 9999);
    WG_CHECK_INT(f->closed, 1); /* once */
    fx_free(f);
}

static void qr_refs_rotate_then_408(void)
{
    fx_t *f = fx_new(0);
    wg_node_t *iqn = node_attr("iq", "type", "set");
    wg_node_set_attr(iqn, "id", "q1");
    wg_node_set_attr(iqn, "xmlns", "md");
    wg_node_t *pd = wg_node_add_child(iqn, wg_node_new("pair-device"));
    const char *refs[] = {"2@REF_A", "2@REF_B"};
    for (int i = 0; i < 2; i++)
        wg_node_set_bytes(wg_node_add_child(pd, wg_node_new("ref")), refs[i], strlen(refs[i]));
    deliver(f, iqn, 0);
    WG_CHECK_INT(f->qrs, 1);
    WG_CHECK(strstr(f->last_qr, "#2@REF_A,") != NULL);
    WG_CHECK_INT(count_sent(f, "iq", NULL, NULL), 1); /* the result for pair-device */
    WG_CHECK_INT(wg_wa_session_tick(f->s, 4999), 5000);
    WG_CHECK_INT(f->qrs, 1);
    WG_CHECK_INT(wg_wa_session_tick(f->s, 5000), 7000); /* rotated: next ref shown 2 s */
    WG_CHECK_INT(f->qrs, 2);
    WG_CHECK(strstr(f->last_qr, "#2@REF_B,") != NULL);
    WG_CHECK_INT(f->closed, 0);
    WG_CHECK_INT(wg_wa_session_tick(f->s, 7000), -1);
    WG_CHECK_INT(f->closed, 1);
    WG_CHECK_INT(f->reason, WG_WA_REASON_TIMED_OUT);
    fx_free(f);
}

/* A server that never answers the picture query only delays open. */
static void open_waits_for_the_picture_at_most_1500_ms(void)
{
    fx_t *f = fx_new(1);
    deliver(f, node_attr("success", "lid", "987:10@lid"), 10);
    WG_CHECK_INT(f->opened, 0);
    WG_CHECK(!wg_wa_session_is_open(f->s));
    int64_t next = wg_wa_session_tick(f->s, 1000);
    WG_CHECK(next > 1000 && next <= 1510); /* the open deadline is among the wake-ups */
    WG_CHECK_INT(f->opened, 0);
    wg_wa_session_tick(f->s, 1510);
    WG_CHECK_INT(f->opened, 1);
    WG_CHECK(wg_wa_session_is_open(f->s));
    WG_CHECK(wg_wa_session_picture_url(f->s) == NULL);
    wg_wa_session_tick(f->s, 1600);
    WG_CHECK_INT(f->opened, 1); /* once */
    fx_free(f);
}

static void success_runs_post_login_sequence(void)
{
    fx_t *f = fx_new(1);
    login(f, 10);
    WG_CHECK_INT(f->opened, 1);
    WG_CHECK(wg_wa_session_is_open(f->s));
    WG_CHECK_STR(wg_wa_session_picture_url(f->s), "https://pps.example/me.jpg");
    WG_CHECK_INT(count_sent(f, "iq", "w:profile:picture", "picture"), 1);
    WG_CHECK_STR(f->creds.me_lid, "987:10@lid");
    WG_CHECK(f->creds_changed >= 1); /* lid learned */
    WG_CHECK_INT(count_sent(f, "iq", "passive", "active"), 1);
    WG_CHECK_INT(count_sent(f, "iq", "encrypt", "count"), 1);
    /* pre-key count 3 (< 5): upload 50 from the next id */
    const wg_node_t *q = last_sent(f, "encrypt", "count");
    wg_node_t *ans = node_attr("iq", "type", "result");
    wg_node_set_attr(ans, "id", wg_node_attr(q, "id"));
    wg_node_add_child(ans, node_attr("count", "value", "3"));
    f->creds.next_prekey_id = 100;
    deliver(f, ans, 20);
    const wg_node_t *up = last_sent(f, "encrypt", "list");
    WG_CHECK(up != NULL);
    if (up)
        WG_CHECK_INT(wg_node_child(up, "list")->child_count, WANTED_PREKEYS);
    WG_CHECK_INT(f->creds.next_prekey_id, 150);
    /* a server <notification type=encrypt><count/> asks for more */
    wg_node_t *nt = node_attr("notification", "type", "encrypt");
    wg_node_set_attr(nt, "id", "n1");
    wg_node_set_attr(nt, "from", "s.whatsapp.net");
    wg_node_add_child(nt, node_attr("count", "value", "2"));
    deliver(f, nt, 30);
    WG_CHECK_INT(count_sent(f, "iq", "encrypt", "list"), 2);
    WG_CHECK_INT(count_sent(f, "ack", NULL, NULL), 1);
    /* presence only when open */
    WG_CHECK_INT(wg_wa_session_set_presence(f->s, "available"), 0);
    WG_CHECK_INT(count_sent(f, "presence", NULL, NULL), 1);
    WG_CHECK_INT(wg_wa_session_logout(f->s), 0);
    WG_CHECK_INT(count_sent(f, "iq", "md", "remove-companion-device"), 1);
    fx_free(f);
}

static void prekey_count_enough_no_upload(void)
{
    fx_t *f = fx_new(1);
    login(f, 0);
    const wg_node_t *q = last_sent(f, "encrypt", "count");
    wg_node_t *ans = node_attr("iq", "type", "result");
    wg_node_set_attr(ans, "id", wg_node_attr(q, "id"));
    wg_node_add_child(ans, node_attr("count", "value", "50"));
    deliver(f, ans, 1);
    WG_CHECK_INT(count_sent(f, "iq", "encrypt", "list"), 0);
    /* an answer to an unknown id is ignored */
    ans = node_attr("iq", "type", "result");
    wg_node_set_attr(ans, "id", "unknown");
    wg_node_add_child(ans, node_attr("count", "value", "0"));
    deliver(f, ans, 2);
    WG_CHECK_INT(count_sent(f, "iq", "encrypt", "list"), 0);
    fx_free(f);
}

static void keepalive_pings_and_408(void)
{
    fx_t *f = fx_new(1);
    login(f, 0);
    WG_CHECK_INT(wg_wa_session_tick(f->s, 0), 1000);
    WG_CHECK_INT(count_sent(f, "iq", "w:p", "ping"), 0);
    wg_wa_session_tick(f->s, 1000);
    WG_CHECK_INT(count_sent(f, "iq", "w:p", "ping"), 1);
    /* the answer at 1500 keeps the link alive past 6000 */
    const wg_node_t *p = last_sent(f, "w:p", "ping");
    wg_node_t *ans = node_attr("iq", "type", "result");
    wg_node_set_attr(ans, "id", wg_node_attr(p, "id"));
    deliver(f, ans, 1500);
    wg_wa_session_tick(f->s, 2000);
    wg_wa_session_tick(f->s, 6400);
    WG_CHECK_INT(f->closed, 0);
    WG_CHECK(count_sent(f, "iq", "w:p", "ping") >= 3);
    /* silence: last rx 1500, keepalive 1000 + 5000 grace -> lost after 7500 */
    wg_wa_session_tick(f->s, 7500);
    WG_CHECK_INT(f->closed, 0);
    WG_CHECK_INT(wg_wa_session_tick(f->s, 7501), -1);
    WG_CHECK_INT(f->closed, 1);
    WG_CHECK_INT(f->reason, WG_WA_REASON_TIMED_OUT);
    WG_CHECK_STR(f->detail, "keepalive lost");
    fx_free(f);
}

static void server_ping_is_answered(void)
{
    fx_t *f = fx_new(1);
    login(f, 0);
    wg_node_t *ping = node_attr("iq", "type", "get");
    wg_node_set_attr(ping, "id", "srv-1");
    wg_node_set_attr(ping, "xmlns", "urn:xmpp:ping");
    deliver(f, ping, 5);
    const wg_node_t *r = f->sent[f->n_sent - 1];
    WG_CHECK_STR(r->tag, "iq");
    WG_CHECK_STR(wg_node_attr(r, "type"), "result");
    WG_CHECK_STR(wg_node_attr(r, "id"), "srv-1");
    fx_free(f);
}

/* <stream:error code=C> / <conflict type=T> / <failure reason=R> -> reason */
typedef struct {
    const char *tag;      /* stream:error or failure */
    const char *code;     /* code (stream:error) or reason (failure), NULL none */
    const char *conflict; /* conflict child type, NULL none */
    int want;             /* statusReason */
} map_case_t;

static wg_node_t *error_node(const map_case_t *c)
{
    wg_node_t *n = wg_node_new(c->tag);
    if (c->code)
        wg_node_set_attr(n, strcmp(c->tag, "failure") == 0 ? "reason" : "code", c->code);
    if (c->conflict)
        wg_node_add_child(n, node_attr("conflict", "type", c->conflict));
    return n;
}

static const map_case_t MAP[] = {
    {"stream:error", "515", NULL, 515},
    {"stream:error", "401", NULL, 401},
    {"stream:error", "403", NULL, 403},
    {"stream:error", "406", NULL, 406},
    {"stream:error", "500", NULL, 500},
    {"stream:error", "503", NULL, 503},
    {"stream:error", NULL, "replaced", 440},
    {"stream:error", NULL, "device_removed", 401},
    {"stream:error", "401", "device_removed", 401},
    {"stream:error", NULL, NULL, 500},
    {"stream:error", "junk", NULL, 500},
    {"failure", "401", NULL, 401},
    {"failure", "403", NULL, 403},
    {"failure", "402", NULL, 402},
    {"failure", "405", NULL, 405},
    {"failure", NULL, NULL, 500},
};

static void stream_error_mapping(void)
{
    for (size_t i = 0; i < sizeof MAP / sizeof MAP[0]; i++) {
        wg_node_t *n = error_node(&MAP[i]);
        int got = wg_wa_session_reason_of(n);
        if (got != MAP[i].want)
            fprintf(stderr, "case %zu: %s code=%s conflict=%s -> %d\n", i, MAP[i].tag,
                    MAP[i].code ? MAP[i].code : "-", MAP[i].conflict ? MAP[i].conflict : "-", got);
        WG_CHECK_INT(got, MAP[i].want);
        wg_node_free(n);
        /* and through the wire, on an open session */
        fx_t *f = fx_new(1);
        login(f, 0);
        deliver(f, error_node(&MAP[i]), 10);
        WG_CHECK_INT(f->closed, 1);
        WG_CHECK_INT(f->reason, MAP[i].want);
        WG_CHECK_INT(wg_wa_session_tick(f->s, 100000), -1);
        fx_free(f);
    }
}

static void stream_end_is_428(void)
{
    fx_t *f = fx_new(1);
    login(f, 0);
    deliver(f, wg_node_new("xmlstreamend"), 1);
    WG_CHECK_INT(f->closed, 1);
    WG_CHECK_INT(f->reason, WG_WA_REASON_CLOSED);
    fx_free(f);
}

static void bad_frame_is_500(void)
{
    fx_t *f = fx_new(1);
    login(f, 0);
    const uint8_t junk[] = {0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    wg_wa_session_on_data(f->s, junk, sizeof junk, 5);
    WG_CHECK_INT(f->closed, 1);
    WG_CHECK_INT(f->reason, WG_WA_REASON_BAD_SESSION);
    WG_CHECK_STR(f->detail, "frame decryption failed");
    /* nothing is processed after close */
    wg_wa_session_on_data(f->s, junk, sizeof junk, 6);
    WG_CHECK_INT(f->closed, 1);
    fx_free(f);
}

/* issue 6: <message> goes to the owner (no ack until it answers), the
 * owner's receipt/ack shapes, <ack class=message> and <receipt> callbacks
 * (the receipt is acked by the session), owner iqs answered by id. */
static int g_messages, g_acks, g_receipts, g_answers;
static uint64_t g_answer_token;
static char g_answer_type[16];
static wg_node_t *g_message; /* the last <message> handed over (ours to free) */
static void cb_message(void *ud, void *node)
{
    (void)ud;
    wg_node_free(g_message);
    g_message = node;
    g_messages++;
}
static void cb_ack(void *ud, const void *node)
{
    (void)ud;
    g_acks += strcmp(wg_node_attr(node, "id"), "3EB0X") == 0;
}
static void cb_receipt(void *ud, const void *node)
{
    (void)ud;
    (void)node;
    g_receipts++;
}
static void on_answer(uint64_t token, const void *reply)
{
    g_answers++;
    g_answer_token = token;
    snprintf(g_answer_type, sizeof g_answer_type, "%s", wg_node_attr(reply, "type"));
}

static void messages_receipts_and_owner_iqs(void)
{
    fx_t *f = fx_new(1);
    f->s->cb.message = cb_message;
    f->s->cb.message_ack = cb_ack;
    f->s->cb.receipt = cb_receipt;
    WG_CHECK_INT(wg_wa_session_receipt(f->s, "M1", "1@s.whatsapp.net", NULL, NULL, NULL),
                 WG_ESTATE); /* not open yet */
    login(f, 0);
    int before = f->n_sent;
    wg_node_t *m = node_attr("message", "id", "M1");
    wg_node_set_attr(m, "from", "15551234567@s.whatsapp.net");
    deliver(f, m, 1);
    WG_CHECK_INT(g_messages, 1);
    /* handed over: still whole after the session is done with the frame */
    WG_CHECK(g_message && strcmp(g_message->tag, "message") == 0);
    WG_CHECK_STR(wg_node_attr(g_message, "id"), "M1");
    WG_CHECK_STR(wg_node_attr(g_message, "from"), "15551234567@s.whatsapp.net");
    wg_node_free(g_message);
    g_message = NULL;
    WG_CHECK_INT(f->n_sent, before); /* nothing until the owner committed it */
    WG_CHECK_INT(wg_wa_session_receipt(f->s, "M1", "15551234567@s.whatsapp.net", NULL,
                                       "15557654321@s.whatsapp.net", "sender"),
                 0);
    const wg_node_t *r = f->sent[f->n_sent - 1];
    WG_CHECK_STR(r->tag, "receipt");
    WG_CHECK_STR(wg_node_attr(r, "id"), "M1");
    WG_CHECK_STR(wg_node_attr(r, "type"), "sender");
    WG_CHECK_STR(wg_node_attr(r, "recipient"), "15557654321@s.whatsapp.net");
    WG_CHECK_INT(wg_wa_session_ack_message(f->s, "M2", "x@s.whatsapp.net", NULL, NULL, "491"), 0);
    r = f->sent[f->n_sent - 1];
    WG_CHECK_STR(r->tag, "ack");
    WG_CHECK_STR(wg_node_attr(r, "class"), "message");
    WG_CHECK_STR(wg_node_attr(r, "error"), "491");
    wg_node_t *ack = node_attr("ack", "class", "message");
    wg_node_set_attr(ack, "id", "3EB0X");
    deliver(f, ack, 2);
    WG_CHECK_INT(g_acks, 1);
    before = f->n_sent;
    wg_node_t *rc = node_attr("receipt", "id", "3EB0X");
    wg_node_set_attr(rc, "from", "15551234567@s.whatsapp.net");
    wg_node_set_attr(rc, "type", "read");
    deliver(f, rc, 3);
    WG_CHECK_INT(g_receipts, 1);
    WG_CHECK_INT(f->n_sent, before + 1);
    WG_CHECK_STR(f->sent[f->n_sent - 1]->tag, "ack");
    WG_CHECK_STR(wg_node_attr(f->sent[f->n_sent - 1], "type"), "read");
    WG_CHECK_INT(wg_wa_session_iq(f->s, node_attr("iq", "xmlns", "usync"), on_answer, 77), 0);
    const wg_node_t *q = f->sent[f->n_sent - 1];
    WG_CHECK_STR(wg_node_attr(q, "to"), "@s.whatsapp.net");
    wg_node_t *res = node_attr("iq", "type", "result");
    wg_node_set_attr(res, "id", wg_node_attr(q, "id"));
    deliver(f, res, 4);
    WG_CHECK_INT(g_answers, 1);
    WG_CHECK_INT((int)g_answer_token, 77);
    WG_CHECK_STR(g_answer_type, "result");
    res = node_attr("iq", "type", "result"); /* same id again: no second answer */
    wg_node_set_attr(res, "id", wg_node_attr(q, "id"));
    deliver(f, res, 5);
    WG_CHECK_INT(g_answers, 1);
    WG_CHECK_INT(wg_wa_session_send(f->s, node_attr("presence", "type", "available")), 0);
    fx_free(f);
    wg_node_free(g_message);
    g_message = NULL;
}

/* <presence>, <chatstate> and <call> after login go to the stanza
 * callback; the call is acked first (class=call), the others are not. */
static int g_stanzas;
static void cb_stanza(void *ud, const void *node)
{
    (void)ud;
    (void)node;
    g_stanzas++;
}

static void presence_chatstate_call_to_owner(void)
{
    fx_t *f = fx_new(1);
    f->s->cb.stanza = cb_stanza;
    wg_node_t *early = node_attr("presence", "from", "1@s.whatsapp.net");
    deliver(f, early, 0); /* before login: ignored */
    WG_CHECK_INT(g_stanzas, 0);
    login(f, 0);
    int before = f->n_sent;
    deliver(f, node_attr("presence", "from", "1@s.whatsapp.net"), 1);
    wg_node_t *cs = node_attr("chatstate", "from", "1@s.whatsapp.net");
    wg_node_add_child(cs, wg_node_new("composing"));
    deliver(f, cs, 2);
    WG_CHECK_INT(g_stanzas, 2);
    WG_CHECK_INT(f->n_sent, before);
    wg_node_t *c = node_attr("call", "from", "1@s.whatsapp.net");
    wg_node_set_attr(c, "id", "CALLSTANZA");
    wg_node_set_attr(wg_node_add_child(c, wg_node_new("offer")), "call-id", "X");
    deliver(f, c, 3);
    WG_CHECK_INT(g_stanzas, 3);
    WG_CHECK_INT(f->n_sent, before + 1);
    const wg_node_t *ack = f->sent[f->n_sent - 1];
    WG_CHECK_STR(ack->tag, "ack");
    WG_CHECK_STR(wg_node_attr(ack, "class"), "call");
    WG_CHECK_STR(wg_node_attr(ack, "id"), "CALLSTANZA");
    WG_CHECK_STR(wg_node_attr(ack, "to"), "1@s.whatsapp.net");
    fx_free(f);
}

static void not_open_refuses_presence(void)
{
    fx_t *f = fx_new(0);
    WG_CHECK_INT(wg_wa_session_set_presence(f->s, "available"), WG_ESTATE);
    WG_CHECK_INT(wg_wa_session_logout(f->s), WG_ESTATE); /* unpaired */
    fx_free(f);
}

/* The session reuses its buffers for frames in and out; one that grew past
 * SCRATCH_KEEP for a large node is given back, and the nodes after it are
 * still whole. */
static void scratch_buffers_reused_and_trimmed(void)
{
    fx_t *f = fx_new(1);
    f->s->cb.message = cb_message;
    login(f, 0);
    static uint8_t big[100000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    int before = f->n_sent;
    wg_node_t *n = node_attr("iq", "type", "set");
    wg_node_set_bytes(wg_node_add_child(n, wg_node_new("blob")), big, sizeof big);
    WG_CHECK_INT(wg_wa_session_send(f->s, n), 0);
    WG_CHECK(f->s->scratch_node.cap == 0 && f->s->scratch_frame.cap == 0); /* given back */
    WG_CHECK_INT(wg_wa_session_receipt(f->s, "M1", "1@s.whatsapp.net", NULL, NULL, NULL), 0);
    WG_CHECK_INT(wg_wa_session_receipt(f->s, "M2", "2@s.whatsapp.net", NULL, NULL, "read"), 0);
    WG_CHECK(f->s->scratch_node.cap > 0 && f->s->scratch_node.cap <= SCRATCH_KEEP);
    WG_CHECK_INT(f->n_sent, before + 3);
    if (f->n_sent == before + 3) {
        const wg_node_t *blob = wg_node_child(f->sent[before], "blob");
        WG_CHECK(blob && blob->data_len == sizeof big && memcmp(blob->data, big, sizeof big) == 0);
        WG_CHECK_STR(wg_node_attr(f->sent[before + 1], "id"), "M1");
        WG_CHECK(wg_node_attr(f->sent[before + 1], "type") == NULL);
        WG_CHECK_STR(wg_node_attr(f->sent[before + 2], "id"), "M2");
        WG_CHECK_STR(wg_node_attr(f->sent[before + 2], "type"), "read");
    }
    /* in: a large message, then a small one */
    n = node_attr("message", "id", "BIG");
    wg_node_set_attr(n, "from", "1@s.whatsapp.net");
    wg_node_set_bytes(wg_node_add_child(n, wg_node_new("enc")), big, sizeof big);
    deliver(f, n, 1);
    WG_CHECK(f->s->scratch_in.cap == 0);
    WG_CHECK(g_message && wg_node_child(g_message, "enc") &&
             wg_node_child(g_message, "enc")->data_len == sizeof big &&
             memcmp(wg_node_child(g_message, "enc")->data, big, sizeof big) == 0);
    wg_node_free(g_message);
    g_message = NULL;
    n = node_attr("message", "id", "SMALL");
    wg_node_set_attr(n, "from", "1@s.whatsapp.net");
    deliver(f, n, 2);
    WG_CHECK(f->s->scratch_in.cap > 0 && f->s->scratch_in.cap <= SCRATCH_KEEP);
    WG_CHECK(g_message && strcmp(wg_node_attr(g_message, "id"), "SMALL") == 0);
    wg_node_free(g_message);
    g_message = NULL;
    fx_free(f);
}

/* A node the caller keeps (a view) is sent as it is and left untouched;
 * before the session is open it is refused the same way. */
static void send_view_keeps_the_node(void)
{
    fx_t *f = fx_new(0);
    wg_node_t *n = node_attr("message", "id", "V1");
    wg_node_set_bytes(wg_node_add_child(n, wg_node_new("enc")), "abc", 3);
    WG_CHECK_INT(wg_wa_session_send_view(f->s, n), WG_ESTATE);
    fx_free(f);
    f = fx_new(1);
    login(f, 0);
    int before = f->n_sent;
    WG_CHECK_INT(wg_wa_session_send_view(f->s, n), 0);
    WG_CHECK_INT(f->n_sent, before + 1);
    if (f->n_sent == before + 1) {
        WG_CHECK_STR(wg_node_attr(f->sent[before], "id"), "V1");
        const wg_node_t *enc = wg_node_child(f->sent[before], "enc");
        WG_CHECK(enc && enc->data_len == 3 && memcmp(enc->data, "abc", 3) == 0);
    }
    WG_CHECK_STR(wg_node_attr(n, "id"), "V1"); /* still the caller's */
    WG_CHECK_INT(n->child_count, 1);
    wg_node_free(n);
    fx_free(f);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    WG_RUN(handshake_bound_is_408);
    WG_RUN(qr_refs_rotate_then_408);
    WG_RUN(success_runs_post_login_sequence);
    WG_RUN(open_waits_for_the_picture_at_most_1500_ms);
    WG_RUN(prekey_count_enough_no_upload);
    WG_RUN(keepalive_pings_and_408);
    WG_RUN(server_ping_is_answered);
    WG_RUN(stream_error_mapping);
    WG_RUN(stream_end_is_428);
    WG_RUN(bad_frame_is_500);
    WG_RUN(not_open_refuses_presence);
    WG_RUN(messages_receipts_and_owner_iqs);
    WG_RUN(presence_chatstate_call_to_owner);
    WG_RUN(scratch_buffers_reused_and_trimmed);
    WG_RUN(send_view_keeps_the_node);
    (void)g_fx;
    return wg_test_done();
}
