/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Events and presence between servers on one PostgreSQL database (see
 * hd-bus.h).  Two threads, each with its own connection; the main loop
 * only queues (tap, presence hook) and delivers (an idle per batch read). */
#define G_LOG_DOMAIN "hd-bus"

#include "hd-bus.h"
#include "hd-auth.h"
#include "hd-core.h"
#include "hd-error.h"
#include "hd-protocol.h"

#include <libpq-fe.h>
#include <poll.h>
#include <string.h>

#define NOW_US "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::bigint"
/* Events are kept this long (a listener reads them within milliseconds;
 * the table is not a history). */
#define EVENTS_KEEP_SECONDS 300
/* Bus-only event types (never sent to sockets): the login throttle's
 * failures and resets, the login in staff_frame. */
#define TYPE_THROTTLE_FAILURE "$throttle.failure"
#define TYPE_THROTTLE_RESET   "$throttle.reset"
/* A technician's presence change (HdEvent.presence_of): the technician's id
 * is the one recipient; each server works out its own audience (staff and
 * hd_chat_service_presence_audience) and coalesces per tick, as for its
 * own changes. */
#define TYPE_PRESENCE         "$presence"
/* Listener: how far below the highest id it re-reads, for events of other
 * servers that committed after a higher id was already seen. */
#define REREAD_WINDOW 1000
#define MAX_OPS_PER_BATCH 1000

typedef enum {
  OP_EVENT,
  OP_ONLINE,
  OP_OFFLINE,
  OP_STOP,
} OpKind;

typedef struct {
  OpKind  kind;
  gint64  user_id;
  char   *type;
  char   *recipients;     /* "{1,2}" or NULL for everyone */
  char   *staff_frame;
  char   *customer_frame;
} Op;

typedef struct {
  char   *type;
  GArray *recipients;
  char   *staff_frame;
  char   *customer_frame;
} RemoteEvent;

struct _HdBus
{
  GObject         parent_instance;

  /* where the service lives: the core thread's context */
  GMainContext   *context;

  HdChatService  *service;    /* not owned */
  HdLoginThrottle *throttle;  /* the service's */
  char           *uri;
  char           *server_id;
  gint64          lease_us;
  gint64          renew_us;

  GAsyncQueue    *ops;
  GThread        *writer;
  GThread        *listener;
  gint            stopping;   /* atomic */
  gint64          last_id;    /* listener's start point */

  /* main thread: who is online on other live servers */
  GHashTable     *remote_online;

  /* The login throttle's count in the database (core thread) */
  GMutex          login_lock;
  PGconn         *login_conn;
};

G_DEFINE_FINAL_TYPE (HdBus, hd_bus, G_TYPE_OBJECT)

static void
op_free (Op *op)
{
  g_free (op->type);
  g_free (op->recipients);
  g_free (op->staff_frame);
  g_free (op->customer_frame);
  g_free (op);
}

static void
remote_event_free (RemoteEvent *ev)
{
  g_free (ev->type);
  if (ev->recipients)
    g_array_unref (ev->recipients);
  g_free (ev->staff_frame);
  g_free (ev->customer_frame);
  g_free (ev);
}

static gint64
env_ms (const char *name,
        gint64      fallback_ms)
{
  const char *v = g_getenv (name);
  guint64 n;

  if (v && g_ascii_string_to_unsigned (v, 10, 1, G_MAXINT32, &n, NULL))
    return (gint64) n;
  return fallback_ms;
}

static gboolean
exec_ok (PGconn     *conn,
         PGresult   *r,
         const char *what)
{
  ExecStatusType st = PQresultStatus (r);
  gboolean ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

  if (!ok)
    g_warning ("%s: %s", what, r ? PQresultErrorMessage (r) : PQerrorMessage (conn));
  return ok;
}

static gboolean
simple (PGconn     *conn,
        const char *sql)
{
  PGresult *r = PQexec (conn, sql);
  gboolean ok = exec_ok (conn, r, sql);

  PQclear (r);
  return ok;
}

