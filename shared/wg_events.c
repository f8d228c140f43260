/* The subscription-name list (see wg_events.h). Data only. */
#include "wg_events.h"
#include "wg_buf.h"
#include <pthread.h>
#include <string.h>

const char *const wg_event_names[] = {
    "APPLICATION_STARTUP", "QRCODE_UPDATED",   "MESSAGES_SET",     "MESSAGES_UPSERT",
    "MESSAGES_EDITED",     "MESSAGES_UPDATE",  "MESSAGES_DELETE",  "SEND_MESSAGE",
    "SEND_MESSAGE_UPDATE", "CONTACTS_SET",     "CONTACTS_UPSERT",  "CONTACTS_UPDATE",
    "PRESENCE_UPDATE",     "CHATS_SET",        "CHATS_UPSERT",     "CHATS_UPDATE",
    "CHATS_DELETE",        "GROUPS_UPSERT",    "GROUP_UPDATE",     "GROUP_PARTICIPANTS_UPDATE",
    "CONNECTION_UPDATE",   "LABELS_EDIT",      "LABELS_ASSOCIATION", "CALL",
    "TYPEBOT_START",       "TYPEBOT_CHANGE_STATUS", "REMOVE_INSTANCE", "LOGOUT_INSTANCE",
    "INSTANCE_CREATE",     "INSTANCE_DELETE",  "STATUS_INSTANCE",  "GROUPS_UPDATE",
};
const size_t wg_event_names_count = sizeof wg_event_names / sizeof wg_event_names[0];

int wg_event_name_known(const char *upper)
{
    for (size_t i = 0; upper && i < wg_event_names_count; i++)
        if (strcmp(wg_event_names[i], upper) == 0)
            return 1;
    return 0;
}

static char *g_joined;
static pthread_once_t g_joined_once = PTHREAD_ONCE_INIT;

static void join_names(void)
{
    wg_buf_t b = WG_BUF_INIT;
    for (size_t i = 0; i < wg_event_names_count; i++)
        wg_buf_printf(&b, "%s%s", i ? "," : "", wg_event_names[i]);
    g_joined = wg_buf_steal(&b); /* lives as long as the process */
}

const char *wg_event_names_joined(void)
{
    pthread_once(&g_joined_once, join_names);
    return g_joined;
}
