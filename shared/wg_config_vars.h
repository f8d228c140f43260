/* THE configuration table of wagate: every environment variable either
 * program reads, with type, default, validator, scope and help text.
 * `connd --help` prints it and README's configuration table is generated from
 * it (`connd --help-markdown`; a test fails when they drift). Add a variable
 * here and nowhere else.
 *
 * X(id, ENV_NAME, type, default, validator, scope, help)
 *   type:  WG_CFG_STR | WG_CFG_INT | WG_CFG_BOOL
 *   scope: WG_SCOPE_CONND | WG_SCOPE_FCGI (or both)
 *   default "" means unset; validator may be NULL. */
#define WG_CONFIG_VARS(X)                                                                          \
    X(AUTH_KEY, "AUTHENTICATION_API_KEY", WG_CFG_STR, "", wg_cfg_valid_key, WG_SCOPE_CONND,        \
      "Global API key. When unset, connd generates one on first start and keeps it in "            \
      "$WAGATE_DATA_DIR/apikey (mode 0600).")                                                      \
    X(SERVER_URL, "SERVER_URL", WG_CFG_STR, "", wg_cfg_valid_url_or_empty, WG_SCOPE_CONND,         \
      "Public base URL of this server, for the server_url field of delivered events.")             \
    X(CLIENT_NAME, "DATABASE_CONNECTION_CLIENT_NAME", WG_CFG_STR, "wagate", wg_cfg_valid_word,     \
      WG_SCOPE_CONND, "Value of clientName on instances (Evolution's multi-server tag).")          \
    X(CORS_ORIGIN, "CORS_ORIGIN", WG_CFG_STR, "*", NULL, WG_SCOPE_CONND | WG_SCOPE_FCGI,           \
      "Comma list of browser origins allowed by CORS (REST and Socket.IO), or * for any. "        \
      "Requests without an Origin header (server-to-server) are always served.")                  \
    X(DEL_INSTANCE, "DEL_INSTANCE", WG_CFG_STR, "false", wg_cfg_valid_del_instance,                \
      WG_SCOPE_CONND,                                                                              \
      "false, or a number of minutes: an instance that is not open that long after its "           \
      "creation is deleted.")                                                                      \
    X(LOG_LEVEL, "LOG_LEVEL", WG_CFG_STR, "info", wg_cfg_valid_log_level,                          \
      WG_SCOPE_CONND | WG_SCOPE_FCGI,                                                              \
      "error, warn, info or debug; Evolution's comma list (ERROR,WARN,DEBUG,...) is accepted "     \
      "and its most verbose entry wins. connd logs every event as one line: at info its name, "    \
      "the instance and the message key id, never the payload (message text, names, numbers); "    \
      "at debug the same line also carries the payload as data=<JSON>.")                           \
    X(WA_SERVER_URL, "WA_SERVER_URL", WG_CFG_STR, "wss://web.whatsapp.com/ws/chat", NULL,         \
      WG_SCOPE_CONND, "WhatsApp Web websocket (ws:// or wss://). Test peers run on loopback.")    \
    X(WA_ROOT_KEY, "WA_ROOT_KEY", WG_CFG_STR,                                                      \
      "142375574d0a587166aae71ebe516437c4a28b73e3695c6ce1f7f9545da8ee6b", NULL, WG_SCOPE_CONND,    \
      "Hex Curve25519 key the server certificate chain must be signed by (default: WhatsApp's "   \
      "root).")                                                                                    \
    X(WA_CERT_CHECK, "WA_CERT_CHECK", WG_CFG_STR, "on", NULL, WG_SCOPE_CONND,                      \
      "on or off. off skips the server certificate check; refused unless WA_SERVER_URL is a "     \
      "loopback address, and logged as a warning at every connect.")                              \
    X(QRCODE_LIMIT, "QRCODE_LIMIT", WG_CFG_INT, "30", wg_cfg_valid_positive, WG_SCOPE_CONND,       \
      "QR codes shown per linking attempt; the next one ends linking as refused "                 \
      "(statusReason 428), as in Evolution.")                                                      \
    X(QRCODE_COLOR, "QRCODE_COLOR", WG_CFG_STR, "#198754", NULL, WG_SCOPE_CONND,                   \
      "Dark colour (#rrggbb) of the QR PNG in connect replies and qrcode.updated.")               \
    X(SESSION_PHONE_CLIENT, "CONFIG_SESSION_PHONE_CLIENT", WG_CFG_STR, "Evolution API", NULL,      \
      WG_SCOPE_CONND, "Device name the phone shows under Linked devices.")                        \
    X(SESSION_PHONE_NAME, "CONFIG_SESSION_PHONE_NAME", WG_CFG_STR, "Chrome", NULL,                 \
      WG_SCOPE_CONND, "Browser presented to WhatsApp (Chrome, Firefox, Safari, Edge, Opera, "     \
      "Desktop).")                                                                                 \
    X(SECRET_KEY, "WAGATE_SECRET_KEY", WG_CFG_STR, "", NULL, WG_SCOPE_CONND,                       \
      "64 hex characters: the key WhatsApp credentials are encrypted with at rest. Unset: a key " \
      "file (secret.key, mode 0600) is created in the data directory on first start.")            \
    X(CONNECT_WAIT_MS, "WAGATE_CONNECT_WAIT_MS", WG_CFG_INT, "5000", wg_cfg_valid_positive,        \
      WG_SCOPE_CONND, "How long /instance/connect (and create with qrcode) waits for the first "  \
      "QR code or pairing code. Keep it below WAGATE_IPC_TIMEOUT_MS.")                             \
    X(QR_TIMEOUT_MS, "WAGATE_QR_TIMEOUT_MS", WG_CFG_INT, "45000", wg_cfg_valid_positive,           \
      WG_SCOPE_CONND, "How long the first QR ref is shown; later refs are shown 20 s (or this "   \
      "long if shorter).")                                                                         \
    X(PROFILE_PICTURE, "WAGATE_PROFILE_PICTURE", WG_CFG_BOOL, "true", NULL, WG_SCOPE_CONND,       \
      "Ask WhatsApp for the account's profile picture URL after login, so connection.update open "\
      "carries profilePictureUrl (open waits up to 1.5 s for it). false only for test servers "    \
      "that cannot decode the query (crabline).")                                                  \
    X(KEEPALIVE_MS, "WAGATE_KEEPALIVE_MS", WG_CFG_INT, "30000", wg_cfg_valid_positive,             \
      WG_SCOPE_CONND, "WhatsApp keepalive ping interval; 5 s more of silence closes the link "    \
      "as 408 and reconnects.")                                                                    \
    X(LOOP_COALESCE_US, "WAGATE_LOOP_COALESCE_US", WG_CFG_INT, "1000", wg_cfg_valid_coalesce_us,  \
      WG_SCOPE_CONND, "Under a stream of inputs (more than 4 turns of connd's network loop in a " \
      "row, each ending less than this many microseconds after the one before), pause this long " \
      "after each turn: what arrives meanwhile (WhatsApp frames, Socket.IO and API requests, "    \
      "finished store jobs) is then handled in one wake-up instead of one each. In a stream each " \
      "step waits at most this much longer; an isolated input and the few turns it causes wait " \
      "nothing. Saves CPU per message (README Benchmarks). 0-100000; 0: never pause.")            \
    X(RECONNECT_MIN_MS, "WAGATE_RECONNECT_MIN_MS", WG_CFG_INT, "1000", wg_cfg_valid_positive,      \
      WG_SCOPE_CONND, "First reconnect delay after a transient disconnect; doubles per failed "   \
      "attempt, with +-20% jitter.")                                                               \
    X(RECONNECT_MAX_MS, "WAGATE_RECONNECT_MAX_MS", WG_CFG_INT, "60000", wg_cfg_valid_positive,     \
      WG_SCOPE_CONND, "Upper bound of the reconnect delay.")                                       \
    X(WEBSOCKET_ENABLED, "WEBSOCKET_ENABLED", WG_CFG_BOOL, "false", NULL, WG_SCOPE_CONND,          \
      "true to serve Socket.IO events (connd listens on 127.0.0.1:WAGATE_SIO_PORT, proxied at "   \
      "/socket.io/) and to accept /websocket/set configs. While false there is no endpoint, "     \
      "/websocket/set stores nothing and answers an empty body, as Evolution does.")              \
    X(WEBSOCKET_GLOBAL_EVENTS, "WEBSOCKET_GLOBAL_EVENTS", WG_CFG_BOOL, "false", NULL,              \
      WG_SCOPE_CONND,                                                                              \
      "true: the root Socket.IO namespace / receives every event of every instance, unfiltered, " \
      "and requires the global API key. false: connecting to / is refused.")                     \
    X(WEBSOCKET_ALLOWED_HOSTS, "WEBSOCKET_ALLOWED_HOSTS", WG_CFG_STR,                              \
      "127.0.0.1,::1,::ffff:127.0.0.1", NULL, WG_SCOPE_CONND,                                      \
      "Comma list of client IP addresses allowed to open Socket.IO namespaces, or * for any. "    \
      "They restrict; a key is still required.")                                                   \
    X(SIO_PORT, "WAGATE_SIO_PORT", WG_CFG_INT, "8081", wg_cfg_valid_port, WG_SCOPE_CONND,          \
      "Loopback TCP port of connd's Socket.IO endpoint (the web server proxies /socket.io/ to " \
      "it; ./wagate serve passes the same value to both).")                                       \
    X(TRUSTED_PROXIES, "WAGATE_TRUSTED_PROXIES", WG_CFG_STR, "127.0.0.1,::1,::ffff:127.0.0.1",     \
      NULL, WG_SCOPE_CONND,                                                                        \
      "Comma list of proxy IPs whose X-Forwarded-For is believed for WEBSOCKET_ALLOWED_HOSTS "    \
      "(the rightmost address that is not a trusted proxy is the client).")                       \
    X(SIO_PING_INTERVAL_MS, "WAGATE_SIO_PING_INTERVAL_MS", WG_CFG_INT, "25000",                    \
      wg_cfg_valid_positive, WG_SCOPE_CONND, "Engine.IO pingInterval of the Socket.IO endpoint.") \
    X(SIO_PING_TIMEOUT_MS, "WAGATE_SIO_PING_TIMEOUT_MS", WG_CFG_INT, "20000",                      \
      wg_cfg_valid_positive, WG_SCOPE_CONND,                                                       \
      "Engine.IO pingTimeout: a client that does not answer a ping within it is closed.")         \
    X(SIO_MAX_PAYLOAD, "WAGATE_SIO_MAX_PAYLOAD", WG_CFG_INT, "1000000", wg_cfg_valid_positive,     \
      WG_SCOPE_CONND, "Largest Socket.IO message (WebSocket frame or polling POST) accepted.")    \
    X(SIO_QUEUE_MAX_BYTES, "WAGATE_SIO_QUEUE_MAX_BYTES", WG_CFG_INT, "1048576",                    \
      wg_cfg_valid_positive, WG_SCOPE_CONND,                                                       \
      "Output queue cap per Socket.IO connection; a client that falls further behind is "         \
      "disconnected (logged) and reconnects.")                                                     \
    X(DATA_DIR, "WAGATE_DATA_DIR", WG_CFG_STR, "./var", NULL, WG_SCOPE_CONND | WG_SCOPE_FCGI,      \
      "Directory of the SQLite database, the generated API key and (by default) the IPC "          \
      "socket.")                                                                                   \
    X(IPC_SOCKET, "WAGATE_IPC_SOCKET", WG_CFG_STR, "", wg_cfg_valid_socket_path,                   \
      WG_SCOPE_CONND | WG_SCOPE_FCGI,                                                              \
      "Unix socket between wagate-fcgi and connd (mode 0660). Default "                            \
      "$WAGATE_DATA_DIR/connd.sock.")                                                              \
    X(IPC_TIMEOUT_MS, "WAGATE_IPC_TIMEOUT_MS", WG_CFG_INT, "10000", wg_cfg_valid_positive,         \
      WG_SCOPE_FCGI, "How long wagate-fcgi waits for connd's answer before replying 503.")         \
    X(COMPAT, "WAGATE_COMPAT", WG_CFG_STR, "", wg_cfg_valid_compat, WG_SCOPE_FCGI,                 \
      "Empty for the documented response shapes, or evolution-2.3 for Evolution 2.3.6's "          \
      "(e.g. hash as a plain string).")                                                            \
    X(MAX_BODY, "WAGATE_MAX_BODY_BYTES", WG_CFG_INT, "10485760", wg_cfg_valid_positive,            \
      WG_SCOPE_FCGI, "Largest request body accepted; bigger bodies get 413.")                      \
    X(FCGI_THREADS, "WAGATE_FCGI_THREADS", WG_CFG_INT, "16", wg_cfg_valid_positive, WG_SCOPE_FCGI, \
      "Request threads in one wagate-fcgi process (requests in flight at connd; more threads "     \
      "let connd batch more sends per commit).")                                                   \
    X(URL_PREFIX, "WAGATE_URL_PREFIX", WG_CFG_STR, "", NULL, WG_SCOPE_FCGI,                        \
      "Path prefix stripped before routing, for mounting the API under e.g. /api.")                \
    X(EXPOSE_APIKEY, "AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES", WG_CFG_BOOL, "false", NULL,       \
      WG_SCOPE_CONND,                                                                              \
      "true to put the instance token in the apikey field of delivered events (else null), "       \
      "as Evolution does.")                                                                        \
    X(WEBHOOK_GLOBAL_ENABLED, "WEBHOOK_GLOBAL_ENABLED", WG_CFG_BOOL, "false", NULL,                \
      WG_SCOPE_CONND,                                                                              \
      "true to POST the events selected by WEBHOOK_EVENTS_* of every instance to "                 \
      "WEBHOOK_GLOBAL_URL, in addition to each instance's own webhook.")                           \
    X(WEBHOOK_GLOBAL_URL, "WEBHOOK_GLOBAL_URL", WG_CFG_STR, "", wg_cfg_valid_url_or_empty,         \
      WG_SCOPE_CONND, "URL of the global webhook (http or https).")                                \
    X(WEBHOOK_GLOBAL_BY_EVENTS, "WEBHOOK_GLOBAL_WEBHOOK_BY_EVENTS", WG_CFG_BOOL, "false", NULL,    \
      WG_SCOPE_CONND,                                                                              \
      "true to append the event name to the global URL (/messages-upsert, "                        \
      "/connection-update, ...).")                                                                 \
    X(WEBHOOK_EVENTS_APPLICATION_STARTUP, "WEBHOOK_EVENTS_APPLICATION_STARTUP", WG_CFG_BOOL,       \
      "false", NULL, WG_SCOPE_CONND, "true to send application.startup to the global webhook.")    \
    X(WEBHOOK_EVENTS_INSTANCE_CREATE, "WEBHOOK_EVENTS_INSTANCE_CREATE", WG_CFG_BOOL, "false",      \
      NULL, WG_SCOPE_CONND, "true to send instance.create to the global webhook.")                 \
    X(WEBHOOK_EVENTS_INSTANCE_DELETE, "WEBHOOK_EVENTS_INSTANCE_DELETE", WG_CFG_BOOL, "false",      \
      NULL, WG_SCOPE_CONND, "true to send instance.delete to the global webhook.")                 \
    X(WEBHOOK_EVENTS_QRCODE_UPDATED, "WEBHOOK_EVENTS_QRCODE_UPDATED", WG_CFG_BOOL, "false", NULL,  \
      WG_SCOPE_CONND, "true to send qrcode.updated to the global webhook.")                        \
    X(WEBHOOK_EVENTS_MESSAGES_SET, "WEBHOOK_EVENTS_MESSAGES_SET", WG_CFG_BOOL, "false", NULL,      \
      WG_SCOPE_CONND, "true to send messages.set to the global webhook.")                          \
    X(WEBHOOK_EVENTS_MESSAGES_UPSERT, "WEBHOOK_EVENTS_MESSAGES_UPSERT", WG_CFG_BOOL, "false",      \
      NULL, WG_SCOPE_CONND, "true to send messages.upsert to the global webhook.")                 \
    X(WEBHOOK_EVENTS_MESSAGES_EDITED, "WEBHOOK_EVENTS_MESSAGES_EDITED", WG_CFG_BOOL, "false",      \
      NULL, WG_SCOPE_CONND, "true to send messages.edited to the global webhook.")                 \
    X(WEBHOOK_EVENTS_MESSAGES_UPDATE, "WEBHOOK_EVENTS_MESSAGES_UPDATE", WG_CFG_BOOL, "false",      \
      NULL, WG_SCOPE_CONND, "true to send messages.update to the global webhook.")                 \
    X(WEBHOOK_EVENTS_MESSAGES_DELETE, "WEBHOOK_EVENTS_MESSAGES_DELETE", WG_CFG_BOOL, "false",      \
      NULL, WG_SCOPE_CONND, "true to send messages.delete to the global webhook.")                 \
    X(WEBHOOK_EVENTS_SEND_MESSAGE, "WEBHOOK_EVENTS_SEND_MESSAGE", WG_CFG_BOOL, "false", NULL,      \
      WG_SCOPE_CONND, "true to send send.message to the global webhook.")                          \
    X(WEBHOOK_EVENTS_SEND_MESSAGE_UPDATE, "WEBHOOK_EVENTS_SEND_MESSAGE_UPDATE", WG_CFG_BOOL,       \
      "false", NULL, WG_SCOPE_CONND, "true to send send.message.update to the global webhook.")    \
    X(WEBHOOK_EVENTS_CONTACTS_SET, "WEBHOOK_EVENTS_CONTACTS_SET", WG_CFG_BOOL, "false", NULL,      \
      WG_SCOPE_CONND, "true to send contacts.set to the global webhook.")                          \
    X(WEBHOOK_EVENTS_CONTACTS_UPDATE, "WEBHOOK_EVENTS_CONTACTS_UPDATE", WG_CFG_BOOL, "false",      \
      NULL, WG_SCOPE_CONND, "true to send contacts.update to the global webhook.")                 \
    X(WEBHOOK_EVENTS_CONTACTS_UPSERT, "WEBHOOK_EVENTS_CONTACTS_UPSERT", WG_CFG_BOOL, "false",      \
      NULL, WG_SCOPE_CONND, "true to send contacts.upsert to the global webhook.")                 \
    X(WEBHOOK_EVENTS_PRESENCE_UPDATE, "WEBHOOK_EVENTS_PRESENCE_UPDATE", WG_CFG_BOOL, "false",      \
      NULL, WG_SCOPE_CONND, "true to send presence.update to the global webhook.")                 \
    X(WEBHOOK_EVENTS_CHATS_SET, "WEBHOOK_EVENTS_CHATS_SET", WG_CFG_BOOL, "false", NULL,            \
      WG_SCOPE_CONND, "true to send chats.set to the global webhook.")                             \
    X(WEBHOOK_EVENTS_CHATS_UPDATE, "WEBHOOK_EVENTS_CHATS_UPDATE", WG_CFG_BOOL, "false", NULL,      \
      WG_SCOPE_CONND, "true to send chats.update to the global webhook.")                          \
    X(WEBHOOK_EVENTS_CHATS_UPSERT, "WEBHOOK_EVENTS_CHATS_UPSERT", WG_CFG_BOOL, "false", NULL,      \
      WG_SCOPE_CONND, "true to send chats.upsert to the global webhook.")                          \
    X(WEBHOOK_EVENTS_CHATS_DELETE, "WEBHOOK_EVENTS_CHATS_DELETE", WG_CFG_BOOL, "false", NULL,      \
      WG_SCOPE_CONND, "true to send chats.delete to the global webhook.")                          \
    X(WEBHOOK_EVENTS_CONNECTION_UPDATE, "WEBHOOK_EVENTS_CONNECTION_UPDATE", WG_CFG_BOOL, "false",  \
      NULL, WG_SCOPE_CONND, "true to send connection.update to the global webhook.")               \
    X(WEBHOOK_EVENTS_LABELS_EDIT, "WEBHOOK_EVENTS_LABELS_EDIT", WG_CFG_BOOL, "false", NULL,        \
      WG_SCOPE_CONND, "true to send labels.edit to the global webhook.")                           \
    X(WEBHOOK_EVENTS_LABELS_ASSOCIATION, "WEBHOOK_EVENTS_LABELS_ASSOCIATION", WG_CFG_BOOL,         \
      "false", NULL, WG_SCOPE_CONND, "true to send labels.association to the global webhook.")     \
    X(WEBHOOK_EVENTS_GROUPS_UPSERT, "WEBHOOK_EVENTS_GROUPS_UPSERT", WG_CFG_BOOL, "false", NULL,    \
      WG_SCOPE_CONND, "true to send groups.upsert to the global webhook.")                         \
    X(WEBHOOK_EVENTS_GROUPS_UPDATE, "WEBHOOK_EVENTS_GROUPS_UPDATE", WG_CFG_BOOL, "false", NULL,    \
      WG_SCOPE_CONND,                                                                              \
      "true to send groups.update to the global webhook (Evolution stores it as "                  \
      "GROUP_UPDATE and never delivered it; wagate does).")                                        \
    X(WEBHOOK_EVENTS_GROUP_PARTICIPANTS_UPDATE, "WEBHOOK_EVENTS_GROUP_PARTICIPANTS_UPDATE",        \
      WG_CFG_BOOL, "false", NULL, WG_SCOPE_CONND,                                                  \
      "true to send group-participants.update to the global webhook.")                             \
    X(WEBHOOK_EVENTS_CALL, "WEBHOOK_EVENTS_CALL", WG_CFG_BOOL, "false", NULL, WG_SCOPE_CONND,      \
      "true to send call to the global webhook.")                                                  \
    X(WEBHOOK_EVENTS_TYPEBOT_START, "WEBHOOK_EVENTS_TYPEBOT_START", WG_CFG_BOOL, "false", NULL,    \
      WG_SCOPE_CONND, "true to send typebot.start to the global webhook.")                         \
    X(WEBHOOK_EVENTS_TYPEBOT_CHANGE_STATUS, "WEBHOOK_EVENTS_TYPEBOT_CHANGE_STATUS", WG_CFG_BOOL,   \
      "false", NULL, WG_SCOPE_CONND, "true to send typebot.change-status to the global webhook.")  \
    X(WEBHOOK_TIMEOUT_MS, "WEBHOOK_REQUEST_TIMEOUT_MS", WG_CFG_INT, "30000",                       \
      wg_cfg_valid_positive, WG_SCOPE_CONND,                                                       \
      "Time limit of one webhook POST (connect, send, answer), in milliseconds; a timeout "        \
      "is retried.")                                                                               \
    X(WEBHOOK_RETRY_MAX_ATTEMPTS, "WEBHOOK_RETRY_MAX_ATTEMPTS", WG_CFG_INT, "10",                  \
      wg_cfg_valid_positive, WG_SCOPE_CONND,                                                       \
      "Attempts per delivery, the first included. After the last one the delivery is kept "        \
      "as failed (GET /webhook/failed/:name) until replayed (POST /webhook/retry/:name) or "       \
      "pruned.")                                                                                   \
    X(WEBHOOK_RETRY_INITIAL_DELAY, "WEBHOOK_RETRY_INITIAL_DELAY_SECONDS", WG_CFG_STR, "5",         \
      wg_cfg_valid_seconds, WG_SCOPE_CONND,                                                        \
      "Wait before the first retry, in seconds (decimals allowed); also the smallest wait.")       \
    X(WEBHOOK_RETRY_EXPONENTIAL, "WEBHOOK_RETRY_USE_EXPONENTIAL_BACKOFF", WG_CFG_BOOL, "true",     \
      NULL, WG_SCOPE_CONND,                                                                        \
      "true: wait INITIAL_DELAY * 2^(n-1), capped by MAX_DELAY, with jitter; false: always "       \
      "INITIAL_DELAY.")                                                                            \
    X(WEBHOOK_RETRY_MAX_DELAY, "WEBHOOK_RETRY_MAX_DELAY_SECONDS", WG_CFG_STR, "300",               \
      wg_cfg_valid_seconds, WG_SCOPE_CONND,                                                        \
      "Longest wait between two attempts, in seconds (decimals allowed).")                         \
    X(WEBHOOK_RETRY_JITTER, "WEBHOOK_RETRY_JITTER_FACTOR", WG_CFG_STR, "0.2",                      \
      wg_cfg_valid_fraction, WG_SCOPE_CONND,                                                       \
      "Random spread of an exponential wait: uniform within +-factor (0 to 1).")                   \
    X(WEBHOOK_RETRY_NON_RETRYABLE, "WEBHOOK_RETRY_NON_RETRYABLE_STATUS_CODES", WG_CFG_STR,         \
      "400,401,403,404,422", wg_cfg_valid_status_list, WG_SCOPE_CONND,                             \
      "Comma list of HTTP statuses that fail a delivery at once, without retries.")                \
    X(WEBHOOK_FAILED_MAX_AGE_HOURS, "WAGATE_WEBHOOK_FAILED_MAX_AGE_HOURS", WG_CFG_INT, "168",      \
      wg_cfg_valid_positive, WG_SCOPE_CONND,                                                       \
      "Failed deliveries older than this many hours are deleted.")                                 \
    X(WEBHOOK_FAILED_MAX_ROWS, "WAGATE_WEBHOOK_FAILED_MAX_ROWS", WG_CFG_INT, "10000",              \
      wg_cfg_valid_positive, WG_SCOPE_CONND,                                                       \
      "At most this many failed deliveries are kept (the oldest go first).")                       \
    X(WEBHOOK_CA_FILE, "WAGATE_WEBHOOK_CA_FILE", WG_CFG_STR, "", NULL, WG_SCOPE_CONND,             \
      "PEM file of CA certificates trusted for https webhooks instead of the system store. "       \
      "Certificates are always verified.")
