/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "hd-error.h"
#include "hd-wire.h"

G_BEGIN_DECLS

/* The seed's rules, each once: pure functions over records and over the
 * facts the caller read (is the user online, a member of the team, how
 * many chats they have).  No store, no service, no clock: the chat
 * service (hd-chat-service.c and its files) asks here and then acts.
 * Tested on their own in tests/unit/test-policy.c. */

/* Staff, available for chat and not away: may be offered chats. */
gboolean     hd_policy_takes_chats          (const HdUserRecord    *user);
/* The same and connected (@online): someone who can answer now. */
gboolean     hd_policy_reachable            (const HdUserRecord    *user,
                                             gboolean               online);
/* At the limit of active chats (a limit of 0 is none). */
gboolean     hd_policy_is_busy              (const HdPrivileges    *privileges,
                                             gint64                 active_chats);
/* A customer may chat with the request's team (privilege and a team). */
gboolean     hd_policy_team_chat_allowed    (const HdPrivileges    *privileges,
                                             const HdRequestRecord *request);
/* Whether a customer may be offered (pick) @technician for @request: the
 * assignee, or with the team privilege a member of the request's team
 * (@in_request_team); reachable and not busy. */
gboolean     hd_policy_may_pick             (const HdPrivileges    *privileges,
                                             const HdRequestRecord *request,
                                             const HdUserRecord    *technician,
                                             gboolean               in_request_team,
                                             gboolean               online,
                                             gboolean               busy);

/* Admin: every request; technician: assigned to them or to a team of
 * theirs (@in_team: a member of the request's team); customer: their own. */
gboolean     hd_policy_can_see_request      (const HdUserRecord    *caller,
                                             const HdRequestRecord *request,
                                             gboolean               in_team);
/* The chat's customer or its technician. */
gboolean     hd_policy_is_member            (const HdUserRecord    *caller,
                                             const HdChatRecord    *chat);
/* Whether @user is offered @chat (may accept it while it waits): the
 * technician it targets, or a member of the team it targets
 * (@in_target_team) who takes chats. */
gboolean     hd_policy_is_offered           (const HdUserRecord    *user,
                                             const HdChatRecord    *chat,
                                             gboolean               in_target_team);
/* Members see a chat; those it is offered to while it waits. */
gboolean     hd_policy_can_see_chat         (const HdUserRecord    *caller,
                                             const HdChatRecord    *chat,
                                             gboolean               in_target_team);

/* Why a customer cannot start a chat on @request now (NULL when they
 * can; *@code set otherwise).  @has_open_chat: the request has a waiting
 * or active chat; @n_candidates: whom hd_policy_may_pick () accepts;
 * @any_busy: someone would be a candidate but for the limit of chats. */
const char  *hd_policy_chat_refusal         (const HdPrivileges    *privileges,
                                             const HdRequestRecord *request,
                                             gboolean               has_open_chat,
                                             guint                  n_candidates,
                                             gboolean               any_busy,
                                             HdErrorCode           *code);
/* Whether @caller may accept @chat (first accept wins: only while it
 * waits).  @offered: hd_policy_is_offered () for the caller; @busy: the
 * caller is at the limit of chats.  FALSE with
 * @error set otherwise. */
gboolean     hd_policy_may_accept           (const HdUserRecord    *caller,
                                             const HdChatRecord    *chat,
                                             gboolean               offered,
                                             gboolean               busy,
                                             GError               **error);
/* The refusal of an accept that lost the race (the chat is no longer
 * waiting when the store changes it). */
void         hd_policy_set_already_taken    (GError               **error);
/* Why @chat ends when @caller ends it. */
HdEndReason  hd_policy_end_reason           (const HdUserRecord    *caller,
                                             const HdChatRecord    *chat);
/* A transcript is mailed to the request's customer only, never to an
 * address the caller gives. */
gint64       hd_policy_transcript_recipient (const HdRequestRecord *request);

G_END_DECLS
