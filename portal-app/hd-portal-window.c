/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-portal"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "hd-portal-util.h"
#include "hd-portal-window.h"
#include "hd-portal-chat-window.h"
#include "hd-portal-request-page.h"
#include "hd-portal-request-row.h"
#include "hd-portal-dialogs.h"

struct _HdPortalWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  AdwToastOverlay      *toast_overlay;
  GtkRevealer          *reconnect_revealer;
  GtkSpinner           *reconnect_spinner;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkWidget            *content;
  AdwWindowTitle       *sidebar_title;
  GtkStack             *sidebar_stack;
  GtkSpinner           *loading_spinner;
  GtkListBox           *request_list;
  AdwWindowTitle       *content_title;
  GtkStack             *content_stack;
  HdPortalRequestPage  *request_page;

  GSettings            *settings;      /* NULL when the schema is not installed */
  char                 *server_url;    /* --server, else GSettings, else NULL */
  HdSession            *session;
  GtkSortListModel     *sorted_requests;
  GCancellable         *cancellable;   /* of the current session's calls */
  HdChatWindows        *chat_windows;
  GHashTable           *opened_chats;  /* chat ids whose window was opened once */
  GtkWindow            *login_dialog;  /* weak */
  gint64                selected_id;
  gboolean              loaded;
};

G_DEFINE_FINAL_TYPE (HdPortalWindow, hd_portal_window, ADW_TYPE_APPLICATION_WINDOW)

static void show_login_dialog    (HdPortalWindow *self);
static void chat_window_focus_cb (GtkWindow *window, GParamSpec *pspec, HdPortalWindow *self);

static HdPortalRequestRow *
find_row (HdPortalWindow *self,
          gint64          request_id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->request_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (HD_IS_PORTAL_REQUEST_ROW (child)
          && hd_request_get_id (hd_portal_request_row_get_request (HD_PORTAL_REQUEST_ROW (child))) == request_id)
        return HD_PORTAL_REQUEST_ROW (child);
    }
  return NULL;
}

static void
show_request (HdPortalWindow *self,
              HdRequest      *request)
{
  if (request == NULL)
    {
      self->selected_id = 0;
      hd_portal_request_page_set_request (self->request_page, NULL, NULL);
      hd_stack_show_page (self->content_stack, "none");
      adw_window_title_set_title (self->content_title, _("Helpdesk"));
      adw_window_title_set_subtitle (self->content_title, "");
      return;
    }
  else
    {
      g_autofree char *title = g_strdup_printf (_("Request #%" PRId64), hd_request_get_id (request));

      self->selected_id = hd_request_get_id (request);
      hd_portal_request_page_set_request (self->request_page, self->session, request);
      hd_stack_show_page (self->content_stack, "request");
      adw_window_title_set_title (self->content_title, title);
    }
}

static void
update_sidebar (HdPortalWindow *self)
{
  guint n;

  if (self->session == NULL)
    {
      hd_stack_show_page (self->sidebar_stack, self->loaded ? "signed-out" : "loading");
      gtk_spinner_set_spinning (self->loading_spinner, !self->loaded);
      return;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted_requests));
  if (n == 0)
    hd_stack_show_page (self->sidebar_stack, self->loaded ? "empty" : "loading");
  else
    hd_stack_show_page (self->sidebar_stack, "list");
  gtk_spinner_set_spinning (self->loading_spinner,
                            g_strcmp0 (gtk_stack_get_visible_child_name (self->sidebar_stack), "loading") == 0);

  /* Rows are rebuilt when the model changes: keep the shown request
   * selected, or pick the first one on a wide window. */
  if (n > 0)
    {
      HdPortalRequestRow *row = self->selected_id ? find_row (self, self->selected_id) : NULL;

      if (row == NULL && self->selected_id != 0)
        show_request (self, NULL);
      if (row == NULL && !adw_leaflet_get_folded (self->leaflet))
        row = HD_PORTAL_REQUEST_ROW (gtk_list_box_get_row_at_index (self->request_list, 0));
      if (row != NULL && gtk_list_box_get_selected_row (self->request_list) != GTK_LIST_BOX_ROW (row))
        gtk_list_box_select_row (self->request_list, GTK_LIST_BOX_ROW (row));
    }
  else if (self->selected_id != 0)
    show_request (self, NULL);
}

