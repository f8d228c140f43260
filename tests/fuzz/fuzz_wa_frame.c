/* libFuzzer target: frame reassembly. The first byte picks the size of the
 * chunks the rest is fed in; every complete frame must re-frame to the same
 * bytes, and the reader must never hand out more than it was given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wa/frame.h"
#include "wg_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t chunk = (size_t)data[0] + 1, total = 0;
    data++;
    size--;
    wg_wa_frame_reader_t r;
    wg_wa_frame_reader_init(&r, 4096);
    for (size_t fed = 0; fed < size;) {
        size_t n = size - fed < chunk ? size - fed : chunk;
        wg_wa_frame_reader_feed(&r, data + fed, n);
        fed += n;
        wg_slice_t frame;
        int rc;
        while ((rc = wg_wa_frame_reader_next(&r, &frame)) == 0) {
            wg_buf_t again = WG_BUF_INIT;
            if (wg_wa_frame_append(&again, frame.p, frame.len) != 0 || again.len != frame.len + 3 ||
                memcmp(again.p + 3, frame.p, frame.len) != 0 ||
                memcmp(again.p, data + total, 3) != 0)
                abort();
            total += again.len;
            wg_buf_free(&again);
        }
        if (total > fed)
            abort();
        if (rc == WG_ETOOBIG)
            break;
        if (rc != WG_EAGAIN)
            abort();
    }
    wg_wa_frame_reader_free(&r);
    return 0;
}
