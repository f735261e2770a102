/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libhdclient against the real helpdesk-server: REST, events, the
 * per-chat message stores, live transcript notes, and a dropped socket
 * mid-chat (nothing lost, nothing doubled). */
#define G_LOG_DOMAIN "test-client"

#include "hdclient.h"
#include "hd-session-private.h"
#include "hd-error.h"
#include "hd-test-server.h"

#include <signal.h>
#include <string.h>

/* Helpers */

/* One REST call on the transport, waited for. */
static JsonNode *
call_json (HdClient    *client,
           const char  *method,
           const char  *path,
           JsonObject  *body,
           GError     **error)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(JsonNode) node = body ? hd_json_object_node (json_object_ref (body)) : NULL;

  hd_client_call_async (client, method, path, node, NULL, hd_test_async_cb, &res);
  return hd_client_call_finish (client, hd_test_wait_result (&res, path), error);
}

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
  g_assert_nonnull (user);
  g_assert_cmpstr (hd_user_get_login (user), ==, who);
  return g_steal_pointer (&client);
}

static gboolean
is_connected (gpointer data)
{
  return hd_session_get_state (data) == HD_CONNECTION_CONNECTED;
}

static gboolean
is_not_connected (gpointer data)
{
  return hd_session_get_state (data) != HD_CONNECTION_CONNECTED;
}

static HdSession *
start_session (HdTestServer *server,
               const char   *who)
{
  g_autoptr(HdClient) client = login (server, who);
  HdSession *session = hd_session_new (NULL, client);

  hd_session_start (session);
  hd_test_wait (is_connected, session, 10000, "the event stream to connect");
  return session;
}

typedef struct {
  GListModel *model;
  guint n;
} CountWait;

static gboolean
has_n_items (gpointer data)
{
  CountWait *w = data;
  return g_list_model_get_n_items (w->model) >= w->n;
}

static void
wait_items (GListModel *model,
            guint       n,
            const char *what)
{
  CountWait w = { model, n };
  hd_test_wait (has_n_items, &w, 15000, what);
}

/* All n messages acknowledged, i.e. no item still sending. */
static gboolean
all_sent (gpointer data)
{
  CountWait *w = data;
  guint items = g_list_model_get_n_items (w->model);

  if (items < w->n)
    return FALSE;
  for (guint i = 0; i < items; i++)
    {
      g_autoptr(HdMessage) m = g_list_model_get_item (w->model, i);
      if (hd_message_get_state (m) != HD_MESSAGE_STATE_SENT)
        return FALSE;
    }
  return TRUE;
}

static void
wait_all_sent (GListModel *model,
               guint       n,
               const char *what)
{
  CountWait w = { model, n };
  hd_test_wait (all_sent, &w, 20000, what);
}

/* The store holds exactly seqs 1..n in order, each body once. */
static void
assert_seqs_1_to_n (GListModel *model,
                    guint       n)
{
  g_autoptr(GHashTable) bodies = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HdMessage) m = g_list_model_get_item (model, i);

      g_assert_cmpint (hd_message_get_seq (m), ==, (gint64) i + 1);
      g_assert_cmpint (hd_message_get_state (m), ==, HD_MESSAGE_STATE_SENT);
      g_assert_false (g_hash_table_contains (bodies, hd_message_get_body (m)));
      g_hash_table_add (bodies, (gpointer) hd_message_get_body (m));
    }
}

static guint
count_body (GListModel *model,
            const char *body)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(HdMessage) m = g_list_model_get_item (model, i);
      if (g_strcmp0 (hd_message_get_body (m), body) == 0)
        n++;
    }
  return n;
}