static void
request_row_selected_cb (HdPortalWindow *self,
                         GtkListBoxRow  *row)
{
  HdRequest *request;

  /* NULL while the list is being rebuilt: update_sidebar decides. */
  if (row == NULL)
    return;

  request = hd_portal_request_row_get_request (HD_PORTAL_REQUEST_ROW (row));
  if (hd_request_get_id (request) != self->selected_id
      || hd_portal_request_page_get_request (self->request_page) != request)
    show_request (self, request);
}

static void
request_row_activated_cb (HdPortalWindow *self,
                          GtkListBoxRow  *row)
{
  request_row_selected_cb (self, row);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static GtkWidget *
create_request_row (gpointer item,
                    gpointer user_data)
{
  return hd_portal_request_row_new (HD_REQUEST (item));
}

/* Open requests first, then the newest. */
static int
compare_requests (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  HdRequest *ra = HD_REQUEST ((gpointer) a);
  HdRequest *rb = HD_REQUEST ((gpointer) b);
  gboolean oa = hd_request_is_open (ra);
  gboolean ob = hd_request_is_open (rb);
  gint64 ia, ib;

  if (oa != ob)
    return oa ? -1 : 1;
  ia = hd_request_get_id (ra);
  ib = hd_request_get_id (rb);
  return ia > ib ? -1 : (ia < ib ? 1 : 0);
}

static void
update_connection (HdPortalWindow *self)
{
  gboolean reconnecting = self->session != NULL
    && hd_session_get_state (self->session) == HD_CONNECTION_RECONNECTING;

  gtk_revealer_set_reveal_child (self->reconnect_revealer, reconnecting);
  gtk_spinner_set_spinning (self->reconnect_spinner, reconnecting);
}

static HdPortalChatWindow *
ensure_chat_window (HdPortalWindow *self,
                    HdChat         *chat)
{
  gint64 id = hd_chat_get_id (chat);
  HdPortalChatWindow *window = (HdPortalChatWindow *) hd_chat_windows_lookup (self->chat_windows, id);

  if (window == NULL)
    {
      GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

      window = hd_portal_chat_window_new (app, self->session, chat);
      hd_chat_windows_add (self->chat_windows, id, GTK_WINDOW (window));
      g_hash_table_add (self->opened_chats, g_memdup2 (&id, sizeof id));
      g_signal_connect_object (window, "notify::is-active", G_CALLBACK (chat_window_focus_cb), self, 0);
    }
  return window;
}

gboolean
hd_portal_window_open_chat (HdPortalWindow *self,
                            gint64          chat_id)
{
  HdChat *chat;

  g_return_val_if_fail (HD_IS_PORTAL_WINDOW (self), FALSE);

  if (self->session == NULL)
    return FALSE;

  chat = hd_session_lookup_chat (self->session, chat_id);
  if (chat == NULL)
    return FALSE;

  gtk_window_present (GTK_WINDOW (ensure_chat_window (self, chat)));
  return TRUE;
}

/* After a restart (or a second login) the customer's waiting and active
 * chats come back in their windows. */
static void
chats_changed_cb (GListModel     *chats,
                  guint           position,
                  guint           removed,
                  guint           added,
                  HdPortalWindow *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(HdChat) chat = g_list_model_get_item (chats, i);
      gint64 id = hd_chat_get_id (chat);

      if (hd_chat_get_state (chat) == HD_CHAT_STATE_ENDED
          || g_hash_table_contains (self->opened_chats, &id))
        continue;
      gtk_window_present (GTK_WINDOW (ensure_chat_window (self, chat)));
    }
}

static gboolean
chat_window_is_focused (HdPortalWindow *self,
                        gint64          chat_id)
{
  GtkWindow *window = hd_chat_windows_lookup (self->chat_windows, chat_id);

  return window != NULL && gtk_window_is_active (window);
}

static void
send_chat_notification (HdPortalWindow *self,
                        gint64          chat_id,
                        const char     *title,
                        const char     *body)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;
  g_autofree char *escaped = NULL;

  if (app == NULL)
    return;

  /* Some notification servers read the body as markup; people's text
   * never is. */
  escaped = g_markup_escape_text (body, -1);
  notification = g_notification_new (title);
  g_notification_set_body (notification, escaped);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action_and_target (notification, "app.open-chat", "x", chat_id);
  id = g_strdup_printf ("chat-%" G_GINT64_FORMAT, chat_id);
  g_application_send_notification (app, id, notification);
}

