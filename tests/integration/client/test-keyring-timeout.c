/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A keyring that never answers (locked, and no prompt can appear) must not
 * keep an app on its loading page: the lookup reports "nothing remembered"
 * after its timeout, without an error, so the app shows its login dialog.
 * Runs under dbus-run-session with tests/integration/client/
 * silent_secret_service.py owning org.freedesktop.secrets. */
#include "hdclient.h"

typedef struct {
  GMainLoop *loop;
  gboolean   found;
  GError    *error;
  gboolean   done;
} Result;

static void
on_lookup (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  Result *r = user_data;
  g_autofree char *server = NULL;
  g_autofree char *login = NULL;
  g_autofree char *token = NULL;

  r->found = hd_credentials_lookup_finish (res, &server, &login, &token, &r->error);
  r->done = TRUE;
  g_main_loop_quit (r->loop);
}

static gboolean
on_give_up (gpointer user_data)
{
  g_main_loop_quit (((Result *) user_data)->loop);
  return G_SOURCE_REMOVE;
}

static void
test_silent_keyring (void)
{
  Result r = { 0 };
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed_ms;
  guint give_up;

  r.loop = g_main_loop_new (NULL, FALSE);
  hd_credentials_lookup_async (HD_APP_ID_PORTAL, NULL, on_lookup, &r);
  give_up = g_timeout_add_seconds (20, on_give_up, &r);
  g_main_loop_run (r.loop);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;

  g_assert_true (r.done);                   /* it finished at all */
  g_assert_no_error (r.error);              /* not an error, not "cancelled" */
  g_assert_false (r.found);                 /* nothing remembered */
  g_assert_cmpint (elapsed_ms, >=, 900);    /* it did wait for the keyring */
  g_assert_cmpint (elapsed_ms, <, 10000);   /* and gave up on time */

  g_source_remove (give_up);
  g_main_loop_unref (r.loop);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_REMOVE;
}

static void
test_caller_cancel_still_cancels (void)
{
  Result r = { 0 };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  r.loop = g_main_loop_new (NULL, FALSE);
  hd_credentials_lookup_async (HD_APP_ID_TECH, cancellable, on_lookup, &r);
  g_timeout_add (200, cancel_cb, cancellable);
  g_main_loop_run (r.loop);

  g_assert_true (r.done);
  g_assert_false (r.found);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);
  g_main_loop_unref (r.loop);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("HD_KEYRING_TIMEOUT_MS", "1000", TRUE);
  g_test_add_func ("/credentials/silent-keyring-times-out", test_silent_keyring);
  g_test_add_func ("/credentials/caller-cancel-still-cancels", test_caller_cancel_still_cancels);
  return g_test_run ();
}
