/* SPDX-License-Identifier: GPL-3.0-or-later */
/* People's text is never markup: a customer named <b>Bob</b> & "Co", a
 * technician named <i>Tess</i> & "T" and a request whose subject and
 * description look like markup, through the real server, shown by the
 * real widgets of both apps.  Every label that shows any of them must show
 * all of it literally, and so must the toasts. */
#define G_LOG_DOMAIN "test-markup"

#include <adwaita.h>

#include "hdclient.h"
#include "hd-session-private.h"
#include "hd-error.h"
#include "hd-test-server.h"
#include "hd-portal-chat-window.h"
#include "hd-portal-request-page.h"
#include "hd-tech-chat-window.h"
#include "hd-tech-window.h"
#include "hd-tech-transfer-dialog.h"
#include "hd-tech-search-panel.h"

#define CUSTOMER    "<b>Bob</b> & \"Co\""
#define TECHNICIAN  "<i>Tess</i> & \"T\""
#define SUBJECT     "<u>Ink</u> & \"toner\""
#define DESCRIPTION "<span foreground='red'>Zebra</span> &amp; plain"
#define MESSAGE     "<big>hello</big> & <tt>bye</tt>"

/* A literal and the word a markup parser would leave of it. */
static const struct { const char *literal; const char *word; } texts[] = {
  { CUSTOMER, "Bob" },
  { TECHNICIAN, "Tess" },
  { SUBJECT, "Ink" },
  { DESCRIPTION, "Zebra" },
  { MESSAGE, "hello" },
};

static JsonNode *
call (HdClient   *client,
      const char *method,
      const char *path,
      const char *json)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = json ? json_from_string (json, &error) : NULL;
  JsonNode *answer;

  g_assert_no_error (error);
  hd_client_call_async (client, method, path, body, NULL, hd_test_async_cb, &res);
  answer = hd_client_call_finish (client, hd_test_wait_result (&res, path), &error);
  g_assert_no_error (error);
  return answer;
}

static gint64
id_of (JsonNode *node)
{
  return json_object_get_int_member (json_node_get_object (node), "id");
}

static HdSession *
login (HdTestServer *server,
       const char   *who,
       const char   *password)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  HdSession *session;

  hd_session_login_async (NULL, server->url, who, password, FALSE, NULL, hd_test_async_cb, &res);
  session = hd_session_login_finish (hd_test_wait_result (&res, who), &error);
  g_assert_no_error (error);
  return session;
}

/* Every label below @root: the text it shows (markup already parsed). */
static void
collect_labels (GtkWidget *root,
                GPtrArray *out)
{
  if (GTK_IS_LABEL (root))
    g_ptr_array_add (out, g_strdup (gtk_label_get_text (GTK_LABEL (root))));
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, out);
}

/* Each label showing a word of one of the texts shows the whole text
 * literally; returns how many labels showed some text, per text. */
static void
check_labels (GtkWidget  *root,
              const char *where,
              guint       seen[G_N_ELEMENTS (texts)])
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

  collect_labels (root, labels);
  for (guint i = 0; i < labels->len; i++)
    {
      const char *shown = g_ptr_array_index (labels, i);

      for (guint t = 0; t < G_N_ELEMENTS (texts); t++)
        {
          if (strstr (shown, texts[t].word) == NULL)
            continue;
          if (strstr (shown, texts[t].literal) == NULL)
            g_error ("%s: a label shows “%s”, not “%s” literally", where, shown, texts[t].literal);
          seen[t]++;
        }
    }
}

static gboolean
is_connected (gpointer data)
{
  return hd_session_get_state (data) == HD_CONNECTION_CONNECTED;
}

static gboolean
has_n_items (gpointer data)
{
  return g_list_model_get_n_items (data) >= 2;
}

static gboolean
is_active (gpointer data)
{
  return hd_chat_get_state (data) == HD_CHAT_STATE_ACTIVE;
}

static gboolean
request_loaded (gpointer data)
{
  return hd_request_get_subject (data) != NULL && hd_request_get_assignee (data) != NULL;
}

