/* Unit tests for connd/store/: every table round-trips, constraints map to
 * WG_E* codes, cascades leave nothing, upserts keep id/created_at, schema
 * migrations upgrade old databases, data survives a restart, and a file that
 * is not a database is an error. Uses :memory: and files under /tmp. The
 * test reaches the handle through store_internal.h to count rows and to
 * plant bad data; that raw SQL lives here only because this is the store's
 * own test. */
#include "store/store_internal.h"
#include "store/uuid.h"
#include <stdlib.h>
#include <time.h>
#include "wg_err.h"
#include "wg_log.h"
#include "wg_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ fixtures */

static int64_t fake_now = 1000;

static int64_t fake_clock(void)
{
    return fake_now;
}

static wg_store_t *open_memory(void)
{
    wg_store_t *s = NULL;
    wg_buf_t err = WG_BUF_INIT;
    int rc = wg_store_open(":memory:", &s, &err);
    if (rc)
        fprintf(stderr, "open :memory: failed: %s\n", wg_buf_cstr(&err));
    wg_buf_free(&err);
    if (s)
        wg_store_set_clock(s, fake_clock);
    fake_now = 1000;
    return s;
}

/* A temporary directory holding db files; removed by tmp_cleanup. */
typedef struct {
    char dir[64];   /* mkdtemp result */
    char path[128]; /* dir/store.db */
} tmp_db_t;

static void tmp_init(tmp_db_t *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/wg_store_test_XXXXXX");
    if (!mkdtemp(t->dir)) {
        perror("mkdtemp");
        exit(1);
    }
    snprintf(t->path, sizeof t->path, "%s/store.db", t->dir);
}

static void tmp_cleanup(tmp_db_t *t)
{
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", t->path, suffix[i]);
        unlink(p);
    }
    rmdir(t->dir);
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int count_rows(wg_store_t *s, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    sqlite3_stmt *st = NULL;
    int n = -1;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int exec_sql(wg_store_t *s, const char *sql)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL);
}

static int pragma_int(wg_store_t *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static char *events_a[] = {"MESSAGES_UPSERT", "CONNECTION_UPDATE"};
static char *events_b[] = {"QRCODE_UPDATED", "with \"quote\" and ü"};

/* A full instance with every field and all 1:1 rows; pointers are static or
 * borrowed, so it is only ever passed IN. */
typedef struct {
    Wg__Ipc__Instance inst;
    Wg__Ipc__Settings settings;
    Wg__Ipc__Webhook webhook;
    Wg__Ipc__Websocket websocket;
    Wg__Ipc__Proxy proxy;
} full_t;

static void full_init(full_t *f, const char *name)
{
    wg__ipc__instance__init(&f->inst);
    wg__ipc__settings__init(&f->settings);
    wg__ipc__webhook__init(&f->webhook);
    wg__ipc__websocket__init(&f->websocket);
    wg__ipc__proxy__init(&f->proxy);
    Wg__Ipc__Instance *i = &f->inst;
    i->name = (char *)name;
    i->connection_status = "connecting";
    i->owner_jid = "5511999999999@s.whatsapp.net";
    i->profile_name = "Profile";
    i->profile_pic_url = "https://pps.whatsapp.net/x.jpg";
    i->integration = "WHATSAPP-BAILEYS";
    i->number = "5511999999999";
    i->business_id = "biz-1";
    i->token = "TOKEN-1";
    i->client_name = "evolution_exchange";
    i->has_disconnection_reason_code = 1;
    i->disconnection_reason_code = 401;
    i->disconnection_object_json = "{\"error\":\"logged out\"}";
    i->has_disconnection_at_ms = 1;
    i->disconnection_at_ms = 777;
    i->has_status_reason = 1;
    i->status_reason = 200;
    i->created_at_ms = 5; /* ignored by the store */
    i->settings = &f->settings;
    i->webhook = &f->webhook;
    i->websocket = &f->websocket;
    i->proxy = &f->proxy;

    f->settings.has_reject_call = 1;
    f->settings.reject_call = 1;
    f->settings.msg_call = "busy";
    f->settings.has_groups_ignore = 1;
    f->settings.groups_ignore = 1;
    f->settings.has_always_online = 0; /* default false */
    f->settings.has_read_messages = 1;
    f->settings.read_messages = 1;
    f->settings.has_read_status = 1;
    f->settings.read_status = 0;
    f->settings.has_sync_full_history = 1;
    f->settings.sync_full_history = 1;
    f->settings.wavoip_token = "wavoip";

    f->webhook.url = "https://example.test/hook";
    f->webhook.headers_json = "{\"authorization\":\"Bearer x\"}";
    f->webhook.has_by_events = 1;
    f->webhook.by_events = 1;
    f->webhook.has_base64 = 1;
    f->webhook.base64 = 0;
    f->webhook.n_events = 2;
    f->webhook.events = events_a;
    f->webhook.secret = "s3cret";

    f->websocket.has_enabled = 1;
    f->websocket.enabled = 1;
    f->websocket.n_events = 2;
    f->websocket.events = events_b;

    f->proxy.has_enabled = 1;
    f->proxy.enabled = 1;
    f->proxy.host = "proxy.test";
    f->proxy.port = "3128";
    f->proxy.protocol = "http";
    f->proxy.username = "user";
    f->proxy.password = "pass";
}

static void check_events(char **got, size_t n_got, char **want, size_t n_want)
{
    WG_CHECK_INT(n_got, n_want);
    for (size_t i = 0; i < n_got && i < n_want; i++)
        WG_CHECK_STR(got[i], want[i]);
}

/* Compares a stored row with what full_init() put in. */
static void check_full(const Wg__Ipc__Instance *r, const full_t *f, int64_t created)
{
    const Wg__Ipc__Instance *i = &f->inst;
    WG_CHECK_INT(strlen(r->id), WG_UUID_STRLEN);
    WG_CHECK_STR(r->name, i->name);
    WG_CHECK_STR(r->connection_status, i->connection_status);
    WG_CHECK_STR(r->owner_jid, i->owner_jid);
    WG_CHECK_STR(r->profile_name, i->profile_name);
    WG_CHECK_STR(r->profile_pic_url, i->profile_pic_url);
    WG_CHECK_STR(r->integration, i->integration);
    WG_CHECK_STR(r->number, i->number);
    WG_CHECK_STR(r->business_id, i->business_id);
    WG_CHECK_STR(r->token, i->token);
    WG_CHECK_STR(r->client_name, i->client_name);
    WG_CHECK(r->has_disconnection_reason_code);
    WG_CHECK_INT(r->disconnection_reason_code, 401);
    WG_CHECK_STR(r->disconnection_object_json, i->disconnection_object_json);
    WG_CHECK(r->has_disconnection_at_ms);
    WG_CHECK_INT(r->disconnection_at_ms, 777);
    WG_CHECK(r->has_status_reason);
    WG_CHECK_INT(r->status_reason, 200);
    WG_CHECK_INT(r->created_at_ms, created);
    WG_CHECK_INT(r->updated_at_ms, created);

    WG_CHECK(r->settings != NULL);
    if (r->settings) {
        const Wg__Ipc__Settings *st = r->settings;
        WG_CHECK_INT(strlen(st->id), WG_UUID_STRLEN);
        WG_CHECK_STR(st->instance_id, r->id);
        WG_CHECK(st->has_reject_call && st->reject_call);
        WG_CHECK_STR(st->msg_call, "busy");
        WG_CHECK(st->has_groups_ignore && st->groups_ignore);
        WG_CHECK(st->has_always_online && !st->always_online);
        WG_CHECK(st->has_read_messages && st->read_messages);
        WG_CHECK(st->has_read_status && !st->read_status);
        WG_CHECK(st->has_sync_full_history && st->sync_full_history);
        WG_CHECK_STR(st->wavoip_token, "wavoip");
        WG_CHECK_INT(st->created_at_ms, created);
        WG_CHECK_INT(st->updated_at_ms, created);
    }
    WG_CHECK(r->webhook != NULL);
    if (r->webhook) {
        const Wg__Ipc__Webhook *w = r->webhook;
        WG_CHECK_INT(strlen(w->id), WG_UUID_STRLEN);
        WG_CHECK_STR(w->instance_id, r->id);
        WG_CHECK_STR(w->url, f->webhook.url);
        WG_CHECK_STR(w->headers_json, f->webhook.headers_json);
        WG_CHECK(w->has_enabled && w->enabled); /* defaulted to true */
        WG_CHECK(w->has_by_events && w->by_events);
        WG_CHECK(w->has_base64 && !w->base64);
        check_events(w->events, w->n_events, events_a, 2);
        WG_CHECK_STR(w->secret, "s3cret");
        WG_CHECK_INT(w->created_at_ms, created);
    }
    WG_CHECK(r->websocket != NULL);
    if (r->websocket) {
        WG_CHECK_INT(strlen(r->websocket->id), WG_UUID_STRLEN);
        WG_CHECK_STR(r->websocket->instance_id, r->id);
        WG_CHECK(r->websocket->has_enabled && r->websocket->enabled);
        check_events(r->websocket->events, r->websocket->n_events, events_b, 2);
        WG_CHECK_INT(r->websocket->updated_at_ms, created);
    }
    WG_CHECK(r->proxy != NULL);
    if (r->proxy) {
        const Wg__Ipc__Proxy *p = r->proxy;
        WG_CHECK_INT(strlen(p->id), WG_UUID_STRLEN);
        WG_CHECK_STR(p->instance_id, r->id);
        WG_CHECK(p->has_enabled && p->enabled);
        WG_CHECK_STR(p->host, "proxy.test");
        WG_CHECK_STR(p->port, "3128");
        WG_CHECK_STR(p->protocol, "http");
        WG_CHECK_STR(p->username, "user");
        WG_CHECK_STR(p->password, "pass");
        WG_CHECK_INT(p->created_at_ms, created);
    }
}

/* Inserts a minimal instance; returns its id in id_out (37 bytes). */
static int insert_minimal(wg_store_t *s, const char *name, const char *client, char *id_out)
{
    Wg__Ipc__Instance in = WG__IPC__INSTANCE__INIT;
    in.name = (char *)name;
    in.integration = "WHATSAPP-BAILEYS";
    in.token = "T";
    in.client_name = (char *)client;
    Wg__Ipc__Instance *row = NULL;
    int rc = wg_store_instance_insert(s, &in, &row);
    if (rc == 0 && id_out)
        snprintf(id_out, WG_UUID_STRLEN + 1, "%s", row->id);
    wg_store_instance_free(row);
    return rc;
}

/* ------------------------------------------------------------ uuid */

static void uuid_is_v4_and_distinct(void)
{
    /* 200 ids span several refills of the per-thread random pool: all differ */
    static char seen[200][WG_UUID_STRLEN + 1];
    for (int n = 0; n < 200; n++) {
        char *u = seen[n];
        wg_uuid_v4(u);
        WG_CHECK_INT(strlen(u), 36);
        for (int i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23)
                WG_CHECK(u[i] == '-');
            else
                WG_CHECK(strchr("0123456789abcdef", u[i]) != NULL && u[i]);
        }
        WG_CHECK(u[14] == '4');
        WG_CHECK(strchr("89ab", u[19]) != NULL);
        for (int k = 0; k < n; k++)
            WG_CHECK(strcmp(u, seen[k]) != 0);
    }
}

