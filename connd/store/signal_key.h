/* The signal_key table: every Signal protocol record of an instance (remote
 * identities, consumed one-time pre-keys, rotated signed pre-keys, sessions,
 * sender keys) as one opaque blob per row, keyed by (kind, group, name,
 * device). connd/signal seals each record with the vault before it gets
 * here, so the store never sees a key; the row key itself (address names,
 * device and key ids) stays in clear for lookups.
 * Same threading and return-code rules as store.h: the worker thread only. */
#ifndef WG_STORE_SIGNAL_KEY_H
#define WG_STORE_SIGNAL_KEY_H
#include "store/store.h"
#include "wg_buf.h"
#include <stddef.h>
#include <stdint.h>

/* What a row holds (the kind column). */
typedef enum {
    WG_SIGNAL_KEY_IDENTITY,      /* a remote identity key (trust on first use) */
    WG_SIGNAL_KEY_PREKEY,        /* a one-time pre-key record or its tombstone */
    WG_SIGNAL_KEY_SIGNED_PREKEY, /* a signed pre-key other than the credentials' one */
    WG_SIGNAL_KEY_SESSION,       /* a session record of one remote device */
    WG_SIGNAL_KEY_SENDER_KEY,    /* a sender-key record (group, sender device) */
} wg_signal_key_kind_t;

/* The key of one row. Strings are borrowed; NULL means "". */
typedef struct {
    const char *instance_id;   /* owner instance (its delete cascades) */
    wg_signal_key_kind_t kind; /* table partition */
    const char *group_id;      /* sender keys: the group JID; else NULL */
    const char *name;          /* Signal address name; NULL for own keys */
    int64_t device;            /* device id, or the key id of (signed) pre-keys */
} wg_signal_key_id_t;

/* The stable text of a kind ("identity", "prekey", ...). */
const char *wg_store_signal_key_kind_name(wg_signal_key_kind_t kind);

/* Appends the record of k to out (an empty record is a valid value: a
 * tombstone). Returns 0, WG_ENOTFOUND, WG_EINVAL (bad kind), WG_EDB. May
 * reallocate out. */
int wg_store_signal_key_get(wg_store_t *s, const wg_signal_key_id_t *k, wg_buf_t *out);
/* Inserts or replaces the record of k. Returns 0, WG_ENOTFOUND (no such
 * instance), WG_EINVAL, WG_EDB. */
int wg_store_signal_key_put(wg_store_t *s, const wg_signal_key_id_t *k, const uint8_t *record,
                            size_t len);
/* Deletes the row of k. Returns 1 when a row was deleted, 0 when none
 * existed, or WG_EINVAL/WG_EDB. */
int wg_store_signal_key_delete(wg_store_t *s, const wg_signal_key_id_t *k);
/* Deletes every device of (kind, group_id, name) (k->device ignored).
 * Returns how many rows went, or WG_EINVAL/WG_EDB. */
int wg_store_signal_key_delete_name(wg_store_t *s, const wg_signal_key_id_t *k);
/* The devices stored for (kind, group_id, name), ascending, into a malloc'd
 * array *devices (NULL when none; caller frees) of *n entries.
 * Returns 0, WG_EINVAL, WG_EDB (then *devices = NULL, *n = 0). */
int wg_store_signal_key_devices(wg_store_t *s, const wg_signal_key_id_t *k, int64_t **devices,
                                size_t *n);

/* A transaction around several calls above, so one Signal operation (a
 * pkmsg decrypt stores a session, removes a pre-key and saves an identity)
 * commits as a whole or not at all. Not nestable. 0 or WG_EDB; commit rolls
 * back itself when COMMIT fails. */
int wg_store_signal_key_begin(wg_store_t *s);
int wg_store_signal_key_commit(wg_store_t *s);
void wg_store_signal_key_rollback(wg_store_t *s);

#endif
