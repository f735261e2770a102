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
/* The main window, created (not shown: present it) when there is none.
 * Closing it while logged in destroys it; the application holds itself. */
GtkWindow         *hd_tech_application_get_main_window  (HdTechApplication *self);
/* The chat window of @chat_id, or NULL. */
GtkWindow         *hd_tech_application_lookup_chat_window (HdTechApplication *self,
                                                           gint64             chat_id);
/* Opens (or presents) the chat window of @chat; NULL while its End call
 * is on its way. */
GtkWindow         *hd_tech_application_open_chat        (HdTechApplication *self,
                                                         HdChat            *chat);
/* Ends @chat (its window is gone already): the application keeps the
 * call, holds itself until the answer, then the main window says where
 * the transcript went (or why it could not end), if @session is still
 * the application's. */
void               hd_tech_application_end_chat         (HdTechApplication *self,
                                                         HdSession         *session,
                                                         HdChat            *chat);
gboolean           hd_tech_application_is_ending        (HdTechApplication *self,
                                                         gint64             chat_id);
/* A toast in the main window, presented if it was closed. */
void               hd_tech_application_add_toast        (HdTechApplication *self,
                                                         const char        *text);
/* The server given with --server or by GSettings, or NULL. */
const char        *hd_tech_application_get_server_url   (HdTechApplication *self);
/* NULL when the schema is not installed. */
GSettings         *hd_tech_application_get_settings     (HdTechApplication *self);

G_END_DECLS
