/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-client"

#include "hd-client-private.h"
#include "hd-error.h"
#include "hd-protocol.h"

#include <string.h>

struct _HdClient
{
  GObject parent_instance;

  char *base_url;   /* without a trailing slash */
  char *token;
  HdUser *user;
  SoupSession *session;
};

G_DEFINE_FINAL_TYPE (HdClient, hd_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_TOKEN,
  PROP_USER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hd_client_finalize (GObject *object)
{
  HdClient *self = HD_CLIENT (object);

  g_free (self->base_url);
  g_free (self->token);
  g_clear_object (&self->user);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (hd_client_parent_class)->finalize (object);
}

static void
hd_client_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  HdClient *self = HD_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL: g_value_set_string (value, self->base_url); break;
    case PROP_TOKEN: g_value_set_string (value, self->token); break;
    case PROP_USER: g_value_set_object (value, self->user); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_client_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  HdClient *self = HD_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      {
        const char *url = g_value_get_string (value);
        gsize len;

        self->base_url = g_strstrip (g_strdup (url ? url : ""));
        len = strlen (self->base_url);
        while (len > 0 && self->base_url[len - 1] == '/')
          self->base_url[--len] = '\0';
      }
      break;
    case PROP_TOKEN: hd_client_set_token (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_client_class_init (HdClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hd_client_finalize;
  object_class->get_property = hd_client_get_property;
  object_class->set_property = hd_client_set_property;

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER] =
    g_param_spec_object ("user", NULL, NULL, HD_TYPE_USER,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hd_client_init (HdClient *self)
{
  self->session = soup_session_new_with_options ("user-agent", "helpdesk-chat/" HD_VERSION,
                                                 "timeout", 60,
                                                 NULL);
}

HdClient *
hd_client_new (const char *base_url)
{
  return g_object_new (HD_TYPE_CLIENT, "base-url", base_url, NULL);
}

const char *
hd_client_get_base_url (HdClient *self)
{
  g_return_val_if_fail (HD_IS_CLIENT (self), NULL);
  return self->base_url;
}

const char *
hd_client_get_token (HdClient *self)
{
  g_return_val_if_fail (HD_IS_CLIENT (self), NULL);
  return self->token;
}

void
hd_client_set_token (HdClient   *self,
                     const char *token)
{
  g_return_if_fail (HD_IS_CLIENT (self));
  hd_set_string (G_OBJECT (self), &self->token, token, properties[PROP_TOKEN]);
}

HdUser *
hd_client_get_user (HdClient *self)
{
  g_return_val_if_fail (HD_IS_CLIENT (self), NULL);
  return self->user;
}

static void
set_user (HdClient   *self,
          JsonObject *object)
{
  g_autoptr(HdUser) user = hd_user_reuse_or_new (self->user, object);

  if (user)
    hd_set_object (G_OBJECT (self), (gpointer *) &self->user, user, properties[PROP_USER]);
}

SoupSession *
hd_client_get_soup_session (HdClient *self)
{
  g_return_val_if_fail (HD_IS_CLIENT (self), NULL);
  return self->session;
}

char *
hd_client_dup_events_url (HdClient *self)
{
  g_return_val_if_fail (HD_IS_CLIENT (self), NULL);

  if (g_str_has_prefix (self->base_url, "https://"))
    return g_strconcat ("wss://", self->base_url + strlen ("https://"), HD_API_PREFIX "/events", NULL);
  if (g_str_has_prefix (self->base_url, "http://"))
    return g_strconcat ("ws://", self->base_url + strlen ("http://"), HD_API_PREFIX "/events", NULL);
  return g_strconcat (self->base_url, HD_API_PREFIX "/events", NULL);
}

/* Generic call */

/* The server's error answer (or the status alone) as the task's HD_ERROR. */
static void
return_http_error (GTask       *task,
                   SoupMessage *msg,
                   JsonNode    *root)
{
  guint status = soup_message_get_status (msg);
  JsonObject *err = NULL;
  const char *code_str = NULL;
  const char *message = NULL;
  HdErrorCode code = HD_ERROR_INTERNAL;

  if (root && JSON_NODE_HOLDS_OBJECT (root))
    err = hd_json_get_object (json_node_get_object (root), "error");
  code_str = hd_json_get_string (err, "code");
  message = hd_json_get_string (err, "message");
  if (code_str == NULL || !hd_error_code_from_string (code_str, &code))
    {
      switch (status)
        {
        case 400: code = HD_ERROR_BAD_REQUEST; break;
        case 401: code = HD_ERROR_UNAUTHORIZED; break;
        case 403: code = HD_ERROR_FORBIDDEN; break;
        case 404: code = HD_ERROR_NOT_FOUND; break;
        case 409: code = HD_ERROR_CONFLICT; break;
        case 413: code = HD_ERROR_PAYLOAD_TOO_LARGE; break;
        case 429: code = HD_ERROR_TOO_MANY_REQUESTS; break;
        default: code = HD_ERROR_INTERNAL; break;
        }
    }
  if (message == NULL)
    message = soup_message_get_reason_phrase (msg);
  if (message == NULL || *message == '\0')
    message = soup_status_get_phrase (status);
  g_task_return_new_error (task, HD_ERROR, code, "%s",
                           message ? message : "The server refused the request");
}

static void
on_call_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root = NULL;
  guint status;
  gsize size = 0;
  const char *data;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, HD_ERROR, HD_ERROR_NETWORK,
                                 "Could not reach the server: %s", error->message);
      return;
    }

  status = soup_message_get_status (msg);
  data = g_bytes_get_data (bytes, &size);
  if (size > 0)
    {
      parser = json_parser_new ();
      if (json_parser_load_from_data (parser, data, size, NULL))
        root = json_parser_get_root (parser);
    }

  if (status >= 400 || status < 100)
    {
      return_http_error (task, msg, root);
      return;
    }

  if (root == NULL)
    {
      if (size > 0)
        {
          g_task_return_new_error (task, HD_ERROR, HD_ERROR_PROTOCOL,
                                   "The server sent an answer that is not JSON");
          return;
        }
      g_task_return_pointer (task, json_node_new (JSON_NODE_NULL), (GDestroyNotify) json_node_unref);
      return;
    }

  g_task_return_pointer (task, json_node_ref (root), (GDestroyNotify) json_node_unref);
}

