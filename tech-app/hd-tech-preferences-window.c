/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-preferences-window"

#include <glib/gi18n.h>
#include <errno.h>

#include "hd-tech-preferences-window.h"

#include <libportal-gtk4/portal-gtk4.h>

struct _HdTechPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  HdSession    *session;
  GCancellable *cancellable;
  /* Set while the switches are moved to the session's values, so that
   * moving them is not taken for the administrator's change. */
  gboolean      syncing;

  GtkSwitch    *chat_enabled_switch;
  GtkSwitch    *team_switch;
  AdwEntryRow  *max_chats_row;
  AdwEntryRow  *waiting_timeout_row;
  AdwEntryRow  *inactivity_timeout_row;
  GtkWidget    *privileges_page;
  GtkSwitch    *sound_switch;
  GtkSpinButton *idle_spin;
  GtkSwitch    *autostart_switch;
  GtkWidget    *background_row;
  GtkSwitch    *background_switch;
  GSettings    *settings;
  gboolean      asking;      /* a background request is on its way */
};

G_DEFINE_FINAL_TYPE (HdTechPreferencesWindow, hd_tech_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
sync_switches (HdTechPreferencesWindow *self)
{
  gboolean chat_enabled = hd_session_get_chat_enabled (self->session);
  gboolean team = hd_session_get_customer_chat_with_team (self->session);

  self->syncing = TRUE;
  gtk_switch_set_active (self->chat_enabled_switch, chat_enabled);
  gtk_switch_set_state (self->chat_enabled_switch, chat_enabled);
  gtk_switch_set_active (self->team_switch, team);
  gtk_switch_set_state (self->team_switch, team);
  self->syncing = FALSE;
}

static void
set_number (AdwEntryRow *row,
            gint64       value)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);

  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

/* The limits show what the server has: after privileges.changed, and
 * after a refused or failed change. */
static void
sync_limits (HdTechPreferencesWindow *self)
{
  set_number (self->max_chats_row, hd_session_get_max_chats (self->session));
  set_number (self->waiting_timeout_row, hd_session_get_waiting_timeout (self->session));
  set_number (self->inactivity_timeout_row, hd_session_get_inactivity_timeout (self->session));
}

static void
toast (HdTechPreferencesWindow *self,
       const char              *text)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), hd_toast_new_plain (text));
}

static void
set_privileges_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(HdTechPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!hd_session_set_privileges_finish (HD_SESSION (object), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      text = g_strdup_printf (_("Could not change the privileges: %s"), error->message);
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), hd_toast_new_plain (text));
    }

  /* Either way the switches show what the server has now. */
  sync_switches (self);
}

static void
apply (HdTechPreferencesWindow *self)
{
  hd_session_set_privileges_async (self->session,
                                   gtk_switch_get_active (self->chat_enabled_switch),
                                   gtk_switch_get_active (self->team_switch),
                                   self->cancellable, set_privileges_cb,
                                   g_object_ref (self));
}

static void
set_limits_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(HdTechPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!hd_session_set_privileges_finish (HD_SESSION (object), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("Could not change the chat limits: %s"), error->message);
      toast (self, text);
    }
  else
    toast (self, _("Chat limits saved"));
  sync_limits (self);
}

/* A whole number in [min, max], or FALSE. */
static gboolean
parse_limit (AdwEntryRow *row,
             gint64       min,
             gint64       max,
             gint64      *out)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  char *end = NULL;
  gint64 value;

  if (*text == '\0' || !g_ascii_isdigit (*text))
    return FALSE;
  errno = 0;
  value = g_ascii_strtoll (text, &end, 10);
  if (errno != 0 || *end != '\0' || value < min || value > max)
    return FALSE;
  *out = value;
  return TRUE;
}

/* Each limit's range is the contract's (doc/api.md "Technicians"): a
 * value outside it is answered here, and nothing is sent. */
