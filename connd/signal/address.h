/* Signal protocol addresses of WhatsApp devices (wa-protocol.md §12 pitfall
 * 6): name = JID user, with "_<domain>" for non-WhatsApp domains (LID
 * "1234_1", hosted "_128", hosted LID "_129"), device = the JID device (0
 * when absent). Same scheme as Baileys' jidToSignalProtocolAddress, so a
 * session keyed here is keyed the same way by Baileys. Pure; thread-safe. */
#ifndef WG_SIGNAL_ADDRESS_H
#define WG_SIGNAL_ADDRESS_H
#include <signal_protocol.h>
#include <stdint.h>

#define WG_SIGNAL_NAME_MAX 144 /* user (127) + "_129" + NUL, rounded up */

typedef struct {
    char name[WG_SIGNAL_NAME_MAX]; /* Signal address name, NUL-terminated */
    uint32_t device;               /* device id */
} wg_signal_addr_t;

/* Parses a device JID ("user[:device]@s.whatsapp.net|lid|hosted|hosted.lid")
 * into *out. Returns 0, or WG_EINVAL for malformed text, an empty user or a
 * server that has no Signal sessions (groups, broadcast, newsletters). */
int wg_signal_addr_from_jid(const char *jid, wg_signal_addr_t *out);
/* Sets *out from a ready name. Returns 0 or WG_EINVAL (empty or too long). */
int wg_signal_addr_set(wg_signal_addr_t *out, const char *name, uint32_t device);
/* A libsignal view of a (borrowed name). Valid while a lives. */
signal_protocol_address wg_signal_addr_protocol(const wg_signal_addr_t *a);

#endif
