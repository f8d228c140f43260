/* libFuzzer target: Engine.IO polling payloads and WebSocket frames.
 * The input is decoded as a polling body, then fed to a real Engine.IO
 * server (echo handlers) as a POST body and, split at 0x00 bytes, as
 * WebSocket messages (a chunk's first byte chooses text or binary). Any
 * crash, leak or sanitizer report is a bug; malformed input must only
 * produce error responses and closes. */
#include "sio/eio_packet.h"
#include "sio/sio_conformance.h"
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

static void drain_ws(wg_eio_server_t *srv, wg_eio_ws_t *ws)
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
    /* 1. the codec alone */
    wg_eio_payload_reader_t r;
    wg_eio_payload_reader_init(&r, data, size);
    wg_eio_packet_t p;
    wg_buf_t again = WG_BUF_INIT;
    int rc;
    while ((rc = wg_eio_payload_next(&r, &p)) == 1)
        wg_eio_payload_append(&again, &p);
    if (rc == 0 && wg_eio_payload_validate(again.p, again.len) < 0)
        abort(); /* what decodes must re-encode to something that decodes */
    wg_buf_free(&again);
    wg_eio_payload_reader_free(&r);

    /* 2. a server session fed the same bytes */
    wg_eio_config_t cfg;
    wg_eio_config_defaults(&cfg);
    wg_eio_conformance_config(&cfg);
    cfg.max_payload = 4096;
    cfg.max_queue_bytes = 1 << 16;
    cfg.clock = fuzz_clock;
    cfg.random = fuzz_random;
    wg_eio_handlers_t h;
    wg_eio_conformance_handlers(&h);
    wg_eio_server_t *srv = wg_eio_server_new(&cfg, &h);
    fake_now = 0;
    wg_eio_request_t req = {.method = WG_EIO_METHOD_GET, .query = "EIO=4&transport=polling"};
    wg_eio_response_t resp = WG_EIO_RESPONSE_INIT;
    wg_eio_http(srv, &req, &resp);
    char query[96] = "EIO=4&transport=polling&sid=";
    const char *sid = strstr(wg_buf_cstr(&resp.body), "\"sid\":\"");
    if (sid)
        strncat(query, sid + 7, 20);
    wg_eio_response_free(&resp);
    wg_eio_request_t post = {
        .method = WG_EIO_METHOD_POST, .query = query, .body = data, .body_len = size};
    memset(&resp, 0, sizeof resp);
    wg_eio_http(srv, &post, &resp);
    wg_eio_response_free(&resp);
    wg_eio_request_t get = {.method = WG_EIO_METHOD_GET, .query = query};
    memset(&resp, 0, sizeof resp);
    wg_eio_http(srv, &get, &resp);
    if (resp.parked) {
        wg_eio_response_t done = WG_EIO_RESPONSE_INIT;
        fake_now += 300;
        wg_eio_tick(srv);
        wg_eio_poll_resume(srv, resp.poll, &done);
        wg_eio_response_free(&done);
        wg_eio_poll_cancel(srv, resp.poll);
    }
    wg_eio_response_free(&resp);

    /* 3. WebSocket messages: an upgrade probe on that sid, then a ws-only session */
    static char user;
    wg_eio_response_t reject = WG_EIO_RESPONSE_INIT;
    wg_eio_ws_t *ws = NULL;
    wg_eio_request_t wsreq = {
        .method = WG_EIO_METHOD_GET, .query = "EIO=4&transport=websocket", .user = &user};
    if (wg_eio_ws_open(srv, &wsreq, &ws, &reject) == 0) {
        size_t start = 0;
        for (size_t i = 0; i <= size; i++) {
            if (i == size || data[i] == 0) {
                if (i > start) {
                    int binary = data[start] & 0x80;
                    wg_eio_ws_message(srv, ws, data + start + 1, i - start - 1, binary);
                    drain_ws(srv, ws);
                }
                start = i + 1;
                fake_now += 50;
                wg_eio_tick(srv);
            }
        }
        drain_ws(srv, ws);
        wg_eio_ws_closed(srv, ws);
    }
    wg_eio_response_free(&reject);
    wg_eio_server_free(srv);
    return 0;
}
