/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-chat-service"

#include "hd-chat-service.h"
#include "hd-chat-service-private.h"
#include "hd-customer.h"
#include "hd-policy.h"
#include "hd-store-tech.h"
#include "hd-tech.h"
#include "hd-auth.h"
#include "hd-error.h"
#include "hd-json.h"
#include "hd-protocol.h"
#include "hd-transcript.h"

#include <string.h>

#define LOGIN_MAX_FAILURES 10
#define LOGIN_WINDOW_USEC  (60 * G_USEC_PER_SEC)
/* Contract v2: at most 5 transcript mails per chat in an hour. */
#define MAIL_MAX_PER_CHAT  5
#define MAIL_WINDOW_USEC   (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)  /* counted in the store */
#define MIN_PASSWORD_CHARS 8

struct _HdChatService
{
  GObject          parent_instance;

  HdStore         *store;
  HdMailer        *mailer;
  HdEventSink      sink;
  gpointer         sink_data;
  /* user id → TRUE while at least one of their sockets is open here */
  GHashTable      *online;
  /* … and while one is open on another live server (the bus says) */
  GHashTable      *online_elsewhere;
  HdEventSink      bus_tap;
  HdPresenceHook   bus_presence;
  gpointer         bus_data;
  gboolean         emitting_local_only;
  HdLoginThrottle *throttle;
  /* While a batch is open, events wait here for its commit. */
  guint            batch_depth;
  GPtrArray       *held_events;
  /* Within a batch nothing but messages changes, so a chat's row is
   * looked up once per batch, not once per message.  chat id → BatchChat;
   * emptied at the batch's end. */
  GHashTable      *batch_chats;
  /* senders looked up once per batch: user id → HdUserRecord */
  GHashTable      *batch_users;
  /* the command running inside the batch (hd-core.c) */
  gboolean         command_open;
  guint            command_events;
  /* messages queued by hd_chat_service_post_message_later () whose store
   * answer has not been handled; TRUE while handling them */
  GQueue           later_posts;
  guint            later_pending;
  gboolean         syncing;
  /* rendering: the users it named (id → HdUserRecord), a user at hand */
  GHashTable         *render_users;
  const HdUserRecord *render_known;
  HdUserRecord        render_known_copy;
  HdTeamRecord       *render_team;
  char               *render_comment;
  HdAttachmentRecord *render_attachment;
};

typedef struct _LaterPost LaterPost;
static void later_post_free (LaterPost *lp);

typedef struct {
  HdChatRecord  chat;
  /* The transcript note's length as of this batch (note_known), and what
   * the batch's messages added to it that is not written yet. */
  gboolean      note_known;
  gint64        note_length;
  gint64        note_pending;
  gint64        note_updated_at;
} BatchChat;

static void
batch_chat_free (BatchChat *b)
{
  g_free (b);
}

G_DEFINE_FINAL_TYPE (HdChatService, hd_chat_service, G_TYPE_OBJECT)

/* Whose eyes a rendering is for: staff see every field; a customer sees
 * other people without their email and login. */
typedef struct {
  gint64   id;
  gboolean staff;
} Viewer;

static const Viewer staff_view = { 0, TRUE };

static Viewer
viewer_of (const HdUserRecord *user)
{
  Viewer v = { user->id, HD_ROLE_IS_STAFF (user->role) };
  return v;
}

static void
hd_chat_service_finalize (GObject *object)
{
  HdChatService *self = HD_CHAT_SERVICE (object);

  g_clear_object (&self->store);
  g_clear_object (&self->mailer);
  g_clear_pointer (&self->online, g_hash_table_unref);
  g_clear_pointer (&self->online_elsewhere, g_hash_table_unref);
  g_clear_pointer (&self->throttle, hd_login_throttle_free);
  g_ptr_array_unref (self->held_events);
  g_hash_table_unref (self->batch_chats);
  g_hash_table_unref (self->batch_users);
  g_queue_clear_full (&self->later_posts, (GDestroyNotify) later_post_free);
  g_hash_table_unref (self->render_users);
  g_clear_pointer (&self->render_team, hd_team_record_free);
  g_clear_pointer (&self->render_comment, g_free);
  g_clear_pointer (&self->render_attachment, hd_attachment_record_free);

  G_OBJECT_CLASS (hd_chat_service_parent_class)->finalize (object);
}

static void
hd_chat_service_class_init (HdChatServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hd_chat_service_finalize;
}

static void
hd_chat_service_init (HdChatService *self)
{
  self->online = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->online_elsewhere = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->throttle = hd_login_throttle_new (LOGIN_MAX_FAILURES, LOGIN_WINDOW_USEC);
  self->held_events = g_ptr_array_new ();
  self->batch_users = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                             (GDestroyNotify) hd_user_record_free);
  self->batch_chats = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                             (GDestroyNotify) batch_chat_free);
  self->render_users = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                              (GDestroyNotify) hd_user_record_free);
}

HdChatService *
hd_chat_service_new (HdStore  *store,
                     HdMailer *mailer)
{
  HdChatService *self = g_object_new (HD_TYPE_CHAT_SERVICE, NULL);

  self->store = g_object_ref (store);
  self->mailer = mailer ? g_object_ref (mailer) : hd_mailer_new (NULL, NULL);
  return self;
}

HdStore *
hd_chat_service_get_store (HdChatService *self)
{
  return self->store;
}

void
hd_chat_service_set_event_sink (HdChatService *self,
                                HdEventSink    sink,
                                gpointer       user_data)
{
  self->sink = sink;
  self->sink_data = user_data;
}

void
hd_chat_service_set_bus (HdChatService  *self,
                         HdEventSink     tap,
                         HdPresenceHook  presence,
                         gpointer        user_data)
{
  self->bus_tap = tap;
  self->bus_presence = presence;
  self->bus_data = user_data;
}

HdLoginThrottle *
hd_chat_service_get_login_throttle (HdChatService *self)
{
  return self->throttle;
}

void
hd_chat_service_deliver_remote (HdChatService *self,
                                const HdEvent *event)
{
  if (self->sink != NULL)
    self->sink (event, self->sink_data);
}

/* ---- errors --------------------------------------------------------- */


#define NOT_FOUND(error, what) hd_fail ((error), HD_ERROR_NOT_FOUND, what " not found")

/* ---- rendering ------------------------------------------------------ */

/* Records become JSON through common/hd-wire (the wire format once, shared
 * with the client); here only what the service knows goes into them:
 * presence, the users and teams an id names, the v2 members its files add
 * (hd-queue.c, hd-attachments.c, hd-notes.c). */

/* The users a rendering names, each looked up once per rendering (the
 * outermost one empties the table). */
static const HdUserRecord *
resolve_user (gpointer data,
              gint64   id)
{
  HdChatService *self = data;
  HdUserRecord *u;

  if (self->render_known != NULL && self->render_known->id == id)
    {
      self->render_known_copy = *self->render_known;
      self->render_known_copy.online = hd_chat_service_is_online (self, id);
      return &self->render_known_copy;
    }
  u = g_hash_table_lookup (self->render_users, &id);
  if (u == NULL)
    {
      u = hd_store_user_get (self->store, id, NULL);
      if (u == NULL)
        return NULL;
      g_hash_table_insert (self->render_users, &u->id, u);
    }
  u->online = hd_chat_service_is_online (self, u->id);
  return u;
}

/* The team a rendering names (one at a time: a request's). */
static const HdTeamRecord *
resolve_team (gpointer data,
              gint64   id)
{
  HdChatService *self = data;

  g_clear_pointer (&self->render_team, hd_team_record_free);
  self->render_team = hd_store_team_get (self->store, id, NULL);
  return self->render_team;
}

/* A chat's v2 members (hd-queue.c); the comment is kept until the next
 * chat's. */
static void
chat_facts (gpointer            data,
            const HdChatRecord *chat,
            HdChatFacts        *out)
{
  HdChatService *self = data;

  g_free (self->render_comment);
  self->render_comment = hd_customer_chat_facts (self, chat, out);
  out->rating_comment = self->render_comment;
}

/* The rating of a transcript's chat (0: none). */
static int
chat_rating (gpointer     data,
             gint64       chat_id,
             const char **comment)
{
  HdChatService *self = data;
  HdChatRecord chat;

  if (!hd_store_chat_get (self->store, chat_id, &chat, NULL) || chat.rating <= 0)
    return 0;
  g_free (self->render_comment);
  self->render_comment = hd_store_chat_rating_comment (self->store, chat_id);
  *comment = self->render_comment;
  return chat.rating;
}

/* An attachment message's file (kept until the next one). */
static const HdAttachmentRecord *
attachment (gpointer data,
            gint64   id)
{
  HdChatService *self = data;

  g_clear_pointer (&self->render_attachment, hd_attachment_record_free);
  self->render_attachment = hd_store_attachment_get (self->store, id, NULL);
  return self->render_attachment;
}


static HdWireView
view_of (HdChatService *self,
         Viewer         viewer)
{
  HdWireView view = { viewer.id, viewer.staff, resolve_user, resolve_team, self,
                      chat_facts, attachment, chat_rating };

  return view;
}

HdWireView
hd_chat_service_view (HdChatService      *self,
                      const HdUserRecord *viewer,
                      const HdUserRecord *known)
{
  /* (Emptying an empty table with a destroy function still allocates.) */
  if (g_hash_table_size (self->render_users) > 0)
    g_hash_table_remove_all (self->render_users);
  self->render_known = known;
  return view_of (self, viewer ? viewer_of (viewer) : staff_view);
}

