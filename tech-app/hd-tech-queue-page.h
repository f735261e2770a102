/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"

G_BEGIN_DECLS

#define HD_TYPE_TECH_QUEUE_PAGE (hd_tech_queue_page_get_type ())
G_DECLARE_FINAL_TYPE (HdTechQueuePage, hd_tech_queue_page, HD, TECH_QUEUE_PAGE, GtkWidget)

/* The waiting chats of @session ("Home > Chat").  Emits "accept" (HdChat *)
 * when a row's Accept button is clicked; the owner does the accepting and
 * calls hd_tech_queue_page_set_accepting() while it runs. */
void hd_tech_queue_page_set_session   (HdTechQueuePage *self,
                                       HdSession       *session);
void hd_tech_queue_page_set_accepting (HdTechQueuePage *self,
                                       gint64           chat_id,
                                       gboolean         accepting);

G_END_DECLS
