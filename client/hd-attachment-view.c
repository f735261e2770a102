/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-attachment-view"

#include "hd-attachment-view.h"
#include "hd-chat-view.h"
#include "hd-session-customer.h"

#include <glib/gi18n.h>

#define THUMB_WIDTH  240
#define THUMB_HEIGHT 160

struct _HdAttachmentView
{
  GtkWidget     parent_instance;

  GtkWidget    *box;
  GtkWidget    *picture;
  GtkWidget    *icon;
  GtkLabel     *name_label;
  GtkLabel     *size_label;
  GtkWidget    *save_button;

  HdSession    *session;
  HdAttachment *attachment;
  GCancellable *cancellable;
  gboolean      thumbnail_asked;
};

G_DEFINE_FINAL_TYPE (HdAttachmentView, hd_attachment_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_TOAST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

char *
hd_attachment_format_size (gint64 size)
{
  /* g_format_size () uses this locale's words and decimal mark. */
  return g_format_size ((guint64) MAX (size, 0));
}

/* The session given, or that of the chat view this row is in. */
static HdSession *
get_session (HdAttachmentView *self)
{
  GtkWidget *view;

  if (self->session != NULL)
    return self->session;
  view = gtk_widget_get_ancestor (GTK_WIDGET (self), HD_TYPE_CHAT_VIEW);
  return view ? hd_chat_view_get_session (HD_CHAT_VIEW (view)) : NULL;
}

static void
toast (HdAttachmentView *self,
       const char       *text)
{
  GtkWidget *view = gtk_widget_get_ancestor (GTK_WIDGET (self), HD_TYPE_CHAT_VIEW);

  g_signal_emit (self, signals[SIGNAL_TOAST], 0, text);
  if (view != NULL)
    hd_chat_view_show_toast (HD_CHAT_VIEW (view), text);
}

static void thumbnail_cb (GObject *source, GAsyncResult *result, gpointer user_data);

/* Pictures are fetched once shown, from whichever session is at hand. */
static void
maybe_fetch_thumbnail (HdAttachmentView *self)
{
  HdSession *session;

  if (self->thumbnail_asked || self->attachment == NULL || !hd_attachment_is_image (self->attachment))
    return;
  session = get_session (self);
  if (session == NULL)
    return;
  self->thumbnail_asked = TRUE;
  hd_session_fetch_attachment_async (session, hd_attachment_get_id (self->attachment), self->cancellable,
                                     thumbnail_cb, g_object_ref (self));
}

/* ---- thumbnail ------------------------------------------------------ */

static void
thumbnail_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HdAttachmentView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = hd_session_fetch_attachment_finish (HD_SESSION (source), result, &error);
  g_autoptr(GdkTexture) texture = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (bytes != NULL)
    texture = gdk_texture_new_from_bytes (bytes, &error);
  if (texture == NULL)
    {
      /* Not decodable here (or not fetched): the file row stays. */
      g_debug ("No thumbnail: %s", error ? error->message : "?");
      return;
    }
  gtk_picture_set_paintable (GTK_PICTURE (self->picture), GDK_PAINTABLE (texture));
  gtk_widget_set_visible (self->picture, TRUE);
  gtk_widget_set_visible (self->icon, FALSE);
}

/* ---- save ----------------------------------------------------------- */

typedef struct {
  HdAttachmentView *self;
  GFile            *file;
} Save;

static void
save_free (Save *s)
{
  g_object_unref (s->self);
  g_object_unref (s->file);
  g_free (s);
}

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HdAttachmentView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %s says why, e.g. "Permission denied" */
      text = g_strdup_printf (_("The file could not be saved: %s"), error->message);
    }
  else
    {
      g_autofree char *name = g_file_get_basename (G_FILE (source));
      /* Translators: %s is a file name */
      text = g_strdup_printf (_("Saved “%s”"), name);
    }
  toast (self, text);
}

static void
save_fetched_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Save *s = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = hd_session_fetch_attachment_finish (HD_SESSION (source), result, &error);

  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf (_("The file could not be downloaded: %s"), error->message);
          toast (s->self, text);
        }
      save_free (s);
      return;
    }
  g_file_replace_contents_bytes_async (s->file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       s->self->cancellable, written_cb, g_object_ref (s->self));
  save_free (s);
}

void
hd_attachment_view_save_to (HdAttachmentView *self,
                            GFile            *file)
{
  Save *s;

  g_return_if_fail (HD_IS_ATTACHMENT_VIEW (self));
  if (get_session (self) == NULL || self->attachment == NULL)
    return;
  s = g_new0 (Save, 1);
  s->self = g_object_ref (self);
  s->file = g_object_ref (file);
  hd_session_fetch_attachment_async (get_session (self), hd_attachment_get_id (self->attachment),
                                     self->cancellable, save_fetched_cb, s);
}

