/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-chat-window"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "hd-error.h"

#include "hd-tech-application.h"
#include "hd-tech-chat-window.h"
#include "hd-tech-end-reason.h"
#include "hd-tech-canned-popover.h"
#include "hd-tech-transfer-dialog.h"
#include "hd-tech-window.h"

struct _HdTechChatWindow
{
  AdwApplicationWindow parent_instance;

  HdSession       *session;
  HdChat          *chat;
  HdRequest       *request;
  GCancellable    *cancellable;
  gboolean         ending;
  gboolean         emailing;
  gboolean         transferred;  /* the chat went on without me */
  GtkWindow       *confirming;   /* the "End the Chat?" dialog, if shown */

  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkButton       *email_button;
  GtkLabel        *request_label;
  GtkLabel        *description_label;
  GtkLabel        *state_label;
  GtkLabel        *rating_label;
  GtkButton       *end_button;
  AdwBin          *chat_bin;
  GtkWidget       *chat_view;
};

G_DEFINE_FINAL_TYPE (HdTechChatWindow, hd_tech_chat_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
format_local_time (GDateTime *when)
{
  g_autoptr(GDateTime) local = NULL;

  if (when == NULL)
    return NULL;
  local = g_date_time_to_local (when);
  return g_date_time_format (local, "%H:%M");
}

static void
update_title (HdTechChatWindow *self)
{
  HdUser *customer = hd_chat_get_customer (self->chat);
  const char *name = customer ? hd_user_get_name (customer) : NULL;
  g_autofree char *title = NULL;
  g_autofree char *request_text = NULL;

  /* Translators: the chat window's title */
  title = g_strdup_printf (_("Chat with %s"), name ? name : _("a customer"));
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);

  if (self->request != NULL && hd_request_get_subject (self->request) != NULL)
    {
      const char *description = hd_request_get_description (self->request);

      request_text = g_strdup_printf (_("#%" PRId64 " %s"),
                                      hd_request_get_id (self->request),
                                      hd_request_get_subject (self->request));
      gtk_label_set_text (self->description_label, description ? description : "");
      gtk_widget_set_visible (GTK_WIDGET (self->description_label),
                              description != NULL && *description != '\0');
    }
  else
    request_text = g_strdup_printf (_("Request #%" PRId64),
                                    hd_chat_get_request_id (self->chat));

  /* Text from people goes through set_text, never markup. */
  gtk_label_set_text (self->request_label, request_text);
  adw_window_title_set_subtitle (self->window_title, request_text);
}

static void
update_state (HdTechChatWindow *self)
{
  g_autofree char *text = NULL;
  g_autofree char *time = NULL;

  if (self->transferred && hd_chat_get_state (self->chat) != HD_CHAT_STATE_ENDED)
    {
      HdUser *technician = hd_chat_get_technician (self->chat);

      if (technician != NULL)
        /* Translators: %s is the technician who has the chat now */
        text = g_strdup_printf (_("This chat was transferred to %s. Closing this window does not end it."),
                                hd_user_get_name (technician));
      else
        text = g_strdup (_("This chat went back to the team queue. Closing this window does not end it."));
      gtk_label_set_text (self->state_label, text);
      return;
    }

  switch (hd_chat_get_state (self->chat))
    {
    case HD_CHAT_STATE_WAITING:
      time = format_local_time (hd_chat_get_created_at (self->chat));
      text = time ? g_strdup_printf (_("Waiting since %s"), time) : g_strdup (_("Waiting"));
      break;
    case HD_CHAT_STATE_ACTIVE:
      time = format_local_time (hd_chat_get_accepted_at (self->chat));
      text = time ? g_strdup_printf (_("Chatting since %s · close this window to end the chat"), time)
                  : g_strdup (_("Chatting · close this window to end the chat"));
      break;
    case HD_CHAT_STATE_ENDED:
    default:
      time = format_local_time (hd_chat_get_ended_at (self->chat));
      text = time ? g_strdup_printf (_("Chat ended at %s"), time) : g_strdup (_("Chat ended"));
      if (hd_tech_end_reason_text (hd_chat_get_end_reason (self->chat)) != NULL)
        {
          g_autofree char *why = g_steal_pointer (&text);

          /* Translators: "Chat ended at 10:42 · Nobody answered in time" */
          text = g_strdup_printf (_("%s · %s"), why,
                                  hd_tech_end_reason_text (hd_chat_get_end_reason (self->chat)));
        }
      break;
    }

  gtk_label_set_text (self->state_label, text);
}

/* "★★★★☆ Great help": the customer's rating (contract v2), the comment
 * as plain text. */