static void
chat_accepted_cb (HdPortalWindow *self,
                  HdChat         *chat)
{
  HdUser *tech = hd_chat_get_technician (chat);
  g_autofree char *title = NULL;
  HdRequest *request;

  if (chat_window_is_focused (self, hd_chat_get_id (chat)))
    return;

  /* Translators: %s is a technician's name */
  title = g_strdup_printf (_("%s accepted your chat"),
                           tech ? hd_user_get_name (tech) : _("A technician"));
  request = hd_session_lookup_request (self->session, hd_chat_get_request_id (chat));
  send_chat_notification (self, hd_chat_get_id (chat), title,
                          request ? hd_request_get_subject (request) : "");
}

static void
message_received_cb (HdPortalWindow *self,
                     HdMessage      *message)
{
  HdUser *author = hd_message_get_author (message);

  if (hd_message_get_is_own (message)
      || chat_window_is_focused (self, hd_message_get_chat_id (message)))
    return;

  send_chat_notification (self, hd_message_get_chat_id (message),
                          author ? hd_user_get_name (author) : _("New message"),
                          hd_message_get_body (message));
}

static void
chat_window_focus_cb (GtkWindow      *window,
                      GParamSpec     *pspec,
                      HdPortalWindow *self)
{
  /* Reading the chat makes its notification stale. */
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  gint64 chat_id = hd_chat_windows_find (self->chat_windows, window);
  g_autofree char *id = NULL;

  if (app == NULL || chat_id == 0 || !gtk_window_is_active (window))
    return;
  id = g_strdup_printf ("chat-%" G_GINT64_FORMAT, chat_id);
  g_application_withdraw_notification (app, id);
}

static void
requests_loaded_cb (HdPortalWindow *self)
{
  HdListModel *requests = HD_LIST_MODEL (hd_session_get_requests (self->session));
  const GError *error = hd_list_model_get_error (requests);

  if (!hd_list_model_get_loaded (requests) || hd_list_model_get_loading (requests))
    return;
  if (error != NULL && !self->loaded)
    {
      g_autofree char *why = hd_error_dup_text (error);
      hd_portal_window_show_toast (self, why);
    }
  self->loaded = TRUE;
  update_sidebar (self);
}

static void
clear_session (HdPortalWindow *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  hd_chat_windows_destroy_all (self->chat_windows);
  g_hash_table_remove_all (self->opened_chats);

  show_request (self, NULL);
  gtk_list_box_bind_model (self->request_list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->sorted_requests);

  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (hd_session_get_chats (self->session), self);
      g_signal_handlers_disconnect_by_data (hd_session_get_requests (self->session), self);
      hd_session_stop (self->session);
      g_clear_object (&self->session);
    }
  adw_window_title_set_subtitle (self->sidebar_title, "");
  self->loaded = FALSE;
  update_connection (self);
}

void
hd_portal_window_set_session (HdPortalWindow *self,
                              HdSession      *session)
{
  GListModel *chats;
  HdUser *user;

  g_return_if_fail (HD_IS_PORTAL_WINDOW (self));
  g_return_if_fail (session == NULL || HD_IS_SESSION (session));

  if (self->session == session)
    return;

  clear_session (self);
  if (session == NULL)
    {
      self->loaded = TRUE;
      update_sidebar (self);
      return;
    }

  self->session = g_object_ref (session);
  self->cancellable = g_cancellable_new ();

  user = hd_session_get_user (session);
  adw_window_title_set_subtitle (self->sidebar_title, user ? hd_user_get_name (user) : "");

  self->sorted_requests = gtk_sort_list_model_new (g_object_ref (hd_session_get_requests (session)),
                                                   GTK_SORTER (gtk_custom_sorter_new (compare_requests, NULL, NULL)));
  gtk_list_box_bind_model (self->request_list, G_LIST_MODEL (self->sorted_requests),
                           create_request_row, self, NULL);
  g_signal_connect_object (self->sorted_requests, "items-changed",
                           G_CALLBACK (update_sidebar), self, G_CONNECT_SWAPPED);

  g_signal_connect_swapped (session, "notify::state", G_CALLBACK (update_connection), self);
  g_signal_connect_swapped (session, "chat-accepted", G_CALLBACK (chat_accepted_cb), self);
  g_signal_connect_swapped (session, "message-received", G_CALLBACK (message_received_cb), self);

  chats = hd_session_get_chats (session);
  g_signal_connect (chats, "items-changed", G_CALLBACK (chats_changed_cb), self);
  chats_changed_cb (chats, 0, 0, g_list_model_get_n_items (chats), self);

  /* "No requests" is the answer only once the list has loaded. */
  g_signal_connect_swapped (hd_session_get_requests (session), "notify::loading",
                            G_CALLBACK (requests_loaded_cb), self);
  requests_loaded_cb (self);

  update_connection (self);
  update_sidebar (self);
}

