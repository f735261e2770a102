/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-attachments"

#include "hd-customer.h"
#include "hd-policy.h"
#include "hd-chat-service-private.h"
#include "hd-error.h"
#include "hd-json.h"
#include "hd-protocol.h"

#include <string.h>

/* A file sent in a chat: its bytes in the store's attachments table (never
 * in the message row), its type decided from the bytes alone, and a
 * message of kind "attachment" pointing at it, whose body is the
 * transcript's "[attachment: NAME, SIZE]" so that the transcript stays
 * derived from the messages. */

HdMessageRecord *
hd_chat_service_add_attachment (HdChatService  *self,
                                const HdUserRecord   *caller,
                                gint64          chat_id,
                                const char     *filename,
                                GBytes         *data,
                                const char     *client_id,
                                gboolean       *created,
                                GError        **error)
{
  HdStore *store = hd_chat_service_get_store (self);
  g_autofree char *name = NULL;
  g_autofree char *size_text = NULL;
  g_autofree char *body = NULL;
  g_autofree char *sha256 = NULL;
  g_autoptr(HdMessageRecord) m = NULL;
  HdAttachmentRecord meta = { 0, };
  const char *content_type;
  gsize size;
  const guint8 *bytes = g_bytes_get_data (data, &size);
  gint64 now = g_get_real_time ();
  gboolean is_new = FALSE;
  HdChatRecord chat;

  *created = FALSE;
  name = hd_protocol_clean_filename (filename, error);
  if (name == NULL)
    return NULL;
  if (size == 0)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "The file is empty");
      return NULL;
    }
  if (size > HD_MAX_ATTACHMENT_BYTES)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_PAYLOAD_TOO_LARGE,
                   "A file may have at most %d MiB", HD_MAX_ATTACHMENT_BYTES / (1024 * 1024));
      return NULL;
    }
  if (client_id != NULL && (strlen (client_id) > 200 || !g_utf8_validate (client_id, -1, NULL)))
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "client_id is too long");
      return NULL;
    }
  if (!hd_chat_service_get_member_chat (self, caller, chat_id, &chat, error))
    return NULL;
  if (chat.state == HD_CHAT_STATE_WAITING)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_CONFLICT, "The chat has not been accepted yet");
      return NULL;
    }
  if (chat.state == HD_CHAT_STATE_ENDED)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_CHAT_ENDED, "This chat has ended");
      return NULL;
    }
  content_type = hd_protocol_sniff_content_type (bytes, size);
  if (content_type == NULL)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_UNSUPPORTED_MEDIA_TYPE,
                           "Only images (PNG, JPEG, GIF, WebP), PDF and plain text files can be sent");
      return NULL;
    }

  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
  size_text = hd_protocol_format_size (size);
  body = g_strdup_printf ("[attachment: %s, %s]", name, size_text);
  meta.chat_id = chat_id;
  meta.author_id = caller->id;
  meta.filename = name;
  meta.content_type = (char *) content_type;
  meta.sha256 = sha256;
  m = hd_store_attachment_add (store, &meta, data, body, client_id, now, &is_new, error);
  if (m == NULL)
    return NULL;

  if (is_new)
    {
      hd_chat_service_emit_message (self, &chat, m, caller);
      hd_chat_service_transcript_append (self, &chat, now, caller->name, body);
    }

  *created = is_new;
  return g_steal_pointer (&m);
}

HdAttachmentRecord *
hd_chat_service_get_attachment (HdChatService  *self,
                                const HdUserRecord   *caller,
                                gint64          attachment_id,
                                GError        **error)
{
  HdStore *store = hd_chat_service_get_store (self);
  g_autoptr(HdAttachmentRecord) a = hd_store_attachment_get (store, attachment_id, NULL);
  HdChatRecord chat;
  gboolean allowed = FALSE;

  if (a != NULL && hd_store_chat_get (store, a->chat_id, &chat, NULL))
    {
      allowed = hd_policy_is_member (caller, &chat);
      /* Staff who see the request see its transcript, which names the file. */
      if (!allowed && HD_ROLE_IS_STAFF (caller->role))
        {
          g_autoptr(HdRequestRecord) r = hd_store_request_get (store, chat.request_id, NULL);
          allowed = r != NULL && hd_chat_service_can_see_request (self, caller, r);
        }
    }
  if (!allowed)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_NOT_FOUND, "Attachment not found");
      return NULL;
    }
  return g_steal_pointer (&a);
}

GBytes *
hd_chat_service_read_attachment (HdChatService  *self,
                                 gint64          attachment_id,
                                 gint64          offset,
                                 gsize           length,
                                 GError        **error)
{
  return hd_store_attachment_read (hd_chat_service_get_store (self), attachment_id, offset, length, error);
}
