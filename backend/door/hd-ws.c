/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-ws"

#include "hd-ws.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <wslay/wslay.h>

/* "The socket thread" below: whichever thread runs the loop's rounds, its
 * own ("hd-ws"), or with limits.no_thread the caller's (in helpdesk-server
 * the core thread, between its batches: doc/threads.md). */

/* A close handshake we started gets this long for the peer's answer. */
#define CLOSE_TIMEOUT_MS 2000
/* After an error close: how long what the peer still sends is drained
 * before the socket is closed (a peer that answered our close waits for
 * us to close TCP, RFC 6455 7.1.1). */
#define LINGER_MS        500
#define MAX_EVENTS       256
/* Sockets a timer tick may act on per list: 10,000 sockets that connected
 * together (a restart) fall due together, and pinging them all at once
 * would hold every message behind 10,000 writes.  The rest wait for the
 * next tick, in order. */
#define TICK_BUDGET      512
/* Pings go out at twice the pace that pinging every socket once per ping
 * interval needs (at least MIN_PING_BUDGET at a time): a wave of sockets
 * that fell due together is spread over half the interval, and stays
 * spread, since each next ping is due an interval after the answer.
 * While more are due than one share, the timers run again every
 * PING_SLICE_MS with the next share, so the wave goes out as small bursts
 * beside the messages (12,000 sockets, 10 s: 16 pings, about 60 µs, every
 * 5 ms), not one burst a tick (121 pings, half a millisecond, every
 * 50 ms, which a message that came meanwhile waited for). */
#define MIN_PING_BUDGET  16
#define PING_SLICE_MS    5
/* Data frames written by one sendmsg () */
#define MAX_IOV          64
/* A peer whose socket takes none of our bytes for this long is dropped,
 * however much it still sends (limits.write_timeout_ms 0: this). */
#define DEFAULT_WRITE_TIMEOUT_MS 30000
#define MAX_TICK_MS      50
/* At most this many frames are written by a thread that sent them
 * (hd_ws_loop_release ()); more go to the socket thread, if the loop has
 * one. */
#define MAX_RELEASE_WRITES 16
/* Fair shares of a round (one socket flooding must not make everyone
 * else wait, nor grow the server's queues faster than they are worked
 * off).  A round reads about ROUND_BYTES, split evenly between the
 * sockets that have something to read (at least MIN_SHARE each); what a
 * socket sent past its share stays in the kernel (epoll is
 * level-triggered: it is read in the next round).  Once a round read
 * ROUND_MESSAGES messages it stops (the sockets it did not read go first
 * in the next), so a round brings about half a batch of the core's
 * (4,096) and the core thread, which alternates rounds and batches, works
 * off more than comes in.  A socket with MAX_AT_MAIN messages on their way
 * to the main context is not read until that has taken half of them. */
#define ROUND_BYTES      (64 * 1024)
#define MIN_SHARE        1024
#define ROUND_MESSAGES   2048
#define MAX_AT_MAIN      256
/* How soon a socket held back that way is looked at again. */
#define THROTTLE_MS      5

typedef enum {
  LIST_NONE,
  LIST_ACTIVE,    /* ordered by the last byte received */
  LIST_PINGED,    /* pinged, ordered by the time of the ping */
  LIST_CLOSING,   /* close frame queued, ordered by when */
  N_LISTS
} ListId;

typedef struct {
  HdWsConn *head, *tail;
  guint     len;
} List;

struct _HdWsConn
{
  gint       ref_count;
  gint       open;          /* atomic; FALSE once a close started */
  gint       close_code;    /* atomic; of the peer's close frame */
  HdWsLoop  *loop;
  gpointer   data;          /* main context only */
  /* The fast path (hd_ws_loop_set_thread_func ()): @tag is written once
   * before @ready is set; @at_main counts the messages posted to the main
   * context and not yet handed to on_message (atomic). */
  gint       ready;
  gint64     tag;
  gint       at_main;

  /* The socket thread's, under loop->io. */
  int                     fd;
  wslay_event_context_ptr ctx;
  HdWsConn               *prev, *next;
  guint8                  list;
  gboolean                dirty;      /* has frames queued to send */
  gboolean                lingering;  /* closed our side, draining theirs */
  gboolean                write_blocked; /* the kernel refused our last write */
  gboolean                throttled;  /* not read for now: too much on its way
                                       * to main, or out of credit */
  double                  credit;     /* data frames it may still send now
                                       * (limits.frames_per_second); below 0
                                       * after a read that brought more */
  gint64                  credit_at;  /* ms: when credit was last grown */
  gsize                   round_read; /* bytes read this round */
  guint64                 read_round; /* the round it was last read in */
  gint64                  blocked_since; /* ms, while write_blocked */
  guint32                 epoll_mask;
  /* Data frames, encoded once by the main context and shared between the
   * sockets they go to (GBytes of header + payload); wslay's own queue
   * holds only control frames.  Only one of the two is ever part-way
   * written: ours go when wslay has nothing under way, wslay's when the
   * head of ours is not started. */
  GQueue                  out;
  gsize                   out_off;    /* bytes of the head already written */
  gsize                   out_bytes;  /* queued, for limits.max_queued */
  gint64                  last_recv;  /* ms */
  gint64                  mark;       /* ms: when it joined its list */

  /* HTTPS: libsoup carries the socket on the main context. */
  SoupWebsocketConnection *soup;
};

typedef enum {
  CMD_ADOPT,
  CMD_SEND,
  CMD_CLOSE,
} CmdKind;

typedef struct {
  CmdKind   kind;
  gushort   code;
  HdWsConn *conn;
  GBytes   *payload;   /* SEND: the text; CLOSE: the reason */
} Cmd;

typedef enum {
  EV_MESSAGE,
  EV_CLOSED,
} EvKind;

typedef struct {
  EvKind    kind;
  gboolean  is_text;
  HdWsConn *conn;
  GBytes   *payload;
} Ev;

struct _HdWsLoop
{
  HdWsLimits       limits;
  HdWsMessageFunc  on_message;
  HdWsThreadFunc   thread_func;
  gpointer         thread_data;
  HdWsClosedFunc   on_closed;
  gpointer         user_data;
  GMainContext    *context;

  /* under @lock: the last payload sent and its frame, so that a fan-out
   * of one payload to many sockets encodes it once */
  GBytes          *enc_payload;
  GBytes          *enc_frame;
  /* the thread that made the loop (its main context's) */
  GThread         *owner;
  /* under @lock: frames for HTTPS sockets sent from another thread, for
   * the main context (Cmd, CMD_SEND, in order), and its source */
  GQueue           soup_out;
  GSource         *soup_out_source;

  GThread         *thread;
  /* Held by whichever thread works the sockets: the socket thread from
   * epoll's return to its next wait, or a thread that writes the frames
   * it sent itself while the socket thread waits (hd_ws_loop_release ()).
   * Everything marked "the socket thread's" is under it. */
  GMutex           io;
  /* the thread between hd_ws_loop_hold () and hd_ws_loop_release (): its
   * frames wake nobody (atomic) */
  gpointer         holder;
  int              epfd;
  int              cmd_fd;      /* eventfd: main → socket thread */
  int              ev_fd;       /* eventfd: socket thread → main */
  gint             stop;

