/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-rating"

#include "hd-customer.h"
#include "hd-chat-service-private.h"
#include "hd-error.h"
#include "hd-protocol.h"

/* A chat's customer says how it went, once, after it ended.  The rating
 * lives on the chat's row; staff see it on the chat and on the request's
 * transcript note. */

HdChatRecord *
hd_chat_service_rate_chat (HdChatService  *self,
                           const HdUserRecord   *caller,
                           gint64          chat_id,
                           int             score,
                           const char     *comment,
                           GError        **error)
{
  HdStore *store = hd_chat_service_get_store (self);
  HdChatRecord chat;
  GArray *to;

  if (!hd_chat_service_get_member_chat (self, caller, chat_id, &chat, error))
    return NULL;
  if (caller->id != chat.customer_id)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_FORBIDDEN, "Only the chat's customer rates it");
      return NULL;
    }
  if (score < 1 || score > 5)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "The score is a whole number from 1 to 5");
      return NULL;
    }
  if (comment != NULL && !g_utf8_validate (comment, -1, NULL))
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "The comment is not valid UTF-8");
      return NULL;
    }
  if (comment != NULL && g_utf8_strlen (comment, -1) > HD_MAX_NOTE_CHARS)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST,
                   "The comment is longer than %d characters", HD_MAX_NOTE_CHARS);
      return NULL;
    }
  /* A blank comment is no comment. */
  if (comment != NULL && !hd_chat_service_text_ok (comment))
    comment = NULL;
  if (chat.state != HD_CHAT_STATE_ENDED)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_CONFLICT, "A chat is rated after it ended");
      return NULL;
    }
  if (!hd_store_chat_rate (store, chat_id, score, comment, error))
    return NULL;
  chat.rating = score;

  /* The technician sees it arrive. */
  to = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_val (to, chat.customer_id);
  if (chat.technician_id > 0)
    g_array_append_val (to, chat.technician_id);
  hd_chat_service_emit_chat_event (self, HD_EVENT_CHAT_UPDATED, to, &chat);

  return g_memdup2 (&chat, sizeof chat);
}
