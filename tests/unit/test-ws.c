/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The WebSocket layer (door/hd-ws.c) without a server: a socketpair, the
 * layer run in this thread (no_thread), bytes written by hand.  The same
 * harness is what a fuzz target of the framing needs. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* memmem */
#endif
#include "hd-ws.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
  HdWsLoop  *loop;
  HdWsConn  *conn;
  int        peer;          /* the client's end */
  GPtrArray *messages;      /* GBytes */
  gboolean   closed;
  GByteArray *from_server;
} Fixture;

static void
on_message (HdWsConn   *conn,
            gboolean    is_text,
            const char *data,
            gsize       len,
            gpointer    user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->messages, g_bytes_new (data, len));
}

static void
on_closed (HdWsConn *conn,
           gpointer  user_data)
{
  Fixture *f = user_data;

  f->closed = TRUE;
}

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  HdWsLimits limits = { 100, 300, 64 * 1024, 1024 * 1024, TRUE };
  int sv[2];

  if (data != NULL)
    limits = *(const HdWsLimits *) data;
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  f->loop = hd_ws_loop_new (&limits, on_message, on_closed, f);
  f->conn = hd_ws_loop_adopt_fd (f->loop, sv[0]);
  f->peer = sv[1];
  fcntl (f->peer, F_SETFL, fcntl (f->peer, F_GETFL) | O_NONBLOCK);
  f->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  f->from_server = g_byte_array_new ();
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  hd_ws_conn_unref (f->conn);
  hd_ws_loop_free (f->loop);
  close (f->peer);
  g_ptr_array_unref (f->messages);
  g_byte_array_unref (f->from_server);
}

/* Runs both sides for @ms: the layer's round, the main context's
 * deliveries, and the peer reading what the server wrote. */
static void
run (Fixture *f,
     guint    ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  do
    {
      guint8 buf[4096];
      ssize_t n;

      hd_ws_loop_iterate (f->loop, 5);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      while ((n = read (f->peer, buf, sizeof buf)) > 0)
        g_byte_array_append (f->from_server, buf, n);
    }
  while (g_get_monotonic_time () < end && !f->closed);
}

static void
peer_send (Fixture      *f,
           guint8        opcode,
           gboolean      fin,
           const guint8 *payload,
           gsize         len)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  guint8 head[14];
  gsize h = 0;
  const guint8 key[4] = { 0x11, 0x22, 0x33, 0x44 };

  head[h++] = (fin ? 0x80 : 0) | opcode;
  if (len < 126)
    head[h++] = 0x80 | len;
  else if (len < 65536)
    {
      head[h++] = 0x80 | 126;
      head[h++] = len >> 8;
      head[h++] = len & 0xff;
    }
  else
    {
      head[h++] = 0x80 | 127;
      for (int i = 7; i >= 0; i--)
        head[h++] = ((guint64) len >> (8 * i)) & 0xff;
    }
  memcpy (head + h, key, 4);
  h += 4;
  g_byte_array_append (frame, head, h);
  for (gsize i = 0; i < len; i++)
    {
      guint8 b = payload[i] ^ key[i % 4];
      g_byte_array_append (frame, &b, 1);
    }
  for (gsize off = 0; off < frame->len;)
    {
      ssize_t n = write (f->peer, frame->data + off, frame->len - off);

      if (n > 0)
        off += n;
      else if (errno == EAGAIN)
        run (f, 1);
      else
        return;   /* the server closed: fine for the floods */
    }
}

/* The code of the first close frame the server sent, or 0. */
static guint
server_close_code (Fixture *f)
{
  const guint8 *p = f->from_server->data;
  gsize left = f->from_server->len;

  while (left >= 2)
    {
      gsize len = p[1] & 0x7f, h = 2;

      if (len == 126)
        {
          len = (p[2] << 8) | p[3];
          h = 4;
        }
      if (left < h + len)
        break;
      if ((p[0] & 0x0f) == 0x8)
        return len >= 2 ? (guint) ((p[h] << 8) | p[h + 1]) : 1005;
      p += h + len;
      left -= h + len;
    }
  return 0;
}

