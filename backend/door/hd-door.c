/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-door"

#include "hd-door.h"
#include "hd-json.h"
#include "hd-protocol.h"

#include <gio/gunixsocketaddress.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* How libsoup 3.2.3 is steered (read soup-server.c and
 * soup-server-message-io-http1.c of that version before changing this):
 *
 * - After a keep-alive response libsoup waits for the next request with a
 *   message that has no completion callback until the first byte of its
 *   head arrives.  If the peer closes (or fails) before that byte, the read
 *   error finishes the message with nobody to disconnect the connection: it
 *   stays in the server's list, its socket in CLOSE-WAIT, forever.  So our
 *   input stream, when it meets the end (or an error, or the door's own
 *   deadline) on an idle connection, first hands libsoup one byte: libsoup
 *   then starts a request (which sets the completion callback) and the
 *   error that follows ends it, and that disconnects the connection.  No
 *   answer is written: the error path of libsoup's io_run () does not write.
 * - libsoup keeps connections alive only while it has a listener
 *   (request_finished () checks priv->listeners), so the door gives it one
 *   that nobody can reach: a listening socket in the abstract Unix
 *   namespace with a random name.
 * - Deadlines: the door marks the connection as closing and shuts its
 *   socket down; that wakes libsoup's read, which our stream fails.
 * - Answers: libsoup writes them through our output stream, which sees
 *   every write the socket refuses (would block) and every one it takes.
 *   A connection whose socket took none of an answer's bytes for the
 *   write timeout is closed the same way: the shutdown wakes libsoup's
 *   wait for the socket, and our stream fails its next write. */

#define ACCEPT_BATCH 64

typedef enum {
  STATE_HEAD,      /* waiting for (the rest of) a request head */
  STATE_BODY,      /* reading a request body */
  STATE_HANDLER,   /* the routes have it; the answer is being written */
  STATE_IDLE,      /* keep-alive, between requests */
  STATE_STOLEN,    /* taken over (WebSocket, or an answer of the door's) */
} ConnState;

typedef struct _Conn Conn;

struct _HdDoor
{
  GObject              parent_instance;

  SoupServer          *soup;
  GTlsCertificate     *certificate;
  GSocket             *listener;
  GSource             *accept_source;
  GSource             *accept_pause;
  GSocket             *dummy;          /* keeps libsoup's keep-alive on */
  GSource             *tick;

  HdDoorBodyLimitFunc  body_limit;
  gpointer             body_limit_data;

  guint                head_timeout_s;
  guint                idle_timeout_s;
  guint                body_timeout_s;
  guint                write_timeout_s;

  /* Each queue is in deadline order, because every connection in one has
   * the same timeout: entering at the tail keeps it sorted. */
  GQueue               head_q;
  GQueue               body_q;
  GQueue               idle_q;
  /* Connections whose answer is stuck: the socket refused our last write.
   * In deadline order too (one timeout), apart from the queues above. */
  GQueue               write_q;
  guint                n_conns;

  /* HTTP connections per client address (hd_door_set_address_limit ()):
   * address text → count; 0: no cap.  @trusted: the addresses exempt
   * (GInetAddress, parsed once: a proxy in front), NULL for every loopback
   * address. */
  GHashTable          *per_address;
  guint                max_per_address;
  GPtrArray           *trusted;
  gint64               refused_warned;   /* monotonic µs */
  guint                refused;          /* since the last warning */
};

struct _Conn
{
  grefcount  ref;
  HdDoor    *door;         /* NULL once released */
  GSocket   *socket;
  ConnState  state;
  GQueue    *queue;
  GList      link;
  gint64     deadline;
  GQueue    *write_queue;  /* the door's write_q while a write is refused */
  char      *address;      /* counted in the door's per_address, or NULL */
  GList      write_link;
  gint64     write_deadline;
  gsize      body_bytes;
  gsize      body_limit;
  guint      fake_pos;
  guint      tls : 1;
  guint      closing : 1;  /* the door ends it: reads fail */
  guint      failed : 1;   /* the peer ended it: reads fail */
  guint      released : 1;
};

G_DEFINE_FINAL_TYPE (HdDoor, hd_door, G_TYPE_OBJECT)

static GQuark conn_quark;

static Conn *
conn_ref (Conn *c)
{
  g_ref_count_inc (&c->ref);
  return c;
}

static void
conn_unref (Conn *c)
{
  if (g_ref_count_dec (&c->ref))
    {
      g_clear_object (&c->socket);
      g_free (c->address);
      g_free (c);
    }
}

static void
conn_unref_closure (gpointer  data,
                    GClosure *closure)
{
  conn_unref (data);
}

static void
conn_dequeue (Conn *c)
{
  if (c->queue != NULL)
    {
      g_queue_unlink (c->queue, &c->link);
      c->queue = NULL;
    }
}

static void
conn_enqueue (Conn   *c,
              GQueue *q,
              guint   timeout_s)
{
  conn_dequeue (c);
  if (c->door == NULL || c->closing)
    return;
  c->deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  g_queue_push_tail_link (q, &c->link);
  c->queue = q;
}

/* The socket took some of our bytes: the answer is moving. */
static void
conn_write_moved (Conn *c)
{
  if (c->write_queue != NULL)
    {
      g_queue_unlink (c->write_queue, &c->write_link);
      c->write_queue = NULL;
    }
}