  GMutex           lock;
  GArray          *cmds;        /* Cmd, filled by the main context */
  GArray          *evs;         /* Ev, filled by the socket thread */

  /* the socket thread's */
  List             lists[N_LISTS];
  GPtrArray       *dirty;       /* references */
  GPtrArray       *graveyard;   /* the loop's references of finished sockets */
  GHashTable      *blocked;     /* sockets whose last write was refused */
  GPtrArray       *throttled;   /* references: sockets not read for now */
  guint            round_messages; /* messages read this round */
  gsize            share;          /* bytes each socket may read this round */
  guint64          round;          /* rounds so far */
  gboolean         contended;      /* the last round left sockets unread */
  gint64           now;
  gint64           next_tick;
  guint            tick_ms;

  /* the main context's */
  GSource         *ev_source;
  GSource         *soup_check;  /* silence check of the HTTPS sockets */
  GPtrArray       *soup_conns;
};

static gint64
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
wake (int fd)
{
  guint64 one = 1;

  while (write (fd, &one, sizeof one) < 0 && errno == EINTR)
    ;
}

static void
drain (int fd)
{
  guint64 n;

  while (read (fd, &n, sizeof n) < 0 && errno == EINTR)
    ;
}

/* ---- connections ---------------------------------------------------- */

HdWsConn *
hd_ws_conn_ref (HdWsConn *conn)
{
  g_atomic_int_inc (&conn->ref_count);
  return conn;
}

void
hd_ws_conn_unref (HdWsConn *conn)
{
  if (!g_atomic_int_dec_and_test (&conn->ref_count))
    return;
  g_assert (conn->ctx == NULL);
  if (conn->fd >= 0)
    close (conn->fd);
  g_queue_clear_full (&conn->out, (GDestroyNotify) g_bytes_unref);
  g_clear_object (&conn->soup);
  g_free (conn);
}

void
hd_ws_conn_set_data (HdWsConn *conn,
                     gpointer  data)
{
  conn->data = data;
}

void
hd_ws_loop_set_frame_rate (HdWsLoop *loop,
                           guint     frames_per_second,
                           guint     frame_burst)
{
  g_mutex_lock (&loop->io);
  loop->limits.frames_per_second = frames_per_second;
  loop->limits.frame_burst = frame_burst > 0 ? frame_burst : frames_per_second;
  g_mutex_unlock (&loop->io);
}

void
hd_ws_loop_set_thread_func (HdWsLoop       *loop,
                            HdWsThreadFunc  func,
                            gpointer        user_data)
{
  loop->thread_func = func;
  loop->thread_data = user_data;
}

void
hd_ws_conn_set_ready (HdWsConn *conn,
                      gint64    tag)
{
  if (conn->soup != NULL)
    return;
  conn->tag = tag;
  g_atomic_int_set (&conn->ready, TRUE);
}

gpointer
hd_ws_conn_get_data (HdWsConn *conn)
{
  return conn->data;
}

gboolean
hd_ws_conn_is_open (HdWsConn *conn)
{
  return g_atomic_int_get (&conn->open);
}

gushort
hd_ws_conn_get_close_code (HdWsConn *conn)
{
  return (gushort) g_atomic_int_get (&conn->close_code);
}

static void
push_cmd (HdWsLoop *loop,
          Cmd      *cmd)
{
  gboolean was_empty;

  g_mutex_lock (&loop->lock);
  was_empty = loop->cmds->len == 0;
  g_array_append_vals (loop->cmds, cmd, 1);
  g_mutex_unlock (&loop->lock);
  if (was_empty)
    wake (loop->cmd_fd);
}

/* A server's text frame (FIN, not masked): header + @payload. */
static GBytes *
encode_text_frame (GBytes *payload)
{
  gsize len, h;
  const guint8 *data = g_bytes_get_data (payload, &len);
  guint8 *f;

  h = len < 126 ? 2 : len < 65536 ? 4 : 10;
  f = g_malloc (h + len);
  f[0] = 0x81;
  if (len < 126)
    f[1] = (guint8) len;
  else if (len < 65536)
    {
      f[1] = 126;
      f[2] = (guint8) (len >> 8);
      f[3] = (guint8) len;
    }
  else
    {
      f[1] = 127;
      for (int i = 0; i < 8; i++)
        f[2 + i] = (guint8) ((guint64) len >> (56 - 8 * i));
    }
  if (len > 0)
    memcpy (f + h, data, len);
  return g_bytes_new_take (f, h + len);
}

static void
soup_send (HdWsConn *conn,
           GBytes   *payload)
{
  gsize len;
  const char *text = g_bytes_get_data (payload, &len);
  g_autofree char *copy = g_strndup (text, len);

  if (hd_ws_conn_is_open (conn))
    soup_websocket_connection_send_text (conn->soup, copy);
}

/* Main context: what other threads sent to HTTPS sockets, in order. */
static gboolean
soup_flush (gpointer data)
{
  HdWsLoop *loop = data;
  GQueue items;
  Cmd *cmd;

  g_mutex_lock (&loop->lock);
  items = loop->soup_out;
  g_queue_init (&loop->soup_out);
  if (loop->soup_out_source != NULL)
    {
      g_source_destroy (loop->soup_out_source);
      g_clear_pointer (&loop->soup_out_source, g_source_unref);
    }
  g_mutex_unlock (&loop->lock);

  while ((cmd = g_queue_pop_head (&items)) != NULL)
    {
      soup_send (cmd->conn, cmd->payload);
      hd_ws_conn_unref (cmd->conn);
      g_bytes_unref (cmd->payload);
      g_free (cmd);
    }
  return G_SOURCE_REMOVE;
}

void
hd_ws_conn_send_bytes (HdWsConn *conn,
                       GBytes   *payload)
{
  HdWsLoop *loop = conn->loop;
  Cmd cmd = { CMD_SEND, 0, NULL, NULL };
  gboolean was_empty;

  if (!hd_ws_conn_is_open (conn))
    return;
  if (conn->soup != NULL)
    {
      /* libsoup's connection is the main context's: another thread's
       * frame waits for it there, behind the ones before it. */
      if (g_thread_self () == loop->owner)
        {
          soup_flush (loop);
          soup_send (conn, payload);
          return;
        }
      g_mutex_lock (&loop->lock);
      g_queue_push_tail (&loop->soup_out, g_memdup2 (&(Cmd) { CMD_SEND, 0, hd_ws_conn_ref (conn),
                                                              g_bytes_ref (payload) },
                                                     sizeof (Cmd)));
      if (loop->soup_out_source == NULL)
        {
          loop->soup_out_source = g_idle_source_new ();
          g_source_set_priority (loop->soup_out_source, G_PRIORITY_DEFAULT);
          g_source_set_callback (loop->soup_out_source, soup_flush, loop, NULL);
          g_source_set_static_name (loop->soup_out_source, "hd-ws HTTPS frames");
          g_source_attach (loop->soup_out_source, loop->context);
        }
      g_mutex_unlock (&loop->lock);
      return;
    }
  /* The fan-out sends one payload to socket after socket: encoded once.
   * The cache holds a reference, so the pointer cannot be reused. */
  g_mutex_lock (&loop->lock);
  if (loop->enc_payload != payload)
    {
      g_clear_pointer (&loop->enc_payload, g_bytes_unref);
      g_clear_pointer (&loop->enc_frame, g_bytes_unref);
      loop->enc_payload = g_bytes_ref (payload);
      loop->enc_frame = encode_text_frame (payload);
    }
  cmd.conn = hd_ws_conn_ref (conn);
  cmd.payload = g_bytes_ref (loop->enc_frame);
  was_empty = loop->cmds->len == 0;
  g_array_append_vals (loop->cmds, &cmd, 1);
  g_mutex_unlock (&loop->lock);
  /* A holder's frames go at hd_ws_loop_release (). */
  if (was_empty && g_atomic_pointer_get (&loop->holder) != (gpointer) g_thread_self ())
    wake (loop->cmd_fd);
}

