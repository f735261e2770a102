/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-hub"

#include "hd-hub.h"
#include "hd-audience.h"
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

  HdChatService *service;
  /* Who hears what (subscriptions, presence): resolves each event's
   * audience to Clients and writes through audience_send () (fanout). */
  HdAudience    *audience;
  /* user id → GPtrArray of Client */
  GHashTable    *by_user;
  /* every Client (attached or closing) */
  GHashTable    *clients;
  /* the sockets themselves, their framing and liveness (hd-ws.c) */
  HdWsLoop      *ws;
  JsonParser    *parser;
  /* A burst of chat.send frames shares one transaction, committed by this
   * idle at the end of the main-loop iteration that read them. */
  guint          batch_source;
  /* echoes of resent messages (connection, frame), sent after it */
  GPtrArray     *held_echoes;
  /* senders looked up once per batch: user id → HdUserRecord */
  GHashTable    *batch_users;
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
      hd_chat_service_set_online (self->service, user_id, FALSE);
    }
}

/* The socket thread writes what a batch queued in one go per socket. */
static void
send_text (Client     *c,
           const char *text)
{
  hd_ws_conn_send_text (c->conn, text, strlen (text));
}

static void
send_error (Client      *c,
            HdErrorCode  code,
            const char  *message)
{
  GString *out = g_string_new ("{\"type\":\"error\",\"data\":{\"code\":");

  hd_json_append_string (out, hd_error_code_to_string (code));
  g_string_append (out, ",\"message\":");
  hd_json_append_string (out, message);
  g_string_append (out, "}}");
  send_text (c, out->str);
  g_string_free (out, TRUE);
}

