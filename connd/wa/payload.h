/* ClientPayload construction (wa-protocol.md §3): the registration payload of
 * an unpaired companion (devicePairingData, DeviceProps) and the login
 * payload of a paired one, with the browser description wagate presents
 * (CONFIG_SESSION_PHONE_CLIENT / _NAME). Also the one protobuf-c helper the
 * WhatsApp modules share. Pure; no I/O. */
#ifndef WG_WA_PAYLOAD_H
#define WG_WA_PAYLOAD_H
#include <protobuf-c/protobuf-c.h>
#include <stdint.h>

#include "wa/creds.h"
#include "wg_buf.h"

/* WhatsApp Web version presented: 2.3000.WG_WA_VERSION_TERTIARY (Baileys 7). */
#define WG_WA_VERSION_TERTIARY 1035194821u

typedef struct {
    const char *client;   /* device name the phone shows, e.g. "Evolution API" (DeviceProps.os) */
    const char *browser;  /* "Chrome", "Firefox", "Safari", "Edge", "Opera", "Desktop"... */
} wg_wa_browser_t;

/* DeviceProps.PlatformType for a browser name (CHROME for unknown names). */
int wg_wa_browser_platform_type(const char *browser);
/* The QR / pairing-code platform id ("1" Chrome, "2" Edge, "3" Firefox,
 * "4" IE, "5" Opera, "6" Safari, "7" Electron for Desktop; §5.1 step 3). */
const char *wg_wa_browser_platform_id(const char *browser);

/* Appends the serialized registration ClientPayload for c. Returns 0. */
int wg_wa_payload_registration(const wg_wa_creds_t *c, const wg_wa_browser_t *b, wg_buf_t *out);
/* Appends the serialized login ClientPayload. Returns 0 or WG_EINVAL
 * (c is not paired or me_jid is malformed). */
int wg_wa_payload_login(const wg_wa_creds_t *c, wg_buf_t *out);

/* Appends the packed protobuf-c message to out. May reallocate out. */
void wg_wa_pb_append(const ProtobufCMessage *m, wg_buf_t *out);

#endif
