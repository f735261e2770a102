/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-chat-tabs"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "hd-tech-application.h"
#include "hd-tech-canned-popover.h"
#include "hd-tech-chat-tabs.h"
#include "hd-tech-end-reason.h"
#include "hd-tech-transfer-dialog.h"

struct _HdTechChatTabs
{
  AdwApplicationWindow parent_instance;

  HdSession       *session;
  AdwTabView      *view;
  AdwTabBar       *bar;
  AdwToastOverlay *toast_overlay;
};

G_DEFINE_FINAL_TYPE (HdTechChatTabs, hd_tech_chat_tabs, ADW_TYPE_APPLICATION_WINDOW)

enum {
  SIGNAL_CHAT_READ,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What a page keeps (its child's data "hd-tab"). */
typedef struct {
  HdChat    *chat;
  HdRequest *request;
  GtkLabel  *request_label;
  GtkLabel  *state_label;
  gboolean   transferred;  /* the chat went on without me: closing does not end it */
} Tab;

static void
tab_free (Tab *tab)
{
  g_signal_handlers_disconnect_by_data (tab->chat, tab);
  g_signal_handlers_disconnect_by_data (tab->request, tab);
  g_clear_object (&tab->chat);
  g_clear_object (&tab->request);
  g_free (tab);
}

static Tab *
page_tab (AdwTabPage *page)
{
  return page ? g_object_get_data (G_OBJECT (adw_tab_page_get_child (page)), "hd-tab") : NULL;
}

static AdwTabPage *
find_page (HdTechChatTabs *self,
           gint64          chat_id)
{
  int n = adw_tab_view_get_n_pages (self->view);

  for (int i = 0; i < n; i++)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (self->view, i);
      Tab *tab = page_tab (page);

      if (tab != NULL && hd_chat_get_id (tab->chat) == chat_id)
        return page;
    }
  return NULL;
}

static char *
local_time (GDateTime *when)
{
  g_autoptr(GDateTime) local = NULL;

  if (when == NULL)
    return NULL;
  local = g_date_time_to_local (when);
  return g_date_time_format (local, "%H:%M");
}

static void
update_tab (Tab *tab)
{
  AdwTabPage *page = g_object_get_data (G_OBJECT (tab->state_label), "hd-page");
  HdUser *customer = hd_chat_get_customer (tab->chat);
  g_autofree char *request_text = NULL;
  g_autofree char *state = NULL;
  g_autofree char *time = NULL;

  if (tab->request != NULL && hd_request_get_subject (tab->request) != NULL)
    request_text = g_strdup_printf ("#%" PRId64 " %s", hd_request_get_id (tab->request),
                                    hd_request_get_subject (tab->request));
  else
    request_text = g_strdup_printf (_("Request #%" PRId64), hd_chat_get_request_id (tab->chat));
  /* People's text: set_text, never markup. */
  gtk_label_set_text (tab->request_label, request_text);

  if (tab->transferred)
    state = g_strdup (_("This chat went on with someone else. Closing this tab does not end it."));
  else if (hd_chat_get_state (tab->chat) == HD_CHAT_STATE_ENDED)
    {
      const char *why = hd_tech_end_reason_text (hd_chat_get_end_reason (tab->chat));

      time = local_time (hd_chat_get_ended_at (tab->chat));
      state = time ? g_strdup_printf (_("Chat ended at %s"), time) : g_strdup (_("Chat ended"));
      if (why != NULL)
        {
          g_autofree char *when = g_steal_pointer (&state);

          state = g_strdup_printf (_("%s · %s"), when, why);
        }
    }
  else
    {
      time = local_time (hd_chat_get_accepted_at (tab->chat));
      state = time ? g_strdup_printf (_("Chatting since %s · close the tab to end the chat"), time)
                   : g_strdup (_("Chatting · close the tab to end the chat"));
    }
  gtk_label_set_text (tab->state_label, state);

  if (page != NULL)
    {
      /* An ended chat's tab says so at a glance. */
      g_autoptr(GIcon) ended = hd_chat_get_state (tab->chat) == HD_CHAT_STATE_ENDED
                               ? g_themed_icon_new ("emblem-ok-symbolic") : NULL;

      adw_tab_page_set_title (page, customer ? hd_user_get_name (customer) : _("A customer"));
      adw_tab_page_set_tooltip (page, request_text);
      adw_tab_page_set_indicator_icon (page, ended);
    }
}

static AdwTabPage *
add_page (HdTechChatTabs *self,
          HdChat         *chat)
{
  Tab *tab = g_new0 (Tab, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *summary = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *chat_view;
  AdwTabPage *page;

  tab->chat = g_object_ref (chat);
  tab->request = g_object_ref (hd_session_get_request (self->session, hd_chat_get_request_id (chat)));
  tab->request_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (tab->request_label, 0);
  gtk_label_set_wrap (tab->request_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (tab->request_label), "heading");
  tab->state_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (tab->state_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (tab->state_label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (tab->state_label), "dim-label");
  gtk_widget_add_css_class (summary, "request-summary");
  gtk_box_append (GTK_BOX (summary), GTK_WIDGET (tab->request_label));
  gtk_box_append (GTK_BOX (summary), GTK_WIDGET (tab->state_label));
  gtk_box_append (GTK_BOX (box), summary);

  chat_view = hd_chat_view_new (self->session, chat);
  gtk_widget_set_vexpand (chat_view, TRUE);
  hd_tech_canned_popover_attach (self->session, HD_CHAT_VIEW (chat_view));
  gtk_box_append (GTK_BOX (box), chat_view);
  g_object_set_data_full (G_OBJECT (box), "hd-tab", tab, (GDestroyNotify) tab_free);
  g_object_set_data (G_OBJECT (box), "hd-chat-view", chat_view);

  page = adw_tab_view_append (self->view, box);
  g_object_set_data (G_OBJECT (tab->state_label), "hd-page", page);
  g_signal_connect_swapped (chat, "notify", G_CALLBACK (update_tab), tab);
  g_signal_connect_swapped (tab->request, "notify", G_CALLBACK (update_tab), tab);
  update_tab (tab);
  return page;
}

static Tab *
selected_tab (HdTechChatTabs *self)
{
  return page_tab (adw_tab_view_get_selected_page (self->view));
}

static void
update_actions (HdTechChatTabs *self)
{
  Tab *tab = selected_tab (self);
  gboolean active = tab != NULL && !tab->transferred &&
                    hd_chat_get_state (tab->chat) == HD_CHAT_STATE_ACTIVE;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tabs.transfer", active);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tabs.email", tab != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tabs.end", tab != NULL);
}

/* The selected page of the focused window is the one being read. */
static void
mark_read (HdTechChatTabs *self)
{
  AdwTabPage *page = adw_tab_view_get_selected_page (self->view);
  Tab *tab = page_tab (page);

  update_actions (self);
  if (tab == NULL || !gtk_window_is_active (GTK_WINDOW (self)))
    return;
  adw_tab_page_set_needs_attention (page, FALSE);
  g_signal_emit (self, signals[SIGNAL_CHAT_READ], 0, hd_chat_get_id (tab->chat));
}

static void
confirm_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     HdTechChatTabs   *self)
{
  AdwTabPage *page = g_object_get_data (G_OBJECT (dialog), "hd-page");
  Tab *tab = page_tab (page);
  gboolean end = g_strcmp0 (response, "end") == 0;

  if (end && tab != NULL)
    hd_tech_application_end_chat (HD_TECH_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))),
                                  self->session, tab->chat);
  adw_tab_view_close_page_finish (self->view, page, end);
}

