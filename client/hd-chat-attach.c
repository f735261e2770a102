/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-chat-view"

/* Sending files from the chat view: the file chooser, drag and drop, and
 * a screenshot through xdg-desktop-portal (libportal).  Every refusal is
 * said in words, before any upload where the client can tell (too large,
 * a type the server does not keep), and nothing typed is lost. */

#include "hd-chat-view-private.h"
#include "hd-error-text.h"
#include "hd-session-customer.h"
#include "hd-protocol.h"

#include <glib/gi18n.h>
#include <libportal-gtk4/portal-gtk4.h>

typedef struct {
  HdChatView *view;
  char       *name;
} Upload;

static void
upload_free (Upload *u)
{
  g_object_unref (u->view);
  g_free (u->name);
  g_free (u);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Upload *u = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdMessage) message = hd_session_send_attachment_finish (HD_SESSION (source), result, &error);

  if (message == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *why = hd_error_dup_text (error);
      /* Translators: first %s is a file name, second the reason */
      g_autofree char *text = g_strdup_printf (_("“%s” was not sent: %s"), u->name, why);
      hd_chat_view_show_toast (u->view, text);
    }
  upload_free (u);
}

void
hd_chat_view_send_bytes (HdChatView *self,
                         const char *name,
                         GBytes     *bytes)
{
  HdSession *session = hd_chat_view_get_session (self);
  HdChat *chat = hd_chat_view_get_chat (self);
  g_autoptr(GError) error = NULL;
  Upload *u;

  if (session == NULL || chat == NULL || hd_chat_get_state (chat) != HD_CHAT_STATE_ACTIVE)
    {
      hd_chat_view_show_toast (self, _("Files can be sent while the chat is active."));
      return;
    }
  if (!hd_session_check_attachment (bytes, &error))
    {
      /* Translators: first %s is a file name, second the reason */
      g_autofree char *text = g_strdup_printf (_("“%s” was not sent: %s"), name, error->message);
      hd_chat_view_show_toast (self, text);
      return;
    }
  u = g_new0 (Upload, 1);
  u->view = g_object_ref (self);
  u->name = g_strdup (name);
  hd_session_send_attachment_async (session, hd_chat_get_id (chat), name, bytes, NULL, sent_cb, u);
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HdChatView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (G_FILE (source));
  g_autoptr(GBytes) bytes = g_file_load_bytes_finish (G_FILE (source), result, NULL, &error);

  if (bytes == NULL)
    {
      /* Translators: first %s is a file name, second the reason */
      g_autofree char *text = g_strdup_printf (_("“%s” could not be read: %s"), name, error->message);
      hd_chat_view_show_toast (self, text);
      return;
    }
  hd_chat_view_send_bytes (self, name, bytes);
}

void
hd_chat_view_send_file (HdChatView *self,
                        GFile      *file)
{
  g_autoptr(GFileInfo) info = NULL;

  g_return_if_fail (HD_IS_CHAT_VIEW (self));
  /* Refuse a huge file by its size before reading it into memory. */
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info != NULL && g_file_info_get_size (info) > HD_MAX_ATTACHMENT_BYTES)
    {
      g_autofree char *name = g_file_get_basename (file);
      /* Translators: %s is a file name */
      g_autofree char *text = g_strdup_printf (_("“%s” was not sent: it is larger than 10 MiB."), name);
      hd_chat_view_show_toast (self, text);
      return;
    }
  g_file_load_bytes_async (file, NULL, loaded_cb, g_object_ref (self));
}

/* ---- the file chooser ----------------------------------------------- */

static void
open_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  HdChatView      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          hd_chat_view_send_file (self, file);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

void
hd_chat_view_choose_file (HdChatView *self)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  GtkFileChooserNative *chooser;
  GtkFileFilter *filter;

  chooser = gtk_file_chooser_native_new (_("Send a File"),
                                         GTK_IS_WINDOW (native) ? GTK_WINDOW (native) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Send"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Pictures, PDF and text files"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_mime_type (filter, "image/jpeg");
  gtk_file_filter_add_mime_type (filter, "image/gif");
  gtk_file_filter_add_mime_type (filter, "image/webp");
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_filter_add_mime_type (filter, "text/plain");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_unref (filter);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("All files"));
  gtk_file_filter_add_pattern (filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_unref (filter);

  g_signal_connect (chooser, "response", G_CALLBACK (open_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- a screenshot --------------------------------------------------- */

static void
screenshot_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(HdChatView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = xdp_portal_take_screenshot_finish (XDP_PORTAL (source), result, &error);
  g_autoptr(GFile) file = NULL;

  g_object_unref (source);
  if (uri == NULL)
    {
      /* The person cancelled in the desktop's dialog: nothing to say. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* libportal's messages are English and D-Bus's technical: our words.
       * No portal service at all (a bare X session): say that. */
      g_message ("Screenshot portal: %s", error->message);
      if (g_dbus_error_is_remote_error (error) || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN))
        hd_chat_view_show_toast (self, _("Screenshots are not available on this desktop."));
      else
        hd_chat_view_show_toast (self, _("The screenshot could not be taken."));
      return;
    }
  file = g_file_new_for_uri (uri);
  hd_chat_view_send_file (self, file);
}

void
hd_chat_view_take_screenshot (HdChatView *self)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  XdpPortal *portal = xdp_portal_new ();
  XdpParent *parent = GTK_IS_WINDOW (native) ? xdp_parent_new_gtk (GTK_WINDOW (native)) : NULL;

  /* Interactive: the desktop lets the person pick what to show. */
  xdp_portal_take_screenshot (portal, parent, XDP_SCREENSHOT_FLAG_INTERACTIVE, NULL,
                              screenshot_cb, g_object_ref (self));
  if (parent != NULL)
    xdp_parent_free (parent);
}

/* ---- drag and drop -------------------------------------------------- */

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         HdChatView    *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = g_value_get_boxed (value);
  for (GSList *l = files; l != NULL; l = l->next)
    hd_chat_view_send_file (self, l->data);
  return files != NULL;
}

void
hd_chat_view_setup_drop (HdChatView *self)
{
  GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}
