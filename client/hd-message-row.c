/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-message-row"

#include <glib/gi18n.h>

#include "hd-message-row.h"
#include "hd-attachment-view.h"
#include "hd-user.h"

struct _HdMessageRow
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkLabel *author_label;
  GtkLabel *time_label;
  GtkLabel *body_label;
  GtkLabel *state_label;
  GtkWidget *attachment_view;

  HdMessage *message;
};

G_DEFINE_FINAL_TYPE (HdMessageRow, hd_message_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_class (GtkWidget  *widget,
           const char *name,
           gboolean    on)
{
  if (on)
    gtk_widget_add_css_class (widget, name);
  else
    gtk_widget_remove_css_class (widget, name);
}

static void
update (HdMessageRow *self)
{
  HdMessage *m = self->message;
  HdUser *author = m ? hd_message_get_author (m) : NULL;
  GDateTime *created = m ? hd_message_get_created_at (m) : NULL;
  gboolean own = m != NULL && hd_message_get_is_own (m);
  HdMessageState state = m ? hd_message_get_state (m) : HD_MESSAGE_STATE_SENT;
  g_autofree char *time = NULL;
  g_autofree char *a11y = NULL;

  if (created)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (created);
      time = g_date_time_format (local, "%H:%M");
    }
  /* People's text is never markup. */
  gtk_label_set_text (self->author_label, author && hd_user_get_name (author) ? hd_user_get_name (author) : "");
  gtk_label_set_text (self->time_label, time ? time : "");
  gtk_label_set_text (self->body_label, m && hd_message_get_body (m) ? hd_message_get_body (m) : "");
  /* A file: its thumbnail or row stands for the body.  The session comes
   * from the chat view the row is in. */
  hd_attachment_view_set_attachment (HD_ATTACHMENT_VIEW (self->attachment_view), NULL,
                                     m ? hd_message_get_attachment (m) : NULL);
  gtk_widget_set_visible (self->attachment_view, m != NULL && hd_message_get_attachment (m) != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->body_label), m == NULL || hd_message_get_attachment (m) == NULL);

  switch (state)
    {
    case HD_MESSAGE_STATE_SENDING:
      gtk_label_set_text (self->state_label, _("Sending…"));
      break;
    case HD_MESSAGE_STATE_FAILED:
      gtk_label_set_text (self->state_label, _("Not delivered: the chat has ended"));
      break;
    case HD_MESSAGE_STATE_SENT:
    default:
      break;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->state_label), state != HD_MESSAGE_STATE_SENT);

  gtk_widget_set_halign (self->box, own ? GTK_ALIGN_END : GTK_ALIGN_START);
  set_class (self->box, "hd-own", own);
  set_class (self->box, "hd-other", !own);
  set_class (self->box, "hd-sending", state == HD_MESSAGE_STATE_SENDING);

  a11y = g_strdup_printf ("%s, %s", gtk_label_get_text (self->author_label), gtk_label_get_text (self->time_label));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->box), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
}

void
hd_message_row_set_message (HdMessageRow *self,
                            HdMessage    *message)
{
  g_return_if_fail (HD_IS_MESSAGE_ROW (self));
  g_return_if_fail (message == NULL || HD_IS_MESSAGE (message));

  if (self->message == message)
    return;
  if (self->message)
    g_signal_handlers_disconnect_by_data (self->message, self);
  g_set_object (&self->message, message);
  if (message)
    g_signal_connect_swapped (message, "notify", G_CALLBACK (update), self);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

HdMessage *
hd_message_row_get_message (HdMessageRow *self)
{
  g_return_val_if_fail (HD_IS_MESSAGE_ROW (self), NULL);
  return self->message;
}

static void
hd_message_row_dispose (GObject *object)
{
  HdMessageRow *self = HD_MESSAGE_ROW (object);

  hd_message_row_set_message (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), HD_TYPE_MESSAGE_ROW);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self)));)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (hd_message_row_parent_class)->dispose (object);
}

static void
hd_message_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_MESSAGE: g_value_set_object (value, HD_MESSAGE_ROW (object)->message); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_message_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_MESSAGE: hd_message_row_set_message (HD_MESSAGE_ROW (object), g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_message_row_class_init (HdMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hd_message_row_dispose;
  object_class->get_property = hd_message_row_get_property;
  object_class->set_property = hd_message_row_set_property;

  properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL, HD_TYPE_MESSAGE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/com/helpdeskchat/client/hd-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, HdMessageRow, box);
  gtk_widget_class_bind_template_child (widget_class, HdMessageRow, author_label);
  gtk_widget_class_bind_template_child (widget_class, HdMessageRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, HdMessageRow, body_label);
  gtk_widget_class_bind_template_child (widget_class, HdMessageRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, HdMessageRow, attachment_view);
}

static void
hd_message_row_init (HdMessageRow *self)
{
  g_type_ensure (HD_TYPE_ATTACHMENT_VIEW);
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
hd_message_row_new (void)
{
  return g_object_new (HD_TYPE_MESSAGE_ROW, NULL);
}
