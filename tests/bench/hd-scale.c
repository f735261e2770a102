/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hd-scale: the "Done when" of issue #9 in one run.
 *
 *   hd-scale --server build/backend/helpdesk-server --relay build/tests/bench/hd-relay [--durable-relay]
 *            [--technicians 1000] [--team-size 10] [--idle 10000] [--rate 1000]
 *            [--duration 10] [--rounds 2]
 *
 * 1. The server is started on a temporary database (--seed-demo), stopped,
 *    and the bench's people are written into its SQLite database directly
 *    (T technicians in teams of --team-size, T customers each with one open
 *    request assigned to "their" technician, session tokens, and the
 *    idle sockets' customers, 16 sockets each, since a user may hold 32 at
 *    most): 2,000 users through the API would cost 4,000 argon2id runs.
 *    Then it is started again.
 * 2. The T technicians and T customers connect (raw WebSockets offering
 *    permessage-deflate, as browsers do), every technician goes available
 *    (PATCH /me, 8 at a time): no socket may be dropped, every technician
 *    must be online and available afterwards.
 * 3. Each customer opens a chat on its request, its technician accepts it:
 *    T active chats.
 * 4. The bare relay (hd-relay: the same socket layer, nothing stored) is
 *    started beside it with the same T + T member sockets; with
 *    --durable-relay a second one too, which fdatasyncs each batch's
 *    frames into a file in the database's folder before it sends them
 *    (hd-relay --sync-dir): what keeping the messages costs a relay.
 * 5. Rounds, alternating server and relay: --idle extra idle authenticated
 *    sockets are opened to the one measured (the first time: its VmRSS
 *    before and after, per socket), then the customers send --rate
 *    messages/s in all, round robin over the chats, for --duration seconds;
 *    the latency is send -> receive at the technician's socket; then the
 *    idle sockets are closed again (the generator's descriptors hold one
 *    set of idle sockets at a time).  While the relay is measured, a
 *    thread writes one commit's worth (24 KiB, in place) into the
 *    database's folder and fdatasyncs it every 1/--rate s: what the disk
 *    alone puts under the server's p99 at that moment (the server sends a
 *    message only after its commit's fsync).
 * 6. Lost messages: sent, delivered to the technician, acknowledged (the
 *    echo to the sender, after the commit), and on the server stored
 *    (counted in its database after the run).
 *
 * One thread reads every socket (epoll) and sends on a timer, so the
 * generator's own cost per wake-up does not grow with the sockets it holds;
 * setup calls run on worker threads meanwhile. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "bench-util.h"

static char   *opt_server;
static char   *opt_relay;
static gboolean opt_durable;
static int     opt_techs = 1000;
static int     opt_team_size = 10;
static int     opt_idle = 10000;
static double  opt_rate = 1000;
static double  opt_duration = 10;
static int     opt_rounds = 2;
static int     opt_body_size = 64;

/* Idle sockets per customer (the server's --max-sockets-per-user is 32). */
#define IDLE_PER_USER 16

static GOptionEntry entries[] = {
  { "server", 0, 0, G_OPTION_ARG_FILENAME, &opt_server, "helpdesk-server to start (default: $HD_SERVER_BIN)", "PATH" },
  { "relay", 0, 0, G_OPTION_ARG_FILENAME, &opt_relay, "hd-relay to measure beside it (default: none)", "PATH" },
  { "durable-relay", 0, 0, G_OPTION_ARG_NONE, &opt_durable,
    "With --relay: also a durable relay (hd-relay --sync-dir in the database's folder)", NULL },
  { "technicians", 0, 0, G_OPTION_ARG_INT, &opt_techs, "Technicians, and as many customers and chats (1000)", "N" },
  { "team-size", 0, 0, G_OPTION_ARG_INT, &opt_team_size, "Technicians per team (10)", "N" },
  { "idle", 0, 0, G_OPTION_ARG_INT, &opt_idle, "Extra idle sockets while measuring (10000)", "N" },
  { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &opt_rate, "Messages per second in all (1000)", "R" },
  { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &opt_duration, "Seconds measured per phase (10)", "S" },
  { "rounds", 0, 0, G_OPTION_ARG_INT, &opt_rounds, "Rounds of server + relay phases (2)", "N" },
  { "body-size", 0, 0, G_OPTION_ARG_INT, &opt_body_size, "Characters per message (64)", "N" },
  { NULL }
};

/* --- small helpers ------------------------------------------------------- */

static double
percentile (GArray *values,
            double  p)
{
  guint i;

  if (values->len == 0)
    return NAN;
  bench_sort_doubles (values);
  i = (guint) ceil (p / 100.0 * values->len);
  return g_array_index (values, double, MIN (MAX (i, 1), values->len) - 1);
}

/* --- a process that prints "listening on http://HOST:PORT/" ----------- */

typedef struct {
  GSubprocess *proc;
  GPid         pid;
  char         host[64];
  guint16      port;
} Target;

static void
target_start (Target      *t,
              const char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;

  g_subprocess_launcher_set_child_setup (launcher, bench_child_setup, NULL, NULL);
  t->proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (t->proc == NULL)
    g_error ("cannot start %s: %s", argv[0], error->message);
  t->pid = (GPid) atoi (g_subprocess_get_identifier (t->proc));
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (t->proc));
  while (TRUE)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, NULL);
      const char *p;
      int port;

      if (line == NULL)
        g_error ("%s exited before listening", argv[0]);
      p = strstr (line, "listening on http://");
      if (p != NULL && sscanf (p + strlen ("listening on http://"), "%63[^:]:%d", t->host, &port) == 2)
        {
          t->port = (guint16) port;
          break;
        }
    }
}

static void
target_stop (Target *t)
{
  if (t->proc == NULL)
    return;
  g_subprocess_send_signal (t->proc, SIGTERM);
  g_subprocess_wait (t->proc, NULL, NULL);
  g_clear_object (&t->proc);
}