static void
test_message (Fixture       *f,
              gconstpointer  data)
{
  const char *text = "{\"type\":\"x\"}";

  peer_send (f, 0x1, FALSE, (const guint8 *) text, 5);
  peer_send (f, 0x9, TRUE, (const guint8 *) "ping", 4);
  peer_send (f, 0x0, TRUE, (const guint8 *) text + 5, strlen (text) - 5);
  run (f, 50);
  g_assert_cmpuint (f->messages->len, ==, 1);
  g_assert_cmpmem (g_bytes_get_data (f->messages->pdata[0], NULL), g_bytes_get_size (f->messages->pdata[0]),
                   text, strlen (text));
  /* the pong came back */
  g_assert_nonnull (memmem (f->from_server->data, f->from_server->len, "\x8a\x04ping", 6));
  hd_ws_conn_send_text (f->conn, "hello", 5);
  run (f, 20);
  g_assert_nonnull (memmem (f->from_server->data, f->from_server->len, "\x81\x05hello", 7));
  g_assert_false (f->closed);
}

static void
test_fragment_flood (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree guint8 *chunk = g_malloc0 (4096);
  int sent = 0;

  peer_send (f, 0x1, FALSE, chunk, 4096);
  for (sent = 1; sent < 256 && server_close_code (f) == 0; sent++)
    {
      peer_send (f, 0x0, FALSE, chunk, 4096);
      run (f, 1);
    }
  run (f, 50);
  g_assert_cmpuint (server_close_code (f), ==, 1009);
  g_assert_cmpint (sent, <=, 18);
  g_assert_cmpuint (f->messages->len, ==, 0);
}

static void
test_invalid_utf8 (Fixture       *f,
                   gconstpointer  data)
{
  peer_send (f, 0x1, TRUE, (const guint8 *) "\xc0\xaf", 2);
  run (f, 50);
  g_assert_cmpuint (server_close_code (f), ==, 1007);
  /* the peer answers the close: the socket is done */
  peer_send (f, 0x8, TRUE, (const guint8 *) "\x03\xef", 2);
  run (f, 1500);
  g_assert_true (f->closed);
}

static void
test_silent_peer (Fixture       *f,
                  gconstpointer  data)
{
  gint64 t0 = g_get_monotonic_time ();

  run (f, 2000);
  g_assert_true (f->closed);
  /* pinged after 100 ms, dropped after 300 ms of silence */
  g_assert_nonnull (memmem (f->from_server->data, f->from_server->len, "\x89\x00", 2));
  /* (the loop reads its clock in whole milliseconds: up to 1 ms less) */
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, (300 - 1) * 1000);
  g_assert_cmpuint (server_close_code (f), ==, 1001);
}

static void
test_talking_peer_kept (Fixture       *f,
                        gconstpointer  data)
{
  for (int i = 0; i < 20; i++)
    {
      peer_send (f, 0xA, TRUE, NULL, 0);   /* an unsolicited pong is life too */
      run (f, 50);
    }
  g_assert_false (f->closed);
}

static void
test_reading_peer_kept (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *big = g_strnfill (8000, 'x');
  gint64 t0 = g_get_monotonic_time ();

  /* 1.3 MB, more than the socket buffers hold: the peer reads it at
   * about 1.6 MB/s and sends nothing, past the 600 ms of silence allowed
   * here.  The kernel taking our writes again is the peer's sign of life
   * (it does so in steps: an AF_UNIX socket is writable again once 3/4 of
   * its buffer was read, ~100 ms here). */
  for (int i = 0; i < 160; i++)
    hd_ws_conn_send_text (f->conn, big, strlen (big));
  while (f->from_server->len < 160 * 8004 && !f->closed &&
         g_get_monotonic_time () - t0 < 10 * G_USEC_PER_SEC)
    {
      guint8 buf[16384];
      ssize_t n;

      hd_ws_loop_iterate (f->loop, 5);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      if ((n = read (f->peer, buf, sizeof buf)) > 0)
        g_byte_array_append (f->from_server, buf, n);
      g_usleep (10 * 1000);
    }
  g_assert_false (f->closed);
  g_assert_cmpuint (f->from_server->len, >=, 160 * 8004);
  g_assert_cmpint (g_get_monotonic_time () - t0, >, 600 * 1000);
}

