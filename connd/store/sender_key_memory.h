/* The sender-key memory (wa-protocol.md §7.2 step 6; Baileys'
 * "sender-key-memory"): per instance and group, the device JIDs that
 * already received our current sender key (SKDM), so a group send wraps the
 * SKDM only for the others. Forgetting a group (our sender key changed, or
 * a retry asked for it) makes the next send distribute it again. Same
 * threading and return-code rules as store.h (worker thread only). */
#ifndef WG_STORE_SENDER_KEY_MEMORY_H
#define WG_STORE_SENDER_KEY_MEMORY_H
#include "store/store.h"

/* 1 when device_jid has our sender key for group_jid, 0 when not, <0 WG_EDB. */
int wg_store_skmem_has(wg_store_t *s, const char *instance_id, const char *group_jid,
                       const char *device_jid);
/* Remembers that device_jid got it (idempotent). 0, WG_EINVAL, WG_ENOTFOUND
 * (no such instance) or WG_EDB. */
int wg_store_skmem_add(wg_store_t *s, const char *instance_id, const char *group_jid,
                       const char *device_jid);
/* Forgets device_jid for group_jid, or every device of the group when
 * device_jid is NULL. 0 or WG_EDB. */
int wg_store_skmem_forget(wg_store_t *s, const char *instance_id, const char *group_jid,
                          const char *device_jid);

#endif
