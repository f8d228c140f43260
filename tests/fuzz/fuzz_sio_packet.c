/* libFuzzer target: Socket.IO packets. The whole input is decoded as one
 * packet (and re-encoded when valid); then, split at 0x00 bytes, the chunks
 * are fed as Engine.IO messages (first byte's top bit: binary) both to a
 * bare decoder and to the conformance Socket.IO server over a WebSocket
 * session, so namespace, ack and attachment handling see hostile input. */
#include "sio/sio_conformance.h"
#include "sio/sio_packet.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int64_t fake_now;

static int64_t fuzz_clock(void *ud)
{
    (void)ud;
    return fake_now;
}

static void fuzz_random(void *ud, uint8_t *out, size_t n)
{
    (void)ud;
    static uint8_t x;
    for (size_t i = 0; i < n; i++)
        out[i] = x++;
}

static void check_round_trip(const uint8_t *data, size_t size)
{
    wg_sio_packet_t p;
    if (wg_sio_packet_decode(data, size, &p) != 0)
        return;
    wg_buf_t out = WG_BUF_INIT;
    if (wg_sio_packet_encode(&out, p.type, p.nsp, p.ack_id, p.json, p.json_len,
                             p.attachment_count) == 0) {
        wg_sio_packet_t q;
        /* a namespace without ',' gains one; "5"/"6" with 0 attachments stay binary types */
        if (wg_sio_packet_decode(out.p, out.len, &q) != 0 || q.ack_id != p.ack_id ||
            strcmp(q.nsp, p.nsp) != 0)
            abort();
        wg_sio_packet_free(&q);
    }
    wg_buf_t name = WG_BUF_INIT, args = WG_BUF_INIT;
    if (wg_sio_event_split(&p, &name, &args) == 0) {
        wg_buf_t ev = WG_BUF_INIT;
        if (wg_sio_event_json(&ev, wg_buf_cstr(&name), (const char *)args.p, args.len) != 0)
            abort();
        wg_buf_free(&ev);
    }
    wg_buf_free(&name);
    wg_buf_free(&args);
    wg_buf_free(&out);
    wg_sio_packet_free(&p);
}

static void drain(wg_eio_server_t *srv, wg_eio_ws_t *ws)
{
    wg_eio_frame_t f;
    for (int i = 0; i < 64; i++) {
        wg_eio_ws_pull(srv, ws, &f);
        if (f.kind == WG_EIO_FRAME_NONE || f.kind == WG_EIO_FRAME_CLOSE)
            break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_round_trip(data, size);

    wg_sio_decoder_t d;
    wg_sio_decoder_init(&d);
    wg_sio_config_t cfg;
    wg_sio_config_defaults(&cfg);
    wg_sio_conformance_config(&cfg);
    cfg.eio.clock = fuzz_clock;
    cfg.eio.random = fuzz_random;
    cfg.eio.max_queue_bytes = 1 << 16;
    fake_now = 0;
    wg_sio_server_t *sio = wg_sio_server_new(&cfg);
    wg_sio_conformance_install(sio);
    wg_eio_server_t *srv = wg_sio_server_eio(sio);
    static char user;
    wg_eio_request_t req = {
        .method = WG_EIO_METHOD_GET, .query = "EIO=4&transport=websocket", .user = &user};
    wg_eio_response_t reject = WG_EIO_RESPONSE_INIT;
    wg_eio_ws_t *ws = NULL;
    wg_eio_ws_open(srv, &req, &ws, &reject);
    wg_eio_response_free(&reject);
    if (ws) {
        wg_eio_ws_message(srv, ws, (const uint8_t *)"40", 2, 0);
        drain(srv, ws);
    }
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != 0)
            continue;
        if (i > start) {
            int binary = data[start] & 0x80;
            const uint8_t *chunk = data + start + 1;
            size_t len = i - start - 1;
            wg_sio_packet_t p;
            if (wg_sio_decoder_feed(&d, chunk, len, binary, &p) == 1)
                wg_sio_packet_free(&p);
            if (ws) {
                /* on the wire every Socket.IO packet is an Engine.IO message */
                if (binary) {
                    wg_eio_ws_message(srv, ws, chunk, len, 1);
                } else {
                    uint8_t *msg = malloc(len + 1);
                    msg[0] = '4';
                    if (len)
                        memcpy(msg + 1, chunk, len);
                    wg_eio_ws_message(srv, ws, msg, len + 1, 0);
                    free(msg);
                }
                drain(srv, ws);
            }
        }
        start = i + 1;
        fake_now += 100;
        wg_sio_tick(sio);
    }
    wg_sio_decoder_free(&d);
    if (ws) {
        drain(srv, ws);
        wg_eio_ws_closed(srv, ws);
    }
    wg_sio_server_free(sio);
    return 0;
}
