/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-portal"

#include <glib/gi18n.h>

#include "hd-portal-dialogs.h"
#include "hd-protocol.h"

/* Both dialogs: a header bar with Cancel and a suggested action, a body,
 * and an error label that says plainly what is wrong while keeping what
 * was typed. */

static GtkWidget *
error_label_new (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "error");
  gtk_widget_set_visible (label, FALSE);
  return label;
}

static void
show_error (GtkWidget  *label,
            const char *text)
{
  gtk_label_set_text (GTK_LABEL (label), text ? text : "");
  gtk_widget_set_visible (label, text != NULL);
  if (text != NULL)
    /* Screen readers announce the change of a live region's text. */
    gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

static void
show_error_clear (GtkWidget *label)
{
  show_error (label, NULL);
}

static GtkWidget *
text_view_new (const char *accessible_name,
               GtkWidget **out_view)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 8);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_name, -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_widget_set_size_request (scroller, -1, 140);
  gtk_widget_add_css_class (scroller, "card");
  *out_view = view;
  return scroller;
}

static char *
text_of (GtkWidget *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
blank (const char *s)
{
  for (; s && *s; s = g_utf8_next_char (s))
    if (!g_unichar_isspace (g_utf8_get_char (s)))
      return FALSE;
  return TRUE;
}

/* A window with a header bar: Cancel at the start, @action_label at the
 * end; returns the content box. */
static GtkWidget *
dialog_frame (AdwWindow   *window,
              const char  *title,
              const char  *action_label,
              GtkWidget  **out_action)
{
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *action = gtk_button_new_with_mnemonic (action_label);
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  gtk_window_set_title (GTK_WINDOW (window), title);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 440, 360);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "window.close");
  gtk_widget_add_css_class (action, "suggested-action");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), action);
  gtk_box_append (GTK_BOX (toolbar), header);
  gtk_widget_set_margin_start (content, 18);
  gtk_widget_set_margin_end (content, 18);
  gtk_widget_set_margin_top (content, 12);
  gtk_widget_set_margin_bottom (content, 18);
  gtk_widget_set_vexpand (content, TRUE);
  gtk_box_append (GTK_BOX (toolbar), content);
  adw_window_set_content (window, toolbar);
  gtk_window_set_default_widget (GTK_WINDOW (window), action);
  hd_accessible_fix_mnemonic_names (toolbar);
  *out_action = action;
  return content;
}

/* ---- Leave a Message ------------------------------------------------ */

struct _HdPortalMessageDialog
{
  AdwWindow     parent_instance;

  GtkWidget    *text_view;
  GtkWidget    *error_label;
  GtkWidget    *send_button;
  HdSession    *session;
  HdRequest    *request;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (HdPortalMessageDialog, hd_portal_message_dialog, ADW_TYPE_WINDOW)

static guint message_done_signal;

static void
message_sent_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(HdPortalMessageDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdNote) note = hd_session_add_note_finish (HD_SESSION (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_widget_set_sensitive (self->send_button, TRUE);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (self->text_view), TRUE);
  if (note == NULL)
    {
      g_autofree char *why = hd_error_dup_text (error);
      /* Translators: %s says why */
      g_autofree char *text = g_strdup_printf (_("Your message was not sent: %s"), why);
      show_error (self->error_label, text);
      return;
    }
  g_signal_emit (self, message_done_signal, 0, note);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
message_send_cb (HdPortalMessageDialog *self)
{
  g_autofree char *text = text_of (self->text_view);
  glong chars = g_utf8_strlen (text, -1);

  if (blank (text))
    {
      show_error (self->error_label, _("Please write your message first."));
      gtk_widget_grab_focus (self->text_view);
      return;
    }
  if (chars > HD_MAX_NOTE_CHARS)
    {
      g_autofree char *msg =
        /* Translators: %d is how many characters the message has now */
        g_strdup_printf (g_dngettext (NULL,
                                      "A message may have at most 4000 characters; it has %d character.",
                                      "A message may have at most 4000 characters; it has %d characters.",
                                      chars), (int) chars);
      show_error (self->error_label, msg);
      return;
    }
  show_error (self->error_label, NULL);
  gtk_widget_set_sensitive (self->send_button, FALSE);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (self->text_view), FALSE);
  hd_session_add_note_async (self->session, hd_request_get_id (self->request), text,
                             self->cancellable, message_sent_cb, g_object_ref (self));
}

static void
hd_portal_message_dialog_dispose (GObject *object)
{
  HdPortalMessageDialog *self = HD_PORTAL_MESSAGE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->request);
  G_OBJECT_CLASS (hd_portal_message_dialog_parent_class)->dispose (object);
}

static void
hd_portal_message_dialog_class_init (HdPortalMessageDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = hd_portal_message_dialog_dispose;
  /* "done" (HdNote *): the message was left. */
  message_done_signal = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 1, HD_TYPE_NOTE);
}

