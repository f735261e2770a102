/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-canned"

#include <glib/gi18n.h>

#include "hd-tech-canned-popover.h"

#define MAX_SHOWN 8

struct _HdTechCannedPopover
{
  GtkPopover parent_instance;

  HdSession   *session;
  GListModel  *responses;   /* HdCannedResponse */
  GtkWidget   *view;        /* weak: the HdChatView */
  GtkTextView *text_view;   /* weak: the view's template child */
  GtkTextBuffer *buffer;    /* its buffer (a reference) */
  GtkListBox  *list;
  gboolean     inserting;
  char        *dismissed;   /* the "/prefix" Escape closed the popover on */
};

G_DEFINE_FINAL_TYPE (HdTechCannedPopover, hd_tech_canned_popover, GTK_TYPE_POPOVER)

/* Only parented (a popup surface of the window) while it shows: a
 * popover kept in the window, even hidden, kept GTK 4.8 on X11 from
 * focusing the window again when it was presented (ui-tech-live). */
static void
hide (HdTechCannedPopover *self)
{
  gtk_popover_popdown (GTK_POPOVER (self));
  if (gtk_widget_get_parent (GTK_WIDGET (self)) != NULL)
    gtk_widget_unparent (GTK_WIDGET (self));
}

/* The "/prefix" that ends at the cursor: a slash at the start of the text
 * or after white space, then shortcut characters.  FALSE when there is
 * none; @start and @end then are undefined. */
static gboolean
find_trigger (GtkTextBuffer *buffer,
              GtkTextIter   *start,
              GtkTextIter   *end,
              char         **prefix)
{
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_mark (buffer, end, gtk_text_buffer_get_insert (buffer));
  iter = *end;
  while (gtk_text_iter_backward_char (&iter))
    {
      gunichar c = gtk_text_iter_get_char (&iter);

      if (c == '/')
        {
          GtkTextIter before = iter;

          if (gtk_text_iter_backward_char (&before) && !g_unichar_isspace (gtk_text_iter_get_char (&before)))
            return FALSE;
          *start = iter;
          gtk_text_iter_forward_char (&iter);
          *prefix = gtk_text_iter_get_text (&iter, end);
          return TRUE;
        }
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
        return FALSE;
    }
  return FALSE;
}

static GtkWidget *
make_row (HdCannedResponse *response)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  g_autofree char *shortcut = g_strdup_printf ("/%s", hd_canned_response_get_shortcut (response));
  /* Translators: a canned response for a screen reader: "/hello: Greeting" */
  g_autofree char *accessible = g_strdup_printf (_("%s: %s"), shortcut, hd_canned_response_get_title (response));
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label;

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);

  /* People's text: plain labels, never markup. */
  label = gtk_label_new (shortcut);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (top), label);
  label = gtk_label_new (hd_canned_response_get_title (response));
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (top), label);
  gtk_box_append (GTK_BOX (box), top);

  label = gtk_label_new (hd_canned_response_get_body (response));
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), label);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  g_object_set_data_full (G_OBJECT (row), "hd-canned", g_object_ref (response), g_object_unref);
  return row;
}

static void
place (HdTechCannedPopover *self,
       GtkTextIter         *at)
{
  GdkRectangle rect;
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));
  double x, y;
  int wx, wy;

  gtk_text_view_get_iter_location (self->text_view, at, &rect);
  gtk_text_view_buffer_to_window_coords (self->text_view, GTK_TEXT_WINDOW_WIDGET,
                                         rect.x, rect.y, &wx, &wy);
  if (gtk_widget_translate_coordinates (GTK_WIDGET (self->text_view), parent, wx, wy, &x, &y))
    {
      rect.x = (int) x;
      rect.y = (int) y;
      rect.width = MAX (rect.width, 1);
      gtk_popover_set_pointing_to (GTK_POPOVER (self), &rect);
    }
}

