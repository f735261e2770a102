/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-audience"

#include "hd-audience.h"
#include "hd-core.h"
#include "hd-error.h"
#include "hd-json.h"
#include "hd-protocol.h"

#include <string.h>

#define DEFAULT_PRESENCE_TICK_MS 100

typedef struct {
  gpointer   sock;          /* NULL once removed (freed after the tick) */
  gint64     user_id;
  HdRole     role;
  gboolean   staff;
  guint      staff_index;   /* position in HdAudience.staff */
  guint64    mark;          /* the last delivery that reached it */
  GArray    *subs;          /* request ids; NULL while none */
  GPtrArray *pending;       /* presence of this tick: user objects (char *) */
  guint64    serial;        /* tells it from a later socket at the same address */
  guint      asking;        /* subscribe / unsubscribe frames at the core */
} Member;

/* The latest presence of one technician within a tick. */
typedef struct {
  gint64  user_id;
  char   *staff_data;       /* the user object, as staff see it */
  char   *customer_data;    /* ... and as customers do */
} Change;

struct _HdAudience
{
  /* Held by every call and callback: the core thread delivers events
   * itself (hd_core_set_event_sink ()), the main context does the rest. */
  GRecMutex       lock;
  gint            ref_count;    /* the audience, and each core command's (atomic) */
  gboolean        closed;       /* hd_audience_free () ran */
  guint64         next_serial;
  HdChatService  *service;
  HdAudienceSend  send;
  gpointer        send_data;

  GHashTable     *members;      /* sock → Member (owned) */
  GHashTable     *by_user;      /* user id → GPtrArray of Member */
  GHashTable     *by_request;   /* request id → GPtrArray of Member */
  GPtrArray      *staff;        /* staff Members, for presence */
  guint           n_customers;  /* customer sockets */
  guint64         mark;

  /* presence of this tick: user id → Change, in order of arrival */
  GHashTable     *changes;
  GPtrArray      *change_order;
  guint           tick_source;
  guint           tick_ms;
  GMainContext   *context;
  gboolean        in_tick;
  GPtrArray      *removed;      /* Members removed during a tick */
};

static void
change_free (Change *c)
{
  g_free (c->staff_data);
  g_free (c->customer_data);
  g_free (c);
}

static void
member_free (Member *m)
{
  if (m->subs)
    g_array_unref (m->subs);
  if (m->pending)
    g_ptr_array_unref (m->pending);
  g_free (m);
}

HdAudience *
hd_audience_new (HdChatService  *service,
                 HdAudienceSend  send,
                 gpointer        user_data)
{
  HdAudience *self = g_new0 (HdAudience, 1);
  const char *tick = g_getenv ("HD_PRESENCE_TICK_MS");
  guint64 n;

  g_rec_mutex_init (&self->lock);
  self->ref_count = 1;
  self->service = g_object_ref (service);
  self->send = send;
  self->send_data = user_data;
  self->members = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) member_free);
  self->by_user = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);
  self->by_request = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                            (GDestroyNotify) g_ptr_array_unref);
  self->staff = g_ptr_array_new ();
  self->changes = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                         (GDestroyNotify) change_free);
  self->change_order = g_ptr_array_new ();
  self->removed = g_ptr_array_new_with_free_func ((GDestroyNotify) member_free);
  self->tick_ms = DEFAULT_PRESENCE_TICK_MS;
  if (tick != NULL && g_ascii_string_to_unsigned (tick, 10, 1, 60000, &n, NULL))
    self->tick_ms = (guint) n;
  self->context = g_main_context_ref_thread_default ();
  return self;
}

