/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-canned"

#include <glib/gi18n.h>

#include "hd-error.h"
#include "hd-tech-canned-group.h"

struct _HdTechCannedGroup
{
  GtkWidget parent_instance;

  HdSession    *session;
  GListModel   *responses;
  GCancellable *cancellable;
  GPtrArray    *teams;        /* HdTeamRef, an admin's choice of team */

  GtkWidget    *group;
  GtkListBox   *list;
  GtkWidget    *empty_label;
};

G_DEFINE_FINAL_TYPE (HdTechCannedGroup, hd_tech_canned_group, GTK_TYPE_WIDGET)

enum {
  SIGNAL_TOAST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
i_am_admin (HdTechCannedGroup *self)
{
  HdUser *me = self->session ? hd_session_get_user (self->session) : NULL;

  return me != NULL && hd_user_is_admin (me);
}

static gboolean
may_write (HdTechCannedGroup *self,
           HdCannedResponse  *response)
{
  /* The personal ones listed are mine; team and global ones an admin's. */
  return g_strcmp0 (hd_canned_response_get_scope (response), "personal") == 0 || i_am_admin (self);
}

static const char *
team_name (HdTechCannedGroup *self,
           gint64             id)
{
  for (guint i = 0; self->teams != NULL && i < self->teams->len; i++)
    {
      HdTeamRef *team = g_ptr_array_index (self->teams, i);

      if (team->id == id)
        return team->name;
    }
  return NULL;
}

static char *
scope_text (HdTechCannedGroup *self,
            HdCannedResponse  *response)
{
  const char *scope = hd_canned_response_get_scope (response);

  if (g_strcmp0 (scope, "global") == 0)
    return g_strdup (_("Everyone"));
  if (g_strcmp0 (scope, "team") == 0)
    {
      const char *name = team_name (self, hd_canned_response_get_team_id (response));

      /* Translators: %s is a team's name */
      return name ? g_strdup_printf (_("Team %s"), name) : g_strdup (_("A team"));
    }
  return g_strdup (_("Only me"));
}

/* ---- the editor ------------------------------------------------------ */

typedef struct {
  HdTechCannedGroup *self;       /* strong */
  HdCannedResponse  *response;   /* NULL: a new one */
  GtkWindow         *window;
  GtkEntry          *shortcut;
  GtkEntry          *title;
  GtkTextView       *body;
  GtkDropDown       *scope;      /* NULL unless an admin adds one */
  GtkLabel          *error_label;
  GtkWidget         *save_button;
  gboolean           saving;
} Editor;

static void
editor_free (Editor *e)
{
  g_clear_object (&e->self);
  g_clear_object (&e->response);
  g_free (e);
}

static void
editor_error (Editor     *e,
              const char *text)
{
  gtk_label_set_text (e->error_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (e->error_label), text != NULL);
}

static char *
body_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Editor *e = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdCannedResponse) response = hd_session_canned_finish (HD_SESSION (object), result, &error);
  g_autofree char *text = NULL;

  e->saving = FALSE;
  if (e->window == NULL)   /* closed meanwhile */
    {
      editor_free (e);
      return;
    }
  gtk_widget_set_sensitive (e->save_button, TRUE);
  if (response == NULL)
    {
      if (g_error_matches (error, HD_ERROR, HD_ERROR_CONFLICT))
        /* Translators: %s is a shortcut such as "hello" */
        text = g_strdup_printf (_("The shortcut /%s is already taken. Please choose another one; nothing was saved."),
                                gtk_editable_get_text (GTK_EDITABLE (e->shortcut)));
      else if (error->domain == HD_ERROR && error->code == HD_ERROR_BAD_REQUEST)
        /* Our own checks are translated and say what is wrong. */
        text = g_strdup (error->message);
      else
        {
          g_autofree char *why = hd_error_dup_text (error);

          /* Translators: %s says why */
          text = g_strdup_printf (_("Not saved: %s"), why);
        }
      editor_error (e, text);
      return;
    }
  /* Translators: %s is a shortcut such as "hello" */
  text = g_strdup_printf (_("Saved /%s"), hd_canned_response_get_shortcut (response));
  g_signal_emit (e->self, signals[SIGNAL_TOAST], 0, text);
  gtk_window_destroy (e->window);
}

