/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-window"

#include <glib/gi18n.h>

#include "hd-tech-window.h"
#include "hd-tech-account-page.h"
#include "hd-tech-active.h"
#include "hd-tech-queue-page.h"
#include "hd-tech-requests-page.h"

struct _HdTechWindow
{
  AdwApplicationWindow parent_instance;

  HdSession          *session;
  HdUser             *user;
  guint               attention_id;

  AdwToastOverlay    *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  GtkWidget          *user_box;
  GtkLabel           *user_name_label;
  GtkLabel           *availability_label;
  GtkButton          *chat_alert_button;
  GtkLabel           *badge_label;
  GtkRevealer        *connection_revealer;
  GtkStack           *main_stack;
  AdwViewStack       *view_stack;
  AdwLeaflet         *home_leaflet;
  GtkListBox         *home_sidebar;
  GtkListBoxRow      *chat_sidebar_row;
  GtkListBoxRow      *account_sidebar_row;
  GtkListBoxRow      *active_sidebar_row;
  GtkLabel           *active_count_label;
  HdTechActivePage   *active_page;
  GtkLabel           *sidebar_count_label;
  GtkStack           *home_stack;
  HdTechQueuePage    *queue_page;
  HdTechAccountPage  *account_page;
  HdTechRequestsPage *requests_page;
};

G_DEFINE_FINAL_TYPE (HdTechWindow, hd_tech_window, ADW_TYPE_APPLICATION_WINDOW)

static void
update_user (HdTechWindow *self)
{
  gboolean available;

  if (self->user == NULL)
    {
      gtk_widget_set_visible (self->user_box, FALSE);
      return;
    }

  available = hd_user_get_available_for_chat (self->user);
  gtk_label_set_text (self->user_name_label, hd_user_get_name (self->user));
  /* Away (the desktop is idle or locked) wins: no new chats then. */
  if (hd_user_get_away (self->user))
    {
      gtk_label_set_text (self->availability_label, _("Away"));
      /* Not dimmed: dim warning text would be hard to read. */
      gtk_widget_remove_css_class (GTK_WIDGET (self->availability_label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->availability_label), "warning");
    }
  else
    {
      gtk_label_set_text (self->availability_label,
                          available ? _("Available for chat") : _("Not available"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->availability_label), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->availability_label), "dim-label");
    }
  gtk_widget_set_visible (self->user_box, TRUE);
}

static void
update_badge (HdTechWindow *self)
{
  guint n = self->session ? hd_session_get_waiting_count (self->session) : 0;
  g_autofree char *count = g_strdup_printf ("%u", n);
  g_autofree char *accessible = NULL;

  gtk_label_set_text (self->badge_label, count);
  gtk_label_set_text (self->sidebar_count_label, count);
  gtk_widget_set_visible (GTK_WIDGET (self->badge_label), n > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->sidebar_count_label), n > 0);

  /* The waiting chats keep the button highlighted; the animation in
   * hd_tech_window_draw_attention() is only for a new request. */
  if (n > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->chat_alert_button), "suggested-action");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->chat_alert_button), "suggested-action");

  if (n == 0)
    accessible = g_strdup (_("Chat queue: no one is waiting"));
  else
    accessible = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "Chat queue: %u customer waiting",
                                               "Chat queue: %u customers waiting", n),
                                  n);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->chat_alert_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->chat_alert_button), accessible);
}

static void
update_connection (HdTechWindow *self)
{
  /* The first connect is the loading state's business; the banner is for
   * a connection that was up and dropped. */
  gboolean lost = self->session != NULL &&
                  hd_session_get_state (self->session) == HD_CONNECTION_RECONNECTING;

  /* Visibility too, not only the reveal: a collapsed revealer's child
   * still counts as visible for screen readers. */
  gtk_widget_set_visible (GTK_WIDGET (self->connection_revealer), lost);
  gtk_revealer_set_reveal_child (self->connection_revealer, lost);
}

static gboolean
attention_done_cb (gpointer user_data)
{
  HdTechWindow *self = user_data;

  gtk_widget_remove_css_class (GTK_WIDGET (self->chat_alert_button), "attention");
  self->attention_id = 0;
  return G_SOURCE_REMOVE;
}

void
hd_tech_window_draw_attention (HdTechWindow *self)
{
  g_return_if_fail (HD_IS_TECH_WINDOW (self));

  /* Restarting the CSS animation needs the class to go away first. */
  g_clear_handle_id (&self->attention_id, g_source_remove);
  gtk_widget_remove_css_class (GTK_WIDGET (self->chat_alert_button), "attention");
  gtk_widget_add_css_class (GTK_WIDGET (self->chat_alert_button), "attention");
  self->attention_id = g_timeout_add (1700, attention_done_cb, self);
}

