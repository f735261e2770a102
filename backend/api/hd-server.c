/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-server"

#include "hd-server.h"
#include "hd-answers.h"
#include "hd-core.h"
#include "hd-door.h"
#include "hd-api-private.h"
#include "hd-tech.h"
#include "hd-error.h"
#include "hd-json.h"
#include "hd-json-input.h"
#include "hd-protocol.h"
#include "hd-query.h"
#include "hd-routes-customer.h"

#include <json-glib/json-glib.h>
#include <string.h>

struct _HdServer
{
  GObject          parent_instance;

  HdChatService   *service;
  /* the thread where the service and its store live (hd-core.h) */
  HdCore          *core;
  HdHub           *hub;
  HdDoor          *door;
  SoupServer      *soup;
  const char      *store_kind;  /* static: "sqlite" or "postgresql" */
};

G_DEFINE_FINAL_TYPE (HdServer, hd_server, G_TYPE_OBJECT)

/* ---- responses ------------------------------------------------------ */

static void
respond_take (SoupServerMessage *msg,
              guint              status,
              char              *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, strlen (body));
}

static void
respond_error (SoupServerMessage *msg,
               HdErrorCode        code,
               const char        *message)
{
  respond_take (msg, hd_error_code_http_status (code),
                hd_json_error_body (hd_error_code_to_string (code), message));
}

static void
respond_gerror (SoupServerMessage *msg,
                const GError      *error)
{
  if (error->domain == HD_ERROR)
    {
      if (error->code == HD_ERROR_INTERNAL)
        g_warning ("%s", error->message);
      respond_error (msg, (HdErrorCode) error->code, error->message);
    }
  else
    {
      g_warning ("Unexpected error: %s", error->message);
      respond_error (msg, HD_ERROR_INTERNAL, "Internal error");
    }
}

/* Responds with @body (or the error) and frees both. */
/* @error is read only after @body was computed (argument evaluation
 * order is unspecified in C, hence the pointer). */
static void
respond_result (SoupServerMessage  *msg,
                guint               status,
                char               *body,
                GError            **error)
{
  if (body != NULL)
    respond_take (msg, status, body);
  else if (*error != NULL)
    {
      respond_gerror (msg, *error);
      g_clear_error (error);
    }
  else
    respond_error (msg, HD_ERROR_INTERNAL, "Internal error");
}

/* ---- input ---------------------------------------------------------- */