/* The socket refused a write: from now on the answer has the write
 * timeout to move again.  (Already waiting: the first refusal counts.) */
static void
conn_write_refused (Conn *c)
{
  if (c->write_queue != NULL || c->door == NULL || c->closing || c->state == STATE_STOLEN)
    return;
  c->write_deadline = g_get_monotonic_time () + (gint64) c->door->write_timeout_s * G_USEC_PER_SEC;
  g_queue_push_tail_link (&c->door->write_q, &c->write_link);
  c->write_queue = &c->door->write_q;
}

static void
conn_set_state (Conn      *c,
                ConnState  state)
{
  HdDoor *door = c->door;

  c->state = state;
  if (door == NULL)
    return;
  switch (state)
    {
    case STATE_HEAD:
      conn_enqueue (c, &door->head_q, door->head_timeout_s);
      break;
    case STATE_BODY:
      conn_enqueue (c, &door->body_q, door->body_timeout_s);
      break;
    case STATE_IDLE:
      conn_enqueue (c, &door->idle_q, door->idle_timeout_s);
      break;
    case STATE_HANDLER:
    case STATE_STOLEN:
    default:
      conn_dequeue (c);
      break;
    }
}

/* The stream under libsoup is closed: the connection is gone. */
static void
conn_release (Conn *c)
{
  if (c->released)
    return;
  c->released = TRUE;
  conn_dequeue (c);
  conn_write_moved (c);
  if (c->door != NULL)
    {
      c->door->n_conns--;
      if (c->address != NULL)
        {
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (c->door->per_address, c->address));

          if (n <= 1)
            g_hash_table_remove (c->door->per_address, c->address);
          else
            g_hash_table_insert (c->door->per_address, g_strdup (c->address), GUINT_TO_POINTER (n - 1));
        }
    }
  g_clear_pointer (&c->address, g_free);
  c->door = NULL;
}

/* Ends the connection from our side: libsoup's next read fails (see the
 * comment at the top), and the shutdown makes that read happen now. */
static void
conn_close (Conn *c)
{
  if (c->closing)
    return;
  c->closing = TRUE;
  conn_dequeue (c);
  conn_write_moved (c);
  if (c->socket != NULL)
    g_socket_shutdown (c->socket, TRUE, TRUE, NULL);
}

/* ---- the input stream libsoup reads ---------------------------------- */

#define HD_TYPE_DOOR_INPUT (hd_door_input_get_type ())
G_DECLARE_FINAL_TYPE (HdDoorInput, hd_door_input, HD, DOOR_INPUT, GFilterInputStream)

struct _HdDoorInput
{
  GFilterInputStream parent_instance;
  Conn              *conn;
};

static void hd_door_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HdDoorInput, hd_door_input, G_TYPE_FILTER_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      hd_door_input_pollable_init))

static GInputStream *
base_of (HdDoorInput *self)
{
  return g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (self));
}

/* What libsoup reads once the connection is over (closing or failed). */
static gssize
ended_read (HdDoorInput  *self,
            void         *buffer,
            gsize         count,
            GError      **error)
{
  Conn *c = self->conn;

  if (c->state == STATE_IDLE || c->fake_pos > 0)
    {
      /* The line that makes libsoup start (and so end) a request: it must
       * end with a newline, or libsoup's line reader keeps it back when
       * the error comes. */
      static const char fake[] = "X\n";

      if (c->fake_pos < sizeof fake - 1 && count > 0)
        {
          gsize n = MIN (count, sizeof fake - 1 - c->fake_pos);

          memcpy (buffer, fake + c->fake_pos, n);
          c->fake_pos += n;
          c->state = STATE_HEAD;
          return (gssize) n;
        }
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                       c->closing ? "Closed by the server" : "Closed by the peer");
  return -1;
}

/* Every read of libsoup's comes here, with the base stream's answer. */
static gssize
filter_read (HdDoorInput  *self,
             gssize        n,
             GError       *base_error,
             void         *buffer,
             gsize         count,
             GError      **error)
{
  Conn *c = self->conn;

  if (n > 0)
    {
      /* The first byte of the next head: from now on an end is an error
       * in the middle of a request, which libsoup handles itself. */
      if (c->state == STATE_IDLE)
        c->state = STATE_HEAD;
      return n;
    }
  if (n < 0 && g_error_matches (base_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_propagate_error (error, base_error);
      return -1;
    }
  /* The end, or an error.  Between requests it needs our byte; in the
   * middle of a head it is an error (a head cut short is never served);
   * elsewhere (a body, a WebSocket) it is what it is. */
  if (c->state == STATE_IDLE || c->state == STATE_HEAD)
    {
      g_clear_error (&base_error);
      c->failed = TRUE;
      return ended_read (self, buffer, count, error);
    }
  if (n < 0)
    g_propagate_error (error, base_error);
  return n;
}

static gssize
hd_door_input_read (GInputStream  *stream,
                    void          *buffer,
                    gsize          count,
                    GCancellable  *cancellable,
                    GError       **error)
{
  HdDoorInput *self = HD_DOOR_INPUT (stream);
  GError *base_error = NULL;
  gssize n;

  if (self->conn->closing || self->conn->failed)
    return ended_read (self, buffer, count, error);
  n = g_input_stream_read (base_of (self), buffer, count, cancellable, &base_error);
  return filter_read (self, n, base_error, buffer, count, error);
}

static gssize
hd_door_input_read_nonblocking (GPollableInputStream  *stream,
                                void                  *buffer,
                                gsize                  count,
                                GError               **error)
{
  HdDoorInput *self = HD_DOOR_INPUT (stream);
  GError *base_error = NULL;
  gssize n;

  if (self->conn->closing || self->conn->failed)
    return ended_read (self, buffer, count, error);
  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (base_of (self)),
                                                buffer, count, NULL, &base_error);
  return filter_read (self, n, base_error, buffer, count, error);
}

