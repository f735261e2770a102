/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-session"

#include "hd-session.h"
#include "hd-credentials.h"
#include "hd-client-private.h"
#include "hd-error.h"
#include "hd-protocol.h"

#include <string.h>

#define TYPING_THROTTLE_USEC (3 * G_USEC_PER_SEC)

/* The messages of one chat.  The store holds the acknowledged messages
 * in seq order, then the ones still sending in the order they were
 * typed.  by_seq is what keeps a message from ever showing twice, however
 * often it arrives (event, resume fetch, resend answer). */
typedef struct {
  HdSession *session;      /* unowned */
  gint64 chat_id;
  GListStore *store;
  GHashTable *by_seq;      /* seq → HdMessage (borrowed from store) */
  GPtrArray *pending;      /* HdMessage still sending, oldest first */
  gint64 contiguous;       /* every seq 1..contiguous is in the store */
  gint64 max_seq;
  gboolean fetching;
  gboolean fetch_again;
  gboolean fail_pending_after_fetch;
} ChatMessages;

typedef struct {
  HdSession *session;      /* unowned */
  gint64 request_id;
  GListStore *store;
  gboolean fetching;
  gboolean fetch_again;
} NoteList;

struct _HdSession
{
  GObject parent_instance;

  char *app_id;
  HdClient *client;
  HdEventStream *events;
  gboolean started;
  gboolean chat_enabled;
  gboolean customer_chat_with_team;

  GListStore *requests;
  GListStore *queue;
  GListStore *chats;
  GHashTable *chat_by_id;      /* id → HdChat (strong) */
  GHashTable *messages;        /* chat id → ChatMessages */
  GHashTable *notes;           /* request id → NoteList */
  GHashTable *typing_sent;     /* chat id → last chat.typing, monotonic µs */
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (HdSession, hd_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_APP_ID,
  PROP_CLIENT,
  PROP_EVENTS,
  PROP_USER,
  PROP_STATE,
  PROP_CHAT_ENABLED,
  PROP_CUSTOMER_CHAT_WITH_TEAM,
  PROP_WAITING_COUNT,
  N_PROPS
};

enum {
  SIGNAL_CHAT_REQUESTED,
  SIGNAL_CHAT_TAKEN,
  SIGNAL_CHAT_ACCEPTED,
  SIGNAL_CHAT_ENDED,
  SIGNAL_TYPING,
  SIGNAL_MESSAGE_RECEIVED,
  SIGNAL_UNAUTHORIZED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void chat_messages_fetch (ChatMessages *cm);
static void note_list_fetch (NoteList *nl);
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

static JsonNode *
object_node (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

static gboolean
store_find_id (GListStore *store,
               gint64      id,
               guint      *out_position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (store), i);
      gint64 item_id = 0;

      g_object_get (item, "id", &item_id, NULL);
      if (item_id == id)
        {
          if (out_position)
            *out_position = i;
          return TRUE;
        }
    }
  return FALSE;
}

/* Replaces the store's items with @items only if membership or order
 * changed, so bound list views do not rebuild every row on a refresh. */
static void
store_set_items (GListStore *store,
                 GPtrArray  *items)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));
  gboolean same = n == items->len;

  for (guint i = 0; same && i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (store), i);
      same = item == g_ptr_array_index (items, i);
    }
  if (!same)
    g_list_store_splice (store, 0, n, items->pdata, items->len);
}

typedef gpointer (*StoreNewFunc)    (JsonObject *object, GError **error);
typedef void     (*StoreUpdateFunc) (gpointer item, JsonObject *object);

/* Makes @store hold one item per object of @array, in that order: items
 * already there (same "id") are updated in place, so whatever is bound to
 * them stays; the others are made new. */
static void
store_reconcile (GListStore      *store,
                 JsonArray       *array,
                 StoreNewFunc     new_func,
                 StoreUpdateFunc  update_func)
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
      if (store_find_id (store, hd_json_get_int (o, "id", -1), &pos))
        {
          item = g_list_model_get_item (G_LIST_MODEL (store), pos);
          update_func (item, o);
        }
      else
        item = new_func (o, NULL);
      if (item != NULL)
        g_ptr_array_add (items, item);
    }
  store_set_items (store, items);
}

/* Chats */

static HdChat *
upsert_chat (HdSession  *self,
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
  if (!store_find_id (self->chats, hd_chat_get_id (chat), NULL))
    g_list_store_insert (self->chats, 0, chat);
}

