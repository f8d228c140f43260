/* Key checks (see auth.h). Never logs a key. */
#include "ipc/auth.h"
#include <sodium.h>
#include <string.h>

int wg_auth_key_equal(const char *a, const char *b)
{
    if (!a || !b || !*a)
        return 0;
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return 0;
    return sodium_memcmp(a, b, la) == 0;
}

int wg_auth_check(wg_connd_t *d, const char *apikey, const char *name, wg_auth_need_t need,
                  wg_instance_t **inst_out, int *is_global)
{
    *inst_out = NULL;
    *is_global = wg_auth_key_equal(apikey, d->global_key);
    if (!apikey || !*apikey)
        return 401;
    switch (need) {
    case WG_AUTH_NEED_GLOBAL:
        return *is_global ? 0 : 401;
    case WG_AUTH_NEED_ANY_KEY:
        if (*is_global)
            return 0;
        for (wg_instance_t *i = wg_registry_first(d->reg); i; i = i->next_all)
            if (i->committed && wg_auth_key_equal(apikey, i->row->token))
                return 0;
        return 401;
    case WG_AUTH_NEED_INSTANCE: {
        wg_instance_t *inst = wg_registry_find(d->reg, name);
        if (inst && !inst->committed)
            inst = NULL; /* still being created: not visible yet */
        if (*is_global) {
            *inst_out = inst;
            return inst ? 0 : 404;
        }
        if (inst && wg_auth_key_equal(apikey, inst->row->token)) {
            *inst_out = inst;
            return 0;
        }
        return 401;
    }
    }
    return 401;
}
