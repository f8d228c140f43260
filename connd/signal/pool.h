/* The worker's Signal layers kept across jobs: one wg_signal_t per (store,
 * instance), with its libsignal context and a cache of the instance's
 * decrypted records (record_cache.h), instead of a fresh layer that reads
 * and opens every record again for each job. The store's observers
 * (store.h) keep it right: a rollback drops the records it may have undone,
 * new credentials or a deleted instance drop the layer, closing the store
 * drops them all. Worker thread only (the store's thread); the registry of
 * stores is locked, so unit tests may use stores on several threads. */
#ifndef WG_SIGNAL_POOL_H
#define WG_SIGNAL_POOL_H
#include "signal/signal.h"

#define WG_SIGNAL_POOL_MAX 32 /* layers kept per store, least recently used out */

/* The kept layer of instance_id on store, created on first use (as
 * wg_signal_open, whose arguments and codes these are); creds replace its
 * credentials copy on every call, and a different vault_key starts a new
 * layer. *out is borrowed: valid until the job ends (a later call for
 * another instance may evict it); wg_signal_free ignores it. */
int wg_signal_pool_get(wg_store_t *store, const char *instance_id, const uint8_t vault_key[32],
                       const wg_wa_creds_t *creds, wg_signal_t **out);
/* How many layers are kept for store (tests). */
int wg_signal_pool_count(wg_store_t *store);

#endif