static void
set_available (HdSession *session)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;

  hd_session_set_available_async (session, TRUE, NULL, hd_test_async_cb, &res);
  g_assert_true (hd_session_set_available_finish (session, hd_test_wait_result (&res, "available"), &error));
  g_assert_no_error (error);
  g_assert_true (hd_user_get_available_for_chat (hd_session_get_user (session)));
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static void
on_flag_signal (gpointer instance,
                gpointer arg,
                gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* Carol asks for a chat on request #1 (Tina's); Tina accepts it.  Returns
 * the chat as Tina's session knows it. */
static HdChat *
open_chat (HdSession *tina,
           HdSession *carol)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GAsyncResult) res2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdChat) started = NULL;
  g_autoptr(HdChat) accepted = NULL;
  gboolean requested = FALSE, carol_accepted = FALSE;
  gulong h1, h2;

  set_available (tina);
  h1 = g_signal_connect (tina, "chat-requested", G_CALLBACK (on_flag_signal), &requested);
  h2 = g_signal_connect (carol, "chat-accepted", G_CALLBACK (on_flag_signal), &carol_accepted);

  hd_session_start_chat_async (carol, 1, 0, NULL, hd_test_async_cb, &res);
  started = hd_session_chat_finish (carol, hd_test_wait_result (&res, "start chat"), &error);
  g_assert_no_error (error);
  g_assert_cmpint (hd_chat_get_state (started), ==, HD_CHAT_STATE_WAITING);

  hd_test_wait (flag_set, &requested, 10000, "chat.requested at Tina");
  g_assert_cmpuint (hd_session_get_waiting_count (tina), ==, 1);

  hd_session_accept_chat_async (tina, hd_chat_get_id (started), NULL, hd_test_async_cb, &res2);
  accepted = hd_session_chat_finish (tina, hd_test_wait_result (&res2, "accept"), &error);
  g_assert_no_error (error);
  g_assert_cmpint (hd_chat_get_state (accepted), ==, HD_CHAT_STATE_ACTIVE);
  g_assert_cmpuint (hd_session_get_waiting_count (tina), ==, 0);
  g_assert_true (accepted == hd_session_lookup_chat (tina, hd_chat_get_id (started)));

  hd_test_wait (flag_set, &carol_accepted, 10000, "chat.accepted at Carol");
  /* Carol's copy was updated in place. */
  g_assert_cmpint (hd_chat_get_state (started), ==, HD_CHAT_STATE_ACTIVE);

  g_signal_handler_disconnect (tina, h1);
  g_signal_handler_disconnect (carol, h2);
  return g_steal_pointer (&accepted);
}

/* Tests */

