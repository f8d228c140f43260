/* POST /chat/fetchProfilePictureUrl (evolution-api.md §3.2): the picture
 * URL of a number through the same w:profile:picture query the session asks
 * for our own picture (wa/picture.h). Answer 200 {wuid, profilePictureUrl}
 * with null when there is none or it is hidden. Loop thread. */
#ifndef WG_CHAT_PROFILE_PICTURE_H
#define WG_CHAT_PROFILE_PICTURE_H
#include "chat/chat.h"

void wg_chat_profile_picture(wg_connd_t *d, wg_instance_t *inst,
                             const Wg__Ipc__ProfilePictureReq *req, wg_chat_done_cb done,
                             void *ctx);

#endif
