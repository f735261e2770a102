/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* For the store's implementations only (hd-store-sqlite*.c,
 * hd-store-pg*.c): the class of virtual methods behind hd-store.h.
 *
 * HdStore is abstract; each public hd_store_X (self, args…) in
 * hd-store.c calls the class slot X (the name without "hd_store_") with
 * the same arguments.  An implementation is a final subclass whose
 * class_init fills the slots it has:
 *
 *     HD_STORE_VFUNC (klass, user_get, pg_user_get);
 *
 * A slot left NULL answers HD_ERROR_INTERNAL ("not supported by this
 * store"), or 0 / NULL / FALSE when the call takes no GError.  A new store
 * call is one slot here, one dispatcher in hd-store.c and its
 * implementations. */

#include "hd-store.h"
#include "hd-store-tech.h"

G_BEGIN_DECLS

struct _HdStoreClass
{
  GObjectClass parent_class;

  /* What GET /health says: "sqlite" or "postgresql". */
  const char *kind;

  int (*get_schema_version) (HdStore *self);
  gboolean (*begin) (HdStore *self,
                     GError **error);
  gboolean (*commit) (HdStore *self,
                      GError **error);
  void (*rollback) (HdStore *self);
  gboolean (*housekeeping) (HdStore *self);
  gint64 (*count_users) (HdStore *self);
  HdUserRecord *(*user_create) (HdStore *self,
                                const char *login,
                                const char *name,
                                const char *email,
                                HdRole role,
                                const char *password_hash,
                                GError **error);
  HdUserRecord *(*user_get) (HdStore *self,
                             gint64 id,
                             GError **error);
  HdUserRecord *(*user_get_by_login) (HdStore *self,
                                      const char *login,
                                      GError **error);
  gboolean (*user_set_available) (HdStore *self,
                                  gint64 id,
                                  gboolean available,
                                  GError **error);
  GPtrArray *(*users_list) (HdStore *self,
                            int role,
                            GError **error);
  gboolean (*token_add) (HdStore *self,
                         const char *token_hash,
                         gint64 user_id,
                         gint64 now,
                         GError **error);
  HdUserRecord *(*token_lookup) (HdStore *self,
                                 const char *token_hash,
                                 GError **error);
  gboolean (*token_delete) (HdStore *self,
                            const char *token_hash,
                            GError **error);
  gboolean (*mail_reserve) (HdStore *self,
                            gint64 chat_id,
                            gint64 now,
                            gint64 window,
                            guint max,
                            gboolean *reserved,
                            GError **error);
  gboolean (*mail_release) (HdStore *self,
                            gint64 chat_id,
                            gint64 now,
                            GError **error);
  HdTeamRecord *(*team_create) (HdStore *self,
                                const char *name,
                                const gint64 *member_ids,
                                guint n_members,
                                GError **error);
  HdTeamRecord *(*team_get) (HdStore *self,
                             gint64 id,
                             GError **error);
  GPtrArray *(*teams_list) (HdStore *self,
                            GError **error);
  gboolean (*team_add_member) (HdStore *self,
                               gint64 team_id,
                               gint64 user_id,
                               GError **error);
  GArray *(*team_member_ids) (HdStore *self,
                              gint64 team_id,
                              GError **error);
  gboolean (*team_has_member) (HdStore *self,
                               gint64 team_id,
                               gint64 user_id);
  gboolean (*privileges_get) (HdStore *self,
                              HdPrivileges *out,
                              GError **error);
  gboolean (*privileges_set) (HdStore *self,
                              const HdPrivileges *privileges,
                              GError **error);
  HdRequestRecord *(*request_create) (HdStore *self,
                                      const char *subject,
                                      const char *description,
                                      gint64 customer_id,
                                      gint64 assignee_id,
                                      gint64 team_id,
                                      gboolean closed,
                                      gint64 now,
                                      GError **error);
  HdRequestRecord *(*request_get) (HdStore *self,
                                   gint64 id,
                                   GError **error);
  gboolean (*request_update) (HdStore *self,
                              const HdRequestRecord *request,
                              GError **error);
  GPtrArray *(*requests_list) (HdStore *self,
                               HdRequestsFilter filter,
                               gint64 user_id,
                               GError **error);
  gboolean (*chat_create) (HdStore *self,
                           HdChatRecord *chat,
                           GError **error);
  gboolean (*chat_get) (HdStore *self,
                        gint64 id,
                        HdChatRecord *out,
                        GError **error);
  gboolean (*chat_get_open_for_request) (HdStore *self,
                                         gint64 request_id,
                                         HdChatRecord *out);
  gboolean (*chat_accept) (HdStore *self,
                           gint64 chat_id,
                           gint64 technician_id,
                           gint64 now,
                           HdChatRecord *out,
                           GError **error);
  gboolean (*chat_end_with_reason) (HdStore *self,
                                    gint64 chat_id,
                                    gint64 now,
                                    HdEndReason reason,
                                    int only_state,
                                    HdChatRecord *out,
                                    GError **error);
  GArray *(*chats_for_member) (HdStore *self,
                               gint64 user_id,
                               int state,
                               GError **error);
  GArray *(*chats_waiting) (HdStore *self,
                            GError **error);
  gboolean (*chat_set_note) (HdStore *self,
                             gint64 chat_id,
                             gint64 note_id,
                             GError **error);
  /* hd_store_message_add_kind () with @attachment_id 0; the
   * implementation's attachment_add uses it with its attachment. */
  HdMessageRecord *(*message_add_kind) (HdStore *self,
                                        gint64 chat_id,
                                        gint64 author_id,
                                        HdMessageKind kind,
                                        const char *body,
                                        const char *client_id,
                                        gint64 attachment_id,
                                        gint64 now,
                                        gboolean *created,
                                        GError **error);
  /* NULL: one user_get / chat_get / note_get per id. */
  GPtrArray *(*users_get_many) (HdStore *self,
                                GArray *ids,
                                GError **error);
  GArray *(*chats_get_many) (HdStore *self,
                             GArray *ids,
                             GError **error);
  GPtrArray *(*notes_get_many_locked) (HdStore *self,
                                       GArray *ids,
                                       GError **error);
  /* NULL: hd_store_message_add_later () calls message_add_kind at once. */
  void (*message_add_later) (HdStore *self,
                             gint64 chat_id,
                             gint64 author_id,
                             const char *body,
                             const char *client_id,
                             gint64 now,
                             HdStoreMessageDone done,
                             gpointer user_data);
  /* NULL: nothing is ever pending. */
  gboolean (*sync) (HdStore *self);
  GPtrArray *(*messages_list) (HdStore *self,
                               gint64 chat_id,
                               gint64 after,
                               guint limit,
                               gboolean *more,
                               GError **error);
  GPtrArray *(*notes_list) (HdStore *self,
                            gint64 request_id,
                            GError **error);
  HdNoteRecord *(*note_get) (HdStore *self,
                             gint64 id,
                             GError **error);
  HdNoteRecord *(*note_add) (HdStore *self,
                             gint64 request_id,
                             HdNoteKind kind,
                             gint64 chat_id,
                             gint64 author_id,
                             const char *body,
                             gint64 now,
                             GError **error);
  gboolean (*note_grow) (HdStore *self,
                         gint64 note_id,
                         gint64 chars,
                         gint64 updated_at,
                         gint64 *length,
                         GError **error);
  gint64 (*queue_position) (HdStore *self,
                            const HdChatRecord *chat);
  GArray *(*queue_recent_waits) (HdStore *self,
                                 HdTargetKind target_kind,
                                 gint64 target_id,
                                 guint n);
  gboolean (*chat_rate) (HdStore *self,
                         gint64 chat_id,
                         int score,
                         const char *comment,
                         GError **error);
  char *(*chat_rating_comment) (HdStore *self,
                                gint64 chat_id);
  HdMessageRecord *(*attachment_add) (HdStore *self,
                                      HdAttachmentRecord *meta,
                                      GBytes *data,
                                      const char *body,
                                      const char *client_id,
                                      gint64 now,
                                      gboolean *created,
                                      GError **error);
  HdAttachmentRecord *(*attachment_get) (HdStore *self,
                                   gint64 id,
                                   GError **error);
  GBytes *(*attachment_read) (HdStore *self,
                              gint64 id,
                              gint64 offset,
                              gsize length,
                              GError **error);
  gboolean (*user_set_away) (HdStore *self,
                             gint64 id,
                             gboolean away,
                             GError **error);
  gint64 (*count_active_chats) (HdStore *self,
                                gint64 technician_id);
  gboolean (*chat_set_technician) (HdStore *self,
                                   gint64 chat_id,
                                   gint64 from_technician,
                                   gint64 to_technician,
                                   HdChatRecord *out,
                                   GError **error);
  gboolean (*chat_to_team) (HdStore *self,
                            gint64 chat_id,
                            HdChatState from_state,
                            gint64 team_id,
                            gint64 now,
                            HdChatRecord *out,
                            GError **error);
  GArray *(*chats_inactive_since) (HdStore *self,
                                   gint64 before,
                                   GError **error);
  GPtrArray *(*canned_list) (HdStore *self,
                             gint64 user_id,
                             GError **error);
  HdCannedRecord *(*canned_get) (HdStore *self,
                           gint64 id,
                           GError **error);
  gboolean (*canned_create) (HdStore *self,
                             HdCannedRecord *canned,
                             GError **error);
  gboolean (*canned_update) (HdStore *self,
                             const HdCannedRecord *canned,
                             GError **error);
  gboolean (*canned_delete) (HdStore *self,
                             gint64 id,
                             GError **error);
  GPtrArray *(*search) (HdStore *self,
                        HdRequestsFilter filter,
                        gint64 user_id,
                        const char *query,
                        guint limit,
                        GError **error);
  char *(*search_plan) (HdStore *self,
                        HdRequestsFilter filter,
                        GError **error);
};

/* Helpers the implementations share (hd-store.c). */

/* The record of a message just stored. */
HdMessageRecord *hd_store_impl_message_new (gint64         id,
                                            gint64         chat_id,
                                            gint64         seq,
                                            HdMessageKind  kind,
                                            gint64         author_id,
                                            const char    *body,
                                            const char    *client_id,
                                            gint64         created_at,
                                            gint64         attachment_id);
/* A chat the store just created (its id set): the rest of a new waiting
 * chat's fields, as its row now holds them. */
void             hd_store_impl_chat_created   (HdChatRecord       *chat);
/* The privileges as settings rows (key, value; booleans 0 or 1), in one
 * order: fills @keys and @values (HD_STORE_IMPL_N_PRIVILEGES each). */
#define HD_STORE_IMPL_N_PRIVILEGES 5
void             hd_store_impl_privileges_rows (const HdPrivileges *privileges,
                                                const char        **keys,
                                                gint64             *values);
/* Sets the field of @out that settings row @key names to @value (a
 * boolean when non-zero); an unknown key is left alone. */
void             hd_store_impl_privilege_set   (HdPrivileges       *out,
                                                const char         *key,
                                                gint64              value);
/* Ends the transaction opened by the implementation's begin: commits when
 * @ok, else rolls back and returns FALSE. */
gboolean         hd_store_impl_finish_tx   (HdStore         *self,
                                            gboolean         ok,
                                            GError         **error);
/* Ends the transaction an attachment and its message @m were stored in:
 * rolls back when @m is NULL (storing it failed), else commits; NULL when
 * either failed (then *@created is FALSE and @m freed), else @m. */
HdMessageRecord *hd_store_impl_finish_message (HdStore         *self,
                                               HdMessageRecord *m,
                                               gboolean        *created,
                                               GError         **error);
/* A page read with LIMIT @limit + 1: the extra row only says whether more
 * remain (*@more, when not NULL); it is dropped.  Returns @list. */
GPtrArray       *hd_store_impl_page_end    (GPtrArray     *list,
                                            guint          limit,
                                            gboolean      *more);

/* Fills @slot with @func, whose first argument may be the subclass's own
 * pointer type (as GLib's G_CALLBACK casts do). */
#define HD_STORE_VFUNC(klass, slot, func) \
  ((klass)->slot = (__typeof__ ((klass)->slot)) (func))

G_END_DECLS