static void
test_close_handshake (Fixture       *f,
                      gconstpointer  data)
{
  hd_ws_conn_close (f->conn, 1001, "bye");
  g_assert_false (hd_ws_conn_is_open (f->conn));
  run (f, 50);
  g_assert_cmpuint (server_close_code (f), ==, 1001);
  g_assert_false (f->closed);   /* waits for the answer */
  peer_send (f, 0x8, TRUE, (const guint8 *) "\x03\xe9", 2);
  run (f, 200);
  g_assert_true (f->closed);
  g_assert_cmpuint (hd_ws_conn_get_close_code (f->conn), ==, 1001);
}

/* Data frames of every length class, several in one batch, come out
 * whole and in order (they are encoded once and written with sendmsg). */
static void
test_frames_in_order (Fixture       *f,
                      gconstpointer  data)
{
  static const gsize sizes[] = { 0, 1, 125, 126, 300, 65535, 65536, 70000 };
  g_autoptr(GBytes) shared = g_bytes_new_static ("shared", 6);
  const guint8 *p;
  gsize left, i = 0;

  for (gsize k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      g_autofree char *text = g_strnfill (sizes[k], 'a' + k);

      hd_ws_conn_send_text (f->conn, text, sizes[k]);
    }
  /* one payload sent twice: the same frame, encoded once */
  hd_ws_conn_send_bytes (f->conn, shared);
  hd_ws_conn_send_bytes (f->conn, shared);
  run (f, 200);
  p = f->from_server->data;
  left = f->from_server->len;
  while (left >= 2)
    {
      guint64 len = p[1] & 0x7f;
      gsize h = 2;

      if (len == 126)
        {
          len = (p[2] << 8) | p[3];
          h = 4;
        }
      else if (len == 127)
        {
          len = 0;
          for (int b = 0; b < 8; b++)
            len = (len << 8) | p[2 + b];
          h = 10;
        }
      g_assert_cmpuint (left, >=, h + len);
      if (p[0] == 0x89)   /* the server's ping (100 ms of silence here) */
        {
          p += h + len;
          left -= h + len;
          continue;
        }
      g_assert_cmpuint (p[0], ==, 0x81);
      if (i < G_N_ELEMENTS (sizes))
        {
          g_assert_cmpuint (len, ==, sizes[i]);
          for (gsize b = 0; b < len; b++)
            g_assert_cmpint (p[h + b], ==, 'a' + (int) i);
        }
      else
        g_assert_cmpmem (p + h, len, "shared", 6);
      p += h + len;
      left -= h + len;
      i++;
    }
  g_assert_cmpuint (left, ==, 0);
  g_assert_cmpuint (i, ==, G_N_ELEMENTS (sizes) + 2);
  g_assert_false (f->closed);
}

/* Runs the layer for @ms without the peer reading; the peer sends an
 * unsolicited pong every 50 ms when @talk, so it looks alive. */
static void
run_not_reading (Fixture  *f,
                 guint     ms,
                 gboolean  talk)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;
  gint64 next_pong = 0;

  do
    {
      if (talk && g_get_monotonic_time () >= next_pong)
        {
          static const guint8 pong[] = { 0x8a, 0x80, 1, 2, 3, 4 };

          if (write (f->peer, pong, sizeof pong) < 0 && errno != EAGAIN)
            break;
          next_pong = g_get_monotonic_time () + 50 * 1000;
        }
      hd_ws_loop_iterate (f->loop, 5);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  while (g_get_monotonic_time () < end && !f->closed);
}

