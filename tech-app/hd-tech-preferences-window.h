/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"

G_BEGIN_DECLS

#define HD_TYPE_TECH_PREFERENCES_WINDOW (hd_tech_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (HdTechPreferencesWindow, hd_tech_preferences_window, HD, TECH_PREFERENCES_WINDOW, AdwPreferencesWindow)

/* Preferences.  General (everyone; @settings may be NULL when the schema
 * is not installed): notification sound, away after idle minutes.
 * Privileges (only when @admin): the system switches and the chat
 * limits, applied at once and kept current by privileges.changed. */
HdTechPreferencesWindow *hd_tech_preferences_window_new       (HdSession *session,
                                                               GSettings *settings,
                                                               gboolean   admin);
/* Whether it was made with the Privileges page. */
gboolean                 hd_tech_preferences_window_get_admin (HdTechPreferencesWindow *self);

G_END_DECLS
