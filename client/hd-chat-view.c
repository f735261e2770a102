/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-chat-view"

#include "hd-chat-view.h"
#include "hd-chat-view-private.h"
#include "hd-app-shell.h"
#include "hd-error.h"

#include <glib/gi18n.h>

#define TYPING_SHOWN_SECONDS 5
#define BOTTOM_SLACK 4.0

struct _HdChatView
{
  GtkWidget parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkScrolledWindow *scroller;
  GtkListView *list_view;
  GtkLabel *typing_label;
  GtkLabel *status_label;
  GtkBox *entry_box;
  GtkTextView *text_view;
  GtkButton *send_button;

  HdSession *session;
  HdChat *chat;
  GListModel *messages;
  gulong typing_handler;
  gulong state_handler;
  guint typing_timeout;

  /* Stick to the bottom: TRUE while the view shows the newest message;
   * new rows then scroll it along. */
  gboolean stick;
  guint scroll_idle;
};

G_DEFINE_FINAL_TYPE (HdChatView, hd_chat_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_CHAT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Scrolling */

static GtkAdjustment *
vadjustment (HdChatView *self)
{
  return gtk_scrolled_window_get_vadjustment (self->scroller);
}

static void
scroll_to_bottom (HdChatView *self)
{
  GtkAdjustment *adj = vadjustment (self);

  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
}

static gboolean
scroll_idle_cb (gpointer user_data)
{
  HdChatView *self = user_data;

  self->scroll_idle = 0;
  if (self->stick)
    scroll_to_bottom (self);
  return G_SOURCE_REMOVE;
}

static void
queue_scroll (HdChatView *self)
{
  if (self->stick && self->scroll_idle == 0)
    self->scroll_idle = g_idle_add_full (G_PRIORITY_LOW, scroll_idle_cb, self, NULL);
}

static void
on_adjustment_value_changed (GtkAdjustment *adj,
                             HdChatView    *self)
{
  double bottom = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);

  self->stick = gtk_adjustment_get_value (adj) >= bottom - BOTTOM_SLACK;
}

static void
on_adjustment_bounds_changed (GtkAdjustment *adj,
                              GParamSpec    *pspec,
                              HdChatView    *self)
{
  /* The content grew (or the view shrank): follow it if we were at the
   * bottom before. */
  if (self->stick)
    scroll_to_bottom (self);
}

static void
on_items_changed (HdChatView *self)
{
  queue_scroll (self);
}

/* State */

static void
update_state (HdChatView *self)
{
  HdChatState state = self->chat ? hd_chat_get_state (self->chat) : HD_CHAT_STATE_ENDED;
  const char *status = NULL;
  gboolean can_write = state == HD_CHAT_STATE_ACTIVE;

  if (self->chat == NULL)
    status = _("No chat");
  else if (state == HD_CHAT_STATE_WAITING)
    status = _("Waiting for the chat to be accepted…");
  else if (state == HD_CHAT_STATE_ENDED)
    status = _("This chat has ended.");

  gtk_label_set_text (self->status_label, status ? status : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), status != NULL);
  /* The controls themselves, not only their box: an ended chat's entry
   * (insensitive: no focus, no cursor) and Send are disabled for a screen
   * reader too.  Not gtk_text_view_set_cursor_visible (): GTK 4.8's blink
   * timer asserts the cursor is visible. */
  gtk_text_view_set_editable (self->text_view, can_write);
  gtk_widget_set_sensitive (GTK_WIDGET (self->text_view), can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.send", can_write);
  gtk_widget_set_sensitive (GTK_WIDGET (self->entry_box), can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat-view.attach", can_write);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat-view.screenshot", can_write);
  if (!can_write)
    gtk_label_set_text (self->typing_label, "");
}

static gboolean
on_typing_timeout (gpointer user_data)
{
  HdChatView *self = user_data;

  self->typing_timeout = 0;
  gtk_label_set_text (self->typing_label, "");
  return G_SOURCE_REMOVE;
}

static void
on_typing (HdSession  *session,
           HdChat     *chat,
           HdUser     *user,
           HdChatView *self)
{
  g_autofree char *text = NULL;

  if (chat != self->chat)
    return;
  /* Translators: %s is a person's name */
  text = g_strdup_printf (_("%s is typing…"), hd_user_get_name (user) ? hd_user_get_name (user) : "");
  gtk_label_set_text (self->typing_label, text);
  g_clear_handle_id (&self->typing_timeout, g_source_remove);
  self->typing_timeout = g_timeout_add_seconds (TYPING_SHOWN_SECONDS, on_typing_timeout, self);
}