/* A peer that keeps talking but never reads: what waits for it stays
 * within max_queued, and it is dropped once its socket took nothing for
 * the write timeout (400 ms here), not kept for ever by its pongs. */
static void
test_not_reading_peer_dropped (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *big = g_strnfill (8000, 'x');
  gint64 t0;

  for (int i = 0; i < 100; i++)   /* 800 KB: more than the socket buffers */
    hd_ws_conn_send_text (f->conn, big, strlen (big));
  t0 = g_get_monotonic_time ();
  run_not_reading (f, 200, TRUE);
  g_assert_false (f->closed);     /* blocked, not yet late */
  run_not_reading (f, 5000, TRUE);
  g_assert_true (f->closed);
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, (400 - 1) * 1000);  /* whole ms */
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 3 * G_USEC_PER_SEC);
}

/* More than max_queued (256 KiB here) waiting for a peer that does not
 * read: dropped after the write that left it so (a batch is written before
 * the check, so a burst to a reading peer passes), long before the write
 * timeout. */
static void
test_queue_bounded (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *big = g_strnfill (8000, 'x');
  gint64 t0 = g_get_monotonic_time ();

  for (int i = 0; i < 200; i++)   /* 1.6 MB */
    hd_ws_conn_send_text (f->conn, big, strlen (big));
  run_not_reading (f, 2000, TRUE);
  g_assert_true (f->closed);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, G_USEC_PER_SEC);
}

/* What the peer can read now (without the layer running), appended. */
static gsize
peer_read_now (Fixture *f)
{
  guint8 buf[4096];
  ssize_t n;
  gsize got = 0;

  while ((n = read (f->peer, buf, sizeof buf)) > 0)
    {
      g_byte_array_append (f->from_server, buf, n);
      got += n;
    }
  return got;
}

static gpointer
try_hold (gpointer data)
{
  return GINT_TO_POINTER (hd_ws_loop_hold (data));
}

/* A thread that holds the loop writes what it sent itself at the release,
 * behind what was queued before it, when the socket side is not at work:
 * here the layer never runs in between, so every byte the peer reads came
 * from hd_ws_loop_release ().  The loop has no thread of its own (as the
 * server's, whose rounds its core thread runs): a fan-out of more than a
 * few frames is written at the release too, not a round later. */
static void
test_holder_writes (Fixture       *f,
                    gconstpointer  data)
{
  static const guint8 queued[] = "\x81\x06queued", held[] = "\x81\x04held";
  GThread *other;

  run (f, 20);                      /* the socket adopted */
  g_byte_array_set_size (f->from_server, 0);

  hd_ws_conn_send_text (f->conn, "queued", 6);
  g_assert_cmpuint (peer_read_now (f), ==, 0);    /* waits for the layer */

  g_assert_true (hd_ws_loop_hold (f->loop));
  other = g_thread_new ("other", try_hold, f->loop);
  g_assert_false (GPOINTER_TO_INT (g_thread_join (other)));   /* one holder */
  hd_ws_conn_send_text (f->conn, "held", 4);
  g_assert_cmpuint (peer_read_now (f), ==, 0);
  hd_ws_loop_release (f->loop);
  peer_read_now (f);
  g_assert_cmpmem (f->from_server->data, f->from_server->len, "\x81\x06queued\x81\x04held",
                   sizeof queued - 1 + sizeof held - 1);

  /* 20 frames: more than a holder writes into a loop that has a thread */
  g_byte_array_set_size (f->from_server, 0);
  g_assert_true (hd_ws_loop_hold (f->loop));
  for (int i = 0; i < 20; i++)
    hd_ws_conn_send_text (f->conn, "held", 4);
  g_assert_cmpuint (peer_read_now (f), ==, 0);
  hd_ws_loop_release (f->loop);
  g_assert_cmpuint (peer_read_now (f), ==, 20 * (sizeof held - 1));
  g_assert_false (f->closed);
}

