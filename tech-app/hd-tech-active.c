/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "hd-tech-active"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "hd-tech-active.h"

/* How long "typing…" stays after the last chat.typing (the other side
 * sends one every few seconds while typing). */
#define TYPING_SHOWN_MS 5000

/* ---- row ---------------------------------------------------------------- */

struct _HdTechActiveRow
{
  AdwActionRow  parent_instance;

  HdChat       *chat;
  HdRequest    *request;     /* may be NULL */
  GListModel   *messages;
  guint         unread;
  gboolean      typing;
  guint         typing_id;

  GtkLabel     *typing_label;
  GtkLabel     *unread_label;
};

G_DEFINE_FINAL_TYPE (HdTechActiveRow, hd_tech_active_row, ADW_TYPE_ACTION_ROW)

static char *
last_line (HdTechActiveRow *self)
{
  guint n = self->messages ? g_list_model_get_n_items (self->messages) : 0;
  g_autoptr(HdMessage) last = n > 0 ? g_list_model_get_item (self->messages, n - 1) : NULL;
  const char *body;
  g_autofree char *one_line = NULL;
  HdUser *author;

  if (last == NULL)
    return g_strdup (_("No messages yet"));
  body = hd_message_get_body (last);
  if ((body == NULL || *body == '\0') && hd_message_get_attachment (last) != NULL)
    body = _("An attachment");
  one_line = g_strdup (body ? body : "");
  g_strdelimit (one_line, "\n\r\t", ' ');
  author = hd_message_get_author (last);
  if (author == NULL)
    return g_steal_pointer (&one_line);
  if (hd_message_get_is_own (last))
    /* Translators: the last line of a chat, written by the technician */
    return g_strdup_printf (_("You: %s"), one_line);
  /* Translators: "Carol: Is it fixed yet?" */
  return g_strdup_printf (_("%s: %s"), hd_user_get_name (author), one_line);
}

static void
update_row (HdTechActiveRow *self)
{
  HdUser *customer = hd_chat_get_customer (self->chat);
  const char *name = customer ? hd_user_get_name (customer) : NULL;
  g_autofree char *request = NULL;
  g_autofree char *line = last_line (self);
  g_autofree char *subtitle = NULL;
  g_autofree char *count = g_strdup_printf ("%u", self->unread);
  g_autofree char *accessible = NULL;
  g_autofree char *tooltip = NULL;

  if (self->request != NULL && hd_request_get_subject (self->request) != NULL)
    request = g_strdup_printf ("#%" G_GINT64_FORMAT " %s", hd_request_get_id (self->request),
                               hd_request_get_subject (self->request));
  else
    /* PRId64, not G_GINT64_FORMAT: xgettext knows the first (the msgid
     * "Request #%<PRId64>"), not the second. */
    request = g_strdup_printf (_("Request #%" PRId64), hd_chat_get_request_id (self->chat));

  /* People's text: the row does not use markup (see init). */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), name ? name : _("A customer"));
  subtitle = g_strdup_printf ("%s\n%s", request, line);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);

  gtk_label_set_text (self->unread_label, count);
  gtk_widget_set_visible (GTK_WIDGET (self->unread_label), self->unread > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->typing_label), self->typing);
  if (self->unread > 0)
    tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u unread message",
                                            "%u unread messages", self->unread),
                               self->unread);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->unread_label), tooltip);

  /* What a screen reader says for the row: all of it, in one sentence. */
  accessible = g_strdup_printf ("%s, %s, %s%s%s",
                                name ? name : _("A customer"), request, line,
                                tooltip ? ", " : "", tooltip ? tooltip : "");
  if (self->typing)
    {
      g_autofree char *with_typing = g_strdup_printf (_("%s, typing"), accessible);
      g_free (accessible);
      accessible = g_steal_pointer (&with_typing);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
}

static gboolean
typing_done_cb (gpointer user_data)
{
  HdTechActiveRow *self = user_data;

  self->typing_id = 0;
  hd_tech_active_row_set_typing (self, FALSE);
  return G_SOURCE_REMOVE;
}

/* "typing…" for @ms milliseconds (0: no longer). */
static void
show_typing_for (HdTechActiveRow *self,
                 guint            ms)
{
  gboolean typing = ms > 0;

  g_clear_handle_id (&self->typing_id, g_source_remove);
  if (typing)
    self->typing_id = g_timeout_add (ms, typing_done_cb, self);
  if (self->typing != typing)
    {
      self->typing = typing;
      update_row (self);
    }
}

void
hd_tech_active_row_set_typing (HdTechActiveRow *self,
                               gboolean         typing)
{
  g_return_if_fail (HD_IS_TECH_ACTIVE_ROW (self));
  show_typing_for (self, typing ? TYPING_SHOWN_MS : 0);
}

