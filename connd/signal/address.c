/* JID -> Signal address mapping (see address.h). The only place that knows
 * the "_<domain>" naming; sessions, identities and sender keys are all
 * keyed by what it returns. */
#include "signal/address.h"
#include "wa/jid.h"
#include "wg_err.h"

#include <stdio.h>
#include <string.h>

int wg_signal_addr_set(wg_signal_addr_t *out, const char *name, uint32_t device)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= sizeof out->name)
        return WG_EINVAL;
    memcpy(out->name, name, n + 1);
    out->device = device;
    return 0;
}

int wg_signal_addr_from_jid(const char *text, wg_signal_addr_t *out)
{
    wg_jid_t jid;
    if (!text || wg_jid_parse(text, strlen(text), &jid) < 0 || !jid.user[0])
        return WG_EINVAL;
    int domain;
    if (strcmp(jid.server, WG_JID_SERVER_USER) == 0)
        domain = WG_JID_DOMAIN_WHATSAPP;
    else if (strcmp(jid.server, WG_JID_SERVER_LID) == 0)
        domain = WG_JID_DOMAIN_LID;
    else if (strcmp(jid.server, WG_JID_SERVER_HOSTED) == 0)
        domain = WG_JID_DOMAIN_HOSTED;
    else if (strcmp(jid.server, WG_JID_SERVER_HOSTED_LID) == 0)
        domain = WG_JID_DOMAIN_HOSTED_LID;
    else
        return WG_EINVAL;
    char name[WG_SIGNAL_NAME_MAX];
    if (domain == WG_JID_DOMAIN_WHATSAPP)
        snprintf(name, sizeof name, "%s", jid.user);
    else
        snprintf(name, sizeof name, "%s_%d", jid.user, domain);
    return wg_signal_addr_set(out, name, jid.has_device ? jid.device : 0);
}

signal_protocol_address wg_signal_addr_protocol(const wg_signal_addr_t *a)
{
    signal_protocol_address p = {a->name, strlen(a->name), (int32_t)a->device};
    return p;
}
