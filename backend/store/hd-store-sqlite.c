/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQLite store (the default): one connection in WAL with
 * synchronous=FULL, driven by the core thread; WAL checkpoints on a thread
 * of their own.  Contract v2 "Technicians" is in hd-store-sqlite-tech.c. */
#define G_LOG_DOMAIN "hd-store"

#include "hd-store-sqlite.h"
#include "hd-error.h"

#include <sqlite3.h>
#include <string.h>

struct _HdStoreSqlite
{
  HdStore     parent_instance;

  sqlite3    *db;
  /* Prepared statements, keyed by the address of their SQL text (each
   * call site passes a string literal), prepared once and reused. */
  GHashTable *stmts;
  guint       tx_depth;
  gboolean    tx_failed;
  gint64      search_flushed_at;   /* monotonic µs */
  guint       search_waiting;      /* messages past search_mark (at most) */
  gboolean    unsynced;            /* a housekeeping step's commit (no fsync) */

  /* WAL checkpoints (which fsync) run on their own thread and connection,
   * so that a commit on the main loop never waits for one. */
  char       *path;
  GThread    *checkpointer;
  GMutex      lock;
  GCond       cond;
  gboolean    stopping;
  gboolean    checkpoint_now;   /* asked by the writer (wal_hook ()) */
  /* The frames the thread's last checkpoint copied, of which generation
   * of the WAL: the writer counts one up each time the WAL starts over
   * (frame numbers start again at 1).  Under @lock. */
  int         copied;
  guint       copied_generation;
  guint       generation;
  int         last_frames;      /* the writer's only */
  int         restart_frames;   /* WAL_RESTART_FRAMES, or HD_WAL_RESTART_FRAMES */
};

/* The checkpoint thread copies the WAL every 2 s, or at once when the
 * writer finds it long (wal_hook ()): each checkpoint fsyncs the WAL and
 * the database file, beside the commits' own fsyncs, so not more often.
 * HD_CHECKPOINT_INTERVAL_MS changes it (tests). */
#define CHECKPOINT_INTERVAL_USEC (2000 * 1000)
/* Stored messages past search_mark wait for the full-text index.  The
 * core thread indexes them between batches, when no command waits
 * (sqlite_housekeeping ()), this many at a time (about half a millisecond),
 * once this many wait or the oldest waited this long ... */
#define SEARCH_STEP_ROWS 64
#define SEARCH_FLUSH_USEC (1000 * 1000)
/* ... and a commit indexes them itself once this many wait, when the core
 * is never idle (saturation): a second's worth at 27,000 messages/s took
 * a commit 60 ms and more.  A search indexes what waits before it reads. */
#define SEARCH_FLUSH_ROWS 256
/* The WAL starts over once it holds this many frames (32 MiB) ... */
#define WAL_RESTART_FRAMES 8192
/* ... as soon as the checkpoint thread has copied all but this many. */
#define WAL_TAIL_FRAMES 512

G_DEFINE_FINAL_TYPE (HdStoreSqlite, hd_store_sqlite, HD_TYPE_STORE)

static HdUserRecord    *sqlite_user_get    (HdStoreSqlite  *self,
                                            gint64          id,
                                            GError        **error);
static HdTeamRecord    *sqlite_team_get    (HdStoreSqlite  *self,
                                            gint64          id,
                                            GError        **error);
static HdRequestRecord *sqlite_request_get (HdStoreSqlite  *self,
                                            gint64          id,
                                            GError        **error);

/* ---- schema --------------------------------------------------------- */

/* migrations[i] takes the schema from version i to i + 1.  Version 1 kept
 * the transcript as a copy in notes.body, rewritten on every message;
 * version 2 derives it from the messages and keeps only O(1) bookkeeping
 * per message (chats.last_seq, notes.length), and adds client_id
 * idempotency. */
static const char *migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE users ("
  "  id INTEGER PRIMARY KEY,"
  "  login TEXT NOT NULL UNIQUE,"
  "  name TEXT NOT NULL,"
  "  email TEXT NOT NULL,"
  "  role TEXT NOT NULL CHECK (role IN ('customer','technician','admin')),"
  "  password_hash TEXT NOT NULL,"
  "  available INTEGER NOT NULL DEFAULT 0,"
  "  created_at INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE tokens ("
  "  hash TEXT PRIMARY KEY,"
  "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
  "  created_at INTEGER NOT NULL) WITHOUT ROWID;"
  "CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
  "CREATE TABLE team_members ("
  "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
  "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
  "  PRIMARY KEY (team_id, user_id)) WITHOUT ROWID;"
  "CREATE INDEX team_members_user ON team_members(user_id);"
  "CREATE TABLE settings (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
  "INSERT INTO settings VALUES ('chat_enabled', 0), ('customer_chat_with_team', 0);"
  "CREATE TABLE requests ("
  "  id INTEGER PRIMARY KEY,"
  "  subject TEXT NOT NULL,"
  "  description TEXT NOT NULL DEFAULT '',"
  "  status TEXT NOT NULL CHECK (status IN ('open','closed')),"
  "  customer_id INTEGER NOT NULL REFERENCES users(id),"
  "  assignee_id INTEGER REFERENCES users(id),"
  "  team_id INTEGER REFERENCES teams(id),"
  "  created_at INTEGER NOT NULL);"
  "CREATE INDEX requests_customer ON requests(customer_id);"
  "CREATE INDEX requests_assignee ON requests(assignee_id);"
  "CREATE INDEX requests_team ON requests(team_id);"
  "CREATE TABLE notes ("
  "  id INTEGER PRIMARY KEY,"
  "  request_id INTEGER NOT NULL REFERENCES requests(id),"
  "  kind TEXT NOT NULL CHECK (kind IN ('note','chat_transcript')),"
  "  chat_id INTEGER REFERENCES chats(id),"
  "  body TEXT NOT NULL DEFAULT '',"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL);"
  "CREATE INDEX notes_request ON notes(request_id);"
  "CREATE TABLE chats ("
  "  id INTEGER PRIMARY KEY,"
  "  request_id INTEGER NOT NULL REFERENCES requests(id),"
  "  state TEXT NOT NULL CHECK (state IN ('waiting','active','ended')),"
  "  customer_id INTEGER NOT NULL REFERENCES users(id),"
  "  technician_id INTEGER REFERENCES users(id),"
  "  target_kind TEXT NOT NULL CHECK (target_kind IN ('technician','team')),"
  "  target_id INTEGER NOT NULL,"
  "  note_id INTEGER REFERENCES notes(id),"
  "  created_at INTEGER NOT NULL,"
  "  accepted_at INTEGER,"
  "  ended_at INTEGER);"
  /* One waiting or active chat per request, enforced by the database so
   * that it also holds between processes. */
  "CREATE UNIQUE INDEX chats_one_open ON chats(request_id) WHERE state IN ('waiting','active');"
  "CREATE INDEX chats_customer ON chats(customer_id);"
  "CREATE INDEX chats_technician ON chats(technician_id);"
  "CREATE INDEX chats_waiting ON chats(state) WHERE state = 'waiting';"
  "CREATE TABLE messages ("
  "  id INTEGER PRIMARY KEY,"
  "  chat_id INTEGER NOT NULL REFERENCES chats(id),"
  "  seq INTEGER NOT NULL,"
  "  author_id INTEGER NOT NULL REFERENCES users(id),"
  "  body TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  UNIQUE (chat_id, seq));",

  /* 1 → 2 */
  "ALTER TABLE chats ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;"
  "UPDATE chats SET last_seq ="
  "  (SELECT COALESCE(MAX(seq), 0) FROM messages WHERE messages.chat_id = chats.id);"
  "ALTER TABLE messages ADD COLUMN client_id TEXT;"
  "CREATE UNIQUE INDEX messages_client_id ON messages(chat_id, client_id);"
  "ALTER TABLE notes ADD COLUMN length INTEGER NOT NULL DEFAULT 0;"
  /* length() counts characters of TEXT, as the protocol does. */
  "UPDATE notes SET length = length(body), body = '' WHERE kind = 'chat_transcript';",

  /* 2 → 3 (customers, contract v2): notes gain an author and the kind
   * 'event' (a CHECK cannot be altered: the table is rebuilt, with
   * foreign keys off, see migrate ()); chats gain a rating; attachments
   * keep their bytes in a table of their own, a message only points at
   * one; an index for the queue's position and wait estimate. */
  "CREATE TABLE notes_v3 ("
  "  id INTEGER PRIMARY KEY,"
  "  request_id INTEGER NOT NULL REFERENCES requests(id),"
  "  kind TEXT NOT NULL CHECK (kind IN ('note','chat_transcript','event')),"
  "  chat_id INTEGER REFERENCES chats(id),"
  "  body TEXT NOT NULL DEFAULT '',"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  length INTEGER NOT NULL DEFAULT 0,"
  "  author_id INTEGER REFERENCES users(id));"
  "INSERT INTO notes_v3 (id, request_id, kind, chat_id, body, created_at, updated_at, length)"
  "  SELECT id, request_id, kind, chat_id, body, created_at, updated_at, length FROM notes;"
  "DROP TABLE notes;"
  "ALTER TABLE notes_v3 RENAME TO notes;"
  "CREATE INDEX notes_request ON notes(request_id);"
  "ALTER TABLE chats ADD COLUMN rating_score INTEGER CHECK (rating_score BETWEEN 1 AND 5);"
  "ALTER TABLE chats ADD COLUMN rating_comment TEXT;"
  "CREATE INDEX chats_target ON chats(target_kind, target_id, id);"
  "CREATE TABLE attachments ("
  "  id INTEGER PRIMARY KEY,"
  "  chat_id INTEGER NOT NULL REFERENCES chats(id),"
  "  author_id INTEGER NOT NULL REFERENCES users(id),"
  "  filename TEXT NOT NULL,"
  "  content_type TEXT NOT NULL,"
  "  size INTEGER NOT NULL,"
  "  sha256 TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  /* Last, so that reading the other columns never touches its pages. */
  "  data BLOB NOT NULL);"
  "CREATE INDEX attachments_chat ON attachments(chat_id);"
  "ALTER TABLE messages ADD COLUMN attachment_id INTEGER REFERENCES attachments(id);",

  /* 3 → 4: technicians (contract v2): away, the three limits, why a chat
   * ended, message kinds, canned responses and the full-text index. */
  HD_STORE_TECH_MIGRATION,

  /* 4 → 5: a message goes into the full-text index when its batch
   * commits (search_flush ()), not from its own trigger: FTS5 writes its
   * pending terms out as a new segment at every savepoint
   * (fts5SavepointMethod), and every message of a group commit is one, so
   * each message cost a segment write and its merges (about 40 % of the
   * server's CPU per message at saturation). */
  "CREATE TABLE search_pending (message_id INTEGER PRIMARY KEY);"
  "DROP TRIGGER search_message_added;"
  "CREATE TRIGGER search_message_added AFTER INSERT ON messages WHEN new.kind <> 'system' BEGIN"
  "  INSERT INTO search_pending (message_id) VALUES (new.id);"
  "END;",

  /* 5 → 6: transcript mails sent, per chat, for the limit of 5 an hour
   * (sqlite_mail_reserve ()). */
  "CREATE TABLE transcript_mails ("
  "  id INTEGER PRIMARY KEY,"
  "  chat_id INTEGER NOT NULL REFERENCES chats(id),"
  "  sent_at INTEGER NOT NULL);"
  "CREATE INDEX transcript_mails_chat ON transcript_mails(chat_id, sent_at);",

  /* 6 → 7: the messages not in the full-text index yet are those past a
   * mark (ids only grow: messages are never deleted), not rows of
   * search_pending: a row there was one page more in every message's
   * commit (of six), and its trigger ran for every message; without them
   * the server's CPU per message in hd-scale went down 7 %, its p99 10 %,
   * and saturation went up 5 % (tests/bench/README.md, round 2, session 10).
   * What waited is indexed here, so the mark starts at the last message. */
  "INSERT INTO search_index (rowid, text, request_id, chat_id, message_id, created_at)"
  "  SELECT m.id * 4, m.body, c.request_id, m.chat_id, m.id, m.created_at"
  "  FROM search_pending p JOIN messages m ON m.id = p.message_id"
  "  JOIN chats c ON c.id = m.chat_id;"
  "DROP TRIGGER search_message_added;"
  "DROP TABLE search_pending;"
  "CREATE TABLE search_mark ("
  "  id INTEGER PRIMARY KEY CHECK (id = 1),"
  "  message_id INTEGER NOT NULL);"
  "INSERT INTO search_mark (id, message_id) SELECT 1, COALESCE(MAX(id), 0) FROM messages;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == HD_STORE_SCHEMA_VERSION);