static gboolean
parse_body (Call *call)
{
  SoupMessageBody *body = soup_server_message_get_request_body (call->msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (len > HD_MAX_BODY_BYTES)
    {
      respond_error (call->msg, HD_ERROR_PAYLOAD_TOO_LARGE, "The request body is larger than 64 KiB");
      return FALSE;
    }
  /* Not JSON, not an object, U+0000: one rule for bodies and frames. */
  call->parser = json_parser_new_immutable ();
  call->body = hd_json_input_parse_object (call->parser, data, len, &error);
  if (call->body == NULL)
    {
      respond_gerror (call->msg, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_absent (JsonObject *o,
           const char *member)
{
  JsonNode *n = json_object_get_member (o, member);
  return n == NULL || JSON_NODE_HOLDS_NULL (n);
}

/* Reads a string member; absent (or null) is fine unless @required. */
static gboolean
get_string (Call        *call,
            const char  *member,
            gboolean     required,
            const char **out)
{
  JsonNode *n = json_object_get_member (call->body, member);

  *out = NULL;
  if (is_absent (call->body, member))
    {
      if (required)
        {
          g_autofree char *m = g_strdup_printf ("“%s” is required", member);
          respond_error (call->msg, HD_ERROR_BAD_REQUEST, m);
          return FALSE;
        }
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    {
      g_autofree char *m = g_strdup_printf ("“%s” must be a string", member);
      respond_error (call->msg, HD_ERROR_BAD_REQUEST, m);
      return FALSE;
    }
  *out = json_node_get_string (n);
  return TRUE;
}

/* An id member: *out = -1 when absent, 0 when null (if @nullable). */
static gboolean
get_id (Call       *call,
        const char *member,
        gboolean    required,
        gboolean    nullable,
        gint64     *out)
{
  JsonNode *n = json_object_get_member (call->body, member);

  *out = -1;
  if (n == NULL || (JSON_NODE_HOLDS_NULL (n) && !nullable))
    {
      if (required || n != NULL)
        {
          g_autofree char *m = g_strdup_printf ("“%s” is required", member);
          respond_error (call->msg, HD_ERROR_BAD_REQUEST, m);
          return FALSE;
        }
      return TRUE;
    }
  if (JSON_NODE_HOLDS_NULL (n))
    {
      *out = 0;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64 ||
      json_node_get_int (n) <= 0)
    {
      g_autofree char *m = g_strdup_printf ("“%s” must be a positive integer id", member);
      respond_error (call->msg, HD_ERROR_BAD_REQUEST, m);
      return FALSE;
    }
  *out = json_node_get_int (n);
  return TRUE;
}

/* *out = -1 when absent. */
static gboolean
get_bool (Call       *call,
          const char *member,
          gboolean    required,
          int        *out)
{
  JsonNode *n = json_object_get_member (call->body, member);

  *out = -1;
  if (n == NULL)
    {
      if (required)
        {
          g_autofree char *m = g_strdup_printf ("“%s” is required", member);
          respond_error (call->msg, HD_ERROR_BAD_REQUEST, m);
          return FALSE;
        }
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
    {
      g_autofree char *m = g_strdup_printf ("“%s” must be true or false", member);
      respond_error (call->msg, HD_ERROR_BAD_REQUEST, m);
      return FALSE;
    }
  *out = json_node_get_boolean (n) ? 1 : 0;
  return TRUE;
}


static const char *
bearer_token (SoupServerMessage *msg,
              GHashTable        *query)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");

  if (auth != NULL && g_ascii_strncasecmp (auth, "Bearer ", 7) == 0)
    {
      auth += 7;
      while (*auth == ' ')
        auth++;
      return auth;
    }
  /* For clients that cannot set headers on a WebSocket (browsers). */
  if (query != NULL)
    return g_hash_table_lookup (query, "access_token");
  return NULL;
}

/* ---- async completions ---------------------------------------------- */

static gboolean
unpause_on_main (gpointer data)
{
  soup_server_message_unpause (data);
  return G_SOURCE_REMOVE;
}

/* Core thread: a deferred answer is ready (what it wrote is committed). */
static void
release (HdChatService     *service,
         SoupServerMessage *msg)
{
  hd_core_to_main (hd_core_of (service), unpause_on_main, g_object_ref (msg), g_object_unref);
}

static void
login_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SoupServerMessage) msg = user_data;
  GError *error = NULL;
  g_autoptr(HdLogin) login = hd_chat_service_login_finish (HD_CHAT_SERVICE (source), result, &error);
  char *body = login ? hd_answer_login (HD_CHAT_SERVICE (source), login) : NULL;

  respond_result (msg, SOUP_STATUS_CREATED, body, &error);
  release (HD_CHAT_SERVICE (source), msg);
}

static void
create_user_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SoupServerMessage) msg = user_data;
  GError *error = NULL;
  g_autoptr(HdUserRecord) user = hd_chat_service_create_user_finish (HD_CHAT_SERVICE (source), result, &error);
  /* Only an administrator creates users: a staff view. */
  char *body = user ? hd_answer_user (HD_CHAT_SERVICE (source), user, NULL) : NULL;

  respond_result (msg, SOUP_STATUS_CREATED, body, &error);
  release (HD_CHAT_SERVICE (source), msg);
}

static void
email_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SoupServerMessage) msg = user_data;
  GError *error = NULL;
  g_autofree char *sent_to = hd_chat_service_email_chat_finish (HD_CHAT_SERVICE (source), result, &error);
  char *body = sent_to ? hd_answer_sent_to (sent_to) : NULL;

  respond_result (msg, SOUP_STATUS_ACCEPTED, body, &error);
  release (HD_CHAT_SERVICE (source), msg);
}

/* ---- routes --------------------------------------------------------- */

#define IS(m) (strcmp (method, (m)) == 0)
#define NEED_BODY() G_STMT_START { if (!parse_body (call)) return; } G_STMT_END

static void
method_not_allowed (SoupServerMessage *msg)
{
  respond_take (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                hd_json_error_body ("bad_request", "This method is not allowed on this path"));
}

static void
route_session (HdServer   *self,
               Call       *call,
               const char *method)
{
  GError *error = NULL;

  if (IS ("POST"))
    {
      const char *login, *password;

      NEED_BODY ();
      if (!get_string (call, "login", TRUE, &login) || !get_string (call, "password", TRUE, &password))
        return;
      call->job->deferred = TRUE;
      hd_chat_service_login_async (self->service, login, password, NULL, login_done,
                                   g_object_ref (call->msg));
    }
  else if (IS ("DELETE"))
    {
      if (!hd_chat_service_logout (self->service, call->token, &error))
        {
          respond_gerror (call->msg, error);
          g_error_free (error);
          return;
        }
      soup_server_message_set_status (call->msg, SOUP_STATUS_NO_CONTENT, NULL);
    }
  else
    method_not_allowed (call->msg);
}

