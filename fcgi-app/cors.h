/* CORS for browser callers, driven by CORS_ORIGIN ("*" or a comma list of
 * origins). Requests without an Origin header are server-to-server calls and
 * are always served: Evolution rejects them with a 500 "Not allowed by CORS"
 * whenever CORS_ORIGIN is not "*", which breaks curl and webhooks for no
 * security gain (CORS only protects browsers, and browsers always send
 * Origin on cross-origin requests). */
#ifndef WG_FCGI_CORS_H
#define WG_FCGI_CORS_H
#include "response.h"

typedef enum {
    WG_CORS_NO_ORIGIN = 0, /* no Origin header: not a cross-origin browser call */
    WG_CORS_ALLOWED = 1,   /* Origin is on the list (or the list is "*") */
    WG_CORS_DENIED = 2,    /* Origin present and not allowed */
} wg_cors_verdict_t;

/* Decides for one request. allowed is CORS_ORIGIN; origin may be NULL. */
wg_cors_verdict_t wg_cors_check(const char *allowed, const char *origin);

/* Adds Access-Control-Allow-Origin (and Vary: Origin when the origin is
 * echoed) to an ordinary response when the verdict is ALLOWED. */
void wg_cors_apply(const char *allowed, const char *origin, wg_response_t *resp);

/* Turns resp into the 204 answer to an OPTIONS preflight (allowed or
 * origin-less callers); the Allow-* headers are static strings. */
void wg_cors_preflight(const char *allowed, const char *origin, wg_response_t *resp);

#endif
