/* Contacts and chats from messages, readMessages, groupsIgnore,
 * alwaysOnline (see track.h). */
#include "chat/track.h"

#include <stdlib.h>
#include <string.h>

#include "chat/read.h"
#include "link/link.h"
#include "wa/binnode.h"
#include "wg_alloc.h"
#include "wg_log.h"
#include "wg_time.h"

static const char *str_of(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

void wg_chat_track_message(wg_connd_t *d, wg_instance_t *inst, const json_t *event,
                           const wg_receive_result_t *r)
{
    const json_t *key = json_object_get(event, "key");
    const char *chat = str_of(key, "remoteJid");
    const char *id = str_of(key, "id");
    if (!inst || !chat || !id || !r->tracked)
        return;
    int from_me = json_is_true(json_object_get(key, "fromMe"));
    const char *participant = str_of(key, "participant");
    const char *push = str_of(event, "pushName");
    if (push && !*push)
        push = NULL;
    const char *sender = from_me ? NULL : (participant ? participant : chat);
    const char *instance_id = inst->row->id, *instance_name = inst->row->name;
    int64_t now = d->now_ms ? d->now_ms() : wg_now_ms();
    if (r->track_stored) {
        if (sender && r->contact != WG_CONTACT_UNCHANGED) {
            json_t *c = json_pack("{s:s,s:o,s:n,s:s}", "remoteJid", sender, "pushName",
                                  push ? json_string(push) : json_null(), "profilePicUrl",
                                  "instanceId", instance_id);
            if (c)
                wg_bus_publish(d->bus,
                               r->contact == WG_CONTACT_CREATED ? "contacts.upsert"
                                                                : "contacts.update",
                               instance_name, instance_id, c, now);
        }
        json_t *ch = r->chat_created
                         ? json_pack("[{s:s,s:s,s:o,s:i}]", "remoteJid", chat, "instanceId",
                                     instance_id, "name",
                                     push && sender && !strstr(chat, "@g.us") ? json_string(push)
                                                                              : json_null(),
                                     "unreadMessages", r->unread)
                         : json_pack("[{s:s,s:s}]", "remoteJid", chat, "instanceId", instance_id);
        if (ch)
            wg_bus_publish(d->bus, r->chat_created ? "chats.upsert" : "chats.update",
                           instance_name, instance_id, ch, now);
    }
    if (!from_me && inst->row->settings && inst->row->settings->read_messages)
        wg_chat_read_one(d, instance_id, id, chat, participant);
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