/* @user as the wire shows it: with its presence. */
static HdUserRecord *
with_presence (HdChatService *self,
               HdUserRecord  *user)
{
  if (user != NULL)
    user->online = hd_chat_service_is_online (self, user->id);
  return user;
}

/* @team with its members read. */
static HdTeamRecord *
with_members (HdChatService *self,
              HdTeamRecord  *team)
{
  if (team != NULL && team->member_ids == NULL)
    team->member_ids = hd_store_team_member_ids (self->store, team->id, NULL);
  return team;
}

/* ---- events --------------------------------------------------------- */

static GArray *
ids_new (void)
{
  return g_array_sized_new (FALSE, FALSE, sizeof (gint64), 4);
}

static void
ids_add (GArray *ids,
         gint64  id)
{
  if (id <= 0)
    return;
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, gint64, i) == id)
      return;
  g_array_append_val (ids, id);
}

static void hd_event_free (HdEvent *event);
static void later_resolve (HdChatService *self);

/* Handles the answers of the messages queued by
 * hd_chat_service_post_message_later () (their events, their transcript
 * lines).  Their events belong to the commands that queued them: a
 * command that has emitted nothing yet and fails later does not take them
 * back with its own. */
static void
service_sync (HdChatService *self)
{
  gboolean own_nothing;

  if ((self->later_pending == 0 && g_queue_is_empty (&self->later_posts)) || self->syncing)
    return;
  own_nothing = self->command_events == self->held_events->len;
  self->syncing = TRUE;
  later_resolve (self);
  hd_store_sync (self->store);
  self->syncing = FALSE;
  if (own_nothing)
    self->command_events = self->held_events->len;
}

/* The views hd_wire_event_frames () writes an event's frames through. */
static HdWireView
event_view (gpointer            service,
            const HdUserRecord *viewer,
            const HdUserRecord *known)
{
  return hd_chat_service_view (service, viewer, known);
}

/* Hands the event to the hub, or holds it until the open batch commits.
 * Takes @recipients.  The audience: @recipients, the subscribers of
 * @request_id, the presence audience of @presence_of (see HdEvent).  Its
 * frames are written now, once, from @data (common/hd-wire-event.c). */
static void
emit_to (HdChatService     *self,
         const char        *type,
         GArray            *recipients,
         gint64             request_id,
         gint64             presence_of,
         const HdEventData *data)
{
  HdEvent *event;

  /* Events go out in the order things happened: the queued messages'
   * first. */
  service_sync (self);
  if (self->sink == NULL ||
      (recipients != NULL && recipients->len == 0 && request_id <= 0 && presence_of <= 0))
    {
      if (recipients)
        g_array_unref (recipients);
      return;
    }
  if (recipients != NULL && recipients->len == 0)
    g_clear_pointer (&recipients, g_array_unref);

  event = g_new0 (HdEvent, 1);
  event->type = type;
  event->recipients = recipients;
  event->request_id = MAX (request_id, 0);
  event->presence_of = MAX (presence_of, 0);
  event->local_only = self->emitting_local_only;
  event->data = data;
  hd_wire_event_frames (type, data, event_view, self, &event->staff_frame, &event->customer_frame);
  event->data = NULL;

  if (self->batch_depth > 0)
    {
      g_ptr_array_add (self->held_events, event);
      return;
    }
  self->sink (event, self->sink_data);
  if (self->bus_tap != NULL)
    self->bus_tap (event, self->bus_data);
  hd_event_free (event);
}

static void
emit (HdChatService     *self,
      const char        *type,
      GArray            *recipients,
      const HdEventData *data)
{
  emit_to (self, type, recipients, 0, 0, data);
}

static void
hd_event_free (HdEvent *event)
{
  if (event->recipients)
    g_array_unref (event->recipients);
  g_free (event->staff_frame);
  g_free (event->customer_frame);
  g_free (event);
}

/* Writes what the batch's messages added to their transcripts: once per
 * chat per batch, not once per message. */
static void
flush_transcripts (HdChatService *self)
{
  GHashTableIter iter;
  BatchChat *b;

  g_hash_table_iter_init (&iter, self->batch_chats);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &b))
    {
      g_autoptr(GError) error = NULL;

      if (b->note_pending == 0)
        continue;
      if (!hd_store_note_grow (self->store, b->chat.note_id, b->note_pending, b->note_updated_at, NULL, &error))
        g_warning ("Updating the transcript of chat %" G_GINT64_FORMAT ": %s", b->chat.id, error->message);
      b->note_pending = 0;
    }
}

gboolean
hd_chat_service_housekeeping (HdChatService *self)
{
  return self->batch_depth == 0 && hd_store_housekeeping (self->store);
}

void
hd_chat_service_batch_begin (HdChatService *self)
{
  g_autoptr(GError) error = NULL;

  if (self->batch_depth++ == 0 && !hd_store_begin (self->store, &error))
    {
      /* Then every call commits on its own; still correct, only slower. */
      g_warning ("Cannot open a batch transaction: %s", error->message);
      self->batch_depth = 0;
    }
}

gboolean
hd_chat_service_batch_end (HdChatService *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gboolean ok;

  if (self->batch_depth == 0)
    return TRUE;
  /* The queued messages, while the batch's caches still hold. */
  if (self->batch_depth == 1)
    service_sync (self);
  if (--self->batch_depth > 0)
    return TRUE;

  flush_transcripts (self);
  ok = hd_store_commit (self->store, &error);
  if (!ok)
    g_warning ("A batch of changes was lost: %s", error->message);
  g_hash_table_remove_all (self->batch_chats);
  g_hash_table_remove_all (self->batch_users);

  /* Only what was committed goes out. */
  events = g_steal_pointer (&self->held_events);
  self->held_events = g_ptr_array_new ();
  for (guint i = 0; i < events->len; i++)
    {
      HdEvent *event = g_ptr_array_index (events, i);
      if (ok)
        {
          self->sink (event, self->sink_data);
          if (self->bus_tap != NULL)
            self->bus_tap (event, self->bus_data);
        }
      hd_event_free (event);
    }
  return ok;
}

void
hd_chat_service_command_begin (HdChatService *self,
                               gboolean       hot)
{
  g_autoptr(GError) error = NULL;

  /* The queued messages are done before anything else may read or roll
   * back. */
  if (!hot)
    service_sync (self);
  self->command_events = self->held_events->len;
  /* What earlier messages added to transcripts is written before a command
   * that may read it (or be rolled back). */
  if (!hot)
    flush_transcripts (self);
  /* A message's own store call is one savepoint already, and a typing
   * frame writes nothing: no second one around them. */
  self->command_open = !hot && hd_store_begin (self->store, &error);
  if (hot)
    return;
  if (!self->command_open)
    g_warning ("Cannot open a savepoint: %s", error->message);
}

void
hd_chat_service_command_end (HdChatService *self,
                             gboolean       ok,
                             gboolean       hot)
{
  g_autoptr(GError) error = NULL;

  if (self->command_open)
    {
      if (ok && !hd_store_commit (self->store, &error))
        {
          g_warning ("Cannot release a savepoint: %s", error->message);
          ok = FALSE;
        }
      else if (!ok)
        hd_store_rollback (self->store);
    }
  self->command_open = FALSE;
  /* What a failed command said did not happen. */
  if (!ok)
    g_ptr_array_set_size (self->held_events, self->command_events);
  /* The batch's caches hold only while nothing but messages changes.  A
   * failed command's transcript additions go with it. */
  if (!hot)
    {
      if (ok)
        flush_transcripts (self);
      g_hash_table_remove_all (self->batch_chats);
      g_hash_table_remove_all (self->batch_users);
    }
}

HdUserRecord *
hd_chat_service_batch_user (HdChatService  *self,
                            gint64          user_id,
                            GError        **error)
{
  HdUserRecord *user = g_hash_table_lookup (self->batch_users, &user_id);

  if (user != NULL)
    return user;
  user = hd_store_user_get (self->store, user_id, error);
  if (user != NULL)
    g_hash_table_insert (self->batch_users, &user->id, user);
  return user;
}

/* A chat event: for staff and for the chat's customer. */
static void
emit_chat (HdChatService      *self,
           const char         *type,
           GArray             *recipients,
           const HdChatRecord *chat)
{
  HdEventData data = { .kind = HD_EVENT_DATA_CHAT, .chat = chat };

  emit (self, type, recipients, &data);
}

/* presence.changed of a technician: to staff, and to the customers who may
 * chat with them (the door coalesces it). */
static void
emit_presence (HdChatService      *self,
               const HdUserRecord *user)
{
  HdUserRecord seen = *user;
  HdEventData data = { .kind = HD_EVENT_DATA_PRESENCE, .user = &seen };

  seen.online = hd_chat_service_is_online (self, user->id);
  emit_to (self, HD_EVENT_PRESENCE_CHANGED, NULL, 0, user->id, &data);
}

/* chat.message: to the chat's two members, as staff and as its customer
 * see it; @author: at hand, or NULL (a system message has none).  The
 * author's sockets come last: the frame that someone waits for goes out
 * first, before the one that only confirms (the sockets are written in
 * this order, and writing to one wakes its reader, who may take this CPU
 * before the next write). */
static void
emit_message (HdChatService         *self,
              const HdChatRecord    *chat,
              const HdMessageRecord *message,
              const HdUserRecord    *author)
{
  HdEventData data = { .kind = HD_EVENT_DATA_MESSAGE, .message = message, .user = author,
                       .customer_id = chat->customer_id };
  GArray *to = ids_new ();
  gboolean by_customer = message->author_id == chat->customer_id;

  ids_add (to, by_customer ? chat->technician_id : chat->customer_id);
  ids_add (to, by_customer ? chat->customer_id : chat->technician_id);
  emit (self, HD_EVENT_CHAT_MESSAGE, to, &data);
}

