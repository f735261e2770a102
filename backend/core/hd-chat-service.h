/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "hd-auth.h"
#include "hd-store.h"
#include "hd-mailer.h"
#include "hd-wire-event.h"

G_BEGIN_DECLS

/* Every rule of the chat story lives here: who may see and do what,
 * availability and presence, the queue, the accept race, the transcript.
 * Route handlers and the WebSocket hub call these and write the records
 * they return as JSON (common/hd-wire.h, through hd_chat_service_view ());
 * the service tells the hub (through the event sink) what to send to
 * whom, only after the store has committed.
 *
 * Calls that answer a REST call return records (newly allocated; a
 * GPtrArray frees its elements), or NULL/FALSE with an HD_ERROR. */

typedef struct _HdChatService HdChatService;

/* What an event says is an HdEventData (common/hd-wire-event.h): records,
 * from which the service writes the frames itself, once per event, when
 * it emits it (hd_wire_event_frames ()): one text for staff and, where it
 * differs, one for customers (other people's email and login left out).
 * The door and the bus get the texts. */
typedef struct {
  const char *type;          /* one of HD_EVENT_* */
  /* The audience, which the door resolves to sockets (contract v2: fan-out
   * follows interest, not rank).  The event goes to the union of:
   * - @recipients: these user ids (every socket of theirs);
   * - @request_id > 0: the sockets subscribed to that request;
   * - @presence_of > 0: the presence of that technician: every staff
   *   socket, and the customers hd_chat_service_presence_audience() names
   *   (coalesced by the door: one frame per socket per tick).
   * All three empty (NULL, 0, 0): every connected user. */
  GArray     *recipients;
  gint64      request_id;
  gint64      presence_of;
  /* The records, while the frames are written (NULL after: an event
   * delivered or come from another server carries its frames only). */
  const HdEventData *data;
  /* The whole frame {"type","data"}: one serialisation for staff ... */
  char       *staff_frame;
  /* ... and one for customers (other people's email and login left out);
   * NULL when it is the same text. */
  char       *customer_frame;
  /* Presence seen from this server only: not for other servers (each
   * works out its own from the shared presence). */
  gboolean    local_only;
} HdEvent;

typedef void (*HdEventSink) (const HdEvent *event,
                             gpointer       user_data);

#define HD_TYPE_CHAT_SERVICE (hd_chat_service_get_type ())
G_DECLARE_FINAL_TYPE (HdChatService, hd_chat_service, HD, CHAT_SERVICE, GObject)

HdChatService *hd_chat_service_new              (HdStore        *store,
                                                 HdMailer       *mailer);
HdStore       *hd_chat_service_get_store        (HdChatService  *self);
void           hd_chat_service_set_event_sink   (HdChatService  *self,
                                                 HdEventSink     sink,
                                                 gpointer        user_data);

/* Group commit (driven by the core thread, hd-core.c): the commands
 * between batch_begin and batch_end share one transaction; each runs
 * between command_begin and command_end in a savepoint of its own, so one
 * that fails (@ok FALSE) undoes only its own changes and events.  The
 * events of the batch go to the sink after the commit, and not at all if
 * it fails.  @hot: the command only posted messages or typing, so the
 * batch's caches of chats and senders stay valid. */
void           hd_chat_service_batch_begin      (HdChatService  *self);
/* Between batches, when no command waits: a short step of the store's
 * put-off work (hd_store_housekeeping ()); TRUE while more is left now. */
gboolean       hd_chat_service_housekeeping     (HdChatService  *self);
gboolean       hd_chat_service_batch_end        (HdChatService  *self);
void           hd_chat_service_command_begin    (HdChatService  *self,
                                                 gboolean        hot);
void           hd_chat_service_command_end      (HdChatService  *self,
                                                 gboolean        ok,
                                                 gboolean        hot);
/* The user @user_id, read once per batch (owned by the service). */
HdUserRecord  *hd_chat_service_batch_user       (HdChatService  *self,
                                                 gint64          user_id,
                                                 GError        **error);

/* Several servers on one database (backend/bus/): @tap sees every event
 * this server delivers (after its commit), @presence every change of who
 * holds a socket here; hd_chat_service_deliver_remote () hands another
 * server's event to the local sockets, and set_online_elsewhere () says
 * whether a user holds a socket on some other live server. */
typedef void (*HdPresenceHook) (gint64    user_id,
                                gboolean  online,
                                gpointer  user_data);
void           hd_chat_service_set_bus          (HdChatService  *self,
                                                 HdEventSink     tap,
                                                 HdPresenceHook  presence,
                                                 gpointer        user_data);
HdLoginThrottle *hd_chat_service_get_login_throttle (HdChatService *self);
void           hd_chat_service_deliver_remote   (HdChatService  *self,
                                                 const HdEvent  *event);
