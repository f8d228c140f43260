/* WhatsApp client handshake messages (wa-protocol.md §2.2): ClientHello,
 * ServerHello, ClientFinish around a WhatsApp-mode Noise XX initiator. The
 * Noise message layout (e || enc(s) || enc(payload)) maps onto the protobuf
 * fields by fixed lengths. It never proceeds past a failed certificate check. */
#include "wa/handshake.h"

#include <string.h>

#include <sodium.h>

#include "wa/cert.h"
#include "wa/frame.h"
#include "wa/pbwire.h"
#include "wg_err.h"

#define ENC_KEY_LEN (WG_NOISE_KEY_LEN + WG_NOISE_TAG_LEN)

int wg_wa_handshake_init(wg_wa_handshake_t *hs, const uint8_t noise_priv[32],
                         const uint8_t *ephemeral_priv, const uint8_t *root_key)
{
    memset(hs, 0, sizeof *hs);
    memcpy(hs->root_key, root_key ? root_key : wg_wa_cert_root_key, 32);
    return wg_noise_handshake_init(&hs->noise, WG_NOISE_WHATSAPP, true, NULL, 0, noise_priv,
                                   ephemeral_priv);
}

/* Appends frame(HandshakeMessage{field: inner}). */
static int put_handshake_frame(wg_buf_t *out, uint32_t field, const wg_buf_t *inner)
{
    wg_buf_t msg = WG_BUF_INIT;
    wg_pb_put_bytes_field(&msg, field, inner->p, inner->len);
    int rc = wg_wa_frame_append(out, msg.p, msg.len);
    wg_buf_free(&msg);
    return rc;
}

int wg_wa_handshake_hello(wg_wa_handshake_t *hs, const uint8_t *routing, size_t routing_len,
                          wg_buf_t *out)
{
    wg_buf_t noise_msg = WG_BUF_INIT, hello = WG_BUF_INIT;
    int rc;
    if (hs->step != 0)
        return WG_ESTATE;
    if ((rc = wg_wa_frame_intro(out, routing, routing_len)))
        return rc;
    if ((rc = wg_noise_handshake_write(&hs->noise, NULL, 0, &noise_msg)))
        goto done;
    /* ClientHello{ephemeral = 1} */
    wg_pb_put_bytes_field(&hello, 1, noise_msg.p, noise_msg.len);
    if ((rc = put_handshake_frame(out, WG_WA_HS_CLIENT_HELLO, &hello)))
        goto done;
    hs->step = 1;
done:
    wg_buf_free(&noise_msg);
    wg_buf_free(&hello);
    return rc;
}

int wg_wa_handshake_read_server_hello(wg_wa_handshake_t *hs, const uint8_t *payload, size_t len,
                                      int64_t now)
{
    wg_pb_reader_t r;
    wg_pb_field_t f;
    wg_slice_t hello = {NULL, 0}, ephemeral = {NULL, 0}, stat = {NULL, 0}, cert = {NULL, 0};
    wg_buf_t noise_msg = WG_BUF_INIT, chain = WG_BUF_INIT;
    int rc;
    if (hs->step != 1)
        return WG_ESTATE;
    wg_pb_reader_init(&r, payload, len);
    while ((rc = wg_pb_next(&r, &f)) == 1)
        if (f.number == WG_WA_HS_SERVER_HELLO && f.wire == WG_PB_BYTES)
            hello = f.bytes;
    if (rc != 0 || !hello.p)
        return WG_EPROTO;
    wg_pb_reader_init(&r, hello.p, hello.len);
    while ((rc = wg_pb_next(&r, &f)) == 1) {
        if (f.wire != WG_PB_BYTES)
            continue;
        if (f.number == 1)
            ephemeral = f.bytes;
        else if (f.number == 2)
            stat = f.bytes;
        else if (f.number == 3)
            cert = f.bytes;
    }
    /* whatsmeow's checks: 32-byte ephemeral, static and payload present. */
    if (rc != 0 || ephemeral.len != WG_NOISE_KEY_LEN || stat.len != ENC_KEY_LEN || !cert.p)
        return WG_EPROTO;
    wg_buf_append(&noise_msg, ephemeral.p, ephemeral.len);
    wg_buf_append(&noise_msg, stat.p, stat.len);
    if (cert.len)
        wg_buf_append(&noise_msg, cert.p, cert.len);
    rc = wg_noise_handshake_read(&hs->noise, noise_msg.p, noise_msg.len, &chain);
    if (rc == 0 && !hs->skip_cert_check)
        rc = wg_wa_cert_verify(chain.p, chain.len, hs->root_key, hs->noise.rs, now);
    if (rc == 0)
        hs->step = 2;
    wg_buf_free(&noise_msg);
    wg_buf_free(&chain);
    return rc;
}

int wg_wa_handshake_finish(wg_wa_handshake_t *hs, const uint8_t *client_payload, size_t len,
                           wg_buf_t *out)
{
    wg_buf_t noise_msg = WG_BUF_INIT, finish = WG_BUF_INIT;
    int rc;
    if (hs->step != 2)
        return WG_ESTATE;
    if ((rc = wg_noise_handshake_write(&hs->noise, client_payload, len, &noise_msg)))
        goto done;
    /* ClientFinish{static = 1, payload = 2} */
    wg_pb_put_bytes_field(&finish, 1, noise_msg.p, ENC_KEY_LEN);
    wg_pb_put_bytes_field(&finish, 2, noise_msg.p + ENC_KEY_LEN, noise_msg.len - ENC_KEY_LEN);
    if ((rc = put_handshake_frame(out, WG_WA_HS_CLIENT_FINISH, &finish)))
        goto done;
    hs->step = 3;
done:
    if (noise_msg.p)
        sodium_memzero(noise_msg.p, noise_msg.len);
    wg_buf_free(&noise_msg);
    wg_buf_free(&finish);
    return rc;
}

int wg_wa_handshake_split(wg_wa_handshake_t *hs, wg_wa_transport_t *transport)
{
    if (hs->step != 3)
        return WG_ESTATE;
    return wg_noise_handshake_split(&hs->noise, &transport->send, &transport->recv);
}

const uint8_t *wg_wa_handshake_server_static(const wg_wa_handshake_t *hs)
{
    return hs->noise.rs;
}

void wg_wa_handshake_wipe(wg_wa_handshake_t *hs)
{
    sodium_memzero(hs, sizeof *hs);
}
