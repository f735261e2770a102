/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The hub over real WebSockets: an in-process HdServer on a free port and
 * libsoup clients in the same main loop. */
#include "hd-auth.h"
#include "hd-chat-service.h"
#include "service-text.h"
#include "hd-error.h"
#include "hd-protocol.h"
#include "hd-server.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

enum { ADMIN = 1, TINA, THEO, CAROL, CHRIS };

typedef struct {
  SoupWebsocketConnection *conn;
  GQueue                   frames;   /* char * */
  gboolean                 closed;
  gushort                  close_code;
} Client;

typedef struct {
  char          *dir;
  HdStore       *store;
  HdChatService *service;
  HdServer      *server;
  SoupSession   *session;
  guint          port;
  char          *tokens[6];
} Fixture;

/* The service and its store belong to the server's core thread: a test
 * reaches in only while the core waits. */
#define CORE_ENTER(f) hd_core_enter (hd_server_get_core ((f)->server))
#define CORE_LEAVE(f) hd_core_leave (hd_server_get_core ((f)->server))

static void
on_message (SoupWebsocketConnection *conn,
            gint                     type,
            GBytes                  *message,
            gpointer                 user_data)
{
  Client *c = user_data;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  g_queue_push_tail (&c->frames, g_strndup (data, len));
}

static void
on_closed (SoupWebsocketConnection *conn,
           gpointer                 user_data)
{
  Client *c = user_data;

  c->closed = TRUE;
  c->close_code = soup_websocket_connection_get_close_code (conn);
}

