/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-application"

#include <glib/gi18n.h>

#include "hd-error.h"

#include "hd-tech-application.h"
#include "hd-tech-chat-window.h"
#include "hd-tech-idle.h"
#include "hd-tech-notify.h"
#include "hd-tech-preferences-window.h"
#include "hd-tech-window.h"

struct _HdTechApplication
{
  AdwApplication  parent_instance;

  /* --server, else the GSettings key; NULL: the login dialog asks. */
  char           *server_url;
  gboolean        server_from_command_line;
  GSettings      *settings;

  HdSession      *session;
  GCancellable   *cancellable;
  HdTechWindow   *main_window;      /* weak */
  GtkWindow      *preferences;      /* weak */
  GtkWindow      *login_dialog;     /* weak */
  HdChatWindows  *chat_windows;
  /* When the application object was made (start of main()), for the
   * "first window drawn after N ms" debug line. */
  gint64          started_us;
  gboolean        restore_after_paint;  /* first_paint_cb starts the restore */
  /* chat ids this user is accepting: a chat.taken for one of them by
   * someone else is worth a "Taken by …" toast. */
  GHashTable     *accepting;
  /* chat id → HdChat of chats that left the queue because someone took
   * them, so a late Accept (a stale notification) can say who. */
  GHashTable     *taken;
  /* Presence from the desktop (idle, locked) → PATCH /me away. */
  HdTechIdle     *idle;
  /* Whether "still running" was said after the main window closed. */
  gboolean        told_running;
  /* Logged in with no main window: the application holds itself (it
   * keeps its socket and notifications; the window is rebuilt when
   * asked).  Never a hidden toplevel: GTK 4.8's AT-SPI root crashes on
   * one (doc/CONTRIBUTING.md, "No hidden toplevel windows"). */
  gboolean        held;
  /* chat id → unread count: messages that came while the chat's window
   * was not focused.  Here, not in the main window, which comes and goes. */
  GHashTable     *unread;
  /* chat ids whose End call is on its way (their windows are gone). */
  GHashTable     *ending;
  /* --background (Start at Login, started hidden): the first activate
   * opens no window; in_background until a main window is built. */
  gboolean        start_hidden;
  gboolean        in_background;
};

G_DEFINE_FINAL_TYPE (HdTechApplication, hd_tech_application, ADW_TYPE_APPLICATION)

static void show_login (HdTechApplication *self);

static gint64 *
int64_dup (gint64 value)
{
  return g_memdup2 (&value, sizeof value);
}

HdTechApplication *
hd_tech_application_new (void)
{
  return g_object_new (HD_TYPE_TECH_APPLICATION,
                       "application-id", HD_APP_ID_TECH,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/com/helpdeskchat/Tech",
                       NULL);
}

HdSession *
hd_tech_application_get_session (HdTechApplication *self)
{
  g_return_val_if_fail (HD_IS_TECH_APPLICATION (self), NULL);
  return self->session;
}

const char *
hd_tech_application_get_server_url (HdTechApplication *self)
{
  g_return_val_if_fail (HD_IS_TECH_APPLICATION (self), NULL);
  return self->server_url;
}

GSettings *
hd_tech_application_get_settings (HdTechApplication *self)
{
  g_return_val_if_fail (HD_IS_TECH_APPLICATION (self), NULL);
  return self->settings;
}

static void
save_window_state (HdTechApplication *self,
                   GtkWindow         *window)
{
  int width, height;

  if (self->settings == NULL)
    return;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  if (!gtk_window_is_maximized (window) && width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
}

/* Never miss a chat: while logged in, closing the main window destroys
 * it but the application holds itself, so its socket (and the technician
 * online) and its notifications go on; launching the app again or a
 * notification builds the window anew from the session; "Quit" in the
 * menu really quits.  Not hidden: GTK 4.8's AT-SPI root crashes on a
 * hidden toplevel (hd_app_use_lazy_help_overlay). */
static gboolean
main_window_close_request_cb (GtkWindow         *window,
                              HdTechApplication *self)
{
  save_window_state (self, window);
  if (self->session == NULL)
    return FALSE;

  if (!self->held)
    {
      self->held = TRUE;
      g_application_hold (G_APPLICATION (self));
    }
  if (!self->told_running)
    {
      g_autoptr(GNotification) notification =
        g_notification_new (_("Helpdesk Chat Is Still Running"));

      self->told_running = TRUE;
      g_notification_set_body (notification,
                               _("Chat requests will still reach you. Choose “Quit” in the main menu to stop receiving them."));
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_LOW);
      g_notification_set_default_action (notification, "app.show-queue");
      g_application_send_notification (G_APPLICATION (self), "running", notification);
    }
  return FALSE;
}

static gboolean start_restore_cb (gpointer data);

