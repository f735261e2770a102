/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-requests-page"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "hd-tech-requests-page.h"

struct _HdTechRequestsPage
{
  GtkWidget     parent_instance;

  HdSession    *session;
  GListModel   *requests;
  HdRequest    *selected;

  AdwLeaflet   *leaflet;
  GtkListBox   *list_box;
  GtkStack     *content_stack;
  GtkLabel     *subject_label;
  GtkLabel     *meta_label;
  GtkLabel     *description_label;
  AdwViewStack *tabs;
  AdwBin       *notes_bin;
  HdNotesView  *notes_view;
};

G_DEFINE_FINAL_TYPE (HdTechRequestsPage, hd_tech_requests_page, GTK_TYPE_WIDGET)

static char *
request_title (HdRequest *request)
{
  return g_strdup_printf (_("#%" PRId64 " %s"),
                          hd_request_get_id (request),
                          hd_request_get_subject (request));
}

static char *
request_meta (HdRequest *request)
{
  HdUser *customer = hd_request_get_customer (request);
  HdUser *assignee = hd_request_get_assignee (request);
  const char *team = hd_request_get_team_name (request);
  GString *s = g_string_new (NULL);

  g_string_append (s, hd_request_is_open (request) ? _("Open") : _("Closed"));
  if (customer != NULL)
    g_string_append_printf (s, " · %s", hd_user_get_name (customer));
  if (assignee != NULL)
    g_string_append_printf (s, " · %s %s", _("assigned to"), hd_user_get_name (assignee));
  if (team != NULL && *team != '\0')
    g_string_append_printf (s, " · %s", team);

  return g_string_free (s, FALSE);
}

static void
update_row (GtkWidget *row)
{
  HdRequest *request = g_object_get_data (G_OBJECT (row), "request");
  g_autofree char *title = request_title (request);
  g_autofree char *meta = request_meta (request);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), meta);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  HdRequest *request = item;
  GtkWidget *row = adw_action_row_new ();

  /* Subjects come from people: never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
  g_object_set_data_full (G_OBJECT (row), "request", g_object_ref (request), g_object_unref);
  g_signal_connect_object (request, "notify", G_CALLBACK (update_row), row, G_CONNECT_SWAPPED);
  update_row (row);

  return row;
}

static void
refresh_detail (HdTechRequestsPage *self)
{
  HdRequest *request = self->selected;
  g_autofree char *title = NULL;
  g_autofree char *meta = NULL;
  const char *description;

  if (request == NULL)
    {
      gtk_stack_set_visible_child_name (self->content_stack, "none");
      return;
    }

  title = request_title (request);
  meta = request_meta (request);
  description = hd_request_get_description (request);
  gtk_label_set_text (self->subject_label, title);
  gtk_label_set_text (self->meta_label, meta);
  gtk_label_set_text (self->description_label,
                      description && *description ? description : _("No description."));
  gtk_stack_set_visible_child_name (self->content_stack, "request");
}

static void
show_request (HdTechRequestsPage *self,
              HdRequest          *request)
{
  if (self->selected == request)
    {
      refresh_detail (self);
      return;
    }

  if (self->selected != NULL)
    g_signal_handlers_disconnect_by_data (self->selected, self);
  g_set_object (&self->selected, request);

  if (request != NULL)
    {
      g_signal_connect_object (request, "notify", G_CALLBACK (refresh_detail), self,
                               G_CONNECT_SWAPPED);

      if (self->notes_view == NULL)
        {
          self->notes_view = HD_NOTES_VIEW (hd_notes_view_new (self->session, hd_request_get_id (request)));
          adw_bin_set_child (self->notes_bin, GTK_WIDGET (self->notes_view));
        }
      else if (hd_notes_view_get_request_id (self->notes_view) != hd_request_get_id (request))
        hd_notes_view_set_request (self->notes_view, self->session, hd_request_get_id (request));
    }

  refresh_detail (self);
}

static void
row_selected_cb (HdTechRequestsPage *self,
                 GtkListBoxRow      *row)
{
  HdRequest *request = row ? g_object_get_data (G_OBJECT (row), "request") : NULL;

  show_request (self, request);
  if (row != NULL)
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

void
hd_tech_requests_page_set_session (HdTechRequestsPage *self,
                                   HdSession          *session)
{
  g_return_if_fail (HD_IS_TECH_REQUESTS_PAGE (self));

  if (self->session == session)
    return;

  show_request (self, NULL);
  gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  g_clear_object (&self->requests);
  if (self->notes_view != NULL)
    {
      adw_bin_set_child (self->notes_bin, NULL);
      self->notes_view = NULL;
    }
  g_set_object (&self->session, session);

  if (session != NULL)
    {
      self->requests = g_object_ref (hd_session_get_requests (session));
      gtk_list_box_bind_model (self->list_box, self->requests, create_row, self, NULL);
    }
}

gboolean
hd_tech_requests_page_show_notes (HdTechRequestsPage *self,
                                  gint64              request_id)
{
  g_return_val_if_fail (HD_IS_TECH_REQUESTS_PAGE (self), FALSE);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      HdRequest *request = g_object_get_data (G_OBJECT (child), "request");

      if (request != NULL && hd_request_get_id (request) == request_id)
        {
          gtk_list_box_select_row (self->list_box, GTK_LIST_BOX_ROW (child));
          show_request (self, request);
          adw_view_stack_set_visible_child_name (self->tabs, "notes");
          adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
          return TRUE;
        }
    }

  return FALSE;
}

static void
hd_tech_requests_page_dispose (GObject *object)
{
  HdTechRequestsPage *self = HD_TECH_REQUESTS_PAGE (object);
  GtkWidget *child;

  hd_tech_requests_page_set_session (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), HD_TYPE_TECH_REQUESTS_PAGE);
  /* dispose_template() only unparents the children bound to fields. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (hd_tech_requests_page_parent_class)->dispose (object);
}

static void
hd_tech_requests_page_class_init (HdTechRequestsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hd_tech_requests_page_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/helpdeskchat/Tech/hd-tech-requests-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HdTechRequestsPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, HdTechRequestsPage, list_box);
  gtk_widget_class_bind_template_child (widget_class, HdTechRequestsPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, HdTechRequestsPage, subject_label);
  gtk_widget_class_bind_template_child (widget_class, HdTechRequestsPage, meta_label);
  gtk_widget_class_bind_template_child (widget_class, HdTechRequestsPage, description_label);
  gtk_widget_class_bind_template_child (widget_class, HdTechRequestsPage, tabs);
  gtk_widget_class_bind_template_child (widget_class, HdTechRequestsPage, notes_bin);
  gtk_widget_class_bind_template_callback (widget_class, row_selected_cb);
}

static void
hd_tech_requests_page_init (HdTechRequestsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
