/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"

G_BEGIN_DECLS

#define HD_TYPE_TECH_APPLICATION (hd_tech_application_get_type ())
G_DECLARE_FINAL_TYPE (HdTechApplication, hd_tech_application, HD, TECH_APPLICATION, AdwApplication)

HdTechApplication *hd_tech_application_new              (void);
/* NULL until logged in. */
HdSession         *hd_tech_application_get_session      (HdTechApplication *self);
/* The main window, created (not shown) when there is none. */
GtkWindow         *hd_tech_application_get_main_window  (HdTechApplication *self);
/* The chat window of @chat_id, or NULL. */
GtkWindow         *hd_tech_application_lookup_chat_window (HdTechApplication *self,
                                                           gint64             chat_id);
/* Opens (or presents) the chat window of @chat. */
GtkWindow         *hd_tech_application_open_chat        (HdTechApplication *self,
                                                         HdChat            *chat);
/* The server given with --server or by GSettings, or NULL. */
const char        *hd_tech_application_get_server_url   (HdTechApplication *self);
/* NULL when the schema is not installed. */
GSettings         *hd_tech_application_get_settings     (HdTechApplication *self);

G_END_DECLS