/* A row built after the chat.typing came (the main window rebuilt, the
 * chat just accepted): "typing…" for what is left of its time, from the
 * session's state. */
static void
restore_typing (HdTechActiveRow *self,
                HdSession       *session)
{
  gint64 since = hd_session_get_typing_time (session, hd_chat_get_id (self->chat));
  gint64 left_ms;

  if (since == 0)
    return;
  left_ms = TYPING_SHOWN_MS - (g_get_monotonic_time () - since) / 1000;
  /* Read by the UI test (G_MESSAGES_DEBUG=hd-tech-active). */
  g_debug ("chat %" G_GINT64_FORMAT ": typing %" G_GINT64_FORMAT " ms ago, %s",
           hd_chat_get_id (self->chat), TYPING_SHOWN_MS - left_ms,
           left_ms > 0 ? "restored" : "over");
  if (left_ms > 0)
    show_typing_for (self, (guint) left_ms);
}

void
hd_tech_active_row_set_unread (HdTechActiveRow *self,
                               guint            unread)
{
  g_return_if_fail (HD_IS_TECH_ACTIVE_ROW (self));

  if (self->unread == unread)
    return;
  self->unread = unread;
  update_row (self);
}

HdChat *
hd_tech_active_row_get_chat (HdTechActiveRow *self)
{
  g_return_val_if_fail (HD_IS_TECH_ACTIVE_ROW (self), NULL);
  return self->chat;
}

static void
hd_tech_active_row_dispose (GObject *object)
{
  HdTechActiveRow *self = HD_TECH_ACTIVE_ROW (object);

  g_clear_handle_id (&self->typing_id, g_source_remove);
  if (self->messages != NULL)
    g_signal_handlers_disconnect_by_data (self->messages, self);
  if (self->request != NULL)
    g_signal_handlers_disconnect_by_data (self->request, self);
  if (self->chat != NULL)
    g_signal_handlers_disconnect_by_data (self->chat, self);
  g_clear_object (&self->messages);
  g_clear_object (&self->request);
  g_clear_object (&self->chat);

  G_OBJECT_CLASS (hd_tech_active_row_parent_class)->dispose (object);
}

static void
hd_tech_active_row_class_init (HdTechActiveRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hd_tech_active_row_dispose;
}

static void
hd_tech_active_row_init (HdTechActiveRow *self)
{
  GtkWidget *chevron;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self), FALSE);
  /* Its own label says it all (update_row); the title would be read
   * again after it. */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (self), 2);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), TRUE);

  self->typing_label = GTK_LABEL (gtk_label_new (_("typing…")));
  gtk_widget_add_css_class (GTK_WIDGET (self->typing_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->typing_label), "caption");
  gtk_widget_set_valign (GTK_WIDGET (self->typing_label), GTK_ALIGN_CENTER);
  gtk_widget_set_visible (GTK_WIDGET (self->typing_label), FALSE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->typing_label));

  self->unread_label = GTK_LABEL (gtk_label_new ("0"));
  gtk_widget_add_css_class (GTK_WIDGET (self->unread_label), "unread-badge");
  gtk_widget_set_valign (GTK_WIDGET (self->unread_label), GTK_ALIGN_CENTER);
  gtk_widget_set_visible (GTK_WIDGET (self->unread_label), FALSE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->unread_label));

  chevron = g_object_new (GTK_TYPE_IMAGE, "icon-name", "go-next-symbolic",
                          "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION, NULL);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), chevron);
}

GtkWidget *
hd_tech_active_row_new (HdSession *session,
                        HdChat    *chat,
                        HdRequest *request)
{
  HdTechActiveRow *self;

  g_return_val_if_fail (HD_IS_SESSION (session), NULL);
  g_return_val_if_fail (HD_IS_CHAT (chat), NULL);

  self = g_object_new (HD_TYPE_TECH_ACTIVE_ROW, NULL);
  self->chat = g_object_ref (chat);
  self->request = request ? g_object_ref (request) : NULL;
  /* The session's list (loaded on first use, kept by the events). */
  self->messages = g_object_ref (hd_session_get_messages (session, hd_chat_get_id (chat)));
  g_signal_connect_swapped (self->messages, "items-changed", G_CALLBACK (update_row), self);
  g_signal_connect_swapped (chat, "notify::customer", G_CALLBACK (update_row), self);
  if (request != NULL)
    g_signal_connect_swapped (request, "notify", G_CALLBACK (update_row), self);
  update_row (self);
  restore_typing (self, session);
  return GTK_WIDGET (self);
}

/* ---- page --------------------------------------------------------------- */

