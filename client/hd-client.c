/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-client"

#include "hd-client.h"
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

void
hd_client_call_async (HdClient            *self,
                      const char          *method,
                      const char          *path,
                      JsonNode            *body,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *uri = NULL;
  SoupMessage *msg;

  g_return_if_fail (HD_IS_CLIENT (self));
  g_return_if_fail (method != NULL && path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hd_client_call_async);

  uri = g_strconcat (self->base_url, HD_API_PREFIX, path, NULL);
  msg = (strstr (self->base_url, "://") != NULL) ? soup_message_new (method, uri) : NULL;
  if (msg == NULL)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_NETWORK,
                               "“%s” is not a valid server address", self->base_url);
      return;
    }
  g_task_set_task_data (task, msg, g_object_unref);

  if (self->token)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", self->token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body)
    {
      g_autofree char *text = json_to_string (body, FALSE);
      gsize len = strlen (text);
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&text), len);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    on_call_read, g_steal_pointer (&task));
}

JsonNode *
hd_client_call_finish (HdClient      *self,
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

static gpointer
parse_request (HdClient    *self,
               JsonObject  *root,
               GError     **error)
{
  return root ? hd_request_new_from_json (root, error) : protocol_error (error, "request");
}

static gpointer
parse_chat (HdClient    *self,
            JsonObject  *root,
            GError     **error)
{
  return root ? hd_chat_new_from_json (root, error) : protocol_error (error, "chat");
}

static gpointer
parse_message (HdClient    *self,
               JsonObject  *root,
               GError     **error)
{
  return root ? hd_message_new_from_json (root, error) : protocol_error (error, "message");
}

typedef gpointer (*ObjectFromJson) (JsonObject *object, GError **error);

static GPtrArray *
parse_list (JsonObject     *root,
            const char     *member,
            ObjectFromJson  from_json,
            GError        **error)
{
  JsonArray *array = hd_json_get_array (root, member);
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func (g_object_unref);
  guint len;

  if (array == NULL)
    return protocol_error (error, member);
  len = json_array_get_length (array);
  for (guint i = 0; i < len; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      gpointer obj;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      obj = from_json (json_node_get_object (node), NULL);
      if (obj)
        g_ptr_array_add (result, obj);
    }
  return g_steal_pointer (&result);
}

static gpointer
parse_users (HdClient *self, JsonObject *root, GError **error)
{
  return parse_list (root, "users", (ObjectFromJson) hd_user_new_from_json, error);
}

static gpointer
parse_requests (HdClient *self, JsonObject *root, GError **error)
{
  return parse_list (root, "requests", (ObjectFromJson) hd_request_new_from_json, error);
}

static gpointer
parse_notes (HdClient *self, JsonObject *root, GError **error)
{
  return parse_list (root, "notes", (ObjectFromJson) hd_note_new_from_json, error);
}

static gpointer
parse_chats (HdClient *self, JsonObject *root, GError **error)
{
  return parse_list (root, "chats", (ObjectFromJson) hd_chat_new_from_json, error);
}

typedef struct {
  GPtrArray *messages;
  gboolean more;
} MessagePage;

static void
message_page_free (MessagePage *page)
{
  g_clear_pointer (&page->messages, g_ptr_array_unref);
  g_free (page);
}

static gpointer
parse_messages (HdClient *self, JsonObject *root, GError **error)
{
  GPtrArray *messages = parse_list (root, "messages", (ObjectFromJson) hd_message_new_from_json, error);
  MessagePage *page;

  if (messages == NULL)
    return NULL;
  page = g_new0 (MessagePage, 1);
  page->messages = messages;
  page->more = hd_json_get_bool (root, "more", FALSE);
  return page;
}

typedef struct {
  gboolean chat_enabled;
  gboolean customer_chat_with_team;
} Privileges;

static gpointer
parse_privileges (HdClient *self, JsonObject *root, GError **error)
{
  Privileges *p;

  if (!hd_json_has (root, "chat_enabled"))
    return protocol_error (error, "privileges");
  p = g_new0 (Privileges, 1);
  p->chat_enabled = hd_json_get_bool (root, "chat_enabled", FALSE);
  p->customer_chat_with_team = hd_json_get_bool (root, "customer_chat_with_team", FALSE);
  return p;
}

static gpointer
parse_sent_to (HdClient *self, JsonObject *root, GError **error)
{
  const char *to = hd_json_get_string (root, "sent_to");

  return to ? g_strdup (to) : protocol_error (error, "address");
}

/* Bodies */

static JsonNode *
object_node (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
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
  body = object_node (o);
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

void
hd_client_set_available_async (HdClient            *self,
                               gboolean             available,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  JsonObject *o = json_object_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (HD_IS_CLIENT (self));
  json_object_set_boolean_member (o, "available_for_chat", available);
  body = object_node (o);
  typed_call (self, "PATCH", "/me", body, parse_me, g_object_unref,
              hd_client_set_available_async, cancellable, callback, user_data);
}

HdUser *
hd_client_set_available_finish (HdClient      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return typed_finish (self, result, hd_client_set_available_async, error);
}

void
hd_client_get_privileges_async (HdClient            *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (HD_IS_CLIENT (self));
  typed_call (self, "GET", "/setup/privileges", NULL, parse_privileges, g_free,
              hd_client_get_privileges_async, cancellable, callback, user_data);
}

static gboolean
privileges_finish (HdClient      *self,
                   GAsyncResult  *result,
                   gpointer       tag,
                   gboolean      *out_chat_enabled,
                   gboolean      *out_team,
                   GError       **error)
{
  g_autofree Privileges *p = typed_finish (self, result, tag, error);

  if (p == NULL)
    return FALSE;
  if (out_chat_enabled)
    *out_chat_enabled = p->chat_enabled;
  if (out_team)
    *out_team = p->customer_chat_with_team;
  return TRUE;
}

gboolean
hd_client_get_privileges_finish (HdClient      *self,
                                 GAsyncResult  *result,
                                 gboolean      *out_chat_enabled,
                                 gboolean      *out_customer_chat_with_team,
                                 GError       **error)
{
  return privileges_finish (self, result, hd_client_get_privileges_async,
                            out_chat_enabled, out_customer_chat_with_team, error);
}

void
hd_client_set_privileges_async (HdClient            *self,
                                gboolean             chat_enabled,
                                gboolean             customer_chat_with_team,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  JsonObject *o = json_object_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (HD_IS_CLIENT (self));
  json_object_set_boolean_member (o, "chat_enabled", chat_enabled);
  json_object_set_boolean_member (o, "customer_chat_with_team", customer_chat_with_team);
  body = object_node (o);
  typed_call (self, "PATCH", "/setup/privileges", body, parse_privileges, g_free,
              hd_client_set_privileges_async, cancellable, callback, user_data);
}

gboolean
hd_client_set_privileges_finish (HdClient      *self,
                                 GAsyncResult  *result,
                                 gboolean      *out_chat_enabled,
                                 gboolean      *out_customer_chat_with_team,
                                 GError       **error)
{
  return privileges_finish (self, result, hd_client_set_privileges_async,
                            out_chat_enabled, out_customer_chat_with_team, error);
}

void
hd_client_list_users_async (HdClient            *self,
                            const char          *role,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (HD_IS_CLIENT (self));
  if (role)
    {
      g_autofree char *escaped = g_uri_escape_string (role, NULL, FALSE);
      path = g_strdup_printf ("/users?role=%s", escaped);
    }
  else
    path = g_strdup ("/users");
  typed_call (self, "GET", path, NULL, parse_users, (GDestroyNotify) g_ptr_array_unref,
              hd_client_list_users_async, cancellable, callback, user_data);
}

GPtrArray *
hd_client_list_users_finish (HdClient      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return typed_finish (self, result, hd_client_list_users_async, error);
}

void
hd_client_list_requests_async (HdClient            *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (HD_IS_CLIENT (self));
  typed_call (self, "GET", "/requests", NULL, parse_requests, (GDestroyNotify) g_ptr_array_unref,
              hd_client_list_requests_async, cancellable, callback, user_data);
}

GPtrArray *
hd_client_list_requests_finish (HdClient      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return typed_finish (self, result, hd_client_list_requests_async, error);
}

void
hd_client_get_request_async (HdClient            *self,
                             gint64               request_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (HD_IS_CLIENT (self));
  path = g_strdup_printf ("/requests/%" G_GINT64_FORMAT, request_id);
  typed_call (self, "GET", path, NULL, parse_request, g_object_unref,
              hd_client_get_request_async, cancellable, callback, user_data);
}

HdRequest *
hd_client_get_request_finish (HdClient      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return typed_finish (self, result, hd_client_get_request_async, error);
}

void
hd_client_create_request_async (HdClient            *self,
                                const char          *subject,
                                const char          *description,
                                gint64               customer_id,
                                gint64               assignee_id,
                                gint64               team_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  JsonObject *o = json_object_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (HD_IS_CLIENT (self));
  json_object_set_string_member (o, "subject", subject ? subject : "");
  if (description)
    json_object_set_string_member (o, "description", description);
  if (customer_id > 0)
    json_object_set_int_member (o, "customer_id", customer_id);
  if (assignee_id > 0)
    json_object_set_int_member (o, "assignee_id", assignee_id);
  if (team_id > 0)
    json_object_set_int_member (o, "team_id", team_id);
  body = object_node (o);
  typed_call (self, "POST", "/requests", body, parse_request, g_object_unref,
              hd_client_create_request_async, cancellable, callback, user_data);
}

HdRequest *
hd_client_create_request_finish (HdClient      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return typed_finish (self, result, hd_client_create_request_async, error);
}

void
hd_client_list_notes_async (HdClient            *self,
                            gint64               request_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (HD_IS_CLIENT (self));
  path = g_strdup_printf ("/requests/%" G_GINT64_FORMAT "/notes", request_id);
  typed_call (self, "GET", path, NULL, parse_notes, (GDestroyNotify) g_ptr_array_unref,
              hd_client_list_notes_async, cancellable, callback, user_data);
}

GPtrArray *
hd_client_list_notes_finish (HdClient      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return typed_finish (self, result, hd_client_list_notes_async, error);
}

void
hd_client_list_chats_async (HdClient            *self,
                            const char          *state,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (HD_IS_CLIENT (self));
  if (state)
    {
      g_autofree char *escaped = g_uri_escape_string (state, NULL, FALSE);
      path = g_strdup_printf ("/chats?state=%s", escaped);
    }
  else
    path = g_strdup ("/chats");
  typed_call (self, "GET", path, NULL, parse_chats, (GDestroyNotify) g_ptr_array_unref,
              hd_client_list_chats_async, cancellable, callback, user_data);
}

GPtrArray *
hd_client_list_chats_finish (HdClient      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return typed_finish (self, result, hd_client_list_chats_async, error);
}

void
hd_client_list_queue_async (HdClient            *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (HD_IS_CLIENT (self));
  typed_call (self, "GET", "/chats/queue", NULL, parse_chats, (GDestroyNotify) g_ptr_array_unref,
              hd_client_list_queue_async, cancellable, callback, user_data);
}

GPtrArray *
hd_client_list_queue_finish (HdClient      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return typed_finish (self, result, hd_client_list_queue_async, error);
}

/* All chat calls share one tag so hd_client_chat_finish serves them. */
static void
chat_call (HdClient            *self,
           const char          *method,
           const char          *path,
           JsonNode            *body,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  typed_call (self, method, path, body, parse_chat, g_object_unref,
              hd_client_chat_finish, cancellable, callback, user_data);
}

void
hd_client_get_chat_async (HdClient            *self,
                          gint64               chat_id,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autofree char *path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT, chat_id);

  g_return_if_fail (HD_IS_CLIENT (self));
  chat_call (self, "GET", path, NULL, cancellable, callback, user_data);
}

void
hd_client_start_chat_async (HdClient            *self,
                            gint64               request_id,
                            gint64               technician_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  JsonObject *o = json_object_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (HD_IS_CLIENT (self));
  json_object_set_int_member (o, "request_id", request_id);
  if (technician_id > 0)
    json_object_set_int_member (o, "technician_id", technician_id);
  body = object_node (o);
  chat_call (self, "POST", "/chats", body, cancellable, callback, user_data);
}

void
hd_client_accept_chat_async (HdClient            *self,
                             gint64               chat_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autofree char *path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT "/accept", chat_id);

  g_return_if_fail (HD_IS_CLIENT (self));
  chat_call (self, "POST", path, NULL, cancellable, callback, user_data);
}

