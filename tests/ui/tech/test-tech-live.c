/* SPDX-License-Identifier: GPL-3.0-or-later */
/* In-process checks of the technician's "live" parts that need no server:
 * the chat's end reason read from the wire and shown in its window. */
#define G_LOG_DOMAIN "test-tech-live"

#include <adwaita.h>
#include <string.h>

#include "hdclient.h"
#include "hd-tech-application.h"
#include "hd-tech-chat-window.h"
#include "hd-tech-end-reason.h"
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

static void
spin (void)
{
  for (int i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

#define CHAT_JSON(state, ended_at, reason)                                        \
  "{\"id\": 9, \"request_id\": 1, \"state\": \"" state "\","                      \
  " \"customer\": {\"id\": 4, \"name\": \"Carol Customer\", \"role\": \"customer\"," \
  "                \"available_for_chat\": false, \"online\": true},"              \
  " \"technician\": {\"id\": 2, \"name\": \"Tina Tech\", \"role\": \"technician\"," \
  "                \"available_for_chat\": true, \"online\": true},"               \
  " \"target\": {\"kind\": \"technician\", \"id\": 2},"                            \
  " \"note_id\": 3, \"created_at\": \"2026-11-24T19:00:00.123Z\","                 \
  " \"accepted_at\": \"2026-11-24T19:00:05.000Z\", \"ended_at\": " ended_at ","     \
  " \"end_reason\": " reason "}"

static void
count_notify (GObject *object, GParamSpec *pspec, int *count)
{
  (*count)++;
}

/* "end_reason" from the wire: null while open, the contract's strings,
 * unknown ones read as none, and once known it stays. */
static void
test_chat_end_reason (void)
{
  g_autoptr(JsonObject) open_json = parse_object (CHAT_JSON ("active", "null", "null"));
  g_autoptr(JsonObject) ended_json =
    parse_object (CHAT_JSON ("ended", "\"2026-11-24T19:10:00Z\"", "\"no_answer\""));
  g_autoptr(JsonObject) stale_json = parse_object ("{\"id\": 9, \"end_reason\": null}");
  g_autoptr(JsonObject) unknown_json = parse_object ("{\"id\": 10, \"end_reason\": \"gremlins\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(HdChat) chat = hd_chat_new_from_json (open_json, &error);
  g_autoptr(HdChat) unknown = NULL;
  HdEndReason reason = HD_END_REASON_CUSTOMER;
  int notified = 0;

  g_assert_no_error (error);
  g_assert_cmpint (hd_chat_get_end_reason (chat), ==, HD_END_REASON_NONE);
  g_object_get (chat, "end-reason", &reason, NULL);
  g_assert_cmpint (reason, ==, HD_END_REASON_NONE);

  g_signal_connect (chat, "notify::end-reason", G_CALLBACK (count_notify), &notified);
  hd_chat_update_from_json (chat, ended_json);
  g_assert_cmpint (notified, ==, 1);
  g_assert_cmpint (hd_chat_get_end_reason (chat), ==, HD_END_REASON_NO_ANSWER);
  g_assert_cmpint (hd_chat_get_state (chat), ==, HD_CHAT_STATE_ENDED);

  hd_chat_update_from_json (chat, stale_json);
  g_assert_cmpint (notified, ==, 1);
  g_assert_cmpint (hd_chat_get_end_reason (chat), ==, HD_END_REASON_NO_ANSWER);

  unknown = hd_chat_new_from_json (unknown_json, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hd_chat_get_end_reason (unknown), ==, HD_END_REASON_NONE);

  /* Every reason has words, none for "none". */
  g_assert_null (hd_tech_end_reason_text (HD_END_REASON_NONE));
  for (HdEndReason r = HD_END_REASON_CUSTOMER; r <= HD_END_REASON_INACTIVE; r++)
    g_assert_nonnull (hd_tech_end_reason_text (r));
  g_assert_cmpstr (hd_tech_end_reason_text (HD_END_REASON_CUSTOMER), ==, "The customer ended the chat");
  g_assert_cmpstr (hd_tech_end_reason_text (HD_END_REASON_NO_ANSWER), ==, "Nobody answered in time");
  g_assert_cmpstr (hd_tech_end_reason_text (HD_END_REASON_INACTIVE), ==, "Ended after inactivity");
}

static GtkLabel *
find_label_prefix (GtkWidget  *root,
                   const char *prefix)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkLabel *found;

      if (GTK_IS_LABEL (c) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (c)), prefix))
        return GTK_LABEL (c);
      if ((found = find_label_prefix (c, prefix)) != NULL)
        return found;
    }
  return NULL;
}

/* The technician's chat window says why the chat ended, from the event
 * that ended it. */
static void
test_chat_window_end_reason (void)
{
  g_autoptr(JsonObject) chat_json = parse_object (CHAT_JSON ("active", "null", "null"));
  g_autoptr(JsonObject) ended_json =
    parse_object (CHAT_JSON ("ended", "\"2026-11-24T19:10:00Z\"", "\"customer\""));
  g_autoptr(HdTechApplication) app = hd_tech_application_new ();
  g_autoptr(HdClient) nowhere = hd_client_new ("http://127.0.0.1:9/");
  g_autoptr(HdSession) session = hd_session_new (NULL, nowhere);
  g_autoptr(GError) error = NULL;
  HdChat *chat = hd_session_upsert_chat (session, chat_json);
  HdTechChatWindow *window;
  GtkLabel *label;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  window = hd_tech_chat_window_new (GTK_APPLICATION (app), session, chat);
  gtk_window_present (GTK_WINDOW (window));
  spin ();
  g_assert_null (find_label_prefix (GTK_WIDGET (window), "Chat ended"));

  hd_session_upsert_chat (session, ended_json);
  spin ();
  label = find_label_prefix (GTK_WIDGET (window), "Chat ended");
  g_assert_nonnull (label);
  g_assert_nonnull (strstr (gtk_label_get_text (label), "The customer ended the chat"));

  gtk_window_destroy (GTK_WINDOW (window));
  spin ();
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  hd_client_init_resources ();

  g_test_add_func ("/tech-live/chat/end-reason", test_chat_end_reason);
  g_test_add_func ("/tech-live/chat-window/end-reason", test_chat_window_end_reason);

  return g_test_run ();
}
