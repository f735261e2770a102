/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The plain-words sentence for a chat_options "reason" (NULL when a chat
 * can be started).  @technician_name: whom the customer would chat with,
 * may be NULL. */
char *hd_portal_chat_reason_text (const char *reason,
                                  const char *technician_name);

G_END_DECLS