static gboolean
hd_door_input_can_poll (GPollableInputStream *stream)
{
  return TRUE;
}

static gboolean
hd_door_input_is_readable (GPollableInputStream *stream)
{
  HdDoorInput *self = HD_DOOR_INPUT (stream);

  return self->conn->closing || self->conn->failed ||
         g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (base_of (self)));
}

static GSource *
hd_door_input_create_source (GPollableInputStream *stream,
                             GCancellable         *cancellable)
{
  HdDoorInput *self = HD_DOOR_INPUT (stream);
  g_autoptr(GSource) child = NULL;

  if (self->conn->closing || self->conn->failed)
    child = g_timeout_source_new (0);
  else
    child = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (base_of (self)), NULL);
  return g_pollable_source_new_full (stream, child, cancellable);
}

static gboolean
hd_door_input_close (GInputStream  *stream,
                     GCancellable  *cancellable,
                     GError       **error)
{
  HdDoorInput *self = HD_DOOR_INPUT (stream);

  /* Only reached for TLS, where this stream sits on top (see accept_one). */
  conn_release (self->conn);
  return G_INPUT_STREAM_CLASS (hd_door_input_parent_class)->close_fn (stream, cancellable, error);
}

static void
hd_door_input_finalize (GObject *object)
{
  HdDoorInput *self = HD_DOOR_INPUT (object);

  conn_unref (self->conn);
  G_OBJECT_CLASS (hd_door_input_parent_class)->finalize (object);
}

static void
hd_door_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = hd_door_input_can_poll;
  iface->is_readable = hd_door_input_is_readable;
  iface->create_source = hd_door_input_create_source;
  iface->read_nonblocking = hd_door_input_read_nonblocking;
}

static void
hd_door_input_class_init (HdDoorInputClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hd_door_input_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = hd_door_input_read;
  G_INPUT_STREAM_CLASS (klass)->close_fn = hd_door_input_close;
}

static void
hd_door_input_init (HdDoorInput *self)
{
}

static GInputStream *
hd_door_input_new (GInputStream *base,
                   Conn         *conn)
{
  HdDoorInput *self = g_object_new (HD_TYPE_DOOR_INPUT, "base-stream", base, NULL);

  self->conn = conn_ref (conn);
  return G_INPUT_STREAM (self);
}

/* ---- the output stream libsoup writes -------------------------------- */

#define HD_TYPE_DOOR_OUTPUT (hd_door_output_get_type ())
G_DECLARE_FINAL_TYPE (HdDoorOutput, hd_door_output, HD, DOOR_OUTPUT, GFilterOutputStream)

struct _HdDoorOutput
{
  GFilterOutputStream parent_instance;
  Conn               *conn;
};

static void hd_door_output_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HdDoorOutput, hd_door_output, G_TYPE_FILTER_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      hd_door_output_pollable_init))

static GOutputStream *
out_base_of (HdDoorOutput *self)
{
  return g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (self));
}

/* Once the door ended the connection, nothing more is written. */
static gboolean
write_ended (HdDoorOutput  *self,
             GError       **error)
{
  if (!self->conn->closing || self->conn->state == STATE_STOLEN)
    return FALSE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "Closed by the server");
  return TRUE;
}

/* Every write of libsoup's comes here, with the base stream's answer. */
static gssize
filter_write (HdDoorOutput  *self,
              gssize         n,
              GError        *base_error,
              GError       **error)
{
  if (n > 0)
    conn_write_moved (self->conn);
  else if (n < 0 && g_error_matches (base_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    conn_write_refused (self->conn);
  if (n < 0)
    g_propagate_error (error, base_error);
  return n;
}

static gssize
hd_door_output_write (GOutputStream  *stream,
                      const void     *buffer,
                      gsize           count,
                      GCancellable   *cancellable,
                      GError        **error)
{
  HdDoorOutput *self = HD_DOOR_OUTPUT (stream);
  GError *base_error = NULL;
  gssize n;

  if (write_ended (self, error))
    return -1;
  n = g_output_stream_write (out_base_of (self), buffer, count, cancellable, &base_error);
  return filter_write (self, n, base_error, error);
}

static gssize
hd_door_output_write_nonblocking (GPollableOutputStream  *stream,
                                  const void             *buffer,
                                  gsize                   count,
                                  GError                **error)
{
  HdDoorOutput *self = HD_DOOR_OUTPUT (stream);
  GError *base_error = NULL;
  gssize n;

  if (write_ended (self, error))
    return -1;
  n = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (out_base_of (self)),
                                                  buffer, count, NULL, &base_error);
  return filter_write (self, n, base_error, error);
}

static gboolean
hd_door_output_can_poll (GPollableOutputStream *stream)
{
  return TRUE;
}

static gboolean
hd_door_output_is_writable (GPollableOutputStream *stream)
{
  HdDoorOutput *self = HD_DOOR_OUTPUT (stream);

  return write_ended (self, NULL) ||
         g_pollable_output_stream_is_writable (G_POLLABLE_OUTPUT_STREAM (out_base_of (self)));
}

static GSource *
hd_door_output_create_source (GPollableOutputStream *stream,
                              GCancellable          *cancellable)
{
  HdDoorOutput *self = HD_DOOR_OUTPUT (stream);
  g_autoptr(GSource) child = NULL;

  if (write_ended (self, NULL))
    child = g_timeout_source_new (0);
  else
    child = g_pollable_output_stream_create_source (G_POLLABLE_OUTPUT_STREAM (out_base_of (self)), NULL);
  return g_pollable_source_new_full (stream, child, cancellable);
}

static void
hd_door_output_finalize (GObject *object)
{
  HdDoorOutput *self = HD_DOOR_OUTPUT (object);

  conn_unref (self->conn);
  G_OBJECT_CLASS (hd_door_output_parent_class)->finalize (object);
}

static void
hd_door_output_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = hd_door_output_can_poll;
  iface->is_writable = hd_door_output_is_writable;
  iface->create_source = hd_door_output_create_source;
  iface->write_nonblocking = hd_door_output_write_nonblocking;
}