static void
route_me (HdServer   *self,
          Call       *call,
          const char *method)
{
  GError *error = NULL;

  if (IS ("GET"))
    {
      g_autoptr(HdUserRecord) me = hd_chat_service_get_me (self->service, call->user, &error);

      respond_result (call->msg, 200, me ? hd_answer_user (self->service, me, call->user) : NULL, &error);
    }
  else if (IS ("PATCH"))
    {
      int available, away;

      NEED_BODY ();
      if (!get_bool (call, "available_for_chat", FALSE, &available) ||
          !get_bool (call, "away", FALSE, &away))
        return;
      if (available < 0 && away < 0)
        {
          respond_error (call->msg, HD_ERROR_BAD_REQUEST, "Give available_for_chat or away");
          return;
        }
      g_autoptr(HdUserRecord) user = hd_tech_set_presence (self->service, call->user, available, away, &error);

      respond_result (call->msg, 200,
                      user ? hd_answer_user (self->service, user, user) : NULL, &error);
    }
  else
    method_not_allowed (call->msg);
}

static void
route_privileges (HdServer   *self,
                  Call       *call,
                  const char *method)
{
  GError *error = NULL;
  HdPrivileges p;

  if (IS ("GET"))
    respond_result (call->msg, 200,
                    hd_chat_service_get_privileges (self->service, call->user, &p, &error)
                    ? hd_answer_privileges (&p) : NULL, &error);
  else if (IS ("PATCH"))
    {
      int enabled, with_team;
      gint64 max_chats, waiting, inactivity;

      NEED_BODY ();
      if (!get_bool (call, "chat_enabled", FALSE, &enabled) ||
          !get_bool (call, "customer_chat_with_team", FALSE, &with_team) ||
          !hd_api_get_int (call, "max_chats_per_technician", 0, 1000, &max_chats) ||
          !hd_api_get_int (call, "waiting_timeout_s", 1, 7 * 24 * 3600, &waiting) ||
          !hd_api_get_int (call, "inactivity_timeout_s", 0, 7 * 24 * 3600, &inactivity))
        return;
      respond_result (call->msg, 200,
                      hd_chat_service_update_privileges (self->service, call->user, enabled, with_team,
                                                         max_chats, waiting, inactivity, &p, &error)
                      ? hd_answer_privileges (&p) : NULL, &error);
    }
  else
    method_not_allowed (call->msg);
}

static void
route_users (HdServer   *self,
             Call       *call,
             const char *method,
             GHashTable *query)
{
  GError *error = NULL;

  if (IS ("GET"))
    {
      const char *role_text = query ? g_hash_table_lookup (query, "role") : NULL;
      HdRole role = HD_ROLE_CUSTOMER;

      if (role_text != NULL && !hd_role_from_string (role_text, &role))
        {
          respond_error (call->msg, HD_ERROR_BAD_REQUEST, "role must be admin, technician or customer");
          return;
        }
      g_autoptr(GPtrArray) users = hd_chat_service_list_users (self->service, call->user,
                                                               role_text ? (int) role : -1, &error);

      respond_result (call->msg, 200, users ? hd_answer_users (self->service, users, call->user) : NULL, &error);
    }
  else if (IS ("POST"))
    {
      const char *login, *name, *email, *role_text, *password;
      gint64 team_id;
      HdRole role;

      NEED_BODY ();
      if (!get_string (call, "login", TRUE, &login) ||
          !get_string (call, "name", TRUE, &name) ||
          !get_string (call, "email", TRUE, &email) ||
          !get_string (call, "role", TRUE, &role_text) ||
          !get_string (call, "password", TRUE, &password) ||
          !get_id (call, "team_id", FALSE, TRUE, &team_id))
        return;
      if (!hd_role_from_string (role_text, &role))
        {
          respond_error (call->msg, HD_ERROR_BAD_REQUEST, "role must be admin, technician or customer");
          return;
        }
      call->job->deferred = TRUE;
      hd_chat_service_create_user_async (self->service, call->user, login, name, email, role, password,
                                         team_id, NULL, create_user_done, g_object_ref (call->msg));
    }
  else
    method_not_allowed (call->msg);
}