static void
test_rest (void)
{
  HdTestServer *server = hd_test_server_start ();
  g_autoptr(HdClient) bad = hd_client_new (server->url);
  g_autoptr(HdClient) tina = NULL;
  g_autoptr(HdClient) nowhere = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUser) user = NULL;
  g_autoptr(HdRequest) request = NULL;
  g_autoptr(HdSession) session = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;
  gboolean found = FALSE;

  /* A wrong password: 401 with the server's message. */
  hd_client_login_async (bad, "tina", "wrong", NULL, hd_test_async_cb, &res);
  user = hd_client_login_finish (bad, hd_test_wait_result (&res, "bad login"), &error);
  g_assert_null (user);
  g_assert_error (error, HD_ERROR, HD_ERROR_UNAUTHORIZED);
  g_assert_cmpstr (error->message, !=, "");
  g_assert_null (hd_client_get_token (bad));
  g_clear_error (&error);
  g_clear_object (&res);

  tina = login (server, "tina");
  g_assert_nonnull (hd_client_get_token (tina));
  g_assert_cmpstr (hd_user_get_name (hd_client_get_user (tina)), ==, "Tina Tech");
  g_assert_true (hd_user_is_staff (hd_client_get_user (tina)));

  hd_client_get_me_async (tina, NULL, hd_test_async_cb, &res);
  user = hd_client_get_me_finish (tina, hd_test_wait_result (&res, "me"), &error);
  g_assert_no_error (error);
  g_assert_true (user == hd_client_get_user (tina));
  g_clear_object (&user);
  g_clear_object (&res);

  node = call_json (tina, "GET", "/requests", NULL, &error);
  g_assert_no_error (error);
  array = json_object_get_array_member (json_node_get_object (node), "requests");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr(HdRequest) r = hd_request_new_from_json (json_array_get_object_element (array, i), NULL);
      if (hd_request_get_id (r) == 1)
        {
          found = TRUE;
          g_assert_cmpstr (hd_request_get_subject (r), ==, "Printer offline");
          g_assert_cmpstr (hd_user_get_name (hd_request_get_customer (r)), ==, "Carol Customer");
        }
    }
  g_assert_true (found);
  g_clear_pointer (&node, json_node_unref);

  node = call_json (tina, "GET", "/requests/1", NULL, &error);
  g_assert_no_error (error);
  request = hd_request_new_from_json (json_node_get_object (node), NULL);
  g_assert_cmpstr (hd_user_get_login (hd_request_get_assignee (request)), ==, "tina");
  g_assert_true (hd_request_is_open (request));
  g_clear_pointer (&node, json_node_unref);

  /* Another's object: 404 with a message. */
  g_assert_null (call_json (tina, "GET", "/chats/999999", NULL, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A white-space body never leaves the client. */
  session = hd_session_new (NULL, tina);
  g_assert_null (hd_session_send_message (session, 1, "   \n ", &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST);
  g_clear_error (&error);

  /* Nobody listening: a network error, not a crash. */
  nowhere = hd_client_new ("http://127.0.0.1:1/");
  hd_client_get_me_async (nowhere, NULL, hd_test_async_cb, &res);
  g_assert_null (hd_client_get_me_finish (nowhere, hd_test_wait_result (&res, "unreachable"), &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_NETWORK);
  g_clear_error (&error);
  g_clear_object (&res);

  /* Not a URL at all. */
  g_clear_object (&nowhere);
  nowhere = hd_client_new ("not a url");
  hd_client_get_me_async (nowhere, NULL, hd_test_async_cb, &res);
  g_assert_null (hd_client_get_me_finish (nowhere, hd_test_wait_result (&res, "bad url"), &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_NETWORK);
  g_clear_object (&res);

  hd_test_server_free (server);
}

static gboolean
can_start_chat (gpointer data)
{
  return hd_request_get_can_start_chat (data);
}

static void
on_typing (HdSession *session,
           HdChat    *chat,
           HdUser    *user,
           guint     *count)
{
  g_assert_cmpstr (hd_user_get_name (user), ==, "Tina Tech");
  (*count)++;
}

static gboolean
counter_positive (gpointer data)
{
  return *(guint *) data > 0;
}

static gboolean
note_has_last_line (gpointer data)
{
  return strstr (hd_note_get_body (data), "the last line, live") != NULL;
}

static void
test_session_stores (void)
{
  HdTestServer *server = hd_test_server_start ();
  g_autoptr(HdSession) tina = start_session (server, "tina");
  g_autoptr(HdSession) carol = start_session (server, "carol");
  g_autoptr(HdChat) chat = NULL;
  GListModel *requests = hd_session_get_requests (tina);
  GListModel *tina_msgs, *carol_msgs, *notes;
  g_autoptr(HdNote) transcript = NULL;
  HdRequest *req;

  wait_items (requests, 1, "Tina's requests");
  req = hd_session_lookup_request (tina, 1);
  g_assert_nonnull (req);
  g_assert_cmpstr (hd_request_get_subject (req), ==, "Printer offline");

  /* Carol sees Tina as unavailable, then (presence) available: the
   * request's chat_options follow without Carol asking. */
  wait_items (hd_session_get_requests (carol), 1, "Carol's requests");
  {
    HdRequest *carols = hd_session_lookup_request (carol, 1);

    g_assert_nonnull (carols);
    g_assert_false (hd_request_get_can_start_chat (carols));
    g_assert_cmpstr (hd_request_get_chat_reason (carols), ==, "technician_unavailable");
    set_available (tina);
    hd_test_wait (can_start_chat, carols, 10000, "chat_options to follow Tina's presence");
    g_assert_null (hd_request_get_chat_reason (carols));
    g_assert_cmpuint (g_list_model_get_n_items (hd_request_get_technicians (carols)), >=, 1);
  }
  chat = open_chat (tina, carol);
  g_assert_true (g_list_model_get_n_items (hd_session_get_chats (tina)) >= 1);
  g_assert_true (g_list_model_get_n_items (hd_session_get_chats (carol)) >= 1);

  tina_msgs = hd_session_get_messages (tina, hd_chat_get_id (chat));
  carol_msgs = hd_session_get_messages (carol, hd_chat_get_id (chat));
  notes = hd_session_get_notes (tina, 1);

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *a = g_strdup_printf ("from tina %u <b>not bold</b>", i);
      g_autofree char *b = g_strdup_printf ("from carol %u", i);
      g_autoptr(GError) error = NULL;
      HdMessage *m;

      m = hd_session_send_message (tina, hd_chat_get_id (chat), a, &error);
      g_assert_no_error (error);
      /* Shown at once, as sending. */
      g_assert_cmpint (hd_message_get_state (m), ==, HD_MESSAGE_STATE_SENDING);
      g_assert_true (hd_message_get_is_own (m));
      hd_session_send_message (carol, hd_chat_get_id (chat), b, &error);
      g_assert_no_error (error);
    }
  wait_all_sent (tina_msgs, 10, "10 messages at Tina");
  wait_all_sent (carol_msgs, 10, "10 messages at Carol");
  hd_test_run_for (300);
  assert_seqs_1_to_n (tina_msgs, 10);
  assert_seqs_1_to_n (carol_msgs, 10);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(HdMessage) a = g_list_model_get_item (tina_msgs, i);
      g_autoptr(HdMessage) b = g_list_model_get_item (carol_msgs, i);

      g_assert_cmpstr (hd_message_get_body (a), ==, hd_message_get_body (b));
      g_assert_true (hd_message_get_is_own (a) != hd_message_get_is_own (b));
      g_assert_true (hd_message_get_is_own (a) == g_str_has_prefix (hd_message_get_body (a), "from tina"));
    }

  /* Typing: shown to the other member, throttled (five keystrokes, one
   * frame). */
  {
    guint typing = 0;
    gulong h = g_signal_connect (carol, "typing", G_CALLBACK (on_typing), &typing);

    for (guint i = 0; i < 5; i++)
      hd_session_send_typing (tina, hd_chat_get_id (chat));
    hd_test_wait (counter_positive, &typing, 10000, "chat.typing at Carol");
    hd_test_run_for (500);
    g_assert_cmpuint (typing, ==, 1);
    g_signal_handler_disconnect (carol, h);
  }

  /* Invalid bodies are refused locally and change nothing. */
  {
    g_autoptr(GError) error = NULL;
    g_assert_null (hd_session_send_message (tina, hd_chat_get_id (chat), " \t\n", &error));
    g_assert_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST);
    g_assert_cmpuint (g_list_model_get_n_items (tina_msgs), ==, 10);
  }

  /* The transcript note: loaded, then growing live from note.updated. */
  wait_items (notes, 1, "the transcript note");
  for (guint i = 0; i < g_list_model_get_n_items (notes); i++)
    {
      g_autoptr(HdNote) n = g_list_model_get_item (notes, i);
      if (hd_note_is_transcript (n) && hd_note_get_chat_id (n) == hd_chat_get_id (chat))
        transcript = g_object_ref (n);
    }
  g_assert_nonnull (transcript);
  {
    g_autoptr(GError) error = NULL;
    const char *last = "the last line, live";

    hd_session_send_message (carol, hd_chat_get_id (chat), last, &error);
    g_assert_no_error (error);
    hd_test_wait (note_has_last_line, transcript, 10000, "the transcript to grow live");
    g_assert_nonnull (strstr (hd_note_get_body (transcript), "from tina 0 <b>not bold</b>"));
    g_assert_nonnull (strstr (hd_note_get_body (transcript), "from carol 4"));
    g_assert_cmpint (hd_note_get_length (transcript), ==, g_utf8_strlen (hd_note_get_body (transcript), -1));
  }

  hd_session_stop (tina);
  hd_session_stop (carol);
  hd_test_server_free (server);
}

typedef struct {
  HdClient *client;
  gint64 chat_id;
  const char *prefix;
  guint n;
} PostMany;

static void
post_many (PostMany *p)
{
  for (guint i = 0; i < p->n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) m = NULL;
      g_autoptr(JsonObject) body = json_object_new ();
      g_autofree char *text = g_strdup_printf ("%s %u", p->prefix, i);
      g_autofree char *path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT "/messages", p->chat_id);
      g_autofree char *client_id = g_uuid_string_random ();

      json_object_set_string_member (body, "body", text);
      json_object_set_string_member (body, "client_id", client_id);
      m = call_json (p->client, "POST", path, body, &error);
      g_assert_no_error (error);
      g_assert_nonnull (m);
    }
}