/* v7: version 7, variant 10, the current Unix ms in the first 48 bits, and
 * ids drawn in a later millisecond sort after the earlier ones */
static void uuid_v7_is_time_ordered(void)
{
    char a[WG_UUID_STRLEN + 1], b[WG_UUID_STRLEN + 1];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t before = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    wg_uuid_v7(a);
    WG_CHECK_INT(strlen(a), 36);
    WG_CHECK(a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
    WG_CHECK(a[14] == '7');
    WG_CHECK(strchr("89ab", a[19]) != NULL);
    char hex[13];
    memcpy(hex, a, 8);
    memcpy(hex + 8, a + 9, 4);
    hex[12] = '\0';
    uint64_t ms = strtoull(hex, NULL, 16);
    WG_CHECK(ms >= before && ms < before + 1000);
    struct timespec pause = {0, 2000000};
    nanosleep(&pause, NULL);
    wg_uuid_v7(b);
    WG_CHECK(strcmp(a, b) < 0);
    for (int n = 0; n < 100; n++) { /* same millisecond: still distinct */
        char c[WG_UUID_STRLEN + 1];
        wg_uuid_v7(c);
        WG_CHECK(strcmp(c, b) != 0);
    }
}

/* ------------------------------------------------------------ open / close */

static void open_memory_sets_up_schema_and_pragmas(void)
{
    wg_store_t *s = open_memory();
    WG_CHECK(s != NULL);
    if (!s)
        return;
    WG_CHECK_INT(wg_store_schema_version(s), wg_store_schema_latest());
    WG_CHECK(wg_store_schema_latest() >= 1);
    WG_CHECK_INT(pragma_int(s, "PRAGMA foreign_keys"), 1);
    WG_CHECK_INT(pragma_int(s, "PRAGMA synchronous"), 1); /* NORMAL */
    WG_CHECK_INT(pragma_int(s, "PRAGMA temp_store"), 2);  /* MEMORY: savepoint sub-journals */
    WG_CHECK(pragma_int(s, "PRAGMA busy_timeout") > 0);
    WG_CHECK_INT(pragma_int(s, "PRAGMA wal_autocheckpoint"), 4000); /* fewer checkpoints */
    WG_CHECK_INT(pragma_int(s, "PRAGMA journal_size_limit"), 4000 * 4096); /* log size bound */
    const char *tables[] = {"instance", "setting", "webhook", "websocket", "proxy", "session"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        WG_CHECK_INT(count_rows(s, tables[i]), 0);
    for (int i = 0; i < STMT_COUNT; i++)
        WG_CHECK(s->stmt[i] != NULL);
    WG_CHECK_INT(wg_store_close(s), 0);
}

static void close_and_free_null_are_noops(void)
{
    WG_CHECK_INT(wg_store_close(NULL), 0);
    wg_store_instance_free(NULL);
    wg_store_instance_list_free(NULL);
    wg_store_settings_free(NULL);
    wg_store_webhook_free(NULL);
    wg_store_websocket_free(NULL);
    wg_store_proxy_free(NULL);
    WG_CHECK_INT(wg_store_open(NULL, NULL, NULL), WG_EINVAL);
    wg_store_t *s = (wg_store_t *)1;
    WG_CHECK_INT(wg_store_open(NULL, &s, NULL), WG_EINVAL);
    WG_CHECK(s == NULL);
}

static void not_a_database_is_an_error(void)
{
    tmp_db_t t;
    tmp_init(&t);
    FILE *f = fopen(t.path, "wb");
    WG_CHECK(f != NULL);
    if (!f)
        return;
    for (int i = 0; i < 4096; i++)
        fputc("garbage!"[i % 8], f);
    fclose(f);
    wg_store_t *s = (wg_store_t *)1;
    wg_buf_t err = WG_BUF_INIT;
    WG_CHECK_INT(wg_store_open(t.path, &s, &err), WG_EDB);
    WG_CHECK(s == NULL);
    WG_CHECK(strstr(wg_buf_cstr(&err), "not a database") != NULL);
    WG_CHECK(strstr(wg_buf_cstr(&err), t.path) != NULL);
    wg_buf_free(&err);

    /* a valid header over garbage pages: also an error, never a crash */
    {
        wg_store_t *good = NULL;
        unlink(t.path);
        WG_CHECK_INT(wg_store_open(t.path, &good, NULL), 0);
        WG_CHECK_INT(insert_minimal(good, "a", NULL, NULL), 0);
        WG_CHECK_INT(wg_store_close(good), 0);
        FILE *g = fopen(t.path, "r+b");
        WG_CHECK(g != NULL);
        if (g) {
            fseek(g, 100, SEEK_SET); /* after the 100-byte header */
            for (int i = 0; i < 8000; i++)
                fputc(0xA5, g);
            fclose(g);
        }
        int rc = wg_store_open(t.path, &s, &err);
        WG_CHECK(rc == WG_EDB);
        WG_CHECK(s == NULL);
        WG_CHECK(err.len > 0);
        wg_store_close(s);
        wg_buf_free(&err);
    }

    char missing[192];
    snprintf(missing, sizeof missing, "%s/no/such/dir/x.db", t.dir);
    WG_CHECK_INT(wg_store_open(missing, &s, &err), WG_EDB);
    WG_CHECK(s == NULL);
    WG_CHECK(strstr(wg_buf_cstr(&err), "open") != NULL);
    wg_buf_free(&err);
    tmp_cleanup(&t);
}

/* ------------------------------------------------------------ instances */

static void instance_round_trip_every_field(void)
{
    wg_store_t *s = open_memory();
    if (!s)
        return;
    fake_now = 424242;
    full_t f;
    full_init(&f, "alpha");
    Wg__Ipc__Instance *row = NULL;
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, &row), 0);
    WG_CHECK(row != NULL);
    if (row)
        check_full(row, &f, 424242);

    Wg__Ipc__Instance *by_name = NULL, *by_id = NULL;
    WG_CHECK_INT(wg_store_instance_get_by_name(s, "alpha", &by_name), 0);
    if (by_name) {
        check_full(by_name, &f, 424242);
        WG_CHECK_STR(by_name->id, row->id);
        WG_CHECK_INT(wg_store_instance_get_by_id(s, by_name->id, &by_id), 0);
        if (by_id)
            check_full(by_id, &f, 424242);
    }

    /* a returned row packs into an IPC reply and unpacks identical */
    if (by_id) {
        size_t n = wg__ipc__instance__get_packed_size(by_id);
        uint8_t *wire = malloc(n);
        WG_CHECK_INT(wg__ipc__instance__pack(by_id, wire), n);
        Wg__Ipc__Instance *back = wg__ipc__instance__unpack(NULL, n, wire);
        WG_CHECK(back != NULL);
        if (back) {
            check_full(back, &f, 424242);
            wg__ipc__instance__free_unpacked(back, NULL);
        }
        free(wire);
    }
    /* the generated free is interchangeable with ours (same allocator) */
    wg__ipc__instance__free_unpacked(by_id, NULL);
    wg_store_instance_free(by_name);
    wg_store_instance_free(row);
    WG_CHECK_INT(wg_store_close(s), 0);
}