static void
limit_apply_cb (HdTechPreferencesWindow *self,
                AdwEntryRow             *row)
{
  gint64 max_chats, waiting, inactivity;

  if (!parse_limit (self->max_chats_row, 0, 1000, &max_chats))
    {
      toast (self, _("The most active chats per technician must be a whole number from 0 to 1000. Nothing was changed."));
      sync_limits (self);
      return;
    }
  if (!parse_limit (self->waiting_timeout_row, 1, 604800, &waiting))
    {
      toast (self, _("The longest wait must be a whole number of seconds from 1 to 604800 (a week). Nothing was changed."));
      sync_limits (self);
      return;
    }
  if (!parse_limit (self->inactivity_timeout_row, 0, 604800, &inactivity))
    {
      toast (self, _("The silent chat time must be a whole number of seconds from 0 to 604800 (a week). Nothing was changed."));
      sync_limits (self);
      return;
    }

  hd_session_set_chat_limits_async (self->session, max_chats, waiting, inactivity,
                                    self->cancellable, set_limits_cb, g_object_ref (self));
}

static gboolean
chat_enabled_state_set_cb (HdTechPreferencesWindow *self,
                           gboolean                 state,
                           GtkSwitch               *sw)
{
  if (!self->syncing && state != hd_session_get_chat_enabled (self->session))
    apply (self);
  return FALSE;
}

static gboolean
team_state_set_cb (HdTechPreferencesWindow *self,
                   gboolean                 state,
                   GtkSwitch               *sw)
{
  if (!self->syncing && state != hd_session_get_customer_chat_with_team (self->session))
    apply (self);
  return FALSE;
}

/* ---- Start at Login: the background portal ---- */

/* What was asked of the portal, and by which switch (Start at Login or
 * Start in the Background), which moves once the portal answered. */
typedef struct {
  HdTechPreferencesWindow *self;
  GtkSwitch               *sw;
  gboolean                 requested;  /* the state asked for sw */
  gboolean                 autostart;
  gboolean                 hidden;     /* helpdesk-tech --background */
} AskData;

static const char *
asked_text (AskData *data)
{
  if (!data->autostart)
    return _("Helpdesk Chat will no longer start when you log in");
  if (data->hidden)
    return _("Helpdesk Chat will start in the background when you log in");
  if (data->sw == data->self->background_switch)
    return _("Helpdesk Chat will open its window when you log in");
  return _("Helpdesk Chat will start when you log in");
}

static void
request_background_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autofree AskData *data = user_data;
  g_autoptr(HdTechPreferencesWindow) self = data->self;
  g_autoptr(GError) error = NULL;
  gboolean allowed;

  allowed = xdp_portal_request_background_finish (XDP_PORTAL (object), result, &error);
  self->asking = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The person dismissed the portal's question: nothing changed. */
      gtk_switch_set_active (data->sw, !data->requested);
      return;
    }
  /* Read by the UI test (G_MESSAGES_DEBUG=hd-tech-preferences-window). */
  g_debug ("background portal: autostart %s%s → %s%s%s", data->autostart ? "on" : "off",
           data->hidden ? " --background" : "",
           allowed ? "allowed" : "not allowed", error ? ": " : "", error ? error->message : "");
  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Starting at login needs the desktop’s background portal, which did not answer: %s"),
                                               error->message);

      gtk_switch_set_active (data->sw, !data->requested);
      toast (self, text);
      return;
    }
  if (data->autostart && !allowed)
    {
      gtk_switch_set_active (data->sw, !data->requested);
      toast (self, _("Starting at login was not allowed. You can allow it in the system settings."));
      return;
    }
  /* Turning it off is done whatever the portal says of running in the
   * background: the autostart entry is gone. */
  gtk_switch_set_state (data->sw, data->requested);
  if (self->settings != NULL)
    {
      g_settings_set_boolean (self->settings, "start-at-login", data->autostart);
      g_settings_set_boolean (self->settings, "start-hidden", data->hidden);
    }
  toast (self, asked_text (data));
}

