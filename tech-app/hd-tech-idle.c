/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-idle"

#include "hd-tech-idle.h"

/* Mutter's idle monitor, as gnome-settings-daemon and GNOME Shell use it:
 * AddIdleWatch (interval ms) fires WatchFired (id) once the session has
 * been idle that long (and again after each later idle period);
 * AddUserActiveWatch () fires once at the next input and is then gone. */
#define IDLE_NAME      "org.gnome.Mutter.IdleMonitor"
#define IDLE_PATH      "/org/gnome/Mutter/IdleMonitor/Core"
#define IDLE_INTERFACE "org.gnome.Mutter.IdleMonitor"
#define LOCK_NAME      "org.gnome.ScreenSaver"
#define LOCK_PATH      "/org/gnome/ScreenSaver"
#define LOCK_INTERFACE "org.gnome.ScreenSaver"

#define DEFAULT_IDLE_MINUTES 5

struct _HdTechIdle
{
  GObject          parent_instance;

  GSettings       *settings;
  GDBusConnection *bus;
  GCancellable    *cancellable;
  guint            idle_name_watch;
  guint            lock_name_watch;
  guint            watch_fired_sub;
  guint            active_changed_sub;
  guint            idle_watch;        /* the monitor's id, 0 = none */
  guint            active_watch;      /* ditto */
  gboolean         idle_service;      /* the monitor is on the bus */
  gboolean         idle;
  gboolean         locked;
  gboolean         away;
};

G_DEFINE_FINAL_TYPE (HdTechIdle, hd_tech_idle, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_AWAY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_away (HdTechIdle *self)
{
  gboolean away = self->idle || self->locked;

  if (away == self->away)
    return;
  self->away = away;
  g_debug ("away: %s (idle %d, locked %d)", away ? "yes" : "no", self->idle, self->locked);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AWAY]);
}

static guint
idle_minutes (HdTechIdle *self)
{
  return self->settings ? (guint) MAX (g_settings_get_int (self->settings, "away-after-idle-minutes"), 0)
                        : DEFAULT_IDLE_MINUTES;
}

/* ---- the idle monitor --------------------------------------------------- */

static void
add_watch_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  guint *slot = user_data;  /* in the object: the call is cancelled with it */
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);

  if (reply == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("idle monitor: %s", error->message);
      return;
    }
  g_variant_get (reply, "(u)", slot);
  g_debug ("idle monitor watch %u", *slot);
}

static void
add_watch (HdTechIdle *self,
           const char *method,
           GVariant   *parameters,
           guint      *slot)
{
  g_dbus_connection_call (self->bus, IDLE_NAME, IDLE_PATH, IDLE_INTERFACE, method,
                          parameters, G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          -1, self->cancellable, add_watch_cb, slot);
}

static void
remove_watch (HdTechIdle *self,
              guint      *slot)
{
  if (*slot == 0)
    return;
  if (self->bus != NULL && self->idle_service)
    g_dbus_connection_call (self->bus, IDLE_NAME, IDLE_PATH, IDLE_INTERFACE, "RemoveWatch",
                            g_variant_new ("(u)", *slot), NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
                            -1, NULL, NULL, NULL);
  *slot = 0;
}

static void
setup_idle_watch (HdTechIdle *self)
{
  guint minutes = idle_minutes (self);

  remove_watch (self, &self->idle_watch);
  if (!self->idle_service || minutes == 0)
    return;
  add_watch (self, "AddIdleWatch", g_variant_new ("(t)", (guint64) minutes * 60 * 1000),
             &self->idle_watch);
}

static void
watch_fired_cb (GDBusConnection *bus,
                const char      *sender,
                const char      *path,
                const char      *interface,
                const char      *signal,
                GVariant        *parameters,
                gpointer         user_data)
{
  HdTechIdle *self = user_data;
  guint id;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(u)")))
    return;
  g_variant_get (parameters, "(u)", &id);
  g_debug ("idle monitor fired %u", id);

  if (id != 0 && id == self->idle_watch && !self->idle)
    {
      self->idle = TRUE;
      /* Back at the desk: the next input. */
      remove_watch (self, &self->active_watch);
      add_watch (self, "AddUserActiveWatch", NULL, &self->active_watch);
      update_away (self);
    }
  else if (id != 0 && id == self->active_watch)
    {
      /* A user-active watch fires once and is gone on the monitor's side. */
      self->active_watch = 0;
      self->idle = FALSE;
      update_away (self);
    }
}

static void
idle_appeared_cb (GDBusConnection *bus,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  HdTechIdle *self = user_data;

  g_debug ("idle monitor on the bus (%s)", owner);
  self->idle_service = TRUE;
  self->idle_watch = self->active_watch = 0;
  setup_idle_watch (self);
}

