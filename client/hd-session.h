/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include "hd-client-types.h"
#include "hd-list-model.h"
#include "hd-user.h"
#include "hd-request.h"
#include "hd-chat.h"
#include "hd-message.h"
#include "hd-note.h"

G_BEGIN_DECLS

#define HD_TYPE_SESSION (hd_session_get_type ())
G_DECLARE_FINAL_TYPE (HdSession, hd_session, HD, SESSION, GObject)

/* The one API the apps use.  One per logged-in user: it owns the REST
 * transport and the event socket (both private) and keeps list models
 * current from the events.  Widgets bind to the models; they never talk
 * HTTP and never fetch.  Every object is one instance per id (one HdChat
 * per chat, one HdRequest per request, one HdUser per user in a chat or
 * request), updated in place with "notify".
 *
 * Properties: "user" (the logged-in HdUser), "app-id" (for the keyring),
 * "server-url", "state" (HdConnectionState), "chat-enabled",
 * "customer-chat-with-team" (privileges), "waiting-count" (guint, items
 * in the queue); contract v2 limits (gint64, privileges): "max-chats"
 * (max_chats_per_technician, 0 = none), "waiting-timeout" (seconds),
 * "inactivity-timeout" (seconds, 0 = never).
 *
 * Signals:
 *   "chat-requested" (HdChat *)  a chat entered my queue (technicians)
 *   "chat-taken"     (HdChat *)  a chat left my queue (someone accepted it,
 *                                 or the customer withdrew)
 *   "chat-accepted"  (HdChat *)  a chat I am a member of became active
 *   "chat-ended"     (HdChat *)  a chat I am a member of ended
 *   "chat-restored"  (HdChat *)  once per chat that was open (waiting or
 *                                 active, I am a member) when the session
 *                                 started: reopen its window
 *   "typing"         (HdChat *, HdUser *)  the other member is typing
 *   "message-received" (HdMessage *)  a new message from the server
 *                                 (not one of my own acknowledgements)
 *   "unauthorized"   ()          the token was ended elsewhere; the
 *                                 session stopped: show the login dialog
 *   "chat-transferred" (HdChat *) the chat moved to another technician or
 *                                 a team queue (hd-session-transfer.h)
 *   "note-created"   (HdNote *)  a new note on a request I may see, whether
 *                                 or not a notes list shows it */

/* Log in with a password.  If @remember, the token is also stored in the
 * keyring under @app_id.  The session is started (event stream
 * connecting, lists loading) when it is returned. */
