/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-core"

#include "hd-core.h"

/* At most this many commands share one transaction: bounds the latency of
 * the first of them and the size of a rollback. */
#define MAX_BATCH 4096

typedef struct {
  HdCoreFunc      func;
  HdCoreDone      done;
  gpointer        data;
  GDestroyNotify  destroy;
  gboolean        hot;
  gboolean        done_anywhere;  /* hd_core_run_hot () */
  gboolean        committed;
} Command;

/* Something for the main context: an event or a command's answer. */
typedef struct {
  GSourceFunc     func;
  gpointer        data;
  GDestroyNotify  destroy;
} Outgoing;

struct _HdCore
{
  HdChatService *service;
  GThread       *thread;
  GMainContext  *context;
  gint           quit;
  GAsyncQueue   *commands;
  gint           drain_scheduled;
  gboolean       housekeeping_scheduled;   /* the core thread's */
  /* held by the core thread while a batch runs; hd_core_enter () */
  GMutex         busy;
  /* hd_core_set_io (): under io_lock */
  GMutex         io_lock;
  int            io_fd;
  HdCoreIoWait   io_wait;
  HdCoreIoRun    io_run;
  gpointer       io_data;

  GMainContext  *main_context;
  GMutex         out_lock;
  GQueue         out;
  GSource       *out_source;    /* pending on the main context */
  /* handed to the main context and not yet done there (atomic) */
  gint           out_unfinished;

  HdEventSink    sink;
  HdEventDirect  direct;
  HdEventFlush   flush;
  gpointer       sink_data;
  GMutex         sink_lock;     /* held while @direct or @flush runs */
  /* holding @busy: a drain is delivering (@flush at its end) ... */
  gboolean       delivering;
  /* ... and @direct took something since the last @flush */
  gboolean       flush_owed;
};

/* ---- to the main context -------------------------------------------- */

static gboolean
flush_out (gpointer data)
{
  HdCore *core = data;
  GQueue items = G_QUEUE_INIT;
  Outgoing *o;

  g_mutex_lock (&core->out_lock);
  items = core->out;
  g_queue_init (&core->out);
  g_clear_pointer (&core->out_source, g_source_unref);
  g_mutex_unlock (&core->out_lock);

  while ((o = g_queue_pop_head (&items)) != NULL)
    {
      o->func (o->data);
      if (o->destroy)
        o->destroy (o->data);
      g_free (o);
      g_atomic_int_add (&core->out_unfinished, -1);
    }
  return G_SOURCE_REMOVE;
}

/* Core thread: nothing it handed to the main context is still waiting or
 * running there, so what it sends itself now comes after all of it. */
static gboolean
main_is_done (HdCore *core)
{
  return g_atomic_int_get (&core->out_unfinished) == 0;
}

void
hd_core_to_main (HdCore         *core,
                 GSourceFunc     func,
                 gpointer        data,
                 GDestroyNotify  destroy)
{
  Outgoing *o = g_new (Outgoing, 1);

  o->func = func;
  o->data = data;
  o->destroy = destroy;
  g_atomic_int_inc (&core->out_unfinished);
  g_mutex_lock (&core->out_lock);
  g_queue_push_tail (&core->out, o);
  if (core->out_source == NULL)
    {
      core->out_source = g_idle_source_new ();
      g_source_set_priority (core->out_source, G_PRIORITY_DEFAULT);
      g_source_set_callback (core->out_source, flush_out, core, NULL);
      g_source_attach (core->out_source, core->main_context);
    }
  g_mutex_unlock (&core->out_lock);
}

/* ---- events --------------------------------------------------------- */

typedef struct {
  HdCore  *core;
  HdEvent  event;
  char    *type;
} HeldEvent;

static void
held_event_free (gpointer data)
{
  HeldEvent *h = data;

  if (h->event.recipients)
    g_array_unref (h->event.recipients);
  g_free (h->event.staff_frame);
  g_free (h->event.customer_frame);
  g_free (h->type);
  g_free (h);
}

static gboolean
deliver_event (gpointer data)
{
  HeldEvent *h = data;

  if (h->core->sink != NULL)
    h->core->sink (&h->event, h->core->sink_data);
  return G_SOURCE_REMOVE;
}

