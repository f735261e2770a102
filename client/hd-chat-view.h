/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hd-session.h"

G_BEGIN_DECLS

#define HD_TYPE_CHAT_VIEW (hd_chat_view_get_type ())
G_DECLARE_FINAL_TYPE (HdChatView, hd_chat_view, HD, CHAT_VIEW, GtkWidget)

/* The conversation of one chat: messages (a GtkListView bound to
 * hd_session_get_messages()), "… is typing…", and an entry (Enter sends,
 * Shift+Enter adds a line) that is disabled with a label while the chat
 * waits or after it ended.  Properties "session", "chat". */
GtkWidget *hd_chat_view_new         (HdSession  *session,
                                     HdChat     *chat);
HdSession *hd_chat_view_get_session (HdChatView *self);
HdChat    *hd_chat_view_get_chat    (HdChatView *self);
void       hd_chat_view_set_chat    (HdChatView *self,
                                     HdSession  *session,
                                     HdChat     *chat);
/* Sends the entry's text as hd_session_send_message() would (what Enter
 * does); FALSE and the entry untouched if it could not. */
gboolean   hd_chat_view_send        (HdChatView *self);
/* The inner widgets, for tests and for focusing. */
GtkListView *hd_chat_view_get_list_view (HdChatView *self);
GtkTextView *hd_chat_view_get_text_view (HdChatView *self);

/* Attachments (contract v2): a message with a file shows it (a thumbnail
 * or a row with Save); the attach button, the screenshot button and
 * dropping files onto the view send files.  Refusals are shown as toasts
 * on the view. */
void       hd_chat_view_show_toast  (HdChatView *self,
                                     const char *text);
/* Sends @file (read asynchronously) / @bytes named @name to the chat. */
void       hd_chat_view_send_file   (HdChatView *self,
                                     GFile      *file);
void       hd_chat_view_send_bytes  (HdChatView *self,
                                     const char *name,
                                     GBytes     *bytes);

G_END_DECLS
