/* Per-connection usync device lists (see device_cache.h). A small array
 * searched linearly: a send touches one entry, and drops are rare. */
#include "message/device_cache.h"

#include <stdlib.h>
#include <string.h>

#include "wa/jid.h"
#include "wg_alloc.h"
#include "wg_buf.h"

typedef struct {
    char *instance_id;    /* owner (owned), NULL = free slot */
    uint64_t generation;  /* the connection it was asked on */
    char *chat;           /* key (owned) */
    wg_node_t *list;      /* the usync <list> (owned) */
    int64_t at_ms;        /* when it was asked */
} entry_t;

static entry_t g_entries[WG_DEVICE_CACHE_MAX];

static void entry_clear(entry_t *e)
{
    free(e->instance_id);
    free(e->chat);
    wg_node_free(e->list);
    memset(e, 0, sizeof *e);
}

const wg_node_t *wg_device_cache_get(const char *instance_id, uint64_t generation,
                                     const char *chat, int64_t now_ms)
{
    for (size_t i = 0; i < WG_DEVICE_CACHE_MAX; i++) {
        entry_t *e = &g_entries[i];
        if (!e->instance_id || e->generation != generation || strcmp(e->chat, chat) != 0 ||
            strcmp(e->instance_id, instance_id) != 0)
            continue;
        if (now_ms - e->at_ms >= WG_DEVICE_CACHE_TTL_MS || now_ms < e->at_ms) {
            entry_clear(e);
            return NULL;
        }
        return e->list;
    }
    return NULL;
}

void wg_device_cache_put(const char *instance_id, uint64_t generation, const char *chat,
                         const wg_node_t *list, int64_t now_ms)
{
    wg_node_t *copy = list ? wg_node_copy(list) : NULL;
    if (!copy)
        return;
    entry_t *slot = NULL;
    for (size_t i = 0; i < WG_DEVICE_CACHE_MAX; i++) {
        entry_t *e = &g_entries[i];
        if (e->instance_id && strcmp(e->instance_id, instance_id) == 0 &&
            strcmp(e->chat, chat) == 0) {
            slot = e; /* the chat's older entry, of any connection */
            break;
        }
        if (!slot || (slot->instance_id && (!e->instance_id || e->at_ms < slot->at_ms)))
            slot = e; /* a free slot, else the oldest */
    }
    entry_clear(slot);
    slot->instance_id = wg_strdup(instance_id);
    slot->generation = generation;
    slot->chat = wg_strdup(chat);
    slot->list = copy;
    slot->at_ms = now_ms;
}

/* Whether a and b name the same user (device part ignored). */
static int same_user(const char *a, const char *b)
{
    wg_jid_t x, y;
    if (!a || !b || wg_jid_parse(a, strlen(a), &x) != 0 || wg_jid_parse(b, strlen(b), &y) != 0)
        return 0;
    return strcmp(x.user, y.user) == 0 && strcmp(x.server, y.server) == 0;
}

static int names(const entry_t *e, const char *jid)
{
    if (same_user(e->chat, jid))
        return 1;
    for (size_t i = 0; e->list && i < e->list->child_count; i++)
        if (same_user(wg_node_attr(e->list->children[i], "jid"), jid))
            return 1;
    return 0;
}

void wg_device_cache_drop(const char *instance_id, const char *jid)
{
    for (size_t i = 0; i < WG_DEVICE_CACHE_MAX; i++) {
        entry_t *e = &g_entries[i];
        if (!e->instance_id || (instance_id && strcmp(e->instance_id, instance_id) != 0))
            continue;
        if (!instance_id || !jid || names(e, jid))
            entry_clear(e);
    }
}
