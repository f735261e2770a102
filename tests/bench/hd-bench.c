/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-bench"

/* A load generator for helpdesk-server.  It prints numbers; it does not
 * pass or fail.  See README.md in this folder.
 *
 * Modes:
 *   ws    N chats; customers send chat.send frames at --rate messages/s in
 *         total (0: saturation, a window of --window unanswered messages per
 *         chat); reports messages/s persisted (echo to the sender, which the
 *         server sends only after the commit) and send->receive latency at
 *         the technician's socket (p50/p99).
 *   rest  N chats (100 by default); one POST /messages in flight per chat;
 *         reports messages/s and request latency p50/p99.
 *   idle  --idle sockets that do nothing; reports the server's VmRSS before
 *         and after, per socket.  They are all one customer's (carol), so
 *         the server this starts has no cap per user; one given with --url
 *         needs --max-sockets-per-user 0.
 */

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/epoll.h>
#include <sqlite3.h>

#include "bench-util.h"

/* --- options ------------------------------------------------------------ */

static char    *opt_server = NULL;
static char    *opt_url = NULL;
static int      opt_pid = 0;
static char    *opt_mode = NULL;
static int      opt_chats = 0;
static int      opt_customers = 0;
static int      opt_technicians = 0;
static double   opt_rate = 0;
static int      opt_window = 4;
static double   opt_duration = 10;
static int      opt_idle = 1000;
static int      opt_body_size = 64;
static int      opt_sockets = 0;
static char    *opt_relay = NULL;

static GOptionEntry entries[] = {
  { "server", 0, 0, G_OPTION_ARG_FILENAME, &opt_server, "Start this helpdesk-server on a temporary database (default: $HD_SERVER_BIN)", "PATH" },
  { "url", 0, 0, G_OPTION_ARG_STRING, &opt_url, "Use a running server (seeded with --seed-demo) instead", "URL" },
  { "pid", 0, 0, G_OPTION_ARG_INT, &opt_pid, "The running server's PID (for VmRSS with --url)", "PID" },
  { "mode", 0, 0, G_OPTION_ARG_STRING, &opt_mode, "ws, rest, idle, presence or all (default all: the first three)", "MODE" },
  { "chats", 0, 0, G_OPTION_ARG_INT, &opt_chats, "Concurrent chats (ws: 20, rest: 100)", "N" },
  { "customers", 0, 0, G_OPTION_ARG_INT, &opt_customers, "Customers to spread the chats over (default min(chats, 20))", "N" },
  { "technicians", 0, 0, G_OPTION_ARG_INT, &opt_technicians, "Technicians to spread the chats over (default min(chats, 5))", "N" },
  { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &opt_rate, "ws: target messages/s in total (0: saturation)", "R" },
  { "window", 0, 0, G_OPTION_ARG_INT, &opt_window, "ws saturation: unanswered messages per chat (default 4)", "W" },
  { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &opt_duration, "Seconds of measurement per mode (default 10)", "S" },
  { "idle", 0, 0, G_OPTION_ARG_INT, &opt_idle, "idle: sockets to open (default 1000)", "N" },
  { "body-size", 0, 0, G_OPTION_ARG_INT, &opt_body_size, "Characters per message (default 64)", "N" },
  { "relay", 0, 0, G_OPTION_ARG_FILENAME, &opt_relay, "ws: then the same load against this bare relay (tests/bench/hd-relay), in the same run", "PATH" },
  { "sockets", 0, 0, G_OPTION_ARG_INT, &opt_sockets, "ws: open sockets in all while measuring; the chat members' plus idle ones (default: only the members')", "N" },
  { NULL }
};

/* --- the server and HTTP helpers ------------------------------------------ */

static SoupSession *session;       /* the WebSockets */
/* The setup's REST calls, one at a time: a session of their own with few
 * connections, or the pool grew by a connection every few calls (1,300
 * for 400 chats), each one more descriptor the server polls. */
static SoupSession *call_session;
static char        *base_url;     /* http://host:port, no slash */
static GPid         server_pid;
static GSubprocess *server_proc;
static char        *tmpdir;

static void
iterate_until (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

/* Runs the main loop for @seconds. */
static void
spin_for (double seconds)
{
  gint64 until = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

typedef struct {
  gboolean  done;
  GBytes   *bytes;
  GError   *error;
} SyncCall;

static void
sync_call_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SyncCall *c = user_data;

  c->bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &c->error);
  c->done = TRUE;
}

/* libsoup writes a request's headers and body separately; with Nagle's
 * algorithm the body then waits for the delayed ACK of the headers, which
 * would measure the kernel, not the server. */
static void
on_network_event (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  if (event == G_SOCKET_CLIENT_CONNECTED && G_IS_SOCKET_CONNECTION (connection))
    {
      GSocket *sock = g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection));

      g_socket_set_option (sock, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
    }
}

static SoupMessage *
new_message (const char *method,
             const char *path,
             const char *token,
             const char *json)
{
  g_autofree char *uri = g_strconcat (base_url, "/api/v1", path, NULL);
  SoupMessage *msg = soup_message_new (method, uri);

  if (msg == NULL)
    g_error ("bad URI %s", uri);
  g_signal_connect (msg, "network-event", G_CALLBACK (on_network_event), NULL);
  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg),
                                    "Authorization", auth);
    }
  if (json != NULL)
    {
      g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
      soup_message_set_request_body_from_bytes (msg, "application/json", body);
    }
  return msg;
}

/* A blocking JSON call for the setup (the main loop keeps running). */
static JsonNode *
call (const char *method,
      const char *path,
      const char *token,
      const char *json,
      guint       expect_status)
{
  g_autoptr(SoupMessage) msg = new_message (method, path, token, json);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  SyncCall c = { 0 };
  gsize len = 0;
  const char *data;

  soup_session_send_and_read_async (call_session, msg, G_PRIORITY_DEFAULT, NULL,
                                    sync_call_done, &c);
  iterate_until (&c.done);
  if (c.error != NULL)
    g_error ("%s %s: %s", method, path, c.error->message);

  data = g_bytes_get_data (c.bytes, &len);
  if (soup_message_get_status (msg) != expect_status)
    g_error ("%s %s: expected %u, got %u: %.*s", method, path, expect_status,
             soup_message_get_status (msg), (int) len, data);
  if (len == 0)
    {
      g_bytes_unref (c.bytes);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, len, &error))
    g_error ("%s %s: bad JSON: %s", method, path, error->message);
  g_bytes_unref (c.bytes);
  return json_node_ref (json_parser_get_root (parser));
}