struct _HdTechActivePage
{
  GtkWidget           parent_instance;

  HdSession          *session;
  GtkFilterListModel *active;
  GtkCustomFilter    *filter;
  GHashTable         *unread;     /* chat id → count */
  GHashTable         *watched;    /* HdChat → TRUE: its notify is connected */

  GtkStack           *stack;
  GtkListBox         *list_box;
};

G_DEFINE_FINAL_TYPE (HdTechActivePage, hd_tech_active_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_COUNT,
  N_PROPS
};

static GParamSpec *page_properties[N_PROPS];

enum {
  SIGNAL_OPEN_CHAT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
is_my_active_chat (gpointer item,
                   gpointer user_data)
{
  HdTechActivePage *self = user_data;
  HdUser *me = self->session ? hd_session_get_user (self->session) : NULL;
  HdUser *technician = hd_chat_get_technician (item);

  return hd_chat_get_state (item) == HD_CHAT_STATE_ACTIVE &&
         me != NULL && technician != NULL && hd_user_get_id (technician) == hd_user_get_id (me);
}

static guint
unread_of (HdTechActivePage *self,
           gint64            chat_id)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->unread, &chat_id));
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  HdTechActivePage *self = user_data;
  HdChat *chat = item;
  GtkWidget *row;

  /* The session's request, filled in place when it is not loaded yet (a
   * chat accepted elsewhere, about a request this list has not seen). */
  row = hd_tech_active_row_new (self->session, chat,
                                hd_session_get_request (self->session, hd_chat_get_request_id (chat)));
  hd_tech_active_row_set_unread (HD_TECH_ACTIVE_ROW (row), unread_of (self, hd_chat_get_id (chat)));
  return row;
}

static HdTechActiveRow *
find_row (HdTechActivePage *self,
          gint64            chat_id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (HD_IS_TECH_ACTIVE_ROW (child) &&
        hd_chat_get_id (hd_tech_active_row_get_chat (HD_TECH_ACTIVE_ROW (child))) == chat_id)
      return HD_TECH_ACTIVE_ROW (child);
  return NULL;
}

static void
update_stack (HdTechActivePage *self)
{
  gtk_stack_set_visible_child_name (self->stack,
                                    hd_tech_active_page_get_count (self) > 0 ? "list" : "empty");
  g_object_notify_by_pspec (G_OBJECT (self), page_properties[PROP_COUNT]);
}

static void
chat_changed_cb (HdTechActivePage *self)
{
  /* A chat ended or went to someone else (a transfer). */
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* Each chat of the session's list, once: its state and technician decide
 * whether it is shown. */
static void
chats_changed_cb (GListModel       *chats,
                  guint             position,
                  guint             removed,
                  guint             added,
                  HdTechActivePage *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(HdChat) chat = g_list_model_get_item (chats, i);

      if (g_hash_table_contains (self->watched, chat))
        continue;
      g_hash_table_add (self->watched, g_object_ref (chat));
      g_signal_connect_object (chat, "notify::state", G_CALLBACK (chat_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (chat, "notify::technician", G_CALLBACK (chat_changed_cb), self,
                               G_CONNECT_SWAPPED);
    }
}

static void
typing_cb (HdSession        *session,
           HdChat           *chat,
           HdUser           *who,
           HdTechActivePage *self)
{
  HdTechActiveRow *row = find_row (self, hd_chat_get_id (chat));

  if (row != NULL)
    hd_tech_active_row_set_typing (row, TRUE);
}

static void
message_cb (HdSession        *session,
            HdMessage        *message,
            HdTechActivePage *self)
{
  HdTechActiveRow *row = find_row (self, hd_message_get_chat_id (message));

  /* A message ends the "typing…" it came after. */
  if (row != NULL)
    hd_tech_active_row_set_typing (row, FALSE);
}

static void
row_activated_cb (HdTechActivePage *self,
                  GtkListBoxRow    *row)
{
  if (HD_IS_TECH_ACTIVE_ROW (row))
    g_signal_emit (self, signals[SIGNAL_OPEN_CHAT], 0,
                   hd_tech_active_row_get_chat (HD_TECH_ACTIVE_ROW (row)));
}

static void
set_unread (HdTechActivePage *self,
            gint64            chat_id,
            guint             count)
{
  HdTechActiveRow *row = find_row (self, chat_id);

  if (count == 0)
    g_hash_table_remove (self->unread, &chat_id);
  else
    g_hash_table_replace (self->unread, g_memdup2 (&chat_id, sizeof chat_id), GUINT_TO_POINTER (count));
  if (row != NULL)
    hd_tech_active_row_set_unread (row, count);
}

void
hd_tech_active_page_set_unread (HdTechActivePage *self,
                                gint64            chat_id,
                                guint             count)
{
  g_return_if_fail (HD_IS_TECH_ACTIVE_PAGE (self));
  set_unread (self, chat_id, count);
}

guint
hd_tech_active_page_get_count (HdTechActivePage *self)
{
  g_return_val_if_fail (HD_IS_TECH_ACTIVE_PAGE (self), 0);
  return self->active ? g_list_model_get_n_items (G_LIST_MODEL (self->active)) : 0;
}

void
hd_tech_active_page_set_session (HdTechActivePage *self,
                                 HdSession        *session)
{
  GListModel *chats;

  g_return_if_fail (HD_IS_TECH_ACTIVE_PAGE (self));
  g_return_if_fail (session == NULL || HD_IS_SESSION (session));

  if (self->session == session)
    return;

  gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  if (self->active != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->active, self);
      g_signal_handlers_disconnect_by_data (gtk_filter_list_model_get_model (self->active), self);
    }
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->active);
  g_hash_table_remove_all (self->watched);
  g_hash_table_remove_all (self->unread);
  g_set_object (&self->session, session);

  if (session != NULL)
    {
      chats = hd_session_get_chats (session);
      self->active = gtk_filter_list_model_new (g_object_ref (chats),
                                                GTK_FILTER (g_object_ref (self->filter)));
      g_signal_connect (chats, "items-changed", G_CALLBACK (chats_changed_cb), self);
      chats_changed_cb (chats, 0, 0, g_list_model_get_n_items (chats), self);
      g_signal_connect_swapped (self->active, "items-changed", G_CALLBACK (update_stack), self);
      g_signal_connect (session, "typing", G_CALLBACK (typing_cb), self);
      g_signal_connect (session, "message-received", G_CALLBACK (message_cb), self);
      gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->active), create_row, self, NULL);
    }
  update_stack (self);
}

