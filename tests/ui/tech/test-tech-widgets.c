/* SPDX-License-Identifier: GPL-3.0-or-later */
/* In-process checks of libhdtech widgets that need no server: text from
 * people is never markup, the Accept button says whose chat it takes, and
 * the end-of-chat dialog says where the transcript went. */
#define G_LOG_DOMAIN "test-tech-widgets"

#include <adwaita.h>
#include <string.h>

#include "hdclient.h"
#include "hd-tech-queue-row.h"
#include "hd-tech-window.h"
#include "hd-tech-application.h"
#include "hd-tech-chat-window.h"
#include "hd-tech-notify.h"
#include "hd-session-private.h"

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* A waiting chat of "<b>Eve</b> & Co" about request #3 "Printer
 * <span>offline</span>": people's text that markup would mangle. */
static HdChat *
eve_chat (void)
{
  g_autoptr(JsonObject) json = parse_object (
    "{\"id\": 7, \"request_id\": 3, \"state\": \"waiting\","
    " \"customer\": {\"id\": 4, \"name\": \"<b>Eve</b> & Co\", \"role\": \"customer\","
    "                \"available_for_chat\": false, \"online\": true},"
    " \"technician\": null, \"target\": {\"kind\": \"technician\", \"id\": 2},"
    " \"note_id\": null, \"created_at\": \"2026-11-24T19:00:00.123Z\","
    " \"accepted_at\": null, \"ended_at\": null}");
  g_autoptr(GError) error = NULL;
  HdChat *chat = hd_chat_new_from_json (json, &error);

  g_assert_no_error (error);
  return chat;
}

static HdRequest *
eve_request (void)
{
  g_autoptr(JsonObject) json = parse_object (
    "{\"id\": 3, \"subject\": \"Printer <span>offline</span>\", \"description\": \"\","
    " \"status\": \"open\", \"customer\": {\"id\": 4, \"name\": \"<b>Eve</b> & Co\","
    " \"role\": \"customer\", \"available_for_chat\": false, \"online\": true},"
    " \"assignee\": null, \"team\": null, \"active_chat\": null}");
  g_autoptr(GError) error = NULL;
  HdRequest *request = hd_request_new_from_json (json, &error);

  g_assert_no_error (error);
  return request;
}

static void
test_queue_row_plain_text (void)
{
  g_autoptr(HdChat) chat = eve_chat ();
  g_autoptr(HdRequest) request = eve_request ();
  GtkWidget *row;
  GtkWidget *window;
  GtkWidget *button = NULL;
  const char *subtitle;

  row = hd_tech_queue_row_new (chat, request);
  window = gtk_window_new ();
  gtk_window_set_child (GTK_WINDOW (window), row);

  g_assert_false (adw_preferences_row_get_use_markup (ADW_PREFERENCES_ROW (row)));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "<b>Eve</b> & Co");
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
  g_assert_true (g_str_has_prefix (subtitle, "#3 Printer <span>offline</span> — waiting since "));

  /* The Accept button: a suffix GtkButton whose tooltip names the customer. */
  for (GtkWidget *w = gtk_widget_get_first_child (row); w != NULL; )
    {
      if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (w)), "Accept") == 0)
        {
          button = w;
          break;
        }
      /* depth-first walk */
      if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != NULL && gtk_widget_get_next_sibling (w) == NULL && w != row)
            w = gtk_widget_get_parent (w);
          w = (w == NULL || w == row) ? NULL : gtk_widget_get_next_sibling (w);
        }
    }
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "Accept chat with <b>Eve</b> & Co");
  g_assert_true (gtk_widget_get_sensitive (button));
  hd_tech_queue_row_set_accepting (HD_TECH_QUEUE_ROW (row), TRUE);
  g_assert_false (gtk_widget_get_sensitive (button));
  hd_tech_queue_row_set_accepting (HD_TECH_QUEUE_ROW (row), FALSE);
  g_assert_true (gtk_widget_get_sensitive (button));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_chat_ended_dialog (void)
{
  HdTechWindow *window = g_object_new (HD_TYPE_TECH_WINDOW, NULL);
  GListModel *toplevels = gtk_window_get_toplevels ();
  AdwMessageDialog *dialog = NULL;

  hd_tech_window_show_chat_ended (window, 1);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (item))
        dialog = ADW_MESSAGE_DIALOG (item);
    }
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==,
                   "The chat transcript was saved as a request Note.");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "close");

  /* Escape (the close response) leaves the main window alone. */
  adw_message_dialog_response (dialog, "close");
  gtk_window_destroy (GTK_WINDOW (window));
}