static void
hd_door_output_class_init (HdDoorOutputClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hd_door_output_finalize;
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = hd_door_output_write;
}

static void
hd_door_output_init (HdDoorOutput *self)
{
}

static GOutputStream *
hd_door_output_new (GOutputStream *base,
                    Conn          *conn)
{
  HdDoorOutput *self = g_object_new (HD_TYPE_DOOR_OUTPUT, "base-stream", base, NULL);

  self->conn = conn_ref (conn);
  return G_OUTPUT_STREAM (self);
}

/* ---- the connection object ------------------------------------------- */

/* A GTcpConnection (so that libsoup's WebSocket code and ours still find
 * the GSocket under it) whose input stream is ours.  Under TLS it is the
 * TLS connection's base and reads plainly (@conn NULL): our stream then
 * sits on top of the TLS connection. */
#define HD_TYPE_DOOR_CONNECTION (hd_door_connection_get_type ())
G_DECLARE_FINAL_TYPE (HdDoorConnection, hd_door_connection, HD, DOOR_CONNECTION, GTcpConnection)

struct _HdDoorConnection
{
  GTcpConnection  parent_instance;
  Conn           *conn;
  GInputStream   *input;
  GOutputStream  *output;
};

G_DEFINE_FINAL_TYPE (HdDoorConnection, hd_door_connection, G_TYPE_TCP_CONNECTION)

static GInputStream *
hd_door_connection_get_input_stream (GIOStream *stream)
{
  HdDoorConnection *self = HD_DOOR_CONNECTION (stream);
  GInputStream *base = G_IO_STREAM_CLASS (hd_door_connection_parent_class)->get_input_stream (stream);

  if (self->conn == NULL)
    return base;
  if (self->input == NULL)
    self->input = hd_door_input_new (base, self->conn);
  return self->input;
}

static GOutputStream *
hd_door_connection_get_output_stream (GIOStream *stream)
{
  HdDoorConnection *self = HD_DOOR_CONNECTION (stream);
  GOutputStream *base = G_IO_STREAM_CLASS (hd_door_connection_parent_class)->get_output_stream (stream);

  if (self->conn == NULL)
    return base;
  if (self->output == NULL)
    self->output = hd_door_output_new (base, self->conn);
  return self->output;
}

static gboolean
hd_door_connection_close (GIOStream     *stream,
                          GCancellable  *cancellable,
                          GError       **error)
{
  HdDoorConnection *self = HD_DOOR_CONNECTION (stream);

  if (self->conn != NULL)
    conn_release (self->conn);
  return G_IO_STREAM_CLASS (hd_door_connection_parent_class)->close_fn (stream, cancellable, error);
}

static void
hd_door_connection_finalize (GObject *object)
{
  HdDoorConnection *self = HD_DOOR_CONNECTION (object);

  if (self->conn != NULL)
    {
      conn_release (self->conn);
      conn_unref (self->conn);
    }
  g_clear_object (&self->input);
  g_clear_object (&self->output);
  G_OBJECT_CLASS (hd_door_connection_parent_class)->finalize (object);
}

static void
hd_door_connection_class_init (HdDoorConnectionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hd_door_connection_finalize;
  G_IO_STREAM_CLASS (klass)->get_input_stream = hd_door_connection_get_input_stream;
  G_IO_STREAM_CLASS (klass)->get_output_stream = hd_door_connection_get_output_stream;
  G_IO_STREAM_CLASS (klass)->close_fn = hd_door_connection_close;
}

static void
hd_door_connection_init (HdDoorConnection *self)
{
}

/* ---- answers of the door's own --------------------------------------- */

/* Closing a socket with unread input makes the kernel send a reset, which
 * can destroy the answer before the client reads it.  So: end our side,
 * then read and drop what the client still sends (a bounded amount, for a
 * bounded time), then close. */
typedef struct {
  GIOStream *stream;
  GSocket   *socket;
  gsize      drained;
  gint64     deadline;
  char       buffer[8192];
} Linger;

