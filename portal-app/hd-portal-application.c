/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-portal"

#include <glib/gi18n.h>

#include "hd-portal-util.h"
#include "hd-portal-application.h"
#include "hd-portal-window.h"

struct _HdPortalApplication
{
  AdwApplication  parent_instance;

  char           *server_url;
  gint64          started_at;
};

G_DEFINE_FINAL_TYPE (HdPortalApplication, hd_portal_application, ADW_TYPE_APPLICATION)

static gint
hd_portal_application_handle_local_options (GApplication *app,
                                            GVariantDict *options)
{
  HdPortalApplication *self = HD_PORTAL_APPLICATION (app);

  return hd_app_handle_options (app, options, "helpdesk-portal", &self->server_url);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GApplication *app = G_APPLICATION (user_data);
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));

  /* Destroying the windows (not only quitting the loop) lets the main
   * window save its size and the chat windows let go of their chats. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (GTK_WINDOW (l->data));
  g_list_free (windows);
  g_application_quit (app);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The Helpdesk Chat developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("Helpdesk"),
                         "application-icon", HD_APP_ID_PORTAL,
                         "version", HD_VERSION,
                         "comments", _("Follow your helpdesk requests and chat with your technician"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
open_chat_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  GApplication *app = G_APPLICATION (user_data);

  g_application_activate (app);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
    if (HD_IS_PORTAL_WINDOW (l->data))
      {
        hd_portal_window_open_chat (l->data, g_variant_get_int64 (parameter));
        break;
      }
}

static const GActionEntry app_entries[] = {
  { "quit", quit_activated },
  { "about", about_activated },
  /* The default action of chat notifications. */
  { "open-chat", open_chat_activated, "x" },
};

static void
hd_portal_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *refresh_accels[] = { "<Control>r", "F5", NULL };
  static const char *chat_accels[] = { "<Control>t", NULL };

  G_APPLICATION_CLASS (hd_portal_application_parent_class)->startup (app);
  hd_client_init_resources ();
  hd_app_use_lazy_help_overlay (GTK_APPLICATION (app), "/com/helpdeskchat/Portal/shortcuts.ui");

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries,
                                   G_N_ELEMENTS (app_entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.refresh", refresh_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "page.start-chat-default", chat_accels);
}

static void
hd_portal_application_activate (GApplication *app)
{
  HdPortalApplication *self = HD_PORTAL_APPLICATION (app);
  GtkWindow *window = NULL;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
    if (HD_IS_PORTAL_WINDOW (l->data))
      {
        window = l->data;
        break;
      }

  if (window == NULL)
    window = GTK_WINDOW (hd_portal_window_new (self, self->server_url));

  /* The window is shown before anything touches the network or the
   * keyring; the session starts from an idle callback. */
  gtk_window_present (window);
}

static void
hd_portal_application_finalize (GObject *object)
{
  HdPortalApplication *self = HD_PORTAL_APPLICATION (object);

  g_clear_pointer (&self->server_url, g_free);

  G_OBJECT_CLASS (hd_portal_application_parent_class)->finalize (object);
}

static void
hd_portal_application_class_init (HdPortalApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = hd_portal_application_finalize;
  app_class->handle_local_options = hd_portal_application_handle_local_options;
  app_class->startup = hd_portal_application_startup;
  app_class->activate = hd_portal_application_activate;
}

static void
hd_portal_application_init (HdPortalApplication *self)
{
  self->started_at = g_get_monotonic_time ();
  hd_app_add_options (G_APPLICATION (self), _("The Helpdesk customer portal"));
}

HdPortalApplication *
hd_portal_application_new (void)
{
  return g_object_new (HD_TYPE_PORTAL_APPLICATION,
                       "application-id", HD_APP_ID_PORTAL,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/com/helpdeskchat/Portal",
                       NULL);
}

const char *
hd_portal_application_get_server_url (HdPortalApplication *self)
{
  g_return_val_if_fail (HD_IS_PORTAL_APPLICATION (self), NULL);

  return self->server_url;
}

gint64
hd_portal_application_get_started_at (HdPortalApplication *self)
{
  g_return_val_if_fail (HD_IS_PORTAL_APPLICATION (self), 0);

  return self->started_at;
}