static guint
server_message_count (HdClient   *client,
                      gint64      chat_id,
                      const char *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT "/messages?after=0", chat_id);
  JsonArray *msgs;
  guint n = 0;

  node = call_json (client, "GET", path, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (node), "more"));
  msgs = json_object_get_array_member (json_node_get_object (node), "messages");
  if (body == NULL)
    return json_array_get_length (msgs);
  for (guint i = 0; i < json_array_get_length (msgs); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (msgs, i), "body"), body) == 0)
      n++;
  return n;
}

static gboolean
list_loaded (gpointer data)
{
  return hd_list_model_get_loaded (data) && !hd_list_model_get_loading (data);
}

static gboolean
has_subject (gpointer data)
{
  return hd_request_get_subject (data) != NULL;
}

static void
count_loading (HdListModel *model,
               GParamSpec  *pspec,
               guint       *n)
{
  if (hd_list_model_get_loading (model))
    (*n)++;
}

static void
count_restored (HdSession *session,
                HdChat    *chat,
                GPtrArray *restored)
{
  g_ptr_array_add (restored, g_object_ref (chat));
}

static gboolean
has_restored (gpointer data)
{
  return ((GPtrArray *) data)->len > 0;
}

/* The lists' "loading", one canonical request by id, presence refreshing
 * only the requests it concerns, open chats restored. */
