/* Group messaging with sender keys (wa-protocol.md §7.1 skmsg, §7.2 step 6).
 * A sender key is named (group JID text, sender's Signal address) — the
 * same name Baileys builds — and stored in signal_key. Same thread model
 * and return codes as signal.h. */
#ifndef WG_SIGNAL_GROUP_H
#define WG_SIGNAL_GROUP_H
#include "signal/signal.h"

/* Creates our sender key for group (self = our own Signal address) when
 * there is none, and appends its serialized SenderKeyDistributionMessage
 * (the axolotlSenderKeyDistributionMessage bytes) to out. */
int wg_signal_group_skdm(wg_signal_t *s, const char *group, const wg_signal_addr_t *self,
                         wg_buf_t *out);
/* Processes a SKDM received from sender for group. WG_EPROTO when malformed. */
int wg_signal_group_process_skdm(wg_signal_t *s, const char *group, const wg_signal_addr_t *sender,
                                 const uint8_t *skdm, size_t len);
/* Pads msg and appends the skmsg to out. WG_ESTATE without our sender key
 * (call wg_signal_group_skdm first). */
int wg_signal_group_encrypt(wg_signal_t *s, const char *group, const wg_signal_addr_t *self,
                            const uint8_t *msg, size_t len, wg_buf_t *out);
/* Decrypts an skmsg from sender and appends the unpadded message to out.
 * WG_ESTATE when no SKDM of sender was processed. */
int wg_signal_group_decrypt(wg_signal_t *s, const char *group, const wg_signal_addr_t *sender,
                            const uint8_t *ct, size_t len, wg_buf_t *out);

#endif
