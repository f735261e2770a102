/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hd-session.h"

G_BEGIN_DECLS

#define HD_TYPE_LOGIN_DIALOG (hd_login_dialog_get_type ())
G_DECLARE_FINAL_TYPE (HdLoginDialog, hd_login_dialog, HD, LOGIN_DIALOG, AdwWindow)

/* The login window: server URL, login, password, "Remember me".  Errors
 * are shown inline; a spinner runs while logging in.  On success it emits
 * "logged-in" (HdSession *session) and closes itself; the receiver takes
 * its own reference.  Properties "app-id", "server-url", "login". */
HdLoginDialog *hd_login_dialog_new            (const char    *app_id,
                                               const char    *server_url);
const char    *hd_login_dialog_get_server_url (HdLoginDialog *self);
void           hd_login_dialog_set_server_url (HdLoginDialog *self,
                                               const char    *server_url);
void           hd_login_dialog_set_login      (HdLoginDialog *self,
                                               const char    *login);

G_END_DECLS
