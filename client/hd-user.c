/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-user"

#include "hd-user.h"
#include "hd-client-private.h"
#include "hd-error.h"

struct _HdUser
{
  GObject parent_instance;

  gint64 id;
  char *login;
  char *name;
  char *email;
  char *role;
  gboolean available_for_chat;
  gboolean online;
  gboolean away;
};

G_DEFINE_FINAL_TYPE (HdUser, hd_user, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_LOGIN,
  PROP_NAME,
  PROP_EMAIL,
  PROP_ROLE,
  PROP_AVAILABLE_FOR_CHAT,
  PROP_AWAY,
  PROP_ONLINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hd_user_finalize (GObject *object)
{
  HdUser *self = HD_USER (object);

  g_free (self->login);
  g_free (self->name);
  g_free (self->email);
  g_free (self->role);
  G_OBJECT_CLASS (hd_user_parent_class)->finalize (object);
}

static void
hd_user_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  HdUser *self = HD_USER (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_LOGIN: g_value_set_string (value, self->login); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_EMAIL: g_value_set_string (value, self->email); break;
    case PROP_ROLE: g_value_set_string (value, self->role); break;
    case PROP_AVAILABLE_FOR_CHAT: g_value_set_boolean (value, self->available_for_chat); break;
    case PROP_AWAY: g_value_set_boolean (value, self->away); break;
    case PROP_ONLINE: g_value_set_boolean (value, self->online); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_user_class_init (HdUserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hd_user_finalize;
  object_class->get_property = hd_user_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOGIN] = g_param_spec_string ("login", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_EMAIL] = g_param_spec_string ("email", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ROLE] = g_param_spec_string ("role", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_AVAILABLE_FOR_CHAT] = g_param_spec_boolean ("available-for-chat", NULL, NULL, FALSE,
                                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ONLINE] = g_param_spec_boolean ("online", NULL, NULL, FALSE,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_AWAY] = g_param_spec_boolean ("away", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hd_user_init (HdUser *self)
{
}

HdUser *
hd_user_new_from_json (JsonObject *object,
                       GError    **error)
{
  HdUser *self;
  gint64 id = hd_json_get_int (object, "id", -1);

  if (object == NULL || id < 0)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_PROTOCOL, "A user without an id");
      return NULL;
    }
  self = g_object_new (HD_TYPE_USER, NULL);
  self->id = id;
  hd_user_update_from_json (self, object);
  return self;
}

void
hd_user_update_from_json (HdUser     *self,
                          JsonObject *object)
{
  GObject *o = G_OBJECT (self);

  g_return_if_fail (HD_IS_USER (self));
  if (object == NULL)
    return;

  g_object_freeze_notify (o);
  if (hd_json_has (object, "login"))
    hd_set_string (o, &self->login, hd_json_get_string (object, "login"), properties[PROP_LOGIN]);
  if (hd_json_has (object, "name"))
    hd_set_string (o, &self->name, hd_json_get_string (object, "name"), properties[PROP_NAME]);
  if (hd_json_has (object, "email"))
    hd_set_string (o, &self->email, hd_json_get_string (object, "email"), properties[PROP_EMAIL]);
  if (hd_json_has (object, "role"))
    hd_set_string (o, &self->role, hd_json_get_string (object, "role"), properties[PROP_ROLE]);
  if (hd_json_has (object, "available_for_chat"))
    hd_set_bool (o, &self->available_for_chat,
                 hd_json_get_bool (object, "available_for_chat", FALSE),
                 properties[PROP_AVAILABLE_FOR_CHAT]);
  if (hd_json_has (object, "away"))
    hd_set_bool (o, &self->away, hd_json_get_bool (object, "away", FALSE), properties[PROP_AWAY]);
  if (hd_json_has (object, "online"))
    hd_set_bool (o, &self->online, hd_json_get_bool (object, "online", FALSE),
                 properties[PROP_ONLINE]);
  g_object_thaw_notify (o);
}

gint64 hd_user_get_id (HdUser *self) { g_return_val_if_fail (HD_IS_USER (self), 0); return self->id; }
const char *hd_user_get_login (HdUser *self) { g_return_val_if_fail (HD_IS_USER (self), NULL); return self->login; }
const char *hd_user_get_name (HdUser *self) { g_return_val_if_fail (HD_IS_USER (self), NULL); return self->name; }
const char *hd_user_get_email (HdUser *self) { g_return_val_if_fail (HD_IS_USER (self), NULL); return self->email; }
const char *hd_user_get_role (HdUser *self) { g_return_val_if_fail (HD_IS_USER (self), NULL); return self->role; }
gboolean hd_user_get_available_for_chat (HdUser *self) { g_return_val_if_fail (HD_IS_USER (self), FALSE); return self->available_for_chat; }
gboolean hd_user_get_online (HdUser *self) { g_return_val_if_fail (HD_IS_USER (self), FALSE); return self->online; }
gboolean hd_user_get_away (HdUser *self) { g_return_val_if_fail (HD_IS_USER (self), FALSE); return self->away; }

gboolean
hd_user_is_staff (HdUser *self)
{
  g_return_val_if_fail (HD_IS_USER (self), FALSE);
  return g_strcmp0 (self->role, "technician") == 0 || g_strcmp0 (self->role, "admin") == 0;
}

gboolean
hd_user_is_admin (HdUser *self)
{
  g_return_val_if_fail (HD_IS_USER (self), FALSE);
  return g_strcmp0 (self->role, "admin") == 0;
}