/* Presence here or elsewhere changed: tell the sockets here when the
 * user's overall presence did. */
static void
presence_changed (HdChatService *self,
                  gint64         user_id,
                  gboolean       was_online)
{
  g_autoptr(HdUserRecord) user = NULL;

  if (was_online == hd_chat_service_is_online (self, user_id))
    return;

  /* Only technicians' presence matters to anyone. */
  user = hd_store_user_get (self->store, user_id, NULL);
  if (user == NULL || !HD_ROLE_IS_STAFF (user->role))
    return;
  if (!hd_chat_service_is_online (self, user_id))
    hd_waiting_technician_unreachable (self, user_id);

  self->emitting_local_only = TRUE;
  emit_presence (self, user);
  self->emitting_local_only = FALSE;
}

void
hd_chat_service_set_online (HdChatService *self,
                            gint64         user_id,
                            gboolean       online)
{
  gboolean was_online = hd_chat_service_is_online (self, user_id);

  if (online == g_hash_table_contains (self->online, &user_id))
    return;
  if (online)
    g_hash_table_add (self->online, g_memdup2 (&user_id, sizeof user_id));
  else
    g_hash_table_remove (self->online, &user_id);
  if (self->bus_presence != NULL)
    self->bus_presence (user_id, online, self->bus_data);
  presence_changed (self, user_id, was_online);
}

void
hd_chat_service_set_online_elsewhere (HdChatService *self,
                                      gint64         user_id,
                                      gboolean       online)
{
  gboolean was_online = hd_chat_service_is_online (self, user_id);

  if (online == g_hash_table_contains (self->online_elsewhere, &user_id))
    return;
  if (online)
    g_hash_table_add (self->online_elsewhere, g_memdup2 (&user_id, sizeof user_id));
  else
    g_hash_table_remove (self->online_elsewhere, &user_id);
  presence_changed (self, user_id, was_online);
}

gboolean
hd_chat_service_is_online (HdChatService *self,
                           gint64         user_id)
{
  return g_hash_table_contains (self->online, &user_id) ||
         g_hash_table_contains (self->online_elsewhere, &user_id);
}

/* ---- rules: who sees what ------------------------------------------- */

/* The facts the policy (hd-policy.c) needs are read here; the rules are
 * there. */

static gboolean
can_see_request (HdChatService         *self,
                 const HdUserRecord    *caller,
                 const HdRequestRecord *r)
{
  /* The team is only asked about when it could matter. */
  gboolean in_team = caller->role == HD_ROLE_TECHNICIAN && r->team_id > 0 && r->assignee_id != caller->id &&
                     hd_store_team_has_member (self->store, r->team_id, caller->id);

  return hd_policy_can_see_request (caller, r, in_team);
}

static HdRequestRecord *
get_visible_request (HdChatService  *self,
                     const HdUserRecord   *caller,
                     gint64          request_id,
                     GError        **error)
{
  g_autoptr(HdRequestRecord) r = hd_store_request_get (self->store, request_id, NULL);

  if (r == NULL || !can_see_request (self, caller, r))
    return NOT_FOUND (error, "Request");
  return g_steal_pointer (&r);
}

/* Whether @user_id is a member of the team @chat waits for. */
static gboolean
in_target_team (HdChatService      *self,
                gint64              user_id,
                const HdChatRecord *chat)
{
  return chat->target_kind == HD_TARGET_TEAM &&
         hd_store_team_has_member (self->store, chat->target_id, user_id);
}

/* hd_policy_is_offered () for @caller as the store has them now (their
 * availability may have changed since they authenticated). */
static gboolean
was_offered (HdChatService      *self,
             const HdUserRecord *caller,
             const HdChatRecord *chat)
{
  g_autoptr(HdUserRecord) now = NULL;

  if (!in_target_team (self, caller->id, chat))
    return hd_policy_is_offered (caller, chat, FALSE);
  now = hd_store_user_get (self->store, caller->id, NULL);
  return hd_policy_is_offered (now, chat, TRUE);
}

/* Everyone hd_policy_is_offered () offers @chat to. */
static GArray *
offered_ids (HdChatService      *self,
             const HdChatRecord *chat)
{
  GArray *ids = ids_new ();

  if (chat->target_kind == HD_TARGET_TECHNICIAN)
    ids_add (ids, chat->target_id);
  else
    {
      g_autoptr(GArray) members = hd_store_team_member_ids (self->store, chat->target_id, NULL);

      for (guint i = 0; members && i < members->len; i++)
        {
          gint64 id = g_array_index (members, gint64, i);
          g_autoptr(HdUserRecord) u = hd_store_user_get (self->store, id, NULL);

          if (hd_policy_is_offered (u, chat, TRUE))
            ids_add (ids, id);
        }
    }
  return ids;
}

static gboolean
get_visible_chat (HdChatService       *self,
                  const HdUserRecord  *caller,
                  gint64               chat_id,
                  HdChatRecord        *chat,
                  GError             **error)
{
  if (!hd_store_chat_get (self->store, chat_id, chat, NULL) ||
      !(hd_policy_is_member (caller, chat) ||
        (chat->state == HD_CHAT_STATE_WAITING && was_offered (self, caller, chat))))
    {
      NOT_FOUND (error, "Chat");
      return FALSE;
    }
  return TRUE;
}

static BatchChat *
batch_chat (HdChatService *self,
            gint64         chat_id)
{
  BatchChat *b;

  if (self->batch_depth == 0)
    return NULL;
  b = g_hash_table_lookup (self->batch_chats, &chat_id);
  if (b == NULL)
    {
      b = g_new0 (BatchChat, 1);
      if (!hd_store_chat_get (self->store, chat_id, &b->chat, NULL))
        {
          g_free (b);
          return NULL;
        }
      g_hash_table_insert (self->batch_chats, &b->chat.id, b);
    }
  return b;
}

static gboolean
get_member_chat (HdChatService  *self,
                 const HdUserRecord   *caller,
                 gint64          chat_id,
                 HdChatRecord         *chat,
                 GError        **error)
{
  BatchChat *b = batch_chat (self, chat_id);
  gboolean found;

  if (b != NULL)
    {
      *chat = b->chat;
      found = TRUE;
    }
  else
    found = hd_store_chat_get (self->store, chat_id, chat, NULL);

  if (!found || !hd_policy_is_member (caller, chat))
    {
      NOT_FOUND (error, "Chat");
      return FALSE;
    }
  return TRUE;
}

static gboolean
reachable (HdChatService      *self,
           const HdUserRecord *u)
{
  return u != NULL && hd_policy_reachable (u, hd_chat_service_is_online (self, u->id));
}

/* Someone of @team_id who could answer now. */
static gboolean
team_has_reachable (HdChatService *self,
                    gint64         team_id)
{
  g_autoptr(GArray) members = team_id > 0 ? hd_store_team_member_ids (self->store, team_id, NULL) : NULL;

  for (guint i = 0; members && i < members->len; i++)
    {
      g_autoptr(HdUserRecord) u = hd_store_user_get (self->store, g_array_index (members, gint64, i), NULL);

      if (reachable (self, u))
        return TRUE;
    }
  return FALSE;
}

/* hd_policy_may_pick () with the facts of @u; @ignore_busy: as if @u
 * had room for one more chat. */
static gboolean
may_pick (HdChatService         *self,
          const HdPrivileges    *p,
          const HdRequestRecord *r,
          const HdUserRecord    *u,
          gboolean               in_request_team,
          gboolean               ignore_busy)
{
  if (u == NULL)
    return FALSE;
  return hd_policy_may_pick (p, r, u, in_request_team, hd_chat_service_is_online (self, u->id),
                             !ignore_busy && hd_tech_is_busy (self, u, p));
}

/* The technicians a customer may pick now for @r: the assignee while logged
 * in and available, and with the team privilege every such technician of
 * the request's team.  GPtrArray of HdUserRecord, the assignee first. */
static GPtrArray *
technicians_for (HdChatService      *self,
                 const HdRequestRecord    *r,
                 const HdPrivileges *p)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) hd_user_record_free);

  /* A technician at the limit of chats is left out (technician_busy when
   * that leaves nobody: see chat_refusal ()). */
  if (r->assignee_id > 0)
    {
      HdUserRecord *a = hd_store_user_get (self->store, r->assignee_id, NULL);

      if (may_pick (self, p, r, a, FALSE, FALSE))
        g_ptr_array_add (list, a);
      else
        hd_user_record_free (a);
    }

  if (hd_policy_team_chat_allowed (p, r))
    {
      g_autoptr(GArray) ids = hd_store_team_member_ids (self->store, r->team_id, NULL);

      for (guint i = 0; ids && i < ids->len; i++)
        {
          gint64 id = g_array_index (ids, gint64, i);
          HdUserRecord *u;

          if (id == r->assignee_id)
            continue;
          u = hd_store_user_get (self->store, id, NULL);
          if (may_pick (self, p, r, u, TRUE, FALSE))
            g_ptr_array_add (list, u);
          else
            hd_user_record_free (u);
        }
    }
  return list;
}

/* Whether someone technicians_for () left out would be reachable but for
 * the limit of chats. */
