/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The seed's rules (backend/core/hd-policy.c) on their own: records in,
 * answers out, no store. */
#include "hd-policy.h"

static HdUserRecord
user (gint64   id,
      HdRole   role,
      gboolean available,
      gboolean away)
{
  HdUserRecord u = { 0, };

  u.id = id;
  u.role = role;
  u.available = available;
  u.away = away;
  return u;
}

static HdRequestRecord
request (gint64 customer,
         gint64 assignee,
         gint64 team)
{
  HdRequestRecord r = { 0, };

  r.id = 7;
  r.customer_id = customer;
  r.assignee_id = assignee;
  r.team_id = team;
  return r;
}

static HdChatRecord
chat (HdChatState  state,
      HdTargetKind kind,
      gint64       target,
      gint64       customer,
      gint64       technician)
{
  HdChatRecord c = { 0, };

  c.id = 3;
  c.request_id = 7;
  c.state = state;
  c.target_kind = kind;
  c.target_id = target;
  c.customer_id = customer;
  c.technician_id = technician;
  return c;
}

static void
test_takes_chats (void)
{
  HdUserRecord tech = user (2, HD_ROLE_TECHNICIAN, TRUE, FALSE);
  HdUserRecord admin = user (3, HD_ROLE_ADMIN, TRUE, FALSE);
  HdUserRecord customer = user (1, HD_ROLE_CUSTOMER, TRUE, FALSE);
  HdUserRecord away = user (4, HD_ROLE_TECHNICIAN, TRUE, TRUE);
  HdUserRecord unavailable = user (5, HD_ROLE_TECHNICIAN, FALSE, FALSE);

  g_assert_true (hd_policy_takes_chats (&tech));
  g_assert_true (hd_policy_takes_chats (&admin));
  g_assert_false (hd_policy_takes_chats (&customer));
  g_assert_false (hd_policy_takes_chats (&away));
  g_assert_false (hd_policy_takes_chats (&unavailable));
  g_assert_false (hd_policy_takes_chats (NULL));

  g_assert_true (hd_policy_reachable (&tech, TRUE));
  g_assert_false (hd_policy_reachable (&tech, FALSE));
  g_assert_false (hd_policy_reachable (&away, TRUE));
  g_assert_false (hd_policy_reachable (NULL, TRUE));
}

static void
test_busy (void)
{
  HdPrivileges none = { 0, };
  HdPrivileges two = { 0, };

  two.max_chats_per_technician = 2;
  g_assert_false (hd_policy_is_busy (&none, 100));
  g_assert_false (hd_policy_is_busy (&two, 1));
  g_assert_true (hd_policy_is_busy (&two, 2));
  g_assert_true (hd_policy_is_busy (&two, 3));
}

static void
test_may_pick (void)
{
  HdPrivileges p = { 0, };
  HdRequestRecord r = request (1, 2, 9);
  HdRequestRecord no_team = request (1, 2, 0);
  HdUserRecord assignee = user (2, HD_ROLE_TECHNICIAN, TRUE, FALSE);
  HdUserRecord member = user (5, HD_ROLE_TECHNICIAN, TRUE, FALSE);

  p.chat_enabled = TRUE;
  /* The assignee: when reachable and not busy. */
  g_assert_true (hd_policy_may_pick (&p, &r, &assignee, FALSE, TRUE, FALSE));
  g_assert_false (hd_policy_may_pick (&p, &r, &assignee, FALSE, FALSE, FALSE));
  g_assert_false (hd_policy_may_pick (&p, &r, &assignee, FALSE, TRUE, TRUE));
  /* A team member only with the privilege, and only of the request's team. */
  g_assert_false (hd_policy_may_pick (&p, &r, &member, TRUE, TRUE, FALSE));
  p.customer_chat_with_team = TRUE;
  g_assert_true (hd_policy_may_pick (&p, &r, &member, TRUE, TRUE, FALSE));
  g_assert_false (hd_policy_may_pick (&p, &r, &member, FALSE, TRUE, FALSE));
  g_assert_false (hd_policy_may_pick (&p, &no_team, &member, TRUE, TRUE, FALSE));
  g_assert_true (hd_policy_team_chat_allowed (&p, &r));
  g_assert_false (hd_policy_team_chat_allowed (&p, &no_team));
}