static void
update (HdTechCannedPopover *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  g_autofree char *prefix = NULL;
  GtkTextIter start, end;
  GtkWidget *child;
  guint shown = 0;

  if (self->inserting || self->text_view == NULL)
    return;
  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->text_view))
      || !find_trigger (buffer, &start, &end, &prefix)
      || g_strcmp0 (prefix, self->dismissed) == 0)
    {
      hide (self);
      return;
    }
  g_clear_pointer (&self->dismissed, g_free);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  for (guint i = 0; i < g_list_model_get_n_items (self->responses) && shown < MAX_SHOWN; i++)
    {
      g_autoptr(HdCannedResponse) response = g_list_model_get_item (self->responses, i);

      if (g_str_has_prefix (hd_canned_response_get_shortcut (response), prefix))
        {
          gtk_list_box_append (self->list, make_row (response));
          shown++;
        }
    }
  if (shown == 0)
    {
      hide (self);
      return;
    }
  gtk_list_box_select_row (self->list, gtk_list_box_get_row_at_index (self->list, 0));
  if (gtk_widget_get_parent (GTK_WIDGET (self)) == NULL)
    {
      if (self->view == NULL)
        return;
      gtk_widget_set_parent (GTK_WIDGET (self), self->view);
    }
  place (self, &start);
  gtk_popover_popup (GTK_POPOVER (self));
}

static void
mark_set_cb (GtkTextBuffer       *buffer,
             GtkTextIter         *location,
             GtkTextMark         *mark,
             HdTechCannedPopover *self)
{
  /* The cursor moved (not the selection's other end). */
  if (mark == gtk_text_buffer_get_insert (buffer))
    update (self);
}

/* Replaces "/prefix" with the chosen response's body. */
static void
insert (HdTechCannedPopover *self,
        GtkListBoxRow       *row)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  HdCannedResponse *response = row ? g_object_get_data (G_OBJECT (row), "hd-canned") : NULL;
  g_autofree char *prefix = NULL;
  GtkTextIter start, end;

  if (response == NULL || !find_trigger (buffer, &start, &end, &prefix))
    return;
  self->inserting = TRUE;
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_delete (buffer, &start, &end);
  gtk_text_buffer_insert (buffer, &start, hd_canned_response_get_body (response), -1);
  gtk_text_buffer_end_user_action (buffer);
  gtk_text_buffer_place_cursor (buffer, &start);
  self->inserting = FALSE;
  hide (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
move (HdTechCannedPopover *self,
      int                  step)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->list);
  int index = row ? gtk_list_box_row_get_index (row) + step : 0;
  GtkListBoxRow *next = gtk_list_box_get_row_at_index (self->list, MAX (index, 0));

  if (next != NULL)
    gtk_list_box_select_row (self->list, next);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                HdTechCannedPopover   *self)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self)) || self->text_view == NULL)
    return GDK_EVENT_PROPAGATE;

  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      move (self, -1);
      return GDK_EVENT_STOP;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      move (self, 1);
      return GDK_EVENT_STOP;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
    case GDK_KEY_Tab:
      insert (self, gtk_list_box_get_selected_row (self->list));
      return GDK_EVENT_STOP;
    case GDK_KEY_Escape:
      {
        GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
        GtkTextIter start, end;

        g_clear_pointer (&self->dismissed, g_free);
        if (!find_trigger (buffer, &start, &end, &self->dismissed))
          self->dismissed = NULL;
        hide (self);
        return GDK_EVENT_STOP;
      }
    default:
      return GDK_EVENT_PROPAGATE;
    }
}

static void
row_activated_cb (GtkListBox          *list,
                  GtkListBoxRow       *row,
                  HdTechCannedPopover *self)
{
  insert (self, row);
}

