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
 *   hd-relay [--port N]     prints "listening on http://127.0.0.1:PORT/" */

#include "bench-util.h"
#include "hd-ws.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

typedef struct {
  SoupServer *soup;
  HdWsLoop   *ws;
  GHashTable *by_token;   /* token → GPtrArray of HdWsConn */
} Relay;

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
    hd_ws_conn_send_bytes (peers->pdata[i], frame);
  hd_ws_conn_send_bytes (conn, frame);
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
  struct rlimit rl;
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port (default: a free one)", "N" },
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
