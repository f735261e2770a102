/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-search"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "hd-tech-search-panel.h"

#define SEARCH_DELAY_MS 100
#define RESULTS_LIMIT   50

struct _HdTechSearchPanel
{
  GtkWidget parent_instance;

  HdSession      *session;
  GCancellable   *cancellable;   /* of the search under way */
  guint           delay;

  GtkWidget      *box;
  GtkSearchBar   *bar;
  GtkSearchEntry *entry;
  GtkStack       *stack;
  GtkListBox     *list;
  GtkLabel       *status_label;
};

G_DEFINE_FINAL_TYPE (HdTechSearchPanel, hd_tech_search_panel, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SEARCH_MODE,
  N_PROPS
};

enum {
  SIGNAL_RESULT_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
show_status (HdTechSearchPanel *self,
             const char        *text)
{
  gtk_label_set_text (self->status_label, text);
  gtk_stack_set_visible_child_name (self->stack, "status");
}

static char *
where_text (HdSearchResult *result)
{
  g_autofree char *when = NULL;
  GDateTime *created = hd_search_result_get_created_at (result);
  const char *what;

  switch (hd_search_result_get_hit (result))
    {
    case HD_SEARCH_HIT_MESSAGE: what = _("Chat message"); break;
    case HD_SEARCH_HIT_NOTE: what = _("Note"); break;
    case HD_SEARCH_HIT_SUBJECT:
    default: what = _("Subject"); break;
    }
  if (created != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (created);

      when = g_date_time_format (local, "%Y-%m-%d %H:%M");
      /* Translators: "Chat message · 2026-11-24 20:01" */
      return g_strdup_printf (_("%s · %s"), what, when);
    }
  return g_strdup (what);
}

/* The snippet as plain text with the matches in bold: Pango attributes
 * over byte ranges, never markup. */
static GtkWidget *
snippet_label (HdSearchResult *result)
{
  GtkWidget *label = gtk_label_new (hd_search_result_get_snippet (result));
  PangoAttrList *attrs = pango_attr_list_new ();
  guint n = 0;
  const guint *ranges = hd_search_result_get_highlights (result, &n);

  for (guint i = 0; i < n; i++)
    {
      PangoAttribute *bold = pango_attr_weight_new (PANGO_WEIGHT_BOLD);

      bold->start_index = ranges[2 * i];
      bold->end_index = ranges[2 * i + 1];
      pango_attr_list_insert (attrs, bold);
    }
  gtk_label_set_attributes (GTK_LABEL (label), attrs);
  pango_attr_list_unref (attrs);
  /* Two lines at most, the rest ellipsized; the whole snippet is the
   * tooltip and the accessible name of the result. */
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (label), 2);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (label), 20);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 20);
  gtk_widget_set_tooltip_text (label, hd_search_result_get_snippet (result));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  return label;
}

static void
update_request_label (GtkLabel  *label,
                      GParamSpec *pspec,
                      HdRequest *request)
{
  g_autofree char *text = NULL;

  if (hd_request_get_subject (request) != NULL)
    text = g_strdup_printf (_("#%" PRId64 " %s"), hd_request_get_id (request), hd_request_get_subject (request));
  else
    text = g_strdup_printf (_("Request #%" PRId64), hd_request_get_id (request));
  gtk_label_set_text (label, text);
}

/* A click, or Enter on a result (Down from the entry reaches them). */
static void
result_activated_cb (GtkListBox        *list,
                     GtkListBoxRow     *row,
                     HdTechSearchPanel *self)
{
  HdSearchResult *result = g_object_get_data (G_OBJECT (row), "hd-result");

  g_signal_emit (self, signals[SIGNAL_RESULT_ACTIVATED], 0,
                 hd_search_result_get_request_id (result), hd_search_result_get_chat_id (result));
}