gboolean
hd_ws_loop_hold (HdWsLoop *loop)
{
  return g_atomic_pointer_compare_and_exchange (&loop->holder, NULL, g_thread_self ());
}

static void run_commands (HdWsLoop *loop);
static void flush_dirty (HdWsLoop *loop);

void
hd_ws_loop_release (HdWsLoop *loop)
{
  guint owed;

  g_return_if_fail (g_atomic_pointer_get (&loop->holder) == (gpointer) g_thread_self ());
  g_atomic_pointer_set (&loop->holder, NULL);
  g_mutex_lock (&loop->lock);
  owed = loop->cmds->len;
  g_mutex_unlock (&loop->lock);
  if (owed == 0)
    return;
  /* The socket thread waits in epoll: write a few frames from here, with
   * everything queued before them (in order), and spare it a wake-up.
   * A loop without a thread of its own has no other thread to leave a
   * fan-out to: its rounds are run by the thread that delivers (the
   * server's core thread), which would only write them a round later. */
  if ((owed <= MAX_RELEASE_WRITES || loop->thread == NULL) && g_mutex_trylock (&loop->io))
    {
      loop->now = now_ms ();
      run_commands (loop);
      flush_dirty (loop);
      g_mutex_unlock (&loop->io);
      return;
    }
  /* It is at work, or a fan-out to many sockets is better done beside
   * this thread than by it: the socket thread takes them (a frame queued
   * by another thread after ours woke nobody either). */
  wake (loop->cmd_fd);
}

void
hd_ws_conn_send_text (HdWsConn   *conn,
                      const char *text,
                      gsize       len)
{
  g_autoptr(GBytes) payload = NULL;

  if (!hd_ws_conn_is_open (conn))
    return;
  payload = g_bytes_new (text, len);
  hd_ws_conn_send_bytes (conn, payload);
}

void
hd_ws_conn_close (HdWsConn   *conn,
                  gushort     code,
                  const char *reason)
{
  Cmd cmd = { CMD_CLOSE, code, NULL, NULL };

  if (!g_atomic_int_compare_and_exchange (&conn->open, TRUE, FALSE))
    return;
  if (conn->soup != NULL)
    {
      soup_websocket_connection_close (conn->soup, code, reason);
      return;
    }
  cmd.conn = hd_ws_conn_ref (conn);
  /* a close frame holds at most 123 bytes of reason */
  cmd.payload = g_bytes_new (reason ? reason : "", reason ? MIN (strlen (reason), 123) : 0);
  push_cmd (conn->loop, &cmd);
}

/* ---- the socket thread: lists --------------------------------------- */

static void
list_unlink (HdWsLoop *loop,
             HdWsConn *c)
{
  List *l;

  if (c->list == LIST_NONE)
    return;
  l = &loop->lists[c->list];
  if (c->prev)
    c->prev->next = c->next;
  else
    l->head = c->next;
  if (c->next)
    c->next->prev = c->prev;
  else
    l->tail = c->prev;
  l->len--;
  c->prev = c->next = NULL;
  c->list = LIST_NONE;
}

static void
list_append (HdWsLoop *loop,
             HdWsConn *c,
             ListId    id)
{
  List *l = &loop->lists[id];

  list_unlink (loop, c);
  c->list = id;
  c->mark = loop->now;
  c->prev = l->tail;
  c->next = NULL;
  if (l->tail)
    l->tail->next = c;
  else
    l->head = c;
  l->tail = c;
  l->len++;
}

static void
post_event (HdWsLoop *loop,
            Ev       *ev)
{
  gboolean was_empty;

  g_mutex_lock (&loop->lock);
  was_empty = loop->evs->len == 0;
  g_array_append_vals (loop->evs, ev, 1);
  g_mutex_unlock (&loop->lock);
  if (was_empty)
    wake (loop->ev_fd);
}

/* The socket is done with: out of epoll, closed, the main context told. */
static void
conn_finish (HdWsLoop *loop,
             HdWsConn *c)
{
  Ev ev = { EV_CLOSED, FALSE, NULL, NULL };

  if (c->ctx == NULL)
    return;
  ev.conn = hd_ws_conn_ref (c);
  g_atomic_int_set (&c->open, FALSE);
  if (wslay_event_get_close_received (c->ctx))
    g_atomic_int_set (&c->close_code, wslay_event_get_status_code_received (c->ctx));
  epoll_ctl (loop->epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close (c->fd);
  c->fd = -1;
  if (c->write_blocked)
    g_hash_table_remove (loop->blocked, c);
  c->write_blocked = FALSE;
  g_queue_clear_full (&c->out, (GDestroyNotify) g_bytes_unref);
  c->out_off = c->out_bytes = 0;
  wslay_event_context_free (c->ctx);
  c->ctx = NULL;
  list_unlink (loop, c);
  post_event (loop, &ev);
  /* Released at the end of the iteration: an epoll event of this round
   * may still point to it. */
  g_ptr_array_add (loop->graveyard, c);
}

/* After reading or writing: closes the socket when wslay is done with it,
 * or asks epoll for what it wants next. */
static void
conn_update (HdWsLoop *loop,
             HdWsConn *c)
{
  gboolean want_read, want_write;
  guint32 mask = 0;

  if (c->ctx == NULL || c->lingering)
    return;
  want_read = wslay_event_want_read (c->ctx);
  want_write = wslay_event_want_write (c->ctx) || !g_queue_is_empty (&c->out);
  if (!want_read && !want_write)
    {
      if (wslay_event_get_close_sent (c->ctx) && !wslay_event_get_close_received (c->ctx))
        {
          struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = c };

          /* We closed on an error (1002, 1007, 1009) with the peer's
           * data still coming: closing now would answer it with a reset
           * that can destroy our close frame before the peer reads it.
           * Half-close, read and discard until the peer closes too (or
           * LINGER_MS pass), as HTTP servers linger. */
          c->lingering = TRUE;
          shutdown (c->fd, SHUT_WR);
          if (c->list != LIST_CLOSING)
            list_append (loop, c, LIST_CLOSING);
          c->epoll_mask = ev.events;
          epoll_ctl (loop->epfd, EPOLL_CTL_MOD, c->fd, &ev);
          return;
        }
      conn_finish (loop, c);
      return;
    }
  if (c->list != LIST_CLOSING &&
      (wslay_event_get_close_sent (c->ctx) || wslay_event_get_close_received (c->ctx) ||
       !wslay_event_get_read_enabled (c->ctx)))
    {
      g_atomic_int_set (&c->open, FALSE);
      list_append (loop, c, LIST_CLOSING);
    }
  if (want_read && !c->throttled)
    mask |= EPOLLIN | EPOLLRDHUP;
  if (want_write)
    mask |= EPOLLOUT;
  if (mask != c->epoll_mask)
    {
      struct epoll_event ev = { .events = mask, .data.ptr = c };

      c->epoll_mask = mask;
      epoll_ctl (loop->epfd, EPOLL_CTL_MOD, c->fd, &ev);
    }
}

