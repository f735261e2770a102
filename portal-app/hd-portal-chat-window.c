/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-portal"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "hd-portal-util.h"
#include "hd-portal-chat-window.h"
#include "hd-portal-dialogs.h"
#include "hd-portal-rating.h"
#include "hd-error.h"

struct _HdPortalChatWindow
{
  AdwWindow        parent_instance;

  /* template */
  AdwWindowTitle  *window_title;
  GtkButton       *email_button;
  GtkRevealer     *ended_revealer;
  GtkLabel        *ended_label;
  GtkRevealer     *reconnect_revealer;
  AdwToastOverlay *toast_overlay;
  GtkStack        *state_stack;
  AdwStatusPage   *waiting_page;
  GtkSpinner      *waiting_spinner;
  AdwBin          *chat_bin;
  GtkWidget       *leave_button;
  GtkWidget       *cancel_button;
  GtkRevealer     *rating_revealer;
  HdPortalRating  *rating;

  HdSession       *session;
  HdChat          *chat;
  GtkWidget       *chat_view;
  GCancellable    *cancellable;
  gboolean         ending;
  gboolean         close_after_end;
  gboolean         withdrawn;       /* the customer ended it while it waited */
  gboolean         rating_skipped;
  gboolean         rating_busy;
};

G_DEFINE_FINAL_TYPE (HdPortalChatWindow, hd_portal_chat_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_CHAT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Whom the customer is waiting for: the named technician (looked up among
 * the people the request offers), else the team. */
static char *
dup_partner_name (HdPortalChatWindow *self)
{
  HdUser *tech = hd_chat_get_technician (self->chat);
  HdRequest *request;

  if (tech != NULL)
    return g_strdup (hd_user_get_name (tech));

  request = hd_session_lookup_request (self->session, hd_chat_get_request_id (self->chat));
  if (request != NULL && g_strcmp0 (hd_chat_get_target_kind (self->chat), "technician") == 0)
    {
      GListModel *techs = hd_request_get_technicians (request);
      HdUser *assignee = hd_request_get_assignee (request);
      gint64 target = hd_chat_get_target_id (self->chat);

      if (assignee != NULL && hd_user_get_id (assignee) == target)
        return g_strdup (hd_user_get_name (assignee));
      for (guint i = 0; i < g_list_model_get_n_items (techs); i++)
        {
          g_autoptr(HdUser) user = g_list_model_get_item (techs, i);

          if (hd_user_get_id (user) == target)
            return g_strdup (hd_user_get_name (user));
        }
    }
  if (request != NULL && hd_request_get_team_name (request) != NULL)
    /* Translators: %s is a team's name, "Waiting for the Service Desk team…" */
    return g_strdup_printf (_("the %s team"), hd_request_get_team_name (request));

  return g_strdup (_("a technician"));
}

static char *dup_queue_text (HdChat *chat);

static void
update_state (HdPortalChatWindow *self)
{
  HdChatState state;
  g_autofree char *partner = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  HdRequest *request;

  if (self->chat == NULL || self->session == NULL)
    return;

  state = hd_chat_get_state (self->chat);
  /* Withdrawing is for a waiting chat only: an ended one shows no Cancel. */
  gtk_widget_set_visible (self->cancel_button, state == HD_CHAT_STATE_WAITING);
  partner = dup_partner_name (self);
  request = hd_session_lookup_request (self->session, hd_chat_get_request_id (self->chat));

  /* Translators: %s is a technician's name */
  title = g_strdup_printf (_("Chat with %s"), partner);
  adw_window_title_set_title (self->window_title, title);
  gtk_window_set_title (GTK_WINDOW (self), title);
  if (request != NULL)
    /* Translators: "Request #1: Printer offline" */
    subtitle = g_strdup_printf (_("Request #%" PRId64 ": %s"),
                                hd_request_get_id (request),
                                hd_request_get_subject (request));
  adw_window_title_set_subtitle (self->window_title, subtitle ? subtitle : "");

  switch (state)
    {
    case HD_CHAT_STATE_WAITING:
      {
        /* Translators: %s is a technician's name */
        g_autofree char *waiting = g_strdup_printf (_("Waiting for %s to accept…"), partner);

        g_autofree char *where = dup_queue_text (self->chat);

        adw_status_page_set_title (self->waiting_page, waiting);
        adw_status_page_set_description (self->waiting_page, where);
        gtk_widget_set_visible (self->leave_button, FALSE);
        gtk_stack_set_visible_child_name (self->state_stack, "waiting");
        gtk_spinner_set_spinning (self->waiting_spinner, TRUE);
        gtk_revealer_set_reveal_child (self->ended_revealer, FALSE);
        gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.cancel", !self->ending);
        gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.end", !self->ending);
        gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.email", FALSE);
        gtk_widget_set_visible (GTK_WIDGET (self->email_button), FALSE);
      }
      break;

    case HD_CHAT_STATE_ACTIVE:
      gtk_spinner_set_spinning (self->waiting_spinner, FALSE);
      if (g_strcmp0 (gtk_stack_get_visible_child_name (self->state_stack), "chat") != 0)
        {
          gtk_stack_set_visible_child_name (self->state_stack, "chat");
          gtk_widget_grab_focus (GTK_WIDGET (hd_chat_view_get_text_view (HD_CHAT_VIEW (self->chat_view))));
        }
      gtk_revealer_set_reveal_child (self->ended_revealer, FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.cancel", FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.end", !self->ending);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.email", TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->email_button), TRUE);
      break;

    case HD_CHAT_STATE_ENDED:
    default:
      {
        gboolean accepted = hd_chat_get_accepted_at (self->chat) != NULL;
        gboolean offer_message = FALSE;
        g_autofree char *ended_title = NULL;
        g_autofree char *text = hd_portal_chat_end_text (hd_chat_get_end_reason (self->chat), accepted,
                                                         self->withdrawn, partner, &ended_title,
                                                         &offer_message);

        gtk_spinner_set_spinning (self->waiting_spinner, FALSE);
        gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.cancel", FALSE);
        gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.end", FALSE);
        gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.email", accepted);
        gtk_widget_set_visible (GTK_WIDGET (self->email_button), accepted);
        if (accepted)
          {
            gtk_stack_set_visible_child_name (self->state_stack, "chat");
            gtk_label_set_text (self->ended_label, text);
            /* Once, skippable; a rating given elsewhere shows as given. */
            if (hd_chat_get_rating (self->chat) > 0)
              hd_portal_rating_show_done (self->rating, hd_chat_get_rating (self->chat),
                                          hd_chat_get_rating_comment (self->chat));
            gtk_revealer_set_reveal_child (self->rating_revealer, !self->rating_skipped);
          }
        else
          {
            /* Nobody took it: say why, kindly, and where there is
             * someone to reach, offer the other way. */
            adw_status_page_set_title (self->waiting_page, ended_title);
            adw_status_page_set_description (self->waiting_page, text);
            gtk_widget_set_visible (self->leave_button, offer_message);
            gtk_stack_set_visible_child_name (self->state_stack, "waiting");
            gtk_label_set_text (self->ended_label, _("The chat has ended."));
          }
      }
      gtk_revealer_set_reveal_child (self->ended_revealer, TRUE);
      break;
    }
}

/* Where a waiting customer stands: "You are number 2 in the queue.
 * Expected wait: about 3 minutes." */
static char *
dup_queue_text (HdChat *chat)
{
  gint64 position = hd_chat_get_queue_position (chat);
  gint64 wait = hd_chat_get_estimated_wait (chat);
  GString *out = g_string_new (NULL);

  if (position == 1)
    g_string_append (out, _("You are next in the queue."));
  else if (position > 1)
    g_string_append_printf (out, g_dngettext (NULL,
                                              /* Translators: the number is always 2 or more */
                                              "You are number %d in the queue.",
                                              "You are number %d in the queue.",
                                              (gulong) position), (int) position);
  if (wait >= 0)
    {
      gint64 minutes = (wait + 59) / 60;

      if (out->len > 0)
        g_string_append_c (out, ' ');
      if (wait < 60)
        g_string_append (out, _("Expected wait: less than a minute."));
      else
        g_string_append_printf (out, g_dngettext (NULL, "Expected wait: about %d minute.",
                                                  "Expected wait: about %d minutes.", (gulong) minutes),
                                (int) minutes);
    }
  if (out->len > 0)
    g_string_append_c (out, ' ');
  g_string_append (out, _("You can leave this window open; you will be told when the chat starts."));
  return g_string_free (out, FALSE);
}

static void
rated_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(HdPortalChatWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdChat) chat = hd_session_chat_finish (HD_SESSION (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->rating_busy = FALSE;
  hd_portal_rating_set_busy (self->rating, FALSE);
  if (chat == NULL)
    {
      g_autofree char *why = hd_error_dup_text (error);
      /* Translators: %s says why */
      g_autofree char *text = g_strdup_printf (_("Your rating was not sent: %s"), why);
      hd_portal_rating_show_error (self->rating, text);
      return;
    }
  hd_portal_rating_show_error (self->rating, NULL);
  hd_portal_rating_show_done (self->rating, hd_chat_get_rating (chat), hd_chat_get_rating_comment (chat));
}

static void
rate_cb (HdPortalChatWindow *self,
         int                 score,
         const char         *comment)
{
  if (self->rating_busy)
    return;
  self->rating_busy = TRUE;
  hd_portal_rating_set_busy (self->rating, TRUE);
  hd_session_rate_chat_async (self->session, hd_chat_get_id (self->chat), score, comment,
                              self->cancellable, rated_cb, g_object_ref (self));
}

static void
skip_rating_cb (HdPortalChatWindow *self)
{
  self->rating_skipped = TRUE;
  gtk_revealer_set_reveal_child (self->rating_revealer, FALSE);
}

static void
leave_message_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  HdPortalChatWindow *self = HD_PORTAL_CHAT_WINDOW (widget);
  HdRequest *request = hd_session_get_request (self->session, hd_chat_get_request_id (self->chat));
  GtkWidget *dialog = hd_portal_message_dialog_new (GTK_WINDOW (self), self->session, request);

  g_signal_connect_object (dialog, "done", G_CALLBACK (gtk_window_destroy), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
update_connection (HdPortalChatWindow *self)
{
  gtk_revealer_set_reveal_child (self->reconnect_revealer,
                                 hd_session_get_state (self->session) == HD_CONNECTION_RECONNECTING);
}

static void
email_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(HdPortalChatWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *sent_to = NULL;
  g_autofree char *text = NULL;

  sent_to = hd_session_email_chat_finish (HD_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_widget_set_sensitive (GTK_WIDGET (self->email_button), TRUE);
  if (sent_to == NULL)
    {
      g_autofree char *why = hd_error_dup_text (error);
      /* Translators: %s is the reason */
      text = g_strdup_printf (_("The transcript could not be sent: %s"), why);
    }
  else
    /* Translators: %s is an email address */
    text = g_strdup_printf (_("Transcript sent to you at %s"), sent_to);

  hd_toast_overlay_add_text (self->toast_overlay, text);
}

static void
email_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  HdPortalChatWindow *self = HD_PORTAL_CHAT_WINDOW (widget);

  gtk_widget_set_sensitive (GTK_WIDGET (self->email_button), FALSE);
  hd_session_email_chat_async (self->session,
                              hd_chat_get_id (self->chat),
                              self->cancellable,
                              email_cb,
                              g_object_ref (self));
}

static void
end_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(HdPortalChatWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdChat) chat = NULL;

  chat = hd_session_chat_finish (HD_SESSION (source), result, &error);
  self->ending = FALSE;

  /* It ended anyway (the technician was quicker): nothing to report. */
  if (chat == NULL && !g_error_matches (error, HD_ERROR, HD_ERROR_CHAT_ENDED))
    {
      g_autofree char *text = NULL;
      g_autofree char *why = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      why = hd_error_dup_text (error);
      /* Translators: %s is the reason */
      text = g_strdup_printf (_("The chat could not be ended: %s"), why);
      hd_toast_overlay_add_text (self->toast_overlay, text);
      self->close_after_end = FALSE;
      update_state (self);
      return;
    }

  if (self->close_after_end)
    gtk_window_destroy (GTK_WINDOW (self));
  else
    update_state (self);
}

static void
end_chat (HdPortalChatWindow *self,
          gboolean            close_after)
{
  if (self->ending)
    return;

  if (hd_chat_get_state (self->chat) == HD_CHAT_STATE_WAITING)
    self->withdrawn = TRUE;
  self->ending = TRUE;
  self->close_after_end = close_after;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.cancel", FALSE);
  /* Not self->cancellable: closing the window must not cancel the end. */
  hd_session_end_chat_async (self->session,
                             hd_chat_get_id (self->chat),
                             NULL,
                             end_cb,
                             g_object_ref (self));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  end_chat (HD_PORTAL_CHAT_WINDOW (widget), FALSE);
}

static void
end_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  end_chat (HD_PORTAL_CHAT_WINDOW (widget), FALSE);
}

static void
confirm_end_response_cb (AdwMessageDialog   *dialog,
                         const char         *response,
                         HdPortalChatWindow *self)
{
  if (g_strcmp0 (response, "end") == 0)
    end_chat (self, TRUE);
}

static gboolean
hd_portal_chat_window_close_request (GtkWindow *window)
{
  HdPortalChatWindow *self = HD_PORTAL_CHAT_WINDOW (window);
  GtkWidget *dialog;

  if (self->chat == NULL || self->ending)
    return GTK_WINDOW_CLASS (hd_portal_chat_window_parent_class)->close_request (window);

  switch (hd_chat_get_state (self->chat))
    {
    case HD_CHAT_STATE_WAITING:
      /* Closing the waiting window withdraws the request, as Cancel does. */
      end_chat (self, TRUE);
      return TRUE;

    case HD_CHAT_STATE_ACTIVE:
      dialog = adw_message_dialog_new (window, _("End the Chat?"),
                                       _("The transcript stays on the request as a note."));
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                        "cancel", _("_Keep Chatting"),
                                        "end", _("_End Chat"),
                                        NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "end",
                                                  ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
      g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_end_response_cb), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return TRUE;

    case HD_CHAT_STATE_ENDED:
    default:
      return GTK_WINDOW_CLASS (hd_portal_chat_window_parent_class)->close_request (window);
    }
}

