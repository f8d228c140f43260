/* The conformance mode of connd (see conformance.h): wires the suite
 * servers of connd/sio/sio_conformance.c to a standalone endpoint. Owns
 * nothing else; must never be reachable from the daemon's normal mode. */
#include "realtime/conformance.h"
#include "realtime/sio_endpoint.h"
#include "sio/sio_conformance.h"
#include "wg_err.h"
#include "wg_log.h"

typedef struct {
    wg_eio_server_t *eio; /* /engine.io/: raw echo */
    wg_sio_server_t *sio; /* /socket.io/: "/" and "/custom" */
} conformance_t;

static int setup(wg_sio_endpoint_t *ep, void *ud)
{
    conformance_t *c = ud;
    wg_eio_config_t ecfg;
    wg_eio_config_defaults(&ecfg);
    wg_eio_conformance_config(&ecfg);
    wg_sio_endpoint_attach(ep, &ecfg);
    wg_eio_handlers_t eh;
    wg_eio_conformance_handlers(&eh);
    c->eio = wg_eio_server_new(&ecfg, &eh);

    wg_sio_config_t scfg;
    wg_sio_config_defaults(&scfg);
    wg_sio_conformance_config(&scfg);
    wg_sio_endpoint_attach(ep, &scfg.eio);
    c->sio = wg_sio_server_new(&scfg);
    wg_sio_conformance_install(c->sio);

    int rc = wg_sio_endpoint_mount_eio(ep, "/engine.io/", c->eio);
    if (rc == WG_OK)
        rc = wg_sio_endpoint_mount_sio(ep, "/socket.io/", c->sio);
    return rc;
}

static void teardown(void *ud)
{
    conformance_t *c = ud;
    wg_sio_server_free(c->sio);
    wg_eio_server_free(c->eio);
}

int wg_realtime_conformance_run(int port)
{
    conformance_t c = {0};
    wg_buf_t err = WG_BUF_INIT;
    wg_log(WG_LOG_INFO, "msg=\"Socket.IO conformance mode\" port=%d", port);
    int rc = wg_sio_endpoint_run_standalone(port, setup, teardown, &c, &err);
    if (rc)
        wg_log(WG_LOG_ERROR, "msg=\"%s\"", wg_buf_cstr(&err));
    wg_buf_free(&err);
    return rc ? 1 : 0;
}