static GtkWidget *
make_row (gpointer item,
          gpointer user_data)
{
  HdTechSearchPanel *self = user_data;
  HdSearchResult *result = item;
  HdRequest *request = hd_session_get_request (self->session, hd_search_result_get_request_id (result));
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *title = gtk_label_new (NULL);
  g_autofree char *where = where_text (result);
  GtkWidget *meta = gtk_label_new (where);
  g_autofree char *accessible = NULL;

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (title, "heading");
  update_request_label (GTK_LABEL (title), NULL, request);
  /* The request may be filled in later (notify): follow it while shown. */
  g_signal_connect_object (request, "notify::subject", G_CALLBACK (update_request_label), title,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), snippet_label (result));
  gtk_label_set_xalign (GTK_LABEL (meta), 0);
  gtk_widget_add_css_class (meta, "caption");
  gtk_widget_add_css_class (meta, "dim-label");
  gtk_box_append (GTK_BOX (box), meta);

  gtk_widget_add_css_class (row, "search-result");
  /* Translators: a search result for a screen reader: "Request #1: the snippet" */
  accessible = g_strdup_printf (_("Request #%" PRId64 ": %s"), hd_search_result_get_request_id (result),
                                hd_search_result_get_snippet (result));
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  g_object_set_data_full (G_OBJECT (row), "hd-result", g_object_ref (result), g_object_unref);
  gtk_widget_set_tooltip_text (row, _("Open the request’s notes"));
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HdTechSearchPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) results = hd_session_search_finish (HD_SESSION (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (results == NULL)
    {
      g_autofree char *why = hd_error_dup_text (error);

      show_status (self, why);
      return;
    }
  gtk_list_box_bind_model (self->list, results, make_row, self, NULL);
  if (g_list_model_get_n_items (results) == 0)
    show_status (self, _("No results. Try fewer or other words."));
  else
    gtk_stack_set_visible_child_name (self->stack, "results");
}

static gboolean
search_now (gpointer user_data)
{
  HdTechSearchPanel *self = user_data;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  self->delay = 0;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->session == NULL || *stripped == '\0')
    {
      gtk_list_box_bind_model (self->list, NULL, NULL, NULL, NULL);
      show_status (self, _("Type to search chat messages, notes and subjects."));
      return G_SOURCE_REMOVE;
    }
  self->cancellable = g_cancellable_new ();
  show_status (self, _("Searching…"));
  hd_session_search_async (self->session, text, RESULTS_LIMIT, self->cancellable,
                           search_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
search_changed_cb (HdTechSearchPanel *self)
{
  g_clear_handle_id (&self->delay, g_source_remove);
  self->delay = g_timeout_add (SEARCH_DELAY_MS, search_now, self);
}

/* Down in the entry goes to the first result; Up and Down then move
 * between them and Enter opens one. */
static gboolean
entry_key_cb (GtkEventControllerKey *controller,
              guint                  keyval,
              guint                  keycode,
              GdkModifierType        state,
              HdTechSearchPanel     *self)
{
  GtkListBoxRow *first;

  if ((keyval != GDK_KEY_Down && keyval != GDK_KEY_KP_Down)
      || g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "results") != 0)
    return GDK_EVENT_PROPAGATE;
  first = gtk_list_box_get_row_at_index (self->list, 0);
  if (first == NULL)
    return GDK_EVENT_PROPAGATE;
  gtk_widget_grab_focus (GTK_WIDGET (first));
  return GDK_EVENT_STOP;
}

static void
search_mode_cb (HdTechSearchPanel *self)
{
  gboolean on = gtk_search_bar_get_search_mode (self->bar);

  gtk_widget_set_visible (GTK_WIDGET (self->stack), on);
  /* The results take the height the requests list had. */
  gtk_widget_set_vexpand (GTK_WIDGET (self), on);
  if (on)
    gtk_widget_grab_focus (GTK_WIDGET (self->entry));
  else
    {
      g_clear_handle_id (&self->delay, g_source_remove);
      g_cancellable_cancel (self->cancellable);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_MODE]);
}