/* Asks the background portal for autostart (or none) of "helpdesk-tech",
 * with "--background" to start hidden; @sw moves when it answered. */
static void
ask_background (HdTechPreferencesWindow *self,
                GtkSwitch               *sw,
                gboolean                 requested,
                gboolean                 autostart,
                gboolean                 hidden)
{
  g_autoptr(XdpPortal) portal = xdp_portal_new ();
  g_autoptr(GPtrArray) commandline = g_ptr_array_new_with_free_func (g_free);
  XdpParent *parent = xdp_parent_new_gtk (GTK_WINDOW (self));
  AskData *data = g_new0 (AskData, 1);

  self->asking = TRUE;
  g_ptr_array_add (commandline, g_strdup ("helpdesk-tech"));
  if (hidden)
    g_ptr_array_add (commandline, g_strdup ("--background"));
  data->self = g_object_ref (self);
  data->sw = sw;
  data->requested = requested;
  data->autostart = autostart;
  data->hidden = hidden;
  xdp_portal_request_background (portal, parent,
                                 _("Chat requests reach you as soon as you log in"),
                                 commandline,
                                 autostart ? XDP_BACKGROUND_FLAG_AUTOSTART : XDP_BACKGROUND_FLAG_NONE,
                                 self->cancellable, request_background_cb, data);
  xdp_parent_free (parent);
}

/* The switch moves once the portal answered (GtkSwitch's delayed state). */
static gboolean
autostart_state_set_cb (HdTechPreferencesWindow *self,
                        gboolean                 state,
                        GtkSwitch               *sw)
{
  if (self->syncing || state == gtk_switch_get_state (sw))
    return FALSE;
  if (!self->asking)
    ask_background (self, sw, state, state, gtk_switch_get_state (self->background_switch));
  return TRUE;
}

/* Start in the Background: the autostart entry's command line changes,
 * so the portal is asked again (the row is usable with Start at Login
 * on). */
static gboolean
background_state_set_cb (HdTechPreferencesWindow *self,
                         gboolean                 state,
                         GtkSwitch               *sw)
{
  if (self->syncing || state == gtk_switch_get_state (sw))
    return FALSE;
  if (!gtk_switch_get_state (self->autostart_switch))
    {
      if (self->settings != NULL)
        g_settings_set_boolean (self->settings, "start-hidden", state);
      return FALSE;
    }
  if (!self->asking)
    ask_background (self, sw, state, TRUE, state);
  return TRUE;
}

static void
hd_tech_preferences_window_dispose (GObject *object)
{
  HdTechPreferencesWindow *self = HD_TECH_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (hd_tech_preferences_window_parent_class)->dispose (object);
}

static void
hd_tech_preferences_window_class_init (HdTechPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hd_tech_preferences_window_dispose;

  /* AdwPreferencesWindow does not close on Escape by itself in 1.2. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/helpdeskchat/Tech/hd-tech-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HdTechPreferencesWindow, chat_enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, HdTechPreferencesWindow, team_switch);
  gtk_widget_class_bind_template_child (widget_class, HdTechPreferencesWindow, max_chats_row);
  gtk_widget_class_bind_template_child (widget_class, HdTechPreferencesWindow, waiting_timeout_row);
  gtk_widget_class_bind_template_child (widget_class, HdTechPreferencesWindow, inactivity_timeout_row);
  gtk_widget_class_bind_template_child (widget_class, HdTechPreferencesWindow, privileges_page);
  gtk_widget_class_bind_template_child (widget_class, HdTechPreferencesWindow, sound_switch);
  gtk_widget_class_bind_template_child (widget_class, HdTechPreferencesWindow, idle_spin);
  gtk_widget_class_bind_template_child (widget_class, HdTechPreferencesWindow, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, HdTechPreferencesWindow, background_row);
  gtk_widget_class_bind_template_child (widget_class, HdTechPreferencesWindow, background_switch);
  gtk_widget_class_bind_template_callback (widget_class, autostart_state_set_cb);
  gtk_widget_class_bind_template_callback (widget_class, background_state_set_cb);
  gtk_widget_class_bind_template_callback (widget_class, limit_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, chat_enabled_state_set_cb);
  gtk_widget_class_bind_template_callback (widget_class, team_state_set_cb);
}

static void
hd_tech_preferences_window_init (HdTechPreferencesWindow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Starting hidden is a way of starting at login.  The switch too, not
   * only its row: GTK 4.8 tells AT-SPI a widget's own sensitivity. */
  g_object_bind_property (self->autostart_switch, "state", self->background_row, "sensitive",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->autostart_switch, "state", self->background_switch, "sensitive",
                          G_BINDING_SYNC_CREATE);
}

