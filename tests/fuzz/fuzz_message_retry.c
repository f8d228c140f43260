/* libFuzzer target: connd/message/retry's reader of <receipt type="retry">
 * (retry count, the device, <keys> + <registration> into a pre-key
 * bundle) and connd/message/stanza's bundle reader behind it. The input is
 * a binary node body. Anything accepted must name a device and a count in
 * range. */
#include <stdint.h>
#include <stdlib.h>

#include "message/retry.h"
#include "wa/binnode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wg_node_t *n = NULL;
    if (wg_node_decode_body(data, size, &n) != 0)
        return 0;
    wg_retry_receipt_t r;
    if (wg_retry_parse(n, &r) == 0 && (!r.device || !r.id || r.count == 0 || r.count > 1000))
        abort();
    wg_node_free(n);
    return 0;
}
