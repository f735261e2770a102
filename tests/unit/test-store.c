/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "hd-error.h"
#include "hd-store.h"
#include "store-fixture.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

static void
test_fresh_schema (Fixture       *f,
                   gconstpointer  data)
{
  HdPrivileges p = { TRUE, TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUserRecord) u = NULL;
  g_autoptr(HdUserRecord) again = NULL;

  g_assert_cmpint (hd_store_get_schema_version (f->store), ==, HD_STORE_SCHEMA_VERSION);
  g_assert_cmpint (hd_store_count_users (f->store), ==, 0);
  g_assert_true (hd_store_privileges_get (f->store, &p, &error));
  g_assert_false (p.chat_enabled);
  g_assert_false (p.customer_chat_with_team);

  u = make_user (f->store, "tina", HD_ROLE_TECHNICIAN);
  g_assert_cmpstr (u->login, ==, "tina");
  g_assert_false (u->available);
  again = hd_store_user_create (f->store, "tina", "Other", "o@example.com", HD_ROLE_CUSTOMER, "h", &error);
  g_assert_null (again);
  g_assert_error (error, HD_ERROR, HD_ERROR_CONFLICT);

  /* Reopening an up-to-date database changes nothing. */
  g_clear_object (&f->store);
  g_clear_error (&error);
  f->store = hd_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hd_store_count_users (f->store), ==, 1);
}

static void
test_seq_and_client_id (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  g_autoptr(HdUserRecord) tina = make_user (f->store, "tina", HD_ROLE_TECHNICIAN);
  HdChatRecord chat = make_active_chat (f->store, carol, tina);
  g_autoptr(GError) error = NULL;
  gint64 expected_length = 0;
  gboolean more;

  for (int i = 1; i <= 25; i++)
    {
      g_autofree char *body = g_strdup_printf ("message %d", i);
      g_autofree char *cid = g_strdup_printf ("c-%d", i);
      gboolean created = FALSE;
      gint64 length = 0;
      g_autoptr(HdMessageRecord) m = hd_store_message_add (f->store, chat.id, i % 2 ? carol->id : tina->id,
                                                     body, cid, 5000 + i, &created, &error);

      g_assert_no_error (error);
      g_assert_true (created);
      g_assert_cmpint (m->seq, ==, i);
      g_assert_true (hd_store_note_grow (f->store, chat.note_id, 10, 5000 + i, &length, &error));
      expected_length += 10;
      g_assert_cmpint (length, ==, expected_length);
    }

  /* The same client_id again: the first message, not a copy. */
  {
    gboolean created = TRUE;
    g_autoptr(HdMessageRecord) dup = hd_store_message_add (f->store, chat.id, carol->id, "something else",
                                                     "c-3", 9999, &created, &error);
    g_autoptr(GPtrArray) all = hd_store_messages_list (f->store, chat.id, 0, 1000, &more, &error);

    g_assert_no_error (error);
    g_assert_false (created);
    g_assert_cmpint (dup->seq, ==, 3);
    g_assert_cmpstr (dup->body, ==, "message 3");
    g_assert_cmpuint (all->len, ==, 25);
    g_assert_false (more);
  }

  /* No client_id: never deduplicated. */
  {
    gboolean created = FALSE;
    g_autoptr(HdMessageRecord) a = hd_store_message_add (f->store, chat.id, carol->id, "x", NULL, 1, &created, &error);
    g_autoptr(HdMessageRecord) b = hd_store_message_add (f->store, chat.id, carol->id, "x", NULL, 1, &created, &error);

    g_assert_no_error (error);
    g_assert_cmpint (a->seq, ==, 26);
    g_assert_cmpint (b->seq, ==, 27);
  }

  /* Paging: after / limit / more. */
  {
    g_autoptr(GPtrArray) page = hd_store_messages_list (f->store, chat.id, 10, 5, &more, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 5);
    g_assert_true (more);
    g_assert_cmpint (((HdMessageRecord *) g_ptr_array_index (page, 0))->seq, ==, 11);
    g_assert_cmpstr (((HdMessageRecord *) g_ptr_array_index (page, 0))->author_name, ==, "carol");
    g_clear_pointer (&page, g_ptr_array_unref);
    page = hd_store_messages_list (f->store, chat.id, 22, 5, &more, &error);
    g_assert_cmpuint (page->len, ==, 5);
    g_assert_false (more);
  }

  /* The transcript note: bookkeeping only, the body is not stored. */
  {
    g_autoptr(HdNoteRecord) note = hd_store_note_get (f->store, chat.note_id, &error);

    g_assert_no_error (error);
    g_assert_cmpint (note->kind, ==, HD_NOTE_KIND_TRANSCRIPT);
    g_assert_null (note->body);
    g_assert_cmpint (note->length, ==, 25 * 10);
    g_assert_cmpint (note->updated_at, ==, 5025);
  }

  /* Seq numbers are per chat. */
  {
    g_autoptr(HdUserRecord) chris = make_user (f->store, "chris", HD_ROLE_CUSTOMER);
    HdChatRecord other = make_active_chat (f->store, chris, tina);
    gboolean created;
    g_autoptr(HdMessageRecord) m = hd_store_message_add (f->store, other.id, chris->id, "hi", "c-3",
                                                   1, &created, &error);

    g_assert_no_error (error);
    g_assert_true (created);
    g_assert_cmpint (m->seq, ==, 1);
  }
}

