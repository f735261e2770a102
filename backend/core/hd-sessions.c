/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sessions: tokens, login (argon2id on hd-auth's pool, behind the login
 * throttle) and logout. */
#define G_LOG_DOMAIN "hd-chat-service"

#include "hd-chat-service.h"
#include "hd-auth.h"
#include "hd-error.h"
#include "hd-json.h"
#include "hd-store.h"

HdUserRecord *
hd_chat_service_authenticate (HdChatService  *self,
                              const char     *token,
                              GError        **error)
{
  g_autofree char *hash = NULL;

  if (token == NULL || *token == '\0')
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_UNAUTHORIZED, "A session token is needed");
      return NULL;
    }
  hash = hd_auth_hash_token (token);
  return hd_store_token_lookup (hd_chat_service_get_store (self), hash, error);
}

typedef struct {
  char   *login;
  HdUserRecord *user;
} LoginData;

static void
login_data_free (LoginData *d)
{
  g_free (d->login);
  hd_user_record_free (d->user);
  g_free (d);
}

static void
login_verified (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HdChatService *self = g_task_get_source_object (task);
  LoginData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *hash = NULL;
  HdLogin *login;

  if (!hd_auth_verify_password_finish (result, &error))
    {
      if (g_error_matches (error, HD_ERROR, HD_ERROR_TOO_MANY_REQUESTS))
        {
          /* Not checked (the hashing queue is full): nothing to count. */
          hd_login_throttle_settle (hd_chat_service_get_login_throttle (self), d->login, HD_LOGIN_NOT_CHECKED, g_get_monotonic_time ());
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (error != NULL)
        g_warning ("Verifying a password failed: %s", error->message);
      hd_login_throttle_settle (hd_chat_service_get_login_throttle (self), d->login, HD_LOGIN_FAILED, g_get_monotonic_time ());
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_UNAUTHORIZED, "Wrong login or password");
      return;
    }

  hd_login_throttle_settle (hd_chat_service_get_login_throttle (self), d->login, HD_LOGIN_SUCCEEDED, g_get_monotonic_time ());
  token = hd_auth_new_token ();
  hash = hd_auth_hash_token (token);
  if (!hd_store_token_add (hd_chat_service_get_store (self), hash, d->user->id, g_get_real_time (), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  login = g_new0 (HdLogin, 1);
  login->token = g_steal_pointer (&token);
  login->user = hd_user_record_copy (d->user);
  login->user->online = hd_chat_service_is_online (self, login->user->id);
  g_task_return_pointer (task, login, (GDestroyNotify) hd_login_free);
}

void
hd_chat_service_login_async (HdChatService       *self,
                             const char          *login,
                             const char          *password,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  LoginData *d = g_new0 (LoginData, 1);

  g_task_set_source_tag (task, hd_chat_service_login_async);
  g_task_set_task_data (task, d, (GDestroyNotify) login_data_free);
  d->login = g_strdup (login);

  /* The place is taken before the (threaded) check, so concurrent
   * attempts count at once (door-http: doc/door.md). */
  if (!hd_login_throttle_reserve (hd_chat_service_get_login_throttle (self), login, g_get_monotonic_time ()))
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_TOO_MANY_REQUESTS,
                               "Too many failed logins; try again in a minute");
      return;
    }

  d->user = hd_store_user_get_by_login (hd_chat_service_get_store (self), login, NULL);
  if (d->user == NULL || d->user->password_hash == NULL)
    {
      hd_login_throttle_settle (hd_chat_service_get_login_throttle (self), login, HD_LOGIN_FAILED, g_get_monotonic_time ());
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_UNAUTHORIZED, "Wrong login or password");
      return;
    }

  hd_auth_verify_password_async (d->user->password_hash, password, cancellable,
                                 login_verified, g_steal_pointer (&task));
}

void
hd_login_free (HdLogin *login)
{
  if (login == NULL)
    return;
  g_free (login->token);
  hd_user_record_free (login->user);
  g_free (login);
}

HdLogin *
hd_chat_service_login_finish (HdChatService  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
hd_chat_service_logout (HdChatService  *self,
                        const char     *token,
                        GError        **error)
{
  g_autofree char *hash = hd_auth_hash_token (token);

  return hd_store_token_delete (hd_chat_service_get_store (self), hash, error);
}
