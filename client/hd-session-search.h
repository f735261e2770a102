/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include "hd-session.h"

G_BEGIN_DECLS

/* Contract v2 "Technicians": GET /search over chat messages, notes and
 * request subjects. */

#define HD_TYPE_SEARCH_RESULT (hd_search_result_get_type ())
G_DECLARE_FINAL_TYPE (HdSearchResult, hd_search_result, HD, SEARCH_RESULT, GObject)

/* Where it was found: a chat message (chat id and message id set), a note
 * (note id) or the request's subject (only the request id). */
typedef enum {
  HD_SEARCH_HIT_MESSAGE,
  HD_SEARCH_HIT_NOTE,
  HD_SEARCH_HIT_SUBJECT,
} HdSearchHit;

gint64       hd_search_result_get_request_id (HdSearchResult *self);
gint64       hd_search_result_get_chat_id    (HdSearchResult *self);   /* 0 = none */
gint64       hd_search_result_get_message_id (HdSearchResult *self);   /* 0 = none */
gint64       hd_search_result_get_note_id    (HdSearchResult *self);   /* 0 = none */
HdSearchHit  hd_search_result_get_hit        (HdSearchResult *self);
GDateTime   *hd_search_result_get_created_at (HdSearchResult *self);   /* may be NULL */
/* Plain text around the match (people's text: never markup). */
const char  *hd_search_result_get_snippet    (HdSearchResult *self);
/* The matched ranges of the snippet as byte offsets, checked against it
 * (pairs: start, end; @n_ranges pairs), for Pango attributes. */
const guint *hd_search_result_get_highlights (HdSearchResult *self,
                                              guint          *n_ranges);

/* Searches (@query: 1-1000 characters, not blank; @limit 0: the server's
 * default).  Finishes with a GListModel of HdSearchResult, best first
 * (transfer full). */
void        hd_session_search_async  (HdSession           *self,
                                      const char          *query,
                                      guint                limit,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
GListModel *hd_session_search_finish (HdSession     *self,
                                      GAsyncResult  *result,
                                      GError       **error);

G_END_DECLS
