/* libFuzzer target: decoded binary nodes fed to the WhatsApp session state
 * machine (connd/wa/session.c). Input: byte 0 picks paired/unpaired
 * credentials and a pairing-code phone; then records [u16 BE length][node
 * plaintext] (flag byte || WABinary), each decoded and handed to the node
 * handler as the transport would, with a clock advancing by byte 1 * 100 ms
 * and the timers ticked after each node. Nothing may crash, leak or loop;
 * the closed callback fires at most once. Includes session.c to enter the
 * transport phase without a Noise handshake. */
#include "../../connd/wa/session.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int g_closed; /* closed callbacks in this input */

static void f_send(void *ud, const uint8_t *p, size_t len)
{
    (void)ud;
    (void)p;
    (void)len;
}
static void f_qr(void *ud, const char *text)
{
    (void)ud;
    if (!text || strncmp(text, "https://wa.me/settings/linked_devices#", 38) != 0)
        abort();
}
static void f_code(void *ud, const char *code)
{
    (void)ud;
    if (strlen(code) != 8)
        abort();
}
static void f_creds(void *ud)
{
    (void)ud;
}
static void f_open(void *ud)
{
    (void)ud;
}
static void f_closed(void *ud, int reason, const char *detail)
{
    (void)ud;
    (void)reason;
    (void)detail;
    if (++g_closed > 1)
        abort();
}

/* a <message> is handed over (wa/session.h): freed as connd frees it */
static void f_message(void *ud, void *node)
{
    (void)ud;
    wg_node_free(node);
}

static const wg_wa_session_cb_t CB = {f_send, f_qr, f_code, f_creds, f_open, f_closed, f_message, NULL, NULL, NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static wg_wa_creds_t base;
    static int ready;
    if (!ready) {
        if (sodium_init() < 0 || wg_wa_creds_generate(&base) != 0)
            abort();
        ready = 1;
    }
    if (size < 2)
        return 0;
    wg_wa_creds_t creds = base;
    if (data[0] & 1)
        snprintf(creds.me_jid, sizeof creds.me_jid, "15550001111:10@s.whatsapp.net");
    wg_wa_session_opts_t o;
    memset(&o, 0, sizeof o);
    o.keepalive_ms = 1000;
    o.qr_first_ms = 3000;
    o.qr_next_ms = 1000;
    o.pair_phone = (data[0] & 2) ? "15550002222" : NULL;
    int64_t step = (int64_t)data[1] * 100, now = 0;
    g_closed = 0;
    wg_wa_session_t *s = wg_wa_session_new(&creds, &o, &CB, NULL);
    s->state = ST_READY; /* transport up: keys are zero, only the send path uses them */
    s->last_rx = 0;
    size_t at = 2;
    while (at + 2 <= size && s->state != ST_CLOSED) {
        size_t len = ((size_t)data[at] << 8) | data[at + 1];
        at += 2;
        if (len > size - at)
            len = size - at;
        wg_node_t *node = NULL;
        if (wg_node_decode(data + at, len, (size_t)1 << 20, &node) == 0) {
            if (!on_node(s, node, now))
                wg_node_free(node);
        }
        at += len;
        now += step;
        wg_wa_session_tick(s, now);
    }
    /* time runs out: every timer ends in a close or stays bounded */
    for (int i = 0; i < 64 && s->state != ST_CLOSED; i++) {
        now += 1000;
        if (wg_wa_session_tick(s, now) < 0 && s->state != ST_OPEN)
            break;
    }
    wg_wa_session_free(s);
    wg_wa_creds_wipe(&creds);
    return 0;
}
