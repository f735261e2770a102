/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-message"

#include "hd-message.h"
#include "hd-user.h"
#include "hd-attachment.h"
#include "hd-client-private.h"
#include "hd-error.h"

struct _HdMessage
{
  GObject parent_instance;

  gint64 id;
  gint64 chat_id;
  gint64 seq;
  HdUser *author;
  char *body;
  char *client_id;
  GDateTime *created_at;
  HdMessageState state;
  gboolean is_own;
  HdAttachment *attachment;
};

G_DEFINE_FINAL_TYPE (HdMessage, hd_message, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_CHAT_ID,
  PROP_SEQ,
  PROP_AUTHOR,
  PROP_BODY,
  PROP_CLIENT_ID,
  PROP_CREATED_AT,
  PROP_STATE,
  PROP_IS_OWN,
  PROP_ATTACHMENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hd_message_finalize (GObject *object)
{
  HdMessage *self = HD_MESSAGE (object);

  g_clear_object (&self->author);
  g_clear_object (&self->attachment);
  g_free (self->body);
  g_free (self->client_id);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  G_OBJECT_CLASS (hd_message_parent_class)->finalize (object);
}

static void
hd_message_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  HdMessage *self = HD_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_CHAT_ID: g_value_set_int64 (value, self->chat_id); break;
    case PROP_SEQ: g_value_set_int64 (value, self->seq); break;
    case PROP_AUTHOR: g_value_set_object (value, self->author); break;
    case PROP_BODY: g_value_set_string (value, self->body); break;
    case PROP_CLIENT_ID: g_value_set_string (value, self->client_id); break;
    case PROP_CREATED_AT: g_value_set_boxed (value, self->created_at); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_IS_OWN: g_value_set_boolean (value, self->is_own); break;
    case PROP_ATTACHMENT: g_value_set_object (value, self->attachment); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_message_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  HdMessage *self = HD_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_STATE: hd_message_set_state (self, g_value_get_enum (value)); break;
    case PROP_IS_OWN: hd_message_set_is_own (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_message_class_init (HdMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags f = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = hd_message_finalize;
  object_class->get_property = hd_message_get_property;
  object_class->set_property = hd_message_set_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, f);
  properties[PROP_CHAT_ID] = g_param_spec_int64 ("chat-id", NULL, NULL, 0, G_MAXINT64, 0, f);
  properties[PROP_SEQ] = g_param_spec_int64 ("seq", NULL, NULL, 0, G_MAXINT64, 0, f);
  properties[PROP_AUTHOR] = g_param_spec_object ("author", NULL, NULL, HD_TYPE_USER, f);
  properties[PROP_BODY] = g_param_spec_string ("body", NULL, NULL, NULL, f);
  properties[PROP_CLIENT_ID] = g_param_spec_string ("client-id", NULL, NULL, NULL, f);
  properties[PROP_CREATED_AT] = g_param_spec_boxed ("created-at", NULL, NULL, G_TYPE_DATE_TIME, f);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, HD_TYPE_MESSAGE_STATE,
                                              HD_MESSAGE_STATE_SENT, f | G_PARAM_WRITABLE);
  properties[PROP_IS_OWN] = g_param_spec_boolean ("is-own", NULL, NULL, FALSE, f | G_PARAM_WRITABLE);
  properties[PROP_ATTACHMENT] = g_param_spec_object ("attachment", NULL, NULL, HD_TYPE_ATTACHMENT, f);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hd_message_init (HdMessage *self)
{
}

HdMessage *
hd_message_new_from_json (JsonObject *object,
                          GError    **error)
{
  HdMessage *self;
  gint64 seq = hd_json_get_int (object, "seq", -1);

  if (object == NULL || seq <= 0 || hd_json_get_string (object, "body") == NULL)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_PROTOCOL, "A message without a seq or a body");
      return NULL;
    }
  self = g_object_new (HD_TYPE_MESSAGE, NULL);
  self->chat_id = hd_json_get_int (object, "chat_id", 0);
  self->client_id = g_strdup (hd_json_get_string (object, "client_id"));
  self->author = hd_user_reuse_or_new (NULL, hd_json_get_object (object, "author"));
  hd_message_update_from_json (self, object);
  return self;
}

