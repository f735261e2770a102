/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-test-server"

#include "hd-test-server.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static char *
server_bin (void)
{
  const char *bin = g_getenv ("HD_SERVER_BIN");

  if (bin)
    return g_strdup (bin);
  return g_build_filename (g_getenv ("HD_BUILD_ROOT") ? g_getenv ("HD_BUILD_ROOT") : ".",
                           "backend", "helpdesk-server", NULL);
}

static void
drain_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);

  /* Keep reading so the server never blocks on a full pipe. */
  if (bytes && g_bytes_get_size (bytes) > 0)
    g_input_stream_read_bytes_async (G_INPUT_STREAM (source), 4096, G_PRIORITY_LOW, NULL,
                                     drain_cb, NULL);
}

static void
die_with_parent (gpointer data)
{
  /* A failed assertion aborts the test; the server must not outlive it. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* GET /health on the server just started: it must name the store the test
 * asked for, so a PostgreSQL pass can never quietly run on SQLite. */
static void
check_health (HdTestServer *server)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strdup_printf ("%shealth", server->url);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  g_assert_cmpstr (json_object_get_string_member_with_default (json_node_get_object (root), "store", ""),
                   ==, server->store);
  g_test_message ("helpdesk-server %d at %s on %s (%s)",
                  (int) g_ascii_strtoll (g_subprocess_get_identifier (server->process), NULL, 10),
                  server->url, server->database, server->store);
}

static void
launch_one (HdTestServer *server)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  g_autofree char *bin = server_bin ();
  g_autofree char *port = g_strdup_printf ("%u", server->port);
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *line = NULL;
  GInputStream *stdout_pipe;
  const char *argv[] = {
    bin, "--port", port, "--database", server->database, "--seed-demo",
    "--max-frames-per-second", server->no_rate ? "0" : "100",
    server->address ? "--listen" : NULL, server->address, NULL,
  };

  g_assert_null (server->process);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* As tests/integration/hdtest.py: the server aborts if its main loop
   * ever calls the service directly (no SQL on the main loop). */
  g_subprocess_launcher_setenv (launcher, "HD_STRICT_THREADS", "1", TRUE);
  server->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  stdout_pipe = g_subprocess_get_stdout_pipe (server->process);
  in = g_data_input_stream_new (stdout_pipe);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);
  g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (in), 1);
  for (;;)
    {
      const char *p;

      g_free (line);
      line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
      g_assert_no_error (error);
      if (line == NULL)
        g_error ("helpdesk-server exited before listening");
      p = strstr (line, "listening on http://");
      if (p)
        {
          const char *host = p + strlen ("listening on http://");
          const char *colon = strrchr (host, ':');
          guint64 parsed;

          g_assert_nonnull (colon);
          g_free (server->address);
          server->address = g_strndup (host, colon - host);
          parsed = g_ascii_strtoull (colon + 1, NULL, 10);
          g_assert_cmpuint (parsed, >, 0);
          server->port = (guint) parsed;
          g_free (server->url);
          server->url = g_strdup_printf ("http://%s:%u/", server->address, server->port);
          break;
        }
    }
  g_input_stream_read_bytes_async (stdout_pipe, 4096, G_PRIORITY_LOW, NULL, drain_cb, NULL);
  check_health (server);
}

void
hd_test_server_launch (HdTestServer *server)
{
  launch_one (server);
  /* The twin after the first, which migrates and seeds the database. */
  if (server->twin != NULL)
    launch_one (server->twin);
}

static guint
servers_wanted (void)
{
  const char *n = g_getenv ("HD_TEST_SERVERS");

  return n != NULL && strcmp (n, "2") == 0 ? 2 : 1;
}

/* A fresh database in the PostgreSQL cluster of $HD_TEST_PG_URI (a
 * postgresql:///DB?host=…&user=… URI of tests/integration/hdpg.py, the
 * cluster's superuser); returns its URI. */
