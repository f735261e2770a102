/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hdclient.h"

G_BEGIN_DECLS

#define HD_TYPE_TECH_SEARCH_PANEL (hd_tech_search_panel_get_type ())
G_DECLARE_FINAL_TYPE (HdTechSearchPanel, hd_tech_search_panel, HD, TECH_SEARCH_PANEL, GtkWidget)

/* The Requests view's search: a search bar (Ctrl+F on the page opens it,
 * Escape closes it) over chat messages, notes and subjects, and below it
 * the results (snippets with the matched words in bold, built with Pango
 * attributes: people's text is never markup), "Searching…" and "No
 * results" states.  Property "search-mode" (gboolean) is TRUE while it is
 * open.  Activating a result emits "result-activated" (gint64 request_id,
 * gint64 chat_id or 0). */
GtkWidget *hd_tech_search_panel_new          (void);
void       hd_tech_search_panel_set_session  (HdTechSearchPanel *self,
                                              HdSession         *session);
void       hd_tech_search_panel_set_search_mode (HdTechSearchPanel *self,
                                                 gboolean           search_mode);
gboolean   hd_tech_search_panel_get_search_mode (HdTechSearchPanel *self);

G_END_DECLS
