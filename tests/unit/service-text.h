/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The chat service's answers as the routes write them (backend/api/
 * hd-answers.h): each call of the service, then its records as the JSON
 * text a client reads, or NULL with the error.  So the tests check the
 * wire, as before the service returned records. */

#include "hd-answers.h"
#include "hd-chat-service.h"

#define SVC_TEXT(record, answer) ((record) != NULL ? (answer) : NULL)

static inline char *
svc_set_available (HdChatService *s, const HdUserRecord *caller, gboolean available, GError **error)
{
  g_autoptr(HdUserRecord) u = hd_chat_service_set_available (s, caller, available, error);
  return SVC_TEXT (u, hd_answer_user (s, u, u));
}

static inline char *
svc_privileges_text (gboolean ok, const HdPrivileges *p)
{
  return ok ? hd_answer_privileges (p) : NULL;
}

static inline char *
svc_get_privileges (HdChatService *s, const HdUserRecord *caller, GError **error)
{
  HdPrivileges p;
  return svc_privileges_text (hd_chat_service_get_privileges (s, caller, &p, error), &p);
}

static inline char *
svc_set_privileges (HdChatService *s, const HdUserRecord *caller, int enabled, int with_team, GError **error)
{
  HdPrivileges p;
  return svc_privileges_text (hd_chat_service_set_privileges (s, caller, enabled, with_team, &p, error), &p);
}

static inline char *
svc_chat_text (HdChatService *s, gboolean ok, const HdChatRecord *chat, const HdUserRecord *caller)
{
  return ok ? hd_answer_chat (s, chat, caller) : NULL;
}

static inline char *
svc_start_chat (HdChatService *s, const HdUserRecord *caller, gint64 request, gint64 technician, GError **error)
{
  HdChatRecord c;
  return svc_chat_text (s, hd_chat_service_start_chat (s, caller, request, technician, &c, error), &c, caller);
}

static inline char *
svc_accept_chat (HdChatService *s, const HdUserRecord *caller, gint64 id, GError **error)
{
  HdChatRecord c;
  return svc_chat_text (s, hd_chat_service_accept_chat (s, caller, id, &c, error), &c, caller);
}

static inline char *
svc_end_chat (HdChatService *s, const HdUserRecord *caller, gint64 id, GError **error)
{
  HdChatRecord c;
  return svc_chat_text (s, hd_chat_service_end_chat (s, caller, id, &c, error), &c, caller);
}

static inline char *
svc_get_chat (HdChatService *s, const HdUserRecord *caller, gint64 id, GError **error)
{
  HdChatRecord c;
  return svc_chat_text (s, hd_chat_service_get_chat (s, caller, id, &c, error), &c, caller);
}

static inline char *
svc_queue (HdChatService *s, const HdUserRecord *caller, GError **error)
{
  g_autoptr(GArray) chats = hd_chat_service_queue (s, caller, error);
  return SVC_TEXT (chats, hd_answer_chats (s, chats, caller));
}

static inline char *
svc_list_chats (HdChatService *s, const HdUserRecord *caller, int state, GError **error)
{
  g_autoptr(GArray) chats = hd_chat_service_list_chats (s, caller, state, error);
  return SVC_TEXT (chats, hd_answer_chats (s, chats, caller));
}

static inline char *
svc_get_request (HdChatService *s, const HdUserRecord *caller, gint64 id, GError **error)
{
  g_autoptr(HdRequestEntry) e = hd_chat_service_get_request (s, caller, id, error);
  return SVC_TEXT (e, hd_answer_request (s, e, caller));
}

static inline char *
svc_create_request (HdChatService *s, const HdUserRecord *caller, const char *subject, const char *description,
                    gint64 customer_id, gint64 assignee_id, gint64 team_id, GError **error)
{
  g_autoptr(HdRequestEntry) e = hd_chat_service_create_request (s, caller, subject, description, customer_id,
                                                                assignee_id, team_id, error);
  return SVC_TEXT (e, hd_answer_request (s, e, caller));
}

static inline char *
svc_update_request (HdChatService *s, const HdUserRecord *caller, gint64 id, int closed, gint64 assignee_id,
                    gint64 team_id, GError **error)
{
  g_autoptr(HdRequestEntry) e = hd_chat_service_update_request (s, caller, id, closed, assignee_id, team_id, error);
  return SVC_TEXT (e, hd_answer_request (s, e, caller));
}

static inline char *
svc_list_notes (HdChatService *s, const HdUserRecord *caller, gint64 id, GError **error)
{
  g_autoptr(GPtrArray) notes = hd_chat_service_list_notes (s, caller, id, error);
  return SVC_TEXT (notes, hd_answer_notes (s, notes, caller));
}

static inline char *
svc_list_messages (HdChatService *s, const HdUserRecord *caller, gint64 id, gint64 after, guint limit,
                   GError **error)
{
  gboolean more = FALSE;
  g_autoptr(GPtrArray) list = hd_chat_service_list_messages (s, caller, id, after, limit, &more, error);
  return SVC_TEXT (list, hd_answer_messages (s, list, more, caller));
}

static inline char *
svc_post_message (HdChatService *s, const HdUserRecord *caller, gint64 id, const char *body,
                  const char *client_id, gboolean *created, GError **error)
{
  g_autoptr(HdMessageRecord) m = hd_chat_service_post_message (s, caller, id, body, client_id, created, error);
  return SVC_TEXT (m, hd_answer_message (s, m, m->author_id == caller->id ? caller : NULL, caller));
}

static inline char *
svc_list_teams (HdChatService *s, const HdUserRecord *caller, GError **error)
{
  g_autoptr(GPtrArray) teams = hd_chat_service_list_teams (s, caller, error);
  return SVC_TEXT (teams, hd_answer_teams (s, teams, caller));
}

static inline char *
svc_list_users (HdChatService *s, const HdUserRecord *caller, int role, GError **error)
{
  g_autoptr(GPtrArray) users = hd_chat_service_list_users (s, caller, role, error);
  return SVC_TEXT (users, hd_answer_users (s, users, caller));
}

static inline char *
svc_create_team (HdChatService *s, const HdUserRecord *caller, const char *name, const gint64 *ids, guint n,
                 GError **error)
{
  g_autoptr(HdTeamRecord) t = hd_chat_service_create_team (s, caller, name, ids, n, error);
  return SVC_TEXT (t, hd_answer_team (s, t, caller));
}

static inline char *
svc_create_user_finish (HdChatService *s, GAsyncResult *result, GError **error)
{
  g_autoptr(HdUserRecord) u = hd_chat_service_create_user_finish (s, result, error);
  return SVC_TEXT (u, hd_answer_user (s, u, NULL));
}

static inline char *
svc_email_chat_finish (HdChatService *s, GAsyncResult *result, GError **error)
{
  g_autofree char *to = hd_chat_service_email_chat_finish (s, result, error);
  return SVC_TEXT (to, hd_answer_sent_to (to));
}
