/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include "hd-session.h"

G_BEGIN_DECLS

/* Contract v2 "Technicians": handing a chat to a colleague or back to
 * the team queue (POST /chats/{id}/transfer).
 *
 * The session's "chat-transferred" (HdChat *) signal follows every
 * chat.transferred event, after the canonical HdChat was updated in place
 * (its technician, state and target) and the chats list followed it: the
 * new technician finds it there, the old one no longer does. */

/* The colleagues who could take a chat now: staff other than me who are
 * logged in, available for chat and not away (GET /users), by name.
 * Finishes with a GListModel of HdUser (transfer full).  Whether one of
 * them already has the most chats allowed only the server knows: it
 * answers HD_ERROR_TECHNICIAN_BUSY then. */
void        hd_session_list_transfer_targets_async  (HdSession           *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GListModel *hd_session_list_transfer_targets_finish (HdSession     *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);

/* Transfers the chat to the technician @technician_id (> 0), or, with
 * @technician_id 0, to the team @team_id's queue.  Finishes with
 * hd_session_chat_finish () (the canonical chat, moved).  A refusal
 * (HD_ERROR_TECHNICIAN_UNAVAILABLE, HD_ERROR_TECHNICIAN_BUSY,
 * HD_ERROR_CHAT_ENDED, …) changes nothing. */
void        hd_session_transfer_chat_async          (HdSession           *self,
                                                     gint64               chat_id,
                                                     gint64               technician_id,
                                                     gint64               team_id,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);

G_END_DECLS
