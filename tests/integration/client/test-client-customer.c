/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libhdclient's contract v2 "Customers" calls against the real server:
 * queue position kept live by chat.updated, leaving a note, opening a
 * request, attachments both ways, rating seen by the technician. */
#define G_LOG_DOMAIN "test-client-customer"

#include "hdclient.h"
#include "hd-session-private.h"
#include "hd-error.h"
#include "hd-test-server.h"

#include <string.h>

static const guint8 png[] = {
  0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
  0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xde,
};

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
  hd_test_wait (is_connected, session, 10000, "the event stream to connect");
  return session;
}

static JsonNode *
call_json (HdSession   *session,
           const char  *method,
           const char  *path,
           JsonObject  *body)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = body ? hd_json_object_node (body) : NULL;
  JsonNode *answer;

  hd_session_call_async (session, method, path, node, NULL, hd_test_async_cb, &res);
  answer = hd_session_call_finish (session, hd_test_wait_result (&res, path), &error);
  g_assert_no_error (error);
  return answer;
}

static void
set_available (HdSession *session)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;

  hd_session_set_available_async (session, TRUE, NULL, hd_test_async_cb, &res);
  g_assert_true (hd_session_set_available_finish (session, hd_test_wait_result (&res, "available"), &error));
}

static HdChat *
start_chat (HdSession *customer,
            gint64     request_id)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  HdChat *chat;

  hd_session_start_chat_async (customer, request_id, 0, NULL, hd_test_async_cb, &res);
  chat = hd_session_chat_finish (customer, hd_test_wait_result (&res, "start chat"), &error);
  g_assert_no_error (error);
  return chat;
}

static HdChat *
chat_call (HdSession  *session,
           void      (*fn) (HdSession *, gint64, GCancellable *, GAsyncReadyCallback, gpointer),
           gint64      chat_id)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  HdChat *chat;

  fn (session, chat_id, NULL, hd_test_async_cb, &res);
  chat = hd_session_chat_finish (session, hd_test_wait_result (&res, "chat call"), &error);
  g_assert_no_error (error);
  return chat;
}

typedef struct {
  HdSession *session;
  gint64     chat_id;
} Offered;

/* The chat in the technician's queue: she was offered it (chat.requested),
 * as the app needs before she accepts.  Across two servers that comes
 * through the bus; accepted before it arrives, the late event would turn
 * her copy back into a waiting chat. */
static gboolean
is_offered (gpointer data)
{
  Offered *w = data;
  GListModel *queue = hd_session_get_queue (w->session);

  for (guint i = 0; i < g_list_model_get_n_items (queue); i++)
    {
      g_autoptr(HdChat) c = g_list_model_get_item (queue, i);

      if (hd_chat_get_id (c) == w->chat_id)
        return TRUE;
    }
  return FALSE;
}

static gboolean
position_is_1 (gpointer data)
{
  return hd_chat_get_queue_position (data) == 1;
}

static gboolean
rated (gpointer data)
{
  return hd_chat_get_rating (data) == 5;
}

/* The transcript note of chat_id in a notes list, or NULL. */
static HdNote *
transcript_of (GListModel *notes,
               gint64      chat_id)
{
  for (guint i = 0; i < g_list_model_get_n_items (notes); i++)
    {
      g_autoptr(HdNote) n = g_list_model_get_item (notes, i);

      if (hd_note_get_chat_id (n) == chat_id && g_strcmp0 (hd_note_get_kind (n), "chat_transcript") == 0)
        return n;   /* the list holds it */
    }
  return NULL;
}

typedef struct { GListModel *notes; gint64 chat_id; int rating; } TranscriptWait;

static gboolean
transcript_rated (gpointer data)
{
  TranscriptWait *w = data;
  HdNote *note = transcript_of (w->notes, w->chat_id);

  return note != NULL && hd_note_get_rating (note) == w->rating;
}

