/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The shared widgets and the keyring, in-process, against the real server
 * (run through tests/ui/run-ui-test: Xvfb, D-Bus, unlocked gnome-keyring):
 * HdLoginDialog with "Remember me" and the credentials round-trip, its
 * controls each with one clean accessible name,
 * HdChatView with 10,000 messages, Enter / Shift+Enter, stick to the
 * bottom, the disabled entry after the end. */
#define G_LOG_DOMAIN "test-widgets"

#include "hdclient.h"
#include "hd-session-private.h"
#include "hd-error.h"
#include "hd-test-server.h"

#include <string.h>

#define TEST_APP_ID "com.helpdeskchat.ClientTest"

static void
collect (GtkWidget *root,
         GType      type,
         GPtrArray *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        g_ptr_array_add (out, child);
      collect (child, type, out);
    }
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type,
             guint      nth)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();

  collect (root, type, all);
  return nth < all->len ? g_ptr_array_index (all, nth) : NULL;
}

static GtkWidget *
find_button_with_label (GtkWidget  *root,
                        const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0)
        return child;
      if ((found = find_button_with_label (child, label)))
        return found;
    }
  return NULL;
}

static gboolean
widget_visible (gpointer data)
{
  return gtk_widget_get_visible (data);
}

static void
on_logged_in (HdLoginDialog *dialog,
              HdSession     *session,
              HdSession    **out)
{
  *out = g_object_ref (session);
}

static gboolean
session_set (gpointer data)
{
  return *(HdSession **) data != NULL;
}

/* The symbolic chat icon of the alert button, by name from the theme. */
static void
test_chat_icon (void)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());
  g_autoptr(GtkIconPaintable) icon = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;

  g_assert_true (gtk_icon_theme_has_icon (theme, "hd-chat-symbolic"));
  icon = gtk_icon_theme_lookup_icon (theme, "hd-chat-symbolic", NULL, 16, 1, GTK_TEXT_DIR_NONE, 0);
  g_assert_true (gtk_icon_paintable_is_symbolic (icon));
  file = gtk_icon_paintable_get_file (icon);
  uri = g_file_get_uri (file);
  g_assert_cmpstr (uri, ==, "resource:///com/helpdeskchat/icons/scalable/actions/hd-chat-symbolic.svg");
}

