/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "hd-wire.h"

G_BEGIN_DECLS

/* The store interface: the only way the server reaches its data, and the
 * only code that speaks SQL.  HdStore is abstract; hd_store_open () makes
 * the implementation the database names: HdStoreSqlite (hd-store-sqlite.c,
 * the default) or HdStorePg (hd-store-pg.c, postgresql://…).  How an
 * implementation fills the calls: hd-store-impl.h.  The API carries plain
 * C records and GLib containers, never a database's types.  A store only
 * stores: the seed's rules are in core/ (hd-policy.h).  Times are microseconds since the Unix epoch.
 * Ids are positive; 0 means "none" (SQL NULL). */

#define HD_STORE_SCHEMA_VERSION 7

#define HD_TYPE_STORE (hd_store_get_type ())
G_DECLARE_DERIVABLE_TYPE (HdStore, hd_store, HD, STORE, GObject)

/* Opens (creating when needed) and migrates the database @path: a
 * postgresql:// URI or an SQLite file. */
HdStore   *hd_store_open                  (const char    *path,
                                           GError       **error);
/* "sqlite" or "postgresql". */
const char *hd_store_get_kind             (HdStore       *self);
/* Whether @database is a postgresql:// (or postgres://) URI. */
gboolean   hd_store_is_postgres_uri       (const char    *database);
int        hd_store_get_schema_version    (HdStore       *self);

/* Groups several calls into one transaction (they nest). */
gboolean   hd_store_begin                 (HdStore       *self,
                                           GError       **error);
gboolean   hd_store_commit                (HdStore       *self,
                                           GError       **error);
void       hd_store_rollback              (HdStore       *self);
/* Outside every transaction, when nothing else waits for the store (the
 * core thread between batches): one short step of work put off from the
 * commits (SQLite: indexing stored messages for search).  TRUE when
 * another step has work now. */
gboolean   hd_store_housekeeping          (HdStore       *self);

/* users */
gint64     hd_store_count_users           (HdStore       *self);
HdUserRecord    *hd_store_user_create           (HdStore       *self,
                                           const char    *login,
                                           const char    *name,
                                           const char    *email,
                                           HdRole         role,
                                           const char    *password_hash,
                                           GError       **error);
HdUserRecord    *hd_store_user_get              (HdStore       *self,
                                           gint64         id,
                                           GError       **error);
HdUserRecord    *hd_store_user_get_by_login     (HdStore       *self,
                                           const char    *login,
                                           GError       **error);
gboolean   hd_store_user_set_available    (HdStore       *self,
                                           gint64         id,
                                           gboolean       available,
                                           GError       **error);
/* @role < 0: every role.  Ordered by id. */
GPtrArray *hd_store_users_list            (HdStore       *self,
                                           int            role,
                                           GError       **error);

/* sessions: only the token's hash is kept */
gboolean   hd_store_token_add             (HdStore       *self,
                                           const char    *token_hash,
                                           gint64         user_id,
                                           gint64         now,
                                           GError       **error);
HdUserRecord    *hd_store_token_lookup          (HdStore       *self,
                                           const char    *token_hash,
                                           GError       **error);
gboolean   hd_store_token_delete          (HdStore       *self,
                                           const char    *token_hash,
                                           GError       **error);

/* Transcript mails, counted in the database so that every server on it
 * shares the limit.  Records one for @chat_id at @now (microseconds, wall
 * clock) unless @max were recorded in (@now - @window, @now]; sets
 * *@reserved to whether it did.  Atomic: of two servers asking for the
 * last one at once, only one gets it. */
gboolean   hd_store_mail_reserve          (HdStore       *self,
                                           gint64         chat_id,
                                           gint64         now,
                                           gint64         window,
                                           guint          max,
                                           gboolean      *reserved,
                                           GError       **error);
/* Takes back the one recorded at @now (the mail was not sent). */
gboolean   hd_store_mail_release          (HdStore       *self,
                                           gint64         chat_id,
                                           gint64         now,
                                           GError       **error);

/* teams */
HdTeamRecord    *hd_store_team_create           (HdStore       *self,
                                           const char    *name,
                                           const gint64  *member_ids,
                                           guint          n_members,
                                           GError       **error);
HdTeamRecord    *hd_store_team_get              (HdStore       *self,
                                           gint64         id,
                                           GError       **error);
GPtrArray *hd_store_teams_list            (HdStore       *self,
                                           GError       **error);
gboolean   hd_store_team_add_member       (HdStore       *self,
                                           gint64         team_id,
                                           gint64         user_id,
                                           GError       **error);
/* Member ids (gint64), ordered. */
GArray    *hd_store_team_member_ids       (HdStore       *self,
                                           gint64         team_id,
                                           GError       **error);
gboolean   hd_store_team_has_member       (HdStore       *self,
                                           gint64         team_id,
                                           gint64         user_id);