/* ---- helpers -------------------------------------------------------- */

static gboolean
set_sqlite_error (HdStoreSqlite  *self,
                  GError        **error,
                  const char     *what)
{
  int code = sqlite3_extended_errcode (self->db);

  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
    g_set_error (error, HD_ERROR, HD_ERROR_CONFLICT, "%s: already exists", what);
  else if (code == SQLITE_CONSTRAINT_FOREIGNKEY)
    g_set_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "%s: refers to something that does not exist", what);
  else
    g_set_error (error, HD_ERROR, HD_ERROR_INTERNAL, "%s: %s", what, sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
exec (HdStoreSqlite  *self,
      const char     *sql,
      GError        **error)
{
  char *msg = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_INTERNAL, "Database error: %s", msg ? msg : "?");
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

static sqlite3_stmt *
stmt (HdStoreSqlite  *self,
      const char     *sql,
      GError        **error)
{
  sqlite3_stmt *s = g_hash_table_lookup (self->stmts, sql);

  if (s != NULL)
    return s;

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_INTERNAL, "Cannot prepare “%s”: %s",
                   sql, sqlite3_errmsg (self->db));
      return NULL;
    }
  g_hash_table_insert (self->stmts, (gpointer) sql, s);
  return s;
}

/* Statements are always reset after use, so that no read transaction
 * stays open (it would hold back WAL checkpoints). */
static void
done (sqlite3_stmt *s)
{
  sqlite3_reset (s);
  sqlite3_clear_bindings (s);
}

/* Runs a statement that returns no rows. */
static gboolean
step_done (HdStoreSqlite  *self,
           sqlite3_stmt   *s,
           const char     *what,
           GError        **error)
{
  int rc = sqlite3_step (s);
  gboolean ok = rc == SQLITE_DONE || rc == SQLITE_ROW;

  if (!ok)
    set_sqlite_error (self, error, what);
  done (s);
  return ok;
}

static gboolean
sqlite_begin (HdStoreSqlite  *self,
              GError        **error)
{
  if (self->tx_depth == 0)
    {
      /* IMMEDIATE: take the write lock up front, so that two processes
       * never both read and then fail to upgrade. */
      sqlite3_stmt *s = stmt (self, "BEGIN IMMEDIATE", error);
      if (s == NULL || !step_done (self, s, "begin", error))
        return FALSE;
      self->tx_failed = FALSE;
    }
  else
    {
      /* Nested: a savepoint, so that a failed inner part (one command of
       * a group commit) undoes only itself. */
      sqlite3_stmt *s = stmt (self, "SAVEPOINT hd_nested", error);
      if (s == NULL || !step_done (self, s, "savepoint", error))
        return FALSE;
    }
  self->tx_depth++;
  return TRUE;
}

/* Indexes at most @max_ids messages past search_mark (by id, system
 * messages skipped) and moves the mark past them; @covered: how many ids
 * it moved.  The messages are read by rowid, a range of their b-tree. */
static gboolean
search_index_next (HdStoreSqlite  *self,
                   gint64          max_ids,
                   gint64         *covered,
                   GError        **error)
{
  sqlite3_stmt *s = stmt (self, "SELECT message_id, (SELECT COALESCE(MAX(id), 0) FROM messages) "
                                "FROM search_mark", error);
  gint64 mark, last;

  *covered = 0;
  if (s == NULL)
    return FALSE;
  if (sqlite3_step (s) != SQLITE_ROW)
    {
      set_sqlite_error (self, error, "search index");
      done (s);
      return FALSE;
    }
  mark = sqlite3_column_int64 (s, 0);
  last = sqlite3_column_int64 (s, 1);
  done (s);
  if (last <= mark)
    return TRUE;
  if (last - mark > max_ids)
    last = mark + max_ids;

  s = stmt (self,
            "INSERT INTO search_index (rowid, text, request_id, chat_id, message_id, created_at)"
            "  SELECT m.id * 4, m.body, c.request_id, m.chat_id, m.id, m.created_at"
            "  FROM messages m JOIN chats c ON c.id = m.chat_id"
            "  WHERE m.id > ?1 AND m.id <= ?2 AND m.kind <> 'system'",
            error);
  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, mark);
  sqlite3_bind_int64 (s, 2, last);
  if (!step_done (self, s, "search index", error))
    return FALSE;
  s = stmt (self, "UPDATE search_mark SET message_id = ?", error);
  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, last);
  if (!step_done (self, s, "search index", error))
    return FALSE;
  *covered = last - mark;
  return TRUE;
}

/* Indexes the messages past search_mark in one statement, outside every
 * savepoint: a search before it reads (@now), a commit once
 * SEARCH_FLUSH_ROWS wait.  Every FTS5 insert
 * writes a segment (its data, index, doc size, structure and averages:
 * half the pages of a commit of one message), so indexing in each batch's
 * commit doubled what each commit writes and fsyncs. */
gboolean
hd_store_sqlite_search_flush (HdStoreSqlite  *self,
                              gboolean        now,
                              GError        **error)
{
  gint64 covered;

  if (!now && self->search_waiting < SEARCH_FLUSH_ROWS)
    return TRUE;
  self->search_flushed_at = g_get_monotonic_time ();
  self->search_waiting = 0;
  return search_index_next (self, G_MAXINT64, &covered, error);
}

/* Between batches (hd_store_housekeeping ()): the oldest
 * SEARCH_STEP_ROWS waiting messages into the index, in a transaction of
 * their own that does not fsync.  That is safe: the index is made from
 * messages already durable, the step's move of the mark goes with it, and
 * WAL commits count in order, so a crash loses the step whole or not at
 * all, and the next commit's fsync takes the step's pages too.  A message
 * that arrives meanwhile waits for the step (about half a millisecond),
 * not for a flush of hundreds of rows and its fsync inside its own commit. */
static gboolean
sqlite_housekeeping (HdStoreSqlite *self)
{
  gint64 t = g_get_monotonic_time ();
  gboolean ok;
  gint64 covered = 0;

  if (self->tx_depth > 0 || self->search_waiting == 0 ||
      (self->search_waiting < SEARCH_STEP_ROWS && t - self->search_flushed_at < SEARCH_FLUSH_USEC))
    return FALSE;
  self->search_flushed_at = t;

  self->unsynced = TRUE;
  ok = exec (self, "PRAGMA synchronous = OFF", NULL) && exec (self, "BEGIN IMMEDIATE", NULL) &&
       search_index_next (self, SEARCH_STEP_ROWS, &covered, NULL) &&
       exec (self, "COMMIT", NULL);
  if (!ok && sqlite3_get_autocommit (self->db) == 0)
    exec (self, "ROLLBACK", NULL);
  exec (self, "PRAGMA synchronous = FULL", NULL);
  self->unsynced = FALSE;
  if (!ok)
    return FALSE;
  /* search_waiting counts at most what waits */
  if (covered < SEARCH_STEP_ROWS)
    self->search_waiting = 0;
  else
    self->search_waiting -= MIN (self->search_waiting, (guint) covered);
  return self->search_waiting >= SEARCH_STEP_ROWS;
}