static void
test_login_dialog_and_keyring (void)
{
  HdTestServer *server = hd_test_server_start ();
  HdLoginDialog *dialog = hd_login_dialog_new (TEST_APP_ID, server->url);
  g_autoptr(HdSession) session = NULL;
  g_autoptr(HdSession) restored = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL, *login = NULL, *token = NULL;
  GtkWidget *password, *button, *error_label;

  g_object_ref_sink (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  hd_login_dialog_set_login (dialog, "tina");
  password = find_widget (GTK_WIDGET (dialog), ADW_TYPE_PASSWORD_ENTRY_ROW, 0);
  button = find_button_with_label (GTK_WIDGET (dialog), "_Log In");
  g_assert_nonnull (password);
  g_assert_nonnull (button);
  g_signal_connect (dialog, "logged-in", G_CALLBACK (on_logged_in), &session);

  /* No password: said inline, nothing sent. */
  g_signal_emit_by_name (button, "clicked");
  error_label = NULL;
  for (guint i = 0; (error_label = find_widget (GTK_WIDGET (dialog), GTK_TYPE_LABEL, i)); i++)
    if (gtk_widget_has_css_class (error_label, "error"))
      break;
  g_assert_nonnull (error_label);
  g_assert_true (gtk_widget_get_visible (error_label));

  /* A wrong password: the server's message, inline (argon2id in a sanitizer
   * build on a loaded machine takes its time). */
  gtk_widget_set_visible (error_label, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (password), "wrong");
  g_signal_emit_by_name (button, "clicked");
  hd_test_wait (widget_visible, error_label, 30000, "the inline error");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), !=, "");
  g_assert_null (session);

  /* The right one, "Remember me" on (the default). */
  gtk_editable_set_text (GTK_EDITABLE (password), "demo");
  g_signal_emit_by_name (button, "clicked");
  hd_test_wait (session_set, &session, 10000, "logged-in");
  g_assert_cmpstr (hd_user_get_login (hd_session_get_user (session)), ==, "tina");

  /* The keyring holds server, login and token. */
  hd_credentials_lookup_async (TEST_APP_ID, NULL, hd_test_async_cb, &res);
  g_assert_true (hd_credentials_lookup_finish (hd_test_wait_result (&res, "lookup"), &url, &login, &token, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (login, ==, "tina");
  g_assert_cmpstr (token, ==, hd_client_get_token (hd_session_get_client (session)));
  g_assert_true (g_str_has_prefix (server->url, url));
  g_clear_object (&res);

  /* "Remember me" at the next start: no dialog. */
  hd_session_restore_async (TEST_APP_ID, NULL, hd_test_async_cb, &res);
  restored = hd_session_restore_finish (hd_test_wait_result (&res, "restore"), &error);
  g_assert_no_error (error);
  g_assert_nonnull (restored);
  g_assert_cmpstr (hd_user_get_login (hd_session_get_user (restored)), ==, "tina");
  hd_session_stop (restored);
  g_clear_object (&restored);
  g_clear_object (&res);

  /* Log out: token ended, keyring cleared; restore finds nothing. */
  hd_session_logout_async (session, NULL, hd_test_async_cb, &res);
  g_assert_true (hd_session_logout_finish (session, hd_test_wait_result (&res, "logout"), &error));
  g_assert_no_error (error);
  g_clear_object (&res);
  hd_session_restore_async (TEST_APP_ID, NULL, hd_test_async_cb, &res);
  restored = hd_session_restore_finish (hd_test_wait_result (&res, "restore after logout"), &error);
  g_assert_no_error (error);
  g_assert_null (restored);
  g_clear_object (&res);

  /* A stale token in the keyring: restore answers NULL and clears it. */
  hd_credentials_store_async (TEST_APP_ID, server->url, "tina", "not-a-token", NULL, hd_test_async_cb, &res);
  g_assert_true (hd_credentials_store_finish (hd_test_wait_result (&res, "store"), &error));
  g_clear_object (&res);
  hd_session_restore_async (TEST_APP_ID, NULL, hd_test_async_cb, &res);
  restored = hd_session_restore_finish (hd_test_wait_result (&res, "restore stale"), &error);
  g_assert_no_error (error);
  g_assert_null (restored);
  g_clear_object (&res);
  hd_credentials_lookup_async (TEST_APP_ID, NULL, hd_test_async_cb, &res);
  g_assert_false (hd_credentials_lookup_finish (hd_test_wait_result (&res, "lookup cleared"), NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
  hd_test_server_free (server);
}

/* Accessible names of the login dialog.  GTK 4.8 speaks an explicit
 * label followed by the labels of the labelled-by relation, so a control
 * with both is heard twice ("Login Login", "_Log In Log In").  Each control
 * must be named by exactly one of them, with clean text (no mnemonic
 * underscore).  @scope holds the label that may name @widget. */
static void
assert_one_accessible_name (GtkWidget  *widget,
                            GtkWidget  *scope,
                            const char *expected)
{
  GtkAccessible *acc = GTK_ACCESSIBLE (widget);
  gboolean has_label = gtk_test_accessible_has_property (acc, GTK_ACCESSIBLE_PROPERTY_LABEL);
  gboolean has_labelled_by = gtk_test_accessible_has_relation (acc, GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  guint named_by = 0;

  g_test_message ("%s \"%s\": label %d, labelled-by %d", G_OBJECT_TYPE_NAME (widget),
                  expected, has_label, has_labelled_by);
  /* Not both (doubled), not neither (unnamed). */
  g_assert_true (has_label != has_labelled_by);

  if (has_label)
    {
      gtk_test_accessible_assert_property (acc, GTK_ACCESSIBLE_PROPERTY_LABEL, expected);
      return;
    }

  collect (scope, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkWidget *label = g_ptr_array_index (labels, i);
      g_autofree char *differs = NULL;

      if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), expected) != 0)
        continue;
      /* A reference list is given as a NULL-terminated argument list. */
      differs = gtk_test_accessible_check_relation (acc, GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                                    label, NULL);
      if (differs != NULL)
        continue;
      /* The one label it is labelled by is itself named once, cleanly. */
      g_assert_false (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (label),
                                                        GTK_ACCESSIBLE_RELATION_LABELLED_BY));
      gtk_test_accessible_assert_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                           expected);
      named_by++;
    }
  g_assert_cmpuint (named_by, ==, 1);
}