static PGconn *
connect_db (const char  *uri,
            GError     **error)
{
  PGconn *conn = PQconnectdb (uri);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, HD_ERROR, HD_ERROR_INTERNAL, "The event bus cannot connect to PostgreSQL: %s",
                   PQerrorMessage (conn));
      PQfinish (conn);
      return NULL;
    }
  PQsetClientEncoding (conn, "UTF8");
  simple (conn, "SET application_name = 'helpdesk-server bus'");
  return conn;
}

static void
renew_lease (HdBus  *self,
             PGconn *conn)
{
  char lease[32];
  char keep[32];
  const char *params[3] = { self->server_id, lease, keep };
  PGresult *r;

  g_snprintf (lease, sizeof lease, "%" G_GINT64_FORMAT, self->lease_us);
  g_snprintf (keep, sizeof keep, "%" G_GINT64_FORMAT, (gint64) EVENTS_KEEP_SECONDS * G_USEC_PER_SEC);
  /* Our lease; the rows of servers dead for a while (their presence goes
   * with them); old events. */
  r = PQexecParams (conn,
                    "WITH l AS (INSERT INTO hd_servers (id, lease_until) VALUES ($1, " NOW_US " + $2::bigint) "
                    "           ON CONFLICT (id) DO UPDATE SET lease_until = EXCLUDED.lease_until),"
                    " d AS (DELETE FROM hd_servers WHERE lease_until < " NOW_US " - $3::bigint AND id <> $1),"
                    " a AS (DELETE FROM hd_login_attempts WHERE COALESCE (failed_at, reserved_at) < " NOW_US " - $3::bigint) "
                    "DELETE FROM hd_events WHERE created_at < " NOW_US " - $3::bigint",
                    3, NULL, params, NULL, NULL, 0);
  exec_ok (conn, r, "Renewing the server's lease");
  PQclear (r);
}

/* ---- writer thread -------------------------------------------------- */

static gboolean
write_op (HdBus  *self,
          PGconn *conn,
          Op     *op)
{
  PGresult *r;
  char uid[24];

  switch (op->kind)
    {
    case OP_EVENT:
      {
        const char *params[5] = { self->server_id, op->type, op->recipients, op->staff_frame, op->customer_frame };
        r = PQexecParams (conn,
                          "INSERT INTO hd_events (origin, type, recipients, staff_frame, customer_frame, created_at) "
                          "VALUES ($1, $2, $3::bigint[], $4, $5, " NOW_US ")",
                          5, NULL, params, NULL, NULL, 0);
        break;
      }
    case OP_ONLINE:
    case OP_OFFLINE:
      {
        const char *params[2] = { self->server_id, uid };
        g_snprintf (uid, sizeof uid, "%" G_GINT64_FORMAT, op->user_id);
        if (op->kind == OP_ONLINE)
          r = PQexecParams (conn, "INSERT INTO hd_presence (server_id, user_id) VALUES ($1, $2) "
                                  "ON CONFLICT DO NOTHING", 2, NULL, params, NULL, NULL, 0);
        else
          r = PQexecParams (conn, "DELETE FROM hd_presence WHERE server_id = $1 AND user_id = $2",
                            2, NULL, params, NULL, NULL, 0);
        break;
      }
    case OP_STOP:
    default:
      return TRUE;
    }
  {
    gboolean ok = exec_ok (conn, r, "Publishing on the bus");
    PQclear (r);
    return ok;
  }
}

