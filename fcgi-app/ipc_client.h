/* Blocking IPC client of wagate-fcgi: one persistent Unix-socket
 * connection to connd per request thread. A call sends one framed Request
 * and waits, with poll() and a deadline, for the Reply carrying the same id.
 * A dead connection (connd restarted) is replaced once per call; when connd
 * cannot be reached at all the call fails at once so the caller can answer
 * 503 without waiting. Not thread-safe: one client per thread. */
#ifndef WG_FCGI_IPC_CLIENT_H
#define WG_FCGI_IPC_CLIENT_H
#include "ipc.pb-c.h"
#include "wg_arena.h"
#include "wg_buf.h"
#include "wg_frame.h"
#include <stdint.h>

typedef struct {
    int fd;                  /* connected socket, -1 when not connected */
    char path[108];          /* connd's socket path (sun_path size) */
    int timeout_ms;          /* deadline of one call, WAGATE_IPC_TIMEOUT_MS */
    uint64_t next_id;        /* id of the next request */
    wg_frame_decoder_t in;   /* reply bytes received and not yet decoded */
    wg_buf_t out;            /* frame being sent */
    int64_t (*clock)(void);  /* monotonic milliseconds; injectable for tests */
    uint64_t generation;     /* bumped at every successful connect */
    int peer_pid;            /* connd's process id (SO_PEERCRED) on this connection, 0 unknown */
} wg_ipc_client_t;

/* Prepares a client; connects lazily on the first call. Free with
 * wg_ipc_client_free(). */
void wg_ipc_client_init(wg_ipc_client_t *c, const char *path, int timeout_ms);
/* Closes the socket and frees buffers; the client may be re-initialised. */
void wg_ipc_client_free(wg_ipc_client_t *c);

/* 1 when the kept connection is up and connd has not hung up on it (one
 * non-blocking peek, no round trip): connd is running, and it is the
 * process peer_pid names. 0 when not connected or connd went away (the next
 * call reconnects or fails). */
int wg_ipc_client_alive(wg_ipc_client_t *c);

/* Sends req (req->id is assigned here) and waits for its reply, which is
 * unpacked into the arena (*reply valid until the arena is reset).
 * Returns WG_OK; WG_ECLOSED when connd cannot be reached (no socket,
 * refused, or it hung up twice); WG_ETIMEDOUT when the deadline passed
 * (the connection is then dropped so a late reply cannot be mistaken for
 * the next one); WG_EPROTO when connd sent bytes that are not a Reply. */
int wg_ipc_client_call(wg_ipc_client_t *c, Wg__Ipc__Request *req, wg_arena_t *a,
                       Wg__Ipc__Reply **reply);

#endif
