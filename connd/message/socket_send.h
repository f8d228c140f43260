/* The Socket.IO outbound interface (connd/realtime/outbound.h) implemented
 * by the messaging layer: "sendText" goes through connd/message/send.c
 * exactly as POST /message/sendText does (the ack's result is the
 * messageRaw), "sendNode" writes the validated stanza on the instance's
 * WhatsApp connection. Loop thread only. */
#ifndef WG_MESSAGE_SOCKET_SEND_H
#define WG_MESSAGE_SOCKET_SEND_H

/* Registers the implementation (wg_link_start) / removes it (stop). */
void wg_message_socket_send_install(void);
void wg_message_socket_send_remove(void);

#endif