static int
tcp_connect (const Target *t)
{
  struct sockaddr_in sa = { 0 };
  int one = 1;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return -1;
  sa.sin_family = AF_INET;
  sa.sin_port = htons (t->port);
  if (inet_pton (AF_INET, t->host, &sa.sin_addr) != 1 ||
      connect (fd, (struct sockaddr *) &sa, sizeof sa) != 0)
    {
      close (fd);
      return -1;
    }
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static gboolean
write_all (int         fd,
           const char *data,
           gsize       len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

/* --- REST: blocking HTTP/1.1 over one keep-alive connection ------------- */

typedef struct {
  const Target *target;
  int           fd;
} Http;

/* Returns the status (0 on a transport error); *out_body the parsed JSON. */
static guint
http_call (Http        *h,
           const char  *method,
           const char  *path,
           const char  *token,
           const char  *body,
           JsonNode   **out_body)
{
  g_autoptr(GString) req = g_string_new (NULL);
  g_autoptr(GByteArray) in = g_byte_array_new ();
  char buf[16384];
  const char *head_end = NULL;
  gsize head_len = 0, content_length = 0;
  guint status = 0;

  if (out_body)
    *out_body = NULL;
  for (int attempt = 0; attempt < 2; attempt++)
    {
      if (h->fd < 0 && (h->fd = tcp_connect (h->target)) < 0)
        return 0;
      g_string_printf (req, "%s /api/v1%s HTTP/1.1\r\nHost: %s:%u\r\n", method, path,
                       h->target->host, h->target->port);
      if (token)
        g_string_append_printf (req, "Authorization: Bearer %s\r\n", token);
      g_string_append_printf (req, "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                              body ? strlen (body) : 0, body ? body : "");
      g_byte_array_set_size (in, 0);
      head_end = NULL;
      if (!write_all (h->fd, req->str, req->len))
        goto retry;
      while (head_end == NULL)
        {
          ssize_t n = read (h->fd, buf, sizeof buf);

          if (n <= 0)
            goto retry;
          g_byte_array_append (in, (guint8 *) buf, n);
          head_end = g_strstr_len ((char *) in->data, in->len, "\r\n\r\n");
        }
      break;
    retry:
      close (h->fd);
      h->fd = -1;
    }
  if (head_end == NULL)
    return 0;
  head_len = head_end + 4 - (char *) in->data;
  {
    g_autofree char *head = g_strndup ((char *) in->data, head_len);
    char *cl = strcasestr (head, "\r\nContent-Length:");

    if (sscanf (head, "HTTP/1.%*d %u", &status) != 1)
      return 0;
    if (cl != NULL)
      content_length = strtoul (cl + strlen ("\r\nContent-Length:"), NULL, 10);
  }
  while (in->len < head_len + content_length)
    {
      ssize_t n = read (h->fd, buf, sizeof buf);

      if (n <= 0)
        {
          close (h->fd);
          h->fd = -1;
          return 0;
        }
      g_byte_array_append (in, (guint8 *) buf, n);
    }
  if (out_body && content_length > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (json_parser_load_from_data (parser, (char *) in->data + head_len, content_length, NULL))
        *out_body = json_node_copy (json_parser_get_root (parser));
    }
  return status;
}

/* --- the sockets ---------------------------------------------------------- */

enum { ROLE_IDLE, ROLE_TECH, ROLE_CUSTOMER };

typedef struct {
  int         fd;
  int         role;
  int         chat;        /* index, for members */
  gboolean    closed;      /* by the peer */
  GByteArray *in;
} Sock;

typedef struct {
  Sock   *customer;
  Sock   *tech;
  gint64  id;              /* server: chat id; relay: index */
  gint64  request_id;
  char   *to;              /* relay: the technician's token */
  guint   next;            /* next message number */
  gint64  sent[256];       /* monotonic µs by number % 256 */
  guint8  flags[256];      /* 1 delivered, 2 acknowledged */
} Chat;

/* What the network thread counts; the main thread reads it between phases
 * (under net_lock). */
typedef struct {
  guint64  sent, delivered, acked, duplicate;
  guint64  bytes;
  GArray  *latencies;      /* ms */
} Stats;

static int         epfd;
static int         wake_fd;
static GMutex      net_lock;
static GCond       net_cond;
static GThread    *net_thread;
static gboolean    net_quit;

/* Commands to the network thread, under net_lock. */
static GPtrArray  *close_request;   /* sockets to close, or NULL */
static gboolean    close_done;

static GPtrArray  *send_chats;      /* non-NULL while sending */
static char        send_prefix;     /* client_id prefix of the phase */
static gboolean    send_relay;
static Stats       stats;
static gint        socks_closed;    /* closed by the peer */
static gint64      last_bytes_at;   /* monotonic µs */
static char       *filler;
static guint64     server_sent_all; /* every chat.send to the server, warm-up included */

static GPtrArray  *chats;           /* Chat of the current target */

/* Connects, upgrades (offering permessage-deflate) and reads the 101; the
 * bytes after it stay in the socket's buffer.  *deflate says whether the
 * server accepted an extension. */
static Sock *
ws_open (const Target *t,
         const char   *token,
         int           role,
         gboolean     *deflate)
{
  g_autofree char *req = bench_ws_upgrade_request (t->host, t->port, token);
  int fd = tcp_connect (t);
  Sock *s;

  if (fd < 0)
    return NULL;
  if (!write_all (fd, req, strlen (req)))
    {
      close (fd);
      return NULL;
    }
  s = g_new0 (Sock, 1);
  s->fd = fd;
  s->role = role;
  s->chat = -1;
  s->in = g_byte_array_new ();
  (void) deflate;
  return s;
}

static gboolean
ws_finish (Sock     *s,
           gboolean *deflate)
{
  char buf[4096];
  const char *end = NULL;
  gsize head_len;

  while (end == NULL)
    {
      ssize_t n = read (s->fd, buf, sizeof buf);

      if (n <= 0)
        return FALSE;
      g_byte_array_append (s->in, (guint8 *) buf, n);
      end = g_strstr_len ((char *) s->in->data, s->in->len, "\r\n\r\n");
      if (end == NULL && s->in->len > 8192)
        return FALSE;
    }
  head_len = end + 4 - (char *) s->in->data;
  if (s->in->len < 12 || memcmp (s->in->data, "HTTP/1.1 101", 12) != 0)
    return FALSE;
  if (deflate != NULL &&
      g_strstr_len ((char *) s->in->data, head_len, "Sec-WebSocket-Extensions") != NULL)
    *deflate = TRUE;
  g_byte_array_remove_range (s->in, 0, head_len);
  fcntl (s->fd, F_SETFL, fcntl (s->fd, F_GETFL) | O_NONBLOCK);
  return TRUE;
}

static void
sock_free (Sock *s)
{
  if (s->fd >= 0)
    close (s->fd);
  g_byte_array_unref (s->in);
  g_free (s);
}

/* Opens @tokens->len sockets (200 handshakes in flight at a time) and hands
 * them to the network thread.  Returns the sockets opened. */
static GPtrArray *
open_many (const Target *t,
           GPtrArray    *tokens,
           const char   *one_token,
           int           n,
           int           role,
           guint        *failed,
           gboolean     *deflate)
{
  GPtrArray *out = g_ptr_array_new ();

  *failed = 0;
  for (int i = 0; i < n; i += 200)
    {
      Sock *batch[200];
      int m = MIN (200, n - i);

      for (int j = 0; j < m; j++)
        batch[j] = ws_open (t, tokens ? tokens->pdata[i + j] : one_token, role, deflate);
      for (int j = 0; j < m; j++)
        {
          struct epoll_event ev = { .events = EPOLLIN };

          if (batch[j] == NULL || !ws_finish (batch[j], deflate))
            {
              if ((*failed)++ < 3)
                g_printerr ("  socket %d: %s\n", i + j, g_strerror (errno));
              if (batch[j] != NULL)
                sock_free (batch[j]);
              g_ptr_array_add (out, NULL);
              continue;
            }
          ev.data.ptr = batch[j];
          epoll_ctl (epfd, EPOLL_CTL_ADD, batch[j]->fd, &ev);
          g_ptr_array_add (out, batch[j]);
        }
      /* what came after the 101 (the hello) is read by the thread */
      eventfd_write (wake_fd, 1);
    }
  return out;
}

/* Closes the sockets in the network thread and waits for it. */
static void
close_many (GPtrArray *socks)
{
  g_mutex_lock (&net_lock);
  close_request = socks;
  close_done = FALSE;
  eventfd_write (wake_fd, 1);
  while (!close_done)
    g_cond_wait (&net_cond, &net_lock);
  close_request = NULL;
  g_mutex_unlock (&net_lock);
}

/* A masked frame from the client. */
static void
ws_send (Sock       *s,
         int         opcode,
         const char *payload,
         gsize       len)
{
  static const guint8 mask[4] = { 0x12, 0x34, 0x56, 0x78 };
  guint8 stack[512];
  guint8 *frame = len + 14 <= sizeof stack ? stack : g_malloc (len + 14);
  gsize h = 0;

  frame[h++] = 0x80 | opcode;
  if (len < 126)
    frame[h++] = 0x80 | len;
  else if (len < 65536)
    {
      frame[h++] = 0x80 | 126;
      frame[h++] = len >> 8;
      frame[h++] = len & 0xff;
    }
  else
    {
      frame[h++] = 0x80 | 127;
      for (int i = 7; i >= 0; i--)
        frame[h++] = (guint8) ((guint64) len >> (8 * i));
    }
  memcpy (frame + h, mask, 4);
  h += 4;
  for (gsize i = 0; i < len; i++)
    frame[h + i] = payload[i] ^ mask[i % 4];
  if (!s->closed && !write_all (s->fd, (char *) frame, h + len))
    s->closed = TRUE;
  if (frame != stack)
    g_free (frame);
}

static void
on_text (Sock       *s,
         const char *text,
         gsize       len,
         gint64      now)
{
  const char *v;
  gsize v_len;
  char id[64];
  int chat_i;
  guint n;
  Chat *chat;
  guint8 bit;

  if (s->role == ROLE_IDLE || stats.latencies == NULL || !bench_scan_value (text, MIN (len, 80), "\"type\":\"", &v, &v_len) ||
      v_len != strlen ("chat.message") || memcmp (v, "chat.message", v_len) != 0)
    return;
  /* client_id is <prefix><chat index>-<number> */
  if (!bench_scan_value (text, len, "\"client_id\":\"", &v, &v_len) || v_len >= sizeof id ||
      v_len < 2 || v[0] != send_prefix)
    return;
  memcpy (id, v + 1, v_len - 1);
  id[v_len - 1] = '\0';
  if (sscanf (id, "%d-%u", &chat_i, &n) != 2 || chats == NULL || chat_i < 0 ||
      (guint) chat_i >= chats->len)
    return;
  chat = chats->pdata[chat_i];
  bit = s->role == ROLE_TECH ? 1 : 2;
  if (chat->flags[n % 256] & bit)
    {
      stats.duplicate++;
      return;
    }
  chat->flags[n % 256] |= bit;
  if (bit == 1)
    {
      double ms = (now - chat->sent[n % 256]) / 1000.0;

      stats.delivered++;
      g_array_append_val (stats.latencies, ms);
    }
  else
    stats.acked++;
}

/* Frames in s->in (the server's are not masked). */
static void
parse_frames (Sock  *s,
              gint64 now)
{
  gsize off = 0;

  while (s->in->len - off >= 2)
    {
      const guint8 *p = s->in->data + off;
      int opcode = p[0] & 0x0f;
      guint64 len = p[1] & 0x7f;
      gsize h = 2;

      if (len == 126)
        {
          if (s->in->len - off < 4)
            break;
          len = ((guint64) p[2] << 8) | p[3];
          h = 4;
        }
      else if (len == 127)
        {
          if (s->in->len - off < 10)
            break;
          len = 0;
          for (int i = 0; i < 8; i++)
            len = (len << 8) | p[2 + i];
          h = 10;
        }
      if (s->in->len - off < h + len)
        break;
      if (opcode == 0x1)
        on_text (s, (const char *) p + h, len, now);
      else if (opcode == 0x9)
        ws_send (s, 0xA, (const char *) p + h, len);
      else if (opcode == 0x8)
        s->closed = TRUE;
      off += h + len;
    }
  if (off > 0)
    g_byte_array_remove_range (s->in, 0, off);
}

static void
send_message (Chat  *chat,
              gint64 now)
{
  char frame[1024];
  int len;
  guint n = chat->next++;

  if (chat->customer == NULL || chat->customer->closed)
    return;
  if (send_relay)
    len = g_snprintf (frame, sizeof frame,
                      "{\"type\": \"chat.send\", \"data\": {\"chat_id\": %" G_GINT64_FORMAT ", "
                      "\"body\": \"%s\", \"client_id\": \"%c%d-%u\"}, \"to\": \"%s\"}",
                      chat->id, filler, send_prefix, chat->customer->chat, n, chat->to);
  else
    len = g_snprintf (frame, sizeof frame,
                      "{\"type\": \"chat.send\", \"data\": {\"chat_id\": %" G_GINT64_FORMAT ", "
                      "\"body\": \"%s\", \"client_id\": \"%c%d-%u\"}}",
                      chat->id, filler, send_prefix, chat->customer->chat, n);
  chat->sent[n % 256] = now;
  chat->flags[n % 256] = 0;
  stats.sent++;
  if (!send_relay)
    server_sent_all++;
  ws_send (chat->customer, 0x1, frame, len);
}

static gpointer
net_main (gpointer data)
{
  char buf[65536];
  double credit = 0;
  gint64 last = 0;
  guint rr = 0;

  while (TRUE)
    {
      struct epoll_event evs[256];
      int n = epoll_wait (epfd, evs, G_N_ELEMENTS (evs), 1);
      gint64 now = g_get_monotonic_time ();

      g_mutex_lock (&net_lock);
      if (net_quit)
        {
          g_mutex_unlock (&net_lock);
          return NULL;
        }
      for (int i = 0; i < n; i++)
        {
          Sock *s = evs[i].data.ptr;
          ssize_t got;

          if (s == NULL)
            {
              eventfd_t v;

              eventfd_read (wake_fd, &v);
              continue;
            }
          while ((got = read (s->fd, buf, sizeof buf)) > 0)
            {
              g_byte_array_append (s->in, (guint8 *) buf, got);
              stats.bytes += got;
              last_bytes_at = now;
              if (got < (ssize_t) sizeof buf)
                break;
            }
          parse_frames (s, now);
          if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
            {
              /* the peer closed (after a close frame or not) */
              epoll_ctl (epfd, EPOLL_CTL_DEL, s->fd, NULL);
              socks_closed++;
              s->closed = TRUE;
            }
        }
      if (close_request != NULL && !close_done)
        {
          for (guint i = 0; i < close_request->len; i++)
            {
              Sock *s = close_request->pdata[i];

              if (s == NULL)
                continue;
              epoll_ctl (epfd, EPOLL_CTL_DEL, s->fd, NULL);
              sock_free (s);
            }
          close_done = TRUE;
          g_cond_broadcast (&net_cond);
        }
      if (send_chats != NULL)
        {
          if (last == 0)
            last = now;
          credit += opt_rate * (now - last) / 1e6;
          last = now;
          while (credit >= 1.0)
            {
              send_message (send_chats->pdata[rr++ % send_chats->len], now);
              credit -= 1.0;
            }
        }
      else
        {
          last = 0;
          credit = 0;
        }
      g_mutex_unlock (&net_lock);
    }
}

/* --- populating the database --------------------------------------------- */

typedef struct {
  GPtrArray *tech_tokens, *customer_tokens;
  GArray    *request_ids;
  /* the idle sockets' tokens, one per socket: IDLE_PER_USER sockets per
   * customer (a user holds at most 32 on the server) */
  GPtrArray *idle_users, *idle_tokens;
} People;

static char *
add_user (sqlite3    *db,
          const char *login,
          const char *role,
          gint64     *out_id)
{
  sqlite3_stmt *st = NULL;
  char *token = g_strdup_printf ("scale-%s-%08x%08x", login, g_random_int (), g_random_int ());
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  gint64 id;

  sqlite3_prepare_v2 (db, "INSERT INTO users (login, name, email, role, password_hash, created_at) "
                          "SELECT ?1, 'Scale ' || ?1, ?1 || '@example.com', ?2, password_hash, 0 "
                          "FROM users WHERE login = 'admin'", -1, &st, NULL);
  sqlite3_bind_text (st, 1, login, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, role, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    g_error ("insert user: %s", sqlite3_errmsg (db));
  sqlite3_finalize (st);
  id = sqlite3_last_insert_rowid (db);
  sqlite3_prepare_v2 (db, "INSERT INTO tokens (hash, user_id, created_at) VALUES (?1, ?2, strftime('%s','now'))",
                      -1, &st, NULL);
  sqlite3_bind_text (st, 1, hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 2, id);
  if (sqlite3_step (st) != SQLITE_DONE)
    g_error ("insert token: %s", sqlite3_errmsg (db));
  sqlite3_finalize (st);
  if (out_id)
    *out_id = id;
  return token;
}

static void
exec_sql (sqlite3    *db,
          const char *sql)
{
  char *err = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &err) != SQLITE_OK)
    g_error ("%s: %s", sql, err);
}

static People *
populate (const char *db_path,
          int         n)
{
  People *p = g_new0 (People, 1);
  sqlite3 *db = NULL;
  gint64 team_id = 0;
  g_autoptr(GArray) tech_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  p->tech_tokens = g_ptr_array_new_with_free_func (g_free);
  p->customer_tokens = g_ptr_array_new_with_free_func (g_free);
  p->request_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (sqlite3_open (db_path, &db) != SQLITE_OK)
    g_error ("cannot open %s", db_path);
  sqlite3_busy_timeout (db, 10000);
  exec_sql (db, "BEGIN");
  for (int i = 0; i < n; i++)
    {
      g_autofree char *login = g_strdup_printf ("stech%d", i);
      gint64 id;

      if (i % opt_team_size == 0)
        {
          g_autofree char *sql = g_strdup_printf ("INSERT INTO teams (name) VALUES ('scale team %d')",
                                                  i / opt_team_size);
          exec_sql (db, sql);
          team_id = sqlite3_last_insert_rowid (db);
        }
      g_ptr_array_add (p->tech_tokens, add_user (db, login, "technician", &id));
      g_array_append_val (tech_ids, id);
      {
        g_autofree char *sql = g_strdup_printf ("INSERT INTO team_members (team_id, user_id) VALUES (%"
                                                G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")", team_id, id);
        exec_sql (db, sql);
      }
      {
        g_autofree char *clogin = g_strdup_printf ("scust%d", i);
        gint64 cid, rid;
        g_autofree char *sql = NULL;

        g_ptr_array_add (p->customer_tokens, add_user (db, clogin, "customer", &cid));
        sql = g_strdup_printf ("INSERT INTO requests (subject, description, status, customer_id, assignee_id, "
                               "team_id, created_at) VALUES ('scale %d', '', 'open', %" G_GINT64_FORMAT ", %"
                               G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 0)", i, cid, id, team_id);
        exec_sql (db, sql);
        rid = sqlite3_last_insert_rowid (db);
        g_array_append_val (p->request_ids, rid);
      }
    }
  p->idle_users = g_ptr_array_new_with_free_func (g_free);
  p->idle_tokens = g_ptr_array_new ();
  for (int i = 0; i < opt_idle; i++)
    {
      if (i % IDLE_PER_USER == 0)
        {
          g_autofree char *login = g_strdup_printf ("sidle%d", i / IDLE_PER_USER);

          g_ptr_array_add (p->idle_users, add_user (db, login, "customer", NULL));
        }
      g_ptr_array_add (p->idle_tokens, p->idle_users->pdata[p->idle_users->len - 1]);
    }
  exec_sql (db, "COMMIT");
  sqlite3_close (db);
  return p;
}

/* --- setup calls on 8 worker threads --------------------------------------- */

typedef struct {
  const Target *target;
  People       *people;
  GPtrArray    *chats;
  int           step;     /* 0: PATCH /me available; 1: open and accept the chat */
  gint          next;
  gint          failures;
} Work;

static gpointer
work_main (gpointer data)
{
  Work *w = data;
  Http h = { w->target, -1 };
  int i;

  while ((i = g_atomic_int_add (&w->next, 1)) < (int) w->people->tech_tokens->len)
    {
      if (w->step == 0)
        {
          if (http_call (&h, "PATCH", "/me", w->people->tech_tokens->pdata[i],
                         "{\"available_for_chat\": true}", NULL) != 200)
            g_atomic_int_inc (&w->failures);
        }
      else
        {
          Chat *chat = w->chats->pdata[i];
          g_autofree char *body = g_strdup_printf ("{\"request_id\": %" G_GINT64_FORMAT "}", chat->request_id);
          g_autoptr(JsonNode) created = NULL;
          g_autofree char *path = NULL;
          guint st = http_call (&h, "POST", "/chats", w->people->customer_tokens->pdata[i], body, &created);

          chat->id = bench_member_int (created, "id");
          if (st != 201 || chat->id < 0)
            {
              if (g_atomic_int_add (&w->failures, 1) < 3)
                g_printerr ("  POST /chats: %u\n", st);
              continue;
            }
          path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT "/accept", chat->id);
          st = http_call (&h, "POST", path, w->people->tech_tokens->pdata[i], NULL, NULL);
          if (st != 200 && g_atomic_int_add (&w->failures, 1) < 3)
            g_printerr ("  accept: %u\n", st);
        }
    }
  if (h.fd >= 0)
    close (h.fd);
  return NULL;
}

static int
run_work (Work *w)
{
  GThread *threads[8];

  w->next = 0;
  w->failures = 0;
  for (int i = 0; i < 8; i++)
    threads[i] = g_thread_new ("setup", work_main, w);
  for (int i = 0; i < 8; i++)
    g_thread_join (threads[i]);
  return w->failures;
}

/* Waits until no bytes came for @quiet_s (at most @max_s). */
static void
wait_quiet (double quiet_s,
            double max_s)
{
  gint64 start = g_get_monotonic_time ();

  while (g_get_monotonic_time () - start < max_s * G_USEC_PER_SEC)
    {
      gint64 last;

      g_usleep (100 * 1000);
      g_mutex_lock (&net_lock);
      last = last_bytes_at;
      g_mutex_unlock (&net_lock);
      if (g_get_monotonic_time () - last > quiet_s * G_USEC_PER_SEC)
        break;
    }
}

/* --- one measured phase ----------------------------------------------------- */

/* --- the disk ---------------------------------------------------------------- */

/* What a durable commit costs on this disk, as the server's commits do it:
 * SQLite's WAL starts over in place (the server checkpoints it), so a commit
 * overwrites pages of a file already that long and fdatasync () never has
 * to write file metadata.  PROBE_BYTES is a commit of one message at its
 * p50 (six 4 KiB WAL frames). */
#define PROBE_BYTES (24 * 1024)
#define PROBE_FILE (4 * 1024 * 1024)

typedef struct {
  int      fd;
  char    *path;
  off_t    at;
  GArray  *ms;       /* while measuring */
  gint     stop;
  GThread *thread;
} Probe;

static Probe probe = { -1 };

static gboolean
probe_open (const char *dir)
{
  g_autofree char *zeros = g_malloc0 (1024 * 1024);

  probe.path = g_build_filename (dir, "fsync-probe", NULL);
  probe.fd = open (probe.path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (probe.fd < 0)
    return FALSE;
  for (int i = 0; i < PROBE_FILE / (1024 * 1024); i++)
    if (!write_all (probe.fd, zeros, 1024 * 1024))
      return FALSE;
  return fsync (probe.fd) == 0;
}

/* One commit's write and fdatasync, in ms (< 0: failed). */
static double
probe_once (void)
{
  static char block[PROBE_BYTES];
  gint64 t = g_get_monotonic_time ();

  if (probe.at + PROBE_BYTES > PROBE_FILE)
    probe.at = 0;
  block[0]++;
  if (pwrite (probe.fd, block, PROBE_BYTES, probe.at) != PROBE_BYTES || fdatasync (probe.fd) != 0)
    return -1;
  probe.at += PROBE_BYTES;
  return (g_get_monotonic_time () - t) / 1000.0;
}

/* Beside the relay's measured phases (the disk is otherwise idle then, the
 * load the same as the server's): one commit every 1/--rate s, as the
 * server makes one per message at this rate. */
static gpointer
probe_main (gpointer data)
{
  gint64 period = (gint64) (G_USEC_PER_SEC / MAX (opt_rate, 1.0));
  gint64 next = g_get_monotonic_time ();

  while (!g_atomic_int_get (&probe.stop))
    {
      double d = probe_once ();

      if (d < 0)
        break;
      g_array_append_val (probe.ms, d);
      next += period;
      if (next > g_get_monotonic_time ())
        g_usleep (next - g_get_monotonic_time ());
      else
        next = g_get_monotonic_time ();
    }
  return NULL;
}

static void
probe_start (void)
{
  if (probe.fd < 0)
    return;
  g_atomic_int_set (&probe.stop, 0);
  probe.thread = g_thread_new ("disk-probe", probe_main, NULL);
}

static void
probe_stop (void)
{
  if (probe.thread == NULL)
    return;
  g_atomic_int_set (&probe.stop, 1);
  g_thread_join (probe.thread);
  probe.thread = NULL;
}

/* At the start, alone: 200 commits back to back. */
static void
probe_alone (const char *dir)
{
  g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));

  if (!probe_open (dir))
    {
      g_print ("disk: cannot write %s: no disk probe\n", probe.path);
      if (probe.fd >= 0)
        close (probe.fd);
      probe.fd = -1;
      return;
    }
  for (int i = 0; i < 200; i++)
    {
      double d = probe_once ();

      if (d < 0)
        break;
      g_array_append_val (ms, d);
    }
  g_print ("disk: %d KiB overwritten in place + fdatasync in %s (a commit of one message), "
           "alone: p50 %.2f ms, p99 %.2f ms\n",
           PROBE_BYTES / 1024, dir, percentile (ms, 50), percentile (ms, 99));
}

