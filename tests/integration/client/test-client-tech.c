/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libhdclient's contract v2 "Technicians" calls against the real server:
 * transfer (who is offered, a refusal changes nothing, chat.transferred
 * moves the canonical chat between the chats lists and signals), canned
 * responses (checks before sending, a taken shortcut, the list follows
 * create/update/delete), search (highlights as byte ranges of the
 * snippet, also past accented letters). */
#define G_LOG_DOMAIN "test-client-tech"

#include "hdclient.h"
#include "hd-session-private.h"
#include "hd-error.h"
#include "hd-test-server.h"

#include <string.h>

static gboolean
is_connected (gpointer data)
{
  return hd_session_get_state (data) == HD_CONNECTION_CONNECTED;
}

static HdSession *
start_session (HdTestServer *server,
               const char   *who)
{
  g_autoptr(HdClient) client = hd_client_new (hd_test_server_next_url (server));
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUser) user = NULL;
  HdSession *session;

  hd_client_login_async (client, who, "demo", NULL, hd_test_async_cb, &res);
  user = hd_client_login_finish (client, hd_test_wait_result (&res, "login"), &error);
  g_assert_no_error (error);
  session = hd_session_new (NULL, client);
  hd_session_start (session);
  hd_test_wait (is_connected, session, 10000, "the event stream to connect");
  return session;
}

static void
patch_me (HdSession  *session,
          const char *member,
          gboolean    value)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  JsonObject *o = json_object_new ();
  g_autoptr(JsonNode) body = NULL;

  json_object_set_boolean_member (o, member, value);
  body = hd_json_object_node (o);
  hd_session_call_async (session, "PATCH", "/me", body, NULL, hd_test_async_cb, &res);
  answer = hd_session_call_finish (session, hd_test_wait_result (&res, "PATCH /me"), &error);
  g_assert_no_error (error);
}

static HdChat *
chat_finish (HdSession     *session,
             GAsyncResult **res,
             GError       **error)
{
  return hd_session_chat_finish (session, hd_test_wait_result (res, "chat call"), error);
}

static GListModel *
targets (HdSession *session)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *list;

  hd_session_list_transfer_targets_async (session, NULL, hd_test_async_cb, &res);
  list = hd_session_list_transfer_targets_finish (session, hd_test_wait_result (&res, "targets"), &error);
  g_assert_no_error (error);
  return list;
}