static void
route_teams (HdServer   *self,
             Call       *call,
             const char *method)
{
  GError *error = NULL;

  if (IS ("GET"))
    {
      g_autoptr(GPtrArray) teams = hd_chat_service_list_teams (self->service, call->user, &error);

      respond_result (call->msg, 200, teams ? hd_answer_teams (self->service, teams, call->user) : NULL, &error);
    }
  else if (IS ("POST"))
    {
      const char *name;
      JsonNode *n;
      g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(HdTeamRecord) team = NULL;

      NEED_BODY ();
      if (!get_string (call, "name", TRUE, &name))
        return;
      n = json_object_get_member (call->body, "member_ids");
      if (n != NULL && !JSON_NODE_HOLDS_NULL (n))
        {
          JsonArray *a;

          if (!JSON_NODE_HOLDS_ARRAY (n))
            {
              respond_error (call->msg, HD_ERROR_BAD_REQUEST, "member_ids must be an array of ids");
              return;
            }
          a = json_node_get_array (n);
          for (guint i = 0; i < json_array_get_length (a); i++)
            {
              JsonNode *e = json_array_get_element (a, i);
              gint64 id;

              if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_INT64 ||
                  (id = json_node_get_int (e)) <= 0)
                {
                  respond_error (call->msg, HD_ERROR_BAD_REQUEST, "member_ids must be an array of ids");
                  return;
                }
              g_array_append_val (ids, id);
            }
        }
      team = hd_chat_service_create_team (self->service, call->user, name,
                                          (const gint64 *) (gpointer) ids->data, ids->len, &error);
      respond_result (call->msg, 201, team ? hd_answer_team (self->service, team, call->user) : NULL, &error);
    }
  else
    method_not_allowed (call->msg);
}

static void
route_requests (HdServer    *self,
                Call        *call,
                const char  *method,
                char       **seg,
                guint        n_seg)
{
  GError *error = NULL;
  gint64 id;

  if (n_seg == 1)
    {
      if (IS ("GET"))
        {
          g_autoptr(GPtrArray) list = hd_chat_service_list_requests (self->service, call->user, &error);

          respond_result (call->msg, 200, list ? hd_answer_requests (self->service, list, call->user) : NULL,
                          &error);
        }
      else if (IS ("POST"))
        {
          const char *subject, *description;
          gint64 customer_id, assignee_id, team_id;
          g_autoptr(HdRequestEntry) entry = NULL;

          NEED_BODY ();
          if (!get_string (call, "subject", TRUE, &subject) ||
              !get_string (call, "description", FALSE, &description) ||
              !get_id (call, "customer_id", FALSE, TRUE, &customer_id) ||
              !get_id (call, "assignee_id", FALSE, TRUE, &assignee_id) ||
              !get_id (call, "team_id", FALSE, TRUE, &team_id))
            return;
          entry = hd_chat_service_create_request (self->service, call->user, subject, description,
                                                  MAX (customer_id, 0), MAX (assignee_id, 0),
                                                  MAX (team_id, 0), &error);
          respond_result (call->msg, 201, entry ? hd_answer_request (self->service, entry, call->user) : NULL,
                          &error);
        }
      else
        method_not_allowed (call->msg);
      return;
    }

  if (!hd_query_parse_id (seg[1], &id) || n_seg > 3 || (n_seg == 3 && strcmp (seg[2], "notes") != 0))
    {
      respond_error (call->msg, HD_ERROR_NOT_FOUND, "No such request");
      return;
    }

  if (n_seg == 3)
    {
      if (IS ("GET"))
        {
          g_autoptr(GPtrArray) notes = hd_chat_service_list_notes (self->service, call->user, id, &error);

          respond_result (call->msg, 200, notes ? hd_answer_notes (self->service, notes, call->user) : NULL,
                          &error);
        }
      else if (IS ("POST"))
        {
          NEED_BODY ();
          hd_routes_post_note (self->service, call->msg, call->user, call->body, id);
        }
      else
        method_not_allowed (call->msg);
      return;
    }

  if (IS ("GET"))
    {
      g_autoptr(HdRequestEntry) entry = hd_chat_service_get_request (self->service, call->user, id, &error);

      respond_result (call->msg, 200, entry ? hd_answer_request (self->service, entry, call->user) : NULL, &error);
    }
  else if (IS ("PATCH"))
    {
      const char *status;
      gint64 assignee_id, team_id;
      int closed = -1;
      g_autoptr(HdRequestEntry) entry = NULL;

      NEED_BODY ();
      if (!get_string (call, "status", FALSE, &status) ||
          !get_id (call, "assignee_id", FALSE, TRUE, &assignee_id) ||
          !get_id (call, "team_id", FALSE, TRUE, &team_id))
        return;
      if (status != NULL)
        {
          if (strcmp (status, "open") == 0)
            closed = 0;
          else if (strcmp (status, "closed") == 0)
            closed = 1;
          else
            {
              respond_error (call->msg, HD_ERROR_BAD_REQUEST, "status must be open or closed");
              return;
            }
        }
      entry = hd_chat_service_update_request (self->service, call->user, id, closed,
                                              assignee_id, team_id, &error);
      respond_result (call->msg, 200, entry ? hd_answer_request (self->service, entry, call->user) : NULL, &error);
    }
  else
    method_not_allowed (call->msg);
}


