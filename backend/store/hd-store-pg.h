/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hd-store-impl.h"

G_BEGIN_DECLS

/* The PostgreSQL store (libpq), HdStorePg: an implementation of
 * hd-store.h (its class slots are filled in hd_store_pg_class_init ()),
 * used when --database is a postgresql:// URI.  Several
 * servers may share the database: the seed rules that must hold between
 * processes (one open chat per request, first accept wins, message seq)
 * are single statements or constraints, as in SQLite. */

#define HD_TYPE_STORE_PG (hd_store_pg_get_type ())
G_DECLARE_FINAL_TYPE (HdStorePg, hd_store_pg, HD, STORE_PG, HdStore)

HdStore   *hd_store_pg_open                  (const char    *uri,
                                              GError       **error);
int        hd_store_pg_get_schema_version    (HdStorePg     *self);

gboolean   hd_store_pg_begin                 (HdStorePg     *self,
                                              GError       **error);
gboolean   hd_store_pg_commit                (HdStorePg     *self,
                                              GError       **error);
void       hd_store_pg_rollback              (HdStorePg     *self);

gint64     hd_store_pg_count_users           (HdStorePg     *self);
HdUserRecord    *hd_store_pg_user_create           (HdStorePg     *self,
                                              const char    *login,
                                              const char    *name,
                                              const char    *email,
                                              HdRole         role,
                                              const char    *password_hash,
                                              GError       **error);
HdUserRecord    *hd_store_pg_user_get              (HdStorePg     *self,
                                              gint64         id,
                                              GError       **error);
HdUserRecord    *hd_store_pg_user_get_by_login     (HdStorePg     *self,
                                              const char    *login,
                                              GError       **error);
gboolean   hd_store_pg_user_set_available    (HdStorePg     *self,
                                              gint64         id,
                                              gboolean       available,
                                              GError       **error);
GPtrArray *hd_store_pg_users_list            (HdStorePg     *self,
                                              int            role,
                                              GError       **error);

gboolean   hd_store_pg_token_add             (HdStorePg     *self,
                                              const char    *token_hash,
                                              gint64         user_id,
                                              gint64         now,
                                              GError       **error);
HdUserRecord    *hd_store_pg_token_lookup          (HdStorePg     *self,
                                              const char    *token_hash,
                                              GError       **error);
gboolean   hd_store_pg_token_delete          (HdStorePg     *self,
                                              const char    *token_hash,
                                              GError       **error);

HdTeamRecord    *hd_store_pg_team_create           (HdStorePg     *self,
                                              const char    *name,
                                              const gint64  *member_ids,
                                              guint          n_members,
                                              GError       **error);
HdTeamRecord    *hd_store_pg_team_get              (HdStorePg     *self,
                                              gint64         id,
                                              GError       **error);
GPtrArray *hd_store_pg_teams_list            (HdStorePg     *self,
                                              GError       **error);
gboolean   hd_store_pg_team_add_member       (HdStorePg     *self,
                                              gint64         team_id,
                                              gint64         user_id,
                                              GError       **error);
GArray    *hd_store_pg_team_member_ids       (HdStorePg     *self,
                                              gint64         team_id,
                                              GError       **error);
gboolean   hd_store_pg_team_has_member       (HdStorePg     *self,
                                              gint64         team_id,
                                              gint64         user_id);

gboolean   hd_store_pg_privileges_get        (HdStorePg     *self,
                                              HdPrivileges  *out,
                                              GError       **error);
gboolean   hd_store_pg_privileges_set        (HdStorePg     *self,
                                              const HdPrivileges *privileges,
                                              GError       **error);

HdRequestRecord *hd_store_pg_request_create        (HdStorePg     *self,
                                              const char    *subject,
                                              const char    *description,
                                              gint64         customer_id,
                                              gint64         assignee_id,
                                              gint64         team_id,
                                              gboolean       closed,
                                              gint64         now,
                                              GError       **error);
HdRequestRecord *hd_store_pg_request_get           (HdStorePg     *self,
                                              gint64         id,
                                              GError       **error);
