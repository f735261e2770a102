/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --config FILE: the server's options from a key file, and the readiness
 * note systemd's Type=notify waits for.
 *
 * The key file has one group, [server], whose keys are the long options'
 * names (port = 8080, seed-demo = true).  Rather than a second way to set
 * each variable, the keys become command-line arguments placed before the
 * real ones: GOption lets a later option overwrite an earlier one, so the
 * command line wins, and every option main.c declares is settable from the
 * file without this file knowing it. */
#define G_LOG_DOMAIN "helpdesk-server"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <string.h>

#include "hd-config.h"

#define CONFIG_GROUP "server"

/* The file named by the last --config FILE or --config=FILE before "--". */
char *
hd_config_find_file (char **argv)
{
  const char *found = NULL;

  for (guint i = 1; argv[i] != NULL; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        break;
      if (strcmp (argv[i], "--config") == 0 && argv[i + 1] != NULL)
        found = argv[++i];
      else if (g_str_has_prefix (argv[i], "--config="))
        found = argv[i] + strlen ("--config=");
    }
  return g_strdup (found);
}

static const GOptionEntry *
find_entry (const GOptionEntry *entries,
            const char         *name)
{
  for (const GOptionEntry *e = entries; e->long_name != NULL; e++)
    if (strcmp (e->long_name, name) == 0)
      return e;
  return NULL;
}

/* A new argument vector: argv[0], the file's options, then argv[1…]. */
char **
hd_config_merge_argv (const char          *path,
                      const GOptionEntry  *entries,
                      char               **argv,
                      GError             **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GStrvBuilder) out = g_strv_builder_new ();
  g_auto(GStrv) keys = NULL;
  g_autoptr(GError) local = NULL;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
                   "--config: cannot read “%s”: %s", path, local->message);
      return NULL;
    }
  if (!g_key_file_has_group (kf, CONFIG_GROUP))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                   "--config: “%s” has no [" CONFIG_GROUP "] group", path);
      return NULL;
    }

  g_strv_builder_add (out, argv[0]);
  keys = g_key_file_get_keys (kf, CONFIG_GROUP, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      const GOptionEntry *e = find_entry (entries, keys[i]);

      if (e == NULL || strcmp (keys[i], "config") == 0)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                       "--config: “%s”: unknown key “%s” in [" CONFIG_GROUP "]",
                       path, keys[i]);
          return NULL;
        }
      if (e->arg == G_OPTION_ARG_NONE)
        {
          gboolean on = g_key_file_get_boolean (kf, CONFIG_GROUP, keys[i], &local);

          if (local != NULL)
            {
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                           "--config: “%s”: %s must be true or false", path, keys[i]);
              return NULL;
            }
          if (on)
            {
              g_autofree char *arg = g_strdup_printf ("--%s", keys[i]);
              g_strv_builder_add (out, arg);
            }
        }
      else
        {
          g_autofree char *value = g_key_file_get_string (kf, CONFIG_GROUP, keys[i], &local);
          g_autofree char *arg = NULL;

          if (value == NULL)
            {
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                           "--config: “%s”: %s: %s", path, keys[i], local->message);
              return NULL;
            }
          arg = g_strdup_printf ("--%s=%s", keys[i], value);
          g_strv_builder_add (out, arg);
        }
    }

  for (guint i = 1; argv[i] != NULL; i++)
    g_strv_builder_add (out, argv[i]);
  return g_strv_builder_end (out);
}

/* sd_notify (3) without libsystemd: one datagram to $NOTIFY_SOCKET, e.g.
 * "READY=1" once the server listens.  Nothing happens outside systemd. */
void
hd_config_notify (const char *state)
{
  const char *path = g_getenv ("NOTIFY_SOCKET");
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GSocketAddress) addr = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL || (path[0] != '/' && path[0] != '@'))
    return;
  if (path[0] == '@')
    addr = g_unix_socket_address_new_with_type (path + 1, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  else
    addr = g_unix_socket_address_new (path);
  sock = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM, 0, &error);
  if (sock == NULL ||
      g_socket_send_to (sock, addr, state, strlen (state), NULL, &error) < 0)
    g_warning ("could not tell systemd “%s”: %s", state, error->message);
}
