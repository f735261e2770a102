/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-portal"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "hd-portal-request-page.h"
#include "hd-portal-dialogs.h"
#include "hd-portal-util.h"

struct _HdPortalRequestPage
{
  GtkWidget      parent_instance;

  /* template */
  GtkWidget     *main_box;
  GtkLabel      *subject_label;
  GtkLabel      *meta_label;
  GtkMenuButton *chat_button;
  GtkWidget     *reason_box;
  GtkLabel      *reason_label;
  GtkWidget     *active_chat_box;
  GtkLabel      *active_chat_label;
  AdwViewStack  *view_stack;
  AdwActionRow  *status_row;
  AdwActionRow  *assignee_row;
  AdwActionRow  *team_row;
  GtkLabel      *description_label;
  AdwBin        *notes_bin;
  GtkPopover    *chat_popover;
  GtkLabel      *popover_reason_label;
  GtkBox        *technician_box;
  GtkWidget     *leave_button;
  GtkWidget     *popover_leave_button;

  HdSession     *session;
  HdRequest     *request;
  GListModel    *technicians;
  HdChat        *active_chat;
  GtkWidget     *notes_view;
  char          *reason_text;
  char          *menu_signature;  /* what the technician buttons show */
  GCancellable  *cancellable;
  gboolean       starting;
};

G_DEFINE_FINAL_TYPE (HdPortalRequestPage, hd_portal_request_page, GTK_TYPE_WIDGET)

static void update_chat_options (HdPortalRequestPage *self);

static const char *
status_text (HdRequest *request)
{
  return hd_request_is_open (request) ? _("Open") : _("Closed");
}

static void
update_details (HdPortalRequestPage *self)
{
  HdUser *assignee;
  const char *team;
  g_autofree char *meta = NULL;

  if (self->request == NULL)
    return;

  assignee = hd_request_get_assignee (self->request);
  team = hd_request_get_team_name (self->request);

  /* People's text is never markup: set_text, and rows with use-markup off. */
  gtk_label_set_text (self->subject_label, hd_request_get_subject (self->request));
  if (assignee != NULL)
    /* Translators: "Request #12 · Open · Tina Tech" */
    meta = g_strdup_printf (_("Request #%" PRId64 " · %s · %s"),
                            hd_request_get_id (self->request),
                            status_text (self->request),
                            hd_user_get_name (assignee));
  else
    meta = g_strdup_printf (_("Request #%" PRId64 " · %s · Not assigned yet"),
                            hd_request_get_id (self->request),
                            status_text (self->request));
  gtk_label_set_text (self->meta_label, meta);

  adw_action_row_set_subtitle (self->status_row, status_text (self->request));
  adw_action_row_set_subtitle (self->assignee_row,
                               assignee ? hd_user_get_name (assignee) : _("Not assigned yet"));
  adw_action_row_set_subtitle (self->team_row,
                               team && *team ? team : _("None"));

  if (hd_request_get_description (self->request) != NULL
      && *hd_request_get_description (self->request) != '\0')
    {
      gtk_label_set_text (self->description_label, hd_request_get_description (self->request));
      gtk_widget_remove_css_class (GTK_WIDGET (self->description_label), "dim-label");
    }
  else
    {
      gtk_label_set_text (self->description_label, _("No description."));
      gtk_widget_add_css_class (GTK_WIDGET (self->description_label), "dim-label");
    }
}

static gboolean
model_has_user (GListModel *model,
                gint64      user_id)
{
  guint n = model ? g_list_model_get_n_items (model) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HdUser) user = g_list_model_get_item (model, i);

      if (hd_user_get_id (user) == user_id)
        return TRUE;
    }
  return FALSE;
}

static GtkWidget *
technician_button_new (HdUser   *user,
                       gboolean  can_start)
{
  g_autofree char *label = NULL;
  GtkWidget *button;

  if (user != NULL)
    /* Translators: %s is a technician's name */
    label = g_strdup_printf (_("Chat with %s"), hd_user_get_name (user));
  else
    label = g_strdup (_("Chat with the team"));

  button = gtk_button_new_with_label (label);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_halign (gtk_button_get_child (GTK_BUTTON (button)), GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  if (can_start)
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "page.start-chat");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                              g_variant_new_int64 (user ? hd_user_get_id (user) : -1));
    }
  else
    gtk_widget_set_sensitive (button, FALSE);

  return button;
}

