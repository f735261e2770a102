/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The real helpdesk-server ($HD_SERVER_BIN) on a free port with its own
 * database, seeded with the demo data.
 *
 * The store comes from the environment, as for tests/integration/hdtest.py:
 * SQLite (a file in a temporary directory) by default; with
 * HD_TEST_STORE=postgresql a fresh database in the cluster of
 * HD_TEST_PG_URI (tests/integration/with_pg.py starts one); with
 * HD_TEST_SERVERS=2 as well (suite cluster2), a second server (->twin) on
 * the same database.  Every launch checks that GET /health names the store
 * asked for, on each process. */
typedef struct _HdTestServer HdTestServer;
struct _HdTestServer {
  GSubprocess *process;
  char *tmpdir;
  char *database;   /* a file, or a postgresql:// URI */
  char *store;      /* what GET /health must say: "sqlite" or "postgresql" */
  char *address;
  guint port;
  char *url;        /* http://ADDR:PORT/ */
  HdTestServer *twin;   /* the second server on the same database, or NULL */
  guint turn;
  gboolean no_rate;     /* started with --max-frames-per-second 0 */
};

HdTestServer *hd_test_server_start    (void);
/* The same, with no rate per WebSocket (--max-frames-per-second 0): for a
 * test that fills a chat with thousands of messages sent as one burst. */
HdTestServer *hd_test_server_start_no_rate (void);
/* The URL the next client should use: this server's, or with a twin this
 * one's and the twin's in turn (first, second, first…), so that in a test
 * the second client logged in (mostly the customer when a technician came
 * first) is on the other server. */
const char   *hd_test_server_next_url (HdTestServer *server);
/* SIGKILL, then start again on the same address, port and database (both
 * servers with a twin). */
void          hd_test_server_kill9    (HdTestServer *server);
void          hd_test_server_launch   (HdTestServer *server);
void          hd_test_server_free     (HdTestServer *server);

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