void       hd_session_login_async    (const char          *app_id,
                                      const char          *server_url,
                                      const char          *login,
                                      const char          *password,
                                      gboolean             remember,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
HdSession *hd_session_login_finish   (GAsyncResult  *result,
                                      GError       **error);

/* "Remember me": looks up the keyring entry of @app_id and validates the
 * token with GET /me.  Finishes with NULL and no error when nothing is
 * remembered or the token is no longer valid (then the entry is cleared
 * and the app shows HdLoginDialog). */
void       hd_session_restore_async  (const char          *app_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
HdSession *hd_session_restore_finish (GAsyncResult  *result,
                                      GError       **error);

/* Connects and loads (login and restore already did). */
void       hd_session_start          (HdSession  *self);
/* Stops the event stream (state OFFLINE); lists stay as they are. */
void       hd_session_stop           (HdSession  *self);

/* Ends the token on the server, forgets the keyring entry, stops. */
void       hd_session_logout_async   (HdSession           *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean   hd_session_logout_finish  (HdSession     *self,
                                      GAsyncResult  *result,
                                      GError       **error);

HdUser           *hd_session_get_user           (HdSession *self);
const char       *hd_session_get_app_id         (HdSession *self);
/* The server's address, as given at login (for "same server?" checks and
 * for remembering it). */
const char       *hd_session_get_server_url     (HdSession *self);
HdConnectionState hd_session_get_state          (HdSession *self);
gboolean          hd_session_get_chat_enabled   (HdSession *self);
gboolean          hd_session_get_customer_chat_with_team (HdSession *self);
guint             hd_session_get_waiting_count  (HdSession *self);
gint64            hd_session_get_max_chats      (HdSession *self);
gint64            hd_session_get_waiting_timeout (HdSession *self);
gint64            hd_session_get_inactivity_timeout (HdSession *self);

/* Lists: each is an HdListModel (a GListModel with "loading", "loaded"
 * and the last error; see hd-list-model.h), transfer none, alive as long
 * as the session.  All are fed by one keyed fetch (coalesced: a second
 * ask while one is under way asks once more afterwards, never twice at
 * once) and kept current by the events. */
/* HdRequest: GET /requests. */
GListModel *hd_session_get_requests  (HdSession *self);
/* HdChat: waiting chats I may accept (technicians; empty for customers). */
GListModel *hd_session_get_queue     (HdSession *self);
/* HdChat: chats I am a member of, newest first; loaded with the waiting
 * and active ones; chats that end stay, in state ENDED. */
GListModel *hd_session_get_chats     (HdSession *self);
/* HdMessage of one chat, ordered by seq (messages still sending last),
 * never two with one seq or one client_id.  Loaded on first use. */
GListModel *hd_session_get_messages  (HdSession *self,
                                      gint64     chat_id);
/* HdNote of one request; transcript notes grow live.  Loaded on first
 * use.  A view that shows them calls watch while it shows them and
 * unwatch after (the session subscribes to the request's events on the
 * socket meanwhile, and again after a reconnect); watch returns the same
 * list as get. */
GListModel *hd_session_get_notes     (HdSession *self,
                                      gint64     request_id);
GListModel *hd_session_watch_notes   (HdSession *self,
                                      gint64     request_id);
void        hd_session_unwatch_notes (HdSession *self,
                                      gint64     request_id);

/* The canonical objects (transfer none), NULL if not known. */
HdChat    *hd_session_lookup_chat    (HdSession *self,
                                      gint64     chat_id);
HdRequest *hd_session_lookup_request (HdSession *self,
                                      gint64     request_id);
/* The canonical request (transfer none), never NULL: when it is not
 * known yet, an object with only the id is returned at once and filled in
 * place (notify) when GET /requests/{id} answers. */
HdRequest *hd_session_get_request    (HdSession *self,
                                      gint64     request_id);

/* Re-reads requests, queue, chats and privileges from the server. */
void       hd_session_refresh        (HdSession *self);

/* Queues a message: it appears at once in the chat's list in state
 * SENDING, is sent as chat.send with a fresh client_id, and is resent
 * after every reconnect until the server's chat.message arrives.
 * Returns the message (transfer none) or NULL with HD_ERROR_BAD_REQUEST
 * for an invalid body / HD_ERROR_CHAT_ENDED for an ended chat. */
HdMessage *hd_session_send_message   (HdSession   *self,
                                      gint64       chat_id,
                                      const char  *body,
                                      GError     **error);
/* chat.typing, at most once every 3 s per chat. */
void       hd_session_send_typing    (HdSession   *self,
                                      gint64       chat_id);
/* When the other member of @chat_id last sent chat.typing (the
 * g_get_monotonic_time () of its arrival), or 0: never, or a message of
 * theirs came after it.  For a view built later (a window rebuilt) to show
 * "typing…" for what is left of its time. */
gint64     hd_session_get_typing_time (HdSession  *self,
                                       gint64      chat_id);

/* Chat calls that also update the lists; all finish with the canonical
 * HdChat (transfer full) via hd_session_chat_finish.
 * HD_ERROR_ALREADY_TAKEN when someone else accepted first.
 * start_chat: @technician_id 0 lets the server pick, -1 asks for the
 * request's team queue ("Chat with the team"). */
void       hd_session_start_chat_async  (HdSession           *self,
                                         gint64               request_id,
                                         gint64               technician_id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
void       hd_session_accept_chat_async (HdSession           *self,
                                         gint64               chat_id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
void       hd_session_end_chat_async    (HdSession           *self,
                                         gint64               chat_id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
HdChat    *hd_session_chat_finish       (HdSession     *self,
                                         GAsyncResult  *result,
                                         GError       **error);

/* POST /chats/{id}/email: finishes with the address it went to (the
 * request's customer's; transfer full). */
void       hd_session_email_chat_async  (HdSession           *self,
                                         gint64               chat_id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
char      *hd_session_email_chat_finish (HdSession     *self,
                                         GAsyncResult  *result,
                                         GError       **error);

/* PATCH /me; updates the session's user in place. */
void       hd_session_set_available_async  (HdSession           *self,
                                            gboolean             available,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean   hd_session_set_available_finish (HdSession     *self,
                                            GAsyncResult  *result,
                                            GError       **error);

/* PATCH /setup/privileges (admin); updates the properties. */
void       hd_session_set_privileges_async  (HdSession           *self,
                                             gboolean             chat_enabled,
                                             gboolean             customer_chat_with_team,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* PATCH /setup/privileges with the three limits (admin); the server
 * checks the ranges (400 `invalid_input`, nothing changed).  Finish with
 * hd_session_set_privileges_finish (). */
void       hd_session_set_chat_limits_async (HdSession           *self,
                                             gint64               max_chats,
                                             gint64               waiting_timeout,
                                             gint64               inactivity_timeout,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean   hd_session_set_privileges_finish (HdSession     *self,
                                             GAsyncResult  *result,
                                             GError       **error);

G_END_DECLS