static void
rebuild_technician_buttons (HdPortalRequestPage *self,
                            gboolean             can_start)
{
  GtkWidget *child;
  HdUser *assignee = self->request ? hd_request_get_assignee (self->request) : NULL;
  guint n = self->technicians ? g_list_model_get_n_items (self->technicians) : 0;

  GString *signature = g_string_new (can_start ? "1" : "0");

  if (self->session != NULL && hd_session_get_customer_chat_with_team (self->session))
    g_string_append (signature, "|team");

  /* Requests notify often (every presence event re-reads them); rebuild
   * only when what the menu shows changed, so screen readers are not
   * handed a fresh set of buttons each time. */
  if (assignee != NULL)
    g_string_append_printf (signature, "|a%" G_GINT64_FORMAT ":%s", hd_user_get_id (assignee), hd_user_get_name (assignee));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HdUser) user = g_list_model_get_item (self->technicians, i);

      g_string_append_printf (signature, "|t%" G_GINT64_FORMAT ":%s", hd_user_get_id (user), hd_user_get_name (user));
    }
  if (g_strcmp0 (signature->str, self->menu_signature) == 0)
    {
      g_string_free (signature, TRUE);
      return;
    }
  g_free (self->menu_signature);
  self->menu_signature = g_string_free (signature, FALSE);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->technician_box))))
    gtk_box_remove (self->technician_box, child);

  /* The assignee first, greyed out while not available, so the customer
   * sees whom the menu is about even when nobody can be picked. */
  if (assignee != NULL && !model_has_user (self->technicians, hd_user_get_id (assignee)))
    gtk_box_append (self->technician_box, technician_button_new (assignee, FALSE));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HdUser) user = g_list_model_get_item (self->technicians, i);

      gtk_box_append (self->technician_box, technician_button_new (user, can_start));
    }

  /* The team's queue, whenever the team privilege allows it (contract
   * v2: "team": true), and when nobody is named yet a chat is possible. */
  if (can_start && ((self->session != NULL && hd_session_get_customer_chat_with_team (self->session) &&
                     self->request != NULL && hd_request_get_team_name (self->request) != NULL) || n == 0))
    gtk_box_append (self->technician_box, technician_button_new (NULL, TRUE));
}

static void
update_chat_options (HdPortalRequestPage *self)
{
  gboolean can_start = FALSE;
  const char *reason = NULL;
  HdUser *assignee = NULL;
  HdChat *chat;
  g_autofree char *text = NULL;

  if (self->request != NULL)
    {
      can_start = hd_request_get_can_start_chat (self->request) && !self->starting;
      reason = hd_request_get_chat_reason (self->request);
      assignee = hd_request_get_assignee (self->request);
    }

  if (!can_start && reason == NULL && self->request != NULL && !self->starting)
    reason = "technician_unavailable";

  text = can_start ? NULL : hd_portal_chat_reason_text (reason,
                                                       assignee ? hd_user_get_name (assignee) : NULL);
  if (self->starting)
    g_clear_pointer (&text, g_free);

  g_free (self->reason_text);
  self->reason_text = g_steal_pointer (&text);

  gtk_widget_set_visible (self->reason_box, self->reason_text != NULL);
  /* Nobody to chat with: a message on the request reaches them later. */
  {
    gboolean can_leave = self->request != NULL && hd_request_is_open (self->request) && !can_start;

    gtk_widget_set_visible (self->leave_button, can_leave);
    gtk_widget_set_visible (self->popover_leave_button, can_leave);
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.leave-message",
                                   self->request != NULL && hd_request_is_open (self->request));
  }
  gtk_widget_set_visible (GTK_WIDGET (self->popover_reason_label), self->reason_text != NULL);
  gtk_label_set_text (self->reason_label, self->reason_text ? self->reason_text : "");
  gtk_label_set_text (self->popover_reason_label, self->reason_text ? self->reason_text : "");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.start-chat", can_start);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.start-chat-default", can_start);

  /* The button is a suggestion only when it leads somewhere. */
  if (can_start)
    gtk_widget_add_css_class (GTK_WIDGET (self->chat_button), "suggested-action");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->chat_button), "suggested-action");

  rebuild_technician_buttons (self, can_start);

  chat = self->request ? hd_request_get_active_chat (self->request) : NULL;
  if (chat != NULL && self->session != NULL)
    {
      HdChat *canonical = hd_session_lookup_chat (self->session, hd_chat_get_id (chat));

      if (canonical != NULL)
        chat = canonical;
    }
  if (chat != NULL && hd_chat_get_state (chat) == HD_CHAT_STATE_ENDED)
    chat = NULL;

  g_set_object (&self->active_chat, chat);
  gtk_widget_set_visible (self->active_chat_box, chat != NULL);
  /* "You are chatting with …" already says why no other chat can start. */
  if (chat != NULL)
    gtk_widget_set_visible (self->reason_box, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.open-chat", chat != NULL);
  if (chat != NULL)
    {
      HdUser *tech = hd_chat_get_technician (chat);

      if (hd_chat_get_state (chat) == HD_CHAT_STATE_WAITING)
        gtk_label_set_text (self->active_chat_label, _("Your chat request is waiting to be accepted."));
      else if (tech != NULL)
        {
          g_autofree char *s = g_strdup_printf (_("You are chatting with %s."), hd_user_get_name (tech));
          gtk_label_set_text (self->active_chat_label, s);
        }
      else
        gtk_label_set_text (self->active_chat_label, _("A chat is in progress."));
    }
}