static void
idle_vanished_cb (GDBusConnection *bus,
                  const char      *name,
                  gpointer         user_data)
{
  HdTechIdle *self = user_data;

  self->idle_service = FALSE;
  self->idle_watch = self->active_watch = 0;
  self->idle = FALSE;
  update_away (self);
}

static void
idle_minutes_changed_cb (HdTechIdle *self)
{
  /* A new interval: the old watch goes, a new one starts counting. */
  setup_idle_watch (self);
}

/* ---- the screen saver --------------------------------------------------- */

static void
set_locked (HdTechIdle *self,
            gboolean    locked)
{
  self->locked = locked;
  update_away (self);
}

static void
active_changed_cb (GDBusConnection *bus,
                   const char      *sender,
                   const char      *path,
                   const char      *interface,
                   const char      *signal,
                   GVariant        *parameters,
                   gpointer         user_data)
{
  gboolean active;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;
  g_variant_get (parameters, "(b)", &active);
  g_debug ("screen saver active: %d", active);
  set_locked (user_data, active);
}

static void
get_active_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  gboolean active;

  if (reply == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("screen saver: %s", error->message);
      return;
    }
  g_variant_get (reply, "(b)", &active);
  set_locked (user_data, active);
}

static void
lock_appeared_cb (GDBusConnection *bus,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  HdTechIdle *self = user_data;

  g_debug ("screen saver on the bus (%s)", owner);
  g_dbus_connection_call (bus, LOCK_NAME, LOCK_PATH, LOCK_INTERFACE, "GetActive",
                          NULL, G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          -1, self->cancellable, get_active_cb, self);
}

static void
lock_vanished_cb (GDBusConnection *bus,
                  const char      *name,
                  gpointer         user_data)
{
  set_locked (user_data, FALSE);
}

/* ---- object ------------------------------------------------------------- */

void
hd_tech_idle_start (HdTechIdle *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (HD_IS_TECH_IDLE (self));

  if (self->bus != NULL)
    return;
  self->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (self->bus == NULL)
    {
      g_debug ("no session bus: %s", error->message);
      return;
    }

  self->watch_fired_sub =
    g_dbus_connection_signal_subscribe (self->bus, NULL, IDLE_INTERFACE, "WatchFired", IDLE_PATH,
                                        NULL, G_DBUS_SIGNAL_FLAGS_NONE, watch_fired_cb, self, NULL);
  self->active_changed_sub =
    g_dbus_connection_signal_subscribe (self->bus, NULL, LOCK_INTERFACE, "ActiveChanged", LOCK_PATH,
                                        NULL, G_DBUS_SIGNAL_FLAGS_NONE, active_changed_cb, self, NULL);
  self->idle_name_watch =
    g_bus_watch_name_on_connection (self->bus, IDLE_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                    idle_appeared_cb, idle_vanished_cb, self, NULL);
  self->lock_name_watch =
    g_bus_watch_name_on_connection (self->bus, LOCK_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                    lock_appeared_cb, lock_vanished_cb, self, NULL);
}

gboolean
hd_tech_idle_get_away (HdTechIdle *self)
{
  g_return_val_if_fail (HD_IS_TECH_IDLE (self), FALSE);
  return self->away;
}

static void
hd_tech_idle_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HdTechIdle *self = HD_TECH_IDLE (object);

  switch (prop_id)
    {
    case PROP_AWAY: g_value_set_boolean (value, self->away); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_tech_idle_dispose (GObject *object)
{
  HdTechIdle *self = HD_TECH_IDLE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->bus != NULL)
    {
      remove_watch (self, &self->idle_watch);
      remove_watch (self, &self->active_watch);
      g_clear_handle_id (&self->idle_name_watch, g_bus_unwatch_name);
      g_clear_handle_id (&self->lock_name_watch, g_bus_unwatch_name);
      if (self->watch_fired_sub != 0)
        g_dbus_connection_signal_unsubscribe (self->bus, self->watch_fired_sub);
      if (self->active_changed_sub != 0)
        g_dbus_connection_signal_unsubscribe (self->bus, self->active_changed_sub);
      self->watch_fired_sub = self->active_changed_sub = 0;
    }
  g_clear_object (&self->bus);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (hd_tech_idle_parent_class)->dispose (object);
}

static void
hd_tech_idle_class_init (HdTechIdleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = hd_tech_idle_get_property;
  object_class->dispose = hd_tech_idle_dispose;

  properties[PROP_AWAY] = g_param_spec_boolean ("away", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hd_tech_idle_init (HdTechIdle *self)
{
  self->cancellable = g_cancellable_new ();
}

HdTechIdle *
hd_tech_idle_new (GSettings *settings)
{
  HdTechIdle *self = g_object_new (HD_TYPE_TECH_IDLE, NULL);

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), self);
  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      g_signal_connect_swapped (settings, "changed::away-after-idle-minutes",
                                G_CALLBACK (idle_minutes_changed_cb), self);
    }
  return self;
}
