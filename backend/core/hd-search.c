/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-search"

#include "hd-tech.h"
#include "hd-store-tech.h"
#include "hd-error.h"

#include <string.h>

/* GET /search: the store's full-text index (FTS5) over messages, notes
 * and request subjects, limited to the requests the caller may see. */

char *
hd_search_build_query (const char *text)
{
  g_autoptr(GStrvBuilder) terms = NULL;
  g_auto(GStrv) words = NULL;
  g_auto(GStrv) query = NULL;

  if (text == NULL)
    return NULL;
  words = g_strsplit_set (text, " \t\r\n\f\v", -1);
  terms = g_strv_builder_new ();
  for (guint i = 0; words[i] != NULL; i++)
    {
      gboolean has_word_char = FALSE;
      g_auto(GStrv) pieces = NULL;
      g_autofree char *bare = NULL;
      g_autofree char *term = NULL;

      for (const char *p = words[i]; *p && !has_word_char; p = g_utf8_next_char (p))
        has_word_char = g_unichar_isalnum (g_utf8_get_char (p));
      if (!has_word_char)
        continue;
      /* Every word a quoted string (FTS5's operators and column filters
       * are text here), as a prefix so that results follow typing. */
      pieces = g_strsplit (words[i], "\"", -1);
      bare = g_strjoinv ("", pieces);
      term = g_strdup_printf ("\"%s\"*", bare);
      g_strv_builder_add (terms, term);
    }
  query = g_strv_builder_end (terms);
  if (query[0] == NULL)
    return NULL;
  return g_strjoinv (" ", query);
}

GPtrArray *
hd_search (HdChatService  *self,
           const HdUserRecord   *caller,
           const char     *text,
           guint           limit,
           GError        **error)
{
  g_autofree char *query = NULL;
  gboolean blank = TRUE;

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
    return g_ptr_array_new_with_free_func ((GDestroyNotify) hd_search_hit_record_free);
  return hd_store_search (hd_chat_service_get_store (self),
                          caller->role == HD_ROLE_ADMIN ? HD_REQUESTS_ALL :
                          caller->role == HD_ROLE_TECHNICIAN ? HD_REQUESTS_OF_STAFF :
                          HD_REQUESTS_OF_CUSTOMER,
                          caller->id, query, limit, error);
}
