/* WhatsApp JIDs (wa-protocol.md §4.3 "JIDs"): parsing and formatting of the
 * text form `[integrator-]user[_agent][:device]@server`. Owns no I/O and no
 * wire encoding (binnode.c does that). All functions are pure and thread-safe. */
#ifndef WG_WA_JID_H
#define WG_WA_JID_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg_buf.h"

#define WG_JID_USER_MAX 127  /* bytes of the user part, without NUL */
#define WG_JID_SERVER_MAX 31 /* bytes of the server part, without NUL */

/* Well-known servers (wa-protocol.md §4.3). */
#define WG_JID_SERVER_USER "s.whatsapp.net"
#define WG_JID_SERVER_LEGACY_USER "c.us"
#define WG_JID_SERVER_GROUP "g.us"
#define WG_JID_SERVER_BROADCAST "broadcast"
#define WG_JID_SERVER_LID "lid"
#define WG_JID_SERVER_NEWSLETTER "newsletter"
#define WG_JID_SERVER_HOSTED "hosted"
#define WG_JID_SERVER_HOSTED_LID "hosted.lid"
#define WG_JID_SERVER_BOT "bot"
#define WG_JID_SERVER_MESSENGER "msgr"
#define WG_JID_SERVER_INTEROP "interop"
#define WG_JID_SERVER_CALL "call"

/* AD_JID domain types (first byte after the AD_JID tag). */
enum {
    WG_JID_DOMAIN_WHATSAPP = 0,
    WG_JID_DOMAIN_LID = 1,
    WG_JID_DOMAIN_HOSTED = 128,
    WG_JID_DOMAIN_HOSTED_LID = 129,
};

typedef struct {
    char user[WG_JID_USER_MAX + 1];     /* may be "" (server JID such as "@s.whatsapp.net") */
    char server[WG_JID_SERVER_MAX + 1]; /* never "" after a successful parse */
    uint16_t device;                    /* device id when has_device */
    bool has_device;                    /* ":device" was present (":0" too) */
    uint8_t agent;                      /* raw agent / domain byte when has_agent */
    bool has_agent;                     /* "_agent" was present */
    uint16_t integrator;                /* interop integrator when has_integrator */
    bool has_integrator;                /* "integrator-" prefix (server "interop" only) */
} wg_jid_t;

/* Parses s[0..len) into *jid. The text must hold exactly one '@' with a
 * non-empty server after it; device is decimal 0..65535, agent 0..255 (only on
 * s.whatsapp.net), integrator 0..65535 (only on interop). A '_' not followed
 * by digits only stays part of the user. Returns 0, WG_EINVAL for malformed
 * text (no change to *jid is promised), WG_ETOOBIG for over-long parts. */
int wg_jid_parse(const char *s, size_t len, wg_jid_t *jid);

/* Appends the canonical text form to out (inverse of wg_jid_parse for
 * everything it accepts). May reallocate out. */
void wg_jid_format(const wg_jid_t *jid, wg_buf_t *out);

/* Sets *jid to user@server without device or agent. Returns WG_ETOOBIG or
 * WG_EINVAL (empty server, or '@'/':' in a part) like wg_jid_parse. */
int wg_jid_make(wg_jid_t *jid, const char *user, const char *server);

/* Writes user@server of a JID text (device and agent dropped) and a NUL
 * into out[n]; *parsed (optional) gets the JID as parsed. 0, or WG_EINVAL
 * for NULL, unparseable or user-less text, or when out is too small. */
int wg_jid_bare_text(const char *text, char *out, size_t n, wg_jid_t *parsed);

/* AD_JID domain type of the server: 1 lid, 128 hosted, 129 hosted.lid, the
 * agent for s.whatsapp.net with an agent, else 0. */
uint8_t wg_jid_domain_type(const wg_jid_t *jid);

/* True when both name the same account: same user and server, ignoring device
 * and agent. */
bool wg_jid_same_user(const wg_jid_t *a, const wg_jid_t *b);

/* Server predicates. */
bool wg_jid_is_user(const wg_jid_t *jid);  /* s.whatsapp.net, c.us, lid, hosted, hosted.lid */
bool wg_jid_is_group(const wg_jid_t *jid); /* g.us */
bool wg_jid_is_lid(const wg_jid_t *jid);   /* lid or hosted.lid */
bool wg_jid_is_broadcast(const wg_jid_t *jid);
bool wg_jid_is_status_broadcast(const wg_jid_t *jid); /* status@broadcast */
bool wg_jid_is_newsletter(const wg_jid_t *jid);

/* Appends the Signal protocol address name (wa-protocol.md §4.3): the user for
 * domain 0, else "<user>_<domain>"; *device_out gets the device (0 if none).
 * May reallocate out. */
void wg_jid_signal_address(const wg_jid_t *jid, wg_buf_t *out, uint32_t *device_out);

#endif
