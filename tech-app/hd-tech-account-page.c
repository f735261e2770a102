/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-account-page"

#include <glib/gi18n.h>

#include "hd-tech-account-page.h"
#include "hd-tech-canned-group.h"

struct _HdTechAccountPage
{
  GtkWidget          parent_instance;

  HdSession         *session;
  HdUser            *user;
  GCancellable      *cancellable;
  gboolean           editing;
  gboolean           saving;

  AdwActionRow      *name_row;
  AdwActionRow      *login_row;
  AdwActionRow      *email_row;
  AdwActionRow      *role_row;
  AdwActionRow      *available_row;
  GtkBox            *content_box;
  HdTechCannedGroup *canned_group;
  AdwPreferencesGroup *edit_group;
  GtkWidget         *edit_buttons;
  GtkToggleButton   *yes_button;
  GtkToggleButton   *no_button;
};

G_DEFINE_FINAL_TYPE (HdTechAccountPage, hd_tech_account_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_TOAST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
role_label (const char *role)
{
  if (g_strcmp0 (role, "admin") == 0)
    return _("Administrator");
  if (g_strcmp0 (role, "technician") == 0)
    return _("Technician");
  if (g_strcmp0 (role, "customer") == 0)
    return _("Customer");
  return role ? role : "";
}

static void
update_actions (HdTechAccountPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.edit",
                                 self->user != NULL && !self->editing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.save",
                                 self->user != NULL && self->editing && !self->saving);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.cancel",
                                 self->editing && !self->saving);
}

static void
update_user (HdTechAccountPage *self)
{
  HdUser *user = self->user;
  const char *email;

  adw_action_row_set_subtitle (self->name_row, user ? hd_user_get_name (user) : "");
  adw_action_row_set_subtitle (self->login_row, user ? hd_user_get_login (user) : "");
  email = user ? hd_user_get_email (user) : NULL;
  adw_action_row_set_subtitle (self->email_row, email ? email : "");
  adw_action_row_set_subtitle (self->role_row, user ? role_label (hd_user_get_role (user)) : "");
  adw_action_row_set_subtitle (self->available_row,
                               user && hd_user_get_available_for_chat (user)
                               ? _("Yes") : _("No"));
  update_actions (self);
}

void
hd_tech_account_page_set_editing (HdTechAccountPage *self,
                                  gboolean           editing)
{
  g_return_if_fail (HD_IS_TECH_ACCOUNT_PAGE (self));

  editing = !!editing && self->user != NULL;
  self->editing = editing;

  if (editing)
    {
      gboolean available = hd_user_get_available_for_chat (self->user);

      gtk_toggle_button_set_active (self->yes_button, available);
      gtk_toggle_button_set_active (self->no_button, !available);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->edit_group), editing);
  gtk_widget_set_visible (self->edit_buttons, editing);
  if (editing)
    gtk_widget_grab_focus (GTK_WIDGET (hd_user_get_available_for_chat (self->user)
                                       ? self->yes_button : self->no_button));
  update_actions (self);
}

gboolean
hd_tech_account_page_get_editing (HdTechAccountPage *self)
{
  g_return_val_if_fail (HD_IS_TECH_ACCOUNT_PAGE (self), FALSE);
  return self->editing;
}

static void
set_available_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(HdTechAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;

  self->saving = FALSE;

  if (!hd_session_set_available_finish (HD_SESSION (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf (_("Could not save: %s"), error->message);
          g_signal_emit (self, signals[SIGNAL_TOAST], 0, text);
          update_actions (self);
        }
      return;
    }

  hd_tech_account_page_set_editing (self, FALSE);
  update_user (self);
  g_signal_emit (self, signals[SIGNAL_TOAST], 0,
                 hd_user_get_available_for_chat (self->user)
                 ? _("Saved: you are available for chat")
                 : _("Saved: you are not available for chat"));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  HdTechAccountPage *self = HD_TECH_ACCOUNT_PAGE (widget);

  if (self->session == NULL || !self->editing || self->saving)
    return;

  self->saving = TRUE;
  update_actions (self);
  hd_session_set_available_async (self->session,
                                  gtk_toggle_button_get_active (self->yes_button),
                                  self->cancellable, set_available_cb,
                                  g_object_ref (self));
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  hd_tech_account_page_set_editing (HD_TECH_ACCOUNT_PAGE (widget), TRUE);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  hd_tech_account_page_set_editing (HD_TECH_ACCOUNT_PAGE (widget), FALSE);
}

void
hd_tech_account_page_set_session (HdTechAccountPage *self,
                                  HdSession         *session)
{
  g_return_if_fail (HD_IS_TECH_ACCOUNT_PAGE (self));

  if (self->session == session)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->saving = FALSE;

  if (self->user != NULL)
    g_signal_handlers_disconnect_by_data (self->user, self);
  g_clear_object (&self->user);
  g_set_object (&self->session, session);

  if (session != NULL)
    {
      self->cancellable = g_cancellable_new ();
      self->user = hd_session_get_user (session);
      if (self->user != NULL)
        {
          g_object_ref (self->user);
          g_signal_connect_swapped (self->user, "notify",
                                    G_CALLBACK (update_user), self);
        }
    }

  hd_tech_account_page_set_editing (self, FALSE);
  update_user (self);
  hd_tech_canned_group_set_session (self->canned_group, session);
}

static void
hd_tech_account_page_dispose (GObject *object)
{
  HdTechAccountPage *self = HD_TECH_ACCOUNT_PAGE (object);
  GtkWidget *child;

  hd_tech_account_page_set_session (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), HD_TYPE_TECH_ACCOUNT_PAGE);
  /* dispose_template() only unparents the children bound to fields. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (hd_tech_account_page_parent_class)->dispose (object);
}

static void
hd_tech_account_page_class_init (HdTechAccountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hd_tech_account_page_dispose;

  signals[SIGNAL_TOAST] =
    g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "account.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "account.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "account.cancel", NULL, cancel_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/helpdeskchat/Tech/hd-tech-account-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HdTechAccountPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, HdTechAccountPage, login_row);
  gtk_widget_class_bind_template_child (widget_class, HdTechAccountPage, email_row);
  gtk_widget_class_bind_template_child (widget_class, HdTechAccountPage, role_row);
  gtk_widget_class_bind_template_child (widget_class, HdTechAccountPage, available_row);
  gtk_widget_class_bind_template_child (widget_class, HdTechAccountPage, edit_group);
  gtk_widget_class_bind_template_child (widget_class, HdTechAccountPage, edit_buttons);
  gtk_widget_class_bind_template_child (widget_class, HdTechAccountPage, yes_button);
  gtk_widget_class_bind_template_child (widget_class, HdTechAccountPage, no_button);
  gtk_widget_class_bind_template_child (widget_class, HdTechAccountPage, content_box);
}

static void
forward_toast (HdTechAccountPage *self,
               const char        *text)
{
  g_signal_emit (self, signals[SIGNAL_TOAST], 0, text);
}

static void
hd_tech_account_page_init (HdTechAccountPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Canned responses (contract v2): their own group, below the account. */
  self->canned_group = HD_TECH_CANNED_GROUP (hd_tech_canned_group_new ());
  g_signal_connect_swapped (self->canned_group, "toast", G_CALLBACK (forward_toast), self);
  gtk_box_append (self->content_box, GTK_WIDGET (self->canned_group));
  update_user (self);
}
