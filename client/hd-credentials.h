/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The "remember me" token in the keyring (libsecret, async only).  One
 * entry per app id: attributes app-id, server, login; the secret is the
 * token. */

void     hd_credentials_store_async   (const char          *app_id,
                                       const char          *server_url,
                                       const char          *login,
                                       const char          *token,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean hd_credentials_store_finish  (GAsyncResult  *result,
                                       GError       **error);

/* Finishes TRUE with the three strings (each transfer full), FALSE with
 * no error when nothing is stored, FALSE with an error on failure. */
void     hd_credentials_lookup_async  (const char          *app_id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean hd_credentials_lookup_finish (GAsyncResult  *result,
                                       char         **out_server_url,
                                       char         **out_login,
                                       char         **out_token,
                                       GError       **error);

/* Removes every entry of @app_id. */
void     hd_credentials_clear_async   (const char          *app_id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean hd_credentials_clear_finish  (GAsyncResult  *result,
                                       GError       **error);

G_END_DECLS