static void
linger_read (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Linger *l = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n > 0)
    l->drained += (gsize) n;
  if (n <= 0 || l->drained > 1024 * 1024 || g_get_monotonic_time () > l->deadline)
    {
      g_io_stream_close (l->stream, NULL, NULL);
      g_object_unref (l->stream);
      g_clear_object (&l->socket);
      g_free (l);
      return;
    }
  g_input_stream_read_async (G_INPUT_STREAM (source), l->buffer, sizeof l->buffer,
                             G_PRIORITY_LOW, NULL, linger_read, l);
}

/* Takes @msg's connection over, writes @status with an error body and
 * closes: nothing after this request on the connection is ever read as
 * another request. */
static void
answer_and_close (Conn              *c,
                  SoupServerMessage *msg,
                  guint              status,
                  const char        *code,
                  const char        *message)
{
  g_autoptr(GIOStream) stream = NULL;
  g_autofree char *body = NULL;
  g_autofree char *response = NULL;
  Linger *l;

  conn_set_state (c, STATE_STOLEN);
  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    return;
  body = hd_json_error_body (code, message);
  response = g_strdup_printf ("HTTP/1.1 %u %s\r\n"
                              "Content-Type: application/json\r\n"
                              "Content-Length: %zu\r\n"
                              "Connection: close\r\n\r\n%s",
                              status, soup_status_get_phrase (status), strlen (body), body);
  /* Small enough for the socket's buffer: this does not block. */
  g_output_stream_write_all (g_io_stream_get_output_stream (stream), response, strlen (response),
                             NULL, NULL, NULL);
  g_output_stream_flush (g_io_stream_get_output_stream (stream), NULL, NULL);
  if (c->socket == NULL)
    {
      g_io_stream_close (stream, NULL, NULL);
      return;
    }
  g_socket_shutdown (c->socket, FALSE, TRUE, NULL);
  l = g_new0 (Linger, 1);
  l->stream = g_steal_pointer (&stream);
  l->socket = g_object_ref (c->socket);
  l->deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  g_input_stream_read_async (g_io_stream_get_input_stream (l->stream), l->buffer, sizeof l->buffer,
                             G_PRIORITY_LOW, NULL, linger_read, l);
}

/* ---- following each request ------------------------------------------ */

static Conn *
conn_of (SoupServerMessage *msg)
{
  GSocketAddress *addr = soup_server_message_get_remote_address (msg);

  return addr ? g_object_get_qdata (G_OBJECT (addr), conn_quark) : NULL;
}

GSocket *
hd_door_get_socket (SoupServerMessage *msg)
{
  Conn *c = conn_of (msg);

  return c != NULL && !c->tls ? c->socket : NULL;
}

static gboolean
is_decimal (const char *s)
{
  if (s == NULL || *s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

typedef struct {
  guint n_length;
  guint n_encoding;
  gboolean bad_length;
} FramingCount;

static void
count_framing (const char *name,
               const char *value,
               gpointer    user_data)
{
  FramingCount *f = user_data;

  if (g_ascii_strcasecmp (name, "Content-Length") == 0)
    {
      f->n_length++;
      if (!is_decimal (value))
        f->bad_length = TRUE;
    }
  else if (g_ascii_strcasecmp (name, "Transfer-Encoding") == 0)
    f->n_encoding++;
}

const char *
hd_door_check_framing (SoupMessageHeaders *headers,
                       SoupHTTPVersion     version)
{
  FramingCount f = { 0, 0, FALSE };
  const char *te = soup_message_headers_get_one (headers, "Transfer-Encoding");

  soup_message_headers_foreach (headers, count_framing, &f);
  if (f.n_length > 0 && f.n_encoding > 0)
    return "Content-Length and Transfer-Encoding together";
  if (f.n_length > 1 || f.bad_length)
    return "One Content-Length, a decimal number, is expected";
  if (f.n_encoding > 1 || (te != NULL && g_ascii_strcasecmp (te, "chunked") != 0) ||
      (te != NULL && version == SOUP_HTTP_1_0))
    return "The only Transfer-Encoding understood is chunked";
  return NULL;
}

static char *
too_large_message (gsize limit)
{
  if (limit == HD_MAX_ATTACHMENT_BYTES)
    return g_strdup ("A file may have at most 10 MiB");
  return g_strdup_printf ("The request body is larger than %zu KiB", limit / 1024);
}

static void
on_got_headers (SoupServerMessage *msg,
                gpointer           user_data)
{
  Conn *c = user_data;
  HdDoor *door = c->door;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *refusal;

  if (door == NULL || c->state == STATE_STOLEN)
    return;

  /* Request smuggling: a body whose end two readers could see in two
   * places (RFC 9112 6.3) is refused, and the connection with it. */
  refusal = hd_door_check_framing (headers, soup_server_message_get_http_version (msg));
  if (refusal != NULL)
    {
      answer_and_close (c, msg, SOUP_STATUS_BAD_REQUEST, "bad_request", refusal);
      return;
    }

  c->body_bytes = 0;
  {
    const char *method = soup_server_message_get_method (msg);
    const char *path = g_uri_get_path (soup_server_message_get_uri (msg));

    c->body_limit = door->body_limit ? door->body_limit (method, path, door->body_limit_data)
                                     : hd_protocol_max_body_bytes (method, path);
  }
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > (goffset) c->body_limit)
    {
      const char *expect = soup_message_headers_get_one (headers, "Expect");
      g_autofree char *m = too_large_message (c->body_limit);

      if (expect != NULL && g_ascii_strcasecmp (expect, "100-continue") == 0)
        {
          /* libsoup answers this instead of 100 Continue: the body is
           * never sent. */
          g_autofree char *body = hd_json_error_body ("payload_too_large", m);

          soup_server_message_set_status (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL);
          soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                            body, strlen (body));
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Connection", "close");
          conn_set_state (c, STATE_HANDLER);
          return;
        }
      /* Otherwise libsoup would read (and keep in memory) the whole body
       * before anyone could answer. */
      answer_and_close (c, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large", m);
      return;
    }
  conn_set_state (c, STATE_BODY);
}

/* A chunked body has no length up front: count it as it arrives. */
static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  Conn *c = user_data;

  if (c->door == NULL || c->state != STATE_BODY)
    return;
  c->body_bytes += g_bytes_get_size (chunk);
  if (c->body_bytes > c->body_limit)
    {
      g_autofree char *m = too_large_message (c->body_limit);

      answer_and_close (c, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large", m);
    }
}

static void
on_got_body (SoupServerMessage *msg,
             gpointer           user_data)
{
  Conn *c = user_data;

  if (c->state == STATE_BODY)
    conn_set_state (c, STATE_HANDLER);
}

static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  HdDoor *self = user_data;
  Conn *c = conn_of (msg);

  if (c == NULL || c->door != self)
    return;
  /* A new connection's first request counts from the accept (its deadline
   * is set); a keep-alive one's from its first byte, which is now. */
  if (c->queue != &self->head_q)
    conn_set_state (c, STATE_HEAD);
  g_signal_connect_data (msg, "got-headers", G_CALLBACK (on_got_headers), conn_ref (c),
                         conn_unref_closure, 0);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), c);
  g_signal_connect (msg, "got-body", G_CALLBACK (on_got_body), c);
}