static void instance_insert_defaults(void)
{
    wg_store_t *s = open_memory();
    if (!s)
        return;
    Wg__Ipc__Instance in = WG__IPC__INSTANCE__INIT;
    in.name = "bare";
    in.integration = "WHATSAPP-BUSINESS";
    in.token = "tok";
    Wg__Ipc__Instance *row = NULL;
    WG_CHECK_INT(wg_store_instance_insert(s, &in, &row), 0);
    if (row) {
        WG_CHECK_INT(strlen(row->id), WG_UUID_STRLEN);
        WG_CHECK(row->id[14] == '4');
        WG_CHECK_STR(row->connection_status, "open"); /* Evolution's default */
        WG_CHECK(row->owner_jid == NULL && row->profile_name == NULL);
        WG_CHECK(row->profile_pic_url == NULL && row->number == NULL);
        WG_CHECK(row->business_id == NULL && row->client_name == NULL);
        WG_CHECK(!row->has_disconnection_reason_code && !row->has_disconnection_at_ms);
        WG_CHECK(row->disconnection_object_json == NULL && !row->has_status_reason);
        WG_CHECK(row->settings == NULL && row->webhook == NULL);
        WG_CHECK(row->websocket == NULL && row->proxy == NULL);
        WG_CHECK_INT(row->created_at_ms, 1000);
    }
    wg_store_instance_free(row);

    /* a caller-chosen id is kept; out may be NULL */
    in.name = "chosen";
    in.id = "11111111-2222-4333-8444-555555555555";
    WG_CHECK_INT(wg_store_instance_insert(s, &in, NULL), 0);
    WG_CHECK_INT(wg_store_instance_get_by_name(s, "chosen", &row), 0);
    if (row)
        WG_CHECK_STR(row->id, in.id);
    wg_store_instance_free(row);
    /* the same id under another name is taken too */
    in.name = "other";
    WG_CHECK_INT(wg_store_instance_insert(s, &in, NULL), WG_EEXIST);
    WG_CHECK_INT(wg_store_close(s), 0);
}