static void
test_session_lists (void)
{
  HdTestServer *server = hd_test_server_start ();
  g_autoptr(HdSession) tina = start_session (server, "tina");
  g_autoptr(HdSession) carol = start_session (server, "carol");
  g_autoptr(HdClient) carol2_client = login (server, "carol");
  g_autoptr(HdSession) carol2 = hd_session_new (NULL, carol2_client);
  g_autoptr(HdSession) carol3 = NULL;
  g_autoptr(GPtrArray) restored = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdChat) chat = NULL;
  HdListModel *requests = HD_LIST_MODEL (hd_session_get_requests (carol));
  HdRequest *stub;
  HdRequest *printer;
  guint full_loads = 0;

  hd_test_wait (list_loaded, requests, 10000, "carol's requests to load");
  g_assert_null (hd_list_model_get_error (requests));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (requests)), ==, 2);
  printer = hd_session_lookup_request (carol, 1);
  g_assert_nonnull (printer);
  g_assert_true (hd_session_get_request (carol, 1) == printer);
  g_assert_false (hd_request_get_can_start_chat (printer));

  /* Not loaded yet (this session never started): an object with only the
   * id at once, filled in place. */
  stub = hd_session_get_request (carol2, 1);
  g_assert_nonnull (stub);
  g_assert_null (hd_request_get_subject (stub));
  g_assert_true (hd_session_get_request (carol2, 1) == stub);
  hd_test_wait (has_subject, stub, 10000, "the request to fill in");
  g_assert_cmpstr (hd_request_get_subject (stub), ==, "Printer offline");

  /* Tina becomes available: carol's request 1 can start a chat, and no
   * whole GET /requests was needed for it. */
  g_signal_connect (requests, "notify::loading", G_CALLBACK (count_loading), &full_loads);
  hd_session_set_available_async (tina, TRUE, NULL, hd_test_async_cb, &res);
  g_assert_true (hd_session_set_available_finish (tina, hd_test_wait_result (&res, "available"), &error));
  g_assert_no_error (error);
  g_clear_object (&res);
  hd_test_wait (can_start_chat, printer, 10000, "chat_options to follow presence");
  g_assert_cmpuint (full_loads, ==, 0);
  g_signal_handlers_disconnect_by_data (requests, &full_loads);

  /* An open chat comes back in a new session, once. */
  hd_session_start_chat_async (carol, 1, 0, NULL, hd_test_async_cb, &res);
  chat = hd_session_chat_finish (carol, hd_test_wait_result (&res, "start"), &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  carol3 = hd_session_new (NULL, carol2_client);
  g_signal_connect (carol3, "chat-restored", G_CALLBACK (count_restored), restored);
  hd_session_start (carol3);
  hd_test_wait (has_restored, restored, 10000, "the open chat to be restored");
  g_assert_cmpuint (restored->len, ==, 1);
  g_assert_cmpint (hd_chat_get_id (g_ptr_array_index (restored, 0)), ==, hd_chat_get_id (chat));
  g_assert_true (g_ptr_array_index (restored, 0) == hd_session_lookup_chat (carol3, hd_chat_get_id (chat)));

  hd_session_stop (carol3);
  hd_session_stop (tina);
  hd_session_stop (carol);
  hd_test_server_free (server);
}