static gboolean
any_busy_candidate (HdChatService      *self,
                    const HdRequestRecord    *r,
                    const HdPrivileges *p)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (p->max_chats_per_technician <= 0)
    return FALSE;
  if (r->assignee_id > 0)
    g_array_append_val (ids, r->assignee_id);
  if (hd_policy_team_chat_allowed (p, r))
    {
      g_autoptr(GArray) members = hd_store_team_member_ids (self->store, r->team_id, NULL);

      if (members)
        g_array_append_vals (ids, members->data, members->len);
    }
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(HdUserRecord) u = hd_store_user_get (self->store, g_array_index (ids, gint64, i), NULL);

      if (may_pick (self, p, r, u, i > 0 || r->assignee_id <= 0, TRUE) && hd_tech_is_busy (self, u, p))
        return TRUE;
    }
  return FALSE;
}

/* Why a chat cannot start now (or NULL when it can). */
static const char *
chat_refusal (HdChatService      *self,
              const HdRequestRecord    *r,
              const HdPrivileges *p,
              GPtrArray          *technicians,
              HdErrorCode        *code)
{
  HdChatRecord open;

  return hd_policy_chat_refusal (p, r, hd_store_chat_get_open_for_request (self->store, r->id, &open),
                                 technicians->len,
                                 technicians->len == 0 && any_busy_candidate (self, r, p), code);
}

void
hd_request_entry_free (HdRequestEntry *entry)
{
  if (entry == NULL)
    return;
  hd_request_record_free (entry->request);
  g_clear_pointer (&entry->options.technicians, g_ptr_array_unref);
  g_free (entry);
}

/* @r (taken) as @viewer sees it: its open chat and, for its customer, the
 * chat options. */
static HdRequestEntry *
request_entry (HdChatService      *self,
               HdRequestRecord    *r,
               const HdUserRecord *viewer)
{
  HdRequestEntry *e = g_new0 (HdRequestEntry, 1);

  e->request = r;
  e->has_chat = hd_store_chat_get_open_for_request (self->store, r->id, &e->chat);
  /* chat_options: for the request's customer only. */
  if (viewer->id == r->customer_id)
    {
      HdPrivileges p = { 0, };
      HdErrorCode code = HD_ERROR_INTERNAL;
      const char *refusal;
      g_autoptr(GPtrArray) techs = NULL;

      hd_store_privileges_get (self->store, &p, NULL);
      techs = technicians_for (self, r, &p);
      refusal = chat_refusal (self, r, &p, techs, &code);
      e->has_options = TRUE;
      e->options.can_start = refusal == NULL;
      e->options.reason = refusal ? hd_error_code_to_string (code) : NULL;
      /* Whom to pick is only offered while a chat could start. */
      if (refusal == NULL)
        {
          for (guint i = 0; i < techs->len; i++)
            with_presence (self, g_ptr_array_index (techs, i));
          e->options.technicians = g_steal_pointer (&techs);
        }
    }
  return e;
}

/* ---- audiences (fanout) -------------------------------------------- */

gboolean
hd_chat_service_may_subscribe (HdChatService       *self,
                               const HdUserRecord  *caller,
                               gint64               request_id,
                               GError             **error)
{
  g_autoptr(HdRequestRecord) r = get_visible_request (self, caller, request_id, error);

  return r != NULL;
}

GArray *
hd_chat_service_presence_audience (HdChatService *self,
                                   gint64         technician_id)
{
  GArray *links = g_array_new (FALSE, FALSE, sizeof (HdPresenceLink));
  HdPrivileges p = { 0, };
  g_autoptr(GPtrArray) list = NULL;

  hd_store_privileges_get (self->store, &p, NULL);
  /* The requests assigned to the technician or to a team of theirs. */
  list = hd_store_requests_list (self->store, HD_REQUESTS_OF_STAFF, technician_id, NULL);
  for (guint i = 0; list && i < list->len; i++)
    {
      HdRequestRecord *r = g_ptr_array_index (list, i);

      if (!r->closed &&
          (r->assignee_id == technician_id || hd_policy_team_chat_allowed (&p, r)))
        {
          HdPresenceLink link = { r->customer_id, r->id };
          g_array_append_val (links, link);
        }
    }
  return links;
}

/* ---- me, privileges, users, teams ----------------------------------- */

HdUserRecord *
hd_chat_service_get_me (HdChatService       *self,
                        const HdUserRecord  *caller,
                        GError             **error)
{
  return with_presence (self, hd_user_record_copy (caller));
}

HdUserRecord *
hd_chat_service_set_available (HdChatService       *self,
                               const HdUserRecord  *caller,
                               gboolean             available,
                               GError             **error)
{
  g_autoptr(HdUserRecord) user = NULL;
  gboolean changed = caller->available != available;

  if (!HD_ROLE_IS_STAFF (caller->role))
    return hd_fail (error, HD_ERROR_FORBIDDEN, "Only technicians set their availability for chat");
  if (!hd_store_user_set_available (self->store, caller->id, available, error))
    return NULL;
  user = hd_store_user_get (self->store, caller->id, error);
  if (user == NULL)
    return NULL;

  if (changed)
    {
      emit_presence (self, user);
      if (!available)
        hd_waiting_technician_unreachable (self, caller->id);
    }
  return with_presence (self, g_steal_pointer (&user));
}

gboolean
hd_chat_service_get_privileges (HdChatService       *self,
                                const HdUserRecord  *caller,
                                HdPrivileges        *out,
                                GError             **error)
{
  return hd_store_privileges_get (self->store, out, error);
}

gboolean
hd_chat_service_set_privileges (HdChatService       *self,
                                const HdUserRecord  *caller,
                                int                  chat_enabled,
                                int                  with_team,
                                HdPrivileges        *out,
                                GError             **error)
{
  return hd_chat_service_update_privileges (self, caller, chat_enabled, with_team, -1, -1, -1, out, error);
}

gboolean
hd_chat_service_update_privileges (HdChatService       *self,
                                   const HdUserRecord  *caller,
                                   int                  chat_enabled,
                                   int                  with_team,
                                   gint64               max_chats,
                                   gint64               waiting_timeout_s,
                                   gint64               inactivity_timeout_s,
                                   HdPrivileges        *out,
                                   GError             **error)
{
  HdPrivileges p;

  if (caller->role != HD_ROLE_ADMIN)
    {
      hd_fail (error, HD_ERROR_FORBIDDEN, "Only an administrator changes the privileges");
      return FALSE;
    }
  if (!hd_store_privileges_get (self->store, &p, error))
    return FALSE;
  if (chat_enabled >= 0)
    p.chat_enabled = chat_enabled != 0;
  if (with_team >= 0)
    p.customer_chat_with_team = with_team != 0;
  if (max_chats >= 0)
    p.max_chats_per_technician = max_chats;
  if (waiting_timeout_s >= 0)
    p.waiting_timeout_s = waiting_timeout_s;
  if (inactivity_timeout_s >= 0)
    p.inactivity_timeout_s = inactivity_timeout_s;
  if (!hd_store_privileges_set (self->store, &p, error))
    return FALSE;

  emit (self, HD_EVENT_PRIVILEGES_CHANGED, NULL,
        &(HdEventData) { .kind = HD_EVENT_DATA_PRIVILEGES, .privileges = &p });
  *out = p;
  return TRUE;
}

GPtrArray *
hd_chat_service_list_users (HdChatService       *self,
                            const HdUserRecord  *caller,
                            int                  role,
                            GError             **error)
{
  g_autoptr(GPtrArray) users = NULL;

  if (!HD_ROLE_IS_STAFF (caller->role))
    return hd_fail (error, HD_ERROR_FORBIDDEN, "Only technicians list users");
  users = hd_store_users_list (self->store, role, error);
  if (users == NULL)
    return NULL;
  /* Who could take a transferred chat: each colleague's active chats
   * (one indexed count each; this list is read when a dialog opens). */
  for (guint i = 0; i < users->len; i++)
    {
      HdUserRecord *u = with_presence (self, g_ptr_array_index (users, i));

      if (HD_ROLE_IS_STAFF (u->role))
        {
          u->active_chats = hd_store_count_active_chats (self->store, u->id);
          u->active_chats_known = TRUE;
        }
    }
  return g_steal_pointer (&users);
}

typedef struct {
  char   *login, *name, *email;
  HdRole  role;
  gint64  team_id;
  HdUserRecord *caller;
} CreateUserData;

static void
create_user_data_free (CreateUserData *d)
{
  g_free (d->login);
  g_free (d->name);
  g_free (d->email);
  hd_user_record_free (d->caller);
  g_free (d);
}