static void
request_notify_cb (HdPortalRequestPage *self)
{
  update_details (self);
  update_chat_options (self);
}

static void
start_chat_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(HdPortalRequestPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdChat) chat = NULL;

  chat = hd_session_chat_finish (HD_SESSION (source), result, &error);
  self->starting = FALSE;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  update_chat_options (self);

  if (chat == NULL)
    {
      g_autofree char *why = hd_error_dup_text (error);
      gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", why);
      return;
    }

  gtk_widget_activate_action (GTK_WIDGET (self), "win.open-chat", "x", hd_chat_get_id (chat));
}

static void
start_chat (HdPortalRequestPage *self,
            gint64               technician_id)
{
  if (self->session == NULL || self->request == NULL || self->starting)
    return;

  gtk_popover_popdown (self->chat_popover);
  self->starting = TRUE;
  update_chat_options (self);
  hd_session_start_chat_async (self->session,
                               hd_request_get_id (self->request),
                               technician_id,
                               self->cancellable,
                               start_chat_cb,
                               g_object_ref (self));
}

static void
start_chat_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  start_chat (HD_PORTAL_REQUEST_PAGE (widget), g_variant_get_int64 (parameter));
}

static void
start_chat_default_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  HdPortalRequestPage *self = HD_PORTAL_REQUEST_PAGE (widget);
  g_autoptr(HdUser) first = NULL;

  if (self->technicians && g_list_model_get_n_items (self->technicians) > 0)
    first = g_list_model_get_item (self->technicians, 0);
  start_chat (self, first ? hd_user_get_id (first) : 0);
}

static void
message_left_cb (HdPortalRequestPage *self,
                 HdNote              *note)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s",
                              _("Your message was left on the request."));
  hd_portal_request_page_show_tab (self, "notes");
}

static void
leave_message_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  HdPortalRequestPage *self = HD_PORTAL_REQUEST_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  if (self->session == NULL || self->request == NULL)
    return;
  gtk_popover_popdown (self->chat_popover);
  dialog = hd_portal_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         self->session, self->request);
  g_signal_connect_object (dialog, "done", G_CALLBACK (message_left_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
start_team_chat_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  start_chat (HD_PORTAL_REQUEST_PAGE (widget), -1);
}

static void
open_chat_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  HdPortalRequestPage *self = HD_PORTAL_REQUEST_PAGE (widget);

  if (self->active_chat != NULL)
    gtk_widget_activate_action (widget, "win.open-chat", "x", hd_chat_get_id (self->active_chat));
}

static void
disconnect_request (HdPortalRequestPage *self)
{
  if (self->request != NULL)
    g_signal_handlers_disconnect_by_data (self->request, self);
  if (self->technicians != NULL)
    g_signal_handlers_disconnect_by_data (self->technicians, self);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->technicians);
  g_clear_object (&self->request);
  g_clear_object (&self->active_chat);
}