static void
route_chats (HdServer    *self,
             Call        *call,
             const char  *method,
             GHashTable  *query,
             char       **seg,
             guint        n_seg)
{
  GError *error = NULL;
  gint64 id;
  HdChatRecord chat;

  if (n_seg == 1)
    {
      if (IS ("GET"))
        {
          const char *state_text = query ? g_hash_table_lookup (query, "state") : NULL;
          HdChatState state = HD_CHAT_STATE_WAITING;

          if (state_text != NULL && !hd_chat_state_from_string (state_text, &state))
            {
              respond_error (call->msg, HD_ERROR_BAD_REQUEST, "state must be waiting, active or ended");
              return;
            }
          g_autoptr(GArray) chats = NULL;

          chats = hd_chat_service_list_chats (self->service, call->user, state_text ? (int) state : -1, &error);
          respond_result (call->msg, 200, chats ? hd_answer_chats (self->service, chats, call->user) : NULL,
                          &error);
        }
      else if (IS ("POST"))
        {
          gint64 request_id, technician_id;
          int team;

          NEED_BODY ();
          if (!get_id (call, "request_id", TRUE, FALSE, &request_id) ||
              !get_id (call, "technician_id", FALSE, TRUE, &technician_id) ||
              !get_bool (call, "team", FALSE, &team))
            return;
          respond_result (call->msg, 201,
                          hd_chat_service_start_chat (self->service, call->user, request_id,
                                                      team == 1 ? -1 : MAX (technician_id, 0), &chat, &error)
                          ? hd_answer_chat (self->service, &chat, call->user) : NULL, &error);
        }
      else
        method_not_allowed (call->msg);
      return;
    }

  if (n_seg == 2 && strcmp (seg[1], "queue") == 0)
    {
      if (IS ("GET"))
        {
          g_autoptr(GArray) chats = hd_chat_service_queue (self->service, call->user, &error);

          respond_result (call->msg, 200, chats ? hd_answer_chats (self->service, chats, call->user) : NULL,
                          &error);
        }
      else
        method_not_allowed (call->msg);
      return;
    }

  if (!hd_query_parse_id (seg[1], &id) || n_seg > 3)
    {
      respond_error (call->msg, HD_ERROR_NOT_FOUND, "No such chat");
      return;
    }

  if (n_seg == 2)
    {
      if (IS ("GET"))
        respond_result (call->msg, 200,
                        hd_chat_service_get_chat (self->service, call->user, id, &chat, &error)
                        ? hd_answer_chat (self->service, &chat, call->user) : NULL, &error);
      else
        method_not_allowed (call->msg);
    }
  else if (strcmp (seg[2], "accept") == 0)
    {
      if (IS ("POST"))
        respond_result (call->msg, 200,
                        hd_chat_service_accept_chat (self->service, call->user, id, &chat, &error)
                        ? hd_answer_chat (self->service, &chat, call->user) : NULL, &error);
      else
        method_not_allowed (call->msg);
    }
  else if (strcmp (seg[2], "end") == 0)
    {
      if (IS ("POST"))
        respond_result (call->msg, 200,
                        hd_chat_service_end_chat (self->service, call->user, id, &chat, &error)
                        ? hd_answer_chat (self->service, &chat, call->user) : NULL, &error);
      else
        method_not_allowed (call->msg);
    }
  else if (strcmp (seg[2], "rating") == 0)
    {
      if (IS ("POST"))
        {
          NEED_BODY ();
          hd_routes_post_rating (self->service, call->msg, call->user, call->body, id);
        }
      else
        method_not_allowed (call->msg);
    }
  else if (strcmp (seg[2], "attachments") == 0)
    {
      if (IS ("POST"))
        hd_routes_post_attachment (self->service, call->msg, call->user, id, query);
      else
        method_not_allowed (call->msg);
    }
  else if (strcmp (seg[2], "email") == 0)
    {
      if (IS ("POST"))
        {
          call->job->deferred = TRUE;
          hd_chat_service_email_chat_async (self->service, call->user, id, NULL, email_done,
                                            g_object_ref (call->msg));
        }
      else
        method_not_allowed (call->msg);
    }
  else if (strcmp (seg[2], "messages") == 0)
    {
      if (IS ("GET"))
        {
          gint64 after, limit;

          if (!hd_query_int (query, "after", 0, 0, G_MAXINT64, &after) ||
              !hd_query_int (query, "limit", HD_MESSAGES_PAGE_MAX, 1, HD_MESSAGES_PAGE_MAX, &limit))
            {
              respond_error (call->msg, HD_ERROR_BAD_REQUEST,
                             "after must be a sequence number and limit between 1 and 1000");
              return;
            }
          g_autoptr(GPtrArray) list = NULL;
          gboolean more = FALSE;

          list = hd_chat_service_list_messages (self->service, call->user, id, after, (guint) limit, &more, &error);
          respond_result (call->msg, 200,
                          list ? hd_answer_messages (self->service, list, more, call->user) : NULL, &error);
        }
      else if (IS ("POST"))
        {
          const char *body, *client_id;
          gboolean created = FALSE;
          g_autoptr(HdMessageRecord) m = NULL;

          NEED_BODY ();
          if (!get_string (call, "body", TRUE, &body) || !get_string (call, "client_id", FALSE, &client_id))
            return;
          m = hd_chat_service_post_message (self->service, call->user, id, body, client_id, &created, &error);
          respond_result (call->msg, created ? 201 : 200,
                          m ? hd_answer_message (self->service, m, m->author_id == call->user->id ? call->user : NULL,
                                                 call->user) : NULL,
                          &error);
        }
      else
        method_not_allowed (call->msg);
    }
  else
    respond_error (call->msg, HD_ERROR_NOT_FOUND, "No such call");
}