static void
on_message_received (HdSession  *session,
                     HdMessage  *message,
                     HdChatView *self)
{
  /* The message arrived, so the typing is over. */
  if (self->chat && hd_message_get_chat_id (message) == hd_chat_get_id (self->chat))
    {
      g_clear_handle_id (&self->typing_timeout, g_source_remove);
      gtk_label_set_text (self->typing_label, "");
    }
}

/* Entry */

gboolean
hd_chat_view_send (HdChatView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (HD_IS_CHAT_VIEW (self), FALSE);

  if (self->session == NULL || self->chat == NULL
      || hd_chat_get_state (self->chat) != HD_CHAT_STATE_ACTIVE)
    return FALSE;

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_strchomp (text);
  if (!hd_session_send_message (self->session, hd_chat_get_id (self->chat), text, &error))
    {
      /* Empty or only white space: nothing to send, nothing to say. */
      if (!g_error_matches (error, HD_ERROR, HD_ERROR_BAD_REQUEST))
        g_debug ("Not sent: %s", error->message);
      return FALSE;
    }
  gtk_text_buffer_set_text (buffer, "", 0);
  self->stick = TRUE;
  queue_scroll (self);
  return TRUE;
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  HdChatView *self = HD_CHAT_VIEW (widget);

  hd_chat_view_send (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
on_buffer_changed (GtkTextBuffer *buffer,
                   HdChatView    *self)
{
  if (self->session && self->chat && gtk_text_buffer_get_char_count (buffer) > 0)
    hd_session_send_typing (self->session, hd_chat_get_id (self->chat));
}

/* Binding */

static void
unbind_chat (HdChatView *self)
{
  if (self->session)
    g_signal_handlers_disconnect_by_data (self->session, self);
  self->typing_handler = 0;
  if (self->chat)
    g_clear_signal_handler (&self->state_handler, self->chat);
  if (self->messages)
    g_signal_handlers_disconnect_by_data (self->messages, self);
  g_clear_handle_id (&self->typing_timeout, g_source_remove);
  g_clear_handle_id (&self->scroll_idle, g_source_remove);
  g_clear_object (&self->messages);
  g_clear_object (&self->chat);
  g_clear_object (&self->session);
}

void
hd_chat_view_set_chat (HdChatView *self,
                       HdSession  *session,
                       HdChat     *chat)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  g_return_if_fail (HD_IS_CHAT_VIEW (self));
  g_return_if_fail (session == NULL || HD_IS_SESSION (session));
  g_return_if_fail (chat == NULL || HD_IS_CHAT (chat));

  if (self->session == session && self->chat == chat)
    return;
  if (session)
    g_object_ref (session);
  if (chat)
    g_object_ref (chat);
  unbind_chat (self);
  self->session = session;
  self->chat = chat;

  if (session && chat)
    {
      self->messages = g_object_ref (hd_session_get_messages (session, hd_chat_get_id (chat)));
      g_signal_connect (session, "typing", G_CALLBACK (on_typing), self);
      g_signal_connect (session, "message-received", G_CALLBACK (on_message_received), self);
      self->state_handler = g_signal_connect_swapped (chat, "notify::state", G_CALLBACK (update_state), self);
      g_signal_connect_swapped (self->messages, "items-changed", G_CALLBACK (on_items_changed), self);
      selection = gtk_no_selection_new (g_object_ref (self->messages));
    }
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  self->stick = TRUE;
  queue_scroll (self);
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHAT]);
}

static void
hd_chat_view_dispose (GObject *object)
{
  HdChatView *self = HD_CHAT_VIEW (object);

  unbind_chat (self);
  if (self->scroller)
    g_signal_handlers_disconnect_by_data (vadjustment (self), self);
  if (self->text_view)
    g_signal_handlers_disconnect_by_data (gtk_text_view_get_buffer (self->text_view), self);
  gtk_widget_dispose_template (GTK_WIDGET (self), HD_TYPE_CHAT_VIEW);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self)));)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (hd_chat_view_parent_class)->dispose (object);
}