/* setup */
gboolean   hd_store_privileges_get        (HdStore       *self,
                                           HdPrivileges  *out,
                                           GError       **error);
gboolean   hd_store_privileges_set        (HdStore       *self,
                                           const HdPrivileges *privileges,
                                           GError       **error);

/* requests */
HdRequestRecord *hd_store_request_create        (HdStore       *self,
                                           const char    *subject,
                                           const char    *description,
                                           gint64         customer_id,
                                           gint64         assignee_id,
                                           gint64         team_id,
                                           gboolean       closed,
                                           gint64         now,
                                           GError       **error);
HdRequestRecord *hd_store_request_get           (HdStore       *self,
                                           gint64         id,
                                           GError       **error);
/* Writes status, assignee and team of @request. */
gboolean   hd_store_request_update        (HdStore       *self,
                                           const HdRequestRecord *request,
                                           GError       **error);
typedef enum {
  HD_REQUESTS_ALL,
  HD_REQUESTS_OF_CUSTOMER,     /* the customer's own */
  HD_REQUESTS_OF_STAFF,        /* assigned to the user or to a team of theirs */
} HdRequestsFilter;
GPtrArray *hd_store_requests_list         (HdStore       *self,
                                           HdRequestsFilter filter,
                                           gint64         user_id,
                                           GError       **error);

/* chats */
/* Fills @chat->id and created_at; HD_ERROR_CHAT_IN_PROGRESS when the
 * request already has a waiting or active chat. */
gboolean   hd_store_chat_create           (HdStore       *self,
                                           HdChatRecord        *chat,
                                           GError       **error);
gboolean   hd_store_chat_get              (HdStore       *self,
                                           gint64         id,
                                           HdChatRecord        *out,
                                           GError       **error);
/* FALSE (no error) when the request has no waiting or active chat. */
gboolean   hd_store_chat_get_open_for_request (HdStore   *self,
                                               gint64     request_id,
                                               HdChatRecord    *out);
/* Waiting → active with @technician_id.  The state check is part of the
 * UPDATE, so of two accepts (even from two processes) exactly one
 * succeeds; the other gets HD_ERROR_CONFLICT. */
gboolean   hd_store_chat_accept           (HdStore       *self,
                                           gint64         chat_id,
                                           gint64         technician_id,
                                           gint64         now,
                                           HdChatRecord        *out,
                                           GError       **error);
/* HD_ERROR_CHAT_ENDED when already ended. */
gboolean   hd_store_chat_end              (HdStore       *self,
                                           gint64         chat_id,
                                           gint64         now,
                                           HdChatRecord        *out,
                                           GError       **error);
/* The same, recording why.  With @only_state >= 0 it ends the chat only
 * while it is in that state (else HD_ERROR_CHAT_ENDED), so that a timeout
 * never ends a chat that was accepted meanwhile. */
gboolean   hd_store_chat_end_with_reason  (HdStore       *self,
                                           gint64         chat_id,
                                           gint64         now,
                                           HdEndReason    reason,
                                           int            only_state,
                                           HdChatRecord        *out,
                                           GError       **error);
/* Chats @user_id is a member of (customer or technician), newest first;
 * @state < 0: every state.  GArray of HdChatRecord. */
GArray    *hd_store_chats_for_member      (HdStore       *self,
                                           gint64         user_id,
                                           int            state,
                                           GError       **error);
GArray    *hd_store_chats_waiting         (HdStore       *self,
                                           GError       **error);

/* Sets the chat's note (its transcript, hd-chat-service.c). */
gboolean   hd_store_chat_set_note         (HdStore       *self,
                                           gint64         chat_id,
                                           gint64         note_id,
                                           GError       **error);

/* messages */
/* The message with the chat's next seq; the state check and the seq are
 * one statement (a message never lands in an ended chat, whoever ends
 * it).  The same @client_id again returns the first message with
 * *@created FALSE.  HD_ERROR_CHAT_ENDED unless the chat is active. */
HdMessageRecord *hd_store_message_add           (HdStore       *self,
                                           gint64         chat_id,
                                           gint64         author_id,
                                           const char    *body,
                                           const char    *client_id,
                                           gint64         now,
                                           gboolean      *created,
                                           GError       **error);
/* The same with a kind (hd_store_message_add () is HD_MESSAGE_KIND_TEXT). */
HdMessageRecord *hd_store_message_add_kind      (HdStore       *self,
                                           gint64         chat_id,
                                           gint64         author_id,
                                           HdMessageKind  kind,
                                           const char    *body,
                                           const char    *client_id,
                                           gint64         now,
                                           gboolean      *created,
                                           GError       **error);
