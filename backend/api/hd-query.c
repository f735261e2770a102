/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-query"

#include "hd-query.h"

gboolean
hd_query_parse_id (const char *text,
                   gint64     *out)
{
  guint64 v;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &v, NULL))
    return FALSE;
  *out = (gint64) v;
  return TRUE;
}

gboolean
hd_query_int (GHashTable *query,
              const char *name,
              gint64      fallback,
              gint64      min,
              gint64      max,
              gint64     *out)
{
  const char *text = query ? g_hash_table_lookup (query, name) : NULL;
  gint64 v;

  if (text == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_signed (text, 10, min, max, &v, NULL))
    return FALSE;
  *out = v;
  return TRUE;
}
