/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-session"

#include "hd-session-private.h"
#include "hd-list-model-private.h"
#include "hd-credentials.h"
#include "hd-user.h"
#include "hd-request.h"
#include "hd-chat.h"
#include "hd-message.h"
#include "hd-note.h"
#include "hd-error.h"
#include "hd-protocol.h"

#include <string.h>

/* Round 2 frames and events (contract v2); common/ names them once the
 * wire module has them. */
#ifndef HD_FRAME_SUBSCRIBE
#define HD_FRAME_SUBSCRIBE "subscribe"
#endif
#ifndef HD_FRAME_UNSUBSCRIBE
#define HD_FRAME_UNSUBSCRIBE "unsubscribe"
#endif
#ifndef HD_EVENT_NOTE_CREATED
#define HD_EVENT_NOTE_CREATED "note.created"
#endif

#define TYPING_THROTTLE_USEC (3 * G_USEC_PER_SEC)

/* The messages of one chat (the data of its "messages" feed).  The list
 * holds the acknowledged messages in seq order, then the ones still
 * sending in the order they were typed.  by_seq is what keeps a message
 * from ever showing twice, however often it arrives (event, resume fetch,
 * resend answer). */
typedef struct {
  HdSession *session;      /* unowned */
  gint64 chat_id;
  GListStore *store;       /* the feed model's store */
  GHashTable *by_seq;      /* seq → HdMessage (borrowed from store) */
  GPtrArray *pending;      /* HdMessage still sending, oldest first */
  gint64 contiguous;       /* every seq 1..contiguous is in the store */
  gint64 max_seq;
  gboolean fail_pending_after_fetch;
} ChatMessages;

/* The notes of one request (the data of its "notes" feed). */
typedef struct {
  guint watchers;          /* views showing them: subscribed while > 0 */
} NoteWatch;

struct _HdFeed
{
  HdSession *session;      /* unowned: the session owns its feeds */
  const HdFeedClass *klass;
  char *key;
  gint64 id;
  HdListModel *model;      /* may be NULL */
  gboolean fetching;
  gboolean again;
  gboolean loading;        /* counted in the model's load */
  gpointer data;
  GDestroyNotify data_free;
};

struct _HdSession
{
  GObject parent_instance;

  char *app_id;
  HdClient *client;
  HdEventStream *events;
  gboolean started;
  gboolean restored;           /* "chat-restored" emitted */
  gboolean chat_enabled;
  gboolean customer_chat_with_team;
  gint64 max_chats;            /* contract v2 limits, see hd_session_set_chat_limits_async () */
  gint64 waiting_timeout;
  gint64 inactivity_timeout;

  HdListModel *requests;
  HdListModel *queue;
  HdListModel *chats;
  GHashTable *chat_by_id;      /* id → HdChat (strong) */
  GHashTable *request_by_id;   /* id → HdRequest (strong) */
  GHashTable *feeds;           /* "kind:id" → HdFeed */
  GHashTable *typing_sent;     /* chat id → last chat.typing, monotonic µs */
  /* chat id → when the other member's last chat.typing came (monotonic
   * µs); gone when a message of theirs came after it. */
  GHashTable *typing_seen;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (HdSession, hd_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_APP_ID,
  PROP_CLIENT,
  PROP_SERVER_URL,
  PROP_USER,
  PROP_STATE,
  PROP_CHAT_ENABLED,
  PROP_CUSTOMER_CHAT_WITH_TEAM,
  PROP_WAITING_COUNT,
  PROP_MAX_CHATS,
  PROP_WAITING_TIMEOUT,
  PROP_INACTIVITY_TIMEOUT,
  N_PROPS
};

enum {
  SIGNAL_CHAT_REQUESTED,
  SIGNAL_CHAT_TAKEN,
  SIGNAL_CHAT_ACCEPTED,
  SIGNAL_CHAT_ENDED,
  SIGNAL_CHAT_RESTORED,
  SIGNAL_TYPING,
  SIGNAL_MESSAGE_RECEIVED,
  SIGNAL_UNAUTHORIZED,
  SIGNAL_CHAT_TRANSFERRED,
  SIGNAL_NOTE_CREATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void refresh_request (HdSession *self, gint64 request_id);

static gint64
my_id (HdSession *self)
{
  HdUser *me = hd_client_get_user (self->client);

  return me ? hd_user_get_id (me) : -1;
}

static gboolean
i_am_staff (HdSession *self)
{
  HdUser *me = hd_client_get_user (self->client);

  return me != NULL && hd_user_is_staff (me);
}

static JsonObject *
root_object (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* The keyed fetch */

typedef struct {
  HdSession *session;
  char *key;
} FeedCall;

static void
feed_free (HdFeed *feed)
{
  if (feed->data_free && feed->data)
    feed->data_free (feed->data);
  g_clear_object (&feed->model);
  g_free (feed->key);
  g_free (feed);
}

static void
feed_settle (HdFeed       *feed,
             const GError *error)
{
  if (feed->loading)
    {
      feed->loading = FALSE;
      hd_list_model_end_load (feed->model, error);
    }
  if (feed->klass->settled)
    feed->klass->settled (feed, error);
}

static void
on_feed_fetched (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  FeedCall *call = user_data;
  g_autoptr(HdSession) self = call->session;
  g_autofree char *key = call->key;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  HdFeed *feed;

  g_free (call);
  node = hd_client_call_finish (HD_CLIENT (source), result, &error);
  feed = g_hash_table_lookup (self->feeds, key);
  if (feed == NULL)
    return;
  feed->fetching = FALSE;
  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not load %s: %s", key, error->message);
      /* The next reconnect or refresh asks again. */
      feed->again = FALSE;
      feed_settle (feed, error);
      return;
    }
  if (feed->klass->apply (feed, root_object (node)) || feed->again)
    {
      /* Still loading: the model's load goes on with the next fetch. */
      hd_feed_fetch (feed);
      return;
    }
  feed_settle (feed, NULL);
}

void
hd_feed_fetch (HdFeed *feed)
{
  HdSession *self = feed->session;
  g_autofree char *path = NULL;
  FeedCall *call;

  if (feed->fetching)
    {
      feed->again = TRUE;
      return;
    }
  feed->fetching = TRUE;
  feed->again = FALSE;
  if (feed->model && !feed->loading)
    {
      feed->loading = TRUE;
      hd_list_model_begin_load (feed->model);
    }
  path = feed->klass->path (feed);
  call = g_new0 (FeedCall, 1);
  call->session = g_object_ref (self);
  call->key = g_strdup (feed->key);
  hd_client_call_async (self->client, "GET", path, NULL, self->cancellable, on_feed_fetched, call);
}

HdFeed *
hd_session_lookup_feed (HdSession  *self,
                        const char *kind,
                        gint64      id)
{
  g_autofree char *key = g_strdup_printf ("%s:%" G_GINT64_FORMAT, kind, id);

  return g_hash_table_lookup (self->feeds, key);
}

HdFeed *
hd_session_ensure_feed (HdSession         *self,
                        const HdFeedClass *klass,
                        const char        *kind,
                        gint64             id,
                        HdListModel       *model,
                        gboolean          *out_created)
{
  HdFeed *feed = hd_session_lookup_feed (self, kind, id);

  if (out_created)
    *out_created = feed == NULL;
  if (feed != NULL)
    return feed;
  feed = g_new0 (HdFeed, 1);
  feed->session = self;
  feed->klass = klass;
  feed->key = g_strdup_printf ("%s:%" G_GINT64_FORMAT, kind, id);
  feed->id = id;
  feed->model = model ? g_object_ref (model) : NULL;
  g_hash_table_insert (self->feeds, feed->key, feed);
  return feed;
}

HdSession *hd_feed_get_session (HdFeed *feed) { return feed->session; }
gint64 hd_feed_get_id (HdFeed *feed) { return feed->id; }
HdListModel *hd_feed_get_model (HdFeed *feed) { return feed->model; }
gboolean hd_feed_is_fetching (HdFeed *feed) { return feed->fetching; }
gpointer hd_feed_get_data (HdFeed *feed) { return feed->data; }

void
hd_feed_set_data (HdFeed         *feed,
                  gpointer        data,
                  GDestroyNotify  destroy)
{
  if (feed->data_free && feed->data)
    feed->data_free (feed->data);
  feed->data = data;
  feed->data_free = destroy;
}

/* A feed of one kind that has no list of its own. */
static void
fetch_kind (HdSession         *self,
            const HdFeedClass *klass,
            const char        *kind,
            gint64             id,
            HdListModel       *model)
{
  hd_feed_fetch (hd_session_ensure_feed (self, klass, kind, id, model, NULL));
}

typedef gpointer (*ItemNewFunc)    (JsonObject *object, GError **error);
typedef void     (*ItemUpdateFunc) (gpointer item, JsonObject *object);

/* Makes @model hold one item per object of @array, in that order: items
 * already there (same "id") are updated in place, so whatever is bound to
 * them stays; the others are made new. */
static void
model_reconcile (HdListModel    *model,
                 JsonArray      *array,
                 ItemNewFunc     new_func,
                 ItemUpdateFunc  update_func)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      JsonNode *el = json_array_get_element (array, i);
      JsonObject *o;
      gpointer item;
      guint pos;

