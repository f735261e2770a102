/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The SQLite store (HdStoreSqlite, the default implementation of
 * hd-store.h).  Below the type: for its own files only (hd-store-sqlite.c
 * and hd-store-sqlite-tech.c): one connection, one statement cache, one
 * transaction depth. */

#include <sqlite3.h>

#include "hd-store-impl.h"

G_BEGIN_DECLS

#define HD_TYPE_STORE_SQLITE (hd_store_sqlite_get_type ())
G_DECLARE_FINAL_TYPE (HdStoreSqlite, hd_store_sqlite, HD, STORE_SQLITE, HdStore)

/* Opens (creating when needed) and migrates the SQLite database @path. */
HdStore      *hd_store_sqlite_open           (const char     *path,
                                              GError        **error);

#define CHAT_COLS "id, request_id, state, customer_id, technician_id, target_kind, target_id, note_id, " \
                  "created_at, accepted_at, ended_at, last_seq, rating_score, end_reason, waiting_since"

/* Ids: 0 is NULL. */
static inline void
bind_id (sqlite3_stmt *s,
         int           i,
         gint64        id)
{
  if (id > 0)
    sqlite3_bind_int64 (s, i, id);
  else
    sqlite3_bind_null (s, i);
}

static inline void
bind_text (sqlite3_stmt *s,
           int           i,
           const char   *text)
{
  if (text)
    sqlite3_bind_text (s, i, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (s, i);
}

static inline char *
col_text (sqlite3_stmt *s,
          int           i)
{
  const unsigned char *t = sqlite3_column_text (s, i);
  return t ? g_strdup ((const char *) t) : NULL;
}

/* Fills the class slots of contract v2 "Technicians" (hd-store-sqlite-tech.c). */
void          hd_store_sqlite_tech_class_init (HdStoreClass  *klass);

/* Reads the row @s stands on into a new record. */
typedef gpointer (*HdSqliteReadRow) (sqlite3_stmt *s);
/* The row of @sql (its one parameter: @id) read by @read, or NULL with
 * @error: the statement's, or HD_ERROR_NOT_FOUND "No @noun @id". */
gpointer      hd_store_private_get_by_id     (HdStoreSqlite  *self,
                                              const char     *sql,
                                              gint64          id,
                                              HdSqliteReadRow read,
                                              const char     *noun,
                                              GError        **error);
/* Every row of @s (bound, not stepped yet) read by @read, in a new array
 * that frees them with @free_func; done (@s). */
GPtrArray    *hd_store_private_read_rows     (sqlite3_stmt   *s,
                                              HdSqliteReadRow read,
                                              GDestroyNotify  free_func);
#define HD_SQLITE_READ_ROWS(s, read, free_func) \
  hd_store_private_read_rows ((s), (HdSqliteReadRow) (read), (GDestroyNotify) (free_func))
#define HD_SQLITE_GET_BY_ID(self, sql, id, read, noun, error) \
  hd_store_private_get_by_id ((self), (sql), (id), (HdSqliteReadRow) (read), (noun), (error))

sqlite3      *hd_store_private_db            (HdStoreSqlite  *self);
/* Puts the messages waiting for the full-text index into it: at once when
 * @now, else if a second has passed since the last time. */
gboolean      hd_store_sqlite_search_flush   (HdStoreSqlite  *self,
                                              gboolean        now,
                                              GError        **error);
/* A cached prepared statement for @sql (a string literal: cached by its
 * address). */
sqlite3_stmt *hd_store_private_stmt          (HdStoreSqlite  *self,
                                              const char     *sql,
                                              GError        **error);
/* Resets and clears the bindings. */
void          hd_store_private_done          (sqlite3_stmt   *s);
gboolean      hd_store_private_step_done     (HdStoreSqlite  *self,
                                              sqlite3_stmt   *s,
                                              const char     *what,
                                              GError        **error);
/* Sets @error from the connection's last error; returns FALSE. */
gboolean      hd_store_private_sqlite_error  (HdStoreSqlite  *self,
                                              GError        **error,
                                              const char     *what);
/* Commits (when @ok) or rolls back what begin opened. */
gboolean      hd_store_private_finish_tx     (HdStoreSqlite  *self,
                                              gboolean        ok,
                                              GError        **error);
/* Reads CHAT_COLS from the current row of @s. */
void          hd_store_private_read_chat     (sqlite3_stmt   *s,
                                              HdChatRecord   *out);

/* Schema version 4 (in hd-store-sqlite-tech.c's words, run by hd-store-sqlite.c's
 * migration loop). */
#define HD_STORE_TECH_MIGRATION \
  "ALTER TABLE users ADD COLUMN away INTEGER NOT NULL DEFAULT 0;" \
  "INSERT OR IGNORE INTO settings VALUES ('max_chats_per_technician', 0), " \
  "  ('waiting_timeout_s', 300), ('inactivity_timeout_s', 0);" \
  "ALTER TABLE chats ADD COLUMN end_reason TEXT CHECK (end_reason IN " \
  "  ('customer','technician','withdrawn','no_answer','inactive'));" \
  "ALTER TABLE chats ADD COLUMN waiting_since INTEGER;" \
  "UPDATE chats SET waiting_since = created_at WHERE state = 'waiting';" \
  /* Counting a technician's active chats; finding inactive ones. */ \
  "CREATE INDEX chats_active ON chats(technician_id) WHERE state = 'active';" \
  "ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text' " \
  "  CHECK (kind IN ('text','system','attachment'));" \
  "UPDATE messages SET kind = 'attachment' WHERE attachment_id IS NOT NULL;" \
  "CREATE TABLE canned_responses (" \
  "  id INTEGER PRIMARY KEY," \
  "  scope TEXT NOT NULL CHECK (scope IN ('personal','team','global'))," \
  "  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE," \
  "  team_id INTEGER REFERENCES teams(id) ON DELETE CASCADE," \
  "  shortcut TEXT NOT NULL," \
  "  title TEXT NOT NULL," \
  "  body TEXT NOT NULL," \
  "  created_at INTEGER NOT NULL," \
  "  updated_at INTEGER NOT NULL);" \
  /* A shortcut is unique within its scope: per owner, per team, or once. */ \
  "CREATE UNIQUE INDEX canned_unique ON canned_responses(scope, " \
  "  CASE scope WHEN 'personal' THEN owner_id WHEN 'team' THEN team_id ELSE 0 END, shortcut);" \
  "CREATE INDEX canned_owner ON canned_responses(owner_id) WHERE scope = 'personal';" \
  "CREATE INDEX canned_team ON canned_responses(team_id) WHERE scope = 'team';" \
  /* One full-text index over messages, plain notes and request subjects. \
   * rowid = source id * 4 + source (0 message, 1 note, 2 request), so a \
   * change to one source row finds its index row by key. */ \
  "CREATE VIRTUAL TABLE search_index USING fts5(" \
  "  text, request_id UNINDEXED, chat_id UNINDEXED, message_id UNINDEXED," \
  "  note_id UNINDEXED, created_at UNINDEXED," \
  "  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');" \
  "CREATE TRIGGER search_message_added AFTER INSERT ON messages WHEN new.kind <> 'system' BEGIN" \
  "  INSERT INTO search_index (rowid, text, request_id, chat_id, message_id, created_at)" \
  "    SELECT new.id * 4, new.body, c.request_id, new.chat_id, new.id, new.created_at" \
  "    FROM chats c WHERE c.id = new.chat_id;" \
  "END;" \
  "CREATE TRIGGER search_note_added AFTER INSERT ON notes WHEN new.kind <> 'chat_transcript' BEGIN" \
  "  INSERT INTO search_index (rowid, text, request_id, note_id, created_at)" \
  "    VALUES (new.id * 4 + 1, new.body, new.request_id, new.id, new.created_at);" \
  "END;" \
  "CREATE TRIGGER search_note_changed AFTER UPDATE OF body ON notes WHEN new.kind <> 'chat_transcript' BEGIN" \
  "  DELETE FROM search_index WHERE rowid = old.id * 4 + 1;" \
  "  INSERT INTO search_index (rowid, text, request_id, note_id, created_at)" \
  "    VALUES (new.id * 4 + 1, new.body, new.request_id, new.id, new.created_at);" \
  "END;" \
  "CREATE TRIGGER search_note_deleted AFTER DELETE ON notes BEGIN" \
  "  DELETE FROM search_index WHERE rowid = old.id * 4 + 1;" \
  "END;" \
  "CREATE TRIGGER search_request_added AFTER INSERT ON requests BEGIN" \
  "  INSERT INTO search_index (rowid, text, request_id, created_at)" \
  "    VALUES (new.id * 4 + 2, new.subject, new.id, new.created_at);" \
  "END;" \
  "CREATE TRIGGER search_request_changed AFTER UPDATE OF subject ON requests BEGIN" \
  "  DELETE FROM search_index WHERE rowid = old.id * 4 + 2;" \
  "  INSERT INTO search_index (rowid, text, request_id, created_at)" \
  "    VALUES (new.id * 4 + 2, new.subject, new.id, new.created_at);" \
  "END;" \
  "INSERT INTO search_index (rowid, text, request_id, chat_id, message_id, created_at)" \
  "  SELECT m.id * 4, m.body, c.request_id, m.chat_id, m.id, m.created_at" \
  "  FROM messages m JOIN chats c ON c.id = m.chat_id;" \
  "INSERT INTO search_index (rowid, text, request_id, note_id, created_at)" \
  "  SELECT id * 4 + 1, body, request_id, id, created_at FROM notes WHERE kind <> 'chat_transcript';" \
  "INSERT INTO search_index (rowid, text, request_id, created_at)" \
  "  SELECT id * 4 + 2, subject, id, created_at FROM requests;"

G_END_DECLS
