/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-protocol"

#include "hd-protocol.h"
#include "hd-error.h"

#include <string.h>

gboolean
hd_protocol_validate_message_body (const char  *body,
                                   gssize       len,
                                   GError     **error)
{
  const char *end;
  glong n_chars;
  gboolean only_space = TRUE;

  if (body == NULL)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST,
                           "The message has no body.");
      return FALSE;
    }

  if (len < 0)
    len = (gssize) strlen (body);

  if (!g_utf8_validate_len (body, (gsize) len, &end) || memchr (body, '\0', (gsize) len) != NULL)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST,
                           "The message is not valid UTF-8 text.");
      return FALSE;
    }

  n_chars = g_utf8_strlen (body, len);
  if (n_chars > HD_MAX_MESSAGE_CHARS)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST,
                   "The message is %ld characters long; at most %d are allowed.",
                   n_chars, HD_MAX_MESSAGE_CHARS);
      return FALSE;
    }

  for (const char *p = body; p < body + len; p = g_utf8_next_char (p))
    {
      if (!g_unichar_isspace (g_utf8_get_char (p)))
        {
          only_space = FALSE;
          break;
        }
    }

  if (n_chars == 0 || only_space)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST,
                           "The message is empty.");
      return FALSE;
    }

  return TRUE;
}

char *
hd_protocol_format_time (gint64 unix_usec)
{
  g_autoptr(GDateTime) dt = NULL;
  gint64 secs = unix_usec / G_USEC_PER_SEC;
  gint64 ms = (unix_usec % G_USEC_PER_SEC) / 1000;

  if (ms < 0)
    {
      ms += 1000;
      secs -= 1;
    }

  dt = g_date_time_new_from_unix_utc (secs);
  if (dt == NULL)
    return g_strdup ("1970-01-01T00:00:00.000Z");

  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                          g_date_time_get_year (dt),
                          g_date_time_get_month (dt),
                          g_date_time_get_day_of_month (dt),
                          g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt),
                          g_date_time_get_second (dt),
                          (int) ms);
}

gboolean
hd_protocol_parse_time (const char *text,
                        gint64     *out_unix_usec)
{
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL)
    return FALSE;

  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    return FALSE;

  if (out_unix_usec)
    *out_unix_usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC
                     + g_date_time_get_microsecond (dt);
  return TRUE;
}
