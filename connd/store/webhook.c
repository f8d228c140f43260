/* The webhook table: one delivery target per instance (spec §3.4): url,
 * headers (the user's JSON object text, kept verbatim), enabled, events
 * (a JSON array of UPPER_SNAKE names), byEvents, base64 and the HMAC secret
 * (a wagate extension). Owns its SQL; it must never validate or expand the
 * event list — the "empty list means all events" rule belongs to the caller. */
#include "store/store_internal.h"
#include "store/uuid.h"
#include "wg_alloc.h"
#include "wg_err.h"

static const store_sql_t webhook_sql[] = {
    {STMT_WEBHOOK_UPSERT,
     "INSERT INTO webhook (id, instance_id, url, headers, enabled, events, by_events, base64,"
     " secret, created_at, updated_at)"
     " VALUES (:id, :instance_id, :url, :headers, :enabled, :events, :by_events, :base64,"
     " :secret, :now, :now)"
     " ON CONFLICT (instance_id) DO UPDATE SET url = excluded.url, headers = excluded.headers,"
     " enabled = excluded.enabled, events = excluded.events, by_events = excluded.by_events,"
     " base64 = excluded.base64, secret = excluded.secret, updated_at = excluded.updated_at"},
    {STMT_WEBHOOK_FIND,
     "SELECT id, instance_id, url, headers, enabled, events, by_events, base64, secret,"
     " created_at, updated_at FROM webhook WHERE instance_id = :instance_id"},
};

/* Column order of STMT_WEBHOOK_FIND. */
enum {
    COL_ID,
    COL_INSTANCE_ID,
    COL_URL,
    COL_HEADERS,
    COL_ENABLED,
    COL_EVENTS,
    COL_BY_EVENTS,
    COL_BASE64,
    COL_SECRET,
    COL_CREATED_AT,
    COL_UPDATED_AT,
};

int store_webhook_prepare(wg_store_t *s)
{
    return store_prepare(s, webhook_sql, sizeof webhook_sql / sizeof webhook_sql[0]);
}

int store_webhook_write(wg_store_t *s, const char *instance_id, const Wg__Ipc__Webhook *in,
                        int64_t now)
{
    if (!in->url)
        return WG_EINVAL;
    sqlite3_stmt *st = s->stmt[STMT_WEBHOOK_UPSERT];
    char id[WG_UUID_STRLEN + 1];
    wg_uuid_v4(id);
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":id", id);
    store_bind_text(&b, ":instance_id", instance_id);
    store_bind_text(&b, ":url", in->url);
    store_bind_text(&b, ":headers", in->headers_json);
    store_bind_bool(&b, ":enabled", in->has_enabled, in->enabled, 1); /* Evolution's default */
    store_bind_events(&b, ":events", in->events, in->n_events);
    store_bind_bool(&b, ":by_events", in->has_by_events, in->by_events, 0);
    store_bind_bool(&b, ":base64", in->has_base64, in->base64, 0);
    store_bind_text(&b, ":secret", in->secret);
    store_bind_int64(&b, ":now", now);
    return store_bind_exec(&b, "webhook upsert");
}

int wg_store_webhook_upsert(wg_store_t *s, const char *instance_id, const Wg__Ipc__Webhook *in,
                            Wg__Ipc__Webhook **out)
{
    if (out)
        *out = NULL;
    if (!instance_id || !in)
        return WG_EINVAL;
    int rc = store_webhook_write(s, instance_id, in, store_now(s));
    if (rc == 0 && out)
        rc = wg_store_webhook_find(s, instance_id, out);
    return rc;
}

/* Builds a row from the current result of STMT_WEBHOOK_FIND. */
static int webhook_read(sqlite3_stmt *st, void **out)
{
    Wg__Ipc__Webhook *row = wg_malloc(sizeof *row);
    wg__ipc__webhook__init(row);
    int rc = store_column_events(st, COL_EVENTS, &row->events, &row->n_events);
    if (rc < 0) {
        wg_store_webhook_free(row);
        return rc;
    }
    row->id = store_column_text_required(st, COL_ID);
    row->instance_id = store_column_text_required(st, COL_INSTANCE_ID);
    row->url = store_column_text_required(st, COL_URL);
    row->headers_json = store_column_text(st, COL_HEADERS);
    row->has_enabled = 1;
    row->enabled = sqlite3_column_int(st, COL_ENABLED) != 0;
    row->has_by_events = 1;
    row->by_events = sqlite3_column_int(st, COL_BY_EVENTS) != 0;
    row->has_base64 = 1;
    row->base64 = sqlite3_column_int(st, COL_BASE64) != 0;
    row->secret = store_column_text(st, COL_SECRET);
    row->has_created_at_ms = 1;
    row->created_at_ms = sqlite3_column_int64(st, COL_CREATED_AT);
    row->has_updated_at_ms = 1;
    row->updated_at_ms = sqlite3_column_int64(st, COL_UPDATED_AT);
    *out = row;
    return 0;
}

int wg_store_webhook_find(wg_store_t *s, const char *instance_id, Wg__Ipc__Webhook **out)
{
    void *row = NULL;
    int rc = store_find_one(s, STMT_WEBHOOK_FIND, "webhook find", instance_id, webhook_read,
                            out ? &row : NULL);
    if (out)
        *out = row;
    return rc;
}

void wg_store_webhook_free(Wg__Ipc__Webhook *row)
{
    if (row)
        protobuf_c_message_free_unpacked(&row->base, NULL);
}