static void
send_gerror (Client       *c,
             const GError *error)
{
  HdErrorCode code = error->domain == HD_ERROR ? (HdErrorCode) error->code : HD_ERROR_INTERNAL;

  send_error (c, code, error->message);
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

typedef struct {
  HdWsConn *conn;
  char     *frame;
} Echo;

static void
echo_free (Echo *e)
{
  hd_ws_conn_unref (e->conn);
  g_free (e->frame);
  g_free (e);
}

static gboolean
flush_batch (gpointer user_data)
{
  HdHub *self = user_data;
  g_autoptr(GPtrArray) echoes = g_steal_pointer (&self->held_echoes);
  gboolean ok;

  self->batch_source = 0;
  g_hash_table_remove_all (self->batch_users);
  self->held_echoes = g_ptr_array_new_with_free_func ((GDestroyNotify) echo_free);
  ok = hd_chat_service_batch_end (self->service);
  for (guint i = 0; ok && i < echoes->len; i++)
    {
      Echo *e = g_ptr_array_index (echoes, i);

      hd_ws_conn_send_text (e->conn, e->frame, strlen (e->frame));
    }
  return G_SOURCE_REMOVE;
}

void
hd_hub_flush (HdHub *self)
{
  if (self->batch_source != 0)
    {
      g_source_remove (self->batch_source);
      flush_batch (self);
    }
}

static void
open_batch (HdHub *self)
{
  if (self->batch_source != 0)
    return;
  hd_chat_service_batch_begin (self->service);
  /* Default priority, like the sockets: it runs in the next iteration
   * after the sockets that are ready then, so they join the batch. */
  self->batch_source = g_idle_add_full (G_PRIORITY_DEFAULT, flush_batch, self, NULL);
}

static void
handle_frame (HdHub      *self,
              Client     *c,
              const char *text,
              gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUserRecord) owned = NULL;
  HdUserRecord *user;
  JsonNode *root;
  JsonObject *o, *data;
  const char *type;
  gint64 chat_id = 0;

  if (!json_parser_load_from_data (self->parser, text, (gssize) len, &error))
    {
      send_error (c, HD_ERROR_BAD_REQUEST, "The frame is not JSON");
      return;
    }
  root = json_parser_get_root (self->parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      send_error (c, HD_ERROR_BAD_REQUEST, "The frame is not a JSON object");
      return;
    }
  o = json_node_get_object (root);
  type = get_string (o, "type");
  if (type == NULL)
    {
      send_error (c, HD_ERROR_BAD_REQUEST, "The frame has no type");
      return;
    }
  if (!json_object_has_member (o, "data") || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "data")))
    {
      send_error (c, HD_ERROR_BAD_REQUEST, "The frame has no data object");
      return;
    }
  data = json_object_get_object_member (o, "data");
  {
    HdUserRecord who = { .id = c->user_id, .role = c->role };

    /* subscribe / unsubscribe */
    if (hd_audience_handle_frame (self->audience, c, &who, type, data))
      return;
  }
  if (!get_id (data, "chat_id", &chat_id))
    {
      send_error (c, HD_ERROR_BAD_REQUEST, "chat_id must be a positive integer");
      return;
    }

  /* The user's name or availability may have changed since the socket
   * opened; read them fresh (once per batch). */
  user = g_hash_table_lookup (self->batch_users, &c->user_id);
  if (user == NULL)
    {
      user = hd_store_user_get (hd_chat_service_get_store (self->service), c->user_id, &error);
      if (user == NULL)
        {
          send_gerror (c, error);
          return;
        }
      if (self->batch_source != 0)
        g_hash_table_insert (self->batch_users, &user->id, user);
      else
        owned = user;
    }

  if (strcmp (type, HD_FRAME_CHAT_SEND) == 0)
    {
      if (self->batch_source == 0)
        {
          /* Open the batch now and keep the user for it. */
          open_batch (self);
          if (owned != NULL)
            g_hash_table_insert (self->batch_users, &user->id, g_steal_pointer (&owned));
        }
      const char *body = get_string (data, "body");
      const char *client_id = NULL;
      g_autofree char *message = NULL;
      gboolean created = FALSE;

      if (json_object_has_member (data, "client_id") &&
          !json_node_is_null (json_object_get_member (data, "client_id")))
        {
          client_id = get_string (data, "client_id");
          if (client_id == NULL)
            {
              send_error (c, HD_ERROR_BAD_REQUEST, "client_id must be a string");
              return;
            }
        }
      if (body == NULL)
        {
          send_error (c, HD_ERROR_BAD_REQUEST, "body must be a string");
          return;
        }
      open_batch (self);
      message = hd_chat_service_post_message (self->service, user, chat_id, body, client_id,
                                              &created, &error);
      if (message == NULL)
        send_gerror (c, error);
      else if (!created)
        {
          /* A resend: the first copy already went out to everyone, so
           * only this socket hears about it again. */
          Echo *e = g_new0 (Echo, 1);

          e->conn = hd_ws_conn_ref (c->conn);
          e->frame = g_strconcat ("{\"type\":\"" HD_EVENT_CHAT_MESSAGE "\",\"data\":", message, "}", NULL);
          g_ptr_array_add (self->held_echoes, e);
        }
    }
  else if (strcmp (type, HD_FRAME_CHAT_TYPING) == 0)
    {
      if (!hd_chat_service_typing (self->service, user, chat_id, &error))
        send_gerror (c, error);
    }
  else
    send_error (c, HD_ERROR_BAD_REQUEST, "Unknown frame type");
}

/* From the socket thread, in order, on the main context.  The framing
 * layer already closed with 1009 anything over HD_MAX_FRAME_BYTES and
 * with 1007 any text that is not UTF-8. */
