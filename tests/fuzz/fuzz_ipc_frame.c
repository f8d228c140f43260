/* Fuzz target: the IPC frame decoder and request decoder as connd runs them
 * on untrusted socket input. The first byte chooses the chunk size the rest
 * is fed in, so splits at every position are explored. */
#include "wg_frame.h"
#include "wg_ipc.h"
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t chunk = (size_t)(data[0] % 17) + 1;
    data++;
    size--;
    wg_frame_decoder_t d;
    wg_frame_decoder_init(&d, 1 << 16);
    for (size_t off = 0; off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        wg_frame_feed(&d, data + off, n);
        wg_slice_t frame;
        int rc;
        while ((rc = wg_frame_next(&d, &frame)) == 1) {
            Wg__Ipc__Request *req = wg_ipc_unpack_request(frame);
            if (req) {
                /* re-encoding what we decoded must work */
                wg_buf_t out = WG_BUF_INIT;
                wg_ipc_pack_request(req, &out);
                wg_buf_free(&out);
            }
            wg_ipc_request_free(req);
            wg_ipc_reply_free(wg_ipc_unpack_reply(frame));
        }
        if (rc < 0)
            break;
    }
    wg_frame_decoder_free(&d);
    return 0;
}