static gboolean
sqlite_commit (HdStoreSqlite  *self,
               GError        **error)
{
  sqlite3_stmt *s;

  g_return_val_if_fail (self->tx_depth > 0, FALSE);

  if (--self->tx_depth > 0)
    {
      s = stmt (self, "RELEASE hd_nested", error);
      return s != NULL && step_done (self, s, "release", error);
    }

  if (self->tx_failed)
    {
      s = stmt (self, "ROLLBACK", NULL);
      if (s)
        step_done (self, s, "rollback", NULL);
      g_set_error_literal (error, HD_ERROR, HD_ERROR_INTERNAL,
                           "The transaction was rolled back");
      return FALSE;
    }

  s = NULL;
  if (hd_store_sqlite_search_flush (self, FALSE, error))
    s = stmt (self, "COMMIT", error);
  if (s == NULL || !step_done (self, s, "commit", error))
    {
      if (sqlite3_get_autocommit (self->db) == 0)
        exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

static void
sqlite_rollback (HdStoreSqlite *self)
{
  sqlite3_stmt *s;

  g_return_if_fail (self->tx_depth > 0);

  if (--self->tx_depth > 0)
    {
      s = stmt (self, "ROLLBACK TO hd_nested", NULL);
      if (s == NULL || !step_done (self, s, "rollback to", NULL))
        {
          /* Then the whole transaction must go. */
          self->tx_failed = TRUE;
          return;
        }
      s = stmt (self, "RELEASE hd_nested", NULL);
      if (s != NULL)
        step_done (self, s, "release", NULL);
      return;
    }
  s = stmt (self, "ROLLBACK", NULL);
  if (s)
    step_done (self, s, "rollback", NULL);
}

/* ---- object --------------------------------------------------------- */

static void
finalize_stmt (gpointer data)
{
  sqlite3_finalize (data);
}

/* The writer's connection, after each commit, with the frames now in the
 * WAL.  The checkpoint thread copies the WAL into the database file in the
 * background, but under a steady stream of commits it never catches up at
 * the moment a transaction starts, which is when SQLite starts the WAL
 * over: the WAL would grow for as long as the stream lasts (at 1,000
 * messages/s, 25 MB/s), and every fsync of a file that grows also writes
 * its metadata.  So once the WAL is long and the thread has copied nearly
 * all of it, the writer copies the rest itself (a few pages and the
 * database file's fsync, once per WAL_RESTART_FRAMES), and its next
 * transaction starts the WAL over, in the space the file already has. */
static int
wal_hook (void       *data,
          sqlite3    *db,
          const char *name,
          int         frames)
{
  HdStoreSqlite *self = data;
  gboolean nearly_copied;

  if (frames < self->last_frames)
    {
      g_mutex_lock (&self->lock);
      self->generation++;
      g_mutex_unlock (&self->lock);
    }
  self->last_frames = frames;
  /* Never copy frames into the database on a commit that does not fsync
   * (sqlite_housekeeping ()): the copy would not be synced either, and
   * the WAL, starting over, would overwrite what only it holds safely. */
  if (frames < self->restart_frames || self->unsynced)
    return SQLITE_OK;

  g_mutex_lock (&self->lock);
  nearly_copied = self->copied_generation == self->generation &&
                  self->copied + WAL_TAIL_FRAMES >= frames;
  if (!nearly_copied && !self->checkpoint_now)
    {
      self->checkpoint_now = TRUE;
      g_cond_signal (&self->cond);
    }
  g_mutex_unlock (&self->lock);
  /* SQLITE_BUSY when the thread is at it just now: the next commit. */
  if (nearly_copied)
    sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  return SQLITE_OK;
}

static gpointer
checkpointer_main (gpointer data)
{
  HdStoreSqlite *self = data;
  sqlite3 *db = NULL;
  gint64 interval = CHECKPOINT_INTERVAL_USEC;

  if (sqlite3_open_v2 (self->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_warning ("The checkpoint thread cannot open %s: %s", self->path, sqlite3_errmsg (db));
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 1000);
  /* A connection learns that the database is in WAL mode only when it
   * first reads it; until then sqlite3_wal_checkpoint_v2 () does nothing
   * and says SQLITE_OK (with -1 frames), and the WAL would grow for as long
   * as the server runs.  So read once, and sync what the checkpoint copies
   * (the database file) as the writer syncs the WAL. */
  if (sqlite3_exec (db, "PRAGMA synchronous = FULL; SELECT count(*) FROM sqlite_master",
                    NULL, NULL, NULL) != SQLITE_OK)
    g_warning ("The checkpoint thread cannot read %s: %s", self->path, sqlite3_errmsg (db));

  if (g_getenv ("HD_CHECKPOINT_INTERVAL_MS") != NULL)
    interval = CLAMP (g_ascii_strtoll (g_getenv ("HD_CHECKPOINT_INTERVAL_MS"), NULL, 10), 10, 60000) * 1000;

  g_mutex_lock (&self->lock);
  while (!self->stopping)
    {
      gint64 until = g_get_monotonic_time () + interval;

      while (!self->stopping && !self->checkpoint_now &&
             g_cond_wait_until (&self->cond, &self->lock, until))
        ;
      if (self->stopping)
        break;
      self->checkpoint_now = FALSE;
      g_mutex_unlock (&self->lock);
      /* PASSIVE: copies what it can without blocking the writer.  Once
       * all of the WAL is in the database file, the writer's next
       * transaction starts the WAL over from its beginning: it writes
       * blocks the file already has, so its fsync needs no metadata. */
      {
        guint generation;
        int frames = 0, copied = 0;
        int rc;

        g_mutex_lock (&self->lock);
        generation = self->generation;
        g_mutex_unlock (&self->lock);
        rc = sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
        g_mutex_lock (&self->lock);
        if (rc == SQLITE_OK && copied >= 0)
          {
            self->copied = copied;
            self->copied_generation = generation;
          }
        g_mutex_unlock (&self->lock);
        /* SQLITE_BUSY (the writer at it just now, frames -1): next time */
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
          g_warning ("WAL checkpoint of %s: %s", self->path, sqlite3_errmsg (db));
        else if (rc == SQLITE_OK && frames < 0)
          g_warning ("WAL checkpoint of %s: the database is not in WAL mode", self->path);
      }
      g_mutex_lock (&self->lock);
    }
  g_mutex_unlock (&self->lock);
  sqlite3_close (db);
  return NULL;
}

static void
hd_store_sqlite_finalize (GObject *object)
{
  HdStoreSqlite *self = HD_STORE_SQLITE (object);

  if (self->checkpointer)
    {
      g_mutex_lock (&self->lock);
      self->stopping = TRUE;
      g_cond_signal (&self->cond);
      g_mutex_unlock (&self->lock);
      g_thread_join (self->checkpointer);
    }
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->path);

  g_clear_pointer (&self->stmts, g_hash_table_unref);
  if (self->db)
    sqlite3_close (self->db);

  G_OBJECT_CLASS (hd_store_sqlite_parent_class)->finalize (object);
}

static void
hd_store_sqlite_init (HdStoreSqlite *self)
{
  self->stmts = g_hash_table_new_full (NULL, NULL, NULL, finalize_stmt);
  self->restart_frames = WAL_RESTART_FRAMES;
  if (g_getenv ("HD_WAL_RESTART_FRAMES") != NULL)   /* tests */
    self->restart_frames = CLAMP (g_ascii_strtoll (g_getenv ("HD_WAL_RESTART_FRAMES"), NULL, 10),
                                  16, WAL_RESTART_FRAMES);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

static int
sqlite_get_schema_version (HdStoreSqlite *self)
{
  sqlite3_stmt *s = stmt (self, "PRAGMA user_version", NULL);
  int v = -1;

  if (s && sqlite3_step (s) == SQLITE_ROW)
    v = sqlite3_column_int (s, 0);
  if (s)
    done (s);
  return v;
}

static gboolean
migrate (HdStoreSqlite  *self,
         GError        **error)
{
  int version;

  /* A migration may rebuild a table that others refer to (SQLite cannot
   * alter a CHECK): foreign keys are off while it runs (the pragma is a
   * no-op inside a transaction) and checked before the commit. */
  if (!exec (self, "PRAGMA foreign_keys = OFF", error))
    return FALSE;
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  /* Read inside the transaction: another process may be migrating too. */
  version = sqlite_get_schema_version (self);
  if (version > HD_STORE_SCHEMA_VERSION)
    {
      exec (self, "ROLLBACK", NULL);
      g_set_error (error, HD_ERROR, HD_ERROR_INTERNAL,
                   "The database has schema version %d, newer than this server's %d",
                   version, HD_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  for (int v = version; v < HD_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", v + 1);

      if (!exec (self, migrations[v], error) || !exec (self, set_version, error))
        {
          exec (self, "ROLLBACK", NULL);
          g_prefix_error (error, "Migrating the schema from version %d: ", v);
          return FALSE;
        }
    }

  if (version < HD_STORE_SCHEMA_VERSION)
    {
      sqlite3_stmt *check = NULL;
      gboolean broken;

      sqlite3_prepare_v2 (self->db, "PRAGMA foreign_key_check", -1, &check, NULL);
      broken = check == NULL || sqlite3_step (check) == SQLITE_ROW;
      sqlite3_finalize (check);
      if (broken)
        {
          exec (self, "ROLLBACK", NULL);
          g_set_error_literal (error, HD_ERROR, HD_ERROR_INTERNAL,
                               "Migrating the schema broke a foreign key");
          return FALSE;
        }
    }

  if (!exec (self, "COMMIT", error))
    {
      exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  if (!exec (self, "PRAGMA foreign_keys = ON", error))
    return FALSE;

  /* The cached statements may refer to an older schema. */
  g_hash_table_remove_all (self->stmts);
  return TRUE;
}

HdStore *
hd_store_sqlite_open (const char  *path,
                      GError     **error)
{
  g_autoptr(HdStoreSqlite) self = g_object_new (HD_TYPE_STORE_SQLITE, NULL);

  if (sqlite3_open_v2 (path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_INTERNAL, "Cannot open the database %s: %s",
                   path, self->db ? sqlite3_errmsg (self->db) : "out of memory");
      return NULL;
    }

  sqlite3_busy_timeout (self->db, 5000);
  sqlite3_extended_result_codes (self->db, 1);

  /* WAL with synchronous=FULL: every COMMIT fsyncs the WAL before
   * sqlite3_step() returns, so an acknowledged change survives a power
   * cut, as PostgreSQL's synchronous_commit=on.  The fsync is paid once
   * per group commit (many commands per transaction, hd-core.c), on the
   * core thread, never on the main loop. */
  if (!exec (self, "PRAGMA journal_mode = WAL", error) ||
      !exec (self, "PRAGMA synchronous = FULL", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error) ||
      !exec (self, "PRAGMA temp_store = MEMORY", error))
    return NULL;

  if (!migrate (self, error))
    return NULL;
  /* What a stop left past the mark is indexed like new messages. */
  {
    sqlite3_stmt *s = stmt (self, "SELECT COALESCE(MAX(id), 0) - (SELECT message_id FROM search_mark) "
                                  "FROM messages", NULL);

    if (s != NULL && sqlite3_step (s) == SQLITE_ROW)
      self->search_waiting = (guint) sqlite3_column_int64 (s, 0);
    if (s != NULL)
      sqlite3_reset (s);
  }

  /* On-disk databases only (":memory:" and "" have no WAL to share). */
  if (path[0] != '\0' && strcmp (path, ":memory:") != 0)
    {
      exec (self, "PRAGMA wal_autocheckpoint = 0", NULL);
      /* A burst may grow the WAL; when it starts over it is cut back to
       * this size (kept, not truncated to zero, so that it is rewritten in
       * place rather than grown again). */
      exec (self, "PRAGMA journal_size_limit = 67108864", NULL);
      self->path = g_strdup (path);
      sqlite3_wal_hook (self->db, wal_hook, self);
      self->checkpointer = g_thread_new ("hd-store-checkpoint", checkpointer_main, self);
    }

  return HD_STORE (g_steal_pointer (&self));
}

/* ---- users ---------------------------------------------------------- */

#define USER_COLS "id, login, name, email, role, available, away"

static HdUserRecord *
read_user (sqlite3_stmt *s)
{
  HdUserRecord *u = g_new0 (HdUserRecord, 1);

  u->id = sqlite3_column_int64 (s, 0);
  u->login = col_text (s, 1);
  u->name = col_text (s, 2);
  u->email = col_text (s, 3);
  if (!hd_role_from_string ((const char *) sqlite3_column_text (s, 4), &u->role))
    u->role = HD_ROLE_CUSTOMER;
  u->available = sqlite3_column_int (s, 5) != 0;
  u->away = sqlite3_column_int (s, 6) != 0;
  return u;
}

static gint64
sqlite_count_users (HdStoreSqlite *self)
{
  sqlite3_stmt *s = stmt (self, "SELECT COUNT(*) FROM users", NULL);
  gint64 n = 0;

  if (s == NULL)
    return -1;
  if (sqlite3_step (s) == SQLITE_ROW)
    n = sqlite3_column_int64 (s, 0);
  done (s);
  return n;
}

static HdUserRecord *
sqlite_user_create (HdStoreSqlite  *self,
                    const char     *login,
                    const char     *name,
                    const char     *email,
                    HdRole          role,
                    const char     *password_hash,
                    GError        **error)
{
  sqlite3_stmt *s = stmt (self,
                          "INSERT INTO users (login, name, email, role, password_hash, created_at) "
                          "VALUES (?, ?, ?, ?, ?, ?)", error);
  gint64 id;

  if (s == NULL)
    return NULL;
  bind_text (s, 1, login);
  bind_text (s, 2, name);
  bind_text (s, 3, email);
  bind_text (s, 4, hd_role_to_string (role));
  bind_text (s, 5, password_hash);
  sqlite3_bind_int64 (s, 6, g_get_real_time ());
  if (sqlite3_step (s) != SQLITE_DONE)
    {
      int code = sqlite3_extended_errcode (self->db);
      done (s);
      if (code == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error (error, HD_ERROR, HD_ERROR_CONFLICT, "The login “%s” is taken", login);
      else
        set_sqlite_error (self, error, "Creating the user");
      return NULL;
    }
  id = sqlite3_last_insert_rowid (self->db);
  done (s);
  return sqlite_user_get (self, id, error);
}

static HdUserRecord *
sqlite_user_get (HdStoreSqlite  *self,
                 gint64          id,
                 GError        **error)
{
  return HD_SQLITE_GET_BY_ID (self, "SELECT " USER_COLS " FROM users WHERE id = ?", id, read_user, "user", error);
}

static HdUserRecord *
sqlite_user_get_by_login (HdStoreSqlite  *self,
                          const char     *login,
                          GError        **error)
{
  sqlite3_stmt *s = stmt (self, "SELECT " USER_COLS ", password_hash FROM users WHERE login = ?", error);
  HdUserRecord *u = NULL;

  if (s == NULL)
    return NULL;
  bind_text (s, 1, login);
  if (sqlite3_step (s) == SQLITE_ROW)
    {
      u = read_user (s);
      u->password_hash = col_text (s, 7);
    }
  else
    g_set_error (error, HD_ERROR, HD_ERROR_NOT_FOUND, "No user “%s”", login);
  done (s);
  return u;
}

static gboolean
sqlite_user_set_available (HdStoreSqlite  *self,
                           gint64          id,
                           gboolean        available,
                           GError        **error)
{
  sqlite3_stmt *s = stmt (self, "UPDATE users SET available = ? WHERE id = ?", error);

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int (s, 1, available ? 1 : 0);
  sqlite3_bind_int64 (s, 2, id);
  if (!step_done (self, s, "Setting availability", error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_NOT_FOUND, "No user %" G_GINT64_FORMAT, id);
      return FALSE;
    }
  return TRUE;
}

static GPtrArray *
sqlite_users_list (HdStoreSqlite  *self,
                   int             role,
                   GError        **error)
{
  sqlite3_stmt *s = stmt (self, "SELECT " USER_COLS " FROM users WHERE ?1 IS NULL OR role = ?1 ORDER BY id", error);

  if (s == NULL)
    return NULL;
  if (role >= 0)
    bind_text (s, 1, hd_role_to_string ((HdRole) role));
  return HD_SQLITE_READ_ROWS (s, read_user, hd_user_record_free);
}

/* ---- tokens --------------------------------------------------------- */

static gboolean
sqlite_token_add (HdStoreSqlite  *self,
                  const char     *token_hash,
                  gint64          user_id,
                  gint64          now,
                  GError        **error)
{
  sqlite3_stmt *s = stmt (self, "INSERT INTO tokens (hash, user_id, created_at) VALUES (?, ?, ?)", error);

  if (s == NULL)
    return FALSE;
  bind_text (s, 1, token_hash);
  sqlite3_bind_int64 (s, 2, user_id);
  sqlite3_bind_int64 (s, 3, now);
  return step_done (self, s, "Storing the session", error);
}

static HdUserRecord *
sqlite_token_lookup (HdStoreSqlite  *self,
                     const char     *token_hash,
                     GError        **error)
{
  sqlite3_stmt *s = stmt (self,
                          "SELECT u.id, u.login, u.name, u.email, u.role, u.available, u.away "
                          "FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?", error);
  HdUserRecord *u = NULL;

  if (s == NULL)
    return NULL;
  bind_text (s, 1, token_hash);
  if (sqlite3_step (s) == SQLITE_ROW)
    u = read_user (s);
  else
    g_set_error_literal (error, HD_ERROR, HD_ERROR_UNAUTHORIZED, "The token is not valid");
  done (s);
  return u;
}

static gboolean
sqlite_token_delete (HdStoreSqlite  *self,
                     const char     *token_hash,
                     GError        **error)
{
  sqlite3_stmt *s = stmt (self, "DELETE FROM tokens WHERE hash = ?", error);

  if (s == NULL)
    return FALSE;
  bind_text (s, 1, token_hash);
  return step_done (self, s, "Ending the session", error);
}

/* ---- transcript mails ----------------------------------------------- */

static gboolean
sqlite_mail_reserve (HdStoreSqlite  *self,
                     gint64          chat_id,
                     gint64          now,
                     gint64          window,
                     guint           max,
                     gboolean       *reserved,
                     GError        **error)
{
  sqlite3_stmt *s = stmt (self, "DELETE FROM transcript_mails WHERE chat_id = ?1 AND sent_at <= ?2", error);

  /* What left the window is not needed any more. */
  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, chat_id);
  sqlite3_bind_int64 (s, 2, now - window);
  if (!step_done (self, s, "Counting transcript mails", error))
    return FALSE;
  /* One statement: the count and the insert cannot be split. */
  s = stmt (self, "INSERT INTO transcript_mails (chat_id, sent_at) SELECT ?1, ?2 "
                  "WHERE (SELECT count(*) FROM transcript_mails "
                  "       WHERE chat_id = ?1 AND sent_at > ?2 - ?3) < ?4", error);
  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, chat_id);
  sqlite3_bind_int64 (s, 2, now);
  sqlite3_bind_int64 (s, 3, window);
  sqlite3_bind_int64 (s, 4, max);
  if (!step_done (self, s, "Counting transcript mails", error))
    return FALSE;
  *reserved = sqlite3_changes (self->db) == 1;
  return TRUE;
}

static gboolean
sqlite_mail_release (HdStoreSqlite  *self,
                     gint64          chat_id,
                     gint64          now,
                     GError        **error)
{
  sqlite3_stmt *s = stmt (self, "DELETE FROM transcript_mails WHERE id = "
                                "(SELECT id FROM transcript_mails WHERE chat_id = ?1 AND sent_at = ?2 LIMIT 1)",
                          error);

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, chat_id);
  sqlite3_bind_int64 (s, 2, now);
  return step_done (self, s, "Taking back a transcript mail", error);
}

/* ---- teams ---------------------------------------------------------- */

static gboolean
sqlite_team_add_member (HdStoreSqlite  *self,
                        gint64          team_id,
                        gint64          user_id,
                        GError        **error)
{
  sqlite3_stmt *s = stmt (self, "INSERT OR IGNORE INTO team_members (team_id, user_id) VALUES (?, ?)", error);

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, team_id);
  sqlite3_bind_int64 (s, 2, user_id);
  return step_done (self, s, "Adding a team member", error);
}

static HdTeamRecord *
sqlite_team_create (HdStoreSqlite  *self,
                    const char     *name,
                    const gint64   *member_ids,
                    guint           n_members,
                    GError        **error)
{
  sqlite3_stmt *s;
  gint64 id;
  gboolean ok;

  if (!sqlite_begin (self, error))
    return NULL;

  s = stmt (self, "INSERT INTO teams (name) VALUES (?)", error);
  ok = s != NULL;
  if (ok)
    {
      bind_text (s, 1, name);
      ok = step_done (self, s, "Creating the team", error);
    }
  id = sqlite3_last_insert_rowid (self->db);
  for (guint i = 0; ok && i < n_members; i++)
    ok = sqlite_team_add_member (self, id, member_ids[i], error);

  if (!hd_store_impl_finish_tx (HD_STORE (self), ok, error))
    return NULL;
  return sqlite_team_get (self, id, error);
}

static HdTeamRecord *
read_team (sqlite3_stmt *s)
{
  HdTeamRecord *t = g_new0 (HdTeamRecord, 1);

  t->id = sqlite3_column_int64 (s, 0);
  t->name = col_text (s, 1);
  return t;
}

static HdTeamRecord *
sqlite_team_get (HdStoreSqlite  *self,
                 gint64          id,
                 GError        **error)
{
  return HD_SQLITE_GET_BY_ID (self, "SELECT id, name FROM teams WHERE id = ?", id, read_team, "team", error);
}

static GPtrArray *
sqlite_teams_list (HdStoreSqlite  *self,
                   GError        **error)
{
  sqlite3_stmt *s = stmt (self, "SELECT id, name FROM teams ORDER BY id", error);

  if (s == NULL)
    return NULL;
  return HD_SQLITE_READ_ROWS (s, read_team, hd_team_record_free);
}

static GArray *
sqlite_team_member_ids (HdStoreSqlite  *self,
                        gint64          team_id,
                        GError        **error)
{
  sqlite3_stmt *s = stmt (self, "SELECT user_id FROM team_members WHERE team_id = ? ORDER BY user_id", error);
  GArray *ids;

  if (s == NULL)
    return NULL;
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_bind_int64 (s, 1, team_id);
  while (sqlite3_step (s) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (s, 0);
      g_array_append_val (ids, id);
    }
  done (s);
  return ids;
}

static gboolean
sqlite_team_has_member (HdStoreSqlite *self,
                        gint64         team_id,
                        gint64         user_id)
{
  sqlite3_stmt *s = stmt (self, "SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ?", NULL);
  gboolean found;

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, team_id);
  sqlite3_bind_int64 (s, 2, user_id);
  found = sqlite3_step (s) == SQLITE_ROW;
  done (s);
  return found;
}

/* ---- privileges ----------------------------------------------------- */

static gboolean
sqlite_privileges_get (HdStoreSqlite  *self,
                       HdPrivileges   *out,
                       GError        **error)
{
  sqlite3_stmt *s = stmt (self, "SELECT key, value FROM settings", error);

  if (s == NULL)
    return FALSE;
  memset (out, 0, sizeof *out);
  while (sqlite3_step (s) == SQLITE_ROW)
    hd_store_impl_privilege_set (out, (const char *) sqlite3_column_text (s, 0), sqlite3_column_int64 (s, 1));
  done (s);
  return TRUE;
}

static gboolean
sqlite_privileges_set (HdStoreSqlite       *self,
                       const HdPrivileges  *privileges,
                       GError             **error)
{
  const char *keys[HD_STORE_IMPL_N_PRIVILEGES];
  gint64 values[HD_STORE_IMPL_N_PRIVILEGES];
  sqlite3_stmt *s;
  gboolean ok;

  if (!sqlite_begin (self, error))
    return FALSE;
  hd_store_impl_privileges_rows (privileges, keys, values);
  s = stmt (self, "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", error);
  ok = s != NULL;
  for (guint i = 0; ok && i < HD_STORE_IMPL_N_PRIVILEGES; i++)
    {
      bind_text (s, 1, keys[i]);
      sqlite3_bind_int64 (s, 2, values[i]);
      ok = step_done (self, s, "Saving privileges", error);
    }
  return hd_store_impl_finish_tx (HD_STORE (self), ok, error);
}

/* ---- requests ------------------------------------------------------- */

#define REQUEST_COLS "r.id, r.subject, r.description, r.status, r.customer_id, r.assignee_id, r.team_id, r.created_at"

static HdRequestRecord *
read_request (sqlite3_stmt *s)
{
  HdRequestRecord *r = g_new0 (HdRequestRecord, 1);

  r->id = sqlite3_column_int64 (s, 0);
  r->subject = col_text (s, 1);
  r->description = col_text (s, 2);
  r->closed = g_strcmp0 ((const char *) sqlite3_column_text (s, 3), "closed") == 0;
  r->customer_id = sqlite3_column_int64 (s, 4);
  r->assignee_id = sqlite3_column_int64 (s, 5);
  r->team_id = sqlite3_column_int64 (s, 6);
  r->created_at = sqlite3_column_int64 (s, 7);
  return r;
}

static HdRequestRecord *
sqlite_request_create (HdStoreSqlite  *self,
                       const char     *subject,
                       const char     *description,
                       gint64          customer_id,
                       gint64          assignee_id,
                       gint64          team_id,
                       gboolean        closed,
                       gint64          now,
                       GError        **error)
{
  sqlite3_stmt *s = stmt (self,
                          "INSERT INTO requests (subject, description, status, customer_id, assignee_id, team_id, created_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  gint64 id;

  if (s == NULL)
    return NULL;
  bind_text (s, 1, subject);
  bind_text (s, 2, description ? description : "");
  bind_text (s, 3, closed ? "closed" : "open");
  sqlite3_bind_int64 (s, 4, customer_id);
  bind_id (s, 5, assignee_id);
  bind_id (s, 6, team_id);
  sqlite3_bind_int64 (s, 7, now);
  if (!step_done (self, s, "Creating the request", error))
    return NULL;
  id = sqlite3_last_insert_rowid (self->db);
  return sqlite_request_get (self, id, error);
}

static HdRequestRecord *
sqlite_request_get (HdStoreSqlite  *self,
                    gint64          id,
                    GError        **error)
{
  return HD_SQLITE_GET_BY_ID (self, "SELECT " REQUEST_COLS " FROM requests r WHERE r.id = ?", id, read_request,
                              "request", error);
}

static gboolean
sqlite_request_update (HdStoreSqlite          *self,
                       const HdRequestRecord  *request,
                       GError                **error)
{
  sqlite3_stmt *s = stmt (self, "UPDATE requests SET status = ?, assignee_id = ?, team_id = ? WHERE id = ?", error);

  if (s == NULL)
    return FALSE;
  bind_text (s, 1, request->closed ? "closed" : "open");
  bind_id (s, 2, request->assignee_id);
  bind_id (s, 3, request->team_id);
  sqlite3_bind_int64 (s, 4, request->id);
  return step_done (self, s, "Updating the request", error);
}

static GPtrArray *
sqlite_requests_list (HdStoreSqlite     *self,
                      HdRequestsFilter   filter,
                      gint64             user_id,
                      GError           **error)
{
  sqlite3_stmt *s;

  switch (filter)
    {
    case HD_REQUESTS_OF_CUSTOMER:
      s = stmt (self, "SELECT " REQUEST_COLS " FROM requests r WHERE r.customer_id = ?1 ORDER BY r.id", error);
      break;
    case HD_REQUESTS_OF_STAFF:
      s = stmt (self, "SELECT " REQUEST_COLS " FROM requests r WHERE r.assignee_id = ?1 "
                      "OR r.team_id IN (SELECT team_id FROM team_members WHERE user_id = ?1) ORDER BY r.id", error);
      break;
    case HD_REQUESTS_ALL:
    default:
      s = stmt (self, "SELECT " REQUEST_COLS " FROM requests r WHERE ?1 IS NOT NULL OR 1 ORDER BY r.id", error);
      break;
    }
  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, user_id);
  return HD_SQLITE_READ_ROWS (s, read_request, hd_request_record_free);
}

/* ---- chats ---------------------------------------------------------- */

void
hd_store_private_read_chat (sqlite3_stmt *s,
                            HdChatRecord *c)
{
  c->id = sqlite3_column_int64 (s, 0);
  c->request_id = sqlite3_column_int64 (s, 1);
  if (!hd_chat_state_from_string ((const char *) sqlite3_column_text (s, 2), &c->state))
    c->state = HD_CHAT_STATE_ENDED;
  c->customer_id = sqlite3_column_int64 (s, 3);
  c->technician_id = sqlite3_column_int64 (s, 4);
  c->target_kind = g_strcmp0 ((const char *) sqlite3_column_text (s, 5), "team") == 0
                   ? HD_TARGET_TEAM : HD_TARGET_TECHNICIAN;
  c->target_id = sqlite3_column_int64 (s, 6);
  c->note_id = sqlite3_column_int64 (s, 7);
  c->created_at = sqlite3_column_int64 (s, 8);
  c->accepted_at = sqlite3_column_int64 (s, 9);
  c->ended_at = sqlite3_column_int64 (s, 10);
  c->last_seq = sqlite3_column_int64 (s, 11);
  c->rating = sqlite3_column_int (s, 12);
  c->end_reason = HD_END_REASON_NONE;
  hd_end_reason_from_string ((const char *) sqlite3_column_text (s, 13), &c->end_reason);
  c->waiting_since = sqlite3_column_int64 (s, 14);
}

#define read_chat hd_store_private_read_chat

static gboolean
sqlite_chat_create (HdStoreSqlite  *self,
                    HdChatRecord   *chat,
                    GError        **error)
{
  sqlite3_stmt *s = stmt (self,
                          "INSERT INTO chats (request_id, state, customer_id, target_kind, target_id, created_at, waiting_since) "
                          "VALUES (?, 'waiting', ?, ?, ?, ?5, ?5)", error);

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, chat->request_id);
  sqlite3_bind_int64 (s, 2, chat->customer_id);
  bind_text (s, 3, chat->target_kind == HD_TARGET_TEAM ? "team" : "technician");
  sqlite3_bind_int64 (s, 4, chat->target_id);
  sqlite3_bind_int64 (s, 5, chat->created_at);
  if (sqlite3_step (s) != SQLITE_DONE)
    {
      int code = sqlite3_extended_errcode (self->db);
      done (s);
      if (code == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error_literal (error, HD_ERROR, HD_ERROR_CHAT_IN_PROGRESS,
                             "This request already has a chat in progress");
      else
        set_sqlite_error (self, error, "Creating the chat");
      return FALSE;
    }
  chat->id = sqlite3_last_insert_rowid (self->db);
  done (s);
  hd_store_impl_chat_created (chat);
  return TRUE;
}

static gboolean
sqlite_chat_get (HdStoreSqlite  *self,
                 gint64          id,
                 HdChatRecord   *out,
                 GError        **error)
{
  sqlite3_stmt *s = stmt (self, "SELECT " CHAT_COLS " FROM chats WHERE id = ?", error);
  gboolean found;

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, id);
  found = sqlite3_step (s) == SQLITE_ROW;
  if (found)
    read_chat (s, out);
  else
    g_set_error (error, HD_ERROR, HD_ERROR_NOT_FOUND, "No chat %" G_GINT64_FORMAT, id);
  done (s);
  return found;
}

static gboolean
sqlite_chat_get_open_for_request (HdStoreSqlite *self,
                                  gint64         request_id,
                                  HdChatRecord  *out)
{
  sqlite3_stmt *s = stmt (self, "SELECT " CHAT_COLS " FROM chats WHERE request_id = ? "
                                "AND state IN ('waiting','active')", NULL);
  gboolean found;

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, request_id);
  found = sqlite3_step (s) == SQLITE_ROW;
  if (found)
    read_chat (s, out);
  done (s);
  return found;
}

