/* Server certificate chain check for the WhatsApp Noise handshake
 * (wa-protocol.md §2.3 "Full check list"). It decides trust only from the
 * root key it is given and never accepts a partial chain. */
#include "wa/cert.h"

#include <string.h>

#include <sodium.h>

#include "wa/pbwire.h"
#include "wa/xeddsa.h"
#include "wg_err.h"

const uint8_t wg_wa_cert_root_key[32] = {
    0x14, 0x23, 0x75, 0x57, 0x4d, 0x0a, 0x58, 0x71, 0x66, 0xaa, 0xe7, 0x1e, 0xbe, 0x51, 0x64, 0x37,
    0xc4, 0xa2, 0x8b, 0x73, 0xe3, 0x69, 0x5c, 0x6c, 0xe1, 0xf7, 0xf9, 0x54, 0x5d, 0xa8, 0xee, 0x6b,
};

typedef struct {
    wg_slice_t details;   /* field 1 */
    wg_slice_t signature; /* field 2 */
} noise_cert_t;

int wg_wa_cert_details_parse(const uint8_t *p, size_t len, wg_wa_cert_details_t *out)
{
    wg_pb_reader_t r;
    wg_pb_field_t f;
    int rc;
    memset(out, 0, sizeof *out);
    wg_pb_reader_init(&r, p, len);
    while ((rc = wg_pb_next(&r, &f)) == 1) {
        switch (f.number) {
        case 1:
        case 2:
            if (f.wire != WG_PB_VARINT || f.value > UINT32_MAX)
                return WG_EPROTO;
            if (f.number == 1)
                out->serial = (uint32_t)f.value;
            else
                out->issuer_serial = (uint32_t)f.value;
            break;
        case 3:
            if (f.wire != WG_PB_BYTES || f.bytes.len != 32)
                return WG_EPROTO;
            memcpy(out->key, f.bytes.p, 32);
            out->has_key = true;
            break;
        case 4:
        case 5:
            if (f.wire != WG_PB_VARINT)
                return WG_EPROTO;
            if (f.number == 4)
                out->not_before = f.value;
            else
                out->not_after = f.value;
            break;
        }
    }
    return rc == 0 ? 0 : WG_EPROTO;
}

static int parse_noise_cert(wg_slice_t in, noise_cert_t *out)
{
    wg_pb_reader_t r;
    wg_pb_field_t f;
    int rc;
    memset(out, 0, sizeof *out);
    wg_pb_reader_init(&r, in.p, in.len);
    while ((rc = wg_pb_next(&r, &f)) == 1) {
        if ((f.number == 1 || f.number == 2) && f.wire != WG_PB_BYTES)
            return WG_EPROTO;
        if (f.number == 1)
            out->details = f.bytes;
        else if (f.number == 2)
            out->signature = f.bytes;
    }
    return rc == 0 ? 0 : WG_EPROTO;
}

static bool in_window(const wg_wa_cert_details_t *d, int64_t now)
{
    return now < 0 || (d->not_before <= (uint64_t)now && (uint64_t)now <= d->not_after);
}

int wg_wa_cert_verify(const uint8_t *chain, size_t len, const uint8_t root_key[32],
                      const uint8_t server_static[32], int64_t now)
{
    wg_pb_reader_t r;
    wg_pb_field_t f;
    noise_cert_t leaf, intermediate;
    wg_wa_cert_details_t leaf_details, intermediate_details;
    wg_slice_t leaf_bytes = {NULL, 0}, intermediate_bytes = {NULL, 0};
    int rc;

    wg_pb_reader_init(&r, chain, len);
    while ((rc = wg_pb_next(&r, &f)) == 1) {
        if ((f.number == 1 || f.number == 2) && f.wire != WG_PB_BYTES)
            return WG_EPROTO;
        if (f.number == 1)
            leaf_bytes = f.bytes;
        else if (f.number == 2)
            intermediate_bytes = f.bytes;
    }
    if (rc != 0 || !leaf_bytes.p || !intermediate_bytes.p)
        return WG_EPROTO;
    if (parse_noise_cert(leaf_bytes, &leaf) || parse_noise_cert(intermediate_bytes, &intermediate))
        return WG_EPROTO;
    /* 1 */
    if (!leaf.details.p || !intermediate.details.p || leaf.signature.len != 64 ||
        intermediate.signature.len != 64)
        return WG_EPROTO;
    /* 2 */
    if (wg_xeddsa_verify(root_key, intermediate.details.p, intermediate.details.len,
                         intermediate.signature.p))
        return WG_ECRYPTO;
    /* 3 */
    if (wg_wa_cert_details_parse(intermediate.details.p, intermediate.details.len,
                                 &intermediate_details))
        return WG_EPROTO;
    if (intermediate_details.issuer_serial != WG_WA_CERT_ROOT_SERIAL ||
        !intermediate_details.has_key)
        return WG_ECRYPTO;
    /* 4 */
    if (wg_xeddsa_verify(intermediate_details.key, leaf.details.p, leaf.details.len,
                         leaf.signature.p))
        return WG_ECRYPTO;
    if (wg_wa_cert_details_parse(leaf.details.p, leaf.details.len, &leaf_details) ||
        !leaf_details.has_key)
        return WG_EPROTO;
    /* 5 */
    if (!in_window(&intermediate_details, now) || !in_window(&leaf_details, now))
        return WG_ETIMEDOUT;
    /* 6 */
    if (leaf_details.issuer_serial != intermediate_details.serial)
        return WG_ECRYPTO;
    /* 7 */
    if (sodium_memcmp(leaf_details.key, server_static, 32) != 0)
        return WG_ECRYPTO;
    return 0;
}
