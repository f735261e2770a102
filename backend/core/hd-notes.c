/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-notes"

#include "hd-customer.h"
#include "hd-chat-service-private.h"
#include "hd-error.h"
#include "hd-json.h"
#include "hd-protocol.h"

/* Notes written by people (kind "note": the customer's way to leave a
 * message when nobody is free, staff's answers) and by the server (kind
 * "event": "Chat transcript emailed to …"), each with its author, and
 * note.created to those who should hear of it. */

/* note.created: to the assignee (and, through the request id, to the
 * sockets subscribed to the request), and to the customer unless the
 * customer wrote it. */
static void
emit_note_created (HdChatService   *self,
                   const HdRequestRecord *r,
                   const HdNoteRecord    *n)
{
  GArray *to = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (r->assignee_id > 0)
    g_array_append_val (to, r->assignee_id);
  if (n->author_id != r->customer_id)
    g_array_append_val (to, r->customer_id);
  hd_chat_service_emit_note (self, HD_EVENT_NOTE_CREATED, to, r, n);
}

HdNoteRecord *
hd_chat_service_add_note (HdChatService  *self,
                          const HdUserRecord   *caller,
                          gint64          request_id,
                          const char     *body,
                          GError        **error)
{
  g_autoptr(HdRequestRecord) r = NULL;
  g_autoptr(HdNoteRecord) n = NULL;

  r = hd_chat_service_get_visible_request (self, caller, request_id, error);
  if (r == NULL)
    return NULL;
  if (body == NULL || !g_utf8_validate (body, -1, NULL) || !hd_chat_service_text_ok (body))
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "The note is empty");
      return NULL;
    }
  if (g_utf8_strlen (body, -1) > HD_MAX_NOTE_CHARS)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST,
                   "A note has at most %d characters", HD_MAX_NOTE_CHARS);
      return NULL;
    }
  if (!HD_ROLE_IS_STAFF (caller->role) && r->closed)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_REQUEST_CLOSED, "The request is closed");
      return NULL;
    }

  n = hd_store_note_add (hd_chat_service_get_store (self), r->id, HD_NOTE_KIND_NOTE, 0, caller->id,
                         body, g_get_real_time (), error);
  if (n == NULL)
    return NULL;
  emit_note_created (self, r, n);

  return g_steal_pointer (&n);
}

void
hd_chat_service_note_mail_sent (HdChatService *self,
                                gint64         sender_id,
                                const HdChatRecord  *chat,
                                const char    *recipient)
{
  HdStore *store = hd_chat_service_get_store (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(HdRequestRecord) r = hd_store_request_get (store, chat->request_id, &error);
  g_autoptr(HdNoteRecord) n = NULL;
  g_autofree char *body = NULL;

  if (r != NULL)
    {
      /* Stored in English like every server text; the apps show their own
       * words for an event note they recognise. */
      body = g_strdup_printf ("Chat transcript emailed to %s.", recipient);
      n = hd_store_note_add (store, r->id, HD_NOTE_KIND_EVENT, chat->id, sender_id, body,
                             g_get_real_time (), &error);
    }
  if (n == NULL)
    {
      g_warning ("Cannot record the transcript mail: %s", error ? error->message : "?");
      return;
    }
  emit_note_created (self, r, n);
}
