/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-event-stream"

#include "hd-event-stream.h"
#include "hd-client-private.h"
#include "hd-protocol.h"

#include <libsoup/soup.h>

#define BACKOFF_MIN_MS      500
#define BACKOFF_MAX_MS      30000
#define KEEPALIVE_SECONDS   10
#define SILENCE_MS_DEFAULT  30000
#define WATCHDOG_MS_MAX     5000
#define PROBE_TIMEOUT_MS    10000
#define CONNECT_TIMEOUT_MS  15000

struct _HdEventStream
{
  GObject parent_instance;

  HdClient *client;
  HdConnectionState state;
  gboolean started;
  gboolean ever_connected;

  SoupWebsocketConnection *conn;
  GCancellable *connect_cancellable;
  guint connect_timeout_id;
  guint reconnect_id;
  guint backoff_ms;

  guint watchdog_id;
  guint silence_ms;       /* HD_EVENTS_SILENCE_MS overrides, for tests */
  gint64 last_frame_usec;
  GCancellable *probe_cancellable;
  guint probe_timeout_id;
};

G_DEFINE_FINAL_TYPE (HdEventStream, hd_event_stream, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_STATE,
  N_PROPS
};

enum {
  SIGNAL_EVENT,
  SIGNAL_CONNECTED,
  SIGNAL_UNAUTHORIZED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void connect_now (HdEventStream *self);

static void
set_state (HdEventStream     *self,
           HdConnectionState  state)
{
  if (self->state == state)
    return;
  g_debug ("state %d → %d", self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
cancel_probe (HdEventStream *self)
{
  g_cancellable_cancel (self->probe_cancellable);
  g_clear_object (&self->probe_cancellable);
  g_clear_handle_id (&self->probe_timeout_id, g_source_remove);
}

static void on_ws_message (SoupWebsocketConnection *conn, gint type, GBytes *message, gpointer user_data);
static void on_ws_closed (SoupWebsocketConnection *conn, gpointer user_data);

/* Forgets the socket without reconnecting. */
static void
close_connection (HdEventStream *self)
{
  g_autoptr(SoupWebsocketConnection) conn = g_steal_pointer (&self->conn);

  cancel_probe (self);
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  if (conn == NULL)
    return;
  g_signal_handlers_disconnect_by_data (conn, self);
  if (soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

static gboolean
on_reconnect_timeout (gpointer user_data)
{
  HdEventStream *self = user_data;

  self->reconnect_id = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (HdEventStream *self)
{
  close_connection (self);
  if (!self->started)
    return;
  set_state (self, HD_CONNECTION_RECONNECTING);
  if (self->reconnect_id != 0)
    return;
  g_debug ("reconnecting in %u ms", self->backoff_ms);
  self->reconnect_id = g_timeout_add (self->backoff_ms, on_reconnect_timeout, self);
  self->backoff_ms = MIN (self->backoff_ms * 2, BACKOFF_MAX_MS);
}

/* Dead-server detection: libsoup 3.2 sends pings but tells nobody about
 * missing pongs, so after 30 s without a frame we ask GET /health; no
 * answer within 10 s means the server (or the path to it) is gone. */

typedef struct {
  HdEventStream *self;
  GCancellable *cancellable;
  SoupMessage *msg;   /* connect attempts only */
} Probe;

static void
on_probe_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Probe *probe = user_data;
  g_autoptr(HdEventStream) self = probe->self;
  g_autoptr(GCancellable) cancellable = probe->cancellable;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  SoupMessage *msg;

  g_free (probe);
  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  /* A probe that timed out or whose socket went away anyway was already
   * dealt with. */
  if (cancellable != self->probe_cancellable)
    return;

  msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_clear_handle_id (&self->probe_timeout_id, g_source_remove);
  g_clear_object (&self->probe_cancellable);

  if (bytes != NULL && msg != NULL && soup_message_get_status (msg) == SOUP_STATUS_OK)
    {
      self->last_frame_usec = g_get_monotonic_time ();
      return;
    }
  g_debug ("server silent and /health failed (%s): reconnecting",
           error ? error->message : "bad status");
  schedule_reconnect (self);
}

static gboolean
on_probe_timeout (gpointer user_data)
{
  HdEventStream *self = user_data;

  self->probe_timeout_id = 0;
  g_debug ("server silent and /health unanswered: reconnecting");
  /* libsoup 3.2 may not complete a cancelled request until the peer
   * answers, so do not wait for the callback. */
  cancel_probe (self);
  schedule_reconnect (self);
  return G_SOURCE_REMOVE;
}

static gboolean
on_watchdog (gpointer user_data)
{
  HdEventStream *self = user_data;
  g_autofree char *uri = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  Probe *probe;

  if (self->conn == NULL || self->probe_cancellable != NULL)
    return G_SOURCE_CONTINUE;
  if (g_get_monotonic_time () - self->last_frame_usec < (gint64) self->silence_ms * 1000)
    return G_SOURCE_CONTINUE;

  uri = g_strconcat (hd_client_get_base_url (self->client), "/health", NULL);
  msg = soup_message_new ("GET", uri);
  if (msg == NULL)
    return G_SOURCE_CONTINUE;
  g_debug ("no frame for %u ms: probing %s", self->silence_ms, uri);
  self->probe_cancellable = g_cancellable_new ();
  self->probe_timeout_id = g_timeout_add (MIN (PROBE_TIMEOUT_MS, self->silence_ms),
                                          on_probe_timeout, self);
  probe = g_new0 (Probe, 1);
  probe->self = g_object_ref (self);
  probe->cancellable = g_object_ref (self->probe_cancellable);
  soup_session_send_and_read_async (hd_client_get_soup_session (self->client), msg,
                                    G_PRIORITY_DEFAULT, self->probe_cancellable,
                                    on_probe_done, probe);
  return G_SOURCE_CONTINUE;
}

static void
handle_frame (HdEventStream *self,
              const char    *text,
              gsize          len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *obj;
  JsonObject *data;
  const char *type;

  if (!json_parser_load_from_data (parser, text, len, NULL))
    {
      g_warning ("Ignoring a frame that is not JSON");
      return;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  obj = json_node_get_object (root);
  type = hd_json_get_string (obj, "type");
  data = hd_json_get_object (obj, "data");
  if (type == NULL)
    return;
  if (data == NULL)
    data = json_object_new ();
  else
    json_object_ref (data);

  if (g_str_equal (type, HD_EVENT_HELLO))
    {
      JsonObject *user_json = hd_json_get_object (data, "user");
      HdUser *me = hd_client_get_user (self->client);
      g_autoptr(HdUser) user = NULL;
      gboolean reconnect = self->ever_connected;

      if (me && user_json && hd_json_get_int (user_json, "id", -1) == hd_user_get_id (me))
        {
          hd_user_update_from_json (me, user_json);
          user = g_object_ref (me);
        }
      else if (user_json)
        user = hd_user_new_from_json (user_json, NULL);

      self->backoff_ms = BACKOFF_MIN_MS;
      self->ever_connected = TRUE;
      set_state (self, HD_CONNECTION_CONNECTED);
      g_signal_emit (self, signals[SIGNAL_EVENT], g_quark_from_string (type), type, data);
      g_signal_emit (self, signals[SIGNAL_CONNECTED], 0, user, reconnect);
    }
  else
    {
      g_signal_emit (self, signals[SIGNAL_EVENT], g_quark_from_string (type), type, data);
    }
  json_object_unref (data);
}

static void
on_ws_message (SoupWebsocketConnection *conn,
               gint                     type,
               GBytes                  *message,
               gpointer                 user_data)
{
  g_autoptr(HdEventStream) self = g_object_ref (user_data);
  gsize len;
  const char *text = g_bytes_get_data (message, &len);

  self->last_frame_usec = g_get_monotonic_time ();
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return;
  handle_frame (self, text, len);
}

static void
on_ws_closed (SoupWebsocketConnection *conn,
              gpointer                 user_data)
{
  HdEventStream *self = user_data;

  g_debug ("socket closed (code %u)", soup_websocket_connection_get_close_code (conn));
  if (conn == self->conn)
    schedule_reconnect (self);
}

static void
on_ws_error (SoupWebsocketConnection *conn,
             GError                  *error,
             gpointer                 user_data)
{
  g_debug ("socket error: %s", error->message);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Probe *attempt = user_data;
  g_autoptr(HdEventStream) self = attempt->self;
  g_autoptr(GCancellable) cancellable = attempt->cancellable;
  g_autoptr(SoupMessage) msg = attempt->msg;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *conn;

  g_free (attempt);
  conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  /* An attempt we gave up on (timeout, stop) must not come back. */
  if (cancellable != self->connect_cancellable)
    {
      if (conn)
        {
          soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
          g_object_unref (conn);
        }
      return;
    }
  g_clear_object (&self->connect_cancellable);
  g_clear_handle_id (&self->connect_timeout_id, g_source_remove);
  if (conn == NULL)
    {
      g_debug ("connect failed: %s", error->message);
      if (msg && soup_message_get_status (msg) == SOUP_STATUS_UNAUTHORIZED)
        {
          /* The token was ended (logged out elsewhere): retrying cannot
           * help; the app asks the person to log in again. */
          hd_event_stream_stop (self);
          g_signal_emit (self, signals[SIGNAL_UNAUTHORIZED], 0);
          return;
        }
      schedule_reconnect (self);
      return;
    }
  if (!self->started)
    {
      soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_object_unref (conn);
      return;
    }

  self->conn = conn;
  soup_websocket_connection_set_keepalive_interval (conn, KEEPALIVE_SECONDS);
  /* A frame is at most 64 KiB by contract; leave room for the envelope. */
  soup_websocket_connection_set_max_incoming_payload_size (conn, 2 * HD_MAX_FRAME_BYTES);
  g_signal_connect (conn, "message", G_CALLBACK (on_ws_message), self);
  g_signal_connect (conn, "closed", G_CALLBACK (on_ws_closed), self);
  g_signal_connect (conn, "error", G_CALLBACK (on_ws_error), self);
  self->last_frame_usec = g_get_monotonic_time ();
  self->watchdog_id = g_timeout_add (MIN (WATCHDOG_MS_MAX, MAX (self->silence_ms / 2, 100)),
                                     on_watchdog, self);
}

static void
cancel_connect (HdEventStream *self)
{
  g_cancellable_cancel (self->connect_cancellable);
  g_clear_object (&self->connect_cancellable);
  g_clear_handle_id (&self->connect_timeout_id, g_source_remove);
}

static gboolean
on_connect_timeout (gpointer user_data)
{
  HdEventStream *self = user_data;

  self->connect_timeout_id = 0;
  g_debug ("connect attempt unanswered");
  cancel_connect (self);
  schedule_reconnect (self);
  return G_SOURCE_REMOVE;
}

static void
connect_now (HdEventStream *self)
{
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  Probe *attempt;

  if (!self->started || self->conn != NULL || self->connect_cancellable != NULL)
    return;

  url = hd_client_dup_events_url (self->client);
  msg = soup_message_new ("GET", url);
  if (msg == NULL)
    {
      g_warning ("Cannot connect to “%s”", url);
      schedule_reconnect (self);
      return;
    }
  if (hd_client_get_token (self->client))
    {
      g_autofree char *auth = g_strconcat ("Bearer ", hd_client_get_token (self->client), NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  self->connect_cancellable = g_cancellable_new ();
  attempt = g_new0 (Probe, 1);
  attempt->self = g_object_ref (self);
  attempt->cancellable = g_object_ref (self->connect_cancellable);
  attempt->msg = g_object_ref (msg);
  self->connect_timeout_id = g_timeout_add (MAX (CONNECT_TIMEOUT_MS, self->silence_ms),
                                            on_connect_timeout, self);
  soup_session_websocket_connect_async (hd_client_get_soup_session (self->client), msg,
                                        NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->connect_cancellable,
                                        on_connected, attempt);
}

static void
hd_event_stream_dispose (GObject *object)
{
  HdEventStream *self = HD_EVENT_STREAM (object);

  hd_event_stream_stop (self);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (hd_event_stream_parent_class)->dispose (object);
}

static void
hd_event_stream_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  HdEventStream *self = HD_EVENT_STREAM (object);

  switch (prop_id)
    {
    case PROP_CLIENT: g_value_set_object (value, self->client); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_event_stream_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  HdEventStream *self = HD_EVENT_STREAM (object);

  switch (prop_id)
    {
    case PROP_CLIENT: self->client = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_event_stream_class_init (HdEventStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hd_event_stream_dispose;
  object_class->get_property = hd_event_stream_get_property;
  object_class->set_property = hd_event_stream_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, HD_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, HD_TYPE_CONNECTION_STATE, HD_CONNECTION_OFFLINE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  JSON_TYPE_OBJECT);
  signals[SIGNAL_CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, HD_TYPE_USER, G_TYPE_BOOLEAN);
  signals[SIGNAL_UNAUTHORIZED] =
    g_signal_new ("unauthorized", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
hd_event_stream_init (HdEventStream *self)
{
  const char *silence = g_getenv ("HD_EVENTS_SILENCE_MS");

  self->backoff_ms = BACKOFF_MIN_MS;
  self->silence_ms = SILENCE_MS_DEFAULT;
  if (silence != NULL)
    {
      guint64 ms = g_ascii_strtoull (silence, NULL, 10);
      if (ms >= 200 && ms <= 600000)
        self->silence_ms = (guint) ms;
    }
}

HdEventStream *
hd_event_stream_new (HdClient *client)
{
  g_return_val_if_fail (HD_IS_CLIENT (client), NULL);
  return g_object_new (HD_TYPE_EVENT_STREAM, "client", client, NULL);
}

HdClient *
hd_event_stream_get_client (HdEventStream *self)
{
  g_return_val_if_fail (HD_IS_EVENT_STREAM (self), NULL);
  return self->client;
}

HdConnectionState
hd_event_stream_get_state (HdEventStream *self)
{
  g_return_val_if_fail (HD_IS_EVENT_STREAM (self), HD_CONNECTION_OFFLINE);
  return self->state;
}

void
hd_event_stream_start (HdEventStream *self)
{
  g_return_if_fail (HD_IS_EVENT_STREAM (self));
  if (self->started)
    return;
  self->started = TRUE;
  self->backoff_ms = BACKOFF_MIN_MS;
  set_state (self, self->ever_connected ? HD_CONNECTION_RECONNECTING : HD_CONNECTION_CONNECTING);
  connect_now (self);
}

void
hd_event_stream_stop (HdEventStream *self)
{
  g_return_if_fail (HD_IS_EVENT_STREAM (self));
  self->started = FALSE;
  cancel_connect (self);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  close_connection (self);
  set_state (self, HD_CONNECTION_OFFLINE);
}

void
hd_event_stream_drop (HdEventStream *self)
{
  g_return_if_fail (HD_IS_EVENT_STREAM (self));
  if (!self->started)
    return;
  if (self->conn == NULL)
    return;
  schedule_reconnect (self);
}

gboolean
hd_event_stream_send (HdEventStream *self,
                      const char    *type,
                      JsonObject    *data)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (HD_IS_EVENT_STREAM (self), FALSE);
  g_return_val_if_fail (type != NULL, FALSE);

  if (self->conn == NULL || self->state != HD_CONNECTION_CONNECTED
      || soup_websocket_connection_get_state (self->conn) != SOUP_WEBSOCKET_STATE_OPEN)
    return FALSE;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "data");
  if (data)
    {
      JsonNode *node = json_node_new (JSON_NODE_OBJECT);
      json_node_set_object (node, data);
      json_builder_add_value (builder, node);
    }
  else
    {
      json_builder_begin_object (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  soup_websocket_connection_send_text (self->conn, text);
  return TRUE;
}
