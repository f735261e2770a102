/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-hub"

#include "hd-hub.h"
#include "hd-answers.h"
#include "hd-audience.h"
#include "hd-core.h"
#include "hd-json-input.h"
#include "hd-error.h"
#include "hd-json.h"
#include "hd-protocol.h"
#include "hd-ws.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define DEFAULT_PING_INTERVAL_MS   10000
#define DEFAULT_DEAD_TIMEOUT_MS    30000
/* What a socket that does not read may hold of the server's memory. */
#define MAX_QUEUED_BYTES           (4 * 1024 * 1024)
/* A socket that takes none of our bytes this long is dropped. */
#define DEFAULT_WRITE_TIMEOUT_MS   30000

/* Kept small on purpose: one of these per open socket. */
typedef struct {
  HdHub                   *hub;
  HdWsConn                *conn;
  gint64                   user_id;
  HdRole                   role;
  gboolean                 attached;    /* counted in the user's presence */
} Client;

struct _HdHub
{
  GObject        parent_instance;

  /* the chat service lives there (hd-core.h) */
  HdCore        *core;
  /* Who hears what (subscriptions, presence): resolves each event's
   * audience to Clients and writes through audience_send () (fanout). */
  HdAudience    *audience;
  /* user id → GPtrArray of Client */
  GHashTable    *by_user;
  /* every Client (attached or closing) */
  GHashTable    *clients;
  /* user id → the sockets of that user this process holds or is
   * upgrading (a count): hd_hub_upgrade () refuses one past max_per_user */
  GHashTable    *slots;
  guint          max_per_user;    /* 0: no cap */
  gint64         last_cap_warning;
  /* the sockets themselves, their framing and liveness (hd-ws.c) */
  HdWsLoop      *ws;
  JsonParser    *parser;
  JsonParser    *thread_parser;  /* the socket side's: the core thread's (on_thread_message ()) */
  /* sink_direct () holds the socket side until sink_flush () (the thread
   * that delivers: under hd-core's sink lock) */
  gboolean       holding;
};

G_DEFINE_FINAL_TYPE (HdHub, hd_hub, G_TYPE_OBJECT)

static guint
env_ms (const char *name,
        guint       fallback)
{
  const char *v = g_getenv (name);
  guint64 n;

  if (v == NULL || !g_ascii_string_to_unsigned (v, 10, 1, G_MAXUINT32, &n, NULL))
    return fallback;
  return (guint) n;
}

/* ---- presence ------------------------------------------------------- */

typedef struct {
  gint64   user_id;
  gboolean online;
} PresenceJob;

static gboolean
presence_on_core (HdChatService *service,
                  gpointer       data)
{
  PresenceJob *j = data;

  hd_chat_service_set_online (service, j->user_id, j->online);
  return TRUE;
}

static void
set_online (HdHub    *self,
            gint64    user_id,
            gboolean  online)
{
  PresenceJob *j = g_new (PresenceJob, 1);

  j->user_id = user_id;
  j->online = online;
  hd_core_run (self->core, presence_on_core, TRUE, NULL, j, g_free);
}

static void
detach (HdHub  *self,
        Client *c)
{
  GPtrArray *list;

  if (!c->attached)
    return;
  c->attached = FALSE;
  hd_audience_remove (self->audience, c);
  list = g_hash_table_lookup (self->by_user, &c->user_id);
  if (list == NULL)
    return;
  g_ptr_array_remove_fast (list, c);
  if (list->len == 0)
    {
      gint64 user_id = c->user_id;

      g_hash_table_remove (self->by_user, &user_id);
      set_online (self, user_id, FALSE);
    }
}

/* One socket of @user_id fewer: its upgrade failed, or it closed. */
static void
slot_release (HdHub  *self,
              gint64  user_id)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->slots, &user_id));

  g_return_if_fail (n > 0);
  if (n == 1)
    g_hash_table_remove (self->slots, &user_id);
  else
    g_hash_table_insert (self->slots, g_memdup2 (&user_id, sizeof user_id), GUINT_TO_POINTER (n - 1));
}

/* Any thread (hd-ws.h): the socket side writes what a batch queued in
 * one go per socket. */
static void
send_text (HdWsConn   *conn,
           const char *text)
{
  hd_ws_conn_send_text (conn, text, strlen (text));
}

static void
send_error (HdWsConn    *conn,
            HdErrorCode  code,
            const char  *message)
{
  GString *out = g_string_new ("{\"type\":\"error\",\"data\":{\"code\":");

  hd_json_append_string (out, hd_error_code_to_string (code));
  g_string_append (out, ",\"message\":");
  hd_json_append_string (out, message);
  g_string_append (out, "}}");
  send_text (conn, out->str);
  g_string_free (out, TRUE);
}