typedef struct {
  const char *name;
  gboolean    relay;         /* hd-relay's frames, no acknowledgement counted */
  gboolean    probe;         /* the disk probe runs beside it */
  Target     *target;
  GPtrArray  *chats;
  GPtrArray  *idle_tokens;   /* or all with one token: */
  const char *idle_token;
  GArray     *all_latencies;
  guint64     sent, delivered, acked, duplicate;
  double      cpu_us;
  guint64     messages;
  long        rss_per_idle_bytes;   /* first open */
  gboolean    rss_measured;
  gboolean    deflate;
  guint       idle_failed;
} Side;

/* Each phase takes two client_id prefixes (its warm-up second's and its
 * measured seconds'), letters in turn: a byte past 'z' would be invalid
 * UTF-8 from the 16th phase on, and the server rightly closes the
 * customers' sockets with 1007.  Reusing a letter 26 phases later is
 * safe: a chat's message numbers only grow, so no client_id repeats. */
static const char PREFIXES[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
static guint phase_prefix;

static char
next_prefix (void)
{
  return PREFIXES[phase_prefix++ % (sizeof PREFIXES - 1)];
}

static void
run_phase (Side *side,
           int   round)
{
  guint failed = 0;
  long rss0 = bench_vm_rss_kib (side->target->pid), rss1;
  GPtrArray *idle;
  gint64 t0, t1;
  double cpu0, cpu1;
  double l0 = bench_load_average ();
  g_autoptr(GArray) lat = NULL;
  Stats got;
  char prefix = next_prefix ();

  idle = open_many (side->target, side->idle_tokens, side->idle_token, opt_idle, ROLE_IDLE, &failed, &side->deflate);
  side->idle_failed += failed;
  g_usleep (G_USEC_PER_SEC);
  rss1 = bench_vm_rss_kib (side->target->pid);
  if (!side->rss_measured && idle->len - failed > 0)
    {
      side->rss_per_idle_bytes = (rss1 - rss0) * 1024 / (long) (idle->len - failed);
      side->rss_measured = TRUE;
      g_print ("  %s: %u idle sockets opened (%u failed); VmRSS %ld -> %ld KiB: %.1f KiB per idle socket\n",
               side->name, idle->len - failed, failed, rss0, rss1, side->rss_per_idle_bytes / 1024.0);
    }

  /* a second of load not counted, then the measurement */
  g_mutex_lock (&net_lock);
  chats = side->chats;
  send_prefix = prefix;
  send_relay = side->relay;
  memset (&stats, 0, sizeof stats);
  stats.latencies = g_array_new (FALSE, FALSE, sizeof (double));
  send_chats = side->chats;
  g_mutex_unlock (&net_lock);
  g_usleep (G_USEC_PER_SEC);

  g_mutex_lock (&net_lock);
  g_array_set_size (stats.latencies, 0);
  stats.sent = stats.delivered = stats.acked = stats.duplicate = 0;
  /* the first second's messages must not count as delivered later */
  send_prefix = next_prefix ();
  g_mutex_unlock (&net_lock);
  if (side->probe)
    probe_start ();
  cpu0 = bench_cpu_us (side->target->pid);
  t0 = g_get_monotonic_time ();
  g_usleep ((gulong) (opt_duration * G_USEC_PER_SEC));
  g_mutex_lock (&net_lock);
  send_chats = NULL;
  g_mutex_unlock (&net_lock);
  t1 = g_get_monotonic_time ();
  probe_stop ();
  /* what is in flight lands */
  for (int i = 0; i < 50; i++)
    {
      g_usleep (100 * 1000);
      g_mutex_lock (&net_lock);
      got = stats;
      g_mutex_unlock (&net_lock);
      if (got.delivered >= got.sent && (send_relay || got.acked >= got.sent))
        break;
    }
  cpu1 = bench_cpu_us (side->target->pid);
  g_mutex_lock (&net_lock);
  got = stats;
  stats.latencies = NULL;
  chats = NULL;
  g_mutex_unlock (&net_lock);
  lat = got.latencies;

  side->sent += got.sent;
  side->delivered += got.delivered;
  side->acked += got.acked;
  side->duplicate += got.duplicate;
  side->cpu_us += cpu1 - cpu0;
  side->messages += got.sent;
  g_array_append_vals (side->all_latencies, lat->data, lat->len);
  g_print ("  round %d %-6s %.0f msg/s; sent %" G_GUINT64_FORMAT ", delivered %" G_GUINT64_FORMAT
           ", acknowledged %" G_GUINT64_FORMAT "; p50 %.2f ms, p99 %.2f ms, max %.1f ms; "
           "%.0f us CPU/message; load %.1f -> %.1f\n",
           round, side->name, got.sent / ((t1 - t0) / 1e6), got.sent, got.delivered, got.acked,
           percentile (lat, 50), percentile (lat, 99), percentile (lat, 100),
           got.sent ? (cpu1 - cpu0) / got.sent : 0.0, l0, bench_load_average ());

  close_many (idle);
  g_ptr_array_unref (idle);
  g_usleep (500 * 1000);
}

/* --- main ------------------------------------------------------------------- */

/* Chat @i's members: the @i-th sockets (NULL where one failed to open). */
static void
chat_set_members (Chat      *chat,
                  int        i,
                  GPtrArray *tech_socks,
                  GPtrArray *cust_socks)
{
  chat->tech = tech_socks->pdata[i];
  chat->customer = cust_socks->pdata[i];
  if (chat->tech)
    chat->tech->chat = i;
  if (chat->customer)
    chat->customer->chat = i;
}

/* A relay (tokens t0.. and c0..) started beside the server, with its own
 * @n + @n member sockets and chats. */
static void
start_relay (Side        *side,
             const char  *name,
             Target      *target,
             const char **argv,
             int          n)
{
  g_autoptr(GPtrArray) tt = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) ct = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *tech_socks, *cust_socks, *side_chats;
  guint failed = 0;

  target_start (target, argv);
  for (int i = 0; i < n; i++)
    {
      g_ptr_array_add (tt, g_strdup_printf ("t%d", i));
      g_ptr_array_add (ct, g_strdup_printf ("c%d", i));
    }
  tech_socks = open_many (target, tt, NULL, n, ROLE_TECH, &failed, NULL);
  cust_socks = open_many (target, ct, NULL, n, ROLE_CUSTOMER, &failed, NULL);
  side_chats = g_ptr_array_new ();
  for (int i = 0; i < n; i++)
    {
      Chat *chat = g_new0 (Chat, 1);

      chat->id = i;
      chat->to = g_strdup (tt->pdata[i]);
      chat_set_members (chat, i, tech_socks, cust_socks);
      g_ptr_array_add (side_chats, chat);
    }
  g_ptr_array_unref (tech_socks);
  g_ptr_array_unref (cust_socks);
  g_print ("%s %s:%u (pid %d): %d + %d members connected (%u failed)\n",
           name, target->host, target->port, (int) target->pid, n, n, failed);
  side->name = name;
  side->relay = TRUE;
  side->target = target;
  side->chats = side_chats;
  side->idle_token = "idle";
  side->all_latencies = g_array_new (FALSE, FALSE, sizeof (double));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- the issue #9 scale target in one run");
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *db_path = NULL;
  Target server = { 0 }, relay = { 0 }, durable = { 0 };
  People *people;
  struct rlimit rl;
  gboolean deflate = FALSE;
  guint failed = 0;
  GPtrArray *tech_socks, *cust_socks;
  GPtrArray *server_chats;
  Work work = { 0 };
  gint64 t0;
  guint online = 0;
  int closed_setup;
  Side sides[3] = { { 0 } };
  int nsides;
  guint64 stored = 0;
  const char *server_argv[10];
  int n;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (opt_server == NULL)
    opt_server = g_strdup (g_getenv ("HD_SERVER_BIN") ? g_getenv ("HD_SERVER_BIN") : "build/backend/helpdesk-server");
  n = opt_techs;

  /* Descriptors: the members of both, one set of idle sockets, setup. */
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0)
    {
      rlim_t need = (opt_durable ? 6 : 4) * (rlim_t) n + opt_idle + 256;

      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
      if (rl.rlim_cur < need)
        {
          g_printerr ("hd-scale: %lu descriptors needed, the limit is %lu (ulimit -n)\n",
                      (unsigned long) need, (unsigned long) rl.rlim_cur);
          return 1;
        }
    }
  signal (SIGPIPE, SIG_IGN);
  filler = g_strnfill (MAX (1, opt_body_size), 'x');
  for (int i = 0; filler[i]; i += 7)
    filler[i] = ' ';
  filler[0] = 'm';

  g_print ("hd-scale: %d technicians (teams of %d) + %d customers, %d chats at %.0f msg/s in all, "
           "%d extra idle sockets, %d x %.0f s per side; load average %.2f\n",
           n, opt_team_size, n, n, opt_rate, opt_idle, opt_rounds, opt_duration, bench_load_average ());

  epfd = epoll_create1 (EPOLL_CLOEXEC);
  wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  {
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

    epoll_ctl (epfd, EPOLL_CTL_ADD, wake_fd, &ev);
  }
  net_thread = g_thread_new ("net", net_main, NULL);

  /* 1. the database */
  tmpdir = g_dir_make_tmp ("hd-scale-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (tmpdir, "scale.db", NULL);
  probe.ms = g_array_new (FALSE, FALSE, sizeof (double));
  probe_alone (tmpdir);
  n = 0;
  server_argv[n++] = opt_server;
  server_argv[n++] = "--port";
  server_argv[n++] = "0";
  server_argv[n++] = "--listen";
  server_argv[n++] = "127.0.0.1";
  server_argv[n++] = "--database";
  server_argv[n++] = db_path;
  server_argv[n++] = "--seed-demo";
  server_argv[n] = NULL;
  n = opt_techs;
  target_start (&server, server_argv);
  target_stop (&server);
  people = populate (db_path, n);
  target_start (&server, server_argv);
  g_print ("server %s:%u (pid %d)\n", server.host, server.port, (int) server.pid);

  /* 2. connect, go available */
  server_chats = g_ptr_array_new ();
  for (int i = 0; i < n; i++)
    {
      Chat *chat = g_new0 (Chat, 1);

      chat->request_id = g_array_index (people->request_ids, gint64, i);
      g_ptr_array_add (server_chats, chat);
    }
  t0 = g_get_monotonic_time ();
  tech_socks = open_many (&server, people->tech_tokens, NULL, n, ROLE_TECH, &failed, &deflate);
  cust_socks = open_many (&server, people->customer_tokens, NULL, n, ROLE_CUSTOMER, &failed, &deflate);
  g_print ("setup: %d technicians + %d customers connected in %.1f s (%u failed; permessage-deflate offered, %s)\n",
           n, n, (g_get_monotonic_time () - t0) / 1e6, failed,
           deflate ? "ACCEPTED by the server" : "not accepted");
  t0 = g_get_monotonic_time ();
  work.target = &server;
  work.people = people;
  work.chats = server_chats;
  work.step = 0;
  if (run_work (&work) > 0)
    g_print ("  %d PATCH /me failed\n", work.failures);
  g_print ("  %d PATCH /me available in %.1f s", n, (g_get_monotonic_time () - t0) / 1e6);
  wait_quiet (1.0, 60);
  g_print ("; presence fan-out over %.1f s after the start\n", (g_get_monotonic_time () - t0) / 1e6 - 1.0);
  {
    Http h = { &server, -1 };
    g_autoptr(JsonNode) users = NULL;
    JsonArray *list = NULL;

    if (http_call (&h, "GET", "/users?role=technician", people->tech_tokens->pdata[0], NULL, &users) == 200)
      list = json_object_get_array_member (json_node_get_object (users), "users");
    for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
      {
        JsonObject *u = json_array_get_object_element (list, i);

        if (g_str_has_prefix (json_object_get_string_member (u, "login"), "stech") &&
            json_object_get_boolean_member (u, "online") &&
            json_object_get_boolean_member (u, "available_for_chat"))
          online++;
      }
    if (h.fd >= 0)
      close (h.fd);
  }
  g_mutex_lock (&net_lock);
  closed_setup = socks_closed;
  g_mutex_unlock (&net_lock);
  g_print ("  sockets dropped by the server: %d of %d; technicians online and available: %u of %d\n",
           closed_setup, 2 * n, online, n);

  /* 3. the chats */
  for (int i = 0; i < n; i++)
    chat_set_members (server_chats->pdata[i], i, tech_socks, cust_socks);
  t0 = g_get_monotonic_time ();
  work.step = 1;
  run_work (&work);
  wait_quiet (0.5, 10);
  g_print ("  %d chats opened and accepted in %.1f s (%d failures)\n", n,
           (g_get_monotonic_time () - t0) / 1e6, work.failures);

  sides[0].name = "server";
  sides[0].target = &server;
  sides[0].chats = server_chats;
  sides[0].idle_tokens = people->idle_tokens;
  sides[0].all_latencies = g_array_new (FALSE, FALSE, sizeof (double));

  /* 4. the relays, with the same members */
  nsides = 1;
  if (opt_relay != NULL)
    {
      const char *relay_argv[] = { opt_relay, NULL };
      const char *durable_argv[] = { opt_relay, "--sync-dir", tmpdir, NULL };

      start_relay (&sides[nsides++], "relay", &relay, relay_argv, n);
      sides[1].probe = TRUE;
      if (opt_durable)
        start_relay (&sides[nsides++], "durable relay", &durable, durable_argv, n);
    }

  /* 5. alternating phases */
  for (int r = 1; r <= opt_rounds; r++)
    for (int s = 0; s < nsides; s++)
      run_phase (&sides[s], r);

  /* 6. what the server stored */
  g_mutex_lock (&net_lock);
  g_print ("sockets (members and idle) dropped by the server or the relay in all: %d\n", socks_closed);
  g_mutex_unlock (&net_lock);
  target_stop (&server);
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;

    if (sqlite3_open (db_path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2 (db, "SELECT COUNT(*) FROM messages m JOIN users u ON u.id = m.author_id "
                                "WHERE u.login LIKE 'scust%'", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step (st) == SQLITE_ROW)
      stored = sqlite3_column_int64 (st, 0);
    sqlite3_finalize (st);
    sqlite3_close (db);
  }

  g_print ("\n== summary (load average %.2f now)\n", bench_load_average ());
  g_print ("setup: %d of %d member sockets dropped; %u of %d technicians online and available\n",
           closed_setup, 2 * n, online, n);
  for (int s = 0; s < nsides; s++)
    {
      Side *side = &sides[s];

      g_print ("%-6s: p50 %.2f ms, p99 %.2f ms over %u deliveries; sent %" G_GUINT64_FORMAT
               ", delivered %" G_GUINT64_FORMAT ", lost %" G_GINT64_FORMAT ", duplicates %" G_GUINT64_FORMAT
               "; %.1f KiB per idle socket (permessage-deflate offered, %s); %.0f us CPU per message\n",
               side->name, percentile (side->all_latencies, 50), percentile (side->all_latencies, 99),
               side->all_latencies->len, side->sent, side->delivered,
               (gint64) side->sent - (gint64) side->delivered, side->duplicate,
               side->rss_per_idle_bytes / 1024.0, side->deflate ? "accepted" : "not accepted",
               side->messages ? side->cpu_us / side->messages : 0.0);
    }
  g_print ("server: acknowledged %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " sent in the measured phases; "
           "stored %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " sent in all (warm-up seconds included): "
           "%" G_GINT64_FORMAT " lost\n",
           sides[0].acked, sides[0].sent, stored, server_sent_all, (gint64) server_sent_all - (gint64) stored);
  if (opt_relay)
    {
      double p99s = percentile (sides[0].all_latencies, 99), p99r = percentile (sides[1].all_latencies, 99);

      g_print ("p99 server / relay: %.2f (target <= 1.5); p50 server %.2f ms (target <= 1 ms), relay %.2f ms\n",
               p99s / p99r, percentile (sides[0].all_latencies, 50), percentile (sides[1].all_latencies, 50));
      /* A message goes out after its commit's fsync, and at this rate
       * nearly every message has a commit of its own: the disk's p99 is a
       * floor under the server's, whatever else the server does. */
      if (probe.ms->len > 0)
        g_print ("disk beside the relay's phases (%u commits of %d KiB, fdatasync each): p50 %.2f ms, "
                 "p99 %.2f ms = %.2f x the relay's p99: the floor of the server's p99 / relay on this disk\n",
                 probe.ms->len, PROBE_BYTES / 1024, percentile (probe.ms, 50), percentile (probe.ms, 99),
                 percentile (probe.ms, 99) / p99r);
      /* The same relay, sending each batch only after its bytes were
       * fdatasync()ed: what keeping the messages costs a relay here,
       * with none of the server's own work. */
      if (opt_durable)
        g_print ("p99 durable relay / relay: %.2f (p50 %.2f ms, p99 %.2f ms): what sending a message only once "
                 "it is on the disk costs a relay that does nothing else\n",
                 percentile (sides[2].all_latencies, 99) / p99r, percentile (sides[2].all_latencies, 50),
                 percentile (sides[2].all_latencies, 99));
    }

  target_stop (&relay);
  target_stop (&durable);
  if (probe.fd >= 0)
    close (probe.fd);
  g_mutex_lock (&net_lock);
  net_quit = TRUE;
  g_mutex_unlock (&net_lock);
  g_thread_join (net_thread);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);

    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }
  return 0;
}