      if (!JSON_NODE_HOLDS_OBJECT (el))
        continue;
      o = json_node_get_object (el);
      if (hd_list_model_find_id (model, hd_json_get_int (o, "id", -1), &pos))
        {
          item = g_list_model_get_item (G_LIST_MODEL (model), pos);
          update_func (item, o);
        }
      else
        item = new_func (o, NULL);
      if (item != NULL)
        g_ptr_array_add (items, item);
    }
  hd_list_model_set_items (model, items);
}

/* Chats */

HdChat *
hd_session_upsert_chat (HdSession  *self,
                        JsonObject *object)
{
  gint64 id = hd_json_get_int (object, "id", -1);
  HdChat *chat;

  if (id < 0)
    return NULL;
  chat = g_hash_table_lookup (self->chat_by_id, &id);
  if (chat)
    {
      hd_chat_update_from_json (chat, object);
      return chat;
    }
  chat = hd_chat_new_from_json (object, NULL);
  if (chat == NULL)
    return NULL;
  g_hash_table_insert (self->chat_by_id, g_memdup2 (&id, sizeof id), chat);
  return chat;
}

static gboolean
i_am_member (HdSession *self,
             HdChat    *chat)
{
  gint64 me = my_id (self);
  HdUser *c = hd_chat_get_customer (chat);
  HdUser *t = hd_chat_get_technician (chat);

  return (c && hd_user_get_id (c) == me) || (t && hd_user_get_id (t) == me);
}

static void
chats_add (HdSession *self,
           HdChat    *chat)
{
  if (!hd_list_model_find_id (self->chats, hd_chat_get_id (chat), NULL))
    g_list_store_insert (hd_list_model_get_store (self->chats), 0, chat);
}

static void
queue_remove (HdSession *self,
              HdChat    *chat)
{
  guint pos;

  if (hd_list_model_find_id (self->queue, hd_chat_get_id (chat), &pos))
    g_list_store_remove (hd_list_model_get_store (self->queue), pos);
}

/* Messages */

static void
chat_messages_free (ChatMessages *cm)
{
  g_clear_pointer (&cm->by_seq, g_hash_table_unref);
  g_clear_pointer (&cm->pending, g_ptr_array_unref);
  g_free (cm);
}

static guint
n_sent (ChatMessages *cm)
{
  return g_list_model_get_n_items (G_LIST_MODEL (cm->store)) - cm->pending->len;
}

/* Where a message with @seq goes among the acknowledged ones. */
static guint
sent_position (ChatMessages *cm,
               gint64        seq)
{
  guint lo = 0, hi = n_sent (cm);

  /* Almost always the newest: check the end first. */
  if (hi > 0)
    {
      g_autoptr(HdMessage) last = g_list_model_get_item (G_LIST_MODEL (cm->store), hi - 1);
      if (hd_message_get_seq (last) < seq)
        return hi;
    }
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      g_autoptr(HdMessage) m = g_list_model_get_item (G_LIST_MODEL (cm->store), mid);

      if (hd_message_get_seq (m) < seq)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
note_seq (ChatMessages *cm,
          gint64        seq)
{
  cm->max_seq = MAX (cm->max_seq, seq);
  while (g_hash_table_contains (cm->by_seq, &(gint64) { cm->contiguous + 1 }))
    cm->contiguous++;
}

/* Returns the new message (borrowed) if it was not known yet and is not
 * the acknowledgement of one of ours. */
static HdMessage *
chat_messages_add_json (ChatMessages *cm,
                        JsonObject   *object,
                        gboolean     *out_acknowledged)
{
  gint64 seq = hd_json_get_int (object, "seq", -1);
  const char *client_id = hd_json_get_string (object, "client_id");
  HdMessage *pending = NULL;
  guint pending_index = 0;
  HdMessage *result = NULL;

  if (out_acknowledged)
    *out_acknowledged = FALSE;
  if (seq <= 0 || g_hash_table_contains (cm->by_seq, &seq))
    return NULL;

  for (guint i = 0; client_id != NULL && i < cm->pending->len; i++)
    {
      HdMessage *m = g_ptr_array_index (cm->pending, i);
      if (g_strcmp0 (hd_message_get_client_id (m), client_id) == 0)
        {
          pending = m;
          pending_index = i;
          break;
        }
    }

  if (pending != NULL)
    {
      guint store_pos = n_sent (cm) + pending_index;
      /* Computed while the pending slots are still excluded. */
      guint target = sent_position (cm, seq);

      g_object_ref (pending);
      hd_message_update_from_json (pending, object);
      /* In the common case it is the first pending one and stays put. */
      if (target != store_pos)
        {
          g_list_store_remove (cm->store, store_pos);
          g_list_store_insert (cm->store, target, pending);
        }
      g_ptr_array_remove_index (cm->pending, pending_index);
      g_hash_table_insert (cm->by_seq, g_memdup2 (&seq, sizeof seq), pending);
      g_object_unref (pending);
      if (out_acknowledged)
        *out_acknowledged = TRUE;
    }
  else
    {
      g_autoptr(HdMessage) msg = hd_message_new_from_json (object, NULL);
      HdUser *author;

      if (msg == NULL)
        return NULL;
      author = hd_message_get_author (msg);
      hd_message_set_is_own (msg, author && hd_user_get_id (author) == my_id (cm->session));
      g_list_store_insert (cm->store, sent_position (cm, seq), msg);
      g_hash_table_insert (cm->by_seq, g_memdup2 (&seq, sizeof seq), msg);
      result = msg;
    }
  note_seq (cm, seq);
  return result;
}

static void
chat_messages_send_pending (ChatMessages *cm)
{
  for (guint i = 0; i < cm->pending->len; i++)
    {
      HdMessage *m = g_ptr_array_index (cm->pending, i);
      g_autoptr(JsonObject) data = json_object_new ();

      json_object_set_int_member (data, "chat_id", cm->chat_id);
      json_object_set_string_member (data, "body", hd_message_get_body (m));
      json_object_set_string_member (data, "client_id", hd_message_get_client_id (m));
      if (!hd_event_stream_send (cm->session->events, HD_FRAME_CHAT_SEND, data))
        break;
    }
}

static void
chat_messages_fail_pending (ChatMessages *cm)
{
  for (guint i = 0; i < cm->pending->len; i++)
    hd_message_set_state (g_ptr_array_index (cm->pending, i), HD_MESSAGE_STATE_FAILED);
}

static char *
messages_path (HdFeed *feed)
{
  ChatMessages *cm = hd_feed_get_data (feed);

  return g_strdup_printf ("/chats/%" G_GINT64_FORMAT "/messages?after=%" G_GINT64_FORMAT "&limit=%d",
                          cm->chat_id, cm->contiguous, HD_MESSAGES_PAGE_MAX);
}

static gboolean
messages_apply (HdFeed     *feed,
                JsonObject *root)
{
  ChatMessages *cm = hd_feed_get_data (feed);
  JsonArray *array = hd_json_get_array (root, "messages");
  gboolean more = hd_json_get_bool (root, "more", FALSE);
  guint n = array ? json_array_get_length (array) : 0;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *el = json_array_get_element (array, i);
      if (JSON_NODE_HOLDS_OBJECT (el))
        chat_messages_add_json (cm, json_node_get_object (el), NULL);
    }
  /* Guard against a server that says "more" but sends nothing. */
  if (more && n == 0)
    return FALSE;
  return more || cm->contiguous < cm->max_seq;
}

