/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The store interface: each call goes to the implementation's class slot
 * (hd-store-impl.h).  Nothing here knows a database. */
#define G_LOG_DOMAIN "hd-store"

#include "hd-store-impl.h"

#include <string.h>
#include "hd-store-sqlite.h"
#include "hd-store-pg.h"
#include "hd-error.h"

G_DEFINE_ABSTRACT_TYPE (HdStore, hd_store, G_TYPE_OBJECT)

static void
hd_store_class_init (HdStoreClass *klass)
{
}

static void
hd_store_init (HdStore *self)
{
}

HdStore *
hd_store_open (const char  *path,
               GError     **error)
{
  if (hd_store_is_postgres_uri (path))
    return hd_store_pg_open (path, error);
  return hd_store_sqlite_open (path, error);
}

const char *
hd_store_get_kind (HdStore *self)
{
  return HD_STORE_GET_CLASS (self)->kind;
}

static void
unsupported (HdStore     *self,
             const char  *slot,
             GError     **error)
{
  g_set_error (error, HD_ERROR, HD_ERROR_INTERNAL, "%s is not supported by the %s store",
               slot, HD_STORE_GET_CLASS (self)->kind);
}

/* The body of each call: the implementation's slot, or @fail. */
#define HD_STORE_CALL(slot, fail, error, ...) G_STMT_START {             \
    HdStoreClass *klass_ = HD_STORE_GET_CLASS (self);                    \
    if (G_UNLIKELY (klass_->slot == NULL))                               \
      {                                                                  \
        unsupported (self, #slot, (error));                              \
        return (fail);                                                   \
      }                                                                  \
    return klass_->slot (self, ##__VA_ARGS__);                           \
  } G_STMT_END

#define HD_STORE_CALL_VOID(slot) G_STMT_START {                          \
    HdStoreClass *klass_ = HD_STORE_GET_CLASS (self);                    \
    if (klass_->slot != NULL)                                            \
      klass_->slot (self);                                               \
  } G_STMT_END

/* ---- for the implementations (hd-store-impl.h) ---------------------- */

HdMessageRecord *
hd_store_impl_message_new (gint64         id,
                           gint64         chat_id,
                           gint64         seq,
                           HdMessageKind  kind,
                           gint64         author_id,
                           const char    *body,
                           const char    *client_id,
                           gint64         created_at,
                           gint64         attachment_id)
{
  HdMessageRecord *m = g_new0 (HdMessageRecord, 1);

  m->id = id;
  m->chat_id = chat_id;
  m->seq = seq;
  m->kind = kind;
  m->author_id = author_id;
  m->body = g_strdup (body);
  m->client_id = g_strdup (client_id);
  m->created_at = created_at;
  m->attachment_id = attachment_id;
  return m;
}

void
hd_store_impl_chat_created (HdChatRecord *chat)
{
  chat->state = HD_CHAT_STATE_WAITING;
  chat->technician_id = 0;
  chat->note_id = 0;
  chat->accepted_at = chat->ended_at = 0;
  chat->last_seq = 0;
  chat->end_reason = HD_END_REASON_NONE;
  chat->waiting_since = chat->created_at;
}

void
hd_store_impl_privileges_rows (const HdPrivileges *privileges,
                               const char        **keys,
                               gint64             *values)
{
  const char *k[HD_STORE_IMPL_N_PRIVILEGES] = {
    "chat_enabled", "customer_chat_with_team", "max_chats_per_technician", "waiting_timeout_s",
    "inactivity_timeout_s",
  };
  gint64 v[HD_STORE_IMPL_N_PRIVILEGES] = {
    privileges->chat_enabled != FALSE, privileges->customer_chat_with_team != FALSE,
    privileges->max_chats_per_technician, privileges->waiting_timeout_s, privileges->inactivity_timeout_s,
  };

  memcpy (keys, k, sizeof k);
  memcpy (values, v, sizeof v);
}