HdSession *
hd_portal_window_get_session (HdPortalWindow *self)
{
  g_return_val_if_fail (HD_IS_PORTAL_WINDOW (self), NULL);

  return self->session;
}

void
hd_portal_window_show_toast (HdPortalWindow *self,
                             const char     *text)
{
  g_return_if_fail (HD_IS_PORTAL_WINDOW (self));

  hd_toast_overlay_add_text (self->toast_overlay, text);
}

static void
request_made_cb (HdPortalWindow *self,
                 HdRequest      *request)
{
  HdPortalRequestRow *row;

  update_sidebar (self);
  row = find_row (self, hd_request_get_id (request));
  if (row != NULL)
    {
      gtk_list_box_select_row (self->request_list, GTK_LIST_BOX_ROW (row));
      show_request (self, request);
      adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
    }
  hd_portal_window_show_toast (self, _("Your request was created."));
}

static void
new_request_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  HdPortalWindow *self = HD_PORTAL_WINDOW (widget);
  GtkWidget *dialog;

  if (self->session == NULL)
    return;
  dialog = hd_portal_new_request_dialog_new (GTK_WINDOW (self), self->session);
  g_signal_connect_object (dialog, "done", G_CALLBACK (request_made_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- logging in ------------------------------------------------------ */

static void
logged_in_cb (HdPortalWindow *self,
              HdSession      *session)
{
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "server-url",
                           hd_session_get_server_url (session));
  g_free (self->server_url);
  self->server_url = g_strdup (hd_session_get_server_url (session));
  hd_portal_window_set_session (self, session);
}

static void
login_dialog_destroyed_cb (HdPortalWindow *self)
{
  self->login_dialog = NULL;
  if (self->session == NULL)
    {
      self->loaded = TRUE;
      update_sidebar (self);
    }
}

static void
show_login_dialog (HdPortalWindow *self)
{
  if (self->login_dialog != NULL)
    {
      gtk_window_present (self->login_dialog);
      return;
    }

  self->login_dialog = GTK_WINDOW (hd_login_dialog_new (HD_APP_ID_PORTAL, self->server_url));
  gtk_window_set_transient_for (self->login_dialog, GTK_WINDOW (self));
  gtk_window_set_modal (self->login_dialog, TRUE);
  g_signal_connect_object (self->login_dialog, "logged-in", G_CALLBACK (logged_in_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->login_dialog, "destroy", G_CALLBACK (login_dialog_destroyed_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (self->login_dialog);
}

static void
restore_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HdPortalWindow) self = user_data;
  g_autoptr(HdSession) session = NULL;
  g_autoptr(GError) error = NULL;

  session = hd_session_restore_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || gtk_widget_in_destruction (GTK_WIDGET (self)))
    {
      if (session != NULL)
        hd_session_stop (session);
      return;
    }
  if (error != NULL)
    g_debug ("Could not restore the session: %s", error->message);

  /* A token remembered for another server than the one asked for on the
   * command line is not this login. */
  if (session != NULL
      && !hd_server_url_equal (self->server_url, hd_session_get_server_url (session)))
    {
      hd_session_stop (session);
      g_clear_object (&session);
    }

  if (session != NULL)
    hd_portal_window_set_session (self, session);
  else
    show_login_dialog (self);
}

static gboolean
start_cb (gpointer user_data)
{
  g_autoptr(HdPortalWindow) self = user_data;

  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return G_SOURCE_REMOVE;
  hd_session_restore_async (HD_APP_ID_PORTAL, NULL, restore_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

/* --- actions --------------------------------------------------------- */

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  HdPortalWindow *self = HD_PORTAL_WINDOW (widget);

  if (self->session != NULL)
    hd_session_refresh (self->session);
}

static void
logout_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HdPortalWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!hd_session_logout_finish (HD_SESSION (source), result, &error))
    g_debug ("Logging out: %s", error->message);
}

static void
logout_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HdPortalWindow *self = HD_PORTAL_WINDOW (widget);
  g_autoptr(HdSession) session = NULL;

  if (self->session == NULL)
    return;

  session = g_object_ref (self->session);
  hd_portal_window_set_session (self, NULL);
  hd_session_logout_async (session, NULL, logout_cb, g_object_ref (self));
  show_login_dialog (self);
}

static void
login_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  show_login_dialog (HD_PORTAL_WINDOW (widget));
}

