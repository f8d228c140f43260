/* One HTTP response under construction, and its CGI-style serialisation
 * ("Status: ..." header block + body) for the FastCGI stdout stream.
 * Owns nothing: strings point into the request arena or static storage.
 * Never touches FastCGI streams (server.c writes the serialised bytes). */
#ifndef WG_FCGI_RESPONSE_H
#define WG_FCGI_RESPONSE_H
#include "wg_arena.h"
#include "wg_buf.h"
#include <jansson.h>
#include <stddef.h>

#define WG_RESPONSE_MAX_HEADERS 12

typedef struct {
    const char *name;  /* header name, e.g. "Vary" */
    const char *value; /* header value, no CR/LF */
} wg_header_t;

typedef struct {
    int status;               /* HTTP status code */
    const char *content_type; /* NULL when there is no body */
    const char *body;         /* body bytes or NULL for an empty body */
    size_t body_len;          /* bytes in body */
    wg_header_t headers[WG_RESPONSE_MAX_HEADERS]; /* extra headers */
    size_t n_headers;         /* used entries of headers */
} wg_response_t;

/* Resets resp to "200, empty body, no headers". */
void wg_response_init(wg_response_t *resp);
/* Adds one header (strings must outlive resp). Returns WG_ETOOBIG when full. */
int wg_response_add_header(wg_response_t *resp, const char *name, const char *value);
/* Sets status and a compact JSON body dumped from doc into the arena; doc is
 * borrowed (the caller still decrefs it). */
void wg_response_set_json(wg_response_t *resp, int status, const json_t *doc, wg_arena_t *a);
/* Sets status and a JSON body that is already compact JSON text (a document
 * connd rendered), sent as it is; text is borrowed and must outlive resp
 * (the request's arena). */
void wg_response_set_json_text(wg_response_t *resp, int status, const char *text, size_t len);
/* Sets status and an empty body (e.g. 204, or Evolution's disabled websocket). */
void wg_response_set_empty(wg_response_t *resp, int status);
/* Reason phrase for a status ("Bad Request"); never NULL. */
const char *wg_http_reason(int status);
/* Appends the CGI header block and body to out. May reallocate out. */
void wg_response_serialize(const wg_response_t *resp, wg_buf_t *out);

#endif
