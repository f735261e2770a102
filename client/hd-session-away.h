/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hd-session.h"

G_BEGIN_DECLS

/* PATCH /me {"away": bool} (staff; contract v2 "Technicians"): the
 * desktop session went idle or locked, or came back.  Updates the
 * session's user ("away") from the answer. */
void       hd_session_set_away_async  (HdSession           *self,
                                       gboolean             away,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean   hd_session_set_away_finish (HdSession     *self,
                                       GAsyncResult  *result,
                                       GError       **error);

G_END_DECLS
