/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"

G_BEGIN_DECLS

#define HD_TYPE_TECH_CANNED_GROUP (hd_tech_canned_group_get_type ())
G_DECLARE_FINAL_TYPE (HdTechCannedGroup, hd_tech_canned_group, HD, TECH_CANNED_GROUP, GtkWidget)

/* "Canned Responses" in My Account: the responses this technician may
 * use, with Add, Edit and Delete for the personal ones (an administrator
 * also writes team and global ones).  The editor says what is wrong (an
 * empty or taken shortcut …) and changes nothing then.  Emits "toast"
 * (const char *) with outcomes for the window to show. */
GtkWidget *hd_tech_canned_group_new         (void);
void       hd_tech_canned_group_set_session (HdTechCannedGroup *self,
                                             HdSession         *session);

G_END_DECLS