static void
go_back_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  HdPortalWindow *self = HD_PORTAL_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
toast_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  hd_portal_window_show_toast (HD_PORTAL_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
open_chat_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  HdPortalWindow *self = HD_PORTAL_WINDOW (widget);

  if (!hd_portal_window_open_chat (self, g_variant_get_int64 (parameter)))
    hd_portal_window_show_toast (self, _("That chat is no longer available"));
}

/* --- life cycle ------------------------------------------------------ */

static void
save_window_state (HdPortalWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)) && width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
}

static gboolean
hd_portal_window_close_request (GtkWindow *window)
{
  save_window_state (HD_PORTAL_WINDOW (window));

  return GTK_WINDOW_CLASS (hd_portal_window_parent_class)->close_request (window);
}

static void
hd_portal_window_dispose (GObject *object)
{
  HdPortalWindow *self = HD_PORTAL_WINDOW (object);

  if (self->login_dialog != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->login_dialog, self);
      gtk_window_destroy (self->login_dialog);
      self->login_dialog = NULL;
    }
  if (self->chat_windows != NULL)
    clear_session (self);
  g_clear_object (&self->chat_windows);
  g_clear_pointer (&self->opened_chats, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), HD_TYPE_PORTAL_WINDOW);

  G_OBJECT_CLASS (hd_portal_window_parent_class)->dispose (object);
}

static void
hd_portal_window_finalize (GObject *object)
{
  HdPortalWindow *self = HD_PORTAL_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->server_url, g_free);

  G_OBJECT_CLASS (hd_portal_window_parent_class)->finalize (object);
}

static void
hd_portal_window_class_init (HdPortalWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = hd_portal_window_dispose;
  object_class->finalize = hd_portal_window_finalize;
  window_class->close_request = hd_portal_window_close_request;

  g_type_ensure (HD_TYPE_PORTAL_REQUEST_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/helpdeskchat/Portal/hd-portal-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HdPortalWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HdPortalWindow, reconnect_revealer);
  gtk_widget_class_bind_template_child (widget_class, HdPortalWindow, reconnect_spinner);
  gtk_widget_class_bind_template_child (widget_class, HdPortalWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, HdPortalWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, HdPortalWindow, content);
  gtk_widget_class_bind_template_child (widget_class, HdPortalWindow, sidebar_title);
  gtk_widget_class_bind_template_child (widget_class, HdPortalWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, HdPortalWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, HdPortalWindow, request_list);
  gtk_widget_class_bind_template_child (widget_class, HdPortalWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, HdPortalWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, HdPortalWindow, request_page);
  gtk_widget_class_bind_template_callback (widget_class, request_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, request_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "win.new-request", NULL, new_request_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-request", NULL);
  gtk_widget_class_install_action (widget_class, "win.log-out", NULL, logout_action);
  gtk_widget_class_install_action (widget_class, "win.log-in", NULL, login_action);
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back_action);
  gtk_widget_class_install_action (widget_class, "win.toast", "s", toast_action);
  gtk_widget_class_install_action (widget_class, "win.open-chat", "x", open_chat_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.go-back", NULL);
}

static void
hd_portal_window_init (HdPortalWindow *self)
{
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  hd_accessible_fix_mnemonic_names (GTK_WIDGET (self));
  hd_stack_hide_inactive_pages (self->sidebar_stack);
  hd_stack_hide_inactive_pages (self->content_stack);
  hd_revealer_hide_when_closed (self->reconnect_revealer);

  self->chat_windows = hd_chat_windows_new ();
  self->opened_chats = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  /* Without the installed schema g_settings_new() would abort: look first,
   * and live without saved settings. */
  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, HD_APP_ID_PORTAL, TRUE);
  if (schema != NULL)
    {
      self->settings = g_settings_new_full (schema, NULL, NULL);
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }

  update_sidebar (self);
}

HdPortalWindow *
hd_portal_window_new (HdPortalApplication *application,
                      const char          *server_url)
{
  HdPortalWindow *self;

  self = g_object_new (HD_TYPE_PORTAL_WINDOW,
                       "application", application,
                       NULL);

  if (server_url != NULL && *server_url != '\0')
    self->server_url = g_strdup (server_url);
  else if (self->settings != NULL)
    {
      g_autofree char *saved = g_settings_get_string (self->settings, "server-url");

      if (saved != NULL && *saved != '\0')
        self->server_url = g_steal_pointer (&saved);
    }

  /* After the first frame: the keyring and the network may be slow. */
  hd_app_after_first_frame (GTK_WINDOW (self), hd_portal_application_get_started_at (application),
                            start_cb, g_object_ref (self));

  return self;
}
