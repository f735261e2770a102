/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "hd-error.h"
#include "hd-protocol.h"

#include <string.h>

static void
test_message_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) s = g_string_new (NULL);

  g_assert_true (hd_protocol_validate_message_body ("hi", -1, NULL));
  g_assert_true (hd_protocol_validate_message_body ("  ünïcödé  ", -1, NULL));

  g_assert_false (hd_protocol_validate_message_body ("", -1, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST);
  g_clear_error (&error);

  g_assert_false (hd_protocol_validate_message_body (" \t\n\u00a0", -1, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST);
  g_clear_error (&error);

  g_assert_false (hd_protocol_validate_message_body ("a\xffz", -1, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST);
  g_clear_error (&error);

  g_assert_false (hd_protocol_validate_message_body ("a\0b", 3, &error));
  g_clear_error (&error);

  /* 4000 multi-byte characters are fine, 4001 are not. */
  for (int i = 0; i < HD_MAX_MESSAGE_CHARS; i++)
    g_string_append (s, "é");
  g_assert_true (hd_protocol_validate_message_body (s->str, (gssize) s->len, NULL));
  g_string_append_c (s, 'x');
  g_assert_false (hd_protocol_validate_message_body (s->str, (gssize) s->len, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST);
}

static void
test_time_round_trip (void)
{
  g_autofree char *text = hd_protocol_format_time (G_GINT64_CONSTANT (1795546800123000));
  gint64 back = 0;

  g_assert_cmpstr (text, ==, "2026-11-24T19:00:00.123Z");
  g_assert_true (hd_protocol_parse_time (text, &back));
  g_assert_cmpint (back, ==, G_GINT64_CONSTANT (1795546800123000));
  g_assert_false (hd_protocol_parse_time ("yesterday", &back));
}

static void
test_error_codes (void)
{
  HdErrorCode code;

  for (guint i = 0; i < HD_ERROR_N_CODES; i++)
    {
      g_assert_true (hd_error_code_from_string (hd_error_code_to_string (i), &code));
      g_assert_cmpint (code, ==, i);
    }
  g_assert_cmpuint (hd_error_code_http_status (HD_ERROR_ALREADY_TAKEN), ==, 409);
  g_assert_cmpuint (hd_error_code_http_status (HD_ERROR_CHAT_DISABLED), ==, 403);
  g_assert_cmpuint (hd_error_code_http_status (HD_ERROR_MAIL_FAILED), ==, 502);
  g_assert_cmpuint (hd_error_code_http_status (HD_ERROR_UNSUPPORTED_MEDIA_TYPE), ==, 415);
  g_assert_false (hd_error_code_from_string ("nope", &code));
}

static void
test_attachment_helpers (void)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0 };
  static const guint8 exe[] = { 'M', 'Z', 0x90, 0, 3, 0, 0, 0 };
  static const guint8 latin1[] = { 'c', 'a', 'f', 0xe9 };
  static const char *bad_names[] = { "", "a/", "..", "a\nb", "tab\there", "x\x7f" };
  g_autoptr(GError) error = NULL;
  g_autofree char *long_name = g_strnfill (HD_MAX_FILENAME_BYTES + 1, 'x');
  char *s;

  g_assert_cmpstr (hd_protocol_sniff_content_type (png, sizeof png), ==, "image/png");
  g_assert_cmpstr (hd_protocol_sniff_content_type ((const guint8 *) "\xff\xd8\xff\xe0", 4), ==, "image/jpeg");
  g_assert_cmpstr (hd_protocol_sniff_content_type ((const guint8 *) "GIF87a..", 8), ==, "image/gif");
  g_assert_cmpstr (hd_protocol_sniff_content_type ((const guint8 *) "RIFF\x10\0\0\0WEBPVP8 ", 16), ==, "image/webp");
  g_assert_cmpstr (hd_protocol_sniff_content_type ((const guint8 *) "RIFF\x10\0\0\0WAVEfmt ", 16), ==, NULL);
  g_assert_cmpstr (hd_protocol_sniff_content_type ((const guint8 *) "%PDF-1.7", 8), ==, "application/pdf");
  g_assert_cmpstr (hd_protocol_sniff_content_type ((const guint8 *) "Grüße\r\n\tok\f", strlen ("Grüße\r\n\tok\f")), ==, "text/plain");
  g_assert_null (hd_protocol_sniff_content_type (exe, sizeof exe));
  g_assert_null (hd_protocol_sniff_content_type (latin1, sizeof latin1));
  g_assert_null (hd_protocol_sniff_content_type ((const guint8 *) "a\0b", 3));
  g_assert_null (hd_protocol_sniff_content_type ((const guint8 *) "\x1b[31mred", 9));
  g_assert_null (hd_protocol_sniff_content_type ((const guint8 *) "", 0));
  /* A PNG's signature cut short is not a PNG, and not text either. */
  g_assert_null (hd_protocol_sniff_content_type (png, 4));
  g_assert_true (hd_protocol_content_type_is_image ("image/webp"));
  g_assert_false (hd_protocol_content_type_is_image ("application/pdf"));

  s = hd_protocol_format_size (1);
  g_assert_cmpstr (s, ==, "1 byte");
  g_free (s);
  s = hd_protocol_format_size (999);
  g_assert_cmpstr (s, ==, "999 bytes");
  g_free (s);
  s = hd_protocol_format_size (1500);
  g_assert_cmpstr (s, ==, "1.5 kB");
  g_free (s);
  s = hd_protocol_format_size (10 * 1024 * 1024);
  g_assert_cmpstr (s, ==, "10.5 MB");
  g_free (s);

  s = hd_protocol_clean_filename ("C:\\Users\\me\\shot.png", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s, ==, "shot.png");
  g_free (s);
  s = hd_protocol_clean_filename ("../../etc/Grüße \"1\".txt", &error);
  g_assert_cmpstr (s, ==, "Grüße \"1\".txt");
  g_free (s);
  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++)
    {
      g_assert_null (hd_protocol_clean_filename (bad_names[i], &error));
      g_assert_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST);
      g_clear_error (&error);
    }
  g_assert_null (hd_protocol_clean_filename (long_name, &error));
  g_clear_error (&error);
  g_assert_null (hd_protocol_clean_filename (NULL, &error));
  g_clear_error (&error);

  g_assert_cmpuint (hd_protocol_max_body_bytes ("POST", "/api/v1/chats/12/attachments"), ==, HD_MAX_ATTACHMENT_BYTES);
  g_assert_cmpuint (hd_protocol_max_body_bytes ("POST", "/api/v1/chats/12/attachments/"), ==, HD_MAX_ATTACHMENT_BYTES);
  g_assert_cmpuint (hd_protocol_max_body_bytes ("PUT", "/api/v1/chats/12/attachments"), ==, HD_MAX_BODY_BYTES);
  g_assert_cmpuint (hd_protocol_max_body_bytes ("POST", "/api/v1/chats/x/attachments"), ==, HD_MAX_BODY_BYTES);
  g_assert_cmpuint (hd_protocol_max_body_bytes ("POST", "/api/v1/chats//attachments"), ==, HD_MAX_BODY_BYTES);
  g_assert_cmpuint (hd_protocol_max_body_bytes ("POST", "/api/v1/chats/12/messages"), ==, HD_MAX_BODY_BYTES);
  g_assert_cmpuint (hd_protocol_max_body_bytes ("POST", "/api/v1/chats/12/attachments/x"), ==, HD_MAX_BODY_BYTES);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/common/message-limits", test_message_limits);
  g_test_add_func ("/common/time-round-trip", test_time_round_trip);
  g_test_add_func ("/common/error-codes", test_error_codes);
  g_test_add_func ("/common/attachment-helpers", test_attachment_helpers);
  return g_test_run ();
}