/* chat.transferred (contract v2): the technician handed the chat on. */
static void
chat_transferred_cb (HdPortalChatWindow *self,
                     HdChat             *chat)
{
  HdUser *technician = hd_chat_get_technician (chat);
  g_autofree char *text = NULL;

  if (chat != self->chat || hd_chat_get_state (chat) == HD_CHAT_STATE_ENDED)
    return;
  if (hd_chat_get_state (chat) == HD_CHAT_STATE_ACTIVE && technician != NULL)
    /* Translators: %s is a technician's name */
    text = g_strdup_printf (_("You are now chatting with %s"), hd_user_get_name (technician));
  else
    text = g_strdup (_("Your chat was passed to the team. Someone will be with you shortly."));
  hd_toast_overlay_add_text (self->toast_overlay, text);
}

static void
hd_portal_chat_window_constructed (GObject *object)
{
  HdPortalChatWindow *self = HD_PORTAL_CHAT_WINDOW (object);

  G_OBJECT_CLASS (hd_portal_chat_window_parent_class)->constructed (object);

  g_return_if_fail (self->session != NULL && self->chat != NULL);

  self->chat_view = hd_chat_view_new (self->session, self->chat);
  gtk_widget_set_vexpand (self->chat_view, TRUE);
  adw_bin_set_child (self->chat_bin, self->chat_view);

  g_signal_connect_object (self->chat, "notify", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::state", G_CALLBACK (update_connection), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "chat-transferred", G_CALLBACK (chat_transferred_cb), self, G_CONNECT_SWAPPED);
  update_state (self);
  update_connection (self);
}

static void
hd_portal_chat_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  HdPortalChatWindow *self = HD_PORTAL_CHAT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_CHAT:
      g_value_set_object (value, self->chat);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_portal_chat_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  HdPortalChatWindow *self = HD_PORTAL_CHAT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_CHAT:
      self->chat = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_portal_chat_window_dispose (GObject *object)
{
  HdPortalChatWindow *self = HD_PORTAL_CHAT_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), HD_TYPE_PORTAL_CHAT_WINDOW);
  g_clear_object (&self->chat);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (hd_portal_chat_window_parent_class)->dispose (object);
}