static void
first_paint_cb (GdkFrameClock     *clock,
                HdTechApplication *self)
{
  gint64 now = g_get_monotonic_time ();
  const char *bench = g_getenv ("HD_BENCH_FIRST_FRAME");

  if (!hd_app_has_painted ())
    return;  /* a frame before the window was mapped: nothing drawn */
  g_signal_handlers_disconnect_by_func (clock, first_paint_cb, self);
  /* Read by the UI test (G_MESSAGES_DEBUG=hd-tech-application). */
  g_debug ("first window drawn %.1f ms after start", (now - self->started_us) / 1000.0);
  self->started_us = 0;
  /* tests/bench/startup, as hd_app_after_first_frame () does. */
  if (bench != NULL)
    {
      g_print ("hd-first-frame %" G_GINT64_FORMAT "\n", now);
      fflush (stdout);
      if (g_str_equal (bench, "quit"))
        g_application_quit (G_APPLICATION (self));
    }
  /* Not an idle: while the loading spinner animates, slow frames (GL in
   * software) keep the frame clock busy and starve idles — GTK's own
   * AT-SPI registration among them — until something stops the spinner:
   * the restore's answer. */
  if (self->restore_after_paint)
    g_timeout_add_full (G_PRIORITY_DEFAULT, 0, start_restore_cb, g_object_ref (self), NULL);
}

static void
main_window_map_cb (GtkWidget         *window,
                    HdTechApplication *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_handlers_disconnect_by_func (window, main_window_map_cb, self);
  hd_app_has_painted ();
  if (clock != NULL)
    g_signal_connect (clock, "after-paint", G_CALLBACK (first_paint_cb), self);
}

GtkWindow *
hd_tech_application_get_main_window (HdTechApplication *self)
{
  g_return_val_if_fail (HD_IS_TECH_APPLICATION (self), NULL);

  if (self->main_window == NULL)
    {
      self->main_window = hd_tech_window_new (self);
      g_object_add_weak_pointer (G_OBJECT (self->main_window), (gpointer *) &self->main_window);
      g_signal_connect_object (self->main_window, "close-request",
                               G_CALLBACK (main_window_close_request_cb), self, 0);
      if (self->started_us != 0)
        g_signal_connect (self->main_window, "map", G_CALLBACK (main_window_map_cb), self);

      if (self->settings != NULL)
        {
          gtk_window_set_default_size (GTK_WINDOW (self->main_window),
                                       g_settings_get_int (self->settings, "window-width"),
                                       g_settings_get_int (self->settings, "window-height"));
          if (g_settings_get_boolean (self->settings, "window-maximized"))
            gtk_window_maximize (GTK_WINDOW (self->main_window));
        }

      if (self->session != NULL)
        {
          GHashTableIter iter;
          gpointer key, value;

          hd_tech_window_set_session (self->main_window, self->session);
          g_hash_table_iter_init (&iter, self->unread);
          while (g_hash_table_iter_next (&iter, &key, &value))
            hd_tech_window_set_unread (self->main_window, *(gint64 *) key, GPOINTER_TO_UINT (value));
        }
      else if (self->login_dialog == NULL && self->cancellable == NULL && !self->restore_after_paint)
        hd_tech_window_show_signed_out (self->main_window);

      self->in_background = FALSE;
      /* The window holds the application now (GtkApplication does). */
      if (self->held)
        {
          self->held = FALSE;
          g_application_release (G_APPLICATION (self));
        }
    }

  return GTK_WINDOW (self->main_window);
}

/* A toast in the main window, shown if it was closed: never a main
 * window built and left unshown. */
static void
main_window_toast (HdTechApplication *self,
                   const char        *text)
{
  gboolean shown = self->main_window != NULL &&
                   gtk_widget_get_visible (GTK_WIDGET (self->main_window));
  GtkWindow *window = hd_tech_application_get_main_window (self);

  if (!shown)
    gtk_window_present (window);
  hd_tech_window_add_toast (HD_TECH_WINDOW (window), text);
}

void
hd_tech_application_add_toast (HdTechApplication *self,
                               const char        *text)
{
  g_return_if_fail (HD_IS_TECH_APPLICATION (self));
  main_window_toast (self, text);
}

GtkWindow *
hd_tech_application_lookup_chat_window (HdTechApplication *self,
                                        gint64             chat_id)
{
  g_return_val_if_fail (HD_IS_TECH_APPLICATION (self), NULL);
  return hd_chat_windows_lookup (self->chat_windows, chat_id);
}

/* --- chats ------------------------------------------------------------ */

/* A chat of mine ended (by me, or its window closed after it ended):
 * the main window says where the transcript went. */
static void
report_chat_ended (HdTechApplication *self,
                   gint64             request_id,
                   const GError      *error)
{
  HdTechWindow *main_window;

  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not end the chat: %s"), error->message);
      main_window_toast (self, text);
      return;
    }

  main_window = HD_TECH_WINDOW (hd_tech_application_get_main_window (self));
  /* The main window may have been closed while the chat went on. */
  if (!gtk_widget_get_visible (GTK_WIDGET (main_window)))
    gtk_window_present (GTK_WINDOW (main_window));
  hd_tech_window_show_chat_ended (main_window, request_id);
}

