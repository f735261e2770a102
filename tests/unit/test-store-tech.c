/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The store's part of contract v2, "Technicians": the full-text index
 * (that search uses it and never scans, that it follows its tables, that
 * the migration fills it from old data) and the chat moves. */
#include "hd-error.h"
#include "hd-store.h"
#include "hd-store-tech.h"
#include "hd-wire.h"
#include "store-fixture.h"

#include <json-glib/json-glib.h>

#include <sqlite3.h>
#include <string.h>

/* For every caller kind, the plan starts from the FTS5 index (a MATCH on
 * the virtual table) and reaches every other table by key: no SCAN of a
 * table anywhere. */
static void
test_search_plan (Fixture       *f,
                  gconstpointer  data)
{
  HdRequestsFilter filters[] = { HD_REQUESTS_ALL, HD_REQUESTS_OF_CUSTOMER, HD_REQUESTS_OF_STAFF };

  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *plan = hd_store_search_plan (f->store, filters[i], &error);
      g_auto(GStrv) lines = NULL;
      gboolean fts = FALSE;

      g_assert_no_error (error);
      g_test_message ("plan %u:\n%s", i, plan);
      lines = g_strsplit (plan, "\n", -1);
      for (guint j = 0; lines[j]; j++)
        {
          const char *l = lines[j];

          if (g_str_has_prefix (l, "SCAN s VIRTUAL TABLE INDEX"))
            {
              /* FTS5's xBestIndex: "M" marks the MATCH constraint. */
              g_assert_nonnull (strstr (l, ":M"));
              fts = TRUE;
            }
          else if (g_str_has_prefix (l, "SCAN "))
            g_error ("the search scans: %s\n%s", l, plan);
        }
      g_assert_true (fts);
    }
}

static void
test_search_follows_tables (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  g_autoptr(HdUserRecord) chris = make_user (f->store, "chris", HD_ROLE_CUSTOMER);
  g_autoptr(HdUserRecord) tina = make_user (f->store, "tina", HD_ROLE_TECHNICIAN);
  g_autoptr(HdRequestRecord) r = hd_store_request_create (f->store, "Printer offline", NULL, carol->id, tina->id, 0,
                                                    FALSE, 1000, &error);
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(HdMessageRecord) m = NULL;
  sqlite3 *db = NULL;
  HdChatRecord chat = { 0, }, accepted;
  gboolean created;

  g_assert_no_error (error);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"printer\"*");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* A message: indexed with its chat and request; a system line is not. */
  chat.request_id = r->id;
  chat.customer_id = carol->id;
  chat.target_id = tina->id;
  chat.created_at = 2000;
  g_assert_true (hd_store_chat_create (f->store, &chat, &error));
  g_assert_true (hd_store_chat_accept (f->store, chat.id, tina->id, 3000, &accepted, &error));
  m = hd_store_message_add (f->store, chat.id, carol->id, "the toner is empty", "c1", 4000, &created, &error);
  g_assert_no_error (error);
  g_clear_pointer (&m, hd_message_record_free);
  m = hd_store_message_add_kind (f->store, chat.id, tina->id, HD_MESSAGE_KIND_SYSTEM, "toner system line", NULL,
                                 5000, &created, &error);
  g_assert_no_error (error);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"toner\"");
  g_assert_cmpuint (hits->len, ==, 1);
  {
    HdSearchHitRecord *h = g_ptr_array_index (hits, 0);
    g_assert_cmpint (h->request_id, ==, r->id);
    g_assert_cmpint (h->chat_id, ==, chat.id);
    g_assert_cmpint (h->message_id, >, 0);
    g_assert_cmpint (h->created_at, ==, 4000);
    g_assert_cmpstr (h->snippet, ==, "the \002toner\003 is empty");
  }
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* A message just stored is found at once, though a commit puts the
   * messages into the index only once a second (the search does it
   * first). */
  g_clear_pointer (&m, hd_message_record_free);
  m = hd_store_message_add (f->store, chat.id, tina->id, "a cartridge is ordered", "c2", 6000, &created, &error);
  g_assert_no_error (error);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"cartridge\"");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Visibility is part of the statement. */
  hits = search (f->store, HD_REQUESTS_OF_CUSTOMER, chris->id, "\"toner\"");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f->store, HD_REQUESTS_OF_STAFF, tina->id, "\"toner\"");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Notes: added, changed, deleted (whoever writes the table). */
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO notes (id, request_id, kind, body, created_at, updated_at) "
                                     "VALUES (77, 1, 'note', 'fuser replaced', 1, 1)", NULL, NULL, NULL), ==, SQLITE_OK);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"fuser\"");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpint (((HdSearchHitRecord *) g_ptr_array_index (hits, 0))->note_id, ==, 77);
  g_clear_pointer (&hits, g_ptr_array_unref);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE notes SET body = 'drum replaced' WHERE id = 77", NULL, NULL, NULL), ==, SQLITE_OK);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"fuser\"");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"drum\"");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM notes WHERE id = 77", NULL, NULL, NULL), ==, SQLITE_OK);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"drum\"");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  /* Subjects that change. */
  g_assert_cmpint (sqlite3_exec (db, "UPDATE requests SET subject = 'Scanner jam' WHERE id = 1", NULL, NULL, NULL), ==, SQLITE_OK);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"printer\"");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"scanner\"");
  g_assert_cmpuint (hits->len, ==, 1);
  sqlite3_close (db);
}

