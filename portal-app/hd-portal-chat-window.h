/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"

G_BEGIN_DECLS

#define HD_TYPE_PORTAL_CHAT_WINDOW (hd_portal_chat_window_get_type ())
G_DECLARE_FINAL_TYPE (HdPortalChatWindow, hd_portal_chat_window, HD, PORTAL_CHAT_WINDOW, AdwWindow)

/* The customer's side of one chat: waiting (with Cancel), the
 * conversation with an Email button, then the ended state.  Closing it
 * while waiting withdraws the chat; while active, it asks first. */
HdPortalChatWindow *hd_portal_chat_window_new      (GtkApplication     *application,
                                                    HdSession          *session,
                                                    HdChat             *chat);
HdChat             *hd_portal_chat_window_get_chat (HdPortalChatWindow *self);

G_END_DECLS
