/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include "hd-client-types.h"
#include "hd-user.h"
#include "hd-request.h"
#include "hd-chat.h"
#include "hd-message.h"
#include "hd-note.h"

G_BEGIN_DECLS

#define HD_TYPE_CLIENT (hd_client_get_type ())
G_DECLARE_FINAL_TYPE (HdClient, hd_client, HD, CLIENT, GObject)

/* The REST side of the contract.  Every call is asynchronous
 * (_async/_finish, a GCancellable); errors are in the HD_ERROR domain
 * (common/hd-error.h) and carry the server's message; a connection
 * failure is HD_ERROR_NETWORK, an unreadable answer HD_ERROR_PROTOCOL.
 *
 * Properties: "base-url" (construct-only, e.g. "http://127.0.0.1:8080/";
 * a trailing slash is optional), "token" (NULL until logged in),
 * "user" (the logged-in HdUser; set by login and get_me). */
HdClient    *hd_client_new             (const char *base_url);
const char  *hd_client_get_base_url    (HdClient   *self);
const char  *hd_client_get_token       (HdClient   *self);
void         hd_client_set_token       (HdClient   *self,
                                        const char *token);
HdUser      *hd_client_get_user        (HdClient   *self);
SoupSession *hd_client_get_soup_session (HdClient  *self);
/* "ws://host:port/api/v1/events" (or wss:// for https). */
char        *hd_client_dup_events_url  (HdClient   *self);

/* Any call: @method "GET"/"POST"/…, @path below /api/v1 (e.g.
 * "/requests/1"), @body may be NULL.  Finishes with the parsed JSON
 * answer (transfer full; a JSON null node for 204). */