static void
connected (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
iterate_until (gboolean *flag,
               guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  while (!*flag && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  return *flag;
}

static void
spin (guint ms)
{
  gboolean never = FALSE;
  iterate_until (&never, ms);
}

/* Opens /api/v1/events as @user with a libsoup client. */
static Client *
client_open (Fixture    *f,
             int         user,
             GError    **error)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/events", f->port);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autofree char *auth = g_strconcat ("Bearer ", f->tokens[user], NULL);
  GAsyncResult *result = NULL;
  gboolean done = FALSE;
  Client *c;
  SoupWebsocketConnection *conn;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_session_websocket_connect_async (f->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        connected, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  conn = soup_session_websocket_connect_finish (f->session, result, error);
  g_object_unref (result);
  (void) done;
  if (conn == NULL)
    return NULL;
  c = g_new0 (Client, 1);
  c->conn = conn;
  soup_websocket_connection_set_max_incoming_payload_size (conn, 0);
  g_signal_connect (conn, "message", G_CALLBACK (on_message), c);
  g_signal_connect (conn, "closed", G_CALLBACK (on_closed), c);
  return c;
}

static void
client_free (Client *c)
{
  g_signal_handlers_disconnect_by_data (c->conn, c);
  if (soup_websocket_connection_get_state (c->conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (c->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_object_unref (c->conn);
  g_queue_clear_full (&c->frames, g_free);
  g_free (c);
}

/* Waits for the next frame of @type; returns its data object (as a node
 * to unref), dropping frames of other types. */
static JsonNode *
next_event (Client     *c,
            const char *type,
            guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      while (!g_queue_is_empty (&c->frames))
        {
          g_autofree char *text = g_queue_pop_head (&c->frames);
          g_autoptr(JsonNode) node = json_from_string (text, NULL);
          JsonObject *o;

          g_assert_nonnull (node);
          o = json_node_get_object (node);
          if (g_strcmp0 (json_object_get_string_member (o, "type"), type) == 0)
            return json_node_ref (json_object_get_member (o, "data"));
        }
      if (c->closed)
        return NULL;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (500);
    }
  return NULL;
}

static char *
make_token (Fixture *f,
            gint64   user_id)
{
  char *token = hd_auth_new_token ();
  g_autofree char *hash = hd_auth_hash_token (token);

  CORE_ENTER (f);
  g_assert_true (hd_store_token_add (f->store, hash, user_id, 1, NULL));
  CORE_LEAVE (f);
  return token;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("hd-hub-XXXXXX", &error);
  path = g_build_filename (f->dir, "hd.db", NULL);
  f->store = hd_store_open (path, &error);
  g_assert_no_error (error);
  f->service = hd_chat_service_new (f->store, NULL);
  g_assert_true (hd_chat_service_seed_demo (f->service, &error));
  f->server = hd_server_new (f->service, NULL);
  g_assert_true (hd_server_listen (f->server, "127.0.0.1", 0, &f->port, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->port, >, 0);
  f->session = soup_session_new ();
  for (int i = ADMIN; i <= CHRIS; i++)
    f->tokens[i] = make_token (f, i);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;

  spin (50);
  g_clear_object (&f->session);
  g_clear_object (&f->server);
  g_clear_object (&f->service);
  g_clear_object (&f->store);
  for (int i = 0; i < 6; i++)
    g_free (f->tokens[i]);
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static HdUserRecord *
user (Fixture *f,
      int      id)
{
  HdUserRecord *u;

  CORE_ENTER (f);
  u = hd_store_user_get (f->store, id, NULL);
  CORE_LEAVE (f);
  return u;
}

static void
test_hello_and_presence (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Client *carol = client_open (f, CAROL, &error);
  Client *tina, *tina2;
  g_autoptr(JsonNode) hello = NULL;
  g_autoptr(JsonNode) presence = NULL;
  g_autoptr(JsonNode) gone = NULL;
  JsonObject *u;

  g_assert_no_error (error);
  hello = next_event (carol, HD_EVENT_HELLO, 3000);
  g_assert_nonnull (hello);
  u = json_object_get_object_member (json_node_get_object (hello), "user");
  g_assert_cmpstr (json_object_get_string_member (u, "login"), ==, "carol");
  g_assert_true (json_object_get_boolean_member (u, "online"));

  /* First socket of a technician: presence to everyone, without her
   * email for a customer. */
  tina = client_open (f, TINA, &error);
  presence = next_event (carol, HD_EVENT_PRESENCE_CHANGED, 3000);
  g_assert_nonnull (presence);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (presence), "id"), ==, TINA);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (presence), "online"));
  g_assert_false (json_object_has_member (json_node_get_object (presence), "email"));
  CORE_ENTER (f);
  g_assert_true (hd_chat_service_is_online (f->service, TINA));
  CORE_LEAVE (f);

  /* A second socket changes nothing; closing one of two neither. */
  tina2 = client_open (f, TINA, &error);
  g_assert_nonnull (next_event (tina2, HD_EVENT_HELLO, 3000));
  client_free (tina2);
  spin (200);
  CORE_ENTER (f);
  g_assert_true (hd_chat_service_is_online (f->service, TINA));
  CORE_LEAVE (f);
  g_assert_null (next_event (carol, HD_EVENT_PRESENCE_CHANGED, 200));

  /* The last one: offline. */
  client_free (tina);
  gone = next_event (carol, HD_EVENT_PRESENCE_CHANGED, 3000);
  g_assert_nonnull (gone);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (gone), "online"));
  CORE_ENTER (f);
  g_assert_false (hd_chat_service_is_online (f->service, TINA));
  CORE_LEAVE (f);
  client_free (carol);
}

static void
test_refused_without_token (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Client *c;

  g_free (f->tokens[CAROL]);
  f->tokens[CAROL] = g_strdup ("not-a-token");
  c = client_open (f, CAROL, &error);
  g_assert_null (c);
  g_assert_nonnull (error);
}