/* @n sockets adopted by @loop together; @peers the clients' ends. */
static void
open_pairs (HdWsLoop  *loop,
            int        n,
            HdWsConn **conns,
            int       *peers)
{
  for (int i = 0; i < n; i++)
    {
      int sv[2];

      g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
      conns[i] = hd_ws_loop_adopt_fd (loop, sv[0]);
      peers[i] = sv[1];
      fcntl (peers[i], F_SETFL, fcntl (peers[i], F_GETFL) | O_NONBLOCK);
    }
}

static void
close_pairs (HdWsLoop  *loop,
             int        n,
             HdWsConn **conns,
             int       *peers)
{
  for (int i = 0; i < n; i++)
    {
      hd_ws_conn_unref (conns[i]);
      close (peers[i]);
    }
  hd_ws_loop_free (loop);
}

#define WAVE 200

/* WAVE sockets adopted together fall due for a ping together: they are
 * pinged at twice the steady pace (200 sockets pinged every 200 ms: 11
 * every 5 ms, and never fewer than 16 at a time), a share every 5 ms
 * while more are due, not all in one burst nor a tick's worth (50 ms:
 * 101) at once, and all of them well within the silence allowed (2 s). */
static void
test_ping_wave_paced (void)
{
  HdWsLimits limits = { 200, 2000, 64 * 1024, 1024 * 1024, TRUE };
  HdWsLoop *loop = hd_ws_loop_new (&limits, on_message, on_closed, NULL);
  HdWsConn *conns[WAVE];
  int peers[WAVE];
  gboolean pinged[WAVE] = { FALSE };
  guint total = 0, most = 0;
  gint64 t0 = g_get_monotonic_time ();

  open_pairs (loop, WAVE, conns, peers);
  while (total < WAVE && g_get_monotonic_time () - t0 < 1500 * 1000)
    {
      guint now_pinged = 0;

      hd_ws_loop_iterate (loop, 5);
      for (int i = 0; i < WAVE; i++)
        {
          guint8 buf[64];
          ssize_t n = read (peers[i], buf, sizeof buf);

          if (n > 0 && !pinged[i])
            {
              g_assert_cmpuint (buf[0], ==, 0x89);
              pinged[i] = TRUE;
              now_pinged++;
            }
        }
      total += now_pinged;
      most = MAX (most, now_pinged);
    }
  g_assert_cmpuint (total, ==, WAVE);
  g_assert_cmpuint (most, <=, 16);
  g_assert_cmpuint (most, >, 0);
  close_pairs (loop, WAVE, conns, peers);
}

#define STALLED 400

/* More sockets than one epoll_wait () returns (256) answer while the
 * layer's thread is stalled past the silence allowed (a long batch when
 * the core thread runs the layer): the first round after the stall reads
 * only some of them, and must not judge the others silent. */