/* Several rows in one call (one statement where the store can): those of
 * @ids found, in no particular order.  Users: HdUserRecord; chats:
 * HdChatRecord; notes: HdNoteRecord, locked until the transaction ends
 * (PostgreSQL: FOR UPDATE) as hd_store_note_grow () would lock them. */
GPtrArray       *hd_store_users_get_many        (HdStore           *self,
                                                 GArray            *ids,
                                                 GError           **error);
GArray          *hd_store_chats_get_many        (HdStore           *self,
                                                 GArray            *ids,
                                                 GError           **error);
GPtrArray       *hd_store_notes_get_many_locked (HdStore           *self,
                                                 GArray            *ids,
                                                 GError           **error);
/* What hd_store_message_add_later () found: the message (owned by the
 * callee: copy what it keeps), *@created as in hd_store_message_add (), or
 * @error (m NULL). */
typedef void (*HdStoreMessageDone) (HdMessageRecord *m,
                                    gboolean         created,
                                    const GError    *error,
                                    gpointer         user_data);
/* hd_store_message_add () whose answer may come later: @done is called
 * with it at the latest in the next hd_store_sync (), in the order the
 * messages were queued, and never from inside another store call.  A
 * store that sends the statements of a transaction together (PostgreSQL:
 * libpq's pipeline mode) queues the message while a transaction is open;
 * otherwise @done runs before this returns. */
void             hd_store_message_add_later     (HdStore           *self,
                                                 gint64             chat_id,
                                                 gint64             author_id,
                                                 const char        *body,
                                                 const char        *client_id,
                                                 gint64             now,
                                                 HdStoreMessageDone done,
                                                 gpointer           user_data);
/* Sends what is queued, waits for the answers and calls the @done of
 * every message queued by hd_store_message_add_later (), in order.
 * TRUE when nothing is pending or every queued statement succeeded. */
gboolean         hd_store_sync                  (HdStore           *self);
/* Messages with seq > @after in seq order, at most @limit; *@more says
 * whether later ones remain. */
GPtrArray *hd_store_messages_list         (HdStore       *self,
                                           gint64         chat_id,
                                           gint64         after,
                                           guint          limit,
                                           gboolean      *more,
                                           GError       **error);

/* notes */
GPtrArray *hd_store_notes_list            (HdStore       *self,
                                           gint64         request_id,
                                           GError       **error);
HdNoteRecord    *hd_store_note_get              (HdStore       *self,
                                           gint64         id,
                                           GError       **error);
/* A note (@chat_id, @author_id: 0 for none); its length is @body's. */
HdNoteRecord    *hd_store_note_add              (HdStore       *self,
                                           gint64         request_id,
                                           HdNoteKind     kind,
                                           gint64         chat_id,
                                           gint64         author_id,
                                           const char    *body,
                                           gint64         now,
                                           GError       **error);

/* Adds @chars to the note's length and sets its updated_at; @length (may
 * be NULL) receives the new length. */
gboolean   hd_store_note_grow             (HdStore       *self,
                                           gint64         note_id,
                                           gint64         chars,
                                           gint64         updated_at,
                                           gint64        *length,
                                           GError       **error);

/* customers: queue, rating, attachments */
/* 1 + the waiting chats with the same target and a smaller id. */
gint64     hd_store_queue_position        (HdStore       *self,
                                           const HdChatRecord  *chat);
/* How long the last (at most @n) accepted chats with that target waited,
 * in microseconds, newest first.  GArray of gint64, maybe empty. */
GArray    *hd_store_queue_recent_waits    (HdStore       *self,
                                           HdTargetKind   target_kind,
                                           gint64         target_id,
                                           guint          n);
/* Only an ended, not yet rated chat: else HD_ERROR_CONFLICT.  @comment
 * may be NULL. */
gboolean   hd_store_chat_rate             (HdStore       *self,
                                           gint64         chat_id,
                                           int            score,
                                           const char    *comment,
                                           GError       **error);
char      *hd_store_chat_rating_comment   (HdStore       *self,
                                           gint64         chat_id);
/* In one transaction: the attachment's row (its bytes written in pieces,
 * not copied) and its message, as hd_store_message_add () does (the same
 * @client_id again returns the first message with *@created FALSE and
 * stores nothing).  @meta's id and created_at are filled. */
HdMessageRecord *hd_store_attachment_add        (HdStore       *self,
                                           HdAttachmentRecord  *meta,
                                           GBytes        *data,
                                           const char    *body,
                                           const char    *client_id,
                                           gint64         now,
                                           gboolean      *created,
                                           GError       **error);
HdAttachmentRecord *hd_store_attachment_get     (HdStore       *self,
                                           gint64         id,
                                           GError       **error);
/* At most @length bytes from @offset (fewer at the end). */
GBytes    *hd_store_attachment_read       (HdStore       *self,
                                           gint64         id,
                                           gint64         offset,
                                           gsize          length,
                                           GError       **error);

G_END_DECLS
