/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-portal"

#include <glib/gi18n.h>

#include "hd-portal-rating.h"
#include "hdclient.h"

struct _HdPortalRating
{
  GtkWidget  parent_instance;

  GtkWidget *stack;
  GtkWidget *stars[5];
  GtkWidget *comment;
  GtkWidget *send_button;
  GtkWidget *skip_button;
  GtkWidget *error_label;
  GtkWidget *done_label;
  int        score;
};

G_DEFINE_FINAL_TYPE (HdPortalRating, hd_portal_rating, GTK_TYPE_WIDGET)

enum {
  SIGNAL_RATE,
  SIGNAL_SKIP,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_stars (HdPortalRating *self)
{
  for (int i = 0; i < 5; i++)
    gtk_button_set_icon_name (GTK_BUTTON (self->stars[i]),
                              i < self->score ? "starred-symbolic" : "non-starred-symbolic");
  gtk_widget_set_sensitive (self->send_button, self->score > 0);
}

void
hd_portal_rating_set_score (HdPortalRating *self,
                            int             score)
{
  g_return_if_fail (HD_IS_PORTAL_RATING (self));
  self->score = CLAMP (score, 0, 5);
  if (self->score > 0)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->stars[self->score - 1]), TRUE);
  update_stars (self);
}

int
hd_portal_rating_get_score (HdPortalRating *self)
{
  g_return_val_if_fail (HD_IS_PORTAL_RATING (self), 0);
  return self->score;
}

static void
star_toggled_cb (GtkToggleButton *button,
                 HdPortalRating  *self)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  self->score = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "hd-score"));
  update_stars (self);
}

static void
send_clicked_cb (HdPortalRating *self)
{
  const char *comment = gtk_editable_get_text (GTK_EDITABLE (self->comment));

  if (self->score < 1)
    return;
  g_signal_emit (self, signals[SIGNAL_RATE], 0, self->score,
                 comment != NULL && *comment != '\0' ? comment : NULL);
}

static void
skip_clicked_cb (HdPortalRating *self)
{
  g_signal_emit (self, signals[SIGNAL_SKIP], 0);
}

void
hd_portal_rating_set_busy (HdPortalRating *self,
                           gboolean        busy)
{
  g_return_if_fail (HD_IS_PORTAL_RATING (self));
  gtk_widget_set_sensitive (gtk_stack_get_child_by_name (GTK_STACK (self->stack), "ask"), !busy);
}

void
hd_portal_rating_show_error (HdPortalRating *self,
                             const char     *text)
{
  g_return_if_fail (HD_IS_PORTAL_RATING (self));
  gtk_label_set_text (GTK_LABEL (self->error_label), text ? text : "");
  gtk_widget_set_visible (self->error_label, text != NULL);
}

void
hd_portal_rating_show_done (HdPortalRating *self,
                            int             score,
                            const char     *comment)
{
  g_autofree char *text = NULL;

  g_return_if_fail (HD_IS_PORTAL_RATING (self));
  text = g_strdup_printf (g_dngettext (NULL,
                                       /* Translators: the rating the customer gave, out of five */
                                       "Thank you! You rated this chat %d star out of 5.",
                                       "Thank you! You rated this chat %d stars out of 5.",
                                       score), score);
  gtk_label_set_text (GTK_LABEL (self->done_label), text);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "done");
}

static void
hd_portal_rating_dispose (GObject *object)
{
  HdPortalRating *self = HD_PORTAL_RATING (object);

  g_clear_pointer (&self->stack, gtk_widget_unparent);
  G_OBJECT_CLASS (hd_portal_rating_parent_class)->dispose (object);
}

static void
hd_portal_rating_class_init (HdPortalRatingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hd_portal_rating_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  signals[SIGNAL_RATE] = g_signal_new ("rate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
  signals[SIGNAL_SKIP] = g_signal_new ("skip", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
hd_portal_rating_init (HdPortalRating *self)
{
  GtkWidget *ask, *title, *star_box, *buttons;

  self->stack = gtk_stack_new ();
  gtk_stack_set_transition_type (GTK_STACK (self->stack), GTK_STACK_TRANSITION_TYPE_CROSSFADE);
  gtk_widget_set_parent (self->stack, GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Rate this chat"), -1);

  ask = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  title = gtk_label_new (_("How was this chat?"));
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (ask), title);

  star_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
  gtk_widget_set_halign (star_box, GTK_ALIGN_CENTER);
  for (int i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf (g_dngettext (NULL, "%d star", "%d stars", i + 1), i + 1);

      self->stars[i] = gtk_toggle_button_new ();
      gtk_button_set_icon_name (GTK_BUTTON (self->stars[i]), "non-starred-symbolic");
      gtk_widget_add_css_class (self->stars[i], "flat");
      gtk_widget_add_css_class (self->stars[i], "circular");
      gtk_widget_add_css_class (self->stars[i], "hd-star");
      gtk_widget_set_tooltip_text (self->stars[i], name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->stars[i]), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      g_object_set_data (G_OBJECT (self->stars[i]), "hd-score", GINT_TO_POINTER (i + 1));
      if (i > 0)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (self->stars[i]), GTK_TOGGLE_BUTTON (self->stars[0]));
      g_signal_connect (self->stars[i], "toggled", G_CALLBACK (star_toggled_cb), self);
      gtk_box_append (GTK_BOX (star_box), self->stars[i]);
    }
  gtk_box_append (GTK_BOX (ask), star_box);

  self->comment = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->comment), _("A comment (optional)"));
  gtk_entry_set_max_length (GTK_ENTRY (self->comment), 4000);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->comment), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Comment"), -1);
  g_signal_connect_swapped (self->comment, "activate", G_CALLBACK (send_clicked_cb), self);
  gtk_box_append (GTK_BOX (ask), self->comment);

  self->error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->error_label), TRUE);
  gtk_widget_add_css_class (self->error_label, "error");
  gtk_widget_set_visible (self->error_label, FALSE);
  gtk_box_append (GTK_BOX (ask), self->error_label);

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  self->skip_button = gtk_button_new_with_mnemonic (_("S_kip"));
  self->send_button = gtk_button_new_with_mnemonic (_("Send _Rating"));
  gtk_widget_add_css_class (self->send_button, "suggested-action");
  g_signal_connect_swapped (self->skip_button, "clicked", G_CALLBACK (skip_clicked_cb), self);
  g_signal_connect_swapped (self->send_button, "clicked", G_CALLBACK (send_clicked_cb), self);
  gtk_box_append (GTK_BOX (buttons), self->skip_button);
  gtk_box_append (GTK_BOX (buttons), self->send_button);
  gtk_box_append (GTK_BOX (ask), buttons);
  gtk_stack_add_named (GTK_STACK (self->stack), ask, "ask");

  self->done_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->done_label), TRUE);
  gtk_stack_add_named (GTK_STACK (self->stack), self->done_label, "done");
  hd_stack_hide_inactive_pages (GTK_STACK (self->stack));
  hd_accessible_fix_mnemonic_names (ask);
  update_stars (self);
}

GtkWidget *
hd_portal_rating_new (void)
{
  return g_object_new (HD_TYPE_PORTAL_RATING, NULL);
}
