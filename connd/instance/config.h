/* Per-instance configuration rows: settings, webhook, websocket, proxy.
 * Applies Evolution's rules before storing (spec evolution-api.md §3.3-3.6):
 * a disabled webhook/websocket keeps no events, an enabled one with an empty
 * list gets every subscription name; a disabled proxy is blanked.
 * Loop thread only. */
#ifndef WG_INSTANCE_CONFIG_H
#define WG_INSTANCE_CONFIG_H
#include "instance/lifecycle.h"
#include "instance/persist.h"

/* Normalizers (in place; the messages must be malloc-owned, e.g. unpacked). */
void wg_webhook_normalize(Wg__Ipc__Webhook *w);
void wg_websocket_normalize(Wg__Ipc__Websocket *w);
void wg_proxy_normalize(Wg__Ipc__Proxy *p);

/* Stores msg (kind says which row type) for inst and, on success, installs
 * the stored row in inst->row and calls cb(ctx, 0, inst); on failure
 * cb(ctx, rc, NULL). msg is borrowed. */
void wg_instance_config_set(wg_connd_t *d, wg_instance_t *inst, wg_persist_kind_t kind,
                            const ProtobufCMessage *msg, wg_op_cb cb, void *ctx);

#endif
