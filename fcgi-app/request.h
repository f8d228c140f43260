/* One HTTP request as wagate-fcgi sees it: the FastCGI parameters it uses
 * and the body, copied into the request arena with the body bounded by
 * WAGATE_MAX_BODY_BYTES (CONTENT_LENGTH is a hint, never trusted). The
 * FastCGI streams are reached through wg_request_io_t so this module is
 * tested without libfcgi. */
#ifndef WG_FCGI_REQUEST_H
#define WG_FCGI_REQUEST_H
#include "wg_arena.h"
#include <stddef.h>

typedef struct {
    /* FastCGI parameter by name, NULL when absent; valid until the request ends */
    const char *(*param)(void *ctx, const char *name);
    /* Reads up to n body bytes into buf: count, 0 at end of body, <0 on error */
    int (*read)(void *ctx, char *buf, int n);
    void *ctx; /* passed to both */
} wg_request_io_t;

typedef struct {
    const char *method; /* REQUEST_METHOD, "GET" when absent */
    const char *path;   /* REQUEST_URI up to '?', raw (still %-encoded) */
    const char *query;  /* QUERY_STRING (or REQUEST_URI after '?'), "" when none */
    const char *apikey; /* HTTP_APIKEY, NULL when absent */
    const char *origin; /* HTTP_ORIGIN, NULL when absent */
    const char *host;   /* HTTP_HOST, "" when absent */
    const char *scheme; /* "https" when HTTPS is on or REQUEST_SCHEME says so, else "http" */
    char *body;         /* NUL-terminated body bytes ("" when none) */
    size_t body_len;    /* bytes in body, excluding the NUL */
    int body_too_big;   /* 1 when the body exceeded max_body (body is then truncated) */
    int input_drained;  /* 1 when the body stream was read to its end (nothing left unread) */
} wg_request_t;

/* Fills r from io, everything copied into the arena. Reads at most
 * max_body + 1 bytes of body. Returns WG_OK, or WG_EIO when the body
 * stream failed (r is still usable; the body is what arrived). */
int wg_request_read(wg_request_t *r, const wg_request_io_t *io, size_t max_body, wg_arena_t *a);

#endif
