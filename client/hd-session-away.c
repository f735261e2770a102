/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-session"

#include "hd-session-away.h"
#include "hd-session-private.h"
#include "hd-user.h"
#include "hd-error.h"

static void
away_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HdSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hd_session_call_finish (self, result, &error);
  HdUser *me = hd_session_get_user (self);

  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node) || hd_json_get_int (json_node_get_object (node), "id", -1) < 0)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_PROTOCOL, "The server sent no user");
      return;
    }
  if (me != NULL)
    hd_user_update_from_json (me, json_node_get_object (node));
  g_task_return_boolean (task, TRUE);
}

void
hd_session_set_away_async (HdSession           *self,
                           gboolean             away,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  JsonObject *o = json_object_new ();
  g_autoptr(JsonNode) body = NULL;
  GTask *task;

  g_return_if_fail (HD_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hd_session_set_away_async);
  json_object_set_boolean_member (o, "away", away);
  body = hd_json_object_node (o);  /* takes o */
  hd_session_call_async (self, "PATCH", "/me", body, cancellable, away_cb, task);
}

gboolean
hd_session_set_away_finish (HdSession     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