static gboolean
sqlite_chat_accept (HdStoreSqlite  *self,
                    gint64          chat_id,
                    gint64          technician_id,
                    gint64          now,
                    HdChatRecord   *out,
                    GError        **error)
{
  sqlite3_stmt *s = stmt (self, "UPDATE chats SET state = 'active', technician_id = ?, accepted_at = ? "
                                "WHERE id = ? AND state = 'waiting' RETURNING " CHAT_COLS, error);
  int rc;

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, technician_id);
  sqlite3_bind_int64 (s, 2, now);
  sqlite3_bind_int64 (s, 3, chat_id);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    read_chat (s, out);
  else if (rc == SQLITE_DONE)
    g_set_error_literal (error, HD_ERROR, HD_ERROR_CONFLICT, "The chat is no longer waiting");
  else
    set_sqlite_error (self, error, "Accepting the chat");
  done (s);
  return rc == SQLITE_ROW;
}

static gboolean
sqlite_chat_set_note (HdStoreSqlite  *self,
                      gint64          chat_id,
                      gint64          note_id,
                      GError        **error)
{
  sqlite3_stmt *s = stmt (self, "UPDATE chats SET note_id = ? WHERE id = ?", error);

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, note_id);
  sqlite3_bind_int64 (s, 2, chat_id);
  return step_done (self, s, "Setting the chat's note", error);
}