void
hd_client_end_chat_async (HdClient            *self,
                          gint64               chat_id,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autofree char *path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT "/end", chat_id);

  g_return_if_fail (HD_IS_CLIENT (self));
  chat_call (self, "POST", path, NULL, cancellable, callback, user_data);
}

HdChat *
hd_client_chat_finish (HdClient      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  return typed_finish (self, result, hd_client_chat_finish, error);
}

void
hd_client_email_chat_async (HdClient            *self,
                            gint64               chat_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT "/email", chat_id);

  g_return_if_fail (HD_IS_CLIENT (self));
  typed_call (self, "POST", path, NULL, parse_sent_to, g_free,
              hd_client_email_chat_async, cancellable, callback, user_data);
}

char *
hd_client_email_chat_finish (HdClient      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return typed_finish (self, result, hd_client_email_chat_async, error);
}

void
hd_client_list_messages_async (HdClient            *self,
                               gint64               chat_id,
                               gint64               after_seq,
                               guint                limit,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GString) path = g_string_new (NULL);

  g_return_if_fail (HD_IS_CLIENT (self));
  g_string_printf (path, "/chats/%" G_GINT64_FORMAT "/messages?after=%" G_GINT64_FORMAT,
                   chat_id, MAX (after_seq, 0));
  if (limit > 0)
    g_string_append_printf (path, "&limit=%u", limit);
  typed_call (self, "GET", path->str, NULL, parse_messages, (GDestroyNotify) message_page_free,
              hd_client_list_messages_async, cancellable, callback, user_data);
}

