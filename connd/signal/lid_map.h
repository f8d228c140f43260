/* LID <-> phone-number addressing (wa-protocol.md §7.1 Addressing, §12
 * pitfall 6): the JID-level view of connd/store/lid_map.h, and the one-time
 * move of a contact's Signal sessions from its phone-number address to its
 * LID address once the mapping is known (whatsmeow migrates them; Baileys
 * getDecryptionJid / migrateSession). After that, a 1:1 ratchet with that
 * contact lives under "<lid>_1" whichever form a stanza names.
 *
 * For the send side: before encrypting to a device JID, ask
 * wg_lid_map_lookup_lid(); when it answers, encrypt under the LID device
 * JID so both directions share one session. Only s.whatsapp.net <-> lid
 * (hosted forms are not mapped). Worker thread (store calls); the lookups
 * join a running transaction and open none. */
#ifndef WG_SIGNAL_LID_MAP_H
#define WG_SIGNAL_LID_MAP_H
#include "signal/signal.h"
#include "store/store.h"

#include <stddef.h>

/* Records that lid_jid and pn_jid (any device, agent ignored) are the same
 * account. Returns 1 when that is new or changed, 0 when already known,
 * WG_EINVAL (not a LID and a phone-number JID), WG_ENOTFOUND (no instance)
 * or WG_EDB. */
int wg_lid_map_record(wg_store_t *store, const char *instance_id, const char *lid_jid,
                      const char *pn_jid);
/* The LID form of a phone-number JID with its device kept
 * ("15551234567:2@s.whatsapp.net" -> "123456789:2@lid") into out (n bytes).
 * Returns 0, WG_ENOTFOUND (no mapping), WG_EINVAL (not a PN JID, or n too
 * small) or WG_EDB. */
int wg_lid_map_lookup_lid(wg_store_t *store, const char *instance_id, const char *pn_jid,
                          char *out, size_t n);
/* The phone-number form of a LID JID, device kept. Same codes. */
int wg_lid_map_lookup_pn(wg_store_t *store, const char *instance_id, const char *lid_jid,
                         char *out, size_t n);
/* Moves every stored session (and remote identity) of pn_jid's user to
 * lid_jid's user, device by device, where the LID address has none yet;
 * the PN rows are deleted. Runs in the caller's batch when one is open,
 * else in its own transaction. Returns how many sessions moved (0 when
 * none), WG_EINVAL, WG_ECRYPTO (a record the vault cannot open) or WG_EDB. */
int wg_lid_map_migrate_sessions(wg_signal_t *s, const char *pn_jid, const char *lid_jid);

#endif