static char *
login (const char *name,
       const char *password,
       gint64     *out_id)
{
  g_autofree char *body = g_strdup_printf ("{\"login\": \"%s\", \"password\": \"%s\"}", name, password);
  g_autoptr(JsonNode) node = call ("POST", "/session", NULL, body, 201);
  JsonObject *o = json_node_get_object (node);

  if (out_id)
    *out_id = json_object_get_int_member (json_object_get_object_member (o, "user"), "id");
  return g_strdup (json_object_get_string_member (o, "token"));
}

static void
start_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *db = NULL;
  const char *bin = opt_server ? opt_server : g_getenv ("HD_SERVER_BIN");

  if (bin == NULL)
    bin = "build/backend/helpdesk-server";

  tmpdir = g_dir_make_tmp ("hd-bench-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (tmpdir, "bench.db", NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* The server goes when we go, even when we are killed. */
  g_subprocess_launcher_set_child_setup (launcher, bench_child_setup, NULL, NULL);
  server_proc = g_subprocess_launcher_spawn (launcher, &error,
                                             bin, "--port", "0", "--listen", "127.0.0.1",
                                             "--database", db, "--seed-demo",
                                             /* the idle sockets are all carol's */
                                             "--max-sockets-per-user", "0",
                                             /* and each of the few customers'
                                              * and technicians' sockets carries
                                              * many chats: a capacity, not one
                                              * person's rate */
                                             "--max-frames-per-second", "0", NULL);
  if (server_proc == NULL)
    g_error ("cannot start %s: %s", bin, error->message);
  server_pid = (GPid) atoi (g_subprocess_get_identifier (server_proc));

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server_proc));
  while (TRUE)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
      const char *p;

      if (line == NULL)
        g_error ("the server exited before listening: %s", error ? error->message : "EOF");
      p = strstr (line, "listening on ");
      if (p != NULL)
        {
          base_url = g_strdup (p + strlen ("listening on "));
          if (g_str_has_suffix (base_url, "/"))
            base_url[strlen (base_url) - 1] = '\0';
          break;
        }
    }
  /* stdout is not read any more; the server prints nothing else there. */
}

static GSubprocess *relay_proc;
static GPid         relay_pid;
static char        *server_url;

/* Starts hd-relay and points base_url at it (server_url keeps the
 * server's). */
static void
start_relay (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

  g_subprocess_launcher_set_child_setup (launcher, bench_child_setup, NULL, NULL);
  relay_proc = g_subprocess_launcher_spawn (launcher, &error, opt_relay, NULL);
  if (relay_proc == NULL)
    g_error ("cannot start %s: %s", opt_relay, error->message);
  relay_pid = (GPid) atoi (g_subprocess_get_identifier (relay_proc));
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (relay_proc));
  while (TRUE)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
      const char *p;

      if (line == NULL)
        g_error ("the relay exited before listening");
      p = strstr (line, "listening on ");
      if (p != NULL)
        {
          server_url = base_url;
          base_url = g_strdup (p + strlen ("listening on "));
          if (g_str_has_suffix (base_url, "/"))
            base_url[strlen (base_url) - 1] = '\0';
          break;
        }
    }
}

static void
stop_relay (void)
{
  g_subprocess_send_signal (relay_proc, SIGTERM);
  g_subprocess_wait (relay_proc, NULL, NULL);
  g_clear_object (&relay_proc);
  g_free (base_url);
  base_url = g_steal_pointer (&server_url);
}

static void
stop_server (void)
{
  if (server_proc != NULL)
    {
      g_subprocess_send_signal (server_proc, SIGTERM);
      g_subprocess_wait (server_proc, NULL, NULL);
      g_clear_object (&server_proc);
    }
  if (tmpdir != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
      if (system (cmd) != 0)
        g_warning ("could not remove %s", tmpdir);
    }
}

/* --- latency statistics --------------------------------------------------- */

static double
percentile (GArray *values,
            double  p)
{
  gsize i;

  if (values->len == 0)
    return 0;
  bench_sort_doubles (values);
  i = (gsize) (p / 100.0 * (values->len - 1) + 0.5);
  return g_array_index (values, double, MIN (i, values->len - 1));
}

/* --- sockets -------------------------------------------------------------- */

typedef struct _Chat Chat;

typedef struct {
  SoupWebsocketConnection *conn;
  gboolean                 hello;
  gboolean                 is_customer;
} Sock;

struct _Chat {
  gint64  id;
  gint64  request_id;
  char   *customer_token;
  char   *tech_token;
  Sock   *customer;
  Sock   *tech;
  guint   in_flight;
  guint64 next_client;
};

typedef struct {
  gint64   sent;        /* monotonic µs */
  gboolean echoed;      /* the sender saw it: committed */
  gboolean delivered;   /* the other member saw it */
} Pending;

static gboolean    relay_mode;    /* measuring hd-relay, not the server */
static GHashTable *pending;       /* client_id → Pending */
static GArray     *latencies;     /* ms, send → other member's socket */
static guint64     acked;         /* echoes to the sender (persisted) */
static guint64     received;      /* deliveries to the other member */
static gboolean    measuring;
static GPtrArray  *chats;
static GHashTable *chat_by_id;
static char       *filler;

static void send_one (Chat *chat);

/* Copies the string value of "key":"..." in the compact JSON the server
 * writes (no escapes in the values looked at here) into @out. */
static gboolean
scan_string (const char *data,
             gsize       len,
             const char *key,
             char       *out,
             gsize       out_size)
{
  const char *v;
  gsize v_len;

  if (!bench_scan_value (data, len, key, &v, &v_len) || v_len >= out_size)
    return FALSE;
  memcpy (out, v, v_len);
  out[v_len] = '\0';
  return TRUE;
}

/* The generator shares the 2-core machine with the server, so a frame is
 * only scanned, not parsed: a JsonParser per frame made the generator the
 * bottleneck at saturation. */
