/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-transfer"

#include "hd-tech.h"
#include "hd-chat-service-private.h"
#include "hd-store-tech.h"
#include "hd-error.h"
#include "hd-protocol.h"

/* POST /chats/{id}/transfer: an active chat goes to a colleague (still
 * active, at once) or back to a team's queue (waiting).  The messages and
 * the transcript note carry on; a system message says what happened. */


static GArray *
ids_of (gint64 a,
        gint64 b,
        gint64 c)
{
  GArray *ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), 3);
  gint64 all[] = { a, b, c };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      gboolean seen = all[i] <= 0;

      for (guint j = 0; j < i && !seen; j++)
        seen = all[j] == all[i];
      if (!seen)
        g_array_append_val (ids, all[i]);
    }
  return ids;
}

static char *
sentence (const HdUserRecord *actor,
          const HdUserRecord *from,
          const char   *to_technician,
          const char   *to_team)
{
  gboolean own = from == NULL || from->id == actor->id;

  if (to_technician != NULL)
    return own ? g_strdup_printf ("%s transferred the chat to %s.", actor->name, to_technician)
               : g_strdup_printf ("%s transferred the chat from %s to %s.", actor->name, from->name, to_technician);
  return own ? g_strdup_printf ("%s transferred the chat to the team %s.", actor->name, to_team)
             : g_strdup_printf ("%s transferred the chat from %s to the team %s.", actor->name, from->name, to_team);
}

HdChatRecord *
hd_tech_transfer_chat (HdChatService  *self,
                       const HdUserRecord   *caller,
                       gint64          chat_id,
                       gint64          technician_id,
                       gint64          team_id,
                       GError        **error)
{
  HdStore *store = hd_chat_service_get_store (self);
  g_autoptr(HdUserRecord) from = NULL;
  g_autoptr(HdUserRecord) to = NULL;
  g_autoptr(HdTeamRecord) team = NULL;
  g_autofree char *body = NULL;
  HdPrivileges p;
  HdChatRecord chat, moved;
  gboolean ok;
  gint64 now = g_get_real_time ();

  /* Who may: the chat's technician or an admin.  Anyone else who could
   * not see the chat gets 404, the customer 403. */
  if (!hd_store_chat_get (store, chat_id, &chat, NULL))
    return hd_fail (error, HD_ERROR_NOT_FOUND, "Chat not found");
  if (caller->id == chat.customer_id)
    return hd_fail (error, HD_ERROR_FORBIDDEN, "Only the technician or an administrator transfers a chat");
  if (caller->role != HD_ROLE_ADMIN && !(HD_ROLE_IS_STAFF (caller->role) && chat.technician_id == caller->id))
    return hd_fail (error, HD_ERROR_NOT_FOUND, "Chat not found");
  if (chat.state == HD_CHAT_STATE_ENDED)
    return hd_fail (error, HD_ERROR_CHAT_ENDED, "The chat has ended");
  if (chat.state != HD_CHAT_STATE_ACTIVE)
    return hd_fail (error, HD_ERROR_CONFLICT, "Only an accepted chat can be transferred");

  if ((technician_id > 0) == (team_id > 0))
    return hd_fail (error, HD_ERROR_BAD_REQUEST, "Give either technician_id or team_id");
  if (technician_id > 0)
    {
      to = hd_store_user_get (store, technician_id, NULL);
      if (to == NULL || !HD_ROLE_IS_STAFF (to->role))
        return hd_fail (error, HD_ERROR_BAD_REQUEST, "technician_id does not name a technician");
      if (to->id == chat.technician_id)
        return hd_fail (error, HD_ERROR_BAD_REQUEST, "The chat is already with that technician");
      if (!hd_chat_service_private_reachable (self, to))
        return hd_fail (error, HD_ERROR_TECHNICIAN_UNAVAILABLE,
                     "That technician is not logged in, not available for chat or away");
      if (!hd_store_privileges_get (store, &p, error))
        return NULL;
      if (hd_tech_is_busy (self, to, &p))
        return hd_fail (error, HD_ERROR_TECHNICIAN_BUSY, "That technician is busy with as many chats as allowed");
    }
  else
    {
      team = hd_store_team_get (store, team_id, NULL);
      if (team == NULL)
        return hd_fail (error, HD_ERROR_BAD_REQUEST, "team_id does not name a team");
      if (!hd_chat_service_private_team_has_reachable (self, team_id))
        return hd_fail (error, HD_ERROR_TECHNICIAN_UNAVAILABLE, "Nobody of that team is available for chat now");
    }

  from = hd_store_user_get (store, chat.technician_id, NULL);
  body = sentence (caller, from, to ? to->name : NULL, team ? team->name : NULL);

  /* One transaction; its events go out after the commit.  The first step
   * is the one guarded by the chat's state, so a chat that ended
   * meanwhile changes nothing. */
  hd_chat_service_batch_begin (self);
  if (to != NULL)
    {
      ok = hd_store_chat_set_technician (store, chat_id, chat.technician_id, to->id, &moved, error);
      ok = ok && hd_chat_service_private_add_system_message (self, &moved, caller->id, body, now, error);
      if (ok)
        hd_chat_service_emit_chat_event (self, HD_EVENT_CHAT_TRANSFERRED,
                                           ids_of (chat.technician_id, moved.technician_id, moved.customer_id),
                                           &moved);
    }
  else
    {
      ok = hd_chat_service_private_add_system_message (self, &chat, caller->id, body, now, error);
      ok = ok && hd_store_chat_to_team (store, chat_id, HD_CHAT_STATE_ACTIVE, team_id, now, &moved, error);
      if (ok)
        {
          hd_chat_service_emit_chat_event (self, HD_EVENT_CHAT_TRANSFERRED,
                                             ids_of (chat.technician_id, moved.customer_id, 0), &moved);
          hd_chat_service_emit_chat_event (self, HD_EVENT_CHAT_REQUESTED,
                                             hd_chat_service_private_offered_ids (self, &moved), &moved);
        }
    }
  if (!hd_chat_service_batch_end (self) && ok)
    return hd_fail (error, HD_ERROR_INTERNAL, "The transfer could not be saved");
  if (!ok)
    return NULL;
  return g_memdup2 (&moved, sizeof moved);
}
