/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hd-session.h"
#include "hd-attachment.h"

G_BEGIN_DECLS

#define HD_TYPE_ATTACHMENT_VIEW (hd_attachment_view_get_type ())
G_DECLARE_FINAL_TYPE (HdAttachmentView, hd_attachment_view, HD, ATTACHMENT_VIEW, GtkWidget)

/* One file of a chat message: a picture as a thumbnail (fetched once per
 * session), any other file as a row with its name and size; both with a
 * Save button (GtkFileChooserNative, so through the portal when
 * sandboxed).  It reports what happened with the "toast" signal
 * (a translated text), which HdChatView shows. */
GtkWidget *hd_attachment_view_new            (HdSession        *session,
                                              HdAttachment     *attachment);
void       hd_attachment_view_set_attachment (HdAttachmentView *self,
                                              HdSession        *session,
                                              HdAttachment     *attachment);
/* Saves to @file without asking (what the Save button does after its
 * dialog); for tests. */
void       hd_attachment_view_save_to        (HdAttachmentView *self,
                                              GFile            *file);
/* A translated size: "67 bytes", "1.5 kB". */
char      *hd_attachment_format_size         (gint64            size);

G_END_DECLS
