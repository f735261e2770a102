/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-waiting"

#include "hd-tech.h"
#include "hd-policy.h"
#include "hd-chat-service-private.h"
#include "hd-customer.h"
#include "hd-core.h"
#include "hd-store-tech.h"
#include "hd-error.h"
#include "hd-protocol.h"

/* No chat is stuck (contract v2, "Technicians"): a waiting chat never
 * waits on someone who cannot answer, nor longer than waiting_timeout_s;
 * an active chat without messages for inactivity_timeout_s ends.
 *
 * The deadlines are columns of the chats (waiting_since, the last
 * message's time), not timers of this process: the sweep finds them by
 * query, so a restart or another server loses none.  Every move is a
 * guarded UPDATE (state = 'waiting' / 'active'), so when two servers sweep
 * the same chat, one wins and the other changes nothing. */

#define SWEEP_INTERVAL_S 1

gboolean
hd_tech_is_busy (HdChatService      *self,
                 const HdUserRecord       *technician,
                 const HdPrivileges *p)
{
  if (p->max_chats_per_technician <= 0)
    return FALSE;
  return hd_policy_is_busy (p, hd_store_count_active_chats (hd_chat_service_get_store (self), technician->id));
}

static GArray *
ids_of (gint64 a,
        gint64 b)
{
  GArray *ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), 2);

  if (a > 0)
    g_array_append_val (ids, a);
  if (b > 0 && b != a)
    g_array_append_val (ids, b);
  return ids;
}

static void
end_no_answer (HdChatService *self,
               const HdChatRecord  *chat,
               gint64         now)
{
  HdStore *store = hd_chat_service_get_store (self);
  g_autoptr(GError) error = NULL;
  GArray *offered = hd_chat_service_private_offered_ids (self, chat);
  HdQueueChange queue;
  HdChatRecord ended;

  hd_customer_queue_leaving (self, chat, &queue);
  if (!hd_store_chat_end_with_reason (store, chat->id, now, HD_END_REASON_NO_ANSWER, HD_CHAT_STATE_WAITING,
                                      &ended, &error))
    {
      /* Accepted or withdrawn meanwhile: nothing to do. */
      if (!g_error_matches (error, HD_ERROR, HD_ERROR_CHAT_ENDED))
        g_warning ("Ending chat %" G_GINT64_FORMAT ": %s", chat->id, error->message);
      g_array_unref (offered);
      return;
    }
  hd_customer_queue_left (self, &queue);
  hd_chat_service_emit_chat_event (self, HD_EVENT_CHAT_ENDED, ids_of (ended.customer_id, ended.technician_id),
                                     &ended);
  hd_chat_service_emit_chat_event (self, HD_EVENT_CHAT_TAKEN, offered, &ended);
}

/* A waiting chat whose technician cannot answer (or whose time is up): to
 * the request's team queue when the team privilege allows it and someone
 * there can answer, else it ends no_answer.  A chat already in a team
 * queue ends. */
static void
reroute (HdChatService      *self,
         const HdChatRecord       *chat,
         const HdPrivileges *p,
         gint64              now)
{
  HdStore *store = hd_chat_service_get_store (self);
  g_autoptr(HdRequestRecord) r = NULL;
  g_autoptr(GError) error = NULL;
  GArray *offered;
  HdQueueChange queue;
  HdChatRecord moved;

  if (chat->target_kind == HD_TARGET_TEAM || !p->customer_chat_with_team)
    {
      end_no_answer (self, chat, now);
      return;
    }
  r = hd_store_request_get (store, chat->request_id, NULL);
  if (r == NULL || r->team_id <= 0 || !hd_chat_service_private_team_has_reachable (self, r->team_id))
    {
      end_no_answer (self, chat, now);
      return;
    }

  offered = hd_chat_service_private_offered_ids (self, chat);
  hd_customer_queue_leaving (self, chat, &queue);
  if (!hd_store_chat_to_team (store, chat->id, HD_CHAT_STATE_WAITING, r->team_id, now, &moved, &error))
    {
      if (!g_error_matches (error, HD_ERROR, HD_ERROR_CHAT_ENDED))
        g_warning ("Moving chat %" G_GINT64_FORMAT " to the team queue: %s", chat->id, error->message);
      g_array_unref (offered);
      return;
    }
  hd_customer_queue_left (self, &queue);
  hd_chat_service_emit_chat_event (self, HD_EVENT_CHAT_TAKEN, offered, &moved);
  hd_chat_service_emit_chat_event (self, HD_EVENT_CHAT_REQUESTED,
                                     hd_chat_service_private_offered_ids (self, &moved), &moved);
  hd_chat_service_emit_chat_event (self, HD_EVENT_CHAT_TRANSFERRED, ids_of (moved.customer_id, 0), &moved);
}

/* Whether someone can answer @chat now. */
static gboolean
answerable (HdChatService *self,
            const HdChatRecord  *chat)
{
  if (chat->target_kind == HD_TARGET_TEAM)
    return hd_chat_service_private_team_has_reachable (self, chat->target_id);
  {
    g_autoptr(HdUserRecord) u = hd_store_user_get (hd_chat_service_get_store (self), chat->target_id, NULL);
    return hd_chat_service_private_reachable (self, u);
  }
}