static void
on_ws_message (SoupWebsocketConnection *conn,
               gint                     type,
               GBytes                  *message,
               gpointer                 user_data)
{
  Sock *sock = user_data;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  char ev_type[64], client_id[64];
  Chat *chat;
  Pending *p;

  if (!scan_string (data, MIN (len, 64), "\"type\":\"", ev_type, sizeof ev_type))
    return;

  if (g_str_equal (ev_type, "hello"))
    {
      sock->hello = TRUE;
      return;
    }
  if (g_str_equal (ev_type, "error"))
    {
      g_printerr ("server error event: %.*s\n", (int) MIN (len, 300), data);
      return;
    }
  /* Messages are only tracked in ws mode. */
  if (!g_str_equal (ev_type, "chat.message") || pending == NULL)
    return;

  /* client_id is b<chat id>-<n> (see send_one). */
  if (!scan_string (data, len, "\"client_id\":\"", client_id, sizeof client_id) ||
      client_id[0] != 'b')
    return;
  chat = g_hash_table_lookup (chat_by_id, GINT_TO_POINTER ((int) g_ascii_strtoll (client_id + 1, NULL, 10)));
  if (chat == NULL)
    return;

  p = g_hash_table_lookup (pending, client_id);
  if (p == NULL)
    return;

  if (sock->is_customer && !p->echoed)
    {
      /* The echo to the sender: the message is committed. */
      p->echoed = TRUE;
      if (measuring)
        acked++;
      if (chat->in_flight > 0)
        chat->in_flight--;
      if (opt_rate <= 0 && measuring)
        send_one (chat);
    }
  else if (!sock->is_customer && !p->delivered)
    {
      double ms = (g_get_monotonic_time () - p->sent) / 1000.0;

      p->delivered = TRUE;
      if (measuring)
        {
          received++;
          g_array_append_val (latencies, ms);
        }
    }
  if (p->echoed && p->delivered)
    g_hash_table_remove (pending, client_id);
}

typedef struct {
  Sock     *sock;
  gboolean  done;
  GError   *error;
} Connecting;

static guint connect_outstanding;
static guint connect_failed;

static void
ws_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Sock *sock = user_data;
  g_autoptr(GError) error = NULL;

  sock->conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  connect_outstanding--;
  if (sock->conn == NULL)
    {
      connect_failed++;
      if (connect_failed < 5)
        g_printerr ("WebSocket connect failed: %s\n", error->message);
      return;
    }
  soup_websocket_connection_set_keepalive_interval (sock->conn, 0);
  g_signal_connect (sock->conn, "message", G_CALLBACK (on_ws_message), sock);
}

static Sock *
open_socket (const char *token,
             gboolean    is_customer)
{
  Sock *sock = g_new0 (Sock, 1);
  g_autoptr(SoupMessage) msg = new_message ("GET", "/events", token, NULL);

  sock->is_customer = is_customer;
  connect_outstanding++;
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, ws_connected, sock);
  return sock;
}

static void
wait_connected (GPtrArray *socks)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  gint64 hello_deadline;
  guint hellos = 0, open = 0;

  while (connect_outstanding > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  /* The server counts a socket from its handshake on; the hello is only
   * waited for a little, so one late frame does not stall the setup. */
  hello_deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < hello_deadline)
    {
      hellos = open = 0;
      for (guint i = 0; i < socks->len; i++)
        {
          Sock *s = socks->pdata[i];

          open += s->conn != NULL;
          hellos += s->hello;
        }
      if (hellos == open)
        break;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  if (hellos < open)
    g_printerr ("  (%u of %u sockets had no hello within 3 s)\n", open - hellos, open);
}

