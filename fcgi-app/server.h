/* The FastCGI side of wagate-fcgi: N request threads, each accepting with
 * FCGX_Accept_r under one mutex, reading the request, dispatching it and
 * writing the response; per thread one arena (reset after every response)
 * and one IPC client. The only file that includes fcgiapp.h. */
#ifndef WG_FCGI_SERVER_H
#define WG_FCGI_SERVER_H
#include "app.h"

/* Runs app->threads request threads on listen_fd (0 when spawned by the web
 * server) until wg_server_stop(). FCGX_Init() must have been called.
 * Returns WG_OK, or WG_EIO when no thread could start. Call once. */
int wg_server_run(const wg_app_t *app, int listen_fd);

/* Asks the threads to exit: no new request is accepted, a request in
 * progress finishes. Async-signal-safe (meant for the SIGTERM handler);
 * works before wg_server_run() too. */
void wg_server_stop(void);

#endif
