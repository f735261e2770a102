/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "hdclient.h"

G_BEGIN_DECLS

/* The plain-words sentence for a chat_options "reason" (NULL when a chat
 * can be started).  @technician_name: whom the customer would chat with,
 * may be NULL. */
char *hd_portal_chat_reason_text (const char *reason,
                                  const char *technician_name);

/* What the customer's chat window says once a chat has ended, by its
 * end_reason (contract v2; HD_END_REASON_NONE from an older server or
 * before the reason is known).  @accepted: there was a conversation;
 * @withdrawn: the customer withdrew it from this window; @partner: the
 * technician's (or team's) name.  Returns the sentence: after a
 * conversation the banner above the transcript, else the status page's
 * description, whose title goes to *@title (NULL after a conversation).
 * *@offer_message: TRUE when "Leave a Message" is the way on. */
char *hd_portal_chat_end_text (HdEndReason  reason,
                               gboolean     accepted,
                               gboolean     withdrawn,
                               const char  *partner,
                               char       **title,
                               gboolean    *offer_message);

G_END_DECLS