static void
test_login_dialog_accessible_names (void)
{
  HdLoginDialog *dialog = hd_login_dialog_new (TEST_APP_ID, "http://127.0.0.1:9");
  GtkWidget *root = GTK_WIDGET (dialog);
  GtkWidget *server, *login, *password, *remember, *button, *spinner;

  g_object_ref_sink (dialog);
  gtk_window_present (GTK_WINDOW (dialog));

  /* AdwPasswordEntryRow is an AdwEntryRow: template order. */
  server = find_widget (root, ADW_TYPE_ENTRY_ROW, 0);
  login = find_widget (root, ADW_TYPE_ENTRY_ROW, 1);
  password = find_widget (root, ADW_TYPE_ENTRY_ROW, 2);
  remember = find_widget (root, GTK_TYPE_SWITCH, 0);
  spinner = find_widget (root, GTK_TYPE_SPINNER, 0);
  button = find_button_with_label (root, "_Log In");
  g_assert_true (ADW_IS_PASSWORD_ENTRY_ROW (password));
  g_assert_nonnull (remember);
  g_assert_nonnull (spinner);
  g_assert_nonnull (button);
  /* The mnemonic stays (Alt+L); only the accessible name loses it. */
  g_assert_true (gtk_button_get_use_underline (GTK_BUTTON (button)));

  assert_one_accessible_name (server, server, "Server");
  assert_one_accessible_name (login, login, "Login");
  assert_one_accessible_name (password, password, "Password");
  assert_one_accessible_name (remember, gtk_widget_get_ancestor (remember, ADW_TYPE_ACTION_ROW),
                              "Remember me");
  assert_one_accessible_name (button, button, "Log In");
  assert_one_accessible_name (spinner, spinner, "Logging in");

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

/* Chat view */

static HdClient *
login (HdTestServer *server,
       const char   *who)
{
  g_autoptr(HdClient) client = hd_client_new (hd_test_server_next_url (server));
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUser) user = NULL;

  hd_client_login_async (client, who, "demo", NULL, hd_test_async_cb, &res);
  user = hd_client_login_finish (client, hd_test_wait_result (&res, "login"), &error);
  g_assert_no_error (error);
  return g_steal_pointer (&client);
}

static gboolean
is_connected (gpointer data)
{
  return hd_session_get_state (data) == HD_CONNECTION_CONNECTED;
}

static HdSession *
start_session (HdTestServer *server,
               const char   *who)
{
  g_autoptr(HdClient) client = login (server, who);
  HdSession *session = hd_session_new (NULL, client);

  hd_session_start (session);
  hd_test_wait (is_connected, session, 10000, "connect");
  return session;
}

static gboolean
queue_nonempty (gpointer data)
{
  return hd_session_get_waiting_count (data) > 0;
}

static HdChat *
open_chat (HdSession *tina,
           HdSession *carol)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdChat) started = NULL;

  hd_session_set_available_async (tina, TRUE, NULL, hd_test_async_cb, &res);
  g_assert_true (hd_session_set_available_finish (tina, hd_test_wait_result (&res, "available"), &error));
  g_clear_object (&res);
  hd_session_start_chat_async (carol, 1, 0, NULL, hd_test_async_cb, &res);
  started = hd_session_chat_finish (carol, hd_test_wait_result (&res, "start"), &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  hd_test_wait (queue_nonempty, tina, 10000, "the queue");
  hd_session_accept_chat_async (tina, hd_chat_get_id (started), NULL, hd_test_async_cb, &res);
  return hd_session_chat_finish (tina, hd_test_wait_result (&res, "accept"), &error);
}

typedef struct {
  GListModel *model;
  guint n;
} CountWait;

static gboolean
last_sent (gpointer data)
{
  CountWait *w = data;
  guint n = g_list_model_get_n_items (w->model);
  g_autoptr(HdMessage) m = NULL;

  if (n < w->n)
    return FALSE;
  m = g_list_model_get_item (w->model, n - 1);
  return hd_message_get_state (m) == HD_MESSAGE_STATE_SENT && hd_message_get_seq (m) >= w->n;
}