/* The task of a request to the server: @method on @path with the token,
 * the SoupMessage as its task data.  NULL, the task answered with the
 * error, when the server address is no URL. */
static GTask *
request_task_new (HdClient            *self,
                  const char          *method,
                  const char          *path,
                  gpointer             source_tag,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *uri = g_strconcat (self->base_url, HD_API_PREFIX, path, NULL);
  SoupMessage *msg;

  g_task_set_source_tag (task, source_tag);
  msg = (strstr (self->base_url, "://") != NULL) ? soup_message_new (method, uri) : NULL;
  if (msg == NULL)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_NETWORK,
                               "“%s” is not a valid server address", self->base_url);
      return NULL;
    }
  g_task_set_task_data (task, msg, g_object_unref);
  if (self->token)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", self->token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  return g_steal_pointer (&task);
}

void
hd_client_call_async (HdClient            *self,
                      const char          *method,
                      const char          *path,
                      JsonNode            *body,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (HD_IS_CLIENT (self));
  g_return_if_fail (method != NULL && path != NULL);

  if (body)
    {
      g_autofree char *text = json_to_string (body, FALSE);
      gsize len = strlen (text);

      bytes = g_bytes_new_take (g_steal_pointer (&text), len);
    }
  /* The same call with the JSON's bytes (none: no body). */
  hd_client_send_bytes_async (self, method, path, bytes ? "application/json" : NULL, bytes,
                              cancellable, callback, user_data);
}

JsonNode *
hd_client_call_finish (HdClient      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Raw bodies (attachments): the request's bytes as they are, the answer
 * JSON as for any call. */
void
hd_client_send_bytes_async (HdClient            *self,
                            const char          *method,
                            const char          *path,
                            const char          *content_type,
                            GBytes              *body,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SoupMessage *msg;

  g_return_if_fail (HD_IS_CLIENT (self));

  task = request_task_new (self, method, path, hd_client_call_async, cancellable, callback, user_data);
  if (task == NULL)
    return;
  msg = g_task_get_task_data (task);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    on_call_read, g_steal_pointer (&task));
}

static void
on_fetch_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  guint status = soup_message_get_status (msg);

  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, HD_ERROR, HD_ERROR_NETWORK,
                                 "Could not reach the server: %s", error->message);
      return;
    }
  if (status >= 400 || status < 100)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      gsize size;
      const char *data = g_bytes_get_data (bytes, &size);
      JsonNode *root = NULL;

      if (size > 0 && json_parser_load_from_data (parser, data, size, NULL))
        root = json_parser_get_root (parser);
      return_http_error (task, msg, root);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
}

