/* HTTP-facing helpers of the Engine.IO server: query parsing, the error
 * response table (spec §1.5) and CORS headers (spec §1.9). Used by
 * eio_session.c; holds no state and never sees a session. */
#ifndef WG_EIO_HTTP_H
#define WG_EIO_HTTP_H
#include "sio/eio_session.h"

/* Static message of an Engine.IO error code ("Transport unknown", ...). */
const char *wg_eio_error_message(int code);
/* Turns resp into the error answer: 400 (403 for code 4) with
 * application/json {"code":N,"message":"..."}. */
void wg_eio_response_error(wg_eio_response_t *resp, int code);
/* Adds a header (value copied). Silently drops headers beyond the array. */
void wg_eio_response_add_header(wg_eio_response_t *resp, const char *name, const char *value);
/* Adds the CORS headers the configured origin list allows for req. */
void wg_eio_response_cors(const wg_eio_config_t *cfg, const wg_eio_request_t *req,
                          wg_eio_response_t *resp);
/* Fills the 204 answer to an OPTIONS preflight (CORS headers included). */
void wg_eio_response_preflight(const wg_eio_config_t *cfg, const wg_eio_request_t *req,
                               wg_eio_response_t *resp);

#endif
