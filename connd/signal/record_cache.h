/* Private to connd/signal/: the decrypted Signal records of one instance
 * that the worker keeps between jobs (pool.c), so a send does not read and
 * open the same sealed session rows for every message. It is a cache of
 * the signal_key rows, never a replacement: every write still goes to the
 * store in the caller's transaction first (write-through, stores.c), and
 * what a rollback may have undone is dropped (record_cache_rolled_back):
 * every entry added since the last durable commit is "dirty" until
 * record_cache_committed. The one exception is write-back: inside a group
 * commit, a session record advanced by a send or a received message may be
 * "held" (record_cache_hold) and written once at the group's end instead
 * of once per message. Bounded (entries and bytes, least recently used
 * out); every record is wiped when it leaves. Worker thread only. */
#ifndef WG_SIGNAL_RECORD_CACHE_H
#define WG_SIGNAL_RECORD_CACHE_H
#include "store/signal_key.h"

#include <stddef.h>
#include <stdint.h>

#define RECORD_CACHE_ENTRIES 256          /* records kept per instance */
#define RECORD_CACHE_BYTES (256u << 10)   /* their plaintext bytes per instance */

typedef struct record_cache record_cache_t;

/* An empty cache (free with record_cache_free, which wipes it). */
record_cache_t *record_cache_new(void);
void record_cache_free(record_cache_t *c);

/* The record of k: 1 and *p / *len (borrowed until the next call on c),
 * or 0 when it is not cached. */
int record_cache_get(record_cache_t *c, const wg_signal_key_id_t *k, const uint8_t **p,
                     size_t *len);
/* Keeps a copy of the record of k (replacing any), marked dirty. A record
 * larger than the byte bound is not kept. */
void record_cache_put(record_cache_t *c, const wg_signal_key_id_t *k, const uint8_t *p,
                      size_t len);
/* Forgets k; drop_name forgets every device of (kind, group, name). */
void record_cache_drop(record_cache_t *c, const wg_signal_key_id_t *k);
void record_cache_drop_name(record_cache_t *c, const wg_signal_key_id_t *k);
/* Forgets every dirty record (a rollback may have undone it), and with
 * keep_held 0 every held one too (the group they were held for is gone). */
void record_cache_rolled_back(record_cache_t *c, int keep_held);
/* Every record is durable: none is dirty any more. Both visit only the
 * records touched since the last commit (they are the most recently used),
 * nothing when none is dirty or held. */
void record_cache_committed(record_cache_t *c);

/* Write-back (stores.c, inside a live group with no savepoint open, or in
 * a write-back batch's own savepoint, between record_cache_op_begin and
 * op_end): the
 * new record of k replaces the cached one but is "held": not in the row
 * yet, written by record_cache_flush before the group's COMMIT or the next
 * savepoint. Only for a k that is cached (its row exists): returns 0, or -1
 * when k is not cached (the caller writes through instead). The replaced
 * record is kept until record_cache_op_end, so a failed operation can
 * restore it. A held record is never evicted. */
int record_cache_hold(record_cache_t *c, const wg_signal_key_id_t *k, const uint8_t *p,
                      size_t len);
/* An operation that may hold records starts (an encrypt, or a receive
 * batch inside its own savepoint, signal.c): until record_cache_op_end,
 * an entry that was held before it and that it replaces or removes (a
 * put, a drop, a rollback's pruning) is kept aside in that held state, as
 * it is the only copy of that session's state. */
void record_cache_op_begin(record_cache_t *c);
/* The operation ended: ok keeps what it did (what it removed is freed),
 * else every entry it held goes back to what it replaced and every held
 * entry it removed comes back, held. */
void record_cache_op_end(record_cache_t *c, int ok);
/* Writes every held record with write(ud, key, record, len) (0 or <0; the
 * key's instance_id is NULL); a written one becomes dirty. Stops at the first failure and
 * returns it (the rest stay held); 0 when all are written. */
int record_cache_flush(record_cache_t *c,
                       int (*write)(void *ud, const wg_signal_key_id_t *k, const uint8_t *p,
                                    size_t len),
                       void *ud);
/* How many records are held (tests, pool.c). */
size_t record_cache_held(const record_cache_t *c);
/* How many records are kept (tests). */
size_t record_cache_count(const record_cache_t *c);

#endif
