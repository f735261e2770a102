/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-keyring"

#include <libsecret/secret.h>
#include <string.h>

#include "hd-tech-keyring.h"

/* Must match client/hd-credentials.c, which writes the entries. */
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
  if (f->token != NULL)
    memset (f->token, 0, strlen (f->token));
  g_free (f->token);
  g_free (f);
}

static void
retrieved_cb (GObject      *source,
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
      if (error != NULL)
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
searched_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;
  GList *items;

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      g_list_free_full (items, g_object_unref);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (items == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  /* Read before the task is handed over. */
  cancellable = g_task_get_cancellable (task);
  secret_retrievable_retrieve_secret (SECRET_RETRIEVABLE (items->data), cancellable,
                                      retrieved_cb, g_steal_pointer (&task));
  g_list_free_full (items, g_object_unref);
}

void
hd_tech_keyring_lookup_async (const char          *app_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (app_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, hd_tech_keyring_lookup_async);
  secret_password_search (get_schema (),
                          SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                          cancellable, searched_cb, task,
                          "app-id", app_id, NULL);
}

gboolean
hd_tech_keyring_lookup_finish (GAsyncResult  *result,
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

  if (out_server_url != NULL)
    *out_server_url = g_steal_pointer (&f->server_url);
  if (out_login != NULL)
    *out_login = g_steal_pointer (&f->login);
  if (out_token != NULL)
    *out_token = g_steal_pointer (&f->token);
  found_free (f);
  return TRUE;
}
