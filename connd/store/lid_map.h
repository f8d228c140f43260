/* The lid_map table: which LID user is which phone-number user, per
 * instance (wa-protocol.md §7.1 Addressing). Keys are bare users (the JID
 * user part: "15551234567", "123456789012345"), never devices or servers;
 * connd/signal/lid_map.h is the JID-level API the rest of connd uses. Same
 * threading and return-code rules as store.h (worker thread only). Opens no
 * transaction of its own, so a write joins the caller's. */
#ifndef WG_STORE_LID_MAP_H
#define WG_STORE_LID_MAP_H
#include "store/store.h"

#include <stddef.h>

#define WG_STORE_LID_USER_MAX 128 /* a user part, with its NUL */

/* Records lid <-> pn for instance_id, replacing any other mapping of either
 * side. Returns 1 when the row is new or changed, 0 when it was already
 * stored, WG_EINVAL (empty or overlong user), WG_ENOTFOUND (no instance) or
 * WG_EDB. */
int wg_store_lid_map_put(wg_store_t *s, const char *instance_id, const char *lid, const char *pn);
/* The phone-number user of a LID user into pn (n bytes). 0, WG_ENOTFOUND,
 * WG_EINVAL or WG_EDB. */
int wg_store_lid_map_pn(wg_store_t *s, const char *instance_id, const char *lid, char *pn,
                        size_t n);
/* The LID user of a phone-number user into lid (n bytes). Same codes. */
int wg_store_lid_map_lid(wg_store_t *s, const char *instance_id, const char *pn, char *lid,
                         size_t n);

#endif