static void
session_chat_changed_cb (HdPortalRequestPage *self,
                         HdChat              *chat)
{
  if (self->request != NULL && hd_chat_get_request_id (chat) == hd_request_get_id (self->request))
    update_chat_options (self);
}

void
hd_portal_request_page_set_request (HdPortalRequestPage *self,
                                    HdSession           *session,
                                    HdRequest           *request)
{
  g_return_if_fail (HD_IS_PORTAL_REQUEST_PAGE (self));
  g_return_if_fail (session == NULL || HD_IS_SESSION (session));
  g_return_if_fail (request == NULL || HD_IS_REQUEST (request));

  if (self->request == request && self->session == session)
    return;

  /* A chat being started belongs to the request it was started for. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->starting = FALSE;

  disconnect_request (self);
  g_set_object (&self->session, session);

  if (request == NULL || session == NULL)
    {
      update_chat_options (self);
      return;
    }

  self->request = g_object_ref (request);
  self->technicians = g_object_ref (hd_request_get_technicians (request));

  g_signal_connect_swapped (request, "notify", G_CALLBACK (request_notify_cb), self);
  g_signal_connect_swapped (self->technicians, "items-changed", G_CALLBACK (update_chat_options), self);
  g_signal_connect_swapped (session, "chat-accepted", G_CALLBACK (session_chat_changed_cb), self);
  g_signal_connect_swapped (session, "chat-ended", G_CALLBACK (session_chat_changed_cb), self);

  if (self->notes_view == NULL)
    {
      self->notes_view = hd_notes_view_new (session, hd_request_get_id (request));
      adw_bin_set_child (self->notes_bin, self->notes_view);
    }
  else
    hd_notes_view_set_request (HD_NOTES_VIEW (self->notes_view), session,
                               hd_request_get_id (request));

  update_details (self);
  update_chat_options (self);
}

HdRequest *
hd_portal_request_page_get_request (HdPortalRequestPage *self)
{
  g_return_val_if_fail (HD_IS_PORTAL_REQUEST_PAGE (self), NULL);

  return self->request;
}

const char *
hd_portal_request_page_get_reason_text (HdPortalRequestPage *self)
{
  g_return_val_if_fail (HD_IS_PORTAL_REQUEST_PAGE (self), NULL);

  return self->reason_text;
}

void
hd_portal_request_page_show_tab (HdPortalRequestPage *self,
                                 const char          *name)
{
  g_return_if_fail (HD_IS_PORTAL_REQUEST_PAGE (self));

  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

static void
hd_portal_request_page_dispose (GObject *object)
{
  HdPortalRequestPage *self = HD_PORTAL_REQUEST_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  disconnect_request (self);
  g_clear_object (&self->session);
  g_clear_pointer (&self->reason_text, g_free);
  g_clear_pointer (&self->menu_signature, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), HD_TYPE_PORTAL_REQUEST_PAGE);

  G_OBJECT_CLASS (hd_portal_request_page_parent_class)->dispose (object);
}

static void
hd_portal_request_page_class_init (HdPortalRequestPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);


  object_class->dispose = hd_portal_request_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/helpdeskchat/Portal/hd-portal-request-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, main_box);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, subject_label);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, meta_label);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, chat_button);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, reason_box);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, reason_label);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, active_chat_box);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, active_chat_label);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, assignee_row);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, team_row);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, description_label);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, notes_bin);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, chat_popover);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, popover_reason_label);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, technician_box);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, leave_button);
  gtk_widget_class_bind_template_child (widget_class, HdPortalRequestPage, popover_leave_button);

  gtk_widget_class_install_action (widget_class, "page.start-chat", "x", start_chat_action);
  gtk_widget_class_install_action (widget_class, "page.start-chat-default", NULL, start_chat_default_action);
  gtk_widget_class_install_action (widget_class, "page.open-chat", NULL, open_chat_action);
  gtk_widget_class_install_action (widget_class, "page.leave-message", NULL, leave_message_action);
  gtk_widget_class_install_action (widget_class, "page.start-team-chat", NULL, start_team_chat_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
hd_portal_request_page_init (HdPortalRequestPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  hd_accessible_fix_mnemonic_names (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  update_chat_options (self);
}

GtkWidget *
hd_portal_request_page_new (void)
{
  return g_object_new (HD_TYPE_PORTAL_REQUEST_PAGE, NULL);
}