static void
close_socket (Sock *sock)
{
  if (sock->conn != NULL)
    {
      if (soup_websocket_connection_get_state (sock->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (sock->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_signal_handlers_disconnect_by_data (sock->conn, sock);
      g_clear_object (&sock->conn);
    }
  g_free (sock);
}

/* --- setting up chats ---------------------------------------------------- */

static char    *admin_token;
static GPtrArray *customer_tokens;
static GPtrArray *tech_tokens;
static GArray    *customer_ids;
static GArray    *tech_ids;
static GPtrArray *tech_socks;
static GPtrArray *customer_socks;
static int        run_serial;

static void
make_people (int n_customers,
             int n_techs)
{
  customer_tokens = g_ptr_array_new_with_free_func (g_free);
  tech_tokens = g_ptr_array_new_with_free_func (g_free);
  customer_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  tech_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (int i = 0; i < n_techs + n_customers; i++)
    {
      gboolean tech = i < n_techs;
      g_autofree char *login_name = g_strdup_printf ("%s%d_%d", tech ? "btech" : "bcust", run_serial, i);
      g_autofree char *body = g_strdup_printf ("{\"login\": \"%s\", \"name\": \"Bench %s\", "
                                               "\"email\": \"%s@example.com\", \"role\": \"%s\", "
                                               "\"password\": \"bench-password\"}",
                                               login_name, login_name, login_name,
                                               tech ? "technician" : "customer");
      g_autoptr(JsonNode) user = call ("POST", "/users", admin_token, body, 201);
      gint64 id = bench_member_int (user, "id");
      char *token = login (login_name, "bench-password", NULL);

      if (tech)
        {
          g_ptr_array_add (tech_tokens, token);
          g_array_append_val (tech_ids, id);
        }
      else
        {
          g_ptr_array_add (customer_tokens, token);
          g_array_append_val (customer_ids, id);
        }
    }
}

static void
make_chats (int n_chats)
{
  int n_customers = opt_customers > 0 ? opt_customers : MIN (n_chats, 20);
  int n_techs = opt_technicians > 0 ? opt_technicians : MIN (n_chats, 5);
  gint64 t0 = g_get_monotonic_time ();

  run_serial++;
  make_people (n_customers, n_techs);

  /* Technicians: logged in (a socket) and available. */
  tech_socks = g_ptr_array_new ();
  for (int t = 0; t < n_techs; t++)
    g_ptr_array_add (tech_socks, open_socket (tech_tokens->pdata[t], FALSE));
  wait_connected (tech_socks);
  for (int t = 0; t < n_techs; t++)
    {
      g_autoptr(JsonNode) me = call ("PATCH", "/me", tech_tokens->pdata[t],
                                     "{\"available_for_chat\": true}", 200);
    }
  customer_socks = g_ptr_array_new ();
  for (int c = 0; c < n_customers; c++)
    g_ptr_array_add (customer_socks, open_socket (customer_tokens->pdata[c], TRUE));
  wait_connected (customer_socks);

  chats = g_ptr_array_new ();
  chat_by_id = g_hash_table_new (NULL, NULL);
  for (int i = 0; i < n_chats; i++)
    {
      Chat *chat = g_new0 (Chat, 1);
      int c = i % n_customers, t = i % n_techs;
      g_autofree char *req_body = g_strdup_printf ("{\"subject\": \"Bench request %d\", "
                                                   "\"customer_id\": %" G_GINT64_FORMAT ", "
                                                   "\"assignee_id\": %" G_GINT64_FORMAT "}",
                                                   i, g_array_index (customer_ids, gint64, c),
                                                   g_array_index (tech_ids, gint64, t));
      g_autoptr(JsonNode) req = call ("POST", "/requests", admin_token, req_body, 201);
      g_autofree char *chat_body = NULL;
      g_autofree char *accept_path = NULL;
      g_autoptr(JsonNode) ch = NULL;
      g_autoptr(JsonNode) acc = NULL;

      chat->request_id = bench_member_int (req, "id");
      chat_body = g_strdup_printf ("{\"request_id\": %" G_GINT64_FORMAT "}", chat->request_id);
      ch = call ("POST", "/chats", customer_tokens->pdata[c], chat_body, 201);
      chat->id = bench_member_int (ch, "id");
      accept_path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT "/accept", chat->id);
      acc = call ("POST", accept_path, tech_tokens->pdata[t], NULL, 200);

      chat->customer_token = customer_tokens->pdata[c];
      chat->tech_token = tech_tokens->pdata[t];
      chat->customer = customer_socks->pdata[c];
      chat->tech = tech_socks->pdata[t];
      g_ptr_array_add (chats, chat);
      g_hash_table_insert (chat_by_id, GINT_TO_POINTER ((int) chat->id), chat);
    }

  g_print ("  setup: %d chats, %d customers, %d technicians in %.1f s\n",
           n_chats, n_customers, n_techs, (g_get_monotonic_time () - t0) / 1e6);
}

/* The same sockets and pairs as make_chats (), against the relay:
 * tokens are names, chat ids are numbers, nothing is stored. */
static void
make_relay_chats (int n_chats)
{
  int n_customers = opt_customers > 0 ? opt_customers : MIN (n_chats, 20);
  int n_techs = opt_technicians > 0 ? opt_technicians : MIN (n_chats, 5);

  customer_tokens = g_ptr_array_new_with_free_func (g_free);
  tech_tokens = g_ptr_array_new_with_free_func (g_free);
  customer_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  tech_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  tech_socks = g_ptr_array_new ();
  customer_socks = g_ptr_array_new ();
  for (int t = 0; t < n_techs; t++)
    {
      g_ptr_array_add (tech_tokens, g_strdup_printf ("tech%d", t));
      g_ptr_array_add (tech_socks, open_socket (tech_tokens->pdata[t], FALSE));
    }
  wait_connected (tech_socks);
  for (int c = 0; c < n_customers; c++)
    {
      g_ptr_array_add (customer_tokens, g_strdup_printf ("cust%d", c));
      g_ptr_array_add (customer_socks, open_socket (customer_tokens->pdata[c], TRUE));
    }
  wait_connected (customer_socks);
  chats = g_ptr_array_new ();
  chat_by_id = g_hash_table_new (NULL, NULL);
  for (int i = 0; i < n_chats; i++)
    {
      Chat *chat = g_new0 (Chat, 1);

      chat->id = i + 1;
      chat->customer_token = customer_tokens->pdata[i % n_customers];
      chat->tech_token = tech_tokens->pdata[i % n_techs];
      chat->customer = customer_socks->pdata[i % n_customers];
      chat->tech = tech_socks->pdata[i % n_techs];
      g_ptr_array_add (chats, chat);
      g_hash_table_insert (chat_by_id, GINT_TO_POINTER ((int) chat->id), chat);
    }
  g_print ("  setup: %d chats, %d customers, %d technicians (relay)\n", n_chats, n_customers, n_techs);
}

static void
free_chats (void)
{
  for (guint i = 0; i < customer_socks->len; i++)
    close_socket (customer_socks->pdata[i]);
  for (guint i = 0; i < tech_socks->len; i++)
    close_socket (tech_socks->pdata[i]);
  g_ptr_array_free (customer_socks, TRUE);
  g_ptr_array_free (tech_socks, TRUE);
  g_ptr_array_free (chats, TRUE);   /* the Chat structs leak: a benchmark */
  g_hash_table_unref (chat_by_id);
  g_ptr_array_unref (customer_tokens);
  g_ptr_array_unref (tech_tokens);
  g_array_unref (customer_ids);
  g_array_unref (tech_ids);
  /* Let the closes go out. */
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
}

/* --- idle sockets as raw descriptors ------------------------------------- */

/* The idle sockets of the ws mode (--sockets) are plain descriptors, not
 * libsoup connections: GLib's main loop walks every source on every
 * iteration, so 9,000 idle connections in the generator's own loop would
 * delay the frames it timestamps.  A thread opens them and answers the
 * server's pings. */

static GArray   *raw_fds;
static GThread  *raw_thread;
static gboolean  raw_stop;

/* Connects and sends the upgrade request; the answer is read later, so
 * that many handshakes are in flight at once. */
static int
raw_ws_start (const char *host,
              guint16     port,
              const char *token)
{
  struct sockaddr_in sa = { 0 };
  g_autofree char *req = NULL;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return -1;
  sa.sin_family = AF_INET;
  sa.sin_port = htons (port);
  req = bench_ws_upgrade_request (host, port, token);
  if (inet_pton (AF_INET, host, &sa.sin_addr) != 1 ||
      connect (fd, (struct sockaddr *) &sa, sizeof sa) != 0 ||
      write (fd, req, strlen (req)) != (ssize_t) strlen (req))
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* Reads up to the end of the 101 response's headers (the hello may follow
 * in the same read; it is thrown away), then makes @fd non-blocking. */
static gboolean
raw_ws_finish (int fd)
{
  char buf[2048];
  gsize got = 0;

  while (got < sizeof buf - 1)
    {
      ssize_t n = read (fd, buf + got, sizeof buf - 1 - got);

      if (n <= 0)
        return FALSE;
      got += n;
      buf[got] = '\0';
      if (strstr (buf, "\r\n\r\n") != NULL)
        break;
    }
  if (!g_str_has_prefix (buf, "HTTP/1.1 101"))
    return FALSE;
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK);
  return TRUE;
}

static int         raw_wanted;
static const char *raw_token;
static GPtrArray  *raw_tokens;    /* one per socket, instead of raw_token */
static gint        raw_closed;    /* sockets the server closed */
static gint64      raw_bytes;     /* bytes received */
static gint64      raw_last_data; /* monotonic µs of the last bytes */
static gint        raw_ready;     /* the thread has opened its sockets */
static guint       raw_failed;
static double      raw_open_seconds;

/* The thread opens the idle sockets (the main thread keeps running its loop
 * meanwhile, so the chat members' sockets answer the server's pings), then
 * keeps them alive until raw_stop. */
static gpointer
raw_thread_main (gpointer user_data)
{
  /* A masked pong without payload; the mask is arbitrary. */
  static const char pong[] = { (char) 0x8A, (char) 0x80, 1, 2, 3, 4 };
  g_autoptr(GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  gint64 t0 = g_get_monotonic_time ();
  char buf[4096];
  int epfd;

  for (int i = 0; i < raw_wanted && !g_atomic_int_get (&raw_stop); i += 200)
    {
      int fds[200];
      int m = MIN (200, raw_wanted - i);

      for (int j = 0; j < m; j++)
        fds[j] = raw_ws_start (g_uri_get_host (uri), (guint16) g_uri_get_port (uri),
                               raw_tokens ? raw_tokens->pdata[i + j] : raw_token);
      for (int j = 0; j < m; j++)
        {
          if (fds[j] >= 0 && raw_ws_finish (fds[j]))
            {
              g_array_append_val (raw_fds, fds[j]);
              continue;
            }
          if (raw_failed++ < 5)
            g_printerr ("idle socket %d: %s\n", i + j, g_strerror (errno));
          if (fds[j] >= 0)
            close (fds[j]);
        }
    }
  raw_open_seconds = (g_get_monotonic_time () - t0) / 1e6;
  g_atomic_int_set (&raw_ready, TRUE);

  /* Like a real client: a pong for each ping, when it comes (the server
   * pings each socket on its own timer, so these are spread out). */
  epfd = epoll_create1 (EPOLL_CLOEXEC);
  for (guint i = 0; i < raw_fds->len; i++)
    {
      struct epoll_event ev = { .events = EPOLLIN, .data.fd = g_array_index (raw_fds, int, i) };

      epoll_ctl (epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);
    }
  while (!g_atomic_int_get (&raw_stop))
    {
      struct epoll_event evs[64];
      int n = epoll_wait (epfd, evs, G_N_ELEMENTS (evs), 100);

      for (int i = 0; i < n; i++)
        {
          int fd = evs[i].data.fd;
          gboolean ping = FALSE;
          ssize_t got;

          /* Text frames (JSON: ASCII and UTF-8, never the byte 0x89)
           * and pings come to these sockets. */
          while ((got = read (fd, buf, sizeof buf)) > 0)
            {
              raw_bytes += got;
              raw_last_data = g_get_monotonic_time ();
              for (ssize_t k = 0; k < got; k++)
                ping |= (guchar) buf[k] == 0x89;
            }
          if (got == 0 || (got < 0 && errno != EAGAIN))
            {
              epoll_ctl (epfd, EPOLL_CTL_DEL, fd, NULL);
              g_atomic_int_inc (&raw_closed);
            }
          if (ping && write (fd, pong, sizeof pong) < 0 && errno != EAGAIN)
            continue;
        }
    }
  close (epfd);
  return NULL;
}

static guint
raw_open_idle (int n)
{
  g_autofree char *token = relay_mode ? g_strdup ("idle") : login ("carol", "demo", NULL);

  raw_fds = g_array_new (FALSE, FALSE, sizeof (int));
  raw_wanted = n;
  raw_token = token;
  raw_failed = 0;
  raw_stop = FALSE;
  raw_ready = FALSE;
  raw_thread = g_thread_new ("idle-sockets", raw_thread_main, NULL);
  while (!g_atomic_int_get (&raw_ready))
    spin_for (0.05);
  raw_token = NULL;
  g_print ("  %u idle sockets (customer carol) opened in %.1f s, %u failed\n",
           raw_fds->len, raw_open_seconds, raw_failed);
  return raw_fds->len;
}

static void
raw_close_idle (void)
{
  if (raw_fds == NULL)
    return;
  g_atomic_int_set (&raw_stop, TRUE);
  g_thread_join (raw_thread);
  for (guint i = 0; i < raw_fds->len; i++)
    close (g_array_index (raw_fds, int, i));
  g_clear_pointer (&raw_fds, g_array_unref);
}

/* --- ws mode --------------------------------------------------------------- */

static void
send_one (Chat *chat)
{
  g_autofree char *client_id = NULL;
  g_autofree char *frame = NULL;
  Pending *p;

  if (chat->customer->conn == NULL ||
      soup_websocket_connection_get_state (chat->customer->conn) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  client_id = g_strdup_printf ("b%" G_GINT64_FORMAT "-%" G_GUINT64_FORMAT, chat->id, chat->next_client++);
  frame = g_strdup_printf ("{\"type\": \"chat.send\", \"data\": {\"chat_id\": %" G_GINT64_FORMAT ", "
                           "\"body\": \"%s\", \"client_id\": \"%s\"}%s%s%s}",
                           chat->id, filler, client_id,
                           relay_mode ? ", \"to\": \"" : "",
                           relay_mode ? chat->tech_token : "",
                           relay_mode ? "\"" : "");
  p = g_new0 (Pending, 1);
  p->sent = g_get_monotonic_time ();
  g_hash_table_insert (pending, g_steal_pointer (&client_id), p);
  chat->in_flight++;
  soup_websocket_connection_send_text (chat->customer->conn, frame);
}

static guint  rate_tick;
static double rate_credit;
static guint  rr_next;

static gint64 rate_last;

static gboolean
rate_timer (gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();

  /* By the time that really passed: a busy machine fires late. */
  if (rate_last == 0)
    rate_last = now;
  rate_credit += opt_rate * (now - rate_last) / 1e6;
  rate_last = now;
  while (rate_credit >= 1.0)
    {
      send_one (chats->pdata[rr_next++ % chats->len]);
      rate_credit -= 1.0;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
stop_measuring (gpointer user_data)
{
  gboolean *done = user_data;

  measuring = FALSE;
  *done = TRUE;
  return G_SOURCE_REMOVE;
}

static void
run_ws (void)
{
  int n = opt_chats > 0 ? opt_chats : 20;
  gboolean done = FALSE;
  gint64 t0, t1;
  guint64 stored = 0;
  GPid cpu_pid = relay_mode ? relay_pid : opt_pid > 0 ? opt_pid : server_pid;
  double cpu0, cpu1;

  if (relay_mode)
    g_print ("relay (%s): ", opt_relay);
  if (opt_rate > 0)
    g_print ("ws: %d chats, target %.0f msg/s, %.0f s, %d-character messages\n",
             n, opt_rate, opt_duration, opt_body_size);
  else
    g_print ("ws: %d chats, saturation (window %d per chat), %.0f s, %d-character messages\n",
             n, opt_window, opt_duration, opt_body_size);
  if (relay_mode)
    make_relay_chats (n);
  else
    make_chats (n);
  if (opt_sockets > 0)
    {
      int members = customer_socks->len + tech_socks->len;

      GPid pid = relay_mode ? relay_pid : opt_pid > 0 ? opt_pid : server_pid;
      long rss_before = bench_vm_rss_kib (pid), rss_after;

      if (opt_sockets > members)
        raw_open_idle (opt_sockets - members);
      spin_for (1);
      rss_after = bench_vm_rss_kib (pid);
      g_print ("  sockets open: %u (%d chat members)",
               members + (raw_fds ? raw_fds->len : 0), members);
      if (rss_before > 0 && rss_after > 0 && raw_fds != NULL && raw_fds->len > 0)
        g_print ("; server VmRSS %ld KiB -> %ld KiB with the idle ones: %.1f KiB per idle socket",
                 rss_before, rss_after, (double) (rss_after - rss_before) / raw_fds->len);
      g_print ("\n");
    }
  pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  latencies = g_array_new (FALSE, FALSE, sizeof (double));
  acked = received = 0;

  measuring = TRUE;
  cpu0 = bench_cpu_us (cpu_pid);
  t0 = g_get_monotonic_time ();
  rate_last = 0;
  rate_credit = 0;
  if (opt_rate > 0)
    rate_tick = g_timeout_add (10, rate_timer, NULL);
  else
    for (guint i = 0; i < chats->len; i++)
      for (int w = 0; w < opt_window; w++)
        send_one (chats->pdata[i]);
  g_timeout_add ((guint) (opt_duration * 1000), stop_measuring, &done);
  iterate_until (&done);
  t1 = g_get_monotonic_time ();
  cpu1 = bench_cpu_us (cpu_pid);
  if (rate_tick)
    g_source_remove (rate_tick);
  rate_tick = 0;

  /* Let what is in flight land, then count what the server stored. */
  spin_for (2);
  for (guint i = 0; i < chats->len && !relay_mode; i++)
    {
      Chat *chat = chats->pdata[i];
      gint64 after = 0;

      while (TRUE)
        {
          g_autofree char *path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT "/messages?after=%" G_GINT64_FORMAT "&limit=1000",
                                                   chat->id, after);
          g_autoptr(JsonNode) page = call ("GET", path, chat->customer_token, NULL, 200);
          JsonArray *msgs = json_object_get_array_member (json_node_get_object (page), "messages");
          guint len = json_array_get_length (msgs);

          stored += len;
          if (len == 0 || !json_object_get_boolean_member (json_node_get_object (page), "more"))
            break;
          after = json_object_get_int_member (json_array_get_object_element (msgs, len - 1), "seq");
        }
    }

  /* Later messages of a chat must cost what early ones cost (the
   * transcript is derived, nothing grows per message): compare the first
   * and the last fifth of the deliveries, in the order they arrived. */
  if (latencies->len >= 50)
    {
      guint fifth = latencies->len / 5;
      g_autoptr(GArray) first = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) last = g_array_new (FALSE, FALSE, sizeof (double));

      g_array_append_vals (first, latencies->data, fifth);
      g_array_append_vals (last, &g_array_index (latencies, double, latencies->len - fifth), fifth);
      g_print ("  first fifth of the deliveries: p50 %.2f ms; last fifth: p50 %.2f ms (about %" G_GUINT64_FORMAT " messages per chat by then)\n",
               percentile (first, 50), percentile (last, 50), stored / MAX (1, chats->len));
    }

  g_print ("  persisted (acknowledged to the sender): %.0f msg/s  (%" G_GUINT64_FORMAT " in %.1f s; %" G_GUINT64_FORMAT " stored in all)\n",
           acked / ((t1 - t0) / 1e6), acked, (t1 - t0) / 1e6, stored);
  g_print ("  delivered to the other member: %" G_GUINT64_FORMAT "; latency send->receive p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
           received, percentile (latencies, 50), percentile (latencies, 99), percentile (latencies, 100));
  if (cpu_pid > 0 && acked > 0)
    g_print ("  %s CPU (all its threads) per acknowledged message: %.1f us; load average %.1f\n",
             relay_mode ? "relay" : "server", (cpu1 - cpu0) / acked, bench_load_average ());

  g_clear_pointer (&pending, g_hash_table_unref);
  g_array_unref (latencies);
  raw_close_idle ();
  free_chats ();
}

/* --- rest mode ------------------------------------------------------------- */

/* The REST load speaks HTTP/1.1 itself over one keep-alive GSocketConnection
 * per chat, each request in one write.  (libsoup 3.2's client, used for
 * everything else here, burnt a whole core of its own at 100 concurrent
 * requests and capped the measurement at ~150 requests/s, while the server
 * was mostly idle.) */

static guint64 rest_ok, rest_failed;
static GSocketClient *rest_client;
static char *rest_host;
static guint16 rest_port;

typedef struct {
  Chat              *chat;
  GSocketConnection *conn;
  GString           *in;
  char               buf[4096];
  char              *request;
  gint64             started;
  gboolean           busy;     /* a request or response is in flight */
} RestConn;

static void rest_send (RestConn *rc);

static void
rest_fail (RestConn   *rc,
           const char *why)
{
  rc->busy = FALSE;
  if (!measuring)
    return;
  rest_failed++;
  if (rest_failed < 5)
    g_printerr ("POST failed: %s\n", why);
  /* Reconnect and go on while measuring. */
  g_clear_object (&rc->conn);
  g_string_truncate (rc->in, 0);
  if (measuring)
    rest_send (rc);
}

/* Returns the length of a complete response at the start of @in, or 0. */
static gsize
response_complete (GString *in,
                   guint   *status)
{
  const char *end = strstr (in->str, "\r\n\r\n");
  const char *cl;
  gsize header_len, body_len = 0;

  if (end == NULL)
    return 0;
  header_len = end + 4 - in->str;
  cl = g_strstr_len (in->str, header_len, "\nContent-Length:");
  if (cl == NULL)
    cl = g_strstr_len (in->str, header_len, "\ncontent-length:");
  if (cl != NULL)
    body_len = strtoul (cl + strlen ("\nContent-Length:"), NULL, 10);
  if (in->len < header_len + body_len)
    return 0;
  *status = in->len > 12 ? (guint) strtoul (in->str + 9, NULL, 10) : 0;
  return header_len + body_len;
}

static void
rest_read_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  RestConn *rc = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  guint status = 0;
  gsize used;

  if (n <= 0)
    {
      rest_fail (rc, error ? error->message : "connection closed");
      return;
    }
  g_string_append_len (rc->in, rc->buf, n);
  used = response_complete (rc->in, &status);
  if (used == 0)
    {
      g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (rc->conn)),
                                 rc->buf, sizeof rc->buf, G_PRIORITY_DEFAULT, NULL,
                                 rest_read_done, rc);
      return;
    }
  g_string_erase (rc->in, 0, used);
  rc->busy = FALSE;

  if (measuring)
    {
      if (status == 201)
        {
          double ms = (g_get_monotonic_time () - rc->started) / 1000.0;

          rest_ok++;
          g_array_append_val (latencies, ms);
        }
      else
        {
          g_autofree char *why = g_strdup_printf ("HTTP %u", status);
          rest_fail (rc, why);
          return;
        }
      rest_send (rc);
    }
}

