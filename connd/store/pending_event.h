/* The pending_event table: bus events made durable in the transaction of
 * the change they announce (a received message, a revoke, an edit), so a
 * crash after that commit — after which WhatsApp never redelivers, the
 * receipt having gone out — cannot lose the event. A row lives from the
 * commit of its change until the webhook outbox rows of its publication
 * are committed; connd republishes what is left at startup
 * (connd/events/pending.c). Same threading and return-code rules as
 * store.h (worker thread only, or the main thread before the worker starts). */
#ifndef WG_STORE_PENDING_EVENT_H
#define WG_STORE_PENDING_EVENT_H
#include "store/store.h"
#include <stddef.h>
#include <stdint.h>

/* One stored event; strings borrowed for the duration of a callback. */
typedef struct {
    int64_t id;                /* rowid, increasing in commit order */
    const char *instance_id;   /* instance UUID */
    const char *instance_name; /* its name when the event happened */
    const char *name;          /* dotted event name, e.g. "messages.upsert" */
    const char *data_json;     /* the event data, compact JSON */
    int64_t at_ms;             /* when it happened (UTC ms) */
} wg_store_pending_event_t;

/* Inserts an event inside the caller's transaction (or alone). All strings
 * required. 0 and *id, WG_EINVAL, WG_ENOTFOUND (no such instance) or WG_EDB. */
int wg_store_pending_event_add(wg_store_t *s, const wg_store_pending_event_t *ev, int64_t *id);
/* Deletes the rows ids[0..n) (missing ones are ignored) in one transaction
 * (a savepoint inside a group): all of them or, on failure, none. 0 or
 * WG_EDB. */
int wg_store_pending_event_delete(wg_store_t *s, const int64_t *ids, size_t n);
/* Calls fn for every row in id order until fn returns non-zero (then
 * returns that value). 0, fn's value, or WG_EDB. */
int wg_store_pending_event_each(wg_store_t *s,
                                int (*fn)(void *ud, const wg_store_pending_event_t *ev),
                                void *ud);

#endif
