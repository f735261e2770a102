/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-request"

#include "hd-request.h"
#include "hd-user.h"
#include "hd-chat.h"
#include "hd-client-private.h"
#include "hd-error.h"

struct _HdRequest
{
  GObject parent_instance;

  gint64 id;
  char *subject;
  char *description;
  char *status;
  HdUser *customer;
  HdUser *assignee;
  gint64 team_id;
  char *team_name;
  HdChat *active_chat;
  gboolean can_start_chat;
  char *chat_reason;
  GListStore *technicians;
};

G_DEFINE_FINAL_TYPE (HdRequest, hd_request, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_SUBJECT,
  PROP_DESCRIPTION,
  PROP_STATUS,
  PROP_CUSTOMER,
  PROP_ASSIGNEE,
  PROP_TEAM_ID,
  PROP_TEAM_NAME,
  PROP_ACTIVE_CHAT,
  PROP_CAN_START_CHAT,
  PROP_CHAT_REASON,
  PROP_TECHNICIANS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hd_request_finalize (GObject *object)
{
  HdRequest *self = HD_REQUEST (object);

  g_free (self->subject);
  g_free (self->description);
  g_free (self->status);
  g_clear_object (&self->customer);
  g_clear_object (&self->assignee);
  g_free (self->team_name);
  g_clear_object (&self->active_chat);
  g_free (self->chat_reason);
  g_clear_object (&self->technicians);
  G_OBJECT_CLASS (hd_request_parent_class)->finalize (object);
}

static void
hd_request_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  HdRequest *self = HD_REQUEST (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_SUBJECT: g_value_set_string (value, self->subject); break;
    case PROP_DESCRIPTION: g_value_set_string (value, self->description); break;
    case PROP_STATUS: g_value_set_string (value, self->status); break;
    case PROP_CUSTOMER: g_value_set_object (value, self->customer); break;
    case PROP_ASSIGNEE: g_value_set_object (value, self->assignee); break;
    case PROP_TEAM_ID: g_value_set_int64 (value, self->team_id); break;
    case PROP_TEAM_NAME: g_value_set_string (value, self->team_name); break;
    case PROP_ACTIVE_CHAT: g_value_set_object (value, self->active_chat); break;
    case PROP_CAN_START_CHAT: g_value_set_boolean (value, self->can_start_chat); break;
    case PROP_CHAT_REASON: g_value_set_string (value, self->chat_reason); break;
    case PROP_TECHNICIANS: g_value_set_object (value, self->technicians); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_request_class_init (HdRequestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags f = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = hd_request_finalize;
  object_class->get_property = hd_request_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, f);
  properties[PROP_SUBJECT] = g_param_spec_string ("subject", NULL, NULL, NULL, f);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL, f);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, f);
  properties[PROP_CUSTOMER] = g_param_spec_object ("customer", NULL, NULL, HD_TYPE_USER, f);
  properties[PROP_ASSIGNEE] = g_param_spec_object ("assignee", NULL, NULL, HD_TYPE_USER, f);
  properties[PROP_TEAM_ID] = g_param_spec_int64 ("team-id", NULL, NULL, 0, G_MAXINT64, 0, f);
  properties[PROP_TEAM_NAME] = g_param_spec_string ("team-name", NULL, NULL, NULL, f);
  properties[PROP_ACTIVE_CHAT] = g_param_spec_object ("active-chat", NULL, NULL, HD_TYPE_CHAT, f);
  properties[PROP_CAN_START_CHAT] = g_param_spec_boolean ("can-start-chat", NULL, NULL, FALSE, f);
  properties[PROP_CHAT_REASON] = g_param_spec_string ("chat-reason", NULL, NULL, NULL, f);
  properties[PROP_TECHNICIANS] = g_param_spec_object ("technicians", NULL, NULL, G_TYPE_LIST_MODEL, f);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hd_request_init (HdRequest *self)
{
  self->technicians = g_list_store_new (HD_TYPE_USER);
}

HdRequest *
hd_request_new_from_json (JsonObject *object,
                          GError    **error)
{
  HdRequest *self;
  gint64 id = hd_json_get_int (object, "id", -1);

  if (object == NULL || id < 0)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_PROTOCOL, "A request without an id");
      return NULL;
    }
  self = g_object_new (HD_TYPE_REQUEST, NULL);
  self->id = id;
  hd_request_update_from_json (self, object);
  return self;
}

static void
update_technicians (HdRequest *self,
                    JsonArray *array)
{
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->technicians));
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean same;
  guint len = array ? json_array_get_length (array) : 0;

  for (guint i = 0; i < len; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr(HdUser) old = NULL;
      HdUser *user;
      gint64 id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      id = hd_json_get_int (json_node_get_object (node), "id", -1);
      /* Keep the instances the UI may already be bound to. */
      for (guint j = 0; j < n_old && old == NULL; j++)
        {
          g_autoptr(HdUser) u = g_list_model_get_item (G_LIST_MODEL (self->technicians), j);
          if (hd_user_get_id (u) == id)
            old = g_steal_pointer (&u);
        }
      user = hd_user_reuse_or_new (old, json_node_get_object (node));
      if (user)
        g_ptr_array_add (users, user);
    }

  same = users->len == n_old;
  for (guint i = 0; same && i < n_old; i++)
    {
      g_autoptr(HdUser) u = g_list_model_get_item (G_LIST_MODEL (self->technicians), i);
      same = u == g_ptr_array_index (users, i);
    }
  if (!same)
    g_list_store_splice (self->technicians, 0, n_old, users->pdata, users->len);
}