static void
messages_settled (HdFeed       *feed,
                  const GError *error)
{
  ChatMessages *cm = hd_feed_get_data (feed);

  if (error != NULL)
    return;  /* the next reconnect resumes */
  /* Caught up: whatever is still pending was never stored; send it. */
  if (cm->fail_pending_after_fetch)
    chat_messages_fail_pending (cm);
  else
    chat_messages_send_pending (cm);
}

static const HdFeedClass messages_feed = { messages_path, messages_apply, messages_settled };

static HdFeed *
ensure_messages_feed (HdSession *self,
                      gint64     chat_id)
{
  gboolean created;
  g_autoptr(HdListModel) model = NULL;
  HdFeed *feed = hd_session_lookup_feed (self, "messages", chat_id);
  ChatMessages *cm;

  if (feed)
    return feed;
  model = hd_list_model_new (HD_TYPE_MESSAGE);
  feed = hd_session_ensure_feed (self, &messages_feed, "messages", chat_id, model, &created);
  cm = g_new0 (ChatMessages, 1);
  cm->session = self;
  cm->chat_id = chat_id;
  cm->store = hd_list_model_get_store (model);
  cm->by_seq = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  cm->pending = g_ptr_array_new_with_free_func (g_object_unref);
  hd_feed_set_data (feed, cm, (GDestroyNotify) chat_messages_free);
  hd_feed_fetch (feed);
  return feed;
}

static ChatMessages *
lookup_chat_messages (HdSession *self,
                      gint64     chat_id)
{
  HdFeed *feed = hd_session_lookup_feed (self, "messages", chat_id);

  return feed ? hd_feed_get_data (feed) : NULL;
}

/* Notes */

static char *
notes_path (HdFeed *feed)
{
  return g_strdup_printf ("/requests/%" G_GINT64_FORMAT "/notes", hd_feed_get_id (feed));
}

static gboolean
notes_apply (HdFeed     *feed,
             JsonObject *root)
{
  model_reconcile (hd_feed_get_model (feed), hd_json_get_array (root, "notes"),
                   (ItemNewFunc) hd_note_new_from_json, (ItemUpdateFunc) hd_note_update_from_json);
  return FALSE;
}

static const HdFeedClass notes_feed = { notes_path, notes_apply, NULL };

static HdFeed *
ensure_notes_feed (HdSession *self,
                   gint64     request_id)
{
  HdFeed *feed = hd_session_lookup_feed (self, "notes", request_id);
  g_autoptr(HdListModel) model = NULL;

  if (feed)
    return feed;
  model = hd_list_model_new (HD_TYPE_NOTE);
  feed = hd_session_ensure_feed (self, &notes_feed, "notes", request_id, model, NULL);
  hd_feed_set_data (feed, g_new0 (NoteWatch, 1), g_free);
  hd_feed_fetch (feed);
  return feed;
}

static void
send_subscription (HdSession  *self,
                   const char *type,
                   gint64      request_id)
{
  g_autoptr(JsonObject) data = json_object_new ();

  json_object_set_int_member (data, "request_id", request_id);
  /* Offline: on_connected subscribes again to every watched request. */
  hd_event_stream_send (self->events, type, data);
}

static void
handle_note_updated (HdSession  *self,
                     JsonObject *data)
{
  gint64 request_id = hd_json_get_int (data, "request_id", -1);
  gint64 note_id = hd_json_get_int (data, "id", -1);
  HdFeed *feed = hd_session_lookup_feed (self, "notes", request_id);
  HdListModel *model;
  g_autoptr(HdNote) note = NULL;
  guint pos;

  if (feed == NULL)
    return;  /* nobody looks at this request's notes */
  model = hd_feed_get_model (feed);
  if (!hd_list_model_find_id (model, note_id, &pos))
    {
      hd_feed_fetch (feed);
      return;
    }
  note = g_list_model_get_item (G_LIST_MODEL (model), pos);
  if (hd_json_has (data, "appended") || hd_json_has (data, "length"))
    {
      const char *appended = hd_json_get_string (data, "appended");
      gint64 length = hd_json_get_int (data, "length", -1);
      glong add = appended ? g_utf8_strlen (appended, -1) : 0;

      if (hd_feed_is_fetching (feed) || length < 0 || hd_note_get_length (note) + add != length)
        {
          /* Our copy missed something (or a fetch is under way whose
           * answer may or may not include this append): read it whole. */
          hd_feed_fetch (feed);
          return;
        }
      if (appended)
        hd_note_append (note, appended);
      /* the other fields (updated_at…) are plain */
      json_object_remove_member (data, "body");
      hd_note_update_from_json (note, data);
    }
  else
    hd_note_update_from_json (note, data);
}

static void
handle_note_created (HdSession  *self,
                     JsonObject *data)
{
  HdFeed *feed = hd_session_lookup_feed (self, "notes", hd_json_get_int (data, "request_id", -1));
  HdListModel *model = feed ? hd_feed_get_model (feed) : NULL;
  g_autoptr(HdNote) note = NULL;

  if (model != NULL && hd_list_model_find_id (model, hd_json_get_int (data, "id", -1), NULL))
    {
      handle_note_updated (self, data);
      return;
    }
  note = hd_note_new_from_json (data, NULL);
  if (note == NULL)
    return;
  if (model != NULL)
    g_list_store_append (hd_list_model_get_store (model), note);
  /* Whether or not a list shows it: the technician app notifies the
   * assignee of a note a customer left (contract v2, "Customers"). */
  g_signal_emit (self, signals[SIGNAL_NOTE_CREATED], 0, note);
}

/* Requests */

HdRequest *
hd_session_upsert_request (HdSession  *self,
                           JsonObject *object)
{
  gint64 id = hd_json_get_int (object, "id", -1);
  HdRequest *req;

  if (id < 0)
    return NULL;
  req = g_hash_table_lookup (self->request_by_id, &id);
  if (req)
    {
      hd_request_update_from_json (req, object);
      return req;
    }
  req = hd_request_new_from_json (object, NULL);
  if (req == NULL)
    return NULL;
  g_hash_table_insert (self->request_by_id, g_memdup2 (&id, sizeof id), req);
  return req;
}

static char *
requests_path (HdFeed *feed)
{
  return g_strdup ("/requests");
}

static gboolean
requests_apply (HdFeed     *feed,
                JsonObject *root)
{
  HdSession *self = hd_feed_get_session (feed);
  JsonArray *array = hd_json_get_array (root, "requests");
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      JsonNode *el = json_array_get_element (array, i);
      HdRequest *req;

      if (JSON_NODE_HOLDS_OBJECT (el) && (req = hd_session_upsert_request (self, json_node_get_object (el))))
        g_ptr_array_add (items, g_object_ref (req));
    }
  hd_list_model_set_items (self->requests, items);
  return FALSE;
}

static const HdFeedClass requests_feed = { requests_path, requests_apply, NULL };

static char *
request_path (HdFeed *feed)
{
  return g_strdup_printf ("/requests/%" G_GINT64_FORMAT, hd_feed_get_id (feed));
}

static gboolean
request_apply (HdFeed     *feed,
               JsonObject *root)
{
  HdSession *self = hd_feed_get_session (feed);
  HdRequest *req = hd_session_upsert_request (self, root);

  if (req && !hd_list_model_find_id (self->requests, hd_request_get_id (req), NULL))
    g_list_store_append (hd_list_model_get_store (self->requests), req);
  return FALSE;
}

static const HdFeedClass request_feed = { request_path, request_apply, NULL };

static void
refresh_request (HdSession *self,
                 gint64     request_id)
{
  fetch_kind (self, &request_feed, "request", request_id, NULL);
}

/* Queue, chats, one chat */

static GPtrArray *
chats_from_root (HdSession  *self,
                 JsonObject *root)
{
  JsonArray *array = hd_json_get_array (root, "chats");
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      JsonNode *el = json_array_get_element (array, i);
      HdChat *chat;

      if (JSON_NODE_HOLDS_OBJECT (el) && (chat = hd_session_upsert_chat (self, json_node_get_object (el))))
        g_ptr_array_add (items, g_object_ref (chat));
    }
  return items;
}

static char *
queue_path (HdFeed *feed)
{
  return g_strdup ("/chats/queue");
}

static gboolean
queue_apply (HdFeed     *feed,
             JsonObject *root)
{
  HdSession *self = hd_feed_get_session (feed);
  g_autoptr(GPtrArray) items = chats_from_root (self, root);

  hd_list_model_set_items (self->queue, items);
  return FALSE;
}