/* A database of schema version 1 (tests/unit/store-schema-v1.sql) gets
 * its old messages, notes and subjects into the index on migration. */
static void
test_migration_fills_index (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = fixture_make_dir ();
  g_autofree char *path = g_build_filename (dir, "old.db", NULL);
  g_autofree char *dump_path = g_build_filename (g_getenv ("HD_SOURCE_ROOT") ? g_getenv ("HD_SOURCE_ROOT") : ".",
                                                 "tests", "unit", "store-schema-v1.sql", NULL);
  g_autofree char *dump = NULL;
  g_autoptr(HdStore) store = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(HdUserRecord) tina = NULL;
  HdPrivileges p;
  HdChatRecord chat;
  sqlite3 *db = NULL;

  g_assert_true (g_file_get_contents (dump_path, &dump, NULL, &error));
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, dump, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = hd_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hd_store_get_schema_version (store), ==, HD_STORE_SCHEMA_VERSION);

  /* "printer": the subject, the plain note, the first message. */
  hits = search (store, HD_REQUESTS_ALL, 0, "\"printer\"");
  g_assert_cmpuint (hits->len, ==, 3);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (store, HD_REQUESTS_ALL, 0, "\"grusse\" OR \"gru\"*");
  g_assert_cmpuint (hits->len, ==, 1);

  /* The new columns have their defaults. */
  tina = hd_store_user_get (store, 1, &error);
  g_assert_false (tina->away);
  g_assert_true (hd_store_privileges_get (store, &p, &error));
  g_assert_true (p.chat_enabled);
  g_assert_cmpint (p.max_chats_per_technician, ==, 0);
  g_assert_cmpint (p.waiting_timeout_s, ==, 300);
  g_assert_cmpint (p.inactivity_timeout_s, ==, 0);
  g_assert_true (hd_store_chat_get (store, 1, &chat, &error));
  g_assert_cmpint (chat.end_reason, ==, HD_END_REASON_NONE);

  g_clear_object (&store);
  fixture_remove_dir (dir);
}