static void conn_alive (HdWsConn *c);

/* The kernel refused a write (its buffer for the socket is full). */
static void
write_refused (HdWsConn *c)
{
  if (c->write_blocked)
    return;
  c->write_blocked = TRUE;
  c->blocked_since = c->loop->now;
  g_hash_table_add (c->loop->blocked, c);
}

/* A write the kernel refused and now takes: the peer read (its window
 * opened).  A peer working through a backlog of ours reaches our ping
 * late, but it is not dead. */
static void
write_went (HdWsConn *c)
{
  if (!c->write_blocked)
    return;
  c->write_blocked = FALSE;
  g_hash_table_remove (c->loop->blocked, c);
  conn_alive (c);
}

/* Writes the queued data frames, as many per sendmsg () as fit: one
 * system call per socket and batch, however many frames the batch holds.
 * FALSE on a write error. */
static gboolean
out_write (HdWsConn *c)
{
  while (!g_queue_is_empty (&c->out))
    {
      struct iovec iov[MAX_IOV];
      struct msghdr mh = { 0 };
      int n = 0;
      ssize_t w;

      for (GList *l = c->out.head; l != NULL && n < MAX_IOV; l = l->next, n++)
        {
          gsize len;
          const guint8 *data = g_bytes_get_data (l->data, &len);
          gsize skip = n == 0 ? c->out_off : 0;

          iov[n].iov_base = (void *) (data + skip);
          iov[n].iov_len = len - skip;
        }
      mh.msg_iov = iov;
      mh.msg_iovlen = n;
      do
        w = sendmsg (c->fd, &mh, MSG_NOSIGNAL);
      while (w < 0 && errno == EINTR);
      if (w < 0)
        {
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            {
              write_refused (c);
              return TRUE;
            }
          return FALSE;
        }
      write_went (c);
      c->out_bytes -= w;
      while (w > 0)
        {
          gsize len = g_bytes_get_size (g_queue_peek_head (&c->out)) - c->out_off;

          if ((gsize) w < len)
            {
              c->out_off += w;
              break;
            }
          w -= len;
          c->out_off = 0;
          g_bytes_unref (g_queue_pop_head (&c->out));
        }
    }
  return TRUE;
}

static void
out_clear (HdWsConn *c)
{
  g_queue_clear_full (&c->out, (GDestroyNotify) g_bytes_unref);
  c->out_off = c->out_bytes = 0;
}

static void
conn_flush (HdWsLoop *loop,
            HdWsConn *c)
{
  if (c->ctx == NULL)
    return;
  /* wslay's control frames first, unless one of ours is part-way out */
  if (c->out_off == 0 && wslay_event_send (c->ctx) != 0)
    {
      conn_finish (loop, c);
      return;
    }
  if (wslay_event_get_close_sent (c->ctx))
    out_clear (c);   /* nothing goes after a close frame */
  else if ((c->out_off > 0 || !wslay_event_want_write (c->ctx)) && !out_write (c))
    {
      conn_finish (loop, c);
      return;
    }
  /* What the kernel would not take stays queued here: a peer that
   * stopped reading does not hold more than this of the server's memory. */
  if (wslay_event_get_queued_msg_length (c->ctx) + c->out_bytes > loop->limits.max_queued)
    {
      g_debug ("dropping a socket that does not read (%zu bytes queued)",
               wslay_event_get_queued_msg_length (c->ctx) + c->out_bytes);
      conn_finish (loop, c);
      return;
    }
  conn_update (loop, c);
}

static void
mark_dirty (HdWsLoop *loop,
            HdWsConn *c)
{
  if (c->dirty)
    return;
  c->dirty = TRUE;
  g_ptr_array_add (loop->dirty, hd_ws_conn_ref (c));
}

/* ---- the socket thread: wslay callbacks ----------------------------- */

/* The peer is alive: whatever it sent counts, read as it arrives. */
static void
conn_alive (HdWsConn *c)
{
  c->last_recv = c->loop->now;
  if (c->list == LIST_ACTIVE || c->list == LIST_PINGED)
    list_append (c->loop, c, LIST_ACTIVE);
}

static ssize_t
recv_cb (wslay_event_context_ptr  ctx,
         uint8_t                 *buf,
         size_t                   len,
         int                      flags,
         void                    *user_data)
{
  HdWsConn *c = user_data;
  ssize_t n;

  /* This socket's share of the round is read, or the round is full, or
   * the socket has spent its credit (limits.frames_per_second): the rest
   * is a later round's (wslay asks only when its buffer holds no whole
   * frame, so a read brings at most one buffer's frames past the
   * credit). */
  if (c->loop->limits.frames_per_second > 0 && c->credit < 1)
    {
      wslay_event_set_error (ctx, WSLAY_ERR_WOULDBLOCK);
      return -1;
    }
  if (c->round_read >= c->loop->share || c->loop->round_messages >= ROUND_MESSAGES)
    {
      if (c->round_read < c->loop->share)
        c->loop->contended = TRUE;
      wslay_event_set_error (ctx, WSLAY_ERR_WOULDBLOCK);
      return -1;
    }
  do
    n = recv (c->fd, buf, MIN (len, c->loop->share - c->round_read), 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      wslay_event_set_error (ctx, errno == EAGAIN || errno == EWOULDBLOCK
                                  ? WSLAY_ERR_WOULDBLOCK : WSLAY_ERR_CALLBACK_FAILURE);
      return -1;
    }
  c->round_read += n;
  if (n == 0)
    {
      wslay_event_set_error (ctx, WSLAY_ERR_CALLBACK_FAILURE);
      return -1;
    }
  conn_alive (c);
  return n;
}

static ssize_t
send_cb (wslay_event_context_ptr  ctx,
         const uint8_t           *data,
         size_t                   len,
         int                      flags,
         void                    *user_data)
{
  HdWsConn *c = user_data;
  ssize_t n;
  int f = MSG_NOSIGNAL;

  /* The header and the payload of a frame are two calls: one packet. */
  if (flags & WSLAY_MSG_MORE)
    f |= MSG_MORE;
  do
    n = send (c->fd, data, len, f);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      gboolean blocked = errno == EAGAIN || errno == EWOULDBLOCK;

      if (blocked)
        write_refused (c);
      wslay_event_set_error (ctx, blocked ? WSLAY_ERR_WOULDBLOCK : WSLAY_ERR_CALLBACK_FAILURE);
      return -1;
    }
  write_went (c);
  return n;
}