static const HdFeedClass queue_feed = { queue_path, queue_apply, NULL };

/* id 0: waiting, 1: active */
static char *
chats_path (HdFeed *feed)
{
  return g_strdup (hd_feed_get_id (feed) == 0 ? "/chats?state=waiting" : "/chats?state=active");
}

static gboolean
chats_apply (HdFeed     *feed,
             JsonObject *root)
{
  HdSession *self = hd_feed_get_session (feed);
  g_autoptr(GPtrArray) items = chats_from_root (self, root);

  /* Merge rather than replace: chats that ended while we were away stay
   * (now ENDED, refreshed by the "chat" feed), new ones go first. */
  for (guint i = items->len; i > 0; i--)
    chats_add (self, g_ptr_array_index (items, i - 1));
  return FALSE;
}

static void
chats_settled (HdFeed       *feed,
               const GError *error)
{
  HdSession *self = hd_feed_get_session (feed);
  guint n;

  if (self->restored || hd_list_model_get_loading (self->chats))
    return;
  /* Both lists are in: the chats that were open when we started. */
  self->restored = TRUE;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->chats));
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(HdChat) chat = g_list_model_get_item (G_LIST_MODEL (self->chats), i - 1);

      if (hd_chat_get_state (chat) != HD_CHAT_STATE_ENDED && i_am_member (self, chat))
        g_signal_emit (self, signals[SIGNAL_CHAT_RESTORED], 0, chat);
    }
}

static const HdFeedClass chats_feed = { chats_path, chats_apply, chats_settled };

static char *
chat_path (HdFeed *feed)
{
  return g_strdup_printf ("/chats/%" G_GINT64_FORMAT, hd_feed_get_id (feed));
}

static gboolean
chat_apply (HdFeed     *feed,
            JsonObject *root)
{
  HdSession *self = hd_feed_get_session (feed);
  HdChat *chat = hd_session_upsert_chat (self, root);

  if (chat && hd_chat_get_state (chat) == HD_CHAT_STATE_ENDED)
    {
      HdFeed *messages = hd_session_lookup_feed (self, "messages", hd_chat_get_id (chat));

      queue_remove (self, chat);
      if (messages)
        {
          ((ChatMessages *) hd_feed_get_data (messages))->fail_pending_after_fetch = TRUE;
          hd_feed_fetch (messages);
        }
    }
  return FALSE;
}

static const HdFeedClass chat_feed = { chat_path, chat_apply, NULL };

/* Privileges */

