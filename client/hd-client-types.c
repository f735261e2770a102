/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-client"

#include "hd-client-types.h"
#include "hd-client-private.h"
#include "hd-user.h"

#include <string.h>
#include "hd-protocol.h"

/* JSON helpers */

gboolean
hd_json_has (JsonObject *object,
             const char *member)
{
  return object != NULL && json_object_has_member (object, member);
}

gint64
hd_json_get_int (JsonObject *object,
                 const char *member,
                 gint64      fallback)
{
  JsonNode *node;

  if (object == NULL || !(node = json_object_get_member (object, member)))
    return fallback;
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType t = json_node_get_value_type (node);
      if (t == G_TYPE_INT64)
        return json_node_get_int (node);
      if (t == G_TYPE_DOUBLE)
        return (gint64) json_node_get_double (node);
    }
  return fallback;
}

const char *
hd_json_get_string (JsonObject *object,
                    const char *member)
{
  JsonNode *node;

  if (object == NULL || !(node = json_object_get_member (object, member)))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

gboolean
hd_json_get_bool (JsonObject *object,
                  const char *member,
                  gboolean    fallback)
{
  JsonNode *node;

  if (object == NULL || !(node = json_object_get_member (object, member)))
    return fallback;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  return fallback;
}

JsonObject *
hd_json_get_object (JsonObject *object,
                    const char *member)
{
  JsonNode *node;

  if (object == NULL || !(node = json_object_get_member (object, member)))
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_node_get_object (node);
  return NULL;
}

JsonArray *
hd_json_get_array (JsonObject *object,
                   const char *member)
{
  JsonNode *node;

  if (object == NULL || !(node = json_object_get_member (object, member)))
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_node_get_array (node);
  return NULL;
}

GDateTime *
hd_json_get_time (JsonObject *object,
                  const char *member)
{
  const char *str = hd_json_get_string (object, member);
  g_autoptr(GDateTime) epoch = NULL;
  gint64 usec;

  if (str == NULL || !hd_protocol_parse_time (str, &usec))
    return NULL;
  epoch = g_date_time_new_from_unix_utc (0);
  return g_date_time_add (epoch, usec);
}

JsonNode *
hd_json_object_node (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return node;
}

gboolean
hd_set_string (GObject     *object,
               char       **field,
               const char  *value,
               GParamSpec  *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  if (pspec)
    g_object_notify_by_pspec (object, pspec);
  return TRUE;
}

gboolean
hd_set_int (GObject    *object,
            gint64     *field,
            gint64      value,
            GParamSpec *pspec)
{
  if (*field == value)
    return FALSE;
  *field = value;
  if (pspec)
    g_object_notify_by_pspec (object, pspec);
  return TRUE;
}

gboolean
hd_set_bool (GObject    *object,
             gboolean   *field,
             gboolean    value,
             GParamSpec *pspec)
{
  value = !!value;
  if (*field == value)
    return FALSE;
  *field = value;
  if (pspec)
    g_object_notify_by_pspec (object, pspec);
  return TRUE;
}

gboolean
hd_set_time (GObject     *object,
             GDateTime  **field,
             GDateTime   *value,
             GParamSpec  *pspec)
{
  if (*field == value)
    return FALSE;
  if (*field != NULL && value != NULL && g_date_time_equal (*field, value))
    return FALSE;
  g_clear_pointer (field, g_date_time_unref);
  if (value)
    *field = g_date_time_ref (value);
  if (pspec)
    g_object_notify_by_pspec (object, pspec);
  return TRUE;
}

gboolean
hd_set_object (GObject     *object,
               gpointer    *field,
               gpointer     value,
               GParamSpec  *pspec)
{
  if (*field == value)
    return FALSE;
  if (value)
    g_object_ref (value);
  g_clear_object ((GObject **) field);
  *field = value;
  if (pspec)
    g_object_notify_by_pspec (object, pspec);
  return TRUE;
}

HdUser *
hd_user_reuse_or_new (HdUser     *existing,
                      JsonObject *object)
{
  if (object == NULL)
    return NULL;
  if (existing != NULL && hd_user_get_id (existing) == hd_json_get_int (object, "id", -1))
    {
      hd_user_update_from_json (existing, object);
      return g_object_ref (existing);
    }
  return hd_user_new_from_json (object, NULL);
}
