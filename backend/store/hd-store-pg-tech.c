/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The PostgreSQL store's part of contract v2, "Technicians": away, the
 * guarded moves of a chat (transfer, back to the team queue), inactive
 * chats, canned responses and full-text search.  Same calls and errors as
 * hd-store-tech.c (SQLite); the schema is hd-store-pg-private.h's
 * HD_STORE_PG_TECH_MIGRATION.
 *
 * Search runs on a tsvector column under a GIN index (never a scan); the
 * snippet and its marked words are made here from the hit's text, so that
 * the text comes back exactly as written (ts_headline drops markup-like
 * tokens) and the marks follow the SQLite store's: 16 words around the
 * most matches, a word marked when it starts with a word searched for,
 * without case or accents. */
#define G_LOG_DOMAIN "hd-store"

#include "hd-store-pg-private.h"
#include "hd-store-tech.h"
#include "hd-error.h"

#define run(self, sql, p, what, error) hd_store_pg_private_run ((self), (sql), (p), (what), (error))

/* ---- away, limits --------------------------------------------------- */

static gboolean
pg_user_set_away (HdStorePg  *self,
                  gint64      id,
                  gboolean    away,
                  GError    **error)
{
  Params p = { 0, };
  PGresult *r;
  gboolean found;

  p_bool (&p, away);
  p_int (&p, id);
  r = run (self, "UPDATE users SET away = $1 WHERE id = $2", &p, "Setting away", error);
  if (r == NULL)
    return FALSE;
  found = changed_rows (r);
  PQclear (r);
  if (!found)
    g_set_error (error, HD_ERROR, HD_ERROR_NOT_FOUND, "No user %" G_GINT64_FORMAT, id);
  return found;
}

static gint64
pg_count_active_chats (HdStorePg *self,
                       gint64     technician_id)
{
  Params p = { 0, };
  PGresult *r;
  gint64 n;

  p_int (&p, technician_id);
  r = run (self, "SELECT COUNT(*) FROM chats WHERE technician_id = $1 AND state = 'active'", &p,
           "Counting active chats", NULL);
  if (r == NULL)
    return 0;
  n = col_int (r, 0, 0);
  PQclear (r);
  return n;
}

/* ---- moves ---------------------------------------------------------- */

/* The chat an UPDATE … RETURNING HD_PG_CHAT_COLS changed, or @message as
 * HD_ERROR_CHAT_ENDED when its guard matched nothing. */
static gboolean
moved_chat (PGresult      *r,
            const char    *message,
            HdChatRecord  *out,
            GError       **error)
{
  return hd_store_pg_private_chat_row (r, out, HD_ERROR_CHAT_ENDED, message, error);
}

static gboolean
pg_chat_set_technician (HdStorePg     *self,
                        gint64         chat_id,
                        gint64         from_technician,
                        gint64         to_technician,
                        HdChatRecord  *out,
                        GError       **error)
{
  Params p = { 0, };

  p_int (&p, to_technician);
  p_int (&p, chat_id);
  p_int (&p, from_technician);
  /* The state and the old technician are the guard: one statement, so a
   * chat ended or moved meanwhile (on any server) is not moved again. */
  return moved_chat (run (self, "UPDATE chats SET technician_id = $1, target_kind = 'technician', target_id = $1 "
                                "WHERE id = $2 AND state = 'active' AND technician_id = $3 "
                                "RETURNING " HD_PG_CHAT_COLS, &p, "Transferring the chat", error),
                     "The chat is no longer active with that technician", out, error);
}

static gboolean
pg_chat_to_team (HdStorePg     *self,
                 gint64         chat_id,
                 HdChatState    from_state,
                 gint64         team_id,
                 gint64         now,
                 HdChatRecord  *out,
                 GError       **error)
{
  Params p = { 0, };

  p_int (&p, team_id);
  p_int (&p, now);
  p_int (&p, chat_id);
  p_text (&p, hd_chat_state_to_string (from_state));
  /* A waiting chat already in that team's queue is not moved again: when
   * two servers' sweeps both find a chat to reroute, the second changes
   * nothing (and tells nobody). */
  return moved_chat (run (self, "UPDATE chats SET state = 'waiting', technician_id = NULL, target_kind = 'team', "
                                "target_id = $1, waiting_since = $2 WHERE id = $3 AND state = $4 "
                                "AND NOT (state = 'waiting' AND target_kind = 'team' AND target_id = $1) "
                                "RETURNING " HD_PG_CHAT_COLS, &p, "Moving the chat to the team queue", error),
                     "The chat changed meanwhile", out, error);
}