static void unique_name_is_eexist_and_writes_nothing(void)
{
    wg_store_t *s = open_memory();
    if (!s)
        return;
    full_t f;
    full_init(&f, "dup");
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, NULL), 0);
    Wg__Ipc__Instance *row = (Wg__Ipc__Instance *)1;
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, &row), WG_EEXIST);
    WG_CHECK(row == NULL);
    WG_CHECK_INT(count_rows(s, "instance"), 1);
    WG_CHECK_INT(count_rows(s, "setting"), 1);
    WG_CHECK_INT(count_rows(s, "webhook"), 1);
    WG_CHECK_INT(count_rows(s, "websocket"), 1);
    WG_CHECK_INT(count_rows(s, "proxy"), 1);
    /* the store is still usable: no transaction left open */
    WG_CHECK(sqlite3_get_autocommit(s->db));
    WG_CHECK_INT(insert_minimal(s, "next", NULL, NULL), 0);
    WG_CHECK_INT(wg_store_close(s), 0);
}

static void invalid_instances_are_rejected_atomically(void)
{
    wg_store_t *s = open_memory();
    if (!s)
        return;
    full_t f;
    full_init(&f, "x");
    WG_CHECK_INT(wg_store_instance_insert(s, NULL, NULL), WG_EINVAL);
    f.inst.name = NULL;
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, NULL), WG_EINVAL);
    f.inst.name = "";
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, NULL), WG_EINVAL);
    f.inst.name = "x";
    f.inst.id = "";
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, NULL), WG_EINVAL);
    f.inst.id = NULL;
    f.inst.token = NULL;
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, NULL), WG_EINVAL);
    f.inst.token = "t";
    f.inst.integration = NULL;
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, NULL), WG_EINVAL);
    f.inst.integration = "EVOLUTION";
    f.inst.connection_status = "refused";
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, NULL), WG_EINVAL);
    f.inst.connection_status = "close";

    /* a bad sub-row after the instance row rolls the instance back */
    f.webhook.url = NULL;
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, NULL), WG_EINVAL);
    f.webhook.url = "https://ok.test";
    char *bad_utf8[] = {"OK", "\xff\xfe"};
    f.websocket.events = bad_utf8;
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, NULL), WG_EINVAL);
    WG_CHECK_INT(count_rows(s, "instance"), 0);
    WG_CHECK_INT(count_rows(s, "setting"), 0);
    WG_CHECK_INT(count_rows(s, "webhook"), 0);
    WG_CHECK(sqlite3_get_autocommit(s->db));

    f.websocket.events = events_b;
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, NULL), 0);
    WG_CHECK_INT(count_rows(s, "instance"), 1);
    WG_CHECK_INT(wg_store_close(s), 0);
}

static void missing_instance_is_enotfound(void)
{
    wg_store_t *s = open_memory();
    if (!s)
        return;
    Wg__Ipc__Instance *row = (Wg__Ipc__Instance *)1;
    WG_CHECK_INT(wg_store_instance_get_by_name(s, "nope", &row), WG_ENOTFOUND);
    WG_CHECK(row == NULL);
    row = (Wg__Ipc__Instance *)1;
    WG_CHECK_INT(wg_store_instance_get_by_id(s, "nope", &row), WG_ENOTFOUND);
    WG_CHECK(row == NULL);
    WG_CHECK_INT(wg_store_instance_get_by_name(s, NULL, &row), WG_EINVAL);
    WG_CHECK_INT(wg_store_instance_delete(s, "nope"), WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_instance_delete(s, NULL), WG_EINVAL);
    Wg__Ipc__Instance ghost = WG__IPC__INSTANCE__INIT;
    ghost.id = "nope";
    ghost.connection_status = "open";
    WG_CHECK_INT(wg_store_instance_update_connection(s, &ghost), WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_close(s), 0);
}

static void update_connection_writes_exactly_its_fields(void)
{
    wg_store_t *s = open_memory();
    if (!s)
        return;
    full_t f;
    full_init(&f, "conn");
    Wg__Ipc__Instance *row = NULL;
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, &row), 0);
    if (!row) {
        wg_store_close(s);
        return;
    }
    fake_now = 5000;
    /* "open": identity known, disconnection cleared */
    free(row->connection_status);
    row->connection_status = strdup("open");
    free(row->owner_jid);
    row->owner_jid = strdup("123@s.whatsapp.net");
    free(row->disconnection_object_json);
    row->disconnection_object_json = NULL;
    row->has_disconnection_reason_code = 0;
    row->has_disconnection_at_ms = 0;
    row->status_reason = 200;
    free(row->number);
    row->number = strdup("changed-but-ignored");
    WG_CHECK_INT(wg_store_instance_update_connection(s, row), 0);
    WG_CHECK_INT(row->updated_at_ms, 5000);

    Wg__Ipc__Instance *back = NULL;
    WG_CHECK_INT(wg_store_instance_get_by_name(s, "conn", &back), 0);
    if (back) {
        WG_CHECK_STR(back->connection_status, "open");
        WG_CHECK_STR(back->owner_jid, "123@s.whatsapp.net");
        WG_CHECK_STR(back->profile_name, "Profile");
        WG_CHECK(back->disconnection_object_json == NULL);
        WG_CHECK(!back->has_disconnection_reason_code && !back->has_disconnection_at_ms);
        WG_CHECK(back->has_status_reason && back->status_reason == 200);
        WG_CHECK_STR(back->number, "5511999999999"); /* not a connection field */
        WG_CHECK_INT(back->created_at_ms, 1000);
        WG_CHECK_INT(back->updated_at_ms, 5000);
    }
    wg_store_instance_free(back);

    /* "close" with a reason; NULL profile fields are stored as NULL */
    fake_now = 6000;
    free(row->connection_status);
    row->connection_status = strdup("close");
    free(row->profile_name);
    row->profile_name = NULL;
    row->has_disconnection_reason_code = 1;
    row->disconnection_reason_code = 428;
    row->has_disconnection_at_ms = 1;
    row->disconnection_at_ms = 5999;
    row->disconnection_object_json = strdup("{\"statusCode\":428}");
    row->has_status_reason = 1;
    row->status_reason = 428;
    WG_CHECK_INT(wg_store_instance_update_connection(s, row), 0);
    WG_CHECK_INT(wg_store_instance_get_by_id(s, row->id, &back), 0);
    if (back) {
        WG_CHECK_STR(back->connection_status, "close");
        WG_CHECK(back->profile_name == NULL);
        WG_CHECK_INT(back->disconnection_reason_code, 428);
        WG_CHECK_INT(back->disconnection_at_ms, 5999);
        WG_CHECK_STR(back->disconnection_object_json, "{\"statusCode\":428}");
        WG_CHECK_INT(back->status_reason, 428);
        WG_CHECK_INT(back->updated_at_ms, 6000);
    }
    wg_store_instance_free(back);

    /* a state the schema does not know is rejected and nothing changes */
    free(row->connection_status);
    row->connection_status = strdup("refused");
    WG_CHECK_INT(wg_store_instance_update_connection(s, row), WG_EINVAL);
    free(row->connection_status);
    row->connection_status = NULL;
    WG_CHECK_INT(wg_store_instance_update_connection(s, row), WG_EINVAL);
    WG_CHECK_INT(wg_store_instance_get_by_id(s, row->id, &back), 0);
    if (back)
        WG_CHECK_STR(back->connection_status, "close");
    wg_store_instance_free(back);
    WG_CHECK_INT(wg_store_instance_update_connection(s, NULL), WG_EINVAL);

    wg_store_instance_free(row);
    WG_CHECK_INT(wg_store_close(s), 0);
}