static void
on_request_done (SoupServer        *server,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  HdDoor *self = user_data;
  Conn *c = conn_of (msg);

  /* If libsoup disconnects now, the release follows at once. */
  if (c != NULL && c->door == self && c->state != STATE_STOLEN)
    conn_set_state (c, STATE_IDLE);
}

/* ---- deadlines ------------------------------------------------------- */

static void
expire_queue (GQueue *q,
              gint64  now)
{
  GList *l;

  while ((l = q->head) != NULL)
    {
      Conn *c = l->data;

      if (c->deadline > now)
        break;
      conn_close (c);
    }
}

/* Answers the peer did not take for the write timeout. */
static void
expire_writes (GQueue *q,
               gint64  now)
{
  GList *l;

  while ((l = q->head) != NULL)
    {
      Conn *c = l->data;

      if (c->write_deadline > now)
        break;
      g_debug ("Closing a connection whose peer took none of its answer for the write timeout");
      conn_close (c);
    }
}

static gboolean
on_tick (gpointer user_data)
{
  HdDoor *self = user_data;
  gint64 now = g_get_monotonic_time ();

  expire_queue (&self->head_q, now);
  expire_queue (&self->body_q, now);
  expire_queue (&self->idle_q, now);
  expire_writes (&self->write_q, now);
  return G_SOURCE_CONTINUE;
}

/* ---- accepting ------------------------------------------------------- */

static void start_accepting (HdDoor *self);

static gboolean
resume_accepting (gpointer user_data)
{
  HdDoor *self = user_data;

  g_clear_pointer (&self->accept_pause, g_source_unref);
  start_accepting (self);
  return G_SOURCE_REMOVE;
}

/* The key @remote is counted under, or NULL when it is not counted (no
 * cap, or a trusted address). */
static char *
address_key (HdDoor         *self,
             GSocketAddress *remote)
{
  GInetAddress *addr;

  if (self->max_per_address == 0 || !G_IS_INET_SOCKET_ADDRESS (remote))
    return NULL;
  /* (GLib gives an IPv4 client of a socket on :: its IPv4 address, not
   * ::ffff:a.b.c.d) */
  addr = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote));
  if (self->trusted == NULL && g_inet_address_get_is_loopback (addr))
    return NULL;
  for (guint i = 0; self->trusted != NULL && i < self->trusted->len; i++)
    if (g_inet_address_equal (g_ptr_array_index (self->trusted, i), addr))
      return NULL;
  return g_inet_address_to_string (addr);
}

/* One address holds max_per_address HTTP connections at most: the next
 * is closed as soon as it is accepted, before it costs more than its
 * descriptor for a moment.  A warning at most every 10 s. */
static gboolean
admit (HdDoor     *self,
       const char *key)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, key));
  gint64 now;

  if (n < self->max_per_address)
    {
      g_hash_table_insert (self->per_address, g_strdup (key), GUINT_TO_POINTER (n + 1));
      return TRUE;
    }
  self->refused++;
  now = g_get_monotonic_time ();
  if (now - self->refused_warned >= 10 * G_USEC_PER_SEC)
    {
      g_warning ("%s holds %u connections already (max-connections-per-address); "
                 "%u refused since the last warning", key, n, self->refused);
      self->refused_warned = now;
      self->refused = 0;
    }
  return FALSE;
}