static void
update_rating (HdTechChatWindow *self)
{
  int score = hd_chat_get_rating (self->chat);
  const char *comment = hd_chat_get_rating_comment (self->chat);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *accessible = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->rating_label), score > 0);
  if (score <= 0)
    return;
  for (int i = 1; i <= 5; i++)
    g_string_append (text, i <= score ? "★" : "☆");
  if (comment != NULL && *comment != '\0')
    g_string_append_printf (text, " %s", comment);
  gtk_label_set_text (self->rating_label, text->str);
  /* Translators: the rating for a screen reader; %d is 1 to 5 */
  accessible = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Rated %d star out of 5", "Rated %d stars out of 5", score), score);
  if (comment != NULL && *comment != '\0')
    {
      g_autofree char *with = g_strdup_printf ("%s: %s", accessible, comment);

      g_free (accessible);
      accessible = g_steal_pointer (&with);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->rating_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
}

static gboolean
chat_is_mine (HdTechChatWindow *self)
{
  HdUser *technician = hd_chat_get_technician (self->chat);
  HdUser *me = hd_session_get_user (self->session);

  return technician != NULL && me != NULL && hd_user_get_id (technician) == hd_user_get_id (me);
}

static void
update_actions (HdTechChatWindow *self)
{
  gboolean active = hd_chat_get_state (self->chat) == HD_CHAT_STATE_ACTIVE;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.transfer",
                                 active && !self->transferred && chat_is_mine (self));
  gtk_widget_set_sensitive (self->chat_view, !self->transferred);
  gtk_button_set_label (self->end_button, self->transferred ? _("Close") : _("End Chat"));
  if (self->transferred)
    gtk_widget_remove_css_class (GTK_WIDGET (self->end_button), "destructive-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->end_button), "destructive-action");
}

/* chat.transferred: someone (an admin, or this window's own dialog) moved
 * the chat away from me, or back to me. */
static void
chat_transferred_cb (HdSession        *session,
                     HdChat           *chat,
                     HdTechChatWindow *self)
{
  gboolean was = self->transferred;

  if (chat != self->chat)
    return;
  self->transferred = !(hd_chat_get_state (chat) == HD_CHAT_STATE_ACTIVE && chat_is_mine (self));
  update_state (self);
  update_actions (self);
  if (self->transferred && !was)
    hd_tech_chat_window_add_toast (self, gtk_label_get_text (self->state_label));
}

