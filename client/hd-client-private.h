/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Private to client/ (and the tests): the REST transport behind
 * HdSession, and the JSON helpers the model objects use.  The apps never
 * include this; they use hd-session.h. */

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include "hd-client-types.h"
#include "hd-user.h"

G_BEGIN_DECLS

#define HD_TYPE_CLIENT (hd_client_get_type ())
G_DECLARE_FINAL_TYPE (HdClient, hd_client, HD, CLIENT, GObject)

/* Every call is asynchronous (_async/_finish, a GCancellable); errors are
 * in the HD_ERROR domain (common/hd-error.h) and carry the server's
 * message; a connection failure is HD_ERROR_NETWORK, an unreadable answer
 * HD_ERROR_PROTOCOL.
 *
 * Properties: "base-url" (construct-only, e.g. "http://127.0.0.1:8080/";
 * a trailing slash is optional), "token" (NULL until logged in),
 * "user" (the logged-in HdUser; set by login and get_me). */
HdClient    *hd_client_new              (const char *base_url);
const char  *hd_client_get_base_url     (HdClient   *self);
const char  *hd_client_get_token        (HdClient   *self);
void         hd_client_set_token        (HdClient   *self,
                                         const char *token);
HdUser      *hd_client_get_user         (HdClient   *self);
SoupSession *hd_client_get_soup_session (HdClient   *self);
/* "ws://host:port/api/v1/events" (or wss:// for https). */
char        *hd_client_dup_events_url   (HdClient   *self);

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

/* A call whose body is raw bytes (an attachment); finish with
 * hd_client_call_finish (). */
void      hd_client_send_bytes_async   (HdClient            *self,
                                        const char          *method,
                                        const char          *path,
                                        const char          *content_type,
                                        GBytes              *body,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
/* GET @path: the answer's bytes as they are (a download). */
void      hd_client_fetch_bytes_async  (HdClient            *self,
                                        const char          *path,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GBytes   *hd_client_fetch_bytes_finish (HdClient      *self,
                                        GAsyncResult  *result,
                                        GError       **error);
/* POST /session: on success the client keeps the token and the user. */
void      hd_client_login_async   (HdClient            *self,
                                   const char          *login,
                                   const char          *password,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
HdUser   *hd_client_login_finish  (HdClient      *self,
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
/* GET /me (also validates a remembered token); updates "user". */
void      hd_client_get_me_async  (HdClient            *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
HdUser   *hd_client_get_me_finish (HdClient      *self,
                                   GAsyncResult  *result,
                                   GError       **error);

/* JSON helpers that tolerate missing or mistyped members (the server is
 * trusted to follow the contract, but a bad frame must never crash us). */
gboolean    hd_json_has          (JsonObject *object,
                                  const char *member);
gint64      hd_json_get_int      (JsonObject *object,
                                  const char *member,
                                  gint64      fallback);
const char *hd_json_get_string   (JsonObject *object,
                                  const char *member);
gboolean    hd_json_get_bool     (JsonObject *object,
                                  const char *member,
                                  gboolean    fallback);
JsonObject *hd_json_get_object   (JsonObject *object,
                                  const char *member);
JsonArray  *hd_json_get_array    (JsonObject *object,
                                  const char *member);
GDateTime  *hd_json_get_time     (JsonObject *object,
                                  const char *member);
/* A JSON object node taking @object. */
JsonNode   *hd_json_object_node  (JsonObject *object);

/* Setters that notify only on a real change. */
gboolean    hd_set_string        (GObject     *object,
                                  char       **field,
                                  const char  *value,
                                  GParamSpec  *pspec);
gboolean    hd_set_int           (GObject     *object,
                                  gint64      *field,
                                  gint64       value,
                                  GParamSpec  *pspec);
gboolean    hd_set_bool          (GObject     *object,
                                  gboolean    *field,
                                  gboolean     value,
                                  GParamSpec  *pspec);
gboolean    hd_set_time          (GObject     *object,
                                  GDateTime  **field,
                                  GDateTime   *value,
                                  GParamSpec  *pspec);
gboolean    hd_set_object        (GObject     *object,
                                  gpointer    *field,
                                  gpointer     value,
                                  GParamSpec  *pspec);

/* A user object for @object, reusing an existing instance with the same
 * id (updated in place) when the caller has one. */
HdUser     *hd_user_reuse_or_new (HdUser     *existing,
                                  JsonObject *object);

void        hd_client_ensure_types (void);

G_END_DECLS