void
hd_store_impl_privilege_set (HdPrivileges *out,
                             const char   *key,
                             gint64        value)
{
  if (g_strcmp0 (key, "chat_enabled") == 0)
    out->chat_enabled = value != 0;
  else if (g_strcmp0 (key, "customer_chat_with_team") == 0)
    out->customer_chat_with_team = value != 0;
  else if (g_strcmp0 (key, "max_chats_per_technician") == 0)
    out->max_chats_per_technician = value;
  else if (g_strcmp0 (key, "waiting_timeout_s") == 0)
    out->waiting_timeout_s = value;
  else if (g_strcmp0 (key, "inactivity_timeout_s") == 0)
    out->inactivity_timeout_s = value;
}

gboolean
hd_store_impl_finish_tx (HdStore  *self,
                         gboolean  ok,
                         GError  **error)
{
  if (!ok)
    {
      hd_store_rollback (self);
      return FALSE;
    }
  return hd_store_commit (self, error);
}

HdMessageRecord *
hd_store_impl_finish_message (HdStore          *self,
                              HdMessageRecord  *m,
                              gboolean         *created,
                              GError          **error)
{
  if (!hd_store_impl_finish_tx (self, m != NULL, error))
    {
      if (m != NULL)
        *created = FALSE;
      g_clear_pointer (&m, hd_message_record_free);
    }
  return m;
}

GPtrArray *
hd_store_impl_page_end (GPtrArray *list,
                        guint      limit,
                        gboolean  *more)
{
  if (more)
    *more = list->len > limit;
  if (list->len > limit)
    g_ptr_array_set_size (list, limit);
  return list;
}

/* ---- calls that are others' with fixed arguments --------------------- */

gboolean
hd_store_chat_end (HdStore       *self,
                   gint64         chat_id,
                   gint64         now,
                   HdChatRecord  *out,
                   GError       **error)
{
  return hd_store_chat_end_with_reason (self, chat_id, now, HD_END_REASON_NONE, -1, out, error);
}

HdMessageRecord *
hd_store_message_add (HdStore     *self,
                      gint64       chat_id,
                      gint64       author_id,
                      const char  *body,
                      const char  *client_id,
                      gint64       now,
                      gboolean    *created,
                      GError     **error)
{
  return hd_store_message_add_kind (self, chat_id, author_id, HD_MESSAGE_KIND_TEXT, body, client_id, now,
                                    created, error);
}

/* ---- the implementation's calls -------------------------------------- */

int
hd_store_get_schema_version (HdStore *self)
{
  HD_STORE_CALL (get_schema_version, -1, NULL);
}

gboolean
hd_store_begin (HdStore  *self,
                GError  **error)
{
  HD_STORE_CALL (begin, FALSE, error, error);
}

gboolean
hd_store_commit (HdStore  *self,
                 GError  **error)
{
  HD_STORE_CALL (commit, FALSE, error, error);
}

void
hd_store_rollback (HdStore *self)
{
  HD_STORE_CALL_VOID (rollback);
}

gboolean
hd_store_housekeeping (HdStore *self)
{
  HdStoreClass *klass = HD_STORE_GET_CLASS (self);

  return klass->housekeeping != NULL && klass->housekeeping (self);
}

gint64
hd_store_count_users (HdStore *self)
{
  HD_STORE_CALL (count_users, 0, NULL);
}

HdUserRecord *
hd_store_user_create (HdStore     *self,
                      const char  *login,
                      const char  *name,
                      const char  *email,
                      HdRole       role,
                      const char  *password_hash,
                      GError     **error)
{
  HD_STORE_CALL (user_create, NULL, error, login, name, email, role, password_hash, error);
}

HdUserRecord *
hd_store_user_get (HdStore  *self,
                   gint64    id,
                   GError  **error)
{
  HD_STORE_CALL (user_get, NULL, error, id, error);
}

HdUserRecord *
hd_store_user_get_by_login (HdStore     *self,
                            const char  *login,
                            GError     **error)
{
  HD_STORE_CALL (user_get_by_login, NULL, error, login, error);
}

