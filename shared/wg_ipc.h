/* IPC message helpers: protobuf-c Request/Reply <-> framed bytes.
 * Used by both ends; never touches a socket. Unpacked messages are owned by
 * the caller and freed with the matching *_free function. */
#ifndef WG_IPC_H
#define WG_IPC_H
#include "ipc.pb-c.h"
#include "wg_buf.h"

/* Packs msg and appends one frame to out. May reallocate out. */
int wg_ipc_pack_request(const Wg__Ipc__Request *msg, wg_buf_t *out);
int wg_ipc_pack_reply(const Wg__Ipc__Reply *msg, wg_buf_t *out);
/* Decodes one frame payload; NULL when it is not a valid message. Free with
 * wg_ipc_request_free / wg_ipc_reply_free (both accept NULL). */
Wg__Ipc__Request *wg_ipc_unpack_request(wg_slice_t frame);
Wg__Ipc__Reply *wg_ipc_unpack_reply(wg_slice_t frame);
void wg_ipc_request_free(Wg__Ipc__Request *msg);
void wg_ipc_reply_free(Wg__Ipc__Reply *msg);

#endif