static void
test_no_dead_after_stall (void)
{
  HdWsLimits limits = { 100, 400, 64 * 1024, 1024 * 1024, TRUE };
  HdWsLoop *loop = hd_ws_loop_new (&limits, on_message, on_closed, NULL);
  HdWsConn *conns[STALLED];
  int peers[STALLED];
  const guint8 pong[] = { 0x8a, 0x80, 1, 2, 3, 4 };
  gint64 t0 = g_get_monotonic_time ();

  open_pairs (loop, STALLED, conns, peers);
  /* every socket pinged, none answering yet */
  while (g_get_monotonic_time () - t0 < 250 * 1000)
    hd_ws_loop_iterate (loop, 5);
  /* the stall: past the silence allowed, while every peer answers */
  for (int i = 0; i < STALLED; i++)
    g_assert_cmpint (write (peers[i], pong, sizeof pong), ==, sizeof pong);
  g_usleep (500 * 1000);
  for (int i = 0; i < 5; i++)
    hd_ws_loop_iterate (loop, 0);
  for (int i = 0; i < STALLED; i++)
    g_assert_true (hd_ws_conn_is_open (conns[i]));
  /* and a peer that stays silent is still dropped */
  t0 = g_get_monotonic_time ();
  while (hd_ws_conn_is_open (conns[0]) && g_get_monotonic_time () - t0 < 2 * G_USEC_PER_SEC)
    {
      guint8 buf[256];

      hd_ws_loop_iterate (loop, 5);
      for (int i = 1; i < STALLED; i++)
        {
          while (read (peers[i], buf, sizeof buf) > 0)
            ;
          if (write (peers[i], pong, sizeof pong) < 0)
            g_assert_cmpint (errno, ==, EAGAIN);
        }
    }
  g_assert_false (hd_ws_conn_is_open (conns[0]));
  for (int i = 1; i < STALLED; i++)
    g_assert_true (hd_ws_conn_is_open (conns[i]));
  close_pairs (loop, STALLED, conns, peers);
}

#define FLOODERS      40
#define FLOOD_BYTES   (32 * 1024)
#define SMALL_FRAME   16          /* 2 head + 4 mask + 10 payload */
/* hd-ws.c's ROUND_MESSAGES, and what wslay holds of its last read (4 KiB) */
#define ROUND_MOST    (2048 + 4096 / SMALL_FRAME)

static void
count_message (HdWsConn   *conn,
               gboolean    is_text,
               const char *data,
               gsize       len,
               gpointer    user_data)
{
  guint *counts = user_data;

  counts[GPOINTER_TO_INT (hd_ws_conn_get_data (conn))]++;
}

/* @bytes of small text frames, all in the socket's buffer at once. */
static void
flood (int   fd,
       guint bytes)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();
  const guint8 frame[SMALL_FRAME] = { 0x81, 0x80 | 10, 0, 0, 0, 0,
                                      'f', 'l', 'o', 'o', 'd', 'f', 'l', 'o', 'o', 'd' };

  while (b->len < bytes)
    g_byte_array_append (b, frame, sizeof frame);
  g_assert_cmpint (write (fd, b->data, b->len), ==, (gssize) b->len);
}

/* A round reads about 64 KiB, shared between the sockets that have
 * something to read, and at most about 2,048 messages: 40 sockets with
 * 2,048 messages each in their buffers are not read whole in one round
 * (before: 81,920 messages in one round, and as long as a flooder kept
 * sending, one round that never ended), and many of them are read in
 * each round, not one after the other.  A socket that comes after the
 * busy ones in epoll's order gets its turn within a few rounds. */
