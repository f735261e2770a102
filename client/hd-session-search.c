/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-session"

#include <glib/gi18n.h>

#include "hd-session-search.h"
#include "hd-session-private.h"
#include "hd-error.h"

struct _HdSearchResult
{
  GObject parent_instance;

  gint64     request_id;
  gint64     chat_id;
  gint64     message_id;
  gint64     note_id;
  char      *snippet;
  GArray    *ranges;     /* guint byte offsets: start, end, start, end … */
  GDateTime *created_at;
};

G_DEFINE_FINAL_TYPE (HdSearchResult, hd_search_result, G_TYPE_OBJECT)

static void
hd_search_result_finalize (GObject *object)
{
  HdSearchResult *self = HD_SEARCH_RESULT (object);

  g_free (self->snippet);
  g_clear_pointer (&self->ranges, g_array_unref);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  G_OBJECT_CLASS (hd_search_result_parent_class)->finalize (object);
}

static void
hd_search_result_class_init (HdSearchResultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hd_search_result_finalize;
}

static void
hd_search_result_init (HdSearchResult *self)
{
  self->ranges = g_array_new (FALSE, FALSE, sizeof (guint));
}

/* The server counts code points; Pango wants bytes.  A range outside
 * the snippet is left out, never trusted. */
static void
add_range (HdSearchResult *self,
           gint64          start,
           gint64          length)
{
  glong n = g_utf8_strlen (self->snippet, -1);
  guint b_start, b_end;

  if (start < 0 || length <= 0 || start >= n || start + length > n)
    return;
  b_start = g_utf8_offset_to_pointer (self->snippet, start) - self->snippet;
  b_end = g_utf8_offset_to_pointer (self->snippet, start + length) - self->snippet;
  g_array_append_val (self->ranges, b_start);
  g_array_append_val (self->ranges, b_end);
}

static HdSearchResult *
result_new (JsonObject *o)
{
  HdSearchResult *self;
  const char *snippet = hd_json_get_string (o, "snippet");
  JsonArray *highlights = hd_json_get_array (o, "highlights");

  if (hd_json_get_int (o, "request_id", -1) <= 0)
    return NULL;
  self = g_object_new (HD_TYPE_SEARCH_RESULT, NULL);
  self->request_id = hd_json_get_int (o, "request_id", 0);
  self->chat_id = MAX (hd_json_get_int (o, "chat_id", 0), 0);
  self->message_id = MAX (hd_json_get_int (o, "message_id", 0), 0);
  self->note_id = MAX (hd_json_get_int (o, "note_id", 0), 0);
  self->snippet = g_strdup (snippet && g_utf8_validate (snippet, -1, NULL) ? snippet : "");
  self->created_at = hd_json_get_time (o, "created_at");
  for (guint i = 0; highlights != NULL && i < json_array_get_length (highlights); i++)
    {
      JsonNode *element = json_array_get_element (highlights, i);

      if (JSON_NODE_HOLDS_OBJECT (element))
        add_range (self, hd_json_get_int (json_node_get_object (element), "start", -1),
                   hd_json_get_int (json_node_get_object (element), "length", -1));
    }
  return self;
}

gint64 hd_search_result_get_request_id (HdSearchResult *self) { g_return_val_if_fail (HD_IS_SEARCH_RESULT (self), 0); return self->request_id; }
gint64 hd_search_result_get_chat_id (HdSearchResult *self) { g_return_val_if_fail (HD_IS_SEARCH_RESULT (self), 0); return self->chat_id; }
gint64 hd_search_result_get_message_id (HdSearchResult *self) { g_return_val_if_fail (HD_IS_SEARCH_RESULT (self), 0); return self->message_id; }
gint64 hd_search_result_get_note_id (HdSearchResult *self) { g_return_val_if_fail (HD_IS_SEARCH_RESULT (self), 0); return self->note_id; }
const char *hd_search_result_get_snippet (HdSearchResult *self) { g_return_val_if_fail (HD_IS_SEARCH_RESULT (self), NULL); return self->snippet; }
GDateTime *hd_search_result_get_created_at (HdSearchResult *self) { g_return_val_if_fail (HD_IS_SEARCH_RESULT (self), NULL); return self->created_at; }

HdSearchHit
hd_search_result_get_hit (HdSearchResult *self)
{
  g_return_val_if_fail (HD_IS_SEARCH_RESULT (self), HD_SEARCH_HIT_SUBJECT);
  if (self->message_id > 0)
    return HD_SEARCH_HIT_MESSAGE;
  if (self->note_id > 0)
    return HD_SEARCH_HIT_NOTE;
  return HD_SEARCH_HIT_SUBJECT;
}

const guint *
hd_search_result_get_highlights (HdSearchResult *self,
                                 guint          *n_ranges)
{
  g_return_val_if_fail (HD_IS_SEARCH_RESULT (self), NULL);
  if (n_ranges)
    *n_ranges = self->ranges->len / 2;
  return (const guint *) self->ranges->data;
}

static void
results_answer (GTask      *task,
                HdSession  *self,
                JsonObject *root)
{
  JsonArray *results = hd_json_get_array (root, "results");
  GListStore *store;

  if (results == NULL)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_PROTOCOL, "The server sent no results");
      return;
    }
  store = g_list_store_new (HD_TYPE_SEARCH_RESULT);
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonNode *element = json_array_get_element (results, i);
      g_autoptr(HdSearchResult) item = JSON_NODE_HOLDS_OBJECT (element)
                                       ? result_new (json_node_get_object (element)) : NULL;

      if (item != NULL)
        g_list_store_append (store, item);
    }
  g_task_return_pointer (task, store, g_object_unref);
}

void
hd_session_search_async (HdSession           *self,
                         const char          *query,
                         guint                limit,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (query ? query : ""));

  g_return_if_fail (HD_IS_SESSION (self));
  if (*stripped == '\0' || g_utf8_strlen (query, -1) > 1000)
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, hd_session_search_async);
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_BAD_REQUEST,
                               _("Please type 1 to 1000 characters to search for."));
      return;
    }
  escaped = g_uri_escape_string (query, NULL, FALSE);
  path = limit > 0 ? g_strdup_printf ("/search?q=%s&limit=%u", escaped, limit)
                   : g_strdup_printf ("/search?q=%s", escaped);
  hd_session_call_answer (self, "GET", path, NULL, results_answer, hd_session_search_async,
                          cancellable, callback, user_data);
}

GListModel *
hd_session_search_finish (HdSession     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