static void
hd_chat_view_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HdChatView *self = HD_CHAT_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    case PROP_CHAT: g_value_set_object (value, self->chat); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_chat_view_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  HdChatView *self = HD_CHAT_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      hd_chat_view_set_chat (self, g_value_get_object (value), self->chat);
      break;
    case PROP_CHAT:
      hd_chat_view_set_chat (self, self->session, g_value_get_object (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attach_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  hd_chat_view_choose_file (HD_CHAT_VIEW (widget));
}

static void
screenshot_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  hd_chat_view_take_screenshot (HD_CHAT_VIEW (widget));
}

void
hd_chat_view_show_toast (HdChatView *self,
                         const char *text)
{
  g_return_if_fail (HD_IS_CHAT_VIEW (self));
  /* Plain text: file names and reasons are never markup. */
  hd_toast_overlay_add_text (self->toast_overlay, text);
}

static void
hd_chat_view_class_init (HdChatViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hd_chat_view_dispose;
  object_class->get_property = hd_chat_view_get_property;
  object_class->set_property = hd_chat_view_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, HD_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHAT] =
    g_param_spec_object ("chat", NULL, NULL, HD_TYPE_CHAT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "hdchatview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/helpdeskchat/client/hd-chat-view.ui");
  gtk_widget_class_bind_template_child (widget_class, HdChatView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HdChatView, scroller);
  gtk_widget_class_bind_template_child (widget_class, HdChatView, list_view);
  gtk_widget_class_bind_template_child (widget_class, HdChatView, typing_label);
  gtk_widget_class_bind_template_child (widget_class, HdChatView, status_label);
  gtk_widget_class_bind_template_child (widget_class, HdChatView, entry_box);
  gtk_widget_class_bind_template_child (widget_class, HdChatView, text_view);
  gtk_widget_class_bind_template_child (widget_class, HdChatView, send_button);

  /* Enter sends (a shortcut on the text view, see init); Shift+Enter
   * adds a line as the text view does by default. */
  gtk_widget_class_install_action (widget_class, "chat.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "chat-view.attach", NULL, attach_action);
  gtk_widget_class_install_action (widget_class, "chat-view.screenshot", NULL, screenshot_action);
}

static void
hd_chat_view_init (HdChatView *self)
{
  GtkEventController *keys;
  GtkAdjustment *adj;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);

  /* Before the text view's own key handling, which would insert a new
   * line; only while "chat.send" is enabled does Enter send. */
  keys = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("Return|KP_Enter|ISO_Enter"),
                                                          gtk_named_action_new ("chat.send")));
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), keys);
  g_signal_connect (gtk_text_view_get_buffer (self->text_view), "changed",
                    G_CALLBACK (on_buffer_changed), self);

  adj = vadjustment (self);
  g_signal_connect (adj, "value-changed", G_CALLBACK (on_adjustment_value_changed), self);
  g_signal_connect (adj, "notify::upper", G_CALLBACK (on_adjustment_bounds_changed), self);
  g_signal_connect (adj, "notify::page-size", G_CALLBACK (on_adjustment_bounds_changed), self);
  self->stick = TRUE;
  hd_chat_view_setup_drop (self);

  gtk_widget_set_tooltip_text (GTK_WIDGET (self->send_button), _("Send message"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->send_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Send message"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Message"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Conversation"), -1);
  update_state (self);
}

GtkWidget *
hd_chat_view_new (HdSession *session,
                  HdChat    *chat)
{
  return g_object_new (HD_TYPE_CHAT_VIEW, "session", session, "chat", chat, NULL);
}

HdSession *hd_chat_view_get_session (HdChatView *self) { g_return_val_if_fail (HD_IS_CHAT_VIEW (self), NULL); return self->session; }
HdChat *hd_chat_view_get_chat (HdChatView *self) { g_return_val_if_fail (HD_IS_CHAT_VIEW (self), NULL); return self->chat; }
GtkListView *hd_chat_view_get_list_view (HdChatView *self) { g_return_val_if_fail (HD_IS_CHAT_VIEW (self), NULL); return self->list_view; }
GtkTextView *hd_chat_view_get_text_view (HdChatView *self) { g_return_val_if_fail (HD_IS_CHAT_VIEW (self), NULL); return self->text_view; }