static void
chooser_response_cb (GtkNativeDialog  *dialog,
                     int               response,
                     HdAttachmentView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        hd_attachment_view_save_to (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
save_clicked_cb (HdAttachmentView *self)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  GtkFileChooserNative *chooser;

  if (self->attachment == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Save File"),
                                         GTK_IS_WINDOW (native) ? GTK_WINDOW (native) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser),
                                     hd_attachment_get_filename (self->attachment));
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- binding -------------------------------------------------------- */

void
hd_attachment_view_set_attachment (HdAttachmentView *self,
                                   HdSession        *session,
                                   HdAttachment     *attachment)
{
  g_autofree char *size = NULL;
  g_autofree char *save_name = NULL;
  g_autofree char *picture_name = NULL;
  g_autoptr(GIcon) icon = NULL;
  g_autofree char *content_type = NULL;

  g_return_if_fail (HD_IS_ATTACHMENT_VIEW (self));

  if (self->attachment == attachment && self->session == session)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->session, session);
  g_set_object (&self->attachment, attachment);
  self->thumbnail_asked = FALSE;
  gtk_picture_set_paintable (GTK_PICTURE (self->picture), NULL);
  gtk_widget_set_visible (self->picture, FALSE);
  gtk_widget_set_visible (self->icon, TRUE);
  if (attachment == NULL)
    return;

  /* A file name is people's text: set_text only. */
  gtk_label_set_text (self->name_label, hd_attachment_get_filename (attachment));
  size = hd_attachment_format_size (hd_attachment_get_size (attachment));
  gtk_label_set_text (self->size_label, size);
  content_type = g_content_type_from_mime_type (hd_attachment_get_content_type (attachment));
  icon = content_type ? g_content_type_get_symbolic_icon (content_type) : NULL;
  if (icon != NULL)
    gtk_image_set_from_gicon (GTK_IMAGE (self->icon), icon);
  else
    gtk_image_set_from_icon_name (GTK_IMAGE (self->icon), "text-x-generic-symbolic");

  /* Translators: the accessible name of a Save button; %s is a file name */
  save_name = g_strdup_printf (_("Save “%s”"), hd_attachment_get_filename (attachment));
  gtk_widget_set_tooltip_text (self->save_button, save_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->save_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, save_name, -1);
  /* Translators: the accessible name of a thumbnail; %s is a file name */
  picture_name = g_strdup_printf (_("Picture “%s”"), hd_attachment_get_filename (attachment));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->picture),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, picture_name, -1);

  if (gtk_widget_get_mapped (GTK_WIDGET (self)) || session != NULL)
    maybe_fetch_thumbnail (self);
}

static void
hd_attachment_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (hd_attachment_view_parent_class)->map (widget);
  maybe_fetch_thumbnail (HD_ATTACHMENT_VIEW (widget));
}

static void
hd_attachment_view_dispose (GObject *object)
{
  HdAttachmentView *self = HD_ATTACHMENT_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->attachment);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (hd_attachment_view_parent_class)->dispose (object);
}

static void
hd_attachment_view_class_init (HdAttachmentViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hd_attachment_view_dispose;
  widget_class->map = hd_attachment_view_map;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "hdattachment");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  /* "toast" (const char *text): something to tell the user. */
  signals[SIGNAL_TOAST] = g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
hd_attachment_view_init (HdAttachmentView *self)
{
  GtkWidget *row, *labels;

  self->cancellable = g_cancellable_new ();
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->picture = gtk_picture_new ();
  gtk_picture_set_can_shrink (GTK_PICTURE (self->picture), TRUE);
  gtk_picture_set_content_fit (GTK_PICTURE (self->picture), GTK_CONTENT_FIT_CONTAIN);
  gtk_widget_set_size_request (self->picture, THUMB_WIDTH, THUMB_HEIGHT);
  gtk_widget_set_halign (self->picture, GTK_ALIGN_START);
  gtk_widget_add_css_class (self->picture, "hd-thumbnail");
  gtk_widget_set_visible (self->picture, FALSE);
  gtk_box_append (GTK_BOX (self->box), self->picture);

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  self->icon = gtk_image_new_from_icon_name ("text-x-generic-symbolic");
  gtk_image_set_icon_size (GTK_IMAGE (self->icon), GTK_ICON_SIZE_LARGE);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->icon), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_box_append (GTK_BOX (row), self->icon);

  labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  self->name_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_use_markup (self->name_label, FALSE);
  gtk_label_set_xalign (self->name_label, 0);
  gtk_label_set_ellipsize (self->name_label, PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (self->name_label, 32);
  self->size_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->size_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->size_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->size_label), "caption");
  gtk_box_append (GTK_BOX (labels), GTK_WIDGET (self->name_label));
  gtk_box_append (GTK_BOX (labels), GTK_WIDGET (self->size_label));
  gtk_box_append (GTK_BOX (row), labels);

  self->save_button = gtk_button_new_from_icon_name ("document-save-symbolic");
  gtk_widget_set_valign (self->save_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->save_button, "flat");
  gtk_widget_add_css_class (self->save_button, "circular");
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (save_clicked_cb), self);
  gtk_box_append (GTK_BOX (row), self->save_button);
  gtk_box_append (GTK_BOX (self->box), row);
}

GtkWidget *
hd_attachment_view_new (HdSession    *session,
                        HdAttachment *attachment)
{
  HdAttachmentView *self = g_object_new (HD_TYPE_ATTACHMENT_VIEW, NULL);

  hd_attachment_view_set_attachment (self, session, attachment);
  return GTK_WIDGET (self);
}
