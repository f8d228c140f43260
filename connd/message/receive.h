/* Receiving one <message> stanza (wa-protocol.md §7.1, issue 6
 * "Receiving"): on the store worker, decrypt it with the instance's Signal
 * layer (or read its <plaintext>), unpad, parse the Message and insert the
 * message row in the SAME store transaction as the ratchet step; back on
 * the loop, the caller sends the receipt (or the ack) and only then
 * publishes messages.upsert. A crash before the commit makes the server
 * deliver the stanza again; a crash after it cannot lose the message, and
 * the redelivery finds its key id stored: receipt again, no second event.
 * The event itself is committed in that transaction too (a pending_event
 * row), so the crash after the commit cannot lose it either.
 *
 * Groups and status: the pkmsg/msg carrying a SenderKeyDistributionMessage
 * is processed before the skmsg, and every <enc> of the stanza, the SKDM,
 * the LID mapping and session move (connd/signal/lid_map.h) and the row
 * commit in one Signal batch: a failure anywhere commits nothing and
 * answers with a retry receipt. protocolMessage REVOKE marks the target row
 * DELETED (messages.delete), MESSAGE_EDIT replaces its content
 * (messages.edited); other protocol messages are receipted silently.
 *
 * It never touches the socket or the session: what to send back is in the
 * result. Loop thread submits; run() is the worker's; finish() runs on the
 * loop thread. */
#ifndef WG_MESSAGE_RECEIVE_H
#define WG_MESSAGE_RECEIVE_H
#include <jansson.h>
#include <stdint.h>

#include "core/jobs.h"
#include "store/contact.h"
#include "wa/binnode.h"
#include "wa/creds.h"

/* What the stanza came to. */
typedef enum {
    WG_RECEIVE_STORED,        /* new message committed: receipt, then event */
    WG_RECEIVE_DUPLICATE,     /* key id already stored: receipt, no event */
    WG_RECEIVE_UNDECRYPTABLE, /* bad ciphertext / no session / unsupported: [retry receipt,]
                               * then ack with error; nothing was committed */
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
    const char *ack_error;    /* ack error code for UNDECRYPTABLE ("487", "488", "491",
                               * "495", "500") */
    json_t *event;            /* event data (STORED only), borrowed */
    const char *event_name;   /* its name: "messages.upsert", "messages.delete",
                               * "messages.edited" (NULL when no event) */
    /* the event's pending_event row, committed with the message (0 when
     * none): the caller publishes the event, then deletes the row with
     * wg_pending_event_published (connd/events/pending.h) */
    int64_t event_id;
    int64_t event_at_ms; /* when it happened: the event's at_ms */
    /* UNDECRYPTABLE and worth a retry (§7.1 "Retry receipts"): the
     * <receipt type="retry"> to send BEFORE the ack (borrowed; copy it with
     * wg_receive_retry_node), else NULL */
    const wg_node_t *retry_receipt;
    /* when the retry receipt hands out a one-time pre-key (count > 1): its
     * id, which is not uploaded yet; the caller moves creds.next_prekey_id
     * past it and persists the credentials. 0 otherwise. */
    uint32_t retry_prekey_id;
    /* contacts and chats (connd/chat/track.h), updated in the message's
     * transaction for a messages.upsert when the job was submitted with
     * tracking (wg_receive_submit): */
    int tracked;                 /* 1: the job tried (publish what follows) */
    int track_stored;            /* 1: contact and chat rows were written */
    wg_contact_change_t contact; /* the sender's contact: created, renamed, unchanged */
    int chat_created;            /* 1: the chat row is new */
    int unread;                  /* 1: the message counted as unread */
} wg_receive_result_t;

typedef void (*wg_receive_finish_cb)(void *ctx, const wg_receive_result_t *r);

/* Submits the receive job for node of instance_id/instance_name, taking node
 * (the decoded stanza goes to the worker as it is: no copy, no second decode).
 * creds (our JIDs, identity and pre-keys) and vault_key are copied and
 * wiped after the job. generation is handed back in the result. finish(ctx,
 * r) runs on the loop thread when the job is done; ctx must stay valid
 * until then (connd passes the daemon). durable_event: commit the event
 * with the message (a pending_event row); the caller says 0 when nothing
 * would keep the event durably anyway (no webhook route). A stored
 * message also updates its contact and chat in the same transaction
 * (r->tracked); read_messages: the instance's readMessages setting (an
 * incoming message then does not count as unread). Loop thread. */
void wg_receive_submit(wg_jobs_t *jobs, const char *instance_id, const char *instance_name,
                       const wg_wa_creds_t *creds, const uint8_t vault_key[32],
                       wg_node_t *node, uint64_t generation, int durable_event,
                       int read_messages, wg_receive_finish_cb finish, void *ctx);

/* The job body, for tests: runs on store (worker thread) what run() does,
 * and fills *r (strings valid until wg_receive_result_clear). */
typedef struct wg_receive_job wg_receive_job_t;
/* A new job commits its event with the message (durable); off for tests
 * and callers with nothing durable downstream. */
void wg_receive_job_set_durable(wg_receive_job_t *j, int durable_event);
/* A job for node, which it takes (run only reads it; wg_receive_job_free
 * frees it, on the thread that decoded it); the rest as wg_receive_submit. */
wg_receive_job_t *wg_receive_job_new(const char *instance_id, const char *instance_name,
                                     const wg_wa_creds_t *creds, const uint8_t vault_key[32],
                                     wg_node_t *node, uint64_t generation);
void wg_receive_job_run(void *store, wg_receive_job_t *j);
/* The result view of a run job (borrowed from j). */
void wg_receive_job_result(const wg_receive_job_t *j, wg_receive_result_t *r);
void wg_receive_job_free(wg_receive_job_t *j);

/* A fresh copy of r->retry_receipt for wg_wa_session_send (which takes
 * it), or NULL when there is none. Any thread. */
wg_node_t *wg_receive_retry_node(const wg_receive_result_t *r);

/* Retry receipts sent per message before giving up with a nack (§7.1:
 * whatsmeow and Baileys both stop at 5). */
#define WG_RECEIVE_MAX_RETRIES 5

/* Baileys' getDevice(key id): "ios", "web", "android", "desktop", "unknown". */
const char *wg_receive_source_of(const char *key_id);

#endif