static void
transferred_by_me_cb (HdTechTransferDialog *dialog,
                      HdChat               *chat,
                      HdTechChatWindow     *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  HdUser *technician = hd_chat_get_technician (chat);
  g_autofree char *text = NULL;

  if (technician != NULL)
    /* Translators: %s is a technician's name */
    text = g_strdup_printf (_("Chat transferred to %s"), hd_user_get_name (technician));
  else
    text = g_strdup (_("Chat moved back to the team queue"));
  /* The chat goes on elsewhere: this window closes without ending it. */
  self->transferred = TRUE;
  if (HD_IS_TECH_APPLICATION (app))
    hd_tech_application_add_toast (HD_TECH_APPLICATION (app), text);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
transfer_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  HdTechChatWindow *self = HD_TECH_CHAT_WINDOW (widget);
  HdTechTransferDialog *dialog;

  if (self->transferred || hd_chat_get_state (self->chat) != HD_CHAT_STATE_ACTIVE)
    return;
  dialog = hd_tech_transfer_dialog_new (GTK_WINDOW (self), self->session, self->chat);
  g_signal_connect_object (dialog, "transferred", G_CALLBACK (transferred_by_me_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
chat_state_cb (HdTechChatWindow *self)
{
  gboolean ended = hd_chat_get_state (self->chat) == HD_CHAT_STATE_ENDED;

  update_state (self);
  update_actions (self);
  if (ended && !self->ending && !self->transferred)
    hd_tech_chat_window_add_toast (self, _("The chat has ended"));
}

static void
email_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(HdTechChatWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *sent_to = NULL;
  g_autofree char *text = NULL;

  self->emailing = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.email", TRUE);

  sent_to = hd_session_email_chat_finish (HD_SESSION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (sent_to != NULL)
    /* Translators: %s is an email address */
    text = g_strdup_printf (_("Transcript sent to %s"), sent_to);
  else
    text = g_strdup_printf (_("Could not email the transcript: %s"), error->message);

  hd_tech_chat_window_add_toast (self, text);
}

static void
email_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  HdTechChatWindow *self = HD_TECH_CHAT_WINDOW (widget);

  if (self->emailing)
    return;

  self->emailing = TRUE;
  gtk_widget_action_set_enabled (widget, "chat.email", FALSE);
  hd_session_email_chat_async (self->session,
                              hd_chat_get_id (self->chat),
                              self->cancellable, email_cb, g_object_ref (self));
}

static gboolean
destroy_idle_cb (gpointer data)
{
  gtk_window_destroy (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

/* Ends the chat and closes the window at once: the application keeps
 * the End call and reports its answer in the main window (no hidden
 * window waits for it: GTK 4.8's AT-SPI root crashes on one).  Destroyed
 * from an idle: the "End the Chat?" dialog may be in its response. */
static void
end_chat (HdTechChatWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (self->ending)
    return;
  self->ending = TRUE;
  if (HD_IS_TECH_APPLICATION (app))
    hd_tech_application_end_chat (HD_TECH_APPLICATION (app), self->session, self->chat);
  else
    hd_session_end_chat_async (self->session, hd_chat_get_id (self->chat), NULL, NULL, NULL);
  g_idle_add_full (G_PRIORITY_HIGH_IDLE, destroy_idle_cb, g_object_ref (self), g_object_unref);
}

static void
end_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  HdTechChatWindow *self = HD_TECH_CHAT_WINDOW (widget);

  if (hd_chat_get_state (self->chat) == HD_CHAT_STATE_ENDED || self->transferred)
    gtk_window_close (GTK_WINDOW (self));
  else
    end_chat (self);
}

static GSettings *
app_settings (HdTechChatWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return HD_IS_TECH_APPLICATION (app) ? hd_tech_application_get_settings (HD_TECH_APPLICATION (app)) : NULL;
}

static void
confirm_end_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         HdTechChatWindow *self)
{
  GtkCheckButton *dont_ask = GTK_CHECK_BUTTON (adw_message_dialog_get_extra_child (dialog));
  GSettings *settings = app_settings (self);

  self->confirming = NULL;
  if (g_strcmp0 (response, "end") != 0)
    return;
  if (settings != NULL && gtk_check_button_get_active (dont_ask))
    g_settings_set_boolean (settings, "confirm-end-chat", FALSE);
  end_chat (self);
}

/* The seed's rule: closing the window ends the chat.  The customer loses
 * the conversation then, so ask first, as the portal does (unless the
 * technician said not to). */
static void
confirm_end (HdTechChatWindow *self)
{
  HdUser *customer = hd_chat_get_customer (self->chat);
  g_autofree char *body = NULL;
  GtkWidget *dont_ask;

  if (self->confirming != NULL)
    {
      gtk_window_present (self->confirming);
      return;
    }
  /* Translators: %s is the customer's name */
  body = g_strdup_printf (_("Closing this window ends the chat with %s. The transcript stays on the request as a note."),
                          customer ? hd_user_get_name (customer) : _("the customer"));
  self->confirming = GTK_WINDOW (adw_message_dialog_new (GTK_WINDOW (self), _("End the Chat?"), body));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (self->confirming),
                                    "cancel", _("_Keep Chatting"),
                                    "end", _("_End Chat"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self->confirming), "end",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (self->confirming), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self->confirming), "cancel");
  dont_ask = gtk_check_button_new_with_mnemonic (_("_Don’t ask again"));
  gtk_widget_set_halign (dont_ask, GTK_ALIGN_CENTER);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (self->confirming), dont_ask);
  g_signal_connect_object (self->confirming, "response", G_CALLBACK (confirm_end_response_cb), self, 0);
  hd_accessible_fix_mnemonic_names (GTK_WIDGET (self->confirming));
  gtk_window_present (self->confirming);
}

static gboolean
hd_tech_chat_window_close_request (GtkWindow *window)
{
  HdTechChatWindow *self = HD_TECH_CHAT_WINDOW (window);
  GSettings *settings;

  if (self->ending)
    return FALSE;

  /* Transferred: the chat goes on with someone else; nothing to end. */
  if (self->transferred)
    return FALSE;

  if (hd_chat_get_state (self->chat) == HD_CHAT_STATE_ENDED)
    {
      g_signal_emit (self, signals[SIGNAL_CLOSED], 0,
                     hd_chat_get_id (self->chat), hd_chat_get_request_id (self->chat),
                     NULL);
      return FALSE;
    }

  settings = app_settings (self);
  if (settings == NULL || g_settings_get_boolean (settings, "confirm-end-chat"))
    confirm_end (self);
  else
    end_chat (self);
  return TRUE;
}

void
hd_tech_chat_window_add_toast (HdTechChatWindow *self,
                               const char       *text)
{
  g_return_if_fail (HD_IS_TECH_CHAT_WINDOW (self));
  hd_toast_overlay_add_text (self->toast_overlay, text);
}

HdChat *
hd_tech_chat_window_get_chat (HdTechChatWindow *self)
{
  g_return_val_if_fail (HD_IS_TECH_CHAT_WINDOW (self), NULL);
  return self->chat;
}

