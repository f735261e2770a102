/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-queue"

#include "hd-customer.h"
#include "hd-chat-service-private.h"
#include "hd-json.h"
#include "hd-protocol.h"


/* Where a waiting customer stands.  The position counts the waiting chats
 * with the same target (one technician, or one team's queue) that came
 * first.  The estimate is the median wait of the last RECENT accepted
 * chats of that target, times the position: the median, so that one chat
 * left waiting over lunch does not skew it; nothing accepted yet means
 * "unknown" (null), not a guess. */

#define RECENT 20

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

/* The median of the recent waits in µs, or -1. */
static gint64
estimate_base (HdChatService *self,
               HdTargetKind   kind,
               gint64         target_id)
{
  g_autoptr(GArray) waits = hd_store_queue_recent_waits (hd_chat_service_get_store (self),
                                                         kind, target_id, RECENT);
  guint n = waits->len;

  if (n == 0)
    return -1;
  g_array_sort (waits, compare_gint64);
  if (n % 2 == 1)
    return g_array_index (waits, gint64, n / 2);
  return (g_array_index (waits, gint64, n / 2 - 1) + g_array_index (waits, gint64, n / 2)) / 2;
}

/* Whole seconds, at least one: "any moment now" is still a wait. */
static gint64
estimate (gint64 base,
          gint64 position)
{
  if (base < 0 || position <= 0)
    return -1;
  return MAX ((base * position + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1);
}

char *
hd_customer_chat_facts (HdChatService      *self,
                        const HdChatRecord *chat,
                        HdChatFacts        *out)
{
  HdStore *store = hd_chat_service_get_store (self);

  out->queue_position = 0;
  out->estimated_wait_s = -1;
  if (chat->state == HD_CHAT_STATE_WAITING)
    {
      out->queue_position = hd_store_queue_position (store, chat);
      out->estimated_wait_s = estimate (estimate_base (self, chat->target_kind, chat->target_id),
                                        out->queue_position);
    }
  return chat->rating > 0 ? hd_store_chat_rating_comment (store, chat->id) : NULL;
}

void
hd_customer_queue_leaving (HdChatService *self,
                           const HdChatRecord  *chat,
                           HdQueueChange *change)
{
  change->target_kind = chat->target_kind;
  change->target_id = chat->target_id;
  change->chat_id = chat->state == HD_CHAT_STATE_WAITING ? chat->id : 0;
  change->base_before = estimate_base (self, chat->target_kind, chat->target_id);
}

void
hd_customer_queue_left (HdChatService       *self,
                        const HdQueueChange *change)
{
  HdStore *store = hd_chat_service_get_store (self);
  g_autoptr(GArray) waiting = NULL;
  gint64 base_after;
  gint64 position = 0;

  /* It was not waiting: nobody moved. */
  if (change->chat_id == 0)
    return;
  waiting = hd_store_chats_waiting (store, NULL);
  if (waiting == NULL)
    return;
  base_after = estimate_base (self, change->target_kind, change->target_id);

  for (guint i = 0; i < waiting->len; i++)
    {
      const HdChatRecord *c = &g_array_index (waiting, HdChatRecord, i);
      gint64 before;
      GArray *to;

      if (c->target_kind != change->target_kind || c->target_id != change->target_id)
        continue;
      /* In id order, as hd_store_queue_position () counts. */
      position++;
      before = position + (c->id > change->chat_id ? 1 : 0);
      if (before == position &&
          estimate (change->base_before, before) == estimate (base_after, position))
        continue;
      to = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_array_append_val (to, c->customer_id);
      hd_chat_service_emit_chat_event (self, HD_EVENT_CHAT_UPDATED, to, c);
    }
}