/* Core thread: the routes proper. */
static void
route_api (HdServer          *self,
           Job               *job,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query)
{
  const char *method = soup_server_message_get_method (msg);
  g_auto(GStrv) seg = NULL;
  guint n_seg;
  const char *rest;
  Call call = { msg, NULL, NULL, NULL, NULL, job };
  g_autoptr(GError) error = NULL;

  if (!g_str_has_prefix (path, HD_API_PREFIX "/"))
    {
      respond_error (msg, HD_ERROR_NOT_FOUND, "No such call");
      return;
    }
  rest = path + strlen (HD_API_PREFIX "/");
  seg = g_strsplit (rest, "/", 0);
  n_seg = g_strv_length (seg);
  /* Allow one trailing slash. */
  if (n_seg > 1 && seg[n_seg - 1][0] == '\0')
    {
      g_free (seg[n_seg - 1]);
      seg[--n_seg] = NULL;
    }
  if (n_seg == 0)
    {
      respond_error (msg, HD_ERROR_NOT_FOUND, "No such call");
      return;
    }

  /* Unknown routes are 404 even without a token. */
  if (!(strcmp (seg[0], "session") == 0 || strcmp (seg[0], "me") == 0 ||
        strcmp (seg[0], "setup") == 0 || strcmp (seg[0], "users") == 0 ||
        strcmp (seg[0], "teams") == 0 || strcmp (seg[0], "requests") == 0 ||
        strcmp (seg[0], "chats") == 0 || strcmp (seg[0], "attachments") == 0 ||
        hd_routes_tech_is_known (seg[0])))
    {
      respond_error (msg, HD_ERROR_NOT_FOUND, "No such call");
      return;
    }

  if (strcmp (seg[0], "session") == 0 && n_seg == 1 && IS ("POST"))
    {
      route_session (self, &call, method);
      goto out;
    }

  call.token = bearer_token (msg, NULL);
  call.user = hd_chat_service_authenticate (self->service, call.token, &error);
  if (call.user == NULL)
    {
      respond_gerror (msg, error);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Bearer");
      goto out;
    }

  if (hd_routes_tech_handle (self->service, &call, method, query, seg, n_seg))
    ;
  else if (strcmp (seg[0], "session") == 0 && n_seg == 1)
    route_session (self, &call, method);
  else if (strcmp (seg[0], "me") == 0 && n_seg == 1)
    route_me (self, &call, method);
  else if (strcmp (seg[0], "setup") == 0 && n_seg == 2 && strcmp (seg[1], "privileges") == 0)
    route_privileges (self, &call, method);
  else if (strcmp (seg[0], "users") == 0 && n_seg == 1)
    route_users (self, &call, method, query);
  else if (strcmp (seg[0], "teams") == 0 && n_seg == 1)
    route_teams (self, &call, method);
  else if (strcmp (seg[0], "requests") == 0)
    route_requests (self, &call, method, seg, n_seg);
  else if (strcmp (seg[0], "chats") == 0)
    route_chats (self, &call, method, query, seg, n_seg);
  else if (strcmp (seg[0], "attachments") == 0 && n_seg == 2)
    hd_routes_attachment (self->service, msg, call.user, method, seg[1]);
  else
    respond_error (msg, HD_ERROR_NOT_FOUND, "No such call");

out:
  hd_user_record_free (call.user);
  g_clear_object (&call.parser);
}

