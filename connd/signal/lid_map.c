/* LID <-> PN addressing (see lid_map.h). The only place that turns a
 * mapping into a Signal session move; it never decides which form a
 * stanza's sender is (connd/message/receive.c does). */
#include "signal/lid_map.h"
#include "signal/context.h"
#include "store/lid_map.h"
#include "wa/jid.h"
#include "wg_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses text as a user JID on server (WG_JID_SERVER_USER or _LID). */
static int parse_on(const char *text, const char *server, wg_jid_t *j)
{
    if (!text || wg_jid_parse(text, strlen(text), j) != 0 || !j->user[0] ||
        strcmp(j->server, server) != 0)
        return WG_EINVAL;
    return 0;
}

int wg_lid_map_record(wg_store_t *store, const char *instance_id, const char *lid_jid,
                      const char *pn_jid)
{
    wg_jid_t lid, pn;
    if (parse_on(lid_jid, WG_JID_SERVER_LID, &lid) || parse_on(pn_jid, WG_JID_SERVER_USER, &pn))
        return WG_EINVAL;
    return wg_store_lid_map_put(store, instance_id, lid.user, pn.user);
}

/* Looks up the other user and formats it on server with from's device. */
static int lookup(wg_store_t *store, const char *instance_id, const char *jid, const char *from,
                  const char *to, char *out, size_t n)
{
    wg_jid_t j, other;
    char user[WG_STORE_LID_USER_MAX];
    if (!out || !n || parse_on(jid, from, &j))
        return WG_EINVAL;
    int rc = strcmp(from, WG_JID_SERVER_USER) == 0
                 ? wg_store_lid_map_lid(store, instance_id, j.user, user, sizeof user)
                 : wg_store_lid_map_pn(store, instance_id, j.user, user, sizeof user);
    if (rc < 0)
        return rc;
    if (wg_jid_make(&other, user, to) != 0)
        return WG_EDB;
    other.device = j.device;
    other.has_device = j.has_device && j.device != 0;
    wg_buf_t b = WG_BUF_INIT;
    wg_jid_format(&other, &b);
    rc = b.len < n ? 0 : WG_EINVAL;
    if (rc == 0)
        memcpy(out, b.p, b.len + 1);
    wg_buf_free(&b);
    return rc;
}

int wg_lid_map_lookup_lid(wg_store_t *store, const char *instance_id, const char *pn_jid,
                          char *out, size_t n)
{
    return lookup(store, instance_id, pn_jid, WG_JID_SERVER_USER, WG_JID_SERVER_LID, out, n);
}

int wg_lid_map_lookup_pn(wg_store_t *store, const char *instance_id, const char *lid_jid,
                         char *out, size_t n)
{
    return lookup(store, instance_id, lid_jid, WG_JID_SERVER_LID, WG_JID_SERVER_USER, out, n);
}

/* Moves the record of (kind, from, device) to (kind, to, device) unless `to`
 * has one. 1 moved, 0 nothing to move or already there, <0 failure. */
static int move_record(wg_signal_t *s, wg_signal_key_kind_t kind, const char *from, const char *to,
                       int64_t device)
{
    wg_signal_key_id_t src = {s->instance_id, kind, NULL, from, device};
    wg_signal_key_id_t dst = {s->instance_id, kind, NULL, to, device};
    signal_buffer *rec = NULL, *there = NULL;
    int rc = signal_record_load(s, &dst, &there, NULL);
    if (rc == 0)
        rc = signal_record_load(s, &src, &rec, NULL);
    else if (rc == 1)
        rc = 0; /* the LID address already has its own: keep it */
    if (rc == 1)
        rc = signal_record_save(s, &dst, signal_buffer_data(rec), signal_buffer_len(rec));
    if (rc == 0 && rec)
        rc = 1;
    if (rc >= 0) {
        int del = signal_record_delete(s, &src);
        if (del < 0)
            rc = del;
    }
    signal_buffer_bzero_free(rec);
    signal_buffer_bzero_free(there);
    return rc;
}

int wg_lid_map_migrate_sessions(wg_signal_t *s, const char *pn_jid, const char *lid_jid)
{
    wg_jid_t pn, lid;
    if (!s || parse_on(pn_jid, WG_JID_SERVER_USER, &pn) || parse_on(lid_jid, WG_JID_SERVER_LID, &lid))
        return WG_EINVAL;
    wg_signal_addr_t from, to;
    char bare[WG_JID_USER_MAX + 32];
    snprintf(bare, sizeof bare, "%s@" WG_JID_SERVER_USER, pn.user);
    if (wg_signal_addr_from_jid(bare, &from) != 0)
        return WG_EINVAL;
    snprintf(bare, sizeof bare, "%s@" WG_JID_SERVER_LID, lid.user);
    if (wg_signal_addr_from_jid(bare, &to) != 0)
        return WG_EINVAL;
    int rc = signal_op_begin(s);
    if (rc < 0)
        return rc;
    wg_signal_key_id_t k = {s->instance_id, WG_SIGNAL_KEY_SESSION, NULL, from.name, 0};
    int64_t *devices = NULL;
    size_t n = 0;
    int moved = 0;
    rc = wg_store_signal_key_devices(s->store, &k, &devices, &n);
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        rc = move_record(s, WG_SIGNAL_KEY_SESSION, from.name, to.name, devices[i]);
        if (rc == 1)
            moved++;
        if (rc >= 0)
            rc = move_record(s, WG_SIGNAL_KEY_IDENTITY, from.name, to.name, devices[i]);
    }
    free(devices);
    rc = signal_op_end(s, rc < 0 ? rc : 0);
    return rc < 0 ? rc : moved;
}