static void
send_gerror (HdWsConn     *conn,
             const GError *error)
{
  HdErrorCode code = error->domain == HD_ERROR ? (HdErrorCode) error->code : HD_ERROR_INTERNAL;

  send_error (conn, code, error->message);
}

static gboolean
get_id (JsonObject *o,
        const char *member,
        gint64     *out)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (n);
  return *out > 0;
}

static const char *
get_string (JsonObject *o,
            const char *member)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

/* ---- frames ---------------------------------------------------------- */

/* A chat.send or chat.typing on its way through the core thread. */
typedef struct {
  HdWsConn *conn;
  gint64    user_id;
  gboolean  send;
  gint64    chat_id;
  char     *body;
  char     *client_id;
  HdChatService *service;    /* core thread, while the message is stored */
  /* results */
  char     *message;
  gboolean  created;
  GError   *error;
} FrameJob;

static void
frame_job_free (gpointer data)
{
  FrameJob *j = data;

  hd_ws_conn_unref (j->conn);
  g_free (j->body);
  g_free (j->client_id);
  g_free (j->message);
  g_clear_error (&j->error);
  g_free (j);
}

/* Core thread, inside the batch, when the store answered (at the latest
 * just before the commit). */
static void
frame_stored (HdMessageRecord *m,
              gboolean         created,
              const GError    *error,
              gpointer         data)
{
  FrameJob *j = data;
  HdUserRecord *user;

  if (m == NULL)
    {
      j->error = g_error_copy (error);
      return;
    }
  j->created = created;
  /* Only a resend is answered on this socket alone (frame_done ()). */
  user = created ? NULL : hd_chat_service_batch_user (j->service, j->user_id, NULL);
  if (user != NULL)
    j->message = hd_answer_message (j->service, m, m->author_id == user->id ? user : NULL, user);
}

/* Core thread, inside the batch. */
static gboolean
frame_on_core (HdChatService *service,
               gpointer       data)
{
  FrameJob *j = data;
  HdUserRecord *user;

  if (j->send)
    {
      /* The batch's messages are checked and stored together (the sender
       * read fresh once per batch); frame_stored () has the answer before
       * the commit. */
      j->service = service;
      hd_chat_service_post_message_later (service, j->user_id, j->chat_id, j->body, j->client_id,
                                          frame_stored, j);
      return j->error == NULL;
    }
  /* The user's name or availability may have changed since the socket
   * opened; read them fresh (once per batch). */
  user = hd_chat_service_batch_user (service, j->user_id, &j->error);
  if (user == NULL)
    return FALSE;
  return hd_chat_service_typing (service, user, j->chat_id, &j->error);
}

/* After the commit (the events went out just before): on the core thread,
 * or on the main context when something else waits there
 * (hd_core_run_hot ()).  Only the socket itself, no table of the hub's. */
static void
frame_done (gpointer data,
            gboolean committed)
{
  FrameJob *j = data;

  if (!hd_ws_conn_is_open (j->conn))
    return;
  if (!committed)
    send_error (j->conn, HD_ERROR_INTERNAL, "The message could not be stored");
  else if (j->error != NULL)
    send_gerror (j->conn, j->error);
  else if (j->send && !j->created)
    {
      /* A resend: the first copy already went out to everyone, so only
       * this socket hears about it again. */
      g_autofree char *frame = g_strconcat ("{\"type\":\"" HD_EVENT_CHAT_MESSAGE "\",\"data\":",
                                            j->message, "}", NULL);
      send_text (j->conn, frame);
    }
}

/* A chat.send or chat.typing frame (@type, @data) as a job for the core
 * thread, or NULL and @error (the frame's error answer). */
static FrameJob *
frame_job_new (const char  *type,
               JsonObject  *data,
               GError     **error)
{
  FrameJob *j;
  gint64 chat_id = 0;

  if (!get_id (data, "chat_id", &chat_id))
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "chat_id must be a positive integer");
      return NULL;
    }

  if (strcmp (type, HD_FRAME_CHAT_SEND) == 0)
    {
      const char *body = get_string (data, "body");
      const char *client_id = NULL;

      if (json_object_has_member (data, "client_id") &&
          !json_node_is_null (json_object_get_member (data, "client_id")))
        {
          client_id = get_string (data, "client_id");
          if (client_id == NULL)
            {
              g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "client_id must be a string");
              return NULL;
            }
        }
      if (body == NULL)
        {
          g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "body must be a string");
          return NULL;
        }
      j = g_new0 (FrameJob, 1);
      j->send = TRUE;
      j->body = g_strdup (body);
      j->client_id = g_strdup (client_id);
    }
  else if (strcmp (type, HD_FRAME_CHAT_TYPING) == 0)
    j = g_new0 (FrameJob, 1);
  else
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "Unknown frame type");
      return NULL;
    }
  j->chat_id = chat_id;
  return j;
}

