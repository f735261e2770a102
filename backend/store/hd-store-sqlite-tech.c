/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-store"

#include "hd-store-sqlite.h"
#include "hd-error.h"

#include <string.h>

#define stmt(self, sql, error) hd_store_private_stmt ((self), (sql), (error))
#define done(s) hd_store_private_done (s)
#define step_done(self, s, what, error) hd_store_private_step_done ((self), (s), (what), (error))

/* ---- away, limits --------------------------------------------------- */

static gboolean
sqlite_user_set_away (HdStoreSqlite  *self,
                      gint64          id,
                      gboolean        away,
                      GError        **error)
{
  sqlite3_stmt *s = stmt (self, "UPDATE users SET away = ? WHERE id = ?", error);

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int (s, 1, away ? 1 : 0);
  sqlite3_bind_int64 (s, 2, id);
  if (!step_done (self, s, "Setting away", error))
    return FALSE;
  if (sqlite3_changes (hd_store_private_db (self)) == 0)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_NOT_FOUND, "No user %" G_GINT64_FORMAT, id);
      return FALSE;
    }
  return TRUE;
}

static gint64
sqlite_count_active_chats (HdStoreSqlite *self,
                           gint64         technician_id)
{
  sqlite3_stmt *s = stmt (self, "SELECT COUNT(*) FROM chats WHERE technician_id = ? AND state = 'active'", NULL);
  gint64 n = 0;

  if (s == NULL)
    return 0;
  sqlite3_bind_int64 (s, 1, technician_id);
  if (sqlite3_step (s) == SQLITE_ROW)
    n = sqlite3_column_int64 (s, 0);
  done (s);
  return n;
}

/* ---- transfers ------------------------------------------------------ */

static gboolean
chat_get (HdStoreSqlite  *self,
          gint64          id,
          HdChatRecord   *out,
          GError        **error)
{
  return hd_store_chat_get (HD_STORE (self), id, out, error);
}

static gboolean
sqlite_chat_set_technician (HdStoreSqlite  *self,
                            gint64          chat_id,
                            gint64          from_technician,
                            gint64          to_technician,
                            HdChatRecord   *out,
                            GError        **error)
{
  sqlite3_stmt *s = stmt (self, "UPDATE chats SET technician_id = ?1, target_kind = 'technician', target_id = ?1 "
                                "WHERE id = ?2 AND state = 'active' AND technician_id = ?3", error);

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, to_technician);
  sqlite3_bind_int64 (s, 2, chat_id);
  sqlite3_bind_int64 (s, 3, from_technician);
  if (!step_done (self, s, "Transferring the chat", error))
    return FALSE;
  if (sqlite3_changes (hd_store_private_db (self)) == 0)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_CHAT_ENDED,
                           "The chat is no longer active with that technician");
      return FALSE;
    }
  return chat_get (self, chat_id, out, error);
}

static gboolean
sqlite_chat_to_team (HdStoreSqlite  *self,
                     gint64          chat_id,
                     HdChatState     from_state,
                     gint64          team_id,
                     gint64          now,
                     HdChatRecord   *out,
                     GError        **error)
{
  /* A waiting chat already in that team's queue is not moved again (as in
   * the PostgreSQL store): a second sweep rerouting the same chat changes
   * nothing, keeps its waiting_since and tells nobody. */
  sqlite3_stmt *s = stmt (self, "UPDATE chats SET state = 'waiting', technician_id = NULL, target_kind = 'team', "
                                "target_id = ?1, waiting_since = ?2 WHERE id = ?3 AND state = ?4 "
                                "AND NOT (state = 'waiting' AND target_kind = 'team' AND target_id = ?1)", error);

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, team_id);
  sqlite3_bind_int64 (s, 2, now);
  sqlite3_bind_int64 (s, 3, chat_id);
  bind_text (s, 4, hd_chat_state_to_string (from_state));
  if (!step_done (self, s, "Moving the chat to the team queue", error))
    return FALSE;
  if (sqlite3_changes (hd_store_private_db (self)) == 0)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_CHAT_ENDED,
                           "The chat changed meanwhile");
      return FALSE;
    }
  return chat_get (self, chat_id, out, error);
}

static GArray *
sqlite_chats_inactive_since (HdStoreSqlite  *self,
                             gint64          before,
                             GError        **error)
{
  /* The last message is found by (chat_id, seq = last_seq): one index
   * probe per active chat, whatever the chats' lengths. */
  sqlite3_stmt *s = stmt (self, "SELECT " CHAT_COLS " FROM chats WHERE state = 'active' AND "
                                "COALESCE ((SELECT m.created_at FROM messages m WHERE m.chat_id = chats.id "
                                "           AND m.seq = chats.last_seq), accepted_at) < ?", error);
  GArray *list;

  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, before);
  list = g_array_new (FALSE, TRUE, sizeof (HdChatRecord));
  while (sqlite3_step (s) == SQLITE_ROW)
    {
      HdChatRecord c;
      hd_store_private_read_chat (s, &c);
      g_array_append_val (list, c);
    }
  done (s);
  return list;
}