/* What @direct took goes out now. */
static void
flush_direct (HdCore *core)
{
  if (!core->flush_owed)
    return;
  core->flush_owed = FALSE;
  g_mutex_lock (&core->sink_lock);
  if (core->flush != NULL)
    core->flush (core->sink_data);
  g_mutex_unlock (&core->sink_lock);
}

/* The service's sink, on the core thread (after the commit). */
static void
core_sink (const HdEvent *event,
           gpointer       user_data)
{
  HdCore *core = user_data;
  HeldEvent *h;

  /* Straight to the sockets, past the main context, when that keeps the
   * order: nothing of the core's is still waiting there. */
  if (main_is_done (core))
    {
      gboolean sent = FALSE;

      g_mutex_lock (&core->sink_lock);
      if (core->direct != NULL)
        sent = core->direct (event, core->sink_data);
      g_mutex_unlock (&core->sink_lock);
      if (sent)
        {
          /* a drain's events go out together, at its end */
          core->flush_owed = TRUE;
          if (!core->delivering)
            flush_direct (core);
          return;
        }
    }

  h = g_new0 (HeldEvent, 1);
  h->core = core;
  h->event = *event;
  h->type = g_strdup (event->type);
  h->event.type = h->type;
  h->event.recipients = event->recipients ? g_array_ref (event->recipients) : NULL;
  h->event.staff_frame = g_strdup (event->staff_frame);
  h->event.customer_frame = g_strdup (event->customer_frame);
  hd_core_to_main (core, deliver_event, h, held_event_free);
}

void
hd_core_set_event_sink (HdCore        *core,
                        HdEventSink    sink,
                        HdEventDirect  direct,
                        HdEventFlush   flush,
                        gpointer       user_data)
{
  g_mutex_lock (&core->sink_lock);
  core->sink = sink;
  core->direct = direct;
  core->flush = flush;
  core->sink_data = user_data;
  g_mutex_unlock (&core->sink_lock);
}

/* ---- commands ------------------------------------------------------- */

static gboolean
command_done (gpointer data)
{
  Command *c = data;

  if (c->done)
    c->done (c->data, c->committed);
  return G_SOURCE_REMOVE;
}

static void
command_free (gpointer data)
{
  Command *c = data;

  if (c->destroy)
    c->destroy (c->data);
  g_free (c);
}

/* Core thread: runs a hot command's done here, after its commit, when
 * that keeps the order and the sockets' side is still there (its direct
 * sink is set: hd_core_set_event_sink ()). */
static gboolean
run_here (HdCore  *core,
          Command *c)
{
  gboolean ran = FALSE;

  if (!main_is_done (core))
    return FALSE;
  g_mutex_lock (&core->sink_lock);
  if (core->direct != NULL)
    {
      command_done (c);
      ran = TRUE;
    }
  g_mutex_unlock (&core->sink_lock);
  return ran;
}

static gboolean drain (gpointer data);

/* The store's put-off work, a short step at a time, only while no command
 * waits: a command queued meanwhile is drained first (its source has the
 * higher priority), and waits for one step at most. */
static gboolean
housekeeping (gpointer data)
{
  HdCore *core = data;

  if (g_async_queue_length (core->commands) > 0 ||
      !hd_chat_service_housekeeping (core->service))
    {
      core->housekeeping_scheduled = FALSE;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
schedule_housekeeping (HdCore *core)
{
  GSource *source;

  if (core->housekeeping_scheduled)
    return;
  core->housekeeping_scheduled = TRUE;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_LOW);
  g_source_set_callback (source, housekeeping, core, NULL);
  g_source_attach (source, core->context);
  g_source_unref (source);
}

/* Never g_main_context_invoke (): on the core thread itself it would run
 * the drain at once, inside the batch under way. */
static void
schedule_drain (HdCore *core)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, drain, core, NULL);
  g_source_attach (source, core->context);
  g_source_unref (source);
}

