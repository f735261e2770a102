/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "helpdesk-server"

#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/resource.h>

#include "hd-auth.h"
#include "hd-bus.h"
#include "hd-config.h"
#include "hd-door.h"
#include "hd-hub.h"
#include "hd-chat-service.h"
#include "hd-mailer.h"
#include "hd-server.h"
#include "hd-store.h"
#include "hd-tech.h"

#define EXIT_USAGE 2
/* How long a shutdown waits for WebSocket close handshakes. */
#define SHUTDOWN_GRACE_USEC (3 * G_USEC_PER_SEC)

typedef struct {
  GMainLoop *loop;
  HdServer  *server;
  gint64     deadline;
  gboolean   stopping;
} App;

static gboolean
wait_for_sockets (gpointer user_data)
{
  App *app = user_data;

  if (hd_hub_get_n_connections (hd_server_get_hub (app->server)) == 0 ||
      g_get_monotonic_time () > app->deadline)
    {
      g_main_loop_quit (app->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_signal (gpointer user_data)
{
  App *app = user_data;

  if (app->stopping)
    return G_SOURCE_CONTINUE;
  app->stopping = TRUE;
  hd_config_notify ("STOPPING=1");
  hd_server_shutdown (app->server);
  app->deadline = g_get_monotonic_time () + SHUTDOWN_GRACE_USEC;
  g_timeout_add (20, wait_for_sockets, app);
  return G_SOURCE_CONTINUE;
}

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  g_autofree char *prg = g_strdup (g_get_prgname ());

  fprintf (stderr, "%s: %s\nTry “%s --help” for the options.\n", prg, message, prg);
  return EXIT_USAGE;
}

/* A count option (0 to 1,000,000) into @value; unset leaves @value. */
static gboolean
parse_count (const char  *option,
             const char  *text,
             guint64     *value,
             GError     **error)
{
  if (text == NULL || g_ascii_string_to_unsigned (text, 10, 0, 1000000, value, NULL))
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--%s: “%s” is not a number (0 to 1000000)", option, text);
  return FALSE;
}

/* Every WebSocket is a file descriptor: 10,000 open sockets need more than
 * the usual soft limit of 1,024, so take what the hard limit allows. */
static void
raise_fd_limit (void)
{
  struct rlimit lim;

  if (getrlimit (RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max)
    {
      lim.rlim_cur = lim.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &lim) != 0)
        g_debug ("could not raise the file descriptor limit: %s", g_strerror (errno));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  g_autofree char *config_file = NULL;
  g_autofree char *listen_addr = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *database = NULL;
  g_autofree char *smtp_url = NULL;
  g_autofree char *mail_from = NULL;
  g_autofree char *per_address_text = NULL;
  g_autofree char *trusted_text = NULL;
  g_auto(GStrv) trusted = NULL;
  guint64 per_address = HD_DOOR_MAX_PER_ADDRESS;
  g_autofree char *per_user_text = NULL;
  guint64 per_user = HD_HUB_MAX_SOCKETS_PER_USER;
  g_autofree char *frame_rate_text = NULL;
  guint64 frame_rate = HD_HUB_FRAMES_PER_SECOND;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  gboolean seed_demo = FALSE;
  guint64 port = 8080;
  guint real_port = 0;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(HdStore) store = NULL;
  g_autoptr(HdMailer) mailer = NULL;
  g_autoptr(HdChatService) service = NULL;
  g_autoptr(HdServer) server = NULL;
  g_autoptr(HdBus) bus = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  g_autofree char *shown_addr = NULL;
  App app = { 0, };
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_file, "Read options from a key file (group [server], keys named like these options); the command line wins", "FILE" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen_addr, "IP address to listen on (default 127.0.0.1)", "ADDR" },
    { "port", 0, 0, G_OPTION_ARG_STRING, &port_text, "TCP port; 0 picks a free one (default 8080)", "N" },
    { "database", 0, 0, G_OPTION_ARG_FILENAME, &database, "SQLite database, or PostgreSQL as postgresql://… (default $STATE_DIRECTORY/helpdesk.db under systemd, else $XDG_DATA_HOME/helpdesk/helpdesk.db)", "PATH" },
    { "seed-demo", 0, 0, G_OPTION_ARG_NONE, &seed_demo, "Fill an empty database with the demo data", NULL },
    { "smtp-url", 0, 0, G_OPTION_ARG_STRING, &smtp_url, "Mail server, e.g. smtp://127.0.0.1:2525 or smtps://mail.example.com", "URL" },
    { "mail-from", 0, 0, G_OPTION_ARG_STRING, &mail_from, "Sender address of mailed transcripts", "ADDR" },
    { "tls-certificate", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, "PEM certificate: serve HTTPS", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "PEM private key of the certificate", "FILE" },
    { "max-connections-per-address", 0, 0, G_OPTION_ARG_STRING, &per_address_text, "HTTP connections one client address may hold at once; 0: no cap (default 1024)", "N" },
    { "max-sockets-per-user", 0, 0, G_OPTION_ARG_STRING, &per_user_text, "WebSockets one user may hold at once on this server; 0: no cap (default 32)", "N" },
    { "max-frames-per-second", 0, 0, G_OPTION_ARG_STRING, &frame_rate_text, "Messages one WebSocket may send a second on average, in bursts of twice that; past it the socket is read slower, nothing is refused; 0: no limit (default 100)", "N" },
    { "trusted-proxy", 0, 0, G_OPTION_ARG_STRING, &trusted_text, "Addresses never capped (the proxy in front), comma-separated; \"\" for none (default: every loopback address)", "ADDR,…" },
    { NULL }
  };

  setlocale (LC_ALL, "");
  g_set_prgname ("helpdesk-server");

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, "The Helpdesk Chat server: REST and WebSocket API under /api/v1/.");
  g_option_context_add_main_entries (context, entries, NULL);
  raise_fd_limit ();

  /* The key file's options go first, so that the command line's win. */
  config_file = hd_config_find_file (argv);
  if (config_file != NULL)
    args = hd_config_merge_argv (config_file, entries, argv, &error);
  else
    args = g_strdupv (argv);
  g_clear_pointer (&config_file, g_free);
  if (args == NULL)
    return usage_error (context, error->message);

  if (!g_option_context_parse_strv (context, &args, &error))
    return usage_error (context, error->message);
  if (args[0] != NULL && args[1] != NULL)
    {
      g_autofree char *m = g_strdup_printf ("unexpected argument “%s”", args[1]);
      return usage_error (context, m);
    }
  if (port_text != NULL && !g_ascii_string_to_unsigned (port_text, 10, 0, 65535, &port, NULL))
    {
      g_autofree char *m = g_strdup_printf ("--port: “%s” is not a port number (0 to 65535)", port_text);
      return usage_error (context, m);
    }
  if (listen_addr == NULL)
    listen_addr = g_strdup ("127.0.0.1");
  inet = g_inet_address_new_from_string (listen_addr);
  if (inet == NULL)
    {
      g_autofree char *m = g_strdup_printf ("--listen: “%s” is not an IP address", listen_addr);
      return usage_error (context, m);
    }
  if (!parse_count ("max-connections-per-address", per_address_text, &per_address, &error) ||
      !parse_count ("max-sockets-per-user", per_user_text, &per_user, &error) ||
      !parse_count ("max-frames-per-second", frame_rate_text, &frame_rate, &error))
    return usage_error (context, error->message);
  if (trusted_text != NULL)
    {
      g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
      g_auto(GStrv) parts = g_strsplit (trusted_text, ",", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_autoptr(GInetAddress) a = NULL;
          char *t = g_strstrip (parts[i]);

          if (*t == '\0')
            continue;
          if ((a = g_inet_address_new_from_string (t)) == NULL)
            {
              g_autofree char *m = g_strdup_printf ("--trusted-proxy: “%s” is not an IP address", t);
              return usage_error (context, m);
            }
          g_strv_builder_add (b, t);
        }
      trusted = g_strv_builder_end (b);
    }
  if ((tls_cert == NULL) != (tls_key == NULL))
    return usage_error (context, "--tls-certificate and --tls-key go together");
  if (smtp_url != NULL && !(g_str_has_prefix (smtp_url, "smtp://") || g_str_has_prefix (smtp_url, "smtps://")))
    return usage_error (context, "--smtp-url must start with smtp:// or smtps://");
  if (mail_from != NULL && (strchr (mail_from, '@') == NULL || strpbrk (mail_from, "\r\n <>") != NULL))
    return usage_error (context, "--mail-from must be a plain address such as helpdesk@example.com");

  if (tls_cert != NULL)
    {
      certificate = g_tls_certificate_new_from_files (tls_cert, tls_key, &error);
      if (certificate == NULL)
        {
          g_autofree char *m = g_strdup_printf ("cannot load the TLS certificate: %s", error->message);
          return usage_error (context, m);
        }
    }

  if (database == NULL && g_getenv ("STATE_DIRECTORY") != NULL)
    {
      /* systemd's StateDirectory= (several are separated by colons). */
      g_auto(GStrv) dirs = g_strsplit (g_getenv ("STATE_DIRECTORY"), ":", 2);

      database = g_build_filename (dirs[0], "helpdesk.db", NULL);
    }
  if (database == NULL)
    {
      g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "helpdesk", NULL);

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          fprintf (stderr, "helpdesk-server: cannot create %s: %s\n", dir, g_strerror (errno));
          return EXIT_FAILURE;
        }
      database = g_build_filename (dir, "helpdesk.db", NULL);
    }

  if (!hd_auth_init (&error))
    {
      fprintf (stderr, "helpdesk-server: %s\n", error->message);
      return EXIT_FAILURE;
    }

  store = hd_store_open (database, &error);
  if (store == NULL)
    {
      fprintf (stderr, "helpdesk-server: %s\n", error->message);
      return EXIT_FAILURE;
    }
  mailer = hd_mailer_new (smtp_url, mail_from);
  service = hd_chat_service_new (store, mailer);
  if (seed_demo && !hd_chat_service_seed_demo (service, &error))
    {
      fprintf (stderr, "helpdesk-server: seeding the demo data: %s\n", error->message);
      return EXIT_FAILURE;
    }

  hd_waiting_start (service);
  server = hd_server_new (service, certificate);
  hd_server_set_store_kind (server, hd_store_get_kind (store));
  hd_server_set_address_limit (server, (guint) per_address, (const char * const *) trusted);
  hd_server_set_socket_limit (server, (guint) per_user);
  hd_server_set_frame_rate (server, (guint) frame_rate);
  /* Several servers on one PostgreSQL database are one helpdesk. */
  if (hd_store_is_postgres_uri (database))
    {
      /* The service is the core thread's now: hook the bus in while it
       * waits. */
      hd_core_enter (hd_server_get_core (server));
      bus = hd_bus_new (database, service, &error);
      hd_core_leave (hd_server_get_core (server));
      if (bus == NULL)
        {
          fprintf (stderr, "helpdesk-server: %s\n", error->message);
          return EXIT_FAILURE;
        }
    }
  if (!hd_server_listen (server, listen_addr, (guint) port, &real_port, &error))
    {
      fprintf (stderr, "helpdesk-server: cannot listen on %s port %u: %s\n",
               listen_addr, (guint) port, error->message);
      return EXIT_FAILURE;
    }

  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    shown_addr = g_strdup_printf ("[%s]", listen_addr);
  else
    shown_addr = g_strdup (listen_addr);
  printf ("listening on %s://%s:%u/\n", certificate ? "https" : "http", shown_addr, real_port);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  app.loop = loop;
  app.server = server;
  g_unix_signal_add (SIGINT, on_signal, &app);
  g_unix_signal_add (SIGTERM, on_signal, &app);
  /* A client vanishing mid-write must not kill the server. */
  signal (SIGPIPE, SIG_IGN);
  /* Ready only once SIGTERM is handled: systemd may send it at once. */
  hd_config_notify ("READY=1");

  g_main_loop_run (loop);

  if (bus != NULL)
    hd_bus_stop (bus);
  g_clear_object (&server);
  return EXIT_SUCCESS;
}