static void
test_reconnect (void)
{
  HdTestServer *server = hd_test_server_start ();
  g_autoptr(HdSession) tina = start_session (server, "tina");
  g_autoptr(HdSession) carol = start_session (server, "carol");
  g_autoptr(HdChat) chat = open_chat (tina, carol);
  gint64 chat_id = hd_chat_get_id (chat);
  GListModel *tina_msgs = hd_session_get_messages (tina, chat_id);
  GListModel *carol_msgs = hd_session_get_messages (carol, chat_id);
  g_autoptr(GError) error = NULL;
  HdMessage *offline;
  PostMany meanwhile = { hd_session_get_client (carol), chat_id, "meanwhile", 3 };
  PostMany while_dropped = { hd_session_get_client (carol), chat_id, "while dropped", 4 };
  guint n;

  hd_session_send_message (tina, chat_id, "before 1", &error);
  hd_session_send_message (carol, chat_id, "before 2", &error);
  g_assert_no_error (error);
  wait_all_sent (tina_msgs, 2, "2 messages at Tina");
  wait_all_sent (carol_msgs, 2, "2 messages at Carol");

  /* 1. The server dies under both (kill -9: no close frame). */
  hd_test_server_kill9 (server);
  hd_test_wait (is_not_connected, tina, 10000, "Tina to notice the drop");
  g_assert_cmpint (hd_session_get_state (tina), ==, HD_CONNECTION_RECONNECTING);

  /* Typed while offline: shown as sending, queued. */
  offline = hd_session_send_message (tina, chat_id, "typed while offline", &error);
  g_assert_no_error (error);
  g_assert_cmpint (hd_message_get_state (offline), ==, HD_MESSAGE_STATE_SENDING);
  hd_test_run_for (300);
  g_assert_cmpint (hd_message_get_state (offline), ==, HD_MESSAGE_STATE_SENDING);

  /* Back on the same port and database; Carol posts at once (REST),
   * before Tina's back-off lets her reconnect. */
  hd_test_server_launch (server);
  post_many (&meanwhile);

  n = 2 + 1 + 3;
  hd_test_wait (is_connected, tina, 40000, "Tina to reconnect");
  wait_all_sent (tina_msgs, n, "all messages at Tina after the restart");
  wait_all_sent (carol_msgs, n, "all messages at Carol after the restart");

  /* 2. Only Tina's socket drops; Carol writes while it is down. */
  hd_event_stream_drop (hd_session_get_events (tina));
  g_assert_cmpint (hd_session_get_state (tina), ==, HD_CONNECTION_RECONNECTING);
  post_many (&while_dropped);
  g_assert_cmpint (hd_session_get_state (tina), !=, HD_CONNECTION_CONNECTED);
  hd_session_send_message (tina, chat_id, "typed while dropped", &error);
  g_assert_no_error (error);
  n += 4 + 1;
  hd_test_wait (is_connected, tina, 40000, "Tina to reconnect after the drop");
  wait_all_sent (tina_msgs, n, "all messages at Tina after the drop");
  wait_all_sent (carol_msgs, n, "all messages at Carol after the drop");

  /* Let any late duplicate (resend answers, resume pages) arrive. */
  hd_test_run_for (1500);
  assert_seqs_1_to_n (tina_msgs, n);
  assert_seqs_1_to_n (carol_msgs, n);
  g_assert_cmpuint (count_body (tina_msgs, "typed while offline"), ==, 1);
  g_assert_cmpuint (count_body (carol_msgs, "typed while offline"), ==, 1);
  g_assert_cmpuint (count_body (tina_msgs, "typed while dropped"), ==, 1);
  g_assert_cmpuint (count_body (tina_msgs, "meanwhile 2"), ==, 1);
  g_assert_cmpuint (count_body (tina_msgs, "while dropped 3"), ==, 1);
  g_assert_cmpint (hd_message_get_state (offline), ==, HD_MESSAGE_STATE_SENT);
  /* And the server stored each exactly once. */
  g_assert_cmpuint (server_message_count (hd_session_get_client (tina), chat_id, NULL), ==, n);
  g_assert_cmpuint (server_message_count (hd_session_get_client (tina), chat_id, "typed while offline"), ==, 1);

  hd_session_stop (tina);
  hd_session_stop (carol);
  hd_test_server_free (server);
}