static HdAudience *
audience_ref (HdAudience *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

static void
audience_unref (HdAudience *self)
{
  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;
  g_rec_mutex_clear (&self->lock);
  g_main_context_unref (self->context);
  g_object_unref (self->service);
  g_free (self);
}

void
hd_audience_free (HdAudience *self)
{
  if (self == NULL)
    return;
  g_rec_mutex_lock (&self->lock);
  if (self->tick_source != 0)
    {
      GSource *s = g_main_context_find_source_by_id (self->context, self->tick_source);
      if (s)
        g_source_destroy (s);
      self->tick_source = 0;
    }
  self->closed = TRUE;
  g_clear_pointer (&self->change_order, g_ptr_array_unref);
  g_clear_pointer (&self->changes, g_hash_table_unref);
  g_clear_pointer (&self->by_request, g_hash_table_unref);
  g_clear_pointer (&self->by_user, g_hash_table_unref);
  g_clear_pointer (&self->staff, g_ptr_array_unref);
  g_clear_pointer (&self->members, g_hash_table_unref);
  g_clear_pointer (&self->removed, g_ptr_array_unref);
  g_rec_mutex_unlock (&self->lock);
  audience_unref (self);
}

/* The service is the core thread's (hd-core.h): what needs it (may this
 * socket see the request? whom does a technician's presence reach?) goes
 * there as a command, and its answer comes back on the main context in
 * the order the commands were queued.  Nothing here waits for the core. */
static void
run_on_core (HdAudience     *self,
             HdCoreFunc      func,
             HdCoreDone      done,
             gpointer        job,
             GDestroyNotify  destroy)
{
  HdCore *core = hd_core_of (self->service);

  if (core != NULL)
    {
      hd_core_run (core, func, FALSE, done, job, destroy);
      return;
    }
  /* no core thread (a service of its own): answer at once */
  func (self->service, job);
  done (job, TRUE);
  destroy (job);
}

/* The member for @sock if it is still the one that had @serial. */
static Member *
member_again (HdAudience *self,
              gpointer    sock,
              guint64     serial)
{
  Member *m;

  if (self->closed)
    return NULL;
  m = g_hash_table_lookup (self->members, sock);
  return m != NULL && m->serial == serial ? m : NULL;
}

/* ---- the tables ------------------------------------------------------ */

static void
list_add (GHashTable *table,
          gint64      key,
          Member     *m)
{
  GPtrArray *list = g_hash_table_lookup (table, &key);

  if (list == NULL)
    {
      list = g_ptr_array_new ();
      g_hash_table_insert (table, g_memdup2 (&key, sizeof key), list);
    }
  g_ptr_array_add (list, m);
}

static void
list_remove (GHashTable *table,
             gint64      key,
             Member     *m)
{
  GPtrArray *list = g_hash_table_lookup (table, &key);

  if (list == NULL)
    return;
  g_ptr_array_remove_fast (list, m);
  if (list->len == 0)
    g_hash_table_remove (table, &key);
}

void
hd_audience_add (HdAudience *self,
                 gpointer    sock,
                 gint64      user_id,
                 HdRole      role)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  gboolean staff = HD_ROLE_IS_STAFF (role);
  Member *m;

  g_return_if_fail (sock != NULL);
  if (g_hash_table_contains (self->members, sock))
    return;
  m = g_new0 (Member, 1);
  m->sock = sock;
  m->user_id = user_id;
  m->role = role;
  m->staff = staff;
  m->serial = ++self->next_serial;
  g_hash_table_insert (self->members, sock, m);
  list_add (self->by_user, user_id, m);
  if (staff)
    {
      m->staff_index = self->staff->len;
      g_ptr_array_add (self->staff, m);
    }
  else
    self->n_customers++;
}

void
hd_audience_remove (HdAudience *self,
                    gpointer    sock)
{
  g_autoptr(GRecMutexLocker) locker = self ? g_rec_mutex_locker_new (&self->lock) : NULL;
  Member *m = self ? g_hash_table_lookup (self->members, sock) : NULL;

  if (m == NULL)
    return;
  list_remove (self->by_user, m->user_id, m);
  for (guint i = 0; m->subs && i < m->subs->len; i++)
    list_remove (self->by_request, g_array_index (m->subs, gint64, i), m);
  if (m->staff)
    {
      Member *last = g_ptr_array_index (self->staff, self->staff->len - 1);

      g_ptr_array_remove_index_fast (self->staff, m->staff_index);
      if (last != m)
        last->staff_index = m->staff_index;
    }
  else
    self->n_customers--;
  g_hash_table_steal (self->members, sock);
  m->sock = NULL;
  /* A tick may still hold it in its list of sockets to write to. */
  if (self->in_tick)
    g_ptr_array_add (self->removed, m);
  else
    member_free (m);
}