static void
drain (void)
{
  for (guint i = 0; i < 1000 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

static gboolean
at_bottom (gpointer data)
{
  GtkAdjustment *adj = data;

  drain ();
  return gtk_adjustment_get_upper (adj) > gtk_adjustment_get_page_size (adj)
         && gtk_adjustment_get_value (adj) >= gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj) - 4;
}

typedef struct {
  guint frames;
  gint64 layout_start;
  gint64 last_frame_usec;
} FrameTimes;

typedef struct {
  FrameTimes *ft;
  guint before;
} FrameWait;

static void
on_frame_layout (GdkFrameClock *clock,
                 FrameTimes    *ft)
{
  ft->layout_start = g_get_monotonic_time ();
}

static void
on_frame_painted (GdkFrameClock *clock,
                  FrameTimes    *ft)
{
  if (ft->layout_start == 0)
    return;
  ft->last_frame_usec = g_get_monotonic_time () - ft->layout_start;
  ft->layout_start = 0;
  ft->frames++;
}

static gboolean
frame_painted (gpointer data)
{
  FrameWait *w = data;
  return w->ft->frames > w->before;
}

static gboolean
chat_ended (gpointer data)
{
  return hd_chat_get_state (data) == HD_CHAT_STATE_ENDED;
}

static void
test_chat_view (void)
{
  /* 10,000 in the normal build; the sanitizer build (about 5x slower,
   * mostly in the server) checks the same code with fewer. */
#if defined(__SANITIZE_ADDRESS__)
  const guint N = 2500;
#else
  const guint N = 10000;
#endif
  /* (the burst below is far past the 100 messages a second one socket
   * may send: it is how this test fills the chat, not what it is about) */
  HdTestServer *server = hd_test_server_start_no_rate ();
  g_autoptr(HdSession) tina = start_session (server, "tina");
  g_autoptr(HdSession) carol = start_session (server, "carol");
  g_autoptr(HdChat) chat = open_chat (tina, carol);
  g_autoptr(GError) error = NULL;
  GListModel *carol_msgs = hd_session_get_messages (carol, hd_chat_get_id (chat));
  GListModel *tina_msgs = hd_session_get_messages (tina, hd_chat_get_id (chat));
  CountWait w = { carol_msgs, N };
  GtkWidget *window, *view;
  GtkAdjustment *adj;
  GtkTextBuffer *buffer;
  GtkEventController *keys = NULL;
  GListModel *controllers;
  GtkWidget *text_view;
  gint64 t0, t1;
  double worst = 0, total = 0;
  const guint steps = 60;

  g_assert_nonnull (chat);

  /* 10,000 messages through the real server, sent as one burst. */
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < N; i++)
    {
      g_autofree char *body = g_strdup_printf ("message %u <b>not markup</b>", i + 1);
      g_assert_nonnull (hd_session_send_message (carol, hd_chat_get_id (chat), body, &error));
    }
  hd_test_wait (last_sent, &w, 120000, "10,000 messages acknowledged");
  t1 = g_get_monotonic_time ();
  g_test_message ("sent and acknowledged %u messages in %.2f s", N, (t1 - t0) / 1e6);
  printf ("# bench: %u messages sent+acked in %.2f s\n", N, (t1 - t0) / 1e6);

  w.model = tina_msgs;
  hd_test_wait (last_sent, &w, 60000, "10,000 messages at Tina");
  g_assert_cmpuint (g_list_model_get_n_items (tina_msgs), ==, N);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 500, 600);
  t0 = g_get_monotonic_time ();
  view = hd_chat_view_new (tina, chat);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (gtk_widget_get_parent (GTK_WIDGET (hd_chat_view_get_list_view (HD_CHAT_VIEW (view))))));
  hd_test_wait (at_bottom, adj, 20000, "the view to show the newest message");
  t1 = g_get_monotonic_time ();
  printf ("# bench: chat view with %u messages built and at the bottom in %.3f s\n", N, (t1 - t0) / 1e6);

  /* Bodies are plain text: the markup shows as typed. */
  {
    g_autoptr(GPtrArray) labels = g_ptr_array_new ();
    gboolean seen = FALSE;

    collect (GTK_WIDGET (hd_chat_view_get_list_view (HD_CHAT_VIEW (view))), GTK_TYPE_LABEL, labels);
    for (guint i = 0; i < labels->len; i++)
      {
        GtkLabel *label = g_ptr_array_index (labels, i);
        if (strstr (gtk_label_get_text (label), "<b>not markup</b>"))
          {
            g_assert_false (gtk_label_get_use_markup (label));
            seen = TRUE;
          }
      }
    g_assert_true (seen);
  }

  /* Scroll from the bottom to the top in steps, one painted frame per
   * step; the work per frame (layout to end of paint) must stay small,
   * because a GtkListView only builds the visible rows. */
  {
    GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
    FrameTimes ft = { 0 };
    gulong h1 = g_signal_connect (clock, "before-paint", G_CALLBACK (on_frame_layout), &ft);
    gulong h2 = g_signal_connect (clock, "after-paint", G_CALLBACK (on_frame_painted), &ft);

    for (guint i = 0; i <= steps; i++)
      {
        double upper = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);
        guint painted = ft.frames;
        double ms;

        gtk_adjustment_set_value (adj, upper * (steps - i) / steps);
        gtk_widget_queue_draw (window);
        hd_test_wait (frame_painted, &(FrameWait) { &ft, painted }, 5000, "a frame");
        ms = ft.last_frame_usec / 1000.0;
        total += ms;
        worst = MAX (worst, ms);
      }
    printf ("# bench: jumping bottom to top in %u painted frames over %u rows: "
            "frame work mean %.2f ms, worst %.2f ms per frame\n",
            steps + 1, N, total / (steps + 1), worst);
    g_assert_cmpfloat (gtk_adjustment_get_value (adj), <, 1.0);

    /* Wheel-like scrolling: a third of a page per frame. */
    total = worst = 0;
    for (guint i = 0; i < steps; i++)
      {
        guint painted = ft.frames;
        double ms;

        gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) / 3);
        gtk_widget_queue_draw (window);
        hd_test_wait (frame_painted, &(FrameWait) { &ft, painted }, 5000, "a frame");
        ms = ft.last_frame_usec / 1000.0;
        total += ms;
        worst = MAX (worst, ms);
      }
    printf ("# bench: scrolling a third of a page per frame, %u frames: "
            "frame work mean %.2f ms, worst %.2f ms per frame\n", steps, total / steps, worst);
    g_signal_handler_disconnect (clock, h1);
    g_signal_handler_disconnect (clock, h2);
  }

  /* Scrolled up: new messages do not pull the view down. */
  gtk_adjustment_set_value (adj, 0);
  drain ();
  hd_session_send_message (carol, hd_chat_get_id (chat), "while scrolled up", &error);
  w.n = N + 1;
  hd_test_wait (last_sent, &w, 10000, "message N+1");
  drain ();
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), <, 1.0);

  /* At the bottom: the next one scrolls into view. */
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  drain ();
  hd_session_send_message (carol, hd_chat_get_id (chat), "while at the bottom", &error);
  w.n = N + 2;
  hd_test_wait (last_sent, &w, 10000, "message N+2");
  hd_test_wait (at_bottom, adj, 5000, "stick to the bottom");

  /* Enter sends (the text view's capture-phase shortcut to the installed
   * "chat.send" action); Shift+Enter is no trigger of it, so the text view
   * adds a line. */
  text_view = GTK_WIDGET (hd_chat_view_get_text_view (HD_CHAT_VIEW (view)));
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
  controllers = gtk_widget_observe_controllers (text_view);
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && keys == NULL; i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);
      if (GTK_IS_SHORTCUT_CONTROLLER (c) && gtk_event_controller_get_propagation_phase (c) == GTK_PHASE_CAPTURE)
        keys = c;
    }
  g_object_unref (controllers);
  g_assert_nonnull (keys);
  {
    g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (keys), 0);
    GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);
    GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);
    gboolean has_return = FALSE;

    g_assert_true (GTK_IS_NAMED_ACTION (action));
    g_assert_cmpstr (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), ==, "chat.send");
    g_assert_true (GTK_IS_ALTERNATIVE_TRIGGER (trigger));
    while (GTK_IS_ALTERNATIVE_TRIGGER (trigger))
      {
        GtkShortcutTrigger *first = gtk_alternative_trigger_get_first (GTK_ALTERNATIVE_TRIGGER (trigger));

        g_assert_cmpint (gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (first)), ==, 0);
        has_return |= gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (first)) == GDK_KEY_Return;
        trigger = gtk_alternative_trigger_get_second (GTK_ALTERNATIVE_TRIGGER (trigger));
      }
    g_assert_cmpint (gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)), ==, 0);
    g_assert_true (has_return);
  }

  gtk_text_buffer_set_text (buffer, "line one\nline two", -1);
  g_assert_true (gtk_widget_activate_action (text_view, "chat.send", NULL));
  g_assert_cmpint (gtk_text_buffer_get_char_count (buffer), ==, 0);
  {
    g_autoptr(HdMessage) last = g_list_model_get_item (tina_msgs, g_list_model_get_n_items (tina_msgs) - 1);
    g_assert_cmpstr (hd_message_get_body (last), ==, "line one\nline two");
    g_assert_true (hd_message_get_is_own (last));
  }
  w.n = N + 3;
  hd_test_wait (last_sent, &w, 10000, "Tina's message at Carol");

  /* Enter on an empty entry sends nothing. */
  gtk_widget_activate_action (text_view, "chat.send", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (tina_msgs), ==, N + 3);

  /* After the end: entry disabled, a label says why. */
  {
    g_autoptr(GAsyncResult) res = NULL;
    g_autoptr(HdChat) ended = NULL;

    hd_session_end_chat_async (carol, hd_chat_get_id (chat), NULL, hd_test_async_cb, &res);
    ended = hd_session_chat_finish (carol, hd_test_wait_result (&res, "end"), &error);
    g_assert_no_error (error);
    hd_test_wait (chat_ended, chat, 10000, "chat.ended at Tina");
    drain ();
    g_assert_false (gtk_text_view_get_editable (hd_chat_view_get_text_view (HD_CHAT_VIEW (view))));
    /* The controls themselves: no cursor, and Send (and Enter) disabled
     * for a screen reader as much as for the mouse. */
    g_assert_false (gtk_widget_get_sensitive (text_view));
    gtk_text_buffer_set_text (buffer, "too late", -1);
    gtk_widget_activate_action (text_view, "chat.send", NULL);
    g_assert_cmpint (gtk_text_buffer_get_char_count (buffer), ==, 8);
    {
      GtkWidget *send = NULL;

      for (GtkWidget *w2 = gtk_widget_get_parent (text_view);
           w2 != NULL && send == NULL; w2 = gtk_widget_get_next_sibling (w2))
        if (GTK_IS_BUTTON (w2))
          send = w2;
      g_assert_nonnull (send);
      g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (send)), ==, "chat.send");
      g_assert_false (gtk_widget_is_sensitive (send));
    }
    gtk_text_buffer_set_text (buffer, "too late", -1);
    g_assert_false (hd_chat_view_send (HD_CHAT_VIEW (view)));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  hd_session_stop (tina);
  hd_session_stop (carol);
  hd_test_server_free (server);
}

