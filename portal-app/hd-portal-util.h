/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The plain-words sentence for a chat_options "reason" (NULL when a chat
 * can be started).  @technician_name: whom the customer would chat with,
 * may be NULL. */
char *hd_portal_chat_reason_text (const char *reason,
                                  const char *technician_name);

/* Keeps the pages of @stack that are not shown out of the accessibility
 * tree (GTK 4.8 exports them all), so a screen reader reads only what is
 * on screen. */
void  hd_portal_stack_hide_inactive_pages (GtkStack *stack);

/* The same for a revealer's child while it is folded away. */
void  hd_portal_revealer_hide_when_closed (GtkRevealer *revealer);

/* Registers the portal's GResource once (every class_init calls it). */
void  hd_portal_ensure_resources (void);

G_END_DECLS
