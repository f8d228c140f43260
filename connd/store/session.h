/* The session table: one opaque credentials blob per instance (connd/link
 * encrypts it before it gets here; the store never sees a key). Same
 * threading and return-code rules as store.h. */
#ifndef WG_STORE_SESSION_H
#define WG_STORE_SESSION_H
#include "store/store.h"
#include "wg_buf.h"

/* Appends the blob of instance_id to out. Returns 0, WG_ENOTFOUND (no row or
 * a NULL blob) or WG_EDB. May reallocate out. */
int wg_store_session_get(wg_store_t *s, const char *instance_id, wg_buf_t *out);
/* Inserts or replaces the blob. Returns 0, WG_ENOTFOUND (no such instance),
 * WG_EDB. */
int wg_store_session_put(wg_store_t *s, const char *instance_id, const uint8_t *blob, size_t len);
/* Deletes the row (logout). Returns 0 whether or not it existed, or WG_EDB. */
int wg_store_session_delete(wg_store_t *s, const char *instance_id);

#endif
