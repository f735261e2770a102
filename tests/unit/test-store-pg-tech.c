/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The PostgreSQL store's part of contract v2, "Technicians"
 * (hd-store-pg-tech.c): that search finds its rows through the GIN index
 * on the tsvector and never scans the index table, that the index follows
 * its tables whoever writes them, the snippets, the guarded moves, and that
 * a taken shortcut does not spoil the transaction around it.
 *
 * Needs HD_TEST_PG_URI (a database of a cluster where the user may create
 * databases): tests/integration/with_pg.py starts one; without it the test
 * is skipped (77). */
#include "hd-error.h"
#include "hd-store.h"
#include "hd-store-tech.h"
#include "hd-wire.h"
#include "store-fixture.h"

#include <string.h>

/* For every caller kind: the rows come from a Bitmap Index Scan on the
 * GIN index, and search_index is never read by a Seq Scan. */
static void
assert_plans_use_index (HdStore *store)
{
  HdRequestsFilter filters[] = { HD_REQUESTS_ALL, HD_REQUESTS_OF_CUSTOMER, HD_REQUESTS_OF_STAFF };

  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *plan = hd_store_search_plan (store, filters[i], &error);

      g_assert_no_error (error);
      g_test_message ("plan %u:\n%s", i, plan);
      if (strstr (plan, "Bitmap Index Scan on search_index_tsv") == NULL)
        g_error ("the search does not use the GIN index:\n%s", plan);
      if (strstr (plan, "Seq Scan on search_index") != NULL)
        g_error ("the search scans the index table:\n%s", plan);
    }
}

static void
test_search_plan (Fixture       *f,
                  gconstpointer  data)
{
  /* A helpdesk with 20,000 indexed rows over 500 requests, its
   * statistics up to date.  (On a nearly empty table the planner rightly
   * reads the few pages instead; the index is for when that stops being
   * cheap.) */
  fixture_sql (f->conn, "INSERT INTO users (login, name, email, role, password_hash) "
                "VALUES ('carol', 'Carol', 'c@example.com', 'customer', 'x')");
  fixture_sql (f->conn, "INSERT INTO requests (subject, status, customer_id, created_at) "
                "SELECT 'Request ' || i, 'open', 1, i FROM generate_series (1, 500) i");
  fixture_sql (f->conn, "INSERT INTO notes (request_id, kind, body, created_at, updated_at) "
                "SELECT 1 + i % 500, 'note', 'note number ' || i || ' about word' || (i % 1000), i, i "
                "FROM generate_series (1, 19500) i");
  fixture_sql (f->conn, "ANALYZE");
  assert_plans_use_index (f->store);
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
  g_autofree char *insert = NULL, *update = NULL;
  HdChatRecord chat = { 0, }, accepted;
  gboolean created;

  g_assert_no_error (error);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"printer\"*");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpstr (((HdSearchHitRecord *) g_ptr_array_index (hits, 0))->snippet, ==, "\002Printer\003 offline");
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
  g_assert_cmpint (m->kind, ==, HD_MESSAGE_KIND_SYSTEM);
  g_clear_pointer (&m, hd_message_record_free);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"toner\"*");
  g_assert_cmpuint (hits->len, ==, 1);
  {
    HdSearchHitRecord *h = g_ptr_array_index (hits, 0);
    g_assert_cmpint (h->request_id, ==, r->id);
    g_assert_cmpint (h->chat_id, ==, chat.id);
    g_assert_cmpint (h->message_id, >, 0);
    g_assert_cmpint (h->note_id, ==, 0);
    g_assert_cmpint (h->created_at, ==, 4000);
    g_assert_cmpstr (h->snippet, ==, "the \002toner\003 is empty");
  }
  g_clear_pointer (&hits, g_ptr_array_unref);
  {
    /* The kind is read back. */
    g_autoptr(GPtrArray) list = hd_store_messages_list (f->store, chat.id, 0, 10, NULL, &error);
    g_assert_cmpuint (list->len, ==, 2);
    g_assert_cmpint (((HdMessageRecord *) g_ptr_array_index (list, 1))->kind, ==, HD_MESSAGE_KIND_SYSTEM);
  }

  /* Visibility is part of the statement. */
  hits = search (f->store, HD_REQUESTS_OF_CUSTOMER, chris->id, "\"toner\"*");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f->store, HD_REQUESTS_OF_CUSTOMER, carol->id, "\"toner\"*");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f->store, HD_REQUESTS_OF_STAFF, tina->id, "\"toner\"*");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Notes: added, changed, deleted (whoever writes the table). */
  insert = g_strdup_printf ("INSERT INTO notes (id, request_id, kind, body, created_at, updated_at) "
                            "VALUES (77, %" G_GINT64_FORMAT ", 'note', 'fuser replaced', 1, 1)", r->id);
  fixture_sql (f->conn, insert);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"fuser\"*");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpint (((HdSearchHitRecord *) g_ptr_array_index (hits, 0))->note_id, ==, 77);
  g_clear_pointer (&hits, g_ptr_array_unref);
  fixture_sql (f->conn, "UPDATE notes SET body = 'drum replaced' WHERE id = 77");
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"fuser\"*");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"drum\"*");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);
  fixture_sql (f->conn, "DELETE FROM notes WHERE id = 77");
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"drum\"*");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  /* The transcript note is not indexed (its lines are the messages). */
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"empty\"*");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);
  /* Subjects that change. */
  update = g_strdup_printf ("UPDATE requests SET subject = 'Scanner jam' WHERE id = %" G_GINT64_FORMAT, r->id);
  fixture_sql (f->conn, update);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"printer\"*");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"scanner\"*");
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);
}