static void delete_cascades_to_every_row(void)
{
    wg_store_t *s = open_memory();
    if (!s)
        return;
    full_t f;
    full_init(&f, "doomed");
    Wg__Ipc__Instance *row = NULL;
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, &row), 0);
    char keep_id[WG_UUID_STRLEN + 1];
    full_init(&f, "kept");
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, NULL), 0);
    Wg__Ipc__Instance *kept = NULL;
    WG_CHECK_INT(wg_store_instance_get_by_name(s, "kept", &kept), 0);
    snprintf(keep_id, sizeof keep_id, "%s", kept ? kept->id : "");
    wg_store_instance_free(kept);
    if (!row) {
        wg_store_close(s);
        return;
    }
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO session (instance_id, creds, created_at, updated_at)"
             " VALUES ('%s', x'00ff', 1, 1), ('%s', x'01', 1, 1)",
             row->id, keep_id);
    WG_CHECK_INT(exec_sql(s, sql), SQLITE_OK);

    WG_CHECK_INT(wg_store_instance_delete(s, row->id), 0);
    const char *tables[] = {"instance", "setting", "webhook", "websocket", "proxy", "session"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        WG_CHECK_INT(count_rows(s, tables[i]), 1); /* only "kept" is left */
        char q[128];
        snprintf(q, sizeof q, "SELECT count(*) FROM %s WHERE %s = '%s'", tables[i],
                 i == 0 ? "id" : "instance_id", row->id);
        WG_CHECK_INT(pragma_int(s, q), 0);
    }
    Wg__Ipc__Settings *gone = (Wg__Ipc__Settings *)1;
    WG_CHECK_INT(wg_store_settings_find(s, row->id, &gone), WG_ENOTFOUND);
    WG_CHECK(gone == NULL);
    WG_CHECK_INT(wg_store_instance_delete(s, row->id), WG_ENOTFOUND);
    /* the name is free again */
    WG_CHECK_INT(insert_minimal(s, "doomed", NULL, NULL), 0);
    wg_store_instance_free(row);
    WG_CHECK_INT(wg_store_close(s), 0);
}

static void load_all_filters_by_client_and_attaches_rows(void)
{
    wg_store_t *s = open_memory();
    if (!s)
        return;
    Wg__Ipc__InstanceList *list = NULL;
    WG_CHECK_INT(wg_store_instance_load_all(s, NULL, &list), 0);
    WG_CHECK(list != NULL && list->n_instances == 0);
    wg_store_instance_list_free(list);

    char id_a[WG_UUID_STRLEN + 1], id_b[WG_UUID_STRLEN + 1], id_c[WG_UUID_STRLEN + 1];
    fake_now = 30;
    WG_CHECK_INT(insert_minimal(s, "c-late", "A", id_c), 0);
    fake_now = 10;
    WG_CHECK_INT(insert_minimal(s, "a-early", "A", id_a), 0);
    fake_now = 20;
    WG_CHECK_INT(insert_minimal(s, "b-other", "B", id_b), 0);
    Wg__Ipc__Settings set = WG__IPC__SETTINGS__INIT;
    set.has_reject_call = 1;
    set.reject_call = 1;
    WG_CHECK_INT(wg_store_settings_upsert(s, id_a, &set, NULL), 0);
    Wg__Ipc__Proxy px = WG__IPC__PROXY__INIT;
    px.host = "h";
    WG_CHECK_INT(wg_store_proxy_upsert(s, id_c, &px, NULL), 0);

    WG_CHECK_INT(wg_store_instance_load_all(s, NULL, &list), 0);
    WG_CHECK(list && list->n_instances == 3);
    if (list && list->n_instances == 3) {
        WG_CHECK_STR(list->instances[0]->name, "a-early");
        WG_CHECK_STR(list->instances[1]->name, "b-other");
        WG_CHECK_STR(list->instances[2]->name, "c-late");
        WG_CHECK(list->instances[0]->settings && list->instances[0]->settings->reject_call);
        WG_CHECK(list->instances[0]->proxy == NULL);
        WG_CHECK(list->instances[2]->proxy && !strcmp(list->instances[2]->proxy->host, "h"));
        WG_CHECK(list->instances[1]->settings == NULL && list->instances[1]->webhook == NULL);
    }
    wg_store_instance_list_free(list);

    WG_CHECK_INT(wg_store_instance_load_all(s, "A", &list), 0);
    WG_CHECK(list && list->n_instances == 2);
    if (list && list->n_instances == 2) {
        WG_CHECK_STR(list->instances[0]->id, id_a);
        WG_CHECK_STR(list->instances[1]->id, id_c);
    }
    wg_store_instance_list_free(list);
    WG_CHECK_INT(wg_store_instance_load_all(s, "none", &list), 0);
    WG_CHECK(list && list->n_instances == 0);
    wg_store_instance_list_free(list);

    /* many rows: the list grows past its first allocation */
    for (int i = 0; i < 40; i++) {
        char name[32];
        snprintf(name, sizeof name, "bulk-%02d", i);
        WG_CHECK_INT(insert_minimal(s, name, "bulk", NULL), 0);
    }
    WG_CHECK_INT(wg_store_instance_load_all(s, "bulk", &list), 0);
    WG_CHECK(list && list->n_instances == 40);
    wg_store_instance_list_free(list);
    WG_CHECK_INT(wg_store_close(s), 0);
}

/* ------------------------------------------------------------ 1:1 rows */