static void
job_free (gpointer data)
{
  Job *job = data;

  g_object_unref (job->msg);
  g_free (job->path);
  g_clear_pointer (&job->query, g_hash_table_unref);
  hd_user_record_free (job->user);
  g_free (job);
}

static gboolean
api_on_core (HdChatService *service,
             gpointer       data)
{
  Job *job = data;

  route_api (job->server, job, job->msg, job->path, job->query);
  return job->deferred || soup_server_message_get_status (job->msg) < 400;
}

static void
api_done (gpointer data,
          gboolean committed)
{
  Job *job = data;

  if (job->deferred)
    return;
  if (!committed)
    respond_error (job->msg, HD_ERROR_INTERNAL, "The change could not be stored");
  soup_server_message_unpause (job->msg);
}

static Job *
job_new (HdServer          *self,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query)
{
  Job *job = g_new0 (Job, 1);

  job->server = self;   /* the server outlives its core's commands */
  job->msg = g_object_ref (msg);
  job->path = g_strdup (path);
  job->query = query ? g_hash_table_ref (query) : NULL;
  return job;
}

/* Main context: everything but /health waits for the core thread. */
static void
handle_api (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  HdServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);

  if (strcmp (path, "/health") == 0 || strcmp (path, HD_API_PREFIX "/health") == 0)
    {
      if (IS ("GET") || IS ("HEAD"))
        respond_take (msg, 200, g_strdup_printf ("{\"status\":\"ok\",\"version\":\"" HD_VERSION "\","
                                                 "\"store\":\"%s\"}", self->store_kind));
      else
        method_not_allowed (msg);
      return;
    }

  soup_server_message_pause (msg);
  hd_core_run (self->core, api_on_core, FALSE, api_done, job_new (self, msg, path, query), job_free);
}

static gboolean
events_on_core (HdChatService *service,
                gpointer       data)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;

  job->user = hd_chat_service_authenticate (service, bearer_token (job->msg, job->query), &error);
  if (job->user == NULL)
    respond_gerror (job->msg, error);
  return TRUE;
}

static void
events_done (gpointer data,
             gboolean committed)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;

  if (job->user != NULL &&
      !hd_hub_upgrade (job->server->hub, job->msg, g_steal_pointer (&job->user), &error) &&
      error != NULL)
    respond_gerror (job->msg, error);
  soup_server_message_unpause (job->msg);
}

/* /api/v1/events: authenticate (on the core thread), then the hub answers
 * the upgrade and takes the socket. */
static void
handle_events (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  HdServer *self = user_data;

  if (strcmp (path, HD_API_PREFIX "/events") != 0)
    {
      respond_error (msg, HD_ERROR_NOT_FOUND, "No such call");
      return;
    }
  soup_server_message_pause (msg);
  hd_core_run (self->core, events_on_core, TRUE, events_done, job_new (self, msg, path, query), job_free);
}

/* ---- for the other route files (hd-api-private.h) ------------------- */

gboolean
hd_api_parse_body (Call *call)
{
  return parse_body (call);
}

gboolean
hd_api_get_string (Call        *call,
                   const char  *member,
                   gboolean     required,
                   const char **out)
{
  return get_string (call, member, required, out);
}