guint
hd_audience_get_n_subscriptions (HdAudience *self,
                                 gpointer    sock)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  Member *m = g_hash_table_lookup (self->members, sock);

  return m && m->subs ? m->subs->len : 0;
}

/* ---- delivery -------------------------------------------------------- */

static void
send_once (HdAudience    *self,
           Member        *m,
           const HdEvent *event)
{
  if (m->mark == self->mark)
    return;
  m->mark = self->mark;
  self->send (m->sock,
              m->staff || event->customer_frame == NULL ? event->staff_frame : event->customer_frame,
              self->send_data);
}

static void queue_presence (HdAudience *self, const HdEvent *event);
static void send_ack (HdAudience *self, gpointer sock, const char *type, gint64 request_id);
static gint find_sub (Member *m, gint64 request_id);

/* The request's assignee or team changed: whoever may no longer see it
 * loses their subscription to it.  The subscribers of now are asked at the
 * core; one who subscribes later is checked by their own subscribe, which
 * the core answers after this. */
typedef struct {
  gpointer sock;
  guint64  serial;
  HdUserRecord who;
  gboolean may;
} Subscriber;

typedef struct {
  HdAudience *self;
  gint64      request_id;
  GArray     *subscribers;   /* of Subscriber */
} RecheckJob;

static void
recheck_job_free (gpointer data)
{
  RecheckJob *j = data;

  g_array_unref (j->subscribers);
  audience_unref (j->self);
  g_free (j);
}

static gboolean
recheck_on_core (HdChatService *service,
                 gpointer       data)
{
  RecheckJob *j = data;

  for (guint i = 0; i < j->subscribers->len; i++)
    {
      Subscriber *s = &g_array_index (j->subscribers, Subscriber, i);

      s->may = hd_chat_service_may_subscribe (service, &s->who, j->request_id, NULL);
    }
  return TRUE;
}

static void
recheck_done (gpointer data,
              gboolean committed)
{
  RecheckJob *j = data;
  HdAudience *self = j->self;
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  for (guint i = 0; committed && i < j->subscribers->len; i++)
    {
      Subscriber *s = &g_array_index (j->subscribers, Subscriber, i);
      Member *m = s->may ? NULL : member_again (self, s->sock, s->serial);
      gint at = m ? find_sub (m, j->request_id) : -1;

      if (at < 0)
        continue;
      g_array_remove_index_fast (m->subs, (guint) at);
      list_remove (self->by_request, j->request_id, m);
      send_ack (self, m->sock, HD_EVENT_UNSUBSCRIBED, j->request_id);
    }
}

static void
recheck_subscribers (HdAudience *self,
                     gint64      request_id)
{
  GPtrArray *list = g_hash_table_lookup (self->by_request, &request_id);
  RecheckJob *j;

  if (list == NULL || list->len == 0)
    return;
  j = g_new0 (RecheckJob, 1);
  j->self = audience_ref (self);
  j->request_id = request_id;
  j->subscribers = g_array_sized_new (FALSE, TRUE, sizeof (Subscriber), list->len);
  for (guint i = 0; i < list->len; i++)
    {
      Member *m = g_ptr_array_index (list, i);
      Subscriber s = { m->sock, m->serial, { .id = m->user_id, .role = m->role }, TRUE };

      g_array_append_val (j->subscribers, s);
    }
  run_on_core (self, recheck_on_core, recheck_done, j, recheck_job_free);
}