static void
on_msg_recv_cb (wslay_event_context_ptr                   ctx,
                const struct wslay_event_on_msg_recv_arg *arg,
                void                                     *user_data)
{
  HdWsConn *c = user_data;
  Ev ev = { EV_MESSAGE, FALSE, NULL, NULL };

  if (arg->opcode == WSLAY_CONNECTION_CLOSE)
    {
      g_atomic_int_set (&c->close_code, arg->status_code ? arg->status_code : 1005);
      g_atomic_int_set (&c->open, FALSE);
      return;
    }
  if (arg->opcode != WSLAY_TEXT_FRAME && arg->opcode != WSLAY_BINARY_FRAME)
    return;   /* pings are answered by wslay, pongs only count as life */
  c->loop->round_messages++;
  c->credit -= 1;
  ev.is_text = arg->opcode == WSLAY_TEXT_FRAME;
  /* Only this thread counts at_main up, so once it reads 0 no earlier
   * message of this connection can still be on its way to main. */
  if (ev.is_text && c->loop->thread_func != NULL && g_atomic_int_get (&c->ready) &&
      g_atomic_int_get (&c->at_main) == 0 &&
      c->loop->thread_func (c, c->tag, (const char *) arg->msg, arg->msg_length, c->loop->thread_data))
    return;
  g_atomic_int_inc (&c->at_main);
  ev.conn = hd_ws_conn_ref (c);
  ev.payload = g_bytes_new (arg->msg, arg->msg_length);
  post_event (c->loop, &ev);
}

static const struct wslay_event_callbacks callbacks = {
  .recv_callback = recv_cb,
  .send_callback = send_cb,
  .on_msg_recv_callback = on_msg_recv_cb,
};

/* ---- the socket thread: main part ----------------------------------- */

static void
conn_adopt (HdWsLoop *loop,
            HdWsConn *c)
{
  struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = c };

  if (wslay_event_context_server_init (&c->ctx, &callbacks, c) != 0)
    {
      /* the reference of the ADOPT command goes to the event */
      Ev closed = { EV_CLOSED, FALSE, c, NULL };

      c->ctx = NULL;
      g_atomic_int_set (&c->open, FALSE);
      post_event (loop, &closed);
      return;
    }
  wslay_event_config_set_max_recv_msg_length (c->ctx, loop->limits.max_message);
  c->epoll_mask = ev.events;
  c->last_recv = loop->now;
  c->credit = loop->limits.frame_burst;
  c->credit_at = loop->now;
  if (epoll_ctl (loop->epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0)
    {
      g_warning ("epoll_ctl: %s", g_strerror (errno));
      conn_finish (loop, c);
      return;
    }
  list_append (loop, c, LIST_ACTIVE);
}

/* Drops a socket at once (a dead or hostile peer): one try at a close
 * frame, no waiting for the answer. */
static void
conn_drop (HdWsLoop   *loop,
           HdWsConn   *c,
           gushort     code,
           const char *reason)
{
  if (c->ctx == NULL)
    return;
  if (!wslay_event_get_close_sent (c->ctx) &&
      wslay_event_queue_close (c->ctx, code, (const uint8_t *) reason, strlen (reason)) == 0)
    wslay_event_send (c->ctx);
  conn_finish (loop, c);
}

static void
run_commands (HdWsLoop *loop)
{
  g_autoptr(GArray) cmds = NULL;

  g_mutex_lock (&loop->lock);
  cmds = loop->cmds;
  loop->cmds = g_array_new (FALSE, FALSE, sizeof (Cmd));
  g_mutex_unlock (&loop->lock);

  for (guint i = 0; i < cmds->len; i++)
    {
      Cmd *cmd = &g_array_index (cmds, Cmd, i);
      HdWsConn *c = cmd->conn;

      switch (cmd->kind)
        {
        case CMD_ADOPT:
          conn_adopt (loop, c);
          break;

        case CMD_SEND:
          if (c->ctx != NULL && !wslay_event_get_close_sent (c->ctx))
            {
              c->out_bytes += g_bytes_get_size (cmd->payload);
              g_queue_push_tail (&c->out, g_steal_pointer (&cmd->payload));
              mark_dirty (loop, c);
            }
          break;

        case CMD_CLOSE:
          if (c->ctx != NULL && !wslay_event_get_close_sent (c->ctx))
            {
              gsize len;
              const guint8 *reason = g_bytes_get_data (cmd->payload, &len);

              if (wslay_event_queue_close (c->ctx, cmd->code, reason, len) == 0)
                mark_dirty (loop, c);
              list_append (loop, c, LIST_CLOSING);
            }
          break;
        }
      g_clear_pointer (&cmd->payload, g_bytes_unref);
      if (cmd->kind != CMD_ADOPT)   /* ADOPT gives its reference to the loop */
        hd_ws_conn_unref (c);
    }
}

static void
flush_dirty (HdWsLoop *loop)
{
  for (guint i = 0; i < loop->dirty->len; i++)
    {
      HdWsConn *c = g_ptr_array_index (loop->dirty, i);

      c->dirty = FALSE;
      conn_flush (loop, c);
      hd_ws_conn_unref (c);
    }
  g_ptr_array_set_size (loop->dirty, 0);
}

/* Grows the socket's credit by the time since it last grew (at most to
 * the burst) and says whether it may be read: a socket that flooded is
 * read again once the frames it sent past its credit are paid off, so
 * over time it gets limits.frames_per_second and no more, whatever it
 * sends (the last read of wslay's buffer can bring more than the credit
 * held: that is debt, paid before the next read).  Nothing it sent is
 * dropped or refused. */
static gboolean
has_credit (HdWsLoop *loop,
            HdWsConn *c)
{
  const HdWsLimits *lim = &loop->limits;

  if (lim->frames_per_second == 0)
    return TRUE;
  if (loop->now > c->credit_at)
    {
      c->credit = MIN ((double) lim->frame_burst,
                       c->credit + (double) (loop->now - c->credit_at) * lim->frames_per_second / 1000.0);
      c->credit_at = loop->now;
    }
  return c->credit >= 1;
}

/* Reads this socket's share of the round.  FALSE when that finished it:
 * EOF, a reset, or a frame wslay refused at the frame level (an oversized
 * or fragmented control frame), whose close goes out if it can. */
static gboolean
conn_read (HdWsLoop *loop,
           HdWsConn *c)
{
  if (loop->round_messages >= ROUND_MESSAGES)
    {
      loop->contended = TRUE;   /* read next round, early in it */
      return TRUE;
    }
  if (g_atomic_int_get (&c->at_main) >= MAX_AT_MAIN || !has_credit (loop, c))
    {
      /* The main context is behind with this socket's messages, or the
       * socket sent more than its rate: not read (nor polled for reading)
       * until that is over; what it sends meanwhile waits in the kernel,
       * and then in the peer (TCP's own flow control). */
      c->throttled = TRUE;
      g_ptr_array_add (loop->throttled, hd_ws_conn_ref (c));
      conn_update (loop, c);
      return TRUE;
    }
  c->round_read = 0;
  c->read_round = loop->round;
  if (wslay_event_recv (c->ctx) != 0)
    {
      wslay_event_send (c->ctx);
      conn_finish (loop, c);
      return FALSE;
    }
  /* an answer to a ping or a close may be queued */
  mark_dirty (loop, c);
  return TRUE;
}

