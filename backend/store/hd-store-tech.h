/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hd-store.h"

G_BEGIN_DECLS

/* The store's part of contract v2, "Technicians": away, chat limits and
 * transfers, canned responses, full-text search.  Same rules as
 * hd-store.h: records and GLib containers only, no SQLite types. */

gboolean   hd_store_user_set_away          (HdStore       *self,
                                            gint64         id,
                                            gboolean       away,
                                            GError       **error);
/* How many chats @technician_id has active now. */
gint64     hd_store_count_active_chats     (HdStore       *self,
                                            gint64         technician_id);

/* Active chat of @from_technician → @to_technician, still active; the
 * state and the old technician are part of the UPDATE (so a chat that
 * ended or moved meanwhile is HD_ERROR_CHAT_ENDED / HD_ERROR_CONFLICT). */
gboolean   hd_store_chat_set_technician    (HdStore       *self,
                                            gint64         chat_id,
                                            gint64         from_technician,
                                            gint64         to_technician,
                                            HdChatRecord        *out,
                                            GError       **error);
/* A chat in @from_state (waiting or active) goes (back) to waiting in
 * @team_id's queue, its wait starting at @now. */
gboolean   hd_store_chat_to_team           (HdStore       *self,
                                            gint64         chat_id,
                                            HdChatState    from_state,
                                            gint64         team_id,
                                            gint64         now,
                                            HdChatRecord        *out,
                                            GError       **error);
/* Active chats whose last message (or accept) is older than @before.
 * GArray of HdChatRecord. */
GArray    *hd_store_chats_inactive_since   (HdStore       *self,
                                            gint64         before,
                                            GError       **error);

/* canned responses */
/* The personal ones of @user_id, those of their teams and the global
 * ones, by shortcut.  GPtrArray of HdCannedRecord. */
GPtrArray *hd_store_canned_list            (HdStore       *self,
                                            gint64         user_id,
                                            GError       **error);
HdCannedRecord  *hd_store_canned_get             (HdStore       *self,
                                            gint64         id,
                                            GError       **error);
/* Fills id, created_at and updated_at.  HD_ERROR_CONFLICT when the
 * shortcut is taken in the scope. */
gboolean   hd_store_canned_create          (HdStore       *self,
                                            HdCannedRecord      *canned,
                                            GError       **error);
/* Writes shortcut, title, body and updated_at. */
gboolean   hd_store_canned_update          (HdStore       *self,
                                            const HdCannedRecord *canned,
                                            GError       **error);
gboolean   hd_store_canned_delete          (HdStore       *self,
                                            gint64         id,
                                            GError       **error);

/* full-text search */
/* @query: an FTS5 query the caller built (hd_search_build_query ());
 * @filter and @user_id as for hd_store_requests_list ().  Best match
 * first.  GPtrArray of HdSearchHitRecord. */
GPtrArray *hd_store_search                 (HdStore         *self,
                                            HdRequestsFilter filter,
                                            gint64           user_id,
                                            const char      *query,
                                            guint            limit,
                                            GError         **error);
/* EXPLAIN QUERY PLAN of the statement hd_store_search () runs for
 * @filter, one line per step (for the test that it uses the index). */
char      *hd_store_search_plan            (HdStore         *self,
                                            HdRequestsFilter filter,
                                            GError         **error);

G_END_DECLS