void
hd_audience_deliver (HdAudience    *self,
                     const HdEvent *event)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  if (event->presence_of > 0)
    {
      queue_presence (self, event);
      return;
    }
  if (g_strcmp0 (event->type, HD_EVENT_REQUEST_ACCESS) == 0)
    {
      recheck_subscribers (self, event->request_id);
      return;
    }

  self->mark++;
  if (event->recipients == NULL && event->request_id <= 0)
    {
      GHashTableIter iter;
      Member *m;

      g_hash_table_iter_init (&iter, self->members);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &m))
        send_once (self, m, event);
      return;
    }

  for (guint r = 0; event->recipients && r < event->recipients->len; r++)
    {
      gint64 id = g_array_index (event->recipients, gint64, r);
      GPtrArray *list = g_hash_table_lookup (self->by_user, &id);

      for (guint i = 0; list && i < list->len; i++)
        send_once (self, g_ptr_array_index (list, i), event);
    }
  if (event->request_id > 0)
    {
      GPtrArray *list = g_hash_table_lookup (self->by_request, &event->request_id);

      for (guint i = 0; list && i < list->len; i++)
        send_once (self, g_ptr_array_index (list, i), event);
    }
}

/* ---- presence, coalesced --------------------------------------------- */

#define PRESENCE_PREFIX "{\"type\":\"" HD_EVENT_PRESENCE_CHANGED "\",\"data\":"

/* The data object of a frame the service built as {"type","data":DATA}. */
static char *
frame_data (const char *frame)
{
  gsize len = strlen (frame);

  if (!g_str_has_prefix (frame, PRESENCE_PREFIX) || len < strlen (PRESENCE_PREFIX) + 1)
    return NULL;
  return g_strndup (frame + strlen (PRESENCE_PREFIX), len - strlen (PRESENCE_PREFIX) - 1);
}

static gboolean
on_tick (gpointer user_data)
{
  HdAudience *self = user_data;
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);

  self->tick_source = 0;
  hd_audience_flush_presence (self);
  return G_SOURCE_REMOVE;
}

static void
queue_presence (HdAudience    *self,
                const HdEvent *event)
{
  Change *c = g_new0 (Change, 1);
  Change *old;

  c->user_id = event->presence_of;
  c->staff_data = frame_data (event->staff_frame);
  c->customer_data = frame_data (event->customer_frame ? event->customer_frame : event->staff_frame);
  if (c->staff_data == NULL || c->customer_data == NULL)
    {
      g_warning ("Unexpected presence frame: %s", event->staff_frame);
      change_free (c);
      return;
    }

  /* The latest state wins; the technician keeps their place in the
   * order of the tick. */
  old = g_hash_table_lookup (self->changes, &c->user_id);
  if (old != NULL)
    {
      g_free (old->staff_data);
      g_free (old->customer_data);
      old->staff_data = g_steal_pointer (&c->staff_data);
      old->customer_data = g_steal_pointer (&c->customer_data);
      change_free (c);
    }
  else
    {
      g_hash_table_insert (self->changes, &c->user_id, c);
      g_ptr_array_add (self->change_order, c);
    }

  if (self->tick_source == 0)
    {
      GSource *source = g_timeout_source_new (self->tick_ms);

      g_source_set_callback (source, on_tick, self, NULL);
      g_source_set_static_name (source, "[hd-audience] presence tick");
      self->tick_source = g_source_attach (source, self->context);
      g_source_unref (source);
    }
}

/* One frame for a tick's changes (@datas: the user objects, as text): a
 * single change is the v1 frame (data is the user); several are the first
 * user with "users": [all of them]. */
static char *
presence_frame (GPtrArray *datas)
{
  GString *out = g_string_new (PRESENCE_PREFIX);
  const char *first = g_ptr_array_index (datas, 0);

  if (datas->len == 1)
    {
      g_string_append (out, first);
      g_string_append_c (out, '}');
      return g_string_free (out, FALSE);
    }
  /* the first user's object without its closing brace */
  g_string_append_len (out, first, (gssize) strlen (first) - 1);
  g_string_append (out, ",\"users\":[");
  for (guint i = 0; i < datas->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, g_ptr_array_index (datas, i));
    }
  g_string_append (out, "]}}");
  return g_string_free (out, FALSE);
}

/* The customer's view of a changed technician, with the customer's
 * requests whose chat_options the technician counts for. */