static void
test_chat_end (void)
{
  HdTestServer *server = hd_test_server_start ();
  g_autoptr(HdSession) tina = start_session (server, "tina");
  g_autoptr(HdSession) carol = start_session (server, "carol");
  g_autoptr(HdChat) chat = open_chat (tina, carol);
  HdChat *carol_chat = hd_session_lookup_chat (carol, hd_chat_get_id (chat));
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdChat) ended = NULL;
  gboolean carol_saw_end = FALSE;

  g_assert_nonnull (carol_chat);
  g_signal_connect (carol, "chat-ended", G_CALLBACK (on_flag_signal), &carol_saw_end);
  hd_session_end_chat_async (tina, hd_chat_get_id (chat), NULL, hd_test_async_cb, &res);
  ended = hd_session_chat_finish (tina, hd_test_wait_result (&res, "end"), &error);
  g_assert_no_error (error);
  g_assert_true (ended == chat);
  g_assert_cmpint (hd_chat_get_state (chat), ==, HD_CHAT_STATE_ENDED);
  hd_test_wait (flag_set, &carol_saw_end, 10000, "chat.ended at Carol");
  g_assert_cmpint (hd_chat_get_state (carol_chat), ==, HD_CHAT_STATE_ENDED);

  /* Writing into an ended chat is refused locally. */
  g_assert_null (hd_session_send_message (carol, hd_chat_get_id (chat), "too late", &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_CHAT_ENDED);

  hd_session_stop (tina);
  hd_session_stop (carol);
  hd_test_server_free (server);
}

/* A server that stops answering (SIGSTOP: the socket stays open, no
 * close, no error) is noticed by the silence probe and reconnected to. */
static void
test_dead_server (void)
{
  HdTestServer *server;
  g_autoptr(HdSession) tina = NULL;

  g_setenv ("HD_EVENTS_SILENCE_MS", "1500", TRUE);
  server = hd_test_server_start ();
  tina = start_session (server, "tina");

  g_subprocess_send_signal (server->process, SIGSTOP);
  hd_test_wait (is_not_connected, tina, 10000, "the frozen server to be noticed");
  g_assert_cmpint (hd_session_get_state (tina), ==, HD_CONNECTION_RECONNECTING);
  g_subprocess_send_signal (server->process, SIGCONT);
  hd_test_wait (is_connected, tina, 30000, "the reconnect after SIGCONT");

  hd_session_stop (tina);
  g_assert_cmpint (hd_session_get_state (tina), ==, HD_CONNECTION_OFFLINE);
  hd_test_server_free (server);
  g_unsetenv ("HD_EVENTS_SILENCE_MS");
}

