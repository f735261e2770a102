/* SPDX-License-Identifier: GPL-3.0-or-later */
/* In-process test of the portal's request page: the Chat menu follows the
 * request's chat_options (as the session updates them from presence and
 * privilege events) with the reason in plain words, the assignee shown
 * greyed out while unavailable, and every technician listed with the team
 * privilege.  No server: the page only reads the request object. */
#define G_LOG_DOMAIN "test-portal-page"

#include <adwaita.h>

#include "hd-portal-application.h"
#include "hd-portal-request-page.h"
#include "hd-portal-window.h"
#include "hd-portal-util.h"
#include "hd-session-private.h"

static const char *request_json_fmt =
  "{\"id\": 1, \"subject\": \"Printer offline\", \"description\": \"It says <b>offline</b>\","
  " \"status\": \"%s\","
  " \"customer\": {\"id\": 4, \"login\": \"carol\", \"name\": \"Carol Customer\", \"email\": \"carol@example.com\","
  "   \"role\": \"customer\", \"available_for_chat\": false, \"online\": true},"
  " \"assignee\": {\"id\": 2, \"name\": \"Tina Tech\", \"role\": \"technician\","
  "   \"available_for_chat\": false, \"online\": false},"
  " \"team\": {\"id\": 1, \"name\": \"Service Desk\"}, \"active_chat\": null,"
  " \"chat_options\": {\"can_start\": %s, \"reason\": %s, \"technicians\": [%s]}}";

static const char *tina_json =
  "{\"id\": 2, \"name\": \"Tina Tech\", \"role\": \"technician\", \"available_for_chat\": true, \"online\": true}";
static const char *theo_json =
  "{\"id\": 3, \"name\": \"Theo Tech\", \"role\": \"technician\", \"available_for_chat\": true, \"online\": true}";