static void
test_chat_send_and_bad_frames (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUserRecord) tina_user = user (f, TINA);
  g_autoptr(HdUserRecord) carol_user = user (f, CAROL);
  Client *tina = client_open (f, TINA, &error);
  Client *carol = client_open (f, CAROL, &error);
  g_autofree char *chat = NULL;
  g_autofree char *accepted = NULL;
  g_autofree char *send = NULL;
  g_autofree char *big = NULL;
  g_autoptr(JsonNode) msg = NULL;
  g_autoptr(JsonNode) echo = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(JsonNode) err = NULL;
  g_autoptr(JsonNode) typing = NULL;
  g_autoptr(JsonNode) note = NULL;
  g_autoptr(GString) frame = g_string_new (NULL);
  gint64 chat_id;

  g_assert_nonnull (next_event (tina, HD_EVENT_HELLO, 3000));
  g_assert_nonnull (next_event (carol, HD_EVENT_HELLO, 3000));
  CORE_ENTER (f);
  g_free (svc_set_available (f->service, tina_user, TRUE, &error));
  CORE_LEAVE (f);
  CORE_ENTER (f);
  chat = svc_start_chat (f->service, carol_user, 1, 0, &error);
  CORE_LEAVE (f);
  g_assert_no_error (error);
  g_assert_nonnull (next_event (tina, HD_EVENT_CHAT_REQUESTED, 3000));
  {
    g_autoptr(JsonNode) n = json_from_string (chat, NULL);
    chat_id = json_object_get_int_member (json_node_get_object (n), "id");
  }
  CORE_ENTER (f);
  accepted = svc_accept_chat (f->service, tina_user, chat_id, &error);
  CORE_LEAVE (f);
  g_assert_no_error (error);
  g_assert_nonnull (next_event (carol, HD_EVENT_CHAT_ACCEPTED, 3000));

  /* chat.send: both members get chat.message, after the commit. */
  send = g_strdup_printf ("{\"type\":\"chat.send\",\"data\":{\"chat_id\":%" G_GINT64_FORMAT
                          ",\"body\":\"Hello <b>there</b>\",\"client_id\":\"k1\"}}", chat_id);
  soup_websocket_connection_send_text (carol->conn, send);
  msg = next_event (tina, HD_EVENT_CHAT_MESSAGE, 3000);
  g_assert_nonnull (msg);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (msg), "body"), ==, "Hello <b>there</b>");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (msg), "seq"), ==, 1);
  echo = next_event (carol, HD_EVENT_CHAT_MESSAGE, 3000);
  g_assert_nonnull (echo);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (echo), "client_id"), ==, "k1");
  note = next_event (tina, HD_EVENT_NOTE_UPDATED, 3000);
  g_assert_nonnull (note);
  g_assert_false (json_object_has_member (json_node_get_object (note), "body"));

  /* The same client_id again: answered to the sender only, stored once. */
  soup_websocket_connection_send_text (carol->conn, send);
  again = next_event (carol, HD_EVENT_CHAT_MESSAGE, 3000);
  g_assert_nonnull (again);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (again), "seq"), ==, 1);
  g_assert_null (next_event (tina, HD_EVENT_CHAT_MESSAGE, 300));

  /* Typing to the other member. */
  g_string_printf (frame, "{\"type\":\"chat.typing\",\"data\":{\"chat_id\":%" G_GINT64_FORMAT "}}", chat_id);
  soup_websocket_connection_send_text (tina->conn, frame->str);
  typing = next_event (carol, HD_EVENT_CHAT_TYPING, 3000);
  g_assert_nonnull (typing);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (typing), "user_id"), ==, TINA);

  /* Bad frames: an error event each, the socket stays open. */
  {
    const char *bad[] = {
      "not json", "[1,2]", "{\"type\":\"chat.send\"}", "{\"type\":\"nope\",\"data\":{\"chat_id\":1}}",
      "{\"type\":\"chat.send\",\"data\":{\"chat_id\":\"1\",\"body\":\"x\"}}",
      "{\"type\":\"chat.send\",\"data\":{\"chat_id\":1,\"body\":\"   \",\"client_id\":\"z\"}}",
      "{\"type\":\"chat.send\",\"data\":{\"chat_id\":99999,\"body\":\"x\",\"client_id\":\"z\"}}",
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(JsonNode) e = NULL;

        soup_websocket_connection_send_text (carol->conn, bad[i]);
        e = next_event (carol, HD_EVENT_ERROR, 3000);
        g_assert_nonnull (e);
        g_assert_true (json_object_has_member (json_node_get_object (e), "code"));
        g_assert_true (json_object_has_member (json_node_get_object (e), "message"));
      }
    g_assert_false (carol->closed);
  }

  /* Over 64 KiB: closed with 1009, nothing stored. */
  big = g_strnfill (HD_MAX_FRAME_BYTES + 10, 'x');
  g_string_printf (frame, "{\"type\":\"chat.send\",\"data\":{\"chat_id\":%" G_GINT64_FORMAT
                   ",\"body\":\"%s\",\"client_id\":\"big\"}}", chat_id, big);
  soup_websocket_connection_send_text (carol->conn, frame->str);
  g_assert_true (iterate_until (&carol->closed, 5000));
  g_assert_cmpuint (carol->close_code, ==, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  {
    g_autofree char *all = NULL;
    CORE_ENTER (f);
    all = svc_list_messages (f->service, tina_user, chat_id, 0, 100, &error);
    CORE_LEAVE (f);
    g_assert_null (strstr (all, "\"seq\":2"));
  }
  g_assert_false (tina->closed);

  client_free (carol);
  client_free (tina);
}

