/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hd-chat-service.h"
#include "hd-error.h"

G_BEGIN_DECLS

/* Sets @error (HD_ERROR @code) and returns NULL: `return hd_fail (…);`. */
static inline gpointer
hd_fail (GError      **error,
         HdErrorCode   code,
         const char   *message)
{
  g_set_error_literal (error, HD_ERROR, code, message);
  return NULL;
}

/* What the service's other files (hd-notes.c, hd-queue.c, hd-rating.c,
 * hd-attachments.c, …) use of its core: the visibility rules and the
 * typed events (held until the commit; the door writes their frames).
 * They return records, as the core does; none writes JSON. */

/* note.created/note.updated of @note on @request: as staff and as the
 * request's customer see it (the subscribers of the request hear it too). */
void       hd_chat_service_emit_note           (HdChatService  *self,
                                                const char     *type,
                                                GArray         *recipients,
                                                const HdRequestRecord *request,
                                                const HdNoteRecord    *note);
/* chat.message to @chat's members; @author: at hand (NULL: looked up, or
 * none for a system message). */
void       hd_chat_service_emit_message        (HdChatService  *self,
                                                const HdChatRecord    *chat,
                                                const HdMessageRecord *message,
                                                const HdUserRecord    *author);
void       hd_chat_service_emit_chat_event     (HdChatService  *self,
                                                const char     *type,
                                                GArray         *recipients,
                                                const HdChatRecord   *chat);
gboolean   hd_chat_service_get_member_chat     (HdChatService  *self,
                                                const HdUserRecord   *caller,
                                                gint64          chat_id,
                                                HdChatRecord         *chat,
                                                GError        **error);
gboolean   hd_chat_service_can_see_request     (HdChatService  *self,
                                                const HdUserRecord   *caller,
                                                const HdRequestRecord *request);
HdRequestRecord *hd_chat_service_get_visible_request (HdChatService  *self,
                                                const HdUserRecord   *caller,
                                                gint64          request_id,
                                                GError        **error);
/* A new message's line joins @chat's transcript (the note's length and
 * updated_at) and note.updated goes out; @author NULL: a system message. */
void       hd_chat_service_transcript_append   (HdChatService      *self,
                                                const HdChatRecord *chat,
                                                gint64              now,
                                                const char         *author,
                                                const char         *body);
/* Not NULL and not only white space. */
gboolean   hd_chat_service_text_ok             (const char     *text);
/* For hd-transfer.c and hd-waiting.c (technicians, contract v2). */

/* presence.changed for @user, to whoever may see that technician. */
void      hd_chat_service_private_emit_presence      (HdChatService  *self,
                                                      const HdUserRecord *user);
/* Who is offered @chat while it waits (GArray of gint64). */
GArray   *hd_chat_service_private_offered_ids        (HdChatService  *self,
                                                      const HdChatRecord   *chat);
/* Staff, logged in, available for chat and not away. */
gboolean  hd_chat_service_private_reachable          (HdChatService  *self,
                                                      const HdUserRecord   *user);
/* Someone of @team_id who could answer now (hd_policy_reachable ()). */
gboolean  hd_chat_service_private_team_has_reachable (HdChatService  *self,
                                                      gint64          team_id);
gboolean  hd_chat_service_private_add_system_message (HdChatService  *self,
                                                      const HdChatRecord   *chat,
                                                      gint64          actor_id,
                                                      const char     *body,
                                                      gint64          now,
                                                      GError        **error);

G_END_DECLS