static JsonObject *
request_object (const char *status,
                const char *can_start,
                const char *reason,
                const char *technicians)
{
  g_autofree char *text = g_strdup_printf (request_json_fmt, status, can_start, reason, technicians);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
collect_buttons (GtkWidget  *widget,
                 const char *prefix,
                 GPtrArray  *out)
{
  if (GTK_IS_BUTTON (widget) && !GTK_IS_TOGGLE_BUTTON (widget)
      && gtk_button_get_label (GTK_BUTTON (widget)) != NULL
      && g_str_has_prefix (gtk_button_get_label (GTK_BUTTON (widget)), prefix))
    g_ptr_array_add (out, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_buttons (child, prefix, out);
}

static GtkWidget *
find_chat_button (GtkWidget  *page,
                  const char *label)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  collect_buttons (page, "Chat with", buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (g_str_equal (gtk_button_get_label (buttons->pdata[i]), label))
      return buttons->pdata[i];
  return NULL;
}

static guint
count_chat_buttons (GtkWidget *page)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  collect_buttons (page, "Chat with", buttons);
  return buttons->len;
}

static void
test_reason_texts (void)
{
  g_autofree char *a = hd_portal_chat_reason_text ("technician_unavailable", "Tina Tech");
  g_autofree char *b = hd_portal_chat_reason_text ("chat_disabled", "Tina Tech");
  g_autofree char *c = hd_portal_chat_reason_text ("request_closed", NULL);
  g_autofree char *d = hd_portal_chat_reason_text ("chat_in_progress", NULL);
  g_autofree char *e = hd_portal_chat_reason_text ("technician_unavailable", NULL);
  g_autofree char *f = hd_portal_chat_reason_text ("from_the_future", NULL);

  g_assert_cmpstr (a, ==, "Tina Tech is not available for chat right now");
  g_assert_cmpstr (b, ==, "Chat is switched off");
  g_assert_cmpstr (c, ==, "This request is closed");
  g_assert_cmpstr (d, ==, "A chat about this request is already in progress");
  g_assert_cmpstr (e, ==, "No technician is available for chat right now");
  g_assert_nonnull (f);
  g_assert_null (hd_portal_chat_reason_text (NULL, "Tina Tech"));
}

/* The ended chat window's words follow the chat's end_reason: "Nobody
 * Could Answer" only when nobody could. */
static void
test_end_texts (void)
{
  struct {
    HdEndReason reason;
    gboolean accepted, withdrawn;
    const char *title, *text;
    gboolean offer;
  } cases[] = {
    { HD_END_REASON_TECHNICIAN, TRUE, FALSE, NULL,
      "Tina Tech ended the chat. The transcript was saved as a note on this request.", FALSE },
    { HD_END_REASON_CUSTOMER, TRUE, FALSE, NULL,
      "You ended the chat. The transcript was saved as a note on this request.", FALSE },
    { HD_END_REASON_INACTIVE, TRUE, FALSE, NULL,
      "The chat ended after a long time without messages. The transcript was saved as a note on this request.", FALSE },
    { HD_END_REASON_NONE, TRUE, FALSE, NULL,
      "The chat has ended. The transcript was saved as a note on this request.", FALSE },
    { HD_END_REASON_NO_ANSWER, FALSE, FALSE, "Nobody Could Answer",
      "Sorry, nobody was free to take your chat this time. You can leave a message instead; it reaches them on the request.", TRUE },
    { HD_END_REASON_TECHNICIAN, FALSE, FALSE, "Chat Request Declined",
      "Tina Tech could not take your chat this time. You can leave a message instead; it reaches them on the request.", TRUE },
    { HD_END_REASON_WITHDRAWN, FALSE, FALSE, "Chat Request Withdrawn",
      "You withdrew the chat request. You can start another one from the request.", FALSE },
    /* Withdrawn here, before the server's reason arrived. */
    { HD_END_REASON_NONE, FALSE, TRUE, "Chat Request Withdrawn",
      "You withdrew the chat request. You can start another one from the request.", FALSE },
    { HD_END_REASON_NONE, FALSE, FALSE, "Chat Request Ended",
      "The chat request ended before anyone accepted it. You can leave a message instead; it reaches them on the request.", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *title = NULL;
      gboolean offer = !cases[i].offer;
      g_autofree char *text = hd_portal_chat_end_text (cases[i].reason, cases[i].accepted, cases[i].withdrawn,
                                                       "Tina Tech", &title, &offer);

      g_assert_cmpstr (text, ==, cases[i].text);
      g_assert_cmpstr (title, ==, cases[i].title);
      g_assert_cmpint (offer, ==, cases[i].offer);
    }
}

static void
test_chat_menu_follows_options (void)
{
  g_autoptr(HdClient) client = hd_client_new ("http://127.0.0.1:9/");
  g_autoptr(HdSession) session = hd_session_new (HD_APP_ID_PORTAL, client);
  g_autoptr(JsonObject) object = request_object ("open", "false", "\"technician_unavailable\"", "");
  g_autoptr(HdRequest) request = hd_request_new_from_json (object, NULL);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = hd_portal_request_page_new ();
  GtkWidget *tina;

  g_assert_nonnull (request);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_set_child (GTK_WINDOW (window), page);
  hd_portal_request_page_set_request (HD_PORTAL_REQUEST_PAGE (page), session, request);
  gtk_window_present (GTK_WINDOW (window));

  /* Tina unavailable: she is listed, greyed out, and the page says why. */
  g_assert_cmpstr (hd_portal_request_page_get_reason_text (HD_PORTAL_REQUEST_PAGE (page)), ==,
                   "Tina Tech is not available for chat right now");
  tina = find_chat_button (page, "Chat with Tina Tech");
  g_assert_nonnull (tina);
  g_assert_false (gtk_widget_is_sensitive (tina));

  /* presence.changed → the session re-reads the request: it enables. */
  g_clear_pointer (&object, json_object_unref);
  object = request_object ("open", "true", "null", tina_json);
  hd_request_update_from_json (request, object);
  g_assert_null (hd_portal_request_page_get_reason_text (HD_PORTAL_REQUEST_PAGE (page)));
  tina = find_chat_button (page, "Chat with Tina Tech");
  g_assert_nonnull (tina);
  g_assert_true (gtk_widget_is_sensitive (tina));
  g_assert_cmpuint (count_chat_buttons (page), ==, 1);

  /* The team privilege: everyone the customer may pick. */
  g_clear_pointer (&object, json_object_unref);
  {
    g_autofree char *both = g_strdup_printf ("%s, %s", tina_json, theo_json);
    object = request_object ("open", "true", "null", both);
  }
  hd_request_update_from_json (request, object);
  g_assert_cmpuint (count_chat_buttons (page), ==, 2);
  g_assert_true (gtk_widget_is_sensitive (find_chat_button (page, "Chat with Theo Tech")));
  g_assert_true (gtk_widget_is_sensitive (find_chat_button (page, "Chat with Tina Tech")));

  /* privileges.changed: chat switched off. */
  g_clear_pointer (&object, json_object_unref);
  object = request_object ("open", "false", "\"chat_disabled\"", "");
  hd_request_update_from_json (request, object);
  g_assert_cmpstr (hd_portal_request_page_get_reason_text (HD_PORTAL_REQUEST_PAGE (page)), ==,
                   "Chat is switched off");
  g_assert_false (gtk_widget_is_sensitive (find_chat_button (page, "Chat with Tina Tech")));
  g_assert_null (find_chat_button (page, "Chat with Theo Tech"));

  g_clear_pointer (&object, json_object_unref);
  object = request_object ("open", "false", "\"chat_in_progress\"", "");
  hd_request_update_from_json (request, object);
  g_assert_cmpstr (hd_portal_request_page_get_reason_text (HD_PORTAL_REQUEST_PAGE (page)), ==,
                   "A chat about this request is already in progress");

  g_clear_pointer (&object, json_object_unref);
  object = request_object ("closed", "false", "\"request_closed\"", "");
  hd_request_update_from_json (request, object);
  g_assert_cmpstr (hd_portal_request_page_get_reason_text (HD_PORTAL_REQUEST_PAGE (page)), ==,
                   "This request is closed");

  hd_portal_request_page_set_request (HD_PORTAL_REQUEST_PAGE (page), NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
assert_accel (GtkApplication *app,
              const char     *action,
              const char     *accel)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (app, action);

  g_assert_nonnull (accels);
  g_assert_nonnull (accels[0]);
  g_assert_cmpstr (accels[0], ==, accel);
}

/* Ctrl+Q, Ctrl+W and Ctrl+? (the shortcuts window from the GResource). */
static void
test_app_shortcuts (void)
{
  g_autoptr(HdPortalApplication) app = hd_portal_application_new ();
  g_autoptr(GError) error = NULL;
  HdPortalWindow *window;
  GtkShortcutsWindow *overlay;
  guint n_toplevels;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  assert_accel (GTK_APPLICATION (app), "app.quit", "<Control>q");
  assert_accel (GTK_APPLICATION (app), "window.close", "<Control>w");
  assert_accel (GTK_APPLICATION (app), "win.show-help-overlay", "<Control>question");

  n_toplevels = g_list_model_get_n_items (gtk_window_get_toplevels ());
  window = hd_portal_window_new (app, "http://127.0.0.1:9/");
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-help-overlay"));
  /* Built when asked for, and destroyed when closed: GTK's own would be
   * built with the window and stay a hidden toplevel, which crashes GTK
   * 4.8's AT-SPI root (hd_app_use_lazy_help_overlay). */
  g_assert_null (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  g_assert_cmpuint (g_list_model_get_n_items (gtk_window_get_toplevels ()), ==, n_toplevels + 1);
  gtk_window_present (GTK_WINDOW (window));
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-help-overlay", NULL);
  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (overlay)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (overlay)) == GTK_WINDOW (window));
  gtk_window_close (GTK_WINDOW (overlay));
  g_assert_null (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  g_assert_cmpuint (g_list_model_get_n_items (gtk_window_get_toplevels ()), ==, n_toplevels + 1);
  g_assert_null (hd_portal_window_get_session (window));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  /* The strings compared are the untranslated ones. */
  g_setenv ("LANGUAGE", "C", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  hd_client_init_resources ();

  g_test_add_func ("/portal/reason-texts", test_reason_texts);
  g_test_add_func ("/portal/end-texts", test_end_texts);
  g_test_add_func ("/portal/chat-menu-follows-options", test_chat_menu_follows_options);
  g_test_add_func ("/portal/app-shortcuts", test_app_shortcuts);

  return g_test_run ();
}