static void settings_upsert_keeps_id_and_created_at(void)
{
    wg_store_t *s = open_memory();
    if (!s)
        return;
    char id[WG_UUID_STRLEN + 1];
    WG_CHECK_INT(insert_minimal(s, "set", NULL, id), 0);
    Wg__Ipc__Settings *found = (Wg__Ipc__Settings *)1;
    WG_CHECK_INT(wg_store_settings_find(s, id, &found), WG_ENOTFOUND);
    WG_CHECK(found == NULL);

    Wg__Ipc__Settings in = WG__IPC__SETTINGS__INIT;
    in.has_always_online = 1;
    in.always_online = 1;
    in.msg_call = "first";
    in.id = "ignored";
    fake_now = 2000;
    Wg__Ipc__Settings *first = NULL, *second = NULL;
    WG_CHECK_INT(wg_store_settings_upsert(s, id, &in, &first), 0);
    WG_CHECK(first != NULL);
    if (first) {
        WG_CHECK_INT(strlen(first->id), WG_UUID_STRLEN);
        WG_CHECK(first->always_online && !first->reject_call && !first->read_status);
        WG_CHECK_STR(first->msg_call, "first");
        WG_CHECK(first->wavoip_token == NULL);
        WG_CHECK_INT(first->created_at_ms, 2000);
        WG_CHECK_INT(first->updated_at_ms, 2000);
    }
    /* a full replace: always_online goes back to its default */
    Wg__Ipc__Settings in2 = WG__IPC__SETTINGS__INIT;
    in2.has_read_status = 1;
    in2.read_status = 1;
    in2.wavoip_token = "wt";
    fake_now = 3000;
    WG_CHECK_INT(wg_store_settings_upsert(s, id, &in2, &second), 0);
    if (first && second) {
        WG_CHECK_STR(second->id, first->id);
        WG_CHECK_STR(second->instance_id, id);
        WG_CHECK(!second->always_online && second->read_status);
        WG_CHECK(second->msg_call == NULL);
        WG_CHECK_STR(second->wavoip_token, "wt");
        WG_CHECK_INT(second->created_at_ms, 2000);
        WG_CHECK_INT(second->updated_at_ms, 3000);
    }
    WG_CHECK_INT(count_rows(s, "setting"), 1);
    WG_CHECK_INT(wg_store_settings_find(s, id, &found), 0);
    if (found && second)
        WG_CHECK_INT(found->updated_at_ms, 3000);
    wg_store_settings_free(found);
    wg_store_settings_free(first);
    wg_store_settings_free(second);

    WG_CHECK_INT(wg_store_settings_upsert(s, "no-such-instance", &in, &first), WG_ENOTFOUND);
    WG_CHECK(first == NULL);
    WG_CHECK_INT(wg_store_settings_upsert(s, id, NULL, NULL), WG_EINVAL);
    WG_CHECK_INT(wg_store_settings_upsert(s, NULL, &in, NULL), WG_EINVAL);
    WG_CHECK_INT(wg_store_close(s), 0);
}

static void webhook_upsert_keeps_id_and_created_at(void)
{
    wg_store_t *s = open_memory();
    if (!s)
        return;
    char id[WG_UUID_STRLEN + 1];
    WG_CHECK_INT(insert_minimal(s, "hook", NULL, id), 0);
    Wg__Ipc__Webhook *first = NULL, *second = NULL, *found = NULL;
    WG_CHECK_INT(wg_store_webhook_find(s, id, &found), WG_ENOTFOUND);

    Wg__Ipc__Webhook in = WG__IPC__WEBHOOK__INIT;
    in.url = "https://a.test/1";
    in.n_events = 2;
    in.events = events_b;
    in.headers_json = "{\"x\":\"y\"}";
    fake_now = 2000;
    WG_CHECK_INT(wg_store_webhook_upsert(s, id, &in, &first), 0);
    if (first) {
        WG_CHECK(first->enabled); /* default true */
        WG_CHECK(!first->by_events && !first->base64);
        check_events(first->events, first->n_events, events_b, 2);
        WG_CHECK_STR(first->headers_json, "{\"x\":\"y\"}");
        WG_CHECK(first->secret == NULL);
    }
    /* disabled, no events: stored as an empty array */
    Wg__Ipc__Webhook in2 = WG__IPC__WEBHOOK__INIT;
    in2.url = "https://b.test/2";
    in2.has_enabled = 1;
    in2.enabled = 0;
    in2.has_base64 = 1;
    in2.base64 = 1;
    in2.secret = "k";
    fake_now = 3000;
    WG_CHECK_INT(wg_store_webhook_upsert(s, id, &in2, &second), 0);
    if (first && second) {
        WG_CHECK_STR(second->id, first->id);
        WG_CHECK_STR(second->url, "https://b.test/2");
        WG_CHECK(!second->enabled && second->base64);
        WG_CHECK_INT(second->n_events, 0);
        WG_CHECK(second->events == NULL);
        WG_CHECK(second->headers_json == NULL);
        WG_CHECK_STR(second->secret, "k");
        WG_CHECK_INT(second->created_at_ms, 2000);
        WG_CHECK_INT(second->updated_at_ms, 3000);
    }
    WG_CHECK_INT(pragma_int(s, "SELECT events = '[]' FROM webhook"), 1);
    WG_CHECK_INT(count_rows(s, "webhook"), 1);
    wg_store_webhook_free(first);
    wg_store_webhook_free(second);

    in2.url = NULL;
    WG_CHECK_INT(wg_store_webhook_upsert(s, id, &in2, &first), WG_EINVAL);
    WG_CHECK(first == NULL);
    WG_CHECK_INT(wg_store_webhook_upsert(s, "ghost", &in, NULL), WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_close(s), 0);
}

static void websocket_upsert_keeps_id_and_created_at(void)
{
    wg_store_t *s = open_memory();
    if (!s)
        return;
    char id[WG_UUID_STRLEN + 1];
    WG_CHECK_INT(insert_minimal(s, "ws", NULL, id), 0);
    Wg__Ipc__Websocket *first = NULL, *second = NULL, *found = NULL;
    WG_CHECK_INT(wg_store_websocket_find(s, id, &found), WG_ENOTFOUND);
    Wg__Ipc__Websocket in = WG__IPC__WEBSOCKET__INIT;
    fake_now = 2000;
    WG_CHECK_INT(wg_store_websocket_upsert(s, id, &in, &first), 0);
    if (first) {
        WG_CHECK(first->has_enabled && !first->enabled); /* default false */
        WG_CHECK_INT(first->n_events, 0);
    }
    in.has_enabled = 1;
    in.enabled = 1;
    in.n_events = 2;
    in.events = events_a;
    fake_now = 3000;
    WG_CHECK_INT(wg_store_websocket_upsert(s, id, &in, &second), 0);
    if (first && second) {
        WG_CHECK_STR(second->id, first->id);
        WG_CHECK(second->enabled);
        check_events(second->events, second->n_events, events_a, 2);
        WG_CHECK_INT(second->created_at_ms, 2000);
        WG_CHECK_INT(second->updated_at_ms, 3000);
    }
    WG_CHECK_INT(wg_store_websocket_find(s, id, &found), 0);
    if (found)
        check_events(found->events, found->n_events, events_a, 2);
    wg_store_websocket_free(found);
    wg_store_websocket_free(first);
    wg_store_websocket_free(second);
    WG_CHECK_INT(wg_store_websocket_upsert(s, "ghost", &in, NULL), WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_close(s), 0);
}