static void
chat_window_closed_cb (HdTechChatWindow  *window,
                       gint64             chat_id,
                       gint64             request_id,
                       const GError      *error,
                       HdTechApplication *self)
{
  report_chat_ended (self, request_id, error);
}

typedef struct {
  HdTechApplication *self;
  HdSession         *session;
  gint64             chat_id;
  gint64             request_id;
} EndData;

static void
end_chat_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  EndData *data = user_data;
  g_autoptr(HdTechApplication) self = data->self;
  g_autoptr(HdSession) session = data->session;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdChat) chat = NULL;
  gint64 request_id = data->request_id;

  g_hash_table_remove (self->ending, &data->chat_id);
  g_free (data);
  g_application_release (G_APPLICATION (self));

  chat = hd_session_chat_finish (HD_SESSION (object), result, &error);
  /* Someone else (the customer) ending it first is no failure: the
   * transcript note is saved all the same. */
  if (chat == NULL && g_error_matches (error, HD_ERROR, HD_ERROR_CHAT_ENDED))
    g_clear_error (&error);
  /* A session logged out meanwhile (or a window not opened by the app)
   * has nobody to tell. */
  if (session == self->session)
    report_chat_ended (self, request_id, error);
}

void
hd_tech_application_end_chat (HdTechApplication *self,
                              HdSession         *session,
                              HdChat            *chat)
{
  EndData *data;
  gint64 chat_id;

  g_return_if_fail (HD_IS_TECH_APPLICATION (self));
  g_return_if_fail (HD_IS_SESSION (session));
  g_return_if_fail (HD_IS_CHAT (chat));

  chat_id = hd_chat_get_id (chat);
  if (g_hash_table_contains (self->ending, &chat_id))
    return;
  g_hash_table_add (self->ending, int64_dup (chat_id));
  data = g_new0 (EndData, 1);
  data->self = g_object_ref (self);
  data->session = g_object_ref (session);
  data->chat_id = chat_id;
  data->request_id = hd_chat_get_request_id (chat);
  /* The chat's window is gone already: the application must not quit
   * under the call. */
  g_application_hold (G_APPLICATION (self));
  hd_session_end_chat_async (session, chat_id, NULL, end_chat_cb, data);
}

gboolean
hd_tech_application_is_ending (HdTechApplication *self,
                               gint64             chat_id)
{
  g_return_val_if_fail (HD_IS_TECH_APPLICATION (self), FALSE);
  return g_hash_table_contains (self->ending, &chat_id);
}

static void
set_unread (HdTechApplication *self,
            gint64             chat_id,
            guint              count)
{
  if (count == 0)
    g_hash_table_remove (self->unread, &chat_id);
  else
    g_hash_table_replace (self->unread, int64_dup (chat_id), GUINT_TO_POINTER (count));
  if (self->main_window != NULL)
    hd_tech_window_set_unread (self->main_window, chat_id, count);
}

/* Read messages need no notification any more. */
static void
chat_window_active_cb (GtkWindow         *window,
                       GParamSpec        *pspec,
                       HdTechApplication *self)
{
  HdChat *chat;

  if (!gtk_window_is_active (window))
    return;
  chat = hd_tech_chat_window_get_chat (HD_TECH_CHAT_WINDOW (window));
  if (chat == NULL)
    return;
  set_unread (self, hd_chat_get_id (chat), 0);
  hd_tech_notify_withdraw_chat (G_APPLICATION (self), hd_chat_get_id (chat));
}

GtkWindow *
hd_tech_application_open_chat (HdTechApplication *self,
                               HdChat            *chat)
{
  HdTechChatWindow *window;
  HdChat *canonical;
  gint64 chat_id;

  g_return_val_if_fail (HD_IS_TECH_APPLICATION (self), NULL);
  g_return_val_if_fail (HD_IS_CHAT (chat), NULL);
  g_return_val_if_fail (self->session != NULL, NULL);

  chat_id = hd_chat_get_id (chat);
  /* Its End call is on its way: nothing to open. */
  if (g_hash_table_contains (self->ending, &chat_id))
    return NULL;
  window = (HdTechChatWindow *) hd_chat_windows_lookup (self->chat_windows, chat_id);
  if (window == NULL)
    {
      /* The session's own object, so that events update what is shown. */
      canonical = hd_session_lookup_chat (self->session, chat_id);
      window = hd_tech_chat_window_new (GTK_APPLICATION (self), self->session,
                                        canonical ? canonical : chat);
      hd_chat_windows_add (self->chat_windows, chat_id, GTK_WINDOW (window));
      g_signal_connect_object (window, "closed", G_CALLBACK (chat_window_closed_cb), self, 0);
      g_signal_connect_object (window, "notify::is-active",
                               G_CALLBACK (chat_window_active_cb), self, 0);
    }

  gtk_window_present (GTK_WINDOW (window));
  return GTK_WINDOW (window);
}