void
hd_waiting_technician_unreachable (HdChatService *self,
                                   gint64         technician_id)
{
  HdStore *store = hd_chat_service_get_store (self);
  g_autoptr(GArray) waiting = hd_store_chats_waiting (store, NULL);
  HdPrivileges p;
  gint64 now = g_get_real_time ();

  if (waiting == NULL || waiting->len == 0 || !hd_store_privileges_get (store, &p, NULL))
    return;
  for (guint i = 0; i < waiting->len; i++)
    {
      const HdChatRecord *c = &g_array_index (waiting, HdChatRecord, i);

      if (c->target_kind == HD_TARGET_TECHNICIAN && c->target_id != technician_id)
        continue;
      if (c->target_kind == HD_TARGET_TEAM && !hd_store_team_has_member (store, c->target_id, technician_id))
        continue;
      if (!answerable (self, c))
        reroute (self, c, &p, now);
    }
}

void
hd_waiting_sweep (HdChatService *self,
                  gint64         now)
{
  HdStore *store = hd_chat_service_get_store (self);
  g_autoptr(GArray) waiting = hd_store_chats_waiting (store, NULL);
  HdPrivileges p;

  if (!hd_store_privileges_get (store, &p, NULL))
    return;

  for (guint i = 0; waiting && i < waiting->len; i++)
    {
      const HdChatRecord *c = &g_array_index (waiting, HdChatRecord, i);
      /* (A store without waiting_since yet: since it was created.) */
      gint64 since = c->waiting_since > 0 ? c->waiting_since : c->created_at;
      gboolean timed_out = p.waiting_timeout_s > 0 &&
                           now - since >= p.waiting_timeout_s * G_USEC_PER_SEC;

      /* A chat nobody can answer (after a restart, or when presence
       * changed on another server) does not wait for its timeout. */
      if (timed_out || !answerable (self, c))
        reroute (self, c, &p, now);
    }

  if (p.inactivity_timeout_s > 0)
    {
      g_autoptr(GArray) idle = hd_store_chats_inactive_since (store, now - p.inactivity_timeout_s * G_USEC_PER_SEC,
                                                              NULL);

      for (guint i = 0; idle && i < idle->len; i++)
        {
          const HdChatRecord *c = &g_array_index (idle, HdChatRecord, i);
          g_autoptr(GError) error = NULL;
          HdChatRecord ended;

          if (!hd_store_chat_end_with_reason (store, c->id, now, HD_END_REASON_INACTIVE, HD_CHAT_STATE_ACTIVE,
                                              &ended, &error))
            continue;
          hd_chat_service_emit_chat_event (self, HD_EVENT_CHAT_ENDED,
                                             ids_of (ended.customer_id, ended.technician_id), &ended);
        }
    }
}

static gboolean
sweep_command (HdChatService *service,
               gpointer       data)
{
  hd_waiting_sweep (service, g_get_real_time ());
  return TRUE;
}

/* The service is the core thread's: the sweep is one of its commands. */
static gboolean
sweep_cb (gpointer data)
{
  HdCore *core = hd_core_of (HD_CHAT_SERVICE (data));

  if (core != NULL)
    hd_core_run (core, sweep_command, FALSE, NULL, NULL, NULL);
  else
    hd_waiting_sweep (HD_CHAT_SERVICE (data), g_get_real_time ());
  return G_SOURCE_CONTINUE;
}

static void
remove_source (gpointer data)
{
  g_source_remove (GPOINTER_TO_UINT (data));
}

void
hd_waiting_start (HdChatService *self)
{
  guint id;

  if (g_object_get_data (G_OBJECT (self), "hd-waiting-source") != NULL)
    return;
  /* The source holds no reference: the object's data removes it first. */
  id = g_timeout_add_seconds (SWEEP_INTERVAL_S, sweep_cb, self);
  g_object_set_data_full (G_OBJECT (self), "hd-waiting-source", GUINT_TO_POINTER (id), remove_source);
}

/* ---- presence: PATCH /me ------------------------------------------- */

HdUserRecord *
hd_tech_set_presence (HdChatService  *self,
                      const HdUserRecord   *caller,
                      int             available,
                      int             away,
                      GError        **error)
{
  HdStore *store = hd_chat_service_get_store (self);
  g_autoptr(HdUserRecord) user = NULL;
  gboolean ok = TRUE;

  if (!HD_ROLE_IS_STAFF (caller->role))
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_FORBIDDEN,
                           "Only technicians set their availability for chat or away");
      return NULL;
    }
  if (!hd_store_begin (store, error))
    return NULL;
  if (available >= 0)
    ok = hd_store_user_set_available (store, caller->id, available != 0, error);
  if (ok && away >= 0)
    ok = hd_store_user_set_away (store, caller->id, away != 0, error);
  if (!ok)
    {
      hd_store_rollback (store);
      return NULL;
    }
  if (!hd_store_commit (store, error))
    return NULL;

  user = hd_store_user_get (store, caller->id, error);
  if (user == NULL)
    return NULL;
  if (user->available != caller->available || user->away != caller->away)
    {
      hd_chat_service_private_emit_presence (self, user);
      if (!user->available || user->away)
        hd_waiting_technician_unreachable (self, user->id);
    }
  user->online = hd_chat_service_is_online (self, user->id);
  return g_steal_pointer (&user);
}
