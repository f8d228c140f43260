/* whatsappNumbers (see numbers.h). */
#include "chat/numbers.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/iq.h"
#include "wg_alloc.h"
#include "wg_err.h"

/* The digits of a number or of a JID's user part ("" when none). */
static void digits_of(const char *number, char *out, size_t n)
{
    size_t k = 0;
    for (const char *c = number; *c && *c != '@' && *c != ':' && k + 1 < n; c++)
        if (isdigit((unsigned char)*c))
            out[k++] = *c;
    out[k] = '\0';
}

wg_node_t *wg_chat_numbers_query(char *const *numbers, size_t n, const char *sid)
{
    wg_node_t *iq = wg_node_new("iq");
    wg_node_set_attr(iq, "type", "get");
    wg_node_set_attr(iq, "xmlns", "usync");
    wg_node_t *u = wg_node_add_child(iq, wg_node_new("usync"));
    wg_node_set_attr(u, "sid", sid);
    wg_node_set_attr(u, "mode", "query");
    wg_node_set_attr(u, "last", "true");
    wg_node_set_attr(u, "index", "0");
    wg_node_set_attr(u, "context", "interactive");
    wg_node_t *q = wg_node_add_child(u, wg_node_new("query"));
    wg_node_add_child(q, wg_node_new("contact"));
    wg_node_add_child(q, wg_node_new("lid"));
    wg_node_t *list = wg_node_add_child(u, wg_node_new("list"));
    for (size_t i = 0; i < n; i++) {
        char digits[40], phone[48];
        digits_of(numbers[i] ? numbers[i] : "", digits, sizeof digits);
        if (!digits[0])
            continue;
        snprintf(phone, sizeof phone, "+%s", digits);
        /* the phone only, as Baileys and whatsmeow ask it (no jid attribute) */
        wg_node_t *user = wg_node_add_child(list, wg_node_new("user"));
        wg_node_t *c = wg_node_add_child(user, wg_node_new("contact"));
        wg_node_set_text(c, phone, strlen(phone));
    }
    return iq;
}

/* The <user> of the answer for these digits: by its jid's user, or by the
 * phone its <contact> echoes. */
static const wg_node_t *user_for(const wg_node_t *list, const char *digits)
{
    for (size_t i = 0; list && i < list->child_count; i++) {
        const wg_node_t *u = list->children[i];
        if (strcmp(u->tag, "user") != 0)
            continue;
        char have[40] = "";
        const char *jid = wg_node_attr(u, "jid");
        if (jid)
            digits_of(jid, have, sizeof have);
        if (have[0] && strcmp(have, digits) == 0)
            return u;
        const wg_node_t *c = wg_node_child(u, "contact");
        if (c && c->data && c->data_len < 40) {
            digits_of((const char *)c->data, have, sizeof have);
            if (strcmp(have, digits) == 0)
                return u;
        }
    }
    return NULL;
}

json_t *wg_chat_numbers_result(char *const *numbers, size_t n, const wg_node_t *reply)
{
    const char *type = reply ? wg_node_attr(reply, "type") : NULL;
    const wg_node_t *usync =
        type && strcmp(type, "result") == 0 ? wg_node_child(reply, "usync") : NULL;
    const wg_node_t *list = usync ? wg_node_child(usync, "list") : NULL;
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *number = numbers[i] ? numbers[i] : "";
        char digits[40], jid[200];
        digits_of(number, digits, sizeof digits);
        const wg_node_t *u = digits[0] ? user_for(list, digits) : NULL;
        const wg_node_t *c = u && !wg_node_child(u, "error") ? wg_node_child(u, "contact") : NULL;
        const char *ct = c ? wg_node_attr(c, "type") : NULL;
        int exists = ct && strcmp(ct, "in") == 0;
        const char *ujid = u ? wg_node_attr(u, "jid") : NULL;
        if (ujid && strlen(ujid) < sizeof jid)
            snprintf(jid, sizeof jid, "%s", ujid);
        else
            snprintf(jid, sizeof jid, "%s@s.whatsapp.net", digits);
        json_t *row = json_object();
        json_object_set_new(row, "jid", json_string(jid));
        json_object_set_new(row, "exists", json_boolean(exists));
        json_t *num = json_string(number);
        json_object_set_new(row, "number", num ? num : json_null());
        const wg_node_t *lid = u ? wg_node_child(u, "lid") : NULL;
        const char *val = lid ? wg_node_attr(lid, "val") : NULL;
        json_t *lj = exists && val ? json_string(val) : NULL;
        if (lj)
            json_object_set_new(row, "lid", lj);
        json_array_append_new(out, row);
    }
    return out;
}

typedef struct {
    char **numbers;       /* owned copies */
    size_t n;             /* how many */
    wg_chat_done_cb done; /* REST completion */
    void *ctx;            /* its argument */
} numbers_op_t;

static void numbers_free(numbers_op_t *o)
{
    for (size_t i = 0; i < o->n; i++)
        free(o->numbers[i]);
    free(o->numbers);
    free(o);
}

static void on_reply(void *arg, const wg_node_t *reply)
{
    numbers_op_t *o = arg;
    if (!reply)
        wg_chat_fail(o->done, o->ctx, 400, "Error: Timed Out");
    else
        wg_chat_answer(o->done, o->ctx, wg_chat_numbers_result(o->numbers, o->n, reply));
    numbers_free(o);
}

void wg_chat_numbers(wg_connd_t *d, wg_instance_t *inst, const Wg__Ipc__WhatsappNumbersReq *req,
                     wg_chat_done_cb done, void *ctx)
{
    numbers_op_t *o = wg_calloc(1, sizeof *o);
    o->done = done;
    o->ctx = ctx;
    o->numbers = wg_calloc(req->n_numbers ? req->n_numbers : 1, sizeof *o->numbers);
    for (size_t i = 0; i < req->n_numbers; i++)
        o->numbers[o->n++] = wg_strdup(req->numbers[i] ? req->numbers[i] : "");
    static uint64_t sid_serial;
    char sid[40];
    snprintf(sid, sizeof sid, "wg.n%llu", (unsigned long long)++sid_serial);
    wg_node_t *iq = wg_chat_numbers_query(o->numbers, o->n, sid);
    const wg_node_t *list = wg_node_child(wg_node_child(iq, "usync"), "list");
    if (!list || !list->child_count) {
        /* nothing to ask: every number is exists:false */
        wg_node_free(iq);
        wg_chat_answer(done, ctx, wg_chat_numbers_result(o->numbers, o->n, NULL));
        numbers_free(o);
        return;
    }
    int rc = wg_chat_iq(d, inst->row->id, iq, on_reply, o);
    if (rc != 0) {
        wg_chat_fail_send(done, ctx, rc);
        numbers_free(o);
    }
}