void
hd_client_fetch_bytes_async (HdClient            *self,
                             const char          *path,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SoupMessage *msg;

  g_return_if_fail (HD_IS_CLIENT (self));

  task = request_task_new (self, "GET", path, hd_client_fetch_bytes_async,
                           cancellable, callback, user_data);
  if (task == NULL)
    return;
  msg = g_task_get_task_data (task);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    on_fetch_read, g_steal_pointer (&task));
}

GBytes *
hd_client_fetch_bytes_finish (HdClient      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Typed calls: a generic call plus a parser of its answer. */

typedef gpointer (*ParseFunc) (HdClient    *self,
                               JsonObject  *root,
                               GError     **error);

typedef struct {
  ParseFunc parse;
  GDestroyNotify destroy;
} TypedCall;

static void
on_typed_call (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TypedCall *tc = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *root = NULL;
  gpointer value;

  node = hd_client_call_finish (HD_CLIENT (source), result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    root = json_node_get_object (node);
  value = tc->parse (HD_CLIENT (source), root, &error);
  if (error)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, value, tc->destroy);
}

static void
typed_call (HdClient            *self,
            const char          *method,
            const char          *path,
            JsonNode            *body,
            ParseFunc            parse,
            GDestroyNotify       destroy,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  TypedCall *tc = g_new0 (TypedCall, 1);

  tc->parse = parse;
  tc->destroy = destroy;
  g_task_set_task_data (task, tc, g_free);
  g_task_set_source_tag (task, source_tag);
  hd_client_call_async (self, method, path, body, cancellable, on_typed_call, task);
}

static gpointer
typed_finish (HdClient      *self,
              GAsyncResult  *result,
              gpointer       source_tag,
              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
protocol_error (GError    **error,
                const char *what)
{
  g_set_error (error, HD_ERROR, HD_ERROR_PROTOCOL, "The server sent no %s", what);
  return NULL;
}

static gpointer
parse_me (HdClient    *self,
          JsonObject  *root,
          GError     **error)
{
  if (root == NULL || hd_json_get_int (root, "id", -1) < 0)
    return protocol_error (error, "user");
  set_user (self, root);
  return g_object_ref (self->user);
}

static gpointer
parse_login (HdClient    *self,
             JsonObject  *root,
             GError     **error)
{
  const char *token = hd_json_get_string (root, "token");
  JsonObject *user = hd_json_get_object (root, "user");

  if (token == NULL || user == NULL || hd_json_get_int (user, "id", -1) < 0)
    return protocol_error (error, "token");
  /* A new login may be another person: never reuse the old user object. */
  if (self->user && hd_user_get_id (self->user) != hd_json_get_int (user, "id", -1))
    {
      g_clear_object (&self->user);
    }
  hd_client_set_token (self, token);
  set_user (self, user);
  return g_object_ref (self->user);
}


/* Public calls */

void
hd_client_login_async (HdClient            *self,
                       const char          *login,
                       const char          *password,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  JsonObject *o = json_object_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (HD_IS_CLIENT (self));
  json_object_set_string_member (o, "login", login ? login : "");
  json_object_set_string_member (o, "password", password ? password : "");
  body = hd_json_object_node (o);
  typed_call (self, "POST", "/session", body, parse_login, g_object_unref,
              hd_client_login_async, cancellable, callback, user_data);
}

HdUser *
hd_client_login_finish (HdClient      *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return typed_finish (self, result, hd_client_login_async, error);
}

static void
on_logout (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hd_client_call_finish (HD_CLIENT (source), result, &error);

  if (node == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
hd_client_logout_async (HdClient            *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (HD_IS_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hd_client_logout_async);
  hd_client_call_async (self, "DELETE", "/session", NULL, cancellable, on_logout, task);
  /* The token is forgotten at once: the server ends it, or it is lost. */
  hd_client_set_token (self, NULL);
}

gboolean
hd_client_logout_finish (HdClient      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
hd_client_get_me_async (HdClient            *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (HD_IS_CLIENT (self));
  typed_call (self, "GET", "/me", NULL, parse_me, g_object_unref,
              hd_client_get_me_async, cancellable, callback, user_data);
}

HdUser *
hd_client_get_me_finish (HdClient      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return typed_finish (self, result, hd_client_get_me_async, error);
}

