/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Group commit through the core thread (hd-core.c) with the messages of
 * one batch queued together (hd_chat_service_post_message_later, the
 * WebSocket path; on PostgreSQL the store's pipeline):
 *
 *  - each message's store answer comes inside the batch's transaction:
 *    another connection does not see it yet;
 *  - each command is acknowledged (its done on the main context) only after
 *    the commit: another connection sees its message then;
 *  - a message that fails (ended chat, not a member) fails alone: the
 *    batch's other messages are stored and acknowledged as committed, a
 *    resend answers the first message, seqs and transcripts are right;
 *  - the events go out after the commit, in the order of the messages.
 *
 * On SQLite (a temporary file; the second connection is sqlite3's) and, when
 * HD_TEST_PG_URI is set (tests/integration/with_pg.py), on PostgreSQL. */
#include "hd-core.h"
#include "hd-error.h"
#include "hd-protocol.h"
#include "hd-store.h"
#include "store-fixture.h"

#include <fcntl.h>
#include <glib-unix.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  Fixture *f;
  gint64   user_id;
  gint64   chat_id;
  char    *body;
  char    *client_id;
  /* set on the core thread when the store answered (inside the batch) */
  gboolean stored;
  gboolean created;
  gint64   id;
  gint64   seq;
  GError  *error;
  int      visible_when_stored;
  /* set on the main context when the command was acknowledged */
  gboolean acked;
  gboolean committed;
  int      visible_when_acked;
  guint    events_before_ack;
} Post;

static guint events_seen;
static GString *event_order;

/* A count another (SQLite) connection sees: @sql with @arg, if any, as ?1. */
static gint64
count_sql (Fixture    *f,
           const char *sql,
           const char *arg)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  if (arg != NULL)
    sqlite3_bind_text (st, 1, arg, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return n;
}

/* How many messages with @client_id another connection sees. */
static int
count_visible (Fixture    *f,
               const char *client_id)
{
  if (f->conn != NULL)
    {
      const char *params[1] = { client_id };
      PGresult *r = PQexecParams (f->conn, "SELECT COUNT(*) FROM messages WHERE client_id = $1", 1, NULL,
                                  params, NULL, NULL, 0);
      int n;

      g_assert_cmpint (PQresultStatus (r), ==, PGRES_TUPLES_OK);
      n = atoi (PQgetvalue (r, 0, 0));
      PQclear (r);
      return n;
    }
  return (int) count_sql (f, "SELECT COUNT(*) FROM messages WHERE client_id = ?", client_id);
}

/* Core thread, inside the batch, before its commit. */
static void
post_stored (HdMessageRecord *m,
             gboolean         created,
             const GError    *error,
             gpointer         data)
{
  Post *p = data;

  p->stored = TRUE;
  if (m == NULL)
    {
      p->error = g_error_copy (error);
      return;
    }
  p->created = created;
  p->id = m->id;
  p->seq = m->seq;
  p->visible_when_stored = count_visible (p->f, p->client_id);
}

static gboolean
post_on_core (HdChatService *service,
              gpointer       data)
{
  Post *p = data;

  hd_chat_service_post_message_later (service, p->user_id, p->chat_id, p->body, p->client_id, post_stored, p);
  return p->error == NULL;
}

/* Main context, after the batch. */
static void
post_done (gpointer data,
           gboolean committed)
{
  Post *p = data;

  p->acked = TRUE;
  p->committed = committed;
  p->visible_when_acked = count_visible (p->f, p->client_id);
  p->events_before_ack = events_seen;
}

static void
on_event (const HdEvent *event,
          gpointer       data)
{
  if (strcmp (event->type, HD_EVENT_CHAT_MESSAGE) != 0)
    return;
  events_seen++;
  /* the body, from the frame: {"type":"chat.message","data":{…"body":"…" */
  {
    const char *b = strstr (event->staff_frame, "\"body\":\"");

    g_assert_nonnull (b);
    b += strlen ("\"body\":\"");
    g_string_append_len (event_order, b, strchr (b, '"') - b);
    g_string_append_c (event_order, ' ');
  }
}

static gint64
note_length (HdStore *store,
             gint64   chat_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdNoteRecord) note = NULL;
  HdChatRecord chat;

  g_assert_true (hd_store_chat_get (store, chat_id, &chat, &error));
  note = hd_store_note_get (store, chat.note_id, &error);
  g_assert_no_error (error);
  return note->length;
}

