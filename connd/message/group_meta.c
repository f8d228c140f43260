/* Group metadata and its cache (see group_meta.h). */
#include "message/group_meta.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wa/jid.h"
#include "wg_alloc.h"
#include "wg_err.h"

int wg_group_meta_parse(const wg_node_t *reply, const char *gid, wg_group_meta_t *out)
{
    memset(out, 0, sizeof *out);
    const char *type = reply ? wg_node_attr(reply, "type") : NULL;
    const wg_node_t *g = reply ? wg_node_child(reply, "group") : NULL;
    if (!type || strcmp(type, "result") != 0 || !g || !gid)
        return WG_EPROTO;
    /* the id comes without the server ("120363…") or as a JID */
    const char *id = wg_node_attr(g, "id");
    char full[160];
    if (!id ||
        (size_t)snprintf(full, sizeof full, strchr(id, '@') ? "%s" : "%s@g.us", id) >=
            sizeof full ||
        strcmp(full, gid) != 0)
        return WG_EPROTO;
    snprintf(out->gid, sizeof out->gid, "%s", gid);
    const char *mode = wg_node_attr(g, "addressing_mode");
    snprintf(out->addressing_mode, sizeof out->addressing_mode, "%s",
             mode && strcmp(mode, "pn") == 0 ? "pn" : "lid");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < g->child_count; i++) {
        const wg_node_t *c = g->children[i];
        if (strcmp(c->tag, "ephemeral") == 0) {
            const char *e = wg_node_attr(c, "expiration");
            out->expiration = e ? (uint32_t)strtoul(e, NULL, 10) : 0;
            continue;
        }
        if (strcmp(c->tag, "participant") != 0)
            continue;
        char jid[160];
        if (wg_jid_bare_text(wg_node_attr(c, "jid"), jid, sizeof jid, NULL) != 0) {
            rc = WG_EPROTO;
            break;
        }
        if (out->n >= WG_GROUP_MAX_PARTICIPANTS)
            break;
        out->participants = wg_realloc(out->participants, (out->n + 1) * sizeof *out->participants);
        out->participants[out->n++] = wg_strdup(jid);
    }
    if (rc)
        wg_group_meta_free(out);
    return rc;
}

void wg_group_meta_free(wg_group_meta_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        free(m->participants[i]);
    free(m->participants);
    memset(m, 0, sizeof *m);
}

/* ------------------------------------------------------------ cache */

typedef struct {
    char *instance_id;    /* owner (owned); NULL = free slot */
    uint64_t generation;  /* the connection it was read on */
    uint64_t stamp;       /* insertion order, for eviction */
    wg_group_meta_t meta; /* the metadata */
} entry_t;

static entry_t g_cache[WG_GROUP_CACHE_MAX];
static uint64_t g_stamp;

static void entry_clear(entry_t *e)
{
    free(e->instance_id);
    wg_group_meta_free(&e->meta);
    memset(e, 0, sizeof *e);
}

const wg_group_meta_t *wg_group_cache_get(const char *instance_id, uint64_t generation,
                                          const char *gid)
{
    for (size_t i = 0; i < WG_GROUP_CACHE_MAX; i++) {
        entry_t *e = &g_cache[i];
        if (e->instance_id && e->generation == generation &&
            strcmp(e->instance_id, instance_id) == 0 && strcmp(e->meta.gid, gid) == 0)
            return &e->meta;
    }
    return NULL;
}

void wg_group_cache_put(const char *instance_id, uint64_t generation, wg_group_meta_t *m)
{
    wg_group_cache_drop(instance_id, m->gid);
    entry_t *slot = NULL;
    for (size_t i = 0; i < WG_GROUP_CACHE_MAX && !slot; i++)
        if (!g_cache[i].instance_id)
            slot = &g_cache[i];
    if (!slot) {
        slot = &g_cache[0];
        for (size_t i = 1; i < WG_GROUP_CACHE_MAX; i++)
            if (g_cache[i].stamp < slot->stamp)
                slot = &g_cache[i];
        entry_clear(slot);
    }
    slot->instance_id = wg_strdup(instance_id);
    slot->generation = generation;
    slot->stamp = ++g_stamp;
    slot->meta = *m;
    memset(m, 0, sizeof *m);
}

void wg_group_cache_drop(const char *instance_id, const char *gid)
{
    for (size_t i = 0; i < WG_GROUP_CACHE_MAX; i++) {
        entry_t *e = &g_cache[i];
        if (e->instance_id && strcmp(e->instance_id, instance_id) == 0 &&
            (!gid || strcmp(e->meta.gid, gid) == 0))
            entry_clear(e);
    }
}
