/* The proxy table: the outbound proxy of an instance's WhatsApp connection
 * (spec §3.6): enabled, host, port (a string, as Evolution stores it),
 * protocol, username, password. Owns its SQL; it must never test or
 * validate the proxy — the caller does, before storing. */
#include "store/store_internal.h"
#include "store/uuid.h"
#include "wg_alloc.h"
#include "wg_err.h"

static const store_sql_t proxy_sql[] = {
    {STMT_PROXY_UPSERT,
     "INSERT INTO proxy (id, instance_id, enabled, host, port, protocol, username, password,"
     " created_at, updated_at)"
     " VALUES (:id, :instance_id, :enabled, :host, :port, :protocol, :username, :password,"
     " :now, :now)"
     " ON CONFLICT (instance_id) DO UPDATE SET enabled = excluded.enabled,"
     " host = excluded.host, port = excluded.port, protocol = excluded.protocol,"
     " username = excluded.username, password = excluded.password,"
     " updated_at = excluded.updated_at"},
    {STMT_PROXY_FIND,
     "SELECT id, instance_id, enabled, host, port, protocol, username, password, created_at,"
     " updated_at FROM proxy WHERE instance_id = :instance_id"},
};

/* Column order of STMT_PROXY_FIND. */
enum {
    COL_ID,
    COL_INSTANCE_ID,
    COL_ENABLED,
    COL_HOST,
    COL_PORT,
    COL_PROTOCOL,
    COL_USERNAME,
    COL_PASSWORD,
    COL_CREATED_AT,
    COL_UPDATED_AT,
};

int store_proxy_prepare(wg_store_t *s)
{
    return store_prepare(s, proxy_sql, sizeof proxy_sql / sizeof proxy_sql[0]);
}

int store_proxy_write(wg_store_t *s, const char *instance_id, const Wg__Ipc__Proxy *in, int64_t now)
{
    sqlite3_stmt *st = s->stmt[STMT_PROXY_UPSERT];
    char id[WG_UUID_STRLEN + 1];
    wg_uuid_v4(id);
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":id", id);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_bool(&b, ":enabled", in->has_enabled, in->enabled, 0);
    store_bind_text(&b, ":host", in->host);
    store_bind_text(&b, ":port", in->port);
    store_bind_text(&b, ":protocol", in->protocol);
    store_bind_text(&b, ":username", in->username);
    store_bind_text(&b, ":password", in->password);
    store_bind_int64(&b, ":now", now);
    return store_bind_exec(&b, "proxy upsert");
}

int wg_store_proxy_upsert(wg_store_t *s, const char *instance_id, const Wg__Ipc__Proxy *in,
                          Wg__Ipc__Proxy **out)
{
    if (out)
        *out = NULL;
    if (!instance_id || !in)
        return WG_EINVAL;
    int rc = store_proxy_write(s, instance_id, in, store_now(s));
    if (rc == 0 && out)
        rc = wg_store_proxy_find(s, instance_id, out);
    return rc;
}

/* Builds a row from the current result of STMT_PROXY_FIND. */
static int proxy_read(sqlite3_stmt *st, void **out)
{
    Wg__Ipc__Proxy *row = wg_malloc(sizeof *row);
    wg__ipc__proxy__init(row);
    row->id = store_column_text_required(st, COL_ID);
    row->instance_id = store_column_text_required(st, COL_INSTANCE_ID);
    row->has_enabled = 1;
    row->enabled = sqlite3_column_int(st, COL_ENABLED) != 0;
    row->host = store_column_text(st, COL_HOST);
    row->port = store_column_text(st, COL_PORT);
    row->protocol = store_column_text(st, COL_PROTOCOL);
    row->username = store_column_text(st, COL_USERNAME);
    row->password = store_column_text(st, COL_PASSWORD);
    row->has_created_at_ms = 1;
    row->created_at_ms = sqlite3_column_int64(st, COL_CREATED_AT);
    row->has_updated_at_ms = 1;
    row->updated_at_ms = sqlite3_column_int64(st, COL_UPDATED_AT);
    *out = row;
    return 0;
}

int wg_store_proxy_find(wg_store_t *s, const char *instance_id, Wg__Ipc__Proxy **out)
{
    void *row = NULL;
    int rc = store_find_one(s, STMT_PROXY_FIND, "proxy find", instance_id, proxy_read,
                            out ? &row : NULL);
    if (out)
        *out = row;
    return rc;
}

void wg_store_proxy_free(Wg__Ipc__Proxy *row)
{
    if (row)
        protobuf_c_message_free_unpacked(&row->base, NULL);
}