void           hd_chat_service_set_online_elsewhere (HdChatService *self,
                                                     gint64         user_id,
                                                     gboolean       online);

/* Fills an empty store with the contract's demo data; leaves a non-empty
 * one untouched. */
gboolean       hd_chat_service_seed_demo        (HdChatService  *self,
                                                 GError        **error);

/* Presence: the hub says when a user's first socket opened and the last
 * one closed.  "Logged in" means online here. */
void           hd_chat_service_set_online       (HdChatService  *self,
                                                 gint64          user_id,
                                                 gboolean        online);
gboolean       hd_chat_service_is_online        (HdChatService  *self,
                                                 gint64          user_id);

/* Audiences (fanout).  Whether @caller may subscribe to request
 * @request_id (may see it); else HD_ERROR not_found. */
gboolean       hd_chat_service_may_subscribe    (HdChatService  *self,
                                                 const HdUserRecord *caller,
                                                 gint64          request_id,
                                                 GError        **error);
/* Who hears a technician's presence besides staff: a customer for whom
 * @technician_id appears or could appear in the chat_options of one of
 * their open requests (the assignee; with the team privilege, the team's
 * technicians), once per such request. */
typedef struct {
  gint64 customer_id;
  gint64 request_id;
} HdPresenceLink;
/* GArray of HdPresenceLink, by request id. */
GArray        *hd_chat_service_presence_audience (HdChatService *self,
                                                  gint64         technician_id);

/* sessions */
HdUserRecord        *hd_chat_service_authenticate     (HdChatService  *self,
                                                 const char     *token,
                                                 GError        **error);
void           hd_chat_service_login_async      (HdChatService  *self,
                                                 const char     *login,
                                                 const char     *password,
                                                 GCancellable   *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer        user_data);
/* A new session: its token and the user (with presence). */
typedef struct {
  char         *token;
  HdUserRecord *user;
} HdLogin;
void           hd_login_free                    (HdLogin        *login);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HdLogin, hd_login_free)
HdLogin       *hd_chat_service_login_finish     (HdChatService  *self,
                                                 GAsyncResult   *result,
                                                 GError        **error);
gboolean       hd_chat_service_logout           (HdChatService  *self,
                                                 const char     *token,
                                                 GError        **error);

/* How @viewer (NULL: staff) sees records written with hd_wire_write_* ():
 * the users and teams their ids name (each looked up once per view, with
 * presence), and the members a chat, message or note gets from the
 * service (queue position, rating, attachment, author).  @known: a user
 * at hand (a message's author), not looked up.  Valid until the next call
 * into the service. */
HdWireView     hd_chat_service_view             (HdChatService      *self,
                                                 const HdUserRecord *viewer,
                                                 const HdUserRecord *known);
/* A request as one viewer sees it: its open chat, and for its customer the
 * chat options (hd_wire_write_request ()). */
typedef struct {
  HdRequestRecord *request;
  gboolean         has_chat;
  HdChatRecord     chat;
  gboolean         has_options;
  HdChatOptions    options;     /* .technicians: owned, with presence */
} HdRequestEntry;
void hd_request_entry_free (HdRequestEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HdRequestEntry, hd_request_entry_free)

/* Users come with their presence (online). */
HdUserRecord *hd_chat_service_get_me        (HdChatService *self, const HdUserRecord *caller, GError **error);
HdUserRecord *hd_chat_service_set_available (HdChatService *self, const HdUserRecord *caller,
                                             gboolean available, GError **error);
gboolean hd_chat_service_get_privileges  (HdChatService *self, const HdUserRecord *caller,
                                          HdPrivileges *out, GError **error);
/* @chat_enabled, @with_team: -1 keeps the value. */
gboolean hd_chat_service_set_privileges  (HdChatService *self, const HdUserRecord *caller,
                                          int chat_enabled, int with_team, HdPrivileges *out,
                                          GError **error);
/* The same with contract v2's three limits (-1 keeps each). */
gboolean hd_chat_service_update_privileges (HdChatService *self, const HdUserRecord *caller,
                                            int chat_enabled, int with_team,
                                            gint64 max_chats, gint64 waiting_timeout_s,
                                            gint64 inactivity_timeout_s, HdPrivileges *out,
                                            GError **error);
/* @role < 0: all.  GPtrArray of HdUserRecord (staff with active_chats). */
GPtrArray *hd_chat_service_list_users (HdChatService *self, const HdUserRecord *caller,
                                       int role, GError **error);