static void
test_batch_acknowledged_after_commit (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUserRecord) tech = make_user (f->store, "tina", HD_ROLE_TECHNICIAN);
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  g_autoptr(HdUserRecord) dave = make_user (f->store, "dave", HD_ROLE_CUSTOMER);
  g_autoptr(HdUserRecord) erin = make_user (f->store, "erin", HD_ROLE_CUSTOMER);
  HdChatRecord a = make_active_chat (f->store, carol, tech);
  HdChatRecord b = make_active_chat (f->store, dave, tech);
  HdChatRecord c = make_active_chat (f->store, erin, tech);
  HdChatRecord ended;
  g_autoptr(HdChatService) service = NULL;
  HdCore *core;
  Post posts[] = {
    { .user_id = carol->id, .chat_id = a.id, .body = "one", .client_id = "c-1" },
    { .user_id = dave->id, .chat_id = b.id, .body = "two", .client_id = "d-1" },
    /* an ended chat: fails alone */
    { .user_id = erin->id, .chat_id = c.id, .body = "three", .client_id = "e-1" },
    { .user_id = carol->id, .chat_id = a.id, .body = "four", .client_id = "c-2" },
    /* not a member of a: fails alone */
    { .user_id = dave->id, .chat_id = a.id, .body = "five", .client_id = "d-x" },
    /* a resend of "two": the first message again */
    { .user_id = dave->id, .chat_id = b.id, .body = "two again", .client_id = "d-1" },
    { .user_id = tech->id, .chat_id = a.id, .body = "six", .client_id = "t-1" },
  };
  guint n = G_N_ELEMENTS (posts);
  guint acked;

  g_assert_true (hd_store_chat_end (f->store, c.id, 4000, &ended, &error));
  g_assert_no_error (error);

  events_seen = 0;
  event_order = g_string_new (NULL);
  service = hd_chat_service_new (f->store, NULL);
  core = hd_core_new (service);
  hd_core_set_event_sink (core, on_event, NULL, NULL, NULL);

  /* Held, so that every command waits and they run as one batch. */
  hd_core_enter (core);
  for (guint i = 0; i < n; i++)
    {
      posts[i].f = f;
      hd_core_run (core, post_on_core, TRUE, post_done, &posts[i], NULL);
    }
  hd_core_leave (core);

  do
    {
      g_main_context_iteration (NULL, TRUE);
      acked = 0;
      for (guint i = 0; i < n; i++)
        acked += posts[i].acked;
    }
  while (acked < n);

  for (guint i = 0; i < n; i++)
    {
      Post *p = &posts[i];
      gboolean fails = i == 2 || i == 4;

      g_test_message ("%s: stored %d created %d seq %" G_GINT64_FORMAT " visible %d/%d", p->body, p->stored,
                      p->created, p->seq, p->visible_when_stored, p->visible_when_acked);
      /* the batch committed: no message lost the others' acknowledgement */
      g_assert_true (p->committed);
      g_assert_true (p->stored);
      if (fails)
        {
          g_assert_nonnull (p->error);
          g_assert_cmpint (p->visible_when_acked, ==, 0);
          continue;
        }
      g_assert_no_error (p->error);
      /* acknowledged only after the commit: then another connection sees
       * it; and all the batch's events went out before the answers */
      g_assert_cmpint (p->visible_when_acked, ==, 1);
      g_assert_cmpuint (p->events_before_ack, ==, 4);
      /* stored inside the batch's transaction: not visible before */
      if (p->created)
        g_assert_cmpint (p->visible_when_stored, ==, 0);
    }
  g_assert_error (posts[2].error, HD_ERROR, HD_ERROR_CHAT_ENDED);
  g_assert_error (posts[4].error, HD_ERROR, HD_ERROR_NOT_FOUND);

  g_assert_true (posts[0].created);
  g_assert_cmpint (posts[0].seq, ==, 1);
  g_assert_true (posts[1].created);
  g_assert_cmpint (posts[1].seq, ==, 1);
  g_assert_true (posts[3].created);
  g_assert_cmpint (posts[3].seq, ==, 2);
  g_assert_false (posts[5].created);
  g_assert_cmpint (posts[5].id, ==, posts[1].id);
  g_assert_cmpint (posts[5].seq, ==, 1);
  g_assert_true (posts[6].created);
  g_assert_cmpint (posts[6].seq, ==, 3);

  /* one event per new message, after the commit, in their order */
  g_assert_cmpuint (events_seen, ==, 4);
  g_assert_cmpstr (event_order->str, ==, "one two four six ");

  /* the transcripts got every stored line (and nothing of the failures) */
  g_assert_cmpint (note_length (f->store, a.id), >, 0);
  g_assert_cmpint (note_length (f->store, b.id), >, 0);
  g_assert_cmpint (note_length (f->store, c.id), ==, 0);
  {
    gboolean more;
    g_autoptr(GPtrArray) list = hd_store_messages_list (f->store, a.id, 0, 10, &more, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (list->len, ==, 3);
  }

  hd_core_free (core);
  g_string_free (event_order, TRUE);
}

