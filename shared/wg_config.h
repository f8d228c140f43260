/* Configuration from the environment and an optional env file, driven by the
 * single table in wg_config_vars.h. Parsing never exits: it returns an error
 * message naming the variable. */
#ifndef WG_CONFIG_H
#define WG_CONFIG_H
#include "wg_buf.h"
#include <stdint.h>
#include <stdio.h>
#include "wg_config_vars.h"

typedef enum { WG_CFG_STR, WG_CFG_INT, WG_CFG_BOOL } wg_cfg_type_t;

enum { WG_SCOPE_CONND = 1, WG_SCOPE_FCGI = 2 };

/* A validator returns NULL when value is acceptable, else a static reason. */
typedef const char *(*wg_cfg_validator_t)(const char *value);

typedef struct {
    const char *name;            /* environment variable */
    wg_cfg_type_t type;          /* how the value is parsed */
    const char *def;             /* default text, "" when unset */
    wg_cfg_validator_t validate; /* extra check, may be NULL */
    unsigned scope;              /* WG_SCOPE_* bits of the programs reading it */
    const char *help;            /* one-paragraph documentation */
} wg_cfg_entry_t;

#define WG_CFG_ENUM(id, ...) WG_CFG_##id,
typedef enum {
    WG_CONFIG_VARS(WG_CFG_ENUM) WG_CFG__COUNT
} wg_cfg_id_t;
#undef WG_CFG_ENUM

typedef struct {
    char *text[WG_CFG__COUNT];    /* effective value, owned */
    int64_t number[WG_CFG__COUNT]; /* parsed INT/BOOL value */
    int from_env[WG_CFG__COUNT];  /* 1 when set explicitly (env or file) */
} wg_config_t;

extern const wg_cfg_entry_t wg_config_table[WG_CFG__COUNT];

/* Loads defaults, then env_file (KEY=VALUE lines, # comments, optional
 * quotes; may be NULL), then the process environment (which wins).
 * Only entries in `scope` are validated. On failure returns WG_EINVAL and
 * appends a message to err. The caller frees with wg_config_free(). */
int wg_config_load(wg_config_t *cfg, unsigned scope, const char *env_file, wg_buf_t *err);
void wg_config_free(wg_config_t *cfg);

/* Overrides one value (tests, generated defaults). Validates like load. */
int wg_config_set(wg_config_t *cfg, wg_cfg_id_t id, const char *value, wg_buf_t *err);

const char *wg_cfg_str(const wg_config_t *cfg, wg_cfg_id_t id);
int64_t wg_cfg_int(const wg_config_t *cfg, wg_cfg_id_t id);
int wg_cfg_bool(const wg_config_t *cfg, wg_cfg_id_t id);
/* The IPC socket path: WAGATE_IPC_SOCKET or $WAGATE_DATA_DIR/connd.sock. */
void wg_cfg_ipc_socket(const wg_config_t *cfg, char *out, size_t n);

/* Prints the table entries of `scope` as plain help text / a Markdown table. */
void wg_config_print_help(FILE *out, unsigned scope);
void wg_config_print_markdown(FILE *out);

/* Validators used by the table (exported so tests can call them). */
const char *wg_cfg_valid_key(const char *v);
const char *wg_cfg_valid_url_or_empty(const char *v);
const char *wg_cfg_valid_word(const char *v);
const char *wg_cfg_valid_del_instance(const char *v);
const char *wg_cfg_valid_log_level(const char *v);
const char *wg_cfg_valid_socket_path(const char *v);
const char *wg_cfg_valid_positive(const char *v);
/* A whole number of microseconds from 0 to 100000 (the loop's coalescing pause). */
const char *wg_cfg_valid_coalesce_us(const char *v);
/* A TCP port, 1-65535. */
const char *wg_cfg_valid_port(const char *v);
const char *wg_cfg_valid_compat(const char *v);
/* A number of seconds >= 0, decimals allowed ("5", "0.25"). */
const char *wg_cfg_valid_seconds(const char *v);
/* A decimal number from 0 to 1. */
const char *wg_cfg_valid_fraction(const char *v);
/* A comma list of HTTP statuses 100-599 (spaces allowed, may be empty). */
const char *wg_cfg_valid_status_list(const char *v);

#endif
