/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"
#include "hd-portal-application.h"

G_BEGIN_DECLS

#define HD_TYPE_PORTAL_WINDOW (hd_portal_window_get_type ())
G_DECLARE_FINAL_TYPE (HdPortalWindow, hd_portal_window, HD, PORTAL_WINDOW, AdwApplicationWindow)

/* @server_url: the --server address, or NULL to use GSettings (if the
 * schema is installed) or to ask in the login dialog. */
HdPortalWindow *hd_portal_window_new         (HdPortalApplication *application,
                                              const char          *server_url);
/* NULL until logged in. */
HdSession      *hd_portal_window_get_session (HdPortalWindow      *self);
/* Logs in with an existing session (tests, and the login dialog). */
void            hd_portal_window_set_session (HdPortalWindow      *self,
                                              HdSession           *session);
void            hd_portal_window_show_toast  (HdPortalWindow      *self,
                                              const char          *text);
/* Opens (or raises) the window of a chat; FALSE if the chat is unknown. */
gboolean        hd_portal_window_open_chat   (HdPortalWindow      *self,
                                              gint64               chat_id);

G_END_DECLS
