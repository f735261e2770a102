/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hd-chat-service.h"

G_BEGIN_DECLS

/* Contract v2, "Customers": notes with an author and the customer's
 * "leave a message" (hd-notes.c), the waiting customer's queue position
 * and expected wait (hd-queue.c), rating a chat (hd-rating.c),
 * attachments (hd-attachments.c).  Same conventions as
 * hd-chat-service.h: records or NULL with an HD_ERROR. */

/* POST /requests/{id}/notes */
HdNoteRecord *hd_chat_service_add_note (HdChatService *self, const HdUserRecord *caller,
                                       gint64 request_id, const char *body,
                                       GError **error);
/* After a transcript mail was accepted for delivery to @recipient. */
void  hd_chat_service_note_mail_sent  (HdChatService *self, gint64 sender_id,
                                       const HdChatRecord *chat, const char *recipient);

/* POST /chats/{id}/rating; @comment may be NULL.  The chat, rated (free
 * with g_free ()). */
HdChatRecord *hd_chat_service_rate_chat (HdChatService *self, const HdUserRecord *caller,
                                       gint64 chat_id, int score, const char *comment,
                                       GError **error);

/* POST /chats/{id}/attachments: @data is the whole body.  *@created as
 * for hd_chat_service_post_message (). */
HdMessageRecord *hd_chat_service_add_attachment (HdChatService *self, const HdUserRecord *caller,
                                       gint64 chat_id, const char *filename,
                                       GBytes *data, const char *client_id,
                                       gboolean *created, GError **error);
/* GET /attachments/{id}: the description, if @caller may read it (a
 * member of its chat, or staff who can see the chat's request). */
HdAttachmentRecord *hd_chat_service_get_attachment (HdChatService *self, const HdUserRecord *caller,
                                              gint64 attachment_id, GError **error);
/* At most @length bytes of the attachment's file from @offset (after
 * hd_chat_service_get_attachment () let the caller read it). */
GBytes       *hd_chat_service_read_attachment (HdChatService *self, gint64 attachment_id, gint64 offset,
                                               gsize length, GError **error);

/* ---- hooks the service's core calls --------------------------------- */

/* The v2 facts of a chat: queue position and expected wait (in *@out);
 * returns its rating's comment (free it), or NULL. */
char *hd_customer_chat_facts          (HdChatService *self, const HdChatRecord *chat,
                                       HdChatFacts *out);

/* A waiting chat is about to leave its queue (accepted, withdrawn, moved
 * elsewhere): returns what is needed to tell the others.  Call
 * hd_customer_queue_left () after the change committed. */
typedef struct {
  HdTargetKind target_kind;
  gint64       target_id;
  gint64       chat_id;
  gint64       base_before;   /* the wait estimate's base before, µs; -1 unknown */
} HdQueueChange;
void  hd_customer_queue_leaving       (HdChatService *self, const HdChatRecord *chat,
                                       HdQueueChange *change);
void  hd_customer_queue_left          (HdChatService *self, const HdQueueChange *change);

G_END_DECLS
