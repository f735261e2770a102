/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-notify"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <gsound.h>

#include "hd-tech-notify.h"

/* One sound context for the process (opened on first use). */
static GSoundContext *sound_context;
static gboolean sound_failed;

void
hd_tech_notify_sound (GSettings *settings)
{
  g_autoptr(GError) error = NULL;

  if (settings != NULL && !g_settings_get_boolean (settings, "notification-sound"))
    {
      g_debug ("sound off: message-new-instant skipped");
      return;
    }

  /* Read by the UI test (G_MESSAGES_DEBUG=hd-tech-notify). */
  g_debug ("playing message-new-instant");
  if (sound_failed)
    return;
  if (sound_context == NULL)
    {
      sound_context = gsound_context_new (NULL, &error);
      if (sound_context == NULL)
        {
          g_debug ("no sound: %s", error->message);
          sound_failed = TRUE;
          return;
        }
    }

  if (!gsound_context_play_simple (sound_context, NULL, &error,
                                   GSOUND_ATTR_EVENT_ID, "message-new-instant",
                                   GSOUND_ATTR_EVENT_DESCRIPTION, _("New chat message"),
                                   NULL))
    g_debug ("could not play message-new-instant: %s", error->message);
}

static char *
chat_notification_id (gint64 chat_id)
{
  return g_strdup_printf ("message-%" G_GINT64_FORMAT, chat_id);
}

void
hd_tech_notify_message (GApplication *app,
                        HdMessage    *message)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = chat_notification_id (hd_message_get_chat_id (message));
  g_autofree char *body = NULL;
  HdUser *author = hd_message_get_author (message);
  const char *text = hd_message_get_body (message);
  g_autofree char *summary = NULL;

  /* Translators: the title of a new chat message's notification */
  summary = g_strdup_printf (_("Message from %s"),
                             author ? hd_user_get_name (author) : _("a customer"));
  if (text == NULL || *text == '\0')
    text = hd_message_get_attachment (message) ? _("Sent an attachment") : "";
  body = g_markup_escape_text (text, -1);

  notification = g_notification_new (summary);
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action_and_target (notification, "app.open-chat", "x",
                                                hd_message_get_chat_id (message));
  g_application_send_notification (app, id, notification);
}

void
hd_tech_notify_withdraw_chat (GApplication *app,
                              gint64        chat_id)
{
  g_autofree char *id = chat_notification_id (chat_id);

  g_application_withdraw_notification (app, id);
}

char *
hd_tech_notify_chat_body (HdTechChatNotice  notice,
                          HdChat           *chat,
                          HdRequest        *request)
{
  g_autofree char *name = NULL;
  g_autofree char *about = NULL;
  HdUser *customer;

  g_return_val_if_fail (HD_IS_CHAT (chat), NULL);
  g_return_val_if_fail (request == NULL || HD_IS_REQUEST (request), NULL);

  /* Some notification servers parse markup in the body: escape what
   * people typed. */
  customer = hd_chat_get_customer (chat);
  name = g_markup_escape_text (customer ? hd_user_get_name (customer) : _("A customer"), -1);
  if (request != NULL)
    {
      g_autofree char *subject = g_markup_escape_text (hd_request_get_subject (request), -1);

      about = g_strdup_printf ("#%" G_GINT64_FORMAT " %s", hd_request_get_id (request), subject);
    }
  else
    about = g_strdup_printf ("#%" G_GINT64_FORMAT, hd_chat_get_request_id (chat));

  switch (notice)
    {
    case HD_TECH_CHAT_NOTICE_REQUESTED:
      /* Translators: "Carol Customer wants to chat about #1 Printer offline" */
      return g_strdup_printf (_("%s wants to chat about %s"), name, about);
    case HD_TECH_CHAT_NOTICE_TRANSFERRED:
    default:
      /* Translators: "Chat with Carol Customer about #1 Printer offline" */
      return g_strdup_printf (_("Chat with %s about %s"), name, about);
    }
}

void
hd_tech_notify_transfer (GApplication *app,
                         HdChat       *chat,
                         HdRequest    *request)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = chat_notification_id (hd_chat_get_id (chat));
  g_autofree char *body = hd_tech_notify_chat_body (HD_TECH_CHAT_NOTICE_TRANSFERRED, chat, request);

  notification = g_notification_new (_("Chat Transferred to You"));
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action_and_target (notification, "app.open-chat", "x",
                                                hd_chat_get_id (chat));
  g_notification_add_button_with_target (notification, _("Open Chat"), "app.open-chat",
                                         "x", hd_chat_get_id (chat));
  g_application_send_notification (app, id, notification);
}

void
hd_tech_notify_note (GApplication *app,
                     HdNote       *note,
                     HdRequest    *request)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = g_strdup_printf ("note-%" PRId64, hd_note_get_request_id (note));
  g_autofree char *summary = NULL;
  g_autofree char *text = NULL;
  g_autofree char *body = NULL;
  HdUser *author = hd_note_get_author (note);
  const char *subject = request ? hd_request_get_subject (request) : NULL;

  /* Translators: the title of the notification for a note left on a
   * request; %s is the author's name */
  summary = g_strdup_printf (_("Note from %s"),
                             author ? hd_user_get_name (author) : _("a customer"));
  if (subject != NULL && *subject != '\0')
    /* Translators: a note's notification: request number, subject, the note */
    text = g_strdup_printf (_("#%" PRId64 " %s: %s"), hd_note_get_request_id (note),
                            subject, hd_note_get_body (note));
  else
    /* Translators: a note's notification: request number, the note */
    text = g_strdup_printf (_("#%" PRId64 ": %s"), hd_note_get_request_id (note),
                            hd_note_get_body (note));
  body = g_markup_escape_text (text, -1);

  notification = g_notification_new (summary);
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.open-request", "x",
                                                hd_note_get_request_id (note));
  g_application_send_notification (app, id, notification);
}