static void
queue_remove (HdSession *self,
              HdChat    *chat)
{
  guint pos;

  if (store_find_id (self->queue, hd_chat_get_id (chat), &pos))
    g_list_store_remove (self->queue, pos);
}

/* Messages */

static void
chat_messages_free (ChatMessages *cm)
{
  g_clear_object (&cm->store);
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

typedef struct {
  HdSession *session;
  gint64 chat_id;
} FetchData;

static void
on_messages_fetched (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  FetchData *fd = user_data;
  g_autoptr(HdSession) self = fd->session;
  gint64 chat_id = fd->chat_id;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  ChatMessages *cm;
  JsonArray *array;
  JsonObject *root;
  gboolean more;

  g_free (fd);
  node = hd_client_call_finish (HD_CLIENT (source), result, &error);
  cm = g_hash_table_lookup (self->messages, &chat_id);
  if (cm == NULL)
    return;
  cm->fetching = FALSE;
  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not load messages of chat %" G_GINT64_FORMAT ": %s", chat_id, error->message);
      return;  /* the next reconnect resumes */
    }

  root = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  array = hd_json_get_array (root, "messages");
  more = hd_json_get_bool (root, "more", FALSE);
  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      JsonNode *el = json_array_get_element (array, i);
      if (JSON_NODE_HOLDS_OBJECT (el))
        chat_messages_add_json (cm, json_node_get_object (el), NULL);
    }

  if (more || cm->fetch_again || cm->contiguous < cm->max_seq)
    {
      /* Guard against a server that says "more" but sends nothing. */
      if (more && (array == NULL || json_array_get_length (array) == 0))
        return;
      cm->fetch_again = FALSE;
      chat_messages_fetch (cm);
      return;
    }

  /* Caught up: whatever is still pending was never stored; send it. */
  if (cm->fail_pending_after_fetch)
    chat_messages_fail_pending (cm);
  else
    chat_messages_send_pending (cm);
}

static void
chat_messages_fetch (ChatMessages *cm)
{
  g_autofree char *path = NULL;
  FetchData *fd;

  if (cm->fetching)
    {
      cm->fetch_again = TRUE;
      return;
    }
  cm->fetching = TRUE;
  cm->fetch_again = FALSE;
  path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT "/messages?after=%" G_GINT64_FORMAT "&limit=%d",
                          cm->chat_id, cm->contiguous, HD_MESSAGES_PAGE_MAX);
  fd = g_new0 (FetchData, 1);
  fd->session = g_object_ref (cm->session);
  fd->chat_id = cm->chat_id;
  hd_client_call_async (cm->session->client, "GET", path, NULL, cm->session->cancellable,
                        on_messages_fetched, fd);
}

static ChatMessages *
ensure_chat_messages (HdSession *self,
                      gint64     chat_id)
{
  ChatMessages *cm = g_hash_table_lookup (self->messages, &chat_id);

  if (cm)
    return cm;
  cm = g_new0 (ChatMessages, 1);
  cm->session = self;
  cm->chat_id = chat_id;
  cm->store = g_list_store_new (HD_TYPE_MESSAGE);
  cm->by_seq = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  cm->pending = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_insert (self->messages, g_memdup2 (&chat_id, sizeof chat_id), cm);
  chat_messages_fetch (cm);
  return cm;
}

/* Notes */

static void
note_list_free (NoteList *nl)
{
  g_clear_object (&nl->store);
  g_free (nl);
}

typedef struct {
  HdSession *session;
  gint64 request_id;
} NoteFetch;

static void
on_notes_fetched (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  NoteFetch *nf = user_data;
  g_autoptr(HdSession) self = nf->session;
  gint64 request_id = nf->request_id;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  NoteList *nl;
  JsonArray *array;

  g_free (nf);
  node = hd_client_call_finish (HD_CLIENT (source), result, &error);
  nl = g_hash_table_lookup (self->notes, &request_id);
  if (nl == NULL)
    return;
  nl->fetching = FALSE;
  if (node == NULL)
    return;

  array = hd_json_get_array (JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL, "notes");
  store_reconcile (nl->store, array, (StoreNewFunc) hd_note_new_from_json,
                   (StoreUpdateFunc) hd_note_update_from_json);
  if (nl->fetch_again)
    note_list_fetch (nl);
}

