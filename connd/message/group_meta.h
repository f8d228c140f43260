/* Group metadata for sending (wa-protocol.md §7.2 step 6): the reply of
 * <iq xmlns="w:g2" type="get" to=gid><query request="interactive"/></iq>
 * read into the participants' JIDs and the addressing mode, and a small
 * per-connection cache of it (entries are tied to the connection
 * generation, so a reconnect never reuses them; a phash mismatch or an
 * instance going away drops them). Parsing is pure; the cache is loop
 * thread only. */
#ifndef WG_MESSAGE_GROUP_META_H
#define WG_MESSAGE_GROUP_META_H
#include <stddef.h>
#include <stdint.h>

#include "wa/binnode.h"

#define WG_GROUP_MAX_PARTICIPANTS 2048 /* participants kept (WhatsApp allows 1024) */
#define WG_GROUP_CACHE_MAX 64          /* cached groups per process */

typedef struct {
    char gid[160];           /* the group JID (…@g.us) */
    char addressing_mode[8]; /* "lid" or "pn" (Baileys' default when absent: "lid") */
    char **participants;     /* bare user JIDs (owned) */
    size_t n;                /* how many */
    uint32_t expiration;     /* disappearing-messages timer in seconds, 0 = off */
} wg_group_meta_t;

/* Reads an iq reply into out (zeroed first; free with
 * wg_group_meta_free). gid is the group asked for. Returns 0, or
 * WG_EPROTO for an error reply, a missing <group>, a group id other than
 * gid, or a participant JID that does not parse. */
int wg_group_meta_parse(const wg_node_t *reply, const char *gid, wg_group_meta_t *out);
void wg_group_meta_free(wg_group_meta_t *m);

/* The cached metadata of gid for that connection, or NULL. Borrowed until
 * the next put/drop. */
const wg_group_meta_t *wg_group_cache_get(const char *instance_id, uint64_t generation,
                                          const char *gid);
/* Caches *m (taken: *m is zeroed), replacing an older entry of the group;
 * the oldest entry goes when the cache is full. */
void wg_group_cache_put(const char *instance_id, uint64_t generation, wg_group_meta_t *m);
/* Drops the entries of instance_id (gid NULL: all its groups). */
void wg_group_cache_drop(const char *instance_id, const char *gid);

#endif
