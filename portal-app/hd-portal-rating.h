/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* "How was this chat?": five stars, an optional comment, Send and Skip.
 * Signals: "rate" (int score 1..5, const char *comment or NULL), "skip".
 * hd_portal_rating_show_done () replaces it with the rating given. */
#define HD_TYPE_PORTAL_RATING (hd_portal_rating_get_type ())
G_DECLARE_FINAL_TYPE (HdPortalRating, hd_portal_rating, HD, PORTAL_RATING, GtkWidget)

GtkWidget *hd_portal_rating_new       (void);
int        hd_portal_rating_get_score (HdPortalRating *self);
void       hd_portal_rating_set_score (HdPortalRating *self,
                                       int             score);
/* Sending or not: the controls are insensitive while it is sent. */
void       hd_portal_rating_set_busy  (HdPortalRating *self,
                                       gboolean        busy);
void       hd_portal_rating_show_done (HdPortalRating *self,
                                       int             score,
                                       const char     *comment);
void       hd_portal_rating_show_error (HdPortalRating *self,
                                        const char     *text);

G_END_DECLS