static void
note_list_fetch (NoteList *nl)
{
  g_autofree char *path = NULL;
  NoteFetch *nf;

  if (nl->fetching)
    {
      nl->fetch_again = TRUE;
      return;
    }
  nl->fetching = TRUE;
  nl->fetch_again = FALSE;
  path = g_strdup_printf ("/requests/%" G_GINT64_FORMAT "/notes", nl->request_id);
  nf = g_new0 (NoteFetch, 1);
  nf->session = g_object_ref (nl->session);
  nf->request_id = nl->request_id;
  hd_client_call_async (nl->session->client, "GET", path, NULL, nl->session->cancellable,
                        on_notes_fetched, nf);
}

static NoteList *
ensure_note_list (HdSession *self,
                  gint64     request_id)
{
  NoteList *nl = g_hash_table_lookup (self->notes, &request_id);

  if (nl)
    return nl;
  nl = g_new0 (NoteList, 1);
  nl->session = self;
  nl->request_id = request_id;
  nl->store = g_list_store_new (HD_TYPE_NOTE);
  g_hash_table_insert (self->notes, g_memdup2 (&request_id, sizeof request_id), nl);
  note_list_fetch (nl);
  return nl;
}

static void
handle_note_updated (HdSession  *self,
                     JsonObject *data)
{
  gint64 request_id = hd_json_get_int (data, "request_id", -1);
  gint64 note_id = hd_json_get_int (data, "id", -1);
  NoteList *nl = g_hash_table_lookup (self->notes, &request_id);
  g_autoptr(HdNote) note = NULL;
  guint pos;

  if (nl == NULL)
    return;  /* nobody looks at this request's notes */
  if (!store_find_id (nl->store, note_id, &pos))
    {
      note_list_fetch (nl);
      return;
    }
  note = g_list_model_get_item (G_LIST_MODEL (nl->store), pos);
  if (hd_json_has (data, "appended") || hd_json_has (data, "length"))
    {
      const char *appended = hd_json_get_string (data, "appended");
      gint64 length = hd_json_get_int (data, "length", -1);
      glong add = appended ? g_utf8_strlen (appended, -1) : 0;

      if (nl->fetching || length < 0 || hd_note_get_length (note) + add != length)
        {
          /* Our copy missed something (or a fetch is under way whose
           * answer may or may not include this append): read it whole. */
          note_list_fetch (nl);
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

/* Requests, queue, chats, privileges */

static HdRequest *
upsert_request (HdSession  *self,
                JsonObject *object,
                gboolean    add)
{
  gint64 id = hd_json_get_int (object, "id", -1);
  guint pos;

  if (id < 0)
    return NULL;
  if (store_find_id (self->requests, id, &pos))
    {
      HdRequest *req = g_list_model_get_item (G_LIST_MODEL (self->requests), pos);
      hd_request_update_from_json (req, object);
      g_object_unref (req);
      return req;
    }
  if (add)
    {
      g_autoptr(HdRequest) req = hd_request_new_from_json (object, NULL);
      if (req)
        g_list_store_append (self->requests, req);
      return req;
    }
  return NULL;
}

static void
on_requests_loaded (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(HdSession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hd_client_call_finish (HD_CLIENT (source), result, &error);
  JsonArray *array;

  if (node == NULL)
    {
      g_debug ("Could not load requests: %s", error->message);
      return;
    }
  array = hd_json_get_array (JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL, "requests");
  store_reconcile (self->requests, array, (StoreNewFunc) hd_request_new_from_json,
                   (StoreUpdateFunc) hd_request_update_from_json);
}

static void
on_request_loaded (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(HdSession) self = user_data;
  g_autoptr(JsonNode) node = hd_client_call_finish (HD_CLIENT (source), result, NULL);

  if (node && JSON_NODE_HOLDS_OBJECT (node))
    upsert_request (self, json_node_get_object (node), TRUE);
}

static void
refresh_request (HdSession *self,
                 gint64     request_id)
{
  g_autofree char *path = g_strdup_printf ("/requests/%" G_GINT64_FORMAT, request_id);

  hd_client_call_async (self->client, "GET", path, NULL, self->cancellable,
                        on_request_loaded, g_object_ref (self));
}

static GPtrArray *
chats_from_node (HdSession *self,
                 JsonNode  *node)
{
  JsonArray *array = hd_json_get_array (JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL,
                                        "chats");
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      JsonNode *el = json_array_get_element (array, i);
      HdChat *chat;

      if (JSON_NODE_HOLDS_OBJECT (el) && (chat = upsert_chat (self, json_node_get_object (el))))
        g_ptr_array_add (items, g_object_ref (chat));
    }
  return items;
}

static void
on_queue_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(HdSession) self = user_data;
  g_autoptr(JsonNode) node = hd_client_call_finish (HD_CLIENT (source), result, NULL);
  g_autoptr(GPtrArray) items = NULL;

  if (node == NULL)
    return;
  items = chats_from_node (self, node);
  store_set_items (self->queue, items);
}

static void
on_chats_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(HdSession) self = user_data;
  g_autoptr(JsonNode) node = hd_client_call_finish (HD_CLIENT (source), result, NULL);
  g_autoptr(GPtrArray) items = NULL;

  if (node == NULL)
    return;
  /* Merge rather than replace: chats that ended while we were away stay
   * (now ENDED, refreshed below), new ones go first. */
  items = chats_from_node (self, node);
  for (guint i = items->len; i > 0; i--)
    chats_add (self, g_ptr_array_index (items, i - 1));
}

static void
on_chat_refreshed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(HdSession) self = user_data;
  g_autoptr(JsonNode) node = hd_client_call_finish (HD_CLIENT (source), result, NULL);

  if (node && JSON_NODE_HOLDS_OBJECT (node))
    {
      HdChat *chat = upsert_chat (self, json_node_get_object (node));
      if (chat && hd_chat_get_state (chat) == HD_CHAT_STATE_ENDED)
        {
          gint64 id = hd_chat_get_id (chat);
          ChatMessages *cm = g_hash_table_lookup (self->messages, &id);

          queue_remove (self, chat);
          if (cm)
            {
              cm->fail_pending_after_fetch = TRUE;
              chat_messages_fetch (cm);
            }
        }
    }
}

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
on_privileges_loaded (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(HdSession) self = user_data;
  gboolean a = FALSE, b = FALSE;

  if (hd_client_get_privileges_finish (HD_CLIENT (source), result, &a, &b, NULL))
    set_privileges (self, a, b);
}

