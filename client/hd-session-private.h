/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* For client/ only (and the tests): what a file that adds a capability to
 * HdSession (hd-session-<topic>.c: a list, a call) builds on.  The apps
 * never include this. */

#include <json-glib/json-glib.h>
#include "hd-session.h"
#include "hd-client-private.h"
#include "hd-event-stream.h"

G_BEGIN_DECLS

/* A session for an already logged-in client (tests).  Call
 * hd_session_start() to connect and load. */
HdSession     *hd_session_new        (const char *app_id,
                                      HdClient   *client);
HdClient      *hd_session_get_client (HdSession  *self);
HdEventStream *hd_session_get_events (HdSession  *self);

/* A REST call on the session's transport, cancelled with the session. */
void       hd_session_call_async     (HdSession           *self,
                                      const char          *method,
                                      const char          *path,
                                      JsonNode            *body,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
JsonNode  *hd_session_call_finish    (HdSession     *self,
                                      GAsyncResult  *result,
                                      GError       **error);
/* A call whose answer one function turns into the task's value: a
 * GTask of @self (@source_tag, @cancellable, @callback) whose task data is
 * @answer; a failed call (transport, HTTP error) returns its error, else
 * @answer gets the answer's object (NULL when the server sent something
 * else; hd_json_get_* take NULL) and returns the task's value or error.
 * Takes @body (may be NULL). */
typedef void (*HdSessionAnswer) (GTask      *task,
                                 HdSession  *self,
                                 JsonObject *root);
void       hd_session_call_answer    (HdSession           *self,
                                      const char          *method,
                                      const char          *path,
                                      JsonObject          *body,
                                      HdSessionAnswer      answer,
                                      gpointer             source_tag,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
/* Sends a frame on the socket; FALSE while it is not connected. */
gboolean   hd_session_send_frame     (HdSession   *self,
                                      const char  *type,
                                      JsonObject  *data);

/* The canonical object for @object (made, or updated in place). */
HdChat    *hd_session_upsert_chat    (HdSession   *self,
                                      JsonObject  *object);
HdRequest *hd_session_upsert_request (HdSession   *self,
                                      JsonObject  *object);

/* The keyed fetch every list is built on.  A feed is named by @kind and
 * @id ("notes", 12); asking while it fetches asks once more afterwards.
 * @path makes the GET path; @apply takes the answer in and returns TRUE
 * to ask again at once (another page); @settled (may be NULL) runs when
 * nothing more is asked for, with the error of a failed fetch.  @model
 * (may be NULL) gets "loading" while the feed fetches. */
typedef struct _HdFeed HdFeed;
typedef struct {
  char     *(*path)    (HdFeed *feed);
  gboolean  (*apply)   (HdFeed *feed, JsonObject *root);
  void      (*settled) (HdFeed *feed, const GError *error);
} HdFeedClass;

HdFeed      *hd_session_ensure_feed  (HdSession         *self,
                                      const HdFeedClass *klass,
                                      const char        *kind,
                                      gint64             id,
                                      HdListModel       *model,
                                      gboolean          *out_created);
HdFeed      *hd_session_lookup_feed  (HdSession         *self,
                                      const char        *kind,
                                      gint64             id);
void         hd_feed_fetch           (HdFeed            *feed);
HdSession   *hd_feed_get_session     (HdFeed            *feed);
gint64       hd_feed_get_id          (HdFeed            *feed);
HdListModel *hd_feed_get_model       (HdFeed            *feed);
gboolean     hd_feed_is_fetching     (HdFeed            *feed);
/* Per-feed data of the kind's own (freed with the feed). */
gpointer     hd_feed_get_data        (HdFeed            *feed);
void         hd_feed_set_data        (HdFeed            *feed,
                                      gpointer           data,
                                      GDestroyNotify     destroy);

/* The chat.updated event (hd-session-customer.c): the chat in place and,
 * for a rating, the transcript note of a loaded Notes list. */
void         hd_session_handle_chat_updated (HdSession  *self,
                                             JsonObject *data);

/* The chat.transferred event (hd-session-transfer.c). */
void         hd_session_handle_chat_transferred (HdSession  *self,
                                                 JsonObject *data);

G_END_DECLS
