/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-session"

#include "hd-session-transfer.h"
#include "hd-session-private.h"
#include "hd-list-model-private.h"
#include "hd-error.h"

static gint64
my_id (HdSession *self)
{
  HdUser *me = hd_session_get_user (self);

  return me ? hd_user_get_id (me) : -1;
}

/* The chats list holds the chats I am a member of: the new technician
 * gains the chat, the old one loses it (a chat back in a team queue has
 * no technician until someone accepts it). */
static void
follow_membership (HdSession *self,
                   HdChat    *chat)
{
  HdListModel *chats = HD_LIST_MODEL (hd_session_get_chats (self));
  HdUser *technician = hd_chat_get_technician (chat);
  HdUser *customer = hd_chat_get_customer (chat);
  gint64 me = my_id (self);
  gboolean member = (technician && hd_user_get_id (technician) == me)
                    || (customer && hd_user_get_id (customer) == me);
  guint pos;

  if (hd_list_model_find_id (chats, hd_chat_get_id (chat), &pos))
    {
      if (!member)
        g_list_store_remove (hd_list_model_get_store (chats), pos);
    }
  else if (member)
    g_list_store_insert (hd_list_model_get_store (chats), 0, chat);
}

void
hd_session_handle_chat_transferred (HdSession  *self,
                                    JsonObject *data)
{
  HdChat *chat = hd_session_upsert_chat (self, data);

  if (chat == NULL)
    return;
  follow_membership (self, chat);
  g_signal_emit_by_name (self, "chat-transferred", chat);
}

/* ---- the colleagues ------------------------------------------------- */

static int
compare_names (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return g_utf8_collate (hd_user_get_name ((HdUser *) a) ? hd_user_get_name ((HdUser *) a) : "",
                         hd_user_get_name ((HdUser *) b) ? hd_user_get_name ((HdUser *) b) : "");
}

static void
users_answer (GTask      *task,
              HdSession  *self,
              JsonObject *root)
{
  JsonArray *users = hd_json_get_array (root, "users");
  g_autoptr(GListStore) store = NULL;
  gint64 me = my_id (self);
  gint64 max_chats = 0;

  g_object_get (self, "max-chats", &max_chats, NULL);
  if (users == NULL)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_PROTOCOL, "The server sent no users");
      return;
    }

  store = g_list_store_new (HD_TYPE_USER);
  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      JsonNode *element = json_array_get_element (users, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      g_autoptr(HdUser) user = NULL;

      /* Only whom the server would accept: logged in, available, not
       * away, under the limit of chats (contract v2, POST
       * /chats/{id}/transfer; "active_chats" is our server's extension of
       * GET /users, absent from others: then the server's 409 says it). */
      if (o == NULL
          || hd_json_get_int (o, "id", -1) == me
          || !hd_json_get_bool (o, "online", FALSE)
          || !hd_json_get_bool (o, "available_for_chat", FALSE)
          || hd_json_get_bool (o, "away", FALSE)
          || (max_chats > 0 && hd_json_get_int (o, "active_chats", 0) >= max_chats))
        continue;
      user = hd_user_new_from_json (o, NULL);
      if (user != NULL && hd_user_is_staff (user))
        g_list_store_insert_sorted (store, user, compare_names, NULL);
    }
  g_task_return_pointer (task, g_steal_pointer (&store), g_object_unref);
}

void
hd_session_list_transfer_targets_async (HdSession           *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (HD_IS_SESSION (self));
  hd_session_call_answer (self, "GET", "/users", NULL, users_answer,
                          hd_session_list_transfer_targets_async, cancellable, callback, user_data);
}

GListModel *
hd_session_list_transfer_targets_finish (HdSession     *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the transfer --------------------------------------------------- */

static void
transferred_answer (GTask      *task,
                    HdSession  *self,
                    JsonObject *root)
{
  HdChat *chat = hd_session_upsert_chat (self, root);

  if (chat == NULL)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_PROTOCOL, "The server sent no chat");
      return;
    }
  /* The chat.transferred event may come before or after this answer;
   * either way the lists agree with the chat. */
  follow_membership (self, chat);
  g_task_return_pointer (task, g_object_ref (chat), g_object_unref);
}

void
hd_session_transfer_chat_async (HdSession           *self,
                                gint64               chat_id,
                                gint64               technician_id,
                                gint64               team_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT "/transfer", chat_id);
  JsonObject *o;

  g_return_if_fail (HD_IS_SESSION (self));
  g_return_if_fail (technician_id > 0 || team_id > 0);

  o = json_object_new ();
  if (technician_id > 0)
    json_object_set_int_member (o, "technician_id", technician_id);
  else
    json_object_set_int_member (o, "team_id", team_id);
  /* hd_session_chat_finish () propagates a pointer of any task of ours. */
  hd_session_call_answer (self, "POST", path, o, transferred_answer,
                          hd_session_transfer_chat_async, cancellable, callback, user_data);
}
