/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "hd-policy.h"

gboolean
hd_policy_takes_chats (const HdUserRecord *user)
{
  return user != NULL && HD_ROLE_IS_STAFF (user->role) && user->available && !user->away;
}

gboolean
hd_policy_reachable (const HdUserRecord *user,
                     gboolean            online)
{
  return online && hd_policy_takes_chats (user);
}

gboolean
hd_policy_is_busy (const HdPrivileges *privileges,
                   gint64              active_chats)
{
  return privileges->max_chats_per_technician > 0 &&
         active_chats >= privileges->max_chats_per_technician;
}

gboolean
hd_policy_team_chat_allowed (const HdPrivileges    *privileges,
                             const HdRequestRecord *request)
{
  return privileges->customer_chat_with_team && request->team_id > 0;
}

gboolean
hd_policy_may_pick (const HdPrivileges    *privileges,
                    const HdRequestRecord *request,
                    const HdUserRecord    *technician,
                    gboolean               in_request_team,
                    gboolean               online,
                    gboolean               busy)
{
  if (technician == NULL)
    return FALSE;
  if (technician->id != request->assignee_id &&
      !(in_request_team && hd_policy_team_chat_allowed (privileges, request)))
    return FALSE;
  return hd_policy_reachable (technician, online) && !busy;
}

gboolean
hd_policy_can_see_request (const HdUserRecord    *caller,
                           const HdRequestRecord *request,
                           gboolean               in_team)
{
  switch (caller->role)
    {
    case HD_ROLE_ADMIN:
      return TRUE;
    case HD_ROLE_TECHNICIAN:
      return request->assignee_id == caller->id || (request->team_id > 0 && in_team);
    case HD_ROLE_CUSTOMER:
    default:
      return request->customer_id == caller->id;
    }
}

gboolean
hd_policy_is_member (const HdUserRecord *caller,
                     const HdChatRecord *chat)
{
  return caller->id == chat->customer_id ||
         (chat->technician_id > 0 && caller->id == chat->technician_id);
}

gboolean
hd_policy_is_offered (const HdUserRecord *user,
                      const HdChatRecord *chat,
                      gboolean            in_target_team)
{
  if (user == NULL || !HD_ROLE_IS_STAFF (user->role))
    return FALSE;
  if (chat->target_kind == HD_TARGET_TECHNICIAN)
    return chat->target_id == user->id;
  /* The team queue is for the team's technicians who take chats (as when
   * the customer was offered them). */
  return in_target_team && hd_policy_takes_chats (user);
}

gboolean
hd_policy_can_see_chat (const HdUserRecord *caller,
                        const HdChatRecord *chat,
                        gboolean            in_target_team)
{
  return hd_policy_is_member (caller, chat) ||
         (chat->state == HD_CHAT_STATE_WAITING && hd_policy_is_offered (caller, chat, in_target_team));
}

const char *
hd_policy_chat_refusal (const HdPrivileges    *privileges,
                        const HdRequestRecord *request,
                        gboolean               has_open_chat,
                        guint                  n_candidates,
                        gboolean               any_busy,
                        HdErrorCode           *code)
{
  if (!privileges->chat_enabled)
    {
      *code = HD_ERROR_CHAT_DISABLED;
      return "The chat facility is not enabled";
    }
  if (request->closed)
    {
      *code = HD_ERROR_REQUEST_CLOSED;
      return "The request is closed";
    }
  if (has_open_chat)
    {
      *code = HD_ERROR_CHAT_IN_PROGRESS;
      return "This request already has a chat in progress";
    }
  if (n_candidates == 0 && any_busy)
    {
      *code = HD_ERROR_TECHNICIAN_BUSY;
      return "Every technician who could take this chat is busy with other chats";
    }
  if (n_candidates == 0)
    {
      *code = HD_ERROR_TECHNICIAN_UNAVAILABLE;
      return "No technician is available for chat right now";
    }
  return NULL;
}

void
hd_policy_set_already_taken (GError **error)
{
  g_set_error_literal (error, HD_ERROR, HD_ERROR_ALREADY_TAKEN,
                       "This chat was already taken or withdrawn");
}

gboolean
hd_policy_may_accept (const HdUserRecord  *caller,
                      const HdChatRecord  *chat,
                      gboolean             offered,
                      gboolean             busy,
                      GError             **error)
{
  if (!hd_policy_is_member (caller, chat) && !offered)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_NOT_FOUND, "Chat not found");
      return FALSE;
    }
  if (!HD_ROLE_IS_STAFF (caller->role))
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_FORBIDDEN, "Only technicians accept chats");
      return FALSE;
    }
  if (chat->state != HD_CHAT_STATE_WAITING)
    {
      hd_policy_set_already_taken (error);
      return FALSE;
    }
  if (busy)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_TECHNICIAN_BUSY,
                           "You already have as many chats as allowed; end one first");
      return FALSE;
    }
  return TRUE;
}

HdEndReason
hd_policy_end_reason (const HdUserRecord *caller,
                      const HdChatRecord *chat)
{
  if (caller->id != chat->customer_id)
    return HD_END_REASON_TECHNICIAN;
  return chat->state == HD_CHAT_STATE_WAITING ? HD_END_REASON_WITHDRAWN : HD_END_REASON_CUSTOMER;
}

gint64
hd_policy_transcript_recipient (const HdRequestRecord *request)
{
  return request->customer_id;
}
