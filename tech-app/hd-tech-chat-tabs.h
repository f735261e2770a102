/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"

G_BEGIN_DECLS

/* The tabs variant of the chat windows (the trial of doc/tech-chat-windows.md,
 * GSettings "chat-tabs"): one window, one AdwTabView page per chat.  A
 * page: the request and state, the conversation (HdChatView with canned
 * responses); the header's Email, Transfer and End Chat act on the
 * selected page; closing a tab ends its chat (after the same question as
 * closing a chat window). */
#define HD_TYPE_TECH_CHAT_TABS (hd_tech_chat_tabs_get_type ())
G_DECLARE_FINAL_TYPE (HdTechChatTabs, hd_tech_chat_tabs, HD, TECH_CHAT_TABS, AdwApplicationWindow)

HdTechChatTabs *hd_tech_chat_tabs_new        (GtkApplication *app,
                                              HdSession      *session);
/* Adds the page of @chat (or finds it) and selects it. */
void            hd_tech_chat_tabs_show_chat  (HdTechChatTabs *self,
                                              HdChat         *chat);
gboolean        hd_tech_chat_tabs_has_chat   (HdTechChatTabs *self,
                                              gint64          chat_id);
/* Whether @chat_id's page is the selected one of the focused window. */
gboolean        hd_tech_chat_tabs_is_focused (HdTechChatTabs *self,
                                              gint64          chat_id);
/* Marks the page of @chat_id as needing attention (a message came while
 * it was not the one read). */
void            hd_tech_chat_tabs_add_unread (HdTechChatTabs *self,
                                              gint64          chat_id);

G_END_DECLS
