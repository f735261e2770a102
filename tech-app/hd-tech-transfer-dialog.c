/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-transfer"

#include <glib/gi18n.h>

#include "hd-error.h"
#include "hd-tech-transfer-dialog.h"

struct _HdTechTransferDialog
{
  AdwWindow parent_instance;

  HdSession    *session;
  HdChat       *chat;
  GCancellable *cancellable;
  gboolean      busy;          /* a transfer is under way */
  char         *chosen;        /* whom it goes to (a name, or NULL: the team) */

  GtkLabel     *error_label;
  GtkStack     *stack;
  GtkListBox   *people_list;
  GtkWidget    *team_group;
  GtkListBox   *team_list;
};

G_DEFINE_FINAL_TYPE (HdTechTransferDialog, hd_tech_transfer_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_TRANSFERRED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void load_people (HdTechTransferDialog *self);

static void
show_error (HdTechTransferDialog *self,
            const char           *text)
{
  /* Plain text: a reason may quote a name. */
  gtk_label_set_text (self->error_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text != NULL);
}

static void
set_busy (HdTechTransferDialog *self,
          gboolean              busy)
{
  self->busy = busy;
  gtk_widget_set_sensitive (GTK_WIDGET (self->people_list), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->team_list), !busy);
}

/* A call under way holds the dialog beyond its parent's end, and GTK 4.8
 * only lets go of a transient parent when the dialog is finalized: let go
 * of it first. */
static void
close_dialog (HdTechTransferDialog *self)
{
  gtk_window_set_transient_for (GTK_WINDOW (self), NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
transfer_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(HdTechTransferDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdChat) chat = hd_session_chat_finish (HD_SESSION (object), result, &error);
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (chat != NULL)
    {
      /* Gone first: the handler may destroy the parent. */
      close_dialog (self);
      g_signal_emit (self, signals[SIGNAL_TRANSFERRED], 0, chat);
      return;
    }

  if (g_error_matches (error, HD_ERROR, HD_ERROR_TECHNICIAN_UNAVAILABLE) && self->chosen != NULL)
    /* Translators: %s is a technician's name */
    text = g_strdup_printf (_("%s can no longer take the chat (gone offline, away or not available). Nothing was changed; please choose again."),
                            self->chosen);
  else if (g_error_matches (error, HD_ERROR, HD_ERROR_TECHNICIAN_UNAVAILABLE))
    text = g_strdup (_("Nobody of the team can take the chat right now. Nothing was changed."));
  else if (g_error_matches (error, HD_ERROR, HD_ERROR_TECHNICIAN_BUSY) && self->chosen != NULL)
    /* Translators: %s is a technician's name */
    text = g_strdup_printf (_("%s already has as many chats as allowed. Nothing was changed; please choose someone else."),
                            self->chosen);
  else
    {
      g_autofree char *why = hd_error_dup_text (error);

      /* Translators: %s says why the server refused */
      text = g_strdup_printf (_("The chat was not transferred: %s"), why);
    }
  show_error (self, text);
  /* Who can take it may have changed meanwhile. */
  load_people (self);
}

static void
transfer (HdTechTransferDialog *self,
          gint64                technician_id,
          gint64                team_id,
          const char           *name)
{
  if (self->busy)
    return;
  g_free (self->chosen);
  self->chosen = g_strdup (name);
  set_busy (self, TRUE);
  show_error (self, NULL);
  hd_session_transfer_chat_async (self->session, hd_chat_get_id (self->chat),
                                  technician_id, team_id, self->cancellable,
                                  transfer_cb, g_object_ref (self));
}

static void
person_clicked_cb (GtkButton            *button,
                   HdTechTransferDialog *self)
{
  transfer (self, GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "hd-user-id")), 0,
            g_object_get_data (G_OBJECT (button), "hd-user-name"));
}

static void
team_clicked_cb (GtkButton            *button,
                 HdTechTransferDialog *self)
{
  transfer (self, 0, GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "hd-team-id")), NULL);
}

/* A row with its title as plain text and a button that does it; the row
 * activates the button, so Enter and a click on the row work too. */
static GtkWidget *
action_row (const char *title,
            const char *subtitle,
            const char *button_label,
            const char *accessible_label)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_label (button_label);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label, -1);
  gtk_widget_set_tooltip_text (button, accessible_label);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  /* Not adw_action_row_set_activatable_widget (): that names the button
   * after the row too.  The list's row-activated clicks it instead. */
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data (G_OBJECT (row), "hd-button", button);
  return row;
}

static GtkButton *
row_button (GtkWidget *row)
{
  return GTK_BUTTON (g_object_get_data (G_OBJECT (row), "hd-button"));
}

static void
row_activated_cb (GtkListBox    *list,
                  GtkListBoxRow *row)
{
  gtk_widget_activate (GTK_WIDGET (row_button (GTK_WIDGET (row))));
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
people_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HdTechTransferDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) people = hd_session_list_transfer_targets_finish (HD_SESSION (object), result, &error);
  guint n;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  clear_list (self->people_list);
  if (people == NULL)
    {
      g_autofree char *why = hd_error_dup_text (error);

      show_error (self, why);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  n = g_list_model_get_n_items (people);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HdUser) user = g_list_model_get_item (people, i);
      const char *person = hd_user_get_name (user) ? hd_user_get_name (user) : "";
      /* Translators: the button's accessible name; %s is a technician */
      g_autofree char *label = g_strdup_printf (_("Transfer to %s"), person);
      GtkWidget *row = action_row (person, _("Available"), _("Transfer"), label);

      g_object_set_data (G_OBJECT (row_button (row)), "hd-user-id",
                         GSIZE_TO_POINTER ((gsize) hd_user_get_id (user)));
      g_object_set_data_full (G_OBJECT (row_button (row)), "hd-user-name", g_strdup (person), g_free);
      g_signal_connect (row_button (row), "clicked", G_CALLBACK (person_clicked_cb), self);
      gtk_list_box_append (self->people_list, row);
    }
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "people" : "empty");
}

