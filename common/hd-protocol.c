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

/* ---- attachments ---------------------------------------------------- */

static gboolean
starts_with (const guint8 *data,
             gsize         len,
             const char   *magic,
             gsize         magic_len)
{
  return len >= magic_len && memcmp (data, magic, magic_len) == 0;
}

static gboolean
is_plain_text (const guint8 *data,
               gsize         len)
{
  const char *p = (const char *) data;
  const char *end = p + len;

  /* Also refuses NUL bytes. */
  if (!g_utf8_validate_len (p, len, NULL))
    return FALSE;
  while (p < end)
    {
      gunichar c = g_utf8_get_char (p);

      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') ||
          c == 0x7f || (c >= 0x80 && c < 0xa0))
        return FALSE;
      p = g_utf8_next_char (p);
    }
  return TRUE;
}

const char *
hd_protocol_sniff_content_type (const guint8 *data,
                                gsize         len)
{
  if (data == NULL || len == 0)
    return NULL;
  if (starts_with (data, len, "\x89PNG\r\n\x1a\n", 8))
    return "image/png";
  if (starts_with (data, len, "\xff\xd8\xff", 3))
    return "image/jpeg";
  if (starts_with (data, len, "GIF87a", 6) || starts_with (data, len, "GIF89a", 6))
    return "image/gif";
  if (len >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return "image/webp";
  if (starts_with (data, len, "%PDF-", 5))
    return "application/pdf";
  if (is_plain_text (data, len))
    return "text/plain";
  return NULL;
}

gboolean
hd_protocol_content_type_is_image (const char *content_type)
{
  return content_type != NULL && g_str_has_prefix (content_type, "image/");
}

char *
hd_protocol_format_size (guint64 bytes)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  if (bytes < 1000)
    return g_strdup_printf ("%u %s", (guint) bytes, bytes == 1 ? "byte" : "bytes");
  if (bytes < 1000 * 1000)
    return g_strdup_printf ("%s kB", g_ascii_formatd (number, sizeof number, "%.1f", bytes / 1000.0));
  if (bytes < (guint64) 1000 * 1000 * 1000)
    return g_strdup_printf ("%s MB", g_ascii_formatd (number, sizeof number, "%.1f", bytes / 1e6));
  return g_strdup_printf ("%s GB", g_ascii_formatd (number, sizeof number, "%.1f", bytes / 1e9));
}

char *
hd_protocol_clean_filename (const char  *name,
                            GError     **error)
{
  const char *base;
  const char *p;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    goto bad;
  base = name;
  for (p = name; *p; p++)
    if (*p == '/' || *p == '\\')
      base = p + 1;
  if (*base == '\0' || strlen (base) > HD_MAX_FILENAME_BYTES ||
      strcmp (base, ".") == 0 || strcmp (base, "..") == 0)
    goto bad;
  for (p = base; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029)
        goto bad;
    }
  return g_strdup (base);

bad:
  g_set_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST,
               "The file name must be 1 to %d bytes of text on one line", HD_MAX_FILENAME_BYTES);
  return NULL;
}

gsize
hd_protocol_max_body_bytes (const char *method,
                            const char *path)
{
  const char *rest;
  const char *slash;

  /* POST /api/v1/chats/{id}/attachments[/] */
  if (method == NULL || path == NULL || strcmp (method, "POST") != 0 ||
      !g_str_has_prefix (path, HD_API_PREFIX "/chats/"))
    return HD_MAX_BODY_BYTES;
  rest = path + strlen (HD_API_PREFIX "/chats/");
  slash = strchr (rest, '/');
  if (slash == NULL || slash == rest)
    return HD_MAX_BODY_BYTES;
  for (const char *p = rest; p < slash; p++)
    if (!g_ascii_isdigit (*p))
      return HD_MAX_BODY_BYTES;
  if (strcmp (slash, "/attachments") == 0 || strcmp (slash, "/attachments/") == 0)
    return HD_MAX_ATTACHMENT_BYTES;
  return HD_MAX_BODY_BYTES;
}
