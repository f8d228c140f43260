/* WhatsApp JID text form (wa-protocol.md §4.3 "JIDs"): parse and format.
 * Pure string work on caller-owned structs; it never allocates except through
 * the wg_buf_t it is given, and never decides wire encodings (binnode.c). */
#include "wa/jid.h"

#include <string.h>

#include "wg_err.h"

/* Parses s[0..len) as a decimal number of at most `max`; rejects empty
 * strings, signs and anything but digits. */
static int parse_uint(const char *s, size_t len, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;
    if (len == 0 || len > 5)
        return WG_EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return WG_EINVAL;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v > max)
        return WG_EINVAL;
    *out = v;
    return 0;
}

static bool all_digits(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* Bytes a JID part must never contain: separators and control bytes. */
static bool clean_part(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == '@' || c == ':')
            return false;
    }
    return true;
}

static int copy_part(char *dst, size_t cap, const char *s, size_t len)
{
    if (len >= cap)
        return WG_ETOOBIG;
    if (!clean_part(s, len))
        return WG_EINVAL;
    memcpy(dst, s, len);
    dst[len] = '\0';
    return 0;
}

int wg_jid_parse(const char *s, size_t len, wg_jid_t *jid)
{
    const char *at = s ? memchr(s, '@', len) : NULL;
    if (!at)
        return WG_EINVAL;
    size_t user_len = (size_t)(at - s);
    const char *server = at + 1;
    size_t server_len = len - user_len - 1;
    if (server_len == 0)
        return WG_EINVAL;
    wg_jid_t j;
    memset(&j, 0, sizeof j);
    int rc = copy_part(j.server, sizeof j.server, server, server_len);
    if (rc)
        return rc;

    const char *colon = memchr(s, ':', user_len);
    if (colon) {
        unsigned long device;
        size_t dev_len = user_len - (size_t)(colon - s) - 1;
        if (parse_uint(colon + 1, dev_len, 65535, &device))
            return WG_EINVAL;
        j.device = (uint16_t)device;
        j.has_device = true;
        user_len = (size_t)(colon - s);
    }

    const char *user = s;
    if (strcmp(j.server, WG_JID_SERVER_INTEROP) == 0) {
        const char *dash = memchr(user, '-', user_len);
        unsigned long integrator;
        if (dash && parse_uint(user, (size_t)(dash - user), 65535, &integrator) == 0) {
            j.integrator = (uint16_t)integrator;
            j.has_integrator = true;
            user_len -= (size_t)(dash - user) + 1;
            user = dash + 1;
        }
    } else if (strcmp(j.server, WG_JID_SERVER_USER) == 0) {
        /* Baileys' "user_agent" form; a '_' followed by non-digits is user text. */
        const char *underscore = memchr(user, '_', user_len);
        if (underscore) {
            size_t agent_len = user_len - (size_t)(underscore - user) - 1;
            unsigned long agent;
            if (all_digits(underscore + 1, agent_len) &&
                parse_uint(underscore + 1, agent_len, 255, &agent) == 0) {
                j.agent = (uint8_t)agent;
                j.has_agent = true;
                user_len = (size_t)(underscore - user);
            }
        }
    }
    rc = copy_part(j.user, sizeof j.user, user, user_len);
    if (rc)
        return rc;
    *jid = j;
    return 0;
}

void wg_jid_format(const wg_jid_t *jid, wg_buf_t *out)
{
    if (jid->has_integrator)
        wg_buf_printf(out, "%u-", (unsigned)jid->integrator);
    wg_buf_append_str(out, jid->user);
    if (jid->has_agent)
        wg_buf_printf(out, "_%u", (unsigned)jid->agent);
    if (jid->has_device)
        wg_buf_printf(out, ":%u", (unsigned)jid->device);
    wg_buf_append_byte(out, '@');
    wg_buf_append_str(out, jid->server);
}

int wg_jid_bare_text(const char *text, char *out, size_t n, wg_jid_t *parsed)
{
    wg_jid_t j, bare;
    if (!text || wg_jid_parse(text, strlen(text), &j) != 0 || !j.user[0] ||
        wg_jid_make(&bare, j.user, j.server) != 0)
        return WG_EINVAL;
    wg_buf_t b = WG_BUF_INIT;
    wg_jid_format(&bare, &b);
    int rc = b.len < n ? 0 : WG_EINVAL;
    if (rc == 0)
        memcpy(out, b.p, b.len + 1);
    wg_buf_free(&b);
    if (rc == 0 && parsed)
        *parsed = j;
    return rc;
}

int wg_jid_make(wg_jid_t *jid, const char *user, const char *server)
{
    wg_jid_t j;
    memset(&j, 0, sizeof j);
    if (!server || !*server)
        return WG_EINVAL;
    int rc = copy_part(j.user, sizeof j.user, user ? user : "", user ? strlen(user) : 0);
    if (rc == 0)
        rc = copy_part(j.server, sizeof j.server, server, strlen(server));
    if (rc)
        return rc;
    *jid = j;
    return 0;
}

static bool server_is(const wg_jid_t *jid, const char *server)
{
    return strcmp(jid->server, server) == 0;
}

uint8_t wg_jid_domain_type(const wg_jid_t *jid)
{
    if (server_is(jid, WG_JID_SERVER_LID))
        return WG_JID_DOMAIN_LID;
    if (server_is(jid, WG_JID_SERVER_HOSTED))
        return WG_JID_DOMAIN_HOSTED;
    if (server_is(jid, WG_JID_SERVER_HOSTED_LID))
        return WG_JID_DOMAIN_HOSTED_LID;
    if (jid->has_agent)
        return jid->agent;
    return WG_JID_DOMAIN_WHATSAPP;
}

bool wg_jid_same_user(const wg_jid_t *a, const wg_jid_t *b)
{
    return strcmp(a->user, b->user) == 0 && strcmp(a->server, b->server) == 0;
}

bool wg_jid_is_user(const wg_jid_t *jid)
{
    return server_is(jid, WG_JID_SERVER_USER) || server_is(jid, WG_JID_SERVER_LEGACY_USER) ||
           server_is(jid, WG_JID_SERVER_LID) || server_is(jid, WG_JID_SERVER_HOSTED) ||
           server_is(jid, WG_JID_SERVER_HOSTED_LID);
}

bool wg_jid_is_group(const wg_jid_t *jid)
{
    return server_is(jid, WG_JID_SERVER_GROUP);
}

bool wg_jid_is_lid(const wg_jid_t *jid)
{
    return server_is(jid, WG_JID_SERVER_LID) || server_is(jid, WG_JID_SERVER_HOSTED_LID);
}

bool wg_jid_is_broadcast(const wg_jid_t *jid)
{
    return server_is(jid, WG_JID_SERVER_BROADCAST);
}

bool wg_jid_is_status_broadcast(const wg_jid_t *jid)
{
    return server_is(jid, WG_JID_SERVER_BROADCAST) && strcmp(jid->user, "status") == 0;
}

bool wg_jid_is_newsletter(const wg_jid_t *jid)
{
    return server_is(jid, WG_JID_SERVER_NEWSLETTER);
}

void wg_jid_signal_address(const wg_jid_t *jid, wg_buf_t *out, uint32_t *device_out)
{
    uint8_t domain = wg_jid_domain_type(jid);
    wg_buf_append_str(out, jid->user);
    if (domain != WG_JID_DOMAIN_WHATSAPP)
        wg_buf_printf(out, "_%u", (unsigned)domain);
    *device_out = jid->has_device ? jid->device : 0;
}
