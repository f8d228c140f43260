/* libFuzzer target: the transport receive path. Input is a byte stream from
 * the server: frames are reassembled, decrypted with the fixed client_rx key
 * of tests/unit/connd/wa/vectors/wa_handshake.json (so the seed corpus holds
 * real frames that decrypt), and every authentic plaintext is decoded as a
 * node. Forged frames must fail without moving the counter. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wa/binnode.h"
#include "wa/frame.h"
#include "wa/transport.h"
#include "wg_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t client_rx[32] = {
    0xa0, 0xe7, 0x66, 0x2f, 0xbd, 0x9b, 0x79, 0x4e, 0xe9, 0x3c, 0x01, 0x4b, 0x89, 0x41, 0x7c, 0x1a,
    0xe1, 0x3d, 0x79, 0x70, 0x73, 0x49, 0x44, 0x19, 0xb6, 0xf6, 0x04, 0x71, 0xa2, 0x81, 0x91, 0x5d,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wg_wa_transport_t t;
    memset(&t, 0, sizeof t);
    wg_noise_cipher_init(&t.recv, client_rx, WG_NOISE_WHATSAPP);
    wg_wa_frame_reader_t r;
    wg_wa_frame_reader_init(&r, 1 << 16);
    wg_wa_frame_reader_feed(&r, data, size);
    wg_slice_t frame;
    while (wg_wa_frame_reader_next(&r, &frame) == 0) {
        wg_buf_t plain = WG_BUF_INIT;
        uint64_t nonce = t.recv.nonce;
        int rc = wg_wa_transport_open(&t, frame.p, frame.len, &plain);
        if (rc == 0) {
            wg_node_t *node = NULL;
            if (wg_node_decode(plain.p, plain.len, 1 << 20, &node) == 0)
                wg_node_free(node);
        } else if (t.recv.nonce != nonce || plain.len != 0) {
            abort();
        }
        wg_buf_free(&plain);
    }
    wg_wa_frame_reader_free(&r);
    wg_wa_transport_wipe(&t);
    return 0;
}
