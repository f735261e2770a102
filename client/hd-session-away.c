/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-session"

#include "hd-session-away.h"
#include "hd-session-private.h"
#include "hd-user.h"
#include "hd-error.h"

static void
away_answer (GTask      *task,
             HdSession  *self,
             JsonObject *root)
{
  HdUser *me = hd_session_get_user (self);

  if (hd_json_get_int (root, "id", -1) < 0)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_PROTOCOL, "The server sent no user");
      return;
    }
  if (me != NULL)
    hd_user_update_from_json (me, root);
  g_task_return_boolean (task, TRUE);
}

void
hd_session_set_away_async (HdSession           *self,
                           gboolean             away,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  JsonObject *o;

  g_return_if_fail (HD_IS_SESSION (self));

  o = json_object_new ();
  json_object_set_boolean_member (o, "away", away);
  hd_session_call_answer (self, "PATCH", "/me", o, away_answer, hd_session_set_away_async,
                          cancellable, callback, user_data);
}

gboolean
hd_session_set_away_finish (HdSession     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