static char *
customer_user (const Change *c,
               const GArray *request_ids)
{
  GString *out = g_string_new (NULL);

  g_string_append_len (out, c->customer_data, (gssize) strlen (c->customer_data) - 1);
  g_string_append (out, ",\"request_ids\":[");
  for (guint i = 0; i < request_ids->len; i++)
    g_string_append_printf (out, "%s%" G_GINT64_FORMAT, i ? "," : "",
                            g_array_index (request_ids, gint64, i));
  g_string_append (out, "]}");
  return g_string_free (out, FALSE);
}

/* The customer part of a tick: whom each change reaches is asked at the
 * core (hd_chat_service_presence_audience ()), and the frames are written
 * when the answer is back. */
typedef struct {
  HdAudience *self;
  GPtrArray  *order;     /* Change, owned by @changes */
  GHashTable *changes;
  GPtrArray  *links;     /* per change: GArray of HdPresenceLink */
} PresenceJob;

static void
presence_job_free (gpointer data)
{
  PresenceJob *j = data;

  g_ptr_array_unref (j->links);
  g_ptr_array_unref (j->order);
  g_hash_table_unref (j->changes);
  audience_unref (j->self);
  g_free (j);
}

static gboolean
presence_on_core (HdChatService *service,
                  gpointer       data)
{
  PresenceJob *j = data;

  for (guint i = 0; i < j->order->len; i++)
    {
      Change *c = g_ptr_array_index (j->order, i);

      g_ptr_array_add (j->links, hd_chat_service_presence_audience (service, c->user_id));
    }
  return TRUE;
}

/* Customers: only the technicians they may chat with (and only the
 * customers connected here are looked at), each with the customer's
 * requests it counts for. */
static void
presence_done (gpointer data,
               gboolean committed)
{
  PresenceJob *j = data;
  HdAudience *self = j->self;
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_autoptr(GPtrArray) touched = NULL;

  if (!committed || self->closed || self->n_customers == 0)
    return;
  self->in_tick = TRUE;
  touched = g_ptr_array_new ();
  for (guint i = 0; i < j->order->len && i < j->links->len; i++)
    {
      Change *c = g_ptr_array_index (j->order, i);
      GArray *links = g_ptr_array_index (j->links, i);
      g_autoptr(GHashTable) per_customer = NULL;
      GHashTableIter iter;
      gint64 *customer_id;
      GArray *request_ids;

      if (links == NULL || links->len == 0)
        continue;
      per_customer = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                            (GDestroyNotify) g_array_unref);
      for (guint k = 0; k < links->len; k++)
        {
          HdPresenceLink *link = &g_array_index (links, HdPresenceLink, k);

          if (!g_hash_table_contains (self->by_user, &link->customer_id))
            continue;
          request_ids = g_hash_table_lookup (per_customer, &link->customer_id);
          if (request_ids == NULL)
            {
              request_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
              g_hash_table_insert (per_customer, &link->customer_id, request_ids);
            }
          g_array_append_val (request_ids, link->request_id);
        }

      g_hash_table_iter_init (&iter, per_customer);
      while (g_hash_table_iter_next (&iter, (gpointer *) &customer_id, (gpointer *) &request_ids))
        {
          GPtrArray *list = g_hash_table_lookup (self->by_user, customer_id);
          g_autofree char *text = customer_user (c, request_ids);

          /* (A customer's sockets are all customer sockets.) */
          for (guint k = 0; list && k < list->len; k++)
            {
              Member *m = g_ptr_array_index (list, k);

              if (m->pending == NULL)
                m->pending = g_ptr_array_new_with_free_func (g_free);
              if (m->pending->len == 0)
                g_ptr_array_add (touched, m);
              g_ptr_array_add (m->pending, g_strdup (text));
            }
        }
    }
  for (guint i = 0; i < touched->len; i++)
    {
      Member *m = g_ptr_array_index (touched, i);

      if (m->sock != NULL)
        {
          g_autofree char *text = presence_frame (m->pending);
          self->send (m->sock, text, self->send_data);
        }
      g_ptr_array_set_size (m->pending, 0);
    }
  self->in_tick = FALSE;
  g_ptr_array_set_size (self->removed, 0);
}