/* The token ended elsewhere: the stream stops retrying and says so. */
static void
test_unauthorized (void)
{
  HdTestServer *server = hd_test_server_start ();
  g_autoptr(HdSession) tina = start_session (server, "tina");
  g_autoptr(HdClient) other = hd_client_new (hd_test_server_next_url (server));
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  gboolean unauthorized = FALSE;

  g_signal_connect (tina, "unauthorized", G_CALLBACK (on_flag_signal), &unauthorized);
  hd_client_set_token (other, hd_client_get_token (hd_session_get_client (tina)));
  hd_client_logout_async (other, NULL, hd_test_async_cb, &res);
  g_assert_true (hd_client_logout_finish (other, hd_test_wait_result (&res, "logout"), &error));
  g_assert_no_error (error);

  /* Whether or not the server closes the socket itself, the next connect
   * is refused. */
  hd_event_stream_drop (hd_session_get_events (tina));
  hd_test_wait (flag_set, &unauthorized, 10000, "unauthorized");
  g_assert_cmpint (hd_session_get_state (tina), ==, HD_CONNECTION_OFFLINE);
  hd_test_run_for (1200);
  g_assert_cmpint (hd_session_get_state (tina), ==, HD_CONNECTION_OFFLINE);

  hd_test_server_free (server);
}

/* Contract v2: the server coalesces the presence changes of one tick into
 * one frame ("users": [...]); the session applies every one of them.  Two
 * technicians, each the assignee of one of Carol's requests, become
 * available within one (long) tick: both requests can start a chat. */
static void
test_coalesced_presence (void)
{
  HdTestServer *server = NULL;
  g_autoptr(HdClient) admin = NULL;
  g_autoptr(HdSession) carol = NULL;
  g_autoptr(HdSession) tina = NULL;
  g_autoptr(HdSession) theo = NULL;
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(GAsyncResult) res_tina = NULL;
  g_autoptr(GAsyncResult) res_theo = NULL;
  g_autoptr(GError) error = NULL;
  HdRequest *printer, *second;
  gint64 second_id;

  g_setenv ("HD_PRESENCE_TICK_MS", "1500", TRUE);
  server = hd_test_server_start ();
  g_unsetenv ("HD_PRESENCE_TICK_MS");
  admin = login (server, "admin");
  /* Carol (id 4) gets a second request, Theo's (id 3). */
  json_object_set_string_member (body, "subject", "Second screen");
  json_object_set_int_member (body, "customer_id", 4);
  json_object_set_int_member (body, "assignee_id", 3);
  created = call_json (admin, "POST", "/requests", body, &error);
  g_assert_no_error (error);
  second_id = json_object_get_int_member (json_node_get_object (created), "id");

  /* With two servers: the admin and Tina on the first, Carol and Theo on
   * the second (one presence change crosses, one does not). */
  carol = start_session (server, "carol");
  tina = start_session (server, "tina");
  theo = start_session (server, "theo");
  wait_items (hd_session_get_requests (carol), 3, "Carol's requests");
  printer = hd_session_lookup_request (carol, 1);
  second = hd_session_lookup_request (carol, second_id);
  g_assert_nonnull (printer);
  g_assert_nonnull (second);
  g_assert_false (hd_request_get_can_start_chat (printer));
  g_assert_false (hd_request_get_can_start_chat (second));

  /* Both within one tick: one presence.changed frame for both. */
  hd_session_set_available_async (tina, TRUE, NULL, hd_test_async_cb, &res_tina);
  hd_session_set_available_async (theo, TRUE, NULL, hd_test_async_cb, &res_theo);
  g_assert_true (hd_session_set_available_finish (tina, hd_test_wait_result (&res_tina, "tina"), &error));
  g_assert_true (hd_session_set_available_finish (theo, hd_test_wait_result (&res_theo, "theo"), &error));
  g_assert_no_error (error);
  hd_test_wait (can_start_chat, printer, 10000, "Tina's request to follow her presence");
  hd_test_wait (can_start_chat, second, 10000, "Theo's request to follow his presence");

  hd_session_stop (theo);
  hd_session_stop (tina);
  hd_session_stop (carol);
  hd_test_server_free (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/rest", test_rest);
  g_test_add_func ("/client/session-stores", test_session_stores);
  g_test_add_func ("/client/chat-end", test_chat_end);
  g_test_add_func ("/client/session-lists", test_session_lists);
  g_test_add_func ("/client/reconnect", test_reconnect);
  g_test_add_func ("/client/dead-server", test_dead_server);
  g_test_add_func ("/client/unauthorized", test_unauthorized);
  g_test_add_func ("/client/coalesced-presence", test_coalesced_presence);
  return g_test_run ();
}