static void
hd_tech_active_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  HdTechActivePage *self = HD_TECH_ACTIVE_PAGE (object);

  switch (prop_id)
    {
    case PROP_COUNT: g_value_set_uint (value, hd_tech_active_page_get_count (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hd_tech_active_page_dispose (GObject *object)
{
  HdTechActivePage *self = HD_TECH_ACTIVE_PAGE (object);
  GtkWidget *child;

  if (self->list_box != NULL)
    hd_tech_active_page_set_session (self, NULL);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->list_box = NULL;
  self->stack = NULL;
  g_clear_object (&self->filter);

  G_OBJECT_CLASS (hd_tech_active_page_parent_class)->dispose (object);
}

static void
hd_tech_active_page_finalize (GObject *object)
{
  HdTechActivePage *self = HD_TECH_ACTIVE_PAGE (object);

  g_hash_table_unref (self->unread);
  g_hash_table_unref (self->watched);

  G_OBJECT_CLASS (hd_tech_active_page_parent_class)->finalize (object);
}

static void
hd_tech_active_page_class_init (HdTechActivePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = hd_tech_active_page_get_property;
  object_class->dispose = hd_tech_active_page_dispose;
  object_class->finalize = hd_tech_active_page_finalize;

  page_properties[PROP_COUNT] = g_param_spec_uint ("count", NULL, NULL, 0, G_MAXUINT, 0,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, page_properties);

  signals[SIGNAL_OPEN_CHAT] =
    g_signal_new ("open-chat", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, HD_TYPE_CHAT);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
hd_tech_active_page_init (HdTechActivePage *self)
{
  GtkWidget *empty, *scrolled, *clamp, *box, *heading;

  self->unread = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->watched = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, NULL);
  self->filter = gtk_custom_filter_new (is_my_active_chat, self, NULL);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_CROSSFADE);
  gtk_widget_set_parent (GTK_WIDGET (self->stack), GTK_WIDGET (self));

  empty = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "hd-chat-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("No Active Chats"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("Chats you accept are listed here, with their latest line."));
  gtk_stack_add_named (self->stack, empty, "empty");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  heading = gtk_label_new (_("Active Chats"));
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "title-4");
  gtk_box_append (GTK_BOX (box), heading);
  self->list_box = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list_box, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list_box), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Active Chats"), -1);
  g_signal_connect_swapped (self->list_box, "row-activated", G_CALLBACK (row_activated_cb), self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->list_box));

  clamp = adw_clamp_new ();
  gtk_widget_set_margin_top (clamp, 24);
  gtk_widget_set_margin_bottom (clamp, 24);
  gtk_widget_set_margin_start (clamp, 12);
  gtk_widget_set_margin_end (clamp, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_stack_add_named (self->stack, scrolled, "list");

  update_stack (self);
}