static void
taken_toast (HdTechApplication *self,
             gint64             chat_id)
{
  HdChat *chat = g_hash_table_lookup (self->taken, &chat_id);
  HdUser *technician;

  g_autofree char *text = NULL;

  if (chat == NULL && self->session != NULL)
    chat = hd_session_lookup_chat (self->session, chat_id);
  technician = chat ? hd_chat_get_technician (chat) : NULL;

  if (technician != NULL)
    /* Translators: %s is a technician's name */
    text = g_strdup_printf (_("Taken by %s"), hd_user_get_name (technician));
  else
    text = g_strdup (_("Someone else took this chat"));

  main_window_toast (self, text);
}

typedef struct {
  HdTechApplication *self;
  gint64             chat_id;
} AcceptData;

static void
accept_chat_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  AcceptData *data = user_data;
  g_autoptr(HdTechApplication) self = data->self;
  gint64 chat_id = data->chat_id;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdChat) chat = NULL;
  gboolean was_accepting;

  g_free (data);

  chat = hd_session_chat_finish (HD_SESSION (object), result, &error);
  /* FALSE when a chat.taken event already told the user. */
  was_accepting = g_hash_table_remove (self->accepting, &chat_id);

  if (self->main_window != NULL)
    hd_tech_window_set_accepting (self->main_window, chat_id, FALSE);

  if (chat == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Someone was faster; a chat this user may no longer see at all
       * (taken, or withdrawn by the customer) answers 404. */
      if (g_error_matches (error, HD_ERROR, HD_ERROR_ALREADY_TAKEN) ||
          g_error_matches (error, HD_ERROR, HD_ERROR_NOT_FOUND))
        {
          if (was_accepting)
            taken_toast (self, chat_id);
        }
      else
        {
          g_autofree char *text = g_strdup_printf (_("Could not accept the chat: %s"), error->message);
          main_window_toast (self, text);
        }
      return;
    }

  hd_tech_application_open_chat (self, chat);
}

static void
accept_chat_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  HdTechApplication *self = user_data;
  gint64 chat_id = g_variant_get_int64 (parameter);
  AcceptData *data;

  g_autofree char *notification_id = g_strdup_printf ("chat-%" G_GINT64_FORMAT, chat_id);

  g_application_withdraw_notification (G_APPLICATION (self), notification_id);

  if (self->session == NULL)
    {
      gtk_window_present (hd_tech_application_get_main_window (self));
      return;
    }

  if (hd_chat_windows_lookup (self->chat_windows, chat_id) != NULL)
    {
      gtk_window_present (hd_chat_windows_lookup (self->chat_windows, chat_id));
      return;
    }

  if (g_hash_table_contains (self->accepting, &chat_id))
    return;

  g_hash_table_add (self->accepting, int64_dup (chat_id));
  data = g_new0 (AcceptData, 1);
  data->self = g_object_ref (self);
  data->chat_id = chat_id;
  if (self->main_window != NULL)
    hd_tech_window_set_accepting (self->main_window, chat_id, TRUE);
  hd_session_accept_chat_async (self->session, chat_id, NULL, accept_chat_cb, data);
}

/* A message notification's default action: the chat's window, opened if
 * it was closed while the chat goes on, else the main window. */
static void
open_chat_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  HdTechApplication *self = user_data;
  gint64 chat_id = g_variant_get_int64 (parameter);
  HdChat *chat = self->session ? hd_session_lookup_chat (self->session, chat_id) : NULL;

  /* Read by the UI test (G_MESSAGES_DEBUG=hd-tech-application). */
  g_debug ("open-chat %" G_GINT64_FORMAT, chat_id);
  hd_tech_notify_withdraw_chat (G_APPLICATION (self), chat_id);
  if (hd_chat_windows_lookup (self->chat_windows, chat_id) != NULL)
    gtk_window_present (hd_chat_windows_lookup (self->chat_windows, chat_id));
  else if (chat != NULL && hd_chat_get_state (chat) != HD_CHAT_STATE_WAITING)
    hd_tech_application_open_chat (self, chat);
  else
    gtk_window_present (hd_tech_application_get_main_window (self));
}

static void
open_request_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  HdTechApplication *self = user_data;
  gint64 request_id = g_variant_get_int64 (parameter);
  GtkWindow *window = hd_tech_application_get_main_window (self);
  g_autofree char *id = g_strdup_printf ("note-%" G_GINT64_FORMAT, request_id);

  /* Read by the UI test (G_MESSAGES_DEBUG=hd-tech-application). */
  g_debug ("open-request %" G_GINT64_FORMAT, request_id);
  g_application_withdraw_notification (G_APPLICATION (self), id);
  if (self->session == NULL)
    return;
  hd_tech_window_show_request_notes (HD_TECH_WINDOW (window), request_id);
  gtk_window_present (window);
}

static void
show_queue_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  HdTechApplication *self = user_data;
  GtkWindow *window = hd_tech_application_get_main_window (self);

  hd_tech_window_show_queue (HD_TECH_WINDOW (window));
  gtk_window_present (window);
}

