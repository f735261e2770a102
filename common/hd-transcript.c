/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-transcript"

#include "hd-transcript.h"
#include "hd-protocol.h"
#include "hd-json.h"
#include "hd-wire.h"

#include <string.h>

/* "2026-11-24T19:00:00.123Z" */
#define STAMP_LEN 24

char *
hd_transcript_for_people (const char *body,
                          GTimeZone  *tz,
                          gboolean    zone_label)
{
  GString *out;
  const char *line;
  int last_year = 0, last_doy = 0;

  g_return_val_if_fail (tz != NULL, NULL);
  if (body == NULL)
    return g_strdup ("");

  out = g_string_sized_new (strlen (body));
  for (line = body; *line != '\0';)
    {
      const char *end = strchr (line, '\n');
      gsize len = end ? (gsize) (end - line) : strlen (line);
      char stamp[STAMP_LEN + 1];
      gint64 usec;

      if (len > STAMP_LEN && line[STAMP_LEN] == ' ')
        {
          memcpy (stamp, line, STAMP_LEN);
          stamp[STAMP_LEN] = '\0';
        }
      else
        stamp[0] = '\0';

      if (stamp[0] != '\0' && hd_protocol_parse_time (stamp, &usec))
        {
          g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
          g_autoptr(GDateTime) when = g_date_time_to_timezone (utc, tz);
          g_autofree char *shown = NULL;
          int year = g_date_time_get_year (when);
          int doy = g_date_time_get_day_of_year (when);

          if (year != last_year || doy != last_doy)
            shown = g_date_time_format (when, zone_label ? "%Y-%m-%d %H:%M %Z" : "%Y-%m-%d %H:%M");
          else
            shown = g_date_time_format (when, "%H:%M");
          last_year = year;
          last_doy = doy;
          g_string_append (out, shown);
          g_string_append_len (out, line + STAMP_LEN, len - STAMP_LEN);
        }
      else
        g_string_append_len (out, line, len);

      if (end == NULL)
        break;
      g_string_append_c (out, '\n');
      line = end + 1;
    }
  return g_string_free (out, FALSE);
}

glong
hd_transcript_append_line (GString    *out,
                           gint64      time,
                           const char *author,
                           const char *body)
{
  gsize start = out->len;
  char t[HD_JSON_TIME_LEN + 1];

  hd_json_format_time (time, t);
  g_string_append (out, t);
  g_string_append_c (out, ' ');
  if (author != NULL)
    {
      g_string_append (out, author);
      g_string_append (out, ": ");
    }
  g_string_append (out, body);
  g_string_append_c (out, '\n');
  return g_utf8_strlen (out->str + start, out->len - start);
}

char *
hd_transcript_line (gint64      time,
                    const char *author,
                    const char *body,
                    glong      *n_chars)
{
  GString *out = g_string_sized_new (128 + strlen (body));

  *n_chars = hd_transcript_append_line (out, time, author, body);
  return g_string_free (out, FALSE);
}

char *
hd_transcript_of_messages (GPtrArray *messages)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < messages->len; i++)
    {
      const HdMessageRecord *m = g_ptr_array_index (messages, i);

      hd_transcript_append_line (out, m->created_at,
                                 m->kind == HD_MESSAGE_KIND_SYSTEM ? NULL : m->author_name, m->body);
    }
  return g_string_free (out, FALSE);
}
