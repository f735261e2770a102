/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include "hdclient.h"

G_BEGIN_DECLS

#define HD_TYPE_PORTAL_REQUEST_ROW (hd_portal_request_row_get_type ())
G_DECLARE_FINAL_TYPE (HdPortalRequestRow, hd_portal_request_row, HD, PORTAL_REQUEST_ROW, GtkListBoxRow)

/* A request in the sidebar: subject, number, status; follows the
 * request's changes. */
GtkWidget *hd_portal_request_row_new         (HdRequest          *request);
HdRequest *hd_portal_request_row_get_request (HdPortalRequestRow *self);

G_END_DECLS
