/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "hd-session.h"

G_BEGIN_DECLS

#define HD_TYPE_NOTES_VIEW (hd_notes_view_get_type ())
G_DECLARE_FINAL_TYPE (HdNotesView, hd_notes_view, HD, NOTES_VIEW, GtkWidget)

/* The notes of one request (hd_session_get_notes()), transcript notes
 * growing live.  Properties "session", "request-id". */
GtkWidget *hd_notes_view_new         (HdSession   *session,
                                      gint64       request_id);
void       hd_notes_view_set_request (HdNotesView *self,
                                      HdSession   *session,
                                      gint64       request_id);
gint64     hd_notes_view_get_request_id (HdNotesView *self);

G_END_DECLS
