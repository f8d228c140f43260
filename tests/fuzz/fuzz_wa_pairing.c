/* libFuzzer target: the protobuf inputs of connd/wa that come from outside or
 * from disk: a pair-success <device-identity> container (wg_wa_pair_success,
 * hostile server input) and a stored credentials record (wg_wa_creds_unpack).
 * The first byte picks the parser. Must never crash or leak. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wa/creds.h"
#include "wa/pairing.h"
#include "wg_buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    wg_wa_creds_t c;
    if (data[0] & 1) {
        wg_wa_creds_unpack(data + 1, size - 1, &c);
        return 0;
    }
    /* fixed creds so the HMAC check can pass for crafted inputs */
    memset(&c, 0, sizeof c);
    c.identity_pub[0] = 9;
    wg_buf_t reply = WG_BUF_INIT;
    uint32_t key_index = 0;
    const char *why = NULL;
    wg_wa_pair_success(&c, data + 1, size - 1, "1:2@s.whatsapp.net", "3:2@lid", "android", &reply,
                       &key_index, &why);
    wg_buf_free(&reply);
    return 0;
}