static void
on_message (HdWsConn   *conn,
            gboolean    is_text,
            const char *text,
            gsize       len,
            gpointer    user_data)
{
  Client *c = hd_ws_conn_get_data (conn);

  if (c == NULL || !c->attached)
    return;
  if (!is_text)
    {
      send_error (c, HD_ERROR_BAD_REQUEST, "Only text frames are understood");
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

static void
audience_send (gpointer    sock,
               const char *frame,
               gpointer    user_data)
{
  send_text (sock, frame);
}

static void
hd_hub_dispose (GObject *object)
{
  HdHub *self = HD_HUB (object);

  if (self->service)
    hd_hub_flush (self);
  /* the sockets still open are dropped, no closed callbacks */
  g_clear_pointer (&self->ws, hd_ws_loop_free);
  g_clear_pointer (&self->held_echoes, g_ptr_array_unref);
  g_clear_pointer (&self->batch_users, g_hash_table_unref);
  if (self->service)
    {
      hd_chat_service_set_event_sink (self->service, NULL, NULL);
      hd_chat_service_set_batch_flush (self->service, NULL, NULL);
    }
  g_clear_pointer (&self->audience, hd_audience_free);
  g_clear_pointer (&self->by_user, g_hash_table_unref);
  g_clear_pointer (&self->clients, g_hash_table_unref);
  g_clear_object (&self->service);
  g_clear_object (&self->parser);

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
  self->parser = json_parser_new_immutable ();
  self->held_echoes = g_ptr_array_new_with_free_func ((GDestroyNotify) echo_free);
  self->batch_users = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                             (GDestroyNotify) hd_user_record_free);
}

HdHub *
hd_hub_new (HdChatService *service)
{
  HdHub *self = g_object_new (HD_TYPE_HUB, NULL);
  guint ping_ms = env_ms ("HD_PING_INTERVAL_MS", DEFAULT_PING_INTERVAL_MS);
  guint dead_ms = env_ms ("HD_DEAD_PEER_TIMEOUT_MS", DEFAULT_DEAD_TIMEOUT_MS);

  HdWsLimits limits = {
    .ping_interval_ms = ping_ms,
    .dead_timeout_ms = MAX (dead_ms, ping_ms),
    .max_message = HD_MAX_FRAME_BYTES,
    .max_queued = MAX_QUEUED_BYTES,
  };

  self->service = g_object_ref (service);
  self->ws = hd_ws_loop_new (&limits, on_message, on_closed, self);
  self->audience = hd_audience_new (service, audience_send, self);
  hd_chat_service_set_event_sink (service, sink, self);
  hd_chat_service_set_batch_flush (service, (void (*) (gpointer)) hd_hub_flush, self);
  return self;
}

typedef struct {
  HdHub  *hub;
  HdUserRecord *user;
} Pending;

static void
pending_free (gpointer data)
{
  Pending *p = data;

  g_object_unref (p->hub);
  hd_user_record_free (p->user);
  g_free (p);
}

/* The 101 is out and the socket is the layer's: the user is here. */
static void
on_open (HdWsConn *conn,
         gpointer  data)
{
  Pending *p = data;
  HdHub *self = p->hub;
  const HdUserRecord *user = p->user;
  Client *c = g_new0 (Client, 1);
  GPtrArray *list;
  g_autofree char *user_json = NULL;
  g_autofree char *hello = NULL;
  gboolean first;

  c->hub = self;
  c->conn = conn;
  c->user_id = user->id;
  c->role = user->role;
  c->attached = TRUE;
  hd_ws_conn_set_data (conn, c);
  g_hash_table_add (self->clients, c);

  list = g_hash_table_lookup (self->by_user, &user->id);
  first = list == NULL;
  /* Everyone else hears the presence first; this socket is not listed yet,
   * so hello is the first thing it hears, already saying online. */
  if (first)
    hd_chat_service_set_online (self->service, user->id, TRUE);
  user_json = hd_chat_service_render_user (self->service, user, user);
  hello = g_strconcat ("{\"type\":\"" HD_EVENT_HELLO "\",\"data\":{\"user\":", user_json, "}}", NULL);
  send_text (c, hello);

  if (first)
    {
      list = g_ptr_array_new ();
      g_hash_table_insert (self->by_user, g_memdup2 (&user->id, sizeof user->id), list);
    }
  g_ptr_array_add (list, c);
  hd_audience_add (self->audience, c, user->id, user->role);
}

gboolean
hd_hub_upgrade (HdHub             *self,
                SoupServerMessage *msg,
                HdUserRecord            *user)
{
  Pending *p = g_new0 (Pending, 1);

  p->hub = g_object_ref (self);
  p->user = user;
  return hd_ws_loop_upgrade (self->ws, msg, on_open, p, pending_free);
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