static gboolean
drain (gpointer data)
{
  HdCore *core = data;
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();
  Command *c;
  gboolean committed;

  g_atomic_int_set (&core->drain_scheduled, 0);
  while (batch->len < MAX_BATCH && (c = g_async_queue_try_pop (core->commands)) != NULL)
    g_ptr_array_add (batch, c);
  if (batch->len == 0)
    return G_SOURCE_REMOVE;
  /* More than one batch's worth waits: come back at once. */
  if (batch->len == MAX_BATCH &&
      g_atomic_int_compare_and_exchange (&core->drain_scheduled, 0, 1))
    schedule_drain (core);

  hd_chat_service_batch_begin (core->service);
  for (guint i = 0; i < batch->len; i++)
    {
      gboolean ok;

      c = g_ptr_array_index (batch, i);
      hd_chat_service_command_begin (core->service, c->hot);
      ok = c->func (core->service, c->data);
      hd_chat_service_command_end (core->service, ok, c->hot);
    }
  /* The one commit (and fsync) of the batch; its events go out now,
   * and its answers, each socket's frames in one write at the end. */
  core->delivering = TRUE;
  committed = hd_chat_service_batch_end (core->service);

  for (guint i = 0; i < batch->len; i++)
    {
      c = g_ptr_array_index (batch, i);
      c->committed = committed;
      if (c->done_anywhere && run_here (core, c))
        command_free (c);
      else
        hd_core_to_main (core, command_done, c, command_free);
    }
  core->delivering = FALSE;
  flush_direct (core);
  /* Nothing waits: the store may catch up on what it put off, a step
   * now and the rest on an idle source (no source per batch: most
   * batches leave the store nothing to do). */
  if (g_async_queue_length (core->commands) == 0 &&
      !core->housekeeping_scheduled &&
      hd_chat_service_housekeeping (core->service))
    schedule_housekeeping (core);
  return G_SOURCE_REMOVE;
}

static void
run (HdCore         *core,
     HdCoreFunc      func,
     gboolean        hot,
     gboolean        done_anywhere,
     HdCoreDone      done,
     gpointer        data,
     GDestroyNotify  destroy)
{
  Command *c = g_new0 (Command, 1);

  c->func = func;
  c->hot = hot;
  c->done_anywhere = done_anywhere;
  c->done = done;
  c->data = data;
  c->destroy = destroy;
  g_async_queue_push (core->commands, c);
  if (g_atomic_int_compare_and_exchange (&core->drain_scheduled, 0, 1))
    schedule_drain (core);
}

void
hd_core_run (HdCore         *core,
             HdCoreFunc      func,
             gboolean        hot,
             HdCoreDone      done,
             gpointer        data,
             GDestroyNotify  destroy)
{
  run (core, func, hot, FALSE, done, data, destroy);
}

void
hd_core_run_hot (HdCore         *core,
                 HdCoreFunc      func,
                 HdCoreDone      done,
                 gpointer        data,
                 GDestroyNotify  destroy)
{
  run (core, func, TRUE, TRUE, done, data, destroy);
}

/* ---- the thread ----------------------------------------------------- */

/* GLib's main loop by hand, so that everything the core context dispatches
 * (batches, async completions) runs holding @busy, and nothing of it runs
 * while another thread is between hd_core_enter () and hd_core_leave (). */
static gpointer
core_main (gpointer data)
{
  HdCore *core = data;
  GMainContext *ctx = core->context;
  gint allocated = 8;
  GPollFD *fds = g_new (GPollFD, allocated);

  g_main_context_push_thread_default (ctx);
  g_main_context_acquire (ctx);
  while (!g_atomic_int_get (&core->quit))
    {
      gint max_priority, timeout, n;
      int io_fd;
      gpointer io_data = NULL;

      g_main_context_prepare (ctx, &max_priority);
      /* one slot more for the io descriptor */
      while ((n = g_main_context_query (ctx, max_priority, &timeout, fds, allocated - 1)) > allocated - 1)
        {
          allocated = n + 1;
          fds = g_renew (GPollFD, fds, allocated);
        }
      g_mutex_lock (&core->io_lock);
      io_fd = core->io_fd;
      if (io_fd >= 0)
        {
          int wait = core->io_wait (core->io_data);

          io_data = core->io_data;
          fds[n] = (GPollFD) { io_fd, G_IO_IN, 0 };
          timeout = timeout < 0 ? wait : MIN (timeout, wait);
        }
      g_mutex_unlock (&core->io_lock);
      g_poll (fds, (guint) n + (io_fd >= 0), timeout);
      if (io_fd >= 0)
        {
          g_mutex_lock (&core->io_lock);
          if (core->io_fd == io_fd && core->io_data == io_data &&
              (fds[n].revents != 0 || core->io_wait (core->io_data) == 0))
            core->io_run (core->io_data);
          g_mutex_unlock (&core->io_lock);
        }
      g_mutex_lock (&core->busy);
      if (g_main_context_check (ctx, max_priority, fds, n))
        g_main_context_dispatch (ctx);
      g_mutex_unlock (&core->busy);
    }
  /* What was queued before the stop still runs. */
  g_mutex_lock (&core->busy);
  drain (core);
  while (g_main_context_iteration (ctx, FALSE))
    ;
  g_mutex_unlock (&core->busy);
  g_main_context_release (ctx);
  g_main_context_pop_thread_default (ctx);
  g_free (fds);
  return NULL;
}