GPtrArray *
hd_client_list_messages_finish (HdClient      *self,
                                GAsyncResult  *result,
                                gboolean      *out_more,
                                GError       **error)
{
  MessagePage *page = typed_finish (self, result, hd_client_list_messages_async, error);
  GPtrArray *messages;

  if (page == NULL)
    return NULL;
  if (out_more)
    *out_more = page->more;
  messages = g_steal_pointer (&page->messages);
  message_page_free (page);
  return messages;
}

void
hd_client_post_message_async (HdClient            *self,
                              gint64               chat_id,
                              const char          *body,
                              const char          *client_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *fresh = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *o;

  g_return_if_fail (HD_IS_CLIENT (self));

  if (!hd_protocol_validate_message_body (body, -1, &error))
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
      g_task_set_source_tag (task, hd_client_post_message_async);
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_BAD_REQUEST, "%s", error->message);
      return;
    }
  if (client_id == NULL)
    client_id = fresh = g_uuid_string_random ();

  o = json_object_new ();
  json_object_set_string_member (o, "body", body);
  json_object_set_string_member (o, "client_id", client_id);
  node = object_node (o);
  path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT "/messages", chat_id);
  typed_call (self, "POST", path, node, parse_message, g_object_unref,
              hd_client_post_message_async, cancellable, callback, user_data);
}

HdMessage *
hd_client_post_message_finish (HdClient      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return typed_finish (self, result, hd_client_post_message_async, error);
}