static void
hd_tech_chat_window_dispose (GObject *object)
{
  HdTechChatWindow *self = HD_TECH_CHAT_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->confirming != NULL)
    gtk_window_destroy (g_steal_pointer (&self->confirming));
  if (self->chat != NULL)
    g_signal_handlers_disconnect_by_data (self->chat, self);
  if (self->request != NULL)
    g_signal_handlers_disconnect_by_data (self->request, self);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);

  G_OBJECT_CLASS (hd_tech_chat_window_parent_class)->dispose (object);
}

static void
hd_tech_chat_window_finalize (GObject *object)
{
  HdTechChatWindow *self = HD_TECH_CHAT_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->chat);
  g_clear_object (&self->request);

  G_OBJECT_CLASS (hd_tech_chat_window_parent_class)->finalize (object);
}

/* Ready to type (and to type "/" for a canned response) when it shows.
 * Not earlier: a focus set before the window is mapped gives it the wrong
 * accessible role in GTK 4.8. */
static void
hd_tech_chat_window_map (GtkWidget *widget)
{
  HdTechChatWindow *self = HD_TECH_CHAT_WINDOW (widget);

  GTK_WIDGET_CLASS (hd_tech_chat_window_parent_class)->map (widget);
  if (self->chat_view != NULL && gtk_window_get_focus (GTK_WINDOW (self)) == NULL)
    gtk_widget_grab_focus (GTK_WIDGET (hd_chat_view_get_text_view (HD_CHAT_VIEW (self->chat_view))));
}

static void
hd_tech_chat_window_class_init (HdTechChatWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = hd_tech_chat_window_dispose;
  object_class->finalize = hd_tech_chat_window_finalize;
  window_class->close_request = hd_tech_chat_window_close_request;
  widget_class->map = hd_tech_chat_window_map;

  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_INT64, G_TYPE_INT64, G_TYPE_ERROR);

  gtk_widget_class_install_action (widget_class, "chat.email", NULL, email_action);
  gtk_widget_class_install_action (widget_class, "chat.end", NULL, end_action);
  gtk_widget_class_install_action (widget_class, "chat.transfer", NULL, transfer_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK, "chat.transfer", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "chat.email", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "chat.end", NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/helpdeskchat/Tech/hd-tech-chat-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HdTechChatWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HdTechChatWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, HdTechChatWindow, email_button);
  gtk_widget_class_bind_template_child (widget_class, HdTechChatWindow, request_label);
  gtk_widget_class_bind_template_child (widget_class, HdTechChatWindow, description_label);
  gtk_widget_class_bind_template_child (widget_class, HdTechChatWindow, state_label);
  gtk_widget_class_bind_template_child (widget_class, HdTechChatWindow, rating_label);
  gtk_widget_class_bind_template_child (widget_class, HdTechChatWindow, end_button);
  gtk_widget_class_bind_template_child (widget_class, HdTechChatWindow, chat_bin);
}

static void
hd_tech_chat_window_init (HdTechChatWindow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

HdTechChatWindow *
hd_tech_chat_window_new (GtkApplication *app,
                         HdSession      *session,
                         HdChat         *chat)
{
  HdTechChatWindow *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (HD_IS_SESSION (session), NULL);
  g_return_val_if_fail (HD_IS_CHAT (chat), NULL);

  self = g_object_new (HD_TYPE_TECH_CHAT_WINDOW, "application", app, NULL);
  self->session = g_object_ref (session);
  self->chat = g_object_ref (chat);
  /* The session's own object: filled in place if it is not loaded yet,
   * and kept current by the events. */
  self->request = g_object_ref (hd_session_get_request (session, hd_chat_get_request_id (chat)));
  g_signal_connect_swapped (self->request, "notify", G_CALLBACK (update_title), self);

  self->chat_view = hd_chat_view_new (session, chat);
  adw_bin_set_child (self->chat_bin, self->chat_view);
  hd_tech_canned_popover_attach (session, HD_CHAT_VIEW (self->chat_view));

  g_signal_connect_swapped (chat, "notify::state", G_CALLBACK (chat_state_cb), self);
  g_signal_connect_swapped (chat, "notify::end-reason", G_CALLBACK (update_state), self);
  g_signal_connect_swapped (chat, "notify::accepted-at", G_CALLBACK (update_state), self);
  g_signal_connect_swapped (chat, "notify::customer", G_CALLBACK (update_title), self);
  g_signal_connect_swapped (chat, "notify::technician", G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (chat, "notify::rating", G_CALLBACK (update_rating), self);
  g_signal_connect_swapped (chat, "notify::rating-comment", G_CALLBACK (update_rating), self);
  g_signal_connect (session, "chat-transferred", G_CALLBACK (chat_transferred_cb), self);

  update_title (self);
  update_state (self);
  update_actions (self);
  update_rating (self);

  return self;
}