HdCore *
hd_core_new (HdChatService *service)
{
  HdCore *core = g_new0 (HdCore, 1);

  core->service = g_object_ref (service);
  core->context = g_main_context_new ();
  core->commands = g_async_queue_new ();
  core->main_context = g_main_context_ref_thread_default ();
  g_mutex_init (&core->busy);
  g_mutex_init (&core->io_lock);
  core->io_fd = -1;
  g_mutex_init (&core->out_lock);
  g_mutex_init (&core->sink_lock);
  g_queue_init (&core->out);
  hd_chat_service_set_event_sink (service, core_sink, core);
  g_object_set_data (G_OBJECT (service), "hd-core", core);
  core->thread = g_thread_new ("hd-core", core_main, core);
  return core;
}

void
hd_core_free (HdCore *core)
{
  if (core == NULL)
    return;
  g_atomic_int_set (&core->quit, 1);
  g_main_context_wakeup (core->context);
  g_thread_join (core->thread);
  hd_chat_service_set_event_sink (core->service, NULL, NULL);
  g_object_set_data (G_OBJECT (core->service), "hd-core", NULL);
  /* Answers still waiting for the main context are dropped with it. */
  if (core->out_source != NULL)
    {
      g_source_destroy (core->out_source);
      g_clear_pointer (&core->out_source, g_source_unref);
    }
  {
    Outgoing *o;

    while ((o = g_queue_pop_head (&core->out)) != NULL)
      {
        if (o->destroy)
          o->destroy (o->data);
        g_free (o);
      }
  }
  g_async_queue_unref (core->commands);
  g_main_context_unref (core->context);
  g_main_context_unref (core->main_context);
  g_mutex_clear (&core->busy);
  g_mutex_clear (&core->io_lock);
  g_mutex_clear (&core->out_lock);
  g_mutex_clear (&core->sink_lock);
  g_object_unref (core->service);
  g_free (core);
}

HdChatService *
hd_core_get_service (HdCore *core)
{
  return core->service;
}

HdCore *
hd_core_of (HdChatService *service)
{
  return g_object_get_data (G_OBJECT (service), "hd-core");
}

void
hd_core_set_io (HdCore       *core,
                int           fd,
                HdCoreIoWait  next_wait,
                HdCoreIoRun   run_io,
                gpointer      data)
{
  g_mutex_lock (&core->io_lock);
  core->io_fd = fd;
  core->io_wait = next_wait;
  core->io_run = run_io;
  core->io_data = data;
  g_mutex_unlock (&core->io_lock);
  /* a core thread waiting without @fd takes it now */
  g_main_context_wakeup (core->context);
}

GMainContext *
hd_core_get_context (HdCore *core)
{
  return core->context;
}

void
hd_core_enter (HdCore *core)
{
  if (core == NULL)
    return;
  /* Start-up and tests only: on the running main loop this would wait for
   * the batch under way and run the service (and its SQL) here. */
  if (g_main_depth () > 0 && g_main_context_is_owner (core->main_context))
    {
      if (g_getenv ("HD_STRICT_THREADS") != NULL)
        g_error ("hd_core_enter () from the main loop: queue a command (hd_core_run ()) instead");
      g_critical ("hd_core_enter () from the main loop: queue a command (hd_core_run ()) instead");
    }
  g_mutex_lock (&core->busy);
}

void
hd_core_leave (HdCore *core)
{
  if (core != NULL)
    g_mutex_unlock (&core->busy);
}
