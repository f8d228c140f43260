/* fetchProfilePictureUrl (see profile_picture.h). */
#include "chat/profile_picture.h"

#include <jansson.h>
#include <stdlib.h>

#include "chat/iq.h"
#include "message/send.h"
#include "wa/picture.h"
#include "wg_alloc.h"

typedef struct {
    char jid[160];        /* whose picture */
    wg_chat_done_cb done; /* REST completion */
    void *ctx;            /* its argument */
} picture_op_t;

static void on_reply(void *arg, const wg_node_t *reply)
{
    picture_op_t *o = arg;
    if (!reply) {
        wg_chat_fail(o->done, o->ctx, 400, "Error: Timed Out");
    } else {
        char url[2048];
        int found = wg_wa_picture_url(reply, url, sizeof url) == 0;
        wg_chat_answer(o->done, o->ctx,
                       json_pack("{s:s,s:o}", "wuid", o->jid, "profilePictureUrl",
                                 found ? json_string(url) : json_null()));
    }
    free(o);
}

void wg_chat_profile_picture(wg_connd_t *d, wg_instance_t *inst,
                             const Wg__Ipc__ProfilePictureReq *req, wg_chat_done_cb done, void *ctx)
{
    picture_op_t *o = wg_calloc(1, sizeof *o);
    o->done = done;
    o->ctx = ctx;
    if (wg_send_chat_jid(req->number, o->jid, sizeof o->jid) != 0) {
        wg_chat_fail(done, ctx, 400, "Invalid format");
        free(o);
        return;
    }
    int rc = wg_chat_iq(d, inst->row->id, wg_wa_picture_query(o->jid), on_reply, o);
    if (rc != 0) {
        wg_chat_fail_send(done, ctx, rc);
        free(o);
    }
}
