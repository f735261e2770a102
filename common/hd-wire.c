/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-wire"

#include "hd-wire.h"
#include "hd-json.h"
#include "hd-protocol.h"

#include <string.h>

/* ---- enumerations ----------------------------------------------------- */

#define ENUM_GVALUE(value, nick) { value, #value, nick },
#define ENUM_NICK(value, nick) nick,

#define DEFINE_ENUM(TypeName, type_name, VALUES)                               \
  static const char *type_name##_nicks[] = { VALUES (ENUM_NICK) };             \
                                                                               \
  GType                                                                        \
  type_name##_get_type (void)                                                  \
  {                                                                            \
    static gsize type = 0;                                                     \
    static const GEnumValue values[] = { VALUES (ENUM_GVALUE) { 0, NULL, NULL } }; \
                                                                               \
    if (g_once_init_enter (&type))                                             \
      g_once_init_leave (&type, g_enum_register_static (#TypeName, values));   \
    return type;                                                               \
  }                                                                            \
                                                                               \
  const char *                                                                 \
  type_name##_to_string (TypeName value)                                       \
  {                                                                            \
    if ((guint) value < G_N_ELEMENTS (type_name##_nicks))                      \
      return type_name##_nicks[value];                                         \
    return type_name##_nicks[0];                                               \
  }                                                                            \
                                                                               \
  gboolean                                                                     \
  type_name##_from_string (const char *str,                                    \
                           TypeName   *out)                                    \
  {                                                                            \
    for (guint i = 0; str != NULL && i < G_N_ELEMENTS (type_name##_nicks); i++) \
      if (strcmp (str, type_name##_nicks[i]) == 0)                             \
        {                                                                      \
          *out = (TypeName) i;                                                 \
          return TRUE;                                                         \
        }                                                                      \
    return FALSE;                                                              \
  }

DEFINE_ENUM (HdRole,          hd_role,           HD_ROLE_VALUES)
DEFINE_ENUM (HdChatState,     hd_chat_state,     HD_CHAT_STATE_VALUES)
DEFINE_ENUM (HdRequestStatus, hd_request_status, HD_REQUEST_STATUS_VALUES)
DEFINE_ENUM (HdTargetKind,    hd_target_kind,    HD_TARGET_KIND_VALUES)
DEFINE_ENUM (HdNoteKind,      hd_note_kind,      HD_NOTE_KIND_VALUES)
DEFINE_ENUM (HdEndReason,     hd_end_reason,     HD_END_REASON_VALUES)
DEFINE_ENUM (HdMessageKind,   hd_message_kind,   HD_MESSAGE_KIND_VALUES)
DEFINE_ENUM (HdCannedScope,   hd_canned_scope,   HD_CANNED_SCOPE_VALUES)

/* ---- records ------------------------------------------------------------ */

void
hd_user_record_free (HdUserRecord *user)
{
  if (user == NULL)
    return;
  g_free (user->login);
  g_free (user->name);
  g_free (user->email);
  g_free (user->password_hash);
  g_free (user);
}

HdUserRecord *
hd_user_record_copy (const HdUserRecord *user)
{
  HdUserRecord *copy;

  if (user == NULL)
    return NULL;
  copy = g_memdup2 (user, sizeof *user);
  copy->login = g_strdup (user->login);
  copy->name = g_strdup (user->name);
  copy->email = g_strdup (user->email);
  copy->password_hash = g_strdup (user->password_hash);
  return copy;
}

void
hd_request_record_free (HdRequestRecord *request)
{
  if (request == NULL)
    return;
  g_free (request->subject);
  g_free (request->description);
  g_free (request);
}

void
hd_message_record_free (HdMessageRecord *message)
{
  if (message == NULL)
    return;
  g_free (message->author_name);
  g_free (message->body);
  g_free (message->client_id);
  g_free (message);
}

void
hd_note_record_free (HdNoteRecord *note)
{
  if (note == NULL)
    return;
  g_free (note->body);
  g_free (note);
}

void
hd_team_record_free (HdTeamRecord *team)
{
  if (team == NULL)
    return;
  g_free (team->name);
  if (team->member_ids != NULL)
    g_array_unref (team->member_ids);
  g_free (team);
}

void
hd_attachment_record_free (HdAttachmentRecord *attachment)
{
  if (attachment == NULL)
    return;
  g_free (attachment->filename);
  g_free (attachment->content_type);
  g_free (attachment->sha256);
  g_free (attachment);
}

void
hd_canned_record_free (HdCannedRecord *canned)
{
  if (canned == NULL)
    return;
  g_free (canned->shortcut);
  g_free (canned->title);
  g_free (canned->body);
  g_free (canned);
}

void
hd_search_hit_record_free (HdSearchHitRecord *hit)
{
  if (hit == NULL)
    return;
  g_free (hit->snippet);
  g_free (hit);
}

/* ---- record -> JSON ---------------------------------------------------- */

static void
append_bool (GString  *out,
             gboolean  value)
{
  g_string_append (out, value ? "true" : "false");
}

static void
append_int (GString *out,
            gint64   value)
{
  char buf[24];

  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  g_string_append (out, buf);
}

void
hd_wire_write_user (GString            *out,
                    const HdUserRecord *u,
                    const HdWireView   *view)
{
  gboolean show_private = view->staff || view->viewer_id == u->id;

  g_string_append (out, "{\"id\":");
  append_int (out, u->id);
  if (show_private)
    {
      HD_JSON_KEY (out, "login");
      hd_json_append_string (out, u->login);
    }
  HD_JSON_KEY (out, "name");
  hd_json_append_string (out, u->name);
  if (show_private)
    {
      HD_JSON_KEY (out, "email");
      hd_json_append_string (out, u->email);
    }
  HD_JSON_KEY (out, "role");
  hd_json_append_string (out, hd_role_to_string (u->role));
  HD_JSON_KEY (out, "available_for_chat");
  append_bool (out, u->available);
  HD_JSON_KEY (out, "online");
  append_bool (out, u->online);
  HD_JSON_KEY (out, "away");
  append_bool (out, u->away);
  if (u->active_chats_known && view->staff)
    {
      HD_JSON_KEY (out, "active_chats");
      append_int (out, u->active_chats);
    }
  g_string_append_c (out, '}');
}

void
hd_wire_write_user_id (GString          *out,
                       gint64            id,
                       const HdWireView *view)
{
  const HdUserRecord *u = id > 0 && view->user ? view->user (view->data, id) : NULL;

  if (u == NULL)
    g_string_append (out, "null");
  else
    hd_wire_write_user (out, u, view);
}

void
hd_wire_write_chat (GString            *out,
                    const HdChatRecord *c,
                    const HdWireView   *view)
{
  hd_wire_write_chat_open (out, c, view);
  if (view->chat_facts != NULL)
    {
      HdChatFacts facts = { 0, -1, NULL };

      view->chat_facts (view->data, c, &facts);
      hd_wire_write_chat_extra (out, facts.queue_position, facts.estimated_wait_s, c->rating,
                                facts.rating_comment);
    }
  g_string_append_c (out, '}');
}

void
hd_wire_write_chat_open (GString            *out,
                         const HdChatRecord *c,
                         const HdWireView   *view)
{
  g_string_append (out, "{\"id\":");
  append_int (out, c->id);
  HD_JSON_KEY (out, "request_id");
  append_int (out, c->request_id);
  HD_JSON_KEY (out, "state");
  hd_json_append_string (out, hd_chat_state_to_string (c->state));
  HD_JSON_KEY (out, "customer");
  hd_wire_write_user_id (out, c->customer_id, view);
  HD_JSON_KEY (out, "technician");
  hd_wire_write_user_id (out, c->technician_id, view);
  g_string_append (out, ",\"target\":{\"kind\":");
  hd_json_append_string (out, hd_target_kind_to_string (c->target_kind));
  g_string_append (out, ",\"id\":");
  append_int (out, c->target_id);
  g_string_append_c (out, '}');
  HD_JSON_KEY (out, "note_id");
  hd_json_append_id (out, c->note_id);
  HD_JSON_KEY (out, "created_at");
  hd_json_append_time (out, c->created_at);
  HD_JSON_KEY (out, "accepted_at");
  hd_json_append_time (out, c->accepted_at);
  HD_JSON_KEY (out, "ended_at");
  hd_json_append_time (out, c->ended_at);
  HD_JSON_KEY (out, "end_reason");
  hd_json_append_string (out, c->end_reason == HD_END_REASON_NONE ? NULL : hd_end_reason_to_string (c->end_reason));
}

void
hd_wire_write_chat_extra (GString    *out,
                          gint64      queue_position,
                          gint64      estimated_wait_s,
                          int         rating,
                          const char *comment)
{
  HD_JSON_KEY (out, "queue_position");
  if (queue_position > 0)
    append_int (out, queue_position);
  else
    g_string_append (out, "null");
  HD_JSON_KEY (out, "estimated_wait_s");
  if (queue_position > 0 && estimated_wait_s >= 0)
    append_int (out, estimated_wait_s);
  else
    g_string_append (out, "null");
  HD_JSON_KEY (out, "rating");
  hd_wire_write_rating (out, rating, comment);
}

void
hd_wire_write_rating (GString    *out,
                      int         score,
                      const char *comment)
{
  if (score <= 0)
    {
      g_string_append (out, "null");
      return;
    }
  g_string_append (out, "{\"score\":");
  append_int (out, score);
  HD_JSON_KEY (out, "comment");
  hd_json_append_string (out, comment);
  g_string_append_c (out, '}');
}

void
hd_wire_write_message (GString               *out,
                       const HdMessageRecord *m,
                       const HdWireView      *view)
{
  hd_wire_write_message_open (out, m, view);
  if (m->attachment_id > 0 && view->attachment != NULL)
    {
      const HdAttachmentRecord *a = view->attachment (view->data, m->attachment_id);

      if (a != NULL)
        {
          HD_JSON_KEY (out, "attachment");
          hd_wire_write_attachment (out, a);
        }
    }
  g_string_append_c (out, '}');
}

void
hd_wire_write_message_open (GString               *out,
                            const HdMessageRecord *m,
                            const HdWireView      *view)
{
  g_string_append (out, "{\"id\":");
  append_int (out, m->id);
  HD_JSON_KEY (out, "chat_id");
  append_int (out, m->chat_id);
  HD_JSON_KEY (out, "seq");
  append_int (out, m->seq);
  HD_JSON_KEY (out, "kind");
  hd_json_append_string (out, hd_message_kind_to_string (m->attachment_id > 0 ? HD_MESSAGE_KIND_ATTACHMENT
                                                                              : m->kind));
  HD_JSON_KEY (out, "author");
  /* A system message is the server's, whoever caused it. */
  if (m->kind == HD_MESSAGE_KIND_SYSTEM)
    g_string_append (out, "null");
  else
    hd_wire_write_user_id (out, m->author_id, view);
  HD_JSON_KEY (out, "body");
  hd_json_append_string (out, m->body);
  HD_JSON_KEY (out, "client_id");
  hd_json_append_string (out, m->client_id);
  HD_JSON_KEY (out, "created_at");
  hd_json_append_time (out, m->created_at);
}

void
hd_wire_write_attachment (GString                  *out,
                          const HdAttachmentRecord *a)
{
  g_string_append (out, "{\"id\":");
  append_int (out, a->id);
  HD_JSON_KEY (out, "filename");
  hd_json_append_string (out, a->filename);
  HD_JSON_KEY (out, "content_type");
  hd_json_append_string (out, a->content_type);
  HD_JSON_KEY (out, "size");
  append_int (out, a->size);
  HD_JSON_KEY (out, "sha256");
  hd_json_append_string (out, a->sha256);
  g_string_append_c (out, '}');
}

void
hd_wire_write_canned (GString              *out,
                      const HdCannedRecord *c)
{
  g_string_append (out, "{\"id\":");
  append_int (out, c->id);
  HD_JSON_KEY (out, "shortcut");
  hd_json_append_string (out, c->shortcut);
  HD_JSON_KEY (out, "title");
  hd_json_append_string (out, c->title);
  HD_JSON_KEY (out, "body");
  hd_json_append_string (out, c->body);
  HD_JSON_KEY (out, "scope");
  hd_json_append_string (out, hd_canned_scope_to_string (c->scope));
  HD_JSON_KEY (out, "team_id");
  hd_json_append_id (out, c->scope == HD_CANNED_SCOPE_TEAM ? c->team_id : 0);
  g_string_append_c (out, '}');
}

/* The snippet without its marks, and the marked ranges in characters. */
static void
write_snippet (GString    *out,
               const char *marked)
{
  g_autoptr(GString) plain = g_string_new (NULL);
  g_autoptr(GString) ranges = g_string_new (NULL);
  glong chars = 0, start = -1;

  for (const char *p = marked ? marked : ""; *p; p = g_utf8_next_char (p))
    {
      if (*p == HD_SEARCH_MARK_START)
        start = chars;
      else if (*p == HD_SEARCH_MARK_END)
        {
          if (start >= 0 && chars > start)
            g_string_append_printf (ranges, "%s{\"start\":%ld,\"length\":%ld}",
                                    ranges->len ? "," : "", start, chars - start);
          start = -1;
        }
      else
        {
          g_string_append_len (plain, p, g_utf8_next_char (p) - p);
          chars++;
        }
    }
  HD_JSON_KEY (out, "snippet");
  hd_json_append_string (out, plain->str);
  g_string_append (out, ",\"highlights\":[");
  g_string_append_len (out, ranges->str, ranges->len);
  g_string_append_c (out, ']');
}

void
hd_wire_write_search_hit (GString                 *out,
                          const HdSearchHitRecord *h)
{
  g_string_append (out, "{\"request_id\":");
  append_int (out, h->request_id);
  HD_JSON_KEY (out, "chat_id");
  hd_json_append_id (out, h->chat_id);
  HD_JSON_KEY (out, "message_id");
  hd_json_append_id (out, h->message_id);
  HD_JSON_KEY (out, "note_id");
  hd_json_append_id (out, h->note_id);
  write_snippet (out, h->snippet);
  HD_JSON_KEY (out, "created_at");
  hd_json_append_time (out, h->created_at);
  g_string_append_c (out, '}');
}

static void
write_note_head (GString            *out,
                 const HdNoteRecord *n)
{
  g_string_append (out, "{\"id\":");
  append_int (out, n->id);
  HD_JSON_KEY (out, "request_id");
  append_int (out, n->request_id);
  HD_JSON_KEY (out, "kind");
  hd_json_append_string (out, hd_note_kind_to_string (n->kind));
  HD_JSON_KEY (out, "chat_id");
  hd_json_append_id (out, n->chat_id);
  HD_JSON_KEY (out, "created_at");
  hd_json_append_time (out, n->created_at);
  HD_JSON_KEY (out, "updated_at");
  hd_json_append_time (out, n->updated_at);
}

void
hd_wire_write_note (GString            *out,
                    const HdNoteRecord *n,
                    const char         *body)
{
  hd_wire_write_note_open (out, n, body);
  g_string_append_c (out, '}');
}

void
hd_wire_write_note_for (GString            *out,
                        const HdNoteRecord *n,
                        const char         *body,
                        const HdWireView   *view)
{
  hd_wire_write_note_open (out, n, body);
  if (view->chat_rating != NULL)
    {
      HD_JSON_KEY (out, "author");
      hd_wire_write_user_id (out, n->author_id, view);
      if (n->kind == HD_NOTE_KIND_TRANSCRIPT)
        {
          const char *comment = NULL;
          int score = n->chat_id > 0 ? view->chat_rating (view->data, n->chat_id, &comment) : 0;

          HD_JSON_KEY (out, "rating");
          hd_wire_write_rating (out, score, comment);
        }
    }
  g_string_append_c (out, '}');
}

void
hd_wire_write_note_open (GString            *out,
                         const HdNoteRecord *n,
                         const char         *body)
{
  write_note_head (out, n);
  HD_JSON_KEY (out, "body");
  hd_json_append_string (out, body ? body : "");
  if (n->kind == HD_NOTE_KIND_TRANSCRIPT)
    {
      HD_JSON_KEY (out, "length");
      append_int (out, n->length);
    }
}

void
hd_wire_write_note_appended (GString            *out,
                             const HdNoteRecord *n,
                             const char         *appended)
{
  write_note_head (out, n);
  HD_JSON_KEY (out, "appended");
  hd_json_append_string (out, appended);
  HD_JSON_KEY (out, "length");
  append_int (out, n->length);
  g_string_append_c (out, '}');
}

void
hd_wire_write_request (GString               *out,
                       const HdRequestRecord *r,
                       const HdChatRecord    *active_chat,
                       const HdChatOptions   *options,
                       const HdWireView      *view)
{
  const HdTeamRecord *team = r->team_id > 0 && view->team ? view->team (view->data, r->team_id) : NULL;

  g_string_append (out, "{\"id\":");
  append_int (out, r->id);
  HD_JSON_KEY (out, "subject");
  hd_json_append_string (out, r->subject);
  HD_JSON_KEY (out, "description");
  hd_json_append_string (out, r->description ? r->description : "");
  HD_JSON_KEY (out, "status");
  hd_json_append_string (out, hd_request_status_to_string (r->closed ? HD_REQUEST_STATUS_CLOSED
                                                                      : HD_REQUEST_STATUS_OPEN));
  HD_JSON_KEY (out, "customer");
  hd_wire_write_user_id (out, r->customer_id, view);
  HD_JSON_KEY (out, "assignee");
  hd_wire_write_user_id (out, r->assignee_id, view);
  HD_JSON_KEY (out, "team");
  if (team != NULL)
    {
      g_string_append (out, "{\"id\":");
      append_int (out, team->id);
      HD_JSON_KEY (out, "name");
      hd_json_append_string (out, team->name);
      g_string_append_c (out, '}');
    }
  else
    g_string_append (out, "null");
  HD_JSON_KEY (out, "active_chat");
  if (active_chat != NULL)
    hd_wire_write_chat (out, active_chat, view);
  else
    g_string_append (out, "null");
  if (options != NULL)
    {
      g_string_append (out, ",\"chat_options\":{\"can_start\":");
      append_bool (out, options->can_start);
      HD_JSON_KEY (out, "reason");
      hd_json_append_string (out, options->reason);
      g_string_append (out, ",\"technicians\":[");
      for (guint i = 0; options->technicians != NULL && i < options->technicians->len; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          hd_wire_write_user (out, g_ptr_array_index (options->technicians, i), view);
        }
      g_string_append (out, "]}");
    }
  g_string_append_c (out, '}');
}

void
hd_wire_write_team (GString            *out,
                    const HdTeamRecord *t,
                    GArray             *member_ids,
                    const HdWireView   *view)
{
  g_string_append (out, "{\"id\":");
  append_int (out, t->id);
  HD_JSON_KEY (out, "name");
  hd_json_append_string (out, t->name);
  g_string_append (out, ",\"members\":[");
  for (guint i = 0; member_ids != NULL && i < member_ids->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      hd_wire_write_user_id (out, g_array_index (member_ids, gint64, i), view);
    }
  g_string_append (out, "]}");
}

void
hd_wire_write_privileges (GString            *out,
                          const HdPrivileges *p)
{
  g_string_append (out, "{\"chat_enabled\":");
  append_bool (out, p->chat_enabled);
  HD_JSON_KEY (out, "customer_chat_with_team");
  append_bool (out, p->customer_chat_with_team);
  HD_JSON_KEY (out, "max_chats_per_technician");
  append_int (out, p->max_chats_per_technician);
  HD_JSON_KEY (out, "waiting_timeout_s");
  append_int (out, p->waiting_timeout_s);
  HD_JSON_KEY (out, "inactivity_timeout_s");
  append_int (out, p->inactivity_timeout_s);
  g_string_append_c (out, '}');
}

void
hd_wire_write_typing (GString *out,
                      gint64   chat_id,
                      gint64   user_id)
{
  g_string_append (out, "{\"chat_id\":");
  append_int (out, chat_id);
  HD_JSON_KEY (out, "user_id");
  append_int (out, user_id);
  g_string_append_c (out, '}');
}

char *
hd_wire_error_body (const char *code,
                    const char *message)
{
  return hd_json_error_body (code, message);
}

char *
hd_wire_frame (const char *type,
               const char *data)
{
  GString *out = g_string_sized_new (strlen (data) + 32);

  g_string_append (out, "{\"type\":");
  hd_json_append_string (out, type);
  g_string_append (out, ",\"data\":");
  g_string_append (out, data);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/* ---- JSON -> record ---------------------------------------------------- */

static gboolean
read_int (JsonObject *o,
          const char *member,
          gint64     *out)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (n);
  return TRUE;
}

/* An id or null (0); FALSE only for a wrong type. */
static gboolean
read_optional_id (JsonObject *o,
                  const char *member,
                  gint64     *out)
{
  JsonNode *n = json_object_get_member (o, member);

  *out = 0;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  return read_int (o, member, out);
}

static const char *
read_string (JsonObject *o,
             const char *member)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static gboolean
read_bool (JsonObject *o,
           const char *member,
           gboolean   *out)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
    return FALSE;
  *out = json_node_get_boolean (n);
  return TRUE;
}

/* A time or null (0). */
static gboolean
read_time (JsonObject *o,
           const char *member,
           gint64     *out)
{
  JsonNode *n = json_object_get_member (o, member);

  *out = 0;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  return hd_protocol_parse_time (read_string (o, member), out);
}

/* The id of a nested object, or null (0). */
static gboolean
read_nested_id (JsonObject *o,
                const char *member,
                gint64     *out)
{
  JsonNode *n = json_object_get_member (o, member);

  *out = 0;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (n))
    return FALSE;
  return read_int (json_node_get_object (n), "id", out);
}

gboolean
hd_wire_read_user (JsonObject   *o,
                   HdUserRecord *out)
{
  const char *role = read_string (o, "role");

  if (!read_int (o, "id", &out->id) || read_string (o, "name") == NULL ||
      !hd_role_from_string (role, &out->role))
    return FALSE;
  g_free (out->name);
  out->name = g_strdup (read_string (o, "name"));
  /* left out for customers looking at other people */
  g_free (out->login);
  out->login = g_strdup (read_string (o, "login"));
  g_free (out->email);
  out->email = g_strdup (read_string (o, "email"));
  out->available = FALSE;
  out->online = FALSE;
  out->away = FALSE;
  read_bool (o, "available_for_chat", &out->available);
  read_bool (o, "online", &out->online);
  read_bool (o, "away", &out->away);
  return TRUE;
}

gboolean
hd_wire_read_chat (JsonObject   *o,
                   HdChatRecord *out)
{
  JsonObject *target;
  JsonNode *n;

  if (!read_int (o, "id", &out->id) || !read_int (o, "request_id", &out->request_id) ||
      !hd_chat_state_from_string (read_string (o, "state"), &out->state) ||
      !read_nested_id (o, "customer", &out->customer_id) ||
      !read_nested_id (o, "technician", &out->technician_id) ||
      !read_optional_id (o, "note_id", &out->note_id) ||
      !read_time (o, "created_at", &out->created_at) ||
      !read_time (o, "accepted_at", &out->accepted_at) ||
      !read_time (o, "ended_at", &out->ended_at))
    return FALSE;
  n = json_object_get_member (o, "target");
  if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
    return FALSE;
  target = json_node_get_object (n);
  out->end_reason = HD_END_REASON_NONE;
  hd_end_reason_from_string (read_string (o, "end_reason"), &out->end_reason);
  return hd_target_kind_from_string (read_string (target, "kind"), &out->target_kind) &&
         read_int (target, "id", &out->target_id);
}

gboolean
hd_wire_read_message (JsonObject      *o,
                      HdMessageRecord *out)
{
  JsonNode *author = json_object_get_member (o, "author");

  if (!read_int (o, "id", &out->id) || !read_int (o, "chat_id", &out->chat_id) ||
      !read_int (o, "seq", &out->seq) || read_string (o, "body") == NULL ||
      !read_nested_id (o, "author", &out->author_id) ||
      !read_time (o, "created_at", &out->created_at))
    return FALSE;
  g_free (out->body);
  out->body = g_strdup (read_string (o, "body"));
  g_free (out->client_id);
  out->client_id = g_strdup (read_string (o, "client_id"));
  out->kind = HD_MESSAGE_KIND_TEXT;
  hd_message_kind_from_string (read_string (o, "kind"), &out->kind);
  g_free (out->author_name);
  out->author_name = author && JSON_NODE_HOLDS_OBJECT (author)
                     ? g_strdup (read_string (json_node_get_object (author), "name")) : NULL;
  return TRUE;
}

gboolean
hd_wire_read_note (JsonObject   *o,
                   HdNoteRecord *out)
{
  if (!read_int (o, "id", &out->id) || !read_int (o, "request_id", &out->request_id) ||
      !hd_note_kind_from_string (read_string (o, "kind"), &out->kind) ||
      !read_optional_id (o, "chat_id", &out->chat_id) ||
      !read_time (o, "created_at", &out->created_at) ||
      !read_time (o, "updated_at", &out->updated_at))
    return FALSE;
  g_free (out->body);
  out->body = g_strdup (read_string (o, "body"));
  out->length = 0;
  read_int (o, "length", &out->length);
  return TRUE;
}

gboolean
hd_wire_read_request (JsonObject      *o,
                      HdRequestRecord *out)
{
  HdRequestStatus status;

  if (!read_int (o, "id", &out->id) || read_string (o, "subject") == NULL ||
      !hd_request_status_from_string (read_string (o, "status"), &status) ||
      !read_nested_id (o, "customer", &out->customer_id) ||
      !read_nested_id (o, "assignee", &out->assignee_id) ||
      !read_nested_id (o, "team", &out->team_id))
    return FALSE;
  out->closed = status == HD_REQUEST_STATUS_CLOSED;
  g_free (out->subject);
  out->subject = g_strdup (read_string (o, "subject"));
  g_free (out->description);
  out->description = g_strdup (read_string (o, "description"));
  return TRUE;
}