static GArray *
pg_chats_inactive_since (HdStorePg  *self,
                         gint64      before,
                         GError    **error)
{
  Params p = { 0, };
  PGresult *r;
  GArray *list;

  p_int (&p, before);
  /* The last message is found by (chat_id, seq = last_seq): one index
   * probe per active chat (chats_active), whatever the chats' lengths. */
  r = run (self, "SELECT " HD_PG_CHAT_COLS " FROM chats WHERE state = 'active' AND "
                 "COALESCE ((SELECT m.created_at FROM messages m WHERE m.chat_id = chats.id "
                 "           AND m.seq = chats.last_seq), accepted_at) < $1", &p,
           "Finding inactive chats", error);
  if (r == NULL)
    return NULL;
  list = g_array_new (FALSE, TRUE, sizeof (HdChatRecord));
  for (int i = 0; i < PQntuples (r); i++)
    {
      HdChatRecord c;

      hd_store_pg_private_read_chat (r, i, &c);
      g_array_append_val (list, c);
    }
  PQclear (r);
  return list;
}

/* ---- canned responses ----------------------------------------------- */

#define CANNED_COLS "id, scope, owner_id, team_id, shortcut, title, body, created_at, updated_at"

static HdCannedRecord *
read_canned (PGresult *r,
             int       row)
{
  HdCannedRecord *c = g_new0 (HdCannedRecord, 1);

  c->id = col_int (r, row, 0);
  c->scope = HD_CANNED_SCOPE_PERSONAL;
  hd_canned_scope_from_string (PQgetvalue (r, row, 1), &c->scope);
  c->owner_id = col_int (r, row, 2);
  c->team_id = col_int (r, row, 3);
  c->shortcut = col_text (r, row, 4);
  c->title = col_text (r, row, 5);
  c->body = col_text (r, row, 6);
  c->created_at = col_int (r, row, 7);
  c->updated_at = col_int (r, row, 8);
  return c;
}

static GPtrArray *
pg_canned_list (HdStorePg  *self,
                gint64      user_id,
                GError    **error)
{
  Params p = { 0, };
  PGresult *r;

  p_int (&p, user_id);
  r = run (self, "SELECT " CANNED_COLS " FROM canned_responses WHERE "
                 "(scope = 'personal' AND owner_id = $1) OR "
                 "(scope = 'team' AND team_id IN (SELECT team_id FROM team_members WHERE user_id = $1)) OR "
                 "scope = 'global' ORDER BY shortcut COLLATE \"C\", id", &p, "Listing canned responses", error);
  return HD_PG_READ_ROWS (r, read_canned, hd_canned_record_free);
}

static HdCannedRecord *
pg_canned_get (HdStorePg  *self,
               gint64      id,
               GError    **error)
{
  return HD_PG_GET_BY_ID (self, "SELECT " CANNED_COLS " FROM canned_responses WHERE id = $1", id, read_canned,
                          "Reading the canned response", "canned response", error);
}

/* Runs a write of a canned response in a savepoint of its own (a taken
 * shortcut must not abort the transaction around it); NULL with
 * HD_ERROR_CONFLICT for a taken shortcut. */
