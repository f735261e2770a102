/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"

G_BEGIN_DECLS

/* The technician's active chats in the main window ("Five at once"): one
 * row per chat of mine that is active (HdSession's chats list, filtered;
 * no fetch of its own), with the customer, the request, the last line, the
 * unread count and "typing…".  Activating a row emits "open-chat" (HdChat);
 * the window opens or focuses that chat's window. */
#define HD_TYPE_TECH_ACTIVE_PAGE (hd_tech_active_page_get_type ())
G_DECLARE_FINAL_TYPE (HdTechActivePage, hd_tech_active_page, HD, TECH_ACTIVE_PAGE, GtkWidget)

void   hd_tech_active_page_set_session (HdTechActivePage *self,
                                        HdSession        *session);
/* Messages are unread while the chat's window is not the focused one;
 * the application keeps the counts (the main window comes and goes). */
void   hd_tech_active_page_set_unread  (HdTechActivePage *self,
                                        gint64            chat_id,
                                        guint             count);
guint  hd_tech_active_page_get_count   (HdTechActivePage *self);

#define HD_TYPE_TECH_ACTIVE_ROW (hd_tech_active_row_get_type ())
G_DECLARE_FINAL_TYPE (HdTechActiveRow, hd_tech_active_row, HD, TECH_ACTIVE_ROW, AdwActionRow)

/* @request may be NULL (shown as "Request #N" until it is known). */
GtkWidget *hd_tech_active_row_new        (HdSession *session,
                                          HdChat    *chat,
                                          HdRequest *request);
HdChat    *hd_tech_active_row_get_chat   (HdTechActiveRow *self);
void       hd_tech_active_row_set_unread (HdTechActiveRow *self,
                                          guint            unread);
void       hd_tech_active_row_set_typing (HdTechActiveRow *self,
                                          gboolean         typing);

G_END_DECLS