static int
by_read_round (const void *a,
               const void *b)
{
  const HdWsConn *x = ((const struct epoll_event *) a)->data.ptr;
  const HdWsConn *y = ((const struct epoll_event *) b)->data.ptr;
  guint64 rx = x ? x->read_round : 0, ry = y ? y->read_round : 0;

  return rx < ry ? -1 : rx > ry;
}

/* Sockets held back for the main context are read again once it took
 * half of what waited; those held back for their rate once they have
 * credit again. */
static void
resume_throttled (HdWsLoop *loop)
{
  for (guint i = 0; i < loop->throttled->len;)
    {
      HdWsConn *c = g_ptr_array_index (loop->throttled, i);

      if (c->ctx != NULL &&
          (g_atomic_int_get (&c->at_main) >= MAX_AT_MAIN / 2 || !has_credit (loop, c)))
        {
          i++;
          continue;
        }
      c->throttled = FALSE;
      if (c->ctx != NULL)
        conn_update (loop, c);
      g_ptr_array_remove_index_fast (loop->throttled, i);
    }
}

static void
bury (HdWsLoop *loop)
{
  for (guint i = 0; i < loop->graveyard->len; i++)
    hd_ws_conn_unref (g_ptr_array_index (loop->graveyard, i));
  g_ptr_array_set_size (loop->graveyard, 0);
}

/* Pings the sockets silent for the ping interval, drops those silent for
 * the dead timeout, ends close handshakes that got no answer.  Each list
 * is in time order, so this looks only at the sockets it acts on.
 * TRUE when more sockets are due for a ping than this share. */
static gboolean
run_timers (HdWsLoop *loop)
{
  HdWsLimits *lim = &loop->limits;
  HdWsConn *c;
  guint64 live = loop->lists[LIST_ACTIVE].len + loop->lists[LIST_PINGED].len;
  int budget = (int) CLAMP (2 * live * PING_SLICE_MS / MAX (lim->ping_interval_ms, 1) + 1,
                            MIN_PING_BUDGET, TICK_BUDGET);
  gboolean more_due;

  while (budget-- > 0 && (c = loop->lists[LIST_ACTIVE].head) != NULL &&
         loop->now - c->last_recv >= lim->ping_interval_ms)
    {
      struct wslay_event_msg ping = { WSLAY_PING, NULL, 0 };

      list_append (loop, c, LIST_PINGED);
      if (wslay_event_queue_msg (c->ctx, &ping) == 0)
        mark_dirty (loop, c);
    }
  more_due = (c = loop->lists[LIST_ACTIVE].head) != NULL &&
             loop->now - c->last_recv >= lim->ping_interval_ms;
  budget = TICK_BUDGET;
  while (budget-- > 0 && (c = loop->lists[LIST_PINGED].head) != NULL &&
         loop->now - c->last_recv >= lim->dead_timeout_ms)
    {
      guint8 byte;

      /* What the peer sent counts even before this side reads it: after
       * a stall of this thread (a long batch, when the core thread runs
       * the layer) a full epoll_wait () leaves answers in sockets this
       * round did not read.  A peer is judged by what it sent, never by
       * how far behind this side is. */
      if (recv (c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0)
        {
          conn_alive (c);
          continue;
        }
      g_debug ("closing a socket silent for %" G_GINT64_FORMAT " ms", loop->now - c->last_recv);
      conn_drop (loop, c, 1001, "no answer to pings");
    }
  /* A peer that takes none of our bytes for the write timeout is dropped,
   * even if it keeps talking (its pongs and frames count as life, not as
   * reading).  Few sockets are blocked at a time: this looks only at them. */
  if (g_hash_table_size (loop->blocked) > 0)
    {
      guint timeout = lim->write_timeout_ms ? lim->write_timeout_ms : DEFAULT_WRITE_TIMEOUT_MS;
      g_autoptr(GPtrArray) late = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, loop->blocked);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (loop->now - ((HdWsConn *) key)->blocked_since >= timeout)
          g_ptr_array_add (late, key);
      for (guint i = 0; i < late->len; i++)
        {
          c = late->pdata[i];
          g_debug ("dropping a socket that took nothing for %" G_GINT64_FORMAT " ms (%zu bytes queued)",
                   loop->now - c->blocked_since, c->out_bytes);
          conn_finish (loop, c);
        }
    }
  budget = TICK_BUDGET;
  while (budget-- > 0 && (c = loop->lists[LIST_CLOSING].head) != NULL &&
         loop->now - c->mark >= (c->lingering ? LINGER_MS : CLOSE_TIMEOUT_MS))
    conn_finish (loop, c);
  return more_due;
}

static void
linger_read (HdWsLoop *loop,
             HdWsConn *c)
{
  static guint8 sink[16384];

  for (int i = 0; i < 8; i++)
    {
      ssize_t n = recv (c->fd, sink, sizeof sink, 0);

      if (n > 0)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
      break;
    }
  conn_finish (loop, c);
}

/* One round of the socket side: waits at most @max_wait_ms (and never
 * past the next timer tick), then reads, runs the commands, the timers,
 * and writes. */
