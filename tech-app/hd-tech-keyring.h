/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The "remember me" lookup of HdCredentials (same keyring schema and
 * attributes), kept here while hd_credentials_lookup_async() reads
 * g_task_get_cancellable() from a task it has already handed over with
 * g_steal_pointer() in the same call (a critical, and no login, on every
 * remembered start).  Drop this once client/ is fixed.  Async only. */
void     hd_tech_keyring_lookup_async  (const char          *app_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
/* TRUE with the three strings; FALSE without error when nothing is
 * stored; FALSE with an error on failure. */
gboolean hd_tech_keyring_lookup_finish (GAsyncResult  *result,
                                        char         **out_server_url,
                                        char         **out_login,
                                        char         **out_token,
                                        GError       **error);

G_END_DECLS
