/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include "hd-message.h"

G_BEGIN_DECLS

#define HD_TYPE_MESSAGE_ROW (hd_message_row_get_type ())
G_DECLARE_FINAL_TYPE (HdMessageRow, hd_message_row, HD, MESSAGE_ROW, GtkWidget)

/* One message of a conversation: author, local time, body (plain text),
 * "Sending…"/"Not delivered"; own messages to the right.  Property
 * "message" (HdMessage, may be NULL); it follows the message's notify. */
GtkWidget *hd_message_row_new         (void);
HdMessage *hd_message_row_get_message (HdMessageRow *self);
void       hd_message_row_set_message (HdMessageRow *self,
                                       HdMessage    *message);

G_END_DECLS
