/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "store-fixture.h"

#include "hd-error.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

char *
fixture_make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("hd-store-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
fixture_remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = fixture_make_dir ();
  f->path = g_build_filename (f->dir, "hd.db", NULL);
  f->store = hd_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

/* @base (postgresql:///NAME?…) with NAME replaced by @name. */
static char *
uri_with_database (const char *base,
                   const char *name)
{
  const char *slash = strstr (base, ":///");
  const char *query = strchr (base, '?');

  g_assert_nonnull (slash);
  return g_strdup_printf ("%.*s:///%s%s", (int) (slash - base), base, name, query ? query : "");
}

void
fixture_sql (PGconn     *conn,
             const char *text)
{
  PGresult *r = PQexec (conn, text);
  ExecStatusType st = PQresultStatus (r);

  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    g_error ("%s: %s", text, PQresultErrorMessage (r));
  PQclear (r);
}

void
fixture_set_up_pg (Fixture       *f,
                   gconstpointer  data)
{
  static guint n_databases;
  g_autoptr(GError) error = NULL;
  const char *base = g_getenv ("HD_TEST_PG_URI");
  g_autofree char *name = g_strdup_printf ("hd_store_test_%d_%u", (int) getpid (), ++n_databases);
  g_autofree char *create = g_strdup_printf ("CREATE DATABASE \"%s\"", name);
  PGconn *admin;

  g_assert_nonnull (base);
  admin = PQconnectdb (base);
  g_assert_cmpint (PQstatus (admin), ==, CONNECTION_OK);
  fixture_sql (admin, create);
  PQfinish (admin);
  f->path = uri_with_database (base, name);
  f->store = hd_store_open (f->path, &error);
  g_assert_no_error (error);
  f->conn = PQconnectdb (f->path);
  g_assert_cmpint (PQstatus (f->conn), ==, CONNECTION_OK);
}

void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  g_clear_pointer (&f->conn, PQfinish);
  if (f->dir != NULL)
    fixture_remove_dir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

HdUserRecord *
make_user (HdStore    *store,
           const char *login,
           HdRole      role)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *email = g_strdup_printf ("%s@example.com", login);
  HdUserRecord *u = hd_store_user_create (store, login, login, email, role, "hash", &error);

  g_assert_no_error (error);
  g_assert_nonnull (u);
  return u;
}

HdChatRecord
make_active_chat (HdStore       *store,
                  HdUserRecord  *customer,
                  HdUserRecord  *tech)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdRequestRecord) r = hd_store_request_create (store, "Printer offline", NULL, customer->id,
                                                          tech->id, 0, FALSE, 1000, &error);
  HdChatRecord chat = { 0, };
  HdChatRecord accepted;

  g_assert_no_error (error);
  chat.request_id = r->id;
  chat.customer_id = customer->id;
  chat.target_kind = HD_TARGET_TECHNICIAN;
  chat.target_id = tech->id;
  chat.created_at = 2000;
  g_assert_true (hd_store_chat_create (store, &chat, &error));
  g_assert_no_error (error);
  g_assert_true (hd_store_chat_accept (store, chat.id, tech->id, 3000, &accepted, &error));
  g_assert_no_error (error);
  g_assert_cmpint (accepted.state, ==, HD_CHAT_STATE_ACTIVE);
  /* The store keeps no transcript of its own: the service makes the note
   * (hd-chat-service.c), as here. */
  g_assert_cmpint (accepted.note_id, ==, 0);
  {
    g_autoptr(HdNoteRecord) note = hd_store_note_add (store, r->id, HD_NOTE_KIND_TRANSCRIPT, chat.id, 0, "",
                                                      3000, &error);

    g_assert_no_error (error);
    g_assert_true (hd_store_chat_set_note (store, chat.id, note->id, &error));
    g_assert_true (hd_store_chat_get (store, chat.id, &accepted, &error));
    g_assert_cmpint (accepted.note_id, ==, note->id);
    g_assert_cmpint (note->length, ==, 0);
  }
  return accepted;
}

void
add_messages (HdStore    *store,
              gint64      chat_id,
              gint64      author_id,
              const char *body,
              int         from,
              int         n)
{
  for (int i = from; i < from + n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *cid = g_strdup_printf ("m-%d", i);
      gboolean created = FALSE;
      g_autoptr(HdMessageRecord) m = hd_store_message_add (store, chat_id, author_id, body, cid,
                                                           1000 + i, &created, &error);

      g_assert_no_error (error);
      g_assert_true (created);
    }
}

GPtrArray *
search (HdStore          *store,
        HdRequestsFilter  filter,
        gint64            user_id,
        const char       *query)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *hits = hd_store_search (store, filter, user_id, query, 100, &error);

  g_assert_no_error (error);
  g_assert_nonnull (hits);
  return hits;
}

/* ---- tests both stores run ------------------------------------------ */

/* Moves are guarded by the chat's state: of two, one wins (both stores:
 * test-store-tech.c and test-store-pg-tech.c run it). */
