/* The schema history of the store. Entry i takes a database from
 * PRAGMA user_version i to i+1 and runs in one transaction together with the
 * version bump (store.c). Entries are append-only: never edit or reorder a
 * released one — a database in the field has already run it. An entry must
 * not contain BEGIN/COMMIT, and cannot toggle foreign_keys (a pragma that is
 * a no-op inside a transaction): a future table rebuild that needs it off
 * has to be handled in store.c's migrate() explicitly. Tables follow
 * Evolution API's data model (spec §5), snake_case, times as integer ms.
 * STRICT tables (SQLite >= 3.37) keep wrong-typed values out. */
#include "store/store_internal.h"

const char *const store_migrations[] = {
    /* 1: instances, their 1:1 configuration rows, the session row. */
    "CREATE TABLE instance ("
    " id TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),"
    " name TEXT NOT NULL UNIQUE CHECK (name <> ''),"
    " connection_status TEXT NOT NULL DEFAULT 'open'"
    "  CHECK (connection_status IN ('open', 'close', 'connecting')),"
    " owner_jid TEXT,"
    " profile_name TEXT,"
    " profile_pic_url TEXT,"
    " integration TEXT NOT NULL,"
    " number TEXT,"
    " business_id TEXT,"
    " token TEXT NOT NULL,"
    " client_name TEXT,"
    " disconnection_reason_code INTEGER,"
    " disconnection_object TEXT," /* JSON text, verbatim */
    " disconnection_at INTEGER,"
    " status_reason INTEGER,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX instance_client_name ON instance (client_name);"

    "CREATE TABLE setting ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " instance_id TEXT NOT NULL UNIQUE REFERENCES instance (id) ON DELETE CASCADE,"
    " reject_call INTEGER NOT NULL DEFAULT 0 CHECK (reject_call IN (0, 1)),"
    " msg_call TEXT,"
    " groups_ignore INTEGER NOT NULL DEFAULT 0 CHECK (groups_ignore IN (0, 1)),"
    " always_online INTEGER NOT NULL DEFAULT 0 CHECK (always_online IN (0, 1)),"
    " read_messages INTEGER NOT NULL DEFAULT 0 CHECK (read_messages IN (0, 1)),"
    " read_status INTEGER NOT NULL DEFAULT 0 CHECK (read_status IN (0, 1)),"
    " sync_full_history INTEGER NOT NULL DEFAULT 0 CHECK (sync_full_history IN (0, 1)),"
    " wavoip_token TEXT,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL"
    ") STRICT;"

    "CREATE TABLE webhook ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " instance_id TEXT NOT NULL UNIQUE REFERENCES instance (id) ON DELETE CASCADE,"
    " url TEXT NOT NULL,"
    " headers TEXT," /* JSON object text, verbatim from the user */
    " enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),"
    " events TEXT NOT NULL DEFAULT '[]'," /* JSON array of UPPER_SNAKE names */
    " by_events INTEGER NOT NULL DEFAULT 0 CHECK (by_events IN (0, 1)),"
    " base64 INTEGER NOT NULL DEFAULT 0 CHECK (base64 IN (0, 1)),"
    " secret TEXT," /* HMAC key (wagate extension) */
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL"
    ") STRICT;"

    "CREATE TABLE websocket ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " instance_id TEXT NOT NULL UNIQUE REFERENCES instance (id) ON DELETE CASCADE,"
    " enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),"
    " events TEXT NOT NULL DEFAULT '[]',"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL"
    ") STRICT;"

    "CREATE TABLE proxy ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " instance_id TEXT NOT NULL UNIQUE REFERENCES instance (id) ON DELETE CASCADE,"
    " enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),"
    " host TEXT,"
    " port TEXT," /* a string, as Evolution stores it */
    " protocol TEXT,"
    " username TEXT,"
    " password TEXT,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL"
    ") STRICT;"

    /* creds: the encrypted credentials blob; its API comes with the
     * WhatsApp session work. Logout deletes the row, delete cascades. */
    "CREATE TABLE session ("
    " instance_id TEXT PRIMARY KEY NOT NULL REFERENCES instance (id) ON DELETE CASCADE,"
    " creds BLOB,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL"
    ") STRICT;",

    /* 2: the durable webhook outbox (connd/store/outbox.c). A row is one
     * delivery of one event to one URL, written before the first attempt and
     * deleted once delivered; state 'failed' keeps it for replay. No foreign
     * key to instance: events outlive their instance (remove.instance is sent
     * after the delete). AUTOINCREMENT so ids (the per-destination order)
     * never go back after deletions. */
    "CREATE TABLE webhook_destination ("
    " id INTEGER PRIMARY KEY,"
    " url TEXT NOT NULL UNIQUE"
    ") STRICT;"
    "CREATE TABLE webhook_outbox ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " delivery_id TEXT NOT NULL UNIQUE," /* UUIDv7 (older rows: v4), X-Wagate-Delivery */
    " destination_id INTEGER NOT NULL REFERENCES webhook_destination (id),"
    " instance_id TEXT NOT NULL,"
    " instance_name TEXT NOT NULL,"
    " event TEXT NOT NULL,"           /* dotted wire name */
    " source TEXT NOT NULL CHECK (source IN ('instance', 'global')),"
    " headers TEXT,"                  /* the webhook's JSON headers object at event time */
    " secret TEXT,"                   /* HMAC key at event time */
    " body TEXT NOT NULL,"            /* the envelope, POSTed byte for byte */
    " state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')),"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_attempt_at INTEGER NOT NULL DEFAULT 0,"
    " last_status INTEGER,"
    " last_error TEXT,"
    " created_at INTEGER NOT NULL,"
    " failed_at INTEGER"
    ") STRICT;"
    "CREATE INDEX webhook_outbox_queue ON webhook_outbox (destination_id, state, id);"
    "CREATE INDEX webhook_outbox_instance ON webhook_outbox (instance_id, state, id);"
    "CREATE INDEX webhook_outbox_failed_at ON webhook_outbox (state, failed_at);",

    /* 3: Signal protocol records (connd/store/signal_key.c): remote
     * identities, consumed one-time pre-keys (empty record = tombstone),
     * rotated signed pre-keys, sessions, sender keys. record is sealed by
     * connd/signal with the vault key; the row key stays in clear. The own
     * identity, signed pre-key and one-time pre-keys come from the
     * credentials blob (session.creds), not from here. */
    "CREATE TABLE signal_key ("
    " instance_id TEXT NOT NULL REFERENCES instance (id) ON DELETE CASCADE,"
    " kind TEXT NOT NULL CHECK (kind IN"
    "  ('identity', 'prekey', 'signed_prekey', 'session', 'sender_key')),"
    " group_id TEXT NOT NULL DEFAULT ''," /* sender keys: the group JID */
    " name TEXT NOT NULL DEFAULT '',"     /* Signal address name, '' for own keys */
    " device INTEGER NOT NULL,"           /* device id, or the (signed) pre-key id */
    " record BLOB NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " PRIMARY KEY (instance_id, kind, group_id, name, device)"
    ") STRICT, WITHOUT ROWID;",

    /* 4: messages (connd/store/message.c), Evolution's Message model
     * (evolution-api.md §5): one row per WhatsApp key id and instance, so a
     * redelivered message is never stored (nor announced) twice. key_json,
     * message_json are the event's objects, stored as sent. */
    "CREATE TABLE message ("
    " rowid INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"            /* UUIDv7 (older rows: v4), findMessages id */
    " instance_id TEXT NOT NULL REFERENCES instance (id) ON DELETE CASCADE,"
    " key_id TEXT NOT NULL,"
    " remote_jid TEXT NOT NULL,"
    " from_me INTEGER NOT NULL CHECK (from_me IN (0, 1)),"
    " participant TEXT,"
    " push_name TEXT,"
    " message_type TEXT NOT NULL,"
    " key_json TEXT NOT NULL,"
    " message_json TEXT NOT NULL,"
    " message_timestamp INTEGER NOT NULL," /* seconds, as WhatsApp's t */
    " status TEXT NOT NULL,"
    " source TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " UNIQUE (instance_id, key_id)"
    ") STRICT;"
    "CREATE INDEX message_chat ON message (instance_id, remote_jid, message_timestamp);",

    /* LID <-> phone-number mappings (connd/store/lid_map.c, wa-protocol.md
     * §7.1 Addressing): one row per LID user of an instance, a phone number
     * maps to at most one LID. Users only (no device, no server). IF NOT
     * EXISTS and no reference but instance: independent of the order in
     * which this migrations were merged. */
    "CREATE TABLE IF NOT EXISTS lid_map ("
    " instance_id TEXT NOT NULL REFERENCES instance (id) ON DELETE CASCADE,"
    " lid TEXT NOT NULL,"
    " pn TEXT NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " PRIMARY KEY (instance_id, lid)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE UNIQUE INDEX IF NOT EXISTS lid_map_pn ON lid_map (instance_id, pn);",

    /* 6: contacts and chats (connd/store/contact.c, chat.c), fed from
     * received messages (connd/chat/track.c): a contact per sender JID with
     * its last push name; a chat per remote JID with the count of incoming
     * messages not read yet and the time of its newest message. */
    "CREATE TABLE contact ("
    " rowid INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"            /* UUIDv4, findContacts' id */
    " instance_id TEXT NOT NULL REFERENCES instance (id) ON DELETE CASCADE,"
    " remote_jid TEXT NOT NULL,"
    " push_name TEXT,"
    " profile_pic_url TEXT,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " UNIQUE (instance_id, remote_jid)"
    ") STRICT;"
    "CREATE TABLE chat ("
    " rowid INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"
    " instance_id TEXT NOT NULL REFERENCES instance (id) ON DELETE CASCADE,"
    " remote_jid TEXT NOT NULL,"
    " name TEXT,"
    " unread_count INTEGER NOT NULL DEFAULT 0,"
    " last_message_at INTEGER NOT NULL DEFAULT 0," /* seconds */
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " UNIQUE (instance_id, remote_jid)"
    ") STRICT;"
    "CREATE INDEX chat_recent ON chat (instance_id, last_message_at);",

    /* sender-key memory (connd/store/sender_key_memory.c, wa-protocol.md
     * §7.2 step 6): which devices already got our current sender key for a
     * group, so the SKDM rides only to the others. Self-contained (IF NOT
     * EXISTS, no reference to other new tables) so it may land before or
     * after any other appended migration. */
    "CREATE TABLE IF NOT EXISTS sender_key_memory ("
    " instance_id TEXT NOT NULL REFERENCES instance (id) ON DELETE CASCADE,"
    " group_jid TEXT NOT NULL,"
    " device_jid TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " PRIMARY KEY (instance_id, group_jid, device_jid)"
    ") STRICT, WITHOUT ROWID;",

    /* pending events (connd/store/pending_event.c, connd/events/pending.c):
     * a message's bus event committed in the message's own transaction and
     * deleted once its webhook outbox rows are committed, so kill -9 between
     * the two cannot lose it. Self-contained (IF NOT EXISTS, references only
     * instance) so it may land before or after any other appended migration. */
    "CREATE TABLE IF NOT EXISTS pending_event ("
    " id INTEGER PRIMARY KEY,"
    " instance_id TEXT NOT NULL REFERENCES instance (id) ON DELETE CASCADE,"
    " instance_name TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " data_json TEXT NOT NULL,"
    " at_ms INTEGER NOT NULL"
    ") STRICT;",

    /* Reserved for later issues, appended in the order they land (each its
     * own entry; do not create them before their code exists):
     *   app-state keys, message updates. */
};

const size_t store_migration_count = sizeof store_migrations / sizeof store_migrations[0];
