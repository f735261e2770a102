/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"

G_BEGIN_DECLS

#define HD_TYPE_TECH_ACCOUNT_PAGE (hd_tech_account_page_get_type ())
G_DECLARE_FINAL_TYPE (HdTechAccountPage, hd_tech_account_page, HD, TECH_ACCOUNT_PAGE, GtkWidget)

/* "Home > My Account": the user's details; Edit shows the "Available for
 * chat" Yes/No choice, Save sends it (PATCH /me).  Emits "toast"
 * (const char *) with the outcome for the window to show. */
void     hd_tech_account_page_set_session (HdTechAccountPage *self,
                                           HdSession         *session);
void     hd_tech_account_page_set_editing (HdTechAccountPage *self,
                                           gboolean           editing);
gboolean hd_tech_account_page_get_editing (HdTechAccountPage *self);

G_END_DECLS