static void
load_people (HdTechTransferDialog *self)
{
  if (gtk_widget_get_first_child (GTK_WIDGET (self->people_list)) == NULL)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  hd_session_list_transfer_targets_async (self->session, self->cancellable,
                                          people_cb, g_object_ref (self));
}

static void
update_team (HdTechTransferDialog *self)
{
  HdRequest *request = hd_session_get_request (self->session, hd_chat_get_request_id (self->chat));
  gint64 team_id = hd_request_get_team_id (request);
  const char *team = hd_request_get_team_name (request);
  GtkWidget *row;

  clear_list (self->team_list);
  gtk_widget_set_visible (self->team_group, team_id > 0);
  if (team_id <= 0)
    return;
  row = action_row (_("Back to the team queue"), team, _("Move"), _("Back to the team queue"));
  g_object_set_data (G_OBJECT (row_button (row)), "hd-team-id", GSIZE_TO_POINTER ((gsize) team_id));
  g_signal_connect (row_button (row), "clicked", G_CALLBACK (team_clicked_cb), self);
  gtk_list_box_append (self->team_list, row);
}

static void
hd_tech_transfer_dialog_dispose (GObject *object)
{
  HdTechTransferDialog *self = HD_TECH_TRANSFER_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->session != NULL && self->chat != NULL)
    {
      HdRequest *request = hd_session_lookup_request (self->session, hd_chat_get_request_id (self->chat));

      if (request != NULL)
        g_signal_handlers_disconnect_by_data (request, self);
    }
  G_OBJECT_CLASS (hd_tech_transfer_dialog_parent_class)->dispose (object);
}

static void
hd_tech_transfer_dialog_finalize (GObject *object)
{
  HdTechTransferDialog *self = HD_TECH_TRANSFER_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_free (self->chosen);
  g_clear_object (&self->session);
  g_clear_object (&self->chat);
  G_OBJECT_CLASS (hd_tech_transfer_dialog_parent_class)->finalize (object);
}

static void
hd_tech_transfer_dialog_class_init (HdTechTransferDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hd_tech_transfer_dialog_dispose;
  object_class->finalize = hd_tech_transfer_dialog_finalize;

  signals[SIGNAL_TRANSFERRED] =
    g_signal_new ("transferred", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HD_TYPE_CHAT);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static GtkWidget *
heading (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  return label;
}

static GtkListBox *
boxed_list (const char *accessible_label)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  g_signal_connect (list, "row-activated", G_CALLBACK (row_activated_cb), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label, -1);
  return GTK_LIST_BOX (list);
}

static void
hd_tech_transfer_dialog_init (HdTechTransferDialog *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *empty = gtk_label_new (_("No colleague can take a chat right now: nobody else is logged in, available and at their desk."));

  self->cancellable = g_cancellable_new ();
  gtk_window_set_title (GTK_WINDOW (self), _("Transfer Chat"));
  gtk_window_set_default_size (GTK_WINDOW (self), 420, 460);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);

  gtk_box_append (GTK_BOX (content), header);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (content), scroller);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 420);
  adw_clamp_set_tightening_threshold (ADW_CLAMP (clamp), 320);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_max_width_chars (self->error_label, 40);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->error_label));

  gtk_box_append (GTK_BOX (box), heading (_("Colleagues who can take it now")));
  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_vhomogeneous (self->stack, FALSE);
  gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
  gtk_widget_set_size_request (spinner, 24, 24);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spinner),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Looking for colleagues…"), -1);
  gtk_stack_add_named (self->stack, spinner, "loading");
  self->people_list = boxed_list (_("Colleagues"));
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->people_list), "people");
  gtk_label_set_wrap (GTK_LABEL (empty), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (empty), 40);
  gtk_label_set_xalign (GTK_LABEL (empty), 0);
  gtk_widget_add_css_class (empty, "dim-label");
  gtk_stack_add_named (self->stack, empty, "empty");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));

  self->team_group = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_top (self->team_group, 12);
  gtk_box_append (GTK_BOX (self->team_group), heading (_("Team")));
  self->team_list = boxed_list (_("Team"));
  gtk_box_append (GTK_BOX (self->team_group), GTK_WIDGET (self->team_list));
  gtk_box_append (GTK_BOX (box), self->team_group);

  adw_window_set_content (ADW_WINDOW (self), content);
}

HdTechTransferDialog *
hd_tech_transfer_dialog_new (GtkWindow *parent,
                             HdSession *session,
                             HdChat    *chat)
{
  HdTechTransferDialog *self;

  g_return_val_if_fail (HD_IS_SESSION (session), NULL);
  g_return_val_if_fail (HD_IS_CHAT (chat), NULL);

  self = g_object_new (HD_TYPE_TECH_TRANSFER_DIALOG, "transient-for", parent, NULL);
  if (parent != NULL)
    g_signal_connect_object (parent, "destroy", G_CALLBACK (close_dialog), self, G_CONNECT_SWAPPED);
  self->session = g_object_ref (session);
  self->chat = g_object_ref (chat);
  g_signal_connect_swapped (hd_session_get_request (session, hd_chat_get_request_id (chat)),
                            "notify::team-id", G_CALLBACK (update_team), self);
  update_team (self);
  load_people (self);
  return self;
}