/* The wire writes and reads the technicians' fields (common/hd-wire). */
static void
test_wire_v2 (void)
{
  HdUserRecord tina = { 2, (char *) "tina", (char *) "Tina Tech", (char *) "t@example.com",
                        HD_ROLE_TECHNICIAN, TRUE, TRUE, NULL, TRUE };
  HdChatRecord chat = { 0, };
  HdMessageRecord m = { 0, };
  HdPrivileges p = { TRUE, FALSE, 3, 60, 900 };
  HdWireView view = { 0, TRUE, NULL, NULL, NULL };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  HdUserRecord uback = { 0, };
  HdChatRecord cback = { 0, };
  HdMessageRecord mback = { 0, };

  hd_wire_write_user (out, &tina, &view);
  g_assert_true (json_parser_load_from_data (parser, out->str, -1, NULL));
  g_assert_true (hd_wire_read_user (json_node_get_object (json_parser_get_root (parser)), &uback));
  g_assert_true (uback.away);

  chat.id = 1; chat.request_id = 2; chat.state = HD_CHAT_STATE_ENDED; chat.target_id = 2;
  chat.created_at = 1764000000000000; chat.end_reason = HD_END_REASON_NO_ANSWER;
  g_string_truncate (out, 0);
  hd_wire_write_chat (out, &chat, &view);
  g_assert_nonnull (strstr (out->str, "\"end_reason\":\"no_answer\""));
  g_assert_true (json_parser_load_from_data (parser, out->str, -1, NULL));
  g_assert_true (hd_wire_read_chat (json_node_get_object (json_parser_get_root (parser)), &cback));
  g_assert_cmpint (cback.end_reason, ==, HD_END_REASON_NO_ANSWER);
  chat.end_reason = HD_END_REASON_NONE;
  g_string_truncate (out, 0);
  hd_wire_write_chat (out, &chat, &view);
  g_assert_nonnull (strstr (out->str, "\"end_reason\":null"));

  m.id = 5; m.chat_id = 1; m.seq = 2; m.author_id = 2; m.body = (char *) "Tina Tech transferred the chat to Theo Tech.";
  m.created_at = 1764000000000000; m.kind = HD_MESSAGE_KIND_SYSTEM;
  g_string_truncate (out, 0);
  hd_wire_write_message (out, &m, &view);
  g_assert_nonnull (strstr (out->str, "\"kind\":\"system\",\"author\":null"));
  g_assert_true (json_parser_load_from_data (parser, out->str, -1, NULL));
  g_assert_true (hd_wire_read_message (json_node_get_object (json_parser_get_root (parser)), &mback));
  g_assert_cmpint (mback.kind, ==, HD_MESSAGE_KIND_SYSTEM);
  g_assert_cmpint (mback.author_id, ==, 0);

  g_string_truncate (out, 0);
  hd_wire_write_privileges (out, &p);
  g_assert_cmpstr (out->str, ==, "{\"chat_enabled\":true,\"customer_chat_with_team\":false,"
                   "\"max_chats_per_technician\":3,\"waiting_timeout_s\":60,\"inactivity_timeout_s\":900}");

  g_free (uback.login); g_free (uback.name); g_free (uback.email);
  g_free (mback.body); g_free (mback.client_id); g_free (mback.author_name);
}

/* The messages of a second go into the full-text index at most 256 at a
 * time (a second's worth at saturation made one commit slow): 300 stored
 * in quick succession are there, most of them, before any search asks. */
static gint64
count (const char *path,
       const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &s, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (s), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (s, 0);
  sqlite3_finalize (s);
  sqlite3_close (db);
  return n;
}

static void
test_search_index_in_steps (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  g_autoptr(HdUserRecord) tina = make_user (f->store, "tina", HD_ROLE_TECHNICIAN);
  HdChatRecord chat = make_active_chat (f->store, carol, tina);

  add_messages (f->store, chat.id, carol->id, "indexed soon", 0, 300);
  /* at most 256 wait: the 256th message's commit took them all */
  g_assert_cmpint (count (f->path, "SELECT count(*) FROM search_index WHERE search_index MATCH 'soon'"),
                   ==, 256);
}

/* Between batches the core thread indexes what waits, 64 messages a step
 * (hd_store_housekeeping ()), never inside a transaction; fewer than 64
 * wait for a second (or a search, or the commit bound above). */