gboolean
hd_store_user_set_available (HdStore   *self,
                             gint64     id,
                             gboolean   available,
                             GError   **error)
{
  HD_STORE_CALL (user_set_available, FALSE, error, id, available, error);
}

GPtrArray *
hd_store_users_list (HdStore  *self,
                     int       role,
                     GError  **error)
{
  HD_STORE_CALL (users_list, NULL, error, role, error);
}

gboolean
hd_store_token_add (HdStore     *self,
                    const char  *token_hash,
                    gint64       user_id,
                    gint64       now,
                    GError     **error)
{
  HD_STORE_CALL (token_add, FALSE, error, token_hash, user_id, now, error);
}

HdUserRecord *
hd_store_token_lookup (HdStore     *self,
                       const char  *token_hash,
                       GError     **error)
{
  HD_STORE_CALL (token_lookup, NULL, error, token_hash, error);
}

gboolean
hd_store_token_delete (HdStore     *self,
                       const char  *token_hash,
                       GError     **error)
{
  HD_STORE_CALL (token_delete, FALSE, error, token_hash, error);
}

gboolean
hd_store_mail_reserve (HdStore   *self,
                       gint64     chat_id,
                       gint64     now,
                       gint64     window,
                       guint      max,
                       gboolean  *reserved,
                       GError   **error)
{
  *reserved = FALSE;
  HD_STORE_CALL (mail_reserve, FALSE, error, chat_id, now, window, max, reserved, error);
}

gboolean
hd_store_mail_release (HdStore   *self,
                       gint64     chat_id,
                       gint64     now,
                       GError   **error)
{
  HD_STORE_CALL (mail_release, FALSE, error, chat_id, now, error);
}

HdTeamRecord *
hd_store_team_create (HdStore       *self,
                      const char    *name,
                      const gint64  *member_ids,
                      guint          n_members,
                      GError       **error)
{
  HD_STORE_CALL (team_create, NULL, error, name, member_ids, n_members, error);
}

HdTeamRecord *
hd_store_team_get (HdStore  *self,
                   gint64    id,
                   GError  **error)
{
  HD_STORE_CALL (team_get, NULL, error, id, error);
}

GPtrArray *
hd_store_teams_list (HdStore  *self,
                     GError  **error)
{
  HD_STORE_CALL (teams_list, NULL, error, error);
}

gboolean
hd_store_team_add_member (HdStore  *self,
                          gint64    team_id,
                          gint64    user_id,
                          GError  **error)
{
  HD_STORE_CALL (team_add_member, FALSE, error, team_id, user_id, error);
}

GArray *
hd_store_team_member_ids (HdStore  *self,
                          gint64    team_id,
                          GError  **error)
{
  HD_STORE_CALL (team_member_ids, NULL, error, team_id, error);
}

gboolean
hd_store_team_has_member (HdStore *self,
                          gint64   team_id,
                          gint64   user_id)
{
  HD_STORE_CALL (team_has_member, FALSE, NULL, team_id, user_id);
}

gboolean
hd_store_privileges_get (HdStore       *self,
                         HdPrivileges  *out,
                         GError       **error)
{
  HD_STORE_CALL (privileges_get, FALSE, error, out, error);
}

gboolean
hd_store_privileges_set (HdStore             *self,
                         const HdPrivileges  *privileges,
                         GError             **error)
{
  HD_STORE_CALL (privileges_set, FALSE, error, privileges, error);
}

HdRequestRecord *
hd_store_request_create (HdStore     *self,
                         const char  *subject,
                         const char  *description,
                         gint64       customer_id,
                         gint64       assignee_id,
                         gint64       team_id,
                         gboolean     closed,
                         gint64       now,
                         GError     **error)
{
  HD_STORE_CALL (request_create, NULL, error, subject, description, customer_id, assignee_id, team_id, closed, now, error);
}

