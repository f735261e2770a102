/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include "hd-session.h"

G_BEGIN_DECLS

/* Contract v2 "Technicians": canned responses, typed as "/shortcut" in a
 * chat and managed in My Account. */

#define HD_TYPE_CANNED_RESPONSE (hd_canned_response_get_type ())
G_DECLARE_FINAL_TYPE (HdCannedResponse, hd_canned_response, HD, CANNED_RESPONSE, GObject)

/* Properties (notify on change): "id" (gint64), "shortcut", "title",
 * "body", "scope" ("personal"|"team"|"global"), "team-id" (0 = none). */
gint64      hd_canned_response_get_id       (HdCannedResponse *self);
const char *hd_canned_response_get_shortcut (HdCannedResponse *self);
const char *hd_canned_response_get_title    (HdCannedResponse *self);
const char *hd_canned_response_get_body     (HdCannedResponse *self);
const char *hd_canned_response_get_scope    (HdCannedResponse *self);
gint64      hd_canned_response_get_team_id  (HdCannedResponse *self);

/* HdCannedResponse: mine, my teams' and the global ones, by shortcut
 * (GET /canned-responses; loaded on first use, again on refresh). */
GListModel *hd_session_get_canned_responses     (HdSession *self);
void        hd_session_refresh_canned_responses (HdSession *self);

/* What the server would refuse, said before asking it: a shortcut must be
 * 1-32 characters of a-z, 0-9, "-" and "_"; a title one line of 1-200
 * characters; a body 1-4000 characters, not only white space.  Messages
 * are translated.  Any argument may be NULL (not checked). */
gboolean    hd_canned_response_check            (const char  *shortcut,
                                                 const char  *title,
                                                 const char  *body,
                                                 GError     **error);

/* POST /canned-responses (@scope NULL: personal; @team_id only for
 * "team").  Finishes with the new response (transfer full), also added to
 * the list.  A taken shortcut: HD_ERROR_CONFLICT, nothing changed. */
void        hd_session_create_canned_async      (HdSession           *self,
                                                 const char          *shortcut,
                                                 const char          *title,
                                                 const char          *body,
                                                 const char          *scope,
                                                 gint64               team_id,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
/* PATCH /canned-responses/{id}: the fields that are not NULL.  Finishes
 * with the response, updated in place. */
void        hd_session_update_canned_async      (HdSession           *self,
                                                 gint64               id,
                                                 const char          *shortcut,
                                                 const char          *title,
                                                 const char          *body,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
HdCannedResponse *hd_session_canned_finish      (HdSession     *self,
                                                 GAsyncResult  *result,
                                                 GError       **error);
/* DELETE /canned-responses/{id}; also taken out of the list. */
void        hd_session_delete_canned_async      (HdSession           *self,
                                                 gint64               id,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean    hd_session_delete_canned_finish     (HdSession     *self,
                                                 GAsyncResult  *result,
                                                 GError       **error);

/* GET /teams (staff), for choosing a team response's team: finishes with
 * a GPtrArray of HdTeamRef (transfer full), by name. */
typedef struct {
  gint64  id;
  char   *name;
} HdTeamRef;

void        hd_team_ref_free                    (HdTeamRef *team);
void        hd_session_list_teams_async         (HdSession           *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GPtrArray  *hd_session_list_teams_finish        (HdSession     *self,
                                                 GAsyncResult  *result,
                                                 GError       **error);

G_END_DECLS
