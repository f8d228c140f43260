/* Receiving one <message> stanza (wa-protocol.md §7.1, issue 6
 * "Receiving"): on the store worker, decrypt it with the instance's Signal
 * layer (or read its <plaintext>), unpad, parse the Message and insert the
 * message row in the SAME store transaction as the ratchet step; back on
 * the loop, the caller sends the receipt (or the ack) and only then
 * publishes messages.upsert. A crash before the commit makes the server
 * deliver the stanza again; a crash after it cannot lose the message, and
 * the redelivery finds its key id stored: receipt again, no second event.
 *
 * It never touches the socket or the session: what to send back is in the
 * result. Loop thread submits; run() is the worker's; finish() runs on the
 * loop thread. */
#ifndef WG_MESSAGE_RECEIVE_H
#define WG_MESSAGE_RECEIVE_H
#include <jansson.h>
#include <stdint.h>

#include "core/jobs.h"
#include "wa/binnode.h"
#include "wa/creds.h"

/* What the stanza came to. */
typedef enum {
    WG_RECEIVE_STORED,        /* new message committed: receipt, then event */
    WG_RECEIVE_DUPLICATE,     /* key id already stored: receipt, no event */
    WG_RECEIVE_UNDECRYPTABLE, /* bad ciphertext / no session / unsupported: ack with error */
    WG_RECEIVE_RETRY_LATER,   /* store failure: send nothing, the server redelivers */
} wg_receive_outcome_t;

/* The loop-thread completion's view (borrowed for the call). */
typedef struct {
    wg_receive_outcome_t outcome; /* see above */
    int rc;                       /* WG_E* behind a failure, 0 otherwise */
    const char *instance_id;      /* whose message */
    const char *instance_name;    /* for the event and logs */
    uint64_t generation;          /* as submitted (which connection received it) */
    /* the receipt or ack to send: */
    const char *id;           /* stanza id */
    const char *to;           /* stanza from */
    const char *participant;  /* participant attribute or NULL */
    const char *recipient;    /* recipient attribute or NULL */
    const char *receipt_type; /* NULL (delivered), "sender", "peer_msg" */
    const char *ack_error;    /* ack error code for UNDECRYPTABLE ("487", "491", "500") */
    json_t *event;            /* messages.upsert data (STORED only), borrowed */
} wg_receive_result_t;

typedef void (*wg_receive_finish_cb)(void *ctx, const wg_receive_result_t *r);

/* Submits the receive job for node (copied) of instance_id/instance_name.
 * creds (our JIDs, identity and pre-keys) and vault_key are copied and
 * wiped after the job. generation is handed back in the result. finish(ctx,
 * r) runs on the loop thread when the job is done; ctx must stay valid
 * until then (connd passes the daemon). Loop thread. */
void wg_receive_submit(wg_jobs_t *jobs, const char *instance_id, const char *instance_name,
                       const wg_wa_creds_t *creds, const uint8_t vault_key[32],
                       const wg_node_t *node, uint64_t generation, wg_receive_finish_cb finish,
                       void *ctx);

/* The job body, for tests: runs on store (worker thread) what run() does,
 * and fills *r (strings valid until wg_receive_result_clear). */
typedef struct wg_receive_job wg_receive_job_t;
wg_receive_job_t *wg_receive_job_new(const char *instance_id, const char *instance_name,
                                     const wg_wa_creds_t *creds, const uint8_t vault_key[32],
                                     const wg_node_t *node, uint64_t generation);
void wg_receive_job_run(void *store, wg_receive_job_t *j);
/* The result view of a run job (borrowed from j). */
void wg_receive_job_result(const wg_receive_job_t *j, wg_receive_result_t *r);
void wg_receive_job_free(wg_receive_job_t *j);

/* Baileys' getDevice(key id): "ios", "web", "android", "desktop", "unknown". */
const char *wg_receive_source_of(const char *key_id);

#endif