static AdwMessageDialog *
find_dialog_for (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);
      if (ADW_IS_MESSAGE_DIALOG (item) && gtk_window_get_transient_for (GTK_WINDOW (item)) == parent
          && gtk_widget_get_visible (GTK_WIDGET (item)))
        return ADW_MESSAGE_DIALOG (item);
    }
  return NULL;
}

static void
spin (void)
{
  for (int i = 0; i < 20; i++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
}

static void
on_destroyed (GtkWidget *widget,
              gboolean  *destroyed)
{
  *destroyed = TRUE;
}

/* Closing the technician's chat window ends the customer's chat: it asks
 * first, and "Don't ask again" is a setting. */
static void
test_close_asks_first (void)
{
  g_autoptr(JsonObject) chat_json = parse_object (
    "{\"id\": 9, \"request_id\": 1, \"state\": \"active\","
    " \"customer\": {\"id\": 4, \"name\": \"Carol Customer\", \"role\": \"customer\","
    "                \"available_for_chat\": false, \"online\": true},"
    " \"technician\": {\"id\": 2, \"name\": \"Tina Tech\", \"role\": \"technician\","
    "                \"available_for_chat\": true, \"online\": true},"
    " \"target\": {\"kind\": \"technician\", \"id\": 2},"
    " \"note_id\": 3, \"created_at\": \"2026-11-24T19:00:00.123Z\","
    " \"accepted_at\": \"2026-11-24T19:00:05.000Z\", \"ended_at\": null}");
  g_autoptr(HdTechApplication) app = hd_tech_application_new ();
  g_autoptr(HdClient) nowhere = hd_client_new ("http://127.0.0.1:9/");
  g_autoptr(HdSession) session = hd_session_new (NULL, nowhere);
  g_autoptr(GError) error = NULL;
  HdChat *chat = hd_session_upsert_chat (session, chat_json);
  GSettings *settings;
  HdTechChatWindow *window;
  AdwMessageDialog *dialog;
  gboolean destroyed = FALSE;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  settings = hd_tech_application_get_settings (app);
  g_assert_nonnull (settings);
  g_assert_true (g_settings_get_boolean (settings, "confirm-end-chat"));

  window = hd_tech_chat_window_new (GTK_APPLICATION (app), session, chat);
  gtk_window_present (GTK_WINDOW (window));
  spin ();

  /* End Chat (chat.end, Ctrl+D) is meant: it does not ask. */
  {
    HdTechChatWindow *other = hd_tech_chat_window_new (GTK_APPLICATION (app), session, chat);
    gboolean other_destroyed = FALSE;

    gtk_window_present (GTK_WINDOW (other));
    spin ();
    g_signal_connect (other, "destroy", G_CALLBACK (on_destroyed), &other_destroyed);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (other), "chat.end", NULL));
    spin ();
    /* Destroyed at once, never hidden: the application keeps the call. */
    g_assert_true (other_destroyed);
    while (hd_tech_application_is_ending (app, hd_chat_get_id (chat)))
      g_main_context_iteration (NULL, TRUE);
  }

  /* Close: a question, and the chat goes on until it is answered. */
  gtk_window_close (GTK_WINDOW (window));
  spin ();
  dialog = find_dialog_for (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (GTK_IS_CHECK_BUTTON (adw_message_dialog_get_extra_child (dialog)));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Carol Customer"));
  adw_message_dialog_response (dialog, "cancel");
  spin ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (g_settings_get_boolean (settings, "confirm-end-chat"));

  /* Again, "Don't ask again" ticked, End Chat: the window goes (the
   * end call fails here: there is no server) and the setting stays. */
  gtk_window_close (GTK_WINDOW (window));
  spin ();
  dialog = find_dialog_for (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  g_signal_connect (window, "destroy", G_CALLBACK (on_destroyed), &destroyed);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (adw_message_dialog_get_extra_child (dialog)), TRUE);
  adw_message_dialog_response (dialog, "end");
  spin ();
  g_assert_false (g_settings_get_boolean (settings, "confirm-end-chat"));
  /* Destroyed at once (no hidden window waits for the answer); the
   * application keeps the end call until it failed (no server here). */
  g_assert_true (destroyed);
  while (hd_tech_application_is_ending (app, hd_chat_get_id (chat)))
    g_main_context_iteration (NULL, TRUE);

  /* From now on closing ends the chat without asking. */
  destroyed = FALSE;
  window = hd_tech_chat_window_new (GTK_APPLICATION (app), session, chat);
  gtk_window_present (GTK_WINDOW (window));
  spin ();
  g_signal_connect (window, "destroy", G_CALLBACK (on_destroyed), &destroyed);
  gtk_window_close (GTK_WINDOW (window));
  spin ();
  g_assert_true (destroyed);
  while (hd_tech_application_is_ending (app, hd_chat_get_id (chat)))
    g_main_context_iteration (NULL, TRUE);
  g_settings_reset (settings, "confirm-end-chat");
}