/* Snippets: case and accents do not matter, a word is marked when it
 * starts with a word searched for, markup and query syntax are text, and a
 * long text is cut to 16 words around the matches. */
static void
test_search_snippets (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  g_autoptr(HdRequestRecord) r1 = hd_store_request_create (f->store, "Caf\xc3\xa9 machine <b>broken</b>", NULL,
                                                           carol->id, 0, 0, FALSE, 1000, &error);
  g_autoptr(HdRequestRecord) r2 = hd_store_request_create (f->store,
                                                           "one two three four five six seven eight nine ten "
                                                           "eleven twelve thirteen fourteen fifteen sixteen "
                                                           "seventeen eighteen nineteen twenty modem end",
                                                           NULL, carol->id, 0, 0, FALSE, 1001, &error);
  g_autoptr(GPtrArray) hits = NULL;

  g_assert_no_error (error);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"CAFE\"*");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpstr (((HdSearchHitRecord *) g_ptr_array_index (hits, 0))->snippet, ==,
                   "\002Caf\xc3\xa9\003 machine <b>broken</b>");
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"mach\"* \"brok\"*");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpstr (((HdSearchHitRecord *) g_ptr_array_index (hits, 0))->snippet, ==,
                   "Caf\xc3\xa9 \002machine\003 <b>\002broken\003</b>");
  g_clear_pointer (&hits, g_ptr_array_unref);
  /* All words must be there. */
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"machine\"* \"vpn\"*");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  /* Quotes, backslashes and tsquery operators are text. */
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"it's\"* \"a\\\\b\"* \"!&|:()\"*");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = search (f->store, HD_REQUESTS_ALL, 0, "\"modem\"*");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpstr (((HdSearchHitRecord *) g_ptr_array_index (hits, 0))->snippet, ==,
                   "…seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
                   "seventeen eighteen nineteen twenty \002modem\003 end");
}

/* A taken shortcut is a conflict that leaves the transaction around it
 * usable (a savepoint of its own). */
