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
    X(SERVER_URL, "SERVER_URL", WG_CFG_STR, "", wg_cfg_valid_url_or_empty, WG_SCOPE_CONND,        \
      "Public base URL of this server, for the server_url field of delivered events.")                             \
    X(CLIENT_NAME, "DATABASE_CONNECTION_CLIENT_NAME", WG_CFG_STR, "wagate", wg_cfg_valid_word,    \
      WG_SCOPE_CONND, "Value of clientName on instances (Evolution's multi-server tag).")          \
    X(CORS_ORIGIN, "CORS_ORIGIN", WG_CFG_STR, "*", NULL, WG_SCOPE_FCGI,                            \
      "Comma list of browser origins allowed by CORS, or * for any. Requests without an "          \
      "Origin header (server-to-server) are always served.")                                       \
    X(DEL_INSTANCE, "DEL_INSTANCE", WG_CFG_STR, "false", wg_cfg_valid_del_instance,               \
      WG_SCOPE_CONND,                                                                              \
      "false, or a number of minutes: an instance that is not open that long after its "          \
      "creation is deleted.")                                                                      \
    X(LOG_LEVEL, "LOG_LEVEL", WG_CFG_STR, "info", wg_cfg_valid_log_level,                          \
      WG_SCOPE_CONND | WG_SCOPE_FCGI,                                                              \
      "error, warn, info or debug; Evolution's comma list (ERROR,WARN,DEBUG,...) is accepted "     \
      "and its most verbose entry wins.")                                                          \
    X(WEBSOCKET_ENABLED, "WEBSOCKET_ENABLED", WG_CFG_BOOL, "false", NULL, WG_SCOPE_CONND,         \
      "true to accept Socket.IO event configs through /websocket/set. While false it stores "    \
      "nothing and answers an empty body, as Evolution does.")                                    \
    X(DATA_DIR, "WAGATE_DATA_DIR", WG_CFG_STR, "./var", NULL, WG_SCOPE_CONND | WG_SCOPE_FCGI,     \
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
    X(MAX_BODY, "WAGATE_MAX_BODY_BYTES", WG_CFG_INT, "10485760", wg_cfg_valid_positive,           \
      WG_SCOPE_FCGI, "Largest request body accepted; bigger bodies get 413.")                      \
    X(FCGI_THREADS, "WAGATE_FCGI_THREADS", WG_CFG_INT, "8", wg_cfg_valid_positive, WG_SCOPE_FCGI, \
      "Request threads in one wagate-fcgi process.")                                               \
    X(URL_PREFIX, "WAGATE_URL_PREFIX", WG_CFG_STR, "", NULL, WG_SCOPE_FCGI,                        \
      "Path prefix stripped before routing, for mounting the API under e.g. /api.")

