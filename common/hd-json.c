/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-json"

#include "hd-json.h"
#include "hd-protocol.h"

#include <string.h>

void
hd_json_append_string (GString    *out,
                       const char *str)
{
  static const char hex[] = "0123456789abcdef";
  const char *run;

  if (str == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  g_string_append_c (out, '"');
  run = str;
  for (const char *p = str; *p; p++)
    {
      unsigned char c = (unsigned char) *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;

      g_string_append_len (out, run, p - run);
      run = p + 1;
      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          g_string_append (out, "\\u00");
          g_string_append_c (out, hex[c >> 4]);
          g_string_append_c (out, hex[c & 0xf]);
          break;
        }
    }
  g_string_append_len (out, run, strlen (run));
  g_string_append_c (out, '"');
}

/* The same text as hd_protocol_format_time (), without allocations: the
 * date part is computed once per second, per thread (texts are written on
 * the main loop and on the core thread). */
void
hd_json_format_time (gint64 unix_usec,
                     char   out[HD_JSON_TIME_LEN + 1])
{
  static _Thread_local gint64 cached_sec = G_MININT64;
  static _Thread_local char cached[HD_JSON_TIME_LEN + 1];
  gint64 sec = unix_usec / G_USEC_PER_SEC;
  int ms = (int) ((unix_usec % G_USEC_PER_SEC) / 1000);

  if (ms < 0)
    {
      ms += 1000;
      sec -= 1;
    }
  if (sec != cached_sec)
    {
      g_autofree char *text = hd_protocol_format_time (sec * G_USEC_PER_SEC);

      if (strlen (text) != HD_JSON_TIME_LEN)
        {
          /* Years beyond 9999 or before 0: not worth a cache. */
          g_autofree char *full = hd_protocol_format_time (unix_usec);
          g_strlcpy (out, full, HD_JSON_TIME_LEN + 1);
          return;
        }
      memcpy (cached, text, sizeof cached);
      cached_sec = sec;
    }
  memcpy (out, cached, sizeof cached);
  out[20] = (char) ('0' + ms / 100);
  out[21] = (char) ('0' + ms / 10 % 10);
  out[22] = (char) ('0' + ms % 10);
}

void
hd_json_append_time (GString *out,
                     gint64   unix_usec)
{
  char text[HD_JSON_TIME_LEN + 1];

  if (unix_usec == 0)
    {
      g_string_append (out, "null");
      return;
    }
  hd_json_format_time (unix_usec, text);
  g_string_append_c (out, '"');
  g_string_append_len (out, text, HD_JSON_TIME_LEN);
  g_string_append_c (out, '"');
}

void
hd_json_append_key (GString    *out,
                    const char *key,
                    gboolean    first)
{
  if (!first)
    g_string_append_c (out, ',');
  hd_json_append_string (out, key);
  g_string_append_c (out, ':');
}

void
hd_json_append_id (GString *out,
                   gint64   id)
{
  if (id > 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, id);
  else
    g_string_append (out, "null");
}

char *
hd_json_error_body (const char *code,
                    const char *message)
{
  GString *out = g_string_new ("{\"error\":{\"code\":");

  hd_json_append_string (out, code);
  g_string_append (out, ",\"message\":");
  hd_json_append_string (out, message);
  g_string_append (out, "}}");
  return g_string_free (out, FALSE);
}