void  hd_chat_service_create_user_async (HdChatService *self, const HdUserRecord *caller,
                                         const char *login, const char *name,
                                         const char *email, HdRole role,
                                         const char *password, gint64 team_id,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
HdUserRecord *hd_chat_service_create_user_finish (HdChatService *self, GAsyncResult *result,
                                                  GError **error);
/* GPtrArray of HdTeamRecord, with member_ids. */
GPtrArray    *hd_chat_service_list_teams  (HdChatService *self, const HdUserRecord *caller, GError **error);
HdTeamRecord *hd_chat_service_create_team (HdChatService *self, const HdUserRecord *caller,
                                           const char *name, const gint64 *member_ids,
                                           guint n_members, GError **error);

/* For a customer caller @customer_id, @assignee_id and @team_id must be 0. */
HdRequestEntry *hd_chat_service_create_request (HdChatService *self, const HdUserRecord *caller,
                                                const char *subject, const char *description,
                                                gint64 customer_id, gint64 assignee_id,
                                                gint64 team_id, GError **error);
/* @closed: -1 keeps; @assignee_id, @team_id: -1 keeps, 0 clears. */
HdRequestEntry *hd_chat_service_update_request (HdChatService *self, const HdUserRecord *caller,
                                                gint64 request_id, int closed,
                                                gint64 assignee_id, gint64 team_id,
                                                GError **error);
/* GPtrArray of HdRequestEntry. */
GPtrArray      *hd_chat_service_list_requests  (HdChatService *self, const HdUserRecord *caller,
                                                GError **error);
HdRequestEntry *hd_chat_service_get_request    (HdChatService *self, const HdUserRecord *caller,
                                                gint64 request_id, GError **error);
/* GPtrArray of HdNoteRecord; a transcript's body is derived from its chat. */
GPtrArray      *hd_chat_service_list_notes     (HdChatService *self, const HdUserRecord *caller,
                                                gint64 request_id, GError **error);

/* @technician_id 0: let the rules pick; -1: the request's team queue
 * ("team": true, needs the team privilege).  The chat in *@out. */
gboolean hd_chat_service_start_chat   (HdChatService *self, const HdUserRecord *caller,
                                       gint64 request_id, gint64 technician_id,
                                       HdChatRecord *out, GError **error);
/* @state < 0: all.  GArray of HdChatRecord. */
GArray  *hd_chat_service_list_chats   (HdChatService *self, const HdUserRecord *caller,
                                       int state, GError **error);
/* The waiting chats offered to @caller (GArray of HdChatRecord). */
GArray  *hd_chat_service_queue        (HdChatService *self, const HdUserRecord *caller, GError **error);
gboolean hd_chat_service_get_chat     (HdChatService *self, const HdUserRecord *caller,
                                       gint64 chat_id, HdChatRecord *out, GError **error);
gboolean hd_chat_service_accept_chat  (HdChatService *self, const HdUserRecord *caller,
                                       gint64 chat_id, HdChatRecord *out, GError **error);
gboolean hd_chat_service_end_chat     (HdChatService *self, const HdUserRecord *caller,
                                       gint64 chat_id, HdChatRecord *out, GError **error);
/* GPtrArray of HdMessageRecord; *@more: later ones exist. */
GPtrArray *hd_chat_service_list_messages (HdChatService *self, const HdUserRecord *caller,
                                          gint64 chat_id, gint64 after, guint limit,
                                          gboolean *more, GError **error);
/* Returns the message; *@created is FALSE when @client_id was already
 * used in this chat (the first message then). */
HdMessageRecord *hd_chat_service_post_message (HdChatService *self, const HdUserRecord *caller,
                                               gint64 chat_id, const char *body,
                                               const char *client_id, gboolean *created,
                                               GError **error);
/* hd_chat_service_post_message () by user @user_id (read once per batch)
 * whose answer comes to @done (on this thread, before the batch commits;
 * @m owned by the caller of @done, NULL with @error on failure): the
 * messages of a batch are checked and stored together (the senders and
 * chats read in one statement each, PostgreSQL's pipeline for the
 * messages).  @done may run before this returns.  Their events keep their
 * order among the batch's other events. */
typedef void (*HdPostMessageDone) (HdMessageRecord *m, gboolean created, const GError *error,
                                   gpointer user_data);
void hd_chat_service_post_message_later (HdChatService *self, gint64 user_id,
                                         gint64 chat_id, const char *body, const char *client_id,
                                         HdPostMessageDone done, gpointer user_data);
gboolean hd_chat_service_typing       (HdChatService *self, const HdUserRecord *caller,
                                       gint64 chat_id, GError **error);
void  hd_chat_service_email_chat_async  (HdChatService *self, const HdUserRecord *caller,
                                         gint64 chat_id, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
/* The address the transcript was sent to. */
char *hd_chat_service_email_chat_finish (HdChatService *self, GAsyncResult *result,
                                         GError **error);

/* The transcript of @chat_id as one text (a line per message). */
char *hd_chat_service_build_transcript (HdChatService *self, gint64 chat_id,
                                        GError **error);

G_END_DECLS
