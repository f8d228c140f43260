/* Table-driven configuration (see wg_config.h and wg_config_vars.h).
 * Owns parsing and documentation of variables; never reads files other
 * than the env file it is given. */
#include "wg_config.h"
#include "wg_alloc.h"
#include "wg_err.h"
#include "wg_log.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#define WG_CFG_ROW(id, name, type, def, validate, scope, help) {name, type, def, validate, scope, help},
const wg_cfg_entry_t wg_config_table[WG_CFG__COUNT] = {WG_CONFIG_VARS(WG_CFG_ROW)};
#undef WG_CFG_ROW

const char *wg_cfg_valid_key(const char *v)
{
    if (!*v)
        return NULL;
    if (strlen(v) < 8 || strlen(v) > 255)
        return "must be 8 to 255 characters";
    for (const char *c = v; *c; c++)
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
            return "must be printable ASCII without spaces";
    return NULL;
}

const char *wg_cfg_valid_url_or_empty(const char *v)
{
    if (!*v || strncmp(v, "http://", 7) == 0 || strncmp(v, "https://", 8) == 0)
        return NULL;
    return "must start with http:// or https://";
}

const char *wg_cfg_valid_word(const char *v)
{
    if (!*v || strlen(v) > 64)
        return "must be 1 to 64 characters";
    for (const char *c = v; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
            return "may hold only letters, digits, '-', '_' and '.'";
    return NULL;
}

const char *wg_cfg_valid_del_instance(const char *v)
{
    if (strcmp(v, "false") == 0 || !*v)
        return NULL;
    return wg_cfg_valid_positive(v);
}

const char *wg_cfg_valid_log_level(const char *v)
{
    int level;
    return wg_log_parse_level(v, &level) == WG_OK ? NULL : "no known level in it";
}

const char *wg_cfg_valid_socket_path(const char *v)
{
    struct sockaddr_un sa;
    return strlen(v) < sizeof sa.sun_path ? NULL : "path too long for a Unix socket";
}

const char *wg_cfg_valid_positive(const char *v)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n <= 0)
        return "must be a positive whole number";
    return NULL;
}

const char *wg_cfg_valid_coalesce_us(const char *v)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n < 0 || n > 100000)
        return "must be a whole number of microseconds from 0 to 100000";
    return NULL;
}

const char *wg_cfg_valid_port(const char *v)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n <= 0 || n > 65535)
        return "must be a TCP port (1-65535)";
    return NULL;
}

const char *wg_cfg_valid_compat(const char *v)
{
    return (!*v || strcmp(v, "evolution-2.3") == 0) ? NULL : "must be empty or evolution-2.3";
}

/* Parses a finite decimal number; 0 when v is one. */
static int parse_decimal(const char *v, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || x != x || x > 1e12 || x < -1e12)
        return -1;
    *out = x;
    return 0;
}

const char *wg_cfg_valid_seconds(const char *v)
{
    double x;
    if (parse_decimal(v, &x) || x < 0)
        return "must be a number of seconds (0 or more, decimals allowed)";
    return NULL;
}

const char *wg_cfg_valid_fraction(const char *v)
{
    double x;
    if (parse_decimal(v, &x) || x < 0 || x > 1)
        return "must be a number from 0 to 1";
    return NULL;
}

const char *wg_cfg_valid_status_list(const char *v)
{
    const char *p = v;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        char *end;
        long n = strtol(p, &end, 10);
        if (end == p || n < 100 || n > 599)
            return "must be a comma list of HTTP status codes (100-599)";
        p = end;
        while (*p == ' ')
            p++;
        if (*p && *p != ',')
            return "must be a comma list of HTTP status codes (100-599)";
    }
    return NULL;
}

static int parse_value(wg_config_t *cfg, int i, const char *value, int explicit_set,
                       unsigned scope, wg_buf_t *err)
{
    const wg_cfg_entry_t *e = &wg_config_table[i];
    const char *why = NULL;
    int64_t number = 0;
    if (e->type == WG_CFG_INT && *value) {
        /* a whole number in the entry's range: its validator's (positive
         * unless it allows 0, as the loop's pause does) */
        why = e->validate ? e->validate(value) : wg_cfg_valid_positive(value);
        if (!why)
            number = strtoll(value, NULL, 10);
    } else if (e->type == WG_CFG_BOOL) {
        /* Evolution: booleans are true only for the literal "true" */
        number = strcmp(value, "true") == 0;
        if (*value && !number && strcmp(value, "false") != 0)
            why = "must be true or false";
    }
    if (!why && e->validate && (e->scope & scope))
        why = e->validate(value);
    if (why && (e->scope & scope)) {
        wg_buf_printf(err, "%s: %s", e->name, why);
        return WG_EINVAL;
    }
    free(cfg->text[i]);
    cfg->text[i] = wg_strdup(value);
    cfg->number[i] = number;
    cfg->from_env[i] = explicit_set;
    return WG_OK;
}

