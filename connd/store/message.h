/* The message table: one row per WhatsApp message key id and instance
 * (Evolution's Message model, evolution-api.md §5; issue 6). The key and
 * message objects are stored as the JSON text the events carry, so a row
 * read back is exactly what messages.upsert announced. Same threading and
 * return-code rules as store.h (worker thread only).
 *
 * Transactions: wg_store_message_insert is one statement and opens none of
 * its own, so a caller may run it inside a running transaction (connd's
 * receive job does, together with the Signal ratchet step). */
#ifndef WG_STORE_MESSAGE_H
#define WG_STORE_MESSAGE_H
#include "store/store.h"

#include <stdint.h>

/* One message (borrowed strings). */
typedef struct {
    const char *key_id;        /* WhatsApp message id, unique per instance (required) */
    const char *remote_jid;    /* the chat (required) */
    int from_me;               /* sent by this account (any of its devices) */
    const char *participant;   /* group sender, NULL otherwise */
    const char *push_name;     /* sender's push name or NULL */
    const char *message_type;  /* Evolution's messageType (required) */
    const char *key_json;      /* the key object, JSON (required) */
    const char *message_json;  /* the message object, JSON (required) */
    int64_t message_timestamp; /* seconds */
    const char *status;        /* PENDING, SERVER_ACK, DELIVERY_ACK, READ... (required) */
    const char *source;        /* "web", "android", "ios", "unknown" (required) */
} wg_store_message_t;

/* Stores m for instance_id unless a row with the same key id exists.
 * *inserted (may be NULL) is 1 when a row was written, 0 for a duplicate
 * (the stored row is kept as it was). row_id (may be NULL) gets the new
 * row's UUID (unchanged on a duplicate), *rowid (may be NULL) its SQLite
 * rowid (0 on a duplicate), a hint for wg_store_message_set_status_at.
 * Returns 0, WG_EINVAL (a required field missing), WG_ENOTFOUND (no such
 * instance) or WG_EDB. */
int wg_store_message_insert(wg_store_t *s, const char *instance_id, const wg_store_message_t *m,
                            int *inserted, char row_id[37], int64_t *rowid);
/* 1 when instance_id has a message with key_id, 0 when not, <0 WG_EDB. */
int wg_store_message_exists(wg_store_t *s, const char *instance_id, const char *key_id);
/* Sets the status of one message. 0, WG_ENOTFOUND or WG_EDB. */
int wg_store_message_set_status(wg_store_t *s, const char *instance_id, const char *key_id,
                                const char *status);
/* The same, with the rowid wg_store_message_insert gave as a hint: the row
 * is found without the key-id index search when the rowid still holds that
 * message (instance and key id are checked), by its key id otherwise, and
 * with a rowid <= 0. Same results. */
int wg_store_message_set_status_at(wg_store_t *s, int64_t rowid, const char *instance_id,
                                   const char *key_id, const char *status);
/* Replaces the message object (JSON text) of one message, e.g. after an
 * edit; key, type and status stay. Joins the caller's transaction. 0,
 * WG_EINVAL, WG_ENOTFOUND or WG_EDB. */
int wg_store_message_set_content(wg_store_t *s, const char *instance_id, const char *key_id,
                                 const char *message_json);

/* updateMessage (evolution-api.md §3.2): replaces the message object of
 * one message with message_json and sets its status to EDITED, as
 * Evolution does. 0, WG_EINVAL, WG_ENOTFOUND or WG_EDB. */
int wg_store_message_edit(wg_store_t *s, const char *instance_id, const char *key_id,
                          const char *message_json);

/* findMessages filters (evolution-api.md §3.2); NULL / -1 = no filter. */
typedef struct {
    const char *id;           /* row id */
    const char *key_id;       /* where.key.id */
    const char *remote_jid;   /* where.key.remoteJid */
    int from_me;              /* where.key.fromMe: 0/1, -1 any */
    const char *participant;  /* where.key.participant */
    const char *message_type; /* where.messageType */
    int64_t ts_gte;           /* messageTimestamp >= (seconds), -1 none */
    int64_t ts_lte;           /* messageTimestamp <=, -1 none */
    int64_t offset;           /* rows skipped (newest first) */
    int64_t limit;            /* at most this many rows */
} wg_store_message_query_t;

/* One row of a find (borrowed for the callback). */
typedef struct {
    const char *id;            /* row UUID */
    const char *key_json;      /* stored key object */
    const char *push_name;     /* or NULL */
    const char *message_type;  /* messageType */
    const char *message_json;  /* stored message object */
    int64_t message_timestamp; /* seconds */
    const char *status;        /* current status */
    const char *source;        /* source */
} wg_store_message_row_t;

/* Calls row(ud, r) for each message of instance_id matching q, newest
 * first (timestamp, then insertion order), and sets *total to the count of
 * all matches (before offset/limit). A callback returning nonzero stops
 * the walk with that code. Returns 0, WG_EINVAL or WG_EDB. */
int wg_store_message_find(wg_store_t *s, const char *instance_id, const wg_store_message_query_t *q,
                          int (*row)(void *ud, const wg_store_message_row_t *r), void *ud,
                          int64_t *total);

#endif
