/* Pending chat queries (see iq.h): a list of {token, timer, callback}. */
#include "chat/iq.h"

#include <stdlib.h>
#include <string.h>

#include "link/link.h"
#include "wa/ws_client.h"
#include "wg_alloc.h"
#include "wg_err.h"

typedef struct pending_iq {
    uint64_t token;          /* names the query for the session */
    char *instance_id;       /* whose connection (owned) */
    wg_wa_timer_t *timer;    /* the bound */
    wg_chat_iq_cb answer;    /* the owner */
    void *ctx;               /* its argument */
    struct pending_iq *next; /* list link */
} pending_iq_t;

static pending_iq_t *g_pending;
static uint64_t g_next_token = 1;

static pending_iq_t *take(uint64_t token)
{
    for (pending_iq_t **pp = &g_pending; *pp; pp = &(*pp)->next)
        if ((*pp)->token == token) {
            pending_iq_t *p = *pp;
            *pp = p->next;
            return p;
        }
    return NULL;
}

static void finish(pending_iq_t *p, const wg_node_t *reply)
{
    wg_wa_timer_free(p->timer);
    p->answer(p->ctx, reply);
    free(p->instance_id);
    free(p);
}

static void on_answer(uint64_t token, const void *reply)
{
    pending_iq_t *p = take(token);
    if (p)
        finish(p, reply);
}

static void on_timeout(void *arg)
{
    pending_iq_t *p = take(((pending_iq_t *)arg)->token);
    if (p)
        finish(p, NULL);
}

int wg_chat_iq(wg_connd_t *d, const char *instance_id, wg_node_t *iq, wg_chat_iq_cb answer,
               void *ctx)
{
    uint64_t generation = 0;
    wg_wa_session_t *s = wg_link_session(d, instance_id, &generation, NULL);
    if (!s) {
        wg_node_free(iq);
        return WG_ESTATE;
    }
    pending_iq_t *p = wg_calloc(1, sizeof *p);
    p->token = g_next_token++;
    p->instance_id = wg_strdup(instance_id);
    p->answer = answer;
    p->ctx = ctx;
    int rc = wg_wa_session_iq(s, iq, on_answer, p->token);
    if (rc != 0) {
        free(p->instance_id);
        free(p);
        return rc;
    }
    p->timer = wg_wa_timer_new(d->loop, on_timeout, p);
    wg_wa_timer_set(p->timer, WG_CHAT_IQ_TIMEOUT_MS);
    p->next = g_pending;
    g_pending = p;
    return 0;
}

void wg_chat_iq_forget(const char *instance_id)
{
    pending_iq_t **pp = &g_pending;
    while (*pp) {
        pending_iq_t *p = *pp;
        if (strcmp(p->instance_id, instance_id) != 0) {
            pp = &p->next;
            continue;
        }
        *pp = p->next;
        finish(p, NULL);
    }
}
