/* One WhatsApp Web connection's protocol state machine (wa-protocol.md
 * Appendix B): Noise handshake with a registration or login ClientPayload,
 * then binary nodes over the transport: pair-device refs and their rotation,
 * pairing code, pair-success, <success> and the post-login sequence (passive,
 * pre-key count and upload, presence, offline backlog), acks, keepalive,
 * stream errors. Bytes in (on_data), bytes out (cb->send), events out
 * (callbacks); the clock is a parameter. It never sees a socket: ws_client.c
 * carries the bytes and connd/link decides what a close means.
 * One session per connection; not thread-safe. */
#ifndef WG_WA_SESSION_H
#define WG_WA_SESSION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wa/creds.h"
#include "wa/payload.h"

/* statusReason values a session ends with (the seed's table, §6). */
enum {
    WG_WA_REASON_LOGGED_OUT = 401,
    WG_WA_REASON_BANNED_TEMP = 402,
    WG_WA_REASON_FORBIDDEN = 403,
    WG_WA_REASON_BANNED = 406,
    WG_WA_REASON_TIMED_OUT = 408,  /* keepalive lost, handshake or QR refs timeout */
    WG_WA_REASON_CLOSED = 428,     /* socket or stream closed by the server */
    WG_WA_REASON_REPLACED = 440,   /* another connection took over */
    WG_WA_REASON_BAD_SESSION = 500,
    WG_WA_REASON_RESTART = 515,    /* restart required (after pairing) */
};

typedef struct wg_wa_session wg_wa_session_t;

typedef struct {
    /* one websocket binary message to write (bytes are borrowed for the call) */
    void (*send)(void *ud, const uint8_t *p, size_t len);
    /* a QR text to show (first ref, then each rotation) */
    void (*qr)(void *ud, const char *text);
    /* the 8-character pairing code, once requested */
    void (*pairing_code)(void *ud, const char *code);
    /* the credentials changed (paired, adv secret, pre-key counter): persist */
    void (*creds_changed)(void *ud);
    /* <success>: logged in (c->push_name may have been set) */
    void (*open)(void *ud);
    /* the session is over; called once; detail is a short text for logs.
     * The caller closes the socket and frees the session afterwards. */
    void (*closed)(void *ud, int reason, const char *detail);
    /* a <message> stanza, handed over: the callee owns node (a wg_node_t;
     * wg_node_free it, on any thread), so it can go to the store worker as
     * decoded. The owner answers it later with wg_wa_session_receipt or
     * wg_wa_session_ack_message, after the message is committed (§7.1).
     * NULL: the session acks it at once. */
    void (*message)(void *ud, void *node);
    /* the server's <ack class="message"> of a message we sent (borrowed);
     * NULL: ignored */
    void (*message_ack)(void *ud, const void *node);
    /* a <receipt> (delivered/read/played of what we sent), already acked
     * by the session (borrowed); NULL: only acked */
    void (*receipt)(void *ud, const void *node);
    /* a <presence>, <chatstate> or <call> (the call already acked by the
     * session) after login (borrowed); NULL: ignored (calls still acked) */
    void (*stanza)(void *ud, const void *node);
} wg_wa_session_cb_t;

typedef struct {
    const uint8_t *root_key;  /* certificate root; NULL = WhatsApp's */
    bool cert_check;          /* false only for loopback test peers */
    wg_wa_browser_t browser;  /* registration browser description */
    int64_t qr_first_ms;      /* how long the first ref is shown */
    int64_t qr_next_ms;       /* how long each later ref is shown */
    int64_t keepalive_ms;     /* ping interval; silence over it + 5 s is 408 */
    int64_t handshake_ms;     /* bound on the Noise handshake */
    bool always_online;       /* presence available (else unavailable) after login */
    bool fetch_picture;       /* ask our profile picture URL before reporting open */
    const char *pair_phone;   /* digits: request a pairing code while linking; NULL none */
} wg_wa_session_opts_t;

/* creds is borrowed and updated in place (pairing); it must outlive the
 * session. opts strings are copied. Never NULL. */
wg_wa_session_t *wg_wa_session_new(wg_wa_creds_t *creds, const wg_wa_session_opts_t *opts,
                                   const wg_wa_session_cb_t *cb, void *ud);
/* Sends the intro and ClientHello. Call when the websocket is open. */
void wg_wa_session_start(wg_wa_session_t *s, int64_t now_ms);
/* Feeds one received websocket message. Protocol failures end the session
 * through cb->closed. */
void wg_wa_session_on_data(wg_wa_session_t *s, const uint8_t *p, size_t len, int64_t now_ms);
/* Timers (keepalive, QR rotation, handshake bound). Returns the next time
 * (ms) it wants to be called, or -1 when none. */
int64_t wg_wa_session_tick(wg_wa_session_t *s, int64_t now_ms);
/* Logged in? */
bool wg_wa_session_is_open(const wg_wa_session_t *s);
/* Our own profile picture URL as the server gave it after <success>, or NULL
 * (none, hidden, or not answered). Valid while s lives. */
const char *wg_wa_session_picture_url(const wg_wa_session_t *s);
/* Sends <presence type=...> (available / unavailable). Returns 0 or WG_ESTATE. */
int wg_wa_session_set_presence(wg_wa_session_t *s, const char *type);
/* Asks the server to remove this companion device (logout). 0 or WG_ESTATE. */
int wg_wa_session_logout(wg_wa_session_t *s);
/* Sends the receipt of a received message (§7.1 "Receipts sent back"):
 * <receipt id to [participant] [recipient] [type]/>; type NULL means
 * delivered ("sender" for our own devices, "peer_msg" for category peer).
 * Returns 0 or WG_ESTATE (not open) / WG_EINVAL (no id or to). */
int wg_wa_session_receipt(wg_wa_session_t *s, const char *id, const char *to,
                          const char *participant, const char *recipient, const char *type);
/* Acks a message that will not get a receipt (undecryptable, unsupported):
 * <ack class="message" id to [participant] [recipient] [error]/>. Same
 * returns. */
int wg_wa_session_ack_message(wg_wa_session_t *s, const char *id, const char *to,
                              const char *participant, const char *recipient, const char *error);
/* Sends an <iq> (node is taken and freed): the session sets id and to
 * (when absent) and later calls answer(token, reply) with the result or
 * error node (borrowed), on this session only; nothing is called if the
 * session ends first, so token should name the request (not point at
 * memory). Returns 0, WG_ESTATE (not open) or WG_ETOOBIG (too many
 * outstanding). */
int wg_wa_session_iq(wg_wa_session_t *s, void *iq_node, void (*answer)(uint64_t token, const void *reply),
                     uint64_t token);
/* Sends any node (taken and freed), e.g. a <message>. 0 or WG_ESTATE. */
int wg_wa_session_send(wg_wa_session_t *s, void *node);
/* Sends a node the caller keeps: encoded now, never changed or freed here
 * (e.g. a <message> built as a view on the caller's stack,
 * message/stanza.h). 0 or WG_ESTATE. */
int wg_wa_session_send_view(wg_wa_session_t *s, const void *node);
/* Ends the session locally without a callback (the caller is tearing down). */
void wg_wa_session_free(wg_wa_session_t *s);

/* The statusReason of a <stream:error> or <failure> node (§6 tables). */
int wg_wa_session_reason_of(const void *node);

#endif