static gboolean
sqlite_chat_end_with_reason (HdStoreSqlite  *self,
                             gint64          chat_id,
                             gint64          now,
                             HdEndReason     reason,
                             int             only_state,
                             HdChatRecord   *out,
                             GError        **error)
{
  sqlite3_stmt *s;
  gboolean ok;

  if (!sqlite_begin (self, error))
    return FALSE;
  s = stmt (self, "UPDATE chats SET state = 'ended', ended_at = ?, end_reason = ? "
                  "WHERE id = ? AND state <> 'ended' AND (?4 IS NULL OR state = ?4)", error);
  ok = s != NULL && (sqlite3_bind_int64 (s, 1, now),
                     bind_text (s, 2, reason == HD_END_REASON_NONE ? NULL : hd_end_reason_to_string (reason)),
                     sqlite3_bind_int64 (s, 3, chat_id),
                     bind_text (s, 4, only_state >= 0 ? hd_chat_state_to_string ((HdChatState) only_state) : NULL),
                     step_done (self, s, "Ending the chat", error));
  if (ok && sqlite3_changes (self->db) == 0)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_CHAT_ENDED, "This chat has already ended");
      ok = FALSE;
    }
  ok = ok && sqlite_chat_get (self, chat_id, out, error);
  return hd_store_impl_finish_tx (HD_STORE (self), ok, error);
}