void      hd_client_call_async   (HdClient            *self,
                                  const char          *method,
                                  const char          *path,
                                  JsonNode            *body,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
JsonNode *hd_client_call_finish  (HdClient      *self,
                                  GAsyncResult  *result,
                                  GError       **error);

/* POST /session: on success the client keeps the token and the user. */
void      hd_client_login_async  (HdClient            *self,
                                  const char          *login,
                                  const char          *password,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
HdUser   *hd_client_login_finish (HdClient      *self,
                                  GAsyncResult  *result,
                                  GError       **error);

/* DELETE /session; the client forgets the token either way. */
void      hd_client_logout_async  (HdClient            *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
gboolean  hd_client_logout_finish (HdClient      *self,
                                   GAsyncResult  *result,
                                   GError       **error);

/* GET /me (also validates a remembered token). */
void      hd_client_get_me_async  (HdClient            *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
HdUser   *hd_client_get_me_finish (HdClient      *self,
                                   GAsyncResult  *result,
                                   GError       **error);

/* PATCH /me {"available_for_chat"}. */
void      hd_client_set_available_async  (HdClient            *self,
                                          gboolean             available,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
HdUser   *hd_client_set_available_finish (HdClient      *self,
                                          GAsyncResult  *result,
                                          GError       **error);

/* GET /setup/privileges */
void      hd_client_get_privileges_async  (HdClient            *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean  hd_client_get_privileges_finish (HdClient      *self,
                                           GAsyncResult  *result,
                                           gboolean      *out_chat_enabled,
                                           gboolean      *out_customer_chat_with_team,
                                           GError       **error);
/* PATCH /setup/privileges (admin). */
void      hd_client_set_privileges_async  (HdClient            *self,
                                           gboolean             chat_enabled,
                                           gboolean             customer_chat_with_team,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean  hd_client_set_privileges_finish (HdClient      *self,
                                           GAsyncResult  *result,
                                           gboolean      *out_chat_enabled,
                                           gboolean      *out_customer_chat_with_team,
                                           GError       **error);

/* GET /users?role=ROLE (@role may be NULL): a GPtrArray of HdUser. */
void       hd_client_list_users_async  (HdClient            *self,
                                        const char          *role,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GPtrArray *hd_client_list_users_finish (HdClient      *self,
                                        GAsyncResult  *result,
                                        GError       **error);

/* GET /requests: a GPtrArray of HdRequest. */
void       hd_client_list_requests_async  (HdClient            *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
GPtrArray *hd_client_list_requests_finish (HdClient      *self,
                                           GAsyncResult  *result,
                                           GError       **error);

/* GET /requests/{id} */
void       hd_client_get_request_async  (HdClient            *self,
                                         gint64               request_id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
HdRequest *hd_client_get_request_finish (HdClient      *self,
                                         GAsyncResult  *result,
                                         GError       **error);

/* POST /requests.  @customer_id, @assignee_id, @team_id: 0 = leave out
 * (a customer passes 0 for all three). */
void       hd_client_create_request_async  (HdClient            *self,
                                            const char          *subject,
                                            const char          *description,
                                            gint64               customer_id,
                                            gint64               assignee_id,
                                            gint64               team_id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
HdRequest *hd_client_create_request_finish (HdClient      *self,
                                            GAsyncResult  *result,
                                            GError       **error);

/* GET /requests/{id}/notes: a GPtrArray of HdNote. */
void       hd_client_list_notes_async  (HdClient            *self,
                                        gint64               request_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GPtrArray *hd_client_list_notes_finish (HdClient      *self,
                                        GAsyncResult  *result,
                                        GError       **error);

/* GET /chats?state=STATE (@state NULL = all): a GPtrArray of HdChat. */
void       hd_client_list_chats_async  (HdClient            *self,
                                        const char          *state,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GPtrArray *hd_client_list_chats_finish (HdClient      *self,
                                        GAsyncResult  *result,
                                        GError       **error);

/* GET /chats/queue: a GPtrArray of HdChat. */
void       hd_client_list_queue_async  (HdClient            *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GPtrArray *hd_client_list_queue_finish (HdClient      *self,
                                        GAsyncResult  *result,
                                        GError       **error);

/* GET /chats/{id}, POST /chats {request_id, technician_id (0 = leave
 * out)}, POST /chats/{id}/accept, POST /chats/{id}/end: all finish with
 * the chat (use hd_client_chat_finish). */
void       hd_client_get_chat_async    (HdClient            *self,
                                        gint64               chat_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
void       hd_client_start_chat_async  (HdClient            *self,
                                        gint64               request_id,
                                        gint64               technician_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
void       hd_client_accept_chat_async (HdClient            *self,
                                        gint64               chat_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
void       hd_client_end_chat_async    (HdClient            *self,
                                        gint64               chat_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
HdChat    *hd_client_chat_finish       (HdClient      *self,
                                        GAsyncResult  *result,
                                        GError       **error);

/* POST /chats/{id}/email: finishes with the "sent_to" address. */
void       hd_client_email_chat_async  (HdClient            *self,
                                        gint64               chat_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
char      *hd_client_email_chat_finish (HdClient      *self,
                                        GAsyncResult  *result,
                                        GError       **error);

/* GET /chats/{id}/messages?after=SEQ&limit=N (@limit 0 = server default):
 * a GPtrArray of HdMessage in seq order; *out_more says whether later
 * messages remain. */
void       hd_client_list_messages_async  (HdClient            *self,
                                           gint64               chat_id,
                                           gint64               after_seq,
                                           guint                limit,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
GPtrArray *hd_client_list_messages_finish (HdClient      *self,
                                           GAsyncResult  *result,
                                           gboolean      *out_more,
                                           GError       **error);

/* POST /chats/{id}/messages {body, client_id}; @client_id NULL = a fresh
 * one.  The body is checked locally first (HD_ERROR_BAD_REQUEST). */
void       hd_client_post_message_async  (HdClient            *self,
                                          gint64               chat_id,
                                          const char          *body,
                                          const char          *client_id,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
HdMessage *hd_client_post_message_finish (HdClient      *self,
                                          GAsyncResult  *result,
                                          GError       **error);

G_END_DECLS
