/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"

G_BEGIN_DECLS

/* "Leave a Message": a note on @request for whoever handles it, when
 * nobody is there to chat.  Stays open with the text kept and the reason
 * shown when it cannot be sent; closes and emits "done" (the HdNote) when
 * it was.  @recipient: whom the message is for, may be NULL. */
#define HD_TYPE_PORTAL_MESSAGE_DIALOG (hd_portal_message_dialog_get_type ())
G_DECLARE_FINAL_TYPE (HdPortalMessageDialog, hd_portal_message_dialog, HD, PORTAL_MESSAGE_DIALOG, AdwWindow)

GtkWidget *hd_portal_message_dialog_new (GtkWindow  *parent,
                                         HdSession  *session,
                                         HdRequest  *request);

/* "New Request": subject and description; emits "done" (the HdRequest)
 * and closes once the server made it. */
#define HD_TYPE_PORTAL_NEW_REQUEST_DIALOG (hd_portal_new_request_dialog_get_type ())
G_DECLARE_FINAL_TYPE (HdPortalNewRequestDialog, hd_portal_new_request_dialog, HD, PORTAL_NEW_REQUEST_DIALOG, AdwWindow)

GtkWidget *hd_portal_new_request_dialog_new (GtkWindow *parent,
                                             HdSession *session);

G_END_DECLS