/* --- session events ----------------------------------------------------- */

static void
chat_requested_cb (HdSession         *session,
                   HdChat            *chat,
                   HdTechApplication *self)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = g_strdup_printf ("chat-%" G_GINT64_FORMAT, hd_chat_get_id (chat));
  g_autofree char *body = NULL;
  HdRequest *request = hd_session_lookup_request (session, hd_chat_get_request_id (chat));

  if (self->main_window != NULL)
    hd_tech_window_draw_attention (self->main_window);

  body = hd_tech_notify_chat_body (HD_TECH_CHAT_NOTICE_REQUESTED, chat, request);
  notification = g_notification_new (_("Chat Request"));
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action (notification, "app.show-queue");
  g_notification_add_button_with_target (notification, _("Accept"), "app.accept-chat",
                                         "x", hd_chat_get_id (chat));
  g_application_send_notification (G_APPLICATION (self), id, notification);
  hd_tech_notify_sound (self->settings);
}

/* A message in a chat whose window is not focused (or closed, or the
 * whole app hidden): a notification and a sound. */
static void
message_received_cb (HdSession         *session,
                     HdMessage         *message,
                     HdTechApplication *self)
{
  gint64 chat_id = hd_message_get_chat_id (message);
  GtkWindow *window = hd_chat_windows_lookup (self->chat_windows, chat_id);

  if (hd_message_get_author (message) == NULL)
    return;  /* a system line (a transfer): the window shows it */
  if (window != NULL && gtk_window_is_active (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
    return;
  set_unread (self, chat_id, GPOINTER_TO_UINT (g_hash_table_lookup (self->unread, &chat_id)) + 1);
  hd_tech_notify_message (G_APPLICATION (self), message);
  hd_tech_notify_sound (self->settings);
}

/* A note someone else left on a request I may see (a customer's "Leave a
 * message" reaches the assignee this way): a notification and a sound.
 * Transcripts and events ("transcript emailed") are not notes to read. */
static void
note_created_cb (HdSession         *session,
                 HdNote            *note,
                 HdTechApplication *self)
{
  HdUser *author = hd_note_get_author (note);
  HdUser *me = hd_session_get_user (session);

  if (g_strcmp0 (hd_note_get_kind (note), "note") != 0 || author == NULL)
    return;
  if (me != NULL && hd_user_get_id (author) == hd_user_get_id (me))
    return;
  hd_tech_notify_note (G_APPLICATION (self), note,
                       hd_session_lookup_request (session, hd_note_get_request_id (note)));
  hd_tech_notify_sound (self->settings);
}

static void
chat_taken_cb (HdSession         *session,
               HdChat            *chat,
               HdTechApplication *self)
{
  gint64 chat_id = hd_chat_get_id (chat);
  g_autofree char *id = g_strdup_printf ("chat-%" G_GINT64_FORMAT, chat_id);
  HdUser *technician = hd_chat_get_technician (chat);
  HdUser *me = hd_session_get_user (session);

  g_application_withdraw_notification (G_APPLICATION (self), id);
  g_hash_table_replace (self->taken, int64_dup (chat_id), g_object_ref (chat));

  if (g_hash_table_contains (self->accepting, &chat_id) &&
      (technician == NULL || me == NULL || hd_user_get_id (technician) != hd_user_get_id (me)))
    {
      /* Tell at once; the accept call's already_taken then stays quiet. */
      g_hash_table_remove (self->accepting, &chat_id);
      taken_toast (self, chat_id);
    }
}

/* Re-opening the app brings the chats that are still going back. */
static void
chat_restored_cb (HdSession         *session,
                  HdChat            *chat,
                  HdTechApplication *self)
{
  HdUser *technician = hd_chat_get_technician (chat);
  HdUser *me = hd_session_get_user (session);

  if (hd_chat_get_state (chat) != HD_CHAT_STATE_ACTIVE ||
      technician == NULL || me == NULL || hd_user_get_id (technician) != hd_user_get_id (me))
    return;
  /* Started hidden: no window at login, the chat stays in Active Chats
   * and its messages notify. */
  if (self->in_background)
    {
      g_debug ("chat %" G_GINT64_FORMAT " restored in the background", hd_chat_get_id (chat));
      return;
    }
  hd_tech_application_open_chat (self, chat);
}

/* A chat handed to me (by a colleague, or an admin): a notification with
 * the sound, as a new request has; it opens the chat's window.  Not
 * opened by itself: it would take the focus from the chat being typed in
 * (the Active Chats list shows it too). */
static void
chat_transferred_cb (HdSession         *session,
                     HdChat            *chat,
                     HdTechApplication *self)
{
  HdUser *technician = hd_chat_get_technician (chat);
  HdUser *me = hd_session_get_user (session);
  GtkWindow *window = hd_chat_windows_lookup (self->chat_windows, hd_chat_get_id (chat));

  if (hd_chat_get_state (chat) != HD_CHAT_STATE_ACTIVE ||
      technician == NULL || me == NULL || hd_user_get_id (technician) != hd_user_get_id (me))
    return;
  if (window != NULL && gtk_window_is_active (window))
    return;
  /* Read by the UI test (G_MESSAGES_DEBUG=hd-tech-application). */
  g_debug ("chat %" G_GINT64_FORMAT " transferred to me", hd_chat_get_id (chat));
  hd_tech_notify_transfer (G_APPLICATION (self), chat,
                           hd_session_lookup_request (session, hd_chat_get_request_id (chat)));
  hd_tech_notify_sound (self->settings);
}

static void
update_actions (HdTechApplication *self)
{
  HdUser *me = self->session ? hd_session_get_user (self->session) : NULL;
  gboolean admin = me != NULL && hd_user_is_admin (me);
  GAction *action;

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "preferences");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), self->session != NULL);
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "logout");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), self->session != NULL);
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "login");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), self->session == NULL);

  /* The privileges page is for administrators only: a new role, a new
   * window. */
  if (self->preferences != NULL &&
      (self->session == NULL ||
       hd_tech_preferences_window_get_admin (HD_TECH_PREFERENCES_WINDOW (self->preferences)) != admin))
    gtk_window_destroy (self->preferences);
}