gboolean   hd_store_pg_request_update        (HdStorePg     *self,
                                              const HdRequestRecord *request,
                                              GError       **error);
GPtrArray *hd_store_pg_requests_list         (HdStorePg     *self,
                                              HdRequestsFilter filter,
                                              gint64         user_id,
                                              GError       **error);

gboolean   hd_store_pg_chat_create           (HdStorePg     *self,
                                              HdChatRecord        *chat,
                                              GError       **error);
gboolean   hd_store_pg_chat_get              (HdStorePg     *self,
                                              gint64         id,
                                              HdChatRecord        *out,
                                              GError       **error);
gboolean   hd_store_pg_chat_get_open_for_request (HdStorePg *self,
                                                  gint64     request_id,
                                                  HdChatRecord    *out);
gboolean   hd_store_pg_chat_accept           (HdStorePg     *self,
                                              gint64         chat_id,
                                              gint64         technician_id,
                                              gint64         now,
                                              HdChatRecord        *out,
                                              GError       **error);
GArray    *hd_store_pg_chats_for_member      (HdStorePg     *self,
                                              gint64         user_id,
                                              int            state,
                                              GError       **error);
GArray    *hd_store_pg_chats_waiting         (HdStorePg     *self,
                                              GError       **error);

GPtrArray *hd_store_pg_messages_list         (HdStorePg     *self,
                                              gint64         chat_id,
                                              gint64         after,
                                              guint          limit,
                                              gboolean      *more,
                                              GError       **error);

GPtrArray *hd_store_pg_notes_list            (HdStorePg     *self,
                                              gint64         request_id,
                                              GError       **error);
HdNoteRecord    *hd_store_pg_note_get              (HdStorePg     *self,
                                              gint64         id,
                                              GError       **error);
HdNoteRecord    *hd_store_pg_note_add              (HdStorePg     *self,
                                              gint64         request_id,
                                              HdNoteKind     kind,
                                              gint64         chat_id,
                                              gint64         author_id,
                                              const char    *body,
                                              gint64         now,
                                              GError       **error);

gint64     hd_store_pg_queue_position        (HdStorePg     *self,
                                              const HdChatRecord  *chat);
GArray    *hd_store_pg_queue_recent_waits    (HdStorePg     *self,
                                              HdTargetKind   target_kind,
                                              gint64         target_id,
                                              guint          n);
gboolean   hd_store_pg_chat_rate             (HdStorePg     *self,
                                              gint64         chat_id,
                                              int            score,
                                              const char    *comment,
                                              GError       **error);
char      *hd_store_pg_chat_rating_comment   (HdStorePg     *self,
                                              gint64         chat_id);
HdMessageRecord *hd_store_pg_attachment_add        (HdStorePg     *self,
                                              HdAttachment  *meta,
                                              GBytes        *data,
                                              const char    *body,
                                              const char    *client_id,
                                              gint64         now,
                                              gboolean      *created,
                                              GError       **error);
HdAttachment *hd_store_pg_attachment_get     (HdStorePg     *self,
                                              gint64         id,
                                              GError       **error);
GBytes    *hd_store_pg_attachment_read       (HdStorePg     *self,
                                              gint64         id,
                                              gint64         offset,
                                              gsize          length,
                                              GError       **error);

gboolean   hd_store_pg_chat_end_with_reason  (HdStorePg     *self,
                                              gint64         chat_id,
                                              gint64         now,
                                              HdEndReason    reason,
                                              int            only_state,
                                              HdChatRecord  *out,
                                              GError       **error);
HdMessageRecord *hd_store_pg_message_add_kind (HdStorePg     *self,
                                              gint64         chat_id,
                                              gint64         author_id,
                                              HdMessageKind  kind,
                                              const char    *body,
                                              const char    *client_id,
                                              gint64         now,
                                              gboolean      *created,
                                              GError       **error);

/* Contract v2 "Technicians" (hd-store-pg-tech.c): fills those slots of
 * hd-store-impl.h (hd_store_pg_class_init () calls it). */
void       hd_store_pg_tech_class_init       (HdStoreClass  *klass);

G_END_DECLS
