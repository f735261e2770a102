/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-session"

#include <glib/gi18n.h>

#include "hd-session-customer.h"
#include "hd-session-private.h"
#include "hd-list-model-private.h"
#include "hd-error.h"
#include "hd-protocol.h"

#include <string.h>

/* Downloads kept per session, so a thumbnail and a Save share one fetch.
 * Small: attachments are at most 10 MiB, and only the last few matter. */
#define CACHE_BYTES (24 * 1024 * 1024)

static JsonObject *
root_object (JsonNode *node)
{
  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* ---- notes ---------------------------------------------------------- */

static void
note_answer (GTask      *task,
             HdSession  *self,
             JsonObject *root)
{
  HdFeed *feed = hd_session_lookup_feed (self, "notes", hd_json_get_int (root, "request_id", -1));
  g_autoptr(GError) error = NULL;
  HdNote *note = NULL;
  guint pos;

  /* The request's notes list, if anyone holds it, shows it at once; the
   * note.created event that may follow finds it there. */
  if (feed != NULL)
    {
      HdListModel *model = hd_feed_get_model (feed);

      if (hd_list_model_find_id (model, hd_json_get_int (root, "id", -1), &pos))
        note = g_list_model_get_item (G_LIST_MODEL (model), pos);
      else if ((note = hd_note_new_from_json (root, &error)))
        g_list_store_append (hd_list_model_get_store (model), note);
    }
  else
    note = hd_note_new_from_json (root, &error);

  if (note == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, note, g_object_unref);
}

void
hd_session_add_note_async (HdSession           *self,
                           gint64               request_id,
                           const char          *body,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  JsonObject *o = json_object_new ();   /* the call takes it */
  g_autofree char *path = g_strdup_printf ("/requests/%" G_GINT64_FORMAT "/notes", request_id);

  g_return_if_fail (HD_IS_SESSION (self));
  json_object_set_string_member (o, "body", body);
  hd_session_call_answer (self, "POST", path, o, note_answer, hd_session_add_note_async,
                          cancellable, callback, user_data);
}

HdNote *
hd_session_add_note_finish (HdSession     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- requests ------------------------------------------------------- */

static void
request_answer (GTask      *task,
                HdSession  *self,
                JsonObject *root)
{
  HdRequest *request = hd_session_upsert_request (self, root);
  HdListModel *requests = HD_LIST_MODEL (hd_session_get_requests (self));

  if (request == NULL)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_PROTOCOL, "The server sent no request");
      return;
    }
  if (!hd_list_model_find_id (requests, hd_request_get_id (request), NULL))
    g_list_store_append (hd_list_model_get_store (requests), request);
  g_task_return_pointer (task, g_object_ref (request), g_object_unref);
}

void
hd_session_create_request_async (HdSession           *self,
                                 const char          *subject,
                                 const char          *description,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  JsonObject *o = json_object_new ();   /* the call takes it */

  g_return_if_fail (HD_IS_SESSION (self));
  json_object_set_string_member (o, "subject", subject);
  if (description != NULL && *description != '\0')
    json_object_set_string_member (o, "description", description);
  hd_session_call_answer (self, "POST", "/requests", o, request_answer,
                          hd_session_create_request_async, cancellable, callback, user_data);
}

HdRequest *
hd_session_create_request_finish (HdSession     *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- rating --------------------------------------------------------- */

/* A chat's rating shows on its transcript note: a Notes list that is
 * loaded follows it at once, without a refetch. */
static void
rating_to_notes (HdSession *self,
                 HdChat    *chat)
{
  HdFeed *feed;
  GListModel *notes;

  if (chat == NULL || hd_chat_get_rating (chat) <= 0)
    return;
  feed = hd_session_lookup_feed (self, "notes", hd_chat_get_request_id (chat));
  if (feed == NULL)
    return;
  notes = G_LIST_MODEL (hd_feed_get_model (feed));
  for (guint i = 0; i < g_list_model_get_n_items (notes); i++)
    {
      g_autoptr(HdNote) note = g_list_model_get_item (notes, i);

      if (hd_note_get_chat_id (note) == hd_chat_get_id (chat)
          && g_strcmp0 (hd_note_get_kind (note), "chat_transcript") == 0)
        {
          g_autoptr(JsonObject) update = json_object_new ();
          JsonObject *rating = json_object_new ();

          json_object_set_int_member (rating, "score", hd_chat_get_rating (chat));
          if (hd_chat_get_rating_comment (chat) != NULL)
            json_object_set_string_member (rating, "comment", hd_chat_get_rating_comment (chat));
          else
            json_object_set_null_member (rating, "comment");
          json_object_set_object_member (update, "rating", rating);
          hd_note_update_from_json (note, update);
        }
    }
}

void
hd_session_handle_chat_updated (HdSession  *self,
                                JsonObject *data)
{
  rating_to_notes (self, hd_session_upsert_chat (self, data));
}

static void
chat_answer (GTask      *task,
             HdSession  *self,
             JsonObject *root)
{
  HdChat *chat = hd_session_upsert_chat (self, root);

  rating_to_notes (self, chat);

  if (chat == NULL)
    g_task_return_new_error (task, HD_ERROR, HD_ERROR_PROTOCOL, "The server sent no chat");
  else
    g_task_return_pointer (task, g_object_ref (chat), g_object_unref);
}

void
hd_session_rate_chat_async (HdSession           *self,
                            gint64               chat_id,
                            int                  score,
                            const char          *comment,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  JsonObject *o = json_object_new ();   /* the call takes it */
  g_autofree char *path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT "/rating", chat_id);

  g_return_if_fail (HD_IS_SESSION (self));
  json_object_set_int_member (o, "score", score);
  if (comment != NULL && *comment != '\0')
    json_object_set_string_member (o, "comment", comment);
  /* hd_session_chat_finish () propagates a pointer of any task of ours. */
  hd_session_call_answer (self, "POST", path, o, chat_answer, hd_session_rate_chat_async,
                          cancellable, callback, user_data);
}

