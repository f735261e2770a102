/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-notes-view"

#include "hd-notes-view.h"

#include <glib/gi18n.h>

struct _HdNotesView
{
  GtkWidget parent_instance;

  GtkStack *stack;
  GtkListView *list_view;

  HdSession *session;
  gint64 request_id;
  GListModel *notes;
};

G_DEFINE_FINAL_TYPE (HdNotesView, hd_notes_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_REQUEST_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_page (HdNotesView *self)
{
  gboolean empty = self->notes == NULL || g_list_model_get_n_items (self->notes) == 0;

  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "notes");
}

static void
unwatch (HdNotesView *self)
{
  if (self->notes)
    {
      g_signal_handlers_disconnect_by_data (self->notes, self);
      hd_session_unwatch_notes (self->session, self->request_id);
    }
  g_clear_object (&self->notes);
  g_clear_object (&self->session);
}

void
hd_notes_view_set_request (HdNotesView *self,
                           HdSession   *session,
                           gint64       request_id)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  g_return_if_fail (HD_IS_NOTES_VIEW (self));
  g_return_if_fail (session == NULL || HD_IS_SESSION (session));

  if (session)
    g_object_ref (session);
  unwatch (self);
  self->session = session;
  self->request_id = request_id;

  if (session && request_id > 0)
    {
      /* Subscribed to the request's events while shown. */
      self->notes = g_object_ref (hd_session_watch_notes (session, request_id));
      g_signal_connect_swapped (self->notes, "items-changed", G_CALLBACK (update_page), self);
      selection = gtk_no_selection_new (g_object_ref (self->notes));
    }
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  update_page (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUEST_ID]);
}

static void
hd_notes_view_dispose (GObject *object)
{
  HdNotesView *self = HD_NOTES_VIEW (object);

  unwatch (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), HD_TYPE_NOTES_VIEW);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self)));)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (hd_notes_view_parent_class)->dispose (object);
}

static void
hd_notes_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HdNotesView *self = HD_NOTES_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    case PROP_REQUEST_ID: g_value_set_int64 (value, self->request_id); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_notes_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  HdNotesView *self = HD_NOTES_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      hd_notes_view_set_request (self, g_value_get_object (value), self->request_id);
      break;
    case PROP_REQUEST_ID:
      hd_notes_view_set_request (self, self->session, g_value_get_int64 (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_notes_view_class_init (HdNotesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hd_notes_view_dispose;
  object_class->get_property = hd_notes_view_get_property;
  object_class->set_property = hd_notes_view_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, HD_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REQUEST_ID] =
    g_param_spec_int64 ("request-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "hdnotesview");
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/helpdeskchat/client/hd-notes-view.ui");
  gtk_widget_class_bind_template_child (widget_class, HdNotesView, stack);
  gtk_widget_class_bind_template_child (widget_class, HdNotesView, list_view);
}

static void
hd_notes_view_init (HdNotesView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Notes"), -1);
  update_page (self);
}

GtkWidget *
hd_notes_view_new (HdSession *session,
                   gint64     request_id)
{
  return g_object_new (HD_TYPE_NOTES_VIEW, "session", session, "request-id", request_id, NULL);
}

gint64
hd_notes_view_get_request_id (HdNotesView *self)
{
  g_return_val_if_fail (HD_IS_NOTES_VIEW (self), 0);
  return self->request_id;
}