static void
set_away_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The next change tries again; a dropped socket sends nothing anyway. */
  if (!hd_session_set_away_finish (HD_SESSION (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Could not change away: %s", error->message);
}

/* The desktop went idle or locked, or came back: tell the server. */
static void
sync_away (HdTechApplication *self)
{
  HdUser *me = self->session ? hd_session_get_user (self->session) : NULL;
  gboolean away = self->idle != NULL && hd_tech_idle_get_away (self->idle);

  if (me == NULL || !hd_user_is_staff (me) || hd_user_get_away (me) == away)
    return;
  g_debug ("setting away: %s", away ? "yes" : "no");
  hd_session_set_away_async (self->session, away, NULL, set_away_cb, NULL);
}

static void
set_session (HdTechApplication *self,
             HdSession         *session)
{
  if (self->session == session)
    return;

  if (self->session != NULL)
    {
      HdUser *old_user = hd_session_get_user (self->session);

      g_signal_handlers_disconnect_by_data (self->session, self);
      if (old_user != NULL)
        g_signal_handlers_disconnect_by_data (old_user, self);
      hd_session_stop (self->session);
    }
  g_set_object (&self->session, session);
  g_hash_table_remove_all (self->accepting);
  g_hash_table_remove_all (self->taken);
  g_hash_table_remove_all (self->unread);

  if (session != NULL)
    {
      g_signal_connect (session, "chat-requested", G_CALLBACK (chat_requested_cb), self);
      g_signal_connect (session, "chat-taken", G_CALLBACK (chat_taken_cb), self);
      g_signal_connect (session, "chat-restored", G_CALLBACK (chat_restored_cb), self);
      g_signal_connect (session, "chat-transferred", G_CALLBACK (chat_transferred_cb), self);
      g_signal_connect (session, "message-received", G_CALLBACK (message_received_cb), self);
      g_signal_connect (session, "note-created", G_CALLBACK (note_created_cb), self);
      g_signal_connect_swapped (hd_session_get_user (session), "notify::away",
                                G_CALLBACK (sync_away), self);
      g_signal_connect_swapped (hd_session_get_user (session), "notify::role",
                                G_CALLBACK (update_actions), self);

      /* Remember a server typed into the login dialog for next time. */
      if (self->settings != NULL && !self->server_from_command_line)
        {
          g_autofree char *stored = g_settings_get_string (self->settings, "server-url");

          if (*stored == '\0')
            g_settings_set_string (self->settings, "server-url", hd_session_get_server_url (session));
        }
    }

  if (self->main_window != NULL)
    {
      if (session != NULL)
        hd_tech_window_set_session (self->main_window, session);
      else
        hd_tech_window_show_signed_out (self->main_window);
    }

  update_actions (self);
  sync_away (self);
}

static void
logged_in_cb (HdLoginDialog     *dialog,
              HdSession         *session,
              HdTechApplication *self)
{
  set_session (self, session);
}

static void
show_login (HdTechApplication *self)
{
  GtkWindow *main_window = hd_tech_application_get_main_window (self);
  HdLoginDialog *dialog;

  if (self->login_dialog != NULL)
    {
      gtk_window_present (self->login_dialog);
      return;
    }

  hd_tech_window_show_signed_out (HD_TECH_WINDOW (main_window));
  /* Never a main window built and left unshown. */
  if (!gtk_widget_get_visible (GTK_WIDGET (main_window)))
    gtk_window_present (main_window);

  dialog = hd_login_dialog_new (HD_APP_ID_TECH, self->server_url);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), main_window);
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  self->login_dialog = GTK_WINDOW (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->login_dialog);
  g_signal_connect_object (dialog, "logged-in", G_CALLBACK (logged_in_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* "Remember me": hd_session_restore_async() reads the keyring, checks the
 * token with GET /me and forgets an expired one. */
static void
restore_done (HdTechApplication *self,
              HdSession         *session)
{
  g_clear_object (&self->cancellable);

  /* An explicit --server wins over a login remembered for another one. */
  if (session != NULL && self->server_from_command_line &&
      !hd_server_url_equal (self->server_url, hd_session_get_server_url (session)))
    session = NULL;

  if (session != NULL)
    set_session (self, session);
  else
    show_login (self);
}

static void
restore_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HdTechApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdSession) session = NULL;

  session = hd_session_restore_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    g_message ("The remembered login could not be used: %s", error->message);
  restore_done (self, session);
}

static gboolean
start_restore_cb (gpointer data)
{
  g_autoptr(HdTechApplication) self = data;

  self->restore_after_paint = FALSE;
  if (self->session != NULL || self->cancellable != NULL || self->login_dialog != NULL)
    return G_SOURCE_REMOVE;
  self->cancellable = g_cancellable_new ();
  hd_session_restore_async (HD_APP_ID_TECH, self->cancellable, restore_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

/* --background (Start at Login, hidden): no window; the remembered login
 * from the keyring, then the socket, notifications and sound as with the
 * main window closed.  Launching the app or a notification builds the
 * main window.  Without a usable login the login dialog shows: nothing
 * reaches a technician who is logged out. */
static void
start_in_background (HdTechApplication *self)
{
  /* Read by the UI test (G_MESSAGES_DEBUG=hd-tech-application). */
  g_debug ("started in the background");
  self->in_background = TRUE;
  self->started_us = 0;  /* no first frame to time */
  if (!self->held)
    {
      self->held = TRUE;
      g_application_hold (G_APPLICATION (self));
    }
  start_restore_cb (g_object_ref (self));
}

static void
start_login (HdTechApplication *self)
{
  if (self->session != NULL || self->cancellable != NULL || self->login_dialog != NULL
      || self->restore_after_paint)
    return;

  /* Never wait for the keyring or the network before the window is up:
   * the window shows a loading state meanwhile, and at start-up the
   * keyring (D-Bus, its key exchange) waits for the first painted frame. */
  self->restore_after_paint = self->started_us != 0;
  hd_tech_window_show_loading (HD_TECH_WINDOW (hd_tech_application_get_main_window (self)));
  if (!self->restore_after_paint)
    start_restore_cb (g_object_ref (self));
}

/* --- actions ------------------------------------------------------------ */

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  HdTechApplication *self = user_data;

  if (self->main_window != NULL)
    save_window_state (self, GTK_WINDOW (self->main_window));
  g_application_quit (G_APPLICATION (self));
}

static void
login_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  HdTechApplication *self = user_data;

  if (self->session == NULL)
    show_login (self);
}

static void
logout_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HdTechApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!hd_session_logout_finish (HD_SESSION (object), result, &error))
    g_warning ("Logging out: %s", error->message);
}

