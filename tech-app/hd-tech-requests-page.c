/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-requests-page"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "hd-tech-requests-page.h"
#include "hd-tech-search-panel.h"

struct _HdTechRequestsPage
{
  GtkWidget     parent_instance;

  HdSession    *session;
  GListModel   *requests;
  HdRequest    *selected;

  AdwLeaflet   *leaflet;
  HdTechSearchPanel *search_panel;
  GtkWidget    *requests_scroller;
  GtkWidget    *shortcut_root;       /* weak: the window holding our Ctrl+F */
  GtkEventController *search_shortcut;
  GListModel   *scroll_notes;        /* waited on for the chat to scroll to */
  gint64        scroll_chat_id;
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
  hd_tech_search_panel_set_session (self->search_panel, session);

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

/* ---- search (contract v2) ------------------------------------------ */

static void
search_mode_cb (HdTechRequestsPage *self)
{
  /* The results take the list's place while searching. */
  gtk_widget_set_visible (self->requests_scroller,
                          !hd_tech_search_panel_get_search_mode (self->search_panel));
}

static GtkWidget *
find_list_view (GtkWidget *root)
{
  if (GTK_IS_LIST_VIEW (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_list_view (child);
      if (found)
        return found;
    }
  return NULL;
}

static void stop_scroll_wait (HdTechRequestsPage *self);

/* Shows the chat's transcript note in the Notes (when the notes are
 * loaded: until then it waits for them). */
static gboolean
scroll_to_chat (HdTechRequestsPage *self)
{
  GtkWidget *list_view = find_list_view (GTK_WIDGET (self->notes_bin));
  guint n = self->scroll_notes ? g_list_model_get_n_items (self->scroll_notes) : 0;

  for (guint i = 0; i < n && list_view != NULL; i++)
    {
      g_autoptr(HdNote) note = g_list_model_get_item (self->scroll_notes, i);

      if (hd_note_get_chat_id (note) == self->scroll_chat_id)
        {
          /* GtkListView's own action (GTK 4.8 has no scroll_to ()). */
          gtk_widget_activate_action (list_view, "list.scroll-to-item", "u", i);
          stop_scroll_wait (self);
          return TRUE;
        }
    }
  return FALSE;
}

static void
stop_scroll_wait (HdTechRequestsPage *self)
{
  if (self->scroll_notes != NULL)
    g_signal_handlers_disconnect_by_func (self->scroll_notes, scroll_to_chat, self);
  g_clear_object (&self->scroll_notes);
  self->scroll_chat_id = 0;
}

static void
result_activated_cb (HdTechRequestsPage *self,
                     gint64              request_id,
                     gint64              chat_id)
{
  hd_tech_search_panel_set_search_mode (self->search_panel, FALSE);
  stop_scroll_wait (self);
  if (!hd_tech_requests_page_show_notes (self, request_id) || chat_id <= 0 || self->session == NULL)
    return;
  self->scroll_notes = g_object_ref (hd_session_get_notes (self->session, request_id));
  self->scroll_chat_id = chat_id;
  if (!scroll_to_chat (self))
    g_signal_connect_swapped (self->scroll_notes, "items-changed", G_CALLBACK (scroll_to_chat), self);
}

static gboolean
search_shortcut_cb (GtkWidget *widget,
                    GVariant  *args,
                    gpointer   user_data)
{
  HdTechRequestsPage *self = HD_TECH_REQUESTS_PAGE (user_data);

  if (self->session == NULL)
    return FALSE;
  /* From anywhere in the window: show the Requests, then search. */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-requests", NULL);
  hd_tech_search_panel_set_search_mode (self->search_panel, TRUE);
  return TRUE;
}

/* Ctrl+F works wherever the focus is in the window, even while another
 * page is shown (an unmapped page's own shortcuts never run): the
 * shortcut sits on the window, for as long as the page is in it. */
static void
root_changed_cb (HdTechRequestsPage *self)
{
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (self)));

  if (root == self->shortcut_root)
    return;
  if (self->shortcut_root != NULL && self->search_shortcut != NULL)
    gtk_widget_remove_controller (self->shortcut_root, self->search_shortcut);
  self->search_shortcut = NULL;
  g_clear_weak_pointer (&self->shortcut_root);
  if (root == NULL)
    return;
  self->search_shortcut = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (self->search_shortcut),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>f"),
                                                          gtk_callback_action_new (search_shortcut_cb, self, NULL)));
  gtk_widget_add_controller (root, self->search_shortcut);
  g_set_weak_pointer (&self->shortcut_root, root);
}

static void
hd_tech_requests_page_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (hd_tech_requests_page_parent_class)->root (widget);
  root_changed_cb (HD_TECH_REQUESTS_PAGE (widget));
}

static void
hd_tech_requests_page_unroot (GtkWidget *widget)
{
  HdTechRequestsPage *self = HD_TECH_REQUESTS_PAGE (widget);

  if (self->shortcut_root != NULL && self->search_shortcut != NULL)
    gtk_widget_remove_controller (self->shortcut_root, self->search_shortcut);
  self->search_shortcut = NULL;
  g_clear_weak_pointer (&self->shortcut_root);
  GTK_WIDGET_CLASS (hd_tech_requests_page_parent_class)->unroot (widget);
}

static void
hd_tech_requests_page_dispose (GObject *object)
{
  HdTechRequestsPage *self = HD_TECH_REQUESTS_PAGE (object);
  GtkWidget *child;

  hd_tech_requests_page_set_session (self, NULL);
  stop_scroll_wait (self);
  if (self->shortcut_root != NULL && self->search_shortcut != NULL)
    gtk_widget_remove_controller (self->shortcut_root, self->search_shortcut);
  self->search_shortcut = NULL;
  g_clear_weak_pointer (&self->shortcut_root);
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
  widget_class->root = hd_tech_requests_page_root;
  widget_class->unroot = hd_tech_requests_page_unroot;

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
  gtk_widget_class_bind_template_child (widget_class, HdTechRequestsPage, search_panel);
  gtk_widget_class_bind_template_child (widget_class, HdTechRequestsPage, requests_scroller);
  gtk_widget_class_bind_template_callback (widget_class, result_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_mode_cb);
  g_type_ensure (HD_TYPE_TECH_SEARCH_PANEL);
}

static void
hd_tech_requests_page_init (HdTechRequestsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

}