static void
test_search_index_when_idle (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  g_autoptr(HdUserRecord) tina = make_user (f->store, "tina", HD_ROLE_TECHNICIAN);
  HdChatRecord chat = make_active_chat (f->store, carol, tina);
  const char *indexed = "SELECT count(*) FROM search_index WHERE search_index MATCH 'idle'";
  const char *pending = "SELECT count(*) FROM messages WHERE id > (SELECT message_id FROM search_mark)";
  gint64 before = count (f->path, pending);

  add_messages (f->store, chat.id, carol->id, "indexed when idle", 0, 100);
  g_assert_cmpint (count (f->path, indexed), ==, 0);
  g_assert_cmpint (count (f->path, pending), ==, before + 100);

  /* not inside a transaction */
  g_assert_true (hd_store_begin (f->store, NULL));
  g_assert_false (hd_store_housekeeping (f->store));
  hd_store_rollback (f->store);
  g_assert_cmpint (count (f->path, indexed), ==, 0);

  /* Whatever waited before these goes first, 64 a step, oldest first,
   * until fewer than 64 are left. */
  while (count (f->path, pending) >= 64)
    {
      gint64 was = count (f->path, pending);

      hd_store_housekeeping (f->store);
      g_assert_cmpint (count (f->path, pending), ==, was - 64);
    }
  g_assert_cmpint (count (f->path, indexed), ==, 100 - count (f->path, pending));
  /* under 64, and just stepped: they wait */
  g_assert_false (hd_store_housekeeping (f->store));
  g_assert_cmpint (count (f->path, pending), ==, (before + 100) % 64);
}

/* A database of schema 6, where the messages not in the full-text index
 * yet were rows of search_pending: opening it indexes them, once each, and
 * puts the mark past the last message, so that the next one is indexed by
 * the mark. */
static void
test_search_pending_migrated (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  g_autoptr(HdUserRecord) tina = make_user (f->store, "tina", HD_ROLE_TECHNICIAN);
  HdChatRecord chat = make_active_chat (f->store, carol, tina);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  sqlite3 *db = NULL;

  add_messages (f->store, chat.id, carol->id, "early words", 0, 10);
  hits = search (f->store, HD_REQUESTS_ALL, tina->id, "early");   /* indexes what waits */
  g_assert_cmpuint (hits->len, ==, 10);
  add_messages (f->store, chat.id, carol->id, "late words", 10, 5);
  g_clear_object (&f->store);

  /* back to schema 6: the five late messages wait in search_pending */
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TABLE search_pending (message_id INTEGER PRIMARY KEY);"
                                 "INSERT INTO search_pending SELECT id FROM messages WHERE body = 'late words';"
                                 "CREATE TRIGGER search_message_added AFTER INSERT ON messages"
                                 "  WHEN new.kind <> 'system' BEGIN"
                                 "  INSERT INTO search_pending (message_id) VALUES (new.id);"
                                 "END;"
                                 "DROP TABLE search_mark;"
                                 "PRAGMA user_version = 6;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_cmpint (count (f->path, "SELECT count(*) FROM search_index WHERE search_index MATCH 'late'"), ==, 0);

  f->store = hd_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hd_store_get_schema_version (f->store), ==, HD_STORE_SCHEMA_VERSION);
  g_assert_cmpint (count (f->path, "SELECT count(*) FROM search_index WHERE search_index MATCH 'late'"), ==, 5);
  g_assert_cmpint (count (f->path, "SELECT count(*) FROM search_index WHERE search_index MATCH 'early'"), ==, 10);
  g_assert_cmpint (count (f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'search_pending'"), ==, 0);
  g_assert_cmpint (count (f->path, "SELECT (SELECT message_id FROM search_mark) = MAX(id) FROM messages"), ==, 1);

  /* and what comes next is found by the mark */
  add_messages (f->store, chat.id, carol->id, "later still", 15, 3);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f->store, HD_REQUESTS_ALL, tina->id, "still");
  g_assert_cmpuint (hits->len, ==, 3);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/store-tech/search-plan", test_search_plan);
  ADD ("/store-tech/search-follows-tables", test_search_follows_tables);
  ADD ("/store-tech/search-index-in-steps", test_search_index_in_steps);
  ADD ("/store-tech/search-index-when-idle", test_search_index_when_idle);
  ADD ("/store-tech/search-pending-migrated", test_search_pending_migrated);
  ADD ("/store-tech/guarded-moves", test_guarded_moves);
  g_test_add_func ("/store-tech/migration-fills-index", test_migration_fills_index);
  g_test_add_func ("/store-tech/wire-v2", test_wire_v2);
  return g_test_run ();
}