static void
set_privileges (HdSession *self,
                gboolean   chat_enabled,
                gboolean   team)
{
  g_object_freeze_notify (G_OBJECT (self));
  hd_set_bool (G_OBJECT (self), &self->chat_enabled, chat_enabled, properties[PROP_CHAT_ENABLED]);
  hd_set_bool (G_OBJECT (self), &self->customer_chat_with_team, team,
               properties[PROP_CUSTOMER_CHAT_WITH_TEAM]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_privileges_from_json (HdSession  *self,
                          JsonObject *object)
{
  set_privileges (self, hd_json_get_bool (object, "chat_enabled", self->chat_enabled),
                  hd_json_get_bool (object, "customer_chat_with_team", self->customer_chat_with_team));
  /* Contract v2, technicians: the three limits. */
  hd_set_int (G_OBJECT (self), &self->max_chats,
              hd_json_get_int (object, "max_chats_per_technician", self->max_chats),
              properties[PROP_MAX_CHATS]);
  hd_set_int (G_OBJECT (self), &self->waiting_timeout,
              hd_json_get_int (object, "waiting_timeout_s", self->waiting_timeout),
              properties[PROP_WAITING_TIMEOUT]);
  hd_set_int (G_OBJECT (self), &self->inactivity_timeout,
              hd_json_get_int (object, "inactivity_timeout_s", self->inactivity_timeout),
              properties[PROP_INACTIVITY_TIMEOUT]);
}

static char *
privileges_path (HdFeed *feed)
{
  return g_strdup ("/setup/privileges");
}

static gboolean
privileges_apply (HdFeed     *feed,
                  JsonObject *root)
{
  set_privileges_from_json (hd_feed_get_session (feed), root);
  return FALSE;
}

static const HdFeedClass privileges_feed = { privileges_path, privileges_apply, NULL };

void
hd_session_refresh (HdSession *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (HD_IS_SESSION (self));

  fetch_kind (self, &privileges_feed, "privileges", 0, NULL);
  fetch_kind (self, &requests_feed, "requests", 0, self->requests);
  fetch_kind (self, &chats_feed, "chats", 0, self->chats);
  fetch_kind (self, &chats_feed, "chats", 1, self->chats);
  if (i_am_staff (self))
    fetch_kind (self, &queue_feed, "queue", 0, self->queue);

  /* Chats we know as open may have ended meanwhile. */
  g_hash_table_iter_init (&iter, self->chat_by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (hd_chat_get_state (value) != HD_CHAT_STATE_ENDED)
      fetch_kind (self, &chat_feed, "chat", hd_chat_get_id (value), NULL);

  g_hash_table_iter_init (&iter, self->feeds);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((HdFeed *) value)->klass == &notes_feed)
      hd_feed_fetch (value);
}

/* Events */

static void
update_user_everywhere (HdSession  *self,
                        JsonObject *user)
{
  gint64 id = hd_json_get_int (user, "id", -1);
  HdUser *me = hd_client_get_user (self->client);
  GHashTableIter iter;
  gpointer value;

  if (id < 0)
    return;
  if (me && hd_user_get_id (me) == id)
    hd_user_update_from_json (me, user);

  g_hash_table_iter_init (&iter, self->chat_by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      HdUser *u = hd_chat_get_technician (value);
      if (u && hd_user_get_id (u) == id)
        hd_user_update_from_json (u, user);
      u = hd_chat_get_customer (value);
      if (u && hd_user_get_id (u) == id)
        hd_user_update_from_json (u, user);
    }

  g_hash_table_iter_init (&iter, self->request_by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GListModel *techs = hd_request_get_technicians (value);
      HdUser *u = hd_request_get_assignee (value);

      if (u && hd_user_get_id (u) == id)
        hd_user_update_from_json (u, user);
      for (guint j = 0; j < g_list_model_get_n_items (techs); j++)
        {
          g_autoptr(HdUser) t = g_list_model_get_item (techs, j);
          if (hd_user_get_id (t) == id)
            hd_user_update_from_json (t, user);
        }
    }
}

static gboolean
request_may_offer (HdSession *self,
                   HdRequest *request,
                   gint64     user_id)
{
  GListModel *techs = hd_request_get_technicians (request);
  HdUser *assignee = hd_request_get_assignee (request);

  if (!hd_request_is_open (request))
    return FALSE;
  if (assignee && hd_user_get_id (assignee) == user_id)
    return TRUE;
  for (guint i = 0; i < g_list_model_get_n_items (techs); i++)
    {
      g_autoptr(HdUser) t = g_list_model_get_item (techs, i);
      if (hd_user_get_id (t) == user_id)
        return TRUE;
    }
  /* With the team privilege any available team member may be offered. */
  return self->customer_chat_with_team && hd_request_get_team_id (request) > 0;
}

/* chat_options are the server's to compute (availability, privileges,
 * open chats): re-read only the requests whose options this technician
 * can change, one GET /requests/{id} each, coalesced per request. */
static void
refresh_chat_options_for (HdSession *self,
                          gint64     user_id)
{
  GHashTableIter iter;
  gpointer value;

  if (i_am_staff (self))
    return;
  g_hash_table_iter_init (&iter, self->request_by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (request_may_offer (self, value, user_id))
      refresh_request (self, hd_request_get_id (value));
}

static void
on_event (HdEventStream *events,
          const char    *type,
          JsonObject    *data,
          gpointer       user_data)
{
  HdSession *self = user_data;
  HdChat *chat;

  if (g_str_equal (type, HD_EVENT_CHAT_MESSAGE))
    {
      gint64 chat_id = hd_json_get_int (data, "chat_id", -1);
      ChatMessages *cm;
      HdMessage *msg;
      gboolean fresh_store;

      if (chat_id < 0)
        return;
      fresh_store = hd_session_lookup_feed (self, "messages", chat_id) == NULL;
      cm = hd_feed_get_data (ensure_messages_feed (self, chat_id));
      msg = chat_messages_add_json (cm, data, NULL);
      /* A gap (seq beyond what we hold) means we missed something. */
      if (!fresh_store && cm->contiguous < cm->max_seq)
        hd_feed_fetch (hd_session_lookup_feed (self, "messages", chat_id));
      if (msg && !hd_message_get_is_own (msg))
        {
          g_hash_table_remove (self->typing_seen, &chat_id);
          g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, msg);
        }
    }
  else if (g_str_equal (type, HD_EVENT_CHAT_TYPING))
    {
      gint64 chat_id = hd_json_get_int (data, "chat_id", -1);
      gint64 user_id = hd_json_get_int (data, "user_id", -1);
      HdUser *who = NULL;

      chat = g_hash_table_lookup (self->chat_by_id, &chat_id);
      if (chat == NULL || user_id == my_id (self))
        return;
      if (hd_chat_get_customer (chat) && hd_user_get_id (hd_chat_get_customer (chat)) == user_id)
        who = hd_chat_get_customer (chat);
      else if (hd_chat_get_technician (chat) && hd_user_get_id (hd_chat_get_technician (chat)) == user_id)
        who = hd_chat_get_technician (chat);
      if (who)
        {
          gint64 now = g_get_monotonic_time ();

          g_hash_table_insert (self->typing_seen, g_memdup2 (&chat_id, sizeof chat_id),
                               g_memdup2 (&now, sizeof now));
          g_signal_emit (self, signals[SIGNAL_TYPING], 0, chat, who);
        }
    }
  else if (g_str_equal (type, HD_EVENT_CHAT_REQUESTED))
    {
      if (!(chat = hd_session_upsert_chat (self, data)))
        return;
      /* Taken or ended meanwhile (a late event from another server). */
      if (hd_chat_get_state (chat) != HD_CHAT_STATE_WAITING)
        return;
      if (!hd_list_model_find_id (self->queue, hd_chat_get_id (chat), NULL))
        g_list_store_append (hd_list_model_get_store (self->queue), chat);
      g_signal_emit (self, signals[SIGNAL_CHAT_REQUESTED], 0, chat);
    }
  else if (g_str_equal (type, HD_EVENT_CHAT_TAKEN))
    {
      if (!(chat = hd_session_upsert_chat (self, data)))
        return;
      queue_remove (self, chat);
      g_signal_emit (self, signals[SIGNAL_CHAT_TAKEN], 0, chat);
    }
  else if (g_str_equal (type, HD_EVENT_CHAT_ACCEPTED))
    {
      if (!(chat = hd_session_upsert_chat (self, data)))
        return;
      queue_remove (self, chat);
      if (i_am_member (self, chat))
        chats_add (self, chat);
      refresh_request (self, hd_chat_get_request_id (chat));
      g_signal_emit (self, signals[SIGNAL_CHAT_ACCEPTED], 0, chat);
    }
  else if (g_str_equal (type, HD_EVENT_CHAT_ENDED))
    {
      ChatMessages *cm;

      if (!(chat = hd_session_upsert_chat (self, data)))
        return;
      queue_remove (self, chat);
      if (i_am_member (self, chat))
        chats_add (self, chat);
      cm = lookup_chat_messages (self, hd_chat_get_id (chat));
      if (cm && cm->pending->len > 0)
        {
          /* Anything not stored by now never will be; one last read
           * tells which. */
          cm->fail_pending_after_fetch = TRUE;
          hd_feed_fetch (hd_session_lookup_feed (self, "messages", hd_chat_get_id (chat)));
        }
      refresh_request (self, hd_chat_get_request_id (chat));
      g_signal_emit (self, signals[SIGNAL_CHAT_ENDED], 0, chat);
    }
  else if (g_str_equal (type, HD_EVENT_CHAT_UPDATED))
    /* Contract v2: a waiting chat's position or wait, a rating. */
    hd_session_handle_chat_updated (self, data);   /* hd-session-customer.c */
  else if (g_str_equal (type, HD_EVENT_CHAT_TRANSFERRED))
    hd_session_handle_chat_transferred (self, data);   /* hd-session-transfer.c */
  else if (g_str_equal (type, HD_EVENT_NOTE_UPDATED))
    handle_note_updated (self, data);
  else if (g_str_equal (type, HD_EVENT_NOTE_CREATED))
    handle_note_created (self, data);
  else if (g_str_equal (type, HD_EVENT_PRESENCE_CHANGED))
    {
      /* Coalesced by the server: the changes of one tick come as one
       * frame, the first user with "users": [every changed user]. */
      JsonNode *users = json_object_get_member (data, "users");

      if (users != NULL && JSON_NODE_HOLDS_ARRAY (users))
        {
          JsonArray *list = json_node_get_array (users);

          for (guint i = 0; i < json_array_get_length (list); i++)
            {
              JsonNode *u = json_array_get_element (list, i);

              if (!JSON_NODE_HOLDS_OBJECT (u))
                continue;
              update_user_everywhere (self, json_node_get_object (u));
              refresh_chat_options_for (self, hd_json_get_int (json_node_get_object (u), "id", -1));
            }
        }
      else
        {
          update_user_everywhere (self, data);
          refresh_chat_options_for (self, hd_json_get_int (data, "id", -1));
        }
    }
  else if (g_str_equal (type, HD_EVENT_PRIVILEGES_CHANGED))
    {
      set_privileges_from_json (self, data);
      /* Every request's options may change: one GET /requests. */
      if (!i_am_staff (self))
        fetch_kind (self, &requests_feed, "requests", 0, self->requests);
    }
  else if (g_str_equal (type, HD_EVENT_ERROR))
    g_debug ("server error frame: %s: %s", hd_json_get_string (data, "code"),
             hd_json_get_string (data, "message"));
}

static void
on_connected (HdEventStream *events,
              HdUser        *user,
              gboolean       reconnect,
              gpointer       user_data)
{
  HdSession *self = user_data;
  GHashTableIter iter;
  gpointer value;

  /* After a drop: re-read what events we may have missed, and resume
   * every chat from its last contiguous seq; pending messages are resent
   * once each resume has caught up (messages_settled).  Subscriptions
   * are per socket: ask for them again. */
  if (reconnect)
    hd_session_refresh (self);
  g_hash_table_iter_init (&iter, self->feeds);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      HdFeed *feed = value;

      if (feed->klass == &messages_feed)
        hd_feed_fetch (feed);
      else if (feed->klass == &notes_feed && ((NoteWatch *) feed->data)->watchers > 0)
        send_subscription (self, HD_FRAME_SUBSCRIBE, feed->id);
    }
}

static void
on_unauthorized (HdSession *self)
{
  self->started = FALSE;
  g_signal_emit (self, signals[SIGNAL_UNAUTHORIZED], 0);
}

static void
on_state_changed (HdSession *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
on_queue_changed (HdSession *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAITING_COUNT]);
}

static void
on_user_changed (HdSession *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
}

/* GObject */

static void
hd_session_constructed (GObject *object)
{
  HdSession *self = HD_SESSION (object);

  G_OBJECT_CLASS (hd_session_parent_class)->constructed (object);

  g_assert (self->client != NULL);
  self->events = hd_event_stream_new (self->client);
  g_signal_connect (self->events, "event", G_CALLBACK (on_event), self);
  g_signal_connect (self->events, "connected", G_CALLBACK (on_connected), self);
  g_signal_connect_swapped (self->events, "notify::state", G_CALLBACK (on_state_changed), self);
  g_signal_connect_swapped (self->events, "unauthorized", G_CALLBACK (on_unauthorized), self);
  g_signal_connect_swapped (self->client, "notify::user", G_CALLBACK (on_user_changed), self);
}

static void
hd_session_dispose (GObject *object)
{
  HdSession *self = HD_SESSION (object);

  g_cancellable_cancel (self->cancellable);
  if (self->events)
    {
      g_signal_handlers_disconnect_by_data (self->events, self);
      hd_event_stream_stop (self->events);
    }
  if (self->client)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->events);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (hd_session_parent_class)->dispose (object);
}