static PGresult *
canned_write (HdStorePg   *self,
              const char  *sql,
              Params      *p,
              GError     **error)
{
  g_autoptr(GError) local = NULL;
  PGresult *r;

  if (!hd_store_pg_begin (self, error))
    return NULL;
  r = run (self, sql, p, "Saving the canned response", &local);
  if (r == NULL)
    {
      hd_store_pg_rollback (self);
      if (g_error_matches (local, HD_ERROR, HD_ERROR_CONFLICT))
        g_set_error_literal (error, HD_ERROR, HD_ERROR_CONFLICT, "That shortcut is already used in this scope");
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (!hd_store_pg_commit (self, error))
    {
      PQclear (r);
      return NULL;
    }
  return r;
}

static gboolean
pg_canned_create (HdStorePg  *self,
                  HdCannedRecord   *canned,
                  GError    **error)
{
  Params p = { 0, };
  PGresult *r;
  gint64 now = g_get_real_time ();

  p_text (&p, hd_canned_scope_to_string (canned->scope));
  p_int (&p, canned->owner_id);
  p_id (&p, canned->team_id);
  p_text (&p, canned->shortcut);
  p_text (&p, canned->title);
  p_text (&p, canned->body);
  p_int (&p, now);
  r = canned_write (self, "INSERT INTO canned_responses (scope, owner_id, team_id, shortcut, title, body, "
                          "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id", &p, error);
  if (r == NULL)
    return FALSE;
  canned->id = col_int (r, 0, 0);
  canned->created_at = canned->updated_at = now;
  PQclear (r);
  return TRUE;
}

static gboolean
pg_canned_update (HdStorePg       *self,
                  const HdCannedRecord  *canned,
                  GError         **error)
{
  Params p = { 0, };
  PGresult *r;
  gboolean found;

  p_text (&p, canned->shortcut);
  p_text (&p, canned->title);
  p_text (&p, canned->body);
  p_int (&p, canned->updated_at);
  p_int (&p, canned->id);
  r = canned_write (self, "UPDATE canned_responses SET shortcut = $1, title = $2, body = $3, updated_at = $4 "
                          "WHERE id = $5", &p, error);
  if (r == NULL)
    return FALSE;
  found = changed_rows (r);
  PQclear (r);
  if (!found)
    g_set_error (error, HD_ERROR, HD_ERROR_NOT_FOUND, "No canned response %" G_GINT64_FORMAT, canned->id);
  return found;
}

static gboolean
pg_canned_delete (HdStorePg  *self,
                  gint64      id,
                  GError    **error)
{
  Params p = { 0, };
  PGresult *r;
  gboolean found;

  p_int (&p, id);
  r = run (self, "DELETE FROM canned_responses WHERE id = $1", &p, "Deleting the canned response", error);
  if (r == NULL)
    return FALSE;
  found = changed_rows (r);
  PQclear (r);
  if (!found)
    g_set_error (error, HD_ERROR, HD_ERROR_NOT_FOUND, "No canned response %" G_GINT64_FORMAT, id);
  return found;
}

/* ---- search --------------------------------------------------------- */

/* The GIN index on search_index.tsv finds the rows (hd_search_query ()
 * in the condition, so that a custom plan sees the words and estimates
 * them); each hit's request is then checked for the caller.  The rank's
 * query is computed once (an InitPlan); ts_rank's normalisation 1 divides
 * by the text's length, as BM25 favours short texts. */
#define SEARCH_HEAD "SELECT s.request_id, s.chat_id, s.message_id, s.note_id, s.created_at, s.body " \
                    "FROM search_index s "
#define SEARCH_TAIL " ORDER BY ts_rank (s.tsv, (SELECT hd_search_query ($1)), 1) DESC, s.id LIMIT $3"

static const char *
search_sql (HdRequestsFilter filter)
{
  switch (filter)
    {
    case HD_REQUESTS_OF_CUSTOMER:
      return SEARCH_HEAD "JOIN requests r ON r.id = s.request_id "
             "WHERE s.tsv @@ hd_search_query ($1) AND r.customer_id = $2" SEARCH_TAIL;
    case HD_REQUESTS_OF_STAFF:
      return SEARCH_HEAD "JOIN requests r ON r.id = s.request_id "
             "WHERE s.tsv @@ hd_search_query ($1) AND (r.assignee_id = $2 OR "
             "r.team_id IN (SELECT team_id FROM team_members WHERE user_id = $2))" SEARCH_TAIL;
    case HD_REQUESTS_ALL:
    default:
      return SEARCH_HEAD "WHERE s.tsv @@ hd_search_query ($1) AND $2::bigint IS NOT NULL" SEARCH_TAIL;
    }
}

/* A word as the snippet compares it: without accents, case folded. */
static char *
fold_word (const char *word,
           gssize      len)
{
  g_autofree char *nfd = g_utf8_normalize (word, len, G_NORMALIZE_NFD);
  GString *bare = g_string_new (NULL);

  for (const char *p = nfd ? nfd : ""; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_ismark (c))
        g_string_append_unichar (bare, c);
    }
  {
    char *folded = g_utf8_casefold (bare->str, (gssize) bare->len);

    g_string_free (bare, TRUE);
    return folded;
  }
}