void
test_guarded_moves (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  g_autoptr(HdUserRecord) tina = make_user (f->store, "tina", HD_ROLE_TECHNICIAN);
  g_autoptr(HdUserRecord) theo = make_user (f->store, "theo", HD_ROLE_TECHNICIAN);
  g_autoptr(HdTeamRecord) team = hd_store_team_create (f->store, "Desk", (gint64[]) { tina->id, theo->id }, 2, &error);
  g_autoptr(HdRequestRecord) r = hd_store_request_create (f->store, "Printer offline", NULL, carol->id, tina->id,
                                                          team->id, FALSE, 1000, &error);
  g_autoptr(GArray) idle = NULL;
  g_autoptr(HdUserRecord) away = NULL;
  HdChatRecord chat = { 0, }, out, accepted;
  gint64 note_id;

  g_assert_true (hd_store_user_set_away (f->store, tina->id, TRUE, &error));
  away = hd_store_user_get (f->store, tina->id, &error);
  g_assert_true (away->away);
  g_assert_false (hd_store_user_set_away (f->store, 9999, TRUE, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_NOT_FOUND);
  g_clear_error (&error);

  chat.request_id = r->id;
  chat.customer_id = carol->id;
  chat.target_id = tina->id;
  chat.created_at = 2000;
  g_assert_true (hd_store_chat_create (f->store, &chat, &error));
  g_assert_cmpint (chat.waiting_since, ==, 2000);
  g_assert_true (hd_store_chat_get (f->store, chat.id, &out, &error));
  g_assert_cmpint (out.waiting_since, ==, 2000);

  /* Waiting → team queue, with a new waiting_since. */
  g_assert_true (hd_store_chat_to_team (f->store, chat.id, HD_CHAT_STATE_WAITING, team->id, 5000, &out, &error));
  g_assert_cmpint (out.target_kind, ==, HD_TARGET_TEAM);
  g_assert_cmpint (out.waiting_since, ==, 5000);
  /* A second sweep (another server's) moving it there again does nothing. */
  g_assert_false (hd_store_chat_to_team (f->store, chat.id, HD_CHAT_STATE_WAITING, team->id, 5500, &out, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_CHAT_ENDED);
  g_clear_error (&error);
  g_assert_true (hd_store_chat_get (f->store, chat.id, &out, &error));
  g_assert_cmpint (out.waiting_since, ==, 5000);
  g_assert_false (hd_store_chat_to_team (f->store, chat.id, HD_CHAT_STATE_ACTIVE, team->id, 5000, &out, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_CHAT_ENDED);
  g_clear_error (&error);
  /* An end that requires "active" does nothing to a waiting chat. */
  g_assert_false (hd_store_chat_end_with_reason (f->store, chat.id, 6000, HD_END_REASON_INACTIVE,
                                                 HD_CHAT_STATE_ACTIVE, &out, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_CHAT_ENDED);
  g_clear_error (&error);

  g_assert_true (hd_store_chat_accept (f->store, chat.id, theo->id, 7000, &accepted, &error));
  {
    /* The service's transcript note (hd-chat-service.c) is linked once. */
    g_autoptr(HdNoteRecord) note = hd_store_note_add (f->store, r->id, HD_NOTE_KIND_TRANSCRIPT, chat.id, 0, "",
                                                      7000, &error);
    g_assert_true (hd_store_chat_set_note (f->store, chat.id, note->id, &error));
    note_id = note->id;
  }
  g_assert_cmpint (note_id, >, 0);
  g_assert_cmpint (hd_store_count_active_chats (f->store, theo->id), ==, 1);
  /* Active → tina; then back to the team; accepted again: one note. */
  g_assert_false (hd_store_chat_set_technician (f->store, chat.id, tina->id, theo->id, &out, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_CHAT_ENDED);
  g_clear_error (&error);
  g_assert_true (hd_store_chat_set_technician (f->store, chat.id, theo->id, tina->id, &out, &error));
  g_assert_cmpint (out.technician_id, ==, tina->id);
  g_assert_cmpint (hd_store_count_active_chats (f->store, theo->id), ==, 0);
  g_assert_cmpint (hd_store_count_active_chats (f->store, tina->id), ==, 1);
  g_assert_true (hd_store_chat_to_team (f->store, chat.id, HD_CHAT_STATE_ACTIVE, team->id, 8000, &out, &error));
  g_assert_cmpint (out.state, ==, HD_CHAT_STATE_WAITING);
  g_assert_cmpint (out.technician_id, ==, 0);
  g_assert_true (hd_store_chat_accept (f->store, chat.id, theo->id, 9000, &accepted, &error));
  g_assert_cmpint (accepted.note_id, ==, note_id);
  {
    g_autoptr(GPtrArray) notes = hd_store_notes_list (f->store, r->id, &error);
    g_assert_cmpuint (notes->len, ==, 1);
  }

  /* Idle since its accept (no message yet). */
  idle = hd_store_chats_inactive_since (f->store, 9001, &error);
  g_assert_cmpuint (idle->len, ==, 1);
  g_clear_pointer (&idle, g_array_unref);
  idle = hd_store_chats_inactive_since (f->store, 9000, &error);
  g_assert_cmpuint (idle->len, ==, 0);
  g_clear_pointer (&idle, g_array_unref);

  g_assert_true (hd_store_chat_end_with_reason (f->store, chat.id, 10000, HD_END_REASON_INACTIVE,
                                                HD_CHAT_STATE_ACTIVE, &out, &error));
  g_assert_cmpint (out.end_reason, ==, HD_END_REASON_INACTIVE);
  g_assert_true (hd_store_chat_get (f->store, chat.id, &out, &error));
  g_assert_cmpint (out.end_reason, ==, HD_END_REASON_INACTIVE);
  g_assert_cmpstr (hd_end_reason_to_string (out.end_reason), ==, "inactive");
  g_assert_false (hd_store_chat_end_with_reason (f->store, chat.id, 11000, HD_END_REASON_CUSTOMER, -1,
                                                 &out, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_CHAT_ENDED);
}