static void
create_user_hashed (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HdChatService *self = g_task_get_source_object (task);
  CreateUserData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = hd_auth_hash_password_finish (result, &error);
  g_autoptr(HdUserRecord) user = NULL;

  if (hash == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!hd_store_begin (self->store, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  user = hd_store_user_create (self->store, d->login, d->name, d->email, d->role, hash, &error);
  if (user != NULL && d->team_id > 0 &&
      !hd_store_team_add_member (self->store, d->team_id, user->id, &error))
    g_clear_pointer (&user, hd_user_record_free);
  if (user == NULL)
    {
      hd_store_rollback (self->store);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!hd_store_commit (self->store, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, with_presence (self, g_steal_pointer (&user)),
                         (GDestroyNotify) hd_user_record_free);
}

static gboolean
text_ok (const char *s)
{
  if (s == NULL)
    return FALSE;
  for (; *s; s = g_utf8_next_char (s))
    if (!g_unichar_isspace (g_utf8_get_char (s)))
      return TRUE;
  return FALSE;
}

static gboolean
one_line (const char *s)
{
  return s != NULL && strpbrk (s, "\r\n") == NULL;
}

void
hd_chat_service_create_user_async (HdChatService       *self,
                                   const HdUserRecord        *caller,
                                   const char          *login,
                                   const char          *name,
                                   const char          *email,
                                   HdRole               role,
                                   const char          *password,
                                   gint64               team_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(HdUserRecord) existing = NULL;
  CreateUserData *d;

  g_task_set_source_tag (task, hd_chat_service_create_user_async);

  if (caller->role != HD_ROLE_ADMIN)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_FORBIDDEN, "Only an administrator creates users");
      return;
    }
  if (!text_ok (login) || !one_line (login) || strchr (login, ' ') != NULL)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_BAD_REQUEST, "The login must be one word");
      return;
    }
  if (!text_ok (name) || !one_line (name))
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_BAD_REQUEST, "The name is missing");
      return;
    }
  if (!text_ok (email) || !one_line (email) || strchr (email, '@') == NULL || strchr (email, ' ') != NULL)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_BAD_REQUEST, "The email address is not valid");
      return;
    }
  if (password == NULL || g_utf8_strlen (password, -1) < MIN_PASSWORD_CHARS)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_BAD_REQUEST,
                               "The password must have at least %d characters", MIN_PASSWORD_CHARS);
      return;
    }
  if (team_id > 0)
    {
      g_autoptr(HdTeamRecord) team = hd_store_team_get (self->store, team_id, NULL);
      if (team == NULL)
        {
          g_task_return_new_error (task, HD_ERROR, HD_ERROR_BAD_REQUEST, "No such team");
          return;
        }
    }
  existing = hd_store_user_get_by_login (self->store, login, NULL);
  if (existing != NULL)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_CONFLICT, "The login “%s” is taken", login);
      return;
    }

  d = g_new0 (CreateUserData, 1);
  d->login = g_strdup (login);
  d->name = g_strdup (name);
  d->email = g_strdup (email);
  d->role = role;
  d->team_id = team_id;
  d->caller = g_new0 (HdUserRecord, 1);
  d->caller->id = caller->id;
  d->caller->role = caller->role;
  g_task_set_task_data (task, d, (GDestroyNotify) create_user_data_free);
  hd_auth_hash_password_async (password, cancellable, create_user_hashed, g_steal_pointer (&task));
}

HdUserRecord *
hd_chat_service_create_user_finish (HdChatService  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

GPtrArray *
hd_chat_service_list_teams (HdChatService       *self,
                            const HdUserRecord  *caller,
                            GError             **error)
{
  GPtrArray *teams;

  if (!HD_ROLE_IS_STAFF (caller->role))
    return hd_fail (error, HD_ERROR_FORBIDDEN, "Only technicians list teams");
  teams = hd_store_teams_list (self->store, error);
  for (guint i = 0; teams != NULL && i < teams->len; i++)
    with_members (self, g_ptr_array_index (teams, i));
  return teams;
}

HdTeamRecord *
hd_chat_service_create_team (HdChatService       *self,
                             const HdUserRecord  *caller,
                             const char          *name,
                             const gint64        *member_ids,
                             guint                n_members,
                             GError             **error)
{
  if (caller->role != HD_ROLE_ADMIN)
    return hd_fail (error, HD_ERROR_FORBIDDEN, "Only an administrator creates teams");
  if (!text_ok (name) || !one_line (name))
    return hd_fail (error, HD_ERROR_BAD_REQUEST, "The team needs a name");
  for (guint i = 0; i < n_members; i++)
    {
      g_autoptr(HdUserRecord) u = hd_store_user_get (self->store, member_ids[i], NULL);
      if (u == NULL)
        return hd_fail (error, HD_ERROR_BAD_REQUEST, "A member id does not name a user");
    }
  return with_members (self, hd_store_team_create (self->store, name, member_ids, n_members, error));
}

/* ---- requests ------------------------------------------------------- */

static gboolean
check_user_role (HdChatService  *self,
                 gint64          id,
                 gboolean        staff,
                 const char     *what,
                 GError        **error)
{
  g_autoptr(HdUserRecord) u = hd_store_user_get (self->store, id, NULL);

  if (u == NULL || HD_ROLE_IS_STAFF (u->role) != staff)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "The %s id does not name a %s",
                   what, staff ? "technician" : "customer");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_team (HdChatService  *self,
            gint64          id,
            GError        **error)
{
  g_autoptr(HdTeamRecord) t = hd_store_team_get (self->store, id, NULL);

  if (t == NULL)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "The team id does not name a team");
      return FALSE;
    }
  return TRUE;
}

HdRequestEntry *
hd_chat_service_create_request (HdChatService  *self,
                                const HdUserRecord   *caller,
                                const char     *subject,
                                const char     *description,
                                gint64          customer_id,
                                gint64          assignee_id,
                                gint64          team_id,
                                GError        **error)
{
  g_autoptr(HdRequestRecord) r = NULL;

  if (!text_ok (subject))
    return hd_fail (error, HD_ERROR_BAD_REQUEST, "The request needs a subject");

  if (caller->role == HD_ROLE_CUSTOMER)
    {
      if ((customer_id > 0 && customer_id != caller->id) || assignee_id > 0 || team_id > 0)
        return hd_fail (error, HD_ERROR_FORBIDDEN, "A customer opens requests only for themselves; staff assign them");
      customer_id = caller->id;
    }
  else
    {
      if (customer_id <= 0)
        return hd_fail (error, HD_ERROR_BAD_REQUEST, "customer_id is required");
      if (!check_user_role (self, customer_id, FALSE, "customer", error) ||
          (assignee_id > 0 && !check_user_role (self, assignee_id, TRUE, "assignee", error)) ||
          (team_id > 0 && !check_team (self, team_id, error)))
        return NULL;
    }

  r = hd_store_request_create (self->store, subject, description, customer_id, assignee_id,
                               team_id, FALSE, g_get_real_time (), error);
  return r ? request_entry (self, g_steal_pointer (&r), caller) : NULL;
}

HdRequestEntry *
hd_chat_service_update_request (HdChatService  *self,
                                const HdUserRecord   *caller,
                                gint64          request_id,
                                int             closed,
                                gint64          assignee_id,
                                gint64          team_id,
                                GError        **error)
{
  g_autoptr(HdRequestRecord) r = get_visible_request (self, caller, request_id, error);
  gint64 old_assignee, old_team;

  if (r == NULL)
    return NULL;
  if (!HD_ROLE_IS_STAFF (caller->role))
    return hd_fail (error, HD_ERROR_FORBIDDEN, "Only technicians change requests");
  old_assignee = r->assignee_id;
  old_team = r->team_id;
  if (assignee_id > 0 && !check_user_role (self, assignee_id, TRUE, "assignee", error))
    return NULL;
  if (team_id > 0 && !check_team (self, team_id, error))
    return NULL;
  if (closed >= 0)
    r->closed = closed != 0;
  if (assignee_id >= 0)
    r->assignee_id = assignee_id;
  if (team_id >= 0)
    r->team_id = team_id;
  if (!hd_store_request_update (self->store, r, error))
    return NULL;
  /* Someone may have lost sight of it: their subscriptions go (fanout). */
  if (r->assignee_id != old_assignee || r->team_id != old_team)
    emit_to (self, HD_EVENT_REQUEST_ACCESS, NULL, r->id, 0, &(HdEventData) { .kind = HD_EVENT_DATA_EMPTY });
  return request_entry (self, g_steal_pointer (&r), caller);
}

GPtrArray *
hd_chat_service_list_requests (HdChatService       *self,
                               const HdUserRecord  *caller,
                               GError             **error)
{
  g_autoptr(GPtrArray) list = NULL;
  GPtrArray *entries;

  list = hd_store_requests_list (self->store,
                                 caller->role == HD_ROLE_ADMIN ? HD_REQUESTS_ALL :
                                 caller->role == HD_ROLE_TECHNICIAN ? HD_REQUESTS_OF_STAFF :
                                 HD_REQUESTS_OF_CUSTOMER,
                                 caller->id, error);
  if (list == NULL)
    return NULL;
  entries = g_ptr_array_new_full (list->len, (GDestroyNotify) hd_request_entry_free);
  for (guint i = 0; i < list->len; i++)
    g_ptr_array_add (entries, request_entry (self, g_steal_pointer (&list->pdata[i]), caller));
  return entries;
}

HdRequestEntry *
hd_chat_service_get_request (HdChatService       *self,
                             const HdUserRecord  *caller,
                             gint64               request_id,
                             GError             **error)
{
  HdRequestRecord *r = get_visible_request (self, caller, request_id, error);

  return r ? request_entry (self, r, caller) : NULL;
}

/* ---- transcript ----------------------------------------------------- */

char *
hd_chat_service_build_transcript (HdChatService  *self,
                                  gint64          chat_id,
                                  GError        **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) hd_message_record_free);
  gint64 after = 0;
  gboolean more = TRUE;

  while (more)
    {
      GPtrArray *page = hd_store_messages_list (self->store, chat_id, after, HD_MESSAGES_PAGE_MAX, &more, error);

      if (page == NULL)
        return NULL;
      if (page->len > 0)
        after = ((HdMessageRecord *) g_ptr_array_index (page, page->len - 1))->seq;
      g_ptr_array_extend_and_steal (all, page);
    }
  return hd_transcript_of_messages (all);
}

GPtrArray *
hd_chat_service_list_notes (HdChatService       *self,
                            const HdUserRecord  *caller,
                            gint64               request_id,
                            GError             **error)
{
  g_autoptr(HdRequestRecord) r = get_visible_request (self, caller, request_id, error);
  GPtrArray *notes;

  if (r == NULL)
    return NULL;
  notes = hd_store_notes_list (self->store, request_id, error);
  /* A transcript's body is derived from its chat's messages. */
  for (guint i = 0; notes != NULL && i < notes->len; i++)
    {
      HdNoteRecord *n = g_ptr_array_index (notes, i);

      if (n->kind == HD_NOTE_KIND_TRANSCRIPT)
        {
          char *derived = hd_chat_service_build_transcript (self, n->chat_id, NULL);

          if (derived != NULL)
            {
              g_free (n->body);
              n->body = derived;
            }
        }
    }
  return notes;
}