static gpointer
writer_main (gpointer data)
{
  HdBus *self = data;
  g_autoptr(GError) error = NULL;
  PGconn *conn = connect_db (self->uri, &error);
  gint64 last_renew = g_get_monotonic_time ();
  gboolean stop = FALSE;

  if (conn == NULL)
    {
      g_warning ("%s", error->message);
      return NULL;
    }

  while (!stop)
    {
      Op *op = g_async_queue_timeout_pop (self->ops, self->renew_us);
      GPtrArray *batch = g_ptr_array_new_with_free_func ((GDestroyNotify) op_free);

      if (PQstatus (conn) != CONNECTION_OK)
        PQreset (conn);

      if (op != NULL)
        {
          g_ptr_array_add (batch, op);
          while (batch->len < MAX_OPS_PER_BATCH && (op = g_async_queue_try_pop (self->ops)) != NULL)
            g_ptr_array_add (batch, op);
        }

      if (batch->len > 0)
        {
          gboolean ok = simple (conn, "BEGIN");

          for (guint i = 0; i < batch->len; i++)
            {
              Op *o = g_ptr_array_index (batch, i);
              if (o->kind == OP_STOP)
                stop = TRUE;
              else if (ok)
                ok = write_op (self, conn, o);
            }
          if (ok)
            ok = simple (conn, "COMMIT");
          else
            simple (conn, "ROLLBACK");
          /* One wake-up per batch, in a transaction of its own: the
           * messages' commits never wait for the notification queue's
           * cluster-wide lock. */
          if (ok)
            simple (conn, "NOTIFY hd_bus");
        }
      g_ptr_array_unref (batch);

      if (!stop && g_get_monotonic_time () - last_renew >= self->renew_us)
        {
          renew_lease (self, conn);
          last_renew = g_get_monotonic_time ();
        }
    }

  /* Leaving: our users are offline at once for the others. */
  {
    const char *params[1] = { self->server_id };
    PGresult *r = PQexecParams (conn, "DELETE FROM hd_servers WHERE id = $1", 1, NULL, params, NULL, NULL, 0);
    if (exec_ok (conn, r, "Leaving the bus"))
      simple (conn, "NOTIFY hd_bus");
    PQclear (r);
  }
  PQfinish (conn);
  return NULL;
}

/* ---- listener thread ------------------------------------------------ */

typedef struct {
  HdBus     *bus;           /* a reference */
  GPtrArray *events;        /* RemoteEvent */
  GArray    *online;        /* user ids online on other live servers */
} Delivery;

static GArray *
parse_ids (const char *text)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *p = text;

  while (*p)
    {
      char *end;
      gint64 id;

      /* (negative: a request's subscribers, see on_event) */
      if (!g_ascii_isdigit (*p) && !(*p == '-' && g_ascii_isdigit (p[1])))
        {
          p++;
          continue;
        }
      id = g_ascii_strtoll (p, &end, 10);
      g_array_append_val (ids, id);
      p = end;
    }
  return ids;
}

static gboolean
deliver (gpointer data)
{
  Delivery *d = data;
  HdBus *self = d->bus;

  if (self->service == NULL)
    return G_SOURCE_REMOVE;

  for (guint i = 0; i < d->events->len; i++)
    {
      RemoteEvent *re = g_ptr_array_index (d->events, i);
      HdEvent ev = { .type = re->type, .recipients = re->recipients,
                     .staff_frame = re->staff_frame, .customer_frame = re->customer_frame,
                     .local_only = TRUE };
      g_autoptr(GArray) users = NULL;

      if (strcmp (re->type, TYPE_THROTTLE_FAILURE) == 0 || strcmp (re->type, TYPE_THROTTLE_RESET) == 0)
        {
          if (self->throttle != NULL)
            hd_login_throttle_apply_remote (self->throttle, re->staff_frame,
                                            strcmp (re->type, TYPE_THROTTLE_FAILURE) == 0,
                                            g_get_monotonic_time ());
          continue;
        }
      if (strcmp (re->type, TYPE_PRESENCE) == 0)
        {
          if (re->recipients == NULL || re->recipients->len != 1)
            continue;
          ev.type = HD_EVENT_PRESENCE_CHANGED;
          ev.presence_of = g_array_index (re->recipients, gint64, 0);
          ev.recipients = NULL;
          hd_chat_service_deliver_remote (self->service, &ev);
          continue;
        }
      /* The audience's request (fanout): stored as -request_id among the
       * recipients. */
      if (re->recipients != NULL)
        {
          users = g_array_new (FALSE, FALSE, sizeof (gint64));
          for (guint k = 0; k < re->recipients->len; k++)
            {
              gint64 id = g_array_index (re->recipients, gint64, k);

              if (id < 0)
                ev.request_id = -id;
              else
                g_array_append_val (users, id);
            }
          ev.recipients = users->len > 0 || ev.request_id == 0 ? users : NULL;
        }
      hd_chat_service_deliver_remote (self->service, &ev);
    }

  if (d->online != NULL)
    {
      g_autoptr(GHashTable) now = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      g_autoptr(GPtrArray) gone = g_ptr_array_new ();
      GHashTableIter it;
      gpointer key;

      for (guint i = 0; i < d->online->len; i++)
        {
          gint64 id = g_array_index (d->online, gint64, i);
          g_hash_table_add (now, g_memdup2 (&id, sizeof id));
          if (!g_hash_table_contains (self->remote_online, &id))
            {
              g_hash_table_add (self->remote_online, g_memdup2 (&id, sizeof id));
              hd_chat_service_set_online_elsewhere (self->service, id, TRUE);
            }
        }
      g_hash_table_iter_init (&it, self->remote_online);
      while (g_hash_table_iter_next (&it, &key, NULL))
        if (!g_hash_table_contains (now, key))
          g_ptr_array_add (gone, g_memdup2 (key, sizeof (gint64)));
      for (guint i = 0; i < gone->len; i++)
        {
          gint64 *id = g_ptr_array_index (gone, i);
          g_hash_table_remove (self->remote_online, id);
          hd_chat_service_set_online_elsewhere (self->service, *id, FALSE);
          g_free (id);
        }
    }
  return G_SOURCE_REMOVE;
}

