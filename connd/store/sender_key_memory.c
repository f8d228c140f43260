/* The sender_key_memory table (see sender_key_memory.h). */
#include "store/sender_key_memory.h"

#include "store/store_internal.h"
#include "wg_err.h"

static const store_sql_t skmem_sql[] = {
    {STMT_SKMEM_HAS, "SELECT 1 FROM sender_key_memory WHERE instance_id = :instance_id"
                     " AND group_jid = :group_jid AND device_jid = :device_jid"},
    {STMT_SKMEM_ADD, "INSERT INTO sender_key_memory (instance_id, group_jid, device_jid,"
                     " created_at) VALUES (:instance_id, :group_jid, :device_jid, :now)"
                     " ON CONFLICT DO NOTHING"},
    {STMT_SKMEM_FORGET, "DELETE FROM sender_key_memory WHERE instance_id = :instance_id"
                        " AND group_jid = :group_jid"
                        " AND (:device_jid IS NULL OR device_jid = :device_jid)"},
};

int store_sender_key_memory_prepare(wg_store_t *s)
{
    if (sqlite3_table_column_metadata(s->db, "main", "sender_key_memory", "device_jid", NULL, NULL,
                                      NULL, NULL, NULL) != SQLITE_OK)
        return 0; /* an older schema in a migration test */
    return store_prepare(s, skmem_sql, sizeof skmem_sql / sizeof skmem_sql[0]);
}

static int bind_key(store_bind_t *b, const char *instance_id, const char *group_jid,
                    const char *device_jid)
{
    store_bind_text(b, ":instance_id", instance_id);
    store_bind_text(b, ":group_jid", group_jid);
    store_bind_text(b, ":device_jid", device_jid);
    return b->rc;
}

int wg_store_skmem_has(wg_store_t *s, const char *instance_id, const char *group_jid,
                       const char *device_jid)
{
    sqlite3_stmt *st = s ? s->stmt[STMT_SKMEM_HAS] : NULL;
    if (!st)
        return WG_EDB;
    if (!instance_id || !group_jid || !device_jid)
        return WG_EINVAL;
    store_bind_t b = store_bind_start(s, st);
    if (bind_key(&b, instance_id, group_jid, device_jid)) {
        store_reset(st);
        return b.rc;
    }
    int rc = store_step(s, st, "sender key memory");
    store_reset(st);
    return rc;
}

int wg_store_skmem_add(wg_store_t *s, const char *instance_id, const char *group_jid,
                       const char *device_jid)
{
    sqlite3_stmt *st = s ? s->stmt[STMT_SKMEM_ADD] : NULL;
    if (!st)
        return WG_EDB;
    if (!instance_id || !group_jid || !device_jid)
        return WG_EINVAL;
    store_bind_t b = store_bind_start(s, st);
    bind_key(&b, instance_id, group_jid, device_jid);
    store_bind_int64(&b, ":now", store_now(s));
    return store_bind_exec(&b, "sender key memory add");
}

int wg_store_skmem_forget(wg_store_t *s, const char *instance_id, const char *group_jid,
                          const char *device_jid)
{
    sqlite3_stmt *st = s ? s->stmt[STMT_SKMEM_FORGET] : NULL;
    if (!st)
        return WG_EDB;
    if (!instance_id || !group_jid)
        return WG_EINVAL;
    store_bind_t b = store_bind_start(s, st);
    bind_key(&b, instance_id, group_jid, device_jid);
    return store_bind_exec(&b, "sender key memory forget");
}