static void
test_see_request (void)
{
  HdRequestRecord r = request (1, 2, 9);
  HdUserRecord customer = user (1, HD_ROLE_CUSTOMER, FALSE, FALSE);
  HdUserRecord other_customer = user (8, HD_ROLE_CUSTOMER, FALSE, FALSE);
  HdUserRecord assignee = user (2, HD_ROLE_TECHNICIAN, FALSE, FALSE);
  HdUserRecord tech = user (5, HD_ROLE_TECHNICIAN, FALSE, FALSE);
  HdUserRecord admin = user (6, HD_ROLE_ADMIN, FALSE, FALSE);

  g_assert_true (hd_policy_can_see_request (&customer, &r, FALSE));
  g_assert_false (hd_policy_can_see_request (&other_customer, &r, TRUE));
  g_assert_true (hd_policy_can_see_request (&assignee, &r, FALSE));
  g_assert_true (hd_policy_can_see_request (&tech, &r, TRUE));
  g_assert_false (hd_policy_can_see_request (&tech, &r, FALSE));
  g_assert_true (hd_policy_can_see_request (&admin, &r, FALSE));
}

static void
test_offered (void)
{
  HdChatRecord to_tech = chat (HD_CHAT_STATE_WAITING, HD_TARGET_TECHNICIAN, 2, 1, 0);
  HdChatRecord to_team = chat (HD_CHAT_STATE_WAITING, HD_TARGET_TEAM, 9, 1, 0);
  HdChatRecord taken = chat (HD_CHAT_STATE_ACTIVE, HD_TARGET_TEAM, 9, 1, 5);
  HdUserRecord target = user (2, HD_ROLE_TECHNICIAN, FALSE, FALSE);
  HdUserRecord member = user (5, HD_ROLE_TECHNICIAN, TRUE, FALSE);
  HdUserRecord away_member = user (4, HD_ROLE_TECHNICIAN, TRUE, TRUE);
  HdUserRecord customer = user (1, HD_ROLE_CUSTOMER, TRUE, FALSE);
  HdUserRecord other = user (6, HD_ROLE_TECHNICIAN, TRUE, FALSE);

  /* A chat for one technician is offered to them whatever their state. */
  g_assert_true (hd_policy_is_offered (&target, &to_tech, FALSE));
  g_assert_false (hd_policy_is_offered (&member, &to_tech, TRUE));
  /* A team's chat to its members who take chats. */
  g_assert_true (hd_policy_is_offered (&member, &to_team, TRUE));
  g_assert_false (hd_policy_is_offered (&member, &to_team, FALSE));
  g_assert_false (hd_policy_is_offered (&away_member, &to_team, TRUE));
  g_assert_false (hd_policy_is_offered (&customer, &to_team, TRUE));

  g_assert_true (hd_policy_is_member (&customer, &to_team));
  g_assert_false (hd_policy_is_member (&member, &to_team));
  g_assert_true (hd_policy_is_member (&member, &taken));
  /* Offered: seen only while it waits. */
  g_assert_true (hd_policy_can_see_chat (&member, &to_team, TRUE));
  g_assert_false (hd_policy_can_see_chat (&other, &taken, TRUE));
  g_assert_true (hd_policy_can_see_chat (&member, &taken, FALSE));
}