static void
delivery_free (gpointer data)
{
  Delivery *d = data;

  g_ptr_array_unref (d->events);
  if (d->online)
    g_array_unref (d->online);
  g_object_unref (d->bus);
  g_free (d);
}

static gpointer
listener_main (gpointer data)
{
  HdBus *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  PGconn *conn = connect_db (self->uri, &error);
  gint64 max_seen = self->last_id;
  gint64 last_check = 0;

  if (conn == NULL || !simple (conn, "LISTEN hd_bus"))
    {
      if (error)
        g_warning ("%s", error->message);
      if (conn)
        PQfinish (conn);
      return NULL;
    }

  while (!g_atomic_int_get (&self->stopping))
    {
      struct pollfd pfd = { PQsocket (conn), POLLIN, 0 };
      gboolean woken = FALSE;
      PGnotify *n;

      if (PQstatus (conn) != CONNECTION_OK)
        {
          g_usleep (G_USEC_PER_SEC / 2);
          PQreset (conn);
          if (PQstatus (conn) == CONNECTION_OK)
            simple (conn, "LISTEN hd_bus");
          woken = TRUE;
        }
      else
        {
          /* A notification that came while the last pass ran its queries
           * was read into libpq's buffer then: the socket has nothing more
           * to say about it, so look there before waiting on the socket
           * (else it waited for the next notification or the periodic
           * check, up to HD_BUS_LEASE_RENEW_SECONDS). */
          while ((n = PQnotifies (conn)) != NULL)
            {
              woken = TRUE;
              PQfreemem (n);
            }
          if (!woken && poll (&pfd, 1, 250) > 0)
            {
              PQconsumeInput (conn);
              while ((n = PQnotifies (conn)) != NULL)
                {
                  woken = TRUE;
                  PQfreemem (n);
                }
            }
        }

      if (woken || g_get_monotonic_time () - last_check >= self->renew_us)
        {
          Delivery *d = g_new0 (Delivery, 1);
          char floor_text[24];
          const char *params[2] = { self->server_id, floor_text };
          gint64 floor = MAX (0, max_seen - REREAD_WINDOW);
          PGresult *r;

          last_check = g_get_monotonic_time ();
          d->events = g_ptr_array_new_with_free_func ((GDestroyNotify) remote_event_free);
          g_snprintf (floor_text, sizeof floor_text, "%" G_GINT64_FORMAT, floor);
          r = PQexecParams (conn,
                            "SELECT id, type, recipients, staff_frame, customer_frame FROM hd_events "
                            "WHERE id > $2::bigint AND origin <> $1 ORDER BY id",
                            2, NULL, params, NULL, NULL, 0);
          if (exec_ok (conn, r, "Reading the bus"))
            for (int i = 0; i < PQntuples (r); i++)
              {
                gint64 id = g_ascii_strtoll (PQgetvalue (r, i, 0), NULL, 10);
                RemoteEvent *re;

                if (id <= self->last_id || g_hash_table_contains (seen, &id))
                  continue;
                g_hash_table_add (seen, g_memdup2 (&id, sizeof id));
                max_seen = MAX (max_seen, id);
                re = g_new0 (RemoteEvent, 1);
                re->type = g_strdup (PQgetvalue (r, i, 1));
                re->recipients = PQgetisnull (r, i, 2) ? NULL : parse_ids (PQgetvalue (r, i, 2));
                re->staff_frame = g_strdup (PQgetvalue (r, i, 3));
                re->customer_frame = PQgetisnull (r, i, 4) ? NULL : g_strdup (PQgetvalue (r, i, 4));
                g_ptr_array_add (d->events, re);
              }
          PQclear (r);

          /* Forget ids below the window: they are never read again. */
          if (g_hash_table_size (seen) > 4 * REREAD_WINDOW)
            {
              GHashTableIter it;
              gpointer key;
              gint64 low = MAX (0, max_seen - REREAD_WINDOW);

              g_hash_table_iter_init (&it, seen);
              while (g_hash_table_iter_next (&it, &key, NULL))
                if (*(gint64 *) key <= low)
                  g_hash_table_iter_remove (&it);
            }

          r = PQexecParams (conn,
                            "SELECT DISTINCT p.user_id FROM hd_presence p JOIN hd_servers s ON s.id = p.server_id "
                            "WHERE s.id <> $1 AND s.lease_until > " NOW_US,
                            1, NULL, params, NULL, NULL, 0);
          if (exec_ok (conn, r, "Reading presence"))
            {
              d->online = g_array_new (FALSE, FALSE, sizeof (gint64));
              for (int i = 0; i < PQntuples (r); i++)
                {
                  gint64 id = g_ascii_strtoll (PQgetvalue (r, i, 0), NULL, 10);
                  g_array_append_val (d->online, id);
                }
            }
          PQclear (r);

          d->bus = g_object_ref (self);
          /* The service is the core thread's (hd-core.h): deliver there. */
          g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, deliver, d, delivery_free);
        }
    }
  PQfinish (conn);
  return NULL;
}