void
hd_tech_search_panel_set_search_mode (HdTechSearchPanel *self,
                                      gboolean           search_mode)
{
  g_return_if_fail (HD_IS_TECH_SEARCH_PANEL (self));
  gtk_search_bar_set_search_mode (self->bar, search_mode);
  if (search_mode)
    gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

gboolean
hd_tech_search_panel_get_search_mode (HdTechSearchPanel *self)
{
  g_return_val_if_fail (HD_IS_TECH_SEARCH_PANEL (self), FALSE);
  return gtk_search_bar_get_search_mode (self->bar);
}

void
hd_tech_search_panel_set_session (HdTechSearchPanel *self,
                                  HdSession         *session)
{
  g_return_if_fail (HD_IS_TECH_SEARCH_PANEL (self));
  if (self->session == session)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_list_box_bind_model (self->list, NULL, NULL, NULL, NULL);
  g_set_object (&self->session, session);
  gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
  hd_tech_search_panel_set_search_mode (self, FALSE);
}

static void
hd_tech_search_panel_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  HdTechSearchPanel *self = HD_TECH_SEARCH_PANEL (object);

  switch (prop_id)
    {
    case PROP_SEARCH_MODE: g_value_set_boolean (value, gtk_search_bar_get_search_mode (self->bar)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_tech_search_panel_dispose (GObject *object)
{
  HdTechSearchPanel *self = HD_TECH_SEARCH_PANEL (object);

  g_clear_handle_id (&self->delay, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->list != NULL)
    gtk_list_box_bind_model (self->list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->session);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (hd_tech_search_panel_parent_class)->dispose (object);
}

static void
hd_tech_search_panel_class_init (HdTechSearchPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hd_tech_search_panel_dispose;
  object_class->get_property = hd_tech_search_panel_get_property;
  properties[PROP_SEARCH_MODE] =
    g_param_spec_boolean ("search-mode", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[SIGNAL_RESULT_ACTIVATED] =
    g_signal_new ("result-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT64);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
hd_tech_search_panel_init (HdTechSearchPanel *self)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkEventController *keys;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->entry), TRUE);
  g_object_set (self->entry, "placeholder-text", _("Search messages, notes, subjects"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Search requests"), -1);
  self->bar = GTK_SEARCH_BAR (gtk_search_bar_new ());
  gtk_search_bar_set_child (self->bar, GTK_WIDGET (self->entry));
  gtk_search_bar_connect_entry (self->bar, GTK_EDITABLE (self->entry));
  /* Escape closes it (GtkSearchBar's close button has no accessible name
   * in GTK 4.8). */
  gtk_search_bar_set_show_close_button (self->bar, FALSE);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->bar));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->stack), FALSE);
  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->status_label, TRUE);
  gtk_label_set_justify (self->status_label, GTK_JUSTIFY_CENTER);
  gtk_widget_set_margin_top (GTK_WIDGET (self->status_label), 24);
  gtk_widget_set_margin_start (GTK_WIDGET (self->status_label), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->status_label), 12);
  gtk_widget_set_valign (GTK_WIDGET (self->status_label), GTK_ALIGN_START);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->status_label), "status");

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_list_box_set_activate_on_single_click (self->list, TRUE);
  g_signal_connect (self->list, "row-activated", G_CALLBACK (result_activated_cb), self);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Search results"), -1);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->list));
  gtk_stack_add_named (self->stack, scroller, "results");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->stack));

  g_signal_connect_swapped (self->entry, "search-changed", G_CALLBACK (search_changed_cb), self);
  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (entry_key_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), keys);
  g_signal_connect_swapped (self->bar, "notify::search-mode-enabled", G_CALLBACK (search_mode_cb), self);
  show_status (self, _("Type to search chat messages, notes and subjects."));
}

GtkWidget *
hd_tech_search_panel_new (void)
{
  return g_object_new (HD_TYPE_TECH_SEARCH_PANEL, NULL);
}
