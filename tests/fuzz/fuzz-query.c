/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: a request target (path?query) as the routes read it:
 * libsoup's query decoding (soup_form_decode, what SoupServer hands every
 * handler), the path split into segments, ids in segments
 * (hd_query_parse_id) and ?after= / ?limit= (hd_query_int). */
#include "hd-query.h"
#include "hd-protocol.h"

#include <libsoup/soup.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  char *mark = strchr (text, '?');
  g_autoptr(GHashTable) query = NULL;
  g_auto(GStrv) seg = NULL;
  gint64 after, limit, id;

  if (mark != NULL)
    {
      *mark = '\0';
      query = soup_form_decode (mark + 1);
    }
  seg = g_strsplit (text, "/", 0);
  for (guint i = 0; seg[i] != NULL; i++)
    if (hd_query_parse_id (seg[i], &id))
      g_assert (id > 0);
  if (hd_query_int (query, "after", 0, 0, G_MAXINT64, &after))
    g_assert (after >= 0);
  if (hd_query_int (query, "limit", HD_MESSAGES_PAGE_MAX, 1, HD_MESSAGES_PAGE_MAX, &limit))
    g_assert (limit >= 1 && limit <= HD_MESSAGES_PAGE_MAX);
  return 0;
}