void
hd_tech_window_add_toast (HdTechWindow *self,
                          const char   *text)
{
  g_return_if_fail (HD_IS_TECH_WINDOW (self));
  hd_toast_overlay_add_text (self->toast_overlay, text);
}

static void
select_home_section (HdTechWindow *self,
                     const char   *name)
{
  GtkListBoxRow *row = g_str_equal (name, "chat") ? self->chat_sidebar_row
                     : g_str_equal (name, "active") ? self->active_sidebar_row
                     : self->account_sidebar_row;

  adw_view_stack_set_visible_child_name (self->view_stack, "home");
  gtk_stack_set_visible_child_name (self->home_stack, name);
  if (gtk_list_box_get_selected_row (self->home_sidebar) != row)
    gtk_list_box_select_row (self->home_sidebar, row);
  adw_leaflet_set_visible_child (self->home_leaflet, GTK_WIDGET (self->home_stack));
}

static void
home_sidebar_row_selected_cb (HdTechWindow  *self,
                              GtkListBoxRow *row)
{
  const char *name;

  if (row == NULL)
    return;

  name = row == self->chat_sidebar_row ? "chat"
       : row == self->active_sidebar_row ? "active" : "account";
  select_home_section (self, name);
}

void
hd_tech_window_show_queue (HdTechWindow *self)
{
  g_return_if_fail (HD_IS_TECH_WINDOW (self));

  select_home_section (self, "chat");
}

void
hd_tech_window_show_request_notes (HdTechWindow *self,
                                   gint64        request_id)
{
  g_return_if_fail (HD_IS_TECH_WINDOW (self));

  adw_view_stack_set_visible_child_name (self->view_stack, "requests");
  hd_tech_requests_page_show_notes (self->requests_page, request_id);
}

static void
chat_ended_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        HdTechWindow     *self)
{
  if (g_strcmp0 (response, "view") == 0)
    {
      gint64 request_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "request-id"));

      hd_tech_window_show_request_notes (self, request_id);
    }
}

void
hd_tech_window_show_chat_ended (HdTechWindow *self,
                                gint64        request_id)
{
  GtkWidget *dialog;

  g_return_if_fail (HD_IS_TECH_WINDOW (self));

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Chat Ended"),
                                   _("The chat transcript was saved as a request Note."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "close", _("Close"),
                                    "view", _("View Note"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "view",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_object_set_data (G_OBJECT (dialog), "request-id", GSIZE_TO_POINTER ((gsize) request_id));
  g_signal_connect_object (dialog, "response", G_CALLBACK (chat_ended_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- active chats ---- */

static void
active_page_open_chat_cb (HdTechWindow *self,
                          HdChat       *chat)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "app.open-chat", "x", hd_chat_get_id (chat));
}

static void
active_count_cb (HdTechWindow *self)
{
  guint n = hd_tech_active_page_get_count (self->active_page);
  g_autofree char *count = g_strdup_printf ("%u", n);
  g_autofree char *accessible = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                              "Active Chats: %u",
                                                              "Active Chats: %u", n), n);

  gtk_label_set_text (self->active_count_label, count);
  gtk_widget_set_visible (GTK_WIDGET (self->active_count_label), n > 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->active_sidebar_row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, n > 0 ? accessible : _("Active Chats"),
                                  -1);
}

void
hd_tech_window_show_active_chats (HdTechWindow *self)
{
  g_return_if_fail (HD_IS_TECH_WINDOW (self));
  select_home_section (self, "active");
}

void
hd_tech_window_set_unread (HdTechWindow *self,
                           gint64        chat_id,
                           guint         count)
{
  g_return_if_fail (HD_IS_TECH_WINDOW (self));
  hd_tech_active_page_set_unread (self->active_page, chat_id, count);
}

static void
queue_page_accept_cb (HdTechWindow *self,
                      HdChat       *chat)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "app.accept-chat", "x", hd_chat_get_id (chat));
}

void
hd_tech_window_set_accepting (HdTechWindow *self,
                              gint64        chat_id,
                              gboolean      accepting)
{
  g_return_if_fail (HD_IS_TECH_WINDOW (self));

  hd_tech_queue_page_set_accepting (self->queue_page, chat_id, accepting);
}

static void
page_toast_cb (HdTechWindow *self,
               const char   *text)
{
  hd_tech_window_add_toast (self, text);
}

void
hd_tech_window_show_loading (HdTechWindow *self)
{
  g_return_if_fail (HD_IS_TECH_WINDOW (self));

  gtk_stack_set_visible_child_name (self->main_stack, "loading");
}