static void
accept_one (HdDoor  *self,
            GSocket *socket)
{
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  Conn *c;

  if (local == NULL || remote == NULL)
    {
      g_socket_close (socket, NULL);
      return;
    }
  key = address_key (self, remote);
  if (key != NULL && !admit (self, key))
    {
      g_socket_close (socket, NULL);
      return;
    }
  /* Answers and events are small and must leave at once (Nagle). */
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);

  c = g_new0 (Conn, 1);
  g_ref_count_init (&c->ref);
  c->door = self;
  c->socket = g_object_ref (socket);
  c->link.data = c;
  c->write_link.data = c;
  c->address = g_steal_pointer (&key);
  self->n_conns++;

  if (self->certificate == NULL)
    {
      HdDoorConnection *dc = g_object_new (HD_TYPE_DOOR_CONNECTION, "socket", socket, NULL);

      dc->conn = conn_ref (c);
      stream = G_IO_STREAM (dc);
    }
  else
    {
      HdDoorConnection *dc = g_object_new (HD_TYPE_DOOR_CONNECTION, "socket", socket, NULL);
      g_autoptr(GIOStream) tls = NULL;
      g_autoptr(GInputStream) input = NULL;
      g_autoptr(GOutputStream) output = NULL;

      tls = G_IO_STREAM (g_tls_server_connection_new (G_IO_STREAM (dc), self->certificate, &error));
      g_object_unref (dc);
      if (tls == NULL)
        {
          g_warning ("TLS: %s", error->message);
          conn_release (c);
          conn_unref (c);
          g_socket_close (socket, NULL);
          return;
        }
      g_object_set (tls, "require-close-notify", FALSE, NULL);
      c->tls = TRUE;
      input = hd_door_input_new (g_io_stream_get_input_stream (tls), c);
      output = hd_door_output_new (g_io_stream_get_output_stream (tls), c);
      stream = g_simple_io_stream_new (input, output);
      /* The TLS streams hold their connection weakly. */
      g_object_set_data_full (G_OBJECT (stream), "hd-tls", g_steal_pointer (&tls), g_object_unref);
    }

  /* libsoup hands this address object to every message of the
   * connection: that is how a message finds its Conn. */
  g_object_set_qdata_full (G_OBJECT (remote), conn_quark, conn_ref (c), (GDestroyNotify) conn_unref);
  conn_set_state (c, STATE_HEAD);
  soup_server_accept_iostream (self->soup, stream, local, remote, NULL);
  conn_unref (c);
}

static gboolean
on_incoming (GSocket      *listener,
             GIOCondition  condition,
             gpointer      user_data)
{
  HdDoor *self = user_data;

  for (guint i = 0; i < ACCEPT_BATCH; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = g_socket_accept (listener, NULL, &error);

      if (socket != NULL)
        {
          accept_one (self, socket);
          continue;
        }
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
        {
          /* Out of descriptors: the kernel keeps the queue; try again
           * shortly instead of spinning on a listener that stays
           * readable. */
          g_warning ("Cannot accept: %s", error->message);
          g_source_destroy (self->accept_source);
          g_clear_pointer (&self->accept_source, g_source_unref);
          self->accept_pause = g_timeout_source_new (100);
          g_source_set_callback (self->accept_pause, resume_accepting, self, NULL);
          g_source_attach (self->accept_pause, NULL);
          return G_SOURCE_REMOVE;
        }
      g_debug ("accept: %s", error->message);
    }
  return G_SOURCE_CONTINUE;
}

static void
start_accepting (HdDoor *self)
{
  if (self->listener == NULL || self->accept_source != NULL)
    return;
  self->accept_source = g_socket_create_source (self->listener, G_IO_IN, NULL);
  g_source_set_callback (self->accept_source, (GSourceFunc) (void (*) (void)) on_incoming, self, NULL);
  g_source_attach (self->accept_source, NULL);
}

/* See the top of the file: libsoup keeps connections alive only while it
 * has a listener. */
static gboolean
add_dummy_listener (HdDoor  *self,
                    GError **error)
{
  g_autofree char *name = g_strdup_printf ("helpdesk-door-%d-%08x%08x", (int) getpid (),
                                           g_random_int (), g_random_int ());
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new_with_type (name, -1,
                                                                        G_UNIX_SOCKET_ADDRESS_ABSTRACT);

  self->dummy = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (self->dummy == NULL)
    return FALSE;
  g_socket_set_listen_backlog (self->dummy, 1);
  return g_socket_bind (self->dummy, addr, FALSE, error) &&
         g_socket_listen (self->dummy, error) &&
         soup_server_listen_socket (self->soup, self->dummy, 0, error);
}

gboolean
hd_door_listen (HdDoor      *self,
                const char  *address,
                guint        port,
                guint       *out_port,
                GError     **error)
{
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new_from_string (address, port);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) sock = NULL;

  g_return_val_if_fail (self->listener == NULL, FALSE);

  if (addr == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "“%s” is not an IP address", address);
      return FALSE;
    }
  sock = g_socket_new (g_socket_address_get_family (addr), G_SOCKET_TYPE_STREAM,
                       G_SOCKET_PROTOCOL_TCP, error);
  if (sock == NULL)
    return FALSE;
  /* A burst of clients connecting while the loop is busy must queue, not
   * be reset (GSocket's default backlog is 10). */
  g_socket_set_listen_backlog (sock, 4096);
  g_socket_set_blocking (sock, FALSE);
  if (!g_socket_bind (sock, addr, TRUE, error) || !g_socket_listen (sock, error))
    return FALSE;
  if (self->dummy == NULL && !add_dummy_listener (self, error))
    return FALSE;
  bound = g_socket_get_local_address (sock, error);
  if (bound == NULL)
    return FALSE;
  if (out_port)
    *out_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  self->listener = g_steal_pointer (&sock);
  start_accepting (self);
  return TRUE;
}

