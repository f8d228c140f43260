/* The libwebsockets edge of the WhatsApp client: a websocket client
 * connection (binary messages in and out, Origin https://web.whatsapp.com,
 * no subprotocol) and one-shot timers on connd's loop. The only file of
 * connd/wa that includes libwebsockets.h; the protocol (session.c) never sees
 * a wsi. Loop thread only. */
#ifndef WG_WA_WS_CLIENT_H
#define WG_WA_WS_CLIENT_H
#include <stddef.h>
#include <stdint.h>

#include "wg_buf.h"

typedef struct wg_wa_ws wg_wa_ws_t;

typedef struct {
    void (*open)(void *ud);                               /* handshake done */
    void (*data)(void *ud, const uint8_t *p, size_t len); /* a received chunk */
    /* the connection ended (error or close); ws must not be used after this
     * except for wg_wa_ws_free. code: the peer's close code, or -1 */
    void (*closed)(void *ud, int code, const char *why);
} wg_wa_ws_events_t;

/* Creates the client vhost on loop (an lws_context). Returns 0 or WG_EIO. */
int wg_wa_ws_init(void *loop, wg_buf_t *err);

/* Starts connecting to url (ws:// or wss://). Returns the connection, or
 * NULL with a reason in err. Events arrive later, on the loop thread. */
wg_wa_ws_t *wg_wa_ws_connect(void *loop, const char *url, const wg_wa_ws_events_t *ev, void *ud,
                             wg_buf_t *err);
/* Queues one binary message (copied). Returns 0 or WG_ESTATE (closed). */
int wg_wa_ws_send(wg_wa_ws_t *ws, const uint8_t *p, size_t len);
/* Detaches: no more events; queued messages are still written, then the
 * connection is closed with 1000. Frees ws. NULL is a no-op. */
void wg_wa_ws_free(wg_wa_ws_t *ws);
/* Messages sent but not yet written (all connections); shutdown waits on it. */
size_t wg_wa_ws_unflushed(void);
/* Services loop until every detached connection has written its queue and
 * closed, or timeout_ms passed (shutdown: clean close frames). */
void wg_wa_ws_flush_all(void *loop, int timeout_ms);

typedef struct wg_wa_timer wg_wa_timer_t;
/* A one-shot timer calling fn(arg) on the loop thread. Free with _free. */
wg_wa_timer_t *wg_wa_timer_new(void *loop, void (*fn)(void *arg), void *arg);
/* (Re)arms it delay_ms from now; a negative delay cancels. */
void wg_wa_timer_set(wg_wa_timer_t *t, int64_t delay_ms);
/* Cancels and frees. NULL is a no-op. */
void wg_wa_timer_free(wg_wa_timer_t *t);

/* Splits url into tls, host, port, path (path includes the query).
 * Returns 0 or WG_EINVAL. host/path are written into the given buffers. */
int wg_wa_url_split(const char *url, int *tls, char *host, size_t host_len, int *port,
                    char *path, size_t path_len);
/* True when host is a loopback name or address (127.0.0.0/8, ::1, localhost). */
int wg_wa_host_is_loopback(const char *host);

#endif
