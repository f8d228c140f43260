/* The profile picture query (w:profile:picture): the <iq> asking the URL
 * of a JID's picture and the reading of its answer. Used by the session for
 * our own picture after login and by connd/chat for fetchProfilePictureUrl.
 * Pure: nodes in, nodes out. */
#ifndef WG_WA_PICTURE_H
#define WG_WA_PICTURE_H
#include <stddef.h>

#include "wa/binnode.h"

/* <iq type="get" xmlns="w:profile:picture" target=jid><picture type="image"
 * query="url"/></iq>, without id and to (the sender sets them). The caller
 * frees it (or hands it to wg_wa_session_iq). */
wg_node_t *wg_wa_picture_query(const char *jid);

/* The https URL of an answer to that query into out (n bytes). Returns 0,
 * or WG_ENOTFOUND for an error answer (no picture, hidden by privacy), a
 * missing or non-https URL or one longer than n - 1; out is then "". */
int wg_wa_picture_url(const wg_node_t *reply, char *out, size_t n);

#endif