/* The chat request's and the transfer's notification bodies: the same
 * customer and "#ID SUBJECT", escaped (some notification servers parse
 * markup); "#ID" alone while the request is not known; "A customer"
 * without one. */
static void
test_notify_chat_body (void)
{
  g_autoptr(JsonObject) nobody_json = parse_object (
    "{\"id\": 8, \"request_id\": 5, \"state\": \"active\", \"customer\": null,"
    " \"technician\": null, \"target\": null, \"note_id\": null,"
    " \"created_at\": \"2026-11-24T19:00:00.123Z\", \"accepted_at\": null, \"ended_at\": null}");
  g_autoptr(GError) error = NULL;
  g_autoptr(HdChat) chat = eve_chat ();
  g_autoptr(HdRequest) request = eve_request ();
  g_autoptr(HdChat) nobody = hd_chat_new_from_json (nobody_json, &error);
  g_autofree char *requested = NULL;
  g_autofree char *transferred = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *anonymous = NULL;

  g_assert_no_error (error);
  requested = hd_tech_notify_chat_body (HD_TECH_CHAT_NOTICE_REQUESTED, chat, request);
  g_assert_cmpstr (requested, ==,
                   "&lt;b&gt;Eve&lt;/b&gt; &amp; Co wants to chat about #3 Printer &lt;span&gt;offline&lt;/span&gt;");
  transferred = hd_tech_notify_chat_body (HD_TECH_CHAT_NOTICE_TRANSFERRED, chat, request);
  g_assert_cmpstr (transferred, ==,
                   "Chat with &lt;b&gt;Eve&lt;/b&gt; &amp; Co about #3 Printer &lt;span&gt;offline&lt;/span&gt;");
  unknown = hd_tech_notify_chat_body (HD_TECH_CHAT_NOTICE_TRANSFERRED, chat, NULL);
  g_assert_cmpstr (unknown, ==, "Chat with &lt;b&gt;Eve&lt;/b&gt; &amp; Co about #3");
  anonymous = hd_tech_notify_chat_body (HD_TECH_CHAT_NOTICE_REQUESTED, nobody, NULL);
  g_assert_cmpstr (anonymous, ==, "A customer wants to chat about #5");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  hd_client_init_resources ();
  /* Naming the resource links its object (and so its constructor, which
   * registers it) out of the static library. */

  g_test_add_func ("/tech/queue-row/plain-text", test_queue_row_plain_text);
  g_test_add_func ("/tech/window/chat-ended-dialog", test_chat_ended_dialog);
  g_test_add_func ("/tech/chat-window/close-asks-first", test_close_asks_first);
  g_test_add_func ("/tech/notify/chat-body", test_notify_chat_body);

  return g_test_run ();
}
