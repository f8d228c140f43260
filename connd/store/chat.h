/* The chat table: one row per instance and remote JID (a person or a
 * group), with the number of incoming messages not read yet and the time of
 * its newest message (Evolution's Chat model, evolution-api.md §5). Same
 * threading and return-code rules as store.h (worker thread only); each
 * call opens no transaction. */
#ifndef WG_STORE_CHAT_H
#define WG_STORE_CHAT_H
#include "store/store.h"

#include <stdint.h>

/* A message was stored in chat remote_jid of instance_id at ts (seconds):
 * creates the chat (*created = 1) or updates it (*created = 0); unread is
 * added to its unread count; name (may be NULL) is kept on creation.
 * Returns 0, WG_EINVAL, WG_ENOTFOUND or WG_EDB. */
int wg_store_chat_touch(wg_store_t *s, const char *instance_id, const char *remote_jid,
                        const char *name, int64_t ts, int unread, int *created);

/* Sets the unread count of a chat to 0. 0, WG_ENOTFOUND (no such chat) or
 * WG_EDB. */
int wg_store_chat_read(wg_store_t *s, const char *instance_id, const char *remote_jid);

/* One row (borrowed for the callback). */
typedef struct {
    const char *id;          /* row UUID */
    const char *remote_jid;  /* the chat */
    const char *name;        /* or NULL */
    int64_t unread_count;    /* incoming messages not read */
    int64_t last_message_at; /* seconds */
    int64_t updated_at;      /* ms */
} wg_store_chat_row_t;

/* Calls row(ud, r) for the chats of instance_id, newest message first;
 * remote_jid (NULL: any) and ts_gte / ts_lte (seconds, <0: none) filter on
 * the chat and its newest message time. Skips offset rows, at most limit
 * (<0: all). A nonzero callback return stops the walk with that code. 0,
 * WG_EINVAL or WG_EDB. */
int wg_store_chat_find(wg_store_t *s, const char *instance_id, const char *remote_jid,
                       int64_t ts_gte, int64_t ts_lte, int64_t offset, int64_t limit,
                       int (*row)(void *ud, const wg_store_chat_row_t *r), void *ud);

#endif