/* Closing a tab ends its chat (as closing a chat window does), after the
 * same question; an ended or transferred chat's tab just closes. */
static gboolean
close_page_cb (AdwTabView     *view,
               AdwTabPage     *page,
               HdTechChatTabs *self)
{
  Tab *tab = page_tab (page);
  HdUser *customer;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  if (tab == NULL || tab->transferred || hd_chat_get_state (tab->chat) == HD_CHAT_STATE_ENDED)
    {
      adw_tab_view_close_page_finish (view, page, TRUE);
      return GDK_EVENT_STOP;
    }
  customer = hd_chat_get_customer (tab->chat);
  /* Translators: %s is the customer's name */
  body = g_strdup_printf (_("Closing this tab ends the chat with %s. The transcript stays on the request as a note."),
                          customer ? hd_user_get_name (customer) : _("the customer"));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("End the Chat?"), body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Keep Chatting"), "end", _("_End Chat"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "end", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "hd-page", page);
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response_cb), self, 0);
  hd_accessible_fix_mnemonic_names (GTK_WIDGET (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
  return GDK_EVENT_STOP;
}

/* No empty window is kept (nor hidden): the last tab takes it along. */
static void
n_pages_cb (HdTechChatTabs *self)
{
  if (adw_tab_view_get_n_pages (self->view) == 0)
    gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
hd_tech_chat_tabs_close_request (GtkWindow *window)
{
  HdTechChatTabs *self = HD_TECH_CHAT_TABS (window);

  /* Each tab asks (or just closes); the window goes with the last one. */
  for (int i = adw_tab_view_get_n_pages (self->view) - 1; i >= 0; i--)
    adw_tab_view_close_page (self->view, adw_tab_view_get_nth_page (self->view, i));
  return TRUE;
}

static void
transferred_cb (HdTechTransferDialog *dialog,
                HdChat               *chat,
                HdTechChatTabs       *self)
{
  AdwTabPage *page = find_page (self, hd_chat_get_id (chat));
  Tab *tab = page_tab (page);
  HdUser *technician = hd_chat_get_technician (chat);
  g_autofree char *text = NULL;

  if (technician != NULL)
    text = g_strdup_printf (_("Chat transferred to %s"), hd_user_get_name (technician));
  else
    text = g_strdup (_("Chat moved back to the team queue"));
  hd_toast_overlay_add_text (self->toast_overlay, text);
  if (tab == NULL)
    return;
  tab->transferred = TRUE;
  adw_tab_view_close_page (self->view, page);
}

static void
transfer_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  HdTechChatTabs *self = HD_TECH_CHAT_TABS (widget);
  Tab *tab = selected_tab (self);
  HdTechTransferDialog *dialog;

  if (tab == NULL || tab->transferred || hd_chat_get_state (tab->chat) != HD_CHAT_STATE_ACTIVE)
    return;
  dialog = hd_tech_transfer_dialog_new (GTK_WINDOW (self), self->session, tab->chat);
  g_signal_connect_object (dialog, "transferred", G_CALLBACK (transferred_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
email_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(HdTechChatTabs) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *sent_to = hd_session_email_chat_finish (HD_SESSION (object), result, &error);
  g_autofree char *text = NULL;

  if (sent_to != NULL)
    text = g_strdup_printf (_("Transcript sent to %s"), sent_to);
  else
    text = g_strdup_printf (_("Could not email the transcript: %s"), error->message);
  hd_toast_overlay_add_text (self->toast_overlay, text);
}

static void
email_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  HdTechChatTabs *self = HD_TECH_CHAT_TABS (widget);
  Tab *tab = selected_tab (self);

  if (tab != NULL)
    hd_session_email_chat_async (self->session, hd_chat_get_id (tab->chat), NULL,
                                 email_cb, g_object_ref (self));
}

static void
end_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  HdTechChatTabs *self = HD_TECH_CHAT_TABS (widget);
  AdwTabPage *page = adw_tab_view_get_selected_page (self->view);

  if (page != NULL)
    adw_tab_view_close_page (self->view, page);
}

static void
chat_transferred_cb (HdSession      *session,
                     HdChat         *chat,
                     HdTechChatTabs *self)
{
  Tab *tab = page_tab (find_page (self, hd_chat_get_id (chat)));
  HdUser *technician = hd_chat_get_technician (chat);
  HdUser *me = hd_session_get_user (session);

  if (tab == NULL)
    return;
  tab->transferred = !(hd_chat_get_state (chat) == HD_CHAT_STATE_ACTIVE && technician != NULL &&
                       me != NULL && hd_user_get_id (technician) == hd_user_get_id (me));
  update_tab (tab);
  update_actions (self);
}

void
hd_tech_chat_tabs_show_chat (HdTechChatTabs *self,
                             HdChat         *chat)
{
  AdwTabPage *page;

  g_return_if_fail (HD_IS_TECH_CHAT_TABS (self));
  page = find_page (self, hd_chat_get_id (chat));
  if (page == NULL)
    page = add_page (self, chat);
  adw_tab_view_set_selected_page (self->view, page);
}

gboolean
hd_tech_chat_tabs_has_chat (HdTechChatTabs *self,
                            gint64          chat_id)
{
  g_return_val_if_fail (HD_IS_TECH_CHAT_TABS (self), FALSE);
  return find_page (self, chat_id) != NULL;
}

gboolean
hd_tech_chat_tabs_is_focused (HdTechChatTabs *self,
                              gint64          chat_id)
{
  Tab *tab;

  g_return_val_if_fail (HD_IS_TECH_CHAT_TABS (self), FALSE);
  tab = selected_tab (self);
  return tab != NULL && hd_chat_get_id (tab->chat) == chat_id &&
         gtk_window_is_active (GTK_WINDOW (self));
}

void
hd_tech_chat_tabs_add_unread (HdTechChatTabs *self,
                              gint64          chat_id)
{
  AdwTabPage *page;

  g_return_if_fail (HD_IS_TECH_CHAT_TABS (self));
  page = find_page (self, chat_id);
  if (page != NULL && !hd_tech_chat_tabs_is_focused (self, chat_id))
    adw_tab_page_set_needs_attention (page, TRUE);
}

static void
hd_tech_chat_tabs_dispose (GObject *object)
{
  HdTechChatTabs *self = HD_TECH_CHAT_TABS (object);

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (hd_tech_chat_tabs_parent_class)->dispose (object);
}

static void
hd_tech_chat_tabs_class_init (HdTechChatTabsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = hd_tech_chat_tabs_dispose;
  window_class->close_request = hd_tech_chat_tabs_close_request;

  signals[SIGNAL_CHAT_READ] =
    g_signal_new ("chat-read", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_install_action (widget_class, "tabs.email", NULL, email_action);
  gtk_widget_class_install_action (widget_class, "tabs.transfer", NULL, transfer_action);
  gtk_widget_class_install_action (widget_class, "tabs.end", NULL, end_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK, "tabs.transfer", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "tabs.email", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "tabs.end", NULL);
}

static GtkWidget *
header_button (const char *label,
               const char *icon,
               const char *action,
               const char *tooltip)
{
  GtkWidget *button = icon ? gtk_button_new_from_icon_name (icon) : gtk_button_new_with_label (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip,
                                  -1);
  return button;
}

static void
hd_tech_chat_tabs_init (HdTechChatTabs *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *end;

  gtk_window_set_title (GTK_WINDOW (self), _("Chats"));
  gtk_window_set_default_size (GTK_WINDOW (self), 720, 640);

  adw_header_bar_pack_start (ADW_HEADER_BAR (header),
                             header_button (_("Email"), NULL, "tabs.email",
                                            _("Email the transcript to the customer")));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header),
                             header_button (_("Transfer"), "mail-forward-symbolic", "tabs.transfer",
                                            _("Hand the chat to a colleague or back to the team queue (Ctrl+T)")));
  end = header_button (_("End Chat"), NULL, "tabs.end", _("End the chat of this tab"));
  gtk_widget_add_css_class (end, "destructive-action");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), end);
  gtk_box_append (GTK_BOX (box), header);

  self->view = ADW_TAB_VIEW (adw_tab_view_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->view), TRUE);
  self->bar = ADW_TAB_BAR (adw_tab_bar_new ());
  adw_tab_bar_set_view (self->bar, self->view);
  adw_tab_bar_set_autohide (self->bar, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->bar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Chats"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->bar));

  self->toast_overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toast_overlay, GTK_WIDGET (self->view));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->toast_overlay));
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (self), box);

  g_signal_connect (self->view, "close-page", G_CALLBACK (close_page_cb), self);
  g_signal_connect_swapped (self->view, "notify::n-pages", G_CALLBACK (n_pages_cb), self);
  g_signal_connect_swapped (self->view, "notify::selected-page", G_CALLBACK (mark_read), self);
  g_signal_connect (self, "notify::is-active", G_CALLBACK (mark_read), NULL);
  update_actions (self);
}

HdTechChatTabs *
hd_tech_chat_tabs_new (GtkApplication *app,
                       HdSession      *session)
{
  HdTechChatTabs *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (HD_IS_SESSION (session), NULL);

  self = g_object_new (HD_TYPE_TECH_CHAT_TABS, "application", app, NULL);
  self->session = g_object_ref (session);
  g_signal_connect (session, "chat-transferred", G_CALLBACK (chat_transferred_cb), self);
  return self;
}