static void proxy_upsert_keeps_id_and_created_at(void)
{
    wg_store_t *s = open_memory();
    if (!s)
        return;
    char id[WG_UUID_STRLEN + 1];
    WG_CHECK_INT(insert_minimal(s, "px", NULL, id), 0);
    Wg__Ipc__Proxy *first = NULL, *second = NULL, *found = NULL;
    WG_CHECK_INT(wg_store_proxy_find(s, id, &found), WG_ENOTFOUND);
    Wg__Ipc__Proxy in = WG__IPC__PROXY__INIT;
    in.has_enabled = 1;
    in.enabled = 1;
    in.host = "h1";
    in.port = "1080";
    in.protocol = "socks";
    in.username = "u";
    in.password = "p";
    fake_now = 2000;
    WG_CHECK_INT(wg_store_proxy_upsert(s, id, &in, &first), 0);
    if (first) {
        WG_CHECK(first->enabled);
        WG_CHECK_STR(first->host, "h1");
        WG_CHECK_STR(first->port, "1080");
        WG_CHECK_STR(first->protocol, "socks");
        WG_CHECK_STR(first->username, "u");
        WG_CHECK_STR(first->password, "p");
    }
    /* enabled:false blanks the fields (the caller's rule; stored as given) */
    Wg__Ipc__Proxy off = WG__IPC__PROXY__INIT;
    off.has_enabled = 1;
    off.enabled = 0;
    off.host = "";
    off.port = "";
    off.protocol = "";
    fake_now = 3000;
    WG_CHECK_INT(wg_store_proxy_upsert(s, id, &off, &second), 0);
    if (first && second) {
        WG_CHECK_STR(second->id, first->id);
        WG_CHECK(!second->enabled);
        WG_CHECK_STR(second->host, "");
        WG_CHECK_STR(second->port, "");
        WG_CHECK(second->username == NULL && second->password == NULL);
        WG_CHECK_INT(second->created_at_ms, 2000);
        WG_CHECK_INT(second->updated_at_ms, 3000);
    }
    wg_store_proxy_free(first);
    wg_store_proxy_free(second);
    WG_CHECK_INT(wg_store_proxy_upsert(s, "ghost", &in, NULL), WG_ENOTFOUND);
    WG_CHECK_INT(wg_store_close(s), 0);
}

/* Binding by name (column.c): the index found for a name's address is
 * reused, the same name at another address finds the same index, a name
 * the statement lacks is WG_EDB, and bound text is not copied yet read
 * right by the step. */
static void bind_by_name_caches_indexes(void)
{
    wg_store_t *s = open_memory();
    if (!s)
        return;
    char id[64];
    Wg__Ipc__Instance in = WG__IPC__INSTANCE__INIT, *row = NULL;
    in.name = "binder";
    in.integration = "WHATSAPP-BAILEYS";
    in.token = "T";
    WG_CHECK_INT(wg_store_instance_insert(s, &in, &row), 0);
    snprintf(id, sizeof id, "%s", row ? row->id : "");
    wg_store_instance_free(row);
    sqlite3_stmt *st = s->stmt[STMT_INSTANCE_BY_ID];
    for (int round = 0; round < 3; round++) {
        char name[16], value[64];
        snprintf(name, sizeof name, ":id"); /* a fresh address each round */
        snprintf(value, sizeof value, "%s", id);
        store_bind_t b = store_bind_start(s, st);
        WG_CHECK(b.params == &s->params[STMT_INSTANCE_BY_ID]);
        store_bind_text(&b, round == 1 ? name : ":id", value);
        WG_CHECK_INT(b.rc, 0);
        WG_CHECK_INT(store_step(s, st, "test"), 1);
        store_reset(st);
    }
    store_bind_t b = store_bind_start(s, st);
    store_bind_text(&b, ":no_such", "x");
    WG_CHECK_INT(b.rc, WG_EDB);
    store_reset(st);
    WG_CHECK_INT(wg_store_close(s), 0);
}

static void malformed_stored_events_are_an_error_not_a_crash(void)
{
    wg_store_t *s = open_memory();
    if (!s)
        return;
    full_t f;
    full_init(&f, "bad-events");
    Wg__Ipc__Instance *row = NULL;
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, &row), 0);
    if (!row) {
        wg_store_close(s);
        return;
    }
    const char *bad[] = {"'{\"a\":1}'", "'not json'", "'[1,2]'", "'[\"ok\", null]'", "''"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "UPDATE webhook SET events = %s", bad[i]);
        WG_CHECK_INT(exec_sql(s, sql), SQLITE_OK);
        Wg__Ipc__Webhook *w = (Wg__Ipc__Webhook *)1;
        WG_CHECK_INT(wg_store_webhook_find(s, row->id, &w), WG_EDB);
        WG_CHECK(w == NULL);
        Wg__Ipc__Instance *i2 = (Wg__Ipc__Instance *)1;
        WG_CHECK_INT(wg_store_instance_get_by_id(s, row->id, &i2), WG_EDB);
        WG_CHECK(i2 == NULL);
        Wg__Ipc__InstanceList *list = (Wg__Ipc__InstanceList *)1;
        WG_CHECK_INT(wg_store_instance_load_all(s, NULL, &list), WG_EDB);
        WG_CHECK(list == NULL);
    }
    /* the statements were reset: after repair everything works again */
    WG_CHECK_INT(exec_sql(s, "UPDATE webhook SET events = '[\"X\"]'"), SQLITE_OK);
    Wg__Ipc__Webhook *w = NULL;
    WG_CHECK_INT(wg_store_webhook_find(s, row->id, &w), 0);
    if (w)
        WG_CHECK(w->n_events == 1 && !strcmp(w->events[0], "X"));
    wg_store_webhook_free(w);
    wg_store_instance_free(row);
    WG_CHECK_INT(wg_store_close(s), 0);
}

/* ------------------------------------------------------------ on disk */

static void data_survives_a_restart(void)
{
    tmp_db_t t;
    tmp_init(&t);
    wg_store_t *s = NULL;
    wg_buf_t err = WG_BUF_INIT;
    WG_CHECK_INT(wg_store_open(t.path, &s, &err), 0);
    if (!s) {
        fprintf(stderr, "%s\n", wg_buf_cstr(&err));
        wg_buf_free(&err);
        tmp_cleanup(&t);
        return;
    }
    struct stat st;
    WG_CHECK(stat(t.path, &st) == 0 && (st.st_mode & 0777) == 0600);
    wg_store_set_clock(s, fake_clock);
    fake_now = 99000;
    full_t f;
    full_init(&f, "persist");
    Wg__Ipc__Instance *row = NULL;
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, &row), 0);
    sqlite3_stmt *jm = NULL;
    sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &jm, NULL);
    WG_CHECK(sqlite3_step(jm) == SQLITE_ROW &&
             !strcmp((const char *)sqlite3_column_text(jm, 0), "wal"));
    sqlite3_finalize(jm);
    char wal[160];
    snprintf(wal, sizeof wal, "%s-wal", t.path);
    WG_CHECK(file_exists(wal));
    WG_CHECK_INT(wg_store_close(s), 0);
    WG_CHECK(!file_exists(wal)); /* checkpointed and removed on close */

    s = NULL;
    WG_CHECK_INT(wg_store_open(t.path, &s, &err), 0);
    Wg__Ipc__Instance *back = NULL;
    if (s)
        WG_CHECK_INT(wg_store_instance_get_by_name(s, "persist", &back), 0);
    if (back && row) {
        check_full(back, &f, 99000);
        WG_CHECK_STR(back->id, row->id);
        WG_CHECK_STR(back->settings->id, row->settings->id);
        WG_CHECK_STR(back->webhook->id, row->webhook->id);
        WG_CHECK_STR(back->websocket->id, row->websocket->id);
        WG_CHECK_STR(back->proxy->id, row->proxy->id);
    }
    if (s)
        WG_CHECK_INT(wg_store_schema_version(s), wg_store_schema_latest());
    wg_store_instance_free(back);
    wg_store_instance_free(row);
    WG_CHECK_INT(wg_store_close(s), 0);
    wg_buf_free(&err);
    tmp_cleanup(&t);
}

