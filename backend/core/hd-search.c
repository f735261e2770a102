/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-search"

#include "hd-tech.h"
#include "hd-store-tech.h"
#include "hd-error.h"
#include "hd-json.h"

#include <string.h>

/* GET /search: the store's full-text index (FTS5) over messages, notes
 * and request subjects, limited to the requests the caller may see. */

char *
hd_search_build_query (const char *text)
{
  g_auto(GStrv) words = NULL;
  GString *out;

  if (text == NULL)
    return NULL;
  words = g_strsplit_set (text, " \t\r\n\f\v", -1);
  out = g_string_new (NULL);
  for (guint i = 0; words[i] != NULL; i++)
    {
      gboolean has_word_char = FALSE;
      const char *p;

      for (p = words[i]; *p && !has_word_char; p = g_utf8_next_char (p))
        has_word_char = g_unichar_isalnum (g_utf8_get_char (p));
      if (!has_word_char)
        continue;
      /* Every word a quoted string (FTS5's operators and column filters
       * are text here), as a prefix so that results follow typing. */
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append_c (out, '"');
      for (p = words[i]; *p; p++)
        if (*p != '"')
          g_string_append_c (out, *p);
      g_string_append (out, "\"*");
    }
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* The snippet without its marks, and the marked ranges in characters. */
static void
render_snippet (GString    *out,
                const char *marked)
{
  GString *plain = g_string_new (NULL);
  GString *ranges = g_string_new (NULL);
  glong chars = 0, start = -1;

  for (const char *p = marked ? marked : ""; *p; p = g_utf8_next_char (p))
    {
      if (*p == HD_SEARCH_MARK_START)
        start = chars;
      else if (*p == HD_SEARCH_MARK_END)
        {
          if (start >= 0 && chars > start)
            g_string_append_printf (ranges, "%s{\"start\":%ld,\"length\":%ld}",
                                    ranges->len ? "," : "", start, chars - start);
          start = -1;
        }
      else
        {
          g_string_append_len (plain, p, g_utf8_next_char (p) - p);
          chars++;
        }
    }
  HD_JSON_KEY (out, "snippet");
  hd_json_append_string (out, plain->str);
  g_string_append (out, ",\"highlights\":[");
  g_string_append_len (out, ranges->str, ranges->len);
  g_string_append_c (out, ']');
  g_string_free (plain, TRUE);
  g_string_free (ranges, TRUE);
}

char *
hd_search (HdChatService  *self,
           const HdUserRecord   *caller,
           const char     *text,
           guint           limit,
           GError        **error)
{
  g_autofree char *query = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  gboolean blank = TRUE;
  GString *out;

  for (const char *p = text; p && *p && blank; p = g_utf8_next_char (p))
    blank = g_unichar_isspace (g_utf8_get_char (p));
  if (text == NULL || blank)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "q: the words to search for are missing");
      return NULL;
    }
  if (!g_utf8_validate (text, -1, NULL) || g_utf8_strlen (text, -1) > HD_SEARCH_MAX_QUERY_CHARS)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "q must be at most %d characters of UTF-8",
                   HD_SEARCH_MAX_QUERY_CHARS);
      return NULL;
    }
  if (limit == 0)
    limit = HD_SEARCH_DEFAULT_LIMIT;
  limit = MIN (limit, HD_SEARCH_MAX_LIMIT);

  query = hd_search_build_query (text);
  if (query == NULL)
    return g_strdup ("{\"results\":[]}");
  hits = hd_store_search (hd_chat_service_get_store (self),
                          caller->role == HD_ROLE_ADMIN ? HD_REQUESTS_ALL :
                          caller->role == HD_ROLE_TECHNICIAN ? HD_REQUESTS_OF_STAFF :
                          HD_REQUESTS_OF_CUSTOMER,
                          caller->id, query, limit, error);
  if (hits == NULL)
    return NULL;

  out = g_string_new ("{\"results\":[");
  for (guint i = 0; i < hits->len; i++)
    {
      HdSearchHit *h = g_ptr_array_index (hits, i);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_printf (out, "{\"request_id\":%" G_GINT64_FORMAT, h->request_id);
      HD_JSON_KEY (out, "chat_id");
      hd_json_append_id (out, h->chat_id);
      HD_JSON_KEY (out, "message_id");
      hd_json_append_id (out, h->message_id);
      HD_JSON_KEY (out, "note_id");
      hd_json_append_id (out, h->note_id);
      render_snippet (out, h->snippet);
      HD_JSON_KEY (out, "created_at");
      hd_json_append_time (out, h->created_at);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}");
  return g_string_free (out, FALSE);
}