static void
test_shutdown_going_away (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Client *carol = client_open (f, CAROL, &error);

  g_assert_nonnull (next_event (carol, HD_EVENT_HELLO, 3000));
  hd_server_shutdown (f->server);
  g_assert_true (iterate_until (&carol->closed, 5000));
  g_assert_cmpuint (carol->close_code, ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  client_free (carol);
}

typedef struct {
  guint              port;
  const char        *token;
  GSocketConnection *conn;
  gboolean           done;
  gboolean           upgraded;
} RawPeer;

/* A peer that completes the handshake and then never reads again, so it
 * never answers a ping: what a vanished laptop looks like.  Blocking
 * I/O, so it runs in a thread while the test's main loop serves. */
static gpointer
raw_peer_thread (gpointer data)
{
  RawPeer *peer = data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autofree char *request = NULL;
  char buf[1024];
  gsize got = 0;

  peer->conn = g_socket_client_connect_to_host (client, "127.0.0.1", peer->port, NULL, NULL);
  if (peer->conn != NULL)
    {
      GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (peer->conn));
      GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (peer->conn));

      request = g_strdup_printf ("GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                 "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                 "Sec-WebSocket-Version: 13\r\n"
                                 "Authorization: Bearer %s\r\n\r\n", peer->token);
      g_output_stream_write_all (out, request, strlen (request), NULL, NULL, NULL);
      while (got < sizeof buf - 1 && !g_strstr_len (buf, got, "\r\n\r\n"))
        {
          gssize n = g_input_stream_read (in, buf + got, sizeof buf - 1 - got, NULL, NULL);
          if (n <= 0)
            break;
          got += (gsize) n;
          buf[got] = '\0';
        }
      peer->upgraded = got > 12 && strncmp (buf, "HTTP/1.1 101", 12) == 0;
    }
  g_atomic_int_set (&peer->done, TRUE);
  return NULL;
}

static void
test_dead_peer (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Client *carol = client_open (f, CAROL, &error);
  RawPeer peer = { f->port, f->tokens[TINA], NULL, FALSE, FALSE };
  GThread *thread;
  g_autoptr(JsonNode) online = NULL;
  g_autoptr(JsonNode) offline = NULL;
  gint64 t0;

  g_assert_nonnull (next_event (carol, HD_EVENT_HELLO, 3000));
  thread = g_thread_new ("raw-peer", raw_peer_thread, &peer);
  while (!g_atomic_int_get (&peer.done))
    g_main_context_iteration (NULL, FALSE);
  g_thread_join (thread);
  g_assert_true (peer.upgraded);

  online = next_event (carol, HD_EVENT_PRESENCE_CHANGED, 3000);
  g_assert_nonnull (online);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (online), "online"));

  /* No pong within the (shortened) timeout: closed, presence offline.
   * Carol's libsoup client answers the same pings and stays. */
  t0 = g_get_monotonic_time ();
  offline = next_event (carol, HD_EVENT_PRESENCE_CHANGED, 10000);
  g_assert_nonnull (offline);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (offline), "online"));
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 1000 * 1000);
  CORE_ENTER (f);
  g_assert_false (hd_chat_service_is_online (f->service, TINA));
  CORE_LEAVE (f);
  g_assert_false (carol->closed);

  g_object_unref (peer.conn);
  client_free (carol);
}

