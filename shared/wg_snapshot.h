/* The state snapshot: a small memory-mapped file in which connd publishes
 * what the hottest read-only route (GET /instance/connectionState/:name with
 * the instance's own token) needs, so wagate-fcgi answers it without an IPC
 * round trip. connd is the only writer; any number of processes read it
 * without locks under a sequence counter (a seqlock): the counter is odd
 * while the writer changes the table, and a reader that saw it change (or
 * odd) reads again.
 *
 * Contents per committed instance: name, connection state, statusReason and
 * a keyed BLAKE2b hash of its token (never the token itself; the key, random
 * per file, is in the header). The global key is not in it: requests with
 * the global key, wrong keys and unknown names always go to connd, so every
 * error answer still comes from connd.
 *
 * Growing replaces the file (new file, rename over the path) and marks the
 * old mapping retired; connd stopping also retires it. A reader that finds
 * its mapping retired, or the file missing, uses IPC and reopens later.
 * This module does file and memory work only: no sockets, no logging. */
#ifndef WG_SNAPSHOT_H
#define WG_SNAPSHOT_H
#include <stddef.h>
#include <stdint.h>

#define WG_SNAPSHOT_NAME_MAX 64  /* longest instance name (wg_names) */
#define WG_SNAPSHOT_STATE_MAX 15 /* longest connection state ("connecting") fits */
#define WG_SNAPSHOT_HASH_BYTES 32

/* One instance as connd hands it to the writer. */
typedef struct {
    const char *name;      /* instance name, at most WG_SNAPSHOT_NAME_MAX bytes */
    const char *state;     /* open | close | connecting */
    const char *token;     /* instance token, hashed before it is written */
    int has_status_reason; /* 1 when status_reason is set */
    int32_t status_reason; /* last connection statusReason */
} wg_snapshot_entry_t;

/* What a hit tells the reader. */
typedef struct {
    char state[WG_SNAPSHOT_STATE_MAX + 1]; /* NUL-terminated */
    int has_status_reason;                 /* 1 when status_reason is set */
    int32_t status_reason;                 /* last connection statusReason */
} wg_snapshot_state_t;

/* ------------------------------------------------------------- writer (connd) */

typedef struct wg_snapshot_writer wg_snapshot_writer_t;

/* Creates the file at path (through path.tmp and a rename, mode 0640) with
 * an empty table and this process's id. Returns WG_OK and *out (free with wg_snapshot_writer_free),
 * or WG_EIO. One writer per path: the caller makes sure of that (connd opens
 * it only once it owns the IPC socket). */
int wg_snapshot_writer_open(const char *path, wg_snapshot_writer_t **out);
/* Replaces the table with entries[0..n). Entries with names or states that
 * do not fit are left out (readers then ask connd). Returns WG_OK, or WG_EIO
 * when a bigger file could not be made (the old one is then retired, so
 * readers use IPC and nothing stale is served). */
int wg_snapshot_writer_publish(wg_snapshot_writer_t *w, const wg_snapshot_entry_t *entries,
                               size_t n);
/* Marks the file retired (readers use IPC from now on) and unlinks it. */
void wg_snapshot_writer_retire(wg_snapshot_writer_t *w);
/* Retires (if not yet), unmaps and frees. NULL is a no-op. */
void wg_snapshot_writer_free(wg_snapshot_writer_t *w);

/* ----------------------------------------------------------- reader (fcgi) */

typedef struct {
    const uint8_t *map; /* read-only shared mapping, NULL when not open */
    size_t map_len;     /* its length */
    uint32_t capacity;  /* slots in the table */
    int32_t writer_pid; /* process id of the connd that made the file */
} wg_snapshot_reader_t;

/* clang-format off */
#define WG_SNAPSHOT_READER_INIT {NULL, 0, 0, 0}
/* clang-format on */

/* Maps the file at path (closing any earlier mapping of r) and sets
 * r->writer_pid, which the caller compares with the peer of its IPC
 * connection: a file left by a connd that was killed is never trusted.
 * Returns WG_OK,
 * WG_ENOTFOUND when there is no file, WG_EPROTO when it is not a snapshot of
 * this version. Not thread-safe: one reader per thread. */
int wg_snapshot_reader_open(wg_snapshot_reader_t *r, const char *path);
/* Unmaps; r may be opened again. */
void wg_snapshot_reader_close(wg_snapshot_reader_t *r);
/* 1 when r is mapped and the writer has not retired the file. */
int wg_snapshot_reader_usable(const wg_snapshot_reader_t *r);

typedef enum {
    WG_SNAPSHOT_HIT,     /* the instance exists and apikey is its token: *out is filled */
    WG_SNAPSHOT_MISS,    /* anything else (unknown name, other key): ask connd */
    WG_SNAPSHOT_RETIRED, /* the file was replaced or connd stopped: reopen, ask connd */
} wg_snapshot_result_t;

/* Looks name up and checks apikey against the instance's token hash.
 * Lock-free; retries a bounded number of times while the writer is busy and
 * answers MISS if it stays busy. */
wg_snapshot_result_t wg_snapshot_lookup(const wg_snapshot_reader_t *r, const char *name,
                                        const char *apikey, wg_snapshot_state_t *out);

#endif