/* Messages not in the full-text index yet: past the store's mark. */
#define UNINDEXED_SQL "SELECT count(*) FROM messages WHERE id > (SELECT message_id FROM search_mark)"

/* Between batches, when no command waits, the core thread has the store
 * index what the batches put off (hd_store_housekeeping ()): 150 messages,
 * and no search, and all but fewer than 64 get into the full-text index. */
static void
test_indexed_when_idle (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(HdUserRecord) tech = make_user (f->store, "tina", HD_ROLE_TECHNICIAN);
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  HdChatRecord a = make_active_chat (f->store, carol, tech);
  g_autoptr(HdChatService) service = hd_chat_service_new (f->store, NULL);
  HdCore *core = hd_core_new (service);
  Post posts[150] = { { 0, } };
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint acked;

  for (guint i = 0; i < G_N_ELEMENTS (posts); i++)
    {
      posts[i] = (Post) { .f = f, .user_id = carol->id, .chat_id = a.id, .body = "queued quietly",
                          .client_id = g_strdup_printf ("q-%u", i) };
      hd_core_run (core, post_on_core, TRUE, post_done, &posts[i], NULL);
    }
  do
    {
      g_main_context_iteration (NULL, TRUE);
      acked = 0;
      for (guint i = 0; i < G_N_ELEMENTS (posts); i++)
        acked += posts[i].acked;
    }
  while (acked < G_N_ELEMENTS (posts));

  while (count_sql (f, UNINDEXED_SQL, NULL) >= 64 && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_assert_cmpint (count_sql (f, UNINDEXED_SQL, NULL), <, 64);
  g_assert_cmpint (count_sql (f, "SELECT count(*) FROM search_index WHERE search_index MATCH 'quietly'", NULL),
                   >, G_N_ELEMENTS (posts) - 64);

  hd_core_free (core);
  for (guint i = 0; i < G_N_ELEMENTS (posts); i++)
    {
      g_assert_no_error (posts[i].error);
      g_free (posts[i].client_id);
    }
}

/* hd_core_set_io (): the core thread waits for the descriptor too and runs
 * the work when it is readable or its time has come, on the core thread,
 * and never again once unset. */
typedef struct {
  int      fd;
  gint     runs;
  gint     reads;
  GThread *thread;
  gint64   due;        /* µs; 0: never */
} Io;

static int
io_wait (gpointer data)
{
  Io *io = data;

  if (io->due == 0)
    return 1000;
  return (int) CLAMP ((io->due - g_get_monotonic_time ()) / 1000, 0, 1000);
}

static void
io_run (gpointer data)
{
  Io *io = data;
  char b;

  io->thread = g_thread_self ();
  g_atomic_int_inc (&io->runs);
  while (read (io->fd, &b, 1) == 1)
    g_atomic_int_inc (&io->reads);
  if (io->due != 0)
    io->due = g_get_monotonic_time () + 20 * 1000;
}

static void
test_core_runs_io (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(HdChatService) service = hd_chat_service_new (f->store, NULL);
  HdCore *core = hd_core_new (service);
  Io io = { 0, };
  int p[2];
  gint64 until;
  gint runs;

  g_assert_true (g_unix_open_pipe (p, FD_CLOEXEC, NULL));
  g_assert_true (g_unix_set_fd_nonblocking (p[0], TRUE, NULL));
  io.fd = p[0];
  hd_core_set_io (core, p[0], io_wait, io_run, &io);
  /* readable: run on the core thread */
  g_assert_cmpint (write (p[1], "x", 1), ==, 1);
  until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (g_atomic_int_get (&io.reads) < 1 && g_get_monotonic_time () < until)
    g_usleep (1000);
  g_assert_cmpint (g_atomic_int_get (&io.reads), ==, 1);
  g_assert_nonnull (io.thread);
  g_assert_true (io.thread != g_thread_self ());
  /* nothing to read, but its time comes every 20 ms (set again: the core
   * thread may be waiting out the 1 s it was told before) */
  hd_core_set_io (core, -1, NULL, NULL, NULL);
  io.due = g_get_monotonic_time () + 20 * 1000;
  runs = g_atomic_int_get (&io.runs);
  hd_core_set_io (core, p[0], io_wait, io_run, &io);
  g_usleep (300 * 1000);
  g_assert_cmpint (g_atomic_int_get (&io.runs) - runs, >=, 5);
  /* unset: never again, readable or not */
  hd_core_set_io (core, -1, NULL, NULL, NULL);
  runs = g_atomic_int_get (&io.runs);
  g_assert_cmpint (write (p[1], "y", 1), ==, 1);
  g_usleep (200 * 1000);
  g_assert_cmpint (g_atomic_int_get (&io.runs), ==, runs);
  g_assert_cmpint (g_atomic_int_get (&io.reads), ==, 1);

  hd_core_free (core);
  close (p[0]);
  close (p[1]);
}

/* The events a drain delivers go to the direct sink, and the flush follows
 * once, after all of them (a socket's frames of one batch are one write);
 * an event outside a drain is flushed at once. */
static GString *direct_log;

static gboolean
log_direct (const HdEvent *event,
            gpointer       data)
{
  g_string_append_c (direct_log, strcmp (event->type, HD_EVENT_CHAT_MESSAGE) == 0 ? 'm' : 'e');
  return TRUE;
}

static void
log_flush (gpointer data)
{
  g_string_append_c (direct_log, '|');
}

static void
test_flushed_once_per_batch (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUserRecord) tech = make_user (f->store, "tina", HD_ROLE_TECHNICIAN);
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  HdChatRecord a = make_active_chat (f->store, carol, tech);
  g_autoptr(HdChatService) service = hd_chat_service_new (f->store, NULL);
  g_autoptr(HdMessageRecord) m = NULL;
  HdCore *core = hd_core_new (service);
  Post posts[3] = {
    { .f = f, .user_id = carol->id, .chat_id = a.id, .body = "one", .client_id = "c-1" },
    { .f = f, .user_id = tech->id, .chat_id = a.id, .body = "two", .client_id = "t-1" },
    { .f = f, .user_id = carol->id, .chat_id = a.id, .body = "three", .client_id = "c-2" },
  };
  gboolean created = FALSE;

  direct_log = g_string_new (NULL);
  hd_core_set_event_sink (core, on_event, log_direct, log_flush, NULL);
  /* held, so that the three run as one batch */
  hd_core_enter (core);
  for (guint i = 0; i < G_N_ELEMENTS (posts); i++)
    hd_core_run (core, post_on_core, TRUE, post_done, &posts[i], NULL);
  hd_core_leave (core);
  while (!posts[0].acked || !posts[1].acked || !posts[2].acked)
    g_main_context_iteration (NULL, TRUE);
  /* three messages and their transcripts' note.updated, then one flush */
  g_assert_cmpstr (direct_log->str, ==, "mememe|");

  /* outside a drain (a caller holding the core): flushed at once */
  g_string_truncate (direct_log, 0);
  hd_core_enter (core);
  m = hd_chat_service_post_message (service, carol, a.id, "four", "c-3", &created, &error);
  g_assert_no_error (error);
  g_assert_true (created);
  g_assert_cmpstr (direct_log->str, ==, "m|e|");
  hd_core_leave (core);

  hd_core_free (core);
  g_string_free (direct_log, TRUE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store-batch/sqlite/acknowledged-after-commit", Fixture, NULL, fixture_set_up,
              test_batch_acknowledged_after_commit, fixture_tear_down);
  g_test_add ("/store-batch/sqlite/indexed-when-idle", Fixture, NULL, fixture_set_up,
              test_indexed_when_idle, fixture_tear_down);
  g_test_add ("/store-batch/sqlite/core-runs-io", Fixture, NULL, fixture_set_up,
              test_core_runs_io, fixture_tear_down);
  g_test_add ("/store-batch/sqlite/flushed-once-per-batch", Fixture, NULL, fixture_set_up,
              test_flushed_once_per_batch, fixture_tear_down);
  if (g_getenv ("HD_TEST_PG_URI") != NULL)
    g_test_add ("/store-batch/postgresql/acknowledged-after-commit", Fixture, NULL, fixture_set_up_pg,
                test_batch_acknowledged_after_commit, fixture_tear_down);
  return g_test_run ();
}