void
hd_session_refresh (HdSession *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (HD_IS_SESSION (self));

  hd_client_get_privileges_async (self->client, self->cancellable, on_privileges_loaded,
                                  g_object_ref (self));
  hd_client_call_async (self->client, "GET", "/requests", NULL, self->cancellable,
                        on_requests_loaded, g_object_ref (self));
  hd_client_call_async (self->client, "GET", "/chats?state=waiting", NULL, self->cancellable,
                        on_chats_loaded, g_object_ref (self));
  hd_client_call_async (self->client, "GET", "/chats?state=active", NULL, self->cancellable,
                        on_chats_loaded, g_object_ref (self));
  if (i_am_staff (self))
    hd_client_call_async (self->client, "GET", "/chats/queue", NULL, self->cancellable,
                          on_queue_loaded, g_object_ref (self));

  /* Chats we know as open may have ended meanwhile. */
  g_hash_table_iter_init (&iter, self->chat_by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      HdChat *chat = value;
      if (hd_chat_get_state (chat) != HD_CHAT_STATE_ENDED)
        {
          g_autofree char *path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT, hd_chat_get_id (chat));
          hd_client_call_async (self->client, "GET", path, NULL, self->cancellable,
                                on_chat_refreshed, g_object_ref (self));
        }
    }

  g_hash_table_iter_init (&iter, self->notes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    note_list_fetch (value);
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
  guint n;

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

  n = g_list_model_get_n_items (G_LIST_MODEL (self->requests));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HdRequest) req = g_list_model_get_item (G_LIST_MODEL (self->requests), i);
      GListModel *techs = hd_request_get_technicians (req);
      HdUser *u = hd_request_get_assignee (req);

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