/* note.updated of a transcript: to the chat's two members and the sockets
 * subscribed to the request (not to every staff member who could see it:
 * a message costs the same whatever the size of the request's team). */
static void
emit_transcript_update (HdChatService      *self,
                        const HdChatRecord *chat,
                        gint64              updated_at,
                        const char         *appended,
                        gint64              length)
{
  HdNoteRecord n = { chat->note_id, chat->request_id, HD_NOTE_KIND_TRANSCRIPT, chat->id, NULL,
                     chat->accepted_at, updated_at, length, 0 };
  HdEventData data = { .kind = HD_EVENT_DATA_NOTE_APPENDED, .note = &n, .appended = appended };
  GArray *members;

  if (chat->note_id <= 0)
    return;
  members = ids_new ();
  ids_add (members, chat->customer_id);
  ids_add (members, chat->technician_id);
  emit_to (self, HD_EVENT_NOTE_UPDATED, members, chat->request_id, 0, &data);
}

/* The transcript note's length after @chars more: inside a batch counted
 * here and written by flush_transcripts (); outside one written at once. */
static gint64
transcript_grow (HdChatService      *self,
                 const HdChatRecord *chat,
                 gint64              chars,
                 gint64              now)
{
  BatchChat *b = batch_chat (self, chat->id);
  gint64 length = 0;

  if (b == NULL || !b->note_known)
    {
      g_autoptr(GError) error = NULL;

      if (!hd_store_note_grow (self->store, chat->note_id, chars, now, &length, &error))
        g_warning ("Updating the transcript of chat %" G_GINT64_FORMAT ": %s", chat->id, error->message);
      if (b != NULL)
        {
          b->note_known = TRUE;
          b->note_length = length;
        }
      return length;
    }
  b->note_length += chars;
  b->note_pending += chars;
  b->note_updated_at = now;
  return b->note_length;
}

/* A new message's line joins the chat's transcript (the note's length and
 * updated_at), and note.updated tells whoever watches.  @author: NULL for
 * a system message. */
static void
transcript_append (HdChatService      *self,
                   const HdChatRecord *chat,
                   gint64              now,
                   const char         *author,
                   const char         *body)
{
  g_autofree char *line = NULL;
  glong chars;

  if (chat->note_id <= 0)
    return;
  line = hd_transcript_line (now, author, body, &chars);
  emit_transcript_update (self, chat, now, line, transcript_grow (self, chat, chars, now));
}

/* The transcript note of a chat being accepted (a chat transferred back to
 * a team queue keeps the one it has). */
static gboolean
transcript_create (HdChatService  *self,
                   HdChatRecord   *chat,
                   GError        **error)
{
  g_autoptr(HdNoteRecord) note = NULL;

  if (chat->note_id > 0)
    return TRUE;
  note = hd_store_note_add (self->store, chat->request_id, HD_NOTE_KIND_TRANSCRIPT, chat->id, 0, "",
                            chat->accepted_at, error);
  if (note == NULL || !hd_store_chat_set_note (self->store, chat->id, note->id, error))
    return FALSE;
  chat->note_id = note->id;
  return TRUE;
}

/* note.created for a chat's transcript note (at the accept): to the
 * request's assignee, its subscribers and the chat's members.  The other
 * notes' note.created: hd-notes.c. */
static void
emit_transcript_created (HdChatService      *self,
                         const HdChatRecord *chat)
{
  g_autoptr(HdRequestRecord) r = hd_store_request_get (self->store, chat->request_id, NULL);
  HdNoteRecord n = { chat->note_id, chat->request_id, HD_NOTE_KIND_TRANSCRIPT, chat->id, NULL,
                     chat->accepted_at, chat->accepted_at, 0, 0 };
  GArray *to;

  if (r == NULL || chat->note_id <= 0)
    return;
  to = ids_new ();
  ids_add (to, r->assignee_id);
  ids_add (to, r->customer_id);
  ids_add (to, chat->technician_id);
  hd_chat_service_emit_note (self, HD_EVENT_NOTE_CREATED, to, r, &n);
}

/* ---- chats ---------------------------------------------------------- */

static HdChatRecord *start_chat  (HdChatService *self, const HdUserRecord *caller, gint64 request_id,
                                  gint64 technician_id, HdChatRecord *out, GError **error);
static HdChatRecord *accept_chat (HdChatService *self, const HdUserRecord *caller, gint64 chat_id,
                                  HdChatRecord *out, GError **error);
static HdChatRecord *end_chat    (HdChatService *self, const HdUserRecord *caller, gint64 chat_id,
                                  HdChatRecord *out, GError **error);

gboolean
hd_chat_service_start_chat (HdChatService       *self,
                            const HdUserRecord  *caller,
                            gint64               request_id,
                            gint64               technician_id,
                            HdChatRecord        *out,
                            GError             **error)
{
  return start_chat (self, caller, request_id, technician_id, out, error) != NULL;
}

/* NULL (with @error) or @out. */
static HdChatRecord *
start_chat (HdChatService       *self,
            const HdUserRecord  *caller,
            gint64               request_id,
            gint64               technician_id,
            HdChatRecord        *out,
            GError             **error)
{
  g_autoptr(HdRequestRecord) r = NULL;
  g_autoptr(GPtrArray) techs = NULL;
  HdPrivileges p;
  HdErrorCode code;
  const char *refusal;
  HdChatRecord chat = { 0, };

  if (caller->role != HD_ROLE_CUSTOMER)
    return hd_fail (error, HD_ERROR_FORBIDDEN, "Only customers start chats");
  r = get_visible_request (self, caller, request_id, error);
  if (r == NULL)
    return NULL;
  if (!hd_store_privileges_get (self->store, &p, error))
    return NULL;

  techs = technicians_for (self, r, &p);
  refusal = chat_refusal (self, r, &p, techs, &code);
  if (refusal != NULL)
    return hd_fail (error, code, refusal);

  chat.request_id = r->id;
  chat.customer_id = caller->id;
  chat.created_at = g_get_real_time ();
  if (technician_id > 0)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < techs->len && !found; i++)
        found = ((HdUserRecord *) g_ptr_array_index (techs, i))->id == technician_id;
      if (!found)
        {
          g_autoptr(HdUserRecord) picked = hd_store_user_get (self->store, technician_id, NULL);

          if (reachable (self, picked) && hd_tech_is_busy (self, picked, &p))
            return hd_fail (error, HD_ERROR_TECHNICIAN_BUSY,
                         "That technician is busy with other chats");
          return hd_fail (error, HD_ERROR_TECHNICIAN_UNAVAILABLE,
                       "That technician is not available for a chat on this request");
        }
      chat.target_kind = HD_TARGET_TECHNICIAN;
      chat.target_id = technician_id;
    }
  else if (technician_id < 0)
    {
      /* "Chat with the team" (contract v2): the team's queue even when the
       * assignee is there, if the privilege allows it. */
      if (!hd_policy_team_chat_allowed (&p, r))
        return hd_fail (error, HD_ERROR_TECHNICIAN_UNAVAILABLE,
                     "Chatting with the team is not possible for this request");
      chat.target_kind = HD_TARGET_TEAM;
      chat.target_id = r->team_id;
    }
  else if (r->assignee_id > 0 && ((HdUserRecord *) g_ptr_array_index (techs, 0))->id == r->assignee_id)
    {
      chat.target_kind = HD_TARGET_TECHNICIAN;
      chat.target_id = r->assignee_id;
    }
  else
    {
      /* Only reachable with the team privilege: the list holds team
       * members only when it is on. */
      chat.target_kind = HD_TARGET_TEAM;
      chat.target_id = r->team_id;
    }

  if (!hd_store_chat_create (self->store, &chat, error))
    return NULL;

  emit_chat (self, HD_EVENT_CHAT_REQUESTED, offered_ids (self, &chat), &chat);
  *out = chat;
  return out;
}

GArray *
hd_chat_service_list_chats (HdChatService       *self,
                            const HdUserRecord  *caller,
                            int                  state,
                            GError             **error)
{
  return hd_store_chats_for_member (self->store, caller->id, state, error);
}

GArray *
hd_chat_service_queue (HdChatService       *self,
                       const HdUserRecord  *caller,
                       GError             **error)
{
  GArray *chats;

  if (!HD_ROLE_IS_STAFF (caller->role))
    return hd_fail (error, HD_ERROR_FORBIDDEN, "Only technicians have a chat queue");
  chats = hd_store_chats_waiting (self->store, error);
  /* Only those offered to @caller. */
  for (guint i = chats ? chats->len : 0; i > 0; i--)
    if (!was_offered (self, caller, &g_array_index (chats, HdChatRecord, i - 1)))
      g_array_remove_index (chats, i - 1);
  return chats;
}

gboolean
hd_chat_service_get_chat (HdChatService       *self,
                          const HdUserRecord  *caller,
                          gint64               chat_id,
                          HdChatRecord        *out,
                          GError             **error)
{
  return get_visible_chat (self, caller, chat_id, out, error);
}

gboolean
hd_chat_service_accept_chat (HdChatService       *self,
                             const HdUserRecord  *caller,
                             gint64               chat_id,
                             HdChatRecord        *out,
                             GError             **error)
{
  return accept_chat (self, caller, chat_id, out, error) != NULL;
}