static void
frame_job_run (HdHub    *self,
               FrameJob *j,
               HdWsConn *conn,
               gint64    user_id)
{
  j->conn = hd_ws_conn_ref (conn);
  j->user_id = user_id;
  hd_core_run_hot (self->core, frame_on_core, frame_done, j, frame_job_free);
}

static void
handle_frame (HdHub      *self,
              Client     *c,
              const char *text,
              gsize       len)
{
  g_autoptr(GError) error = NULL;
  FrameJob *j;
  JsonObject *data;
  const char *type;

  /* Not JSON, not an object, U+0000, no type or data: one rule for
   * frames and bodies (common/hd-json-input.h, fuzzed). */
  if (!hd_json_input_parse_frame (self->parser, text, len, &type, &data, &error))
    {
      send_error (c->conn, HD_ERROR_BAD_REQUEST, error->message);
      return;
    }
  {
    HdUserRecord who = { .id = c->user_id, .role = c->role };

    /* subscribe / unsubscribe */
    if (hd_audience_handle_frame (self->audience, c, &who, type, data))
      return;
  }
  j = frame_job_new (type, data, &error);
  if (j == NULL)
    {
      send_error (c->conn, (HdErrorCode) error->code, error->message);
      return;
    }
  frame_job_run (self, j, c->conn, c->user_id);
}

/* The socket side (on the core thread, between its batches), for a listed
 * socket (open_done ()): a well-formed chat.send or chat.typing is queued
 * for the next batch from there, past the main context; anything else, and
 * every error answer, takes the usual way (handle_frame ()).  @parser is
 * this thread's only. */
static gboolean
on_thread_message (HdWsConn   *conn,
                   gint64      user_id,
                   const char *text,
                   gsize       len,
                   gpointer    user_data)
{
  HdHub *self = user_data;
  JsonObject *data;
  const char *type;
  FrameJob *j;

  /* frame_job_new () refuses every other type. */
  if (!hd_json_input_parse_frame (self->thread_parser, text, len, &type, &data, NULL) ||
      (j = frame_job_new (type, data, NULL)) == NULL)
    return FALSE;
  frame_job_run (self, j, conn, user_id);
  return TRUE;
}

static void
on_message (HdWsConn   *conn,
            gboolean    is_text,
            const char *text,
            gsize       len,
            gpointer    user_data)
{
  Client *c = hd_ws_conn_get_data (conn);

  if (c == NULL)
    return;
  if (!is_text)
    {
      send_error (conn, HD_ERROR_BAD_REQUEST, "Only text frames are understood");
      return;
    }
  handle_frame (c->hub, c, text, len);
}

static void
on_closed (HdWsConn *conn,
           gpointer  user_data)
{
  HdHub *self = user_data;
  Client *c = hd_ws_conn_get_data (conn);

  if (c == NULL)
    return;
  detach (self, c);
  slot_release (self, c->user_id);
  hd_ws_conn_set_data (conn, NULL);
  g_hash_table_remove (self->clients, c);
}

static void
client_free (Client *c)
{
  hd_ws_conn_set_data (c->conn, NULL);
  hd_ws_conn_unref (c->conn);
  g_free (c);
}

static void
sink (const HdEvent *event,
      gpointer       user_data)
{
  HdHub *self = user_data;

  hd_audience_deliver (self->audience, event);
}

/* The core thread, after the commit (hd_core_set_event_sink ()): every
 * event but presence (coalesced on a tick of the main context) and access
 * changes (which ask the core again) goes to its sockets from here, one
 * thread hop less. */
static gboolean
sink_direct (const HdEvent *event,
             gpointer       user_data)
{
  HdHub *self = user_data;

  if (event->presence_of > 0 || g_strcmp0 (event->type, HD_EVENT_REQUEST_ACCESS) == 0)
    return FALSE;
  /* Written at the release (sink_flush ()), by this thread (the core
   * thread, which also runs the socket side: nothing else writes then),
   * with the rest of the batch's frames: a chat message and its
   * transcript's note.updated are one write to each member's socket. */
  if (!self->holding)
    self->holding = hd_ws_loop_hold (self->ws);
  hd_audience_deliver (self->audience, event);
  return TRUE;
}