static char *
create_pg_database (void)
{
  static guint serial;
  const char *admin = g_getenv ("HD_TEST_PG_URI");
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *query;
  int status = 0;

  if (admin == NULL || !g_str_has_prefix (admin, "postgresql:///"))
    g_error ("HD_TEST_STORE=postgresql needs HD_TEST_PG_URI=postgresql:///DB?host=… "
             "(run the test through tests/integration/with_pg.py)");
  name = g_strdup_printf ("hd_c_%d_%u", (int) getpid (), ++serial);
  sql = g_strdup_printf ("CREATE DATABASE \"%s\"", name);
  {
    const char *argv[] = { "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", admin, "-c", sql, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                  NULL, NULL, NULL, &err, &status, &error);
  }
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("psql %s: %s: %s", sql, error->message, err);
  query = strchr (admin, '?');
  return g_strdup_printf ("postgresql:///%s%s", name, query ? query : "");
}

static HdTestServer *
server_start (gboolean no_rate)
{
  HdTestServer *server = g_new0 (HdTestServer, 1);
  g_autoptr(GError) error = NULL;

  server->no_rate = no_rate;

  if (g_strcmp0 (g_getenv ("HD_TEST_STORE"), "postgresql") == 0)
    {
      server->database = create_pg_database ();
      server->store = g_strdup ("postgresql");
      if (servers_wanted () == 2)
        {
          server->twin = g_new0 (HdTestServer, 1);
          server->twin->database = g_strdup (server->database);
          server->twin->store = g_strdup (server->store);
          server->twin->no_rate = no_rate;
        }
    }
  else
    {
      server->tmpdir = g_dir_make_tmp ("hd-client-test-XXXXXX", &error);
      g_assert_no_error (error);
      server->database = g_build_filename (server->tmpdir, "hd.db", NULL);
      server->store = g_strdup ("sqlite");
    }
  server->port = 0;
  hd_test_server_launch (server);
  return server;
}

HdTestServer *
hd_test_server_start (void)
{
  return server_start (FALSE);
}

HdTestServer *
hd_test_server_start_no_rate (void)
{
  return server_start (TRUE);
}

const char *
hd_test_server_next_url (HdTestServer *server)
{
  if (server->twin == NULL)
    return server->url;
  return server->turn++ % 2 == 0 ? server->url : server->twin->url;
}

static void
stop_process (HdTestServer *server,
              int           sig)
{
  if (server->process == NULL)
    return;
  g_subprocess_send_signal (server->process, sig);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->process);
}

void
hd_test_server_kill9 (HdTestServer *server)
{
  stop_process (server, SIGKILL);
  if (server->twin != NULL)
    stop_process (server->twin, SIGKILL);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_unlink (child);
    }
  g_rmdir (path);
}

void
hd_test_server_free (HdTestServer *server)
{
  if (server == NULL)
    return;
  hd_test_server_free (server->twin);
  stop_process (server, SIGTERM);
  if (server->tmpdir != NULL)
    rm_rf (server->tmpdir);
  g_free (server->tmpdir);
  g_free (server->database);
  g_free (server->store);
  g_free (server->address);
  g_free (server->url);
  g_free (server);
}

static gboolean
on_timeout (gpointer data)
{
  gboolean *flag = data;
  *flag = TRUE;
  return G_SOURCE_REMOVE;
}

void
hd_test_wait (HdTestCond  cond,
              gpointer    data,
              guint       timeout_ms,
              const char *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, on_timeout, &timed_out);

  while (!cond (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Timed out after %u ms waiting for %s", timeout_ms, what);
  g_source_remove (id);
}

void
hd_test_run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_timeout, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

void
hd_test_async_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GAsyncResult **slot = user_data;
  *slot = g_object_ref (result);
}

static gboolean
slot_filled (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

GAsyncResult *
hd_test_wait_result (GAsyncResult **slot,
                     const char    *what)
{
  hd_test_wait (slot_filled, slot, 20000, what);
  return *slot;
}
