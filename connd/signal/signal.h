/* The Signal layer of one WhatsApp instance (wa-protocol.md §7, §12):
 * libsignal-protocol-c sessions and sender keys over our crypto provider
 * (crypto.c) and stores backed by the signal_key table (stores.c), every
 * record sealed with the vault key. Plaintexts in and out of this API are
 * the message bytes: WhatsApp's random padding is added on encrypt and
 * checked and removed on decrypt (padding.c, v="2").
 *
 * Thread model: a wg_signal_t and its wg_store_t are used ONLY on the store
 * worker thread (core/jobs.h). Every call here is one job's run(): it opens
 * a store transaction, lets libsignal read and write its records through
 * the store callbacks, and commits only when the operation succeeded, so a
 * failed or crashed decrypt never half-advances a ratchet. This (rather
 * than a loop-thread cache with write-through jobs) is chosen because
 * libsignal's store callbacks are synchronous, a session record is read and
 * rewritten on every message, and issue 6 needs a received message and the
 * ratchet step committed together before the receipt is sent: a later job
 * can run decrypt + message insert inside the same transaction. The loop
 * thread never touches libsignal; it submits jobs and gets bytes back in
 * done(). No libsignal locking functions are set: one context per instance,
 * one thread. The worker keeps that context across jobs (pool.h), with a
 * cache of the instance's decrypted records that every write goes through
 * and every rollback prunes, so the store stays the truth.
 *
 * Trust: on first use (wa-protocol.md §12 pitfall 5). A changed remote
 * identity is accepted as WhatsApp does, reported through *flags
 * (WG_SIGNAL_IDENTITY_CHANGED), and the old session is dropped before a new
 * bundle is processed. Return codes: 0, or WG_EINVAL (bad argument),
 * WG_EPROTO (malformed or undecryptable message, bad padding), WG_EEXIST
 * (duplicate message: counter already used), WG_ESTATE (no session / no
 * sender key), WG_ENOTFOUND (a pre-key the message names is gone),
 * WG_ECRYPTO (bad signature, or a stored record the vault key cannot open),
 * WG_EDB. */
#ifndef WG_SIGNAL_SIGNAL_H
#define WG_SIGNAL_SIGNAL_H
#include "signal/address.h"
#include "store/store.h"
#include "wa/creds.h"
#include "wg_buf.h"

#include <stdint.h>

typedef struct wg_signal wg_signal_t;

/* The `type` of an <enc> node. */
typedef enum {
    WG_SIGNAL_PKMSG, /* PreKeySignalMessage: opens a session */
    WG_SIGNAL_MSG,   /* SignalMessage */
    WG_SIGNAL_SKMSG, /* SenderKeyMessage (groups, status) */
} wg_signal_type_t;

/* Bits of the flags out-parameters. */
#define WG_SIGNAL_IDENTITY_NEW 1u     /* first identity seen for that address (stored) */
#define WG_SIGNAL_IDENTITY_CHANGED 2u /* identity differs from the stored one (replaced) */

/* "pkmsg"/"msg"/"skmsg" <-> type. parse: 0 or WG_EINVAL. */
const char *wg_signal_type_name(wg_signal_type_t t);
int wg_signal_type_parse(const char *s, wg_signal_type_t *t);

/* Creates the layer for instance_id (which must exist in store). creds is
 * copied (own identity, registration id, signed pre-key, pre-key seed and
 * next_prekey_id: one-time pre-keys 1..next_prekey_id-1 are loadable until
 * consumed); vault_key is copied. store is borrowed and must outlive it.
 * Returns 0 and *out (free with wg_signal_free), or WG_EINVAL. Worker thread. */
int wg_signal_open(wg_store_t *store, const char *instance_id,
                   const uint8_t vault_key[32], const wg_wa_creds_t *creds, wg_signal_t **out);
/* Wipes the keys and frees. NULL is a no-op. */
void wg_signal_free(wg_signal_t *s);
/* Replaces the credentials copy (after a pre-key upload moved
 * next_prekey_id, or a signed pre-key rotation). Worker thread. */
void wg_signal_set_creds(wg_signal_t *s, const wg_wa_creds_t *creds);