/* Only at creation: the application makes a new window when the role
 * changes. */
static void
set_admin (HdTechPreferencesWindow *self,
           gboolean                 admin)
{
  if (admin)
    {
      /* An administrator opens the preferences mostly for the privileges. */
      adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (self),
                                               ADW_PREFERENCES_PAGE (self->privileges_page));
      return;
    }

  /* Removed (and so destroyed), not hidden: libadwaita 1.2's switcher
   * keeps a hidden page's tab. */
  adw_preferences_window_remove (ADW_PREFERENCES_WINDOW (self),
                                 ADW_PREFERENCES_PAGE (self->privileges_page));
  self->privileges_page = NULL;
  self->chat_enabled_switch = self->team_switch = NULL;
  self->max_chats_row = self->waiting_timeout_row = self->inactivity_timeout_row = NULL;
}

HdTechPreferencesWindow *
hd_tech_preferences_window_new (HdSession *session,
                                GSettings *settings,
                                gboolean   admin)
{
  HdTechPreferencesWindow *self;

  g_return_val_if_fail (HD_IS_SESSION (session), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (HD_TYPE_TECH_PREFERENCES_WINDOW, NULL);
  self->session = g_object_ref (session);
  set_admin (self, admin);
  if (admin)
    {
      g_signal_connect_swapped (session, "notify::chat-enabled",
                                G_CALLBACK (sync_switches), self);
      g_signal_connect_swapped (session, "notify::customer-chat-with-team",
                                G_CALLBACK (sync_switches), self);
      g_signal_connect_swapped (session, "notify::max-chats", G_CALLBACK (sync_limits), self);
      g_signal_connect_swapped (session, "notify::waiting-timeout", G_CALLBACK (sync_limits), self);
      g_signal_connect_swapped (session, "notify::inactivity-timeout", G_CALLBACK (sync_limits), self);
      sync_switches (self);
      sync_limits (self);
    }

  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      self->syncing = TRUE;
      gtk_switch_set_active (self->autostart_switch, g_settings_get_boolean (settings, "start-at-login"));
      gtk_switch_set_state (self->autostart_switch, g_settings_get_boolean (settings, "start-at-login"));
      gtk_switch_set_active (self->background_switch, g_settings_get_boolean (settings, "start-hidden"));
      gtk_switch_set_state (self->background_switch, g_settings_get_boolean (settings, "start-hidden"));
      self->syncing = FALSE;
      g_settings_bind (settings, "notification-sound", self->sound_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "away-after-idle-minutes",
                       gtk_spin_button_get_adjustment (self->idle_spin), "value",
                       G_SETTINGS_BIND_DEFAULT);
    }
  else
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->sound_switch), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->idle_spin), FALSE);
    }

  return self;
}

gboolean
hd_tech_preferences_window_get_admin (HdTechPreferencesWindow *self)
{
  g_return_val_if_fail (HD_IS_TECH_PREFERENCES_WINDOW (self), FALSE);
  return self->privileges_page != NULL;
}