static void
refresh_chat_options (HdSession *self)
{
  /* chat_options are the server's to compute (availability, privileges,
   * open chats); one GET /requests recomputes them all. */
  if (!i_am_staff (self))
    hd_client_call_async (self->client, "GET", "/requests", NULL, self->cancellable,
                          on_requests_loaded, g_object_ref (self));
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
      fresh_store = !g_hash_table_contains (self->messages, &chat_id);
      cm = ensure_chat_messages (self, chat_id);
      msg = chat_messages_add_json (cm, data, NULL);
      /* A gap (seq beyond what we hold) means we missed something. */
      if (!fresh_store && cm->contiguous < cm->max_seq)
        chat_messages_fetch (cm);
      if (msg && !hd_message_get_is_own (msg))
        g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, msg);
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
        g_signal_emit (self, signals[SIGNAL_TYPING], 0, chat, who);
    }
  else if (g_str_equal (type, HD_EVENT_CHAT_REQUESTED))
    {
      if (!(chat = upsert_chat (self, data)))
        return;
      if (hd_chat_get_state (chat) == HD_CHAT_STATE_WAITING
          && !store_find_id (self->queue, hd_chat_get_id (chat), NULL))
        g_list_store_append (self->queue, chat);
      g_signal_emit (self, signals[SIGNAL_CHAT_REQUESTED], 0, chat);
    }
  else if (g_str_equal (type, HD_EVENT_CHAT_TAKEN))
    {
      if (!(chat = upsert_chat (self, data)))
        return;
      queue_remove (self, chat);
      g_signal_emit (self, signals[SIGNAL_CHAT_TAKEN], 0, chat);
    }
  else if (g_str_equal (type, HD_EVENT_CHAT_ACCEPTED))
    {
      if (!(chat = upsert_chat (self, data)))
        return;
      queue_remove (self, chat);
      if (i_am_member (self, chat))
        chats_add (self, chat);
      refresh_request (self, hd_chat_get_request_id (chat));
      g_signal_emit (self, signals[SIGNAL_CHAT_ACCEPTED], 0, chat);
    }
  else if (g_str_equal (type, HD_EVENT_CHAT_ENDED))
    {
      gint64 id;
      ChatMessages *cm;

      if (!(chat = upsert_chat (self, data)))
        return;
      id = hd_chat_get_id (chat);
      queue_remove (self, chat);
      if (i_am_member (self, chat))
        chats_add (self, chat);
      cm = g_hash_table_lookup (self->messages, &id);
      if (cm && cm->pending->len > 0)
        {
          /* Anything not stored by now never will be; one last read
           * tells which. */
          cm->fail_pending_after_fetch = TRUE;
          chat_messages_fetch (cm);
        }
      refresh_request (self, hd_chat_get_request_id (chat));
      g_signal_emit (self, signals[SIGNAL_CHAT_ENDED], 0, chat);
    }
  else if (g_str_equal (type, HD_EVENT_NOTE_UPDATED))
    handle_note_updated (self, data);
  else if (g_str_equal (type, HD_EVENT_PRESENCE_CHANGED))
    {
      update_user_everywhere (self, data);
      refresh_chat_options (self);
    }
  else if (g_str_equal (type, HD_EVENT_PRIVILEGES_CHANGED))
    {
      set_privileges (self, hd_json_get_bool (data, "chat_enabled", self->chat_enabled),
                      hd_json_get_bool (data, "customer_chat_with_team", self->customer_chat_with_team));
      refresh_chat_options (self);
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
   * once each resume has caught up (see on_messages_fetched). */
  if (reconnect)
    hd_session_refresh (self);
  g_hash_table_iter_init (&iter, self->messages);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ChatMessages *cm = value;

      if (cm->fetching)
        cm->fetch_again = TRUE;
      else
        chat_messages_fetch (cm);
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
  g_clear_object (&self->requests);
  g_clear_object (&self->queue);
  g_clear_object (&self->chats);
  g_clear_pointer (&self->chat_by_id, g_hash_table_unref);
  g_clear_pointer (&self->messages, g_hash_table_unref);
  g_clear_pointer (&self->notes, g_hash_table_unref);
  g_clear_pointer (&self->typing_sent, g_hash_table_unref);
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
    case PROP_EVENTS: g_value_set_object (value, self->events); break;
    case PROP_USER: g_value_set_object (value, hd_session_get_user (self)); break;
    case PROP_STATE: g_value_set_enum (value, hd_session_get_state (self)); break;
    case PROP_CHAT_ENABLED: g_value_set_boolean (value, self->chat_enabled); break;
    case PROP_CUSTOMER_CHAT_WITH_TEAM: g_value_set_boolean (value, self->customer_chat_with_team); break;
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
  properties[PROP_EVENTS] = g_param_spec_object ("events", NULL, NULL, HD_TYPE_EVENT_STREAM, ro);
  properties[PROP_USER] = g_param_spec_object ("user", NULL, NULL, HD_TYPE_USER, ro);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, HD_TYPE_CONNECTION_STATE,
                                              HD_CONNECTION_OFFLINE, ro);
  properties[PROP_CHAT_ENABLED] = g_param_spec_boolean ("chat-enabled", NULL, NULL, FALSE, ro);
  properties[PROP_CUSTOMER_CHAT_WITH_TEAM] =
    g_param_spec_boolean ("customer-chat-with-team", NULL, NULL, FALSE, ro);
  properties[PROP_WAITING_COUNT] = g_param_spec_uint ("waiting-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
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
  signals[SIGNAL_TYPING] =
    g_signal_new ("typing", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, HD_TYPE_CHAT, HD_TYPE_USER);
  signals[SIGNAL_UNAUTHORIZED] =
    g_signal_new ("unauthorized", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HD_TYPE_MESSAGE);
}