static void
logout_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  HdTechApplication *self = user_data;
  g_autoptr(HdSession) session = NULL;

  if (self->session == NULL)
    return;

  session = g_object_ref (self->session);
  /* Chat windows go without ending their chats: the next login brings
   * them back. */
  hd_chat_windows_destroy_all (self->chat_windows);

  set_session (self, NULL);
  hd_session_logout_async (session, NULL, logout_cb, g_object_ref (self));
  show_login (self);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  HdTechApplication *self = user_data;
  HdUser *me = self->session ? hd_session_get_user (self->session) : NULL;

  if (me == NULL)
    return;

  if (self->preferences == NULL)
    {
      self->preferences = GTK_WINDOW (hd_tech_preferences_window_new (self->session, self->settings,
                                                                      hd_user_is_admin (me)));
      g_object_add_weak_pointer (G_OBJECT (self->preferences), (gpointer *) &self->preferences);
      gtk_window_set_transient_for (self->preferences,
                                    gtk_application_get_active_window (GTK_APPLICATION (self)));
    }

  gtk_window_present (self->preferences);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  HdTechApplication *self = user_data;
  static const char *developers[] = { "Helpdesk Chat developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "application-name", _("Helpdesk Chat for Technicians"),
                         "application-icon", HD_APP_ID_TECH,
                         "version", HD_VERSION,
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "comments", _("Talk live with customers about their service requests"),
                         NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "login", login_action },
  { "logout", logout_action },
  { "preferences", preferences_action },
  { "about", about_action },
  { "show-queue", show_queue_action },
  { "accept-chat", accept_chat_action, "x" },
  { "open-chat", open_chat_action, "x" },
  { "open-request", open_request_action, "x" },
};

/* --- GApplication ------------------------------------------------------- */