static GArray *
read_chats (sqlite3_stmt *s)
{
  GArray *list = g_array_new (FALSE, TRUE, sizeof (HdChatRecord));

  while (sqlite3_step (s) == SQLITE_ROW)
    {
      HdChatRecord c;
      read_chat (s, &c);
      g_array_append_val (list, c);
    }
  done (s);
  return list;
}

static GArray *
sqlite_chats_for_member (HdStoreSqlite  *self,
                         gint64          user_id,
                         int             state,
                         GError        **error)
{
  sqlite3_stmt *s = stmt (self, "SELECT " CHAT_COLS " FROM chats WHERE (customer_id = ?1 OR technician_id = ?1) "
                                "AND (?2 IS NULL OR state = ?2) ORDER BY id DESC", error);

  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, user_id);
  if (state >= 0)
    bind_text (s, 2, hd_chat_state_to_string ((HdChatState) state));
  return read_chats (s);
}

static GArray *
sqlite_chats_waiting (HdStoreSqlite  *self,
                      GError        **error)
{
  sqlite3_stmt *s = stmt (self, "SELECT " CHAT_COLS " FROM chats WHERE state = 'waiting' ORDER BY id", error);

  if (s == NULL)
    return NULL;
  return read_chats (s);
}

/* ---- messages ------------------------------------------------------- */

static HdMessageRecord *
read_message (sqlite3_stmt *s)
{
  HdMessageRecord *m = g_new0 (HdMessageRecord, 1);

  m->id = sqlite3_column_int64 (s, 0);
  m->chat_id = sqlite3_column_int64 (s, 1);
  m->seq = sqlite3_column_int64 (s, 2);
  m->author_id = sqlite3_column_int64 (s, 3);
  m->body = col_text (s, 4);
  m->client_id = col_text (s, 5);
  m->created_at = sqlite3_column_int64 (s, 6);
  m->author_name = col_text (s, 7);
  m->attachment_id = sqlite3_column_int64 (s, 8);
  m->kind = HD_MESSAGE_KIND_TEXT;
  hd_message_kind_from_string ((const char *) sqlite3_column_text (s, 9), &m->kind);
  return m;
}

#define MESSAGE_COLS "m.id, m.chat_id, m.seq, m.author_id, m.body, m.client_id, m.created_at, u.name, " \
                     "m.attachment_id, m.kind"

static HdMessageRecord *
message_by_client_id (HdStoreSqlite *self,
                      gint64         chat_id,
                      const char    *client_id)
{
  sqlite3_stmt *s = stmt (self, "SELECT " MESSAGE_COLS " FROM messages m JOIN users u ON u.id = m.author_id "
                                "WHERE m.chat_id = ? AND m.client_id = ?", NULL);
  HdMessageRecord *m = NULL;

  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, chat_id);
  bind_text (s, 2, client_id);
  if (sqlite3_step (s) == SQLITE_ROW)
    m = read_message (s);
  done (s);
  return m;
}

static HdMessageRecord *
message_add (HdStoreSqlite  *self,
             gint64          chat_id,
             gint64          author_id,
             HdMessageKind   kind,
             const char     *body,
             const char     *client_id,
             gint64          attachment_id,
             gint64          now,
             gboolean       *created,
             GError        **error)
{
  sqlite3_stmt *s;
  HdMessageRecord *m = NULL;
  gint64 seq = 0, id = 0;
  gboolean ok;

  *created = FALSE;
  if (!sqlite_begin (self, error))
    return NULL;

  if (client_id != NULL)
    {
      m = message_by_client_id (self, chat_id, client_id);
      if (m != NULL)
        {
          sqlite_commit (self, NULL);
          return m;
        }
    }

  /* The state check and the seq counter are one statement, so a message
   * never lands in an ended chat even with another process ending it. */
  s = stmt (self, "UPDATE chats SET last_seq = last_seq + 1 WHERE id = ? AND state = 'active' "
                  "RETURNING last_seq", error);
  ok = s != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (s, 1, chat_id);
      if (sqlite3_step (s) == SQLITE_ROW)
        {
          seq = sqlite3_column_int64 (s, 0);
        }
      else
        {
          /* Nothing was written: end the transaction normally, so that a
           * batch around this call is not spoilt by one late message. */
          done (s);
          sqlite_commit (self, NULL);
          g_set_error_literal (error, HD_ERROR, HD_ERROR_CHAT_ENDED, "This chat is not active");
          return NULL;
        }
      done (s);
    }

  if (ok)
    {
      s = stmt (self, "INSERT INTO messages (chat_id, seq, author_id, body, client_id, created_at, attachment_id, kind) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
      ok = s != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (s, 1, chat_id);
          sqlite3_bind_int64 (s, 2, seq);
          sqlite3_bind_int64 (s, 3, author_id);
          bind_text (s, 4, body);
          bind_text (s, 5, client_id);
          sqlite3_bind_int64 (s, 6, now);
          bind_id (s, 7, attachment_id);
          bind_text (s, 8, hd_message_kind_to_string (kind));
          ok = step_done (self, s, "Storing the message", error);
          id = sqlite3_last_insert_rowid (self->db);
          if (ok)
            self->search_waiting++;
        }
    }

  if (!hd_store_impl_finish_tx (HD_STORE (self), ok, error))
    return NULL;

  *created = TRUE;
  return hd_store_impl_message_new (id, chat_id, seq, kind, author_id, body, client_id, now, attachment_id);
}