/* ---- the main context is not on a chat message's way ----------------- */

/* Blocking WebSocket peers in a thread of their own (no main context):
 * the handshake, masked text frames out, unmasked frames in. */
static GSocketConnection *
ws_connect (guint       port,
            const char *token)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  GSocketConnection *conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  g_autofree char *request = NULL;
  char buf[2048];
  gsize got = 0;

  if (conn == NULL)
    return NULL;
  g_socket_set_timeout (g_socket_connection_get_socket (conn), 10);
  request = g_strdup_printf ("GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "Authorization: Bearer %s\r\n\r\n", token);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                             request, strlen (request), NULL, NULL, NULL);
  /* the head only, a byte at a time: the frames after it stay unread */
  while (got < sizeof buf - 1 && (got < 4 || memcmp (buf + got - 4, "\r\n\r\n", 4) != 0))
    {
      if (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)),
                               buf + got, 1, NULL, NULL) != 1)
        break;
      got++;
    }
  buf[got] = '\0';
  if (strncmp (buf, "HTTP/1.1 101", 12) != 0)
    g_clear_object (&conn);
  return conn;
}

static void
ws_send_frame (GSocketConnection *conn,
               guint8             opcode,
               const char        *text,
               gsize              len)
{
  g_autofree guint8 *f = g_malloc (8 + len);
  const guint8 mask[4] = { 0x12, 0x34, 0x56, 0x78 };
  gsize h;

  g_assert_cmpuint (len, <, 65536);
  f[0] = 0x80 | opcode;
  if (len < 126)
    {
      f[1] = 0x80 | (guint8) len;
      h = 2;
    }
  else
    {
      f[1] = 0x80 | 126;
      f[2] = (guint8) (len >> 8);
      f[3] = (guint8) len;
      h = 4;
    }
  memcpy (f + h, mask, 4);
  for (gsize i = 0; i < len; i++)
    f[h + 4 + i] = (guint8) text[i] ^ mask[i % 4];
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                             f, h + 4 + len, NULL, NULL, NULL);
}

static void
ws_send (GSocketConnection *conn,
         const char        *text)
{
  ws_send_frame (conn, 0x1, text, strlen (text));
}

/* The next data frame's text, or NULL (closed, 10 s without one). */
static char *
ws_read (GSocketConnection *conn)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  guint8 head[10];
  guint64 len;
  char *text;

  for (;;)
    {
      if (!g_input_stream_read_all (in, head, 2, NULL, NULL, NULL))
        return NULL;
      len = head[1] & 0x7f;
      if (len == 126 || len == 127)
        {
          gsize n = len == 126 ? 2 : 8;

          if (!g_input_stream_read_all (in, head + 2, n, NULL, NULL, NULL))
            return NULL;
          len = 0;
          for (gsize i = 0; i < n; i++)
            len = len << 8 | head[2 + i];
        }
      text = g_malloc (len + 1);
      if (!g_input_stream_read_all (in, text, len, NULL, NULL, NULL))
        {
          g_free (text);
          return NULL;
        }
      text[len] = '\0';
      if ((head[0] & 0x0f) == 0x1)
        return text;
      if ((head[0] & 0x0f) == 0x9)   /* the server's ping (short here) */
        ws_send_frame (conn, 0xa, text, len);
      g_free (text);
    }
}

/* The first frame of @conn whose text holds @needle (frames before it
 * dropped), or NULL. */
static char *
ws_read_until (GSocketConnection *conn,
               const char        *needle)
{
  char *text;

  while ((text = ws_read (conn)) != NULL && strstr (text, needle) == NULL)
    g_free (text);
  return text;
}

typedef struct {
  guint              port;
  const char        *tina_token;
  const char        *carol_token;
  GSocketConnection *tina;
  GSocketConnection *carol;
  gint               ready;      /* both said hello */
  gint               go;         /* chat_id is set: send */
  gint64             chat_id;
  char              *received;   /* what Tina got */
  gint               done;
} Peers;