static void
hd_session_init (HdSession *self)
{
  self->requests = g_list_store_new (HD_TYPE_REQUEST);
  self->queue = g_list_store_new (HD_TYPE_CHAT);
  self->chats = g_list_store_new (HD_TYPE_CHAT);
  self->chat_by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->messages = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                          (GDestroyNotify) chat_messages_free);
  self->notes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                       (GDestroyNotify) note_list_free);
  self->typing_sent = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
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
gboolean hd_session_get_chat_enabled (HdSession *self) { g_return_val_if_fail (HD_IS_SESSION (self), FALSE); return self->chat_enabled; }
gboolean hd_session_get_customer_chat_with_team (HdSession *self) { g_return_val_if_fail (HD_IS_SESSION (self), FALSE); return self->customer_chat_with_team; }
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
  return G_LIST_MODEL (ensure_chat_messages (self, chat_id)->store);
}

GListModel *
hd_session_get_notes (HdSession *self,
                      gint64     request_id)
{
  g_return_val_if_fail (HD_IS_SESSION (self), NULL);
  return G_LIST_MODEL (ensure_note_list (self, request_id)->store);
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
  guint pos;
  g_autoptr(HdRequest) req = NULL;

  g_return_val_if_fail (HD_IS_SESSION (self), NULL);
  if (!store_find_id (self->requests, request_id, &pos))
    return NULL;
  req = g_list_model_get_item (G_LIST_MODEL (self->requests), pos);
  return req;  /* the store keeps it alive */
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

  cm = ensure_chat_messages (self, chat_id);
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

/* Chat calls that update the stores */

static void
on_chat_call (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HdSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = hd_client_call_finish (HD_CLIENT (source), result, &error);
  HdChat *chat;

  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node) || !(chat = upsert_chat (self, json_node_get_object (node))))
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

static void
chat_call (HdSession           *self,
           const char          *method,
           const char          *path,
           JsonNode            *body,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, hd_session_chat_finish);
  hd_client_call_async (self->client, method, path, body, cancellable, on_chat_call, task);
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
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (HD_IS_SESSION (self));
  json_object_set_int_member (o, "request_id", request_id);
  if (technician_id > 0)
    json_object_set_int_member (o, "technician_id", technician_id);
  body = object_node (o);
  chat_call (self, "POST", "/chats", body, cancellable, callback, user_data);
}

void
hd_session_accept_chat_async (HdSession           *self,
                              gint64               chat_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autofree char *path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT "/accept", chat_id);

  g_return_if_fail (HD_IS_SESSION (self));
  chat_call (self, "POST", path, NULL, cancellable, callback, user_data);
}

void
hd_session_end_chat_async (HdSession           *self,
                           gint64               chat_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autofree char *path = g_strdup_printf ("/chats/%" G_GINT64_FORMAT "/end", chat_id);

  g_return_if_fail (HD_IS_SESSION (self));
  chat_call (self, "POST", path, NULL, cancellable, callback, user_data);
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
on_available_set (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdUser) user = hd_client_set_available_finish (HD_CLIENT (source), result, &error);

  if (user == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
hd_session_set_available_async (HdSession           *self,
                                gboolean             available,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (HD_IS_SESSION (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hd_session_set_available_async);
  hd_client_set_available_async (self->client, available, cancellable, on_available_set, task);
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
on_privileges_set (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HdSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  gboolean a = FALSE, b = FALSE;

  if (!hd_client_set_privileges_finish (HD_CLIENT (source), result, &a, &b, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  set_privileges (self, a, b);
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
  GTask *task;

  g_return_if_fail (HD_IS_SESSION (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hd_session_set_privileges_async);
  hd_client_set_privileges_async (self->client, chat_enabled, customer_chat_with_team,
                                  cancellable, on_privileges_set, task);
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
