/* WhatsApp links of instances: owns, per instance, the credentials (loaded
 * from and saved to the session table, encrypted by vault.c), the current
 * connection (wa/session.c over wa/ws_client.c), the QR state of a linking
 * attempt and the reconnect policy, and turns protocol events into the
 * instance state machine (wg_instance_set_state) and events (qrcode.updated,
 * connection.update, status.instance, logout.instance). inst->wa points at
 * the link. Loop thread only. */
#ifndef WG_LINK_H
#define WG_LINK_H
#include "core/daemon.h"
#include "wa/creds.h"
#include "wa/session.h"

/* What a connect request learns (evolution-api.md §2.2). */
typedef struct {
    int open;                 /* 1: the instance is open (no QR) */
    const char *pairing_code; /* NULL unless the pairing-code flow */
    const char *code;         /* QR text or NULL (before the first QR) */
    const char *base64;       /* QR PNG data URL or NULL */
    unsigned count;           /* QR codes shown in this attempt */
    int error;                /* 0, or WG_E* when the link could not start */
} wg_link_result_t;

/* Called once; r and its strings are valid only during the call. */
typedef void (*wg_link_result_cb)(void *ctx, const wg_link_result_t *r);

/* After the worker started: resolves the credentials key, creates the client
 * vhost, checks WA_* settings, and for every
 * instance loads its credentials and logs the linked ones in again.
 * Returns 0 or WG_E* with a reason in err (connd then exits). */
int wg_link_start(wg_connd_t *d, wg_buf_t *err);

/* The SIGTERM hook (main.c registers it with wg_loop_on_stop; arg is the
 * daemon): frees every link and closes every socket with a close frame. */
void wg_link_stop(void *arg);

/* GET /instance/connect: open -> answers open at once; linking -> the current
 * QR (or waits for the first); close -> starts a connection (QR flow, or the
 * pairing-code flow when number is non-empty, or a login when linked) and
 * answers within WAGATE_CONNECT_WAIT_MS. */
void wg_link_connect(wg_connd_t *d, wg_instance_t *inst, const char *number, wg_link_result_cb cb,
                     void *ctx);
/* POST /instance/restart: drops the connection, then connect(). */
void wg_link_restart(wg_connd_t *d, wg_instance_t *inst, wg_link_result_cb cb, void *ctx);
/* Sends presence (available/unavailable; chat states are accepted and not
 * sent without a chat). Returns 0 or WG_ESTATE (not open). */
int wg_link_set_presence(wg_connd_t *d, wg_instance_t *inst, const char *presence);
/* Logout: tells the server to remove this companion (when connected),
 * closes the connection, wipes and deletes the credentials. The caller sets
 * the state. */
void wg_link_logout(wg_connd_t *d, wg_instance_t *inst);
/* For connd/message: the open WhatsApp session of instance_id, its
 * credentials and the connection generation (bumped per connection), or
 * NULL when not open. *generation in: 0 = any, else only that connection. */
wg_wa_session_t *wg_link_session(wg_connd_t *d, const char *instance_id, uint64_t *generation,
                                 const wg_wa_creds_t **creds);
/* The credentials key (Signal records are sealed with it). */
const uint8_t *wg_link_vault_key(void);
/* The instance is going away: frees its link (pending connects are answered). */
void wg_link_forget(wg_connd_t *d, wg_instance_t *inst);

#endif
