/* One IPC connection's protocol state, free of sockets: bytes in ->
 * requests dispatched; replies -> bytes queued for the transport to write.
 * The lws adapter (ipc/server.c) owns the socket and the lifetime. */
#ifndef WG_IPC_CONN_H
#define WG_IPC_CONN_H
#include "core/daemon.h"
#include "wg_buf.h"
#include "wg_frame.h"
#include <stdint.h>

#define WG_IPC_OUT_MAX (64u * 1024u * 1024u) /* a client not reading this much is dropped */

typedef struct wg_ipc_conn wg_ipc_conn_t;
struct wg_ipc_conn {
    uint64_t serial;          /* unique id; deferred replies find the conn by it */
    wg_frame_decoder_t in;    /* partial input */
    wg_buf_t out;             /* encoded replies not yet written */
    size_t out_pos;           /* bytes of out already written */
    int broken;               /* protocol error: close after flushing nothing more */
    void *transport;          /* the lws wsi, opaque here */
    wg_ipc_conn_t *next;      /* server's list */
};

/* Feeds received bytes; dispatches every whole request. Returns 0, or
 * WG_EPROTO / WG_ETOOBIG when the peer broke the protocol (close it). */
int wg_ipc_conn_on_data(wg_connd_t *d, wg_ipc_conn_t *c, const void *p, size_t n);
/* Queues an encoded reply. Returns WG_ETOOBIG when the output cap is hit. */
int wg_ipc_conn_queue(wg_ipc_conn_t *c, const Wg__Ipc__Reply *reply);
/* Bytes waiting to be written, and marking some as written. */
wg_slice_t wg_ipc_conn_pending_out(const wg_ipc_conn_t *c);
void wg_ipc_conn_wrote(wg_ipc_conn_t *c, size_t n);
void wg_ipc_conn_free_state(wg_ipc_conn_t *c);

#endif
