/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The real helpdesk-server ($HD_SERVER_BIN) on a free port with its own
 * database in a temporary directory, seeded with the demo data. */
typedef struct {
  GSubprocess *process;
  char *tmpdir;
  char *database;
  char *address;
  guint port;
  char *url;        /* http://ADDR:PORT/ */
} HdTestServer;

HdTestServer *hd_test_server_start   (void);
/* SIGKILL, then start again on the same address, port and database. */
void          hd_test_server_kill9   (HdTestServer *server);
void          hd_test_server_launch  (HdTestServer *server);
void          hd_test_server_free    (HdTestServer *server);

/* Runs the default main context until @cond returns TRUE; fails the test
 * after @timeout_ms. */
typedef gboolean (*HdTestCond) (gpointer data);
void          hd_test_wait           (HdTestCond  cond,
                                      gpointer    data,
                                      guint       timeout_ms,
                                      const char *what);
/* Runs the main context for @ms. */
void          hd_test_run_for        (guint ms);
/* Waits for an async result: pass hd_test_async_cb + &result. */
void          hd_test_async_cb       (GObject      *source,
                                      GAsyncResult *result,
                                      gpointer      user_data);
GAsyncResult *hd_test_wait_result    (GAsyncResult **slot,
                                      const char    *what);

G_END_DECLS