/* ---- main thread ---------------------------------------------------- */

static char *
ids_text (GArray *ids)
{
  GString *s = g_string_new ("{");

  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? "," : "", g_array_index (ids, gint64, i));
  g_string_append_c (s, '}');
  return g_string_free (s, FALSE);
}

static void
on_event (const HdEvent *event,
          gpointer       user_data)
{
  HdBus *self = user_data;
  Op *op;

  if (event->local_only || g_atomic_int_get (&self->stopping))
    return;
  op = g_new0 (Op, 1);
  op->kind = OP_EVENT;
  op->type = g_strdup (event->type);
  if (event->presence_of > 0)
    {
      g_free (op->type);
      op->type = g_strdup (TYPE_PRESENCE);
      op->recipients = g_strdup_printf ("{%" G_GINT64_FORMAT "}", event->presence_of);
    }
  else if (event->recipients != NULL || event->request_id > 0)
    {
      /* The sockets subscribed to a request (fanout) travel as
       * -request_id in the recipients. */
      g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      gint64 interest = -event->request_id;

      if (event->recipients != NULL)
        g_array_append_vals (ids, event->recipients->data, event->recipients->len);
      if (event->request_id > 0)
        g_array_append_val (ids, interest);
      op->recipients = ids_text (ids);
    }
  op->staff_frame = g_strdup (event->staff_frame);
  op->customer_frame = g_strdup (event->customer_frame);
  g_async_queue_push (self->ops, op);
}

static void
on_throttle (const char *login,
             gboolean    failed,
             gpointer    user_data)
{
  HdBus *self = user_data;
  Op *op;

  if (g_atomic_int_get (&self->stopping))
    return;
  op = g_new0 (Op, 1);
  op->kind = OP_EVENT;
  op->type = g_strdup (failed ? TYPE_THROTTLE_FAILURE : TYPE_THROTTLE_RESET);
  op->staff_frame = g_strdup (login);
  g_async_queue_push (self->ops, op);
}

/* ---- the login throttle, counted in the database ------------------- */

/* A check under way counts this long at most (a server killed during one
 * leaves its row behind). */
#define LOGIN_PENDING_SECONDS 60