static void
editor_save (Editor *e)
{
  const char *shortcut = gtk_editable_get_text (GTK_EDITABLE (e->shortcut));
  const char *title = gtk_editable_get_text (GTK_EDITABLE (e->title));
  g_autofree char *body = body_text (e->body);
  g_autoptr(GError) error = NULL;

  if (e->saving)
    return;
  /* Said at once, nothing sent. */
  if (!hd_canned_response_check (shortcut, title, body, &error))
    {
      editor_error (e, error->message);
      return;
    }
  editor_error (e, NULL);
  e->saving = TRUE;
  gtk_widget_set_sensitive (e->save_button, FALSE);
  if (e->response != NULL)
    hd_session_update_canned_async (e->self->session, hd_canned_response_get_id (e->response),
                                    shortcut, title, body, NULL, saved_cb, e);
  else
    {
      const char *scope = "personal";
      gint64 team_id = 0;
      guint chosen = e->scope ? gtk_drop_down_get_selected (e->scope) : 0;

      if (chosen == 1)
        scope = "global";
      else if (chosen >= 2 && e->self->teams != NULL && chosen - 2 < e->self->teams->len)
        {
          scope = "team";
          team_id = ((HdTeamRef *) g_ptr_array_index (e->self->teams, chosen - 2))->id;
        }
      hd_session_create_canned_async (e->self->session, shortcut, title, body, scope, team_id,
                                      NULL, saved_cb, e);
    }
}

static void
editor_destroyed (Editor *e)
{
  e->window = NULL;
  if (!e->saving)
    editor_free (e);
}

/* The label names the field (for a screen reader too: GTK labels a
 * mnemonic's widget by it). */
static GtkWidget *
labelled (const char *text,
          GtkWidget  *field)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new_with_mnemonic (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), field);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), field);
  return box;
}

static void
open_editor (HdTechCannedGroup *self,
             HdCannedResponse  *response)
{
  Editor *e = g_new0 (Editor, 1);
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *root = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_WINDOW);

  e->self = g_object_ref (self);
  e->response = response ? g_object_ref (response) : NULL;
  e->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_title (e->window, response ? _("Edit Canned Response") : _("New Canned Response"));
  gtk_window_set_modal (e->window, TRUE);
  gtk_window_set_transient_for (e->window, root ? GTK_WINDOW (root) : NULL);
  gtk_window_set_default_size (e->window, 460, -1);

  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  e->save_button = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_widget_add_css_class (e->save_button, "suggested-action");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), e->save_button);
  gtk_box_append (GTK_BOX (content), header);

  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_box_append (GTK_BOX (content), box);

  e->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (e->error_label, TRUE);
  gtk_label_set_max_width_chars (e->error_label, 40);
  gtk_label_set_xalign (e->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (e->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (e->error_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (e->error_label));

  e->shortcut = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (e->shortcut, _("e.g. vpn-reset"));
  gtk_box_append (GTK_BOX (box), labelled (_("S_hortcut (typed after “/”)"), GTK_WIDGET (e->shortcut)));
  e->title = GTK_ENTRY (gtk_entry_new ());
  gtk_box_append (GTK_BOX (box), labelled (_("_Title"), GTK_WIDGET (e->title)));
  e->body = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (e->body, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (e->body, FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (e->body), "card");
  gtk_text_view_set_left_margin (e->body, 8);
  gtk_text_view_set_right_margin (e->body, 8);
  gtk_text_view_set_top_margin (e->body, 8);
  gtk_text_view_set_bottom_margin (e->body, 8);
  gtk_accessible_update_property (GTK_ACCESSIBLE (e->body), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Text"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (e->body));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_size_request (scroller, -1, 120);
  gtk_box_append (GTK_BOX (box), labelled (_("Te_xt"), scroller));

  if (response != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (e->shortcut), hd_canned_response_get_shortcut (response));
      gtk_editable_set_text (GTK_EDITABLE (e->title), hd_canned_response_get_title (response));
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (e->body), hd_canned_response_get_body (response), -1);
    }
  else if (i_am_admin (self))
    {
      g_autoptr(GtkStringList) scopes = gtk_string_list_new (NULL);

      gtk_string_list_append (scopes, _("Only me"));
      gtk_string_list_append (scopes, _("Everyone"));
      for (guint i = 0; self->teams != NULL && i < self->teams->len; i++)
        {
          /* Translators: %s is a team's name */
          g_autofree char *text = g_strdup_printf (_("Team %s"),
                                                   ((HdTeamRef *) g_ptr_array_index (self->teams, i))->name);

          gtk_string_list_append (scopes, text);
        }
      e->scope = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&scopes)), NULL));
      gtk_box_append (GTK_BOX (box), labelled (_("_Who may use it"), GTK_WIDGET (e->scope)));
    }

  adw_window_set_content (ADW_WINDOW (e->window), content);
  g_signal_connect_swapped (e->save_button, "clicked", G_CALLBACK (editor_save), e);
  g_signal_connect_swapped (e->shortcut, "activate", G_CALLBACK (editor_save), e);
  g_signal_connect_swapped (e->title, "activate", G_CALLBACK (editor_save), e);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_destroy), e->window);
  g_signal_connect_swapped (e->window, "destroy", G_CALLBACK (editor_destroyed), e);
  hd_accessible_fix_mnemonic_names (GTK_WIDGET (e->window));
  gtk_window_present (e->window);
}

