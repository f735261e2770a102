/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include "hdclient.h"

G_BEGIN_DECLS

/* Plays the freedesktop sound theme's "message-new-instant" (libgsound),
 * unless @settings (may be NULL) has "notification-sound" off.  Without a
 * sound server it says so once in the debug log and stays quiet. */
void  hd_tech_notify_sound         (GSettings    *settings);

/* A desktop notification for a message in a chat whose window is not
 * focused: the author as the summary, the text as the body (escaped: some
 * servers parse markup), "app.open-chat" (the chat id) as the default
 * action.  One per chat: a later message replaces the earlier one. */
void  hd_tech_notify_message       (GApplication *app,
                                    HdMessage    *message);
/* Withdraws what hd_tech_notify_message() showed for @chat_id. */
void  hd_tech_notify_withdraw_chat (GApplication *app,
                                    gint64        chat_id);

/* The body of a chat's notification, the customer's name and the request
 * (both escaped: some notification servers parse markup in the body):
 * "CUSTOMER wants to chat about #ID SUBJECT" for a chat request, "Chat
 * with CUSTOMER about #ID SUBJECT" for a chat transferred to me.  Without
 * @request (not loaded) it says "#ID" alone. */
typedef enum {
  HD_TECH_CHAT_NOTICE_REQUESTED,
  HD_TECH_CHAT_NOTICE_TRANSFERRED,
} HdTechChatNotice;

char *hd_tech_notify_chat_body     (HdTechChatNotice  notice,
                                    HdChat           *chat,
                                    HdRequest        *request);

/* A desktop notification for a chat a colleague (or an admin) handed to
 * me: "Chat Transferred to You", "Chat with CUSTOMER about #ID SUBJECT"
 * (escaped), "app.open-chat" (the chat id) as the default action and an
 * "Open Chat" button.  @request may be NULL.  Shares the chat's message
 * notification: withdrawn when its window gets focus. */
void  hd_tech_notify_transfer      (GApplication *app,
                                    HdChat       *chat,
                                    HdRequest    *request);
/* A desktop notification for a note someone else left on a request (a
 * customer's "Leave a message"): "Note from AUTHOR" with "#ID SUBJECT" and
 * the text (escaped) as the body, "app.open-request" (the request id) as
 * the default action.  One per request: a later note replaces it. */
void  hd_tech_notify_note          (GApplication *app,
                                    HdNote       *note,
                                    HdRequest    *request);

G_END_DECLS