static void
rest_write_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RestConn *rc = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&rc->request, g_free);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      rest_fail (rc, error->message);
      return;
    }
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (rc->conn)),
                             rc->buf, sizeof rc->buf, G_PRIORITY_DEFAULT, NULL,
                             rest_read_done, rc);
}

static void
rest_write (RestConn *rc)
{
  g_autofree char *body = g_strdup_printf ("{\"body\": \"%s\", \"client_id\": \"r%" G_GINT64_FORMAT "-%" G_GUINT64_FORMAT "\"}",
                                           filler, rc->chat->id, rc->chat->next_client++);

  rc->request = g_strdup_printf ("POST /api/v1/chats/%" G_GINT64_FORMAT "/messages HTTP/1.1\r\n"
                                 "Host: %s:%u\r\n"
                                 "Authorization: Bearer %s\r\n"
                                 "Content-Type: application/json\r\n"
                                 "Content-Length: %zu\r\n"
                                 "\r\n%s",
                                 rc->chat->id, rest_host, rest_port, rc->chat->customer_token,
                                 strlen (body), body);
  rc->started = g_get_monotonic_time ();
  rc->busy = TRUE;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (rc->conn)),
                                   rc->request, strlen (rc->request), G_PRIORITY_DEFAULT,
                                   NULL, rest_write_done, rc);
}

