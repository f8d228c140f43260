/* Subscription event names (see event_names.h). */
#include "event_names.h"
#include <string.h>

const char *const wg_event_names[] = {
    "APPLICATION_STARTUP", "QRCODE_UPDATED",     "MESSAGES_SET",
    "MESSAGES_UPSERT",     "MESSAGES_EDITED",    "MESSAGES_UPDATE",
    "MESSAGES_DELETE",     "SEND_MESSAGE",       "SEND_MESSAGE_UPDATE",
    "CONTACTS_SET",        "CONTACTS_UPSERT",    "CONTACTS_UPDATE",
    "PRESENCE_UPDATE",     "CHATS_SET",          "CHATS_UPSERT",
    "CHATS_UPDATE",        "CHATS_DELETE",       "GROUPS_UPSERT",
    "GROUP_UPDATE",        "GROUP_PARTICIPANTS_UPDATE", "CONNECTION_UPDATE",
    "LABELS_EDIT",         "LABELS_ASSOCIATION", "CALL",
    "TYPEBOT_START",       "TYPEBOT_CHANGE_STATUS", "REMOVE_INSTANCE",
    "LOGOUT_INSTANCE",     "INSTANCE_CREATE",    "INSTANCE_DELETE",
    "STATUS_INSTANCE",
};
const size_t wg_event_names_count = sizeof wg_event_names / sizeof wg_event_names[0];

int wg_event_name_known(const char *name)
{
    for (size_t i = 0; name && i < wg_event_names_count; i++)
        if (strcmp(name, wg_event_names[i]) == 0)
            return 1;
    return 0;
}

const char *wg_event_names_joined(void)
{
    static const char joined[] =
        "APPLICATION_STARTUP,QRCODE_UPDATED,MESSAGES_SET,MESSAGES_UPSERT,MESSAGES_EDITED,"
        "MESSAGES_UPDATE,MESSAGES_DELETE,SEND_MESSAGE,SEND_MESSAGE_UPDATE,CONTACTS_SET,"
        "CONTACTS_UPSERT,CONTACTS_UPDATE,PRESENCE_UPDATE,CHATS_SET,CHATS_UPSERT,CHATS_UPDATE,"
        "CHATS_DELETE,GROUPS_UPSERT,GROUP_UPDATE,GROUP_PARTICIPANTS_UPDATE,CONNECTION_UPDATE,"
        "LABELS_EDIT,LABELS_ASSOCIATION,CALL,TYPEBOT_START,TYPEBOT_CHANGE_STATUS,"
        "REMOVE_INSTANCE,LOGOUT_INSTANCE,INSTANCE_CREATE,INSTANCE_DELETE,STATUS_INSTANCE";
    return joined;
}