static gboolean
login_conn_ok (HdBus *self)
{
  if (self->login_conn == NULL)
    return FALSE;
  if (PQstatus (self->login_conn) != CONNECTION_OK)
    PQreset (self->login_conn);
  return PQstatus (self->login_conn) == CONNECTION_OK;
}

/* One transaction under the login's advisory lock: a second server's
 * reservation for the same login waits for this one's row. */
static gint64
login_reserve (const char *login,
               guint       max_failures,
               gint64      window_usec,
               gpointer    user_data)
{
  HdBus *self = user_data;
  char max[24], window[24], pending[24];
  const char *params[5] = { login, self->server_id, max, window, pending };
  gint64 id = -1;
  PGresult *r;

  g_snprintf (max, sizeof max, "%u", max_failures);
  g_snprintf (window, sizeof window, "%" G_GINT64_FORMAT, window_usec);
  g_snprintf (pending, sizeof pending, "%" G_GINT64_FORMAT, (gint64) LOGIN_PENDING_SECONDS * G_USEC_PER_SEC);
  g_mutex_lock (&self->login_lock);
  if (!login_conn_ok (self) || !simple (self->login_conn, "BEGIN"))
    goto out;
  r = PQexecParams (self->login_conn, "SELECT pg_advisory_xact_lock(hashtextextended('hd_login:' || $1, 0))",
                    1, NULL, params, NULL, NULL, 0);
  if (exec_ok (self->login_conn, r, "Locking a login's throttle"))
    {
      PQclear (r);
      r = PQexecParams (self->login_conn,
                        "INSERT INTO hd_login_attempts (login, server_id, reserved_at) "
                        "SELECT $1, $2, " NOW_US " WHERE (SELECT count(*) FROM hd_login_attempts a "
                        "  WHERE a.login = $1 AND (a.failed_at > " NOW_US " - $4::bigint "
                        "  OR (a.failed_at IS NULL AND a.reserved_at > " NOW_US " - $5::bigint))) < $3::bigint "
                        "RETURNING id",
                        5, NULL, params, NULL, NULL, 0);
      if (exec_ok (self->login_conn, r, "Reserving a login check"))
        id = PQntuples (r) > 0 ? g_ascii_strtoll (PQgetvalue (r, 0, 0), NULL, 10) : 0;
    }
  PQclear (r);
  if (!simple (self->login_conn, id >= 0 ? "COMMIT" : "ROLLBACK"))
    id = -1;
out:
  g_mutex_unlock (&self->login_lock);
  return id;
}

static void
login_settle (gint64          id,
              const char     *login,
              HdLoginOutcome  outcome,
              gpointer        user_data)
{
  HdBus *self = user_data;
  char sid[24];
  const char *params[2] = { sid, login };
  PGresult *r;

  g_snprintf (sid, sizeof sid, "%" G_GINT64_FORMAT, id);
  g_mutex_lock (&self->login_lock);
  if (login_conn_ok (self))
    {
      switch (outcome)
        {
        case HD_LOGIN_FAILED:
          r = PQexecParams (self->login_conn, "UPDATE hd_login_attempts SET failed_at = " NOW_US " WHERE id = $1",
                            1, NULL, params, NULL, NULL, 0);
          break;
        case HD_LOGIN_SUCCEEDED:
          /* The login's failures go, and this check's place. */
          r = PQexecParams (self->login_conn, "DELETE FROM hd_login_attempts WHERE login = $2 "
                                              "AND (failed_at IS NOT NULL OR id = $1)",
                            2, NULL, params, NULL, NULL, 0);
          break;
        case HD_LOGIN_NOT_CHECKED:
        default:
          r = PQexecParams (self->login_conn, "DELETE FROM hd_login_attempts WHERE id = $1",
                            1, NULL, params, NULL, NULL, 0);
          break;
        }
      exec_ok (self->login_conn, r, "Settling a login check");
      PQclear (r);
    }
  g_mutex_unlock (&self->login_lock);
}

static const HdLoginThrottleShared login_shared = { login_reserve, login_settle };

static void
on_presence (gint64   user_id,
             gboolean online,
             gpointer user_data)
{
  HdBus *self = user_data;
  Op *op;

  if (g_atomic_int_get (&self->stopping))
    return;
  op = g_new0 (Op, 1);
  op->kind = online ? OP_ONLINE : OP_OFFLINE;
  op->user_id = user_id;
  g_async_queue_push (self->ops, op);
}

