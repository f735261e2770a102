/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-relay"

/* The bare relay hd-bench measures side by side with helpdesk-server: the
 * same HTTP server and socket layer (libsoup for the upgrade, hd-ws for the
 * sockets), and nothing else: no login, no store, no JSON parsing.  A
 * socket is known by the token it connected with; a
 * {"type": "chat.send", ..., "to": "TOKEN"} frame goes out again as
 * chat.message to every socket of TOKEN and back to its sender, which is
 * what the server does with a chat message after its commit.  So the
 * difference between the two is what the server's own work costs.
 *
 * With --sync-dir DIR it is a durable relay: the messages of a batch (what
 * one dispatch of the socket layer brought) are written into a file in
 * DIR, in place, fdatasync ()ed, and only then sent, as the server sends a
 * message only after its commit's fsync.  It writes the frames' bytes
 * alone (about 150 per message, where a commit of the server writes 24
 * KiB of database pages): what keeping the messages costs a relay that
 * does nothing else.
 *
 *   hd-relay [--port N] [--sync-dir DIR]
 *                           prints "listening on http://127.0.0.1:PORT/" */

#include "bench-util.h"
#include "hd-ws.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* --sync-dir: the file's size; written round and round in place, so a
 * fdatasync () never has file metadata to write. */
#define LOG_BYTES (16 * 1024 * 1024)

typedef struct {
  SoupServer *soup;
  HdWsLoop   *ws;
  GHashTable *by_token;   /* token → GPtrArray of HdWsConn */
  /* --sync-dir */
  int         log_fd;     /* -1: send at once */
  gsize       log_at;
  GByteArray *log_batch;  /* this batch's bytes */
  GPtrArray  *held;       /* this batch's frames: Held */
  guint       flush_id;
} Relay;

typedef struct {
  HdWsConn *conn;
  GBytes   *frame;
} Held;

static void
held_free (gpointer data)
{
  Held *h = data;

  hd_ws_conn_unref (h->conn);
  g_bytes_unref (h->frame);
  g_free (h);
}

typedef struct {
  Relay *relay;
  char  *token;
} Peer;

static void
peer_free (gpointer data)
{
  Peer *p = data;

  g_free (p->token);
  g_free (p);
}

/* The end of a batch: its bytes on the disk, then its frames out. */
static gboolean
flush_batch (gpointer data)
{
  Relay *relay = data;
  gsize len = relay->log_batch->len;

  relay->flush_id = 0;
  if (relay->log_at + len > LOG_BYTES)
    relay->log_at = 0;
  if (len > LOG_BYTES ||
      pwrite (relay->log_fd, relay->log_batch->data, len, (off_t) relay->log_at) != (ssize_t) len ||
      fdatasync (relay->log_fd) != 0)
    g_error ("hd-relay: cannot write the sync file: %s", g_strerror (errno));
  relay->log_at += len;
  g_byte_array_set_size (relay->log_batch, 0);
  for (guint i = 0; i < relay->held->len; i++)
    {
      Held *h = relay->held->pdata[i];

      hd_ws_conn_send_bytes (h->conn, h->frame);
    }
  g_ptr_array_set_size (relay->held, 0);
  return G_SOURCE_REMOVE;
}

static void
send_frame (Relay    *relay,
            HdWsConn *conn,
            GBytes   *frame)
{
  Held *h;

  if (relay->log_fd < 0)
    {
      hd_ws_conn_send_bytes (conn, frame);
      return;
    }
  h = g_new (Held, 1);
  h->conn = hd_ws_conn_ref (conn);
  h->frame = g_bytes_ref (frame);
  g_ptr_array_add (relay->held, h);
}

static void
on_message (HdWsConn   *conn,
            gboolean    is_text,
            const char *text,
            gsize       len,
            gpointer    user_data)
{
  Relay *relay = user_data;
  const char *to, *client_id, *body;
  gsize to_len, client_id_len, body_len;
  g_autofree char *token = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GBytes) frame = NULL;
  GPtrArray *peers;

  if (!is_text || g_strstr_len (text, MIN (len, 40), "\"chat.send\"") == NULL ||
      !bench_scan_value (text, len, "\"to\": \"", &to, &to_len) ||
      !bench_scan_value (text, len, "\"client_id\": \"", &client_id, &client_id_len) ||
      !bench_scan_value (text, len, "\"body\": \"", &body, &body_len))
    return;
  /* Written once, compact, like the server's events, and shared by
   * every socket it goes to. */
  out = g_strdup_printf ("{\"type\":\"chat.message\",\"data\":{\"client_id\":\"%.*s\",\"body\":\"%.*s\"}}",
                         (int) client_id_len, client_id, (int) body_len, body);
  frame = g_bytes_new_take (out, strlen (out));
  out = NULL;

  token = g_strndup (to, to_len);
  peers = g_hash_table_lookup (relay->by_token, token);
  for (guint i = 0; peers && i < peers->len; i++)
    send_frame (relay, peers->pdata[i], frame);
  send_frame (relay, conn, frame);
  if (relay->log_fd >= 0)
    {
      g_byte_array_append (relay->log_batch, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));
      /* after this dispatch of the socket layer's events (same priority,
       * attached later) */
      if (relay->flush_id == 0)
        relay->flush_id = g_idle_add_full (G_PRIORITY_DEFAULT, flush_batch, relay, NULL);
    }
}