gboolean
hd_api_get_id (Call       *call,
               const char *member,
               gboolean    required,
               gboolean    nullable,
               gint64     *out)
{
  return get_id (call, member, required, nullable, out);
}

gboolean
hd_api_get_bool (Call       *call,
                 const char *member,
                 gboolean    required,
                 int        *out)
{
  return get_bool (call, member, required, out);
}

gboolean
hd_api_get_int (Call       *call,
                const char *member,
                gint64      min,
                gint64      max,
                gint64     *out)
{
  JsonNode *n = json_object_get_member (call->body, member);

  *out = -1;
  if (n == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64 ||
      json_node_get_int (n) < min || json_node_get_int (n) > max)
    {
      g_autofree char *m = g_strdup_printf ("“%s” must be a whole number from %" G_GINT64_FORMAT
                                            " to %" G_GINT64_FORMAT, member, min, max);
      respond_error (call->msg, HD_ERROR_BAD_REQUEST, m);
      return FALSE;
    }
  *out = json_node_get_int (n);
  return TRUE;
}

gboolean
hd_api_parse_id (const char *text,
                 gint64     *out)
{
  return hd_query_parse_id (text, out);
}

void
hd_api_respond_error (SoupServerMessage *msg,
                      HdErrorCode        code,
                      const char        *message)
{
  respond_error (msg, code, message);
}

void
hd_api_respond_result (SoupServerMessage  *msg,
                       guint               status,
                       char               *body,
                       GError            **error)
{
  respond_result (msg, status, body, error);
}

void
hd_api_method_not_allowed (SoupServerMessage *msg)
{
  method_not_allowed (msg);
}

/* ---- object --------------------------------------------------------- */

static void
hd_server_dispose (GObject *object)
{
  HdServer *self = HD_SERVER (object);

  if (self->door)
    hd_door_disconnect (self->door);
  g_clear_object (&self->soup);
  g_clear_object (&self->door);
  g_clear_object (&self->hub);
  g_clear_pointer (&self->core, hd_core_free);
  g_clear_object (&self->service);

  G_OBJECT_CLASS (hd_server_parent_class)->dispose (object);
}

static void
hd_server_class_init (HdServerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = hd_server_dispose;
}

static void
hd_server_init (HdServer *self)
{
}

HdServer *
hd_server_new (HdChatService   *service,
               GTlsCertificate *certificate)
{
  HdServer *self = g_object_new (HD_TYPE_SERVER, NULL);

  self->service = g_object_ref (service);
  self->core = hd_core_new (service);
  self->hub = hd_hub_new (self->core);
  /* The connections and their limits (deadlines, body sizes, framing). */
  self->door = hd_door_new (certificate);
  self->soup = g_object_ref (hd_door_get_soup (self->door));
  self->store_kind = "sqlite";

  soup_server_add_handler (self->soup, NULL, handle_api, self, NULL);
  soup_server_add_handler (self->soup, HD_API_PREFIX "/events", handle_events, self, NULL);
  return self;
}

/* What GET /health reports as "store": a static string. */
void
hd_server_set_store_kind (HdServer   *self,
                          const char *kind)
{
  self->store_kind = kind;
}

HdCore *
hd_server_get_core (HdServer *self)
{
  return self->core;
}

HdHub *
hd_server_get_hub (HdServer *self)
{
  return self->hub;
}

SoupServer *
hd_server_get_soup (HdServer *self)
{
  return self->soup;
}

void
hd_server_set_address_limit (HdServer           *self,
                             guint               max_per_address,
                             const char * const *trusted)
{
  hd_door_set_address_limit (self->door, max_per_address, trusted);
}

void
hd_server_set_socket_limit (HdServer *self,
                            guint     max_per_user)
{
  hd_hub_set_max_per_user (self->hub, max_per_user);
}

void
hd_server_set_frame_rate (HdServer *self,
                          guint     frames_per_second)
{
  hd_hub_set_frame_rate (self->hub, frames_per_second);
}

gboolean
hd_server_listen (HdServer    *self,
                  const char  *address,
                  guint        port,
                  guint       *out_port,
                  GError     **error)
{
  return hd_door_listen (self->door, address, port, out_port, error);
}

void
hd_server_shutdown (HdServer *self)
{
  /* The WebSockets were stolen from the server's connections, so
   * disconnecting it leaves them to their close handshake. */
  hd_hub_close_all (self->hub, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "server shutting down");
  hd_door_disconnect (self->door);
}