HdRequestRecord *
hd_store_request_get (HdStore  *self,
                      gint64    id,
                      GError  **error)
{
  HD_STORE_CALL (request_get, NULL, error, id, error);
}

gboolean
hd_store_request_update (HdStore                *self,
                         const HdRequestRecord  *request,
                         GError                **error)
{
  HD_STORE_CALL (request_update, FALSE, error, request, error);
}

GPtrArray *
hd_store_requests_list (HdStore           *self,
                        HdRequestsFilter   filter,
                        gint64             user_id,
                        GError           **error)
{
  HD_STORE_CALL (requests_list, NULL, error, filter, user_id, error);
}

gboolean
hd_store_chat_create (HdStore       *self,
                      HdChatRecord  *chat,
                      GError       **error)
{
  HD_STORE_CALL (chat_create, FALSE, error, chat, error);
}

gboolean
hd_store_chat_get (HdStore       *self,
                   gint64         id,
                   HdChatRecord  *out,
                   GError       **error)
{
  HD_STORE_CALL (chat_get, FALSE, error, id, out, error);
}

gboolean
hd_store_chat_get_open_for_request (HdStore      *self,
                                    gint64        request_id,
                                    HdChatRecord *out)
{
  HD_STORE_CALL (chat_get_open_for_request, FALSE, NULL, request_id, out);
}

gboolean
hd_store_chat_accept (HdStore       *self,
                      gint64         chat_id,
                      gint64         technician_id,
                      gint64         now,
                      HdChatRecord  *out,
                      GError       **error)
{
  HD_STORE_CALL (chat_accept, FALSE, error, chat_id, technician_id, now, out, error);
}

gboolean
hd_store_chat_end_with_reason (HdStore       *self,
                               gint64         chat_id,
                               gint64         now,
                               HdEndReason    reason,
                               int            only_state,
                               HdChatRecord  *out,
                               GError       **error)
{
  HD_STORE_CALL (chat_end_with_reason, FALSE, error, chat_id, now, reason, only_state, out, error);
}

GArray *
hd_store_chats_for_member (HdStore  *self,
                           gint64    user_id,
                           int       state,
                           GError  **error)
{
  HD_STORE_CALL (chats_for_member, NULL, error, user_id, state, error);
}

GArray *
hd_store_chats_waiting (HdStore  *self,
                        GError  **error)
{
  HD_STORE_CALL (chats_waiting, NULL, error, error);
}

gboolean
hd_store_chat_set_note (HdStore  *self,
                        gint64    chat_id,
                        gint64    note_id,
                        GError  **error)
{
  HD_STORE_CALL (chat_set_note, FALSE, error, chat_id, note_id, error);
}

HdMessageRecord *
hd_store_message_add_kind (HdStore        *self,
                           gint64          chat_id,
                           gint64          author_id,
                           HdMessageKind   kind,
                           const char     *body,
                           const char     *client_id,
                           gint64          now,
                           gboolean       *created,
                           GError        **error)
{
  HD_STORE_CALL (message_add_kind, NULL, error, chat_id, author_id, kind, body, client_id, 0, now, created,
                 error);
}

GPtrArray *
hd_store_users_get_many (HdStore  *self,
                         GArray   *ids,
                         GError  **error)
{
  HdStoreClass *klass = HD_STORE_GET_CLASS (self);
  GPtrArray *list;

  if (klass->users_get_many != NULL)
    return klass->users_get_many (self, ids, error);
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) hd_user_record_free);
  for (guint i = 0; i < ids->len; i++)
    {
      HdUserRecord *u = hd_store_user_get (self, g_array_index (ids, gint64, i), NULL);

      if (u != NULL)
        g_ptr_array_add (list, u);
    }
  return list;
}