static void
rest_connected (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  RestConn *rc = user_data;
  g_autoptr(GError) error = NULL;

  rc->conn = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (rc->conn == NULL)
    {
      rest_failed++;
      if (rest_failed < 5)
        g_printerr ("connect failed: %s\n", error->message);
      return;
    }
  g_socket_set_option (g_socket_connection_get_socket (rc->conn), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  rest_write (rc);
}

static void
rest_send (RestConn *rc)
{
  if (rc->conn != NULL)
    rest_write (rc);
  else
    g_socket_client_connect_to_host_async (rest_client, rest_host, rest_port, NULL,
                                           rest_connected, rc);
}

static void
run_rest (void)
{
  int n = opt_chats > 0 ? opt_chats : 100;
  gboolean done = FALSE;
  g_autoptr(GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GPtrArray) conns = g_ptr_array_new ();
  gint64 t0, t1;

  g_print ("rest: %d concurrent chats, one POST in flight each, %.0f s\n", n, opt_duration);
  make_chats (n);
  latencies = g_array_new (FALSE, FALSE, sizeof (double));
  rest_ok = rest_failed = 0;
  rest_client = g_socket_client_new ();
  rest_host = g_strdup (g_uri_get_host (uri));
  rest_port = (guint16) g_uri_get_port (uri);

  measuring = TRUE;
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < chats->len; i++)
    {
      RestConn *rc = g_new0 (RestConn, 1);

      rc->chat = chats->pdata[i];
      rc->in = g_string_new (NULL);
      g_ptr_array_add (conns, rc);
      rest_send (rc);
    }
  g_timeout_add ((guint) (opt_duration * 1000), stop_measuring, &done);
  iterate_until (&done);
  t1 = g_get_monotonic_time ();
  spin_for (2);

  g_print ("  POST /messages: %.0f msg/s (%" G_GUINT64_FORMAT " ok, %" G_GUINT64_FORMAT " failed in %.1f s); latency p50 %.2f ms, p99 %.2f ms\n",
           rest_ok / ((t1 - t0) / 1e6), rest_ok, rest_failed, (t1 - t0) / 1e6,
           percentile (latencies, 50), percentile (latencies, 99));
  /* A connection with a request still in flight is left alone (and its
   * RestConn leaked): its callback will still run. */
  for (guint i = 0; i < conns->len; i++)
    {
      RestConn *rc = conns->pdata[i];

      if (rc->busy)
        continue;
      if (rc->conn != NULL)
        g_io_stream_close (G_IO_STREAM (rc->conn), NULL, NULL);
      g_clear_object (&rc->conn);
      g_string_free (rc->in, TRUE);
      g_free (rc);
    }
  g_clear_object (&rest_client);
  g_clear_pointer (&rest_host, g_free);
  g_array_unref (latencies);
  free_chats ();
}