void
hd_bus_stop (HdBus *self)
{
  if (self->service != NULL)
    {
      hd_chat_service_set_bus (self->service, NULL, NULL, NULL);
      self->service = NULL;
    }
  if (self->throttle != NULL)
    {
      hd_login_throttle_set_mirror (self->throttle, NULL, NULL);
      hd_login_throttle_set_shared (self->throttle, NULL, NULL);
      self->throttle = NULL;
    }
  if (!g_atomic_int_compare_and_exchange (&self->stopping, 0, 1))
    return;
  if (self->writer)
    {
      Op *op = g_new0 (Op, 1);
      op->kind = OP_STOP;
      g_async_queue_push (self->ops, op);
      g_thread_join (self->writer);
      self->writer = NULL;
    }
  if (self->listener)
    {
      g_thread_join (self->listener);
      self->listener = NULL;
    }
}

static void
hd_bus_finalize (GObject *object)
{
  HdBus *self = HD_BUS (object);

  hd_bus_stop (self);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_async_queue_unref (self->ops);
  g_hash_table_unref (self->remote_online);
  g_free (self->uri);
  g_free (self->server_id);
  g_clear_pointer (&self->login_conn, PQfinish);
  g_mutex_clear (&self->login_lock);
  G_OBJECT_CLASS (hd_bus_parent_class)->finalize (object);
}

static void
hd_bus_class_init (HdBusClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hd_bus_finalize;
}

static void
hd_bus_init (HdBus *self)
{
  self->ops = g_async_queue_new_full ((GDestroyNotify) op_free);
  self->remote_online = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_mutex_init (&self->login_lock);
}

const char *
hd_bus_get_server_id (HdBus *self)
{
  return self->server_id;
}

HdBus *
hd_bus_new (const char     *uri,
            HdChatService  *service,
            GError        **error)
{
  g_autoptr(HdBus) self = g_object_new (HD_TYPE_BUS, NULL);
  PGconn *conn;
  PGresult *r;

  self->uri = g_strdup (uri);
  self->server_id = g_uuid_string_random ();
  /* HD_BUS_LEASE_MS / HD_BUS_RENEW_MS: shorter for tests. */
  self->lease_us = env_ms ("HD_BUS_LEASE_MS", HD_BUS_LEASE_SECONDS * 1000) * 1000;
  self->renew_us = env_ms ("HD_BUS_RENEW_MS", HD_BUS_LEASE_RENEW_SECONDS * 1000) * 1000;

  /* The lease exists before the first presence row refers to it, and the
   * listener starts after the events already there. */
  conn = connect_db (uri, error);
  if (conn == NULL)
    return NULL;
  renew_lease (self, conn);
  r = PQexec (conn, "SELECT COALESCE(MAX(id), 0) FROM hd_events");
  if (!exec_ok (conn, r, "Reading the bus"))
    {
      g_set_error (error, HD_ERROR, HD_ERROR_INTERNAL, "The event bus cannot read hd_events: %s",
                   PQresultErrorMessage (r));
      PQclear (r);
      PQfinish (conn);
      return NULL;
    }
  self->last_id = g_ascii_strtoll (PQgetvalue (r, 0, 0), NULL, 10);
  PQclear (r);
  /* Kept for the login throttle's count. */
  self->login_conn = conn;

  self->service = service;
  self->context = hd_core_of (service) ? g_main_context_ref (hd_core_get_context (hd_core_of (service)))
                                       : g_main_context_ref_thread_default ();
  self->writer = g_thread_new ("hd-bus-writer", writer_main, self);
  self->listener = g_thread_new ("hd-bus-listener", listener_main, self);
  hd_chat_service_set_bus (service, on_event, on_presence, self);
  /* One login throttle for all the servers. */
  self->throttle = hd_chat_service_get_login_throttle (service);
  if (self->throttle != NULL)
    {
      hd_login_throttle_set_mirror (self->throttle, on_throttle, self);
      hd_login_throttle_set_shared (self->throttle, &login_shared, self);
    }
  return g_steal_pointer (&self);
}