GArray *
hd_store_chats_get_many (HdStore  *self,
                         GArray   *ids,
                         GError  **error)
{
  HdStoreClass *klass = HD_STORE_GET_CLASS (self);
  GArray *list;

  if (klass->chats_get_many != NULL)
    return klass->chats_get_many (self, ids, error);
  list = g_array_new (FALSE, FALSE, sizeof (HdChatRecord));
  for (guint i = 0; i < ids->len; i++)
    {
      HdChatRecord chat;

      if (hd_store_chat_get (self, g_array_index (ids, gint64, i), &chat, NULL))
        g_array_append_val (list, chat);
    }
  return list;
}

GPtrArray *
hd_store_notes_get_many_locked (HdStore  *self,
                                GArray   *ids,
                                GError  **error)
{
  HdStoreClass *klass = HD_STORE_GET_CLASS (self);
  GPtrArray *list;

  if (klass->notes_get_many_locked != NULL)
    return klass->notes_get_many_locked (self, ids, error);
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) hd_note_record_free);
  for (guint i = 0; i < ids->len; i++)
    {
      HdNoteRecord *n = hd_store_note_get (self, g_array_index (ids, gint64, i), NULL);

      if (n != NULL)
        g_ptr_array_add (list, n);
    }
  return list;
}

void
hd_store_message_add_later (HdStore           *self,
                            gint64             chat_id,
                            gint64             author_id,
                            const char        *body,
                            const char        *client_id,
                            gint64             now,
                            HdStoreMessageDone done,
                            gpointer           user_data)
{
  HdStoreClass *klass = HD_STORE_GET_CLASS (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(HdMessageRecord) m = NULL;
  gboolean created = FALSE;

  if (klass->message_add_later != NULL)
    {
      klass->message_add_later (self, chat_id, author_id, body, client_id, now, done, user_data);
      return;
    }
  m = hd_store_message_add (self, chat_id, author_id, body, client_id, now, &created, &error);
  done (m, created, error, user_data);
}

gboolean
hd_store_sync (HdStore *self)
{
  HdStoreClass *klass = HD_STORE_GET_CLASS (self);

  return klass->sync == NULL || klass->sync (self);
}

GPtrArray *
hd_store_messages_list (HdStore   *self,
                        gint64     chat_id,
                        gint64     after,
                        guint      limit,
                        gboolean  *more,
                        GError   **error)
{
  HD_STORE_CALL (messages_list, NULL, error, chat_id, after, limit, more, error);
}

GPtrArray *
hd_store_notes_list (HdStore  *self,
                     gint64    request_id,
                     GError  **error)
{
  HD_STORE_CALL (notes_list, NULL, error, request_id, error);
}

HdNoteRecord *
hd_store_note_get (HdStore  *self,
                   gint64    id,
                   GError  **error)
{
  HD_STORE_CALL (note_get, NULL, error, id, error);
}

HdNoteRecord *
hd_store_note_add (HdStore     *self,
                   gint64       request_id,
                   HdNoteKind   kind,
                   gint64       chat_id,
                   gint64       author_id,
                   const char  *body,
                   gint64       now,
                   GError     **error)
{
  HD_STORE_CALL (note_add, NULL, error, request_id, kind, chat_id, author_id, body, now, error);
}

gboolean
hd_store_note_grow (HdStore  *self,
                    gint64    note_id,
                    gint64    chars,
                    gint64    updated_at,
                    gint64   *length,
                    GError  **error)
{
  HD_STORE_CALL (note_grow, FALSE, error, note_id, chars, updated_at, length, error);
}

gint64
hd_store_queue_position (HdStore            *self,
                         const HdChatRecord *chat)
{
  HD_STORE_CALL (queue_position, 0, NULL, chat);
}

GArray *
hd_store_queue_recent_waits (HdStore      *self,
                             HdTargetKind  target_kind,
                             gint64        target_id,
                             guint         n)
{
  HD_STORE_CALL (queue_recent_waits, NULL, NULL, target_kind, target_id, n);
}

gboolean
hd_store_chat_rate (HdStore     *self,
                    gint64       chat_id,
                    int          score,
                    const char  *comment,
                    GError     **error)
{
  HD_STORE_CALL (chat_rate, FALSE, error, chat_id, score, comment, error);
}

char *
hd_store_chat_rating_comment (HdStore *self,
                              gint64   chat_id)
{
  HD_STORE_CALL (chat_rating_comment, NULL, NULL, chat_id);
}

HdMessageRecord *
hd_store_attachment_add (HdStore       *self,
                         HdAttachmentRecord  *meta,
                         GBytes        *data,
                         const char    *body,
                         const char    *client_id,
                         gint64         now,
                         gboolean      *created,
                         GError       **error)
{
  HD_STORE_CALL (attachment_add, NULL, error, meta, data, body, client_id, now, created, error);
}

HdAttachmentRecord *
hd_store_attachment_get (HdStore  *self,
                         gint64    id,
                         GError  **error)
{
  HD_STORE_CALL (attachment_get, NULL, error, id, error);
}

GBytes *
hd_store_attachment_read (HdStore  *self,
                          gint64    id,
                          gint64    offset,
                          gsize     length,
                          GError  **error)
{
  HD_STORE_CALL (attachment_read, NULL, error, id, offset, length, error);
}

gboolean
hd_store_user_set_away (HdStore   *self,
                        gint64     id,
                        gboolean   away,
                        GError   **error)
{
  HD_STORE_CALL (user_set_away, FALSE, error, id, away, error);
}

gint64
hd_store_count_active_chats (HdStore *self,
                             gint64   technician_id)
{
  HD_STORE_CALL (count_active_chats, 0, NULL, technician_id);
}

gboolean
hd_store_chat_set_technician (HdStore       *self,
                              gint64         chat_id,
                              gint64         from_technician,
                              gint64         to_technician,
                              HdChatRecord  *out,
                              GError       **error)
{
  HD_STORE_CALL (chat_set_technician, FALSE, error, chat_id, from_technician, to_technician, out, error);
}

gboolean
hd_store_chat_to_team (HdStore       *self,
                       gint64         chat_id,
                       HdChatState    from_state,
                       gint64         team_id,
                       gint64         now,
                       HdChatRecord  *out,
                       GError       **error)
{
  HD_STORE_CALL (chat_to_team, FALSE, error, chat_id, from_state, team_id, now, out, error);
}

GArray *
hd_store_chats_inactive_since (HdStore  *self,
                               gint64    before,
                               GError  **error)
{
  HD_STORE_CALL (chats_inactive_since, NULL, error, before, error);
}

GPtrArray *
hd_store_canned_list (HdStore  *self,
                      gint64    user_id,
                      GError  **error)
{
  HD_STORE_CALL (canned_list, NULL, error, user_id, error);
}

HdCannedRecord *
hd_store_canned_get (HdStore  *self,
                     gint64    id,
                     GError  **error)
{
  HD_STORE_CALL (canned_get, NULL, error, id, error);
}

gboolean
hd_store_canned_create (HdStore   *self,
                        HdCannedRecord  *canned,
                        GError   **error)
{
  HD_STORE_CALL (canned_create, FALSE, error, canned, error);
}

gboolean
hd_store_canned_update (HdStore         *self,
                        const HdCannedRecord  *canned,
                        GError         **error)
{
  HD_STORE_CALL (canned_update, FALSE, error, canned, error);
}

gboolean
hd_store_canned_delete (HdStore  *self,
                        gint64    id,
                        GError  **error)
{
  HD_STORE_CALL (canned_delete, FALSE, error, id, error);
}

GPtrArray *
hd_store_search (HdStore           *self,
                 HdRequestsFilter   filter,
                 gint64             user_id,
                 const char        *query,
                 guint              limit,
                 GError           **error)
{
  HD_STORE_CALL (search, NULL, error, filter, user_id, query, limit, error);
}

char *
hd_store_search_plan (HdStore           *self,
                      HdRequestsFilter   filter,
                      GError           **error)
{
  HD_STORE_CALL (search_plan, NULL, error, filter, error);
}