/* ---- canned responses ----------------------------------------------- */

#define CANNED_COLS "id, scope, owner_id, team_id, shortcut, title, body, created_at, updated_at"

static HdCannedRecord *
read_canned (sqlite3_stmt *s)
{
  HdCannedRecord *c = g_new0 (HdCannedRecord, 1);

  c->id = sqlite3_column_int64 (s, 0);
  c->scope = HD_CANNED_SCOPE_PERSONAL;
  hd_canned_scope_from_string ((const char *) sqlite3_column_text (s, 1), &c->scope);
  c->owner_id = sqlite3_column_int64 (s, 2);
  c->team_id = sqlite3_column_int64 (s, 3);
  c->shortcut = col_text (s, 4);
  c->title = col_text (s, 5);
  c->body = col_text (s, 6);
  c->created_at = sqlite3_column_int64 (s, 7);
  c->updated_at = sqlite3_column_int64 (s, 8);
  return c;
}

static GPtrArray *
sqlite_canned_list (HdStoreSqlite  *self,
                    gint64          user_id,
                    GError        **error)
{
  sqlite3_stmt *s = stmt (self, "SELECT " CANNED_COLS " FROM canned_responses WHERE "
                                "(scope = 'personal' AND owner_id = ?1) OR "
                                "(scope = 'team' AND team_id IN (SELECT team_id FROM team_members WHERE user_id = ?1)) OR "
                                "scope = 'global' ORDER BY shortcut, id", error);

  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, user_id);
  return HD_SQLITE_READ_ROWS (s, read_canned, hd_canned_record_free);
}

static HdCannedRecord *
sqlite_canned_get (HdStoreSqlite  *self,
                   gint64          id,
                   GError        **error)
{
  return HD_SQLITE_GET_BY_ID (self, "SELECT " CANNED_COLS " FROM canned_responses WHERE id = ?", id, read_canned,
                              "canned response", error);
}

static gboolean
canned_write_failed (HdStoreSqlite  *self,
                     GError        **error)
{
  int code = sqlite3_extended_errcode (hd_store_private_db (self));

  if (code == SQLITE_CONSTRAINT_UNIQUE)
    g_set_error_literal (error, HD_ERROR, HD_ERROR_CONFLICT,
                         "That shortcut is already used in this scope");
  else
    hd_store_private_sqlite_error (self, error, "Saving the canned response");
  return FALSE;
}

static gboolean
sqlite_canned_create (HdStoreSqlite  *self,
                      HdCannedRecord       *canned,
                      GError        **error)
{
  sqlite3_stmt *s = stmt (self, "INSERT INTO canned_responses (scope, owner_id, team_id, shortcut, title, body, "
                                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?7, ?7)", error);
  gint64 now = g_get_real_time ();

  if (s == NULL)
    return FALSE;
  bind_text (s, 1, hd_canned_scope_to_string (canned->scope));
  sqlite3_bind_int64 (s, 2, canned->owner_id);
  if (canned->team_id > 0)
    sqlite3_bind_int64 (s, 3, canned->team_id);
  else
    sqlite3_bind_null (s, 3);
  bind_text (s, 4, canned->shortcut);
  bind_text (s, 5, canned->title);
  bind_text (s, 6, canned->body);
  sqlite3_bind_int64 (s, 7, now);
  if (sqlite3_step (s) != SQLITE_DONE)
    {
      canned_write_failed (self, error);
      done (s);
      return FALSE;
    }
  canned->id = sqlite3_last_insert_rowid (hd_store_private_db (self));
  canned->created_at = canned->updated_at = now;
  done (s);
  return TRUE;
}

static gboolean
sqlite_canned_update (HdStoreSqlite   *self,
                      const HdCannedRecord  *canned,
                      GError         **error)
{
  sqlite3_stmt *s = stmt (self, "UPDATE canned_responses SET shortcut = ?, title = ?, body = ?, updated_at = ? "
                                "WHERE id = ?", error);

  if (s == NULL)
    return FALSE;
  bind_text (s, 1, canned->shortcut);
  bind_text (s, 2, canned->title);
  bind_text (s, 3, canned->body);
  sqlite3_bind_int64 (s, 4, canned->updated_at);
  sqlite3_bind_int64 (s, 5, canned->id);
  if (sqlite3_step (s) != SQLITE_DONE)
    {
      canned_write_failed (self, error);
      done (s);
      return FALSE;
    }
  done (s);
  if (sqlite3_changes (hd_store_private_db (self)) == 0)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_NOT_FOUND, "No canned response %" G_GINT64_FORMAT, canned->id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_canned_delete (HdStoreSqlite  *self,
                      gint64          id,
                      GError        **error)
{
  sqlite3_stmt *s = stmt (self, "DELETE FROM canned_responses WHERE id = ?", error);

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, id);
  if (!step_done (self, s, "Deleting the canned response", error))
    return FALSE;
  if (sqlite3_changes (hd_store_private_db (self)) == 0)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_NOT_FOUND, "No canned response %" G_GINT64_FORMAT, id);
      return FALSE;
    }
  return TRUE;
}

