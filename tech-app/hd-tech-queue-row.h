/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"

G_BEGIN_DECLS

#define HD_TYPE_TECH_QUEUE_ROW (hd_tech_queue_row_get_type ())
G_DECLARE_FINAL_TYPE (HdTechQueueRow, hd_tech_queue_row, HD, TECH_QUEUE_ROW, AdwActionRow)

/* One waiting chat: customer, request, waiting since, Accept button
 * (emits "accept").  @request may be NULL while the requests load. */
GtkWidget *hd_tech_queue_row_new           (HdChat         *chat,
                                            HdRequest      *request);
HdChat    *hd_tech_queue_row_get_chat      (HdTechQueueRow *self);
void       hd_tech_queue_row_set_accepting (HdTechQueueRow *self,
                                            gboolean        accepting);

G_END_DECLS