static gint
hd_tech_application_handle_local_options (GApplication *app,
                                          GVariantDict *options)
{
  HdTechApplication *self = HD_TECH_APPLICATION (app);
  int status = hd_app_handle_options (app, options, "helpdesk-tech", &self->server_url);

  if (status >= 0)
    return status;
  self->server_from_command_line = self->server_url != NULL;
  if (g_variant_dict_contains (options, "background"))
    {
      g_autoptr(GError) error = NULL;

      if (!g_application_register (app, NULL, &error))
        {
          g_printerr ("helpdesk-tech: %s\n", error->message);
          return 1;
        }
      /* Already running: its windows stay as they are. */
      if (g_application_get_is_remote (app))
        return 0;
      self->start_hidden = TRUE;
    }
  return G_APPLICATION_CLASS (hd_tech_application_parent_class)->handle_local_options (app, options);
}

static void
hd_tech_application_startup (GApplication *app)
{
  HdTechApplication *self = HD_TECH_APPLICATION (app);
  GSettingsSchemaSource *source;
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *queue_accels[] = { "<Control>1", NULL };
  static const char *requests_accels[] = { "<Control>2", NULL };

  g_debug ("startup at %.1f ms", (g_get_monotonic_time () - self->started_us) / 1000.0);
  G_APPLICATION_CLASS (hd_tech_application_parent_class)->startup (app);
  g_debug ("gtk+adw ready at %.1f ms", (g_get_monotonic_time () - self->started_us) / 1000.0);

  hd_client_init_resources ();
  hd_app_use_lazy_help_overlay (GTK_APPLICATION (app), "/com/helpdeskchat/Tech/shortcuts.ui");

  /* Installed or not, the app runs: without the schema there is simply
   * no remembered server URL nor window size. */
  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    {
      g_autoptr(GSettingsSchema) schema = g_settings_schema_source_lookup (source, HD_APP_ID_TECH, TRUE);

      if (schema != NULL)
        self->settings = g_settings_new_full (schema, NULL, NULL);
    }

  if (self->server_url == NULL && self->settings != NULL)
    {
      g_autofree char *url = g_settings_get_string (self->settings, "server-url");

      if (*url != '\0')
        self->server_url = g_steal_pointer (&url);
    }

  self->idle = hd_tech_idle_new (self->settings);
  g_signal_connect_swapped (self->idle, "notify::away", G_CALLBACK (sync_away), self);
  hd_tech_idle_start (self->idle);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-queue", queue_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-requests", requests_accels);
  update_actions (self);
}

static void
hd_tech_application_activate (GApplication *app)
{
  HdTechApplication *self = HD_TECH_APPLICATION (app);
  GtkWindow *window;

  g_debug ("activate at %.1f ms", (g_get_monotonic_time () - self->started_us) / 1000.0);
  if (self->start_hidden)
    {
      self->start_hidden = FALSE;
      start_in_background (self);
      return;
    }
  start_login (self);
  window = hd_tech_application_get_main_window (self);
  g_debug ("window built at %.1f ms", (g_get_monotonic_time () - self->started_us) / 1000.0);
  gtk_window_present (window);
}

static void
hd_tech_application_shutdown (GApplication *app)
{
  HdTechApplication *self = HD_TECH_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      hd_session_stop (self->session);
    }

  G_APPLICATION_CLASS (hd_tech_application_parent_class)->shutdown (app);
}

static void
hd_tech_application_dispose (GObject *object)
{
  HdTechApplication *self = HD_TECH_APPLICATION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  if (self->idle != NULL)
    g_signal_handlers_disconnect_by_data (self->idle, self);
  g_clear_object (&self->idle);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (hd_tech_application_parent_class)->dispose (object);
}

static void
hd_tech_application_finalize (GObject *object)
{
  HdTechApplication *self = HD_TECH_APPLICATION (object);

  g_free (self->server_url);
  g_object_unref (self->chat_windows);
  g_hash_table_unref (self->accepting);
  g_hash_table_unref (self->taken);
  g_hash_table_unref (self->unread);
  g_hash_table_unref (self->ending);

  G_OBJECT_CLASS (hd_tech_application_parent_class)->finalize (object);
}

static void
hd_tech_application_class_init (HdTechApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = hd_tech_application_dispose;
  object_class->finalize = hd_tech_application_finalize;
  app_class->handle_local_options = hd_tech_application_handle_local_options;
  app_class->startup = hd_tech_application_startup;
  app_class->activate = hd_tech_application_activate;
  app_class->shutdown = hd_tech_application_shutdown;
}

static const GOptionEntry tech_options[] = {
  { "background", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Start without a window (Start at Login): chat requests come as notifications"), NULL },
  { NULL }
};

static void
hd_tech_application_init (HdTechApplication *self)
{

  self->started_us = g_get_monotonic_time ();
  self->chat_windows = hd_chat_windows_new ();
  self->accepting = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->taken = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->unread = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->ending = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  hd_app_add_options (G_APPLICATION (self), NULL);
  g_application_add_main_option_entries (G_APPLICATION (self), tech_options);
}
