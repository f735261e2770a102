/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"

G_BEGIN_DECLS

#define HD_TYPE_TECH_CHAT_WINDOW (hd_tech_chat_window_get_type ())
G_DECLARE_FINAL_TYPE (HdTechChatWindow, hd_tech_chat_window, HD, TECH_CHAT_WINDOW, AdwApplicationWindow)

/* One chat: request summary, conversation, Email button.  Closing the
 * window ends the chat (POST end) and emits "closed" (gint64 chat_id,
 * gint64 request_id, GError *error or NULL) once the server answered. */
HdTechChatWindow *hd_tech_chat_window_new      (GtkApplication   *app,
                                                HdSession        *session,
                                                HdChat           *chat);
HdChat           *hd_tech_chat_window_get_chat (HdTechChatWindow *self);
void              hd_tech_chat_window_add_toast (HdTechChatWindow *self,
                                                 const char       *text);

G_END_DECLS
