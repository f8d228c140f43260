/* Servers for the official protocol suites (spec §3.1-3.3), for a future
 * `connd --sio-conformance`: the raw Engine.IO echo server the
 * engine.io-protocol suite talks to under /engine.io/, and the Socket.IO
 * namespaces "/" and "/custom" the socket.io-protocol suite expects under
 * /socket.io/. Only configuration and handlers live here; the adapter that
 * puts them on port 3000 is the caller's. */
#ifndef WG_SIO_CONFORMANCE_H
#define WG_SIO_CONFORMANCE_H
#include "sio/eio_session.h"
#include "sio/sio_server.h"

/* Suite timings: pingInterval 300, pingTimeout 200, maxPayload 1000000,
 * CORS origin "*". Callbacks (clock, random, wake) are left as they were. */
void wg_eio_conformance_config(wg_eio_config_t *cfg);
/* Handlers that echo every message back as it came (text as text, binary
 * as binary): the engine.io-protocol suite's server. */
void wg_eio_conformance_handlers(wg_eio_handlers_t *h);

/* wg_eio_conformance_config() plus connectTimeout 1000. */
void wg_sio_conformance_config(wg_sio_config_t *cfg);
/* Registers "/" and "/custom": on connection emit "auth" with the CONNECT
 * payload; on "/" answer "message" with "message-back" (same args and
 * attachments) and "message-with-ack" with an ack of the same args. */
void wg_sio_conformance_install(wg_sio_server_t *srv);

#endif
