/* Incoming retry receipts for messages we sent (wa-protocol.md §7.1
 * "Retry receipts"): a bounded in-memory cache of recently sent Messages
 * (their unpadded plaintext, chat, kind; at most WG_RETRY_CACHE_MAX
 * entries and WG_RETRY_CACHE_BYTES bytes, oldest dropped first, every
 * plaintext wiped when it leaves), and the resend to the one device that
 * asked: the session rebuilt from the receipt's <keys> when present, the
 * Message re-encrypted for that device (a deviceSentMessage for our own
 * devices; in a group the SKDM merged in, since that device evidently lacks
 * our sender key), and <message id=same><enc v="2" type count=N> sent;
 * count over WG_RETRY_MAX is ignored (given up). The cache and the receipt
 * entry point are loop thread only; wg_retry_encrypt is pure Signal work
 * for the worker thread. Never logs message contents. */
#ifndef WG_MESSAGE_RETRY_H
#define WG_MESSAGE_RETRY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/daemon.h"
#include "signal/bundle.h"
#include "signal/signal.h"
#include "wa/binnode.h"
#include "wa/message.h"
#include "wg_buf.h"

#define WG_RETRY_CACHE_MAX 256             /* messages kept */
#define WG_RETRY_CACHE_BYTES (1024 * 1024) /* plaintext bytes kept */
#define WG_RETRY_MAX 5                     /* retries answered per message and device */

/* What a resend needs to know of a sent message (borrowed strings). */
typedef struct {
    const char *instance_id; /* owner */
    const char *id;          /* message id */
    const char *chat;        /* chat JID (user, LID or group) */
    bool is_group;           /* chat is a group */
    const char *sender;      /* group: our sender-key identity (device JID) */
    wg_wa_out_kind_t kind;   /* for the stanza's type / edit / decrypt-fail */
    bool key_from_me;        /* the target key's fromMe (edit attr of a revoke) */
    const uint8_t *plain;    /* the Message, unpadded */
    size_t plain_len;        /* its length */
} wg_retry_sent_t;

/* Remembers a sent message (copied). Loop thread. */
void wg_retry_remember(const wg_retry_sent_t *m);
/* Drops every message of instance_id, or all when NULL (wiped). */
void wg_retry_forget(const char *instance_id);
/* How many messages / plaintext bytes are cached (tests). */
size_t wg_retry_cached(size_t *bytes);

/* A retry receipt parsed (borrowed from the node). */
typedef struct {
    const char *id;            /* message id */
    const char *device;        /* the device that failed: participant (groups), else from */
    const char *chat;          /* from (a group JID in groups) */
    unsigned count;            /* <retry count> */
    bool has_bundle;           /* <keys> (and <registration>) were present and complete */
    wg_signal_bundle_t bundle; /* the device's fresh keys */
} wg_retry_receipt_t;

/* Reads <receipt type="retry">. Returns 0, or WG_EPROTO when it is not
 * one or is malformed (no id / from / count; keys with wrong lengths make
 * has_bundle false rather than an error). */
int wg_retry_parse(const wg_node_t *receipt, wg_retry_receipt_t *out);

/* Worker thread: the ciphertext of the cached message m for device (with
 * bundle: a new session first). own_user_pn / own_user_lid are our bare
 * JIDs (a device of ours gets the deviceSentMessage). Returns 0 with *type
 * and ct, WG_ESTATE without a session and bundle, or a Signal / store code. */
int wg_retry_encrypt(wg_signal_t *sig, const wg_retry_sent_t *m, const char *device,
                     const wg_signal_bundle_t *bundle, const char *own_user_pn,
                     const char *own_user_lid, wg_signal_type_t *type, wg_buf_t *ct);

/* From wg_send_on_receipt: handles a retry receipt of instance_id (looks
 * the message up, encrypts on the worker, sends on that connection). */
void wg_retry_on_receipt(wg_connd_t *d, const char *instance_id, const wg_node_t *receipt);

#endif
