/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include "hd-session.h"

G_BEGIN_DECLS

/* Contract v2 "Customers" on HdSession: leaving a note, opening a
 * request, rating a chat, sending and fetching attachments. */

/* POST /requests/{id}/notes: finishes with the note (transfer full); it is
 * also added to the request's notes list. */
void        hd_session_add_note_async          (HdSession           *self,
                                                gint64               request_id,
                                                const char          *body,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
HdNote     *hd_session_add_note_finish         (HdSession     *self,
                                                GAsyncResult  *result,
                                                GError       **error);

/* POST /requests (a customer's own): finishes with the canonical request
 * (transfer full), also added to the requests list. */
void        hd_session_create_request_async    (HdSession           *self,
                                                const char          *subject,
                                                const char          *description,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
HdRequest  *hd_session_create_request_finish   (HdSession     *self,
                                                GAsyncResult  *result,
                                                GError       **error);

/* POST /chats/{id}/rating (@comment may be NULL); finishes with
 * hd_session_chat_finish () (the canonical chat, rated). */
void        hd_session_rate_chat_async         (HdSession           *self,
                                                gint64               chat_id,
                                                int                  score,
                                                const char          *comment,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);

/* POST /chats/{id}/attachments: @data are the file's bytes.  Refused at
 * once, without a round trip, when larger than 10 MiB
 * (HD_ERROR_PAYLOAD_TOO_LARGE) or of a type the server does not keep
 * (HD_ERROR_UNSUPPORTED_MEDIA_TYPE).  Finishes with the message (transfer
 * full); the chat.message event puts it in the chat's list. */
void        hd_session_send_attachment_async   (HdSession           *self,
                                                gint64               chat_id,
                                                const char          *filename,
                                                GBytes              *data,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
HdMessage  *hd_session_send_attachment_finish  (HdSession     *self,
                                                GAsyncResult  *result,
                                                GError       **error);
/* Checks what hd_session_send_attachment_async () checks before sending. */
gboolean    hd_session_check_attachment        (GBytes        *data,
                                                GError       **error);

/* GET /attachments/{id}: the file's bytes (transfer full).  Kept in a
 * small cache, so thumbnails and Save do not fetch twice. */
void        hd_session_fetch_attachment_async  (HdSession           *self,
                                                gint64               attachment_id,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GBytes     *hd_session_fetch_attachment_finish (HdSession     *self,
                                                GAsyncResult  *result,
                                                GError       **error);

G_END_DECLS
