/* Evolution's error envelope (evolution-api.md §1):
 *   {"status":N,"error":"<reason>","response":{"message":[...]}}
 * with the 401 form carrying message as a plain string. Also the small list
 * type that validation fills with messages. Memory comes from the arena. */
#ifndef WG_FCGI_ERRORS_H
#define WG_FCGI_ERRORS_H
#include "response.h"
#include "wg_arena.h"

#define WG_MSGS_MAX 32

typedef struct {
    const char *items[WG_MSGS_MAX]; /* messages, arena or static strings */
    size_t n;                       /* used entries; extra adds are dropped */
} wg_msgs_t;

/* Appends a formatted message copied into the arena (dropped when full). */
void wg_msgs_add(wg_msgs_t *m, wg_arena_t *a, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets resp to the envelope with message = array of m's items. */
void wg_error_respond(wg_response_t *resp, wg_arena_t *a, int status, const wg_msgs_t *m);
/* Same with a one-element array. */
void wg_error_respond1(wg_response_t *resp, wg_arena_t *a, int status, const char *message);
/* Same with a message list connd built as JSON (sendText's 400 carries
 * objects); text that is not a JSON array falls back to a one-item list. */
void wg_error_respond_json(wg_response_t *resp, wg_arena_t *a, int status, const char *list_json);
/* Same with message as a plain string (Evolution's 401 form). */
void wg_error_respond_string(wg_response_t *resp, wg_arena_t *a, int status, const char *message);
/* The bare 401 every missing/wrong key gets. */
void wg_error_unauthorized(wg_response_t *resp, wg_arena_t *a);

#endif