/* ---- attachments ---------------------------------------------------- */

gboolean
hd_session_check_attachment (GBytes  *data,
                             GError **error)
{
  gsize size = data ? g_bytes_get_size (data) : 0;

  if (size == 0)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST, _("The file is empty."));
      return FALSE;
    }
  if (size > HD_MAX_ATTACHMENT_BYTES)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_PAYLOAD_TOO_LARGE,
                           _("The file is larger than 10 MiB."));
      return FALSE;
    }
  if (hd_protocol_sniff_content_type (g_bytes_get_data (data, NULL), size) == NULL)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_UNSUPPORTED_MEDIA_TYPE,
                           _("Only pictures (PNG, JPEG, GIF, WebP), PDF documents and plain text files can be sent."));
      return FALSE;
    }
  return TRUE;
}

static void
on_attachment_sent (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  HdSession *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) node = hd_session_call_finish (self, result, &error);
  JsonObject *root = root_object (node);
  HdMessage *message;

  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  message = hd_message_new_from_json (root, &error);
  if (message == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, message, g_object_unref);
}

void
hd_session_send_attachment_async (HdSession           *self,
                                  gint64               chat_id,
                                  const char          *filename,
                                  GBytes              *data,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *client_id = g_uuid_string_random ();
  g_autofree char *path = NULL;

  g_return_if_fail (HD_IS_SESSION (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hd_session_send_attachment_async);
  if (!hd_session_check_attachment (data, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  escaped = g_uri_escape_string (filename ? filename : "file", NULL, FALSE);
  /* A client_id makes a retried upload land once. */
  path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT "/attachments?filename=%s&client_id=%s",
                          chat_id, escaped, client_id);
  hd_client_send_bytes_async (hd_session_get_client (self), "POST", path,
                              "application/octet-stream", data, cancellable,
                              on_attachment_sent, g_steal_pointer (&task));
}

HdMessage *
hd_session_send_attachment_finish (HdSession     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  GHashTable *bytes;   /* id → GBytes */
  GQueue      order;   /* ids, oldest first */
  gsize       total;
} Cache;

static void
cache_free (Cache *c)
{
  g_hash_table_unref (c->bytes);
  while (!g_queue_is_empty (&c->order))
    g_free (g_queue_pop_head (&c->order));
  g_free (c);
}

static Cache *
get_cache (HdSession *self)
{
  Cache *c = g_object_get_data (G_OBJECT (self), "hd-attachment-cache");

  if (c == NULL)
    {
      c = g_new0 (Cache, 1);
      c->bytes = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) g_bytes_unref);
      g_queue_init (&c->order);
      g_object_set_data_full (G_OBJECT (self), "hd-attachment-cache", c, (GDestroyNotify) cache_free);
    }
  return c;
}

static void
cache_put (Cache  *c,
           gint64  id,
           GBytes *bytes)
{
  gint64 *key;

  if (g_hash_table_contains (c->bytes, &id) || g_bytes_get_size (bytes) > CACHE_BYTES)
    return;
  while (c->total + g_bytes_get_size (bytes) > CACHE_BYTES && !g_queue_is_empty (&c->order))
    {
      gint64 *old = g_queue_pop_head (&c->order);
      GBytes *b = g_hash_table_lookup (c->bytes, old);

      c->total -= b ? g_bytes_get_size (b) : 0;
      g_hash_table_remove (c->bytes, old);
      g_free (old);
    }
  key = g_memdup2 (&id, sizeof id);
  g_queue_push_tail (&c->order, key);
  g_hash_table_insert (c->bytes, key, g_bytes_ref (bytes));
  c->total += g_bytes_get_size (bytes);
}

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = hd_client_fetch_bytes_finish (HD_CLIENT (source), result, &error);
  gint64 id = GPOINTER_TO_SIZE (g_task_get_task_data (task));

  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  cache_put (get_cache (g_task_get_source_object (task)), id, bytes);
  g_task_return_pointer (task, g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
}

void
hd_session_fetch_attachment_async (HdSession           *self,
                                   gint64               attachment_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;
  GBytes *cached;

  g_return_if_fail (HD_IS_SESSION (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hd_session_fetch_attachment_async);
  g_task_set_task_data (task, GSIZE_TO_POINTER ((gsize) attachment_id), NULL);
  cached = g_hash_table_lookup (get_cache (self)->bytes, &attachment_id);
  if (cached != NULL)
    {
      g_task_return_pointer (task, g_bytes_ref (cached), (GDestroyNotify) g_bytes_unref);
      return;
    }
  path = g_strdup_printf ("/attachments/%" G_GINT64_FORMAT, attachment_id);
  hd_client_fetch_bytes_async (hd_session_get_client (self), path, cancellable,
                               on_fetched, g_steal_pointer (&task));
}

GBytes *
hd_session_fetch_attachment_finish (HdSession     *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
