/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"

G_BEGIN_DECLS

#define HD_TYPE_PORTAL_REQUEST_PAGE (hd_portal_request_page_get_type ())
G_DECLARE_FINAL_TYPE (HdPortalRequestPage, hd_portal_request_page, HD, PORTAL_REQUEST_PAGE, GtkWidget)

/* One request: its details, a Notes tab and the Chat menu.  Starting a
 * chat activates "win.open-chat" (int64 chat id) upward, errors go to
 * "win.toast" (string), so the page never reaches into its window. */
GtkWidget  *hd_portal_request_page_new          (void);
void        hd_portal_request_page_set_request  (HdPortalRequestPage *self,
                                                 HdSession           *session,
                                                 HdRequest           *request);
HdRequest  *hd_portal_request_page_get_request  (HdPortalRequestPage *self);
/* The sentence the page shows while no chat can be started (NULL when
 * one can). */
const char *hd_portal_request_page_get_reason_text (HdPortalRequestPage *self);
/* Shows the Details or the Notes tab ("details", "notes"). */
void        hd_portal_request_page_show_tab     (HdPortalRequestPage *self,
                                                 const char          *name);

G_END_DECLS
