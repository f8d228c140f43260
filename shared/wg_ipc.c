/* protobuf-c packing for IPC envelopes (see wg_ipc.h). */
#include "wg_ipc.h"
#include "wg_err.h"
#include "wg_frame.h"

static int pack_message(const ProtobufCMessage *msg, wg_buf_t *out)
{
    size_t n = protobuf_c_message_get_packed_size(msg);
    if (n > 0xffffffffu)
        return WG_ETOOBIG;
    uint8_t h[WG_FRAME_HEADER] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8),
                                  (uint8_t)n};
    wg_buf_reserve(out, WG_FRAME_HEADER + n);
    wg_buf_append(out, h, sizeof h);
    protobuf_c_message_pack(msg, out->p + out->len);
    out->len += n;
    out->p[out->len] = '\0';
    return WG_OK;
}

int wg_ipc_pack_request(const Wg__Ipc__Request *msg, wg_buf_t *out)
{
    return pack_message(&msg->base, out);
}

int wg_ipc_pack_reply(const Wg__Ipc__Reply *msg, wg_buf_t *out)
{
    return pack_message(&msg->base, out);
}

Wg__Ipc__Request *wg_ipc_unpack_request(wg_slice_t frame)
{
    return wg__ipc__request__unpack(NULL, frame.len, frame.p);
}

Wg__Ipc__Reply *wg_ipc_unpack_reply(wg_slice_t frame)
{
    return wg__ipc__reply__unpack(NULL, frame.len, frame.p);
}

void wg_ipc_request_free(Wg__Ipc__Request *msg)
{
    if (msg)
        wg__ipc__request__free_unpacked(msg, NULL);
}

void wg_ipc_reply_free(Wg__Ipc__Reply *msg)
{
    if (msg)
        wg__ipc__reply__free_unpacked(msg, NULL);
}