static gboolean
has_attachment (gpointer data)
{
  GListModel *messages = data;

  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(HdMessage) m = g_list_model_get_item (messages, i);
      if (hd_message_get_attachment (m) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
not_loading (gpointer data)
{
  return !hd_list_model_get_loading (HD_LIST_MODEL (data)) && hd_list_model_get_loaded (HD_LIST_MODEL (data));
}

static void
test_customer_flow (void)
{
  HdTestServer *server = hd_test_server_start ();
  /* With two servers: Tina and the admin on the first, the customers on
   * the second. */
  g_autoptr(HdSession) tina = start_session (server, "tina");
  g_autoptr(HdSession) carol = start_session (server, "carol");
  g_autoptr(HdSession) admin = start_session (server, "admin");
  g_autoptr(HdSession) chris = start_session (server, "chris");
  g_autoptr(JsonNode) made = NULL;
  g_autoptr(HdChat) a = NULL;
  g_autoptr(HdChat) b = NULL;
  g_autoptr(HdChat) ended = NULL;
  g_autoptr(HdChat) accepted = NULL;
  g_autoptr(HdChat) rated_chat = NULL;
  g_autoptr(HdNote) tina_transcript = NULL;
  GListModel *tina_notes;
  g_autoptr(HdNote) note = NULL;
  g_autoptr(HdRequest) request = NULL;
  g_autoptr(HdMessage) sent = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static (png, sizeof png);
  g_autoptr(GBytes) fetched = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *body;
  GListModel *notes, *tina_messages;
  HdChat *tina_copy;
  gint64 chris_request;

  set_available (tina);

  /* Two customers wait for tina: chris is second, then first. */
  body = json_object_new ();
  json_object_set_string_member (body, "subject", "Monitor flickers");
  json_object_set_int_member (body, "customer_id", hd_user_get_id (hd_session_get_user (chris)));
  json_object_set_int_member (body, "assignee_id", hd_user_get_id (hd_session_get_user (tina)));
  made = call_json (admin, "POST", "/requests", body);
  chris_request = json_object_get_int_member (json_node_get_object (made), "id");
  a = start_chat (carol, 1);
  g_assert_cmpint (hd_chat_get_queue_position (a), ==, 1);
  g_assert_cmpint (hd_chat_get_estimated_wait (a), ==, -1);
  b = start_chat (chris, chris_request);
  g_assert_cmpint (hd_chat_get_queue_position (b), ==, 2);
  ended = chat_call (carol, hd_session_end_chat_async, hd_chat_get_id (a));
  hd_test_wait (position_is_1, b, 10000, "chat.updated: chris is next");

  /* A note on the request, in its notes list at once. */
  notes = hd_session_watch_notes (carol, 1);
  hd_test_wait (not_loading, notes, 10000, "carol's notes of request 1");
  hd_session_add_note_async (carol, 1, "Nobody there; call me.", NULL, hd_test_async_cb, &res);
  note = hd_session_add_note_finish (carol, hd_test_wait_result (&res, "add note"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hd_note_get_body (note), ==, "Nobody there; call me.");
  g_assert_cmpint (hd_user_get_id (hd_note_get_author (note)), ==, hd_user_get_id (hd_session_get_user (carol)));
  g_assert_cmpstr (hd_note_get_kind (note), ==, "note");
  {
    g_autoptr(HdNote) last = g_list_model_get_item (notes, g_list_model_get_n_items (notes) - 1);
    g_assert_true (last == note);
  }
  g_clear_object (&res);
  /* An empty note: the server's bad_request. */
  hd_session_add_note_async (carol, 1, "  ", NULL, hd_test_async_cb, &res);
  g_assert_null (hd_session_add_note_finish (carol, hd_test_wait_result (&res, "empty note"), &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  g_clear_object (&res);

  /* A new request, in the requests list. */
  hd_session_create_request_async (carol, "Cannot print PDFs", "Only PDFs.", NULL, hd_test_async_cb, &res);
  request = hd_session_create_request_finish (carol, hd_test_wait_result (&res, "new request"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hd_request_get_subject (request), ==, "Cannot print PDFs");
  {
    GListModel *requests = hd_session_get_requests (carol);
    gboolean found = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (requests); i++)
      {
        g_autoptr(HdRequest) r = g_list_model_get_item (requests, i);
        found |= r == request;
      }
    g_assert_true (found);
  }
  g_clear_object (&res);

  /* chris's chat is accepted; he sends a picture, tina sees and fetches it. */
  {
    Offered w = { tina, hd_chat_get_id (b) };

    hd_test_wait (is_offered, &w, 10000, "chat.requested at tina");
  }
  accepted = chat_call (tina, hd_session_accept_chat_async, hd_chat_get_id (b));
  tina_messages = hd_session_get_messages (tina, hd_chat_get_id (b));
  hd_session_send_attachment_async (chris, hd_chat_get_id (b), "shot.png", data, NULL, hd_test_async_cb, &res);
  sent = hd_session_send_attachment_finish (chris, hd_test_wait_result (&res, "attachment"), &error);
  g_assert_no_error (error);
  g_assert_nonnull (hd_message_get_attachment (sent));
  g_assert_cmpstr (hd_attachment_get_content_type (hd_message_get_attachment (sent)), ==, "image/png");
  g_assert_true (hd_attachment_is_image (hd_message_get_attachment (sent)));
  g_clear_object (&res);
  hd_test_wait (has_attachment, tina_messages, 10000, "the attachment in tina's list");
  hd_session_fetch_attachment_async (tina, hd_attachment_get_id (hd_message_get_attachment (sent)),
                                     NULL, hd_test_async_cb, &res);
  fetched = hd_session_fetch_attachment_finish (tina, hd_test_wait_result (&res, "fetch"), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (fetched, data));
  g_clear_object (&res);

  /* Refused before any upload: an EXE renamed .png, more than 10 MiB. */
  {
    static const guint8 exe[] = { 'M', 'Z', 0x90, 0, 3, 0, 0, 0, 4, 0 };
    g_autoptr(GBytes) bad = g_bytes_new_static (exe, sizeof exe);
    g_autofree guint8 *big = g_malloc0 (10 * 1024 * 1024 + 1);
    g_autoptr(GBytes) huge = NULL;

    memcpy (big, png, sizeof png);
    huge = g_bytes_new_take (g_steal_pointer (&big), 10 * 1024 * 1024 + 1);
    hd_session_send_attachment_async (chris, hd_chat_get_id (b), "setup.png", bad, NULL, hd_test_async_cb, &res);
    g_assert_null (hd_session_send_attachment_finish (chris, hd_test_wait_result (&res, "exe"), &error));
    g_assert_error (error, HD_ERROR, HD_ERROR_UNSUPPORTED_MEDIA_TYPE);
    g_clear_error (&error);
    g_clear_object (&res);
    g_assert_false (hd_session_check_attachment (huge, &error));
    g_assert_error (error, HD_ERROR, HD_ERROR_PAYLOAD_TOO_LARGE);
    g_clear_error (&error);
  }

  /* After the end chris rates it; tina's copy of the chat shows it, and
   * so does the transcript note in her open Notes list, without a refetch
   * (the same note object, updated by the event). */
  g_clear_object (&ended);
  ended = chat_call (tina, hd_session_end_chat_async, hd_chat_get_id (b));
  tina_notes = hd_session_watch_notes (tina, chris_request);
  hd_test_wait (not_loading, tina_notes, 10000, "tina's notes of chris's request");
  {
    TranscriptWait w = { tina_notes, hd_chat_get_id (b), 0 };

    hd_test_wait (transcript_rated, &w, 10000, "the transcript note at tina, not rated yet");
    tina_transcript = g_object_ref (transcript_of (tina_notes, hd_chat_get_id (b)));
  }
  hd_session_rate_chat_async (chris, hd_chat_get_id (b), 5, "Great help", NULL, hd_test_async_cb, &res);
  rated_chat = hd_session_chat_finish (chris, hd_test_wait_result (&res, "rate"), &error);
  g_assert_no_error (error);
  g_assert_cmpint (hd_chat_get_rating (rated_chat), ==, 5);
  g_assert_cmpstr (hd_chat_get_rating_comment (rated_chat), ==, "Great help");
  g_clear_object (&res);
  tina_copy = hd_session_lookup_chat (tina, hd_chat_get_id (b));
  g_assert_nonnull (tina_copy);
  hd_test_wait (rated, tina_copy, 10000, "the rating at tina");
  {
    TranscriptWait w = { tina_notes, hd_chat_get_id (b), 5 };

    hd_test_wait (transcript_rated, &w, 10000, "the rating on the transcript in tina's open Notes");
    g_assert_true (transcript_of (tina_notes, hd_chat_get_id (b)) == tina_transcript);
    g_assert_cmpstr (hd_note_get_rating_comment (tina_transcript), ==, "Great help");
  }
  hd_session_unwatch_notes (tina, chris_request);
  /* Once only. */
  hd_session_rate_chat_async (chris, hd_chat_get_id (b), 1, NULL, NULL, hd_test_async_cb, &res);
  g_assert_null (hd_session_chat_finish (chris, hd_test_wait_result (&res, "rate again"), &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_CONFLICT);

  hd_session_unwatch_notes (carol, 1);
  hd_session_stop (tina);
  hd_session_stop (carol);
  hd_session_stop (chris);
  hd_session_stop (admin);
  hd_test_server_free (server);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client/customer-flow", test_customer_flow);
  return g_test_run ();
}