static GPtrArray *
sqlite_messages_list (HdStoreSqlite  *self,
                      gint64          chat_id,
                      gint64          after,
                      guint           limit,
                      gboolean       *more,
                      GError        **error)
{
  sqlite3_stmt *s = stmt (self, "SELECT " MESSAGE_COLS " FROM messages m JOIN users u ON u.id = m.author_id "
                                "WHERE m.chat_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?", error);
  GPtrArray *list;

  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, chat_id);
  sqlite3_bind_int64 (s, 2, after);
  /* One more than asked tells whether more remain. */
  sqlite3_bind_int64 (s, 3, (gint64) limit + 1);
  list = HD_SQLITE_READ_ROWS (s, read_message, hd_message_record_free);
  return hd_store_impl_page_end (list, limit, more);
}

/* ---- notes ---------------------------------------------------------- */

#define NOTE_COLS "id, request_id, kind, chat_id, body, created_at, updated_at, length, author_id"

static HdNoteRecord *
read_note (sqlite3_stmt *s)
{
  HdNoteRecord *n = g_new0 (HdNoteRecord, 1);

  n->id = sqlite3_column_int64 (s, 0);
  n->request_id = sqlite3_column_int64 (s, 1);
  n->kind = g_strcmp0 ((const char *) sqlite3_column_text (s, 2), "chat_transcript") == 0
            ? HD_NOTE_KIND_TRANSCRIPT
            : g_strcmp0 ((const char *) sqlite3_column_text (s, 2), "event") == 0
            ? HD_NOTE_KIND_EVENT : HD_NOTE_KIND_NOTE;
  n->chat_id = sqlite3_column_int64 (s, 3);
  n->body = n->kind == HD_NOTE_KIND_TRANSCRIPT ? NULL : col_text (s, 4);
  n->created_at = sqlite3_column_int64 (s, 5);
  n->updated_at = sqlite3_column_int64 (s, 6);
  n->length = sqlite3_column_int64 (s, 7);
  n->author_id = sqlite3_column_int64 (s, 8);
  return n;
}

static GPtrArray *
sqlite_notes_list (HdStoreSqlite  *self,
                   gint64          request_id,
                   GError        **error)
{
  sqlite3_stmt *s = stmt (self, "SELECT " NOTE_COLS " FROM notes WHERE request_id = ? ORDER BY id", error);

  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, request_id);
  return HD_SQLITE_READ_ROWS (s, read_note, hd_note_record_free);
}

static HdNoteRecord *
sqlite_note_get (HdStoreSqlite  *self,
                 gint64          id,
                 GError        **error)
{
  return HD_SQLITE_GET_BY_ID (self, "SELECT " NOTE_COLS " FROM notes WHERE id = ?", id, read_note, "note", error);
}

static HdNoteRecord *
sqlite_note_add (HdStoreSqlite  *self,
                 gint64          request_id,
                 HdNoteKind      kind,
                 gint64          chat_id,
                 gint64          author_id,
                 const char     *body,
                 gint64          now,
                 GError        **error)
{
  sqlite3_stmt *s = stmt (self, "INSERT INTO notes (request_id, kind, chat_id, body, created_at, updated_at, "
                                "length, author_id) VALUES (?, ?, ?, ?, ?, ?, length(?4), ?) "
                                "RETURNING " NOTE_COLS, error);
  HdNoteRecord *n = NULL;

  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, request_id);
  bind_text (s, 2, hd_note_kind_to_string (kind));
  bind_id (s, 3, chat_id);
  bind_text (s, 4, body);
  sqlite3_bind_int64 (s, 5, now);
  sqlite3_bind_int64 (s, 6, now);
  bind_id (s, 7, author_id);
  if (sqlite3_step (s) == SQLITE_ROW)
    n = read_note (s);
  else
    set_sqlite_error (self, error, "Adding the note");
  done (s);
  return n;
}

static gboolean
sqlite_note_grow (HdStoreSqlite  *self,
                  gint64          note_id,
                  gint64          chars,
                  gint64          updated_at,
                  gint64         *length,
                  GError        **error)
{
  sqlite3_stmt *s = stmt (self, "UPDATE notes SET updated_at = ?, length = length + ? WHERE id = ? RETURNING length",
                          error);
  gboolean found;

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, updated_at);
  sqlite3_bind_int64 (s, 2, chars);
  sqlite3_bind_int64 (s, 3, note_id);
  found = sqlite3_step (s) == SQLITE_ROW;
  if (found && length != NULL)
    *length = sqlite3_column_int64 (s, 0);
  if (!found)
    set_sqlite_error (self, error, "Updating the note");
  done (s);
  return found;
}

/* ---- customers: queue, rating, attachments -------------------------- */

static gint64
sqlite_queue_position (HdStoreSqlite      *self,
                       const HdChatRecord *chat)
{
  sqlite3_stmt *s = stmt (self, "SELECT COUNT(*) FROM chats WHERE state = 'waiting' "
                                "AND target_kind = ? AND target_id = ? AND id <= ?", NULL);
  gint64 n = 0;

  if (s == NULL)
    return 0;
  bind_text (s, 1, chat->target_kind == HD_TARGET_TEAM ? "team" : "technician");
  sqlite3_bind_int64 (s, 2, chat->target_id);
  sqlite3_bind_int64 (s, 3, chat->id);
  if (sqlite3_step (s) == SQLITE_ROW)
    n = sqlite3_column_int64 (s, 0);
  done (s);
  return n;
}

static GArray *
sqlite_queue_recent_waits (HdStoreSqlite *self,
                           HdTargetKind   target_kind,
                           gint64         target_id,
                           guint          n)
{
  sqlite3_stmt *s = stmt (self, "SELECT accepted_at - created_at FROM chats "
                                "WHERE target_kind = ? AND target_id = ? AND accepted_at IS NOT NULL "
                                "ORDER BY id DESC LIMIT ?", NULL);
  GArray *waits = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (s == NULL)
    return waits;
  bind_text (s, 1, target_kind == HD_TARGET_TEAM ? "team" : "technician");
  sqlite3_bind_int64 (s, 2, target_id);
  sqlite3_bind_int64 (s, 3, n);
  while (sqlite3_step (s) == SQLITE_ROW)
    {
      gint64 w = MAX (sqlite3_column_int64 (s, 0), 0);
      g_array_append_val (waits, w);
    }
  done (s);
  return waits;
}

static gboolean
sqlite_chat_rate (HdStoreSqlite  *self,
                  gint64          chat_id,
                  int             score,
                  const char     *comment,
                  GError        **error)
{
  sqlite3_stmt *s = stmt (self, "UPDATE chats SET rating_score = ?, rating_comment = ? "
                                "WHERE id = ? AND state = 'ended' AND rating_score IS NULL", error);

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int (s, 1, score);
  bind_text (s, 2, comment);
  sqlite3_bind_int64 (s, 3, chat_id);
  if (!step_done (self, s, "Rating the chat", error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_CONFLICT,
                           "A chat is rated once, after it ended");
      return FALSE;
    }
  return TRUE;
}

static char *
sqlite_chat_rating_comment (HdStoreSqlite *self,
                            gint64         chat_id)
{
  sqlite3_stmt *s = stmt (self, "SELECT rating_comment FROM chats WHERE id = ?", NULL);
  char *comment = NULL;

  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, chat_id);
  if (sqlite3_step (s) == SQLITE_ROW)
    comment = col_text (s, 0);
  done (s);
  return comment;
}

#define ATTACHMENT_PIECE (256 * 1024)

static HdMessageRecord *
sqlite_attachment_add (HdStoreSqlite  *self,
                       HdAttachmentRecord   *meta,
                       GBytes         *data,
                       const char     *body,
                       const char     *client_id,
                       gint64          now,
                       gboolean       *created,
                       GError        **error)
{
  sqlite3_stmt *s;
  sqlite3_blob *blob = NULL;
  gsize size;
  const guint8 *bytes = g_bytes_get_data (data, &size);
  HdMessageRecord *m;
  gboolean ok;

  *created = FALSE;
  if (!sqlite_begin (self, error))
    return NULL;

  if (client_id != NULL)
    {
      m = message_by_client_id (self, meta->chat_id, client_id);
      if (m != NULL)
        {
          sqlite_commit (self, NULL);
          return m;
        }
    }

  /* A zeroblob of the right size, then the bytes in pieces: SQLite never
   * holds a second copy of the whole file. */
  s = stmt (self, "INSERT INTO attachments (chat_id, author_id, filename, content_type, size, sha256, "
                  "created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, zeroblob(?))", error);
  ok = s != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (s, 1, meta->chat_id);
      sqlite3_bind_int64 (s, 2, meta->author_id);
      bind_text (s, 3, meta->filename);
      bind_text (s, 4, meta->content_type);
      sqlite3_bind_int64 (s, 5, (sqlite3_int64) size);
      bind_text (s, 6, meta->sha256);
      sqlite3_bind_int64 (s, 7, now);
      sqlite3_bind_int64 (s, 8, (sqlite3_int64) size);
      ok = step_done (self, s, "Storing the attachment", error);
    }
  if (ok)
    {
      meta->id = sqlite3_last_insert_rowid (self->db);
      meta->size = (gint64) size;
      meta->created_at = now;
      if (sqlite3_blob_open (self->db, "main", "attachments", "data", meta->id, 1, &blob) != SQLITE_OK)
        ok = set_sqlite_error (self, error, "Writing the attachment");
    }
  for (gsize off = 0; ok && off < size; off += ATTACHMENT_PIECE)
    {
      int n = (int) MIN (ATTACHMENT_PIECE, size - off);

      if (sqlite3_blob_write (blob, bytes + off, n, (int) off) != SQLITE_OK)
        ok = set_sqlite_error (self, error, "Writing the attachment");
    }
  if (blob != NULL)
    sqlite3_blob_close (blob);

  m = ok ? message_add (self, meta->chat_id, meta->author_id, HD_MESSAGE_KIND_ATTACHMENT, body, client_id, meta->id, now,
                        created, error)
         : NULL;
  return hd_store_impl_finish_message (HD_STORE (self), m, created, error);
}