/* Pads msg and encrypts it for addr: *type is WG_SIGNAL_PKMSG until the
 * peer has answered, then WG_SIGNAL_MSG; the serialized message is appended
 * to out. WG_ESTATE when there is no session (process a bundle first). */
int wg_signal_encrypt(wg_signal_t *s, const wg_signal_addr_t *addr, const uint8_t *msg,
                      size_t len, wg_signal_type_t *type, wg_buf_t *out);
/* Write-back for a run of encrypts or a batch (on: 1, off: 0). While on, an encrypt
 * inside a live group commit (store.h wg_store_group_open) whose session is
 * in a kept layer's cache (pool.h) opens no savepoint and holds its new
 * session record in the cache instead of sealing and writing it: the record
 * is written once, when the group commits (before its COMMIT, so before
 * the caller's done() can put the message on the wire) or before the next
 * savepoint of any job opens, however many messages of the group advanced
 * it; a failed commit forgets it with the rest of the group. The caller
 * must be at the group's own level (no job transaction or batch open), as
 * a worker job's run is between other jobs. A batch begun while on inside
 * a live group does the same for every session record its operations
 * write over a cached one (decrypts, above all), inside its own savepoint:
 * that savepoint's opening does not write the records held so far, and the
 * batch's rollback gives back exactly the held records it found, so a
 * failed batch still undoes its own ratchet steps and only those. Off
 * otherwise, and for layers without a cache. Worker thread. */
void wg_signal_set_write_back(wg_signal_t *s, int on);
/* Decrypts a pkmsg or msg from addr and appends the unpadded message to
 * out. *flags (may be NULL) gets WG_SIGNAL_IDENTITY_* for a pkmsg. Nothing
 * is stored unless it succeeds. */
int wg_signal_decrypt(wg_signal_t *s, const wg_signal_addr_t *addr, wg_signal_type_t type,
                      const uint8_t *ct, size_t len, wg_buf_t *out, unsigned *flags);
/* wg_signal_decrypt, and before its transaction commits, before_commit(ud,
 * message, len) with the unpadded message: writes it makes to the same
 * store commit together with the ratchet step, and a nonzero return (its
 * code is returned) rolls both back, so a message is stored exactly when
 * the session advanced past it (issue 6 "Receiving"). before_commit may be
 * NULL. On failure nothing is appended to out. */
int wg_signal_decrypt_commit(wg_signal_t *s, const wg_signal_addr_t *addr, wg_signal_type_t type,
                             const uint8_t *ct, size_t len, wg_buf_t *out, unsigned *flags,
                             int (*before_commit)(void *ud, const uint8_t *msg, size_t len),
                             void *ud);
/* A batch: one store transaction around several operations of this
 * layer (decrypts, SKDM processing, session migration) and whatever the
 * caller writes to the same store meanwhile, so that a group stanza's
 * pkmsg, SKDM, skmsg and the message row commit together or not at all
 * (issue 6). Inside a batch an operation neither commits nor rolls back;
 * batch_end(s, rc) commits when rc == 0 and returns the commit's code, else
 * rolls everything back and returns rc. Not nestable: begin returns
 * WG_EINVAL inside a batch, or WG_EDB. Worker thread. */
int wg_signal_batch_begin(wg_signal_t *s);
int wg_signal_batch_end(wg_signal_t *s, int rc);
/* 1 when a session with addr exists, 0 when not, <0 on failure. */
int wg_signal_has_session(wg_signal_t *s, const wg_signal_addr_t *addr);
/* Drops the session with addr (0 whether or not it existed, or <0). */
int wg_signal_delete_session(wg_signal_t *s, const wg_signal_addr_t *addr);
/* TOFU check of a remote identity (raw 32 or typed 33 bytes) without
 * storing it. *state: 0 = no identity stored, 1 = same, 2 = different.
 * Returns 0, WG_EINVAL (bad key), WG_ECRYPTO or WG_EDB. */
int wg_signal_identity_state(wg_signal_t *s, const wg_signal_addr_t *addr, const uint8_t *key,
                             size_t len, int *state);

#endif