HdMessage *
hd_message_new_pending (gint64      chat_id,
                        HdUser     *author,
                        const char *body,
                        const char *client_id)
{
  HdMessage *self = g_object_new (HD_TYPE_MESSAGE, NULL);

  self->chat_id = chat_id;
  self->author = author ? g_object_ref (author) : NULL;
  self->body = g_strdup (body);
  self->client_id = client_id ? g_strdup (client_id) : g_uuid_string_random ();
  self->created_at = g_date_time_new_now_utc ();
  self->state = HD_MESSAGE_STATE_SENDING;
  self->is_own = TRUE;
  return self;
}

void
hd_message_update_from_json (HdMessage  *self,
                             JsonObject *object)
{
  GObject *o = G_OBJECT (self);
  g_autoptr(GDateTime) t = NULL;

  g_return_if_fail (HD_IS_MESSAGE (self));
  if (object == NULL)
    return;

  g_object_freeze_notify (o);
  hd_set_int (o, &self->id, hd_json_get_int (object, "id", self->id), properties[PROP_ID]);
  hd_set_int (o, &self->seq, hd_json_get_int (object, "seq", self->seq), properties[PROP_SEQ]);
  if (hd_json_get_string (object, "body"))
    hd_set_string (o, &self->body, hd_json_get_string (object, "body"), properties[PROP_BODY]);
  t = hd_json_get_time (object, "created_at");
  if (t)
    hd_set_time (o, &self->created_at, t, properties[PROP_CREATED_AT]);
  if (self->author && hd_json_get_object (object, "author"))
    hd_user_update_from_json (self->author, hd_json_get_object (object, "author"));
  if (self->attachment == NULL && hd_json_get_object (object, "attachment"))
    {
      self->attachment = hd_attachment_new_from_json (hd_json_get_object (object, "attachment"));
      if (self->attachment)
        g_object_notify_by_pspec (o, properties[PROP_ATTACHMENT]);
    }
  hd_message_set_state (self, HD_MESSAGE_STATE_SENT);
  g_object_thaw_notify (o);
}

gint64 hd_message_get_id (HdMessage *self) { g_return_val_if_fail (HD_IS_MESSAGE (self), 0); return self->id; }
gint64 hd_message_get_chat_id (HdMessage *self) { g_return_val_if_fail (HD_IS_MESSAGE (self), 0); return self->chat_id; }
gint64 hd_message_get_seq (HdMessage *self) { g_return_val_if_fail (HD_IS_MESSAGE (self), 0); return self->seq; }
HdUser *hd_message_get_author (HdMessage *self) { g_return_val_if_fail (HD_IS_MESSAGE (self), NULL); return self->author; }
const char *hd_message_get_body (HdMessage *self) { g_return_val_if_fail (HD_IS_MESSAGE (self), NULL); return self->body; }
const char *hd_message_get_client_id (HdMessage *self) { g_return_val_if_fail (HD_IS_MESSAGE (self), NULL); return self->client_id; }
GDateTime *hd_message_get_created_at (HdMessage *self) { g_return_val_if_fail (HD_IS_MESSAGE (self), NULL); return self->created_at; }
HdMessageState hd_message_get_state (HdMessage *self) { g_return_val_if_fail (HD_IS_MESSAGE (self), 0); return self->state; }
gboolean hd_message_get_is_own (HdMessage *self) { g_return_val_if_fail (HD_IS_MESSAGE (self), FALSE); return self->is_own; }
HdAttachment *hd_message_get_attachment (HdMessage *self) { g_return_val_if_fail (HD_IS_MESSAGE (self), NULL); return self->attachment; }

void
hd_message_set_state (HdMessage     *self,
                      HdMessageState state)
{
  g_return_if_fail (HD_IS_MESSAGE (self));
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
hd_message_set_is_own (HdMessage *self,
                       gboolean   is_own)
{
  g_return_if_fail (HD_IS_MESSAGE (self));
  hd_set_bool (G_OBJECT (self), &self->is_own, is_own, properties[PROP_IS_OWN]);
}