static gpointer
peers_thread (gpointer data)
{
  Peers *p = data;
  g_autofree char *send = NULL;
  g_autofree char *hello1 = NULL;
  g_autofree char *hello2 = NULL;

  p->tina = ws_connect (p->port, p->tina_token);
  p->carol = ws_connect (p->port, p->carol_token);
  if (p->tina != NULL && p->carol != NULL &&
      (hello1 = ws_read_until (p->tina, "\"" HD_EVENT_HELLO "\"")) != NULL &&
      (hello2 = ws_read_until (p->carol, "\"" HD_EVENT_HELLO "\"")) != NULL)
    {
      g_atomic_int_set (&p->ready, 1);
      while (!g_atomic_int_get (&p->go))
        g_usleep (1000);
      send = g_strdup_printf ("{\"type\":\"chat.send\",\"data\":{\"chat_id\":%" G_GINT64_FORMAT
                              ",\"body\":\"past the main loop\",\"client_id\":\"m1\"}}", p->chat_id);
      ws_send (p->carol, send);
      p->received = ws_read_until (p->tina, "past the main loop");
    }
  g_atomic_int_set (&p->done, 1);
  return NULL;
}

/* Once a socket is listed, a chat.send reaches the other member of the
 * chat with the main context not running at all: socket thread → core
 * thread (stored, committed) → socket thread (doc/threads.md).  A busy
 * main loop (a burst of REST calls, a presence tick to every staff socket)
 * costs the chat nothing. */
static void
test_message_past_main_loop (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUserRecord) tina_user = user (f, TINA);
  g_autoptr(HdUserRecord) carol_user = user (f, CAROL);
  Peers p = { f->port, f->tokens[TINA], f->tokens[CAROL], NULL, NULL, 0, 0, 0, NULL, 0 };
  g_autofree char *chat = NULL;
  g_autofree char *accepted = NULL;
  GThread *thread = g_thread_new ("peers", peers_thread, &p);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!g_atomic_int_get (&p.ready) && !g_atomic_int_get (&p.done) &&
         g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_true (g_atomic_int_get (&p.ready));

  CORE_ENTER (f);
  g_free (svc_set_available (f->service, tina_user, TRUE, &error));
  chat = svc_start_chat (f->service, carol_user, 1, 0, &error);
  CORE_LEAVE (f);
  g_assert_no_error (error);
  {
    g_autoptr(JsonNode) n = json_from_string (chat, NULL);
    p.chat_id = json_object_get_int_member (json_node_get_object (n), "id");
  }
  CORE_ENTER (f);
  accepted = svc_accept_chat (f->service, tina_user, p.chat_id, &error);
  CORE_LEAVE (f);
  g_assert_no_error (error);
  /* what the main context has of these (presence) goes out now */
  spin (300);

  /* From here on the main context does not run until the message is in. */
  g_atomic_int_set (&p.go, 1);
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (!g_atomic_int_get (&p.done) && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_assert_true (g_atomic_int_get (&p.done));
  g_assert_nonnull (p.received);
  g_assert_nonnull (strstr (p.received, "\"" HD_EVENT_CHAT_MESSAGE "\""));
  g_assert_nonnull (strstr (p.received, "\"client_id\":\"m1\""));

  g_thread_join (thread);
  g_free (p.received);
  g_clear_object (&p.tina);
  g_clear_object (&p.carol);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  /* Short dead-peer intervals (the hub reads them when created). */
  g_setenv ("HD_PING_INTERVAL_MS", "500", TRUE);
  g_setenv ("HD_DEAD_PEER_TIMEOUT_MS", "2500", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_assert_true (hd_auth_init (&error));

#define ADD(name, fn) g_test_add (name, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/hub/hello-and-presence", test_hello_and_presence);
  ADD ("/hub/refused-without-token", test_refused_without_token);
  ADD ("/hub/chat-send-and-bad-frames", test_chat_send_and_bad_frames);
  ADD ("/hub/shutdown-going-away", test_shutdown_going_away);
  ADD ("/hub/dead-peer", test_dead_peer);
  ADD ("/hub/message-past-main-loop", test_message_past_main_loop);

  return g_test_run ();
}