void
hd_door_disconnect (HdDoor *self)
{
  if (self->accept_source)
    g_source_destroy (self->accept_source);
  g_clear_pointer (&self->accept_source, g_source_unref);
  if (self->accept_pause)
    g_source_destroy (self->accept_pause);
  g_clear_pointer (&self->accept_pause, g_source_unref);
  if (self->listener)
    g_socket_close (self->listener, NULL);
  g_clear_object (&self->listener);
  if (self->soup)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->dummy);
}

guint
hd_door_get_n_connections (HdDoor *self)
{
  return self->n_conns;
}

void
hd_door_set_body_limit_func (HdDoor              *self,
                             HdDoorBodyLimitFunc  func,
                             gpointer             user_data)
{
  self->body_limit = func;
  self->body_limit_data = user_data;
}

SoupServer *
hd_door_get_soup (HdDoor *self)
{
  return self->soup;
}

/* ---- object ---------------------------------------------------------- */

static void
forget_queue (GQueue *q)
{
  GList *l;

  while ((l = q->head) != NULL)
    {
      Conn *c = l->data;

      conn_dequeue (c);
      c->door = NULL;
    }
}

static void
hd_door_dispose (GObject *object)
{
  HdDoor *self = HD_DOOR (object);

  hd_door_disconnect (self);
  if (self->tick)
    g_source_destroy (self->tick);
  g_clear_pointer (&self->tick, g_source_unref);
  forget_queue (&self->head_q);
  forget_queue (&self->body_q);
  forget_queue (&self->idle_q);
  while (self->write_q.head != NULL)
    {
      Conn *c = self->write_q.head->data;

      conn_write_moved (c);
      c->door = NULL;
    }
  if (self->soup)
    g_signal_handlers_disconnect_by_data (self->soup, self);
  g_clear_object (&self->soup);
  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (hd_door_parent_class)->dispose (object);
}

static void
hd_door_finalize (GObject *object)
{
  HdDoor *self = HD_DOOR (object);

  g_hash_table_unref (self->per_address);
  g_clear_pointer (&self->trusted, g_ptr_array_unref);
  G_OBJECT_CLASS (hd_door_parent_class)->finalize (object);
}

static void
hd_door_class_init (HdDoorClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = hd_door_dispose;
  G_OBJECT_CLASS (klass)->finalize = hd_door_finalize;
  conn_quark = g_quark_from_static_string ("hd-door-conn");
}

static guint
timeout_from_env (const char *name,
                  guint       fallback)
{
  const char *text = g_getenv (name);
  guint64 v;

  /* For tests that cannot wait a minute. */
  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 1, 3600, &v, NULL))
    return (guint) v;
  return fallback;
}

static void
hd_door_init (HdDoor *self)
{
  self->head_timeout_s = timeout_from_env ("HD_DOOR_HEAD_TIMEOUT_S", HD_DOOR_HEAD_TIMEOUT_S);
  self->idle_timeout_s = timeout_from_env ("HD_DOOR_IDLE_TIMEOUT_S", HD_DOOR_IDLE_TIMEOUT_S);
  self->body_timeout_s = timeout_from_env ("HD_DOOR_BODY_TIMEOUT_S", HD_DOOR_BODY_TIMEOUT_S);
  self->write_timeout_s = timeout_from_env ("HD_DOOR_WRITE_TIMEOUT_S", HD_DOOR_WRITE_TIMEOUT_S);
  self->per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->max_per_address = HD_DOOR_MAX_PER_ADDRESS;
}

void
hd_door_set_address_limit (HdDoor             *self,
                           guint               max_per_address,
                           const char * const *trusted)
{
  self->max_per_address = max_per_address;
  g_clear_pointer (&self->trusted, g_ptr_array_unref);
  if (trusted == NULL)
    return;
  self->trusted = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; trusted[i] != NULL; i++)
    {
      GInetAddress *a = g_inet_address_new_from_string (trusted[i]);

      if (a != NULL)
        g_ptr_array_add (self->trusted, a);
      else
        g_warning ("“%s” is not an IP address: not trusted", trusted[i]);
    }
}

HdDoor *
hd_door_new (GTlsCertificate *certificate)
{
  HdDoor *self = g_object_new (HD_TYPE_DOOR, NULL);

  self->certificate = certificate ? g_object_ref (certificate) : NULL;
  self->soup = soup_server_new ("server-header", "helpdesk-server/" HD_VERSION " ", NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (on_request_done), self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (on_request_done), self);
  /* One tick a second: each wake-up looks only at the connections whose
   * deadline passed (the queues are in deadline order). */
  self->tick = g_timeout_source_new_seconds (1);
  g_source_set_callback (self->tick, on_tick, self, NULL);
  g_source_attach (self->tick, NULL);
  return self;
}