static void
test_fair_shares (void)
{
  HdWsLimits limits = { 10000, 30000, 64 * 1024, 4 * 1024 * 1024, TRUE };
  guint counts[FLOODERS + 1] = { 0 };
  HdWsLoop *loop = hd_ws_loop_new (&limits, count_message, on_closed, counts);
  HdWsConn *conns[FLOODERS + 1];
  int peers[FLOODERS + 1];
  const guint8 hello[] = { 0x81, 0x80 | 2, 0, 0, 0, 0, 'h', 'i' };
  guint total = 0, rounds = 0;
  guint victim_round = 0, most_read = 0;

  open_pairs (loop, FLOODERS + 1, conns, peers);
  for (int i = 0; i <= FLOODERS; i++)
    hd_ws_conn_set_data (conns[i], GINT_TO_POINTER (i));
  for (int i = 0; i < FLOODERS; i++)
    flood (peers[i], FLOOD_BYTES);
  /* the victim's one frame, after all of them */
  g_assert_cmpint (write (peers[FLOODERS], hello, sizeof hello), ==, sizeof hello);

  while (total < FLOODERS * FLOOD_BYTES / SMALL_FRAME + 1 && rounds < 1000)
    {
      guint before[FLOODERS + 1], round_total = 0;

      memcpy (before, counts, sizeof counts);
      hd_ws_loop_iterate (loop, 0);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      rounds++;
      guint read = 0;

      for (int i = 0; i <= FLOODERS; i++)
        {
          guint got = counts[i] - before[i];

          round_total += got;
          read += got > 0;
        }
      g_assert_cmpuint (round_total, <=, ROUND_MOST);
      most_read = MAX (most_read, read);
      total += round_total;
      if (counts[FLOODERS] > 0 && victim_round == 0)
        victim_round = rounds;
    }
  g_assert_cmpuint (counts[FLOODERS], ==, 1);
  g_assert_cmpuint (victim_round, >, 0);
  g_assert_cmpuint (victim_round, <=, 3);
  g_assert_cmpuint (most_read, >=, 10);
  for (int i = 0; i < FLOODERS; i++)
    g_assert_cmpuint (counts[i], ==, FLOOD_BYTES / SMALL_FRAME);
  close_pairs (loop, FLOODERS + 1, conns, peers);
}

/* A socket with 256 messages waiting for the main context is not read
 * until the main context took half of them: what one socket can pile up
 * there is bounded, however fast it sends.  Nothing is lost. */