static void
on_closed (HdWsConn *conn,
           gpointer  user_data)
{
  Relay *relay = user_data;
  const char *token = hd_ws_conn_get_data (conn);
  GPtrArray *peers = token ? g_hash_table_lookup (relay->by_token, token) : NULL;

  if (peers != NULL && g_ptr_array_remove_fast (peers, conn))
    hd_ws_conn_unref (conn);
  hd_ws_conn_set_data (conn, NULL);
}

static void
on_open (HdWsConn *conn,
         gpointer  data)
{
  Peer *p = data;
  Relay *relay = p->relay;
  GPtrArray *peers;
  char *key;
  static const char hello[] = "{\"type\":\"hello\",\"data\":{}}";

  /* entries stay, so the key can be the socket's data */
  if (!g_hash_table_lookup_extended (relay->by_token, p->token, (gpointer *) &key, (gpointer *) &peers))
    {
      key = g_strdup (p->token);
      peers = g_ptr_array_new ();
      g_hash_table_insert (relay->by_token, key, peers);
    }
  g_ptr_array_add (peers, conn);   /* the callee's reference */
  hd_ws_conn_set_data (conn, key);
  hd_ws_conn_send_text (conn, hello, strlen (hello));
}

static void
handle_events (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  Relay *relay = user_data;
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");
  Peer *p;

  if (auth == NULL || !g_str_has_prefix (auth, "Bearer "))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
      return;
    }
  p = g_new0 (Peer, 1);
  p->relay = relay;
  p->token = g_strdup (auth + strlen ("Bearer "));
  hd_ws_loop_upgrade (relay->ws, msg, on_open, p, peer_free);
}

int
main (int   argc,
      char *argv[])
{
  Relay relay = { 0 };
  HdWsLimits limits = { 10000, 30000, 64 * 1024, 4 * 1024 * 1024 };
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) addr = NULL;
  g_autoptr(GSocket) sock = NULL;
  GSList *uris;
  int port = 0;
  g_autofree char *sync_dir = NULL;
  struct rlimit rl;
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port (default: a free one)", "N" },
    { "sync-dir", 0, 0, G_OPTION_ARG_FILENAME, &sync_dir,
      "Write each batch here and fdatasync it before sending (default: send at once)", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- bare WebSocket relay for hd-bench");

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }

  relay.log_fd = -1;
  if (sync_dir != NULL)
    {
      g_autofree char *path = g_build_filename (sync_dir, "hd-relay.sync", NULL);
      g_autofree char *zeros = g_malloc0 (1024 * 1024);

      relay.log_fd = open (path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      for (int i = 0; relay.log_fd >= 0 && i < LOG_BYTES / (1024 * 1024); i++)
        if (write (relay.log_fd, zeros, 1024 * 1024) != 1024 * 1024)
          {
            close (relay.log_fd);
            relay.log_fd = -1;
          }
      if (relay.log_fd < 0 || fsync (relay.log_fd) != 0)
        {
          g_printerr ("hd-relay: cannot write %s: %s\n", path, g_strerror (errno));
          return 1;
        }
      relay.log_batch = g_byte_array_new ();
      relay.held = g_ptr_array_new_with_free_func (held_free);
    }
  relay.by_token = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_ptr_array_unref);
  relay.ws = hd_ws_loop_new (&limits, on_message, on_closed, &relay);
  relay.soup = soup_server_new ("server-header", "hd-relay ", NULL);
  soup_server_add_handler (relay.soup, "/api/v1/events", handle_events, &relay, NULL);

  addr = g_inet_socket_address_new_from_string ("127.0.0.1", port);
  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_socket_set_listen_backlog (sock, 4096);
  if (!g_socket_bind (sock, addr, TRUE, &error) || !g_socket_listen (sock, &error) ||
      !soup_server_listen_socket (relay.soup, sock, 0, &error))
    {
      g_printerr ("hd-relay: %s\n", error->message);
      return 1;
    }
  uris = soup_server_get_uris (relay.soup);
  printf ("listening on http://127.0.0.1:%d/\n", g_uri_get_port (uris->data));
  fflush (stdout);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_main_loop_run (loop);
  return 0;
}