static void
hd_portal_chat_window_class_init (HdPortalChatWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  g_type_ensure (HD_TYPE_PORTAL_RATING);

  object_class->constructed = hd_portal_chat_window_constructed;
  object_class->get_property = hd_portal_chat_window_get_property;
  object_class->set_property = hd_portal_chat_window_set_property;
  object_class->dispose = hd_portal_chat_window_dispose;
  window_class->close_request = hd_portal_chat_window_close_request;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, HD_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHAT] =
    g_param_spec_object ("chat", NULL, NULL, HD_TYPE_CHAT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/helpdeskchat/Portal/hd-portal-chat-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HdPortalChatWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, HdPortalChatWindow, email_button);
  gtk_widget_class_bind_template_child (widget_class, HdPortalChatWindow, ended_revealer);
  gtk_widget_class_bind_template_child (widget_class, HdPortalChatWindow, ended_label);
  gtk_widget_class_bind_template_child (widget_class, HdPortalChatWindow, reconnect_revealer);
  gtk_widget_class_bind_template_child (widget_class, HdPortalChatWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HdPortalChatWindow, state_stack);
  gtk_widget_class_bind_template_child (widget_class, HdPortalChatWindow, waiting_page);
  gtk_widget_class_bind_template_child (widget_class, HdPortalChatWindow, waiting_spinner);
  gtk_widget_class_bind_template_child (widget_class, HdPortalChatWindow, chat_bin);
  gtk_widget_class_bind_template_child (widget_class, HdPortalChatWindow, leave_button);
  gtk_widget_class_bind_template_child (widget_class, HdPortalChatWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, HdPortalChatWindow, rating_revealer);
  gtk_widget_class_bind_template_child (widget_class, HdPortalChatWindow, rating);
  gtk_widget_class_bind_template_callback (widget_class, rate_cb);
  gtk_widget_class_bind_template_callback (widget_class, skip_rating_cb);
  gtk_widget_class_install_action (widget_class, "chat.leave-message", NULL, leave_message_action);

  gtk_widget_class_install_action (widget_class, "chat.email", NULL, email_action);
  gtk_widget_class_install_action (widget_class, "chat.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "chat.end", NULL, end_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "chat.end", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "chat.email", NULL);
}

static void
hd_portal_chat_window_init (HdPortalChatWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  hd_accessible_fix_mnemonic_names (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  hd_stack_hide_inactive_pages (self->state_stack);
  hd_revealer_hide_when_closed (self->ended_revealer);
  hd_revealer_hide_when_closed (self->reconnect_revealer);
  hd_revealer_hide_when_closed (self->rating_revealer);
}

HdPortalChatWindow *
hd_portal_chat_window_new (GtkApplication *application,
                           HdSession      *session,
                           HdChat         *chat)
{
  return g_object_new (HD_TYPE_PORTAL_CHAT_WINDOW,
                       "application", application,
                       "session", session,
                       "chat", chat,
                       NULL);
}

HdChat *
hd_portal_chat_window_get_chat (HdPortalChatWindow *self)
{
  g_return_val_if_fail (HD_IS_PORTAL_CHAT_WINDOW (self), NULL);

  return self->chat;
}