static void
hd_portal_message_dialog_init (HdPortalMessageDialog *self)
{
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
hd_portal_message_dialog_new (GtkWindow *parent,
                              HdSession *session,
                              HdRequest *request)
{
  HdPortalMessageDialog *self = g_object_new (HD_TYPE_PORTAL_MESSAGE_DIALOG,
                                              "transient-for", parent, NULL);
  GtkWidget *content, *intro;
  HdUser *assignee = hd_request_get_assignee (request);
  g_autofree char *intro_text = NULL;

  self->session = g_object_ref (session);
  self->request = g_object_ref (request);
  content = dialog_frame (ADW_WINDOW (self), _("Leave a Message"), _("_Send"), &self->send_button);
  g_signal_connect_swapped (self->send_button, "clicked", G_CALLBACK (message_send_cb), self);

  if (assignee != NULL)
    /* Translators: %s is a technician's name */
    intro_text = g_strdup_printf (_("Nobody can chat right now. Leave a message and %s will read it on this request."),
                                  hd_user_get_name (assignee));
  else
    intro_text = g_strdup (_("Nobody can chat right now. Leave a message and the team will read it on this request."));
  intro = gtk_label_new (intro_text);
  gtk_label_set_wrap (GTK_LABEL (intro), TRUE);
  gtk_label_set_xalign (GTK_LABEL (intro), 0);
  gtk_box_append (GTK_BOX (content), intro);
  gtk_box_append (GTK_BOX (content), text_view_new (_("Message"), &self->text_view));
  self->error_label = error_label_new ();
  gtk_box_append (GTK_BOX (content), self->error_label);
  /* An error is about what was there: typing puts it away. */
  g_signal_connect_object (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view)), "changed",
                           G_CALLBACK (show_error_clear), self->error_label, G_CONNECT_SWAPPED);
  gtk_window_set_focus (GTK_WINDOW (self), self->text_view);
  return GTK_WIDGET (self);
}

/* ---- New Request ---------------------------------------------------- */

struct _HdPortalNewRequestDialog
{
  AdwWindow     parent_instance;

  GtkWidget    *subject_row;
  GtkWidget    *text_view;
  GtkWidget    *error_label;
  GtkWidget    *create_button;
  HdSession    *session;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (HdPortalNewRequestDialog, hd_portal_new_request_dialog, ADW_TYPE_WINDOW)

static guint request_done_signal;

static void
request_made_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(HdPortalNewRequestDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdRequest) request = hd_session_create_request_finish (HD_SESSION (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_widget_set_sensitive (self->create_button, TRUE);
  if (request == NULL)
    {
      g_autofree char *why = hd_error_dup_text (error);
      /* Translators: %s says why */
      g_autofree char *text = g_strdup_printf (_("The request was not created: %s"), why);
      show_error (self->error_label, text);
      return;
    }
  g_signal_emit (self, request_done_signal, 0, request);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
request_create_cb (HdPortalNewRequestDialog *self)
{
  const char *subject = gtk_editable_get_text (GTK_EDITABLE (self->subject_row));
  g_autofree char *description = text_of (self->text_view);

  if (blank (subject))
    {
      show_error (self->error_label, _("Please give the request a subject."));
      gtk_widget_grab_focus (self->subject_row);
      return;
    }
  show_error (self->error_label, NULL);
  gtk_widget_set_sensitive (self->create_button, FALSE);
  hd_session_create_request_async (self->session, subject, blank (description) ? NULL : description,
                                   self->cancellable, request_made_cb, g_object_ref (self));
}

static void
hd_portal_new_request_dialog_dispose (GObject *object)
{
  HdPortalNewRequestDialog *self = HD_PORTAL_NEW_REQUEST_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (hd_portal_new_request_dialog_parent_class)->dispose (object);
}

static void
hd_portal_new_request_dialog_class_init (HdPortalNewRequestDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = hd_portal_new_request_dialog_dispose;
  /* "done" (HdRequest *): the request was made. */
  request_done_signal = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 1, HD_TYPE_REQUEST);
}

static void
hd_portal_new_request_dialog_init (HdPortalNewRequestDialog *self)
{
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
hd_portal_new_request_dialog_new (GtkWindow *parent,
                                  HdSession *session)
{
  HdPortalNewRequestDialog *self = g_object_new (HD_TYPE_PORTAL_NEW_REQUEST_DIALOG,
                                                 "transient-for", parent, NULL);
  GtkWidget *content, *list, *label;

  self->session = g_object_ref (session);
  content = dialog_frame (ADW_WINDOW (self), _("New Request"), _("C_reate"), &self->create_button);
  g_signal_connect_swapped (self->create_button, "clicked", G_CALLBACK (request_create_cb), self);

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  self->subject_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->subject_row), _("Subject"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->subject_row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Subject"), -1);
  g_signal_connect_swapped (self->subject_row, "entry-activated", G_CALLBACK (request_create_cb), self);
  gtk_list_box_append (GTK_LIST_BOX (list), self->subject_row);
  gtk_box_append (GTK_BOX (content), list);

  label = gtk_label_new (_("Description (optional)"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (content), label);
  gtk_box_append (GTK_BOX (content), text_view_new (_("Description"), &self->text_view));
  self->error_label = error_label_new ();
  gtk_box_append (GTK_BOX (content), self->error_label);
  g_signal_connect_object (self->subject_row, "changed",
                           G_CALLBACK (show_error_clear), self->error_label, G_CONNECT_SWAPPED);
  gtk_window_set_focus (GTK_WINDOW (self), self->subject_row);
  return GTK_WIDGET (self);
}
