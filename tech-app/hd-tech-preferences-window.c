/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-preferences-window"

#include <glib/gi18n.h>

#include "hd-tech-preferences-window.h"

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

static void
hd_tech_preferences_window_dispose (GObject *object)
{
  HdTechPreferencesWindow *self = HD_TECH_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);

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
  gtk_widget_class_bind_template_callback (widget_class, chat_enabled_state_set_cb);
  gtk_widget_class_bind_template_callback (widget_class, team_state_set_cb);
}

static void
hd_tech_preferences_window_init (HdTechPreferencesWindow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

HdTechPreferencesWindow *
hd_tech_preferences_window_new (HdSession *session)
{
  HdTechPreferencesWindow *self;

  g_return_val_if_fail (HD_IS_SESSION (session), NULL);

  self = g_object_new (HD_TYPE_TECH_PREFERENCES_WINDOW, NULL);
  self->session = g_object_ref (session);
  g_signal_connect_swapped (session, "notify::chat-enabled",
                            G_CALLBACK (sync_switches), self);
  g_signal_connect_swapped (session, "notify::customer-chat-with-team",
                            G_CALLBACK (sync_switches), self);
  sync_switches (self);

  return self;
}
