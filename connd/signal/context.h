/* Private to connd/signal/: the layout of wg_signal_t and the helpers its
 * files share (record sealing, the per-operation transaction, error
 * mapping). Nothing outside connd/signal/ and its unit tests includes it. */
#ifndef WG_SIGNAL_CONTEXT_H
#define WG_SIGNAL_CONTEXT_H
#include "link/vault.h"
#include "signal/record_cache.h"
#include "signal/signal.h"
#include "store/signal_key.h"
#include "wa/creds.h"

#include <signal_protocol.h>

struct wg_signal {
    signal_context *global;               /* libsignal context (crypto provider) */
    signal_protocol_store_context *stores; /* the five stores below, on signal_key */
    wg_store_t *store;                    /* borrowed; worker thread only */
    char *instance_id;                    /* owner of every row; owned */
    uint8_t vault_key[WG_VAULT_KEY_LEN];  /* seals every record; wiped on free */
    wg_wa_creds_t creds;                  /* copy: own identity, spk, pre-key seed */
    int store_error;                      /* first WG_E* a store callback hit in this op */
    unsigned identity_flags;              /* WG_SIGNAL_IDENTITY_* seen in this op */
    int batch;                            /* inside wg_signal_batch_begin: ops share its transaction */
    record_cache_t *cache;                /* decrypted records (kept layers, pool.c), or NULL */
    int write_back;                       /* wg_signal_set_write_back: encrypts may hold */
    int holding;                          /* the running encrypt or batch holds its session writes */
    int batch_holds;                      /* the open batch holds (write-back in its savepoint) */
    int pooled;                           /* owned by pool.c: wg_signal_free ignores it */
    wg_signal_t *pool_next;               /* pool.c's list */
};

/* Registers the five libsignal stores on s->stores (stores.c). 0 or WG_EINVAL. */
int signal_stores_register(wg_signal_t *s);

/* Starts one operation: clears the per-op state and opens a transaction. */
int signal_op_begin(wg_signal_t *s);
/* Ends it: commits when rc == 0, else rolls back. Returns rc, or the commit
 * failure. */
int signal_op_end(wg_signal_t *s, int rc);
/* Maps a libsignal return code to WG_E* (a store failure seen during the op
 * wins, as it is the real cause). */
int signal_map_error(wg_signal_t *s, int sg_rc);

/* Reads the record of a row into a fresh signal_buffer (*out). 1 found, 0
 * not found (or a tombstone when tombstone != NULL: *tombstone = 1), <0 a
 * store/vault failure (also recorded in s->store_error). */
int signal_record_load(wg_signal_t *s, const wg_signal_key_id_t *k, signal_buffer **out,
                       int *tombstone);
/* Seals and writes a record (len 0 writes a tombstone). 0 or <0 (recorded). */
int signal_record_save(wg_signal_t *s, const wg_signal_key_id_t *k, const uint8_t *p, size_t len);
/* Deletes the row of k / every device of (kind, group, name): the store's
 * codes (rows deleted, or <0, not recorded). */
int signal_record_delete(wg_signal_t *s, const wg_signal_key_id_t *k);
int signal_record_delete_name(wg_signal_t *s, const wg_signal_key_id_t *k);

/* Writes the session records this layer holds back (write-back, see
 * record_cache_hold) to their rows, in the store's current transaction.
 * 0, or the store's failure (the records not yet written stay held). */
int signal_record_flush(wg_signal_t *s);

/* A layer without a cache wrote or deleted k (by_name: every device of its
 * name): the kept layer of the same instance forgets it (pool.c). */
void signal_pool_note_write(const wg_signal_t *writer, const wg_signal_key_id_t *k, int by_name);

#endif