static void
sink_flush (gpointer user_data)
{
  HdHub *self = user_data;

  if (!self->holding)
    return;
  self->holding = FALSE;
  hd_ws_loop_release (self->ws);
}

/* Under the audience's lock, so the Client is still there; any thread. */
static void
audience_send (gpointer    sock,
               const char *frame,
               gpointer    user_data)
{
  Client *c = sock;

  send_text (c->conn, frame);
}

static void
hd_hub_dispose (GObject *object)
{
  HdHub *self = HD_HUB (object);

  /* No event reaches the sockets from the core thread after this ... */
  if (self->core)
    {
      hd_core_set_event_sink (self->core, NULL, NULL, NULL, NULL);
      /* nor does it run the sockets' side any more */
      hd_core_set_io (self->core, -1, NULL, NULL, NULL);
    }
  self->core = NULL;
  /* ... so the sockets still open can go: dropped, no closed callbacks */
  g_clear_pointer (&self->ws, hd_ws_loop_free);
  g_clear_pointer (&self->audience, hd_audience_free);
  g_clear_pointer (&self->by_user, g_hash_table_unref);
  g_clear_pointer (&self->clients, g_hash_table_unref);
  g_clear_pointer (&self->slots, g_hash_table_unref);
  g_clear_object (&self->parser);
  g_clear_object (&self->thread_parser);

  G_OBJECT_CLASS (hd_hub_parent_class)->dispose (object);
}

static void
hd_hub_class_init (HdHubClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = hd_hub_dispose;
}

static void
hd_hub_init (HdHub *self)
{
  self->by_user = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);
  self->clients = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) client_free, NULL);
  self->slots = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->max_per_user = HD_HUB_MAX_SOCKETS_PER_USER;
  self->parser = json_parser_new_immutable ();
  self->thread_parser = json_parser_new_immutable ();
}

static int
ws_next_wait (gpointer data)
{
  return hd_ws_loop_next_wait_ms (data);
}

static void
ws_run (gpointer data)
{
  hd_ws_loop_iterate (data, 0);
}

HdHub *
hd_hub_new (HdCore *core)
{
  HdHub *self = g_object_new (HD_TYPE_HUB, NULL);
  guint ping_ms = env_ms ("HD_PING_INTERVAL_MS", DEFAULT_PING_INTERVAL_MS);
  guint dead_ms = env_ms ("HD_DEAD_PEER_TIMEOUT_MS", DEFAULT_DEAD_TIMEOUT_MS);

  HdWsLimits limits = {
    .ping_interval_ms = ping_ms,
    .dead_timeout_ms = MAX (dead_ms, ping_ms),
    .max_message = HD_MAX_FRAME_BYTES,
    .max_queued = MAX_QUEUED_BYTES,
    .write_timeout_ms = env_ms ("HD_WRITE_TIMEOUT_MS", DEFAULT_WRITE_TIMEOUT_MS),
    .frames_per_second = HD_HUB_FRAMES_PER_SECOND,
    .frame_burst = 2 * HD_HUB_FRAMES_PER_SECOND,
  };

  self->core = core;
  /* The sockets' side runs on the core thread, between its batches: a
   * frame read, the batch it joins and the frames that batch sends are
   * one thread's work, with no hand-over between threads on a message's
   * way (doc/threads.md). */
  limits.no_thread = TRUE;
  self->ws = hd_ws_loop_new (&limits, on_message, on_closed, self);
  hd_ws_loop_set_thread_func (self->ws, on_thread_message, self);
  hd_core_set_io (core, hd_ws_loop_get_fd (self->ws), ws_next_wait, ws_run, self->ws);
  self->audience = hd_audience_new (hd_core_get_service (core), audience_send, self);
  hd_core_set_event_sink (core, sink, sink_direct, sink_flush, self);
  return self;
}

typedef struct {
  HdHub  *hub;
  HdUserRecord *user;
  gboolean opened;    /* its slot is the Client's now */
} Pending;

static void
pending_free (gpointer data)
{
  Pending *p = data;

  /* The handshake failed or the connection went before the 101 was out:
   * the slot it took is free again. */
  if (!p->opened && p->hub->slots != NULL)
    slot_release (p->hub, p->user->id);
  g_object_unref (p->hub);
  hd_user_record_free (p->user);
  g_free (p);
}

typedef struct {
  HdHub        *hub;
  HdWsConn     *conn;
  HdUserRecord *user;
  char         *user_json;
} OpenJob;

static void
open_job_free (gpointer data)
{
  OpenJob *j = data;

  g_object_unref (j->hub);
  hd_ws_conn_unref (j->conn);
  hd_user_record_free (j->user);
  g_free (j->user_json);
  g_free (j);
}