static void
loop_iteration (HdWsLoop *loop,
                int       max_wait_ms)
{
  struct epoll_event events[MAX_EVENTS];
  int timeout, n;

  g_mutex_lock (&loop->io);
  timeout = (int) CLAMP (loop->next_tick - loop->now, 0, max_wait_ms);
  if (loop->throttled->len > 0)
    timeout = MIN (timeout, THROTTLE_MS);
  g_mutex_unlock (&loop->io);
  n = epoll_wait (loop->epfd, events, MAX_EVENTS, timeout);
  /* An event may name a socket that a releasing thread finished
   * meanwhile: it is in the graveyard until the end of this round. */
  g_mutex_lock (&loop->io);
  loop->now = now_ms ();
  if (n < 0 && errno != EINTR)
    g_error ("epoll_wait: %s", g_strerror (errno));
  loop->round_messages = 0;
  loop->round++;
  if (loop->throttled->len > 0)
    resume_throttled (loop);
  /* epoll returns the ready sockets in the same order round after round:
   * when the last round could not read them all, the ones read longest
   * ago go first, so no socket waits behind the same busy ones forever. */
  if (loop->contended && n > 1)
    qsort (events, (size_t) n, sizeof events[0], by_read_round);
  loop->contended = FALSE;
  {
    int readable = 0;

    for (int i = 0; i < n; i++)
      readable += (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
    loop->share = MAX (ROUND_BYTES / MAX (readable, 1), MIN_SHARE);
  }
  for (int i = 0; i < n; i++)
    {
      HdWsConn *c = events[i].data.ptr;

      if (c == NULL)
        {
          drain (loop->cmd_fd);
          run_commands (loop);
          continue;
        }
      if (c->ctx == NULL)
        continue;
      if (c->lingering)
        {
          linger_read (loop, c);
          continue;
        }
      if ((events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) && !c->throttled &&
          !conn_read (loop, c))
        continue;
      if (events[i].events & EPOLLOUT)
        mark_dirty (loop, c);
    }
  if (loop->now >= loop->next_tick)
    loop->next_tick = loop->now + (run_timers (loop) ? PING_SLICE_MS : loop->tick_ms);
  flush_dirty (loop);
  bury (loop);
  g_mutex_unlock (&loop->io);
}

static gpointer
loop_thread (gpointer data)
{
  HdWsLoop *loop = data;

  while (!g_atomic_int_get (&loop->stop))
    loop_iteration (loop, G_MAXINT);
  return NULL;
}

void
hd_ws_loop_iterate (HdWsLoop *loop,
                    int       max_wait_ms)
{
  g_return_if_fail (loop->thread == NULL);
  loop_iteration (loop, max_wait_ms);
}

int
hd_ws_loop_get_fd (HdWsLoop *loop)
{
  return loop->epfd;
}

int
hd_ws_loop_next_wait_ms (HdWsLoop *loop)
{
  g_return_val_if_fail (loop->thread == NULL, 0);
  return (int) CLAMP (loop->next_tick - now_ms (), 0, loop->throttled->len > 0 ? THROTTLE_MS : MAX_TICK_MS);
}

/* ---- the main context ----------------------------------------------- */

static gboolean
dispatch_events (gint         fd,
                 GIOCondition condition,
                 gpointer     user_data)
{
  HdWsLoop *loop = user_data;
  g_autoptr(GArray) evs = NULL;

  drain (loop->ev_fd);
  g_mutex_lock (&loop->lock);
  evs = loop->evs;
  loop->evs = g_array_new (FALSE, FALSE, sizeof (Ev));
  g_mutex_unlock (&loop->lock);

  for (guint i = 0; i < evs->len; i++)
    {
      Ev *ev = &g_array_index (evs, Ev, i);

      if (ev->kind == EV_MESSAGE)
        {
          gsize len;
          const char *text = g_bytes_get_data (ev->payload, &len);

          loop->on_message (ev->conn, ev->is_text, text ? text : "", len, loop->user_data);
          g_atomic_int_add (&ev->conn->at_main, -1);
        }
      else
        loop->on_closed (ev->conn, loop->user_data);
      g_clear_pointer (&ev->payload, g_bytes_unref);
      hd_ws_conn_unref (ev->conn);
    }
  return G_SOURCE_CONTINUE;
}

HdWsLoop *
hd_ws_loop_new (const HdWsLimits *limits,
                HdWsMessageFunc   on_message,
                HdWsClosedFunc    on_closed,
                gpointer          user_data)
{
  HdWsLoop *loop = g_new0 (HdWsLoop, 1);
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

  loop->limits = *limits;
  if (loop->limits.frames_per_second > 0 && loop->limits.frame_burst == 0)
    loop->limits.frame_burst = loop->limits.frames_per_second;
  loop->on_message = on_message;
  loop->on_closed = on_closed;
  loop->user_data = user_data;
  loop->context = g_main_context_ref_thread_default ();
  loop->owner = g_thread_self ();
  g_queue_init (&loop->soup_out);
  loop->tick_ms = CLAMP (MIN (limits->ping_interval_ms,
                              limits->dead_timeout_ms - MIN (limits->dead_timeout_ms,
                                                              limits->ping_interval_ms)) / 4,
                         10, MAX_TICK_MS);
  g_mutex_init (&loop->lock);
  g_mutex_init (&loop->io);
  loop->cmds = g_array_new (FALSE, FALSE, sizeof (Cmd));
  loop->evs = g_array_new (FALSE, FALSE, sizeof (Ev));
  loop->dirty = g_ptr_array_new ();
  loop->graveyard = g_ptr_array_new ();
  loop->throttled = g_ptr_array_new_with_free_func ((GDestroyNotify) hd_ws_conn_unref);
  loop->share = ROUND_BYTES;
  loop->blocked = g_hash_table_new (NULL, NULL);
  loop->soup_conns = g_ptr_array_new ();

  loop->epfd = epoll_create1 (EPOLL_CLOEXEC);
  loop->cmd_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  loop->ev_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (loop->epfd < 0 || loop->cmd_fd < 0 || loop->ev_fd < 0)
    g_error ("hd-ws: no epoll or eventfd: %s", g_strerror (errno));
  epoll_ctl (loop->epfd, EPOLL_CTL_ADD, loop->cmd_fd, &ev);

  loop->ev_source = g_unix_fd_source_new (loop->ev_fd, G_IO_IN);
  g_source_set_callback (loop->ev_source, G_SOURCE_FUNC (dispatch_events), loop, NULL);
  g_source_set_static_name (loop->ev_source, "hd-ws events");
  g_source_attach (loop->ev_source, loop->context);

  loop->now = now_ms ();
  loop->next_tick = loop->now + loop->tick_ms;
  if (!limits->no_thread)
    loop->thread = g_thread_new ("hd-ws", loop_thread, loop);
  return loop;
}

static void on_soup_closed (SoupWebsocketConnection *sc, HdWsConn *conn);

void
hd_ws_loop_free (HdWsLoop *loop)
{
  if (loop == NULL)
    return;
  if (loop->thread != NULL)
    {
      g_atomic_int_set (&loop->stop, TRUE);
      wake (loop->cmd_fd);
      g_thread_join (loop->thread);
    }

  /* what the thread left: commands not run, sockets still open */
  run_commands (loop);
  for (int l = LIST_ACTIVE; l < N_LISTS; l++)
    while (loop->lists[l].head != NULL)
      conn_finish (loop, loop->lists[l].head);
  for (guint i = 0; i < loop->dirty->len; i++)
    hd_ws_conn_unref (g_ptr_array_index (loop->dirty, i));
  bury (loop);
  g_ptr_array_unref (loop->throttled);
  for (guint i = 0; i < loop->soup_conns->len; i++)
    {
      HdWsConn *c = g_ptr_array_index (loop->soup_conns, i);

      /* a reference elsewhere must not send through the freed loop */
      g_atomic_int_set (&c->open, FALSE);
      g_signal_handlers_disconnect_by_data (c->soup, c);
      hd_ws_conn_unref (c);
    }
  /* the closed events are not delivered: the caller is going away */
  for (guint i = 0; i < loop->evs->len; i++)
    {
      Ev *ev = &g_array_index (loop->evs, Ev, i);

      g_clear_pointer (&ev->payload, g_bytes_unref);
      hd_ws_conn_unref (ev->conn);
    }
  g_source_destroy (loop->ev_source);
  g_source_unref (loop->ev_source);
  if (loop->soup_out_source != NULL)
    {
      g_source_destroy (loop->soup_out_source);
      g_source_unref (loop->soup_out_source);
    }
  {
    Cmd *cmd;

    while ((cmd = g_queue_pop_head (&loop->soup_out)) != NULL)
      {
        hd_ws_conn_unref (cmd->conn);
        g_bytes_unref (cmd->payload);
        g_free (cmd);
      }
  }
  if (loop->soup_check)
    {
      g_source_destroy (loop->soup_check);
      g_source_unref (loop->soup_check);
    }
  g_main_context_unref (loop->context);
  close (loop->epfd);
  close (loop->cmd_fd);
  close (loop->ev_fd);
  g_array_unref (loop->cmds);
  g_array_unref (loop->evs);
  g_ptr_array_unref (loop->dirty);
  g_ptr_array_unref (loop->graveyard);
  g_hash_table_unref (loop->blocked);
  g_ptr_array_unref (loop->soup_conns);
  g_clear_pointer (&loop->enc_payload, g_bytes_unref);
  g_clear_pointer (&loop->enc_frame, g_bytes_unref);
  g_mutex_clear (&loop->lock);
  g_mutex_clear (&loop->io);
  g_free (loop);
}

/* ---- HTTPS: libsoup's connection behind the same calls -------------- */

static void
on_soup_message (SoupWebsocketConnection *sc,
                 gint                     type,
                 GBytes                  *message,
                 HdWsConn                *conn)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  conn->last_recv = now_ms ();
  if (len > conn->loop->limits.max_message)
    {
      hd_ws_conn_close (conn, SOUP_WEBSOCKET_CLOSE_TOO_BIG, "message larger than the limit");
      return;
    }
  conn->loop->on_message (conn, type == SOUP_WEBSOCKET_DATA_TEXT, data ? data : "", len,
                          conn->loop->user_data);
}