static gboolean
is_word_char (gunichar c)
{
  return g_unichar_isalnum (c) || g_unichar_ismark (c);
}

typedef struct {
  gsize    start;     /* bytes */
  gsize    end;
  gboolean matched;
} Token;

/* The words of @text (runs of letters, digits and marks). */
static GArray *
tokenize (const char *text)
{
  GArray *tokens = g_array_new (FALSE, FALSE, sizeof (Token));
  const char *p = text;

  while (*p)
    {
      if (!is_word_char (g_utf8_get_char (p)))
        {
          p = g_utf8_next_char (p);
          continue;
        }
      {
        Token t = { (gsize) (p - text), 0, FALSE };

        while (*p && is_word_char (g_utf8_get_char (p)))
          p = g_utf8_next_char (p);
        t.end = (gsize) (p - text);
        g_array_append_val (tokens, t);
      }
    }
  return tokens;
}

/* The words searched for, folded, from the store's query (each word a
 * quoted prefix term: hd_search_build_query ()). */
static GPtrArray *
query_words (const char *query)
{
  g_autofree char *plain = g_strdup (query);
  g_autoptr(GArray) tokens = NULL;
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);

  g_strdelimit (plain, "\"*", ' ');
  tokens = tokenize (plain);
  for (guint i = 0; i < tokens->len; i++)
    {
      Token *t = &g_array_index (tokens, Token, i);

      g_ptr_array_add (words, fold_word (plain + t->start, (gssize) (t->end - t->start)));
    }
  return words;
}

#define SNIPPET_WORDS 16

/* @text with the words starting with one of @words between
 * HD_SEARCH_MARK_START and _END; at most SNIPPET_WORDS words, those around
 * the most matches, with "…" where text was left out. */
static char *
make_snippet (const char *text,
              GPtrArray  *words)
{
  g_autoptr(GArray) tokens = tokenize (text);
  guint n = tokens->len, first = 0, best = 0, count = 0;
  gsize from, to;
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      Token *t = &g_array_index (tokens, Token, i);
      g_autofree char *folded = fold_word (text + t->start, (gssize) (t->end - t->start));

      for (guint w = 0; w < words->len && !t->matched; w++)
        t->matched = g_str_has_prefix (folded, g_ptr_array_index (words, w));
    }
  /* The window of SNIPPET_WORDS words with the most matches (the first
   * such). */
  for (guint i = 0; i < n; i++)
    {
      count += g_array_index (tokens, Token, i).matched;
      if (i >= SNIPPET_WORDS)
        count -= g_array_index (tokens, Token, i - SNIPPET_WORDS).matched;
      if (i + 1 >= SNIPPET_WORDS && count > best)
        {
          best = count;
          first = i + 1 - SNIPPET_WORDS;
        }
    }
  if (n <= SNIPPET_WORDS)
    first = 0;
  else if (best > 0)
    {
      /* That window, moved to have its matches in the middle. */
      guint first_m = first, last_m = first;

      while (!g_array_index (tokens, Token, first_m).matched)
        first_m++;
      for (guint i = first_m; i < first + SNIPPET_WORDS; i++)
        if (g_array_index (tokens, Token, i).matched)
          last_m = i;
      first = (first_m + last_m) / 2 > SNIPPET_WORDS / 2 ? (first_m + last_m) / 2 - SNIPPET_WORDS / 2 : 0;
      first = MIN (first, n - SNIPPET_WORDS);
    }
  from = first == 0 ? 0 : g_array_index (tokens, Token, first).start;
  to = first + SNIPPET_WORDS >= n ? strlen (text) : g_array_index (tokens, Token, first + SNIPPET_WORDS - 1).end;

  if (from > 0)
    g_string_append (out, "…");
  for (guint i = first; i < n && i < first + SNIPPET_WORDS; i++)
    {
      Token *t = &g_array_index (tokens, Token, i);
      gsize before = i == first ? from : g_array_index (tokens, Token, i - 1).end;

      g_string_append_len (out, text + before, (gssize) (t->start - before));
      if (t->matched)
        g_string_append_c (out, HD_SEARCH_MARK_START);
      g_string_append_len (out, text + t->start, (gssize) (t->end - t->start));
      if (t->matched)
        g_string_append_c (out, HD_SEARCH_MARK_END);
    }
  if (n == 0)
    g_string_append (out, text);
  else
    {
      gsize last = g_array_index (tokens, Token, MIN (n, first + SNIPPET_WORDS) - 1).end;

      g_string_append_len (out, text + last, (gssize) (to - last));
    }
  if (to < strlen (text))
    g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