static gboolean
lists_name (GListModel *users,
            const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (users); i++)
    {
      g_autoptr(HdUser) u = g_list_model_get_item (users, i);

      if (g_strcmp0 (hd_user_get_name (u), name) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
in_list (GListModel *chats,
         gint64      chat_id)
{
  for (guint i = 0; i < g_list_model_get_n_items (chats); i++)
    {
      g_autoptr(HdChat) c = g_list_model_get_item (chats, i);

      if (hd_chat_get_id (c) == chat_id)
        return TRUE;
    }
  return FALSE;
}

typedef struct {
  HdSession *session;
  gint64     chat_id;
} InList;

static gboolean
chat_in_list (gpointer data)
{
  InList *w = data;
  return in_list (hd_session_get_chats (w->session), w->chat_id);
}

static gboolean
chat_not_in_list (gpointer data)
{
  return !chat_in_list (data);
}

static gboolean
chat_in_queue (gpointer data)
{
  InList *w = data;
  return in_list (hd_session_get_queue (w->session), w->chat_id);
}

/* As the app does: a technician accepts a chat she was offered
 * (chat.requested).  Across two servers the customer's chat.requested
 * reaches her through the bus; accepted before that, the late event would
 * still turn her copy back into a waiting chat. */
static void
wait_offered (HdSession *session,
              gint64     chat_id)
{
  InList w = { session, chat_id };

  hd_test_wait (chat_in_queue, &w, 10000, "chat.requested at the technician");
}

static void
count_signal (HdSession *session,
              HdChat    *chat,
              guint     *count)
{
  (*count)++;
}

static gboolean
count_is_1 (gpointer data)
{
  return *(guint *) data >= 1;
}

static gboolean
max_chats_is (HdSession *session,
              gint64     value)
{
  gint64 max = -1;

  g_object_get (session, "max-chats", &max, NULL);
  return max == value;
}

static gboolean
max_chats_is_1 (gpointer data)
{
  return max_chats_is (data, 1);
}

static gboolean
max_chats_is_0 (gpointer data)
{
  return max_chats_is (data, 0);
}

static void
test_transfer (void)
{
  HdTestServer *server = hd_test_server_start ();
  /* With two servers: Tina and Theo on the first, Carol on the second. */
  g_autoptr(HdSession) tina = start_session (server, "tina");
  g_autoptr(HdSession) carol = start_session (server, "carol");
  g_autoptr(HdSession) theo = start_session (server, "theo");
  g_autoptr(GListModel) offered = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdChat) chat = NULL;
  g_autoptr(HdChat) moved = NULL;
  guint theo_signals = 0, carol_signals = 0;
  InList theo_has, tina_has;
  HdChat *carol_chat;

  patch_me (tina, "available_for_chat", TRUE);
  patch_me (theo, "available_for_chat", TRUE);
  hd_session_start_chat_async (carol, 1, 0, NULL, hd_test_async_cb, &res);
  chat = chat_finish (carol, &res, &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  wait_offered (tina, hd_chat_get_id (chat));
  hd_session_accept_chat_async (tina, hd_chat_get_id (chat), NULL, hd_test_async_cb, &res);
  g_clear_object (&chat);
  chat = chat_finish (tina, &res, &error);
  g_assert_no_error (error);
  g_clear_object (&res);

  /* Offered: Theo (logged in, available, not away); not Tina herself,
   * not Ada (not logged in), not customers. */
  offered = targets (tina);
  g_assert_true (lists_name (offered, "Theo Tech"));
  g_assert_false (lists_name (offered, "Tina Tech"));
  g_assert_false (lists_name (offered, "Ada Admin"));
  g_assert_false (lists_name (offered, "Carol Customer"));
  g_clear_object (&offered);

  /* Theo away: not offered, and a transfer to him is refused, nothing
   * changed. */
  patch_me (theo, "away", TRUE);
  offered = targets (tina);
  g_assert_false (lists_name (offered, "Theo Tech"));
  hd_session_transfer_chat_async (tina, hd_chat_get_id (chat),
                                  hd_user_get_id (hd_session_get_user (theo)), 0,
                                  NULL, hd_test_async_cb, &res);
  moved = chat_finish (tina, &res, &error);
  g_assert_null (moved);
  g_assert_error (error, HD_ERROR, HD_ERROR_TECHNICIAN_UNAVAILABLE);
  g_clear_error (&error);
  g_clear_object (&res);
  g_assert_cmpint (hd_user_get_id (hd_chat_get_technician (chat)), ==,
                   hd_user_get_id (hd_session_get_user (tina)));
  g_assert_true (in_list (hd_session_get_chats (tina), hd_chat_get_id (chat)));

  /* Back: the transfer goes through; Theo gains the chat (signal and
   * chats list), Tina loses it, Carol's canonical chat names Theo. */
  patch_me (theo, "away", FALSE);
  g_signal_connect (theo, "chat-transferred", G_CALLBACK (count_signal), &theo_signals);
  g_signal_connect (carol, "chat-transferred", G_CALLBACK (count_signal), &carol_signals);
  hd_session_transfer_chat_async (tina, hd_chat_get_id (chat),
                                  hd_user_get_id (hd_session_get_user (theo)), 0,
                                  NULL, hd_test_async_cb, &res);
  moved = chat_finish (tina, &res, &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  g_assert_true (moved == chat);   /* the canonical object, in place */
  g_assert_cmpstr (hd_user_get_name (hd_chat_get_technician (chat)), ==, "Theo Tech");
  g_assert_false (in_list (hd_session_get_chats (tina), hd_chat_get_id (chat)));
  theo_has = (InList) { theo, hd_chat_get_id (chat) };
  hd_test_wait (chat_in_list, &theo_has, 10000, "the chat in Theo's list");
  hd_test_wait (count_is_1, &theo_signals, 10000, "Theo's chat-transferred");
  hd_test_wait (count_is_1, &carol_signals, 10000, "Carol's chat-transferred");
  carol_chat = hd_session_lookup_chat (carol, hd_chat_get_id (chat));
  g_assert_cmpstr (hd_user_get_name (hd_chat_get_technician (carol_chat)), ==, "Theo Tech");
  g_assert_cmpint (hd_chat_get_state (carol_chat), ==, HD_CHAT_STATE_ACTIVE);

  /* At the limit of chats (1), Theo (who has this one now) is not
   * offered to Tina; Tina (none) is offered to Theo.  No limit: offered. */
  {
    g_autoptr(HdSession) admin = start_session (server, "admin");

    hd_session_set_chat_limits_async (admin, 1, 300, 0, NULL, hd_test_async_cb, &res);
    g_assert_true (hd_session_set_privileges_finish (admin, hd_test_wait_result (&res, "limits"), &error));
    g_assert_no_error (error);
    g_clear_object (&res);
    hd_test_wait (max_chats_is_1, tina, 10000, "Tina's session to learn the limit");
    g_clear_object (&offered);
    offered = targets (tina);
    g_assert_false (lists_name (offered, "Theo Tech"));
    g_clear_object (&offered);
    hd_test_wait (max_chats_is_1, theo, 10000, "Theo's session to learn the limit");
    offered = targets (theo);
    g_assert_true (lists_name (offered, "Tina Tech"));
    g_clear_object (&offered);

    hd_session_set_chat_limits_async (admin, 0, 300, 0, NULL, hd_test_async_cb, &res);
    g_assert_true (hd_session_set_privileges_finish (admin, hd_test_wait_result (&res, "limits"), &error));
    g_assert_no_error (error);
    g_clear_object (&res);
    hd_test_wait (max_chats_is_0, tina, 10000, "Tina's session to learn there is no limit");
    offered = targets (tina);
    g_assert_true (lists_name (offered, "Theo Tech"));
    hd_session_stop (admin);
  }

  /* Theo hands it back to the team queue: a waiting team chat nobody
   * is a member of yet (Tina's list does not get it back). */
  hd_session_transfer_chat_async (theo, hd_chat_get_id (chat), 0, 1, NULL, hd_test_async_cb, &res);
  g_clear_object (&moved);
  moved = chat_finish (theo, &res, &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  g_assert_cmpint (hd_chat_get_state (moved), ==, HD_CHAT_STATE_WAITING);
  g_assert_cmpstr (hd_chat_get_target_kind (moved), ==, "team");
  g_assert_false (in_list (hd_session_get_chats (theo), hd_chat_get_id (chat)));
  tina_has = (InList) { tina, hd_chat_get_id (chat) };
  hd_test_run_for (300);
  g_assert_true (chat_not_in_list (&tina_has));

  hd_session_stop (carol);
  hd_session_stop (theo);
  hd_session_stop (tina);
  hd_test_server_free (server);
}

static HdCannedResponse *
canned_finish (HdSession     *session,
               GAsyncResult **res,
               GError       **error)
{
  return hd_session_canned_finish (session, hd_test_wait_result (res, "canned"), error);
}

static gboolean
has_items (gpointer data)
{
  return g_list_model_get_n_items (data) > 0;
}

static void
test_canned (void)
{
  HdTestServer *server = hd_test_server_start ();
  g_autoptr(HdSession) tina = start_session (server, "tina");
  GListModel *list = hd_session_get_canned_responses (tina);
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdCannedResponse) made = NULL;
  g_autoptr(HdCannedResponse) again = NULL;
  g_autoptr(HdCannedResponse) first = NULL;
  gboolean deleted;

  /* Refused before asking: an empty shortcut, bad characters, an empty
   * body.  Nothing reaches the list. */
  hd_session_create_canned_async (tina, "", "T", "Body", NULL, 0, NULL, hd_test_async_cb, &res);
  g_assert_null (canned_finish (tina, &res, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  g_clear_object (&res);
  hd_session_create_canned_async (tina, "Hello World", "T", "Body", NULL, 0, NULL, hd_test_async_cb, &res);
  g_assert_null (canned_finish (tina, &res, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  g_clear_object (&res);
  hd_session_create_canned_async (tina, "hello", "T", "   ", NULL, 0, NULL, hd_test_async_cb, &res);
  g_assert_null (canned_finish (tina, &res, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  g_clear_object (&res);
  hd_test_run_for (300);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);

  /* Made: in the list, in shortcut order. */
  hd_session_create_canned_async (tina, "zebra", "Last", "Z body", NULL, 0, NULL, hd_test_async_cb, &res);
  g_clear_object (&made);
  made = canned_finish (tina, &res, &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  hd_session_create_canned_async (tina, "hello", "Greeting", "Hello!", NULL, 0, NULL, hd_test_async_cb, &res);
  g_clear_object (&made);
  made = canned_finish (tina, &res, &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  g_assert_cmpstr (hd_canned_response_get_scope (made), ==, "personal");
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  first = g_list_model_get_item (list, 0);
  g_assert_true (first == made);

  /* A taken shortcut: conflict, nothing new. */
  hd_session_create_canned_async (tina, "hello", "Again", "Hi", NULL, 0, NULL, hd_test_async_cb, &res);
  again = canned_finish (tina, &res, &error);
  g_assert_null (again);
  g_assert_error (error, HD_ERROR, HD_ERROR_CONFLICT);
  g_clear_error (&error);
  g_clear_object (&res);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);

  /* Changed in place; a new shortcut moves it. */
  hd_session_update_canned_async (tina, hd_canned_response_get_id (made), "zz-top", NULL, "Changed",
                                  NULL, hd_test_async_cb, &res);
  again = canned_finish (tina, &res, &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  g_assert_true (again == made);
  g_assert_cmpstr (hd_canned_response_get_body (made), ==, "Changed");
  g_clear_object (&first);
  first = g_list_model_get_item (list, 1);
  g_assert_true (first == made);

  /* Deleted: gone from the list; a fresh session reads one. */
  hd_session_delete_canned_async (tina, hd_canned_response_get_id (made), NULL, hd_test_async_cb, &res);
  deleted = hd_session_delete_canned_finish (tina, hd_test_wait_result (&res, "delete"), &error);
  g_assert_no_error (error);
  g_assert_true (deleted);
  g_clear_object (&res);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  {
    g_autoptr(HdSession) other = start_session (server, "tina");
    GListModel *fresh = hd_session_get_canned_responses (other);

    hd_test_wait (has_items, fresh, 10000, "the responses read");
    g_assert_cmpuint (g_list_model_get_n_items (fresh), ==, 1);
    hd_session_stop (other);
  }

  hd_session_stop (tina);
  hd_test_server_free (server);
}

static void
test_search (void)
{
  HdTestServer *server = hd_test_server_start ();
  g_autoptr(HdSession) tina = start_session (server, "tina");
  g_autoptr(HdSession) carol = start_session (server, "carol");
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdChat) chat = NULL;
  g_autoptr(GListModel) results = NULL;
  g_autoptr(HdSearchResult) hit = NULL;
  const char *body = "Grüße, ça va? The tonér is empty";
  const guint *ranges;
  guint n = 0;
  const char *snippet;

  patch_me (tina, "available_for_chat", TRUE);
  hd_session_start_chat_async (carol, 1, 0, NULL, hd_test_async_cb, &res);
  chat = chat_finish (carol, &res, &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  wait_offered (tina, hd_chat_get_id (chat));
  hd_session_accept_chat_async (tina, hd_chat_get_id (chat), NULL, hd_test_async_cb, &res);
  g_clear_object (&chat);
  chat = chat_finish (tina, &res, &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  g_assert_nonnull (hd_session_send_message (carol, hd_chat_get_id (chat), body, &error));
  hd_test_run_for (1000);

  /* Blank is refused before asking. */
  hd_session_search_async (tina, "   ", 0, NULL, hd_test_async_cb, &res);
  g_assert_null (hd_session_search_finish (tina, hd_test_wait_result (&res, "search"), &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  g_clear_object (&res);

  /* A prefix without the accent finds the word after the accented ones;
   * its range is in bytes of the snippet and covers "tonér". */
  hd_session_search_async (tina, "toner", 10, NULL, hd_test_async_cb, &res);
  results = hd_session_search_finish (tina, hd_test_wait_result (&res, "search"), &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  g_assert_cmpuint (g_list_model_get_n_items (results), >=, 1);
  hit = g_list_model_get_item (results, 0);
  g_assert_cmpint (hd_search_result_get_hit (hit), ==, HD_SEARCH_HIT_MESSAGE);
  g_assert_cmpint (hd_search_result_get_request_id (hit), ==, 1);
  g_assert_cmpint (hd_search_result_get_chat_id (hit), ==, hd_chat_get_id (chat));
  snippet = hd_search_result_get_snippet (hit);
  g_assert_nonnull (strstr (snippet, "tonér"));
  ranges = hd_search_result_get_highlights (hit, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (ranges[1], <=, strlen (snippet));
  {
    g_autofree char *word = g_strndup (snippet + ranges[0], ranges[1] - ranges[0]);

    g_assert_cmpstr (word, ==, "tonér");
  }

  hd_session_stop (carol);
  hd_session_stop (tina);
  hd_test_server_free (server);
}

static void
on_requested (HdSession *session,
              HdChat    *chat,
              guint     *count)
{
  (*count)++;
}

static void
on_message (HdSession *session,
            HdMessage *message,
            gboolean  *flag)
{
  *flag = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

/* Tina accepts Carol's chat by id at once, before her own session was
 * offered it.  With two servers (Tina on the first, Carol on the second)
 * Carol's chat.requested crosses the bus and reaches Tina after the answer
 * to her accept: that late, older copy must not turn her chat back into a
 * waiting one without a technician, nor offer it to her again.  Carol's
 * next message comes after it through the same bus, so once Tina has the
 * message the late event has been handled. */
static void
test_late_request (void)
{
  HdTestServer *server = hd_test_server_start ();
  g_autoptr(HdSession) tina = start_session (server, "tina");
  g_autoptr(HdSession) carol = start_session (server, "carol");
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdChat) started = NULL;
  g_autoptr(HdChat) chat = NULL;
  gboolean got_message = FALSE;
  guint requested = 0;
  InList tina_has;

  patch_me (tina, "available_for_chat", TRUE);
  g_signal_connect (tina, "message-received", G_CALLBACK (on_message), &got_message);
  hd_session_start_chat_async (carol, 1, 0, NULL, hd_test_async_cb, &res);
  started = chat_finish (carol, &res, &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  hd_session_accept_chat_async (tina, hd_chat_get_id (started), NULL, hd_test_async_cb, &res);
  chat = chat_finish (tina, &res, &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  g_assert_cmpint (hd_chat_get_state (chat), ==, HD_CHAT_STATE_ACTIVE);
  g_signal_connect (tina, "chat-requested", G_CALLBACK (on_requested), &requested);

  g_assert_nonnull (hd_session_send_message (carol, hd_chat_get_id (started), "after the accept", &error));
  g_assert_no_error (error);
  hd_test_wait (flag_set, &got_message, 10000, "Carol's message at Tina");

  g_assert_cmpint (hd_chat_get_state (chat), ==, HD_CHAT_STATE_ACTIVE);
  g_assert_nonnull (hd_chat_get_technician (chat));
  g_assert_cmpint (hd_user_get_id (hd_chat_get_technician (chat)), ==,
                   hd_user_get_id (hd_session_get_user (tina)));
  g_assert_cmpuint (requested, ==, 0);
  tina_has = (InList) { tina, hd_chat_get_id (chat) };
  g_assert_false (chat_in_queue (&tina_has));
  g_assert_true (chat_in_list (&tina_has));

  hd_session_stop (carol);
  hd_session_stop (tina);
  hd_test_server_free (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client-tech/transfer", test_transfer);
  g_test_add_func ("/client-tech/canned", test_canned);
  g_test_add_func ("/client-tech/search", test_search);
  g_test_add_func ("/client-tech/late-request", test_late_request);
  return g_test_run ();
}