static void
on_soup_pong (SoupWebsocketConnection *sc,
              GBytes                  *message,
              HdWsConn                *conn)
{
  conn->last_recv = now_ms ();
}

static void
on_soup_closed (SoupWebsocketConnection *sc,
                HdWsConn                *conn)
{
  HdWsLoop *loop = conn->loop;

  g_atomic_int_set (&conn->open, FALSE);
  g_atomic_int_set (&conn->close_code, soup_websocket_connection_get_close_code (sc));
  g_signal_handlers_disconnect_by_data (sc, conn);
  g_ptr_array_remove_fast (loop->soup_conns, conn);
  loop->on_closed (conn, loop->user_data);
  hd_ws_conn_unref (conn);
}

static gboolean
check_soup_conns (gpointer user_data)
{
  HdWsLoop *loop = user_data;
  gint64 now = now_ms ();
  g_autoptr(GPtrArray) dead = g_ptr_array_new_with_free_func ((GDestroyNotify) hd_ws_conn_unref);

  for (guint i = 0; i < loop->soup_conns->len; i++)
    {
      HdWsConn *c = g_ptr_array_index (loop->soup_conns, i);

      if (now - c->last_recv >= loop->limits.dead_timeout_ms)
        g_ptr_array_add (dead, hd_ws_conn_ref (c));
    }
  for (guint i = 0; i < dead->len; i++)
    {
      HdWsConn *c = g_ptr_array_index (dead, i);

      /* a dead peer never answers the close: gone now */
      if (c->soup != NULL)
        {
          g_atomic_int_set (&c->open, FALSE);
          g_io_stream_close (soup_websocket_connection_get_io_stream (c->soup), NULL, NULL);
          if (g_ptr_array_find (loop->soup_conns, c, NULL))
            on_soup_closed (c->soup, c);
        }
    }
  return G_SOURCE_CONTINUE;
}

/* ---- the upgrade ---------------------------------------------------- */

typedef struct {
  HdWsLoop       *loop;
  HdWsOpenFunc    on_open;
  gpointer        data;
  GDestroyNotify  destroy;
  gboolean        done;
} Upgrade;

static void
upgrade_free (gpointer  p,
              GClosure *closure)
{
  Upgrade *u = p;

  if (u->destroy)
    u->destroy (u->data);
  g_free (u);
}

static HdWsConn *
conn_new (HdWsLoop *loop)
{
  HdWsConn *c = g_new0 (HdWsConn, 1);

  c->ref_count = 1;
  c->open = TRUE;
  c->loop = loop;
  c->fd = -1;
  return c;
}

HdWsConn *
hd_ws_loop_adopt_fd (HdWsLoop *loop,
                     int       fd)
{
  HdWsConn *c = conn_new (loop);
  Cmd cmd = { CMD_ADOPT, 0, NULL, NULL };

  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK);
  c->fd = fd;
  cmd.conn = hd_ws_conn_ref (c);
  push_cmd (loop, &cmd);
  return c;
}

static void
upgrade_written (SoupServerMessage *msg,
                 gpointer           user_data)
{
  Upgrade *u = user_data;
  HdWsLoop *loop = u->loop;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GIOStream) base = NULL;
  HdWsConn *c;
  int fd = -1;

  if (u->done)
    return;
  u->done = TRUE;
  c = conn_new (loop);
  stream = soup_server_message_steal_connection (msg);
  /* libsoup's SoupIOStream wraps the connection it accepted (or was
   * given): a plain GSocketConnection is ours to take, a TLS one is not. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (stream), "base-iostream") != NULL)
    g_object_get (stream, "base-iostream", &base, NULL);
  else
    base = g_object_ref (stream);
  if (G_IS_SOCKET_CONNECTION (base))
    fd = fcntl (g_socket_get_fd (g_socket_connection_get_socket (G_SOCKET_CONNECTION (base))),
                F_DUPFD_CLOEXEC, 0);
  if (fd >= 0)
    {
      Cmd cmd = { CMD_ADOPT, 0, NULL, NULL };
      int one = 1;

      /* Events are small frames that must leave at once. */
      setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      c->fd = fd;
      cmd.conn = hd_ws_conn_ref (c);
      push_cmd (loop, &cmd);
      /* libsoup's stream closes its own descriptor; ours stays */
      g_io_stream_close (stream, NULL, NULL);
    }
  else
    {
      c->soup = soup_websocket_connection_new (stream, soup_server_message_get_uri (msg),
                                               SOUP_WEBSOCKET_CONNECTION_SERVER, NULL, NULL, NULL);
      c->last_recv = now_ms ();
      soup_websocket_connection_set_max_incoming_payload_size (c->soup, loop->limits.max_message + 1);
      soup_websocket_connection_set_keepalive_interval (c->soup, MAX (1, loop->limits.ping_interval_ms / 1000));
      g_signal_connect (c->soup, "message", G_CALLBACK (on_soup_message), c);
      g_signal_connect (c->soup, "pong", G_CALLBACK (on_soup_pong), c);
      g_signal_connect (c->soup, "closed", G_CALLBACK (on_soup_closed), c);
      g_ptr_array_add (loop->soup_conns, hd_ws_conn_ref (c));
      if (loop->soup_check == NULL)
        {
          loop->soup_check = g_timeout_source_new (MAX (50, loop->limits.ping_interval_ms / 2));
          g_source_set_callback (loop->soup_check, check_soup_conns, loop, NULL);
          g_source_attach (loop->soup_check, loop->context);
        }
    }
  u->on_open (c, u->data);
}

gboolean
hd_ws_loop_upgrade (HdWsLoop          *loop,
                    SoupServerMessage *msg,
                    HdWsOpenFunc       on_open,
                    gpointer           data,
                    GDestroyNotify     destroy)
{
  g_autoptr(GError) error = NULL;
  Upgrade *u;

  /* No extension is offered back: permessage-deflate would cost a zlib
   * state per socket (doc/websocket.md). */
  if (!soup_websocket_server_check_handshake (msg, NULL, NULL, NULL, &error))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      if (destroy)
        destroy (data);
      return FALSE;
    }
  soup_websocket_server_process_handshake (msg, NULL, NULL, NULL, NULL);
  u = g_new0 (Upgrade, 1);
  u->loop = loop;
  u->on_open = on_open;
  u->data = data;
  u->destroy = destroy;
  g_signal_connect_data (msg, "wrote-informational", G_CALLBACK (upgrade_written), u,
                         upgrade_free, 0);
  return TRUE;
}