static GPtrArray *
pg_search (HdStorePg         *self,
           HdRequestsFilter   filter,
           gint64             user_id,
           const char        *query,
           guint              limit,
           GError           **error)
{
  g_autofree char *plain = g_strdup (query);
  g_autoptr(GPtrArray) words = NULL;
  Params p = { 0, };
  PGresult *r;
  GPtrArray *list;

  /* hd_search_query () parses the words with PostgreSQL's own parser:
   * FTS5's quotes and prefix stars are not words. */
  g_strdelimit (plain, "\"*", ' ');
  p_text (&p, plain);
  p_int (&p, user_id);
  p_int (&p, limit);
  r = run (self, search_sql (filter), &p, "Searching", error);
  if (r == NULL)
    return NULL;
  words = query_words (query);
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) hd_search_hit_record_free);
  for (int i = 0; i < PQntuples (r); i++)
    {
      HdSearchHitRecord *h = g_new0 (HdSearchHitRecord, 1);

      h->request_id = col_int (r, i, 0);
      h->chat_id = col_int (r, i, 1);
      h->message_id = col_int (r, i, 2);
      h->note_id = col_int (r, i, 3);
      h->created_at = col_int (r, i, 4);
      h->snippet = make_snippet (PQgetvalue (r, i, 5), words);
      g_ptr_array_add (list, h);
    }
  PQclear (r);
  return list;
}

static char *
pg_search_plan (HdStorePg         *self,
                HdRequestsFilter   filter,
                GError           **error)
{
  g_autofree char *sql = g_strconcat ("EXPLAIN (COSTS OFF) ", search_sql (filter), NULL);
  Params p = { 0, };
  PGresult *r;
  GString *out;

  p_text (&p, "printer");
  p_int (&p, 1);
  p_int (&p, 20);
  r = hd_store_pg_private_run_once (self, sql, &p, "Explaining the search", error);
  if (r == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (int i = 0; i < PQntuples (r); i++)
    {
      g_string_append (out, PQgetvalue (r, i, 0));
      g_string_append_c (out, '\n');
    }
  PQclear (r);
  return g_string_free (out, FALSE);
}

/* ---- the class ------------------------------------------------------ */

void
hd_store_pg_tech_class_init (HdStoreClass *klass)
{
  HD_STORE_VFUNC (klass, user_set_away, pg_user_set_away);
  HD_STORE_VFUNC (klass, count_active_chats, pg_count_active_chats);
  HD_STORE_VFUNC (klass, chat_set_technician, pg_chat_set_technician);
  HD_STORE_VFUNC (klass, chat_to_team, pg_chat_to_team);
  HD_STORE_VFUNC (klass, chats_inactive_since, pg_chats_inactive_since);
  HD_STORE_VFUNC (klass, canned_list, pg_canned_list);
  HD_STORE_VFUNC (klass, canned_get, pg_canned_get);
  HD_STORE_VFUNC (klass, canned_create, pg_canned_create);
  HD_STORE_VFUNC (klass, canned_update, pg_canned_update);
  HD_STORE_VFUNC (klass, canned_delete, pg_canned_delete);
  HD_STORE_VFUNC (klass, search, pg_search);
  HD_STORE_VFUNC (klass, search_plan, pg_search_plan);
}
