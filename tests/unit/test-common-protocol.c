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
  g_assert_false (hd_error_code_from_string ("nope", &code));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/common/message-limits", test_message_limits);
  g_test_add_func ("/common/time-round-trip", test_time_round_trip);
  g_test_add_func ("/common/error-codes", test_error_codes);
  return g_test_run ();
}