static void
test_canned_conflict_in_transaction (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUserRecord) tina = make_user (f->store, "tina", HD_ROLE_TECHNICIAN);
  g_autoptr(GPtrArray) list = NULL;
  HdCannedRecord a = { 0, HD_CANNED_SCOPE_PERSONAL, tina->id, 0, (char *) "hi", (char *) "Hi", (char *) "Hello!", 0, 0 };
  HdCannedRecord b = a;
  HdCannedRecord c = a;

  g_assert_true (hd_store_begin (f->store, &error));
  g_assert_true (hd_store_canned_create (f->store, &a, &error));
  g_assert_false (hd_store_canned_create (f->store, &b, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_CONFLICT);
  g_clear_error (&error);
  c.shortcut = (char *) "bye";
  g_assert_true (hd_store_canned_create (f->store, &c, &error));
  g_assert_true (hd_store_commit (f->store, &error));

  list = hd_store_canned_list (f->store, tina->id, &error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((HdCannedRecord *) g_ptr_array_index (list, 0))->shortcut, ==, "bye");
  /* The same shortcut in another scope is another one. */
  b.scope = HD_CANNED_SCOPE_GLOBAL;
  g_assert_true (hd_store_canned_create (f->store, &b, &error));
  c.shortcut = (char *) "hi";
  g_assert_false (hd_store_canned_update (f->store, &c, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_true (hd_store_canned_delete (f->store, c.id, &error));
  g_assert_false (hd_store_canned_delete (f->store, c.id, &error));
  g_assert_error (error, HD_ERROR, HD_ERROR_NOT_FOUND);
}

/* Two servers on one database ask for the last of a chat's 5 transcript
 * mails at once: the second waits for the first to commit and is refused.
 * The first holds its transaction open here, so without the lock the
 * second would count 4 and get a sixth. */
typedef struct {
  HdStore  *store;
  gint64    chat_id;
  gint64    now;
  gboolean  reserved;
  gint      done;
} MailAsk;

static gpointer
mail_ask (gpointer data)
{
  MailAsk *ask = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (hd_store_mail_reserve (ask->store, ask->chat_id, ask->now, G_GINT64_CONSTANT (3600000000), 5,
                                        &ask->reserved, &error));
  g_assert_no_error (error);
  g_atomic_int_set (&ask->done, 1);
  return NULL;
}

static void
test_mail_limit_two_servers (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUserRecord) carol = make_user (f->store, "carol", HD_ROLE_CUSTOMER);
  g_autoptr(HdRequestRecord) r = hd_store_request_create (f->store, "Printer offline", NULL, carol->id, 0,
                                                          0, FALSE, 1000, &error);
  g_autoptr(HdStore) other = hd_store_open (f->path, &error);
  const gint64 hour = G_GINT64_CONSTANT (3600000000);
  const gint64 t0 = G_GINT64_CONSTANT (1700000000000000);
  HdChatRecord chat = { 0, };
  MailAsk ask = { 0, };
  GThread *thread;
  gboolean reserved;

  g_assert_no_error (error);
  chat.request_id = r->id;
  chat.customer_id = carol->id;
  chat.target_kind = HD_TARGET_TEAM;
  chat.created_at = 2000;
  g_assert_true (hd_store_chat_create (f->store, &chat, &error));
  for (int i = 0; i < 4; i++)
    {
      g_assert_true (hd_store_mail_reserve (f->store, chat.id, t0 + i, hour, 5, &reserved, &error));
      g_assert_true (reserved);
    }
  /* The first server takes the fifth inside a transaction still open. */
  g_assert_true (hd_store_begin (f->store, &error));
  g_assert_true (hd_store_mail_reserve (f->store, chat.id, t0 + 10, hour, 5, &reserved, &error));
  g_assert_true (reserved);
  /* The second asks meanwhile: it waits. */
  ask.store = other;
  ask.chat_id = chat.id;
  ask.now = t0 + 11;
  thread = g_thread_new ("other-server", mail_ask, &ask);
  g_usleep (300 * 1000);
  g_assert_false (g_atomic_int_get (&ask.done));
  g_assert_true (hd_store_commit (f->store, &error));
  g_assert_no_error (error);
  g_thread_join (thread);
  g_assert_false (ask.reserved);
  /* And the first taking one back frees it for the second. */
  g_assert_true (hd_store_mail_release (f->store, chat.id, t0 + 10, &error));
  g_assert_true (hd_store_mail_reserve (other, chat.id, t0 + 12, hour, 5, &reserved, &error));
  g_assert_true (reserved);
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("HD_TEST_PG_URI") == NULL)
    {
      g_printerr ("HD_TEST_PG_URI is not set (tests/integration/with_pg.py sets it): skipped\n");
      return 77;
    }
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up_pg, fn, fixture_tear_down)
  ADD ("/store-pg-tech/search-plan", test_search_plan);
  ADD ("/store-pg-tech/search-follows-tables", test_search_follows_tables);
  ADD ("/store-pg-tech/search-snippets", test_search_snippets);
  ADD ("/store-pg-tech/guarded-moves", test_guarded_moves);
  ADD ("/store-pg-tech/canned-conflict-in-transaction", test_canned_conflict_in_transaction);
  ADD ("/store-pg-tech/mail-limit-two-servers", test_mail_limit_two_servers);
  return g_test_run ();
}