void
hd_audience_flush_presence (HdAudience *self)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  g_autoptr(GPtrArray) order = NULL;
  g_autoptr(GHashTable) changes = NULL;

  if (self->in_tick)
    return;
  if (self->tick_source != 0)
    {
      GSource *s = g_main_context_find_source_by_id (self->context, self->tick_source);
      if (s)
        g_source_destroy (s);
      self->tick_source = 0;
    }
  if (self->change_order->len == 0)
    return;

  order = g_steal_pointer (&self->change_order);
  changes = g_steal_pointer (&self->changes);
  self->change_order = g_ptr_array_new ();
  self->changes = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                         (GDestroyNotify) change_free);

  /* Staff: every change, one text for all. */
  if (self->staff->len > 0)
    {
      g_autoptr(GPtrArray) datas = g_ptr_array_sized_new (order->len);
      g_autofree char *text = NULL;
      g_autoptr(GPtrArray) staff = g_ptr_array_copy (self->staff, NULL, NULL);

      self->in_tick = TRUE;
      for (guint i = 0; i < order->len; i++)
        g_ptr_array_add (datas, ((Change *) g_ptr_array_index (order, i))->staff_data);
      text = presence_frame (datas);
      for (guint i = 0; i < staff->len; i++)
        {
          Member *m = g_ptr_array_index (staff, i);
          if (m->sock != NULL)
            self->send (m->sock, text, self->send_data);
        }
      self->in_tick = FALSE;
      g_ptr_array_set_size (self->removed, 0);
    }

  if (self->n_customers > 0)
    {
      PresenceJob *j = g_new0 (PresenceJob, 1);

      j->self = audience_ref (self);
      j->order = g_steal_pointer (&order);
      j->changes = g_steal_pointer (&changes);
      j->links = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
      run_on_core (self, presence_on_core, presence_done, j, presence_job_free);
    }
  /* @changes owns the Change records @order lists. */
}

/* ---- subscribe / unsubscribe ----------------------------------------- */

static void
send_error (HdAudience  *self,
            gpointer     sock,
            HdErrorCode  code,
            const char  *message)
{
  g_autoptr(GString) out = g_string_new ("{\"type\":\"" HD_EVENT_ERROR "\",\"data\":{\"code\":");

  hd_json_append_string (out, hd_error_code_to_string (code));
  g_string_append (out, ",\"message\":");
  hd_json_append_string (out, message);
  g_string_append (out, "}}");
  self->send (sock, out->str, self->send_data);
}

static void
send_ack (HdAudience *self,
          gpointer    sock,
          const char *type,
          gint64      request_id)
{
  g_autofree char *text = g_strdup_printf ("{\"type\":\"%s\",\"data\":{\"request_id\":%" G_GINT64_FORMAT "}}",
                                           type, request_id);
  self->send (sock, text, self->send_data);
}

static gint
find_sub (Member *m,
          gint64  request_id)
{
  for (guint i = 0; m->subs && i < m->subs->len; i++)
    if (g_array_index (m->subs, gint64, i) == request_id)
      return (gint) i;
  return -1;
}

/* A subscribe or unsubscribe frame on its way through the core: a
 * socket's frames are answered in the order they came, so while one of
 * them is at the core the next ones go there too. */
typedef struct {
  HdAudience   *self;
  gpointer      sock;
  guint64       serial;
  HdUserRecord  who;
  gint64        request_id;
  gboolean      subscribe;
  gboolean      may;
  GError       *error;
} SubJob;

static void
sub_job_free (gpointer data)
{
  SubJob *j = data;

  g_clear_error (&j->error);
  audience_unref (j->self);
  g_free (j);
}

static gboolean
sub_on_core (HdChatService *service,
             gpointer       data)
{
  SubJob *j = data;

  if (j->subscribe)
    j->may = hd_chat_service_may_subscribe (service, &j->who, j->request_id, &j->error);
  return TRUE;
}

