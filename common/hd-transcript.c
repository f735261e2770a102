/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-transcript"

#include "hd-transcript.h"
#include "hd-protocol.h"

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
