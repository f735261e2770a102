/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HD_TYPE_PORTAL_APPLICATION (hd_portal_application_get_type ())
G_DECLARE_FINAL_TYPE (HdPortalApplication, hd_portal_application, HD, PORTAL_APPLICATION, AdwApplication)

HdPortalApplication *hd_portal_application_new            (void);
/* The --server URL given on the command line, or NULL. */
const char          *hd_portal_application_get_server_url (HdPortalApplication *self);

/* g_get_monotonic_time() when the application object was made (for the
 * start-up time the window reports with G_MESSAGES_DEBUG=hd-portal). */
gint64               hd_portal_application_get_started_at (HdPortalApplication *self);

G_END_DECLS