/* ------------------------------------------------------------ migrations */

static void migrates_from_version_zero(void)
{
    /* a database someone created before the store ever ran: version 0 */
    tmp_db_t t;
    tmp_init(&t);
    sqlite3 *raw = NULL;
    WG_CHECK_INT(sqlite3_open(t.path, &raw), SQLITE_OK);
    WG_CHECK_INT(sqlite3_exec(raw, "CREATE TABLE unrelated (x INTEGER)", NULL, NULL, NULL),
                 SQLITE_OK);
    WG_CHECK_INT(sqlite3_close(raw), SQLITE_OK);

    wg_store_t *s = NULL;
    WG_CHECK_INT(wg_store_open(t.path, &s, NULL), 0);
    if (s) {
        WG_CHECK_INT(wg_store_schema_version(s), wg_store_schema_latest());
        WG_CHECK_INT(count_rows(s, "unrelated"), 0);
        WG_CHECK_INT(insert_minimal(s, "after-migration", NULL, NULL), 0);
    }
    WG_CHECK_INT(wg_store_close(s), 0);
    tmp_cleanup(&t);
}

static void upgrades_a_version_one_database(void)
{
    tmp_db_t t;
    tmp_init(&t);
    /* build the database at version 1 with only the first migration */
    wg_store_t *s = NULL;
    WG_CHECK_INT(store_open_migrations(t.path, store_migrations, 1, &s, NULL), 0);
    if (!s) {
        tmp_cleanup(&t);
        return;
    }
    WG_CHECK_INT(wg_store_schema_version(s), 1);
    full_t f;
    full_init(&f, "v1");
    WG_CHECK_INT(wg_store_instance_insert(s, &f.inst, NULL), 0);
    WG_CHECK_INT(wg_store_close(s), 0);

    /* reopen with a history one step longer: only the new step runs */
    const char *longer[] = {
        store_migrations[0],
        "CREATE TABLE later_feature (instance_id TEXT NOT NULL"
        " REFERENCES instance (id) ON DELETE CASCADE, note TEXT) STRICT;"
        "ALTER TABLE instance ADD COLUMN later_column TEXT;",
    };
    wg_buf_t err = WG_BUF_INIT;
    WG_CHECK_INT(store_open_migrations(t.path, longer, 2, &s, &err), 0);
    if (s) {
        WG_CHECK_INT(wg_store_schema_version(s), 2);
        WG_CHECK_INT(count_rows(s, "later_feature"), 0);
        WG_CHECK_INT(pragma_int(s, "SELECT count(*) FROM instance WHERE later_column IS NULL"), 1);
        Wg__Ipc__Instance *back = NULL;
        WG_CHECK_INT(wg_store_instance_get_by_name(s, "v1", &back), 0);
        if (back)
            check_full(back, &f, back->created_at_ms);
        wg_store_instance_free(back);
    }
    WG_CHECK_INT(wg_store_close(s), 0);

    /* this program only knows version 1 now: a newer file is refused */
    WG_CHECK_INT(store_open_migrations(t.path, store_migrations, 1, &s, &err), WG_EDB);
    WG_CHECK(s == NULL);
    WG_CHECK(strstr(wg_buf_cstr(&err), "newer") != NULL);
    wg_buf_free(&err);
    tmp_cleanup(&t);
}

static void failed_migration_rolls_back(void)
{
    tmp_db_t t;
    tmp_init(&t);
    wg_store_t *s = NULL;
    WG_CHECK_INT(store_open_migrations(t.path, store_migrations, 1, &s, NULL), 0);
    WG_CHECK_INT(insert_minimal(s, "survivor", NULL, NULL), 0);
    WG_CHECK_INT(wg_store_close(s), 0);

    /* step 2 does half its work and then fails */
    const char *broken[] = {
        store_migrations[0],
        "CREATE TABLE half_done (x INTEGER); THIS IS NOT SQL;",
    };
    wg_buf_t err = WG_BUF_INIT;
    WG_CHECK_INT(store_open_migrations(t.path, broken, 2, &s, &err), WG_EDB);
    WG_CHECK(s == NULL);
    WG_CHECK(strstr(wg_buf_cstr(&err), "migration 2") != NULL);
    wg_buf_free(&err);

    WG_CHECK_INT(store_open_migrations(t.path, store_migrations, 1, &s, NULL), 0);
    if (s) {
        WG_CHECK_INT(wg_store_schema_version(s), 1);
        WG_CHECK_INT(pragma_int(s, "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'"),
                     0);
        Wg__Ipc__Instance *back = NULL;
        WG_CHECK_INT(wg_store_instance_get_by_name(s, "survivor", &back), 0);
        wg_store_instance_free(back);
    }
    WG_CHECK_INT(wg_store_close(s), 0);
    tmp_cleanup(&t);
}

int main(void)
{
    wg_log_threshold = WG_LOG_WARN; /* the error paths log on purpose */
    if (getenv("WG_TEST_VERBOSE"))
        wg_log_threshold = WG_LOG_DEBUG;
    WG_RUN(uuid_is_v4_and_distinct);
    WG_RUN(uuid_v7_is_time_ordered);
    WG_RUN(open_memory_sets_up_schema_and_pragmas);
    WG_RUN(close_and_free_null_are_noops);
    WG_RUN(not_a_database_is_an_error);
    WG_RUN(instance_round_trip_every_field);
    WG_RUN(instance_insert_defaults);
    WG_RUN(unique_name_is_eexist_and_writes_nothing);
    WG_RUN(invalid_instances_are_rejected_atomically);
    WG_RUN(missing_instance_is_enotfound);
    WG_RUN(update_connection_writes_exactly_its_fields);
    WG_RUN(delete_cascades_to_every_row);
    WG_RUN(load_all_filters_by_client_and_attaches_rows);
    WG_RUN(settings_upsert_keeps_id_and_created_at);
    WG_RUN(webhook_upsert_keeps_id_and_created_at);
    WG_RUN(websocket_upsert_keeps_id_and_created_at);
    WG_RUN(proxy_upsert_keeps_id_and_created_at);
    WG_RUN(bind_by_name_caches_indexes);
    WG_RUN(malformed_stored_events_are_an_error_not_a_crash);
    WG_RUN(data_survives_a_restart);
    WG_RUN(migrates_from_version_zero);
    WG_RUN(upgrades_a_version_one_database);
    WG_RUN(failed_migration_rolls_back);
    return wg_test_done();
}
