/* IPC connection protocol state (see conn.h). A malformed frame closes the
 * connection: without a decodable request there is no id to answer to. */
#include "ipc/conn.h"
#include "ipc/dispatch.h"
#include "wg_err.h"
#include "wg_ipc.h"
#include "wg_log.h"

int wg_ipc_conn_on_data(wg_connd_t *d, wg_ipc_conn_t *c, const void *p, size_t n)
{
    if (c->broken)
        return WG_EPROTO;
    wg_frame_feed(&c->in, p, n);
    wg_slice_t frame;
    int rc;
    while ((rc = wg_frame_next(&c->in, &frame)) == 1) {
        Wg__Ipc__Request *req = wg_ipc_unpack_request(frame);
        if (!req) {
            wg_log(WG_LOG_WARN, "msg=\"undecodable IPC request, closing\" conn=%llu",
                   (unsigned long long)c->serial);
            c->broken = 1;
            return WG_EPROTO;
        }
        wg_dispatch(d, c->serial, req);
    }
    if (rc < 0) {
        wg_log(WG_LOG_WARN, "msg=\"oversize IPC frame, closing\" conn=%llu",
               (unsigned long long)c->serial);
        c->broken = 1;
        return rc;
    }
    return WG_OK;
}

int wg_ipc_conn_queue(wg_ipc_conn_t *c, const Wg__Ipc__Reply *reply)
{
    if (c->out.len - c->out_pos > WG_IPC_OUT_MAX)
        return WG_ETOOBIG;
    if (c->out_pos && c->out_pos == c->out.len) {
        wg_buf_reset(&c->out);
        c->out_pos = 0;
    }
    return wg_ipc_pack_reply(reply, &c->out);
}

wg_slice_t wg_ipc_conn_pending_out(const wg_ipc_conn_t *c)
{
    return wg_slice(c->out.p + c->out_pos, c->out.len - c->out_pos);
}

void wg_ipc_conn_wrote(wg_ipc_conn_t *c, size_t n)
{
    c->out_pos += n;
    if (c->out_pos >= c->out.len) {
        wg_buf_reset(&c->out);
        c->out_pos = 0;
    }
}

void wg_ipc_conn_free_state(wg_ipc_conn_t *c)
{
    wg_frame_decoder_free(&c->in);
    wg_buf_free(&c->out);
}
