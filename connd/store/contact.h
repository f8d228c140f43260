/* The contact table: one row per instance and remote JID with the last push
 * name seen on a message from it (Evolution's Contact model, evolution-api.md
 * §5). Same threading and return-code rules as store.h (worker thread only);
 * each call is one statement pair and opens no transaction. */
#ifndef WG_STORE_CONTACT_H
#define WG_STORE_CONTACT_H
#include "store/store.h"

#include <stdint.h>

/* What an upsert did. */
typedef enum {
    WG_CONTACT_UNCHANGED = 0, /* row existed with the same name */
    WG_CONTACT_CREATED = 1,   /* new row */
    WG_CONTACT_RENAMED = 2,   /* row existed, push name changed */
} wg_contact_change_t;

/* Creates the contact remote_jid of instance_id, or sets its push name when
 * push_name (may be NULL: keep) differs. *change says which. Returns 0,
 * WG_EINVAL (no jid), WG_ENOTFOUND (no such instance) or WG_EDB. */
int wg_store_contact_upsert(wg_store_t *s, const char *instance_id, const char *remote_jid,
                            const char *push_name, wg_contact_change_t *change);

/* One row (borrowed for the callback); times in ms. */
typedef struct {
    const char *id;              /* row UUID */
    const char *remote_jid;      /* the contact */
    const char *push_name;       /* or NULL */
    const char *profile_pic_url; /* or NULL */
    int64_t created_at;          /* ms */
    int64_t updated_at;          /* ms */
} wg_store_contact_row_t;

/* Calls row(ud, r) for the contacts of instance_id (only remote_jid when not
 * NULL), oldest first, skipping offset and at most limit (<0: all). A
 * nonzero callback return stops the walk with that code. 0, WG_EINVAL,
 * WG_EDB. */
int wg_store_contact_find(wg_store_t *s, const char *instance_id, const char *remote_jid,
                          int64_t offset, int64_t limit,
                          int (*row)(void *ud, const wg_store_contact_row_t *r), void *ud);

#endif
