/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "hd-auth.h"
#include "hd-error.h"

#include <string.h>

static void
test_hash_verify_sync (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *h1 = NULL;
  g_autofree char *h2 = NULL;

  g_assert_true (hd_auth_init (&error));
  g_assert_no_error (error);

  h1 = hd_auth_hash_password_sync ("correct horse", &error);
  g_assert_no_error (error);
  g_assert_nonnull (h1);
  g_assert_true (g_str_has_prefix (h1, "$argon2id$"));
  /* Not the password in any form. */
  g_assert_null (strstr (h1, "correct"));

  h2 = hd_auth_hash_password_sync ("correct horse", &error);
  g_assert_no_error (error);
  /* A fresh salt every time. */
  g_assert_cmpstr (h1, !=, h2);

  g_assert_true (hd_auth_verify_password_sync (h1, "correct horse"));
  g_assert_true (hd_auth_verify_password_sync (h2, "correct horse"));
  g_assert_false (hd_auth_verify_password_sync (h1, "correct horsE"));
  g_assert_false (hd_auth_verify_password_sync (h1, ""));
  g_assert_false (hd_auth_verify_password_sync (h1, NULL));
  g_assert_false (hd_auth_verify_password_sync (NULL, "correct horse"));
  g_assert_false (hd_auth_verify_password_sync ("", "correct horse"));
  g_assert_false (hd_auth_verify_password_sync ("not a hash", "correct horse"));
}

static void
test_hash_unicode_and_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *h = NULL;
  g_autofree char *e = NULL;
  g_autofree char *huge = g_strnfill (300 * 1024, 'x');

  h = hd_auth_hash_password_sync ("pässwörd ✓", &error);
  g_assert_no_error (error);
  g_assert_true (hd_auth_verify_password_sync (h, "pässwörd ✓"));
  g_assert_false (hd_auth_verify_password_sync (h, "passwörd ✓"));

  /* Policy (minimum length) is the caller's; hashing "" must still work. */
  e = hd_auth_hash_password_sync ("", &error);
  g_assert_no_error (error);
  g_assert_true (hd_auth_verify_password_sync (e, ""));
  g_assert_false (hd_auth_verify_password_sync (e, " "));

  g_assert_null (hd_auth_hash_password_sync (NULL, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST);
  g_clear_error (&error);

  /* A long password is fine: argon2 takes any length. */
  g_clear_pointer (&h, g_free);
  h = hd_auth_hash_password_sync (huge, &error);
  g_assert_no_error (error);
  g_assert_true (hd_auth_verify_password_sync (h, huge));
}

typedef struct {
  GMainLoop *loop;
  char      *hash;
  gboolean   verified;
  GError    *error;
  guint      ticks;
} AsyncCtx;

static void
hash_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AsyncCtx *ctx = user_data;

  ctx->hash = hd_auth_hash_password_finish (result, &ctx->error);
  g_main_loop_quit (ctx->loop);
}

static void
verify_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncCtx *ctx = user_data;

  ctx->verified = hd_auth_verify_password_finish (result, &ctx->error);
  g_main_loop_quit (ctx->loop);
}