static HdAttachmentRecord *
read_attachment (sqlite3_stmt *s)
{
  HdAttachmentRecord *a = g_new0 (HdAttachmentRecord, 1);

  a->id = sqlite3_column_int64 (s, 0);
  a->chat_id = sqlite3_column_int64 (s, 1);
  a->author_id = sqlite3_column_int64 (s, 2);
  a->filename = col_text (s, 3);
  a->content_type = col_text (s, 4);
  a->size = sqlite3_column_int64 (s, 5);
  a->sha256 = col_text (s, 6);
  a->created_at = sqlite3_column_int64 (s, 7);
  return a;
}

static HdAttachmentRecord *
sqlite_attachment_get (HdStoreSqlite  *self,
                       gint64          id,
                       GError        **error)
{
  return HD_SQLITE_GET_BY_ID (self, "SELECT id, chat_id, author_id, filename, content_type, size, sha256, "
                                    "created_at FROM attachments WHERE id = ?", id, read_attachment,
                              "attachment", error);
}

static GBytes *
sqlite_attachment_read (HdStoreSqlite  *self,
                        gint64          id,
                        gint64          offset,
                        gsize           length,
                        GError        **error)
{
  sqlite3_blob *blob = NULL;
  gint64 total;
  gsize n;
  guint8 *buf;

  if (sqlite3_blob_open (self->db, "main", "attachments", "data", id, 0, &blob) != SQLITE_OK)
    {
      sqlite3_blob_close (blob);
      set_sqlite_error (self, error, "Reading the attachment");
      return NULL;
    }
  total = sqlite3_blob_bytes (blob);
  if (offset < 0 || offset > total)
    offset = total;
  n = MIN (length, (gsize) (total - offset));
  buf = g_malloc (MAX (n, 1));
  if (n > 0 && sqlite3_blob_read (blob, buf, (int) n, (int) offset) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "Reading the attachment");
      sqlite3_blob_close (blob);
      g_free (buf);
      return NULL;
    }
  sqlite3_blob_close (blob);
  return g_bytes_new_take (buf, n);
}

/* ---- for the store's other files (hd-store-sqlite.h) ---------------- */

sqlite3 *
hd_store_private_db (HdStoreSqlite *self)
{
  return self->db;
}

sqlite3_stmt *
hd_store_private_stmt (HdStoreSqlite  *self,
                       const char     *sql,
                       GError        **error)
{
  return stmt (self, sql, error);
}

void
hd_store_private_done (sqlite3_stmt *s)
{
  done (s);
}

GPtrArray *
hd_store_private_read_rows (sqlite3_stmt    *s,
                            HdSqliteReadRow  read,
                            GDestroyNotify   free_func)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (free_func);

  while (sqlite3_step (s) == SQLITE_ROW)
    g_ptr_array_add (list, read (s));
  done (s);
  return list;
}

gpointer
hd_store_private_get_by_id (HdStoreSqlite   *self,
                            const char      *sql,
                            gint64           id,
                            HdSqliteReadRow  read,
                            const char      *noun,
                            GError         **error)
{
  sqlite3_stmt *s = stmt (self, sql, error);
  gpointer row = NULL;

  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, id);
  if (sqlite3_step (s) == SQLITE_ROW)
    row = read (s);
  else
    g_set_error (error, HD_ERROR, HD_ERROR_NOT_FOUND, "No %s %" G_GINT64_FORMAT, noun, id);
  done (s);
  return row;
}

gboolean
hd_store_private_step_done (HdStoreSqlite  *self,
                            sqlite3_stmt   *s,
                            const char     *what,
                            GError        **error)
{
  return step_done (self, s, what, error);
}

gboolean
hd_store_private_sqlite_error (HdStoreSqlite  *self,
                               GError        **error,
                               const char     *what)
{
  return set_sqlite_error (self, error, what);
}

gboolean
hd_store_private_finish_tx (HdStoreSqlite  *self,
                            gboolean        ok,
                            GError        **error)
{
  return hd_store_impl_finish_tx (HD_STORE (self), ok, error);
}

/* ---- the class ------------------------------------------------------ */

static void
hd_store_sqlite_class_init (HdStoreSqliteClass *klass)
{
  HdStoreClass *store_class = HD_STORE_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = hd_store_sqlite_finalize;
  store_class->kind = "sqlite";
  /* Before the first connection (sqlite3_initialize ()): SQLite counts
   * every allocation under one global mutex unless told not to, 4-5 % of
   * the core thread's time per message; nothing here reads the counts.
   * Too late (SQLITE_MISUSE) if SQLite ran already, which only costs that. */
  sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
  HD_STORE_VFUNC (store_class, get_schema_version, sqlite_get_schema_version);
  HD_STORE_VFUNC (store_class, begin, sqlite_begin);
  HD_STORE_VFUNC (store_class, commit, sqlite_commit);
  HD_STORE_VFUNC (store_class, rollback, sqlite_rollback);
  HD_STORE_VFUNC (store_class, housekeeping, sqlite_housekeeping);
  HD_STORE_VFUNC (store_class, count_users, sqlite_count_users);
  HD_STORE_VFUNC (store_class, user_create, sqlite_user_create);
  HD_STORE_VFUNC (store_class, user_get, sqlite_user_get);
  HD_STORE_VFUNC (store_class, user_get_by_login, sqlite_user_get_by_login);
  HD_STORE_VFUNC (store_class, user_set_available, sqlite_user_set_available);
  HD_STORE_VFUNC (store_class, users_list, sqlite_users_list);
  HD_STORE_VFUNC (store_class, token_add, sqlite_token_add);
  HD_STORE_VFUNC (store_class, token_lookup, sqlite_token_lookup);
  HD_STORE_VFUNC (store_class, token_delete, sqlite_token_delete);
  HD_STORE_VFUNC (store_class, mail_reserve, sqlite_mail_reserve);
  HD_STORE_VFUNC (store_class, mail_release, sqlite_mail_release);
  HD_STORE_VFUNC (store_class, team_create, sqlite_team_create);
  HD_STORE_VFUNC (store_class, team_get, sqlite_team_get);
  HD_STORE_VFUNC (store_class, teams_list, sqlite_teams_list);
  HD_STORE_VFUNC (store_class, team_add_member, sqlite_team_add_member);
  HD_STORE_VFUNC (store_class, team_member_ids, sqlite_team_member_ids);
  HD_STORE_VFUNC (store_class, team_has_member, sqlite_team_has_member);
  HD_STORE_VFUNC (store_class, privileges_get, sqlite_privileges_get);
  HD_STORE_VFUNC (store_class, privileges_set, sqlite_privileges_set);
  HD_STORE_VFUNC (store_class, request_create, sqlite_request_create);
  HD_STORE_VFUNC (store_class, request_get, sqlite_request_get);
  HD_STORE_VFUNC (store_class, request_update, sqlite_request_update);
  HD_STORE_VFUNC (store_class, requests_list, sqlite_requests_list);
  HD_STORE_VFUNC (store_class, chat_create, sqlite_chat_create);
  HD_STORE_VFUNC (store_class, chat_get, sqlite_chat_get);
  HD_STORE_VFUNC (store_class, chat_get_open_for_request, sqlite_chat_get_open_for_request);
  HD_STORE_VFUNC (store_class, chat_accept, sqlite_chat_accept);
  HD_STORE_VFUNC (store_class, chat_set_note, sqlite_chat_set_note);
  HD_STORE_VFUNC (store_class, chat_end_with_reason, sqlite_chat_end_with_reason);
  HD_STORE_VFUNC (store_class, chats_for_member, sqlite_chats_for_member);
  HD_STORE_VFUNC (store_class, chats_waiting, sqlite_chats_waiting);
  HD_STORE_VFUNC (store_class, message_add_kind, message_add);
  HD_STORE_VFUNC (store_class, messages_list, sqlite_messages_list);
  HD_STORE_VFUNC (store_class, notes_list, sqlite_notes_list);
  HD_STORE_VFUNC (store_class, note_get, sqlite_note_get);
  HD_STORE_VFUNC (store_class, note_add, sqlite_note_add);
  HD_STORE_VFUNC (store_class, note_grow, sqlite_note_grow);
  HD_STORE_VFUNC (store_class, queue_position, sqlite_queue_position);
  HD_STORE_VFUNC (store_class, queue_recent_waits, sqlite_queue_recent_waits);
  HD_STORE_VFUNC (store_class, chat_rate, sqlite_chat_rate);
  HD_STORE_VFUNC (store_class, chat_rating_comment, sqlite_chat_rating_comment);
  HD_STORE_VFUNC (store_class, attachment_add, sqlite_attachment_add);
  HD_STORE_VFUNC (store_class, attachment_get, sqlite_attachment_get);
  HD_STORE_VFUNC (store_class, attachment_read, sqlite_attachment_read);
  hd_store_sqlite_tech_class_init (store_class);
}