/* NULL (with @error) or @out. */
static HdChatRecord *
accept_chat (HdChatService       *self,
             const HdUserRecord  *caller,
             gint64               chat_id,
             HdChatRecord        *out,
             GError             **error)
{
  HdChatRecord chat;
  HdChatRecord before;
  HdQueueChange queue;
  HdPrivileges p;
  g_autoptr(GError) local = NULL;

  if (!hd_store_chat_get (self->store, chat_id, &before, NULL))
    return NOT_FOUND (error, "Chat");
  if (!hd_policy_may_accept (caller, &before, was_offered (self, caller, &before),
                             hd_store_privileges_get (self->store, &p, NULL) && hd_tech_is_busy (self, caller, &p),
                             error))
    return NULL;

  hd_customer_queue_leaving (self, &before, &queue);
  if (!hd_store_begin (self->store, error))
    return NULL;
  if (!hd_store_chat_accept (self->store, chat_id, caller->id, g_get_real_time (), &chat, &local) ||
      !transcript_create (self, &chat, &local))
    {
      hd_store_rollback (self->store);
      /* Another accept (maybe on another server) came first. */
      if (g_error_matches (local, HD_ERROR, HD_ERROR_CONFLICT))
        hd_policy_set_already_taken (error);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (!hd_store_commit (self->store, error))
    return NULL;
  hd_customer_queue_left (self, &queue);

  {
    GArray *to = ids_new ();
    ids_add (to, chat.customer_id);
    ids_add (to, chat.technician_id);
    emit_chat (self, HD_EVENT_CHAT_ACCEPTED, to, &chat);
  }
  emit_chat (self, HD_EVENT_CHAT_TAKEN, offered_ids (self, &chat), &chat);
  emit_transcript_created (self, &chat);
  *out = chat;
  return out;
}

gboolean
hd_chat_service_end_chat (HdChatService       *self,
                          const HdUserRecord  *caller,
                          gint64               chat_id,
                          HdChatRecord        *out,
                          GError             **error)
{
  return end_chat (self, caller, chat_id, out, error) != NULL;
}

/* NULL (with @error) or @out. */
static HdChatRecord *
end_chat (HdChatService       *self,
          const HdUserRecord  *caller,
          gint64               chat_id,
          HdChatRecord        *out,
          GError             **error)
{
  HdChatRecord chat;
  HdChatRecord before;
  HdQueueChange queue;
  GArray *to;

  if (!get_member_chat (self, caller, chat_id, &before, error))
    return NULL;
  hd_customer_queue_leaving (self, &before, &queue);
  if (!hd_store_chat_end_with_reason (self->store, chat_id, g_get_real_time (),
                                      hd_policy_end_reason (caller, &before), -1, &chat, error))
    return NULL;
  hd_customer_queue_left (self, &queue);

  to = ids_new ();
  ids_add (to, chat.customer_id);
  ids_add (to, chat.technician_id);
  emit_chat (self, HD_EVENT_CHAT_ENDED, to, &chat);
  if (before.state == HD_CHAT_STATE_WAITING)
    emit_chat (self, HD_EVENT_CHAT_TAKEN, offered_ids (self, &chat), &chat);
  *out = chat;
  return out;
}

GPtrArray *
hd_chat_service_list_messages (HdChatService       *self,
                               const HdUserRecord  *caller,
                               gint64               chat_id,
                               gint64               after,
                               guint                limit,
                               gboolean            *more,
                               GError             **error)
{
  HdChatRecord chat;

  *more = FALSE;
  if (!get_member_chat (self, caller, chat_id, &chat, error))
    return NULL;
  if (limit == 0 || limit > HD_MESSAGES_PAGE_MAX)
    limit = HD_MESSAGES_PAGE_MAX;
  return hd_store_messages_list (self->store, chat_id, after < 0 ? 0 : after, limit, more, error);
}

/* What hd_chat_service_post_message () checks before the store. */
static gboolean
post_check (HdChatService       *self,
            const HdUserRecord  *caller,
            gint64               chat_id,
            const char          *body,
            const char          *client_id,
            HdChatRecord        *chat,
            GError             **error)
{
  if (!hd_protocol_validate_message_body (body, -1, error))
    return FALSE;
  if (client_id != NULL && (strlen (client_id) > 200 || !g_utf8_validate (client_id, -1, NULL)))
    {
      hd_fail (error, HD_ERROR_BAD_REQUEST, "client_id is too long");
      return FALSE;
    }
  if (!get_member_chat (self, caller, chat_id, chat, error))
    return FALSE;
  if (chat->state == HD_CHAT_STATE_WAITING)
    {
      hd_fail (error, HD_ERROR_CONFLICT, "The chat has not been accepted yet");
      return FALSE;
    }
  return TRUE;
}

/* A message of hd_chat_service_post_message_later (): queued in the
 * service (self->later_posts) until the next sync, then checked and
 * handed to the store (self->later_pending counts those), then done. */
struct _LaterPost {
  HdChatService    *self;
  gint64            user_id;
  gint64            chat_id;
  char             *body;
  char             *client_id;
  gint64            now;
  HdPostMessageDone done;
  gpointer          user_data;
  /* once checked */
  HdChatRecord      chat;
  HdUserRecord     *caller;
};

static void
later_post_free (LaterPost *lp)
{
  g_free (lp->body);
  g_free (lp->client_id);
  g_clear_pointer (&lp->caller, hd_user_record_free);
  g_free (lp);
}

/* The store's answer to a queued message (hd_store_sync ()). */
static void
later_post_stored (HdMessageRecord *m,
                   gboolean         created,
                   const GError    *error,
                   gpointer         data)
{
  LaterPost *lp = data;
  HdChatService *self = lp->self;

  g_assert (self->later_pending > 0);
  self->later_pending--;
  if (m != NULL && created)
    {
      emit_message (self, &lp->chat, m, lp->caller);
      transcript_append (self, &lp->chat, lp->now, lp->caller->name, m->body);
    }
  lp->done (m, created, error, lp->user_data);
  later_post_free (lp);
}

/* The batch's senders, chats and their transcripts' lengths that the
 * batch has not read yet: three statements for all the queued messages,
 * not three per chat. */
static void
later_prefetch (HdChatService *self)
{
  g_autoptr(GArray) user_ids = ids_new ();
  g_autoptr(GArray) chat_ids = ids_new ();
  g_autoptr(GArray) note_ids = ids_new ();
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GArray) chats = NULL;
  g_autoptr(GPtrArray) notes = NULL;

  for (GList *l = self->later_posts.head; l != NULL; l = l->next)
    {
      LaterPost *lp = l->data;

      if (!g_hash_table_contains (self->batch_users, &lp->user_id))
        ids_add (user_ids, lp->user_id);
      if (!g_hash_table_contains (self->batch_chats, &lp->chat_id))
        ids_add (chat_ids, lp->chat_id);
    }
  if (user_ids->len > 1)
    users = hd_store_users_get_many (self->store, user_ids, NULL);
  while (users != NULL && users->len > 0)
    {
      HdUserRecord *u = g_ptr_array_steal_index_fast (users, users->len - 1);

      g_hash_table_insert (self->batch_users, &u->id, u);
    }
  if (chat_ids->len > 1)
    chats = hd_store_chats_get_many (self->store, chat_ids, NULL);
  for (guint i = 0; chats != NULL && i < chats->len; i++)
    {
      BatchChat *b = g_new0 (BatchChat, 1);

      b->chat = g_array_index (chats, HdChatRecord, i);
      g_hash_table_insert (self->batch_chats, &b->chat.id, b);
      if (b->chat.note_id > 0)
        ids_add (note_ids, b->chat.note_id);
    }
  if (note_ids->len > 1)
    notes = hd_store_notes_get_many_locked (self->store, note_ids, NULL);
  for (guint i = 0; notes != NULL && i < notes->len; i++)
    {
      HdNoteRecord *n = g_ptr_array_index (notes, i);
      BatchChat *b = g_hash_table_lookup (self->batch_chats, &n->chat_id);

      if (b != NULL && b->chat.note_id == n->id && !b->note_known)
        {
          b->note_known = TRUE;
          b->note_length = n->length;
        }
    }
}

/* Checks the queued messages in order and hands those that pass to the
 * store; the others are done with their error now. */
static void
later_resolve (HdChatService *self)
{
  LaterPost *lp;

  if (self->batch_depth > 0)
    later_prefetch (self);
  while ((lp = g_queue_pop_head (&self->later_posts)) != NULL)
    {
      g_autoptr(GError) error = NULL;
      HdUserRecord *caller = hd_chat_service_batch_user (self, lp->user_id, &error);

      if (caller == NULL || !post_check (self, caller, lp->chat_id, lp->body, lp->client_id, &lp->chat, &error))
        {
          lp->done (NULL, FALSE, error, lp->user_data);
          later_post_free (lp);
          continue;
        }
      lp->caller = hd_user_record_copy (caller);
      self->later_pending++;
      hd_store_message_add_later (self->store, lp->chat_id, lp->user_id, lp->body, lp->client_id, lp->now,
                                  later_post_stored, lp);
    }
}

void
hd_chat_service_post_message_later (HdChatService      *self,
                                    gint64              user_id,
                                    gint64              chat_id,
                                    const char         *body,
                                    const char         *client_id,
                                    HdPostMessageDone   done,
                                    gpointer            user_data)
{
  LaterPost *lp = g_new0 (LaterPost, 1);

  lp->self = self;
  lp->user_id = user_id;
  lp->chat_id = chat_id;
  lp->body = g_strdup (body);
  lp->client_id = g_strdup (client_id);
  lp->now = g_get_real_time ();
  lp->done = done;
  lp->user_data = user_data;
  g_queue_push_tail (&self->later_posts, lp);
  /* Outside a batch nothing else would sync. */
  if (self->batch_depth == 0)
    service_sync (self);
}

