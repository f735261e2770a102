/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"

G_BEGIN_DECLS

#define HD_TYPE_TECH_REQUESTS_PAGE (hd_tech_requests_page_get_type ())
G_DECLARE_FINAL_TYPE (HdTechRequestsPage, hd_tech_requests_page, HD, TECH_REQUESTS_PAGE, GtkWidget)

/* The technician's requests, each with a Details and a live Notes tab. */
void hd_tech_requests_page_set_session (HdTechRequestsPage *self,
                                        HdSession          *session);
/* Selects @request_id and shows its Notes tab; FALSE if not listed. */
gboolean hd_tech_requests_page_show_notes (HdTechRequestsPage *self,
                                           gint64              request_id);

G_END_DECLS