static void
hd_session_finalize (GObject *object)
{
  HdSession *self = HD_SESSION (object);

  g_free (self->app_id);
  g_clear_pointer (&self->feeds, g_hash_table_unref);
  g_clear_object (&self->requests);
  g_clear_object (&self->queue);
  g_clear_object (&self->chats);
  g_clear_pointer (&self->chat_by_id, g_hash_table_unref);
  g_clear_pointer (&self->request_by_id, g_hash_table_unref);
  g_clear_pointer (&self->typing_sent, g_hash_table_unref);
  g_clear_pointer (&self->typing_seen, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (hd_session_parent_class)->finalize (object);
}

static void
hd_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  HdSession *self = HD_SESSION (object);

  switch (prop_id)
    {
    case PROP_APP_ID: g_value_set_string (value, self->app_id); break;
    case PROP_CLIENT: g_value_set_object (value, self->client); break;
    case PROP_SERVER_URL: g_value_set_string (value, hd_session_get_server_url (self)); break;
    case PROP_USER: g_value_set_object (value, hd_session_get_user (self)); break;
    case PROP_STATE: g_value_set_enum (value, hd_session_get_state (self)); break;
    case PROP_CHAT_ENABLED: g_value_set_boolean (value, self->chat_enabled); break;
    case PROP_CUSTOMER_CHAT_WITH_TEAM: g_value_set_boolean (value, self->customer_chat_with_team); break;
    case PROP_MAX_CHATS: g_value_set_int64 (value, self->max_chats); break;
    case PROP_WAITING_TIMEOUT: g_value_set_int64 (value, self->waiting_timeout); break;
    case PROP_INACTIVITY_TIMEOUT: g_value_set_int64 (value, self->inactivity_timeout); break;
    case PROP_WAITING_COUNT: g_value_set_uint (value, hd_session_get_waiting_count (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  HdSession *self = HD_SESSION (object);

  switch (prop_id)
    {
    case PROP_APP_ID: self->app_id = g_value_dup_string (value); break;
    case PROP_CLIENT: self->client = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_session_class_init (HdSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = hd_session_constructed;
  object_class->dispose = hd_session_dispose;
  object_class->finalize = hd_session_finalize;
  object_class->get_property = hd_session_get_property;
  object_class->set_property = hd_session_set_property;

  properties[PROP_APP_ID] = g_param_spec_string ("app-id", NULL, NULL, NULL, co);
  properties[PROP_CLIENT] = g_param_spec_object ("client", NULL, NULL, HD_TYPE_CLIENT, co);
  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url", NULL, NULL, NULL, ro);
  properties[PROP_USER] = g_param_spec_object ("user", NULL, NULL, HD_TYPE_USER, ro);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, HD_TYPE_CONNECTION_STATE,
                                              HD_CONNECTION_OFFLINE, ro);
  properties[PROP_CHAT_ENABLED] = g_param_spec_boolean ("chat-enabled", NULL, NULL, FALSE, ro);
  properties[PROP_CUSTOMER_CHAT_WITH_TEAM] =
    g_param_spec_boolean ("customer-chat-with-team", NULL, NULL, FALSE, ro);
  properties[PROP_WAITING_COUNT] = g_param_spec_uint ("waiting-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_MAX_CHATS] = g_param_spec_int64 ("max-chats", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_WAITING_TIMEOUT] = g_param_spec_int64 ("waiting-timeout", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_INACTIVITY_TIMEOUT] = g_param_spec_int64 ("inactivity-timeout", NULL, NULL, 0, G_MAXINT64, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHAT_REQUESTED] =
    g_signal_new ("chat-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HD_TYPE_CHAT);
  signals[SIGNAL_CHAT_TAKEN] =
    g_signal_new ("chat-taken", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HD_TYPE_CHAT);
  signals[SIGNAL_CHAT_ACCEPTED] =
    g_signal_new ("chat-accepted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HD_TYPE_CHAT);
  signals[SIGNAL_CHAT_ENDED] =
    g_signal_new ("chat-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HD_TYPE_CHAT);
  signals[SIGNAL_CHAT_RESTORED] =
    g_signal_new ("chat-restored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HD_TYPE_CHAT);
  signals[SIGNAL_TYPING] =
    g_signal_new ("typing", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, HD_TYPE_CHAT, HD_TYPE_USER);
  signals[SIGNAL_UNAUTHORIZED] =
    g_signal_new ("unauthorized", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HD_TYPE_MESSAGE);
  /* Emitted by hd-session-transfer.c. */
  signals[SIGNAL_CHAT_TRANSFERRED] =
    g_signal_new ("chat-transferred", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HD_TYPE_CHAT);
  /* A note.created event (a new note on a request I may see), once per note. */
  signals[SIGNAL_NOTE_CREATED] =
    g_signal_new ("note-created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HD_TYPE_NOTE);
}

static void
hd_session_init (HdSession *self)
{
  self->requests = hd_list_model_new (HD_TYPE_REQUEST);
  self->queue = hd_list_model_new (HD_TYPE_CHAT);
  self->chats = hd_list_model_new (HD_TYPE_CHAT);
  self->chat_by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->request_by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->feeds = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) feed_free);
  self->typing_sent = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->typing_seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (self->queue, "items-changed", G_CALLBACK (on_queue_changed), self);
}

/* Public API */

HdSession *
hd_session_new (const char *app_id,
                HdClient   *client)
{
  g_return_val_if_fail (HD_IS_CLIENT (client), NULL);
  return g_object_new (HD_TYPE_SESSION, "app-id", app_id, "client", client, NULL);
}

void
hd_session_start (HdSession *self)
{
  g_return_if_fail (HD_IS_SESSION (self));
  if (self->started)
    return;
  self->started = TRUE;
  hd_event_stream_start (self->events);
  hd_session_refresh (self);
}

void
hd_session_stop (HdSession *self)
{
  g_return_if_fail (HD_IS_SESSION (self));
  self->started = FALSE;
  hd_event_stream_stop (self->events);
}

HdClient *hd_session_get_client (HdSession *self) { g_return_val_if_fail (HD_IS_SESSION (self), NULL); return self->client; }
HdEventStream *hd_session_get_events (HdSession *self) { g_return_val_if_fail (HD_IS_SESSION (self), NULL); return self->events; }
HdUser *hd_session_get_user (HdSession *self) { g_return_val_if_fail (HD_IS_SESSION (self), NULL); return hd_client_get_user (self->client); }
const char *hd_session_get_app_id (HdSession *self) { g_return_val_if_fail (HD_IS_SESSION (self), NULL); return self->app_id; }
const char *hd_session_get_server_url (HdSession *self) { g_return_val_if_fail (HD_IS_SESSION (self), NULL); return hd_client_get_base_url (self->client); }
gboolean hd_session_get_chat_enabled (HdSession *self) { g_return_val_if_fail (HD_IS_SESSION (self), FALSE); return self->chat_enabled; }
gboolean hd_session_get_customer_chat_with_team (HdSession *self) { g_return_val_if_fail (HD_IS_SESSION (self), FALSE); return self->customer_chat_with_team; }
gint64 hd_session_get_max_chats (HdSession *self) { g_return_val_if_fail (HD_IS_SESSION (self), 0); return self->max_chats; }
gint64 hd_session_get_waiting_timeout (HdSession *self) { g_return_val_if_fail (HD_IS_SESSION (self), 0); return self->waiting_timeout; }
gint64 hd_session_get_inactivity_timeout (HdSession *self) { g_return_val_if_fail (HD_IS_SESSION (self), 0); return self->inactivity_timeout; }
GListModel *hd_session_get_requests (HdSession *self) { g_return_val_if_fail (HD_IS_SESSION (self), NULL); return G_LIST_MODEL (self->requests); }
GListModel *hd_session_get_queue (HdSession *self) { g_return_val_if_fail (HD_IS_SESSION (self), NULL); return G_LIST_MODEL (self->queue); }
GListModel *hd_session_get_chats (HdSession *self) { g_return_val_if_fail (HD_IS_SESSION (self), NULL); return G_LIST_MODEL (self->chats); }

HdConnectionState
hd_session_get_state (HdSession *self)
{
  g_return_val_if_fail (HD_IS_SESSION (self), HD_CONNECTION_OFFLINE);
  return self->events ? hd_event_stream_get_state (self->events) : HD_CONNECTION_OFFLINE;
}

guint
hd_session_get_waiting_count (HdSession *self)
{
  g_return_val_if_fail (HD_IS_SESSION (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->queue));
}

GListModel *
hd_session_get_messages (HdSession *self,
                         gint64     chat_id)
{
  g_return_val_if_fail (HD_IS_SESSION (self), NULL);
  return G_LIST_MODEL (hd_feed_get_model (ensure_messages_feed (self, chat_id)));
}

GListModel *
hd_session_get_notes (HdSession *self,
                      gint64     request_id)
{
  g_return_val_if_fail (HD_IS_SESSION (self), NULL);
  return G_LIST_MODEL (hd_feed_get_model (ensure_notes_feed (self, request_id)));
}

GListModel *
hd_session_watch_notes (HdSession *self,
                        gint64     request_id)
{
  HdFeed *feed;
  NoteWatch *watch;

  g_return_val_if_fail (HD_IS_SESSION (self), NULL);
  feed = ensure_notes_feed (self, request_id);
  watch = hd_feed_get_data (feed);
  if (watch->watchers++ == 0)
    send_subscription (self, HD_FRAME_SUBSCRIBE, request_id);
  return G_LIST_MODEL (hd_feed_get_model (feed));
}

void
hd_session_unwatch_notes (HdSession *self,
                          gint64     request_id)
{
  HdFeed *feed;
  NoteWatch *watch;

  g_return_if_fail (HD_IS_SESSION (self));
  feed = hd_session_lookup_feed (self, "notes", request_id);
  g_return_if_fail (feed != NULL);
  watch = hd_feed_get_data (feed);
  g_return_if_fail (watch->watchers > 0);
  if (--watch->watchers == 0)
    send_subscription (self, HD_FRAME_UNSUBSCRIBE, request_id);
}

HdChat *
hd_session_lookup_chat (HdSession *self,
                        gint64     chat_id)
{
  g_return_val_if_fail (HD_IS_SESSION (self), NULL);
  return g_hash_table_lookup (self->chat_by_id, &chat_id);
}

HdRequest *
hd_session_lookup_request (HdSession *self,
                           gint64     request_id)
{
  g_return_val_if_fail (HD_IS_SESSION (self), NULL);
  return g_hash_table_lookup (self->request_by_id, &request_id);
}

HdRequest *
hd_session_get_request (HdSession *self,
                        gint64     request_id)
{
  HdRequest *req;
  g_autoptr(JsonObject) stub = NULL;

  g_return_val_if_fail (HD_IS_SESSION (self), NULL);
  req = hd_session_lookup_request (self, request_id);
  if (req != NULL)
    return req;
  /* Known by id only until the server answers; filled in place. */
  stub = json_object_new ();
  json_object_set_int_member (stub, "id", request_id);
  req = hd_session_upsert_request (self, stub);
  refresh_request (self, request_id);
  return req;
}

HdMessage *
hd_session_send_message (HdSession   *self,
                         gint64       chat_id,
                         const char  *body,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(HdMessage) msg = NULL;
  g_autoptr(JsonObject) data = NULL;
  ChatMessages *cm;
  HdChat *chat;

  g_return_val_if_fail (HD_IS_SESSION (self), NULL);

  if (!hd_protocol_validate_message_body (body, -1, &local_error))
    {
      g_set_error (error, HD_ERROR, HD_ERROR_BAD_REQUEST, "%s", local_error->message);
      return NULL;
    }
  chat = g_hash_table_lookup (self->chat_by_id, &chat_id);
  if (chat && hd_chat_get_state (chat) == HD_CHAT_STATE_ENDED)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_CHAT_ENDED, "This chat has ended");
      return NULL;
    }

  cm = hd_feed_get_data (ensure_messages_feed (self, chat_id));
  msg = hd_message_new_pending (chat_id, hd_client_get_user (self->client), body, NULL);
  g_ptr_array_add (cm->pending, g_object_ref (msg));
  g_list_store_append (cm->store, msg);

  data = json_object_new ();
  json_object_set_int_member (data, "chat_id", chat_id);
  json_object_set_string_member (data, "body", body);
  json_object_set_string_member (data, "client_id", hd_message_get_client_id (msg));
  /* Offline: it stays pending and goes out after the reconnect's resume. */
  hd_event_stream_send (self->events, HD_FRAME_CHAT_SEND, data);
  return msg;  /* the store keeps it alive */
}

void
hd_session_send_typing (HdSession *self,
                        gint64     chat_id)
{
  gint64 now = g_get_monotonic_time ();
  gint64 *last;
  g_autoptr(JsonObject) data = NULL;

  g_return_if_fail (HD_IS_SESSION (self));
  last = g_hash_table_lookup (self->typing_sent, &chat_id);
  if (last && now - *last < TYPING_THROTTLE_USEC)
    return;
  data = json_object_new ();
  json_object_set_int_member (data, "chat_id", chat_id);
  if (!hd_event_stream_send (self->events, HD_FRAME_CHAT_TYPING, data))
    return;
  g_hash_table_insert (self->typing_sent, g_memdup2 (&chat_id, sizeof chat_id),
                       g_memdup2 (&now, sizeof now));
}

gint64
hd_session_get_typing_time (HdSession *self,
                            gint64     chat_id)
{
  gint64 *seen;

  g_return_val_if_fail (HD_IS_SESSION (self), 0);
  seen = g_hash_table_lookup (self->typing_seen, &chat_id);
  return seen ? *seen : 0;
}

gboolean
hd_session_send_frame (HdSession  *self,
                       const char *type,
                       JsonObject *data)
{
  g_return_val_if_fail (HD_IS_SESSION (self), FALSE);
  return hd_event_stream_send (self->events, type, data);
}

/* Calls */

void
hd_session_call_async (HdSession           *self,
                       const char          *method,
                       const char          *path,
                       JsonNode            *body,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (HD_IS_SESSION (self));
  /* The client is the source object of the result. */
  hd_client_call_async (self->client, method, path, body, cancellable, callback, user_data);
}

JsonNode *
hd_session_call_finish (HdSession     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (HD_IS_SESSION (self), NULL);
  return hd_client_call_finish (self->client, result, error);
}


static void
on_answer (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HdSessionAnswer answer = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hd_client_call_finish (HD_CLIENT (source), result, &error);

  if (node == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    answer (task, g_task_get_source_object (task), root_object (node));
}

void
hd_session_call_answer (HdSession           *self,
                        const char          *method,
                        const char          *path,
                        JsonObject          *body,
                        HdSessionAnswer      answer,
                        gpointer             source_tag,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(JsonNode) node = body ? hd_json_object_node (body) : NULL;

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, answer, NULL);
  hd_client_call_async (self->client, method, path, node, cancellable, on_answer, task);
}

static void
chat_answer (GTask      *task,
             HdSession  *self,
             JsonObject *root)
{
  HdChat *chat = root ? hd_session_upsert_chat (self, root) : NULL;

  if (chat == NULL)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_PROTOCOL, "The server sent no chat");
      return;
    }
  if (i_am_member (self, chat))
    chats_add (self, chat);
  if (hd_chat_get_state (chat) != HD_CHAT_STATE_WAITING)
    queue_remove (self, chat);
  refresh_request (self, hd_chat_get_request_id (chat));
  g_task_return_pointer (task, g_object_ref (chat), g_object_unref);
}

void
hd_session_start_chat_async (HdSession           *self,
                             gint64               request_id,
                             gint64               technician_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  JsonObject *o = json_object_new ();

  g_return_if_fail (HD_IS_SESSION (self));
  json_object_set_int_member (o, "request_id", request_id);
  if (technician_id > 0)
    json_object_set_int_member (o, "technician_id", technician_id);
  else if (technician_id < 0)
    json_object_set_boolean_member (o, "team", TRUE);
  hd_session_call_answer (self, "POST", "/chats", o, chat_answer, hd_session_chat_finish,
                          cancellable, callback, user_data);
}

static void
chat_action (HdSession           *self,
             gint64               chat_id,
             const char          *what,
             HdSessionAnswer      answer,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autofree char *path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT "/%s", chat_id, what);

  hd_session_call_answer (self, "POST", path, NULL, answer, source_tag, cancellable, callback, user_data);
}

void
hd_session_accept_chat_async (HdSession           *self,
                              gint64               chat_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (HD_IS_SESSION (self));
  chat_action (self, chat_id, "accept", chat_answer, hd_session_chat_finish,
               cancellable, callback, user_data);
}

void
hd_session_end_chat_async (HdSession           *self,
                           gint64               chat_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (HD_IS_SESSION (self));
  chat_action (self, chat_id, "end", chat_answer, hd_session_chat_finish,
               cancellable, callback, user_data);
}

HdChat *
hd_session_chat_finish (HdSession     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sent_to_answer (GTask      *task,
                HdSession  *self,
                JsonObject *root)
{
  const char *to = hd_json_get_string (root, "sent_to");

  if (to == NULL)
    g_task_return_new_error (task, HD_ERROR, HD_ERROR_PROTOCOL, "The server sent no address");
  else
    g_task_return_pointer (task, g_strdup (to), g_free);
}

void
hd_session_email_chat_async (HdSession           *self,
                             gint64               chat_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (HD_IS_SESSION (self));
  chat_action (self, chat_id, "email", sent_to_answer, hd_session_email_chat_async,
               cancellable, callback, user_data);
}

char *
hd_session_email_chat_finish (HdSession     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
me_answer (GTask      *task,
           HdSession  *self,
           JsonObject *root)
{
  HdUser *me = hd_client_get_user (self->client);

  if (root == NULL || hd_json_get_int (root, "id", -1) < 0)
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_PROTOCOL, "The server sent no user");
      return;
    }
  if (me != NULL)
    hd_user_update_from_json (me, root);
  g_task_return_boolean (task, TRUE);
}

void
hd_session_set_available_async (HdSession           *self,
                                gboolean             available,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  JsonObject *o = json_object_new ();

  g_return_if_fail (HD_IS_SESSION (self));
  json_object_set_boolean_member (o, "available_for_chat", available);
  hd_session_call_answer (self, "PATCH", "/me", o, me_answer, hd_session_set_available_async,
                          cancellable, callback, user_data);
}

gboolean
hd_session_set_available_finish (HdSession     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
privileges_answer (GTask      *task,
                   HdSession  *self,
                   JsonObject *root)
{
  if (!hd_json_has (root, "chat_enabled"))
    {
      g_task_return_new_error (task, HD_ERROR, HD_ERROR_PROTOCOL, "The server sent no privileges");
      return;
    }
  set_privileges_from_json (self, root);
  g_task_return_boolean (task, TRUE);
}

void
hd_session_set_privileges_async (HdSession           *self,
                                 gboolean             chat_enabled,
                                 gboolean             customer_chat_with_team,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  JsonObject *o = json_object_new ();

  g_return_if_fail (HD_IS_SESSION (self));
  json_object_set_boolean_member (o, "chat_enabled", chat_enabled);
  json_object_set_boolean_member (o, "customer_chat_with_team", customer_chat_with_team);
  hd_session_call_answer (self, "PATCH", "/setup/privileges", o, privileges_answer,
                          hd_session_set_privileges_async, cancellable, callback, user_data);
}

void
hd_session_set_chat_limits_async (HdSession           *self,
                                  gint64               max_chats,
                                  gint64               waiting_timeout,
                                  gint64               inactivity_timeout,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  JsonObject *o = json_object_new ();

  g_return_if_fail (HD_IS_SESSION (self));
  json_object_set_int_member (o, "max_chats_per_technician", max_chats);
  json_object_set_int_member (o, "waiting_timeout_s", waiting_timeout);
  json_object_set_int_member (o, "inactivity_timeout_s", inactivity_timeout);
  /* One answer for both calls: hd_session_set_privileges_finish (). */
  hd_session_call_answer (self, "PATCH", "/setup/privileges", o, privileges_answer,
                          hd_session_set_privileges_async, cancellable, callback, user_data);
}

gboolean
hd_session_set_privileges_finish (HdSession     *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Login, restore, logout */

typedef struct {
  char *app_id;
  char *server_url;
  char *login;
  char *password;
  gboolean remember;
  HdClient *client;
  HdSession *session;
} LoginData;

static void
login_data_free (LoginData *d)
{
  g_free (d->app_id);
  g_free (d->server_url);
  g_free (d->login);
  if (d->password)
    memset (d->password, 0, strlen (d->password));
  g_free (d->password);
  g_clear_object (&d->client);
  g_clear_object (&d->session);
  g_free (d);
}

static void
finish_login (GTask *task)
{
  LoginData *d = g_task_get_task_data (task);

  d->session = hd_session_new (d->app_id, d->client);
  hd_session_start (d->session);
  g_task_return_pointer (task, g_object_ref (d->session), g_object_unref);
}

static void
on_login_stored (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* A keyring that fails only costs "remember me", never the login. */
  if (!hd_credentials_store_finish (result, &error))
    g_warning ("Could not store the login in the keyring: %s", error->message);
  finish_login (task);
}

static void
on_login_cleared (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  hd_credentials_clear_finish (result, NULL);
  finish_login (task);
}

static void
on_logged_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoginData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUser) user = hd_client_login_finish (HD_CLIENT (source), result, &error);

  if (user == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (d->app_id == NULL)
    finish_login (task);
  else if (d->remember)
    hd_credentials_store_async (d->app_id, hd_client_get_base_url (d->client), d->login,
                                hd_client_get_token (d->client), NULL,
                                on_login_stored, g_steal_pointer (&task));
  else
    /* Unticked "remember me" also forgets an older remembered login. */
    hd_credentials_clear_async (d->app_id, NULL, on_login_cleared, g_steal_pointer (&task));
}

void
hd_session_login_async (const char          *app_id,
                        const char          *server_url,
                        const char          *login,
                        const char          *password,
                        gboolean             remember,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  LoginData *d = g_new0 (LoginData, 1);

  g_task_set_source_tag (task, hd_session_login_async);
  d->app_id = g_strdup (app_id);
  d->server_url = g_strdup (server_url ? server_url : "");
  d->login = g_strdup (login ? login : "");
  d->password = g_strdup (password ? password : "");
  d->remember = remember;
  d->client = hd_client_new (d->server_url);
  g_task_set_task_data (task, d, (GDestroyNotify) login_data_free);

  hd_client_login_async (d->client, d->login, d->password, cancellable, on_logged_in, task);
}

HdSession *
hd_session_login_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_restore_cleared (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  hd_credentials_clear_finish (result, NULL);
  g_task_return_pointer (task, NULL, NULL);
}

static void
on_restore_me (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoginData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUser) user = hd_client_get_me_finish (HD_CLIENT (source), result, &error);

  if (user == NULL)
    {
      if (g_error_matches (error, HD_ERROR, HD_ERROR_UNAUTHORIZED))
        hd_credentials_clear_async (d->app_id, NULL, on_restore_cleared, g_steal_pointer (&task));
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  finish_login (task);
}

static void
on_restore_lookup (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoginData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *server = NULL;
  g_autofree char *login = NULL;
  g_autofree char *token = NULL;
  GCancellable *cancellable;

  if (!hd_credentials_lookup_finish (result, &server, &login, &token, &error))
    {
      if (error)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, NULL, NULL);
      return;
    }
  d->server_url = g_steal_pointer (&server);
  d->login = g_steal_pointer (&login);
  d->client = hd_client_new (d->server_url);
  hd_client_set_token (d->client, token);
  /* Not in one argument list with g_steal_pointer: evaluation order. */
  cancellable = g_task_get_cancellable (task);
  hd_client_get_me_async (d->client, cancellable, on_restore_me, g_steal_pointer (&task));
}

void
hd_session_restore_async (const char          *app_id,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  LoginData *d = g_new0 (LoginData, 1);

  g_task_set_source_tag (task, hd_session_restore_async);
  d->app_id = g_strdup (app_id);
  g_task_set_task_data (task, d, (GDestroyNotify) login_data_free);
  hd_credentials_lookup_async (app_id, cancellable, on_restore_lookup, task);
}

HdSession *
hd_session_restore_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_logout_cleared (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = g_task_get_task_data (task);

  hd_credentials_clear_finish (result, NULL);
  if (error)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_logged_out (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HdSession *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!hd_client_logout_finish (HD_CLIENT (source), result, &error))
    g_task_set_task_data (task, error, (GDestroyNotify) g_error_free);
  if (self->app_id)
    hd_credentials_clear_async (self->app_id, NULL, on_logout_cleared, g_steal_pointer (&task));
  else if (error)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
hd_session_logout_async (HdSession           *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (HD_IS_SESSION (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hd_session_logout_async);
  hd_session_stop (self);
  hd_client_logout_async (self->client, cancellable, on_logged_out, task);
}

gboolean
hd_session_logout_finish (HdSession     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