/* ---- the list -------------------------------------------------------- */

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HdTechCannedGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (hd_session_delete_canned_finish (HD_SESSION (object), result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  {
    g_autofree char *why = hd_error_dup_text (error);

    /* Translators: %s says why */
    text = g_strdup_printf (_("Not deleted: %s"), why);
  }
  g_signal_emit (self, signals[SIGNAL_TOAST], 0, text);
}

static void
edit_clicked_cb (GtkButton         *button,
                 HdTechCannedGroup *self)
{
  open_editor (self, g_object_get_data (G_OBJECT (button), "hd-canned"));
}

static void
delete_clicked_cb (GtkButton         *button,
                   HdTechCannedGroup *self)
{
  HdCannedResponse *response = g_object_get_data (G_OBJECT (button), "hd-canned");

  hd_session_delete_canned_async (self->session, hd_canned_response_get_id (response),
                                  self->cancellable, deleted_cb, g_object_ref (self));
}

static GtkWidget *
suffix_button (const char       *icon,
               const char       *accessible,
               HdCannedResponse *response)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, accessible);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  g_object_set_data_full (G_OBJECT (button), "hd-canned", g_object_ref (response), g_object_unref);
  return button;
}

static GtkWidget *
make_row (gpointer item,
          gpointer user_data)
{
  HdTechCannedGroup *self = user_data;
  HdCannedResponse *response = item;
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = g_strdup_printf ("/%s  %s", hd_canned_response_get_shortcut (response),
                                            hd_canned_response_get_title (response));
  g_autofree char *scope = scope_text (self, response);
  g_autofree char *body = g_strdup (hd_canned_response_get_body (response));
  g_autofree char *subtitle = NULL;

  /* People's text: never markup; the body on one line. */
  g_strdelimit (body, "\n\r\t", ' ');
  /* Translators: "Only me · Please restart the VPN client." */
  subtitle = g_strdup_printf (_("%s · %s"), scope, body);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
  if (may_write (self, response))
    {
      /* Translators: %s is a shortcut such as "hello" */
      g_autofree char *edit = g_strdup_printf (_("Edit /%s"), hd_canned_response_get_shortcut (response));
      /* Translators: %s is a shortcut such as "hello" */
      g_autofree char *del = g_strdup_printf (_("Delete /%s"), hd_canned_response_get_shortcut (response));
      GtkWidget *button = suffix_button ("document-edit-symbolic", edit, response);

      g_signal_connect (button, "clicked", G_CALLBACK (edit_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      button = suffix_button ("user-trash-symbolic", del, response);
      g_signal_connect (button, "clicked", G_CALLBACK (delete_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  return row;
}

static void
update_empty (HdTechCannedGroup *self)
{
  gboolean empty = self->responses == NULL || g_list_model_get_n_items (self->responses) == 0;

  gtk_widget_set_visible (self->empty_label, empty);
  gtk_widget_set_visible (GTK_WIDGET (self->list), !empty);
}

static void
rebind (HdTechCannedGroup *self)
{
  gtk_list_box_bind_model (self->list, self->responses, self->responses ? make_row : NULL, self, NULL);
  update_empty (self);
}

static void
teams_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(HdTechCannedGroup) self = user_data;
  g_autoptr(GPtrArray) teams = hd_session_list_teams_finish (HD_SESSION (object), result, NULL);

  if (teams == NULL)
    return;
  g_clear_pointer (&self->teams, g_ptr_array_unref);
  self->teams = g_steal_pointer (&teams);
  rebind (self);   /* the rows name the teams */
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  HdTechCannedGroup *self = HD_TECH_CANNED_GROUP (widget);

  if (self->session != NULL)
    open_editor (self, NULL);
}

void
hd_tech_canned_group_set_session (HdTechCannedGroup *self,
                                  HdSession         *session)
{
  g_return_if_fail (HD_IS_TECH_CANNED_GROUP (self));

  if (self->session == session)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->responses != NULL)
    g_signal_handlers_disconnect_by_data (self->responses, self);
  g_clear_object (&self->responses);
  g_clear_pointer (&self->teams, g_ptr_array_unref);
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      self->cancellable = g_cancellable_new ();
      self->responses = g_object_ref (hd_session_get_canned_responses (session));
      hd_session_refresh_canned_responses (session);
      g_signal_connect_swapped (self->responses, "items-changed", G_CALLBACK (update_empty), self);
      hd_session_list_teams_async (session, self->cancellable, teams_cb, g_object_ref (self));
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "canned.add", session != NULL);
  rebind (self);
}

static void
hd_tech_canned_group_dispose (GObject *object)
{
  HdTechCannedGroup *self = HD_TECH_CANNED_GROUP (object);

  hd_tech_canned_group_set_session (self, NULL);
  g_clear_pointer (&self->group, gtk_widget_unparent);
  G_OBJECT_CLASS (hd_tech_canned_group_parent_class)->dispose (object);
}

/* Shown: read them again (an administrator may have added some). */
static void
hd_tech_canned_group_map (GtkWidget *widget)
{
  HdTechCannedGroup *self = HD_TECH_CANNED_GROUP (widget);

  GTK_WIDGET_CLASS (hd_tech_canned_group_parent_class)->map (widget);
  if (self->session != NULL)
    hd_session_refresh_canned_responses (self->session);
}

static void
hd_tech_canned_group_class_init (HdTechCannedGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hd_tech_canned_group_dispose;
  widget_class->map = hd_tech_canned_group_map;
  signals[SIGNAL_TOAST] =
    g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  gtk_widget_class_install_action (widget_class, "canned.add", NULL, add_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
hd_tech_canned_group_init (HdTechCannedGroup *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *add = gtk_button_new_with_label (_("Add"));

  self->group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->group), _("Canned Responses"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->group),
                                         _("In a chat, type “/” and the shortcut to put the text in your message."));
  gtk_widget_set_valign (add, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (add), "canned.add");
  gtk_accessible_update_property (GTK_ACCESSIBLE (add), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Add a canned response"), -1);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (self->group), add);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Canned Responses"), -1);
  self->empty_label = gtk_label_new (_("No canned responses yet."));
  gtk_widget_add_css_class (self->empty_label, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (self->empty_label), 0);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->list));
  gtk_box_append (GTK_BOX (box), self->empty_label);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->group), box);
  gtk_widget_set_parent (self->group, GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "canned.add", FALSE);
  update_empty (self);
}

GtkWidget *
hd_tech_canned_group_new (void)
{
  return g_object_new (HD_TYPE_TECH_CANNED_GROUP, NULL);
}