static void
hd_tech_canned_popover_dispose (GObject *object)
{
  HdTechCannedPopover *self = HD_TECH_CANNED_POPOVER (object);

  /* The view disposes its template (the entry) before its children. */
  if (self->buffer != NULL)
    g_signal_handlers_disconnect_by_data (self->buffer, self);
  g_clear_object (&self->buffer);
  g_clear_weak_pointer (&self->text_view);
  g_clear_weak_pointer (&self->view);
  if (self->responses != NULL)
    g_signal_handlers_disconnect_by_data (self->responses, self);
  g_clear_object (&self->responses);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (hd_tech_canned_popover_parent_class)->dispose (object);
}

static void
hd_tech_canned_popover_finalize (GObject *object)
{
  HdTechCannedPopover *self = HD_TECH_CANNED_POPOVER (object);

  g_free (self->dismissed);
  G_OBJECT_CLASS (hd_tech_canned_popover_parent_class)->finalize (object);
}

static void
hd_tech_canned_popover_class_init (HdTechCannedPopoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hd_tech_canned_popover_dispose;
  object_class->finalize = hd_tech_canned_popover_finalize;
}

static void
hd_tech_canned_popover_init (HdTechCannedPopover *self)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();

  /* The entry keeps the keyboard: no grab, no focus of its own. */
  gtk_popover_set_autohide (GTK_POPOVER (self), FALSE);
  gtk_popover_set_has_arrow (GTK_POPOVER (self), FALSE);
  gtk_popover_set_position (GTK_POPOVER (self), GTK_POS_TOP);
  gtk_widget_set_halign (GTK_WIDGET (self), GTK_ALIGN_START);
  gtk_widget_add_css_class (GTK_WIDGET (self), "canned-popover");

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_SINGLE);
  gtk_list_box_set_activate_on_single_click (self->list, TRUE);
  gtk_widget_set_can_focus (GTK_WIDGET (self->list), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Canned responses"), -1);
  g_signal_connect (self->list, "row-activated", G_CALLBACK (row_activated_cb), self);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_widget_set_size_request (scroller, 340, -1);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 360);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->list));
  gtk_popover_set_child (GTK_POPOVER (self), scroller);
}

static void
release (gpointer data)
{
  HdTechCannedPopover *self = data;

  if (gtk_widget_get_parent (GTK_WIDGET (self)) != NULL)
    gtk_widget_unparent (GTK_WIDGET (self));
  g_object_run_dispose (G_OBJECT (self));
  g_object_unref (self);
}

HdTechCannedPopover *
hd_tech_canned_popover_attach (HdSession  *session,
                               HdChatView *view)
{
  HdTechCannedPopover *self;
  GtkEventController *keys;

  g_return_val_if_fail (HD_IS_SESSION (session), NULL);
  g_return_val_if_fail (HD_IS_CHAT_VIEW (view), NULL);

  /* Ours (not the view's child until it shows); freed with the view. */
  self = g_object_ref_sink (g_object_new (HD_TYPE_TECH_CANNED_POPOVER, NULL));
  g_set_weak_pointer (&self->view, GTK_WIDGET (view));
  g_object_set_data_full (G_OBJECT (view), "hd-tech-canned-popover", self, release);
  self->session = g_object_ref (session);
  self->responses = g_object_ref (hd_session_get_canned_responses (session));
  /* One read per chat window: what was added since is offered too. */
  hd_session_refresh_canned_responses (session);
  g_set_weak_pointer (&self->text_view, hd_chat_view_get_text_view (view));
  self->buffer = g_object_ref (gtk_text_view_get_buffer (self->text_view));

  g_signal_connect_swapped (self->buffer, "changed", G_CALLBACK (update), self);
  g_signal_connect (self->buffer, "mark-set",
                    G_CALLBACK (mark_set_cb), self);
  g_signal_connect_swapped (self->responses, "items-changed", G_CALLBACK (update), self);

  /* On the view, in the capture phase: before the entry's own Enter
   * (which sends) and its cursor keys. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (view), keys);
  return self;
}