/* Core thread: the user is online (everyone else hears it first), and
 * hello says so. */
static gboolean
open_on_core (HdChatService *service,
              gpointer       data)
{
  OpenJob *j = data;

  hd_chat_service_set_online (service, j->user->id, TRUE);
  {
    g_autoptr(HdUserRecord) me = hd_chat_service_get_me (service, j->user, NULL);

    j->user_json = hd_answer_user (service, me, j->user);
  }
  return TRUE;
}

static void
open_done (gpointer data,
           gboolean committed)
{
  OpenJob *j = data;
  HdHub *self = j->hub;
  Client *c = hd_ws_conn_get_data (j->conn);
  g_autofree char *hello = NULL;
  GPtrArray *list = g_hash_table_lookup (self->by_user, &j->user->id);

  if (c == NULL)
    {
      /* Closed before it was listed: online for nothing. */
      if (list == NULL)
        set_online (self, j->user->id, FALSE);
      return;
    }
  /* This socket is listed only now, so hello is the first thing it hears,
   * already saying online. */
  hello = g_strconcat ("{\"type\":\"" HD_EVENT_HELLO "\",\"data\":{\"user\":", j->user_json, "}}", NULL);
  send_text (c->conn, hello);
  c->attached = TRUE;
  /* Its chat frames may now skip the main context. */
  hd_ws_conn_set_ready (c->conn, c->user_id);
  if (list == NULL)
    {
      list = g_ptr_array_new ();
      g_hash_table_insert (self->by_user, g_memdup2 (&j->user->id, sizeof j->user->id), list);
    }
  g_ptr_array_add (list, c);
  hd_audience_add (self->audience, c, j->user->id, j->user->role);
}

/* The 101 is out and the socket is the layer's: the user is here. */
static void
on_open (HdWsConn *conn,
         gpointer  data)
{
  Pending *p = data;
  HdHub *self = p->hub;
  Client *c = g_new0 (Client, 1);
  OpenJob *j = g_new0 (OpenJob, 1);

  p->opened = TRUE;
  c->hub = self;
  c->conn = conn;
  c->user_id = p->user->id;
  c->role = p->user->role;
  hd_ws_conn_set_data (conn, c);
  g_hash_table_add (self->clients, c);

  j->hub = g_object_ref (self);
  j->conn = hd_ws_conn_ref (conn);
  j->user = hd_user_record_copy (p->user);
  hd_core_run (self->core, open_on_core, FALSE, open_done, j, open_job_free);
}

gboolean
hd_hub_upgrade (HdHub             *self,
                SoupServerMessage *msg,
                HdUserRecord      *user,
                GError           **error)
{
  Pending *p;
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->slots, &user->id));

  /* Counted when asked, not when open: upgrades that race each other
   * cannot pass the cap together. */
  if (self->max_per_user > 0 && n >= self->max_per_user)
    {
      gint64 now = g_get_monotonic_time ();

      if (now - self->last_cap_warning >= 10 * G_USEC_PER_SEC)
        {
          self->last_cap_warning = now;
          g_warning ("user %" G_GINT64_FORMAT " holds %u WebSockets already (max-sockets-per-user); "
                     "refusing more (this warning: at most every 10 s)", user->id, n);
        }
      g_set_error (error, HD_ERROR, HD_ERROR_TOO_MANY_REQUESTS,
                   "This account holds %u live connections already; close one first", n);
      hd_user_record_free (user);
      return FALSE;
    }
  g_hash_table_insert (self->slots, g_memdup2 (&user->id, sizeof user->id), GUINT_TO_POINTER (n + 1));
  p = g_new0 (Pending, 1);
  p->hub = g_object_ref (self);
  p->user = user;
  return hd_ws_loop_upgrade (self->ws, msg, on_open, p, pending_free);
}

void
hd_hub_set_max_per_user (HdHub *self,
                         guint  max_per_user)
{
  self->max_per_user = max_per_user;
}

void
hd_hub_set_frame_rate (HdHub *self,
                       guint  frames_per_second)
{
  hd_ws_loop_set_frame_rate (self->ws, frames_per_second, 2 * frames_per_second);
}

void
hd_hub_close_all (HdHub      *self,
                  gushort     code,
                  const char *reason)
{
  GHashTableIter iter;
  Client *c;

  g_hash_table_iter_init (&iter, self->clients);
  while (g_hash_table_iter_next (&iter, (gpointer *) &c, NULL))
    hd_ws_conn_close (c->conn, code, reason);
}

guint
hd_hub_get_n_connections (HdHub *self)
{
  return g_hash_table_size (self->clients);
}