static void
test_chat_states (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  g_autoptr(HdUserRecord) tina = make_user (f->store, "tina", HD_ROLE_TECHNICIAN);
  g_autoptr(HdUserRecord) theo = make_user (f->store, "theo", HD_ROLE_TECHNICIAN);
  g_autoptr(HdRequestRecord) r = hd_store_request_create (f->store, "VPN", "drops", carol->id, 0, 0,
                                                    FALSE, 1, NULL);
  g_autoptr(GError) error = NULL;
  HdChatRecord chat = { 0, }, second = { 0, }, out, open;
  gboolean created;
  g_autoptr(GArray) waiting = NULL;
  g_autoptr(GArray) mine = NULL;

  chat.request_id = second.request_id = r->id;
  chat.customer_id = second.customer_id = carol->id;
  chat.target_id = second.target_id = tina->id;
  g_assert_true (hd_store_chat_create (f->store, &chat, &error));
  g_assert_no_error (error);

  /* One waiting or active chat per request. */
  g_assert_false (hd_store_chat_create (f->store, &second, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_CHAT_IN_PROGRESS);
  g_clear_error (&error);
  g_assert_true (hd_store_chat_get_open_for_request (f->store, r->id, &open));
  g_assert_cmpint (open.id, ==, chat.id);

  waiting = hd_store_chats_waiting (f->store, &error);
  g_assert_cmpuint (waiting->len, ==, 1);

  /* No message before the accept. */
  g_assert_null (hd_store_message_add (f->store, chat.id, carol->id, "hi", "a", 1, &created, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_CHAT_ENDED);
  g_clear_error (&error);

  /* First accept wins. */
  g_assert_true (hd_store_chat_accept (f->store, chat.id, tina->id, 5, &out, &error));
  g_assert_no_error (error);
  g_assert_false (hd_store_chat_accept (f->store, chat.id, theo->id, 6, &out, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_true (hd_store_chat_get (f->store, chat.id, &out, &error));
  g_assert_cmpint (out.technician_id, ==, tina->id);
  g_assert_cmpint (out.accepted_at, ==, 5);

  /* End; then nothing more. */
  g_assert_true (hd_store_chat_end (f->store, chat.id, 9, &out, &error));
  g_assert_cmpint (out.state, ==, HD_CHAT_STATE_ENDED);
  g_assert_false (hd_store_chat_end (f->store, chat.id, 10, &out, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_CHAT_ENDED);
  g_clear_error (&error);
  g_assert_null (hd_store_message_add (f->store, chat.id, carol->id, "late", "b", 1, &created, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_CHAT_ENDED);
  g_clear_error (&error);
  g_assert_false (hd_store_chat_get_open_for_request (f->store, r->id, &open));

  /* A new chat on the same request is fine after the end. */
  g_assert_true (hd_store_chat_create (f->store, &second, &error));
  g_assert_no_error (error);

  mine = hd_store_chats_for_member (f->store, carol->id, -1, &error);
  g_assert_cmpuint (mine->len, ==, 2);
  g_assert_cmpint (g_array_index (mine, HdChatRecord, 0).id, ==, second.id);  /* newest first */
  g_clear_pointer (&mine, g_array_unref);
  mine = hd_store_chats_for_member (f->store, tina->id, HD_CHAT_STATE_ENDED, &error);
  g_assert_cmpuint (mine->len, ==, 1);
}

/* Two connections to one database, as two server processes would be: of
 * two accepts exactly one succeeds. */
static void
test_accept_race_two_connections (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  g_autoptr(HdUserRecord) tina = make_user (f->store, "tina", HD_ROLE_TECHNICIAN);
  g_autoptr(HdUserRecord) theo = make_user (f->store, "theo", HD_ROLE_TECHNICIAN);
  g_autoptr(HdRequestRecord) r = hd_store_request_create (f->store, "VPN", NULL, carol->id, 0, 0, FALSE, 1, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autoptr(HdStore) other = hd_store_open (f->path, &error);
  HdChatRecord chat = { 0, }, a, b;
  gboolean ok_a, ok_b;
  g_autoptr(GPtrArray) notes = NULL;

  g_assert_no_error (error);
  chat.request_id = r->id;
  chat.customer_id = carol->id;
  chat.target_kind = HD_TARGET_TEAM;
  chat.target_id = 1;
  g_assert_true (hd_store_chat_create (f->store, &chat, &error));

  ok_a = hd_store_chat_accept (f->store, chat.id, tina->id, 5, &a, &error);
  ok_b = hd_store_chat_accept (other, chat.id, theo->id, 5, &b, &error2);
  g_assert_true (ok_a != ok_b);
  g_assert_true (ok_a);
  g_assert_error (error2, HD_ERROR, HD_ERROR_CONFLICT);

  /* The winner's technician stays. */
  g_assert_true (hd_store_chat_get (other, chat.id, &b, &error));
  g_assert_cmpint (b.technician_id, ==, tina->id);
  notes = hd_store_notes_list (other, r->id, &error);
  g_assert_cmpuint (notes->len, ==, 0);
}

/* Transcript mails: at most max in any window, sliding; one taken back
 * frees its place; counted per chat; kept across a restart. */
static void
test_mail_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  g_autoptr(HdUserRecord) tina = make_user (f->store, "tina", HD_ROLE_TECHNICIAN);
  HdChatRecord chat = make_active_chat (f->store, carol, tina);
  HdChatRecord other;
  const gint64 hour = G_GINT64_CONSTANT (3600000000);
  const gint64 t0 = G_GINT64_CONSTANT (1700000000000000);
  g_autoptr(GError) error = NULL;
  gboolean reserved;

  for (int i = 0; i < 5; i++)
    {
      g_assert_true (hd_store_mail_reserve (f->store, chat.id, t0 + i * 1000, hour, 5, &reserved, &error));
      g_assert_no_error (error);
      g_assert_true (reserved);
    }
  g_assert_true (hd_store_mail_reserve (f->store, chat.id, t0 + 10000, hour, 5, &reserved, &error));
  g_assert_false (reserved);

  /* Kept across a restart. */
  g_clear_object (&f->store);
  f->store = hd_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (hd_store_mail_reserve (f->store, chat.id, t0 + 20000, hour, 5, &reserved, &error));
  g_assert_false (reserved);

  /* One not sent gives its place back. */
  g_assert_true (hd_store_mail_release (f->store, chat.id, t0 + 2000, &error));
  g_assert_true (hd_store_mail_reserve (f->store, chat.id, t0 + 30000, hour, 5, &reserved, &error));
  g_assert_true (reserved);
  g_assert_true (hd_store_mail_reserve (f->store, chat.id, t0 + 40000, hour, 5, &reserved, &error));
  g_assert_false (reserved);

  /* An hour after the first, its place is free again (only its). */
  g_assert_true (hd_store_mail_reserve (f->store, chat.id, t0 + hour, hour, 5, &reserved, &error));
  g_assert_true (reserved);
  g_assert_true (hd_store_mail_reserve (f->store, chat.id, t0 + hour + 1, hour, 5, &reserved, &error));
  g_assert_false (reserved);

  /* Another chat has its own. */
  other = make_active_chat (f->store, carol, tina);
  g_assert_true (hd_store_mail_reserve (f->store, other.id, t0 + hour, hour, 5, &reserved, &error));
  g_assert_true (reserved);
  g_assert_no_error (error);
}

static void
test_tokens (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUserRecord) found = NULL;
  g_autoptr(HdUserRecord) gone = NULL;

  g_assert_true (hd_store_token_add (f->store, "hash-1", carol->id, 1, &error));
  g_assert_true (hd_store_token_add (f->store, "hash-2", carol->id, 1, &error));
  g_assert_no_error (error);

  /* Valid across a restart. */
  g_clear_object (&f->store);
  f->store = hd_store_open (f->path, &error);
  g_assert_no_error (error);
  found = hd_store_token_lookup (f->store, "hash-1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->login, ==, "carol");

  g_assert_true (hd_store_token_delete (f->store, "hash-1", &error));
  gone = hd_store_token_lookup (f->store, "hash-1", &error);
  g_assert_null (gone);
  g_assert_error (error, HD_ERROR, HD_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  g_clear_pointer (&found, hd_user_record_free);
  found = hd_store_token_lookup (f->store, "hash-2", &error);
  g_assert_no_error (error);
}

static void
test_requests_and_teams (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  g_autoptr(HdUserRecord) tina = make_user (f->store, "tina", HD_ROLE_TECHNICIAN);
  g_autoptr(HdUserRecord) theo = make_user (f->store, "theo", HD_ROLE_TECHNICIAN);
  gint64 members[] = { tina->id };
  g_autoptr(GError) error = NULL;
  g_autoptr(HdTeamRecord) team = hd_store_team_create (f->store, "Service Desk", members, 1, &error);
  g_autoptr(HdRequestRecord) r1 = NULL;
  g_autoptr(HdRequestRecord) r2 = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(HdTeamRecord) bad = NULL;
  gint64 bad_members[] = { 999 };

  g_assert_no_error (error);
  g_assert_true (hd_store_team_has_member (f->store, team->id, tina->id));
  g_assert_false (hd_store_team_has_member (f->store, team->id, theo->id));

  /* A bad member id leaves no half-made team behind. */
  bad = hd_store_team_create (f->store, "Ghosts", bad_members, 1, &error);
  g_assert_null (bad);
  g_assert_nonnull (error);
  g_clear_error (&error);
  list = hd_store_teams_list (f->store, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);

  r1 = hd_store_request_create (f->store, "Printer", NULL, carol->id, theo->id, 0, FALSE, 1, &error);
  r2 = hd_store_request_create (f->store, "VPN", NULL, carol->id, 0, team->id, FALSE, 1, &error);
  g_assert_no_error (error);

  list = hd_store_requests_list (f->store, HD_REQUESTS_OF_STAFF, tina->id, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((HdRequestRecord *) g_ptr_array_index (list, 0))->id, ==, r2->id);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = hd_store_requests_list (f->store, HD_REQUESTS_OF_CUSTOMER, carol->id, &error);
  g_assert_cmpuint (list->len, ==, 2);
  g_clear_pointer (&list, g_ptr_array_unref);

  r1->closed = TRUE;
  r1->assignee_id = 0;
  g_assert_true (hd_store_request_update (f->store, r1, &error));
  g_clear_pointer (&r1, hd_request_record_free);
  r1 = hd_store_request_get (f->store, r2->id - 1, &error);
  g_assert_true (r1->closed);
  g_assert_cmpint (r1->assignee_id, ==, 0);
}

static void
test_migrate_v1 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = fixture_make_dir ();
  g_autofree char *path = g_build_filename (dir, "old.db", NULL);
  g_autofree char *dump_path = g_build_filename (g_getenv ("HD_SOURCE_ROOT") ? g_getenv ("HD_SOURCE_ROOT") : ".",
                                                 "tests", "unit", "store-schema-v1.sql", NULL);
  g_autofree char *dump = NULL;
  g_autofree char *old_body = NULL;
  sqlite3 *db = NULL;
  g_autoptr(HdStore) store = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(HdUserRecord) carol = NULL;
  g_autoptr(HdMessageRecord) m = NULL;
  HdNoteRecord *transcript;
  HdChatRecord chat;
  gboolean created, more;
  gint64 length = 0;
  sqlite3_stmt *s;

  g_assert_true (g_file_get_contents (dump_path, &dump, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, dump, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT body FROM notes WHERE id = 2", -1, &s, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (s), ==, SQLITE_ROW);
  old_body = g_strdup ((const char *) sqlite3_column_text (s, 0));
  sqlite3_finalize (s);
  sqlite3_close (db);

  store = hd_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hd_store_get_schema_version (store), ==, HD_STORE_SCHEMA_VERSION);

  /* Data kept: users, the old session, the chat and its messages. */
  carol = hd_store_token_lookup (store, "abababababababababababababababababababababababababababababababab", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (carol->login, ==, "carol");
  g_assert_true (hd_store_chat_get (store, 1, &chat, &error));
  g_assert_cmpint (chat.state, ==, HD_CHAT_STATE_ACTIVE);
  g_assert_cmpint (chat.last_seq, ==, 2);

  /* The transcript copy became bookkeeping: its length, no stored body. */
  notes = hd_store_notes_list (store, 1, &error);
  g_assert_cmpuint (notes->len, ==, 2);
  g_assert_cmpstr (((HdNoteRecord *) g_ptr_array_index (notes, 0))->body, ==, "Customer called about the printer.");
  transcript = g_ptr_array_index (notes, 1);
  g_assert_cmpint (transcript->kind, ==, HD_NOTE_KIND_TRANSCRIPT);
  g_assert_null (transcript->body);
  g_assert_cmpint (transcript->length, ==, g_utf8_strlen (old_body, -1));

  /* Seq continues; client_id works now. */
  m = hd_store_message_add (store, 1, carol->id, "Thanks!", "c-1", 1795600009000000,
                            &created, &error);
  g_assert_no_error (error);
  g_assert_true (created);
  g_assert_cmpint (m->seq, ==, 3);
  g_assert_true (hd_store_note_grow (store, transcript->id, 7, 1795600009000000, &length, &error));
  g_assert_cmpint (length, ==, g_utf8_strlen (old_body, -1) + 7);
  g_clear_pointer (&m, hd_message_record_free);
  m = hd_store_message_add (store, 1, carol->id, "Thanks!", "c-1", 1, &created, &error);
  g_assert_false (created);
  g_assert_cmpint (m->seq, ==, 3);

  messages = hd_store_messages_list (store, 1, 0, 10, &more, &error);
  g_assert_cmpuint (messages->len, ==, 3);
  g_assert_cmpstr (((HdMessageRecord *) g_ptr_array_index (messages, 1))->body, ==, "Grüße — I am on it ✓");

  /* Version 3: the rebuilt notes table kept its rows and has no authors
   * for them; the transcript is still linked; no ratings, no
   * attachments; foreign keys are enforced again after the migration. */
  g_assert_cmpint (((HdNoteRecord *) g_ptr_array_index (notes, 0))->author_id, ==, 0);
  g_assert_cmpint (chat.note_id, ==, 2);
  g_assert_cmpint (chat.rating, ==, 0);
  g_assert_cmpint (((HdMessageRecord *) g_ptr_array_index (messages, 0))->attachment_id, ==, 0);
  {
    g_autoptr(HdNoteRecord) added = hd_store_note_add (store, 1, HD_NOTE_KIND_EVENT, 1, carol->id, "Mailed.", 5, &error);
    g_autoptr(HdNoteRecord) orphan = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (added->kind, ==, HD_NOTE_KIND_EVENT);
    g_assert_cmpint (added->author_id, ==, carol->id);
    orphan = hd_store_note_add (store, 999, HD_NOTE_KIND_NOTE, 0, carol->id, "x", 5, &error);
    g_assert_null (orphan);
    g_assert_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST);
    g_clear_error (&error);
  }

  g_clear_object (&store);
  fixture_remove_dir (dir);
}

static void
test_newer_schema_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = fixture_make_dir ();
  g_autofree char *path = g_build_filename (dir, "new.db", NULL);
  sqlite3 *db = NULL;
  g_autoptr(HdStore) store = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  store = hd_store_open (path, &error);
  g_assert_null (store);
  g_assert_nonnull (error);
  fixture_remove_dir (dir);
}

static goffset
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (goffset) st.st_size : -1;
}

/* Waits (up to 30 s) for the checkpoint thread to copy the WAL into the
 * database file, which then grows past @than and stays the same size over
 * more than two checkpoint intervals (200 ms here: main ()). */
static goffset
wait_for_checkpoint (const char *path,
                     goffset     than)
{
  goffset size = -1;

  for (int i = 0; i < 3000 && file_size (path) <= than; i++)
    g_usleep (10 * 1000);
  for (int i = 0; i < 30 && size != file_size (path); i++)
    {
      size = file_size (path);
      g_usleep (500 * 1000);
    }
  return size;
}

static void
write_messages (Fixture *f,
                gint64   chat_id,
                gint64   author_id,
                int      from,
                int      n)
{
  g_autofree char *body = g_strnfill (1000, 'x');
  g_autoptr(GError) tx_error = NULL;

  /* One transaction: the WAL can start over only when one begins, so a
   * round never starts it over part-way (which would make the rounds'
   * WAL sizes differ whenever a checkpoint falls inside a round). */
  g_assert_true (hd_store_begin (f->store, &tx_error));
  add_messages (f->store, chat_id, author_id, body, from, n);
  g_assert_true (hd_store_commit (f->store, &tx_error));
  g_assert_no_error (tx_error);
}

/* The WAL is checkpointed while the server runs (no autocheckpoint on the
 * writer: a thread of the store does it) and then starts over, so it does
 * not grow with every message for as long as the server runs. */
static void
test_wal_checkpointed (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  g_autoptr(HdUserRecord) tina = make_user (f->store, "tina", HD_ROLE_TECHNICIAN);
  HdChatRecord chat = make_active_chat (f->store, carol, tina);
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  goffset db_size, wal_first;

  /* Round 1: 80 messages of 1,000 bytes go to the WAL, then into the
   * database file.  (3 x 80 stay under the 256 that the full-text index
   * takes in a commit: each round is one commit of the same size.) */
  db_size = file_size (f->path);
  write_messages (f, chat.id, carol->id, 0, 80);
  wal_first = file_size (wal);
  g_assert_cmpint (wal_first, >, 80 * 1000);
  db_size = wait_for_checkpoint (f->path, db_size);
  g_assert_cmpint (db_size, >, 80 * 1000);

  /* Rounds 2 and 3: the WAL starts over each time, in the space it has. */
  for (int round = 1; round <= 2; round++)
    {
      write_messages (f, chat.id, tina->id, round * 80, 80);
      db_size = wait_for_checkpoint (f->path, db_size);
    }
  g_assert_cmpint (db_size, >, 3 * 80 * 1000);
  g_assert_cmpint (file_size (wal), <, wal_first + wal_first / 2);
}

/* Under a steady stream of commits (no pause for the checkpoint thread to
 * catch up at the start of a transaction) the WAL still starts over: the
 * writer copies the last frames itself (wal_hook ()).  Here it does so at
 * 64 frames (HD_WAL_RESTART_FRAMES); 600 commits write far more. */
static void
test_wal_starts_over_under_a_stream (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  g_autoptr(HdUserRecord) tina = make_user (f->store, "tina", HD_ROLE_TECHNICIAN);
  HdChatRecord chat = make_active_chat (f->store, carol, tina);
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *body = g_strnfill (1000, 'x');

  add_messages (f->store, chat.id, carol->id, body, 0, 600);
  /* 600 commits of at least one 4 KiB page each: 2.4 MB if the WAL never
   * started over.  Two of them also index 256 messages for search (about
   * 300 KB each): the WAL holds one of those beside its 64 frames when the
   * checkpoint thread was not quite done at the restart. */
  g_assert_cmpint (file_size (wal), <, 1536 * 1024);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("HD_CHECKPOINT_INTERVAL_MS", "200", TRUE);
  g_setenv ("HD_WAL_RESTART_FRAMES", "64", TRUE);

#define ADD(name, fn) g_test_add (name, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/store/fresh-schema", test_fresh_schema);
  ADD ("/store/seq-and-client-id", test_seq_and_client_id);
  ADD ("/store/chat-states", test_chat_states);
  ADD ("/store/accept-race-two-connections", test_accept_race_two_connections);
  ADD ("/store/tokens", test_tokens);
  ADD ("/store/mail-limit", test_mail_limit);
  ADD ("/store/requests-and-teams", test_requests_and_teams);
  ADD ("/store/wal-checkpointed", test_wal_checkpointed);
  ADD ("/store/wal-starts-over-under-a-stream", test_wal_starts_over_under_a_stream);
  g_test_add_func ("/store/migrate-v1", test_migrate_v1);
  g_test_add_func ("/store/newer-schema-refused", test_newer_schema_refused);

  return g_test_run ();
}