static void
apply_frame (HdAudience *self,
             Member     *m,
             gint64      request_id,
             gboolean    subscribe,
             gboolean    may,
             GError     *error)
{
  gint at = find_sub (m, request_id);

  if (!subscribe)
    {
      if (at >= 0)
        {
          g_array_remove_index_fast (m->subs, (guint) at);
          list_remove (self->by_request, request_id, m);
        }
      send_ack (self, m->sock, HD_EVENT_UNSUBSCRIBED, request_id);
      return;
    }
  if (at < 0)
    {
      if (!may)
        {
          if (error != NULL && error->domain == HD_ERROR)
            send_error (self, m->sock, (HdErrorCode) error->code, error->message);
          else
            send_error (self, m->sock, HD_ERROR_INTERNAL,
                        error != NULL ? error->message : "The subscription could not be checked");
          return;
        }
      if (m->subs != NULL && m->subs->len >= HD_MAX_SUBSCRIPTIONS)
        {
          send_error (self, m->sock, HD_ERROR_BAD_REQUEST,
                      "A connection holds at most 64 subscriptions; unsubscribe from one first");
          return;
        }
      if (m->subs == NULL)
        m->subs = g_array_sized_new (FALSE, FALSE, sizeof (gint64), 4);
      g_array_append_val (m->subs, request_id);
      list_add (self->by_request, request_id, m);
    }
  send_ack (self, m->sock, HD_EVENT_SUBSCRIBED, request_id);
}

static void
sub_done (gpointer data,
          gboolean committed)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&((SubJob *) data)->self->lock);
  SubJob *j = data;
  Member *m = member_again (j->self, j->sock, j->serial);

  if (m == NULL)
    return;
  m->asking--;
  apply_frame (j->self, m, j->request_id, j->subscribe, committed && j->may, j->error);
}

gboolean
hd_audience_handle_frame (HdAudience   *self,
                          gpointer      sock,
                          const HdUserRecord *user,
                          const char   *type,
                          JsonObject   *data)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (&self->lock);
  gboolean subscribe;
  JsonNode *n;
  gint64 request_id;
  Member *m;
  SubJob *j;

  if (g_strcmp0 (type, HD_FRAME_SUBSCRIBE) == 0)
    subscribe = TRUE;
  else if (g_strcmp0 (type, HD_FRAME_UNSUBSCRIBE) == 0)
    subscribe = FALSE;
  else
    return FALSE;

  n = data ? json_object_get_member (data, "request_id") : NULL;
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64 ||
      (request_id = json_node_get_int (n)) <= 0)
    {
      send_error (self, sock, HD_ERROR_BAD_REQUEST, "request_id must be a positive integer");
      return TRUE;
    }
  m = g_hash_table_lookup (self->members, sock);
  if (m == NULL)
    return TRUE;

  /* Nothing to ask the core: an unsubscribe, or a subscription held
   * already, with no frame of this socket still at the core. */
  if (m->asking == 0 && (!subscribe || find_sub (m, request_id) >= 0))
    {
      apply_frame (self, m, request_id, subscribe, TRUE, NULL);
      return TRUE;
    }
  /* A socket that floods these frames waits for the core's answers. */
  if (m->asking >= HD_MAX_SUBSCRIPTIONS ||
      (subscribe && (m->subs ? m->subs->len : 0) + m->asking >= HD_MAX_SUBSCRIPTIONS))
    {
      send_error (self, sock, HD_ERROR_BAD_REQUEST,
                  "A connection holds at most 64 subscriptions; unsubscribe from one first");
      return TRUE;
    }
  j = g_new0 (SubJob, 1);
  j->self = audience_ref (self);
  j->sock = sock;
  j->serial = m->serial;
  j->who.id = user->id;
  j->who.role = user->role;
  j->request_id = request_id;
  j->subscribe = subscribe;
  m->asking++;
  run_on_core (self, sub_on_core, sub_done, j, sub_job_free);
  return TRUE;
}
