/* The in-memory instance table of connd: every instance row (with its
 * settings, webhook, websocket and proxy rows) keyed by name and by id.
 * It mirrors the store (loaded at startup, written through store jobs), so
 * reads never touch SQLite. Loop thread only. Never does I/O. */
#ifndef WG_REGISTRY_H
#define WG_REGISTRY_H
#include "ipc.pb-c.h"
#include <stddef.h>
#include <stdint.h>

typedef struct wg_instance wg_instance_t;
struct wg_instance {
    Wg__Ipc__Instance *row;   /* owned; free with wg_pb_free (protobuf-c, malloc-backed) */
    int committed;            /* 0 while the create job has not committed */
    int deleting;             /* delete in progress: the name stays taken until it ends */
    int64_t delete_deadline_ms; /* DEL_INSTANCE deadline (UTC ms), 0 = none */
    void *wa;                 /* the WhatsApp connection, owned by connd/wa (later) */
    wg_instance_t *next_name; /* hash chain by name */
    wg_instance_t *next_all;  /* list of all instances, newest last */
    wg_instance_t *prev_all;  /* back link of next_all */
};

typedef struct wg_registry wg_registry_t;

wg_registry_t *wg_registry_new(void);
/* Frees every instance and its row. NULL is a no-op. */
void wg_registry_free(wg_registry_t *reg);
/* Takes ownership of row; the name must not be present. Returns the entry. */
wg_instance_t *wg_registry_add(wg_registry_t *reg, Wg__Ipc__Instance *row);
/* Unlinks and frees the entry and its row. */
void wg_registry_remove(wg_registry_t *reg, wg_instance_t *inst);
wg_instance_t *wg_registry_find(const wg_registry_t *reg, const char *name);
wg_instance_t *wg_registry_find_id(const wg_registry_t *reg, const char *id);
/* Iteration in creation order: for (i = first(r); i; i = i->next_all). */
wg_instance_t *wg_registry_first(const wg_registry_t *reg);
size_t wg_registry_count(const wg_registry_t *reg);

/* protobuf-c helpers for rows held here: a deep copy through pack/unpack
 * (so every field is malloc-owned and wg_pb_free releases it all). */
void *wg_pb_clone(const ProtobufCMessage *msg);
void wg_pb_free(void *msg);
/* Replaces *field (a malloc-owned string of a row) with a copy of value. */
void wg_pb_set_str(char **field, const char *value);

#endif