static gboolean
tick (gpointer user_data)
{
  AsyncCtx *ctx = user_data;

  ctx->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
test_async (void)
{
  AsyncCtx ctx = { 0 };
  guint tick_id;

  ctx.loop = g_main_loop_new (NULL, FALSE);
  /* The main loop keeps running while the hash is computed elsewhere. */
  tick_id = g_timeout_add (1, tick, &ctx);

  hd_auth_hash_password_async ("s3cret-pass", NULL, hash_done, &ctx);
  g_main_loop_run (ctx.loop);
  g_assert_no_error (ctx.error);
  g_assert_nonnull (ctx.hash);
  g_assert_true (g_str_has_prefix (ctx.hash, "$argon2id$"));
  g_assert_cmpuint (ctx.ticks, >, 0);

  hd_auth_verify_password_async (ctx.hash, "s3cret-pass", NULL, verify_done, &ctx);
  g_main_loop_run (ctx.loop);
  g_assert_no_error (ctx.error);
  g_assert_true (ctx.verified);

  hd_auth_verify_password_async (ctx.hash, "wrong", NULL, verify_done, &ctx);
  g_main_loop_run (ctx.loop);
  /* A mismatch is FALSE, not an error. */
  g_assert_no_error (ctx.error);
  g_assert_false (ctx.verified);

  hd_auth_verify_password_async ("garbage", "wrong", NULL, verify_done, &ctx);
  g_main_loop_run (ctx.loop);
  g_assert_no_error (ctx.error);
  g_assert_false (ctx.verified);

  g_source_remove (tick_id);
  g_free (ctx.hash);
  g_main_loop_unref (ctx.loop);
}

static void
test_async_cancelled (void)
{
  AsyncCtx ctx = { 0 };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  ctx.loop = g_main_loop_new (NULL, FALSE);
  g_cancellable_cancel (cancellable);

  hd_auth_hash_password_async ("x", cancellable, hash_done, &ctx);
  g_main_loop_run (ctx.loop);
  g_assert_error (ctx.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (ctx.hash);

  g_main_loop_unref (ctx.loop);
  g_clear_error (&ctx.error);
}

static gboolean
is_lower_hex (const char *s,
              gsize       expected_len)
{
  if (strlen (s) != expected_len)
    return FALSE;
  for (const char *p = s; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
      return FALSE;
  return TRUE;
}

static void
test_tokens (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint nibble_counts[16] = { 0 };

  for (int i = 0; i < 1000; i++)
    {
      char *t = hd_auth_new_token ();

      g_assert_true (is_lower_hex (t, 64));
      g_assert_false (g_hash_table_contains (seen, t));
      for (const char *p = t; *p; p++)
        nibble_counts[g_ascii_xdigit_value (*p)]++;
      g_hash_table_add (seen, t);
    }

  /* 64000 hex digits: each of the 16 values should appear about 4000 times;
   * a broken generator (zeros, one repeated byte) fails this. */
  for (int i = 0; i < 16; i++)
    g_assert_cmpuint (nibble_counts[i], >, 3000);
}

static void
test_token_hash (void)
{
  g_autofree char *abc = hd_auth_hash_token ("abc");
  g_autofree char *empty = hd_auth_hash_token ("");
  g_autofree char *t = hd_auth_new_token ();
  g_autofree char *h1 = hd_auth_hash_token (t);
  g_autofree char *h2 = hd_auth_hash_token (t);

  /* FIPS 180-2 test vectors. */
  g_assert_cmpstr (abc, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_assert_cmpstr (empty, ==, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  g_assert_true (is_lower_hex (h1, 64));
  g_assert_cmpstr (h1, ==, h2);
  g_assert_cmpstr (h1, !=, t);
}

#define SEC G_GINT64_CONSTANT (1000000)

static void
test_throttle (void)
{
  g_autoptr(HdLoginThrottle) th = hd_login_throttle_new (10, 60 * SEC);
  gint64 t0 = 1000 * SEC;

  /* Ten failures in a minute are allowed; the eleventh attempt is not. */
  for (int i = 0; i < 10; i++)
    {
      g_assert_true (hd_login_throttle_allow (th, "carol", t0 + i * SEC));
      hd_login_throttle_record_failure (th, "carol", t0 + i * SEC);
    }
  g_assert_false (hd_login_throttle_allow (th, "carol", t0 + 10 * SEC));
  g_assert_false (hd_login_throttle_allow (th, "carol", t0 + 59 * SEC));

  /* Another login is not affected. */
  g_assert_true (hd_login_throttle_allow (th, "chris", t0 + 10 * SEC));
  g_assert_true (hd_login_throttle_allow (th, "Carol", t0 + 10 * SEC));

  /* The oldest failure (at t0) leaves the window at t0 + 60 s. */
  g_assert_false (hd_login_throttle_allow (th, "carol", t0 + 60 * SEC - 1));
  g_assert_true (hd_login_throttle_allow (th, "carol", t0 + 60 * SEC));
  /* One more failure fills it again until t0 + 61 s. */
  hd_login_throttle_record_failure (th, "carol", t0 + 60 * SEC);
  g_assert_false (hd_login_throttle_allow (th, "carol", t0 + 60 * SEC + 1));
  g_assert_true (hd_login_throttle_allow (th, "carol", t0 + 61 * SEC));

  /* A successful login resets the count. */
  hd_login_throttle_reset (th, "carol");
  g_assert_true (hd_login_throttle_allow (th, "carol", t0 + 61 * SEC));
  for (int i = 0; i < 9; i++)
    hd_login_throttle_record_failure (th, "carol", t0 + 62 * SEC);
  g_assert_true (hd_login_throttle_allow (th, "carol", t0 + 62 * SEC));
  hd_login_throttle_record_failure (th, "carol", t0 + 62 * SEC);
  g_assert_false (hd_login_throttle_allow (th, "carol", t0 + 62 * SEC));

  /* Everything expires after the window. */
  g_assert_true (hd_login_throttle_allow (th, "carol", t0 + 200 * SEC));

  /* Resetting an unknown login and a NULL one are harmless. */
  hd_login_throttle_reset (th, "nobody");
  hd_login_throttle_reset (th, NULL);
  g_assert_true (hd_login_throttle_allow (th, NULL, t0));
}

static void
test_throttle_many_logins (void)
{
  g_autoptr(HdLoginThrottle) th = hd_login_throttle_new (3, 60 * SEC);
  gint64 t0 = 5000 * SEC;

  /* Many distinct names (a guessing attack): each is counted on its own,
   * and all expire, so later attempts are allowed again. */
  for (int i = 0; i < 5000; i++)
    {
      char login[32];

      g_snprintf (login, sizeof login, "user%d", i);
      for (int k = 0; k < 3; k++)
        hd_login_throttle_record_failure (th, login, t0 + i);
      g_assert_false (hd_login_throttle_allow (th, login, t0 + i));
    }
  g_assert_true (hd_login_throttle_allow (th, "user0", t0 + 120 * SEC));
  g_assert_true (hd_login_throttle_allow (th, "user4999", t0 + 120 * SEC));
  /* Record on a fresh login long after: triggers the sweep of old names. */
  hd_login_throttle_record_failure (th, "late", t0 + 200 * SEC);
  g_assert_true (hd_login_throttle_allow (th, "late", t0 + 200 * SEC));
}

/* Concurrent checks hold their place: ten reserved and not yet settled
 * refuse the eleventh, a success frees it all, a check that never ran gives
 * its place back. */
static void
test_throttle_reserve (void)
{
  g_autoptr(HdLoginThrottle) th = hd_login_throttle_new (10, 60 * SEC);
  gint64 t0 = 1000 * SEC;

  for (int i = 0; i < 10; i++)
    g_assert_true (hd_login_throttle_reserve (th, "carol", t0));
  g_assert_false (hd_login_throttle_reserve (th, "carol", t0));
  g_assert_false (hd_login_throttle_allow (th, "carol", t0));
  g_assert_true (hd_login_throttle_reserve (th, "chris", t0));

  hd_login_throttle_settle (th, "carol", HD_LOGIN_NOT_CHECKED, t0);
  g_assert_true (hd_login_throttle_reserve (th, "carol", t0));
  for (int i = 0; i < 10; i++)
    hd_login_throttle_settle (th, "carol", HD_LOGIN_FAILED, t0 + SEC);
  /* Ten failures now, nothing under way: still refused for the window. */
  g_assert_false (hd_login_throttle_reserve (th, "carol", t0 + 30 * SEC));
  g_assert_true (hd_login_throttle_reserve (th, "carol", t0 + 61 * SEC));
  hd_login_throttle_settle (th, "carol", HD_LOGIN_SUCCEEDED, t0 + 61 * SEC);
  g_assert_true (hd_login_throttle_allow (th, "carol", t0 + 61 * SEC));

  /* The same counter as a rate limit: five uses an hour. */
  {
    g_autoptr(HdLoginThrottle) mail = hd_rate_limit_new (5, 3600 * SEC);

    for (int i = 0; i < 5; i++)
      {
        g_assert_true (hd_rate_limit_reserve (mail, "7", t0));
        hd_rate_limit_commit (mail, "7", t0);
      }
    g_assert_false (hd_rate_limit_reserve (mail, "7", t0 + 3599 * SEC));
    g_assert_true (hd_rate_limit_reserve (mail, "8", t0));
    hd_rate_limit_release (mail, "8", t0);
    g_assert_true (hd_rate_limit_reserve (mail, "7", t0 + 3600 * SEC));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/auth/hash-verify-sync", test_hash_verify_sync);
  g_test_add_func ("/auth/hash-unicode-empty", test_hash_unicode_and_empty);
  g_test_add_func ("/auth/async", test_async);
  g_test_add_func ("/auth/async-cancelled", test_async_cancelled);
  g_test_add_func ("/auth/tokens", test_tokens);
  g_test_add_func ("/auth/token-hash", test_token_hash);
  g_test_add_func ("/auth/throttle", test_throttle);
  g_test_add_func ("/auth/throttle-reserve", test_throttle_reserve);
  g_test_add_func ("/auth/throttle-many-logins", test_throttle_many_logins);

  return g_test_run ();
}