/* ---- search --------------------------------------------------------- */

/* The FTS table drives (CROSS JOIN keeps it the outer loop): its MATCH
 * finds the rows through the index, and each hit's request is then read by
 * its primary key to check that the caller may see it. */
#define SEARCH_HEAD "SELECT s.request_id, s.chat_id, s.message_id, s.note_id, s.created_at, " \
                    "snippet(search_index, 0, char(2), char(3), '…', 16) " \
                    "FROM search_index s "
#define SEARCH_TAIL " ORDER BY s.rank LIMIT ?3"

static const char *
search_sql (HdRequestsFilter filter)
{
  switch (filter)
    {
    case HD_REQUESTS_OF_CUSTOMER:
      return SEARCH_HEAD "CROSS JOIN requests r ON r.id = s.request_id "
             "WHERE search_index MATCH ?1 AND r.customer_id = ?2" SEARCH_TAIL;
    case HD_REQUESTS_OF_STAFF:
      return SEARCH_HEAD "CROSS JOIN requests r ON r.id = s.request_id "
             "WHERE search_index MATCH ?1 AND (r.assignee_id = ?2 OR "
             "r.team_id IN (SELECT team_id FROM team_members WHERE user_id = ?2))" SEARCH_TAIL;
    case HD_REQUESTS_ALL:
    default:
      return SEARCH_HEAD "WHERE search_index MATCH ?1 AND ?2 IS NOT NULL" SEARCH_TAIL;
    }
}

static GPtrArray *
sqlite_search (HdStoreSqlite     *self,
               HdRequestsFilter   filter,
               gint64             user_id,
               const char        *query,
               guint              limit,
               GError           **error)
{
  sqlite3_stmt *s;
  GPtrArray *list;
  int rc;

  /* The messages of the last second are not in the index yet. */
  if (!hd_store_sqlite_search_flush (self, TRUE, error))
    return NULL;
  s = stmt (self, search_sql (filter), error);
  if (s == NULL)
    return NULL;
  bind_text (s, 1, query);
  sqlite3_bind_int64 (s, 2, user_id);
  sqlite3_bind_int64 (s, 3, limit);
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) hd_search_hit_record_free);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      HdSearchHitRecord *h = g_new0 (HdSearchHitRecord, 1);

      h->request_id = sqlite3_column_int64 (s, 0);
      h->chat_id = sqlite3_column_int64 (s, 1);
      h->message_id = sqlite3_column_int64 (s, 2);
      h->note_id = sqlite3_column_int64 (s, 3);
      h->created_at = sqlite3_column_int64 (s, 4);
      h->snippet = col_text (s, 5);
      g_ptr_array_add (list, h);
    }
  if (rc != SQLITE_DONE)
    {
      /* A query the FTS5 parser refuses (the caller quotes every word, so
       * this is not expected): no results rather than an error page. */
      g_warning ("Search for “%s” failed: %s", query, sqlite3_errmsg (hd_store_private_db (self)));
      g_ptr_array_set_size (list, 0);
    }
  done (s);
  return list;
}

static char *
sqlite_search_plan (HdStoreSqlite     *self,
                    HdRequestsFilter   filter,
                    GError           **error)
{
  g_autofree char *sql = g_strconcat ("EXPLAIN QUERY PLAN ", search_sql (filter), NULL);
  sqlite3_stmt *s = NULL;
  GString *out;

  if (sqlite3_prepare_v2 (hd_store_private_db (self), sql, -1, &s, NULL) != SQLITE_OK)
    {
      hd_store_private_sqlite_error (self, error, "Explaining the search");
      return NULL;
    }
  out = g_string_new (NULL);
  while (sqlite3_step (s) == SQLITE_ROW)
    {
      g_string_append (out, (const char *) sqlite3_column_text (s, 3));
      g_string_append_c (out, '\n');
    }
  sqlite3_finalize (s);
  return g_string_free (out, FALSE);
}

/* ---- the class slots ------------------------------------------------ */

void
hd_store_sqlite_tech_class_init (HdStoreClass *klass)
{
  HD_STORE_VFUNC (klass, user_set_away, sqlite_user_set_away);
  HD_STORE_VFUNC (klass, count_active_chats, sqlite_count_active_chats);
  HD_STORE_VFUNC (klass, chat_set_technician, sqlite_chat_set_technician);
  HD_STORE_VFUNC (klass, chat_to_team, sqlite_chat_to_team);
  HD_STORE_VFUNC (klass, chats_inactive_since, sqlite_chats_inactive_since);
  HD_STORE_VFUNC (klass, canned_list, sqlite_canned_list);
  HD_STORE_VFUNC (klass, canned_get, sqlite_canned_get);
  HD_STORE_VFUNC (klass, canned_create, sqlite_canned_create);
  HD_STORE_VFUNC (klass, canned_update, sqlite_canned_update);
  HD_STORE_VFUNC (klass, canned_delete, sqlite_canned_delete);
  HD_STORE_VFUNC (klass, search, sqlite_search);
  HD_STORE_VFUNC (klass, search_plan, sqlite_search_plan);
}