/* --- presence mode --------------------------------------------------------- */

/* The issue's first target: T technicians and C customers connect, then
 * every technician makes itself available (PATCH /me), each change a
 * presence.changed fanned out by the server, and not one healthy socket
 * may be dropped.  Creating 2,000 users through the API costs two argon2id
 * runs each (minutes), so the users and their tokens are written into the
 * server's database directly (SQLite WAL: the server reads them as they
 * are); their sockets are raw descriptors in a thread that answers pings
 * and counts the sockets the server closes. */
static void
run_presence (void)
{
  int n_techs = opt_technicians > 0 ? opt_technicians : 1000;
  int n_customers = opt_customers > 0 ? opt_customers : 1000;
  g_autofree char *db_path = g_build_filename (tmpdir ? tmpdir : ".", "bench.db", NULL);
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) tech_user_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3 *db = NULL;
  sqlite3_stmt *user_st = NULL, *token_st = NULL;
  gint64 t0, t_patch, t_quiet;
  guint online = 0;
  GPid pid = opt_pid > 0 ? opt_pid : server_pid;
  long rss0 = bench_vm_rss_kib (pid);

  g_print ("presence: %d technicians and %d customers connect, then every technician goes available\n",
           n_techs, n_customers);
  if (tmpdir == NULL)
    {
      g_print ("  needs a server started by the bench (--server)\n");
      return;
    }
  if (sqlite3_open (db_path, &db) != SQLITE_OK)
    g_error ("cannot open %s", db_path);
  sqlite3_busy_timeout (db, 10000);
  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO users (login, name, email, role, password_hash) "
                          "SELECT ?1, ?1, ?1 || '@example.com', ?2, password_hash FROM users WHERE login = 'carol'",
                      -1, &user_st, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO tokens (hash, user_id, created_at) VALUES (?1, ?2, strftime('%s','now'))",
                      -1, &token_st, NULL);
  for (int i = 0; i < n_techs + n_customers; i++)
    {
      gboolean tech = i < n_techs;
      g_autofree char *login_name = g_strdup_printf ("p%s%d", tech ? "tech" : "cust", i);
      char *token = g_strdup_printf ("presence-token-%d-%s", i, login_name);
      g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
      gint64 id;

      sqlite3_bind_text (user_st, 1, login_name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (user_st, 2, tech ? "technician" : "customer", -1, SQLITE_STATIC);
      if (sqlite3_step (user_st) != SQLITE_DONE)
        g_error ("insert user: %s", sqlite3_errmsg (db));
      sqlite3_reset (user_st);
      id = sqlite3_last_insert_rowid (db);
      sqlite3_bind_text (token_st, 1, hash, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (token_st, 2, id);
      if (sqlite3_step (token_st) != SQLITE_DONE)
        g_error ("insert token: %s", sqlite3_errmsg (db));
      sqlite3_reset (token_st);
      g_ptr_array_add (tokens, token);
      if (tech)
        g_array_append_val (tech_user_ids, id);
    }
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  sqlite3_finalize (user_st);
  sqlite3_finalize (token_st);
  sqlite3_close (db);

  raw_tokens = tokens;
  raw_closed = 0;
  raw_open_idle (tokens->len);
  raw_tokens = NULL;
  spin_for (1);
  g_print ("  server VmRSS %ld KiB -> %ld KiB with %u sockets\n", rss0, bench_vm_rss_kib (pid), raw_fds->len);

  t0 = g_get_monotonic_time ();
  for (int i = 0; i < n_techs; i++)
    {
      g_autoptr(JsonNode) me = call ("PATCH", "/me", tokens->pdata[i], "{\"available_for_chat\": true}", 200);
    }
  t_patch = g_get_monotonic_time ();
  /* until the fan-out is over: no bytes for a second (pings aside) */
  do
    spin_for (0.5);
  while (g_get_monotonic_time () - raw_last_data < G_USEC_PER_SEC &&
         g_get_monotonic_time () - t_patch < 300 * G_USEC_PER_SEC);
  t_quiet = g_get_monotonic_time ();
  {
    g_autoptr(JsonNode) users = call ("GET", "/users?role=technician", admin_token, NULL, 200);
    JsonArray *list = json_object_get_array_member (json_node_get_object (users), "users");

    for (guint i = 0; i < json_array_get_length (list); i++)
      {
        JsonObject *u = json_array_get_object_element (list, i);

        if (g_str_has_prefix (json_object_get_string_member (u, "login"), "ptech") &&
            json_object_get_boolean_member (u, "online") &&
            json_object_get_boolean_member (u, "available_for_chat"))
          online++;
      }
  }
  g_print ("  %d PATCH /me in %.1f s; fan-out over %.1f s later (%.1f MiB received in all)\n",
           n_techs, (t_patch - t0) / 1e6, (t_quiet - t_patch) / 1e6 - 1.0, raw_bytes / 1048576.0);
  g_print ("  sockets closed by the server: %d of %u; technicians online and available: %u of %d\n",
           g_atomic_int_get (&raw_closed), raw_fds->len, online, n_techs);
  raw_close_idle ();
}

/* --- idle mode ------------------------------------------------------------- */

static void
run_idle (void)
{
  GPid pid = opt_pid > 0 ? opt_pid : server_pid;
  g_autoptr(GPtrArray) socks = g_ptr_array_new ();
  g_autofree char *token = NULL;
  long before, after;
  guint open = 0;

  g_print ("idle: %d sockets\n", opt_idle);
  token = login ("carol", "demo", NULL);
  g_usleep (500 * 1000);
  before = bench_vm_rss_kib (pid);
  for (int i = 0; i < opt_idle; i++)
    {
      g_ptr_array_add (socks, open_socket (token, TRUE));
      /* Do not flood the listen backlog. */
      if (i % 100 == 99)
        wait_connected (socks);
    }
  wait_connected (socks);
  for (guint i = 0; i < socks->len; i++)
    open += ((Sock *) socks->pdata[i])->hello;
  spin_for (2);
  after = bench_vm_rss_kib (pid);
  if (before < 0 || after < 0)
    g_print ("  %u sockets open (VmRSS unknown: give --pid)\n", open);
  else
    g_print ("  %u sockets open; server VmRSS %ld KiB -> %ld KiB: %.1f KiB per idle socket\n",
             open, before, after, open ? (double) (after - before) / open : 0.0);
  for (guint i = 0; i < socks->len; i++)
    close_socket (socks->pdata[i]);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- load generator for helpdesk-server");
  g_autoptr(GError) error = NULL;
  struct rlimit rl;
  const char *mode;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  mode = opt_mode ? opt_mode : "all";
  if (!g_str_equal (mode, "ws") && !g_str_equal (mode, "rest") &&
      !g_str_equal (mode, "idle") && !g_str_equal (mode, "presence") &&
      !g_str_equal (mode, "all"))
    {
      g_printerr ("unknown --mode %s\n", mode);
      return 2;
    }

  /* Many sockets need many descriptors, here and in a server we start. */
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }

  filler = g_strnfill (MAX (1, opt_body_size), 'x');
  for (int i = 0; filler[i]; i += 7)
    filler[i] = ' ';
  filler[0] = 'm';

  session = soup_session_new_with_options ("max-conns", 4096, "max-conns-per-host", 4096,
                                           "timeout", 60, NULL);
  call_session = soup_session_new_with_options ("max-conns-per-host", 2, "timeout", 60, NULL);

  if (opt_url != NULL)
    {
      base_url = g_strdup (opt_url);
      if (g_str_has_suffix (base_url, "/"))
        base_url[strlen (base_url) - 1] = '\0';
    }
  else
    start_server ();
  g_print ("server %s (pid %d)\n", base_url, opt_pid > 0 ? opt_pid : (int) server_pid);

  admin_token = login ("admin", "demo", NULL);

  if (g_str_equal (mode, "ws") || g_str_equal (mode, "all"))
    {
      run_ws ();
      if (opt_relay != NULL)
        {
          start_relay ();
          relay_mode = TRUE;
          run_ws ();
          relay_mode = FALSE;
          stop_relay ();
        }
    }
  if (g_str_equal (mode, "rest") || g_str_equal (mode, "all"))
    run_rest ();
  if (g_str_equal (mode, "idle") || g_str_equal (mode, "all"))
    run_idle ();
  if (g_str_equal (mode, "presence"))
    run_presence ();

  g_object_unref (call_session);
  g_object_unref (session);
  stop_server ();
  return 0;
}
