/* Contacts and chats from messages, readMessages, groupsIgnore,
 * alwaysOnline (see track.h). */
#include "chat/track.h"

#include <stdlib.h>
#include <string.h>

#include "chat/read.h"
#include "core/jobs.h"
#include "link/link.h"
#include "store/chat.h"
#include "store/contact.h"
#include "wa/binnode.h"
#include "wg_alloc.h"
#include "wg_log.h"
#include "wg_time.h"

typedef struct {
    wg_job_t job;                /* must be first */
    wg_connd_t *d;               /* daemon */
    char *instance_id;           /* owner */
    char *instance_name;         /* for events */
    char *chat;                  /* remote JID */
    char *sender;                /* contact JID, NULL for our own messages */
    char *push_name;             /* or NULL */
    int64_t ts;                  /* seconds */
    int unread;                  /* 1: counts as unread */
    wg_contact_change_t contact; /* job result */
    int chat_created;            /* job result */
} track_job_t;

static void track_run(void *worker_ctx, wg_job_t *job)
{
    track_job_t *j = (track_job_t *)job;
    if (j->sender) {
        job->rc = wg_store_contact_upsert(worker_ctx, j->instance_id, j->sender, j->push_name,
                                          &j->contact);
        if (job->rc)
            return;
    }
    int group = strstr(j->chat, "@g.us") != NULL;
    job->rc = wg_store_chat_touch(worker_ctx, j->instance_id, j->chat,
                                  group || !j->sender ? NULL : j->push_name, j->ts, j->unread,
                                  &j->chat_created);
}

static void track_done(wg_job_t *job)
{
    track_job_t *j = (track_job_t *)job;
    int64_t now = j->d->now_ms ? j->d->now_ms() : wg_now_ms();
    if (job->rc) {
        wg_log(WG_LOG_WARN, "msg=\"contact/chat not stored\" instance=%s rc=%d", j->instance_name,
               job->rc);
    } else {
        if (j->contact != WG_CONTACT_UNCHANGED) {
            json_t *c = json_pack("{s:s,s:o,s:n,s:s}", "remoteJid", j->sender, "pushName",
                                  j->push_name ? json_string(j->push_name) : json_null(),
                                  "profilePicUrl", "instanceId", j->instance_id);
            if (c)
                wg_bus_publish(j->d->bus,
                               j->contact == WG_CONTACT_CREATED ? "contacts.upsert"
                                                                : "contacts.update",
                               j->instance_name, j->instance_id, c, now);
        }
        json_t *ch =
            j->chat_created
                ? json_pack("[{s:s,s:s,s:o,s:i}]", "remoteJid", j->chat, "instanceId",
                            j->instance_id, "name",
                            j->push_name && j->sender && !strstr(j->chat, "@g.us")
                                ? json_string(j->push_name)
                                : json_null(),
                            "unreadMessages", j->unread)
                : json_pack("[{s:s,s:s}]", "remoteJid", j->chat, "instanceId", j->instance_id);
        if (ch)
            wg_bus_publish(j->d->bus, j->chat_created ? "chats.upsert" : "chats.update",
                           j->instance_name, j->instance_id, ch, now);
    }
    free(j->instance_id);
    free(j->instance_name);
    free(j->chat);
    free(j->sender);
    free(j->push_name);
    free(j);
}

static const char *str_of(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

void wg_chat_track_message(wg_connd_t *d, wg_instance_t *inst, const json_t *event)
{
    const json_t *key = json_object_get(event, "key");
    const char *chat = str_of(key, "remoteJid");
    const char *id = str_of(key, "id");
    if (!inst || !chat || !id)
        return;
    int from_me = json_is_true(json_object_get(key, "fromMe"));
    const char *participant = str_of(key, "participant");
    const char *push = str_of(event, "pushName");
    int read = !from_me && inst->row->settings && inst->row->settings->read_messages;
    track_job_t *j = wg_calloc(1, sizeof *j);
    j->job.run = track_run;
    j->job.done = track_done;
    j->d = d;
    j->instance_id = wg_strdup(inst->row->id);
    j->instance_name = wg_strdup(inst->row->name);
    j->chat = wg_strdup(chat);
    if (!from_me)
        j->sender = wg_strdup(participant ? participant : chat);
    j->push_name = push && *push ? wg_strdup(push) : NULL;
    j->ts = json_integer_value(json_object_get(event, "messageTimestamp"));
    j->unread = !from_me && !read;
    wg_jobs_submit(d->jobs, &j->job);
    if (read)
        wg_chat_read_one(d, inst->row->id, id, chat, participant);
}

int wg_chat_ignores(const wg_instance_t *inst, const void *node)
{
    const char *from = wg_node_attr(node, "from");
    return inst && inst->row->settings && inst->row->settings->groups_ignore && from &&
           strstr(from, "@g.us") != NULL;
}

void wg_chat_settings_applied(wg_connd_t *d, wg_instance_t *inst)
{
    const Wg__Ipc__Settings *s = inst->row->settings;
    if (!s)
        return;
    uint64_t generation = 0;
    wg_wa_session_t *session = wg_link_session(d, inst->row->id, &generation, NULL);
    if (session)
        wg_wa_session_set_presence(session, s->always_online ? "available" : "unavailable");
}