static void
test_main_behind (void)
{
  HdWsLimits limits = { 10000, 30000, 64 * 1024, 4 * 1024 * 1024, TRUE };
  guint counts[1] = { 0 };
  HdWsLoop *loop = hd_ws_loop_new (&limits, count_message, on_closed, counts);
  HdWsConn *conns[1];
  int peers[1];
  guint waiting;

  open_pairs (loop, 1, conns, peers);
  hd_ws_conn_set_data (conns[0], GINT_TO_POINTER (0));
  flood (peers[0], 2 * FLOOD_BYTES);
  /* rounds, the main context not running: the first reads a round's
   * worth, then the socket is held back */
  for (int i = 0; i < 20; i++)
    hd_ws_loop_iterate (loop, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  waiting = counts[0];
  g_assert_cmpuint (waiting, >, 0);
  g_assert_cmpuint (waiting, <=, ROUND_MOST);
  g_assert_cmpuint (waiting, <, 2 * FLOOD_BYTES / SMALL_FRAME);
  /* the main context caught up: read again (after a short wait) */
  for (int i = 0; i < 200 && counts[0] < 2 * FLOOD_BYTES / SMALL_FRAME; i++)
    {
      hd_ws_loop_iterate (loop, 10);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  g_assert_cmpuint (counts[0], ==, 2 * FLOOD_BYTES / SMALL_FRAME);
  g_assert_true (hd_ws_conn_is_open (conns[0]));
  close_pairs (loop, 1, conns, peers);
}

/* A socket that sends past limits.frames_per_second is not read until
 * its credit has grown back: over time it gets that rate and no more,
 * whatever it sends, and nothing it sent is lost (what it sent meanwhile
 * waits in the kernel).  Without the rate these 8,192 frames are read in
 * a few rounds, in milliseconds.  A read stops once the credit is spent,
 * but the frames of wslay's last buffer (4 KiB: 256 of these) are read
 * past it: that debt is paid before the next read. */
#define RATE         8000
#define RATE_BURST   100
#define CHUNK_FRAMES (4096 / SMALL_FRAME)

static void
test_rate (void)
{
  HdWsLimits limits = { 10000, 30000, 64 * 1024, 4 * 1024 * 1024, TRUE, 0, RATE, RATE_BURST };
  guint counts[1] = { 0 };
  HdWsLoop *loop = hd_ws_loop_new (&limits, count_message, on_closed, counts);
  HdWsConn *conns[1];
  int peers[1];
  const guint frames = 4 * FLOOD_BYTES / SMALL_FRAME;
  guint first;
  gint64 t0, elapsed;

  open_pairs (loop, 1, conns, peers);
  hd_ws_conn_set_data (conns[0], GINT_TO_POINTER (0));
  t0 = g_get_monotonic_time ();
  flood (peers[0], 4 * FLOOD_BYTES);
  for (int i = 0; i < 20 && counts[0] == 0; i++)
    {
      hd_ws_loop_iterate (loop, 0);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  /* the burst, and at most one buffer past it */
  first = counts[0];
  g_assert_cmpuint (first, >=, RATE_BURST);
  g_assert_cmpuint (first, <=, RATE_BURST + CHUNK_FRAMES);
  /* out of credit: the rounds that follow at once read nothing */
  for (int i = 0; i < 5; i++)
    {
      hd_ws_loop_iterate (loop, 0);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  g_assert_cmpuint (counts[0], ==, first);
  while (counts[0] < frames && g_get_monotonic_time () - t0 < 10 * G_USEC_PER_SEC)
    {
      hd_ws_loop_iterate (loop, 10);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  elapsed = g_get_monotonic_time () - t0;
  g_assert_cmpuint (counts[0], ==, frames);
  /* all but the burst and the last buffer, at the rate: (8,192 - 100 -
   * 256) / 8,000 s = 0.98 s at least */
  g_assert_cmpint (elapsed, >=, (gint64) (frames - RATE_BURST - CHUNK_FRAMES) * G_USEC_PER_SEC / RATE * 9 / 10);
  g_assert_true (hd_ws_conn_is_open (conns[0]));
  close_pairs (loop, 1, conns, peers);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, fn) g_test_add (name, Fixture, NULL, setup, fn, teardown)
  ADD ("/ws/message-fragments-and-ping", test_message);
  ADD ("/ws/fragment-flood-1009", test_fragment_flood);
  ADD ("/ws/invalid-utf8-1007", test_invalid_utf8);
  ADD ("/ws/silent-peer-dropped", test_silent_peer);
  ADD ("/ws/talking-peer-kept", test_talking_peer_kept);
  {
    static const HdWsLimits slow = { 200, 600, 64 * 1024, 4 * 1024 * 1024, TRUE };

    g_test_add ("/ws/reading-peer-kept", Fixture, &slow, setup, test_reading_peer_kept, teardown);
  }
  ADD ("/ws/close-handshake", test_close_handshake);
  ADD ("/ws/frames-in-order", test_frames_in_order);
  {
    /* write timeout 400 ms; the pings and the silence check out of the way */
    static const HdWsLimits deadline = { 10000, 30000, 64 * 1024, 4 * 1024 * 1024, TRUE, 400 };
    static const HdWsLimits bounded = { 10000, 30000, 64 * 1024, 256 * 1024, TRUE, 30000 };

    g_test_add ("/ws/not-reading-peer-dropped", Fixture, &deadline, setup, test_not_reading_peer_dropped, teardown);
    g_test_add ("/ws/queue-bounded", Fixture, &bounded, setup, test_queue_bounded, teardown);
  }
  {
    /* pings and the silence check out of the way */
    static const HdWsLimits quiet = { 10000, 30000, 64 * 1024, 4 * 1024 * 1024, TRUE };

    g_test_add ("/ws/holder-writes-its-frames", Fixture, &quiet, setup, test_holder_writes, teardown);
  }
  g_test_add_func ("/ws/ping-wave-paced", test_ping_wave_paced);
  g_test_add_func ("/ws/no-dead-after-stall", test_no_dead_after_stall);
  g_test_add_func ("/ws/fair-shares", test_fair_shares);
  g_test_add_func ("/ws/main-behind", test_main_behind);
  g_test_add_func ("/ws/rate-per-socket", test_rate);
  return g_test_run ();
}