static AdwToastOverlay *
find_toast_overlay (GtkWidget *root)
{
  if (ADW_IS_TOAST_OVERLAY (root))
    return ADW_TOAST_OVERLAY (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwToastOverlay *found = find_toast_overlay (child);
      if (found)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_search_entry (GtkWidget *root)
{
  if (GTK_IS_SEARCH_ENTRY (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_search_entry (child);
      if (found)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_chat_bin (GtkWidget *root)
{
  if (HD_IS_CHAT_VIEW (root))
    return gtk_widget_get_parent (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_chat_bin (child);
      if (found)
        return found;
    }
  return NULL;
}

static gboolean
is_rated (gpointer data)
{
  return hd_chat_get_rating (data) > 0;
}

static void
test_people_text_is_literal (void)
{
  HdTestServer *server = hd_test_server_start ();
  g_autoptr(HdSession) admin = login (server, "admin", "demo");
  HdClient *rest = hd_session_get_client (admin);
  g_autoptr(JsonNode) bob = NULL;
  g_autoptr(JsonNode) tess = NULL;
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(HdSession) bob_s = NULL;
  g_autoptr(HdSession) tess_s = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdChat) chat = NULL;
  g_autoptr(GtkApplication) app = NULL;
  g_autofree char *json = NULL;
  g_autofree char *toast = NULL;
  guint seen[G_N_ELEMENTS (texts)] = { 0 };
  HdRequest *canonical;
  HdTechWindow *tech_window;
  HdTechChatWindow *tech_chat;
  HdPortalChatWindow *portal_chat;
  GtkWidget *page_window;
  GtkWidget *page;
  GtkWidget *notes_window;
  GtkWidget *notes;
  GtkWidget *search_window;
  GtkWidget *search;
  HdTechTransferDialog *transfer;
  g_autoptr(JsonNode) canned = NULL;

  json = g_strdup_printf ("{\"login\": \"bob\", \"name\": \"%s\", \"email\": \"bob@example.com\","
                          " \"role\": \"customer\", \"password\": \"bob-password\"}",
                          "<b>Bob</b> & \\\"Co\\\"");
  bob = call (rest, "POST", "/users", json);
  g_clear_pointer (&json, g_free);
  json = g_strdup_printf ("{\"login\": \"tess\", \"name\": \"%s\", \"email\": \"tess@example.com\","
                          " \"role\": \"technician\", \"password\": \"tess-password\"}",
                          "<i>Tess</i> & \\\"T\\\"");
  tess = call (rest, "POST", "/users", json);
  g_clear_pointer (&json, g_free);
  json = g_strdup_printf ("{\"subject\": \"<u>Ink</u> & \\\"toner\\\"\","
                          " \"description\": \"<span foreground='red'>Zebra</span> &amp; plain\","
                          " \"customer_id\": %" G_GINT64_FORMAT ", \"assignee_id\": %" G_GINT64_FORMAT "}",
                          id_of (bob), id_of (tess));
  request = call (rest, "POST", "/requests", json);

  tess_s = login (server, "tess", "tess-password");
  bob_s = login (server, "bob", "bob-password");
  hd_test_wait (is_connected, tess_s, 10000, "Tess's socket");
  hd_test_wait (is_connected, bob_s, 10000, "Bob's socket");
  g_assert_cmpstr (hd_user_get_name (hd_session_get_user (bob_s)), ==, CUSTOMER);

  /* A chat with a message each way. */
  hd_session_set_available_async (tess_s, TRUE, NULL, hd_test_async_cb, &res);
  g_assert_true (hd_session_set_available_finish (tess_s, hd_test_wait_result (&res, "available"), &error));
  g_clear_object (&res);
  g_usleep (G_USEC_PER_SEC / 5);
  hd_session_start_chat_async (bob_s, id_of (request), id_of (tess), NULL, hd_test_async_cb, &res);
  chat = hd_session_chat_finish (bob_s, hd_test_wait_result (&res, "start"), &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  hd_session_accept_chat_async (tess_s, hd_chat_get_id (chat), NULL, hd_test_async_cb, &res);
  g_clear_object (&chat);
  chat = hd_session_chat_finish (tess_s, hd_test_wait_result (&res, "accept"), &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  hd_test_wait (is_active, hd_session_lookup_chat (bob_s, hd_chat_get_id (chat)), 10000, "the chat to start");
  g_assert_nonnull (hd_session_send_message (bob_s, hd_chat_get_id (chat), MESSAGE, &error));
  g_assert_nonnull (hd_session_send_message (tess_s, hd_chat_get_id (chat), MESSAGE, &error));
  hd_test_wait (has_n_items, hd_session_get_messages (tess_s, hd_chat_get_id (chat)), 10000, "the messages");
  canonical = hd_session_get_request (tess_s, id_of (request));
  hd_test_wait (request_loaded, canonical, 10000, "the request");

  /* Contract v2: a canned response whose title and text look like
   * markup (global, so Tess has it). */
  canned = call (rest, "POST", "/canned-responses",
                 "{\"shortcut\": \"ink\", \"title\": \"<u>Ink</u> & \\\"toner\\\"\","
                 " \"body\": \"<big>hello</big> & <tt>bye</tt>\", \"scope\": \"global\"}");

  /* The technician's app: main window (requests, queue, My Account) and
   * the chat window. */
  app = GTK_APPLICATION (adw_application_new ("com.helpdeskchat.MarkupTest", G_APPLICATION_NON_UNIQUE));
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  tech_window = g_object_new (HD_TYPE_TECH_WINDOW, NULL);
  hd_tech_window_set_session (tech_window, tess_s);
  gtk_window_present (GTK_WINDOW (tech_window));
  tech_chat = hd_tech_chat_window_new (app, tess_s, hd_session_lookup_chat (tess_s, hd_chat_get_id (chat)));
  gtk_window_present (GTK_WINDOW (tech_chat));

  /* The customer's: the request page and the chat window. */
  page_window = gtk_window_new ();
  page = hd_portal_request_page_new ();
  gtk_window_set_default_size (GTK_WINDOW (page_window), 800, 600);
  gtk_window_set_child (GTK_WINDOW (page_window), page);
  hd_portal_request_page_set_request (HD_PORTAL_REQUEST_PAGE (page), bob_s,
                                      hd_session_get_request (bob_s, id_of (request)));
  gtk_window_present (GTK_WINDOW (page_window));
  portal_chat = hd_portal_chat_window_new (NULL, bob_s, hd_session_lookup_chat (bob_s, hd_chat_get_id (chat)));
  gtk_window_present (GTK_WINDOW (portal_chat));

  /* The transcript in the Notes. */
  notes_window = gtk_window_new ();
  notes = hd_notes_view_new (bob_s, id_of (request));
  gtk_window_set_default_size (GTK_WINDOW (notes_window), 800, 600);
  gtk_window_set_child (GTK_WINDOW (notes_window), notes);
  gtk_window_present (GTK_WINDOW (notes_window));

  /* Contract v2 in the technician's app: the canned popover (typing
   * "/ink"), My Account's canned responses (in the main window), the
   * transfer dialog listing Tess (opened by the admin), search results
   * with snippets, and the customer's rating with a comment. */
  hd_session_refresh_canned_responses (tess_s);
  hd_test_run_for (500);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (hd_chat_view_get_text_view (
                              HD_CHAT_VIEW (gtk_widget_get_first_child (find_chat_bin (GTK_WIDGET (tech_chat)))))),
                            "/ink", -1);
  transfer = hd_tech_transfer_dialog_new (GTK_WINDOW (tech_window), admin,
                                          hd_session_lookup_chat (tess_s, hd_chat_get_id (chat)));
  gtk_window_present (GTK_WINDOW (transfer));
  search_window = gtk_window_new ();
  search = hd_tech_search_panel_new ();
  gtk_window_set_default_size (GTK_WINDOW (search_window), 400, 600);
  gtk_window_set_child (GTK_WINDOW (search_window), search);
  hd_tech_search_panel_set_session (HD_TECH_SEARCH_PANEL (search), tess_s);
  hd_tech_search_panel_set_search_mode (HD_TECH_SEARCH_PANEL (search), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (find_search_entry (search)), "hello");
  gtk_window_present (GTK_WINDOW (search_window));
  hd_session_end_chat_async (bob_s, hd_chat_get_id (chat), NULL, hd_test_async_cb, &res);
  g_clear_object (&chat);
  chat = hd_session_chat_finish (bob_s, hd_test_wait_result (&res, "end"), &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  hd_session_rate_chat_async (bob_s, hd_chat_get_id (chat), 4, DESCRIPTION, NULL, hd_test_async_cb, &res);
  g_clear_object (&chat);
  chat = hd_session_chat_finish (bob_s, hd_test_wait_result (&res, "rate"), &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  hd_test_wait (is_rated, hd_session_lookup_chat (tess_s, hd_chat_get_id (chat)), 10000, "the rating");

  /* Toasts with names, as the apps make them ("Taken by …"), and one
   * with the server's text (the mail is not configured here). */
  toast = g_strdup_printf ("Taken by %s", TECHNICIAN);
  hd_tech_window_add_toast (tech_window, toast);
  hd_tech_chat_window_add_toast (tech_chat, CUSTOMER);
  hd_toast_overlay_add_text (find_toast_overlay (GTK_WIDGET (portal_chat)), SUBJECT);
  gtk_widget_activate_action (GTK_WIDGET (portal_chat), "chat.email", NULL);
  hd_test_run_for (1500);

  check_labels (GTK_WIDGET (tech_window), "technician window", seen);
  check_labels (GTK_WIDGET (tech_chat), "technician chat window", seen);
  check_labels (page_window, "portal request page", seen);
  check_labels (GTK_WIDGET (portal_chat), "portal chat window", seen);
  check_labels (notes_window, "notes", seen);
  check_labels (GTK_WIDGET (transfer), "transfer dialog", seen);
  check_labels (search_window, "search results", seen);
  {
    /* The v2 widgets showed the texts too (not only the older ones). */
    guint v2[G_N_ELEMENTS (texts)] = { 0 };
    g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
    gboolean rating = FALSE, popover = FALSE;

    check_labels (GTK_WIDGET (transfer), "transfer dialog", v2);
    g_assert_cmpuint (v2[1], >, 0);            /* Tess in the transfer dialog */
    check_labels (search_window, "search results", v2);
    g_assert_cmpuint (v2[4], >, 0);            /* the message in a snippet */
    collect_labels (GTK_WIDGET (tech_chat), labels);
    for (guint i = 0; i < labels->len; i++)
      {
        const char *shown = g_ptr_array_index (labels, i);

        rating |= g_str_has_prefix (shown, "★★★★☆ ") && strstr (shown, DESCRIPTION) != NULL;
        popover |= g_strcmp0 (shown, SUBJECT) == 0;
      }
    g_assert_true (rating);                    /* the comment, literally */
    g_assert_true (popover);                   /* the canned title in the popover */
  }
  for (guint t = 0; t < G_N_ELEMENTS (texts); t++)
    {
      g_test_message ("%s shown literally by %u labels", texts[t].literal, seen[t]);
      g_assert_cmpuint (seen[t], >, 0);
    }

  gtk_window_destroy (GTK_WINDOW (search_window));
  gtk_window_destroy (GTK_WINDOW (transfer));
  gtk_window_destroy (GTK_WINDOW (notes_window));
  gtk_window_destroy (GTK_WINDOW (portal_chat));
  gtk_window_destroy (GTK_WINDOW (page_window));
  gtk_window_destroy (GTK_WINDOW (tech_chat));
  gtk_window_destroy (GTK_WINDOW (tech_window));
  hd_session_stop (bob_s);
  hd_session_stop (tess_s);
  hd_session_stop (admin);
  hd_test_server_free (server);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  hd_client_init_resources ();

  g_test_add_func ("/markup/people-text-is-literal", test_people_text_is_literal);
  return g_test_run ();
}