static int find_entry(const char *name, size_t n)
{
    for (int i = 0; i < WG_CFG__COUNT; i++)
        if (strlen(wg_config_table[i].name) == n && strncmp(wg_config_table[i].name, name, n) == 0)
            return i;
    return -1;
}

static int load_env_file(wg_config_t *cfg, unsigned scope, const char *path, wg_buf_t *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        wg_buf_printf(err, "--env-file %s: %s", path, strerror(errno));
        return WG_EIO;
    }
    char line[4096];
    int rc = WG_OK, lineno = 0;
    while (rc == WG_OK && fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        if (!*p || *p == '#')
            continue;
        if (strncmp(p, "export ", 7) == 0)
            p += 7;
        char *eq = strchr(p, '=');
        if (!eq) {
            wg_buf_printf(err, "%s:%d: expected KEY=VALUE", path, lineno);
            rc = WG_EINVAL;
            break;
        }
        char *v = eq + 1;
        size_t vl = strcspn(v, "\r\n");
        v[vl] = '\0';
        if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
            v[vl - 1] = '\0';
            v++;
        }
        int i = find_entry(p, (size_t)(eq - p));
        if (i < 0)
            continue; /* other programs' variables may share the file */
        if (getenv(wg_config_table[i].name))
            continue; /* the real environment wins, as with dotenv */
        rc = parse_value(cfg, i, v, 1, scope, err);
    }
    fclose(f);
    return rc;
}

int wg_config_load(wg_config_t *cfg, unsigned scope, const char *env_file, wg_buf_t *err)
{
    memset(cfg, 0, sizeof *cfg);
    for (int i = 0; i < WG_CFG__COUNT; i++) {
        wg_buf_t ignore = WG_BUF_INIT;
        /* defaults are trusted: only the scope check below may reject them */
        parse_value(cfg, i, wg_config_table[i].def, 0, 0, &ignore);
        wg_buf_free(&ignore);
    }
    if (env_file) {
        int rc = load_env_file(cfg, scope, env_file, err);
        if (rc)
            return rc;
    }
    for (int i = 0; i < WG_CFG__COUNT; i++) {
        const char *v = getenv(wg_config_table[i].name);
        if (v) {
            int rc = parse_value(cfg, i, v, 1, scope, err);
            if (rc)
                return rc;
        }
    }
    int level;
    if (wg_log_parse_level(cfg->text[WG_CFG_LOG_LEVEL], &level) == WG_OK)
        wg_log_threshold = level;
    return WG_OK;
}

int wg_config_set(wg_config_t *cfg, wg_cfg_id_t id, const char *value, wg_buf_t *err)
{
    return parse_value(cfg, (int)id, value, 1, WG_SCOPE_CONND | WG_SCOPE_FCGI, err);
}

void wg_config_free(wg_config_t *cfg)
{
    if (!cfg)
        return;
    for (int i = 0; i < WG_CFG__COUNT; i++) {
        free(cfg->text[i]);
        cfg->text[i] = NULL;
    }
}

const char *wg_cfg_str(const wg_config_t *cfg, wg_cfg_id_t id)
{
    return cfg->text[id] ? cfg->text[id] : "";
}

int64_t wg_cfg_int(const wg_config_t *cfg, wg_cfg_id_t id)
{
    return cfg->number[id];
}

int wg_cfg_bool(const wg_config_t *cfg, wg_cfg_id_t id)
{
    return cfg->number[id] != 0;
}

void wg_cfg_ipc_socket(const wg_config_t *cfg, char *out, size_t n)
{
    const char *s = wg_cfg_str(cfg, WG_CFG_IPC_SOCKET);
    if (*s)
        snprintf(out, n, "%s", s);
    else
        snprintf(out, n, "%s/connd.sock", wg_cfg_str(cfg, WG_CFG_DATA_DIR));
}

static const char *scope_name(unsigned scope)
{
    if ((scope & WG_SCOPE_CONND) && (scope & WG_SCOPE_FCGI))
        return "connd, wagate-fcgi";
    return (scope & WG_SCOPE_CONND) ? "connd" : "wagate-fcgi";
}

void wg_config_print_help(FILE *out, unsigned scope)
{
    fprintf(out, "Environment variables (an --env-file may set them too; the environment wins):\n\n");
    for (int i = 0; i < WG_CFG__COUNT; i++) {
        const wg_cfg_entry_t *e = &wg_config_table[i];
        if (!(e->scope & scope))
            continue;
        fprintf(out, "  %s (default: %s)\n      %s\n", e->name, *e->def ? e->def : "unset",
                e->help);
    }
}

void wg_config_print_markdown(FILE *out)
{
    fprintf(out, "| variable | default | read by | meaning |\n| --- | --- | --- | --- |\n");
    for (int i = 0; i < WG_CFG__COUNT; i++) {
        const wg_cfg_entry_t *e = &wg_config_table[i];
        fprintf(out, "| `%s` | %s%s%s | %s | %s |\n", e->name, *e->def ? "`" : "",
                *e->def ? e->def : "unset", *e->def ? "`" : "", scope_name(e->scope), e->help);
    }
}