void
hd_request_update_from_json (HdRequest  *self,
                             JsonObject *object)
{
  GObject *o = G_OBJECT (self);

  g_return_if_fail (HD_IS_REQUEST (self));
  if (object == NULL)
    return;

  g_object_freeze_notify (o);
  if (hd_json_has (object, "subject"))
    hd_set_string (o, &self->subject, hd_json_get_string (object, "subject"), properties[PROP_SUBJECT]);
  if (hd_json_has (object, "description"))
    hd_set_string (o, &self->description, hd_json_get_string (object, "description"),
                   properties[PROP_DESCRIPTION]);
  if (hd_json_has (object, "status"))
    hd_set_string (o, &self->status, hd_json_get_string (object, "status"), properties[PROP_STATUS]);
  if (hd_json_has (object, "customer"))
    {
      g_autoptr(HdUser) u = hd_user_reuse_or_new (self->customer, hd_json_get_object (object, "customer"));
      hd_set_object (o, (gpointer *) &self->customer, u, properties[PROP_CUSTOMER]);
    }
  if (hd_json_has (object, "assignee"))
    {
      g_autoptr(HdUser) u = hd_user_reuse_or_new (self->assignee, hd_json_get_object (object, "assignee"));
      hd_set_object (o, (gpointer *) &self->assignee, u, properties[PROP_ASSIGNEE]);
    }
  if (hd_json_has (object, "team"))
    {
      JsonObject *team = hd_json_get_object (object, "team");
      hd_set_int (o, &self->team_id, hd_json_get_int (team, "id", 0), properties[PROP_TEAM_ID]);
      hd_set_string (o, &self->team_name, hd_json_get_string (team, "name"), properties[PROP_TEAM_NAME]);
    }
  if (hd_json_has (object, "active_chat"))
    {
      JsonObject *chat = hd_json_get_object (object, "active_chat");
      g_autoptr(HdChat) c = NULL;

      if (chat && self->active_chat
          && hd_chat_get_id (self->active_chat) == hd_json_get_int (chat, "id", -1))
        {
          hd_chat_update_from_json (self->active_chat, chat);
          c = g_object_ref (self->active_chat);
        }
      else if (chat)
        c = hd_chat_new_from_json (chat, NULL);
      hd_set_object (o, (gpointer *) &self->active_chat, c, properties[PROP_ACTIVE_CHAT]);
    }
  if (hd_json_has (object, "chat_options"))
    {
      JsonObject *opts = hd_json_get_object (object, "chat_options");
      hd_set_bool (o, &self->can_start_chat, hd_json_get_bool (opts, "can_start", FALSE),
                   properties[PROP_CAN_START_CHAT]);
      hd_set_string (o, &self->chat_reason, hd_json_get_string (opts, "reason"),
                     properties[PROP_CHAT_REASON]);
      update_technicians (self, hd_json_get_array (opts, "technicians"));
    }
  g_object_thaw_notify (o);
}

gint64 hd_request_get_id (HdRequest *self) { g_return_val_if_fail (HD_IS_REQUEST (self), 0); return self->id; }
const char *hd_request_get_subject (HdRequest *self) { g_return_val_if_fail (HD_IS_REQUEST (self), NULL); return self->subject; }
const char *hd_request_get_description (HdRequest *self) { g_return_val_if_fail (HD_IS_REQUEST (self), NULL); return self->description; }
const char *hd_request_get_status (HdRequest *self) { g_return_val_if_fail (HD_IS_REQUEST (self), NULL); return self->status; }
gboolean hd_request_is_open (HdRequest *self) { g_return_val_if_fail (HD_IS_REQUEST (self), FALSE); return g_strcmp0 (self->status, "open") == 0; }
HdUser *hd_request_get_customer (HdRequest *self) { g_return_val_if_fail (HD_IS_REQUEST (self), NULL); return self->customer; }
HdUser *hd_request_get_assignee (HdRequest *self) { g_return_val_if_fail (HD_IS_REQUEST (self), NULL); return self->assignee; }
gint64 hd_request_get_team_id (HdRequest *self) { g_return_val_if_fail (HD_IS_REQUEST (self), 0); return self->team_id; }
const char *hd_request_get_team_name (HdRequest *self) { g_return_val_if_fail (HD_IS_REQUEST (self), NULL); return self->team_name; }
HdChat *hd_request_get_active_chat (HdRequest *self) { g_return_val_if_fail (HD_IS_REQUEST (self), NULL); return self->active_chat; }
gboolean hd_request_get_can_start_chat (HdRequest *self) { g_return_val_if_fail (HD_IS_REQUEST (self), FALSE); return self->can_start_chat; }
const char *hd_request_get_chat_reason (HdRequest *self) { g_return_val_if_fail (HD_IS_REQUEST (self), NULL); return self->chat_reason; }
GListModel *hd_request_get_technicians (HdRequest *self) { g_return_val_if_fail (HD_IS_REQUEST (self), NULL); return G_LIST_MODEL (self->technicians); }
