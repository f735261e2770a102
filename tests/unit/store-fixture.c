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