static gboolean
last_note_has_line (gpointer data)
{
  GListModel *model = data;
  guint n = g_list_model_get_n_items (model);
  g_autoptr(HdNote) note = NULL;

  if (n == 0)
    return FALSE;
  note = g_list_model_get_item (model, n - 1);
  return strstr (hd_note_get_body (note), "turning it off") != NULL;
}

static void
test_notes_view (void)
{
  HdTestServer *server = hd_test_server_start ();
  g_autoptr(HdSession) tina = start_session (server, "tina");
  g_autoptr(HdSession) carol = start_session (server, "carol");
  g_autoptr(HdChat) chat = open_chat (tina, carol);
  g_autoptr(GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *notes = hd_notes_view_new (carol, 1);
  GListModel *model = hd_session_get_notes (carol, 1);

  gtk_window_set_child (GTK_WINDOW (window), notes);
  gtk_window_present (GTK_WINDOW (window));
  hd_session_send_message (tina, hd_chat_get_id (chat), "Have you tried turning it off and on?", &error);
  g_assert_no_error (error);
  hd_test_wait (last_note_has_line, model, 15000, "the transcript line in the notes view");
  g_assert_cmpint (hd_notes_view_get_request_id (HD_NOTES_VIEW (notes)), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  hd_session_stop (tina);
  hd_session_stop (carol);
  hd_test_server_free (server);
}

/* GTK 4.8 under Xvfb without a window manager warns when a focused entry's
 * window goes away ("did not receive a focus-out event"); that is GTK's
 * bookkeeping, not ours.  Every other warning stays fatal. */
static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
      message = fields[i].value;
  if ((log_level & G_LOG_LEVEL_WARNING) && message
      && strstr (message, "did not receive a focus-out event"))
    return G_LOG_WRITER_HANDLED;
  g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
  if (log_level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    g_error ("fatal log message above");  /* keep warnings fatal */
  return G_LOG_WRITER_HANDLED;
}

int
main (int   argc,
      char *argv[])
{
  g_log_set_writer_func (log_writer, NULL, NULL);
  gtk_test_init (&argc, &argv, NULL);
  /* Fatality is decided in log_writer. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  adw_init ();
  hd_client_init_resources ();

  g_test_add_func ("/widgets/chat-icon", test_chat_icon);
  g_test_add_func ("/widgets/login-dialog-keyring", test_login_dialog_and_keyring);
  g_test_add_func ("/widgets/login-dialog-accessible-names", test_login_dialog_accessible_names);
  g_test_add_func ("/widgets/notes-view", test_notes_view);
  g_test_add_func ("/widgets/chat-view-10000", test_chat_view);
  return g_test_run ();
}
