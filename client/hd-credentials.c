/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-credentials"

#include "hd-credentials.h"

#include <libsecret/secret.h>
#include <string.h>

/* Only the async API: a keyring that must be unlocked (or started) can
 * take seconds, and the UI thread must never wait for it. */

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    "com.helpdeskchat.Token", SECRET_SCHEMA_NONE,
    {
      { "app-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "login", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };
  return &schema;
}

/* Store: first clear older entries of the app, so lookup finds one. */

typedef struct {
  char *app_id;
  char *server_url;
  char *login;
  char *token;
} StoreData;

static void
store_data_free (StoreData *d)
{
  g_free (d->app_id);
  g_free (d->server_url);
  g_free (d->login);
  if (d->token)
    memset (d->token, 0, strlen (d->token));
  g_free (d->token);
  g_free (d);
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_cleared_before_store (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GTask *task = user_data;
  StoreData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;

  /* FALSE without error only means there was nothing to clear. */
  if (!secret_password_clear_finish (result, &error) && error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  label = g_strdup_printf ("Helpdesk Chat (%s at %s)", d->login, d->server_url);
  secret_password_store (get_schema (), SECRET_COLLECTION_DEFAULT, label, d->token,
                         g_task_get_cancellable (task), on_stored, task,
                         "app-id", d->app_id,
                         "server", d->server_url,
                         "login", d->login,
                         NULL);
}

void
hd_credentials_store_async (const char          *app_id,
                            const char          *server_url,
                            const char          *login,
                            const char          *token,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  StoreData *d;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, hd_credentials_store_async);
  if (app_id == NULL || server_url == NULL || login == NULL || token == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "Incomplete credentials");
      g_object_unref (task);
      return;
    }
  d = g_new0 (StoreData, 1);
  d->app_id = g_strdup (app_id);
  d->server_url = g_strdup (server_url);
  d->login = g_strdup (login);
  d->token = g_strdup (token);
  g_task_set_task_data (task, d, (GDestroyNotify) store_data_free);

  secret_password_clear (get_schema (), cancellable, on_cleared_before_store, task,
                         "app-id", app_id, NULL);
}

gboolean
hd_credentials_store_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Lookup: search by app id, loading the secret, unlocking if needed. */

typedef struct {
  char *server_url;
  char *login;
  char *token;
} Found;

static void
found_free (Found *f)
{
  g_free (f->server_url);
  g_free (f->login);
  g_free (f->token);
  g_free (f);
}

/* How long a lookup may wait for the keyring.  SECRET_SEARCH_UNLOCK asks
 * the user to unlock a locked keyring; where no prompt can appear (no
 * prompter, a bare X session) the call would never finish and the app would
 * stay on its loading page.  After this the lookup reports nothing
 * remembered, and the app shows its login dialog. */
#define LOOKUP_TIMEOUT_SECONDS 10

/* HD_KEYRING_TIMEOUT_MS shortens it for the tests. */
static guint
lookup_timeout_ms (void)
{
  const char *env = g_getenv ("HD_KEYRING_TIMEOUT_MS");
  guint64 ms;

  if (env != NULL && g_ascii_string_to_unsigned (env, 10, 1, G_MAXUINT, &ms, NULL))
    return (guint) ms;
  return LOOKUP_TIMEOUT_SECONDS * 1000;
}

typedef struct {
  GCancellable *inner;     /* what the keyring calls use */
  GCancellable *outer;     /* the caller's, chained to inner */
  gulong        outer_handler;
  guint         timeout_id;
  gboolean      timed_out;
} LookupData;

static void
lookup_data_free (LookupData *d)
{
  g_clear_handle_id (&d->timeout_id, g_source_remove);
  if (d->outer != NULL)
    g_cancellable_disconnect (d->outer, d->outer_handler);
  g_clear_object (&d->outer);
  g_clear_object (&d->inner);
  g_free (d);
}

static gboolean
on_lookup_timeout (gpointer user_data)
{
  LookupData *d = user_data;

  d->timeout_id = 0;
  d->timed_out = TRUE;
  g_debug ("The keyring did not answer within %u ms; going on without it",
           lookup_timeout_ms ());
  g_cancellable_cancel (d->inner);
  return G_SOURCE_REMOVE;
}

static void
on_outer_cancelled (GCancellable *outer,
                    gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/* A lookup that failed only because the keyring kept silent is "nothing
 * remembered", not an error (and not a cancellation, which callers take
 * as "shutting down"). */
static gboolean
lookup_timed_out (GTask        *task,
                  const GError *error)
{
  LookupData *d = g_task_get_task_data (task);

  return d->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
on_secret_retrieved (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretValue) value = NULL;
  g_autoptr(GHashTable) attrs = NULL;
  Found *f;

  value = secret_retrievable_retrieve_secret_finish (SECRET_RETRIEVABLE (source), result, &error);
  if (value == NULL)
    {
      if (error && !lookup_timed_out (task, error))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, NULL, NULL);
      return;
    }
  attrs = secret_retrievable_get_attributes (SECRET_RETRIEVABLE (source));
  f = g_new0 (Found, 1);
  f->server_url = g_strdup (g_hash_table_lookup (attrs, "server"));
  f->login = g_strdup (g_hash_table_lookup (attrs, "login"));
  f->token = g_strdup (secret_value_get_text (value));
  if (f->server_url == NULL || f->login == NULL || f->token == NULL)
    {
      found_free (f);
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  g_task_return_pointer (task, f, (GDestroyNotify) found_free);
}

static void
on_searched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;
  GList *items;

  items = secret_password_search_finish (result, &error);
  if (error)
    {
      g_list_free_full (items, g_object_unref);
      if (lookup_timed_out (task, error))
        g_task_return_pointer (task, NULL, NULL);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (items == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  /* Not in one argument list with g_steal_pointer: evaluation order. */
  cancellable = ((LookupData *) g_task_get_task_data (task))->inner;
  secret_retrievable_retrieve_secret (SECRET_RETRIEVABLE (items->data), cancellable,
                                      on_secret_retrieved, g_steal_pointer (&task));
  g_list_free_full (items, g_object_unref);
}

void
hd_credentials_lookup_async (const char          *app_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  LookupData *d;

  g_task_set_source_tag (task, hd_credentials_lookup_async);
  if (app_id == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "No app id");
      g_object_unref (task);
      return;
    }
  d = g_new0 (LookupData, 1);
  d->inner = g_cancellable_new ();
  if (cancellable != NULL)
    {
      d->outer = g_object_ref (cancellable);
      d->outer_handler = g_cancellable_connect (cancellable, G_CALLBACK (on_outer_cancelled),
                                                d->inner, NULL);
    }
  d->timeout_id = g_timeout_add (lookup_timeout_ms (), on_lookup_timeout, d);
  g_task_set_task_data (task, d, (GDestroyNotify) lookup_data_free);

  secret_password_search (get_schema (),
                          SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                          d->inner, on_searched, task,
                          "app-id", app_id, NULL);
}

gboolean
hd_credentials_lookup_finish (GAsyncResult  *result,
                              char         **out_server_url,
                              char         **out_login,
                              char         **out_token,
                              GError       **error)
{
  Found *f;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  f = g_task_propagate_pointer (G_TASK (result), error);
  if (f == NULL)
    return FALSE;
  if (out_server_url)
    *out_server_url = g_steal_pointer (&f->server_url);
  if (out_login)
    *out_login = g_steal_pointer (&f->login);
  if (out_token)
    *out_token = g_steal_pointer (&f->token);
  found_free (f);
  return TRUE;
}

static void
on_cleared (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_clear_finish (result, &error) && error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
hd_credentials_clear_async (const char          *app_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, hd_credentials_clear_async);
  if (app_id == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "No app id");
      g_object_unref (task);
      return;
    }
  secret_password_clear (get_schema (), cancellable, on_cleared, task, "app-id", app_id, NULL);
}

gboolean
hd_credentials_clear_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
