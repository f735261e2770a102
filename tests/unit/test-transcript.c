/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The transcript as people read it: local, readable times. */
#define G_LOG_DOMAIN "test-transcript"

#include "hd-transcript.h"

static void
test_times (void)
{
  g_autoptr(GTimeZone) paris = g_time_zone_new_identifier ("Europe/Paris");
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  const char *body =
    "2026-11-30T06:04:15.292Z Carol Customer: Hello\n"
    "2026-11-30T06:05:01.000Z Tina Tech: Hi Carol\n"
    "second line of Tina's message\n"
    "2026-11-30T23:30:00.000Z Carol Customer: 2026-11-30T06:04:15.292Z is not a time here\n";
  g_autofree char *local = NULL;
  g_autofree char *mail = NULL;

  g_assert_nonnull (paris);
  local = hd_transcript_for_people (body, paris, FALSE);
  g_assert_cmpstr (local, ==,
                   "2026-11-30 07:04 Carol Customer: Hello\n"
                   "07:05 Tina Tech: Hi Carol\n"
                   "second line of Tina's message\n"
                   "2026-12-01 00:30 Carol Customer: 2026-11-30T06:04:15.292Z is not a time here\n");
  mail = hd_transcript_for_people (body, utc, TRUE);
  g_assert_true (g_str_has_prefix (mail, "2026-11-30 06:04 UTC Carol Customer: Hello\n06:05 Tina Tech: Hi Carol\n"));
}

static void
test_not_transcripts (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autofree char *a = hd_transcript_for_people ("", utc, FALSE);
  g_autofree char *b = hd_transcript_for_people ("a plain note\nwith two lines", utc, FALSE);
  g_autofree char *c = hd_transcript_for_people ("2026-13-99T99:99:99.999Z x: y\n", utc, FALSE);

  g_assert_cmpstr (a, ==, "");
  g_assert_cmpstr (b, ==, "a plain note\nwith two lines");
  g_assert_cmpstr (c, ==, "2026-13-99T99:99:99.999Z x: y\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/transcript/times", test_times);
  g_test_add_func ("/transcript/not-transcripts", test_not_transcripts);
  return g_test_run ();
}
