/* Event -> webhook targets (see route.h). Never formats bodies or touches
 * the store. */
#include "webhook/route.h"
#include "events/bus.h"
#include "wg_alloc.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void wg_webhook_kebab(const char *event, char *out, unsigned n)
{
    unsigned i = 0;
    for (; event[i] && i + 1 < n; i++) {
        char c = event[i];
        out[i] = (c == '.' || c == '_') ? '-' : (char)tolower((unsigned char)c);
    }
    if (n)
        out[i] = '\0';
}

/* Evolution only ever calls ^https?:// URLs. */
static int http_url(const char *url)
{
    return url && (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0);
}

static int in_list(char *const *events, size_t n, const char *upper)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(events[i], upper) == 0)
            return 1;
        /* Evolution's list spells groups.update GROUP_UPDATE (wg_events.h) */
        if (strcmp(upper, "GROUPS_UPDATE") == 0 && strcmp(events[i], "GROUP_UPDATE") == 0)
            return 1;
    }
    return 0;
}

static char *with_suffix(const char *url, int by_events, const char *kebab)
{
    if (!by_events)
        return wg_strdup(url);
    size_t ul = strlen(url), kl = strlen(kebab);
    char *out = wg_malloc(ul + kl + 2);
    memcpy(out, url, ul);
    out[ul] = '/';
    memcpy(out + ul + 1, kebab, kl + 1);
    return out;
}

int wg_webhook_route(const wg_webhook_settings_t *s, const char *event, const Wg__Ipc__Webhook *w,
                     wg_webhook_target_t out[2])
{
    char upper[64], kebab[64];
    int instance_on = w && w->has_enabled && w->enabled && http_url(w->url);
    int n = 0;
    if (!instance_on && !s->global_enabled)
        return 0; /* nobody can want it: no name to map (every event asks this) */
    wg_event_upper_name(event, upper, sizeof upper);
    wg_webhook_kebab(event, kebab, sizeof kebab);
    if (instance_on && in_list(w->events, w->n_events, upper)) {
        out[n].url = with_suffix(w->url, w->has_by_events && w->by_events, kebab);
        out[n].source = "instance";
        out[n].headers_json = w->headers_json;
        out[n].secret = (w->secret && *w->secret) ? w->secret : NULL;
        n++;
    }
    if (wg_webhook_settings_global_wants(s, upper) && http_url(s->global_url)) {
        out[n].url = with_suffix(s->global_url, s->global_by_events, kebab);
        out[n].source = "global";
        out[n].headers_json = NULL;
        out[n].secret = NULL;
        n++;
    }
    return n;
}

char *wg_webhook_destination(const wg_webhook_settings_t *s, const char *event,
                             const Wg__Ipc__Webhook *w)
{
    /* Evolution: the instance URL, else the global URL + "/" + kebab */
    if (w && w->url && *w->url)
        return wg_strdup(w->url);
    if (s->global_url && *s->global_url) {
        char kebab[64];
        wg_webhook_kebab(event, kebab, sizeof kebab);
        return with_suffix(s->global_url, 1, kebab);
    }
    return NULL;
}

void wg_webhook_targets_free(wg_webhook_target_t *t, int n)
{
    for (int i = 0; t && i < n; i++) {
        free(t[i].url);
        t[i].url = NULL;
    }
}