HdMessageRecord *
hd_chat_service_post_message (HdChatService  *self,
                              const HdUserRecord   *caller,
                              gint64          chat_id,
                              const char     *body,
                              const char     *client_id,
                              gboolean       *created,
                              GError        **error)
{
  HdChatRecord chat;
  g_autoptr(HdMessageRecord) m = NULL;
  gint64 now = g_get_real_time ();
  gboolean is_new = FALSE;

  if (created)
    *created = FALSE;
  service_sync (self);
  if (!post_check (self, caller, chat_id, body, client_id, &chat, error))
    return NULL;

  m = hd_store_message_add (self->store, chat_id, caller->id, body, client_id, now, &is_new, error);
  if (m == NULL)
    return NULL;

  if (is_new)
    {
      emit_message (self, &chat, m, caller);
      transcript_append (self, &chat, now, caller->name, body);
    }

  if (created)
    *created = is_new;
  return g_steal_pointer (&m);
}

gboolean
hd_chat_service_typing (HdChatService  *self,
                        const HdUserRecord   *caller,
                        gint64          chat_id,
                        GError        **error)
{
  HdChatRecord chat;
  GArray *to;

  if (!get_member_chat (self, caller, chat_id, &chat, error))
    return FALSE;
  if (chat.state != HD_CHAT_STATE_ACTIVE)
    {
      g_set_error_literal (error, HD_ERROR, HD_ERROR_CHAT_ENDED, "The chat is not active");
      return FALSE;
    }
  to = ids_new ();
  ids_add (to, caller->id == chat.customer_id ? chat.technician_id : chat.customer_id);
  emit (self, HD_EVENT_CHAT_TYPING, to,
        &(HdEventData) { .kind = HD_EVENT_DATA_TYPING, .chat_id = chat_id, .user_id = caller->id });
  return TRUE;
}

/* ---- email ---------------------------------------------------------- */

typedef struct {
  char   *to;
  gint64  sender_id;
  gint64  reserved_at;   /* its place in the store's count */
  HdChatRecord  chat;
} EmailData;

static void
email_data_free (EmailData *d)
{
  g_free (d->to);
  g_free (d);
}

static void
email_sent (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EmailData *d = g_task_get_task_data (task);
  const char *to = d->to;
  g_autoptr(GError) error = NULL;

  HdChatService *self = g_task_get_source_object (task);

  if (!hd_mailer_send_finish (HD_MAILER (source), result, &error))
    {
      /* Not sent: it does not count against the chat's limit. */
      hd_store_mail_release (self->store, d->chat.id, d->reserved_at, NULL);
      if (!g_error_matches (error, HD_ERROR, HD_ERROR_MAIL_NOT_CONFIGURED) &&
          !g_error_matches (error, HD_ERROR, HD_ERROR_MAIL_FAILED))
        {
          g_autoptr(GError) wrapped = g_error_new (HD_ERROR, HD_ERROR_MAIL_FAILED,
                                                   "Sending the mail failed: %s", error->message);
          g_task_return_error (task, g_steal_pointer (&wrapped));
        }
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  hd_chat_service_note_mail_sent (g_task_get_source_object (task), d->sender_id, &d->chat, to);
  g_task_return_pointer (task, g_strdup (to), g_free);
}

void
hd_chat_service_email_chat_async (HdChatService       *self,
                                  const HdUserRecord        *caller,
                                  gint64               chat_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(HdRequestRecord) r = NULL;
  g_autoptr(HdUserRecord) customer = NULL;
  g_autofree char *transcript = NULL;
  g_autofree char *subject = NULL;
  HdChatRecord chat;
  gint64 reserved_at;

  g_task_set_source_tag (task, hd_chat_service_email_chat_async);

  if (!get_member_chat (self, caller, chat_id, &chat, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!hd_mailer_is_configured (self->mailer))
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_MAIL_NOT_CONFIGURED,
                               "This server has no mail server configured");
      return;
    }
  r = hd_store_request_get (self->store, chat.request_id, &error);
  customer = r ? hd_store_user_get (self->store, hd_policy_transcript_recipient (r), &error) : NULL;
  transcript = customer ? hd_chat_service_build_transcript (self, chat_id, &error) : NULL;
  if (transcript == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Counted before the send, so concurrent calls cannot pass it, and in
   * the store, so that every server on the database shares the count. */
  {
    gint64 now = g_get_real_time ();
    gboolean reserved = FALSE;

    if (!hd_store_mail_reserve (self->store, chat_id, now, MAIL_WINDOW_USEC, MAIL_MAX_PER_CHAT,
                                &reserved, &error))
      {
        g_task_return_error (task, g_steal_pointer (&error));
        return;
      }
    if (!reserved)
      {
        g_task_return_new_error (task, HD_ERROR, HD_ERROR_TOO_MANY_REQUESTS,
                                 "At most %d transcript mails per chat in an hour", MAIL_MAX_PER_CHAT);
        return;
      }
    reserved_at = now;
  }
  subject = g_strdup_printf ("Chat transcript for request #%" G_GINT64_FORMAT ": %s", r->id, r->subject);
  {
    EmailData *d = g_new0 (EmailData, 1);

    d->to = g_strdup (customer->email);
    d->sender_id = caller->id;
    d->reserved_at = reserved_at;
    d->chat = chat;
    g_task_set_task_data (task, d, (GDestroyNotify) email_data_free);
  }
  {
    /* People read the mail: readable UTC times, not the stored RFC 3339. */
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
    g_autofree char *readable = hd_transcript_for_people (transcript, utc, TRUE);

    g_free (transcript);
    transcript = g_steal_pointer (&readable);
  }
  hd_mailer_send_async (self->mailer, customer->email, customer->name, subject,
                        *transcript ? transcript : "(no messages)\n",
                        cancellable, email_sent, g_steal_pointer (&task));
}

char *
hd_chat_service_email_chat_finish (HdChatService  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- for the service's other files (hd-chat-service-private.h) ------ */

void
hd_chat_service_emit_note (HdChatService         *self,
                           const char            *type,
                           GArray                *recipients,
                           const HdRequestRecord *request,
                           const HdNoteRecord    *note)
{
  HdEventData data = { .kind = HD_EVENT_DATA_NOTE, .note = note, .customer_id = request->customer_id };

  emit_to (self, type, recipients, request->id, 0, &data);
}

void
hd_chat_service_emit_message (HdChatService         *self,
                              const HdChatRecord    *chat,
                              const HdMessageRecord *message,
                              const HdUserRecord    *author)
{
  emit_message (self, chat, message, author);
}

void
hd_chat_service_emit_chat_event (HdChatService *self,
                                 const char    *type,
                                 GArray        *recipients,
                                 const HdChatRecord  *chat)
{
  emit_chat (self, type, recipients, chat);
}

gboolean
hd_chat_service_get_member_chat (HdChatService  *self,
                                 const HdUserRecord   *caller,
                                 gint64          chat_id,
                                 HdChatRecord         *chat,
                                 GError        **error)
{
  return get_member_chat (self, caller, chat_id, chat, error);
}

gboolean
hd_chat_service_can_see_request (HdChatService   *self,
                                 const HdUserRecord    *caller,
                                 const HdRequestRecord *request)
{
  return can_see_request (self, caller, request);
}

HdRequestRecord *
hd_chat_service_get_visible_request (HdChatService  *self,
                                     const HdUserRecord   *caller,
                                     gint64          request_id,
                                     GError        **error)
{
  return get_visible_request (self, caller, request_id, error);
}

void
hd_chat_service_transcript_append (HdChatService      *self,
                                   const HdChatRecord *chat,
                                   gint64              now,
                                   const char         *author,
                                   const char         *body)
{
  transcript_append (self, chat, now, author, body);
}

gboolean
hd_chat_service_text_ok (const char *text)
{
  return text_ok (text);
}

void
hd_chat_service_private_emit_presence (HdChatService      *self,
                                       const HdUserRecord *user)
{
  emit_presence (self, user);
}

GArray *
hd_chat_service_private_offered_ids (HdChatService *self,
                                     const HdChatRecord  *chat)
{
  return offered_ids (self, chat);
}

gboolean
hd_chat_service_private_reachable (HdChatService *self,
                                   const HdUserRecord  *user)
{
  return reachable (self, user);
}

gboolean
hd_chat_service_private_team_has_reachable (HdChatService *self,
                                            gint64         team_id)
{
  return team_has_reachable (self, team_id);
}

/* A system message in @chat (active), caused by @actor: stored with the
 * transcript's bookkeeping, then chat.message to the members and
 * note.updated to whoever watches the request. */
gboolean
hd_chat_service_private_add_system_message (HdChatService  *self,
                                            const HdChatRecord   *chat,
                                            gint64          actor_id,
                                            const char     *body,
                                            gint64          now,
                                            GError        **error)
{
  g_autoptr(HdMessageRecord) m = NULL;
  gboolean created = FALSE;

  m = hd_store_message_add_kind (self->store, chat->id, actor_id, HD_MESSAGE_KIND_SYSTEM, body, NULL, now,
                                 &created, error);
  if (m == NULL)
    return FALSE;
  emit_message (self, chat, m, NULL);
  transcript_append (self, chat, now, NULL, body);
  return TRUE;
}