static void
test_accept (void)
{
  HdChatRecord waiting = chat (HD_CHAT_STATE_WAITING, HD_TARGET_TECHNICIAN, 2, 1, 0);
  HdChatRecord taken = chat (HD_CHAT_STATE_ACTIVE, HD_TARGET_TECHNICIAN, 2, 1, 5);
  HdUserRecord tech = user (2, HD_ROLE_TECHNICIAN, TRUE, FALSE);
  HdUserRecord customer = user (1, HD_ROLE_CUSTOMER, TRUE, FALSE);
  GError *error = NULL;

  g_assert_true (hd_policy_may_accept (&tech, &waiting, TRUE, FALSE, &error));
  g_assert_no_error (error);

  g_assert_false (hd_policy_may_accept (&tech, &waiting, FALSE, FALSE, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (hd_policy_may_accept (&customer, &waiting, FALSE, FALSE, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* First accept wins: the second finds it active. */
  g_assert_false (hd_policy_may_accept (&tech, &taken, TRUE, FALSE, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_ALREADY_TAKEN);
  g_clear_error (&error);

  g_assert_false (hd_policy_may_accept (&tech, &waiting, TRUE, TRUE, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_TECHNICIAN_BUSY);
  g_clear_error (&error);
}

static void
test_refusal (void)
{
  HdPrivileges p = { 0, };
  HdRequestRecord r = request (1, 2, 9);
  HdErrorCode code = HD_ERROR_INTERNAL;

  g_assert_nonnull (hd_policy_chat_refusal (&p, &r, FALSE, 1, FALSE, &code));
  g_assert_cmpint (code, ==, HD_ERROR_CHAT_DISABLED);
  p.chat_enabled = TRUE;
  r.closed = TRUE;
  g_assert_nonnull (hd_policy_chat_refusal (&p, &r, FALSE, 1, FALSE, &code));
  g_assert_cmpint (code, ==, HD_ERROR_REQUEST_CLOSED);
  r.closed = FALSE;
  g_assert_nonnull (hd_policy_chat_refusal (&p, &r, TRUE, 1, FALSE, &code));
  g_assert_cmpint (code, ==, HD_ERROR_CHAT_IN_PROGRESS);
  g_assert_nonnull (hd_policy_chat_refusal (&p, &r, FALSE, 0, TRUE, &code));
  g_assert_cmpint (code, ==, HD_ERROR_TECHNICIAN_BUSY);
  g_assert_nonnull (hd_policy_chat_refusal (&p, &r, FALSE, 0, FALSE, &code));
  g_assert_cmpint (code, ==, HD_ERROR_TECHNICIAN_UNAVAILABLE);
  g_assert_null (hd_policy_chat_refusal (&p, &r, FALSE, 1, FALSE, &code));
}

static void
test_end_and_mail (void)
{
  HdChatRecord waiting = chat (HD_CHAT_STATE_WAITING, HD_TARGET_TECHNICIAN, 2, 1, 0);
  HdChatRecord active = chat (HD_CHAT_STATE_ACTIVE, HD_TARGET_TECHNICIAN, 2, 1, 2);
  HdUserRecord customer = user (1, HD_ROLE_CUSTOMER, TRUE, FALSE);
  HdUserRecord tech = user (2, HD_ROLE_TECHNICIAN, TRUE, FALSE);
  HdRequestRecord r = request (1, 2, 9);

  g_assert_cmpint (hd_policy_end_reason (&customer, &waiting), ==, HD_END_REASON_WITHDRAWN);
  g_assert_cmpint (hd_policy_end_reason (&customer, &active), ==, HD_END_REASON_CUSTOMER);
  g_assert_cmpint (hd_policy_end_reason (&tech, &active), ==, HD_END_REASON_TECHNICIAN);
  g_assert_cmpint (hd_policy_transcript_recipient (&r), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/policy/takes-chats", test_takes_chats);
  g_test_add_func ("/policy/busy", test_busy);
  g_test_add_func ("/policy/may-pick", test_may_pick);
  g_test_add_func ("/policy/see-request", test_see_request);
  g_test_add_func ("/policy/offered", test_offered);
  g_test_add_func ("/policy/accept", test_accept);
  g_test_add_func ("/policy/refusal", test_refusal);
  g_test_add_func ("/policy/end-and-mail", test_end_and_mail);
  return g_test_run ();
}