void
hd_tech_window_show_signed_out (HdTechWindow *self)
{
  g_return_if_fail (HD_IS_TECH_WINDOW (self));

  hd_tech_window_set_session (self, NULL);
  hd_stack_show_page (self->main_stack, "signed-out");
}

void
hd_tech_window_set_session (HdTechWindow *self,
                            HdSession    *session)
{
  g_return_if_fail (HD_IS_TECH_WINDOW (self));
  g_return_if_fail (session == NULL || HD_IS_SESSION (session));

  if (self->session != session)
    {
      if (self->session != NULL)
        g_signal_handlers_disconnect_by_data (self->session, self);
      if (self->user != NULL)
        g_signal_handlers_disconnect_by_data (self->user, self);
      g_clear_object (&self->user);
      g_set_object (&self->session, session);

      if (session != NULL)
        {
          self->user = hd_session_get_user (session);
          if (self->user != NULL)
            {
              g_object_ref (self->user);
              g_signal_connect_swapped (self->user, "notify",
                                        G_CALLBACK (update_user), self);
            }
          g_signal_connect_swapped (session, "notify::waiting-count",
                                    G_CALLBACK (update_badge), self);
          g_signal_connect_swapped (session, "notify::state",
                                    G_CALLBACK (update_connection), self);
        }

      hd_tech_queue_page_set_session (self->queue_page, session);
      hd_tech_active_page_set_session (self->active_page, session);
      hd_tech_account_page_set_session (self->account_page, session);
      hd_tech_requests_page_set_session (self->requests_page, session);
    }

  update_user (self);
  update_badge (self);
  update_connection (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-queue", session != NULL);

  if (session != NULL)
    hd_stack_show_page (self->main_stack, "content");
}

static void
show_queue_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  HdTechWindow *self = HD_TECH_WINDOW (widget);

  hd_tech_window_show_queue (self);
  gtk_window_present (GTK_WINDOW (self));
}

static void
show_active_chats_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  hd_tech_window_show_active_chats (HD_TECH_WINDOW (widget));
  gtk_window_present (GTK_WINDOW (widget));
}

static void
show_account_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  select_home_section (HD_TECH_WINDOW (widget), "account");
}

static void
show_requests_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  adw_view_stack_set_visible_child_name (HD_TECH_WINDOW (widget)->view_stack, "requests");
}

static void
hd_tech_window_dispose (GObject *object)
{
  HdTechWindow *self = HD_TECH_WINDOW (object);

  g_clear_handle_id (&self->attention_id, g_source_remove);
  if (self->queue_page != NULL)
    hd_tech_window_set_session (self, NULL);

  G_OBJECT_CLASS (hd_tech_window_parent_class)->dispose (object);
}

static void
hd_tech_window_class_init (HdTechWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hd_tech_window_dispose;

  g_type_ensure (HD_TYPE_TECH_QUEUE_PAGE);
  g_type_ensure (HD_TYPE_TECH_ACCOUNT_PAGE);
  g_type_ensure (HD_TYPE_TECH_ACTIVE_PAGE);
  g_type_ensure (HD_TYPE_TECH_REQUESTS_PAGE);

  gtk_widget_class_install_action (widget_class, "win.show-queue", NULL, show_queue_action);
  gtk_widget_class_install_action (widget_class, "win.show-account", NULL, show_account_action);
  gtk_widget_class_install_action (widget_class, "win.show-active-chats", NULL, show_active_chats_action);
  gtk_widget_class_install_action (widget_class, "win.show-requests", NULL, show_requests_action);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/helpdeskchat/Tech/hd-tech-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, user_box);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, user_name_label);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, availability_label);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, chat_alert_button);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, badge_label);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, connection_revealer);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, home_leaflet);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, home_sidebar);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, chat_sidebar_row);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, account_sidebar_row);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, active_sidebar_row);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, active_count_label);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, active_page);
  gtk_widget_class_bind_template_callback (widget_class, active_page_open_chat_cb);
  gtk_widget_class_bind_template_callback (widget_class, active_count_cb);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, sidebar_count_label);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, home_stack);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, queue_page);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, account_page);
  gtk_widget_class_bind_template_child (widget_class, HdTechWindow, requests_page);
  gtk_widget_class_bind_template_callback (widget_class, home_sidebar_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, queue_page_accept_cb);
  gtk_widget_class_bind_template_callback (widget_class, page_toast_cb);
}

static void
hd_tech_window_init (HdTechWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_list_box_select_row (self->home_sidebar, self->chat_sidebar_row);
  update_badge (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-queue", FALSE);
}

HdTechWindow *
hd_tech_window_new (HdTechApplication *app)
{
  return g_object_new (HD_TYPE_TECH_WINDOW, "application", app, NULL);
}
